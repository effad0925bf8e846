"""notion_pages move: a page to another page or into a database (POST /v1/pages/{id}/move)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from notion_mcp.errors import InputError
from notion_mcp.markdown import page_to_markdown
from notion_mcp.markdown.ids import compact
from notion_mcp.notion.ids import normalize_id
from notion_mcp.tools._dispatch import Formatted
from notion_mcp.tools.context import Call
from notion_mcp.tools.fields import JsonObject, NotionId
from notion_mcp.tools.output import as_json

PARENT_DESCRIPTION = "{page_id}|{database_id}|{data_source_id}|{workspace: true}"


class Move(Formatted):
    page_id: NotionId = Field(description="page ID or URL")
    parent: JsonObject = Field(description=PARENT_DESCRIPTION)


async def _target(call: Call, parent: dict[str, Any]) -> dict[str, Any]:
    """Notion's move parent: a page, or a data source (a database's one data source)."""
    keys = [k for k in ("page_id", "database_id", "data_source_id", "workspace") if k in parent]
    if len(keys) != 1:
        raise InputError(
            'parent: give exactly one of {"page_id": …}, {"database_id": …} or {"data_source_id": …}.'
        )
    key = keys[0]
    if key == "workspace":
        raise InputError(
            "parent: Notion's API moves a page only under another page or into a database, not to the "
            "workspace's top level; move it in Notion's app, or give a page_id or database_id."
        )
    ident = normalize_id(parent[key], f"parent.{key}")
    if key == "page_id":
        return {"type": "page_id", "page_id": ident}
    source = ident if key == "data_source_id" else await call.gateway.resolve_data_source(ident)
    return {"type": "data_source_id", "data_source_id": source}


async def move(call: Call, args: Move) -> str:
    target = await _target(call, dict(args.parent))
    page = await call.gateway.move_page(args.page_id, target)
    if args.format == "json":
        return as_json(page)
    kind = "page" if "page_id" in target else "data source"
    where = f"{kind} {compact(str(target.get('page_id') or target.get('data_source_id')))}"
    return f"Moved page {compact(page['id'])} under {where}.\n\n{page_to_markdown(page, None)}"
