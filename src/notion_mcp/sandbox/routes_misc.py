"""Search, users and comments."""

from __future__ import annotations

import uuid
from typing import Any

from notion_mcp.sandbox import richtext, rules
from notion_mcp.sandbox.app import Call, RouteSpec
from notion_mcp.sandbox.rules import JSON
from notion_mcp.sandbox.workspace import BOT_ID, Workspace


def search(call: Call) -> JSON:
    ws, body = call.ws, call.body
    query = body.get("query") or ""
    if not isinstance(query, str):
        raise rules.body_invalid("body.query", "a string", query)
    kinds = ["page", "data_source"]
    if body.get("filter") is not None:
        flt = rules.require_dict("body.filter", body["filter"])
        if flt.get("property") != "object":
            raise rules.body_invalid("body.filter.property", '`"object"`', flt.get("property"))
        if flt.get("value") not in kinds:
            raise rules.body_invalid("body.filter.value", '`"page"` or `"data_source"`', flt.get("value"))
        kinds = [str(flt["value"])]
    direction = "descending"
    if body.get("sort") is not None:
        sort = rules.require_dict("body.sort", body["sort"])
        if sort.get("timestamp") != "last_edited_time":
            raise rules.body_invalid("body.sort.timestamp", '`"last_edited_time"`', sort.get("timestamp"))
        if sort.get("direction") not in ("ascending", "descending"):
            raise rules.body_invalid(
                "body.sort.direction", '`"ascending"` or `"descending"`', sort.get("direction")
            )
        direction = str(sort["direction"])
    size = rules.page_size(body.get("page_size"))
    found: list[tuple[int, str, JSON]] = []
    needle = query.casefold()
    for kind in kinds:
        for data in ws.store.all_of(kind):
            title = ws.title_of(data) if kind == "page" else data["title"]
            if needle in richtext.plain(title).casefold() and not ws.trashed_up(data["id"]):
                found.append((ws.store.edited_seq(data["id"]), kind, data))
    found.sort(key=lambda f: f[0], reverse=direction == "descending")
    chunk, next_cursor = Workspace.paginate(found, body.get("start_cursor"), size, lambda f: str(f[2]["id"]))
    return Workspace.envelope([ws.render_any(k, d) for _, k, d in chunk], next_cursor, "page_or_data_source")


def list_users(call: Call) -> JSON:
    size = rules.page_size(call.query.get("page_size"), "query")
    users = call.ws.store.all_of("user")
    chunk, next_cursor = Workspace.paginate(
        users, call.query.get("start_cursor"), size, lambda u: str(u["id"])
    )
    return Workspace.envelope(chunk, next_cursor, "user")


def get_user(call: Call) -> JSON:
    user_id = rules.path_uuid("user_id", call.params["id"])
    return call.ws.need(user_id, "user")


def get_me(call: Call) -> JSON:
    return call.ws.need(BOT_ID, "user")


def _comment_parent(ws: Workspace, body: JSON) -> tuple[str, str]:
    """``(parent_id, discussion_id)`` of a new comment."""
    if "discussion_id" in body:
        discussion = rules.body_uuid("body.discussion_id", body["discussion_id"])
        for comment in ws.store.all_of("comment"):
            if comment["discussion_id"] == discussion:
                parent_id = ws.store.parent_of(comment["id"])
                if parent_id is not None:
                    return parent_id, discussion
        raise rules.not_found("discussion", discussion)
    parent = rules.require_dict("body.parent", body.get("parent"))
    key = "page_id" if "page_id" in parent else "block_id"
    target = rules.body_uuid(f"body.parent.{key}", parent.get(key))
    kind = ws.store.kind_of(target)
    if kind not in ("page", "block"):
        raise rules.not_found("page" if key == "page_id" else "block", target)
    return target, str(uuid.uuid4())


def create_comment(call: Call) -> JSON:
    ws, body = call.ws, call.body
    parent_id, discussion = _comment_parent(ws, body)
    rich = richtext.complete(body.get("rich_text"), "body.rich_text", ws.user)
    stamp = ws.stamp()
    parent = ws.parent_ref(parent_id)
    comment: JSON = {
        "object": "comment",
        "id": str(uuid.uuid4()),
        "parent": parent,
        "discussion_id": discussion,
    }
    comment.update({k: stamp[k] for k in ("created_time", "last_edited_time", "created_by")})
    comment["rich_text"] = rich
    bot = ws.user(BOT_ID) or {}
    comment["display_name"] = {"type": "integration", "resolved_name": bot.get("name", "")}
    ws.store.insert("comment", comment, parent_id)
    return comment


def list_comments(call: Call) -> JSON:
    ws = call.ws
    if "block_id" not in call.query:
        raise rules.validation(
            "query failed validation: query.block_id should be defined, instead was `undefined`."
        )
    block_id = rules.normalize_uuid(call.query["block_id"])
    if block_id is None:
        raise rules.validation(
            "query failed validation: query.block_id should be a valid uuid, "
            f"instead was `{rules.fmt(call.query['block_id'])}`."
        )
    ws.need_blockish(block_id)
    size = rules.page_size(call.query.get("page_size"), "query")
    comments = ws.store.children(block_id, ("comment",))
    chunk, next_cursor = Workspace.paginate(
        comments, call.query.get("start_cursor"), size, lambda c: str(c["id"])
    )
    return Workspace.envelope(chunk, next_cursor, "comment")


def _own_comment(call: Call) -> JSON:
    """A comment this integration wrote: Notion answers 404 for anyone else's (reference:
    developers.notion.com/reference/update-a-comment)."""
    comment_id = rules.path_uuid("comment_id", call.params["id"])
    comment = call.ws.store.get(comment_id, "comment")
    if comment is None or (comment.get("created_by") or {}).get("id") != BOT_ID:
        raise rules.not_found("comment", comment_id)
    return comment


def update_comment(call: Call) -> JSON:
    """PATCH /v1/comments/{id}: exactly one of rich_text and markdown (the sandbox takes markdown
    as plain text)."""
    ws, body = call.ws, call.body
    comment = _own_comment(call)
    given = [k for k in ("rich_text", "markdown") if k in body]
    if len(given) != 1:
        raise rules.validation(
            "body failed validation: exactly one of body.rich_text or body.markdown should be defined."
        )
    if given[0] == "markdown":
        if not isinstance(body["markdown"], str):
            raise rules.body_invalid("body.markdown", "a string", body["markdown"])
        raw: Any = [{"type": "text", "text": {"content": body["markdown"]}}]
    else:
        raw = body["rich_text"]
    comment["rich_text"] = richtext.complete(raw, f"body.{given[0]}", ws.user)
    ws.touch(comment)
    return comment


def delete_comment(call: Call) -> JSON:
    """DELETE /v1/comments/{id}: the comment is gone (a second delete is a 404)."""
    comment = _own_comment(call)
    call.ws.store.delete(comment["id"])
    return comment


ROUTES: list[RouteSpec] = [
    ("POST", "/v1/search", search),
    ("GET", "/v1/users", list_users),
    ("GET", "/v1/users/me", get_me),
    ("GET", "/v1/users/{id}", get_user),
    ("POST", "/v1/comments", create_comment),
    ("GET", "/v1/comments", list_comments),
    ("PATCH", "/v1/comments/{id}", update_comment),
    ("DELETE", "/v1/comments/{id}", delete_comment),
]
