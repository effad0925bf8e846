"""Pages as Notion's enhanced markdown: `GET /v1/pages/{id}/markdown` and `PATCH` (insert_content).

No recording exists of these endpoints; the sandbox follows Notion's reference ("Retrieve a page
as markdown", "Update a page's content as markdown") and its guides ("Enhanced markdown format",
"Working with markdown content"), as docs/sandbox.md lists. The markdown is written from the
stored blocks by `markdown.enhanced`; a block the documented format cannot express is an
`<unknown url alt/>` line whose ID is in `unknown_block_ids`; past `MARKDOWN_LIMIT` blocks the
rest are `<unknown>` too and `truncated` is true. Both endpoints need Notion-Version 2026-03-11;
an older version gets `invalid_request_url`, as an unknown path does.
"""

from __future__ import annotations

from notion_mcp.markdown.enhanced import blocks_to_enhanced
from notion_mcp.markdown.ids import PAGE_URL, compact
from notion_mcp.sandbox import blocks, rules
from notion_mcp.sandbox.app import Call, RouteSpec
from notion_mcp.sandbox.markdown_in import FIRST_VERSION, parse
from notion_mcp.sandbox.routes_blocks import visible_children
from notion_mcp.sandbox.rules import JSON, NotionError
from notion_mcp.sandbox.workspace import Workspace

MARKDOWN_LIMIT = 20_000  # blocks rendered before the rest is cut ("roughly 20,000", the guide)


def _check_version(ws: Workspace) -> None:
    if ws.version < FIRST_VERSION:
        raise NotionError(400, *rules.INVALID_URL)


def page_markdown(ws: Workspace, object_id: str) -> JSON:
    """The `page_markdown` object of a page (or of a block, as for unknown_block_ids)."""
    kind, data = ws.need_blockish(object_id)
    if kind == "database":
        raise rules.validation("The provided ID is a database, not a page.")

    def children(block: JSON) -> list[JSON]:
        return [ws.render_block(d, k) for k, d in visible_children(ws, str(block["id"]))]

    top = children({"id": object_id}) if kind == "page" else [ws.render_block(data, kind)]
    page_id = object_id if kind == "page" else str(ws.store.parent_of(object_id) or object_id)
    rendered = blocks_to_enhanced(top, children, PAGE_URL + compact(page_id), limit=MARKDOWN_LIMIT)
    return {
        "object": "page_markdown",
        "id": object_id,
        "markdown": rendered.markdown,
        "truncated": rendered.truncated,
        "unknown_block_ids": rendered.unknown_block_ids,
    }


def get_markdown(call: Call) -> JSON:
    _check_version(call.ws)
    return page_markdown(call.ws, rules.path_uuid("page_id", call.params["id"]))


def patch_markdown(call: Call) -> JSON:
    ws, body = call.ws, call.body
    _check_version(ws)
    page_id = rules.path_uuid("page_id", call.params["id"])
    kind, page = ws.need_blockish(page_id)
    if kind != "page":  # the reference's error for a block or database ID
        raise rules.validation("The provided ID is a database or non-page block.")
    ws.ensure_editable(page)
    kind = rules.check_enum("body.type", body.get("type"), ("insert_content",))
    command = rules.require_dict(f"body.{kind}", body.get(kind))
    rules.only_keys(f"body.{kind}", command, ("content",))  # `after` and `position` are not simulated
    content = parse(command.get("content"), f"body.{kind}.content")
    new = blocks.parse_children(content, f"body.{kind}.content", ws.user, limited=False)
    parent = {"type": "page_id", "page_id": page_id}
    blocks.insert_tree(ws.store, page_id, parent, new, ws.store.slots(page_id, len(new)), ws.stamp())
    ws.touch(page)
    return page_markdown(ws, page_id)


ROUTES: list[RouteSpec] = [
    ("GET", "/v1/pages/{id}/markdown", get_markdown),
    ("PATCH", "/v1/pages/{id}/markdown", patch_markdown),
]
