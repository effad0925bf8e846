"""notion_search: find pages and databases by title."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from notion_mcp.markdown import search_results_to_markdown
from notion_mcp.notion.pagination import collect
from notion_mcp.tools._dispatch import Formatted, Operation, ToolSpec
from notion_mcp.tools.context import Call
from notion_mcp.tools.fields import Cursor, MaxResults, PageSize
from notion_mcp.tools.output import join, json_list, more_hint

DEFAULT_RESULTS = 20
# What a model asks for → what Notion's search filter calls it (databases are data sources now).
FILTER_VALUES = {"page": "page", "database": "data_source", "data_source": "data_source"}


def _object(value: Any) -> Any:
    """An object sent as JSON text is read as the object."""
    if isinstance(value, str) and value.lstrip().startswith("{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _old_filter(value: Any) -> Any:
    """Notion's own form, {"property": "object", "value": "page"|"database"|"data_source"}, as its value."""
    value = _object(value)
    if isinstance(value, dict) and value.get("property") == "object" and set(value) == {"property", "value"}:
        inner = value["value"]
        return {"data_source": "database"}.get(inner, inner) if isinstance(inner, str) else inner
    return value


def _old_sort(value: Any) -> Any:
    """Notion's own form, {"direction": …, "timestamp": "last_edited_time"}, as its direction."""
    value = _object(value)
    old = isinstance(value, dict) and "direction" in value and set(value) <= {"direction", "timestamp"}
    if old and value.get("timestamp", "last_edited_time") == "last_edited_time":
        return value["direction"]
    return value


class Search(Formatted):
    query: str = Field("", description="title words; empty lists all")
    filter: Annotated[Literal["page", "database"] | None, BeforeValidator(_old_filter)] = Field(
        None, description="pages or databases only"
    )
    sort: Annotated[Literal["ascending", "descending"] | None, BeforeValidator(_old_sort)] = Field(
        None, description="by last_edited_time"
    )
    start_cursor: Cursor = None
    page_size: PageSize = None
    max_results: MaxResults = None


async def search(call: Call, args: Search) -> str:
    body: dict[str, Any] = {"query": args.query} if args.query else {}
    if args.filter:
        body["filter"] = {"property": "object", "value": FILTER_VALUES[args.filter]}
    if args.sort:
        body["sort"] = {"timestamp": "last_edited_time", "direction": args.sort}
    found = await collect(
        lambda cursor, size: call.gateway.search(body, cursor, size),
        start_cursor=args.start_cursor,
        limit=args.max_results or args.page_size or DEFAULT_RESULTS,
        page_size=args.page_size,
    )
    results, cursor, more = found.results, found.next_cursor, found.has_more
    if args.format == "json":
        extra = {"next_cursor": cursor, "has_more": more}
        return json_list(results, call.settings.max_output_chars, extra)
    if not results:
        return (
            f"No pages or databases match {args.query!r} (search matches titles only, and sees only "
            "what is shared with the integration)."
        )
    return join(search_results_to_markdown(results), more_hint(cursor, more))


SPEC = ToolSpec(
    name="notion_search",
    title="Notion search",
    description="Pages and databases shared with the integration, by title (not content).",
    operations={"search": Operation(Search, search)},
    default_operation="search",
)
