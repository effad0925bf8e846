"""Blocks: retrieve, list children, append children (with ``position``), update, delete."""

from __future__ import annotations

from notion_mcp.sandbox import blocks, files, richtext, rules
from notion_mcp.sandbox.app import Call, RouteSpec
from notion_mcp.sandbox.routes_pages import apply_trash_flags
from notion_mcp.sandbox.rules import JSON
from notion_mcp.sandbox.workspace import BLOCKISH, Workspace

NO_CHILDREN = {
    "divider",
    "breadcrumb",
    "equation",
    "code",
    "image",
    "video",
    "pdf",
    "file",
    "audio",
    "bookmark",
    "embed",
    "link_to_page",
    "table_of_contents",
    "table_row",
    "child_database",
}


def visible_children(ws: Workspace, block_id: str) -> list[tuple[str, JSON]]:
    source = ws.content_source(block_id)
    out = []
    for data in ws.store.children(source, BLOCKISH):
        if not data.get("in_trash"):
            out.append((str(ws.store.kind_of(data["id"])), data))
    return out


def get_block(call: Call) -> JSON:
    return call.ws.render_blockish(rules.path_uuid("block_id", call.params["id"]))


def list_children(call: Call) -> JSON:
    ws = call.ws
    block_id = rules.path_uuid("block_id", call.params["id"])
    ws.need_blockish(block_id)
    size = rules.page_size(call.query.get("page_size"), "query")
    items = visible_children(ws, block_id)
    chunk, next_cursor = Workspace.paginate(
        items, call.query.get("start_cursor"), size, lambda item: str(item[1]["id"])
    )
    return Workspace.envelope([ws.render_block(data, kind) for kind, data in chunk], next_cursor, "block")


def _position(ws: Workspace, body: JSON, parent_id: str) -> tuple[str, str | None]:
    if "after" in body:
        if ws.version != "2025-09-03":
            raise rules.body_invalid("body.after", "not present (use `position`)", body["after"])
        after = rules.body_uuid("body.after", body["after"])
        return _after_child(ws, parent_id, after, "body.after")
    position = body.get("position")
    if position is None:
        return "end", None
    position = rules.require_dict("body.position", position)
    kind = position.get("type")
    if kind in ("start", "end"):
        return str(kind), None
    if kind == "after_block":
        target = rules.require_dict("body.position.after_block", position.get("after_block"))
        after = rules.body_uuid("body.position.after_block.id", target.get("id"))
        return _after_child(ws, parent_id, after, "body.position.after_block.id")
    raise rules.body_invalid("body.position.type", '`"start"`, `"end"`, or `"after_block"`', kind)


def _after_child(ws: Workspace, parent_id: str, after: str, path: str) -> tuple[str, str | None]:
    if not any(oid == after for oid, _ in ws.store.positions(parent_id)):
        raise rules.validation(
            f"body failed validation: {path} should be the ID of a child of {parent_id}, "
            f"instead was `{rules.fmt(after)}`."
        )
    return "after", after


def append_children(call: Call) -> JSON:
    ws, body = call.ws, call.body
    block_id = rules.path_uuid("block_id", call.params["id"])
    kind, data = ws.need_blockish(block_id)
    ws.ensure_editable(data)
    if kind == "database" or (kind == "block" and data["type"] in NO_CHILDREN):
        raise rules.validation(f"Block type {data.get('type', 'child_database')} does not support children.")
    parent_id = ws.content_source(block_id)
    children = blocks.parse_children(body.get("children"), "body.children", ws.user)
    files.attach_blocks(ws, children, "body.children")
    where, after = _position(ws, body, parent_id)
    positions = ws.store.slots(parent_id, len(children), where, after)
    parent = (
        {"type": "page_id", "page_id": parent_id}
        if kind == "page"
        else {"type": "block_id", "block_id": parent_id}
    )
    new_ids = blocks.insert_tree(ws.store, parent_id, parent, children, positions, ws.stamp())
    ws.touch(data)
    items = visible_children(ws, parent_id)
    first = next((i for i, (_, d) in enumerate(items) if d["id"] in new_ids), len(items))
    chunk = items[first : first + rules.MAX_PAGE_SIZE]
    return Workspace.envelope([ws.render_block(d, k) for k, d in chunk], None, "block")


def update_block(call: Call) -> JSON:
    ws, body = call.ws, call.body
    block_id = rules.path_uuid("block_id", call.params["id"])
    kind, data = ws.need_blockish(block_id)
    was_trashed = bool(data.get("in_trash"))
    still_trashed = not apply_trash_flags(ws, data, body)
    type_keys = [k for k in body if k not in ("in_trash", "archived", "type", "object")]
    if type_keys and was_trashed and still_trashed:
        ws.ensure_editable(data)
    block_type = (
        str(data["type"]) if kind == "block" else ("child_page" if kind == "page" else "child_database")
    )
    for key in type_keys:
        if key != block_type:
            raise rules.validation(
                f"body failed validation: body.{key} should be not present: "
                f"block {block_id} is a `{block_type}` block."
            )
    raw = rules.require_dict(f"body.{block_type}", body.get(block_type, {}))
    if kind == "block" and type_keys:
        if raw.get("children", []) != []:  # Notion accepts `children: []` in an update (recorded)
            raise rules.body_invalid(
                f"body.{block_type}.children", "not present (append children instead)", "[…]"
            )
        changes = blocks.complete_update(block_type, raw, data[block_type], ws.user)
        data[block_type].update(files.attach_all(ws, changes, f"body.{block_type}"))
    elif kind == "page" and "title" in raw:
        data.setdefault("values", {})["title"] = {
            "type": "title",
            "title": [richtext.text(str(raw["title"]))],
        }
    elif kind == "database" and "title" in raw:
        data["title"] = [richtext.text(str(raw["title"]))]
    ws.touch(data)
    return ws.render_block(data, kind)


def delete_block(call: Call) -> JSON:
    ws = call.ws
    block_id = rules.path_uuid("block_id", call.params["id"])
    kind, data = ws.need_blockish(block_id)
    ws.ensure_editable(data)
    data["in_trash"] = True
    ws.touch(data)
    return ws.render_block(data, kind)


ROUTES: list[RouteSpec] = [
    ("GET", "/v1/blocks/{id}", get_block),
    ("GET", "/v1/blocks/{id}/children", list_children),
    ("PATCH", "/v1/blocks/{id}/children", append_children),
    ("PATCH", "/v1/blocks/{id}", update_block),
    ("DELETE", "/v1/blocks/{id}", delete_block),
]
