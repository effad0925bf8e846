"""Notion IDs: accept what people paste, send what Notion expects.

Accepted: a UUID with or without dashes (any case), or a Notion URL in any of its forms
(`notion.so/Title-<id>`, `www.notion.so/ws/<id>?v=<view>`, `app.notion.com/p/<id>`,
`?p=<id>` peeks, `#block-<id>` / `#<id>` anchors — taken where a block is wanted, else the
page). Returned: the dashed lowercase UUID.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from notion_mcp.errors import InputError
from notion_mcp.markdown.ids import compact as compact  # the form results show IDs in

_HEX32 = re.compile(r"[0-9a-fA-F]{32}")
_DASHED = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_URL_HOSTS = ("notion.so", "notion.site", "notion.com")

EXPECTED_FORM = (
    "a Notion ID (32 hex digits, e.g. 1a2b3c4d00004000800000000000abcd, dashes allowed) "
    "or a Notion URL (https://www.notion.so/Page-<id>, https://app.notion.com/p/<id>)"
)


def _dash(hex32: str) -> str:
    h = hex32.lower()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _ids_in(text: str) -> list[str]:
    """Every ID in a piece of text, dashed or not, in order of appearance."""
    found: list[tuple[int, str]] = [(m.start(), m.group(0).replace("-", "")) for m in _DASHED.finditer(text)]
    stripped = _DASHED.sub(lambda m: "-" * len(m.group(0)), text)
    found += [(m.start(), m.group(0)) for m in _HEX32.finditer(stripped)]
    return [h for _, h in sorted(found)]


def _from_url(value: str, block: bool) -> str | None:
    try:
        parts = urlsplit(value if "://" in value else "https://" + value)
    except ValueError:  # "https://[notion.so/x": not a URL at all
        return None
    host = parts.hostname or ""  # (lower case already)
    if not any(host == h or host.endswith("." + h) for h in _URL_HOSTS):
        return None
    if block and (ids := _ids_in(parts.fragment)):  # `#<id>` or `#block-<id>`
        return ids[-1]
    peek = parse_qs(parts.query).get("p")
    if peek and (ids := _ids_in(peek[0])):
        return ids[-1]
    ids = _ids_in(parts.path)
    return ids[-1] if ids else None


BLOCK_FIELDS = frozenset({"block_id", "parent_block_id", "after_block_id"})


def normalize_id(value: object, field: str = "id", *, block: bool | None = None) -> str:
    """The dashed UUID inside `value`, or an InputError that shows the expected form.

    A URL's `#block-…` anchor names a block: it is the answer where a block is wanted (`block`,
    by default for the fields in BLOCK_FIELDS); where a page or database is wanted, the page is.
    """
    block = field.split(".")[-1] in BLOCK_FIELDS if block is None else block
    prefix = f"{field}: " if field else ""
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{prefix}expected {EXPECTED_FORM}; got {value!r}.")
    text = value.strip().removeprefix("user://")  # the form user mentions are written in
    if _DASHED.fullmatch(text) or _HEX32.fullmatch(text):
        return _dash(text.replace("-", ""))
    if found := _from_url(text, block):
        return _dash(found)
    shown = text if len(text) <= 80 else text[:77] + "..."
    raise InputError(f"{prefix}{shown!r} is not {EXPECTED_FORM}.")
