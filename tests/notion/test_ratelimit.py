"""The token bucket: a shared rate, bursts, and a pause that holds every caller."""

from __future__ import annotations

import asyncio
import random

import pytest
from replay import FakeClock

from notion_mcp.notion.ratelimit import TokenBucket
from notion_mcp.sandbox.faults import TokenBucket as NotionsLimit


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


async def arrivals_refused(margin: float, seed: int) -> int:
    """Takes from our bucket at 10/s (burst 3), each arriving 0-19 ms later at a bucket like
    Notion's with the very same rate and burst (the sandbox's): how many it refuses."""
    clock = FakeClock()
    ours = TokenBucket(10, burst=3, clock=clock, sleep=clock.sleep, margin=margin)
    rng = random.Random(seed)
    arrivals = []
    for i in range(300):
        if i % 50 == 0:
            clock.now += 1.0  # idle now and then: both buckets fill up again
        await ours.acquire()
        arrivals.append(clock.now + rng.uniform(0.0, 0.019))
    now = [0.0]
    theirs = NotionsLimit(10, 3, lambda: now[0])
    refused = 0
    for now[0] in sorted(arrivals):
        refused += theirs.take() is not None
    return refused


@pytest.mark.anyio
async def test_at_notions_exact_rate_and_burst_a_margin_absorbs_arrival_jitter() -> None:
    assert [await arrivals_refused(0.0, seed) for seed in range(5)] != [0] * 5  # the hazard is real
    assert [await arrivals_refused(0.02, seed) for seed in range(5)] == [0] * 5


@pytest.mark.anyio
async def test_a_margin_costs_once_per_run_of_waiting_not_once_per_request() -> None:
    clock = FakeClock()
    bucket = TokenBucket(3, burst=3, clock=clock, sleep=clock.sleep, margin=0.05)
    for _ in range(9):
        await bucket.acquire()
    assert clock.now == pytest.approx(2.05)  # 2.0 without the margin
    start = clock.now
    for _ in range(30):
        await bucket.acquire()
    assert clock.now - start == pytest.approx(10.0)  # then exactly at the rate
