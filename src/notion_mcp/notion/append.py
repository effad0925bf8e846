"""Appending a block tree of any size: `plan.plan_append` splits it, `append_tree` sends it.

`plan.plan_append` splits the tree into requests (see there); they are sent one at a time in
document order. IDs of top-level items come from each response (the first k results, in
order); a deeper block's ID is read with one ``list_children`` of its parent when a later
request must go under it. Later runs of the caller's parent go after the last block written
(``after_block``) unless the caller asked for the end.

Faults. The gateway retries what is safe. An append that failed after it was sent
(`TransientError` with ``sent=True``) is never blindly repeated: the parent's children are read
back and compared, by type and plain text, with the batch at the place it should have landed
(after the last block written, the caller's anchor, at the page's start or end). A block there
that Notion says was made before the batch was first sent (less a minute: ``created_time`` is cut
to the minute and clocks differ) is someone else's, never taken for the batch. If it landed its
IDs are taken; if not (or, under a block this append made, only a prefix did) the missing part
is sent again. This is repeated at most `MAX_ATTEMPTS` times per request.

When a request cannot be got past, what exists is made a *prefix* of what was asked for:
the top-level blocks whose whole subtree was written are kept; the first top-level block
whose subtree is incomplete and every later one that exists are moved to trash (a block's
subtree goes with it). `PartialAppendError` then names the kept blocks and gives `resume`:
the arguments of one ``notion_blocks append`` call (``parent_block_id``, ``position`` after the
last kept block, ``children``: the remaining top-level blocks with their whole subtrees),
which yields exactly the intended content. If a trash fails, its block is listed in
``not_trashed`` (trash it before resuming). When nothing was written at all, the original error
is raised instead.

When a batch of top-level blocks may or may not have landed (its answer was lost and reading
back failed too), ``uncertain`` is True and there is *no* ``resume``: re-sending that batch could
write it twice. The error says what is certain (the kept prefix), what is not (the batch, by
position and opening words), and the read that settles it. A 200 whose body is not the expected
shape counts as a lost answer (read back), like a dropped connection.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from notion_mcp.errors import NotionAPIError, NotionMCPError, TransientError
from notion_mcp.notion.create import CLOCK_SLACK, created_time
from notion_mcp.notion.gateway import NotionGateway
from notion_mcp.notion.ids import compact
from notion_mcp.notion.pagination import collect
from notion_mcp.notion.plan import (
    DEFAULT_LIMITS,
    ROOT,
    Limits,
    Plan,
    Request,
    plain_text,
    plan_append,
    same_block,
)

Json = dict[str, Any]
Progress = Callable[[int, int | None, str], Awaitable[None]]

MAX_ATTEMPTS = 3


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
        resume: Json | None,
        cause: NotionAPIError,
        not_trashed: list[str],
        uncertain: str | None,
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
        self.uncertain = uncertain is not None
        self.requests = requests
        last = f" (the last is {compact(written_ids[-1])})" if written_ids else ""
        parts = [
            f"The append stopped part way. Certain: {self.written_count} top-level block(s) exist, "
            f"complete{last}.",
            f"Cause: Notion error {cause.status} {cause.code}: {cause.message}",
        ]
        if not_trashed:
            shown = ", ".join(compact(i) for i in not_trashed)
            parts.append(f"Incomplete blocks that could not be trashed (trash them first): {shown}")
        if uncertain is not None:
            parts.append(uncertain)
        else:
            parts.append(f"Not written: the other {self.remaining_count} top-level block(s).")
            parts.append("To finish, call notion_blocks append with the arguments in `resume`.")
        super().__init__("\n".join(parts))


def _made_before(block: Json, since: datetime) -> bool:
    """Whether Notion says `block` was created before `since` (False when it does not say)."""
    created = created_time(block)
    return created is not None and created < since


def _index_after(listed: list[Json], block_id: str | None) -> int:
    """Where the blocks after `block_id` begin in `listed`."""
    for i, block in enumerate(listed):
        if block.get("id") == block_id:
            return i + 1
    raise NotionAPIError(0, "unexpected_content", "Could not find where the batch should be.")


def _new_ids(response: Json, sent: int) -> list[str]:
    """The IDs of the `sent` blocks an append created, from its answer (whose ``results`` the
    gateway checked is a list); an answer of another shape was spoiled on the way (the write may
    have happened): a lost answer, to be read back."""
    ids = [b.get("id") for b in response["results"][:sent] if isinstance(b, dict)]
    if len(ids) < sent or not all(isinstance(i, str) and i for i in ids):
        raise TransientError(200, "invalid_response", "Notion's answer to an append lacks the new blocks.")
    return [str(i) for i in ids]


@dataclass(eq=False)
class _Failure(Exception):
    index: int  # the request that could not be got past
    cause: NotionAPIError
    uncertain: bool = False


@dataclass
class _Appender:
    gateway: NotionGateway
    parent_id: str
    plan: Plan
    position: Json | None
    on_progress: Progress | None
    now: Callable[[], datetime]
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
        async def fetch(cursor: str | None, size: int) -> Json:
            self.requests += 1
            return await self.gateway.list_children(block_id, start_cursor=cursor, page_size=size)

        return (await collect(fetch, start_cursor=None, limit=sys.maxsize)).results

    async def _id_of(self, n: int) -> str:
        if n == ROOT:
            return self.parent_id
        if n in self.ids:
            return self.ids[n]
        parent = self.plan.nodes[n].parent
        assert parent != ROOT  # a top-level block's ID came with its own, earlier response
        listed = await self._list_all(await self._id_of(parent))
        for child, block in zip(self.plan.nodes[parent].children, listed, strict=False):
            if not same_block(self.plan.nodes[child].shell, block):
                raise NotionAPIError(0, "unexpected_content", "The written blocks do not read back as sent.")
            self.ids.setdefault(child, str(block["id"]))
        if n not in self.ids:
            raise NotionAPIError(0, "unexpected_content", "A written block is missing when read back.")
        return self.ids[n]

    # -- one request, surviving ambiguous failures -------------------------------------------
    async def _landed(
        self, request: Request, parent_id: str, body: list[Json], done: list[str], since: datetime
    ) -> int:
        """How many of `body` are in Notion now (read back after an ambiguous failure); `since` is
        a time before the batch was sent (created_time is cut to the minute)."""
        listed = await self._list_all(parent_id)
        position = self.position or {}
        if request.parent != ROOT:
            start = self.known.get(request.parent, 0) + len(done)
        elif self.last_top is not None:
            start = _index_after(listed, self.last_top)
        elif self._keeps_order_at_end():
            start = max(0, len(listed) - len(body))
        elif position.get("type") == "start":
            start = 0
        else:
            start = _index_after(listed, (position.get("after_block") or {}).get("id"))
        window = listed[start : start + len(body)]
        k = 0
        while k < len(window) and same_block(body[k], window[k]):
            k += 1
        if k < len(body) and request.parent == ROOT:
            k = 0  # among blocks the caller had, only a whole batch is recognised
        if any(_made_before(b, since) for b in window[:k]):
            k = 0  # equal blocks there before this batch was sent (the caller's, say): not ours
        done += [str(b["id"]) for b in window[:k]]
        return k

    async def _send(self, index: int, request: Request) -> list[str]:
        parent_id = await self._id_of(request.parent)
        body = self.plan.body(request)
        done: list[str] = []
        cause: TransientError | None = None
        position = self._position_for(request)
        since = self.now().replace(second=0, microsecond=0) - CLOCK_SLACK  # before every attempt
        for _ in range(MAX_ATTEMPTS):
            try:
                self.requests += 1
                response = await self.gateway.append_children(parent_id, body, position)
                return done + _new_ids(response, len(body))
            except TransientError as exc:
                cause = exc
                if not exc.sent:
                    continue
            try:
                landed = await self._landed(request, parent_id, body, done, since)
            except NotionAPIError as exc:
                raise _Failure(index, exc, uncertain=True) from exc
            body = body[landed:]
            if not body:
                return done
        assert cause is not None
        cause.ambiguous = False  # read back after the last attempt (or never sent): what landed is known
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
        request = plan.requests[failure.index]
        uncertain = failure.uncertain and request.parent == ROOT
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
            resume=None if uncertain else resume,  # re-sending a batch that may exist: twice
            cause=failure.cause,
            not_trashed=not_trashed,
            uncertain=self._uncertainty(request, written_ids) if uncertain else None,
            requests=self.requests,
        )

    def _uncertainty(self, request: Request, written_ids: list[str]) -> str:
        """What is not known after a lost answer whose read-back failed, and the read that settles it."""
        plan = self.plan
        first, last = plan.top.index(request.items[0]), plan.top.index(request.items[-1])

        def opening(n: int) -> str:
            text = " ".join(plain_text(plan.nodes[n].shell).split())
            shown = f'"{text[:40]}…"' if len(text) > 40 else f'"{text}"'
            return f"a {plan.nodes[n].type} {shown}" if text else f"a {plan.nodes[n].type}"

        where = (
            f"right after block {compact(written_ids[-1])}" if written_ids else "where the append was to go"
        )
        after = len(plan.top) - last - 1
        return (
            f"Uncertain: top-level blocks {first + 1} to {last + 1} of the {len(plan.top)} given (from "
            f"{opening(request.items[0])} to {opening(request.items[-1])}) may or may not exist {where}: "
            "Notion's answer was lost and reading back failed too. If they exist they may lack their "
            f"nested blocks. Not written: the {after} top-level block(s) after them.\n"
            f"To settle it, read: notion_blocks retrieve block_id={compact(self.parent_id)} "
            "include_children=true block_ids=true. Trash any of those blocks found there (notion_blocks"
            f" delete), then append the content from top-level block {first + 1} on {where}. Do not"
            " repeat the append blindly: it could write them twice."
        )


async def append_tree(
    gateway: NotionGateway,
    parent_id: str,
    blocks: list[Json],
    *,
    position: Json | None = None,
    on_progress: Progress | None = None,
    limits: Limits = DEFAULT_LIMITS,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> AppendResult:
    """Append `blocks` (any number, any depth) under `parent_id`, in order; see the module docstring."""
    plan = plan_append(blocks, limits)
    appender = _Appender(gateway, parent_id, plan, position, on_progress, now)
    try:
        await appender.run()
    except _Failure as failure:
        raise await appender.fail(failure) from failure.cause
    top_ids = [appender.ids[t] for t in plan.top]
    return AppendResult(top_ids, appender.requests, appender.written)
