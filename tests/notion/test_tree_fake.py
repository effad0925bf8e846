"""fetch_tree and append_tree through the real gateway, against a small in-memory fake of Notion.

The fake is an `httpx.MockTransport` handler over a dict of blocks. It enforces the append limits
(100 children per array, 3 block levels per request, 1,000 elements), pages lists by 100 with the
next block's ID as cursor, and can inject faults: an HTTP status, a dropped connection or a spoiled
200 answer, before or after the request takes effect (an append may also take effect in part).
Given a clock (`now`, Notion's own), it stamps each block's ``created_time`` cut to the minute.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from notion_mcp.errors import InputError, NotionAPIError
from notion_mcp.notion.gateway import NotionGateway, build_client
from notion_mcp.notion.ids import compact
from notion_mcp.notion.plan import Limits, children_of, plain_text
from notion_mcp.notion.ratelimit import TokenBucket
from notion_mcp.notion.retry import RetryPolicy
from notion_mcp.notion.tree import (
    Cancelled,
    PartialAppendError,
    append_tree,
    fetch_tree,
)

pytestmark = pytest.mark.anyio
Json = dict[str, Any]
PAGE = "11111111-1111-4111-8111-111111111111"


@dataclass
class Fault:
    method: str
    nth: int  # 0-based index among requests of this method (and path kind)
    kind: int | str  # HTTP status, "drop", "refuse" (never sent), or "spoil" (a 200 whose body is `body`)
    when: str = "before"  # "after": the request takes effect, then fails
    kind_path: str = "children"  # "children" or "block"
    body: str = ""
    lands: int | None = None  # an append that takes effect: only its first `lands` children


@dataclass
class FakeNotion:
    blocks: dict[str, Json] = field(default_factory=dict)
    children: dict[str, list[str]] = field(default_factory=dict)
    log: list[tuple[str, str]] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    counts: dict[tuple[str, str], int] = field(default_factory=dict)
    gate: asyncio.Event | None = None
    at_gate: asyncio.Event = field(default_factory=asyncio.Event)  # set when a request waits there
    max_levels: int = 3
    now: datetime | None = None  # Notion's clock: blocks are stamped with it when set
    after: dict[tuple[str, int], Callable[[], None]] = field(default_factory=dict)  # run once served

    def __post_init__(self) -> None:
        self.children.setdefault(PAGE, [])

    # -- building content directly -------------------------------------------------------------
    def add(self, parent: str, block: Json) -> str:
        kids = children_of(block)
        t = block["type"]
        inner = {k: v for k, v in (block.get(t) or {}).items() if k != "children"}
        bid = str(uuid.uuid4())
        self.blocks[bid] = {
            "object": "block",
            "id": bid,
            "type": t,
            t: inner,
            "has_children": False,
            "in_trash": False,
            "parent": {"type": "block_id", "block_id": parent},
        }
        if self.now is not None:
            self.blocks[bid]["created_time"] = self.now.strftime("%Y-%m-%dT%H:%M:00.000Z")
        self.children.setdefault(bid, [])
        self.children.setdefault(parent, []).append(bid)
        for kid in kids:
            self.add(bid, kid)
        return bid

    def live(self, parent: str) -> list[str]:
        return [b for b in self.children.get(parent, []) if not self.blocks[b]["in_trash"]]

    def view(self, block_id: str) -> Json:
        block = dict(self.blocks[block_id])
        block["has_children"] = bool(self.live(block_id))
        return block

    def tree(self, parent: str = PAGE) -> list[Json]:
        """Type, text and children of what is (not trashed) under `parent`."""
        return [
            {"type": self.blocks[b]["type"], "text": plain_text(self.blocks[b]), "children": self.tree(b)}
            for b in self.live(parent)
        ]

    # -- HTTP -------------------------------------------------------------------------------------
    def _fault(self, method: str, kind_path: str) -> Fault | None:
        key = (method, kind_path)
        n = self.counts.get(key, 0)
        self.counts[key] = n + 1
        for fault in self.faults:
            if fault.method == method and fault.kind_path == kind_path and fault.nth == n:
                return fault
        return None

    @staticmethod
    def _error(status: int, code: str = "internal_server_error") -> httpx.Response:
        body = {"object": "error", "status": status, "code": code, "message": code, "request_id": "r"}
        headers = {"retry-after": "1"} if status in (429, 529) else {}
        return httpx.Response(status, json=body, headers=headers)

    async def handler(self, request: httpx.Request) -> httpx.Response:
        parts = request.url.path.strip("/").split("/")  # v1 blocks {id} [children]
        block_id = parts[2]
        kind_path = "children" if len(parts) == 4 else "block"
        self.log.append((request.method, request.url.path))
        if self.gate is not None and request.method == "GET":
            self.at_gate.set()
            await self.gate.wait()
        nth = self.counts.get((request.method, kind_path), 0)
        fault = self._fault(request.method, kind_path)
        if fault is not None and fault.when == "before":
            return self._fail(fault, request)
        if fault is not None and fault.lands is not None:
            body = json.loads(request.content)
            request = httpx.Request(request.method, request.url,
                                    json={**body, "children": body["children"][: fault.lands]})  # fmt: skip
        response = self._serve(request, block_id, kind_path)
        action = self.after.pop((request.method, nth), None)
        if action is not None:
            action()
        if fault is not None and response.status_code == 200:
            return self._fail(fault, request)
        return response

    def _fail(self, fault: Fault, request: httpx.Request) -> httpx.Response:
        if fault.kind == "drop":
            raise httpx.ReadError("connection dropped", request=request)
        if fault.kind == "refuse":  # never sent
            raise httpx.ConnectError("connection refused", request=request)
        if fault.kind == "spoil":
            return httpx.Response(200, content=fault.body.encode())
        assert isinstance(fault.kind, int)
        codes = {
            429: "rate_limited",
            529: "service_overload",
            503: "service_unavailable",
            504: "gateway_timeout",
        }
        return self._error(fault.kind, codes.get(fault.kind, "internal_server_error"))

    def _serve(self, request: httpx.Request, block_id: str, kind_path: str) -> httpx.Response:
        if block_id not in self.children:
            return self._error(404, "object_not_found")
        if kind_path == "block":
            if request.method == "DELETE":
                self.blocks[block_id]["in_trash"] = True
            return httpx.Response(200, json=self.view(block_id))
        if request.method == "GET":
            return self._list(request, block_id)
        return self._append(block_id, json.loads(request.content))

    def _list(self, request: httpx.Request, block_id: str) -> httpx.Response:
        ids = self.live(block_id)
        size = int(request.url.params.get("page_size", 100))
        if not 1 <= size <= 100:  # as Notion answers
            return self._error(400, "validation_error")
        cursor = request.url.params.get("start_cursor")
        start = ids.index(cursor) if cursor else 0
        page = ids[start : start + size]
        more = start + size < len(ids)
        body = {
            "object": "list",
            "results": [self.view(b) for b in page],
            "next_cursor": ids[start + size] if more else None,
            "has_more": more,
        }
        return httpx.Response(200, json=body)

    def _check(self, children: list[Json], level: int) -> int:
        if len(children) > 100:
            raise ValueError("more than 100 children")
        count = 0
        for child in children:
            count += 1
            kids = children_of(child)
            if kids and level >= self.max_levels:
                raise ValueError("too deeply nested")
            count += self._check(kids, level + 1)
        return count

    def _append(self, parent: str, body: Json) -> httpx.Response:
        try:
            if len(json.dumps(body)) > 500_000:
                raise ValueError("body over 500 KB")
            if self._check(body["children"], 1) > 1000:
                raise ValueError("too many elements")
        except ValueError as exc:
            return self._error(400, f"validation_error: {exc}")
        before = list(self.children[parent])
        self.children[parent] = []
        new = [self.add(parent, child) for child in body["children"]]
        position = body.get("position") or {"type": "end"}
        if position["type"] == "start":
            at = 0
        elif position["type"] == "after_block":
            at = before.index(position["after_block"]["id"]) + 1
        else:
            at = len(before)
        self.children[parent] = before[:at] + new + before[at:]
        return httpx.Response(200, json={"object": "list", "results": [self.view(b) for b in new]})


async def _no_sleep(_: float) -> None:
    return None


async def settle(turns: int = 50) -> None:
    """Let every task that can run take its turns: no timing, only the event loop's order."""
    for _ in range(turns):
        await asyncio.sleep(0)


