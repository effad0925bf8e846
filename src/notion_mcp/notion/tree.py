"""Whole block trees: read one in as few round trips as the rate allows, append one of any size.

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

Writing (`append_tree`)
    `plan.plan_append` splits the tree into requests (see there); they are sent one at a time in
    document order. IDs of top-level items come from each response (the first k results, in
    order); a deeper block's ID is read with one ``list_children`` of its parent when a later
    request must go under it. Later runs of the caller's parent go after the last block written
    (``after_block``) unless the caller asked for the end.

    Faults. The gateway retries what is safe. An append that failed after it was sent
    (`TransientError` with ``sent=True``) is never blindly repeated: the parent's children are read
    back and compared, by type and plain text, with the batch at the place it should have landed
    (after the last known child, or after the caller's anchor). If it landed its IDs are taken;
    if not (or only a prefix did) the missing part is sent again. This is repeated at most
    `MAX_ATTEMPTS` times per request.

    When a request cannot be got past, what exists is made a *prefix* of what was asked for:
    the top-level blocks whose whole subtree was written are kept; the first top-level block
    whose subtree is incomplete and every later one that exists are moved to trash (a block's
    subtree goes with it). `PartialAppendError` then names the kept blocks and gives `resume`:
    the arguments of one ``notion_blocks append`` call (``parent_block_id``, ``position`` after the
    last kept block, ``children``: the remaining top-level blocks with their whole subtrees),
    which yields exactly the intended content. If a trash fails, its block is listed in
    ``not_trashed`` (trash it before resuming); if the fate of the last batch of top-level blocks
    could not be read back, ``uncertain`` is True. When nothing was written at all, the original
    error is raised instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from notion_mcp.errors import InputError, NotionAPIError, NotionMCPError, TransientError
from notion_mcp.notion.gateway import NotionGateway
from notion_mcp.notion.plan import DEFAULT_LIMITS, ROOT, Limits, Plan, Request, plan_append, same_block

Json = dict[str, Any]
Progress = Callable[[int, int | None, str], Awaitable[None]]
UnreadReason = Literal["max_depth", "max_blocks", "inaccessible"]

NOT_EXPANDED = frozenset({"child_page", "child_database"})
MAX_ATTEMPTS = 3
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


@dataclass
class AppendResult:
    top_level_ids: list[str]
    requests: int
    blocks_written: int


class PartialAppendError(NotionMCPError):
    """An append stopped part way; what exists is a prefix of what was asked for."""

    def __init__(
        self,
        *,
        parent_id: str,
        written_ids: list[str],
        remaining: list[Json],
        resume: Json,
        cause: NotionAPIError,
        not_trashed: list[str],
        uncertain: bool,
        requests: int,
    ) -> None:
        self.parent_id = parent_id
        self.written_ids = written_ids
        self.written_count = len(written_ids)
        self.remaining = remaining
        self.remaining_count = len(remaining)
        self.resume = resume
        self.cause = cause
        self.not_trashed = not_trashed
        self.uncertain = uncertain
        self.requests = requests
        last = f" (the last is {written_ids[-1]})" if written_ids else ""
        parts = [
            f"The append stopped part way: {self.written_count} top-level block(s) exist, complete"
            f"{last}; {self.remaining_count} were not written.",
            f"Cause: Notion error {cause.status} {cause.code}: {cause.message}",
        ]
        if not_trashed:
            parts.append(f"Incomplete blocks that could not be trashed (trash them first): {not_trashed}")
        if uncertain:
            parts.append("The last batch may or may not have been written: read the parent before resuming.")
        parts.append("To finish, call notion_blocks append with the arguments in `resume`.")
        super().__init__("\n".join(parts))


# ==== reading ====================================================================================
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
    inner = block.get(kind)
    block[kind] = {**(inner if isinstance(inner, dict) else {}), "children": children}


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

    async def root(self, root_id: str, cursor: str | None, max_blocks: int) -> tuple[list[Json], str | None]:
        blocks: list[Json] = []
        while True:
            page = await self.page(root_id, cursor, min(PAGE_SIZE, max_blocks - len(blocks)))
            blocks += page.get("results") or []
            cursor = page.get("next_cursor")
            if not page.get("has_more") or not cursor:
                return blocks, None
            if len(blocks) >= max_blocks:
                return blocks, cursor

    async def level(self, parents: list[Json], budget: int) -> list[list[Json] | UnreadReason]:
        """Children of each parent, or why they were not read."""
        n = len(parents)
        counts = [0] * n
        complete = [False] * n
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
                        complete[i] = True
                        return
                    raise
                found[i] += page.get("results") or []
                counts[i] = len(found[i])
                cursor = page.get("next_cursor")
                if not page.get("has_more") or not cursor:
                    complete[i] = True
                    return

        try:
            async with asyncio.TaskGroup() as group:
                for i in range(n):
                    group.create_task(one(i))
        except BaseExceptionGroup as group_error:
            raise group_error.exceptions[0] from None

        out: list[list[Json] | UnreadReason] = []
        fits = True
        for i in range(n):
            fits = fits and complete[i] and not over(i)
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
    blocks, next_cursor = await fetcher.root(root_id, start_cursor, max_blocks)
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
    return TreeResult(blocks, ordered, fetcher.requests, not ordered and next_cursor is None, next_cursor)


def _preorder(blocks: list[Json]) -> list[Json]:
    out: list[Json] = []
    stack = list(reversed(blocks))
    while stack:
        block = stack.pop()
        out.append(block)
        inner = block.get(str(block.get("type")))
        kids = inner.get("children") if isinstance(inner, dict) else None
        stack.extend(reversed(kids or []))
    return out


# ==== writing ====================================================================================
class _Failure(Exception):
    def __init__(self, index: int, cause: NotionAPIError, *, uncertain: bool = False) -> None:
        super().__init__(index)
        self.index = index  # the request that could not be got past
        self.cause = cause
        self.uncertain = uncertain


@dataclass
class _Appender:
    gateway: NotionGateway
    parent_id: str
    plan: Plan
    position: Json | None
    on_progress: Progress | None
    ids: dict[int, str] = field(default_factory=dict)
    known: dict[int, int] = field(default_factory=dict)  # children written under each node
    last_top: str | None = None
    requests: int = 0
    written: int = 0

    # -- positions and IDs -------------------------------------------------------------------
    def _keeps_order_at_end(self) -> bool:
        return self.position is None or self.position.get("type") == "end"

    def _position_for(self, request: Request) -> Json | None:
        if request.parent != ROOT:
            return None
        if self.last_top is None:
            return self.position
        if self._keeps_order_at_end():
            return None
        return {"type": "after_block", "after_block": {"id": self.last_top}}

    async def _list_all(self, block_id: str) -> list[Json]:
        out: list[Json] = []
        cursor: str | None = None
        while True:
            self.requests += 1
            page = await self.gateway.list_children(block_id, start_cursor=cursor, page_size=PAGE_SIZE)
            out += page.get("results") or []
            cursor = page.get("next_cursor")
            if not page.get("has_more") or not cursor:
                return out

    async def _id_of(self, n: int) -> str:
        if n == ROOT:
            return self.parent_id
        if n in self.ids:
            return self.ids[n]
        parent = self.plan.nodes[n].parent
        if parent == ROOT:  # a top-level block gets its ID from its own response
            raise NotionAPIError(0, "internal_error", "A top-level block has no ID yet.")
        listed = await self._list_all(await self._id_of(parent))
        for child, block in zip(self.plan.nodes[parent].children, listed, strict=False):
            if not same_block(self.plan.nodes[child].shell, block):
                raise NotionAPIError(0, "unexpected_content", "The written blocks do not read back as sent.")
            self.ids.setdefault(child, str(block["id"]))
        if n not in self.ids:
            raise NotionAPIError(0, "unexpected_content", "A written block is missing when read back.")
        return self.ids[n]

    # -- one request, surviving ambiguous failures -------------------------------------------
    async def _landed(self, request: Request, parent_id: str, body: list[Json], done: list[str]) -> int:
        """How many of `body` are in Notion now (read back after an ambiguous failure)."""
        listed = await self._list_all(parent_id)
        anchor = done[-1] if done else self.last_top if request.parent == ROOT else None
        if request.parent != ROOT:
            start = self.known.get(request.parent, 0) + len(done)
        elif anchor is not None:
            start = next((i + 1 for i, b in enumerate(listed) if b.get("id") == anchor), -1)
        elif self._keeps_order_at_end():
            start = max(0, len(listed) - len(body))
        elif (self.position or {}).get("type") == "start":
            start = 0
        else:
            after = ((self.position or {}).get("after_block") or {}).get("id")
            start = next((i + 1 for i, b in enumerate(listed) if b.get("id") == after), -1)
        if start < 0:
            raise NotionAPIError(0, "unexpected_content", "Could not find where the batch should be.")
        window = listed[start : start + len(body)]
        k = 0
        while k < len(window) and same_block(body[k], window[k]):
            k += 1
        if k < len(body) and request.parent == ROOT:
            k = 0  # among blocks the caller had, only a whole batch is recognised
        done += [str(b["id"]) for b in window[:k]]
        return k

    async def _send(self, index: int, request: Request) -> list[str]:
        parent_id = await self._id_of(request.parent)
        body = self.plan.body(request)
        done: list[str] = []
        cause: NotionAPIError | None = None
        for _ in range(MAX_ATTEMPTS):
            position = self._position_for(request)
            if done and position is not None:
                position = {"type": "after_block", "after_block": {"id": done[-1]}}
            try:
                self.requests += 1
                response = await self.gateway.append_children(parent_id, body, position)
                return done + [str(b["id"]) for b in (response.get("results") or [])[: len(body)]]
            except TransientError as exc:
                cause = exc
                if not exc.sent:
                    continue
            try:
                landed = await self._landed(request, parent_id, body, done)
            except NotionAPIError as exc:
                raise _Failure(index, exc, uncertain=True) from exc
            body = body[landed:]
            if not body:
                return done
        assert cause is not None
        raise _Failure(index, cause)

    async def run(self) -> None:
        total = len(self.plan.nodes)
        for index, request in enumerate(self.plan.requests):
            try:
                new_ids = await self._send(index, request)
            except NotionAPIError as exc:
                raise _Failure(index, exc) from exc
            for n, block_id in zip(request.items, new_ids, strict=True):
                self.ids[n] = block_id
            if request.parent == ROOT:
                self.last_top = new_ids[-1]
            else:
                self.known[request.parent] = self.known.get(request.parent, 0) + len(request.items)
            for n, k in request.included.items():
                self.known[n] = k
            self.written += sum(1 for _ in request.nodes(self.plan))
            if self.on_progress is not None:
                await self.on_progress(self.written, total, f"wrote {self.written} of {total} blocks")

    # -- failure: keep a prefix, describe the rest --------------------------------------------
    async def _trash(self, block_ids: list[str]) -> list[str]:
        failed: list[str] = []
        for block_id in block_ids:
            try:
                self.requests += 1
                await self.gateway.delete_block(block_id)
            except NotionAPIError:
                failed.append(block_id)
        return failed

    async def fail(self, failure: _Failure) -> NotionMCPError:
        plan = self.plan
        last_touch: dict[int, int] = {}
        for i, request in enumerate(plan.requests):
            for n in request.items:
                last_touch[plan.top_of(n)] = i
        kept: list[int] = []
        for t in plan.top:
            if t not in self.ids or last_touch[t] >= failure.index:
                break
            kept.append(t)
        existing = [self.ids[t] for t in plan.top[len(kept) :] if t in self.ids]
        not_trashed = await self._trash(existing)
        uncertain = failure.uncertain and plan.requests[failure.index].parent == ROOT
        if not kept and not existing and not uncertain:
            return failure.cause
        remaining = [plan.nodes[t].source for t in plan.top[len(kept) :]]
        written_ids = [self.ids[t] for t in kept]
        resume: Json = {"parent_block_id": self.parent_id, "children": remaining}
        if written_ids:
            resume["position"] = {"type": "after_block", "after_block": {"id": written_ids[-1]}}
        elif self.position is not None:
            resume["position"] = self.position
        return PartialAppendError(
            parent_id=self.parent_id,
            written_ids=written_ids,
            remaining=remaining,
            resume=resume,
            cause=failure.cause,
            not_trashed=not_trashed,
            uncertain=uncertain,
            requests=self.requests,
        )


async def append_tree(
    gateway: NotionGateway,
    parent_id: str,
    blocks: list[Json],
    *,
    position: Json | None = None,
    on_progress: Progress | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> AppendResult:
    """Append `blocks` (any number, any depth) under `parent_id`, in order; see the module docstring."""
    plan = plan_append(blocks, limits)
    appender = _Appender(gateway, parent_id, plan, position, on_progress)
    try:
        await appender.run()
    except _Failure as failure:
        raise await appender.fail(failure) from failure.cause
    top_ids = [appender.ids[t] for t in plan.top]
    return AppendResult(top_ids, appender.requests, appender.written)
