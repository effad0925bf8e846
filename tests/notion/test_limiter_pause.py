"""What a 429's pause must do to the token bucket — properties any limiter here must keep:
after Retry-After no burst (the bucket was emptied), a later shorter pause never cuts an earlier
longer one, and no tokens pile up while paused."""

from __future__ import annotations

import pytest
from replay import FakeClock

from notion_mcp.notion.ratelimit import TokenBucket


async def times_of(bucket: TokenBucket, clock: FakeClock, n: int) -> list[float]:
    out = []
    for _ in range(n):
        await bucket.acquire()
        out.append(round(clock.now, 6))
    return out


@pytest.mark.anyio
async def test_after_a_pause_requests_resume_at_the_rate_not_in_a_burst() -> None:
    clock = FakeClock()
    bucket = TokenBucket(10, burst=10, clock=clock, sleep=clock.sleep)
    assert await times_of(bucket, clock, 1) == [0.0]  # a full bucket: no wait
    bucket.pause(2)
    assert await times_of(bucket, clock, 3) == pytest.approx([2.1, 2.2, 2.3])


@pytest.mark.anyio
async def test_a_later_shorter_pause_does_not_cut_an_earlier_longer_one() -> None:
    clock = FakeClock()
    bucket = TokenBucket(None, clock=clock, sleep=clock.sleep)
    bucket.pause(5)
    clock.now = 1.0
    bucket.pause(1)  # would end at 2.0
    assert await times_of(bucket, clock, 1) == [5.0]


@pytest.mark.anyio
async def test_no_tokens_build_up_while_paused() -> None:
    clock = FakeClock()
    bucket = TokenBucket(1, burst=5, clock=clock, sleep=clock.sleep)
    bucket.pause(5)  # five seconds at 1/s would refill the whole burst
    assert await times_of(bucket, clock, 3) == pytest.approx([6.0, 7.0, 8.0])


@pytest.mark.anyio
async def test_the_default_burst_is_one_and_a_burst_below_one_counts_as_one() -> None:
    for burst in ({}, {"burst": 0}):
        clock = FakeClock()
        bucket = TokenBucket(2, clock=clock, sleep=clock.sleep, **burst)
        assert await times_of(bucket, clock, 3) == pytest.approx([0.0, 0.5, 1.0])


@pytest.mark.anyio
@pytest.mark.parametrize("rate", [0, -1, None])
async def test_a_rate_of_zero_or_less_means_no_limit(rate: float | None) -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate, clock=clock, sleep=clock.sleep)
    assert await times_of(bucket, clock, 10) == [0.0] * 10


@pytest.mark.anyio
async def test_the_margin_never_keeps_back_more_than_the_burst_allows() -> None:
    clock = FakeClock()
    bucket = TokenBucket(
        10, burst=2, clock=clock, sleep=clock.sleep, margin=1.0
    )  # 10 tokens' margin, capped at 1
    assert await times_of(bucket, clock, 3) == pytest.approx([0.0, 0.1, 0.2])
