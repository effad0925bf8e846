"""A small tokenizer for the Notion-flavored tags this package reads and writes.

Only the names in `BLOCK_TAGS` and `INLINE_TAGS` are tags; anything else stays text. Attribute
values are double-quoted, with `&`, `"`, `<` and `>` written as entities.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from .errors import MarkdownError
from .ids import compact

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
        "mention", "equation", "b", "strong", "i", "em", "s", "del", "strike", "ins", "code", "mark",
    }
)  # fmt: skip
UNREAD = "children not fetched"
_COMMENT = re.compile(r"<!--(.*?)-->", re.S)
_UNREAD_ID = re.compile(r"\s*" + UNREAD + r":\s*([0-9a-fA-F-]{32,36})\s*")

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


_BACKTICKS = re.compile(r"`+")


def _code_spans(text: str) -> list[tuple[int, int]]:
    """Where `text` has inline code spans (a run of N backticks up to the next run of exactly N)."""
    spans: list[tuple[int, int]] = []
    runs = list(_BACKTICKS.finditer(text))
    i = 0
    while i < len(runs):
        width = len(runs[i].group())
        close = next((j for j in range(i + 1, len(runs)) if len(runs[j].group()) == width), None)
        if close is None:
            i += 1
            continue
        spans.append((runs[i].start(), runs[close].end()))
        i = close + 1
    return spans


def _literal(text: str, at: int, spans: list[tuple[int, int]]) -> bool:
    """Whether a `<` at `at` is text: inside a code span, or escaped by a backslash."""
    backslashes = len(text[:at]) - len(text[:at].rstrip("\\"))
    return backslashes % 2 == 1 or any(start < at < end for start, end in spans)


def tokenize(text: str, names: frozenset[str] = BLOCK_TAGS) -> list[Tag | str]:
    """Split `text` into known tags and the text between them (empty text is left out). A tag
    inside a code span or after a backslash is text."""
    out: list[Tag | str] = []
    pos = 0
    spans = _code_spans(text)
    for m in _TAG.finditer(text):
        if m.group(2).lower() not in names or _literal(text, m.start(), spans):
            continue
        if m.start() > pos:
            out.append(text[pos : m.start()])
        out.append(_to_tag(m))
        pos = m.end()
    if pos < len(text):
        out.append(text[pos:])
    return [x for x in out if not isinstance(x, str) or x.strip()]


def unread_marker(block_id: str) -> str:
    """What the renderer writes where a block has children that were not fetched."""
    return f"<!-- {UNREAD}: {compact(block_id)} -->"


def unread_ids(html_text: str) -> list[str]:
    """The block IDs of the unread-children markers among the HTML comments of `html_text`."""
    return [
        m.group(1)
        for c in _COMMENT.finditer(html_text)
        if (m := _UNREAD_ID.fullmatch(c.group(1))) is not None
    ]


def refuse_unread(found: list[tuple[str, int | None]]) -> None:
    """Markdown with unread-children markers cannot be written: it would leave those children out."""
    if not found:
        return
    where = ", ".join(f"line {line}: {block_id}" if line else block_id for block_id, line in found)
    first = found[0][0]
    raise MarkdownError(
        f"'<!-- {UNREAD}: … -->' stands for children a read left out, so this markdown would lose"
        f' them ({where}). Read each with notion_blocks retrieve block_id="{first}"'
        " include_children=true and put its markdown in place of the marker, or delete the marker"
        " to leave those children out on purpose",
        found[0][1],
    )


def drop_comments(text: str, line: int | None) -> str:
    """`text` without its HTML comments (markdown shows none of them); unread markers refused."""
    refuse_unread([(block_id, line) for block_id in unread_ids(text)])
    kept = _COMMENT.sub("", text)
    if "<!--" in kept:
        raise MarkdownError("<!-- is never closed: end the comment with -->", line)
    return kept


def attr(value: str) -> str:
    """An attribute value, quoted and escaped."""
    return '"' + html.escape(value, quote=True).replace("\n", "&#10;") + '"'


def render_tag(name: str, attrs: dict[str, str | None], *, close: bool = False) -> str:
    """`<name a="v">` (or `<name a="v"/>` when close is True); None-valued attributes are left out."""
    parts = "".join(f" {k}={attr(v)}" for k, v in attrs.items() if v is not None)
    return f"<{name}{parts}{'/' if close else ''}>"