def gateway_for(fake: FakeNotion) -> NotionGateway:
    client = build_client(
        token="ntn_test", notion_version="2026-03-11", base_url="https://api.notion.com",
        transport=httpx.MockTransport(fake.handler),
    )  # fmt: skip
    return NotionGateway(client, TokenBucket(None), RetryPolicy(sleep=_no_sleep, jitter=lambda: 0.0))


# -- content builders ------------------------------------------------------------------------------
_counter = itertools.count()


def para(text: str | None = None, children: list[Json] | None = None, kind: str = "paragraph") -> Json:
    text = text if text is not None else f"block {next(_counter)}"
    inner: Json = {"rich_text": [{"type": "text", "text": {"content": text}}]}
    if children:
        inner["children"] = children
    return {"object": "block", "type": kind, kind: inner}


def nested(depth: int, width: int, prefix: str = "n") -> list[Json]:
    """`width` blocks per level, `depth` levels."""
    if depth == 0:
        return []
    return [para(f"{prefix}.{i}", nested(depth - 1, width, f"{prefix}.{i}")) for i in range(width)]


def shape(blocks: list[Json]) -> list[Json]:
    return [{"type": b["type"], "text": plain_text(b), "children": shape(children_of(b))} for b in blocks]


def count(blocks: list[Json]) -> int:
    return sum(1 + count(children_of(b)) for b in blocks)


# ==== fetch ======================================================================================
async def test_fetch_reads_every_level_and_every_page_in_document_order(anyio_backend: str) -> None:
    fake = FakeNotion()
    content = [para("big", [para(f"c{i}") for i in range(250)]), *nested(4, 3)]
    for block in content:
        fake.add(PAGE, block)
    result = await fetch_tree(gateway_for(fake), PAGE, concurrency=4)
    assert result.complete and not result.unread
    assert shape(result.blocks) == shape(content)
    # the top level, 3 pages of "big", and each block with children once: leaves are never listed
    assert result.requests == len(fake.log) == 1 + 3 + 3 + 9 + 27


