"""The limiter the gateway waits on: pacing first, then the window; a 429 pauses both, and every
ticket the window gave comes back to it, whatever happened to its request."""

from __future__ import annotations

from typing import Any

import pytest
from virtual_time import VirtualTime

from notion_mcp.notion.limiter import Limiter
from notion_mcp.notion.ratelimit import TokenBucket
from notion_mcp.notion.ratestore import MemoryStore
from notion_mcp.notion.window import Ticket, Window, WindowLimiter

pytestmark = pytest.mark.anyio


class Store(MemoryStore):
    def __init__(self) -> None:
        super().__init__()
        self.closed = False

    async def aclose(self) -> None:
        self.closed = True


class Told(WindowLimiter):
    """The real window, recording what the limiter passes on."""

    def __init__(self, time: VirtualTime, store: Store) -> None:
        super().__init__(Window(2, 10.0), store, clock=time.clock, sleep=time.sleep)
        self.told: list[tuple[Any, ...]] = []

    async def answered(self, ticket: Ticket) -> None:
        self.told.append(("answered", ticket))
        await super().answered(ticket)

    def release(self, ticket: Ticket) -> None:
        self.told.append(("release", ticket))
        super().release(ticket)

    async def refused(self, ticket: Ticket, retry_after: float, reason: str | None) -> None:
        self.told.append(("refused", ticket, retry_after, reason))
        await super().refused(ticket, retry_after, reason)


async def test_without_a_window_there_is_no_ticket_and_a_429_still_pauses_the_pacing() -> None:
    time = VirtualTime()
    limiter = Limiter(pacing=TokenBucket(10, burst=10, clock=time.clock, sleep=time.sleep))
    ticket = await limiter.acquire()
    assert ticket is None
    await limiter.answered(ticket)
    limiter.release(ticket)
    await limiter.refused(ticket, 3.0, "public_api_request_rate_limit")
    await limiter.acquire()
    assert time.now == pytest.approx(3.1)  # the pause, then the emptied bucket's next token
    await limiter.aclose()


async def test_a_limiter_built_with_nothing_never_waits() -> None:
    time = VirtualTime()
    limiter = Limiter()
    for _ in range(100):
        assert await limiter.acquire() is None
    assert time.now == 0.0


async def test_every_ticket_goes_back_to_the_window_and_a_429_holds_both_limits() -> None:
    time, store = VirtualTime(), Store()
    window = Told(time, store)
    limiter = Limiter(window, TokenBucket(100, burst=100, clock=time.clock, sleep=time.sleep))
    first = await limiter.acquire()
    assert first is not None
    await limiter.answered(first)
    limiter.release(first)
    second = await limiter.acquire()
    assert second is not None
    await limiter.refused(second, 4.0, "public_api_request_rate_limit")
    limiter.release(second)
    assert window.told == [
        ("answered", first),
        ("release", first),
        ("refused", second, 4.0, "public_api_request_rate_limit"),
        ("release", second),
    ]
    await limiter.acquire()
    assert time.now == pytest.approx(4.01)  # the bucket was paused too
    await limiter.aclose()
    assert store.closed


async def test_the_window_waits_for_its_budget_after_the_pacing() -> None:
    time = VirtualTime()
    window = Told(time, Store())
    limiter = Limiter(window)  # no pacing: only the window's budget of 2 per 10 s
    for _ in range(3):
        limiter.release(await limiter.acquire())
    # until the first slot (1/60 of the 10 s) and the margin have left; 1 ms of float rounding
    assert time.now == pytest.approx(10.0 + 10.0 / 60 + 0.5, abs=2e-3)
