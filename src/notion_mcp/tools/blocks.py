"""notion_blocks: read a block (and its whole subtree), append content of any size, update, trash."""

from __future__ import annotations

import re
from typing import Any

from pydantic import Field
from pydantic.json_schema import SkipJsonSchema

from notion_mcp.errors import InputError, NotionAPIError
from notion_mcp.markdown import MarkdownError, blocks_to_markdown, markdown_to_blocks
from notion_mcp.markdown.ids import compact
from notion_mcp.tools import content
from notion_mcp.tools._dispatch import Formatted, Operation, ToolSpec
from notion_mcp.tools.context import Call
from notion_mcp.tools.fields import Blocks, Cursor, JsonObject, NotionId, trash_flag
from notion_mcp.tools.output import as_json
from notion_mcp.tools.properties import text
from notion_mcp.wording import counted

DEFAULT_MAX_BLOCKS = 2000

# Block types whose content is rich text a markdown update can replace.
TEXT_TYPES = frozenset(
    {
        "paragraph", "heading_1", "heading_2", "heading_3", "heading_4", "bulleted_list_item",
        "numbered_list_item", "to_do", "toggle", "quote", "callout", "code",
    }
)  # fmt: skip


BLOCK_TYPES = TEXT_TYPES | {
    "equation", "divider", "breadcrumb", "table_of_contents", "column_list", "column", "table",
    "table_row", "tab", "synced_block", "template", "child_page", "child_database", "link_to_page",
    "link_preview", "image", "video", "pdf", "file", "audio", "embed", "bookmark", "meeting_notes",
}  # fmt: skip


class Retrieve(Formatted):
    block_id: NotionId = Field(description="block/page ID or URL")
    include_children: bool = Field(False, description="read the whole subtree")
    max_depth: int = Field(10, ge=1, le=50)
    max_blocks: int = Field(DEFAULT_MAX_BLOCKS, ge=1, le=20_000)
    block_ids: bool = Field(False, description="show block IDs")
    file_urls: bool = Field(False, description="links to stored files")
    start_cursor: Cursor = None


class Append(Formatted):
    parent_block_id: NotionId = Field(description="page or block")
    children: Blocks | None = Field(None, description="Notion blocks")
    markdown: str | None = Field(None, description="markdown; ![](./a.png) uploads")
    position: content.Position | None = None
    after_block_id: NotionId | None = Field(None, description="after this child")
    block_ids: bool = Field(False, description="show block IDs")


class Update(Formatted):
    block_id: NotionId = Field(description="block/page ID or URL")
    block_data: JsonObject | None = Field(None, description='{"paragraph": {...}} or its inner object')
    markdown: str | None = Field(None, description="a text block's new text")
    in_trash: bool | None = Field(None, description="true trashes, false restores")
    archived: SkipJsonSchema[bool | None] = None  # the pre-2026 name of in_trash, still accepted


class Delete(Formatted):
    block_id: NotionId = Field(description="block/page ID or URL")


async def retrieve(call: Call, args: Retrieve) -> str:
    call.gateway.cursors.check(args.start_cursor)  # before any request
    block = await call.gateway.retrieve_block(args.block_id)
    btype = str(block.get("type"))
    # A page read as a block (child_page): its content is its children, has_children or not.
    expand = btype != "child_database" and (block.get("has_children") or btype == "child_page")
    tree = None
    if args.include_children and expand:
        # a page's whole tree (block IDs not asked for): one request to Notion's markdown endpoint,
        # as notion_pages retrieve reads a body; other blocks (and every fallback): the blocks API
        fast = await content.read_as_markdown(call, args.block_id, args) if btype == "child_page" else None
        tree = fast or await content.read(
            call,
            args.block_id,
            max_depth=args.max_depth,
            max_blocks=args.max_blocks,
            start_cursor=args.start_cursor,
        )
    if args.format == "json":
        if tree is None:
            return as_json(block)

        def shape(blocks: list[dict[str, Any]], notes: dict[str, str]) -> dict[str, Any]:
            whole = {**block, btype: {**(block.get(btype) or {}), "children": blocks}}
            return {"block": whole, **notes} if notes else whole

        return content.tree_json(call, tree, shape)
    if tree is not None:
        block.setdefault(btype, {})["children"] = tree.blocks
    head = f"block {compact(block['id'])} ({btype})"
    shown = tree.blocks if tree is not None and btype == "child_page" else [block]
    return content.render_tree(
        call, shown, block_ids=args.block_ids, file_urls=args.file_urls, head=head, tree=tree
    )


async def append(call: Call, args: Append) -> str:
    blocks = content.blocks_from(args.children, args.markdown)
    if not blocks:
        given = "markdown" if args.markdown is not None else "children"
        raise InputError(f"{given}: nothing to append (it holds no blocks); give the content to append.")
    position = content.position_of(args.position, args.after_block_id)
    ids_needed = args.format == "json" or args.block_ids
    result = await content.write(call, args.parent_block_id, blocks, position, ids_needed=ids_needed)
    if not result.top_level_ids:  # through the markdown endpoint, which answers no IDs
        return (
            f"Appended {counted(result.blocks_written, 'block')} ({len(blocks)} top-level) under "
            f"{compact(args.parent_block_id)} in {counted(result.requests, 'request')} through Notion's"
            " markdown endpoint."
        )
    shown, rest = content.new_ids(call, args.parent_block_id, result.top_level_ids)
    if args.format == "json":
        more = {"top_level_ids_cut": rest, "last_id": compact(result.top_level_ids[-1])} if rest else {}
        return as_json({"top_level_ids": shown, **more, "blocks_written": result.blocks_written})
    written = counted(result.blocks_written, "block")
    return (
        f"Appended {written} ({len(result.top_level_ids)} top-level) under {compact(args.parent_block_id)} "
        f"in {counted(result.requests, 'request')}. Top-level block IDs: {', '.join(shown)}"
        + (f"\n{rest}" if rest else "")
    )


