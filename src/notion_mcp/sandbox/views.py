"""Database views (2026 API): list, create, retrieve, update, delete, and view queries.

Shapes follow the recordings `tests/fixtures/recordings/notion-sdk-py/test_views_*.yaml`: a
listing holds stubs (`{"object": "view", "id"}`) with `"type": "view"`; a view carries
`parent` (its database), `data_source_id`, `name`, `type`, `filter`, `sorts`, `quick_filters`,
`configuration: {type}`, `url` and the four stamps; a delete answers a stub with `parent` and
`type`; `POST /v1/views/{id}/queries` answers a `view_query` (`id`, `view_id`, `expires_at`,
`total_count`, the first `results`, paging) whose later pages come from
`GET /v1/views/{id}/queries/{query_id}`. Where the recordings are silent (the rows of a view
query, which view types exist, checks on create) the sandbox follows Notion's API reference:
rows are page stubs in the view's filter and sort order; a view's filter and sorts are checked
against its data source's schema like a query's.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from notion_mcp.sandbox import rules
from notion_mcp.sandbox.app import Call, RouteSpec
from notion_mcp.sandbox.rules import JSON
from notion_mcp.sandbox.workspace import Workspace, iso_millis

KIND = "view"
TYPES = ("table", "board", "list", "calendar", "timeline", "gallery", "chart", "form", "map", "feed")
QUERY_KIND = "view_query"
QUERY_LIFETIME = timedelta(minutes=15)


def add_view(
    ws: Workspace, database_id: str, data_source_id: str, name: str, kind: str = "table",
    *, filter: JSON | None = None, sorts: list[JSON] | None = None, view_id: str | None = None,
) -> JSON:  # fmt: skip
    moment = iso_millis(ws.now())
    bot = {"object": "user", "id": ws.stamp()["created_by"]["id"]}
    view: JSON = {"object": "view", "id": view_id or str(uuid.uuid4())}
    view.update({"parent": {"type": "database_id", "database_id": database_id}})
    view.update({"data_source_id": data_source_id, "name": name, "type": kind})
    view.update(
        {"created_time": moment, "created_by": bot, "last_edited_time": moment, "last_edited_by": bot}
    )
    compact = view["id"].replace("-", "")
    view["url"] = f"https://app.notion.com/p/{database_id.replace('-', '')}?v={compact}"
    view.update({"filter": filter, "sorts": sorts, "quick_filters": None, "configuration": {"type": kind}})
    ws.store.insert(KIND, view, database_id)
    return view


def _checked_query(ws: Workspace, ds_id: str, filter: Any, sorts: Any) -> None:
    from notion_mcp.sandbox import query

    ds = ws.need(ds_id, "data_source", "data source")
    try:
        query.validate_filter(rules.require_dict("body.filter", filter) if filter is not None else None,
                              ds["properties"])  # fmt: skip
        query.validate_sorts(rules.require_list("body.sorts", sorts) if sorts is not None else None,
                             ds["properties"])  # fmt: skip
    except query.QueryError as exc:
        raise rules.validation(str(exc.args[0] if exc.args else exc)) from None


def list_views(call: Call) -> JSON:
    ws = call.ws
    db_id = rules.body_uuid("database_id", call.query.get("database_id"))
    ws.need(db_id, "database")
    views = ws.store.children(db_id, (KIND,))
    size = rules.page_size(call.query.get("page_size"), "query")
    chunk, next_cursor = Workspace.paginate(
        views, call.query.get("start_cursor"), size, lambda v: str(v["id"])
    )
    stubs = [{"object": "view", "id": v["id"]} for v in chunk]
    return Workspace.envelope(stubs, next_cursor, "view")


def create_view(call: Call) -> JSON:
    ws, body = call.ws, call.body
    db_id = rules.body_uuid("body.database_id", body.get("database_id"))
    ws.need(db_id, "database")
    ds_id = rules.body_uuid("body.data_source_id", body.get("data_source_id"))
    if ws.store.parent_of(ds_id) != db_id:
        raise rules.validation(f"Data source {ds_id} is not a data source of database {db_id}.")
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise rules.body_invalid("body.name", "a non-empty string", name)
    kind = body.get("type", "table")
    if kind not in TYPES:
        raise rules.body_invalid("body.type", ", ".join(f"`{t}`" for t in TYPES), kind)
    _checked_query(ws, ds_id, body.get("filter"), body.get("sorts"))
    return add_view(ws, db_id, ds_id, name, kind, filter=body.get("filter"), sorts=body.get("sorts"))


def _view(call: Call) -> JSON:
    return call.ws.need(rules.path_uuid("view_id", call.params["id"]), KIND)


def get_view(call: Call) -> JSON:
    return _view(call)


def update_view(call: Call) -> JSON:
    ws, body = call.ws, call.body
    view = _view(call)
    if "name" in body:
        if not isinstance(body["name"], str) or not body["name"].strip():
            raise rules.body_invalid("body.name", "a non-empty string", body["name"])
        view["name"] = body["name"]
    if "filter" in body or "sorts" in body:
        _checked_query(ws, view["data_source_id"], body.get("filter"), body.get("sorts"))
        for key in ("filter", "sorts"):
            if key in body:
                view[key] = body[key]
    view["last_edited_time"] = iso_millis(ws.now())
    ws.store.update(view)
    return view


def delete_view(call: Call) -> JSON:
    view = _view(call)
    call.ws.store.delete(view["id"])
    return {"object": "view", "id": view["id"], "parent": view["parent"], "type": view["type"]}


def _rows(call: Call, view: JSON) -> list[str]:
    from notion_mcp.sandbox.routes_databases import _query_ids

    ws = call.ws
    ds = ws.need(view["data_source_id"], "data_source", "data source")
    return _query_ids(ws, ds, view.get("filter"), view.get("sorts"), ws.now())


def create_query(call: Call) -> JSON:
    ws = call.ws
    view = _view(call)
    ids = _rows(call, view)
    query_id = str(uuid.uuid4())
    expires = iso_millis(ws.now() + QUERY_LIFETIME)
    ws.store.insert(QUERY_KIND, {"id": query_id, "view_id": view["id"], "ids": ids, "expires_at": expires},
                    view["id"])  # fmt: skip
    size = rules.page_size(call.body.get("page_size"))
    chunk, next_cursor = Workspace.paginate(ids, None, size, str)
    out: JSON = {"object": "view_query", "id": query_id, "view_id": view["id"], "expires_at": expires}
    out.update({"total_count": len(ids), "results": [{"object": "page", "id": i} for i in chunk]})
    return {**out, "next_cursor": next_cursor, "has_more": next_cursor is not None}


def query_results(call: Call) -> JSON:
    view = _view(call)
    query_id = rules.path_uuid("query_id", call.params["query_id"])
    saved = call.ws.store.get(query_id, QUERY_KIND)
    if saved is None or saved["view_id"] != view["id"]:
        raise rules.not_found("view query", query_id)
    size = rules.page_size(call.query.get("page_size"), "query")
    chunk, next_cursor = Workspace.paginate(saved["ids"], call.query.get("start_cursor"), size, str)
    return Workspace.envelope([{"object": "page", "id": i} for i in chunk], next_cursor, "page")


ROUTES: list[RouteSpec] = [
    ("GET", "/v1/views", list_views),
    ("POST", "/v1/views", create_view),
    ("GET", "/v1/views/{id}", get_view),
    ("PATCH", "/v1/views/{id}", update_view),
    ("DELETE", "/v1/views/{id}", delete_view),
    ("POST", "/v1/views/{id}/queries", create_query),
    ("GET", "/v1/views/{id}/queries/{query_id}", query_results),
]
