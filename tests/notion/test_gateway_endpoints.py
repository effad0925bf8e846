"""Every gateway endpoint on the wire, from one table: the method, path and arguments it sends,
whether a 5xx is retried (only where repeating cannot duplicate an effect), which field its answer
must hold, and which field a bad ID is blamed on. Then how each lower-layer failure is translated
and what one request reports to the limiter, the usage counts and the cursor registry."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from replay import FakeClock

from notion_mcp.errors import InputError, NotionAPIError, RateLimitedError, TransientError, to_tool_error
from notion_mcp.notion.gateway import NotionGateway, build_client
from notion_mcp.notion.limiter import Limiter
from notion_mcp.notion.markdown_read import FIRST_VERSION
from notion_mcp.notion.markdown_write import append_to_page
from notion_mcp.notion.ratelimit import TokenBucket
from notion_mcp.notion.retry import RetryPolicy
from notion_mcp.notion.usage import Usage
from notion_mcp.notion.window import Ticket

pytestmark = pytest.mark.anyio

BASE = "https://api.notion.com"
A = "393abc1e-edcd-80f3-813b-e205934558c6"
HEX = A.replace("-", "")
Json = dict[str, Any]


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    content_type: str
    body: bytes


@dataclass
class Wire:
    """A transport answering from a queue (the last answer repeats), keeping every request."""

    answers: list[httpx.Response | Exception] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)
    during: Callable[[], None] = lambda: None

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.during()
        content_type = request.headers.get("content-type", "")
        self.seen.append(
            Seen(
                request.method,
                request.url.raw_path.decode().split("?")[0],
                dict(request.url.params),
                content_type,
                request.content,
            )
        )
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


class Recording(Limiter):
    """A limiter that only records what the gateway tells it, with the ticket it gave."""

    def __init__(self) -> None:
        super().__init__()
        self.told: list[tuple[Any, ...]] = []
        self.issued = 0

    async def acquire(self) -> Ticket | None:
        self.issued += 1
        return (0, self.issued)

    async def answered(self, ticket: Ticket | None) -> None:
        self.told.append(("answered", ticket))

    def release(self, ticket: Ticket | None) -> None:
        self.told.append(("release", ticket))

    async def refused(self, ticket: Ticket | None, retry_after: float, reason: str | None) -> None:
        self.told.append(("refused", ticket, retry_after, reason))


def gateway(wire: Wire, *, retries: int = 4, clock: FakeClock | None = None) -> NotionGateway:
    clock = clock or FakeClock()
    client = build_client(
        token="ntn_test",
        notion_version="2026-03-11",
        base_url=BASE,
        transport=httpx.MockTransport(wire.handle),
    )
    policy = RetryPolicy(max_retries=retries, sleep=clock.sleep, jitter=lambda: 0.5)
    return NotionGateway(client, Recording(), policy, usage=Usage(clock=clock))


def ok(body: Json) -> httpx.Response:
    return httpx.Response(200, json=body)


def error(
    status: int, code: str, message: str = "msg", headers: dict[str, str] | None = None, **extra: Any
) -> httpx.Response:
    body = {"object": "error", "status": status, "code": code, "message": message, **extra}
    return httpx.Response(status, json=body, headers=headers)


Call = Callable[[NotionGateway, str], Awaitable[Json]]


@dataclass(frozen=True)
class Endpoint:
    name: str
    call: Call  # with the ID to use
    method: str
    path: str  # {id} for the dashed ID
    safe: bool  # a 5xx is retried
    answer: str | None  # the field its answer must hold
    blamed: str | None = None  # the field a bad ID is named by
    query: dict[str, str] = field(default_factory=dict)
    body: Json | None = None


P5 = {"page_size": "5"}
ENDPOINTS = [
    Endpoint(
        "create_page", lambda g, i: g.create_page({"x": 1}), "POST", "pages", False, "id", body={"x": 1}
    ),
    Endpoint("retrieve_page", lambda g, i: g.retrieve_page(i), "GET", "pages/{id}", True, "id", "page_id"),
    Endpoint(
        "update_page",
        lambda g, i: g.update_page(i, {"x": 1}),
        "PATCH",
        "pages/{id}",
        True,
        "id",
        "page_id",
        body={"x": 1},
    ),
    Endpoint(
        "retrieve_page_markdown",
        lambda g, i: g.retrieve_page_markdown(i),
        "GET",
        "pages/{id}/markdown",
        True,
        "markdown",
        "page_id",
    ),
    Endpoint(
        "update_page_markdown",
        lambda g, i: g.update_page_markdown(i, {"x": 1}),
        "PATCH",
        "pages/{id}/markdown",
        False,
        "markdown",
        "page_id",
        body={"x": 1},
    ),
    Endpoint(
        "move_page",
        lambda g, i: g.move_page(i, {"page_id": "p"}),
        "POST",
        "pages/{id}/move",
        True,
        "id",
        "page_id",
        body={"parent": {"page_id": "p"}},
    ),
    Endpoint(
        "retrieve_page_property",
        lambda g, i: g.retrieve_page_property(i, "a b", page_size=5),
        "GET",
        "pages/{id}/properties/a%20b",
        True,
        None,
        "page_id",
        query=P5,
    ),
    Endpoint(
        "retrieve_block", lambda g, i: g.retrieve_block(i), "GET", "blocks/{id}", True, "id", "block_id"
    ),
    Endpoint(
        "list_children",
        lambda g, i: g.list_children(i, page_size=5),
        "GET",
        "blocks/{id}/children",
        True,
        "results",
        "block_id",
        query=P5,
    ),
    Endpoint(
        "append_children",
        lambda g, i: g.append_children(i, [{"x": 1}], {"type": "start"}),
        "PATCH",
        "blocks/{id}/children",
        False,
        "results",
        "parent_block_id",
        body={"children": [{"x": 1}], "position": {"type": "start"}},
    ),
    Endpoint(
        "update_block",
        lambda g, i: g.update_block(i, {"x": 1}),
        "PATCH",
        "blocks/{id}",
        True,
        "id",
        "block_id",
        body={"x": 1},
    ),
    Endpoint("delete_block", lambda g, i: g.delete_block(i), "DELETE", "blocks/{id}", True, "id", "block_id"),
    Endpoint(
        "create_database",
        lambda g, i: g.create_database({"x": 1}),
        "POST",
        "databases",
        False,
        "id",
        body={"x": 1},
    ),
    Endpoint(
        "retrieve_database",
        lambda g, i: g.retrieve_database(i),
        "GET",
        "databases/{id}",
        True,
        "id",
        "database_id",
    ),
    Endpoint(
        "update_database",
        lambda g, i: g.update_database(i, {"x": 1}),
        "PATCH",
        "databases/{id}",
        True,
        "id",
        "database_id",
        body={"x": 1},
    ),
    Endpoint(
        "create_data_source",
        lambda g, i: g.create_data_source({"x": 1}),
        "POST",
        "data_sources",
        False,
        "id",
        body={"x": 1},
    ),
    Endpoint(
        "retrieve_data_source",
        lambda g, i: g.retrieve_data_source(i),
        "GET",
        "data_sources/{id}",
        True,
        "id",
        "data_source_id",
    ),
    Endpoint(
        "update_data_source",
        lambda g, i: g.update_data_source(i, {"x": 1}),
        "PATCH",
        "data_sources/{id}",
        True,
        "id",
        "data_source_id",
        body={"x": 1},
    ),
    Endpoint(
        "query_data_source",
        lambda g, i: g.query_data_source(i, {"filter": 1}, page_size=5),
        "POST",
        "data_sources/{id}/query",
        True,
        "results",
        "data_source_id",
        body={"filter": 1, "page_size": 5},
    ),
    Endpoint(
        "list_templates",
        lambda g, i: g.list_templates(i, page_size=5),
        "GET",
        "data_sources/{id}/templates",
        True,
        None,
        "data_source_id",
        query=P5,
    ),
    Endpoint(
        "list_views",
        lambda g, i: g.list_views(i, page_size=5),
        "GET",
        "views",
        True,
        None,
        "database_id",
        query={"database_id": A, **P5},
    ),
    Endpoint("retrieve_view", lambda g, i: g.retrieve_view(i), "GET", "views/{id}", True, None, "view"),
    Endpoint(
        "search",
        lambda g, i: g.search({"query": "x"}, page_size=5),
        "POST",
        "search",
        True,
        "results",
        body={"query": "x", "page_size": 5},
    ),
    Endpoint("list_users", lambda g, i: g.list_users(page_size=5), "GET", "users", True, "results", query=P5),
    Endpoint("retrieve_user", lambda g, i: g.retrieve_user(i), "GET", "users/{id}", True, "id", "user_id"),
    Endpoint("retrieve_bot", lambda g, i: g.retrieve_bot(), "GET", "users/me", True, "id"),
    Endpoint(
        "create_comment",
        lambda g, i: g.create_comment({"x": 1}),
        "POST",
        "comments",
        False,
        "id",
        body={"x": 1},
    ),
    Endpoint(
        "update_comment",
        lambda g, i: g.update_comment(i, {"x": 1}),
        "PATCH",
        "comments/{id}",
        True,
        "id",
        "comment_id",
        body={"x": 1},
    ),
    Endpoint(
        "delete_comment",
        lambda g, i: g.delete_comment(i),
        "DELETE",
        "comments/{id}",
        False,
        "id",
        "comment_id",
    ),
    Endpoint(
        "list_comments",
        lambda g, i: g.list_comments(i, page_size=5),
        "GET",
        "comments",
        True,
        "results",
        "block_id",
        query={"block_id": A, **P5},
    ),
    Endpoint(
        "create_file_upload",
        lambda g, i: g.create_file_upload({"x": 1}),
        "POST",
        "file_uploads",
        False,
        "id",
        body={"x": 1},
    ),
    Endpoint(
        "send_file_upload",  # the whole file at once: sending it again would not replace a part
        lambda g, i: g.send_file_upload(i, "f.txt", b"hello", "text/plain"),
        "POST",
        "file_uploads/{id}/send",
        False,
        "id",
        "file_upload_id",
    ),
    Endpoint(
        "send_file_upload_part",  # a part sent again replaces itself
        lambda g, i: g.send_file_upload(i, "f.txt", b"hello", "text/plain", part=2),
        "POST",
        "file_uploads/{id}/send",
        True,
        "id",
        "file_upload_id",
    ),
    Endpoint(
        "complete_file_upload",
        lambda g, i: g.complete_file_upload(i),
        "POST",
        "file_uploads/{id}/complete",
        False,
        "id",
        "file_upload_id",
    ),
    Endpoint(
        "retrieve_file_upload",
        lambda g, i: g.retrieve_file_upload(i),
        "GET",
        "file_uploads/{id}",
        True,
        "id",
        "file_upload_id",
    ),
]
BY_NAME = pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.name for e in ENDPOINTS])


def shaped(endpoint: Endpoint) -> Json:
    """An answer holding the field the endpoint needs."""
    value: Any = {"id": A, "results": [], "markdown": ""}.get(endpoint.answer or "id")
    return {"object": "x", endpoint.answer or "id": value}


@BY_NAME
async def test_each_endpoint_sends_its_method_path_and_arguments(endpoint: Endpoint) -> None:
    wire = Wire([ok(shaped(endpoint))])
    gw = gateway(wire)
    assert await endpoint.call(gw, HEX) == shaped(endpoint)  # an ID in any spelling is sent dashed
    [seen] = wire.seen
    assert (seen.method, seen.path) == (endpoint.method, "/v1/" + endpoint.path.replace("{id}", A))
    assert dict(gw.usage.by_endpoint) == {f"{endpoint.method} {endpoint.path.split('?')[0]}": 1}
    assert seen.query == endpoint.query
    if endpoint.body is not None:
        assert json.loads(seen.body) == endpoint.body
    elif endpoint.name.startswith("send_file_upload"):
        assert seen.content_type.startswith("multipart/form-data")
        assert b'name="file"; filename="f.txt"' in seen.body and b"hello" in seen.body
        assert (b'name="part_number"\r\n\r\n2' in seen.body) == endpoint.safe
    else:
        assert seen.body in (b"", b"{}")


@BY_NAME
async def test_a_5xx_is_retried_only_where_repeating_cannot_duplicate_an_effect(endpoint: Endpoint) -> None:
    wire = Wire([error(503, "service_unavailable"), ok(shaped(endpoint))])
    gw = gateway(wire)
    if endpoint.safe:
        assert await endpoint.call(gw, A) == shaped(endpoint)
        assert len(wire.seen) == 2
    else:
        with pytest.raises(TransientError) as caught:
            await endpoint.call(gw, A)
        assert len(wire.seen) == 1
        assert caught.value.ambiguous  # sent, and not repeated: its effect is unknown


@BY_NAME
async def test_an_answer_without_the_field_the_endpoint_needs_is_taken_as_lost(endpoint: Endpoint) -> None:
    wire = Wire([ok({"object": "x"})])
    gw = gateway(wire, retries=0)
    if endpoint.answer is None:
        assert await endpoint.call(gw, A) == {"object": "x"}
        return
    with pytest.raises(TransientError) as caught:
        await endpoint.call(gw, A)
    assert (caught.value.status, caught.value.code) == (200, "invalid_response")  # it was answered
    assert str(caught.value) == f"Notion's answer is not an object with {endpoint.answer!r}."


@pytest.mark.parametrize(
    "endpoint", [e for e in ENDPOINTS if e.blamed], ids=[e.name for e in ENDPOINTS if e.blamed]
)
async def test_a_bad_id_is_refused_before_sending_naming_the_field(endpoint: Endpoint) -> None:
    wire = Wire([ok(shaped(endpoint))])
    with pytest.raises(InputError) as caught:
        await endpoint.call(gateway(wire), "nope")
    assert str(caught.value).startswith(f"{endpoint.blamed}: 'nope' is not a Notion ID")
    assert wire.seen == []


async def test_an_answer_that_is_not_an_object_is_taken_as_lost() -> None:
    wire = Wire([httpx.Response(200, json=[1, 2])])
    with pytest.raises(TransientError) as caught:
        await gateway(wire, retries=0).retrieve_view(A)
    assert str(caught.value) == "Notion's answer is not an object."


# -- how each failure is translated ----------------------------------------------------------


async def failure(answer: httpx.Response | Exception) -> NotionAPIError:
    """What a read meets when Notion (or the way to it) answers so, without retrying."""
    with pytest.raises(NotionAPIError) as caught:
        await gateway(Wire([answer]), retries=0).retrieve_page(A)
    return caught.value


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (500, "internal_server_error"),
        (502, "bad_gateway"),
        (503, "service_unavailable"),
        (504, "gateway_timeout"),
    ],
)
async def test_an_edge_5xx_without_a_notion_body_is_named_by_its_status(status: int, code: str) -> None:
    found = await failure(httpx.Response(status, text="<html>oops</html>"))
    assert isinstance(found, TransientError) and found.sent
    assert (found.status, found.code) == (status, code)
    assert found.message == f"Notion's edge answered HTTP {status} with no Notion error body."


async def test_another_status_without_a_body_is_a_response_error_and_not_retried() -> None:
    found = await failure(httpx.Response(418, text="teapot"))
    assert type(found) is NotionAPIError
    assert (found.status, found.code) == (418, "response_error")


async def test_notions_error_body_gives_the_code_message_request_id_and_additional_data() -> None:
    found = await failure(
        error(409, "conflict_error", "Conflict.", request_id="rid-9", additional_data={"k": "v"})
    )
    assert (found.status, found.code, found.message) == (409, "conflict_error", "Conflict.")
    assert (found.request_id, found.additional_data) == ("rid-9", {"k": "v"})
    bare = await failure(httpx.Response(400, json={"object": "error", "code": "validation_error"}))
    assert (bare.code, bare.message, bare.request_id, bare.additional_data) == (
        "validation_error",
        "",
        None,
        {},
    )


@pytest.mark.parametrize("status", [429, 529])
async def test_a_rate_limit_without_retry_after_waits_one_second(status: int) -> None:
    found = await failure(error(status, "rate_limited"))
    assert isinstance(found, RateLimitedError)
    assert (found.status, found.code, found.retry_after) == (status, "rate_limited", 1.0)
    found = await failure(error(status, "rate_limited", headers={"Retry-After": "7"}))
    assert found.retry_after == 7.0


async def test_a_retry_after_that_is_not_a_number_counts_as_none_given() -> None:
    found = await failure(error(503, "service_unavailable", headers={"Retry-After": "soon"}))
    assert found.retry_after is None
    found = await failure(error(503, "service_unavailable", headers={"retry-after": "-3"}))
    assert found.retry_after == 0.0


async def test_failures_without_an_answer_say_what_happened_and_whether_it_was_sent() -> None:
    timeout = await failure(httpx.ReadTimeout("slow"))
    assert isinstance(timeout, TransientError) and timeout.sent
    assert (timeout.status, timeout.code, timeout.message) == (
        0,
        "request_timeout",
        "The request to Notion timed out.",
    )

    refused = await failure(httpx.ConnectError("refused"))
    assert isinstance(refused, TransientError) and not refused.sent  # never left: safe to repeat
    assert (refused.status, refused.code) == (0, "connection_error")
    assert refused.message == f"Could not reach {BASE}: refused"

    dropped = await failure(httpx.RemoteProtocolError(""))
    assert isinstance(dropped, TransientError) and dropped.sent
    assert (dropped.status, dropped.code) == (0, "connection_error")
    assert dropped.message == f"The connection to {BASE} dropped: RemoteProtocolError"
    dropped = await failure(httpx.ReadError("reset by peer"))
    assert dropped.message == f"The connection to {BASE} dropped: reset by peer"

    garbled = await failure(httpx.Response(200, content=b"<html>not json"))
    assert isinstance(garbled, TransientError)
    assert (garbled.status, garbled.code) == (200, "invalid_response")
    assert garbled.message == "Notion answered 200 but the body is not JSON."


async def test_a_failure_that_is_none_of_those_is_not_disguised() -> None:
    gw = gateway(Wire([ZeroDivisionError()]), retries=0)
    with pytest.raises(ZeroDivisionError):
        await gw.retrieve_page(A)
    assert dict(gw.usage.by_status) == {0: 1}  # counted as a request with no answer


# -- what one request reports --------------------------------------------------------------------


async def test_each_attempt_is_counted_timed_and_reported_to_the_limiter_with_its_ticket() -> None:
    clock = FakeClock()
    clock.now = 100.0
    wire = Wire(
        [
            error(
                429, "rate_limited", headers={"Retry-After": "2"}, additional_data={"rate_limit_reason": "r1"}
            ),
            error(503, "service_unavailable"),
            error(429, "rate_limited", headers={"Retry-After": "3"}),
            ok({"object": "list", "results": [], "next_cursor": "c1", "has_more": True}),
        ]
    )

    def talk() -> None:
        clock.now += 0.25  # each round trip takes a quarter of a second

    wire.during = talk
    gw = gateway(wire, clock=clock)
    await gw.list_children(A, page_size=5)
    assert gw.requests_sent == 4
    limiter = gw.limiter
    assert isinstance(limiter, Recording)
    assert limiter.told == [
        ("refused", (0, 1), 2.0, "r1"),
        ("release", (0, 1)),
        ("release", (0, 2)),  # a 5xx is no answer: Notion may not have counted it
        ("refused", (0, 3), 3.0, None),
        ("release", (0, 3)),
        ("answered", (0, 4)),
        ("release", (0, 4)),
    ]
    usage = gw.usage
    assert dict(usage.by_status) == {429: 2, 503: 1, 200: 1}
    assert dict(usage.by_endpoint) == {"GET blocks/{id}/children": 4}
    assert usage.retries == 3  # every attempt after the first
    assert list(usage.latencies) == [0.25] * 4
    assert usage.waited == pytest.approx(clock.now - 100.0 - 1.0)  # all but the four round trips
    # the cursor Notion issued continues this listing, and no other
    assert gw.cursors.check("c1") == "c1"
    gw.cursors.check_listing("c1", f"GET blocks/{A}/children")
    with pytest.raises(InputError):
        gw.cursors.check_listing("c1", "GET users")


async def test_a_4xx_is_an_answer_notion_counted_and_a_dropped_connection_is_not() -> None:
    gw = gateway(Wire([error(404, "object_not_found")]), retries=0)
    with pytest.raises(NotionAPIError):
        await gw.retrieve_page(A)
    assert isinstance(gw.limiter, Recording)
    assert gw.limiter.told == [("answered", (0, 1)), ("release", (0, 1))]
    assert dict(gw.usage.by_status) == {404: 1}

    gw = gateway(Wire([httpx.ConnectError("refused")]), retries=0)
    with pytest.raises(TransientError):
        await gw.retrieve_page(A)
    assert isinstance(gw.limiter, Recording)
    assert gw.limiter.told == [("release", (0, 1))]
    assert dict(gw.usage.by_status) == {0: 1}  # no answer


async def test_a_cursor_is_sent_only_once_issued_and_the_paging_fields_are_left_out_when_not_given() -> None:
    wire = Wire([ok({"object": "list", "results": [], "next_cursor": "c1", "has_more": True})])
    gw = gateway(wire)
    await gw.list_children(A)
    await gw.list_children(A, start_cursor="c1", page_size=7)
    assert [s.query for s in wire.seen] == [{}, {"start_cursor": "c1", "page_size": "7"}]
    with pytest.raises(InputError):
        await gw.list_children(A, start_cursor="c9")
    assert len(wire.seen) == 2


PAGED: dict[str, Callable[[NotionGateway, str | None], Awaitable[Json]]] = {
    "retrieve_page_property": lambda g, c: g.retrieve_page_property(A, "p", c, 5),
    "list_children": lambda g, c: g.list_children(A, c, 5),
    "query_data_source": lambda g, c: g.query_data_source(A, {}, c, 5),
    "list_templates": lambda g, c: g.list_templates(A, c, 5),
    "list_views": lambda g, c: g.list_views(A, c, 5),
    "search": lambda g, c: g.search({}, c, 5),
    "list_users": lambda g, c: g.list_users(c, 5),
    "list_comments": lambda g, c: g.list_comments(A, c, 5),
}


@pytest.mark.parametrize("name", PAGED)
async def test_every_listing_continues_from_the_cursor_it_issued(name: str) -> None:
    wire = Wire([ok({"object": "list", "results": [], "next_cursor": "c1", "has_more": True})])
    gw = gateway(wire)
    await PAGED[name](gw, None)
    await PAGED[name](gw, "c1")
    sent = [{**s.query, **(json.loads(s.body) if s.body else {})} for s in wire.seen]
    assert [s.get("start_cursor") for s in sent] == [None, "c1"]
    assert {str(s.get("page_size")) for s in sent} == {"5"}


SOURCE = {"object": "data_source", "id": A, "properties": {"Name": {"type": "title"}}}


def database(*sources: Json) -> httpx.Response:
    return ok({"object": "database", "id": A, "data_sources": list(sources)})


async def test_a_schema_is_read_once_then_kept() -> None:
    wire = Wire([ok(SOURCE)])
    gw = gateway(wire)
    assert await gw.schema(HEX) == SOURCE["properties"]
    assert await gw.schema(A) == SOURCE["properties"]
    assert len(wire.seen) == 1
    wire = Wire([ok({"object": "data_source", "id": A})])
    assert await gateway(wire).schema(A) == {}


async def test_the_one_data_source_of_a_database_is_found_and_then_kept() -> None:
    wire = Wire([database({"id": "s1", "name": "Tasks"})])
    gw = gateway(wire)
    assert await gw.resolve_data_source(HEX) == "s1"
    assert await gw.resolve_data_source(A) == "s1"
    assert [s.path for s in wire.seen] == [f"/v1/databases/{A}"]
    found, sources = await gateway(Wire([database()])).data_sources_of(A)
    assert found["id"] == A and sources == []


async def test_a_database_with_several_or_no_data_sources_says_what_to_do() -> None:
    with pytest.raises(InputError) as caught:
        await gateway(Wire([database({"id": "s1", "name": "Tasks"}, {"id": "s2"})])).resolve_data_source(A)
    assert str(caught.value) == (
        f"Database {A.replace('-', '')} has 2 data sources: Tasks (data_source_id s1); Untitled"
        " (data_source_id s2). Call again with data_source_id set to one of them."
    )
    with pytest.raises(InputError) as caught:
        await gateway(Wire([database()])).resolve_data_source(A)
    assert str(caught.value) == f"Database {A.replace('-', '')} has no data source to query or add rows to."


async def test_a_data_source_id_given_for_a_database_is_taken_as_that_data_source() -> None:
    wire = Wire([error(404, "object_not_found", "no database"), ok(SOURCE)])
    assert await gateway(wire).resolve_data_source(A) == A
    assert [s.path for s in wire.seen] == [f"/v1/databases/{A}", f"/v1/data_sources/{A}"]

    wire = Wire([error(404, "object_not_found", "no database"), error(404, "object_not_found", "no source")])
    with pytest.raises(NotionAPIError) as caught:
        await gateway(wire).resolve_data_source(A)
    assert caught.value.message == "no database"  # what was asked for: the database

    wire = Wire([error(403, "restricted_resource", "no access")])
    with pytest.raises(NotionAPIError) as caught:
        await gateway(wire).resolve_data_source(A)
    assert caught.value.status == 403 and len(wire.seen) == 1


# -- error bodies notion-client does not parse ---------------------------------------------------


async def test_a_code_notion_client_does_not_know_keeps_its_request_id_and_additional_data() -> None:
    # notion-client reads request_id and additional_data only for the codes it knows; for the
    # others (missing_version, a 529's service_overload) the gateway reads them from the body
    found = await failure(
        error(400, "missing_version", "No version.", request_id="rid-7", additional_data={"k": "v"})
    )
    assert (found.status, found.code, found.message) == (400, "missing_version", "No version.")
    assert (found.request_id, found.additional_data) == ("rid-7", {"k": "v"})
    overload = await failure(
        error(
            529, "service_overload", "Busy.", request_id="rid-8", additional_data={"rate_limit_reason": "r"}
        )
    )
    assert isinstance(overload, RateLimitedError) and overload.code == "service_overload"
    shown = str(to_tool_error(overload))
    assert "rate_limit_reason: r" in shown and "request_id: rid-8" in shown


@pytest.mark.parametrize("content", [b'"Bad Gateway"', b"null", b"[1]"])
async def test_an_error_body_that_is_json_but_not_an_object_is_no_notion_body(content: bytes) -> None:
    found = await failure(httpx.Response(502, content=content))
    assert isinstance(found, TransientError)
    assert (found.status, found.code) == (502, "bad_gateway")
    assert found.message == "Notion's edge answered HTTP 502 with no Notion error body."


async def test_an_error_object_without_a_code_is_named_by_its_status_and_keeps_its_message() -> None:
    found = await failure(httpx.Response(502, json={"message": "upstream down"}))
    assert isinstance(found, TransientError)  # retried on reads like any 502
    assert (found.code, found.message) == ("bad_gateway", "upstream down")
    found = await failure(httpx.Response(400, json={"message": "bad"}))
    assert type(found) is NotionAPIError
    assert (found.code, found.message) == ("response_error", "bad")


async def test_a_retry_after_of_zero_pauses_the_limiter_for_no_time() -> None:
    wire = Wire([error(429, "rate_limited", headers={"Retry-After": "0"}), ok({"object": "page", "id": A})])
    gw = gateway(wire)
    await gw.retrieve_page(A)
    assert isinstance(gw.limiter, Recording)
    assert gw.limiter.told[0] == ("refused", (0, 1), 0.0, None)  # as Notion said, like the retry's wait


# -- ambiguity: only a write sent and not repeated -------------------------------------------------


async def test_only_a_write_that_was_sent_and_not_repeated_is_called_ambiguous() -> None:
    # a read that ran out of retries: safe to call again, and the model is told so
    gw = gateway(Wire([error(503, "service_unavailable")]), retries=1)
    with pytest.raises(TransientError) as caught:
        await gw.retrieve_page(A)
    assert not caught.value.ambiguous
    assert str(to_tool_error(caught.value)).endswith("Next step: Wait a little and call again.")
    # a create that never reached Notion: nothing can have happened
    gw = gateway(Wire([httpx.ConnectError("refused")]), retries=1)
    with pytest.raises(TransientError) as caught:
        await gw.create_page({"x": 1})
    assert not caught.value.ambiguous
    # a create sent and not answered: it may have happened
    gw = gateway(Wire([httpx.ReadError("reset")]), retries=1)
    with pytest.raises(TransientError) as caught:
        await gw.create_page({"x": 1})
    assert caught.value.ambiguous


# -- a cursor continues only its own listing ----------------------------------------------------

DONE = {"property": "Done", "checkbox": {"equals": True}}
B = "a93abc1e-edcd-80f3-813b-e205934558c7"


async def test_a_cursor_is_refused_for_another_listing_before_anything_is_sent() -> None:
    wire = Wire([ok({"object": "list", "results": [], "next_cursor": "c1", "has_more": True})])
    gw = gateway(wire)
    await gw.query_data_source(A, {"filter": DONE})
    await gw.query_data_source(A, {"filter": DONE}, start_cursor="c1")  # the same query continues
    same = {"filter": {"checkbox": {"equals": True}, "property": "Done"}}  # in another key order
    await gw.query_data_source(A, same, start_cursor="c1")
    others = {
        "query without its filter": lambda: gw.query_data_source(A, {}, start_cursor="c1"),
        "query with another filter": lambda: gw.query_data_source(A, {"filter": {}}, start_cursor="c1"),
        "query of another source": lambda: gw.query_data_source(B, {"filter": DONE}, start_cursor="c1"),
        "a block's children": lambda: gw.list_children(A, start_cursor="c1"),  # cursor in the query
    }
    for name, other in others.items():
        with pytest.raises(InputError, match="this cursor continues another listing") as caught:
            await other()
        # it names the listing the cursor continues, compactly
        continued = (
            f'POST data_sources/{A}/query {{"filter":{{"checkbox":{{"equals":true}},"property":"Done"}}}}'
        )
        assert f"continues another listing ({continued})" in str(caught.value), name
    assert len(wire.seen) == 3
    assert json.loads(wire.seen[1].body) == {"filter": DONE, "start_cursor": "c1"}


async def test_a_bare_token_bucket_paces_the_requests() -> None:
    clock = FakeClock()
    wire = Wire([ok({"object": "user", "id": A})])
    client = build_client(
        token="ntn_test",
        notion_version="2026-03-11",
        base_url=BASE,
        transport=httpx.MockTransport(wire.handle),
    )
    bucket = TokenBucket(2.0, clock=clock, sleep=clock.sleep)
    gw = NotionGateway(client, bucket, RetryPolicy(sleep=clock.sleep))
    for _ in range(3):
        await gw.retrieve_bot()
    assert clock.now == pytest.approx(1.0)  # three requests at two a second


# -- what the gateway remembers ---------------------------------------------------------------


async def test_a_schema_is_read_again_after_an_update_even_when_its_answer_was_lost() -> None:
    wire = Wire([ok(SOURCE), error(503, "service_unavailable"), ok(SOURCE)])
    gw = gateway(wire, retries=0)
    await gw.schema(A)
    with pytest.raises(TransientError):
        await gw.update_data_source(A, {"properties": {"Done": {"checkbox": {}}}})
    await gw.schema(A)  # the update may have landed: the kept schema is not trusted
    assert [s.method for s in wire.seen] == ["GET", "PATCH", "GET"]


async def test_a_bad_id_for_a_schema_or_a_database_is_refused_naming_the_field() -> None:
    wire = Wire([ok(SOURCE)])
    gw = gateway(wire)
    with pytest.raises(InputError, match=r"^data_source_id: 'nope' is not a Notion ID"):
        await gw.schema("nope")
    with pytest.raises(InputError, match=r"^database_id: 'nope' is not a Notion ID"):
        await gw.resolve_data_source("nope")
    assert wire.seen == []


async def test_the_rows_a_query_returns_are_known_as_rows_of_its_data_source() -> None:
    row = {"object": "page", "id": B, "parent": {"type": "data_source_id", "data_source_id": A}}
    gw = gateway(Wire([ok({"object": "list", "results": [row], "next_cursor": None, "has_more": False})]))
    await gw.query_data_source(A, {})
    assert gw.schemas.page_source(B) == A  # a later write to the row needs no read of it


async def test_a_fresh_gateway_tries_the_markdown_endpoint_for_a_long_append() -> None:
    wire = Wire([ok({"object": "page_markdown", "id": A, "markdown": "p"})])
    gw = gateway(wire)
    blocks = [
        {"type": "paragraph", "paragraph": {"rich_text": [{"type": "text", "text": {"content": f"p{i}"}}]}}
        for i in range(101)  # two requests through the blocks API
    ]
    assert await append_to_page(gw, A, blocks, notion_version=FIRST_VERSION) is not None
    assert [(s.method, s.path) for s in wire.seen] == [("PATCH", f"/v1/pages/{A}/markdown")]


# -- the client the gateway talks through ---------------------------------------------------------


async def test_every_request_carries_the_token_the_version_and_the_configured_timeout() -> None:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return ok({"object": "user", "id": A})

    for timeout_ms, expected in ((1500, 1.5), (None, 60.0)):  # Notion's own limit by default
        more = {} if timeout_ms is None else {"timeout_ms": timeout_ms}
        client = build_client(
            token="ntn_abc",
            notion_version="2022-06-28",
            base_url="http://sandbox.test",
            transport=httpx.MockTransport(handle),
            **more,
        )
        await NotionGateway(client, Recording(), RetryPolicy()).retrieve_bot()
        request = seen.pop()
        assert str(request.url) == "http://sandbox.test/v1/users/me"
        assert request.headers["authorization"] == "Bearer ntn_abc"
        assert request.headers["notion-version"] == "2022-06-28"
        assert request.extensions["timeout"] == dict.fromkeys(("connect", "read", "write", "pool"), expected)


async def test_a_failure_is_logged_once_by_the_gateway_naming_the_request_and_the_answer(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    gw = gateway(Wire([error(404, "object_not_found")]), retries=0)
    with pytest.raises(NotionAPIError):
        await gw.retrieve_page(A)
    ours = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    assert [(r.name, r.levelno, r.getMessage()) for r in ours] == [
        ("notion_mcp.gateway", logging.INFO, f"GET pages/{A} -> 404 object_not_found")
    ]


def test_building_clients_adds_no_log_handlers() -> None:
    # notion-client's default logger adds a console handler each time a client is built
    loggers = [logging.getLogger(), logging.getLogger("notion_client")]
    before = [list(logger.handlers) for logger in loggers]
    for _ in range(2):
        build_client(token="t", notion_version="2026-03-11", base_url=BASE)
    assert [list(logger.handlers) for logger in loggers] == before
