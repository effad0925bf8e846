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


@pytest.mark.parametrize(
    ("children", "why"),
    [
        ([child(NEW, "Plan"), child("1a2b3c4d-5e6f-4000-8000-000000000003", "Plan")], "two matches"),
        ([child(NEW, "Plan")], "the listing goes on"),
    ],
)
async def test_a_look_that_cannot_tell_raises_the_ambiguous_error_and_sends_nothing_more(
    children: list[dict[str, Any]], why: str
) -> None:
    notion = FakeNotion()
    notion.answer("POST", "/v1/pages", DROP)
    more = why == "the listing goes on"
    notion.answer("GET", "/v1/blocks/{id}/children", listing(*children, more=more))
    with pytest.raises(TransientError) as info:
        await run(notion)
    assert info.value.ambiguous
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
