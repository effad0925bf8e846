"""notion_comments: discussions on pages and blocks, posted as the integration."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from pydantic import Field

from notion_mcp.errors import InputError
from notion_mcp.markdown import MarkdownError, comments_to_markdown, markdown_to_blocks
from notion_mcp.markdown.rich_text import merge, split_long, text_item
from notion_mcp.notion.ids import normalize_id
from notion_mcp.tools import content
from notion_mcp.tools._dispatch import Formatted, Operation, ToolSpec
from notion_mcp.tools.context import Call
from notion_mcp.tools.fields import Cursor, JsonObject, NotionId, PageSize
from notion_mcp.tools.output import as_json, join, json_list, more_hint
from notion_mcp.tools.users import names_of


class Create(Formatted):
    parent: JsonObject | None = Field(None, description="{page_id} or {block_id} for a new discussion")
    discussion_id: str | None = Field(None, description="reply in this discussion (instead of parent)")
    rich_text: list[JsonObject] | None = Field(None, description="comment as Notion rich text")
    markdown: str | None = Field(None, description="comment as markdown")


class Retrieve(Formatted):
    block_id: NotionId = Field(description="page or block whose comments to list")
    start_cursor: Cursor = None
    page_size: PageSize = None


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


def _rich_text(args: Create) -> list[dict[str, Any]]:
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
        f"Posted comment {comment['id']} in discussion {comment.get('discussion_id')} (as the integration)."
    )


async def retrieve(call: Call, args: Retrieve) -> str:
    page = await call.gateway.list_comments(args.block_id, args.start_cursor, args.page_size)
    comments = page.get("results", [])
    cursor, more = page.get("next_cursor"), bool(page.get("has_more"))
    if args.format == "json":
        return json_list(comments, call.settings.max_output_chars, {"next_cursor": cursor, "has_more": more})
    if not comments:
        return f"No open comments on {args.block_id}."
    authors = {str(c["created_by"]["id"]) for c in comments if (c.get("created_by") or {}).get("id")}
    names = await names_of(call, authors)
    return join(comments_to_markdown(comments, names), more_hint(cursor, more))


SPEC = ToolSpec(
    name="notion_comments",
    title="Notion comments",
    description=(
        "Comments, posted as the integration. create: a new discussion on a page or block "
        "(parent) or a reply (discussion_id). retrieve: open comments of a page or block."
    ),
    operations={
        "create": Operation(Create, create, writes=True),
        "retrieve": Operation(Retrieve, retrieve),
    },
)
