"""Pages: create, retrieve, update, and paginated property items."""

from __future__ import annotations

import json
import uuid
from typing import Any

from notion_mcp.sandbox import blocks, files, markdown_in, properties, rules, templates
from notion_mcp.sandbox.app import Call, RouteSpec
from notion_mcp.sandbox.rules import JSON
from notion_mcp.sandbox.workspace import Workspace

PARENT_KEYS = ("page_id", "database_id", "data_source_id", "workspace")


def resolve_page_parent(ws: Workspace, value: Any) -> tuple[str | None, dict[str, JSON], JSON | None]:
    """``(parent_id, schema, data_source)`` for a new page's ``parent``."""
    parent = rules.require_dict("body.parent", value)
    kind = parent.get("type") or next((k for k in PARENT_KEYS if k in parent), None)
    if kind == "workspace":
        return None, properties.PAGE_SCHEMA, None
    if kind == "page_id":
        page_id = rules.body_uuid("body.parent.page_id", parent.get("page_id"))
        ws.ensure_editable(ws.need(page_id, "page"))
        return page_id, properties.PAGE_SCHEMA, None
    if kind == "database_id":
        db_id = rules.body_uuid("body.parent.database_id", parent.get("database_id"))
        ws.need(db_id, "database")
        ws.ensure_live(db_id)
        sources = [s for s in ws.store.children(db_id, ("data_source",)) if not s.get("in_trash")]
        if len(sources) != 1:
            raise rules.validation(
                f"Database with ID {db_id} has {len(sources)} data sources. Use `parent.data_source_id` "
                "instead of `parent.database_id` to choose one."
            )
        return sources[0]["id"], sources[0]["properties"], sources[0]
    if kind == "data_source_id":
        ds_id = rules.body_uuid("body.parent.data_source_id", parent.get("data_source_id"))
        ds = ws.need(ds_id, "data_source", "data source")
        ws.ensure_live(ds_id)
        return ds_id, ds["properties"], ds
    raise rules.body_invalid(
        "body.parent.type", '`"page_id"`, `"database_id"`, `"data_source_id"`, or `"workspace"`', kind
    )


def build_values(ws: Workspace, schema: dict[str, JSON], value: Any, values: JSON, ds: JSON | None) -> None:
    """Validate ``properties`` from a request into ``values`` (by property ID); may add select options."""
    before = json.dumps(schema)
    for key, item in rules.require_dict("body.properties", value).items():
        found = properties.find(schema, key)
        if found is None:
            raise rules.validation(f"{key} is not a property that exists.")
        _, prop = found
        value_of = properties.complete_value(prop, item, f"body.properties.{key}", ws.user)
        values[prop["id"]] = files.attach_all(ws, value_of, f"body.properties.{key}")
    if ds is not None and json.dumps(schema) != before:
        ws.store.update(ds)


def create_page(call: Call) -> JSON:
    ws, body = call.ws, call.body
    parent_id, schema, ds = resolve_page_parent(ws, body.get("parent"))
    template = templates.chosen(ws, body, ds)
    if template is not None:
        body = templates.with_template(body, template)
    values: JSON = {}
    build_values(ws, schema, body.get("properties", {}), values, ds)
    children: list[blocks.NewBlock] = []
    if "markdown" in body:
        children = _markdown_children(ws, body)
    elif "children" in body:
        children = blocks.parse_children(body["children"], "body.children", ws.user)
    files.attach_blocks(ws, children, "body.children")
    page: JSON = {"object": "page", "id": str(uuid.uuid4()), **ws.stamp()}
    icon = files.attach_all(ws, rules.check_icon("body.icon", body.get("icon")), "body.icon")
    cover = files.attach_all(ws, body.get("cover"), "body.cover")
    page.update({"cover": cover, "icon": icon, "parent": ws.parent_ref(parent_id)})
    page.update({"in_trash": False, "is_archived": False, "is_locked": False, "values": values})
    if ds is not None:
        page["number"] = 1 + ws.store.count_children(ds["id"], ("page",))  # not loading every row
    position = ws.store.slots(parent_id, 1)[0] if parent_id and ds is None else 0.0
    ws.store.insert("page", page, parent_id, position)
    if children:
        parent = {"type": "page_id", "page_id": page["id"]}
        blocks.insert_tree(
            ws.store, page["id"], parent, children, [float(i + 1) for i in range(len(children))], ws.stamp()
        )
    return ws.render_page(page)


def _markdown_children(ws: Workspace, body: JSON) -> list[blocks.NewBlock]:
    """The content of a page created with `markdown` (Notion's reference "Create a page": page
    content as enhanced markdown, instead of `children`; no block limits but the request's size)."""
    if ws.version < markdown_in.FIRST_VERSION:
        raise rules.validation(f"body.markdown is not supported by Notion-Version {ws.version}.")
    if "children" in body:
        raise rules.validation("body.markdown and body.children cannot both be given.")
    parsed = markdown_in.parse(body["markdown"], "body.markdown")
    return blocks.parse_children(parsed, "body.markdown", ws.user, limited=False)


def get_page(call: Call) -> JSON:
    page_id = rules.path_uuid("page_id", call.params["id"])
    return call.ws.render_page(call.ws.need(page_id, "page"))


def apply_trash_flags(ws: Workspace, data: JSON, body: JSON) -> bool:
    """Handle ``in_trash`` (and ``archived`` on 2025-09-03); True if the object is (still) editable."""
    if "archived" in body and ws.version != "2025-09-03":
        raise rules.body_invalid("body.archived", "not present (use `in_trash`)", body["archived"])
    for key in ("in_trash", "archived"):
        if key in body:
            if not isinstance(body[key], bool):
                raise rules.body_invalid(f"body.{key}", "a boolean", body[key])
            data["in_trash"] = body[key]
    return not data.get("in_trash")


