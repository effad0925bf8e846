"""notion_comments: discussions on pages and blocks, posted as the integration."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from notion_mcp.errors import InputError
from notion_mcp.markdown import MarkdownError, comments_to_markdown, markdown_to_rich_text
from notion_mcp.notion.ids import normalize_id
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
        return {"discussion_id": normalize_id(args.discussion_id, "discussion_id")}
    parent = args.parent or {}
    keys = [k for k in ("page_id", "block_id") if k in parent]
    if len(keys) != 1 or set(parent) - {"page_id", "block_id", "type"}:
        raise InputError('parent: give {"page_id": "…"} or {"block_id": "…"}.')
    return {"parent": {"type": keys[0], keys[0]: normalize_id(parent[keys[0]], f"parent.{keys[0]}")}}


def _rich_text(args: Create) -> list[dict[str, Any]]:
    if (args.rich_text is None) == (args.markdown is None):
        raise InputError("Give the comment as rich_text or markdown (exactly one).")
    if args.markdown is not None:
        if not args.markdown.strip():
            raise InputError("markdown: the comment is empty.")
        try:
            return markdown_to_rich_text(args.markdown)
        except MarkdownError as exc:
            raise InputError(f"markdown: {exc}") from None
    return list(args.rich_text or [])


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
