"""Rate limit, injected faults (before and after the write took effect) and request counters."""

from __future__ import annotations

import httpx
import notion_client
import pytest

from notion_mcp.sandbox import SEED, Sandbox

from .conftest import HEADERS, para

pytestmark = pytest.mark.anyio

CHILDREN = f"/v1/blocks/{SEED.welcome_page_id}/children"
APPEND = "PATCH /v1/blocks/{id}/children"


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def client(sandbox: Sandbox) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=sandbox.transport(), base_url=Sandbox.base_url, headers=HEADERS)


async def test_the_rate_limit_answers_429_with_retry_after_and_a_reason() -> None:
    clock = Clock()
    sandbox = Sandbox(rate_limit=2, burst=3, clock=clock)
    async with client(sandbox) as c:
        codes = [(await c.get("/v1/users/me")).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        r = await c.get("/v1/users/me")
        assert r.headers["Retry-After"] == "1"
        body = r.json()
        assert body["code"] == "rate_limited" and body["status"] == 429
        assert body["additional_data"]["rate_limit_reason"]
        clock.now += 0.5  # one token back at 2 per second
        assert (await c.get("/v1/users/me")).status_code == 200
        assert (await c.get("/v1/users/me")).status_code == 429
    sandbox.close()


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [
        ("internal_server_error", 500, "internal_server_error"),
        ("service_unavailable", 503, "service_unavailable"),
        ("gateway_timeout", 504, "gateway_timeout"),
        ("service_overload", 529, "service_overload"),
        ("rate_limited", 429, "rate_limited"),
    ],
)
async def test_an_injected_fault_answers_with_notions_error_body(
    sandbox: Sandbox, http: httpx.AsyncClient, kind: str, status: int, code: str
) -> None:
    sandbox.faults.add("GET", "/v1/users/me", kind, count=2, after=1)
    codes = [(await http.get("/v1/users/me")).status_code for _ in range(4)]
    assert codes == [200, status, status, 200]
    sandbox.faults.add("GET", "/v1/users/me", kind)
    r = await http.get("/v1/users/me")
    assert r.json()["object"] == "error" and r.json()["code"] == code and r.json()["request_id"]


async def test_service_overload_reaches_notion_client_as_an_unknown_response(sandbox: Sandbox) -> None:
    sandbox.faults.add("GET", "/v1/users/me", "529")
    http = httpx.AsyncClient(transport=sandbox.transport())
    notion = notion_client.AsyncClient(
        auth="ntn_test", notion_version="2026-03-11", base_url=Sandbox.base_url, client=http, retry=False
    )
    with pytest.raises(notion_client.errors.HTTPResponseError) as info:
        await notion.users.me()
    assert info.value.status == 529
    await notion.aclose()


async def test_the_edge_can_answer_an_html_502(sandbox: Sandbox, http: httpx.AsyncClient) -> None:
    sandbox.faults.add("*", "*", "bad_gateway_html")
    r = await http.get("/v1/users")
    assert (
        r.status_code == 502
        and r.headers["content-type"].startswith("text/html")
        and "502 Bad Gateway" in r.text
    )


async def test_a_dropped_connection_is_a_transport_error_for_the_client(
    sandbox: Sandbox, http: httpx.AsyncClient
) -> None:
    sandbox.faults.add("GET", "/v1/users", "drop")
    with pytest.raises(httpx.RemoteProtocolError):
        await http.get("/v1/users")
    assert (await http.get("/v1/users")).status_code == 200


async def test_a_slow_response_sleeps_through_the_injected_sleep() -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    sandbox = Sandbox(sleep=sleep)
    sandbox.faults.add("GET", "/v1/users/me", "slow", delay=65.0)
    async with client(sandbox) as c:
        assert (await c.get("/v1/users/me")).status_code == 200
    assert slept == [65.0]
    sandbox.close()


async def children_count(http: httpx.AsyncClient) -> int:
    return len((await http.get(CHILDREN)).json()["results"])


@pytest.mark.parametrize("kind", ["internal_server_error", "gateway_timeout", "drop"])
async def test_a_fault_after_the_write_leaves_the_write_applied(
    sandbox: Sandbox, http: httpx.AsyncClient, kind: str
) -> None:
    before = await children_count(http)
    sandbox.faults.add("PATCH", "/v1/blocks/{id}/children", kind, when="after")
    try:
        r = await http.patch(CHILDREN, json={"children": [para("ambiguous")]})
        assert r.status_code >= 500
    except httpx.RemoteProtocolError:
        assert kind == "drop"
    assert await children_count(http) == before + 1


async def test_a_fault_before_the_write_leaves_nothing_written(
    sandbox: Sandbox, http: httpx.AsyncClient
) -> None:
    before = await children_count(http)
    sandbox.faults.add("PATCH", "/v1/blocks/{id}/children", "gateway_timeout")
    assert (await http.patch(CHILDREN, json={"children": [para("lost")]})).status_code == 504
    assert await children_count(http) == before


async def test_counters_count_requests_per_templated_endpoint(
    sandbox: Sandbox, http: httpx.AsyncClient
) -> None:
    await http.get(CHILDREN)
    await http.patch(CHILDREN, json={"children": [para("x")]})
    await http.patch(CHILDREN, json={"children": [para("y")]})
    assert sandbox.counters[APPEND] == 2
    assert sandbox.counters["GET /v1/blocks/{id}/children"] == 1
    assert sandbox.total_requests == 3
    sandbox.reset_counters()
    assert sandbox.total_requests == 0


def test_unknown_fault_kinds_are_rejected_with_the_valid_ones(sandbox: Sandbox) -> None:
    with pytest.raises(ValueError, match="gateway_timeout"):
        sandbox.faults.add("GET", "*", "explode")
