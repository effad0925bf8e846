"""notion_pages duplicate: a copy of a page with its whole content (notion/duplicate.py)."""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from notion_mcp.errors import redact
from notion_mcp.markdown.ids import compact
from notion_mcp.notion.append import PartialAppendError
from notion_mcp.notion.duplicate import Duplicated, duplicate_page
from notion_mcp.tools._dispatch import Formatted
from notion_mcp.tools.content import resume_arguments
from notion_mcp.tools.context import Call
from notion_mcp.tools.fields import JsonObject, NotionId
from notion_mcp.tools.output import as_json
from notion_mcp.tools.page_move import PARENT_DESCRIPTION


class Duplicate(Formatted):
    page_id: NotionId = Field(description="page ID or URL")
    parent: JsonObject | None = Field(None, description=PARENT_DESCRIPTION)
    title: str | None = Field(None, description="page title")
    child_pages: bool = False


ParentOf = Any  # async (call, parent dict) -> (Notion parent, schema): pages._parent


async def duplicate(call: Call, args: Duplicate, parent_of: ParentOf) -> str:
    target = (await parent_of(call, dict(args.parent)))[0] if args.parent is not None else None

    async def progress(done: int, total: int | None, message: str) -> None:
        await call.progress(done, total, message)

    try:
        result = await duplicate_page(
            call.gateway,
            args.page_id,
            target,
            title=args.title,
            child_pages=args.child_pages,
            on_progress=progress,
        )
    except PartialAppendError as exc:
        made = (
            f"The copy {compact(exc.parent_id)} was created, but not all of its content"
            " (do not duplicate again)."
        )
        resume = f"\nresume: notion_blocks {as_json(resume_arguments(exc.resume))}" if exc.resume else ""
        raise ToolError(redact(f"{made}\n{exc}{resume}")) from exc
    if args.format == "json":
        return as_json(_as_dict(result))
    return _summary(result)


def _as_dict(result: Duplicated) -> dict[str, Any]:
    return {
        "page": result.page,
        "blocks_copied": result.blocks,
        "not_copied": result.not_copied,
        "child_pages": [_as_dict(c) for c in result.children],
    }


def _summary(result: Duplicated, depth: int = 0) -> str:
    page = result.page
    lines = [
        f"{'  ' * depth}Duplicated as page {compact(page['id'])} {page.get('url', '')}".rstrip()
        + f": {result.blocks} blocks copied ({result.requests} requests)."
    ]
    lines += [f"{'  ' * depth}- not copied: {note}" for note in result.not_copied]
    for child in result.children:
        lines.append(_summary(child, depth + 1))
    return "\n".join(lines)
