"""Data source schemas and page property values.

A page stores its values by property *id* (``{"type": t, t: value}``), so renaming a property
costs nothing; the page object's ``properties`` are rendered from the schema, with defaults for
missing values and Notion's 25-item cut on relations.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, unquote

from notion_mcp.sandbox import richtext, rules
from notion_mcp.sandbox.rules import JSON

READ_ONLY = (
    "formula",
    "rollup",
    "created_time",
    "created_by",
    "last_edited_time",
    "last_edited_by",
    "unique_id",
    "button",
    "verification",
)
LIST_TYPES = ("title", "rich_text", "people", "relation")
STATUS_DEFAULT = (
    [("Not started", "default"), ("In progress", "blue"), ("Done", "green")],
    [("To-do", "gray", [0]), ("In progress", "blue", [1]), ("Complete", "green", [2])],
)

PAGE_SCHEMA: dict[str, JSON] = {"title": {"id": "title", "name": "title", "type": "title", "title": {}}}


def property_id(seed: str, taken: set[str]) -> str:
    """A short URL-encoded property ID like Notion's (``bApN``, ``%3AJ%7B%3A``), stable per seed."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz:;<=>?@[]^_`{|}~"
    n = 0
    while True:
        digest = hashlib.sha256(f"{seed}/{n}".encode()).digest()
        candidate = quote("".join(alphabet[b % len(alphabet)] for b in digest[:4]), safe="")
        if candidate not in taken and candidate != "title":
            return candidate
        n += 1


def find(schema: dict[str, JSON], key: str) -> tuple[str, JSON] | None:
    """A schema entry by name or by ID (raw or URL-decoded)."""
    if key in schema:
        return key, schema[key]
    for name, prop in schema.items():
        if key in (prop["id"], unquote(prop["id"])):
            return name, prop
    return None


def _options(value: Any, path: str, seed: str) -> list[JSON]:
    out = []
    for i, option in enumerate(rules.require_list(path, value)):
        option = rules.require_dict(f"{path}[{i}]", option)
        name = option.get("name")
        if not isinstance(name, str):
            raise rules.body_invalid(f"{path}[{i}].name", "a string", name)
        option_id = option.get("id") or str(uuid.uuid5(uuid.NAMESPACE_URL, f"{seed}/{name}"))
        out.append(
            {"id": option_id, "name": name, "color": option.get("color", "default"), "description": None}
        )
    return out


def complete_config(
    kind: str, raw: JSON, path: str, seed: str, resolve_ds: Callable[[str], JSON | None]
) -> JSON:
    """The type configuration of a schema property, completed."""
    if kind in ("select", "multi_select"):
        return {"options": _options(raw.get("options", []), f"{path}.options", seed)}
    if kind == "status":
        if raw.get("options"):
            options = _options(raw["options"], f"{path}.options", seed)
            return {
                "options": options,
                "groups": [
                    {
                        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, seed)),
                        "name": "To-do",
                        "color": "gray",
                        "option_ids": [o["id"] for o in options],
                    }
                ],
            }
        opts = _options([{"name": n, "color": c} for n, c in STATUS_DEFAULT[0]], path, seed)
        groups = [
            {
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{seed}/g/{n}")),
                "name": n,
                "color": c,
                "option_ids": [opts[i]["id"] for i in idx],
            }
            for n, c, idx in STATUS_DEFAULT[1]
        ]
        return {"options": opts, "groups": groups}
    if kind == "number":
        return {"format": raw.get("format", "number")}
    if kind == "relation":
        target = rules.body_uuid(f"{path}.data_source_id", raw.get("data_source_id"))
        ds = resolve_ds(target)
        if ds is None:
            raise rules.not_found("data source", target)
        rel_type = raw.get("type", "single_property")
        out: JSON = {"database_id": ds["parent"]["database_id"], "data_source_id": target, "type": rel_type}
        out[rel_type] = (
            {}
            if rel_type == "single_property"
            else {"synced_property_name": "Related", "synced_property_id": property_id(seed + "/back", set())}
        )
        return out
    if kind == "formula":
        return {"expression": str(raw.get("expression", ""))}
    if kind == "unique_id":
        return {"prefix": raw.get("prefix")}
    return {}


