"""How long a call waits before retrying, seen from the model's side: back-off grows from
base_delay (0.5 s), and the whole call never waits longer than max_wait in total (not per wait)."""

from __future__ import annotations

import httpx
import pytest
from replay import FakeClock, FakeNotion, connect, gateway_for, text_of

ME = {"object": "user", "id": "u1", "type": "bot", "bot": {}}


def rate_limited(seconds: str) -> httpx.Response:
    body = {"object": "error", "status": 429, "code": "rate_limited", "message": "slow down"}
    return httpx.Response(429, json=body, headers={"Retry-After": seconds})


def unavailable() -> tuple[int, dict[str, object]]:
    return 503, {"object": "error", "status": 503, "code": "service_unavailable", "message": "busy"}


@pytest.mark.anyio
async def test_two_retry_afters_over_the_total_budget_give_up_after_the_first_wait() -> None:
    notion, clock = FakeNotion(), FakeClock()
    notion.answer("GET", "/v1/users/me", rate_limited("20"), rate_limited("20"), (200, ME))
    async with connect(notion, clock=clock) as client:
        result = await client.call_tool("notion_users", {"operation": "retrieve_bot"})
    assert result.is_error
    assert "retry_after_seconds: 20" in text_of(result)
    assert clock.slept == [20.0]  # 20 + 20 would pass the 30 s budget
    assert len(notion.sent) == 2


@pytest.mark.anyio
async def test_back_off_doubles_from_half_a_second_per_retry() -> None:
    notion, clock = FakeNotion(), FakeClock()
    notion.answer("GET", "/v1/users/me", *[unavailable()] * 4, (200, ME))
    async with connect(notion, clock=clock) as client:
        # the fake's jitter is 0.5: each wait is 3/4 of the back-off (0.5, 1, 2, 4 s)
        clock.slept.clear()
        result = await client.call_tool("notion_users", {"operation": "retrieve_bot"})
    assert not result.is_error, text_of(result)
    assert clock.slept == pytest.approx([0.375, 0.75, 1.5, 3.0])


@pytest.mark.anyio
async def test_a_retry_after_of_zero_retries_at_once_even_with_almost_no_budget() -> None:
    notion, clock = FakeNotion(), FakeClock()
    notion.answer("GET", "/v1/users/me", rate_limited("0"), (200, ME))
    assert await gateway_for(notion, clock, max_wait=0.5).retrieve_bot() == ME
    assert clock.slept[0] == 0.0  # the retry's own wait (the limiter may hold a moment more)


@pytest.mark.anyio
async def test_a_wait_that_uses_exactly_the_whole_budget_is_still_taken() -> None:
    notion, clock = FakeNotion(), FakeClock()
    notion.answer("GET", "/v1/users/me", rate_limited("20"), (200, ME))
    assert await gateway_for(notion, clock, max_wait=20).retrieve_bot() == ME
    assert clock.slept == [20.0]
