"""The discussions on the blocks inside a page or block, in document order.

Notion lists comments one block at a time (GET /v1/comments?block_id=…) and nothing in a block,
a listing or a page's markdown says which blocks have any, so this reads the block tree once
(within `MAX_BLOCKS`) and then lists each block's comments, a few requests at a time (the
gateway's limiter sets the pace): one request per block. Only the first page of each block's
comments is read; `more` says a block has further ones, `complete` whether every block was
looked at (False past `MAX_BLOCKS` or the tree's depth).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import anyio

from notion_mcp.markdown import blocks_to_markdown
from notion_mcp.notion.edit_plan import bare
from notion_mcp.notion.gateway import NotionGateway
from notion_mcp.notion.tree import fetch_tree

Json = dict[str, Any]
MAX_BLOCKS = 200
CONCURRENCY = 4


@dataclass
class Discussion:
    block: Json
    comments: list[Json]
    more: bool

    @property
    def snippet(self) -> str:
        text = " ".join(blocks_to_markdown([bare(self.block)]).split())
        return f"«{text[:50]}{'…' if len(text) > 50 else ''}»"


@dataclass
class Discussions:
    found: list[Discussion]
    looked_at: int  # blocks whose comments were listed
    complete: bool  # every block inside was looked at


def _preorder(blocks: list[Json]) -> list[Json]:
    out: list[Json] = []
    for block in blocks:
        out += [block, *_preorder(block[block["type"]].get("children", []))]
    return out


async def block_discussions(gateway: NotionGateway, root_id: str) -> Discussions:
    """Every block under `root_id` (up to MAX_BLOCKS) that has open comments, in document order."""
    tree = await fetch_tree(gateway, root_id, max_blocks=MAX_BLOCKS)
    blocks = _preorder(tree.blocks)
    found: dict[int, Discussion] = {}
    limiter = anyio.Semaphore(CONCURRENCY)

    async def one(index: int, block: Json) -> None:
        async with limiter:
            listed = await gateway.list_comments(block["id"])
        if listed["results"]:
            found[index] = Discussion(block, listed["results"], listed["has_more"])

    async with anyio.create_task_group() as group:
        for index, block in enumerate(blocks):
            group.start_soon(one, index, block)
    return Discussions([found[i] for i in sorted(found)], len(blocks), tree.complete)
