"""A page's create/update body parts shared by one-page and many-page writes: the parent and its
schema, icon and cover, the title shortcut."""

from __future__ import annotations

from typing import Any

from notion_mcp.emoji import is_emoji
from notion_mcp.errors import InputError
from notion_mcp.notion.ids import normalize_id
from notion_mcp.notion.uploads import looks_local
from notion_mcp.tools.context import Call
from notion_mcp.tools.properties import resolve as properties_resolve
from notion_mcp.tools.properties import text

PARENT_KEYS = ("page_id", "database_id", "data_source_id", "workspace")


def file_or_emoji(value: str, field: str, *, emoji_ok: bool) -> dict[str, Any] | None:
    if value == "":
        return None
    if value.startswith(("https://", "http://")) or looks_local(value):  # a local file is uploaded
        return {"type": "external", "external": {"url": value}}
    if emoji_ok and is_emoji(value):
        return {"type": "emoji", "emoji": value}
    raise InputError(
        f"{field}: expected {'one emoji (such as 🚀, not a name like :rocket:) or ' if emoji_ok else ''}"
        f'an http(s) image URL; got {value!r}. "" removes it.'
    )


def decorations(icon: str | None, cover: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if icon is not None:
        out["icon"] = file_or_emoji(icon, "icon", emoji_ok=True)
    if cover is not None:
        out["cover"] = file_or_emoji(cover, "cover", emoji_ok=False)
    return out


def title_property(properties: dict[str, Any]) -> str:
    """The name of the title property in a schema or a page's properties."""
    for name, prop in properties.items():
        if isinstance(prop, dict) and prop.get("type") == "title":
            return name
    return "title"


PAGE_SCHEMA = {"title": {"id": "title", "name": "title", "type": "title", "title": {}}}


async def parent_of(call: Call, parent: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Notion's parent object and the property schema a page under it has."""
    keys = [k for k in PARENT_KEYS if k in parent]
    if len(keys) != 1 or set(parent) - set(PARENT_KEYS) - {"type"}:
        raise InputError(
            'parent: give exactly one of {"page_id": …}, {"database_id": …}, '
            '{"data_source_id": …} or {"workspace": true}.'
        )
    key = keys[0]
    if key == "workspace":
        if parent["workspace"] is not True:
            raise InputError("parent: workspace must be true.")
        return {"type": "workspace", "workspace": True}, PAGE_SCHEMA
    ident = normalize_id(parent[key], f"parent.{key}")
    if key == "page_id":
        return {"type": "page_id", "page_id": ident}, PAGE_SCHEMA
    source_id = ident if key == "data_source_id" else await call.gateway.resolve_data_source(ident)
    return {"type": "data_source_id", "data_source_id": source_id}, await call.gateway.schema(source_id)


def with_title(properties: dict[str, Any], title: str | None, schema: dict[str, Any]) -> dict[str, Any]:
    """`properties` resolved against `schema` (simple form allowed), with the title shortcut."""
    out = properties_resolve(properties, schema) if properties else {}
    if title is not None:
        name = title_property(schema)
        if name in out:
            raise InputError(f"Give the title either as title or in properties[{name!r}], not both.")
        out[name] = {"title": text(title)}
    return out
