"""Tool calls at once through one client share one token bucket, and so one rate limit.

The sandbox limits at the server's own rate and burst (50 requests/s), and every request is
logged as it reaches the sandbox: when it arrived, what it asked for, and the status it got.
Time is virtual and moves only when every task waits (`SettledTime`): the sandbox, the bucket and
the retries share that clock, so a request reaches the sandbox at the very instant its token was
taken and each run sees the same times. An append of 250 blocks goes along with the reads.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from mcp import Client
from sandbox_client import text_of
from virtual_time import SettledTime

from notion_mcp.config import Settings
from notion_mcp.notion.gateway import NotionGateway, build_client
from notion_mcp.notion.limiter import Limiter
from notion_mcp.notion.ratelimit import DEFAULT_MARGIN, TokenBucket
from notion_mcp.notion.retry import RetryPolicy
from notion_mcp.sandbox import SEED, Sandbox
from notion_mcp.server import build_server

pytestmark = pytest.mark.anyio

RATE = 50.0
BURST = 3
PAGES = [
    SEED.welcome_page_id,  # many blocks, nested: a dozen requests on its own
    SEED.getting_started_page_id,
    SEED.notes_page_id,
    SEED.task_id(1),
    SEED.task_id(2),
    SEED.task_id(3),
]


@dataclass
class Arrival:
    at: float
    method: str
    path: str
    status: int


@dataclass
class Log(httpx.AsyncBaseTransport):
    """The sandbox's transport, keeping every request as it arrives and the status it got."""

    inner: httpx.AsyncBaseTransport
    time: SettledTime
    arrivals: list[Arrival] = field(default_factory=list)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        at = self.time.now
        response = await self.inner.handle_async_request(request)
        self.arrivals.append(Arrival(at, request.method, request.url.path, response.status_code))
        return response


@asynccontextmanager
async def limited(
    *, sandbox_rate: float | None, burst: int = BURST
) -> AsyncIterator[tuple[Client, Sandbox, Log]]:
    """A server whose one bucket paces at RATE (with the margin it is built with), and a sandbox
    that refuses at `sandbox_rate`, both on one settled clock."""
    time = SettledTime()
    sandbox = Sandbox(rate_limit=sandbox_rate, burst=burst, clock=time.clock, sleep=time.sleep)
    log = Log(sandbox.transport(), time)

    def gateway() -> NotionGateway:
        client = build_client(
            token="ntn_test", notion_version="2026-03-11", base_url=Sandbox.base_url, transport=log
        )
        pacing = TokenBucket(RATE, burst, clock=time.clock, sleep=time.sleep, margin=DEFAULT_MARGIN)
        policy = RetryPolicy(sleep=time.sleep, jitter=lambda: 0.5)
        return NotionGateway(client, Limiter(pacing=pacing), policy)

    try:
        server = build_server(Settings(token=None, sandbox=":memory:"), gateway_factory=gateway)
        async with Client(server) as client:
            yield client, sandbox, log
    finally:
        sandbox.close()


async def all_at_once(client: Client) -> list[Any]:
    # block IDs asked for: every read and write through the blocks API (many requests, interleaved)
    calls = [
        client.call_tool("notion_pages", {"operation": "retrieve", "page_id": p, "block_ids": True})
        for p in PAGES
    ]
    markdown = "\n\n".join(f"Paragraph {i} of a long note, with a few words in it." for i in range(250))
    append = {
        "operation": "append",
        "parent_block_id": SEED.notes_page_id,
        "markdown": markdown,
        "block_ids": True,
    }
    calls.insert(0, client.call_tool("notion_blocks", append))
    query = {"operation": "query", "data_source_id": SEED.tasks_data_source_id, "page_size": 10}
    calls.append(client.call_tool("notion_databases", query))
    return list(await asyncio.gather(*calls))


async def test_calls_at_once_stay_within_a_limit_at_the_servers_own_rate_and_burst(
    anyio_backend: str,
) -> None:
    async with limited(sandbox_rate=RATE) as (client, sandbox, log):
        results = await all_at_once(client)

    assert [text_of(r)[:200] for r in results if r.is_error] == []
    assert text_of(results[0]).startswith("Appended 250 blocks")
    assert "Welcome to the sandbox" in text_of(results[1])
    assert text_of(results[-1]).startswith("10 rows from data source")
    assert [a for a in log.arrivals if a.status == 429] == []  # the sandbox never refused one
    assert len(log.arrivals) == sandbox.total_requests >= 25
    # the calls ran interleaved, and together at the one rate: not one bucket per call
    first_half = {a.path for a in log.arrivals[: len(log.arrivals) // 2]}
    assert len(first_half & {f"/v1/pages/{p}" for p in PAGES}) >= 3
    elapsed = log.arrivals[-1].at - log.arrivals[0].at
    assert elapsed >= (len(log.arrivals) - BURST) / RATE
    # (the margin keeps two of the three tokens in hand: one request every 1/RATE seconds)
    assert elapsed == pytest.approx((len(log.arrivals) - 1) / RATE)


async def test_a_429_holds_every_concurrent_call_until_retry_after_has_passed(anyio_backend: str) -> None:
    async with limited(sandbox_rate=None, burst=1) as (client, sandbox, log):
        # the third page read is refused with Retry-After: 1 while the others are under way
        sandbox.faults.add("GET", "/v1/pages/{id}", "429", after=2, retry_after=1)
        results = await all_at_once(client)

    assert [text_of(r)[:200] for r in results if r.is_error] == []
    [refused] = [i for i, a in enumerate(log.arrivals) if a.status == 429]
    before, after = log.arrivals[: refused + 1], log.arrivals[refused + 1 :]
    resumed = after[0].at - before[-1].at
    # nobody was sent anything for Retry-After, and then the emptied bucket's next token
    assert resumed == pytest.approx(1.0 + 1 / RATE)
    # and what came after belongs to several calls, not only to the one that was refused
    assert len({a.path for a in after} - {log.arrivals[refused].path}) >= 3
    assert log.arrivals[refused].path in {a.path for a in after}  # which was repeated, and answered