def _type_object(block: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """`block_data` as Notion's update body: keyed by the block's type."""
    btype = block["type"]
    if btype in data:
        extra = set(data) - {btype, "in_trash", "archived"}
        if extra:
            raise InputError(f"block_data: unexpected keys {sorted(extra)} next to {btype!r}.")
        return dict(data)
    other = [k for k in data if k in BLOCK_TYPES]
    if other:
        raise InputError(
            f"block_data is for {other[0]!r} but block {compact(block['id'])} is a {btype}; Notion "
            "cannot change a block's type: trash it and append a new block instead."
        )
    return {btype: data}


_COLOR_GIVEN = re.compile(r"\{[^{}]*\bcolor=")


def _from_markdown(block: dict[str, Any], markdown: str) -> dict[str, Any]:
    """The update body for a text block from markdown: its text (and a to-do's check, a code
    block's language, a colour the markdown names). Anything the update cannot do is refused."""
    btype = block["type"]
    if btype not in TEXT_TYPES:
        raise InputError(
            f"markdown updates only text blocks; block {compact(block['id'])} is a {btype}. Use block_data."
        )
    if btype == "code" and not markdown.lstrip().startswith(("```", "~~~")):
        # code is text as written: no inline markdown (a*b*c, __init__ and <b> stay as they are)
        return {btype: {"rich_text": text(markdown)}}
    try:
        parsed = markdown_to_blocks(markdown)
    except MarkdownError as exc:
        raise InputError(f"markdown: {exc}") from None
    if not parsed:  # empty markdown: the text is cleared, the block stays
        return {btype: {"rich_text": []}}
    if len(parsed) != 1:
        raise InputError(
            f"markdown for an update must be one block of text; it made {len(parsed)} blocks. "
            "Use notion_blocks append to add blocks."
        )
    kind = parsed[0]["type"]
    if kind not in (btype, "paragraph"):  # plain text fits any text block
        raise InputError(
            f"the markdown is a {kind} but block {compact(block['id'])} is a {btype}; Notion cannot"
            f" change a block's type. Write the new text without {kind} syntax (text that only looks like"
            ' it, such as "2024. A year" or "# 1", keeps its first mark with a backslash: "2024\\. A year"),'
            " or trash the block and append a new one."
        )
    new = parsed[0][kind]
    if new.get("children"):
        raise InputError(
            "an update changes a block's own text, not its children: append them with notion_blocks "
            f"append parent_block_id={compact(block['id'])}, and give the update only the block's text."
        )
    update: dict[str, Any] = {"rich_text": new.get("rich_text", [])}
    if btype == "to_do" and kind == "to_do":
        update["checked"] = new.get("checked", False)
    if btype == "code" and kind == "code":
        update["language"] = new["language"]
        if new.get("caption"):
            update["caption"] = new["caption"]
    if new.get("color", "default") != "default" or _COLOR_GIVEN.search(markdown):
        update["color"] = new.get("color", "default")  # {color="default"} resets; no {…} keeps it
    return {btype: update}


async def update(call: Call, args: Update) -> str:
    if args.block_data is not None and args.markdown is not None:
        raise InputError("Give block_data or markdown, not both.")
    trash = trash_flag(args.in_trash, args.archived)
    if args.block_data is None and args.markdown is None and trash is None:
        raise InputError("Nothing to update: give block_data, markdown, or in_trash.")
    body: dict[str, Any] = {}
    if args.block_data is not None or args.markdown is not None:
        block = await call.gateway.retrieve_block(args.block_id)
        if args.markdown is not None:
            body = _from_markdown(block, args.markdown)
        else:
            body = _type_object(block, args.block_data or {})
    if trash is not None:
        body["in_trash"] = trash
    result = await call.gateway.update_block(args.block_id, body)
    if args.format == "json":
        return as_json(result)
    state = " (in trash)" if result.get("in_trash") else ""
    return f"Updated block {compact(result['id'])}{state}:\n{blocks_to_markdown([result])}"


async def delete(call: Call, args: Delete) -> str:
    try:
        result = await call.gateway.delete_block(args.block_id)
    except NotionAPIError as exc:
        # Deleting twice (or a retry after a lost answer) meets "can't edit … archived": if the
        # block is in the trash, the delete has happened, which is what was asked.
        if exc.status != 400 or "archived" not in exc.message.lower():
            raise
        result = await call.gateway.retrieve_block(args.block_id)
        if not (result.get("in_trash") or result.get("archived")):
            raise
    if args.format == "json":
        return as_json(result)
    return (
        f"Moved block {compact(result['id'])} ({result.get('type')}) to the trash. "
        "Restore it with notion_blocks update in_trash=false."
    )


SPEC = ToolSpec(
    name="notion_blocks",
    title="Notion blocks",
    description=(
        "Page content. retrieve: a block (include_children: whole subtree). append: markdown or "
        "blocks, any size. update: a block's content or in_trash. delete: trash it."
    ),
    operations={
        "retrieve": Operation(Retrieve, retrieve),
        "append": Operation(Append, append, writes=True),
        "update": Operation(Update, update, writes=True, destructive=True),
        "delete": Operation(Delete, delete, writes=True, destructive=True),
    },
)
