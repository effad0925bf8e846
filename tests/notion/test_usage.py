"""Usage counting: every attempt the gateway sends, by endpoint, with retries, 429s and waits."""

from __future__ import annotations

import httpx
import pytest
from replay import FakeClock, FakeNotion, gateway_for

from notion_mcp.notion.usage import Usage, endpoint_of

PAGE_ID = "393abc1e-edcd-80f3-813b-e205934558c6"
PAGE = {"object": "page", "id": PAGE_ID}


def test_endpoints_are_counted_by_template_not_by_id() -> None:
    assert endpoint_of("GET", f"blocks/{PAGE_ID}/children") == "GET blocks/{id}/children"
    assert endpoint_of("GET", f"pages/{PAGE_ID.replace('-', '')}") == "GET pages/{id}"


@pytest.mark.anyio
async def test_a_429_then_success_counts_two_requests_one_retry_one_rate_limit_and_the_wait() -> None:
    notion, clock = FakeNotion(), FakeClock()
    limited = httpx.Response(429, json={"object": "error", "status": 429, "code": "rate_limited",
                                        "message": "slow down"}, headers={"Retry-After": "3"})  # fmt: skip
    notion.answer("GET", "/v1/pages/{id}", limited, (200, PAGE))
    gateway = gateway_for(notion, clock)
    gateway.usage = Usage(clock=clock)
    await gateway.retrieve_page(PAGE_ID)
    await gateway.retrieve_page(PAGE_ID)
    usage = gateway.usage
    assert usage.by_endpoint == {"GET pages/{id}": 3}
    assert usage.retries == 1 and usage.rate_limited == 1
    assert usage.by_status == {429: 1, 200: 2}
    assert usage.waited == pytest.approx(3.0)
    assert "3 requests (1 retry, 1 rate-limited), 3.0 s waiting" in usage.summary()
    assert "| GET pages/{id} | 3 |" in usage.to_markdown()


def test_percentiles_and_since() -> None:
    usage = Usage(clock=lambda: 0.0)
    for ms in range(1, 101):
        usage.sent("GET", "users/me", 200, ms / 1000, retry=False)
    before = usage.snapshot()
    usage.sent("GET", "users", 200, 0.5, retry=False)
    assert usage.percentile(50) == pytest.approx(0.051)
    assert usage.percentile(99) == pytest.approx(0.1)
    later = usage.since(before)
    assert later.requests == 1 and list(later.latencies) == [0.5]
