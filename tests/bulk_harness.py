"""A server over a fresh sandbox with a fake clock (nothing sleeps for real), for bulk tests."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from mcp import Client
from sandbox_client import call

from notion_mcp.config import Settings
from notion_mcp.notion.gateway import NotionGateway, build_client
from notion_mcp.notion.ratelimit import TokenBucket
from notion_mcp.notion.retry import RetryPolicy
from notion_mcp.sandbox import Sandbox
from notion_mcp.server import build_server

LEADS = {"Name": {"title": {}}, "Email": {"email": {}}, "Stage": {"select": {"options": [
    {"name": "New"}, {"name": "Won"}, {"name": "Lost"}]}}, "Score": {"number": {}}}  # fmt: skip


class FakeTime:
    """A clock that moves only when something sleeps."""

    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)


@asynccontextmanager
async def leads_client(
    sandbox_sleep: Callable[[float], Awaitable[None]] | None = None, **settings: Any
) -> AsyncIterator[tuple[Client, Sandbox, str]]:
    """An `mcp.Client`, its sandbox (empty but for a page) and a new Leads database's ID.
    `sandbox_sleep` is what the sandbox's "slow" faults await."""
    sandbox = Sandbox(seed=False, **({"sleep": sandbox_sleep} if sandbox_sleep else {}))
    time = FakeTime()

    def gateway() -> NotionGateway:
        client = build_client(
            token="ntn_test", notion_version="2026-03-11", base_url=Sandbox.base_url,
            transport=sandbox.transport(),
        )  # fmt: skip
        limiter = TokenBucket(None, clock=time.clock, sleep=time.sleep)
        policy = RetryPolicy(max_retries=settings.get("max_retries", 4), sleep=time.sleep, jitter=lambda: 0.0)
        return NotionGateway(client, limiter, policy)

    try:
        server = build_server(
            Settings(token=None, sandbox=":memory:", rate_limit=0, **settings), gateway_factory=gateway
        )
        async with Client(server, mode="auto") as client:  # type: ignore[arg-type]
            page = await client.call_tool(
                "notion_pages", {"operation": "create", "parent": {"workspace": True}, "title": "CRM"}
            )
            page_id = str(page.content[0].text).split()[2]  # type: ignore[union-attr]
            made = await client.call_tool(
                "notion_databases",
                {
                    "operation": "create",
                    "parent": {"page_id": page_id},
                    "title": "Leads",
                    "properties": LEADS,
                },
            )
            database_id = str(made.content[0].text).split()[2]  # type: ignore[union-attr]
            sandbox.reset_counters()
            yield client, sandbox, database_id
    finally:
        sandbox.close()


def leads(n: int, stage: str = "New", start: int = 0) -> list[dict[str, Any]]:
    return [
        {"title": f"Lead {i}", "properties": {"Email": f"lead{i}@example.com", "Stage": stage, "Score": i}}
        for i in range(start, start + n)
    ]


async def rows(client: Client, database_id: str) -> list[dict[str, Any]]:
    """Every row, read 40 at a time (the JSON of more would pass the response budget)."""
    out: list[dict[str, Any]] = []
    cursor: dict[str, Any] = {}
    while True:
        found = json.loads(await call(client, "notion_databases", operation="query", database_id=database_id,
                                      page_size=40, format="json", **cursor))  # fmt: skip
        out += found["results"]
        if not found["has_more"]:
            return out
        cursor = {"start_cursor": found["next_cursor"]}


def emails(rows_: list[dict[str, Any]]) -> Counter[str]:
    return Counter(str(r["properties"]["Email"]["email"]) for r in rows_)
