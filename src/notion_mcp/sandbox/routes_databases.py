"""Databases (containers) and data sources (schema + rows), and data source queries."""

from __future__ import annotations

import importlib
import uuid
from datetime import datetime
from typing import Any

from notion_mcp.sandbox import properties, query_memo, richtext, rules, schema_edits
from notion_mcp.sandbox.app import Call, RouteSpec
from notion_mcp.sandbox.routes_pages import apply_trash_flags
from notion_mcp.sandbox.rules import JSON
from notion_mcp.sandbox.workspace import Workspace, iso_millis

INCOMPLETE = {"type": "incomplete", "incomplete_reason": "query_result_limit_reached"}


def build_schema(ws: Workspace, ds_id: str, value: Any, path: str) -> dict[str, JSON]:
    schema: dict[str, JSON] = {}
    taken: set[str] = set()
    for name, raw in rules.require_dict(path, value).items():
        entry = properties.complete_schema_entry(name, raw, f"{path}.{name}", taken, ds_id, _resolver(ws))
        if entry["type"] == "title" and any(p["type"] == "title" for p in schema.values()):
            raise rules.validation(
                f"{path} should have exactly one property of type `title`, instead had two."
            )
        taken.add(entry["id"])
        schema[name] = entry
    if not any(p["type"] == "title" for p in schema.values()):
        schema = {
            "Name": {"id": "title", "name": "Name", "description": None, "type": "title", "title": {}},
            **schema,
        }
    return schema


def _resolver(ws: Workspace) -> Any:
    return lambda ds_id: ws.store.get(ds_id, "data_source")


def new_data_source(ws: Workspace, db_id: str, title: list[JSON], props: Any, path: str) -> JSON:
    ds_id = str(uuid.uuid4())
    ds: JSON = {"object": "data_source", "id": ds_id, "cover": None, "icon": None}
    stamp = ws.stamp()
    ds.update({k: stamp[k] for k in ("created_time", "created_by", "last_edited_by", "last_edited_time")})
    ds.update({"title": title, "description": [], "is_inline": False})
    ds["properties"] = build_schema(ws, ds_id, props, path)
    ds.update({"parent": {"type": "database_id", "database_id": db_id}, "in_trash": False})
    ws.store.insert("data_source", ds, db_id)
    return ds


def create_database(call: Call) -> JSON:
    ws, body = call.ws, call.body
    parent = rules.require_dict("body.parent", body.get("parent"))
    page_id = rules.body_uuid("body.parent.page_id", parent.get("page_id"))
    ws.ensure_editable(ws.need(page_id, "page"))
    title = richtext.complete(body.get("title", [richtext.text("New database")]), "body.title", ws.user)
    initial = rules.require_dict("body.initial_data_source", body.get("initial_data_source", {}))
    props = initial.get("properties", body.get("properties", {}))
    moment = iso_millis(ws.now())
    db: JSON = {"object": "database", "id": str(uuid.uuid4()), "title": title}
    db["description"] = richtext.complete(body.get("description", []), "body.description", ws.user)
    db.update({"parent": ws.parent_ref(page_id), "is_inline": bool(body.get("is_inline", False))})
    db.update({"in_trash": False, "is_locked": False, "created_time": moment, "last_edited_time": moment})
    db.update({"icon": rules.check_icon("body.icon", body.get("icon")), "cover": body.get("cover")})
    ws.store.insert("database", db, page_id, ws.store.slots(page_id, 1)[0])
    new_data_source(ws, db["id"], title, props, "body.initial_data_source.properties")
    return ws.render_database(db)


def get_database(call: Call) -> JSON:
    return call.ws.render_database(
        call.ws.need(rules.path_uuid("database_id", call.params["id"]), "database")
    )


def update_database(call: Call) -> JSON:
    ws, body = call.ws, call.body
    db = ws.need(rules.path_uuid("database_id", call.params["id"]), "database")
    apply_trash_flags(ws, db, body)
    for key in ("title", "description"):
        if key in body:
            db[key] = richtext.complete(body[key], f"body.{key}", ws.user)
    if "icon" in body:
        db["icon"] = rules.check_icon("body.icon", body["icon"])
    for key in ("is_inline", "cover", "is_locked"):
        if key in body:
            db[key] = body[key]
    ws.touch(db)
    return ws.render_database(db)


def create_data_source(call: Call) -> JSON:
    ws, body = call.ws, call.body
    parent = rules.require_dict("body.parent", body.get("parent"))
    db_id = rules.body_uuid("body.parent.database_id", parent.get("database_id"))
    ws.need(db_id, "database")
    title = richtext.complete(body.get("title", []), "body.title", ws.user)
    ds = new_data_source(ws, db_id, title, body.get("properties", {}), "body.properties")
    return ws.render_data_source(ds)


def get_data_source(call: Call) -> JSON:
    ds_id = rules.path_uuid("data_source_id", call.params["id"])
    return call.ws.render_data_source(call.ws.need(ds_id, "data_source", "data source"))