async def test_fetch_is_deterministic_whatever_the_arrival_order(anyio_backend: str) -> None:
    fake = FakeNotion()
    for block in nested(3, 5):
        fake.add(PAGE, block)
    original = fake.handler
    rng = iter([0.003, 0.0, 0.001, 0.002] * 100)

    async def jittery(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(next(rng))
        return await original(request)

    fake.handler = jittery  # type: ignore[method-assign]
    first = await fetch_tree(gateway_for(fake), PAGE, max_blocks=60)
    second = await fetch_tree(gateway_for(fake), PAGE, max_blocks=60, concurrency=1)
    assert first.blocks == second.blocks and first.unread == second.unread


async def test_budgets_name_what_was_left_unread(anyio_backend: str) -> None:
    fake = FakeNotion()
    for block in nested(4, 2):
        fake.add(PAGE, block)
    deep = await fetch_tree(gateway_for(fake), PAGE, max_depth=2)
    assert not deep.complete
    assert [(u.reason, u.depth) for u in deep.unread] == [("max_depth", 2)] * 4
    first_unread = deep.blocks[0]["paragraph"]["children"][0]
    assert first_unread["has_children"] is True and "children" not in first_unread["paragraph"]
    assert deep.unread[0].block_id == first_unread["id"]

    small = await fetch_tree(gateway_for(fake), PAGE, max_blocks=2 + 4 + 3)
    # level 1: 2 blocks; level 2: 4 blocks; level 3: one parent (2 children) fits, the next does not.
    assert count(small.blocks) == 2 + 4 + 2
    # document order: the two fetched grandchildren (their children not read), then three parents.
    assert [(u.reason, u.depth) for u in small.unread] == [("max_blocks", 3)] * 2 + [("max_blocks", 2)] * 3


async def test_root_beyond_max_blocks_returns_a_cursor(anyio_backend: str) -> None:
    fake = FakeNotion()
    for i in range(150):
        fake.add(PAGE, para(f"p{i}"))
    gateway = gateway_for(fake)
    first = await fetch_tree(gateway, PAGE, max_blocks=120)
    assert len(first.blocks) == 120 and first.next_cursor and not first.complete
    rest = await fetch_tree(gateway, PAGE, start_cursor=first.next_cursor)
    assert [plain_text(b) for b in first.blocks + rest.blocks] == [f"p{i}" for i in range(150)]


async def test_synced_copies_are_read_from_their_original_and_subpages_are_not_expanded(
    anyio_backend: str,
) -> None:
    fake = FakeNotion()
    original = fake.add(PAGE, {"type": "synced_block", "synced_block": {"synced_from": None}})
    fake.add(original, para("shared text"))
    copy = fake.add(PAGE, {"type": "synced_block", "synced_block": {"synced_from": {"block_id": original}}})
    sub = fake.add(PAGE, {"type": "child_page", "child_page": {"title": "Sub"}})
    fake.add(sub, para("inside the subpage"))
    db = fake.add(PAGE, {"type": "child_database", "child_database": {"title": "Tasks"}})
    fake.add(db, {"type": "child_page", "child_page": {"title": "a row"}})
    result = await fetch_tree(gateway_for(fake), PAGE)
    by_id = {b["id"]: b for b in result.blocks}
    assert plain_text(by_id[copy]["synced_block"]["children"][0]) == "shared text"
    assert "children" not in by_id[sub]["child_page"] and result.complete
    assert "children" not in by_id[db]["child_database"]
    assert ("GET", f"/v1/blocks/{sub}/children") not in fake.log
    assert ("GET", f"/v1/blocks/{db}/children") not in fake.log


async def test_a_synced_copy_whose_original_cannot_be_read_is_named_not_fatal(anyio_backend: str) -> None:
    fake = FakeNotion()
    gone = "22222222-2222-4222-8222-222222222222"
    copy = fake.add(PAGE, {"type": "synced_block", "synced_block": {"synced_from": {"block_id": gone}}})
    fake.add(PAGE, para("after"))
    result = await fetch_tree(gateway_for(fake), PAGE)
    assert [(u.block_id, u.reason) for u in result.unread] == [(copy, "inaccessible")]
    assert not result.complete and "children" not in result.blocks[0]["synced_block"]


async def test_a_404_listing_a_blocks_own_children_is_an_error_not_inaccessible(anyio_backend: str) -> None:
    fake = FakeNotion()
    for block in nested(2, 2):
        fake.add(PAGE, block)
    fake.faults = [Fault("GET", 1, 404)]  # the first child's children: gone in between
    with pytest.raises(NotionAPIError) as caught:
        await fetch_tree(gateway_for(fake), PAGE, concurrency=1)
    assert caught.value.status == 404


async def test_a_block_whose_children_turn_out_empty_still_costs_one_in_the_budget(
    anyio_backend: str,
) -> None:
    fake = FakeNotion()
    elsewhere = "33333333-3333-4333-8333-333333333333"
    fake.children[elsewhere] = []
    originals = [fake.add(elsewhere, {"type": "synced_block", "synced_block": {"synced_from": None}})
                 for _ in range(3)]  # fmt: skip
    for original in originals:  # copies of empty originals: each is listed, and lists nothing
        fake.add(PAGE, {"type": "synced_block", "synced_block": {"synced_from": {"block_id": original}}})
    result = await fetch_tree(gateway_for(fake), PAGE, max_blocks=4)
    assert [u.reason for u in result.unread] == ["max_blocks", "max_blocks"]


async def test_progress_is_reported_as_pages_arrive(anyio_backend: str) -> None:
    fake = FakeNotion()
    for block in nested(2, 3):
        fake.add(PAGE, block)
    seen: list[int] = []

    async def progress(done: int, total: int | None, message: str) -> None:
        seen.append(done)

    await fetch_tree(gateway_for(fake), PAGE, on_progress=progress)
    assert seen == sorted(seen) and seen[-1] == 12


async def test_cancelling_a_fetch_stops_every_request(anyio_backend: str) -> None:
    fake = FakeNotion()
    for block in nested(3, 4):
        fake.add(PAGE, block)
    fake.gate = asyncio.Event()
    task = asyncio.create_task(fetch_tree(gateway_for(fake), PAGE))
    await fake.at_gate.wait()
    await settle()
    assert len(fake.log) == 1  # the root listing waits at the gate
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    fake.gate.set()
    await settle()
    assert len(fake.log) == 1


async def test_cancelling_while_siblings_are_in_flight_cancels_them_all(anyio_backend: str) -> None:
    fake = FakeNotion()
    for block in nested(2, 6):
        fake.add(PAGE, block)
    original = fake.handler
    started = asyncio.Event()
    blocker = asyncio.Event()

    arrived: list[str] = []

    async def slow_children(request: httpx.Request) -> httpx.Response:
        arrived.append(request.url.path)
        if PAGE not in request.url.path:
            started.set()
            await blocker.wait()
        return await original(request)

    fake.handler = slow_children  # type: ignore[method-assign]
    gateway = gateway_for(fake)
    tasks_before = len(asyncio.all_tasks())
    task = asyncio.create_task(fetch_tree(gateway, PAGE, concurrency=3))
    await started.wait()
    await settle()
    assert len(arrived) == 1 + 3  # the root, then at most `concurrency` siblings
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    blocker.set()
    await settle()
    assert len(arrived) == 1 + 3 and len(fake.log) == 1  # nothing new, and none served
    assert len(asyncio.all_tasks()) == tasks_before


async def test_cancel_check_stops_before_the_next_request(anyio_backend: str) -> None:
    fake = FakeNotion()
    for block in nested(2, 3):
        fake.add(PAGE, block)
    calls = {"n": 0}

    def stop_after_two() -> bool:
        calls["n"] += 1
        return calls["n"] > 2

    with pytest.raises(Cancelled, match="no further request was made"):
        await fetch_tree(gateway_for(fake), PAGE, cancel_check=stop_after_two, concurrency=1)
    assert len(fake.log) == 2


# ==== append =====================================================================================
async def test_append_of_a_big_deep_tree_keeps_content_and_order(anyio_backend: str) -> None:
    fake = FakeNotion()
    content = [*nested(5, 3), *[para(f"flat {i}") for i in range(230)], para("wide", nested(2, 120))]
    seen: list[int] = []

    async def progress(done: int, total: int | None, message: str) -> None:
        seen.append(done)

    result = await append_tree(gateway_for(fake), PAGE, content, on_progress=progress)
    assert fake.tree() == shape(content)
    assert result.top_level_ids == fake.live(PAGE)
    assert result.blocks_written == count(content) == seen[-1]
    assert result.requests == len(fake.log)


async def test_append_after_a_block_keeps_later_batches_in_order(anyio_backend: str) -> None:
    fake = FakeNotion()
    first = fake.add(PAGE, para("first"))
    fake.add(PAGE, para("last"))
    content = [para(f"mid {i}") for i in range(150)]
    position = {"type": "after_block", "after_block": {"id": first}}
    await append_tree(gateway_for(fake), PAGE, content, position=position)
    assert [t["text"] for t in fake.tree()] == ["first", *[f"mid {i}" for i in range(150)], "last"]


async def test_append_at_start_keeps_order(anyio_backend: str) -> None:
    fake = FakeNotion()
    fake.add(PAGE, para("old"))
    content = [para(f"new {i}") for i in range(120)]
    await append_tree(gateway_for(fake), PAGE, content, position={"type": "start"})
    assert [t["text"] for t in fake.tree()] == [*[f"new {i}" for i in range(120)], "old"]


async def test_too_long_text_is_refused_before_any_request(anyio_backend: str) -> None:
    fake = FakeNotion()
    with pytest.raises(InputError, match="2000"):
        await append_tree(gateway_for(fake), PAGE, [para("ok"), para("x" * 2001)])
    many = {
        "type": "paragraph",
        "paragraph": {"rich_text": [{"type": "text", "text": {"content": "a"}}] * 101},
    }
    with pytest.raises(InputError, match="100"):
        await append_tree(gateway_for(fake), PAGE, [many])
    assert fake.log == []


# -- faults ---------------------------------------------------------------------------------------
async def test_an_append_that_landed_before_failing_is_not_repeated(anyio_backend: str) -> None:
    fake = FakeNotion()
    fake.faults = [Fault("PATCH", 0, 500, when="after")]
    content = [para(f"p{i}") for i in range(150)]
    result = await append_tree(gateway_for(fake), PAGE, content)
    assert fake.tree() == shape(content)
    assert result.top_level_ids == fake.live(PAGE)


async def test_an_append_that_did_not_land_is_sent_again(anyio_backend: str) -> None:
    fake = FakeNotion()
    fake.faults = [Fault("PATCH", 1, "drop", when="before")]
    content = nested(4, 2)
    await append_tree(gateway_for(fake), PAGE, content)
    assert fake.tree() == shape(content)


async def test_a_failure_that_cannot_be_passed_leaves_a_prefix_and_a_resume_call(anyio_backend: str) -> None:
    fake = FakeNotion()
    existing = fake.add(PAGE, para("before"))
    content = [para("a"), para("b", nested(4, 2)), para("c")]
    # the first PATCH writes a, b (with 2 levels), c; the third (deeper under b) fails for good.
    fake.faults = [Fault("PATCH", n, 400) for n in range(2, 10)]
    gateway = gateway_for(fake)
    with pytest.raises(PartialAppendError) as caught:
        await append_tree(
            gateway, PAGE, content, position={"type": "after_block", "after_block": {"id": existing}}
        )
    error = caught.value
    assert [t["text"] for t in fake.tree()] == ["before", "a"]
    assert error.written_count == 1 and error.remaining_count == 2 and not error.not_trashed
    assert error.resume["position"] == {"type": "after_block", "after_block": {"id": error.written_ids[-1]}}
    fake.faults = []
    await append_tree(gateway, error.resume["parent_block_id"], error.resume["children"],
                      position=error.resume["position"])  # fmt: skip
    assert fake.tree()[1:] == shape(content)


async def test_a_failure_before_anything_was_written_raises_the_original_error(anyio_backend: str) -> None:
    fake = FakeNotion()
    fake.faults = [Fault("PATCH", 0, 400)]
    with pytest.raises(NotionAPIError) as caught:
        await append_tree(gateway_for(fake), PAGE, [para("a")])
    assert not isinstance(caught.value, PartialAppendError) and fake.tree() == []


async def test_a_lost_append_is_not_mistaken_for_a_later_sibling_of_the_same_type(anyio_backend: str) -> None:
    fake = FakeNotion()
    first = fake.add(PAGE, para("first"))
    fake.add(PAGE, para("last"))  # a paragraph right where the lost one would have landed
    fake.faults = [Fault("PATCH", 0, "drop", when="before")]
    position = {"type": "after_block", "after_block": {"id": first}}
    await append_tree(gateway_for(fake), PAGE, [para("mid")], position=position)
    assert [t["text"] for t in fake.tree()] == ["first", "mid", "last"]


async def test_a_lost_top_level_batch_is_sent_whole_even_if_its_start_matches_what_follows(
    anyio_backend: str,
) -> None:
    fake = FakeNotion()
    first = fake.add(PAGE, para("first"))
    fake.add(PAGE, para("a"))  # the caller's own block, equal to the batch's first one
    fake.faults = [Fault("PATCH", 0, "drop", when="before")]
    position = {"type": "after_block", "after_block": {"id": first}}
    await append_tree(gateway_for(fake), PAGE, [para("a"), para("b")], position=position)
    assert [t["text"] for t in fake.tree()] == ["first", "a", "b", "a"]


async def test_requests_stay_under_500_kb_whatever_the_block_count(anyio_backend: str) -> None:
    fake = FakeNotion()
    item = {"type": "text", "text": {"content": "x" * 2000}}
    heavy = [
        {"type": "paragraph", "paragraph": {"rich_text": [item] * 100}} for _ in range(5)
    ]  # about 200 KB each: five fit in one request by count, not by size
    result = await append_tree(gateway_for(fake), PAGE, heavy)
    assert len(fake.live(PAGE)) == 5
    assert result.requests == len(fake.log) >= 3


# ==== fetch: edges =================================================================================
async def test_each_later_page_of_the_top_level_listing_says_where_it_began(anyio_backend: str) -> None:
    fake = FakeNotion()
    ids = [fake.add(PAGE, para(f"p{i}")) for i in range(300)]
    gateway = gateway_for(fake)
    whole = await fetch_tree(gateway, PAGE)
    assert whole.page_starts == [(100, ids[100]), (200, ids[200])]
    first = await fetch_tree(gateway, PAGE, max_blocks=150)
    assert first.page_starts == [(100, ids[100])] and first.next_cursor == ids[150]
    resumed = await fetch_tree(gateway, PAGE, start_cursor=first.next_cursor)
    assert resumed.page_starts == [(100, ids[250])]  # the cursor it was given is not a new start
    assert [plain_text(b) for b in resumed.blocks] == [f"p{i}" for i in range(150, 300)]


async def test_a_budget_filled_exactly_reads_everything_that_fits(anyio_backend: str) -> None:
    fake = FakeNotion()
    for block in nested(3, 2):  # 2 + 4 + 8 blocks
        fake.add(PAGE, block)
    exact = await fetch_tree(gateway_for(fake), PAGE, max_blocks=14)
    assert exact.complete and count(exact.blocks) == 14
    short = await fetch_tree(gateway_for(fake), PAGE, max_blocks=13)
    assert count(short.blocks) == 12 and [u.reason for u in short.unread] == ["max_blocks"]


async def test_the_smallest_budgets_are_allowed_and_below_them_an_error_names_both(
    anyio_backend: str,
) -> None:
    fake = FakeNotion()
    for block in nested(2, 2):
        fake.add(PAGE, block)
    one = await fetch_tree(gateway_for(fake), PAGE, max_depth=1, max_blocks=1)
    assert [plain_text(b) for b in one.blocks] == ["n.0"] and one.next_cursor
    assert [(u.reason, u.depth) for u in one.unread] == [("max_depth", 1)]
    for bad in ({"max_depth": 0}, {"max_blocks": 0}):
        with pytest.raises(InputError, match="max_depth and max_blocks must be at least 1"):
            await fetch_tree(gateway_for(fake), PAGE, **bad)
    assert len(fake.log) == 1


async def test_the_default_depth_reads_ten_levels(anyio_backend: str) -> None:
    fake = FakeNotion()
    fake.add(PAGE, nested(11, 1)[0])
    result = await fetch_tree(gateway_for(fake), PAGE)
    assert [(u.reason, u.depth) for u in result.unread] == [("max_depth", 10)]
    assert result.requests == 10


async def test_a_listing_that_says_more_but_gives_no_cursor_ends_there(anyio_backend: str) -> None:
    fake = FakeNotion()
    parent = fake.add(PAGE, para("parent", [para("only child")]))
    original = fake.handler

    async def no_cursor(request: httpx.Request) -> httpx.Response:
        response = await original(request)
        if parent in request.url.path:
            body = json.loads(response.content)
            return httpx.Response(200, json={**body, "has_more": True, "next_cursor": None})
        return response

    fake.handler = no_cursor  # type: ignore[method-assign]
    result = await fetch_tree(gateway_for(fake), PAGE)
    assert shape(result.blocks) == shape([para("parent", [para("only child")])]) and result.complete
    assert len(fake.log) == 2  # not read again from the start


@pytest.mark.parametrize("concurrency", [1, 0])
async def test_one_request_at_a_time_when_concurrency_is_one_or_less(
    anyio_backend: str, concurrency: int
) -> None:
    fake = FakeNotion()
    for block in nested(2, 4):
        fake.add(PAGE, block)
    original = fake.handler
    in_flight = [0, 0]  # now, most

    async def counting(request: httpx.Request) -> httpx.Response:
        in_flight[0] += 1
        in_flight[1] = max(in_flight)
        await settle(5)
        in_flight[0] -= 1
        return await original(request)

    fake.handler = counting  # type: ignore[method-assign]
    result = await fetch_tree(gateway_for(fake), PAGE, concurrency=concurrency)
    assert result.complete and in_flight[1] == 1


async def test_progress_counts_the_blocks_read_so_far(anyio_backend: str) -> None:
    fake = FakeNotion()
    for block in nested(2, 3):
        fake.add(PAGE, block)
    seen: list[tuple[int, int | None, str]] = []

    async def progress(done: int, total: int | None, message: str) -> None:
        seen.append((done, total, message))

    await fetch_tree(gateway_for(fake), PAGE, on_progress=progress, concurrency=1)
    assert seen == [(n, None, f"read {n} blocks") for n in (3, 6, 9, 12)]


# ==== append: what a failure says =================================================================
async def test_a_failure_part_way_names_what_exists_its_cause_and_what_is_left(anyio_backend: str) -> None:
    fake = FakeNotion()
    content = [para("a"), para("b", nested(4, 2)), para("c")]
    fake.faults = [Fault("PATCH", n, 400) for n in range(2, 10)]  # deeper under b: refused for good
    fake.faults += [Fault("DELETE", n, 400, kind_path="block") for n in (0, 1)]  # b, c cannot be trashed
    with pytest.raises(PartialAppendError) as caught:
        await append_tree(gateway_for(fake), PAGE, content)
    error = caught.value
    a, b, c = fake.children[PAGE]
    assert [t["text"] for t in fake.tree()] == ["a", "b", "c"]
    assert (error.parent_id, error.written_ids, error.not_trashed) == (PAGE, [a], [b, c])
    assert error.remaining == content[1:] and error.cause.status == 400 and not error.uncertain
    assert error.requests == len(fake.log)
    assert str(error) == (
        "The append stopped part way. Certain: 1 top-level block(s) exist, complete "
        f"(the last is {compact(a)}).\n"
        "Cause: Notion error 400 internal_server_error: internal_server_error\n"
        f"Incomplete blocks that could not be trashed (trash them first): {compact(b)}, {compact(c)}\n"
        "Not written: the other 2 top-level block(s).\n"
        "To finish, call notion_blocks append with the arguments in `resume`."
    )


async def test_a_failure_with_nothing_kept_says_so_and_resumes_at_the_callers_position(
    anyio_backend: str,
) -> None:
    fake = FakeNotion()
    first = fake.add(PAGE, para("first"))
    content = [para("b", nested(4, 2))]
    fake.faults = [Fault("PATCH", n, 400) for n in range(2, 10)]
    position = {"type": "after_block", "after_block": {"id": first}}
    with pytest.raises(PartialAppendError) as caught:
        await append_tree(gateway_for(fake), PAGE, content, position=position)
    error = caught.value
    assert error.written_ids == [] and error.resume == {
        "parent_block_id": PAGE, "children": content, "position": position,
    }  # fmt: skip
    assert str(error).startswith(
        "The append stopped part way. Certain: 0 top-level block(s) exist, complete.\n"
    )
    assert [t["text"] for t in fake.tree()] == ["first"]


def lost_and_unreadable(fake: FakeNotion, nth: int) -> None:
    """The `nth` append lands but its answer is lost, and every read back fails."""
    fake.faults = [Fault("PATCH", nth, "drop", when="after"), *(Fault("GET", n, 500) for n in range(100))]


async def test_a_lost_batch_that_cannot_be_read_back_is_described_without_a_resume(
    anyio_backend: str,
) -> None:
    fake = FakeNotion()
    long_words = "opening  words\nof a rather long paragraph, cut at forty characters"
    content = [*(para(f"p{i}") for i in range(100)), para(long_words), *(para(f"q{i}") for i in range(98)),
               {"type": "divider", "divider": {}}, *(para(f"r{i}") for i in range(50))]  # fmt: skip
    lost_and_unreadable(fake, 1)
    with pytest.raises(PartialAppendError) as caught:
        await append_tree(gateway_for(fake), PAGE, content)
    error = caught.value
    last = error.written_ids[-1]
    assert error.uncertain and error.resume is None and len(error.written_ids) == 100
    where = f"right after block {compact(last)}"
    assert str(error).split("\n", 2)[2] == (
        "Uncertain: top-level blocks 101 to 200 of the 250 given (from a paragraph "
        f'"opening words of a rather long paragraph…" to a divider) may or may not exist {where}: '
        "Notion's answer was lost and reading back failed too. If they exist they may lack their nested "
        "blocks. Not written: the 50 top-level block(s) after them.\n"
        f"To settle it, read: notion_blocks retrieve block_id={compact(PAGE)} include_children=true "
        "block_ids=true. "
        "Trash any of those blocks found there (notion_blocks delete), then append the content from "
        f"top-level block 101 on {where}. Do not repeat the append blindly: it could write them twice."
    )


async def test_a_lost_first_batch_says_where_the_append_was_to_go(anyio_backend: str) -> None:
    fake = FakeNotion()
    lost_and_unreadable(fake, 0)
    with pytest.raises(PartialAppendError) as caught:
        await append_tree(gateway_for(fake), PAGE, [para("x" * 40), para("y" * 41)])
    text = str(caught.value)
    assert caught.value.uncertain and caught.value.written_ids == []
    assert (
        f'(from a paragraph "{"x" * 40}" to a paragraph "{"y" * 40}…") may or may not exist where the append'
        " was to go" in text
    )


# ==== append: read-back after a lost answer, at every kind of place ================================
@pytest.mark.parametrize("nth", [0, 1, 2, 3])
@pytest.mark.parametrize("when", ["before", "after"])
async def test_a_lost_answer_at_any_request_ends_with_the_content_exactly_once(
    anyio_backend: str, nth: int, when: str
) -> None:
    fake = FakeNotion()
    fake.add(PAGE, para("x"))
    content = nested(4, 2)  # a top-level request, then requests under nested blocks
    fake.faults = [Fault("PATCH", nth, "drop", when=when)]
    await append_tree(gateway_for(fake), PAGE, content)
    assert fake.tree() == shape([para("x"), *content])


@pytest.mark.parametrize(("when", "made"), [("before", ["x", "x"]), ("after", ["x", "x"])])
async def test_a_lost_answer_at_the_end_is_not_taken_for_an_equal_older_ending(
    anyio_backend: str, when: str, made: list[str]
) -> None:
    """The page already ends with the block being appended (made long ago): a lost answer is read
    back, and that old block is not taken for the new one (the append would be lost silently)."""
    fake = FakeNotion()
    old = fake.add(PAGE, para("x"))
    fake.blocks[old]["created_time"] = "2020-01-01T00:00:00.000Z"
    fake.faults = [Fault("PATCH", 0, "drop", when=when)]
    await append_tree(gateway_for(fake), PAGE, [para("x")])
    assert [t["text"] for t in fake.tree()] == made


@pytest.mark.parametrize("when", ["before", "after"])
async def test_a_lost_answer_at_the_start_of_the_page_is_read_back_there(
    anyio_backend: str, when: str
) -> None:
    fake = FakeNotion()
    fake.add(PAGE, para("x"))
    fake.faults = [Fault("PATCH", 0, "drop", when=when)]
    await append_tree(gateway_for(fake), PAGE, [para("a"), para("b")], position={"type": "start"})
    assert [t["text"] for t in fake.tree()] == ["a", "b", "x"]


# ==== append: spoiled answers, places that vanish, blocks others add, clocks ========================
LOCAL = datetime(2026, 12, 2, 12, 0, 30, 500, tzinfo=UTC)  # our clock when the append runs


def texts(fake: FakeNotion, parent: str = PAGE) -> list[str]:
    return [plain_text(fake.blocks[b]) for b in fake.live(parent)]


SPOILED = {
    "no results": '{"object": "list"}',
    "results not a list": '{"object": "list", "results": {"id": "x"}}',
    "blocks without an ID": '{"object": "list", "results": [{"object": "block"}, {"object": "block"}]}',
    "an empty ID": '{"object": "list", "results": [{"id": ""}, {"id": ""}]}',
    "an ID not a string": '{"object": "list", "results": [{"id": 7}, {"id": 8}]}',
    "one block of two": '{"object": "list", "results": [{"id": "x"}]}',
    "blocks not objects": '{"object": "list", "results": ["x", "y"]}',
    "not JSON": '{"object": "list", "results": [{"object": "bl',
}


@pytest.mark.parametrize("body", SPOILED.values(), ids=SPOILED.keys())
async def test_a_spoiled_answer_to_an_append_that_landed_is_read_back_not_repeated(
    anyio_backend: str, body: str
) -> None:
    fake = FakeNotion()
    fake.add(PAGE, para("x"))
    fake.faults = [Fault("PATCH", 0, "spoil", when="after", body=body)]
    result = await append_tree(gateway_for(fake), PAGE, [para("a"), para("b")])
    assert texts(fake) == ["x", "a", "b"]
    assert result.top_level_ids == fake.live(PAGE)[1:]  # the IDs read back, not the answer's


async def test_answers_that_keep_coming_back_spoiled_end_with_that_cause_and_nothing_written(
    anyio_backend: str,
) -> None:
    fake = FakeNotion()
    fake.faults = [Fault("PATCH", n, "spoil", body='{"object": "list", "results": []}') for n in range(3)]
    with pytest.raises(NotionAPIError) as caught:
        await append_tree(gateway_for(fake), PAGE, [para("a")])
    error = caught.value
    assert not isinstance(error, PartialAppendError)
    assert (error.status, error.code, error.message) == (
        200, "invalid_response", "Notion's answer to an append lacks the new blocks.",
    )  # fmt: skip
    assert not getattr(error, "ambiguous", True)  # read back each time: certainly not written
    assert [m for m, _ in fake.log] == ["PATCH", "GET"] * 3 and texts(fake) == []


@pytest.mark.parametrize("when", ["before", "after"])
async def test_a_lost_answer_with_the_end_asked_for_by_name_is_read_back_at_the_end(
    anyio_backend: str, when: str
) -> None:
    fake = FakeNotion()
    fake.add(PAGE, para("x"))
    fake.faults = [Fault("PATCH", 0, "drop", when=when)]
    await append_tree(gateway_for(fake), PAGE, [para("a"), para("b")], position={"type": "end"})
    assert texts(fake) == ["x", "a", "b"]


@pytest.mark.parametrize("when", ["before", "after"])
async def test_a_lost_answer_under_a_long_page_reads_back_every_page_of_it(
    anyio_backend: str, when: str
) -> None:
    fake = FakeNotion()
    for i in range(150):
        fake.add(PAGE, para(f"old {i}"))
    fake.faults = [Fault("PATCH", 0, "drop", when=when)]
    await append_tree(gateway_for(fake), PAGE, [para("a")])
    assert texts(fake) == [*(f"old {i}" for i in range(150)), "a"]
    assert [m for m, _ in fake.log].count("GET") == 2  # the read-back: two pages of 100


@pytest.mark.parametrize("when", ["before", "after"])
async def test_a_lost_later_batch_is_read_back_right_after_the_last_block_written(
    anyio_backend: str, when: str
) -> None:
    fake = FakeNotion()
    first = fake.add(PAGE, para("first"))
    fake.add(PAGE, para("last"))
    content = [para(f"p{i}") for i in range(150)]
    fake.faults = [Fault("PATCH", 1, "drop", when=when)]
    position = {"type": "after_block", "after_block": {"id": first}}
    result = await append_tree(gateway_for(fake), PAGE, content, position=position)
    assert texts(fake) == ["first", *(f"p{i}" for i in range(150)), "last"]
    assert result.top_level_ids == fake.live(PAGE)[1:-1]


@pytest.mark.parametrize("when", ["before", "after"])
async def test_a_lost_later_batch_is_not_taken_for_an_equal_older_block_that_follows(
    anyio_backend: str, when: str
) -> None:
    """Later batches go right after the last block written, before the caller's later blocks; one of
    those, older and equal to the lost batch, is not taken for it (the batch would be lost silently)."""
    fake = FakeNotion(now=LOCAL - timedelta(hours=1))
    first = fake.add(PAGE, para("first"))
    fake.add(PAGE, para("x"))  # the caller's, made an hour ago
    fake.now = LOCAL
    content = [*(para(f"p{i}") for i in range(100)), para("x")]
    fake.faults = [Fault("PATCH", 1, "drop", when=when)]
    position = {"type": "after_block", "after_block": {"id": first}}
    await append_tree(gateway_for(fake), PAGE, content, position=position, now=lambda: LOCAL)
    assert texts(fake) == ["first", *(f"p{i}" for i in range(100)), "x", "x"]


@pytest.mark.parametrize("second", [True, False])
async def test_a_place_that_vanishes_before_the_read_back_leaves_the_batch_uncertain(
    anyio_backend: str, second: bool
) -> None:
    """The block the lost batch was to follow (the caller's anchor, or the last block written) is
    trashed by someone else meanwhile: where to look is unknown, so the batch is uncertain."""
    fake = FakeNotion()
    first = fake.add(PAGE, para("first"))
    nth = 1 if second else 0
    fake.faults = [Fault("PATCH", nth, "drop", when="after")]

    def trash_the_place() -> None:
        place = fake.live(PAGE)[100] if second else first  # the first batch's last block, or the anchor
        fake.blocks[place]["in_trash"] = True

    fake.after[("PATCH", nth)] = trash_the_place
    position = {"type": "after_block", "after_block": {"id": first}}
    content = [para(f"p{i}") for i in range(150)]
    with pytest.raises(PartialAppendError) as caught:
        await append_tree(gateway_for(fake), PAGE, content, position=position)
    error = caught.value
    assert error.uncertain and error.resume is None and error.written_count == 100 * nth
    assert (error.cause.status, error.cause.code, error.cause.message) == (
        0, "unexpected_content", "Could not find where the batch should be.",
    )  # fmt: skip
    assert f"Uncertain: top-level blocks {100 * nth + 1} to " in str(error)


def wide_under_one_block() -> list[Json]:
    """One top-level block whose 250 children take three requests under it (after its own)."""
    kids = [para("w", [para(f"c{i}", [para("d")]) for i in range(3)]), *(para(f"x{i}") for i in range(249))]
    return [para("t", kids)]


@pytest.mark.parametrize("when", ["before", "after"])
async def test_a_lost_third_request_under_one_block_is_read_back_after_the_first_two(
    anyio_backend: str, when: str
) -> None:
    fake = FakeNotion()
    content = wide_under_one_block()
    fake.faults = [Fault("PATCH", 3, "drop", when=when)]  # the page's, then three under "t"
    await append_tree(gateway_for(fake), PAGE, content)
    assert fake.tree() == shape(content)


async def test_an_append_under_a_block_that_takes_effect_in_part_is_finished_not_repeated(
    anyio_backend: str,
) -> None:
    """Under a block this append made, a batch that landed in part (twice) is taken up where it
    stopped: only the missing blocks are sent again."""
    fake = FakeNotion()
    content = wide_under_one_block()
    fake.faults = [
        Fault("PATCH", 3, "drop", when="after", lands=20),
        Fault("PATCH", 4, "drop", when="after", lands=10),
    ]
    result = await append_tree(gateway_for(fake), PAGE, content)
    assert fake.tree() == shape(content)
    assert result.blocks_written == count(content)


async def test_connection_refusals_past_the_gateways_retries_are_sent_again(anyio_backend: str) -> None:
    fake = FakeNotion()
    fake.faults = [Fault("PATCH", n, "refuse") for n in range(5)]  # the gateway's first try and 4 retries
    await append_tree(gateway_for(fake), PAGE, [para("a")])
    assert texts(fake) == ["a"] and [m for m, _ in fake.log] == ["PATCH"] * 6  # no read-back: never sent


async def test_progress_says_how_many_blocks_of_all_are_written(anyio_backend: str) -> None:
    fake = FakeNotion()
    content = wide_under_one_block()  # 1 + 250 + 6 blocks in four requests
    seen: list[tuple[int, int | None, str]] = []

    async def progress(done: int, total: int | None, message: str) -> None:
        seen.append((done, total, message))

    await append_tree(gateway_for(fake), PAGE, content, on_progress=progress)
    assert seen == [(n, 257, f"wrote {n} of 257 blocks") for n in (1, 107, 207, 257)]


async def test_the_limits_given_are_the_ones_kept(anyio_backend: str) -> None:
    fake = FakeNotion()
    result = await append_tree(gateway_for(fake), PAGE, [para(f"p{i}") for i in range(25)],
                               limits=Limits(max_children=10))  # fmt: skip
    assert texts(fake) == [f"p{i}" for i in range(25)] and result.requests == 3


def under_first_block(fake: FakeNotion, change: Callable[[list[str]], None]) -> None:
    """After the first request, `change` the children of the first top-level block (someone else)."""
    fake.after[("PATCH", 0)] = lambda: change(fake.live(fake.live(PAGE)[0]))


async def test_a_block_someone_adds_after_ours_does_not_stop_the_look_up_of_our_ids(
    anyio_backend: str,
) -> None:
    fake = FakeNotion()
    content = nested(5, 2)  # the blocks under the first one's children are found by listing them
    under_first_block(fake, lambda kids: fake.add(fake.blocks[kids[0]]["parent"]["block_id"], para("theirs")))
    await append_tree(gateway_for(fake), PAGE, content)
    expected = shape(content)
    expected[0]["children"].append({"type": "paragraph", "text": "theirs", "children": []})
    assert fake.tree() == expected


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("edit", "The written blocks do not read back as sent."),
        ("trash", "A written block is missing when read back."),
    ],
)
async def test_blocks_changed_by_someone_else_before_their_ids_are_read_stop_the_append_cleanly(
    anyio_backend: str, change: str, message: str
) -> None:
    """A block whose ID is read by listing its parent was edited (or its later sibling trashed)
    meanwhile: the append stops, what it wrote is trashed, and the cause says why."""
    fake = FakeNotion()

    def edit_or_trash(kids: list[str]) -> None:
        if change == "edit":
            fake.blocks[kids[0]]["paragraph"]["rich_text"] = [{"type": "text", "text": {"content": "theirs"}}]
        else:
            fake.blocks[kids[-1]]["in_trash"] = True

    under_first_block(fake, edit_or_trash)
    with pytest.raises(PartialAppendError) as caught:
        await append_tree(gateway_for(fake), PAGE, nested(5, 2))
    error = caught.value
    assert (error.cause.status, error.cause.code, error.cause.message) == (0, "unexpected_content", message)
    assert error.written_count == 0 and not error.not_trashed and fake.tree() == []


