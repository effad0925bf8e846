"""Writing many rows in one call: upsert matching, concurrent writes, no duplicates, a clean stop.

The caller (tools/bulk.py) has checked every item against the schema and built each `Write`:
a page create (`body` for ``POST /v1/pages``) or an update (`page_id` + `body` for ``PATCH``).

- **Upsert.** `existing_rows` reads the data source once (⌈rows/100⌉ query pages, only the rows
  whose key is set) and indexes them by key value; `match` turns a create whose key value is
  there into an update of that row (several rows with the value: that item fails), and an
  update that would change nothing into "unchanged" (no request).
- **Concurrent, in order.** Writes run on `CONCURRENCY` workers that all take their tokens from
  the gateway's shared limiter, so the rate is the limiter's; outcomes are kept by item number.
- **No duplicates.** A create goes through `create.create_page`: an answer lost after the write
  is looked up (by key value when there is one, else by title and time) before it is repeated.
  A write carrying `made_since` (a ready call after an unknown outcome) is looked up first.
- **A lasting fault stops the run.** When an item fails with a rate limit or a transient fault
  that outlasted the retry budget, no further item is started; the ones not started are
  `not_done`, and the caller offers one call that finishes exactly those (plus the failed one).
  Other failures (Notion refusing one item's values) fail that item alone.
- **Progress and cancellation.** Each finished item is reported (`on_progress`); a cancelled run
  stops starting items and logs what was done before the cancellation goes on.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

import anyio

from notion_mcp.errors import InputError, NotionAPIError, NotionMCPError, RateLimitedError, TransientError
from notion_mcp.notion.append import append_tree
from notion_mcp.notion.create import Look, LookUnknown, create_page, find_made
from notion_mcp.notion.gateway import NotionGateway
from notion_mcp.notion.ids import compact
from notion_mcp.notion.pagination import collect
from notion_mcp.notion.row_values import key_of, same_values

Json = dict[str, Any]
Progress = Callable[[int, int, str], Awaitable[None]]
Status = Literal["created", "found", "updated", "unchanged", "skipped", "failed", "unknown", "not_done"]
log = logging.getLogger("notion_mcp.bulk")

CONCURRENCY = 8  # workers; the shared limiter sets the pace, these only cover the round trips
KEY_TYPES = ("title", "rich_text", "email", "url", "phone_number", "number", "unique_id")


@dataclass(frozen=True)
class Write:
    item: int  # 1-based position in the caller's list
    body: Json
    page_id: str | None = None  # set: an update of this page; None: a create
    blocks: list[Json] = field(default_factory=list)  # content appended after a create
    key: Any = None  # the item's key value (upsert), matched against `existing_rows`
    made_since: datetime | None = None  # look for the page before creating it (a ready call)


@dataclass(frozen=True)
class Outcome:
    item: int
    status: Status
    page_id: str | None = None
    reason: str = ""
    again: bool = False  # worth sending again once Notion answers (a lasting fault, not the item)


@dataclass(frozen=True)
class Key:
    """The upsert key: a property's name and type."""

    name: str
    kind: str

    def filter(self, value: Any) -> Json:
        """The rows holding `value` (a look after a lost create; never a unique ID: those are not created)."""
        return {"property": self.name, self.kind: {"equals": value}}


@dataclass
class Existing:
    """The data source's rows by key value."""

    rows: dict[Any, list[Json]] = field(default_factory=dict)


async def existing_rows(gateway: NotionGateway, source_id: str, key: Key) -> Existing:
    """Every row whose key is set, by key value: one query page per 100 rows."""
    found = await collect(
        lambda cursor, size: gateway.query_data_source(
            source_id, {"filter": {"property": key.name, key.kind: {"is_not_empty": True}}}, cursor, size
        ),
        start_cursor=None,
        limit=sys.maxsize,  # pages of 100, collect's most
    )
    if (found.last_page.get("request_status") or {}).get("type") == "incomplete":
        raise InputError(
            f"key: more than 10,000 rows have {key.name} set, past what a Notion query reaches;"
            " upsert cannot tell which exist. Split the data source or create without key."
        )
    existing = Existing()
    for row in found.results:
        value = key_of(key.kind, (row.get("properties") or {}).get(key.name))
        if value is not None:
            existing.rows.setdefault(value, []).append(row)
    return existing


def match(writes: Sequence[Write], key: Key, existing: Existing) -> tuple[list[Write], list[Outcome]]:
    """Creates whose key value exists become updates of that row (or 'unchanged'); a value
    held by several rows, or given twice in the call, fails its item."""
    out: list[Write] = []
    settled: list[Outcome] = []
    seen: dict[Any, int] = {}
    for write in writes:
        value = write.key
        if value is not None and value in seen:
            settled.append(
                Outcome(write.item, "failed", reason=f"{key.name} {value!r} is also item {seen[value]}")
            )
            continue
        if value is not None:
            seen[value] = write.item
        rows = existing.rows.get(value, [])  # never a None key: `existing_rows` indexes set values
        if len(rows) > 1:
            ids = ", ".join(str(r["id"]) for r in rows[:5])
            settled.append(
                Outcome(write.item, "failed", reason=f"{len(rows)} rows have {key.name} {value!r}: {ids}")
            )
        elif rows:
            row = rows[0]
            changes = {k: v for k, v in write.body.items() if k != "parent"}
            if same_values(changes, row):
                settled.append(Outcome(write.item, "unchanged", str(row["id"])))
            else:
                out.append(replace(write, page_id=str(row["id"]), body=changes, made_since=None))
        elif key.kind == "unique_id":
            settled.append(
                Outcome(
                    write.item,
                    "failed",
                    reason=f"no row has {key.name} {value!r} (Notion numbers new rows itself)",
                )
            )
        else:
            out.append(write)
    return out, settled


