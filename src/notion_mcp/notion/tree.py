"""Whole block trees: read one in as few round trips as the rate allows (appending: `append`).

Representation: a block is Notion's block dict; its children live inside its type object,
``block[block["type"]]["children"]`` — Notion's append form, and how `fetch_tree` returns them.

Reading (`fetch_tree`)
    Breadth first, one level at a time; the children of every block of a level are listed
    concurrently (asyncio tasks, at most `concurrency` requests in flight; the gateway's token
    bucket bounds the rate), every page of each list followed. Synced-block copies are read from
    their original; ``child_page`` / ``child_database`` are listed, never expanded.
    Budgets are applied in breadth-first document order, so the result does not depend on
    timing: the root's children are read page by page up to `max_blocks` (the rest is left for
    ``next_cursor``); below the root a block's children are taken whole or not at all, in
    document order, while the total stays within `max_blocks` (each block counting at least 1);
    the first block that does not fit and every later block of its level are `Unread` with
    reason ``"max_blocks"``. Blocks at `max_depth` that have children are `Unread` with
    ``"max_depth"``; a synced copy whose original cannot be read is ``"inaccessible"``. An
    unread block keeps ``has_children: true`` and gets no ``children`` key.
    Cancelling the calling task cancels every request in flight and issues no new one;
    `cancel_check` (a callable returning True to stop) raises `Cancelled` before the next request.

Writing (`append_tree`, `AppendResult`, `PartialAppendError`) lives in `notion_mcp.notion.append`;
they are re-exported here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import anyio

from notion_mcp.errors import InputError, NotionAPIError, NotionMCPError
from notion_mcp.notion.append import AppendResult, PartialAppendError, append_tree
from notion_mcp.notion.gateway import NotionGateway
from notion_mcp.notion.pagination import collect

__all__ = [
    "AppendResult",
    "Cancelled",
    "PartialAppendError",
    "TreeResult",
    "Unread",
    "append_tree",
    "fetch_tree",
]

Json = dict[str, Any]
Progress = Callable[[int, int | None, str], Awaitable[None]]
UnreadReason = Literal["max_depth", "max_blocks", "inaccessible"]

NOT_EXPANDED = frozenset({"child_page", "child_database"})
PAGE_SIZE = 100


class Cancelled(NotionMCPError):
    """`cancel_check` asked to stop; no further request was made."""


@dataclass(frozen=True)
class Unread:
    block_id: str
    reason: UnreadReason
    depth: int


@dataclass
class TreeResult:
    blocks: list[Json]
    unread: list[Unread]
    requests: int
    complete: bool
    next_cursor: str | None = None  # more top-level blocks: pass as start_cursor
    # where each later page of the top-level listing began: (index in `blocks`, its start_cursor)
    page_starts: list[tuple[int, str]] = field(default_factory=list)


def _children_source(block: Json) -> str | None:
    """The ID whose children are this block's children, or None when it is not expanded."""
    kind = block.get("type")
    if kind in NOT_EXPANDED:
        return None
    if kind == "synced_block":
        origin = (block.get("synced_block") or {}).get("synced_from") or {}
        if origin.get("block_id"):
            return str(origin["block_id"])
    return str(block["id"]) if block.get("has_children") else None


def _set_children(block: Json, children: list[Json]) -> None:
    kind = str(block.get("type"))
    block[kind] = {**(block.get(kind) or {}), "children": children}


