"""A small tokenizer for the Notion-flavored tags this package reads and writes.

Only the names in `BLOCK_TAGS` and `INLINE_TAGS` are tags; anything else stays text. Attribute
values are double-quoted, with `&`, `"`, `<` and `>` written as entities.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

BLOCK_TAGS = frozenset(
    {
        "details", "summary", "caption", "callout", "columns", "column", "synced_block",
        "synced_block_reference", "tabs", "tab", "template", "page", "database", "link-page",
        "link-database", "empty-block", "link-preview",
        "table_of_contents", "breadcrumb", "unsupported", "children", "table", "hr",
        "video", "audio", "pdf", "file", "embed", "bookmark", "image",
    }
)  # fmt: skip
INLINE_TAGS = frozenset(
    {
        "span", "u", "br", "mention-user", "mention-page", "mention-database", "mention-date",
        "mention-link-preview", "mention-link-mention", "mention-template", "mention-custom-emoji",
        "mention",
    }
)  # fmt: skip

_TAG = re.compile(
    r"<(/?)([A-Za-z][A-Za-z0-9_-]*)((?:\s+[A-Za-z_:][A-Za-z0-9_.:-]*(?:\s*=\s*\"[^\"]*\")?)*)\s*(/?)>"
)
_ATTR = re.compile(r"([A-Za-z_:][A-Za-z0-9_.:-]*)(?:\s*=\s*\"([^\"]*)\")?")


@dataclass
class Tag:
    """One tag event: kind is "open", "close" or "self"."""

    kind: str
    name: str
    attrs: dict[str, str] = field(default_factory=dict)


def parse_tag(text: str, names: frozenset[str] = BLOCK_TAGS | INLINE_TAGS) -> Tag | None:
    """The tag that `text` is exactly (e.g. an html_inline token), or None."""
    m = _TAG.fullmatch(text.strip())
    if m is None or m.group(2).lower() not in names:
        return None
    return _to_tag(m)


def _to_tag(m: re.Match[str]) -> Tag:
    attrs = {a.group(1): html.unescape(a.group(2) or "true") for a in _ATTR.finditer(m.group(3))}
    kind = "close" if m.group(1) else ("self" if m.group(4) else "open")
    return Tag(kind, m.group(2).lower(), attrs)


def tokenize(text: str, names: frozenset[str] = BLOCK_TAGS) -> list[Tag | str]:
    """Split `text` into known tags and the text between them (empty text is left out)."""
    out: list[Tag | str] = []
    pos = 0
    for m in _TAG.finditer(text):
        if m.group(2).lower() not in names:
            continue
        if m.start() > pos:
            out.append(text[pos : m.start()])
        out.append(_to_tag(m))
        pos = m.end()
    if pos < len(text):
        out.append(text[pos:])
    return [x for x in out if not isinstance(x, str) or x.strip()]


def attr(value: str) -> str:
    """An attribute value, quoted and escaped."""
    return '"' + html.escape(value, quote=True) + '"'


def render_tag(name: str, attrs: dict[str, str | None], *, close: bool = False) -> str:
    """`<name a="v">` (or `<name a="v"/>` when close is True); None-valued attributes are left out."""
    parts = "".join(f" {k}={attr(v)}" for k, v in attrs.items() if v is not None)
    return f"<{name}{parts}{'/' if close else ''}>"
