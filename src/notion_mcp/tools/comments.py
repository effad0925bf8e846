"""notion_comments: discussions on pages and blocks, posted as the integration."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from pydantic import Field

from notion_mcp.errors import InputError, NotionAPIError
from notion_mcp.markdown import MarkdownError, comments_to_markdown, markdown_to_blocks
from notion_mcp.markdown.ids import compact
from notion_mcp.markdown.rich_text import merge, split_long, text_item
from notion_mcp.notion.discussions import block_discussions
from notion_mcp.notion.ids import normalize_id
from notion_mcp.tools import content
from notion_mcp.tools._dispatch import Formatted, Operation, ToolSpec
from notion_mcp.tools.context import Call
from notion_mcp.tools.fields import Cursor, JsonObject, NotionId, PageSize
from notion_mcp.tools.output import as_json, join, json_list, more_hint
from notion_mcp.tools.users import names_of


class Create(Formatted):
    parent: JsonObject | None = Field(None, description="{page_id} or {block_id}")
    discussion_id: str | None = Field(None, description="reply to this discussion")
    rich_text: list[JsonObject] | None = Field(None, description="Notion rich text")
    markdown: str | None = Field(None, description="comment as markdown")


class Retrieve(Formatted):
    block_id: NotionId = Field(description="page or block")
    blocks: bool = Field(False, description="its blocks' too: 1 request each")
    start_cursor: Cursor = None
    page_size: PageSize = None


class Update(Formatted):
    comment_id: str = Field(description="own comment's ID")
    rich_text: list[JsonObject] | None = Field(None, description="Notion rich text")
    markdown: str | None = Field(None, description="comment as markdown")


class Delete(Formatted):
    comment_id: str = Field(description="own comment's ID")


def _target(args: Create) -> dict[str, Any]:
    if (args.parent is None) == (args.discussion_id is None):
        raise InputError(
            "Give parent ({page_id} or {block_id}) for a new discussion, or discussion_id to reply."
        )
    if args.discussion_id is not None:
        # a "copy link to discussion" URL is the page's, with the discussion in ?d=
        try:
            linked = parse_qs(urlsplit(args.discussion_id).query).get("d")
        except ValueError:  # not a URL at all: normalize_id says what is expected
            linked = None
        return {"discussion_id": normalize_id(linked[0] if linked else args.discussion_id, "discussion_id")}
    parent = args.parent or {}
    keys = [k for k in ("page_id", "block_id") if k in parent]
    if len(keys) != 1 or set(parent) - {"page_id", "block_id", "type"}:
        raise InputError('parent: give {"page_id": "…"} or {"block_id": "…"}.')
    return {"parent": {"type": keys[0], keys[0]: normalize_id(parent[keys[0]], f"parent.{keys[0]}")}}


def _comment_text(markdown: str) -> list[dict[str, Any]]:
    """A comment's rich text from markdown: text and paragraphs (blank lines kept); block syntax
    such as a heading or a list is refused (a comment holds text only)."""
    if not markdown.strip():
        raise InputError("markdown: the comment is empty.")
    try:
        blocks = markdown_to_blocks(markdown)
    except MarkdownError as exc:
        raise InputError(f"markdown: {exc}") from None
    for block in blocks:
        if block["type"] != "paragraph" or block["paragraph"].get("children"):
            raise InputError(
                f"markdown: a comment is text (bold, links, mentions, paragraphs), not a {block['type']}: "
                "write it as text (text that only looks like a list or heading keeps its first mark with "
                "a backslash)."
            )
    items: list[dict[str, Any]] = []
    for n, block in enumerate(blocks):
        items += ([text_item("\n\n")] if n else []) + block["paragraph"]["rich_text"]
    return split_long(merge(items))  # merged for compactness, then split to Notion's item limit


def _rich_text(args: Create | Update) -> list[dict[str, Any]]:
    if (args.rich_text is None) == (args.markdown is None):
        raise InputError("Give the comment as rich_text or markdown (exactly one).")
    if args.markdown is not None:
        return _comment_text(args.markdown)
    return content.split_items(list(args.rich_text or []))


async def create(call: Call, args: Create) -> str:
    body = {**_target(args), "rich_text": _rich_text(args)}
    comment = await call.gateway.create_comment(body)
    if args.format == "json":
        return as_json(comment)
    return (
        f"Posted comment {compact(comment['id'])} in discussion {compact(str(comment.get('discussion_id')))}"
        " (as the integration)."
    )


def _unseen(args: Retrieve) -> str:
    """What the answer says when the blocks inside were not looked at, and how to see them."""
    return (
        f"Discussions on the blocks inside were not looked at: notion_comments retrieve "
        f"block_id={compact(args.block_id)} blocks=true lists them (one request per block)."
    )


async def retrieve(call: Call, args: Retrieve) -> str:
    page = await call.gateway.list_comments(args.block_id, args.start_cursor, args.page_size)
    comments = page.get("results", [])
    cursor, more = page.get("next_cursor"), bool(page.get("has_more"))
    # the blocks' discussions come with the first page of results, when asked for (one request per
    # block: a page of 50 blocks costs 50 more requests, so the model chooses)
    scan = (
        await block_discussions(call.gateway, args.block_id)
        if args.blocks and not args.start_cursor
        else None
    )
    inside = scan.found if scan else []
    unseen = "" if args.start_cursor or scan else _unseen(args)
    partial = (
        f"Only the first {scan.looked_at} blocks inside were looked at: for a later block's discussions, "
        "find its ID (read with block_ids=true) and retrieve with block_id=<it>."
        if scan and not scan.complete
        else ""
    )
    if args.format == "json":
        notes: dict[str, Any] = {"next_cursor": cursor, "has_more": more}
        if scan:
            notes["on_blocks"] = [
                {"block_id": compact(str(d.block["id"])), "comments": d.comments, "more": d.more}
                for d in inside
            ]
        if unseen or partial:
            notes["on_blocks_note"] = unseen or partial
        return json_list(comments, call.settings.max_output_chars, notes)
    if not comments and not inside:
        where = f"{compact(args.block_id)}" + (" or its blocks." if scan else ".")
        return join(f"No open comments on {where}", unseen, partial)
    everyone = comments + [c for d in inside for c in d.comments]
    authors = {str(c["created_by"]["id"]) for c in everyone if (c.get("created_by") or {}).get("id")}
    names = await names_of(call, authors)
    parts = [comments_to_markdown(comments, names) if comments else ""]
    for d in inside:
        block_id = compact(str(d.block["id"]))
        parts.append(comments_to_markdown(d.comments, names, on=f" on block {block_id} ({d.snippet})"))
        if d.more:
            parts.append(f"(more on block {block_id}: notion_comments retrieve block_id={block_id})")
    return join(*parts, unseen, partial, more_hint(cursor, more))


async def update(call: Call, args: Update) -> str:
    comment_id = normalize_id(args.comment_id, "comment_id")
    comment = await call.gateway.update_comment(comment_id, {"rich_text": _rich_text(args)})
    if args.format == "json":
        return as_json(comment)
    return f"Updated comment {compact(comment['id'])}."


async def delete(call: Call, args: Delete) -> str:
    comment_id = normalize_id(args.comment_id, "comment_id")
    try:
        comment = await call.gateway.delete_comment(comment_id)
    except NotionAPIError as exc:
        if exc.status == 404:
            raise InputError(
                f"comment_id: no comment {compact(comment_id)} this integration can delete (Notion lets an "
                "integration change only the comments it wrote; a deleted comment is gone)."
            ) from exc
        raise
    if args.format == "json":
        return as_json(comment)
    return f"Deleted comment {compact(comment_id)}."


SPEC = ToolSpec(
    name="notion_comments",
    title="Notion comments",
    description=(
        "Comments, posted as the integration. create: a discussion on a page or block (parent) or "
        "a reply (discussion_id). retrieve: a page's or block's (blocks: and its blocks'). update, "
        "delete: its own."
    ),
    operations={
        "create": Operation(Create, create, writes=True),
        "retrieve": Operation(Retrieve, retrieve),
        "update": Operation(Update, update, writes=True, destructive=True),
        "delete": Operation(Delete, delete, writes=True, destructive=True),
    },
)
