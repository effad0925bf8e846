"""Notion IDs in the two forms: the one every result shows, the one Notion's objects carry.

The rule: every ID a result shows the model — in markdown, headers, tables, success and error
messages, resume calls, hints, and the JSON the server builds — is `compact`: 32 lowercase hex
digits, no dashes. That is how Notion's URLs and our block markers carry an ID, so an ID copied
from a read, a URL or an answer looks the same everywhere, and it is 4 characters shorter. Every
ID field accepts both forms (and URLs); Notion's own objects in format=json answers keep Notion's
dashed form, and the blocks sent to Notion carry `dashed` IDs. docs/architecture.md says why.
"""

from __future__ import annotations

import re
from typing import Any

_HEX = re.compile(
    r"[0-9a-fA-F]{32}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)

_DASHED = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")

PAGE_URL = "https://www.notion.so/"
USER_URL = "user://"
NOTION_FILE = "notion-file:"  # + block hex: a Notion-hosted file whose signed URL is left out


def compact(block_id: str) -> str:
    """The undashed 32-hex form of an ID (what markers and URLs carry)."""
    return block_id.replace("-", "").lower()


def shown_ids(text: str) -> str:
    """`text` (Notion's own message, say) with every dashed ID in the form results show."""
    return _DASHED.sub(lambda m: compact(m.group(0)), text)


def shown_in(value: Any) -> Any:
    """Arguments echoed back in a result (a ready call) with every string that is a dashed ID in
    the form results show; Notion blocks (`children`) are left as they will be sent."""
    if isinstance(value, str):
        return compact(value) if _DASHED.fullmatch(value) else value
    if isinstance(value, list):
        return [shown_in(v) for v in value]
    if isinstance(value, dict):
        return {k: v if k == "children" else shown_in(v) for k, v in value.items()}
    return value


def dashed(block_id: str) -> str:
    """The canonical dashed UUID form of an ID given undashed, dashed or inside a URL."""
    found = find_id(block_id)
    if found is None:
        return block_id
    h = compact(found)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def find_id(text: str) -> str | None:
    """The last ID in `text` (a URL's last path ID wins over earlier ones), or None."""
    matches = [m.group(0) for m in _HEX.finditer(text.split("?", 1)[0])] or [
        m.group(0) for m in _HEX.finditer(text)
    ]
    return matches[-1] if matches else None


def page_url(object_id: str) -> str:
    """What a `url` attribute holds for a page or database: its 32-hex ID (full URLs are accepted)."""
    return compact(object_id)


def user_url(user_id: str) -> str:
    return USER_URL + compact(user_id)
