"""Whole-page reads through Notion's markdown endpoint: one request instead of one per container.

The rule: a page's body is read with `GET /v1/pages/{id}/markdown` when nothing needs what only
the blocks API gives — block IDs (the markdown has none), a start cursor, a depth or block budget
the page exceeds — and the Notion-Version has the endpoint (`FIRST_VERSION` on). The answer is
parsed (`markdown.enhanced`) into blocks, which the tools render like blocks read through the
blocks API, so the model sees one dialect whichever way the page was read. Why: reading a
1,000-block page nested five levels deep took 460 requests (one listing per container), minutes
at Notion's rate; this takes one.

Fallbacks, each to the blocks API:
- `unknown_block_ids` (blocks the endpoint does not render): each is read with `GET /v1/blocks/
  {id}` and, when it has children, `fetch_tree`, and put where its `<unknown>` line stood;
- `truncated`, a tree deeper than `max_depth` or larger than `max_blocks`, markdown that does not
  parse: None — the caller reads the whole page through the blocks API;
- the endpoint refused (400 `invalid_request_url`, 404 on the path, a validation error): None,
  and for `invalid_request_url` the gateway remembers not to ask again.
"""

from __future__ import annotations

import asyncio
from typing import Any

from notion_mcp.errors import NotionAPIError
from notion_mcp.markdown import MarkdownError
from notion_mcp.markdown.enhanced import UNKNOWN, enhanced_to_blocks
from notion_mcp.notion.gateway import NotionGateway
from notion_mcp.notion.tree import TreeResult, fetch_tree

Json = dict[str, Any]
FIRST_VERSION = "2026-03-11"  # the Notion-Version our sandbox and Notion's markdown endpoints share


def available(gateway: NotionGateway, notion_version: str) -> bool:
    return notion_version >= FIRST_VERSION and gateway.markdown_endpoint is not False


async def read_page(
    gateway: NotionGateway, page_id: str, *, notion_version: str, max_depth: int, max_blocks: int
) -> TreeResult | None:
    """The page's body as a complete `TreeResult` (blocks without IDs, except those read
    through the blocks API), or None when the blocks API must read it."""
    if not available(gateway, notion_version):
        return None
    before = gateway.requests_sent
    try:
        answer = await gateway.retrieve_page_markdown(page_id)
    except NotionAPIError as exc:
        if exc.code == "invalid_request_url":
            gateway.markdown_endpoint = False
        if exc.status in (400, 404) and exc.code != "object_not_found":
            return None
        raise
    gateway.markdown_endpoint = True
    if answer.get("truncated"):  # (the gateway has checked that "markdown" is a string)
        return None
    try:
        blocks = enhanced_to_blocks(answer["markdown"])
    except MarkdownError:
        return None
    if _depth(blocks) > max_depth or _count(blocks) > max_blocks:
        return None
    placeholders = _placeholders(blocks)
    if any(p.get("id") is None for p in placeholders):
        return None
    await asyncio.gather(*(_fill(gateway, p, max_depth, max_blocks) for p in placeholders))
    if _depth(blocks) > max_depth or _count(blocks) > max_blocks:
        return None
    return TreeResult(blocks, [], gateway.requests_sent - before, complete=True)


async def _fill(gateway: NotionGateway, placeholder: Json, max_depth: int, max_blocks: int) -> None:
    """Turn an `<unknown>` placeholder into the block itself (and its subtree), in place."""
    block = await gateway.retrieve_block(str(placeholder["id"]))
    kind = str(block.get("type"))
    if block.get("has_children") and kind not in ("child_page", "child_database"):
        tree = await fetch_tree(gateway, str(block["id"]), max_depth=max_depth, max_blocks=max_blocks)
        block = {**block, kind: {**(block.get(kind) or {}), "children": tree.blocks}}
    placeholder.clear()
    placeholder.update(block)


def _placeholders(blocks: list[Json]) -> list[Json]:
    found: list[Json] = []
    for block in blocks:
        if block.get("type") == UNKNOWN:
            found.append(block)
        else:
            found += _placeholders((block.get(str(block.get("type"))) or {}).get("children") or [])
    return found


def _children(block: Json) -> list[Json]:
    return list((block.get(str(block.get("type"))) or {}).get("children") or [])


def _depth(blocks: list[Json]) -> int:
    return max((1 + _depth(_children(b)) for b in blocks), default=0)


def _count(blocks: list[Json]) -> int:
    return sum(1 + _count(_children(b)) for b in blocks)
