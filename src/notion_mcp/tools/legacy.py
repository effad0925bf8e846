"""The 18 tool names of earlier Notion MCP servers, as thin aliases of the six tools.

Registered only with NOTION_MCP_LEGACY_TOOLS=true. Each alias is a one-operation `ToolSpec`
sharing the target operation's model and handler; `prepare` maps the argument shapes the old
server (suekou/mcp-notion-server, src/types/args.ts) documented onto the new ones. Anything else
reaches the target's model as sent, so an unknown field is refused there as usual.
(`notion_search` kept its name; it reads the old filter/sort objects itself.)
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import replace
from typing import Any

from notion_mcp.tools import blocks, comments, databases, pages, users
from notion_mcp.tools._dispatch import ToolSpec

Args = dict[str, Any]
Prepare = Callable[[Args], Args]


def _steps(*steps: Prepare) -> Prepare:
    def prepare(args: Args) -> Args:
        for step in steps:
            args = step(args)
        return args

    return prepare


def _preset(**values: Any) -> Prepare:
    return lambda args: {**values, **args}


def _rename(**names: str) -> Prepare:
    """old=new; an old name next to its new one is left as is (and refused as not a field)."""

    def prepare(args: Args) -> Args:
        out = dict(args)
        for old, new in names.items():
            if old in out and new not in out:
                out[new] = out.pop(old)
        return out

    return prepare


def _ignore(*names: str) -> Prepare:
    return lambda args: {k: v for k, v in args.items() if k not in names}


def _plain(item: Any) -> str:
    if "plain_text" in item:
        return str(item["plain_text"])
    for kind, key in (("text", "content"), ("equation", "expression")):
        if isinstance(item.get(kind), dict):
            return str(item[kind].get(key, ""))
    return ""


def _plain_text(*names: str) -> Prepare:
    """Old titles/descriptions were Notion rich text arrays; the targets take their text."""

    def prepare(args: Args) -> Args:
        out = dict(args)
        for name in names:
            value = out.get(name)
            if isinstance(value, list) and all(isinstance(i, dict) for i in value):
                out[name] = "".join(_plain(i) for i in value)
        return out

    return prepare


def _item_parent(args: Args) -> Args:
    """Old `notion_create_database_item` took database_id (later data_source_id) beside properties."""
    out = dict(args)
    keys = [k for k in ("database_id", "data_source_id") if k in out]
    if len(keys) == 1 and "parent" not in out:
        out["parent"] = {keys[0]: out.pop(keys[0])}
    return out


def _append_position(args: Args) -> Args:
    """Old `position` objects ({type: start|end|after_block, after_block: {id}})."""
    out = dict(args)
    position = out.get("position")
    if isinstance(position, dict) and set(position) <= {"type", "after_block"}:
        kind, after = position.get("type"), position.get("after_block")
        if kind in ("start", "end") and after is None:
            out["position"] = kind
        elif kind == "after_block" and isinstance(after, dict) and set(after) == {"id"}:
            del out["position"]
            out.setdefault("after_block_id", after["id"])
    return out


# What a block read from Notion carries beside its type object: not content, not for an update.
BLOCK_METADATA = frozenset(
    {"object", "id", "type", "parent", "created_time", "last_edited_time", "created_by", "last_edited_by",
     "has_children"}
)  # fmt: skip


def _block_data(args: Args) -> Args:
    """Old `block` was a partial block object (as read, maybe): its type object is the content."""
    out = _rename(block="block_data")(args)
    data = out.get("block_data")
    if isinstance(data, dict) and any(k in data for k in blocks.BLOCK_TYPES):
        out["block_data"] = {k: v for k, v in data.items() if k not in BLOCK_METADATA}
    return out


# old name -> (target tool, operation, argument mapping)
LEGACY: dict[str, tuple[ToolSpec, str, Prepare | None]] = {
    "notion_append_block_children": (
        blocks.SPEC,
        "append",
        _steps(_rename(block_id="parent_block_id", after="after_block_id"), _append_position),
    ),
    "notion_retrieve_block": (blocks.SPEC, "retrieve", None),
    "notion_retrieve_block_children": (
        blocks.SPEC,
        "retrieve",
        _steps(_preset(include_children=True, max_depth=1), _rename(page_size="max_blocks")),
    ),
    "notion_update_block": (blocks.SPEC, "update", _block_data),
    "notion_delete_block": (blocks.SPEC, "delete", None),
    "notion_retrieve_page": (pages.SPEC, "retrieve", None),
    "notion_update_page_properties": (pages.SPEC, "update", None),
    "notion_create_page": (pages.SPEC, "create", None),
    "notion_create_database_item": (pages.SPEC, "create", _item_parent),
    "notion_create_database": (databases.SPEC, "create", _plain_text("title")),
    "notion_retrieve_database": (databases.SPEC, "retrieve", None),
    "notion_update_database": (databases.SPEC, "update", _plain_text("title", "description")),
    "notion_query_database": (databases.SPEC, "query", None),
    "notion_list_all_users": (users.SPEC, "list", None),
    "notion_retrieve_user": (users.SPEC, "retrieve", None),
    "notion_retrieve_bot_user": (users.SPEC, "retrieve_bot", _ignore("random_string")),
    "notion_create_comment": (comments.SPEC, "create", None),
    "notion_retrieve_comments": (comments.SPEC, "retrieve", None),
}


def alias_specs(allowed: Collection[str] | None = None) -> list[ToolSpec]:
    """The old names as tools; with `allowed` (NOTION_MCP_TOOLS), only those whose tool is allowed."""
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
        if allowed is None or target.name in allowed
    ]