@pytest.mark.parametrize("ago", [timedelta(seconds=40), timedelta(minutes=1, seconds=29)])
async def test_our_own_batch_is_known_when_notions_clock_is_up_to_a_minute_behind(
    anyio_backend: str, ago: timedelta
) -> None:
    """Notion cuts created_time to the minute and its clock may lag ours: at 12:00:30 here, a batch
    stamped 11:59 may be ours, so a lost answer read back finds it landed (not sent twice)."""
    fake = FakeNotion(now=LOCAL - ago)  # stamps 11:59 either way
    fake.add(PAGE, para("x"))
    fake.faults = [Fault("PATCH", 0, "drop", when="after")]
    await append_tree(gateway_for(fake), PAGE, [para("a")], now=lambda: LOCAL)
    assert texts(fake) == ["x", "a"]


async def test_an_equal_block_stamped_a_minute_before_the_slack_is_the_callers(anyio_backend: str) -> None:
    fake = FakeNotion(now=LOCAL - timedelta(minutes=1, seconds=31))  # stamped 11:58
    fake.add(PAGE, para("a"))
    fake.faults = [Fault("PATCH", 0, "drop")]  # not written: the "a" at the end is the caller's
    await append_tree(gateway_for(fake), PAGE, [para("a")], now=lambda: LOCAL)
    assert texts(fake) == ["a", "a"]