def complete_schema_entry(
    name: str,
    value: Any,
    path: str,
    taken: set[str],
    ds_seed: str,
    resolve_ds: Callable[[str], JSON | None],
    old: JSON | None = None,
) -> JSON:
    raw = rules.require_dict(path, value)
    kind = raw.get("type") or next((k for k in raw if k not in ("name", "id", "description", "type")), None)
    if kind is None and old is not None:
        kind = old["type"]
    if not isinstance(kind, str):
        raise rules.body_invalid(f"{path}.type", "defined", kind)
    prop_id = old["id"] if old else ("title" if kind == "title" else property_id(f"{ds_seed}/{name}", taken))
    config_raw = raw.get(kind, old.get(kind, {}) if old else {})
    config = complete_config(
        kind,
        rules.require_dict(f"{path}.{kind}", config_raw),
        f"{path}.{kind}",
        f"{ds_seed}/{name}",
        resolve_ds,
    )
    return {"id": prop_id, "name": name, "description": raw.get("description"), "type": kind, kind: config}


def default_value(kind: str) -> Any:
    if kind in ("title", "rich_text", "multi_select", "people", "relation", "files"):
        return []
    if kind == "checkbox":
        return False
    return None


def complete_value(prop: JSON, value: Any, path: str, users: Callable[[str], JSON | None]) -> JSON:
    """Validate one property value from a request against its schema entry; return ``{type, value}``."""
    kind = prop["type"]
    name = prop["name"]
    if kind in READ_ONLY:
        raise rules.validation(f"{name} is a read-only property of type {kind} and cannot be set.")
    if isinstance(value, dict) and kind in value:
        value = value[kind]
    elif not (isinstance(value, list) and kind in ("title", "rich_text")):
        raise rules.validation(f"{name} is expected to be {kind}.")
    handler = _VALUE_HANDLERS.get(kind)
    if handler is None:
        raise rules.validation(f"{name} is a property of type {kind}, which the sandbox cannot set.")
    return {"type": kind, kind: handler(prop, value, f"{path}.{kind}", users)}


def _v_rich(prop: JSON, value: Any, path: str, users: Callable[[str], JSON | None]) -> Any:
    return richtext.complete(value, path, users)


def _v_scalar(types: tuple[type, ...]) -> Callable[[JSON, Any, str, Callable[[str], JSON | None]], Any]:
    def handler(prop: JSON, value: Any, path: str, users: Callable[[str], JSON | None]) -> Any:
        if value is None and bool not in types:
            return None
        if not isinstance(value, types) or (bool not in types and isinstance(value, bool)):
            raise rules.validation(f"{prop['name']} is expected to be {prop['type']}.")
        if isinstance(value, str) and len(value) > (rules.MAX_URL if prop["type"] == "url" else 200):
            limit = rules.MAX_URL if prop["type"] == "url" else 200
            raise rules.too_long(f"{path}.length", limit, len(value))
        return value

    return handler


def _pick_option(prop: JSON, value: Any, path: str, create: bool) -> JSON:
    option = rules.require_dict(path, value)
    options: list[JSON] = prop[prop["type"]]["options"]
    for existing in options:
        if option.get("id") == existing["id"] or option.get("name") == existing["name"]:
            return {"id": existing["id"], "name": existing["name"], "color": existing["color"]}
    if not create or not isinstance(option.get("name"), str):
        raise rules.validation(
            f"Invalid {prop['type']} option. {prop['type'].capitalize()} option "
            f'"{option.get("name") or option.get("id")}" does not exist.'
        )
    new = {
        "id": str(uuid.uuid4()),
        "name": option["name"],
        "color": option.get("color", "default"),
        "description": None,
    }
    options.append(new)
    return {"id": new["id"], "name": new["name"], "color": new["color"]}


def _v_select(prop: JSON, value: Any, path: str, users: Callable[[str], JSON | None]) -> Any:
    return None if value is None else _pick_option(prop, value, path, create=prop["type"] == "select")


