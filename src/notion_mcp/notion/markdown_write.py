"""Appends at the end of a page through Notion's markdown endpoint: one request for any shape.

The rule: `PATCH /v1/pages/{id}/markdown` with `insert_content` and no `after` (Notion appends at
the end of the page) carries the whole content when
- the Notion-Version has the endpoint (`markdown_read.FIRST_VERSION` on),
- the caller appends at the end of a page and does not need the new blocks' IDs (the answer is
  the page's markdown, which has none), and the blocks API would need more than one request
  (for one, it is used: its answer has the IDs),
- every block can be written as Notion's enhanced markdown (`blocks_to_enhanced` leaves none
  `<unknown>`), and the markdown fits one request (`MAX_MARKDOWN_BYTES`).
Otherwise None, and the blocks API appends (`append.py`). Why: through the blocks API a request
reaches only two levels below its parent, so a deep page costs one request per deep branch (a
1,000-block page five levels deep: 231); the markdown endpoint has no depth limit.

Faults: an ID Notion says is not a page (a block: `validation_error`) is remembered and appended
through the blocks API. An answer lost after the request was sent is never repeated blindly: the
page's markdown is read back and its last top-level blocks compared, by type and text, with what
was sent (as `append.py` does): there, the append is done; not there, None (the blocks API
appends it, with its own recovery); the read-back failing too, the ambiguous error is raised so
the model looks before repeating.
"""

from __future__ import annotations

from typing import Any

from notion_mcp.errors import NotionAPIError, TransientError
from notion_mcp.markdown import MarkdownError
from notion_mcp.markdown.enhanced import blocks_to_enhanced, enhanced_to_blocks
from notion_mcp.notion.append import AppendResult
from notion_mcp.notion.gateway import NotionGateway
from notion_mcp.notion.ids import normalize_id
from notion_mcp.notion.markdown_read import available
from notion_mcp.notion.plan import DEFAULT_LIMITS, children_of, plan_append, same_block

Json = dict[str, Any]
MAX_MARKDOWN_BYTES = DEFAULT_LIMITS.max_bytes - 10_000  # the request's JSON around the markdown


def as_markdown(blocks: list[Json]) -> str | None:
    """The enhanced markdown of `blocks`, or None when some block has no form in it."""
    # no block count is cut (a block takes at least a byte, so the byte budget is reached first)
    written = blocks_to_enhanced(blocks, children_of, "", limit=MAX_MARKDOWN_BYTES)
    if written.unknown_block_ids or len(written.markdown.encode()) > MAX_MARKDOWN_BYTES:
        return None
    return written.markdown


async def append_to_page(
    gateway: NotionGateway, page_id: str, blocks: list[Json], *, notion_version: str
) -> AppendResult | None:
    """`blocks` appended at the end of page `page_id` in one request, or None (use the blocks API)."""
    ident = normalize_id(page_id, "parent_block_id")
    if not available(gateway, notion_version) or ident in gateway.not_pages:
        return None
    if len(plan_append(blocks).requests) < 2:
        return None  # one request either way: the blocks API's answers the new blocks' IDs
    markdown = as_markdown(blocks)
    if markdown is None:
        return None
    before = gateway.requests_sent
    body = {"type": "insert_content", "insert_content": {"content": markdown}}
    try:
        await gateway.update_page_markdown(ident, body)
    except TransientError as exc:
        if not exc.ambiguous:
            raise
        if not await _landed(gateway, ident, blocks, exc):
            return None
    except NotionAPIError as exc:
        if exc.code == "invalid_request_url":
            gateway.markdown_endpoint = False
            return None
        if exc.code == "validation_error" and "page" in exc.message.lower():
            gateway.not_pages.add(ident)  # a block, not a page: the blocks API appends under it
            return None
        raise
    return AppendResult([], gateway.requests_sent - before, _count(blocks))


async def _landed(gateway: NotionGateway, page_id: str, blocks: list[Json], cause: TransientError) -> bool:
    """Whether the page now ends with `blocks` (read back); the ambiguous error when it cannot tell."""
    try:
        answer = await gateway.retrieve_page_markdown(page_id)
        tail = enhanced_to_blocks(answer["markdown"])[-len(blocks) :]  # a string: the gateway checks
    except (NotionAPIError, MarkdownError):
        raise cause from None
    if answer.get("truncated"):
        raise cause
    return len(tail) == len(blocks) and all(map(same_block, blocks, tail))


def _count(blocks: list[Json]) -> int:
    return sum(1 + _count(children_of(b)) for b in blocks)
