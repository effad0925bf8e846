"""MCP resources: Notion pages and databases a client can attach as context, and our usage.

    notion://page/{id}       the page as markdown (the same text as notion_pages retrieve)
    notion://database/{id}   its schema, then its rows as a markdown table, within the response
                             budget; a cut says which notion_databases query call gets the rest
    notion://server/usage    requests by endpoint, retries, 429s, waits, latency percentiles

resources/list pages through what the integration can see (Notion's search, 100 a page; the
MCP cursor is Notion's cursor, checked like every cursor). The reads reuse the tools' handlers,
so a resource and a tool call answer the same text and every budget and error rule holds.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceError
from mcp.shared.exceptions import MCPError
from mcp.types import INVALID_PARAMS, ListResourcesResult, PaginatedRequestParams, Resource

from notion_mcp.errors import NotionMCPError, to_tool_error
from notion_mcp.markdown import title_of
from notion_mcp.markdown.ids import compact
from notion_mcp.tools import databases, pages
from notion_mcp.tools.context import App, Call

PAGE = "notion://page/{id}"
DATABASE = "notion://database/{id}"
USAGE = "notion://server/usage"
MARKDOWN = "text/markdown"
LIST_PAGE_SIZE = 100


@dataclass
class Live:
    """The running server's state, for resources that get no request context."""

    app: App | None = None


async def _reading(uri: str, read: Callable[[], Awaitable[str]]) -> str:
    try:
        return await read()
    except NotionMCPError as exc:
        raise ResourceError(f"{uri}: {to_tool_error(exc)}") from None


def _app(ctx: Context[App, Any]) -> App:
    return ctx.request_context.lifespan_context


async def read_page(app: App, page_id: str) -> str:
    return await pages.retrieve(Call(app), pages.Retrieve.model_validate({"page_id": page_id}))


async def read_database(app: App, database_id: str) -> str:
    schema = await databases.retrieve(
        Call(app), databases.Retrieve.model_validate({"database_id": database_id})
    )
    room = max(500, app.settings.max_output_chars - len(schema) - 300)
    narrow = replace(app, settings=replace(app.settings, max_output_chars=room))
    rows = await databases.query(Call(narrow), databases.Query.model_validate({"database_id": database_id}))
    rest = ""
    if "start_cursor=" in rows or "output cut" in rows:
        rest = (
            f"\n\nThe rest of the rows: notion_databases query with database_id={compact(database_id)} "
            "(and the start_cursor or page_size named above)."
        )
    return f"{schema.rstrip()}\n\n## Rows\n\n{rows}{rest}\n"


def _listed(item: dict[str, Any]) -> Resource | None:
    kind = item.get("object")
    if kind == "page":
        uri, noun = PAGE.format(id=compact(str(item["id"]))), "page"  # as tools' resource links
    elif kind in ("data_source", "database"):
        parent = item.get("parent") or {}
        database_id = parent.get("database_id") if kind == "data_source" else item["id"]
        uri, noun = DATABASE.format(id=compact(str(database_id or item["id"]))), "database"
    else:
        return None
    name = title_of(item) or "Untitled"
    return Resource(uri=uri, name=name, title=name, description=f"Notion {noun}", mime_type=MARKDOWN)


async def list_visible(app: App, cursor: str | None) -> ListResourcesResult:
    try:
        found = await app.gateway.search({}, start_cursor=cursor, page_size=LIST_PAGE_SIZE)
    except NotionMCPError as exc:
        raise MCPError(code=INVALID_PARAMS, message=str(to_tool_error(exc))) from None
    listed = [r for r in map(_listed, found.get("results") or []) if r is not None]
    more = found.get("next_cursor") if found.get("has_more") else None
    return ListResourcesResult(resources=listed, next_cursor=more)


def register(server: MCPServer[App], live: Live) -> None:
    """Add the templates, the usage resource and the paginated resources/list to `server`."""

    @server.resource(PAGE, name="notion_page", title="Notion page", mime_type=MARKDOWN,
                     description="A Notion page as markdown (ID or 32-hex)")  # fmt: skip
    async def page(id: str, ctx: Context[App, Any]) -> str:
        return await _reading(PAGE.format(id=id), lambda: read_page(_app(ctx), id))

    @server.resource(DATABASE, name="notion_database", title="Notion database", mime_type=MARKDOWN,
                     description="A database's schema and rows as a markdown table")  # fmt: skip
    async def database(id: str, ctx: Context[App, Any]) -> str:
        return await _reading(DATABASE.format(id=id), lambda: read_database(_app(ctx), id))

    @server.resource(USAGE, name="notion_usage", title="Notion API usage", mime_type=MARKDOWN,
                     description="Requests by endpoint, retries, 429s, waits, latency")  # fmt: skip
    def usage() -> str:
        if live.app is None:
            return "# Notion API usage\n\nThe server has not started.\n"
        return live.app.gateway.usage.to_markdown()

    async def list_resources(ctx: Any, params: PaginatedRequestParams) -> ListResourcesResult:
        result = await list_visible(ctx.lifespan_context, params.cursor)
        usage_entry = Resource(uri=USAGE, name="notion_usage", title="Notion API usage", mime_type=MARKDOWN)
        if params.cursor is None:
            result.resources.insert(0, usage_entry)
        return result

    # MCPServer's own resources/list is one static list; Notion's is paged, so ours replaces it.
    server._lowlevel_server.add_request_handler("resources/list", PaginatedRequestParams, list_resources)
