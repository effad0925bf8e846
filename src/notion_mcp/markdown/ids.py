"""Block and page IDs in the forms markdown uses: 32-hex for markers, dashed UUIDs in blocks."""

from __future__ import annotations

import re

_HEX = re.compile(
    r"[0-9a-fA-F]{32}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)

PAGE_URL = "https://www.notion.so/"
USER_URL = "user://"
NOTION_FILE = "notion-file:"  # + block hex: a Notion-hosted file whose signed URL is left out


def compact(block_id: str) -> str:
    """The undashed 32-hex form of an ID (what markers and URLs carry)."""
    return block_id.replace("-", "").lower()


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
    return USER_URL + user_id
