"""The token bucket: a shared rate, bursts, and a pause that holds every caller."""

from __future__ import annotations

import asyncio

import pytest
from replay import FakeClock

from notion_mcp.notion.ratelimit import TokenBucket


@pytest.mark.anyio
async def test_requests_beyond_the_burst_are_spaced_at_the_rate() -> None:
    clock = FakeClock()
    bucket = TokenBucket(3, burst=3, clock=clock, sleep=clock.sleep)
    for _ in range(9):
        await bucket.acquire()
    assert clock.now == pytest.approx(2.0)  # 3 at once, then 6 more at 3 per second


@pytest.mark.anyio
async def test_a_pause_holds_every_concurrent_caller_until_it_has_passed() -> None:
    clock = FakeClock()
    bucket = TokenBucket(100, burst=100, clock=clock, sleep=clock.sleep)
    bucket.pause(5)
    times: list[float] = []

    async def one() -> None:
        await bucket.acquire()
        times.append(clock.now)

    await asyncio.gather(*(one() for _ in range(4)))
    assert min(times) >= 5.0


@pytest.mark.anyio
async def test_no_rate_means_no_waiting() -> None:
    clock = FakeClock()
    bucket = TokenBucket(None, clock=clock, sleep=clock.sleep)
    for _ in range(50):
        await bucket.acquire()
    assert clock.now == 0.0
