"""Creating a page without ever making it twice.

`POST /v1/pages` cannot be repeated blindly: when it fails after reaching Notion (a dropped
connection, a timeout, a 5xx), the page may exist. `create_page` then looks for it where it
would be — among the parent page's children, or in the data source's newest rows — by its
title and a creation time no older than the attempt:

- exactly one match: that is the page (returned as if the create had answered);
- none, in a listing read to its end: the page is not there, and the create is sent again;
- anything else (a workspace-level page, an empty title, several matches, a listing too long
  to read, a failing read): the first error is raised, still marked ambiguous, so the model is
  told to look before repeating.

The look is as strong as Notion's listings: the same read-back `append.py` relies on. A caller
that knows a better way to find the page (`bulk.py`: by the row's upsert key) passes `look`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from notion_mcp.errors import NotionAPIError, TransientError
from notion_mcp.notion.gateway import NotionGateway
from notion_mcp.notion.pagination import collect

Json = dict[str, Any]
MAX_ATTEMPTS = 3
LISTING_LIMIT = 1_000  # children of a parent page read at most to find the new one
CLOCK_SLACK = timedelta(minutes=1)  # Notion's created_time is cut to the minute


class LookUnknown(Exception):
    """The look could not tell whether the page exists."""


# The IDs of the pages `body` may have made since the given time (raise LookUnknown when unsure).
Look = Callable[[Json, datetime], Awaitable[list[str]]]


@dataclass(frozen=True)
class Created:
    page: Json
    found_after: TransientError | None = None  # set when the page was found, not answered


async def create_page(
    gateway: NotionGateway,
    body: Json,
    *,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    look: Look | None = None,
) -> Created:
    """`gateway.create_page(body)`, surviving ambiguous failures without duplicating the page."""
    cause: TransientError | None = None
    for _ in range(MAX_ATTEMPTS):
        since = now().replace(second=0, microsecond=0) - CLOCK_SLACK
        try:
            return Created(await gateway.create_page(body))
        except TransientError as exc:
            if not exc.ambiguous:
                raise
            cause = exc
        try:
            found = await find_made(gateway, body, since, look)
        except (LookUnknown, NotionAPIError):
            raise cause from None
        if found is not None:
            return Created(found, cause)
    assert cause is not None
    raise cause


async def find_made(
    gateway: NotionGateway, body: Json, since: datetime, look: Look | None = None
) -> Json | None:
    """The page `body` would have made since `since`, None when surely absent; else LookUnknown."""
    matches = await (look or _by_title(gateway))(body, since)
    if len(matches) > 1:
        raise LookUnknown
    return await gateway.retrieve_page(matches[0]) if matches else None


def _by_title(gateway: NotionGateway) -> Look:
    async def look(body: Json, since: datetime) -> list[str]:
        title = title_of(body)
        parent = body.get("parent") or {}
        if not title:
            raise LookUnknown
        if parent.get("type") == "page_id":
            return await _among_children(gateway, str(parent["page_id"]), title, since)
        if parent.get("type") == "data_source_id":
            return await _among_rows(gateway, str(parent["data_source_id"]), body, title, since)
        raise LookUnknown  # a workspace-level page: only search, which lags, could find it

    return look


async def _among_children(gateway: NotionGateway, page_id: str, title: str, since: datetime) -> list[str]:
    found = await collect(
        lambda cursor, size: gateway.list_children(page_id, start_cursor=cursor, page_size=size),
        start_cursor=None,
        limit=LISTING_LIMIT,
    )
    if found.has_more:
        raise LookUnknown
    return [
        str(b["id"])
        for b in found.results
        if b.get("type") == "child_page"
        and (b.get("child_page") or {}).get("title") == title
        and _at_or_after(b, since)
    ]


async def _among_rows(
    gateway: NotionGateway, source_id: str, body: Json, title: str, since: datetime
) -> list[str]:
    """Rows made since `since` with this title (the filter keeps the answer to one page even
    while many rows are being made at once)."""
    name = next(n for n, p in (body.get("properties") or {}).items() if isinstance(p, dict) and "title" in p)
    query = {
        "filter": {
            "and": [
                {"timestamp": "created_time", "created_time": {"on_or_after": since.isoformat()}},
                {"property": name, "title": {"equals": title}},
            ]
        },
        "sorts": [{"timestamp": "created_time", "direction": "descending"}],
    }
    page = await gateway.query_data_source(source_id, query, page_size=100)
    if page.get("has_more"):
        raise LookUnknown
    rows = page.get("results") or []
    return [str(p["id"]) for p in rows if title_of(p) == title and _at_or_after(p, since)]


def title_of(obj: Json) -> str:
    """The plain text of the title property of a page object or a create body."""
    for prop in (obj.get("properties") or {}).values():
        if isinstance(prop, dict) and "title" in prop:
            return "".join(_plain(item) for item in prop.get("title") or [])
    return ""


def _plain(item: Any) -> str:
    if not isinstance(item, dict):
        return ""
    if "plain_text" in item:
        return str(item["plain_text"])
    return str((item.get("text") or {}).get("content", ""))


def created_time(obj: Json) -> datetime | None:
    """When Notion says `obj` was created (cut to the minute), or None when it does not say."""
    try:
        return datetime.fromisoformat(str(obj.get("created_time")))  # 3.11 reads a trailing Z
    except ValueError:
        return None


def _at_or_after(obj: Json, since: datetime) -> bool:
    created = created_time(obj)
    return created is not None and created >= since
