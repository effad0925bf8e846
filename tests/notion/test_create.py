"""notion/create.py: what the look after an ambiguous create failure decides, case by case."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from replay import FakeNotion, gateway_for

from notion_mcp.errors import TransientError
from notion_mcp.notion.create import create_page, title_of

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


async def test_the_create_sends_the_body_it_was_given() -> None:
    notion = FakeNotion()
    notion.answer("POST", "/v1/pages", (200, {"object": "page", "id": NEW}))
    await run(notion)
    assert [s.body for s in notion.sent] == [BODY]


async def test_a_create_lost_every_time_and_never_found_gives_up_after_three_sends() -> None:
    notion = FakeNotion()
    notion.answer("POST", "/v1/pages", DROP)
    notion.answer(
        "GET", "/v1/blocks/{id}/children", listing(child("1a2b3c4d-5e6f-4000-8000-000000000009", "Other"))
    )
    with pytest.raises(TransientError) as info:
        await run(notion)
    assert info.value.ambiguous and info.value.code == "connection_error"
    assert [s.method for s in notion.sent] == ["POST", "GET"] * 3


async def test_two_matches_are_ambiguous_even_when_each_page_could_be_read() -> None:
    notion = FakeNotion()
    notion.answer("POST", "/v1/pages", DROP)
    twins = [child(NEW, "Plan"), child("1a2b3c4d-5e6f-4000-8000-000000000003", "Plan")]
    notion.answer("GET", "/v1/blocks/{id}/children", listing(*twins))
    notion.answer("GET", "/v1/pages/{id}", (200, {"object": "page", "id": NEW}))
    with pytest.raises(TransientError) as info:
        await run(notion)
    assert info.value.ambiguous
    assert [s.method for s in notion.sent] == ["POST", "GET"]  # neither twin is taken for the page


async def test_the_look_follows_the_listings_cursor_to_find_the_page() -> None:
    notion = FakeNotion()
    notion.answer("POST", "/v1/pages", DROP)
    cursor = "1a2b3c4d-5e6f-4000-8000-0000000000ff"
    notion.answer(
        "GET", "/v1/blocks/{id}/children", listing(*others(100), more=True), listing(child(NEW, "Plan"))
    )
    notion.answer("GET", "/v1/pages/{id}", (200, {"object": "page", "id": NEW}))
    created = await run(notion)
    assert created.page["id"] == NEW
    reads = [s.query.get("start_cursor") for s in notion.sent if s.path.endswith("/children")]
    assert reads == [None, cursor]


async def test_a_page_whose_creation_time_cannot_be_read_is_not_taken_for_the_new_one() -> None:
    notion = FakeNotion()
    notion.answer("POST", "/v1/pages", DROP, (200, {"object": "page", "id": NEW}))
    unknown = child("1a2b3c4d-5e6f-4000-8000-000000000009", "Plan", created="not a time")
    notion.answer("GET", "/v1/blocks/{id}/children", listing(unknown))
    created = await run(notion)
    assert created.page["id"] == NEW and created.found_after is None
    assert [s.method for s in notion.sent] == ["POST", "GET", "POST"]


async def test_the_minute_is_cut_whatever_the_fraction_of_a_second() -> None:
    # at 05:30:20.5 the attempt's minute is 05:30, and a page Notion stamps 05:29:00 may be it
    notion = FakeNotion()
    notion.answer("POST", "/v1/pages", DROP, (200, {"object": "page", "id": "duplicate"}))
    notion.answer("GET", "/v1/blocks/{id}/children", listing(child(NEW, "Plan", "2026-11-22T05:29:00.000Z")))
    notion.answer("GET", "/v1/pages/{id}", (200, {"object": "page", "id": NEW}))
    created = await create_page(gateway_for(notion), BODY, now=lambda: NOW.replace(microsecond=500_000))
    assert created.page["id"] == NEW


async def test_a_page_without_a_title_is_not_looked_for() -> None:
    notion = FakeNotion()
    notion.answer("POST", "/v1/pages", DROP)
    body = {"parent": {"type": "page_id", "page_id": PARENT}, "properties": {}}
    with pytest.raises(TransientError) as info:
        await create_page(gateway_for(notion), body, now=lambda: NOW)
    assert info.value.ambiguous
    assert [s.method for s in notion.sent] == ["POST"]  # an empty title matches nothing reliably


NAME = {"title": [{"text": {"content": "Pl"}}, {"text": {"content": "an"}}]}
ROW_BODY = {"parent": {"type": "data_source_id", "data_source_id": PARENT},
            "properties": {"Status": {"select": {"name": "Open"}}, "Name": NAME}}  # fmt: skip


async def test_a_row_is_looked_for_by_its_title_property_whatever_comes_first() -> None:
    notion = FakeNotion()
    notion.answer("POST", "/v1/pages", DROP)
    rows = {"object": "list", "results": [row(NEW, "Plan")], "has_more": False, "next_cursor": None}
    notion.answer("POST", "/v1/data_sources/{id}/query", (200, rows))
    notion.answer("GET", "/v1/pages/{id}", (200, {"object": "page", "id": NEW}))
    created = await create_page(gateway_for(notion), ROW_BODY, now=lambda: NOW)
    assert created.page["id"] == NEW
    [look] = [s.body for s in notion.sent if s.path.endswith("/query")]
    assert look["filter"]["and"][1] == {"property": "Name", "title": {"equals": "Plan"}}


async def test_rows_the_query_returns_are_checked_again_for_title_and_time() -> None:
    # the filter is Notion's; a row it lets through with another title, or made before the
    # attempt, is not taken for the new one: the create is sent again
    notion = FakeNotion()
    notion.answer("POST", "/v1/pages", DROP, (200, {"object": "page", "id": NEW}))
    strays = [row("1a2b3c4d-5e6f-4000-8000-000000000009", "Plan", created="2026-11-22T05:20:00.000Z"),
              row("1a2b3c4d-5e6f-4000-8000-00000000000a", "Other")]  # fmt: skip
    rows = {"object": "list", "results": strays, "has_more": False, "next_cursor": None}
    notion.answer("POST", "/v1/data_sources/{id}/query", (200, rows))
    created = await create_page(gateway_for(notion), ROW_BODY, now=lambda: NOW)
    assert created.page["id"] == NEW and created.found_after is None
    assert [s.path for s in notion.sent].count("/v1/pages") == 2


async def test_a_callers_own_look_is_used_instead_of_the_title() -> None:
    notion = FakeNotion()
    notion.answer("POST", "/v1/pages", DROP)
    notion.answer("GET", "/v1/pages/{id}", (200, {"object": "page", "id": NEW}))
    asked: list[tuple[Any, datetime]] = []

    async def by_key(body: Any, since: datetime) -> list[str]:
        asked.append((body, since))
        return [NEW]

    created = await create_page(gateway_for(notion), BODY, now=lambda: NOW, look=by_key)
    assert created.page["id"] == NEW and created.found_after is not None
    assert asked == [(BODY, datetime(2026, 11, 22, 5, 29, tzinfo=UTC))]
    assert [s.method for s in notion.sent] == ["POST", "GET"]  # no listing: the caller looked


def test_the_title_is_the_text_of_every_item_and_nothing_else() -> None:
    items = [{"text": {"content": "Pl"}}, {"plain_text": "an"}, {"type": "mention", "mention": {}}, "junk"]
    assert title_of({"properties": {"Tags": {"multi_select": []}, "Name": {"title": items}}}) == "Plan"
    assert title_of({"properties": {"Tags": {"multi_select": []}}}) == ""
