"""Editing a page in place: read it once, plan every edit (`edit_plan`), then write.

Rule: nothing is written until every edit has been located and planned, and no two edits touch
the same blocks; so a wrong edit changes nothing. Edits run from the last in the page to the
first (an insertion's anchor is always before its own blocks, so later edits never move it),
each edit's new blocks before its trashes (a failure between them loses nothing). The gateway
retries what is safe to repeat; when a write still fails, `EditIncomplete` says which
operations are done and which remain, so the caller can finish with plain block calls.

`if_unchanged_since`: the page and every block read are compared with that time; a later edit
refuses the whole request before any write, naming who edited and when.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import anyio

from notion_mcp.errors import InputError, NotionAPIError, NotionMCPError, TransientError
from notion_mcp.markdown.ids import compact
from notion_mcp.notion.append import PartialAppendError, append_tree
from notion_mcp.notion.edit_plan import Insert, Op, Page, Planned, Planner, Trash, Unit, Update
from notion_mcp.notion.gateway import NotionGateway
from notion_mcp.notion.tree import fetch_tree

Json = dict[str, Any]
Progress = Callable[[int, int | None, str], Awaitable[None]]
Prepare = Callable[[Any], Awaitable[Any]]
MAX_BLOCKS = 20_000
MAX_DEPTH = 50


@dataclass(frozen=True)
class EditSpec:
    """One edit: `old`→`new`, a section under `heading`, or `new` inserted `after`/`before` text."""

    new: str
    old: str | None = None
    heading: str | None = None
    after: str | None = None
    before: str | None = None
    position: str = "replace"


@dataclass
class EditResult:
    updated: int = 0
    inserted: int = 0
    trashed: int = 0
    requests: int = 0


class EditIncomplete(NotionMCPError):
    """A write failed after others succeeded: `done` happened, `remaining` did not."""

    def __init__(self, done: list[Op], remaining: list[Op], cause: NotionMCPError) -> None:
        self.done = done
        self.remaining = remaining
        self.cause = cause
        # the answer to the failed write was lost: it may have happened (repeating it is harmless)
        self.uncertain = isinstance(cause, TransientError) and cause.sent
        super().__init__(
            f"The edit stopped part way: {len(done)} write(s) done, {len(remaining)} not. Cause: {cause}"
        )


class EditedSince(InputError):
    """The page changed after the time the caller read it."""


def _when(text: str, field_name: str) -> datetime:
    try:
        when = datetime.fromisoformat(text)  # Python 3.11 reads a trailing Z
    except ValueError:
        raise InputError(
            f"{field_name}: expected an ISO time such as 2026-03-11T09:30:00.000Z (the last_edited_time "
            f"of a read); got {text!r}."
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)  # no zone: UTC, as Notion's times


def _kind(spec: EditSpec, where: str) -> str:
    given = [name for name in ("old", "heading", "after", "before") if getattr(spec, name) is not None]
    if len(given) != 1:
        raise InputError(
            f"{where}: give exactly one of old (replace text), heading (a section), after or before "
            f"(insert), each with new; got {', '.join(given) or 'none'}."
        )
    return given[0]


def plan(page: Page, specs: list[EditSpec]) -> list[Planned]:
    """Every edit located and planned against the page as read; overlaps refused."""
    planner = Planner(page)
    planned: list[Planned] = []
    for n, spec in enumerate(specs):
        where = f"edits[{n}]"
        kind = _kind(spec, where)
        if kind == "old":
            planned.append(planner.replace(spec.old or "", spec.new, where))
        elif kind == "heading":
            planned.append(planner.section(spec.heading or "", spec.new, spec.position, where))
        else:
            text = spec.after if kind == "after" else spec.before
            planned.append(planner.insert(text or "", spec.new, after=kind == "after", where=where))
        for m, earlier in enumerate(planned[:-1]):
            if earlier.covers & planned[-1].covers:
                raise InputError(
                    f"edits[{m}] and {where} change the same blocks; merge them into one edit. "
                    "Nothing was changed."
                )
    return planned


async def _check_unchanged(gateway: NotionGateway, page_id: str, since: str, units: list[Unit]) -> None:
    limit = _when(since, "if_unchanged_since")
    page = await gateway.retrieve_page(page_id)
    stamps = [(page.get("last_edited_time"), page.get("last_edited_by"), "the page")]
    stamps += [
        (u.block.get("last_edited_time"), u.block.get("last_edited_by"), f"block «{u.text[:40]}»")
        for u in units
    ]
    later = [(datetime.fromisoformat(str(t)), who, what) for t, who, what in stamps if t]  # Notion's
    later = [s for s in later if s[0] > limit]
    if not later:
        return
    when, who, what = max(later, key=lambda s: s[0])
    name = await _user_name(gateway, who)
    raise EditedSince(
        f"The page was edited after {since}: {what} at {when.isoformat().replace('+00:00', 'Z')}"
        f" by {name}. Nothing was changed. Read the page again and redo the edit on what it says now."
    )


async def ensure_unchanged(gateway: NotionGateway, page_id: str, since: str) -> None:
    """The page (its own properties, icon, cover) not edited after `since`, else EditedSince."""
    await _check_unchanged(gateway, page_id, since, [])


async def _user_name(gateway: NotionGateway, who: Any) -> str:
    user_id = str(who.get("id") or "") if isinstance(who, dict) else ""
    if not user_id:
        return "someone"
    try:
        user = await gateway.retrieve_user(user_id)
    except NotionAPIError:
        return f"user {compact(user_id)}"
    return f"{user.get('name') or 'user'} ({compact(user_id)})"


async def read_page(gateway: NotionGateway, page_id: str, on_progress: Progress | None = None) -> Page:
    tree = await fetch_tree(
        gateway, page_id, max_depth=MAX_DEPTH, max_blocks=MAX_BLOCKS, on_progress=on_progress
    )
    if not tree.complete:
        raise InputError(
            f"Page {compact(page_id)} is larger than {MAX_BLOCKS} blocks (or nested deeper than {MAX_DEPTH}):"
            " edit it block by block with notion_blocks. Nothing was changed."
        )
    return Page(page_id, tree.blocks)


async def edit_page(
    gateway: NotionGateway,
    page_id: str,
    specs: list[EditSpec],
    *,
    if_unchanged_since: str | None = None,
    on_progress: Progress | None = None,
    prepare: Prepare | None = None,
) -> EditResult:
    """Apply `specs` to the page (see the module docstring). `prepare` turns what is about to be
    written (new blocks, update bodies) into what is sent — e.g. local files into uploads — after
    every edit is planned and before the first write."""
    start = gateway.requests_sent
    if if_unchanged_since is not None:
        _when(if_unchanged_since, "if_unchanged_since")  # a bad time is refused before any request
    page = await read_page(gateway, page_id, on_progress)
    planned = plan(page, specs)
    if if_unchanged_since is not None:
        await _check_unchanged(gateway, page_id, if_unchanged_since, page.units)
    ops = [op for p in sorted(planned, key=lambda p: -p.first) for op in p.ops]
    if prepare is not None:
        ops = [await _prepared(op, prepare) for op in ops]
    result = EditResult()
    for n, op in enumerate(ops):
        try:
            with anyio.CancelScope(shield=True):  # a write once started is seen through
                await run_op(gateway, op, result)
        except (NotionMCPError, PartialAppendError) as exc:
            if n == 0 and not isinstance(exc, PartialAppendError) and not _maybe_applied(exc):
                raise  # nothing was written: the error as it is
            rest = ops[n + 1 :]
            if isinstance(exc, PartialAppendError):
                if exc.resume is not None:  # else a batch may exist: its message says what to read
                    rest = [Insert(exc.parent_id, _after(exc.resume), list(exc.remaining)), *rest]
                if exc.not_trashed:
                    rest = [*(Trash(b) for b in exc.not_trashed), *rest]
            else:
                rest = [op, *rest]
            raise EditIncomplete(done=ops[:n], remaining=rest, cause=exc) from exc
        if on_progress is not None:
            await on_progress(n + 1, len(ops), f"{n + 1} of {len(ops)} writes")
    result.requests = gateway.requests_sent - start
    return result


async def _prepared(op: Op, prepare: Prepare) -> Op:
    if isinstance(op, Insert):
        return replace(op, blocks=await prepare(op.blocks))
    if isinstance(op, Update):
        return replace(op, body=await prepare(op.body))
    return op


def _maybe_applied(exc: NotionMCPError) -> bool:
    return isinstance(exc, TransientError) and exc.sent


def _after(resume: Json) -> str | None:
    position = resume.get("position") or {}
    if position.get("type") == "after_block":
        return str(position["after_block"]["id"])
    return None


async def run_op(gateway: NotionGateway, op: Op, result: EditResult) -> None:
    """One write; a trash repeated after a lost answer (the block already in the trash) is done."""
    if isinstance(op, Update):
        await gateway.update_block(op.block_id, op.body)
        result.updated += 1
    elif isinstance(op, Trash):
        try:
            await gateway.delete_block(op.block_id)
        except NotionAPIError as exc:  # a repeat after a lost answer meets the block in the trash
            if exc.status != 400 or "archived" not in exc.message.lower():
                raise
        result.trashed += 1
    else:
        position = (
            {"type": "after_block", "after_block": {"id": op.after_id}} if op.after_id else {"type": "start"}
        )
        written = await append_tree(gateway, op.parent_id, op.blocks, position=position)
        result.inserted += len(written.top_level_ids)