def update_page(call: Call) -> JSON:
    ws, body = call.ws, call.body
    page = ws.need(rules.path_uuid("page_id", call.params["id"]), "page")
    was_trashed = bool(page.get("in_trash"))
    still_trashed = not apply_trash_flags(ws, page, body)
    if was_trashed and still_trashed and any(k in body for k in ("properties", "icon", "cover", "is_locked")):
        ws.ensure_editable(page)
    if "template" in body:
        source = ws.store.get(page["parent"].get("data_source_id", ""), "data_source")
        body = templates.apply_to(ws, page, body, source)
    if "properties" in body:
        schema = ws.schema_of(page)
        ds = ws.store.get(page["parent"].get("data_source_id", ""), "data_source")
        build_values(
            ws,
            schema if ds else properties.PAGE_SCHEMA,
            body["properties"],
            page.setdefault("values", {}),
            ds,
        )
    if "icon" in body:
        page["icon"] = files.attach_all(ws, rules.check_icon("body.icon", body["icon"]), "body.icon")
    if "cover" in body:
        page["cover"] = files.attach_all(ws, body["cover"], "body.cover")
    for key in ("is_locked",):
        if key in body:
            page[key] = body[key]
    ws.touch(page)
    return ws.render_page(page)


def get_property_item(call: Call) -> JSON:
    ws = call.ws
    page = ws.need(rules.path_uuid("page_id", call.params["id"]), "page")
    found = properties.find(ws.schema_of(page), call.params["property_id"])
    if found is None:
        raise rules.not_found("property", call.params["property_id"])
    name, prop = found
    kind = prop["type"]
    value = properties.render_properties(page, {name: prop}, ws.user_ref, full=True)[name][kind]
    if kind not in properties.LIST_TYPES:
        return {"object": "property_item", "id": prop["id"], "type": kind, kind: value}
    items = [
        (
            str(uuid.uuid5(uuid.NAMESPACE_URL, f"{page['id']}/{prop['id']}/{i}")),
            {"object": "property_item", "type": kind, "id": prop["id"], kind: v},
        )
        for i, v in enumerate(value)
    ]
    size = rules.page_size(call.query.get("page_size"), "query")
    chunk, next_cursor = Workspace.paginate(items, call.query.get("start_cursor"), size, lambda p: str(p[0]))
    next_url = None
    if next_cursor:
        next_url = (
            f"https://api.notion.com/v1/pages/{page['id']}/properties/{prop['id']}?start_cursor={next_cursor}"
        )
    type_object = {"id": prop["id"], "next_url": next_url, "type": kind, kind: {}}
    return Workspace.envelope(
        [item for _, item in chunk], next_cursor, "property_item", type_object=type_object
    )


def _move_target(ws: Workspace, page_id: str, value: Any) -> tuple[str, JSON | None]:
    """The new parent of a moved page, and its data source (None for a page parent)."""
    parent = rules.require_dict("body.parent", value)
    kind = parent.get("type") or next((k for k in ("page_id", "data_source_id") if k in parent), None)
    if kind == "page_id":
        target = rules.body_uuid("body.parent.page_id", parent.get("page_id"))
        ws.ensure_editable(ws.need(target, "page"))
        current: str | None = target
        for _ in range(64):  # a page cannot go under itself or its own descendant
            if current is None:
                break
            if current == page_id:
                raise rules.validation("A page cannot be moved under itself or one of its descendants.")
            current = ws.store.parent_of(current)
        return target, None
    if kind == "data_source_id":
        target = rules.body_uuid("body.parent.data_source_id", parent.get("data_source_id"))
        ds = ws.need(target, "data_source", "data source")
        ws.ensure_live(target)
        return target, ds
    raise rules.body_invalid("body.parent.type", '`"page_id"` or `"data_source_id"`', kind)


def move_page(call: Call) -> JSON:
    """POST /v1/pages/{id}/move (reference: developers.notion.com/reference/move-page): a page
    goes under another page or into a data source; the title comes along, and other values
    only where the new schema has a property of the same name and type."""
    ws, body = call.ws, call.body
    page = ws.need(rules.path_uuid("page_id", call.params["id"]), "page")
    ws.ensure_editable(page)
    target, ds = _move_target(ws, page["id"], body.get("parent"))
    old_schema = ws.schema_of(page)
    page["parent"] = ws.parent_ref(target)
    new_schema = ds["properties"] if ds is not None else properties.PAGE_SCHEMA
    values = page.get("values") or {}
    moved: JSON = {}
    for name, prop in old_schema.items():
        value = values.get(prop["id"])
        found = next(
            (
                p
                for n, p in new_schema.items()
                if p["type"] == prop["type"] and (n == name or p["type"] == "title")
            ),
            None,
        )
        if value is not None and found is not None:
            moved[found["id"]] = value
    page["values"] = moved
    ws.store.set_parent(page["id"], target)
    if ds is None:
        ws.store.set_position(page["id"], ws.store.slots(target, 1)[0])
    ws.touch(page)
    return ws.render_page(page)


ROUTES: list[RouteSpec] = [
    ("POST", "/v1/pages", create_page),
    ("POST", "/v1/pages/{id}/move", move_page),
    ("GET", "/v1/pages/{id}", get_page),
    ("PATCH", "/v1/pages/{id}", update_page),
    ("GET", "/v1/pages/{id}/properties/{property_id}", get_property_item),
]
