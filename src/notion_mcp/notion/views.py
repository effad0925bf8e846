"""A database's views (2026 API), and a view as query parameters.

Notion lists views as ID stubs, so `views_of` reads each one (concurrently, through the shared
limiter). A query "through a view" is a data source query with the view's filter and sorts: the
rows come back with their properties, a page of 100 per request, and an added filter narrows the
view's (`{"and": [view, added]}`); added sorts replace the view's.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import anyio

from notion_mcp.errors import InputError, NotionAPIError
from notion_mcp.markdown.ids import compact
from notion_mcp.notion.gateway import NotionGateway
from notion_mcp.notion.ids import normalize_id
from notion_mcp.notion.pagination import collect

Json = dict[str, Any]
MAX_VIEWS = 200


async def views_of(gateway: NotionGateway, database_id: str) -> list[Json]:
    """Every view of a database, in Notion's order."""
    stubs = await collect(partial(gateway.list_views, database_id), start_cursor=None, limit=MAX_VIEWS)
    views: list[Json | None] = [None] * len(stubs.results)

    async def read(i: int, view_id: str) -> None:
        views[i] = await gateway.retrieve_view(view_id)

    async with anyio.create_task_group() as group:
        for i, stub in enumerate(stubs.results):
            group.start_soon(read, i, str(stub["id"]))
    return [v for v in views if v is not None]


async def find_view(gateway: NotionGateway, wanted: str, database_id: str | None) -> Json:
    """The view named `wanted` (any case) among the database's, or with that ID."""
    try:
        view_id = normalize_id(wanted)
    except InputError:  # not an ID: a name
        view_id = None
    if view_id is not None:
        try:
            return await gateway.retrieve_view(view_id)
        except NotionAPIError as exc:
            if exc.status != 404 or database_id is None:
                raise
    if database_id is None:
        raise InputError("view: a view is found by name within a database: give database_id too.")
    views = await views_of(gateway, database_id)
    for view in views:
        if view["name"].strip().lower() == wanted.strip().lower():
            return view
    names = ", ".join(f"{v['name']!r} ({v['type']})" for v in views) or "none"
    raise InputError(f"view: no view {wanted!r} in database {compact(database_id)}; its views: {names}.")


def view_query(view: Json, added_filter: Json | None, added_sorts: list[Json] | None) -> Json:
    """The data source query body that returns the view's rows, narrowed by `added_filter`."""
    body: Json = {}
    own = view.get("filter")
    if own and added_filter:  # one "and" (Notion nests compound filters two levels deep at most)
        parts = list(own["and"]) if set(own) == {"and"} else [own]
        body["filter"] = {"and": [*parts, added_filter]}
    elif own or added_filter:
        body["filter"] = own or added_filter
    sorts = added_sorts if added_sorts is not None else view.get("sorts")
    if sorts:
        body["sorts"] = sorts
    return body
