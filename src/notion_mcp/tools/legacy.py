"""The 18 tool names of earlier Notion MCP servers, as thin aliases of the six tools.

Registered only with NOTION_MCP_LEGACY_TOOLS=true. Each alias is a one-operation `ToolSpec`
sharing the target operation's model and handler; `prepare` maps an old argument shape onto
the new one where they differ. (`notion_search` kept its name, so it needs no alias.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from notion_mcp.tools import blocks, comments, databases, pages, users
from notion_mcp.tools._dispatch import ToolSpec

Prepare = Callable[[dict[str, Any]], dict[str, Any]]


def _preset(**values: Any) -> Prepare:
    return lambda args: {**values, **args}


def _database_parent(args: dict[str, Any]) -> dict[str, Any]:
    """Old `notion_create_database_item` took database_id beside properties."""
    out = dict(args)
    if "database_id" in out and "parent" not in out:
        out["parent"] = {"database_id": out.pop("database_id")}
    return out


# old name -> (target tool, operation, argument mapping)
LEGACY: dict[str, tuple[ToolSpec, str, Prepare | None]] = {
    "notion_append_block_children": (blocks.SPEC, "append", None),
    "notion_retrieve_block": (blocks.SPEC, "retrieve", None),
    "notion_retrieve_block_children": (blocks.SPEC, "retrieve", _preset(include_children=True)),
    "notion_update_block": (blocks.SPEC, "update", None),
    "notion_delete_block": (blocks.SPEC, "delete", None),
    "notion_retrieve_page": (pages.SPEC, "retrieve", None),
    "notion_update_page_properties": (pages.SPEC, "update", None),
    "notion_create_page": (pages.SPEC, "create", None),
    "notion_create_database_item": (pages.SPEC, "create", _database_parent),
    "notion_create_database": (databases.SPEC, "create", None),
    "notion_retrieve_database": (databases.SPEC, "retrieve", None),
    "notion_update_database": (databases.SPEC, "update", None),
    "notion_query_database": (databases.SPEC, "query", None),
    "notion_list_all_users": (users.SPEC, "list", None),
    "notion_retrieve_user": (users.SPEC, "retrieve", None),
    "notion_retrieve_bot_user": (users.SPEC, "retrieve_bot", None),
    "notion_create_comment": (comments.SPEC, "create", None),
    "notion_retrieve_comments": (comments.SPEC, "retrieve", None),
}


def alias_specs() -> list[ToolSpec]:
    return [
        replace(
            target,
            name=name,
            title=f"{target.title}: {operation} (old name)",
            description=f"Old name for {target.name} operation={operation}. {target.description}",
            operations={operation: target.operations[operation]},
            default_operation=operation,
            prepare=prepare,
        )
        for name, (target, operation, prepare) in LEGACY.items()
    ]