def _update_schema(ws: Workspace, ds: JSON, value: Any) -> None:
    """Add, rename, retype or remove properties; the rows follow (``schema_edits``)."""
    schema: dict[str, JSON] = ds["properties"]
    out = dict(schema)
    changes: list[tuple[JSON, JSON | None]] = []
    for key, raw in rules.require_dict("body.properties", value).items():
        found = properties.find(schema, key)
        path = f"body.properties.{key}"
        if raw is None:
            if found is None:
                raise rules.validation(f"{key} is not a property that exists.")
            if found[1]["type"] == "title":
                raise rules.validation("Cannot delete the title property of a data source.")
            out.pop(found[0])
            changes.append((found[1], None))
            continue
        raw = rules.require_dict(path, raw)
        if found is None:
            taken = {p["id"] for p in out.values()}
            out[key] = properties.complete_schema_entry(key, raw, path, taken, ds["id"], _resolver(ws))
            continue
        name, old = found
        new_name = raw.get("name", name)
        if not isinstance(new_name, str) or not new_name.strip():
            raise rules.body_invalid(f"{path}.name", "a non-empty string", new_name)
        if new_name != name and new_name in out:
            raise rules.validation(
                f"Cannot rename property {rules.fmt(name)} to {rules.fmt(new_name)}: a property named "
                f"{rules.fmt(new_name)} already exists. Property names must be unique."
            )
        kind = raw.get("type") or next(
            (k for k in raw if k not in ("name", "id", "description", "type")), old["type"]
        )
        if kind == old["type"] == "status":
            schema_edits.check_status_options(old, raw.get("status"))
        base = old if kind == old["type"] else {"id": old["id"], "type": kind}
        entry = properties.complete_schema_entry(
            new_name, {**raw, "type": kind}, path, set(), ds["id"], _resolver(ws), base
        )
        if kind == old["type"] and (kind not in raw or kind == "status"):
            entry[kind] = old[kind]
        elif kind == old["type"] and kind in ("select", "multi_select"):
            schema_edits.keep_option_ids(old, entry, raw[kind])
        changes.append((old, entry))
        out = {(new_name if n == name else n): (entry if n == name else p) for n, p in out.items()}
    ds["properties"] = out
    schema_edits.rewrite_rows(ws.store, ds["id"], changes)


def update_data_source(call: Call) -> JSON:
    ws, body = call.ws, call.body
    ds = ws.need(rules.path_uuid("data_source_id", call.params["id"]), "data_source", "data source")
    apply_trash_flags(ws, ds, body)
    if "properties" in body:
        _update_schema(ws, ds, body["properties"])
    for key in ("title", "description"):
        if key in body:
            ds[key] = richtext.complete(body[key], f"body.{key}", ws.user)
    if "icon" in body:
        ds["icon"] = rules.check_icon("body.icon", body["icon"])
    if "cover" in body:
        ds["cover"] = body["cover"]
    ws.touch(ds)
    return ws.render_data_source(ds)


def _apply_query(
    pages: list[JSON], schema: dict[str, JSON], flt: Any, sorts: Any, now: datetime
) -> list[JSON]:
    """Filter and sort through ``sandbox.query`` when it is present; unfiltered otherwise."""
    try:
        module: Any = importlib.import_module("notion_mcp.sandbox.query")
    except ModuleNotFoundError as exc:
        if exc.name != "notion_mcp.sandbox.query":
            raise
        return pages
    try:
        result: list[JSON] = module.apply_query(pages, schema, flt, sorts, now=now)
    except module.QueryError as exc:
        raise rules.validation(str(exc.args[0] if exc.args else exc)) from None
    return result


def _schema(ds: JSON, row: JSON) -> dict[str, JSON] | None:
    """``ds``'s schema when ``row`` names ``ds`` as its parent (what ``Workspace.schema_of`` reads)."""
    parent = row["parent"]
    mine = parent.get("type") == "data_source_id" and parent.get("data_source_id") == ds["id"]
    return ds["properties"] if mine else None


def _query_ids(ws: Workspace, ds: JSON, flt: Any, sorts: Any, now: datetime) -> list[str]:
    """Every row the query matches, in order: each row of the data source is loaded and rendered."""
    rows = [p for p in ws.store.children(ds["id"], ("page",)) if not p.get("in_trash")]
    full = [ws.render_page(p, full=True, schema=_schema(ds, p)) for p in rows]
    return [str(p["id"]) for p in _apply_query(full, ds["properties"], flt, sorts, now)]


def query_data_source(call: Call) -> JSON:
    ws, body = call.ws, call.body
    ds = ws.need(rules.path_uuid("data_source_id", call.params["id"]), "data_source", "data source")
    if ws.trashed_up(ds["id"]):  # retrieve still answers (with in_trash); a query does not
        raise rules.not_found("data source", ds["id"])
    flt = body.get("filter")
    if flt is not None:
        rules.require_dict("body.filter", flt)
    sorts = body.get("sorts")
    if sorts is not None:
        rules.require_list("body.sorts", sorts)
    size = rules.page_size(body.get("page_size"))
    matched = query_memo.matching_ids(
        ws.store, ws.version, ds["id"], flt, sorts, lambda now: _query_ids(ws, ds, flt, sorts, now)
    )
    capped = list(matched[: call.query_cap])
    chunk, next_cursor = Workspace.paginate(capped, body.get("start_cursor"), size, str)
    extra: JSON = {}
    if len(matched) > call.query_cap and next_cursor is None:
        extra["request_status"] = dict(INCOMPLETE)
    rows = [ws.need(page_id, "page") for page_id in chunk]
    results = [ws.render_page(row, schema=_schema(ds, row)) for row in rows]
    return Workspace.envelope(results, next_cursor, "page_or_data_source", **extra)


ROUTES: list[RouteSpec] = [
    ("POST", "/v1/databases", create_database),
    ("GET", "/v1/databases/{id}", get_database),
    ("PATCH", "/v1/databases/{id}", update_database),
    ("POST", "/v1/data_sources", create_data_source),
    ("GET", "/v1/data_sources/{id}", get_data_source),
    ("PATCH", "/v1/data_sources/{id}", update_data_source),
    ("POST", "/v1/data_sources/{id}/query", query_data_source),
]
