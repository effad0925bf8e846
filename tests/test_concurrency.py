"""Tool calls at once through one client share one token bucket, and so one rate limit.

The sandbox limits at the server's own rate and burst (50 requests/s, so these take about a
second of real time), and every request is logged as it reaches the sandbox: when it arrived,
what it asked for, and the status it got. An append of 250 blocks goes along with the reads: its
bodies take longer to build than a GET, so requests reach the sandbox a little out of step with
their tokens (without the bucket's margin, the first test meets a 429 on every run).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from mcp import Client
from sandbox_client import text_of

from notion_mcp.config import Settings
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
    arrivals: list[Arrival] = field(default_factory=list)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        at = time.monotonic()
        response = await self.inner.handle_async_request(request)
        self.arrivals.append(Arrival(at, request.method, request.url.path, response.status_code))
        return response


@asynccontextmanager
async def limited(
    *, sandbox_rate: float | None, burst: int = BURST
) -> AsyncIterator[tuple[Client, Sandbox, Log]]:
    sandbox = Sandbox(rate_limit=sandbox_rate, burst=burst)
    log = Log(sandbox.transport())
    try:
        settings = Settings(token=None, sandbox=":memory:", rate_limit=RATE, burst=burst)
        server = build_server(settings, transport=log, base_url=Sandbox.base_url)
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
        start = time.monotonic()
        results = await all_at_once(client)
        elapsed = time.monotonic() - start

    assert [text_of(r)[:200] for r in results if r.is_error] == []
    assert text_of(results[0]).startswith("Appended 250 blocks")
    assert "Welcome to the sandbox" in text_of(results[1])
    assert text_of(results[-1]).startswith("10 rows from data source")
    assert [a for a in log.arrivals if a.status == 429] == []  # the sandbox never refused one
    assert len(log.arrivals) == sandbox.total_requests >= 25
    # the calls ran interleaved, and together at the one rate: not one bucket per call
    first_half = {a.path for a in log.arrivals[: len(log.arrivals) // 2]}
    assert len(first_half & {f"/v1/pages/{p}" for p in PAGES}) >= 3
    assert elapsed >= (len(log.arrivals) - BURST) / RATE


async def test_a_429_holds_every_concurrent_call_until_retry_after_has_passed(anyio_backend: str) -> None:
    async with limited(sandbox_rate=None, burst=1) as (client, sandbox, log):
        # the third page read is refused with Retry-After: 1 while the others are under way
        sandbox.faults.add("GET", "/v1/pages/{id}", "429", after=2, retry_after=1)
        results = await all_at_once(client)

    assert [text_of(r)[:200] for r in results if r.is_error] == []
    [refused] = [i for i, a in enumerate(log.arrivals) if a.status == 429]
    before, after = log.arrivals[: refused + 1], log.arrivals[refused + 1 :]
    resumed = after[0].at - before[-1].at
    assert 1.0 <= resumed < 1.5  # nobody was sent anything for Retry-After
    # and what came after belongs to several calls, not only to the one that was refused
    assert len({a.path for a in after} - {log.arrivals[refused].path}) >= 3
    assert log.arrivals[refused].path in {a.path for a in after}  # which was repeated, and answered
