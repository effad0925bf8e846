"""The window in a real Redis server (`redis_url` in conftest.py, on a private socket): limiters
on several "machines" spend one budget and share a hold; an unreachable Redis does not stop calls."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from virtual_time import VirtualTime

from notion_mcp.notion.ratestore import open_store, token_key
from notion_mcp.notion.ratestore_redis import RedisStore
from notion_mcp.notion.window import Window, WindowLimiter

pytestmark = pytest.mark.anyio
TOKEN = "ntn_" + "b2" * 20


def limiter(url: str, time: VirtualTime, budget: int) -> WindowLimiter:
    store = open_store(url, TOKEN, "https://api.notion.com")
    assert isinstance(store, RedisStore)
    return WindowLimiter(Window(budget, 60.0, trusted=True), store, clock=time.clock, sleep=time.sleep)


async def test_limiters_sharing_redis_spend_one_budget_and_share_a_hold(redis_url: str) -> None:
    time = VirtualTime()
    machines = [limiter(redis_url, time, 6) for _ in range(3)]
    try:
        await asyncio.gather(*(m.acquire() for m in machines for _ in range(2)))
        assert time.now == 0.0
        await machines[0].acquire()
        assert time.now == pytest.approx(61.5)  # the seventh, on any machine, waits for the window

        ticket = await machines[1].acquire()
        await machines[1].refused(ticket, 20.0, None)
        await machines[2].acquire()
        assert time.now == pytest.approx(81.5)  # held on the other machine too
        keys = await machines[0].store.client.keys("*")  # type: ignore[attr-defined]
        assert keys == [f"notion-mcp:ratelimit:{token_key(TOKEN, 'https://api.notion.com')}".encode()]
    finally:
        for m in machines:
            await m.aclose()


async def test_concurrent_changes_from_many_clients_are_none_of_them_lost(redis_url: str) -> None:
    time = VirtualTime()
    machines = [limiter(redis_url, time, 1000) for _ in range(4)]
    try:
        await asyncio.gather(*(m.acquire() for m in machines for _ in range(25)))

        counts = await machines[0].store.update(lambda raw: sum(dict(raw["slots"]).values()))  # type: ignore[call-overload]
        assert counts == 100  # WATCH/MULTI: every increment made it
    finally:
        for m in machines:
            await m.aclose()


async def test_an_unreachable_redis_limits_this_process_alone_instead_of_failing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    time = VirtualTime()
    window = limiter(f"unix://{tmp_path / 'nobody.sock'}", time, 2)
    try:
        with caplog.at_level(logging.WARNING, logger="notion_mcp.ratestore"):
            await window.acquire()
            await window.acquire()
            await window.acquire()
        assert time.now == pytest.approx(61.5)  # still limited, in memory
        warnings = [r.getMessage() for r in caplog.records if r.name == "notion_mcp.ratestore"]
        assert len(warnings) == 1, warnings  # said once, not on every request
        assert "rate-limit store unreachable (" in warnings[0] and "nobody.sock" in warnings[0]
    finally:
        await window.aclose()


async def test_each_outage_of_redis_is_warned_once(
    redis_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = RedisStore(f"unix://{tmp_path / 'nobody.sock'}", "k")
    down, up = store.client, aioredis.from_url(redis_url)
    try:
        with caplog.at_level(logging.WARNING, logger="notion_mcp.ratestore"):
            for client in (down, down, up, down, down, up):  # Redis goes away twice
                store.client = client
                await store.update(lambda raw: raw.update(n=raw.get("n", 0) + 1))
        warnings = [r.getMessage() for r in caplog.records if r.name == "notion_mcp.ratestore"]
        assert len(warnings) == 2, warnings  # once at the start of each outage
        assert await up.get(store.key) == b'{"n":2}'  # (the counts kept in memory meanwhile stay there)
    finally:
        await down.aclose()
        await up.aclose()


@pytest.mark.parametrize("damaged", [b"{not json", b"[1, 2]", b"\xff\xfe{"])
async def test_a_damaged_key_is_replaced_by_the_new_state(redis_url: str, damaged: bytes) -> None:
    store = open_store(redis_url, TOKEN, "https://api.notion.com")
    assert isinstance(store, RedisStore)
    try:
        await store.client.set(store.key, damaged)
        assert await store.update(lambda raw: dict(raw)) == {}
        await store.update(lambda raw: raw.update(n=2))
        assert await store.client.get(store.key) == b'{"n":2}'
        assert 86_000 < await store.client.ttl(store.key) <= 86_400  # expires a day after its last change
    finally:
        await store.aclose()
