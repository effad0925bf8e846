"""notion/create.py: what the look after an ambiguous create failure decides, case by case."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from replay import FakeNotion, gateway_for

from notion_mcp.errors import TransientError
from notion_mcp.notion.create import create_page

pytestmark = pytest.mark.anyio

PARENT = "1a2b3c4d-5e6f-4000-8000-000000000001"
NEW = "1a2b3c4d-5e6f-4000-8000-000000000002"
NOW = datetime(2026, 11, 22, 5, 30, 20, tzinfo=UTC)
BODY = {"parent": {"type": "page_id", "page_id": PARENT},
        "properties": {"title": {"title": [{"text": {"content": "Plan"}}]}}}  # fmt: skip
DROP = httpx.RemoteProtocolError("Server disconnected without sending a response.")


def child(block_id: str, title: str, created: str = "2026-11-22T05:30:00.000Z") -> dict[str, Any]:
    return {"object": "block", "id": block_id, "type": "child_page", "created_time": created,
            "has_children": False, "child_page": {"title": title}}  # fmt: skip


def listing(*blocks: dict[str, Any], more: bool = False) -> tuple[int, dict[str, Any]]:
    cursor = "1a2b3c4d-5e6f-4000-8000-0000000000ff" if more else None
    return 200, {"object": "list", "results": list(blocks), "next_cursor": cursor, "has_more": more}


async def run(notion: FakeNotion) -> Any:
    return await create_page(gateway_for(notion), BODY, now=lambda: NOW)


async def test_the_page_made_before_the_answer_was_lost_is_found_and_returned() -> None:
    notion = FakeNotion()
    notion.answer("POST", "/v1/pages", DROP)
    notion.answer("GET", "/v1/blocks/{id}/children", listing(child(NEW, "Plan")))
    notion.answer("GET", "/v1/pages/{id}", (200, {"object": "page", "id": NEW}))
    created = await run(notion)
    assert created.page["id"] == NEW and created.found_after is not None
    assert [s.method for s in notion.sent] == ["POST", "GET", "GET"]


def others(n: int, start: int = 0x100) -> list[dict[str, Any]]:
    return [child(f"1a2b3c4d-5e6f-4000-8000-{start + i:012x}", "Other") for i in range(n)]


async def test_two_matches_raise_the_ambiguous_error_and_send_nothing_more() -> None:
    notion = FakeNotion()
    notion.answer("POST", "/v1/pages", DROP)
    twins = [child(NEW, "Plan"), child("1a2b3c4d-5e6f-4000-8000-000000000003", "Plan")]
    notion.answer("GET", "/v1/blocks/{id}/children", listing(*twins))
    with pytest.raises(TransientError) as info:
        await run(notion)
    assert info.value.ambiguous
    assert [s.method for s in notion.sent].count("POST") == 1


async def test_a_listing_longer_than_the_look_reads_is_not_taken_as_complete() -> None:
    # one match in the first 100 children, but more than LISTING_LIMIT (1,000) children in all:
    # a second "Plan" may be further on, so the look cannot tell.
    notion = FakeNotion()
    notion.answer("POST", "/v1/pages", DROP)
    first = listing(child(NEW, "Plan"), *others(99), more=True)
    notion.answer("GET", "/v1/blocks/{id}/children", first, listing(*others(100), more=True))
    with pytest.raises(TransientError) as info:
        await run(notion)
    assert info.value.ambiguous
    assert [s.method for s in notion.sent].count("POST") == 1
    assert [s.method for s in notion.sent].count("GET") == 10  # read up to the limit, then stopped


def row(page_id: str, title: str, created: str = "2026-11-22T05:30:00.000Z") -> dict[str, Any]:
    return {"object": "page", "id": page_id, "created_time": created,
            "properties": {"Name": {"type": "title", "title": [{"plain_text": title}]}}}  # fmt: skip


async def test_a_row_look_with_more_rows_to_come_is_not_taken_as_complete() -> None:
    notion = FakeNotion()
    notion.answer("POST", "/v1/pages", DROP)
    rows = {"object": "list", "results": [row(NEW, "Plan")], "has_more": True,
            "next_cursor": "1a2b3c4d-5e6f-4000-8000-0000000000ff"}  # fmt: skip
    notion.answer("POST", "/v1/data_sources/{id}/query", (200, rows))
    notion.answer("GET", "/v1/pages/{id}", (200, {"object": "page", "id": NEW}))
    body = {**BODY, "parent": {"type": "data_source_id", "data_source_id": PARENT}}
    with pytest.raises(TransientError) as info:
        await create_page(gateway_for(notion), body, now=lambda: NOW)
    assert info.value.ambiguous
    assert [s.path for s in notion.sent].count("/v1/pages") == 1


async def test_a_row_found_by_the_row_look_is_returned() -> None:
    notion = FakeNotion()
    notion.answer("POST", "/v1/pages", DROP)
    rows = {"object": "list", "results": [row(NEW, "Plan")], "has_more": False, "next_cursor": None}
    notion.answer("POST", "/v1/data_sources/{id}/query", (200, rows))
    notion.answer("GET", "/v1/pages/{id}", (200, {"object": "page", "id": NEW}))
    body = {**BODY, "parent": {"type": "data_source_id", "data_source_id": PARENT}}
    created = await create_page(gateway_for(notion), body, now=lambda: NOW)
    assert created.page["id"] == NEW and created.found_after is not None
    [look] = [s.body for s in notion.sent if s.path.endswith("/query")]
    assert look == {  # rows made since a minute before the attempt, with this title, newest first
        "filter": {"and": [
            {"timestamp": "created_time", "created_time": {"on_or_after": "2026-11-22T05:29:00+00:00"}},
            {"property": "title", "title": {"equals": "Plan"}},
        ]},
        "sorts": [{"timestamp": "created_time", "direction": "descending"}],
        "page_size": 100,
    }  # fmt: skip


async def test_a_page_stamped_up_to_a_minute_before_the_attempt_is_still_found() -> None:
    # Notion cuts created_time to the minute and its clock may be behind ours: at 05:30:20 here,
    # a page it stamps 05:29 can be the one this attempt made.
    notion = FakeNotion()
    notion.answer("POST", "/v1/pages", DROP, (200, {"object": "page", "id": "duplicate"}))
    notion.answer("GET", "/v1/blocks/{id}/children", listing(child(NEW, "Plan", "2026-11-22T05:29:00.000Z")))
    notion.answer("GET", "/v1/pages/{id}", (200, {"object": "page", "id": NEW}))
    created = await run(notion)
    assert created.page["id"] == NEW
    assert [s.method for s in notion.sent].count("POST") == 1


async def test_a_page_with_the_title_made_before_the_attempt_is_not_taken_for_it() -> None:
    notion = FakeNotion()
    notion.answer("POST", "/v1/pages", DROP, (200, {"object": "page", "id": NEW}))
    old = child("1a2b3c4d-5e6f-4000-8000-000000000009", "Plan", created="2026-11-22T05:28:00.000Z")
    notion.answer("GET", "/v1/blocks/{id}/children", listing(old))
    created = await run(notion)
    assert created.page["id"] == NEW and created.found_after is None  # sent again, answered
    assert [s.method for s in notion.sent] == ["POST", "GET", "POST"]


async def test_a_failing_look_raises_the_creates_own_error() -> None:
    notion = FakeNotion()
    notion.answer("POST", "/v1/pages", DROP)
    denied = {"object": "error", "status": 403, "code": "restricted_resource", "message": "no read"}
    notion.answer("GET", "/v1/blocks/{id}/children", (403, denied))
    with pytest.raises(TransientError) as info:
        await run(notion)
    assert info.value.code == "connection_error" and info.value.ambiguous


async def test_a_failure_before_sending_is_not_looked_into() -> None:
    notion = FakeNotion()
    notion.answer("POST", "/v1/pages", httpx.ConnectError("refused"), (200, {"object": "page", "id": NEW}))
    created = await run(notion)
    assert created.page["id"] == NEW and created.found_after is None
    assert [s.method for s in notion.sent] == ["POST", "POST"]  # retried by the gateway, no look
