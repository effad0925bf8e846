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


def test_a_query_string_is_not_part_of_the_endpoint() -> None:
    assert endpoint_of("GET", f"users?start_cursor={PAGE_ID}") == "GET users"


def test_only_the_most_recent_latencies_are_kept_and_waits_never_count_negative() -> None:
    usage = Usage(clock=lambda: 0.0, window=3)
    for ms in range(1, 6):
        usage.sent("GET", "users", 200, ms / 1000, retry=ms > 1)
    assert list(usage.latencies) == [0.003, 0.004, 0.005]
    assert (usage.requests, usage.retries, usage.rate_limited) == (5, 4, 0)
    usage.wait(-1.0)
    usage.wait(0.5)
    assert usage.waited == 0.5


def test_percentiles_by_nearest_rank_and_none_before_any_request() -> None:
    usage = Usage(clock=lambda: 0.0)
    assert usage.percentile(50) is None
    for seconds in (0.4, 0.1, 0.3, 0.2):
        usage.sent("GET", "users", 200, seconds, retry=False)
    assert [usage.percentile(p) for p in (0, 25, 26, 50, 75, 100)] == [0.1, 0.1, 0.2, 0.2, 0.3, 0.4]


def test_a_snapshot_keeps_its_figures_and_since_subtracts_every_one() -> None:
    usage = Usage(clock=lambda: 0.0)
    usage.sent("GET", "users", 429, 0.1, retry=True)
    usage.wait(1.0)
    before = usage.snapshot()
    usage.sent("GET", "users", 429, 0.2, retry=False)
    usage.sent("GET", "users", 529, 0.3, retry=True)
    usage.sent("POST", "search", 0, 0.4, retry=True)
    usage.wait(2.0)
    assert (before.requests, before.retries, before.rate_limited, before.waited) == (1, 1, 1, 1.0)
    assert before.by_status == {429: 1} and list(before.latencies) == [0.1]
    assert (before.clock, before.window) == (usage.clock, usage.window)
    later = usage.since(before)
    assert later.by_endpoint == {"GET users": 2, "POST search": 1}
    assert later.by_status == {429: 1, 529: 1, 0: 1}
    assert (later.retries, later.rate_limited, later.waited) == (2, 2, 2.0)
    assert list(later.latencies) == [0.2, 0.3, 0.4]
    assert (later.clock, later.window) == (usage.clock, usage.window)
    assert list(usage.since(usage.snapshot()).latencies) == []


def test_the_usage_resource_reads_the_counts_statuses_and_latency() -> None:
    usage = Usage(clock=lambda: 0.0)
    assert usage.to_markdown() == (
        "# Notion API usage\n\n0 requests (0 retries, 0 rate-limited), 0.0 s waiting; no latency yet\n\n"
        "| endpoint | requests |\n| --- | --- |\n\nAnswers by status: none yet\n"
    )
    usage.sent("GET", f"pages/{PAGE_ID}", 429, 0.9, retry=False)
    assert usage.summary() == (
        "1 request (0 retries, 1 rate-limited), 0.0 s waiting; latency p50 900 ms, p95 900 ms, p99 900 ms"
    )
    usage.sent("GET", f"pages/{PAGE_ID}", 200, 0.05, retry=True)
    usage.sent("POST", "search", 0, 0.1, retry=False)
    usage.wait(1.26)
    assert usage.to_markdown() == (
        "# Notion API usage\n\n"
        "3 requests (1 retry, 1 rate-limited), 1.3 s waiting; latency p50 100 ms, p95 900 ms, p99 900 ms\n\n"
        "| endpoint | requests |\n| --- | --- |\n| GET pages/{id} | 2 |\n| POST search | 1 |\n\n"
        "Answers by status: no answer: 1, 200: 1, 429: 1\n"
    )