def _v_multi(prop: JSON, value: Any, path: str, users: Callable[[str], JSON | None]) -> Any:
    items = rules.require_list(path, value)
    if len(items) > rules.MAX_ARRAY_VALUES:
        raise rules.too_long(f"{path}.length", rules.MAX_ARRAY_VALUES, len(items))
    return [_pick_option(prop, v, f"{path}[{i}]", create=True) for i, v in enumerate(items)]


def _v_date(prop: JSON, value: Any, path: str, users: Callable[[str], JSON | None]) -> Any:
    if value is None:
        return None
    date = rules.require_dict(path, value)
    if not isinstance(date.get("start"), str):
        raise rules.body_invalid(f"{path}.start", "a string", date.get("start"))
    return {"start": date["start"], "end": date.get("end"), "time_zone": date.get("time_zone")}


def _v_refs(prop: JSON, value: Any, path: str, users: Callable[[str], JSON | None]) -> Any:
    items = rules.require_list(path, value)
    if len(items) > rules.MAX_ARRAY_VALUES:
        raise rules.too_long(f"{path}.length", rules.MAX_ARRAY_VALUES, len(items))
    ids = [
        rules.body_uuid(f"{path}[{i}].id", rules.require_dict(f"{path}[{i}]", v).get("id"))
        for i, v in enumerate(items)
    ]
    if prop["type"] == "relation":
        return [{"id": i} for i in ids]
    return [users(i) or {"object": "user", "id": i} for i in ids]


def _v_files(prop: JSON, value: Any, path: str, users: Callable[[str], JSON | None]) -> Any:
    out = []
    for i, f in enumerate(rules.require_list(path, value)):
        f = rules.require_dict(f"{path}[{i}]", f)
        if "file_upload" in f:  # attached (made a `file`) by the route, which sees the uploads
            upload = rules.require_dict(f"{path}[{i}].file_upload", f["file_upload"])
            upload_id = rules.body_uuid(f"{path}[{i}].file_upload.id", upload.get("id"))
            out.append(
                {"name": f.get("name", upload_id), "type": "file_upload", "file_upload": {"id": upload_id}}
            )
            continue
        url = rules.check_url(
            f"{path}[{i}].external.url",
            rules.require_dict(f"{path}[{i}].external", f.get("external")).get("url"),
        )
        out.append({"name": f.get("name", url), "type": "external", "external": {"url": url}})
    return out


_VALUE_HANDLERS: dict[str, Callable[[JSON, Any, str, Callable[[str], JSON | None]], Any]] = {
    "title": _v_rich,
    "rich_text": _v_rich,
    "number": _v_scalar((int, float)),
    "checkbox": _v_scalar((bool,)),
    "url": _v_scalar((str,)),
    "email": _v_scalar((str,)),
    "phone_number": _v_scalar((str,)),
    "select": _v_select,
    "status": _v_select,
    "multi_select": _v_multi,
    "date": _v_date,
    "people": _v_refs,
    "relation": _v_refs,
    "files": _v_files,
}


def render_properties(
    page: JSON, schema: dict[str, JSON], user_ref: Callable[[str], JSON], *, full: bool = False
) -> JSON:
    """The page object's ``properties``: every schema entry with its value or default."""
    values: JSON = page.get("values", {})
    out: JSON = {}
    for name, prop in schema.items():
        kind = prop["type"]
        stored = values.get(prop["id"])
        value = stored[kind] if stored and stored.get("type") == kind else default_value(kind)
        if kind in ("created_time", "last_edited_time"):
            value = page[kind]
        elif kind in ("created_by", "last_edited_by"):
            value = user_ref(page[kind]["id"])
        elif kind == "formula":
            value = {"type": "string", "string": None}
        elif kind == "unique_id":
            value = {"prefix": prop["unique_id"].get("prefix"), "number": page.get("number", 1)}
        elif kind == "rollup":
            value = {
                "type": "array",
                "array": [],
                "function": prop["rollup"].get("function", "show_original"),
            }
        entry: JSON = {"id": prop["id"], "type": kind, kind: value}
        if kind == "relation":
            entry["has_more"] = not full and len(value) > rules.PAGE_OBJECT_RELATION_LIMIT
            if not full:
                entry[kind] = value[: rules.PAGE_OBJECT_RELATION_LIMIT]
        out[name] = entry
    return out