class _Fetcher:
    def __init__(
        self,
        gateway: NotionGateway,
        concurrency: int,
        on_progress: Progress | None,
        cancel_check: Callable[[], bool] | None,
    ) -> None:
        self.gateway = gateway
        self.semaphore = asyncio.Semaphore(max(1, concurrency))
        self.on_progress = on_progress
        self.cancel_check = cancel_check
        self.requests = 0
        self.fetched = 0

    async def page(self, block_id: str, cursor: str | None, page_size: int = PAGE_SIZE) -> Json:
        async with self.semaphore:
            if self.cancel_check is not None and self.cancel_check():
                raise Cancelled("The read was cancelled; no further request was made.")
            self.requests += 1
            result = await self.gateway.list_children(block_id, start_cursor=cursor, page_size=page_size)
        self.fetched += len(result.get("results") or [])
        if self.on_progress is not None:
            await self.on_progress(self.fetched, None, f"read {self.fetched} blocks")
        return result

    async def root(
        self, root_id: str, cursor: str | None, max_blocks: int
    ) -> tuple[list[Json], str | None, list[tuple[int, str]]]:
        starts: list[tuple[int, str]] = []
        read = 0

        async def page(c: str | None, size: int) -> Json:
            nonlocal read
            if c is not None and c != cursor:
                starts.append((read, c))
            result = await self.page(root_id, c, size)
            read += len(result.get("results") or [])
            return result

        found = await collect(page, start_cursor=cursor, limit=max_blocks)
        return found.results, found.next_cursor if found.has_more else None, starts

    async def level(self, parents: list[Json], budget: int) -> list[list[Json] | UnreadReason]:
        """Children of each parent, or why they were not read."""
        n = len(parents)
        counts = [0] * n  # blocks read so far under each parent
        found: list[list[Json]] = [[] for _ in range(n)]
        inaccessible: set[int] = set()

        def over(i: int) -> bool:
            return sum(max(c, 1) for c in counts[: i + 1]) > budget

        async def one(i: int) -> None:
            source = _children_source(parents[i])
            assert source is not None
            cursor: str | None = None
            while not over(i):
                try:
                    page = await self.page(source, cursor)
                except NotionAPIError as exc:
                    if exc.status == 404 and source != parents[i]["id"]:
                        inaccessible.add(i)
                        return
                    raise
                found[i] += page.get("results") or []
                counts[i] = len(found[i])
                cursor = page.get("next_cursor")
                if not page.get("has_more") or not cursor:
                    return

        failures: list[BaseException] = []

        async def guarded(i: int, scope: anyio.CancelScope) -> None:
            try:
                await one(i)
            except Exception as exc:  # the first failure stops the level; it is raised below
                failures.append(exc)
                scope.cancel()

        # anyio, not asyncio.TaskGroup: asyncio's cancelling of the caller's task leaked out of
        # the server's cancel scopes and ended the MCP session after the tool had answered
        async with anyio.create_task_group() as group:
            for i in range(n):
                group.start_soon(guarded, i, group.cancel_scope)
        if failures:
            raise failures[0]

        # a parent whose listing stopped early is over the budget (counts only grow), so the
        # budget alone says which lists are whole
        out: list[list[Json] | UnreadReason] = []
        fits = True
        for i in range(n):
            fits = fits and not over(i)
            out.append(
                found[i] if fits and i not in inaccessible else "inaccessible" if fits else "max_blocks"
            )
        return out


async def fetch_tree(
    gateway: NotionGateway,
    root_id: str,
    *,
    max_depth: int = 10,
    max_blocks: int = 2000,
    concurrency: int = 8,
    on_progress: Progress | None = None,
    cancel_check: Callable[[], bool] | None = None,
    start_cursor: str | None = None,
) -> TreeResult:
    """The block tree under `root_id` (a page or a block), within the budgets."""
    if max_depth < 1 or max_blocks < 1:
        raise InputError("max_depth and max_blocks must be at least 1.")
    fetcher = _Fetcher(gateway, concurrency, on_progress, cancel_check)
    blocks, next_cursor, page_starts = await fetcher.root(root_id, start_cursor, max_blocks)
    remaining = max_blocks - len(blocks)
    unread: dict[str, Unread] = {}
    level, depth = blocks, 1
    while level:
        parents = [b for b in level if _children_source(b) is not None]
        if depth >= max_depth:
            unread.update((b["id"], Unread(b["id"], "max_depth", depth)) for b in parents)
            break
        children = await fetcher.level(parents, remaining)
        level = []
        for block, kids in zip(parents, children, strict=True):
            if isinstance(kids, str):
                unread[block["id"]] = Unread(block["id"], kids, depth)
            else:
                _set_children(block, kids)
                remaining -= len(kids)
                level += kids
        depth += 1
    ordered = [unread[b["id"]] for b in _preorder(blocks) if b.get("id") in unread]
    complete = not ordered and next_cursor is None
    return TreeResult(blocks, ordered, fetcher.requests, complete, next_cursor, page_starts)


def _preorder(blocks: list[Json]) -> list[Json]:
    out: list[Json] = []
    stack = list(reversed(blocks))
    while stack:
        block = stack.pop()
        out.append(block)
        kids = (block.get(str(block.get("type"))) or {}).get("children")
        stack.extend(reversed(kids or []))
    return out
