"""The gateway's policies, driven by response sequences over a mock transport and a fake clock."""

from __future__ import annotations

import httpx
import pytest
from replay import FakeClock, FakeNotion, gateway_for

from notion_mcp.errors import NotionAPIError, RateLimitedError, TransientError, to_tool_error

ME = {"object": "user", "id": "u1", "type": "bot", "bot": {}}
PAGE_ID = "393abc1e-edcd-80f3-813b-e205934558c6"


def error(status: int, code: str, message: str = "msg", **extra: object) -> tuple[int, dict[str, object]]:
    return status, {
        "object": "error",
        "status": status,
        "code": code,
        "message": message,
        "request_id": "rid-1",
        **extra,
    }


def rate_limited(seconds: str) -> httpx.Response:
    body = error(429, "rate_limited", "You have been rate limited.",
                 additional_data={"rate_limit_reason": "integration_limit"})[1]  # fmt: skip
    return httpx.Response(429, json=body, headers={"Retry-After": seconds})


@pytest.mark.anyio
async def test_a_429_is_retried_once_after_waiting_the_retry_after_header_on_the_clock() -> None:
    notion, clock = FakeNotion(), FakeClock()
    notion.answer("GET", "/v1/users/me", rate_limited("7"), (200, ME))
    gateway = gateway_for(notion, clock)
    assert await gateway.retrieve_bot() == ME
    assert len(notion.sent) == 2
    assert clock.now == pytest.approx(7.0)


@pytest.mark.anyio
async def test_a_500_on_a_read_is_retried() -> None:
    notion = FakeNotion()
    notion.answer(
        "GET", "/v1/pages/{id}", error(500, "internal_server_error"), (200, {"object": "page", "id": PAGE_ID})
    )
    assert (await gateway_for(notion).retrieve_page(PAGE_ID))["id"] == PAGE_ID
    assert [s.method for s in notion.sent] == ["GET", "GET"]


@pytest.mark.anyio
@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_a_5xx_on_a_page_create_is_not_retried(status: int) -> None:
    notion = FakeNotion()
    notion.answer("POST", "/v1/pages", error(status, "internal_server_error"), (200, {"object": "page"}))
    with pytest.raises(TransientError) as caught:
        await gateway_for(notion).create_page({"parent": {"page_id": PAGE_ID}, "properties": {}})
    assert caught.value.sent
    assert len(notion.sent) == 1


@pytest.mark.anyio
async def test_a_timeout_on_an_append_is_not_retried_but_a_refused_connection_is() -> None:
    notion = FakeNotion()
    notion.answer("PATCH", "/v1/blocks/{id}/children", httpx.ReadTimeout("slow"))
    with pytest.raises(TransientError):
        await gateway_for(notion).append_children(PAGE_ID, [])
    assert len(notion.sent) == 1

    notion = FakeNotion()
    notion.answer(
        "PATCH",
        "/v1/blocks/{id}/children",
        httpx.ConnectError("refused"),
        (200, {"object": "list", "results": []}),
    )
    assert (await gateway_for(notion).append_children(PAGE_ID, []))["results"] == []
    assert len(notion.sent) == 2


@pytest.mark.anyio
async def test_a_529_service_overload_is_retried_even_though_notion_client_does_not_know_the_code() -> None:
    notion = FakeNotion()
    notion.answer(
        "POST", "/v1/pages", error(529, "service_overload"), (200, {"object": "page", "id": PAGE_ID})
    )
    assert (await gateway_for(notion).create_page({}))["id"] == PAGE_ID
    assert len(notion.sent) == 2


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("status", "code", "hint"),
    [
        (400, "validation_error", "Fix the part the message names"),
        (401, "unauthorized", "NOTION_TOKEN"),
        (403, "restricted_resource", "capability"),
        (404, "object_not_found", "Connections"),
    ],
)
async def test_client_errors_are_not_retried_and_say_what_to_do(status: int, code: str, hint: str) -> None:
    notion = FakeNotion()
    notion.answer("GET", "/v1/pages/{id}", error(status, code, "Notion says no."))
    with pytest.raises(NotionAPIError) as caught:
        await gateway_for(notion).retrieve_page(PAGE_ID)
    assert len(notion.sent) == 1
    message = str(to_tool_error(caught.value))
    assert f"{status} {code}: Notion says no." in message
    assert "request_id: rid-1" in message
    assert hint in message


@pytest.mark.anyio
async def test_a_rate_limit_longer_than_the_maximum_wait_comes_back_with_retry_after_seconds() -> None:
    notion, clock = FakeNotion(), FakeClock()
    notion.answer("GET", "/v1/users/me", rate_limited("120"))
    with pytest.raises(RateLimitedError) as caught:
        await gateway_for(notion, clock, max_wait=30).retrieve_bot()
    assert clock.slept == []  # gave up at once instead of waiting past the budget
    message = str(to_tool_error(caught.value))
    assert "retry_after_seconds: 120" in message
    assert "rate_limit_reason: integration_limit" in message


@pytest.mark.anyio
async def test_an_html_502_from_the_edge_is_translated_and_retried_on_reads() -> None:
    notion = FakeNotion()
    html = httpx.Response(
        502, text="<html><body>Bad gateway</body></html>", headers={"content-type": "text/html"}
    )
    notion.answer("GET", "/v1/users/me", html, (200, ME))
    assert await gateway_for(notion).retrieve_bot() == ME

    notion = FakeNotion()
    notion.answer("POST", "/v1/comments", html)
    with pytest.raises(TransientError) as caught:
        await gateway_for(notion).create_comment({})
    assert caught.value.code == "bad_gateway"
    assert "no Notion error body" in caught.value.message
    assert len(notion.sent) == 1  # a comment is not repeated: the first may have been posted


@pytest.mark.anyio
async def test_retries_stop_after_max_retries() -> None:
    notion = FakeNotion()
    notion.answer("GET", "/v1/users/me", error(503, "service_unavailable"))
    with pytest.raises(TransientError):
        await gateway_for(notion, max_retries=3).retrieve_bot()
    assert len(notion.sent) == 4


@pytest.mark.anyio
async def test_the_token_never_appears_in_an_error() -> None:
    notion = FakeNotion()
    token = "ntn_" + "T" * 40
    notion.answer("GET", "/v1/users/me", error(401, "unauthorized", f"API token is invalid: {token}"))
    with pytest.raises(NotionAPIError) as caught:
        await gateway_for(notion).retrieve_bot()
    assert token not in str(to_tool_error(caught.value))


@pytest.mark.anyio
async def test_429s_are_retried_for_as_long_as_the_wait_budget_lasts_not_a_count() -> None:
    notion, clock = FakeNotion(), FakeClock()
    notion.answer("GET", "/v1/users/me", *[rate_limited("2") for _ in range(8)], (200, ME))
    assert await gateway_for(notion, clock, max_retries=2, max_wait=30).retrieve_bot() == ME
    assert clock.now == pytest.approx(16.0)  # eight refusals, two seconds each: within 30 s

    notion = FakeNotion()
    notion.answer("GET", "/v1/users/me", *[rate_limited("2") for _ in range(20)], (200, ME))
    with pytest.raises(RateLimitedError):
        await gateway_for(notion, FakeClock(), max_retries=2, max_wait=30).retrieve_bot()
    assert len(notion.sent) == 16  # 15 waits of 2 s fit in 30 s; the 16th refusal ends it
