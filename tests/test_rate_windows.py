"""Many calls at once against Notion's window model (the sandbox simulating it), through the MCP
client: a 429 holds every caller, the budget is learned from it, and nobody gives up while the
wait budget lasts (issue 9: they used to stampede and fail after 7 s of a 30 s budget).
Time is virtual: the sandbox, the limiter and the retries share one fake clock."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from mcp import Client
from sandbox_client import text_of
from virtual_time import VirtualTime

from notion_mcp.config import Settings
from notion_mcp.notion.gateway import NotionGateway, build_client
from notion_mcp.notion.limiter import Limiter
from notion_mcp.notion.ratelimit import TokenBucket
from notion_mcp.notion.ratestore import MemoryStore
from notion_mcp.notion.retry import RetryPolicy
from notion_mcp.notion.window import Window, WindowLimiter
from notion_mcp.sandbox import Sandbox
from notion_mcp.server import build_server

pytestmark = pytest.mark.anyio


class Log(httpx.AsyncBaseTransport):
    """The sandbox's transport, keeping (virtual time, status) of every answer."""

    def __init__(self, inner: httpx.AsyncBaseTransport, time: VirtualTime) -> None:
        self.inner, self.time = inner, time
        self.answers: list[tuple[float, int]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        self.answers.append((self.time.now, response.status_code))
        return response


async def test_calls_at_once_with_no_budget_of_ours_learn_notions_and_all_succeed() -> None:
    time = VirtualTime()
    sandbox = Sandbox(window_budget=5, window_seconds=20.0, clock=time.clock)
    log = Log(sandbox.transport(), time)

    def gateway() -> NotionGateway:
        client = build_client(
            token="ntn_test", notion_version="2026-03-11", base_url=Sandbox.base_url, transport=log
        )
        window = WindowLimiter(Window(None, 20.0), MemoryStore(), clock=time.clock, sleep=time.sleep)
        policy = RetryPolicy(max_retries=4, max_wait=30.0, sleep=time.sleep, jitter=lambda: 0.0)
        pacing = TokenBucket(None, clock=time.clock, sleep=time.sleep)
        return NotionGateway(client, Limiter(window, pacing), policy)

    server = build_server(Settings(token=None, sandbox=":memory:"), gateway_factory=gateway)
    try:
        async with Client(server) as client:
            calls: list[Any] = [
                client.call_tool("notion_users", {"operation": "retrieve_bot"}) for _ in range(12)
            ]
            results = await asyncio.gather(*calls)
    finally:
        sandbox.close()

    assert [text_of(r)[:120] for r in results if r.is_error] == []
    refused = [at for at, status in log.answers if status == 429]
    assert refused and max(refused) < 20.0  # refused in the first window only, then learned
    assert len(log.answers) == 12 + len(refused)  # each refused request repeated once, no more