def key_look(gateway: NotionGateway, source_id: str, key: Key, value: Any) -> Look:
    """After a lost create: the rows holding the key value (none existed before this call)."""

    async def look(body: Json, since: datetime) -> list[str]:
        page = await gateway.query_data_source(source_id, {"filter": key.filter(value)}, page_size=100)
        if page.get("has_more"):
            raise LookUnknown
        return [str(r["id"]) for r in page.get("results") or []]

    return look


def is_lasting(exc: BaseException) -> bool:
    """A fault the retry budget could not wait out: worth stopping the run for."""
    return isinstance(exc, RateLimitedError | TransientError)


@dataclass
class Run:
    gateway: NotionGateway
    look_for: Callable[[Write], Look | None]
    on_progress: Progress | None
    total: int
    outcomes: dict[int, Outcome] = field(default_factory=dict)
    stopped: NotionAPIError | None = None
    done: int = 0

    async def one(self, write: Write) -> Outcome:
        try:
            if write.page_id is not None:
                page = await self.gateway.update_page(write.page_id, write.body)
                return Outcome(write.item, "updated", str(page["id"]))
            page_id, status = await self.create(write)
        except LookUnknown:
            return Outcome(write.item, "unknown", reason="could not tell whether it was made", again=True)
        except NotionAPIError as exc:
            lasting = is_lasting(exc)
            if lasting:
                self.stopped = self.stopped or exc
            status = "unknown" if isinstance(exc, TransientError) and exc.ambiguous else "failed"
            reason = f"{exc.status} {exc.code}: {exc.message}".strip()
            return Outcome(write.item, status, reason=reason, again=lasting)
        return (
            await self.content(write, page_id, status)
            if write.blocks
            else Outcome(write.item, status, page_id)
        )

    async def create(self, write: Write) -> tuple[str, Status]:
        look = self.look_for(write)
        if write.made_since is not None:
            found = await find_made(self.gateway, write.body, write.made_since, look)
            if found is not None:
                return str(found["id"]), "found"
        created = await create_page(self.gateway, write.body, look=look)
        return str(created.page["id"]), "found" if created.found_after else "created"

    async def content(self, write: Write, page_id: str, status: Status) -> Outcome:
        """The new row's content. When it fails the row exists: the item is never sent again (the
        reason says how to add the content), whatever the fault."""
        try:
            await append_tree(self.gateway, page_id, write.blocks)
        except NotionMCPError as exc:
            if isinstance(exc, NotionAPIError) and is_lasting(exc):
                self.stopped = self.stopped or exc
            why = str(exc).splitlines()[0][:200]
            reason = (
                f"the row was made but not all its content ({why}); add it with notion_blocks append"
                f" parent_block_id={compact(page_id)}, not by creating the row again"
            )
            return Outcome(write.item, "failed", page_id, reason=reason)
        return Outcome(write.item, status, page_id)

    async def worker(self, queue: list[Write]) -> None:
        while queue and self.stopped is None:
            write = queue.pop(0)
            outcome = await self.one(write)
            self.outcomes[write.item] = outcome
            self.done += 1
            if self.on_progress is not None:
                where = f" {compact(outcome.page_id)}" if outcome.page_id else ""
                await self.on_progress(self.done, self.total, f"item {outcome.item}: {outcome.status}{where}")


async def run_writes(
    gateway: NotionGateway,
    writes: Sequence[Write],
    *,
    look_for: Callable[[Write], Look | None] = lambda _: None,
    on_progress: Progress | None = None,
    settled: int = 0,
    total: int | None = None,
) -> tuple[list[Outcome], NotionAPIError | None]:
    """Every write's outcome in item order, and the lasting fault that stopped the run (if any)."""
    run = Run(gateway, look_for, on_progress, total or settled + len(writes), done=settled)
    queue = list(writes)
    try:
        async with anyio.create_task_group() as group:
            for _ in range(min(CONCURRENCY, len(queue))):
                group.start_soon(run.worker, queue)
    except anyio.get_cancelled_exc_class():
        done = sorted(run.outcomes.values(), key=lambda o: o.item)
        log.warning(
            "bulk write cancelled after %d of %d items: %s",
            len(done),
            len(writes),
            "; ".join(f"{o.item} {o.status} {o.page_id or ''}".strip() for o in done),
        )
        raise
    rest = [Outcome(w.item, "not_done", again=True) for w in writes if w.item not in run.outcomes]
    return sorted([*run.outcomes.values(), *rest], key=lambda o: o.item), run.stopped
