"""notion_users, every operation, through the in-memory client with Notion answered from recordings."""

from __future__ import annotations

import json
from typing import Any

import pytest
from replay import FakeNotion, body, connect, shown, text_of

SDK = "notion-sdk-py/"
UN = "ultimate-notion/"
SDK_USERS = SDK + "test_users_list.yaml"  # Guillaume Gelin (person) + the notion-sdk-py bot
UN_USERS = UN + "test_session/test_all_users.yaml"  # Adam Dangoor (person) + 2 bots
BOT = "7775f3a3-893f-43fa-b625-460c61094c78"


async def _call(notion: FakeNotion, **arguments: Any) -> tuple[bool, str]:
    async with connect(notion) as client:
        result = await client.call_tool("notion_users", arguments)
    return bool(result.is_error), text_of(result)


def _two_pages(notion: FakeNotion) -> str:
    """Users over two pages: the SDK's recording, then ultimate-notion's. Returns the cursor."""
    first = body(SDK_USERS, "GET", "/v1/users")
    cursor = "fe2cc560-036c-44cd-90e8-294d5a74cebc"
    notion.answer(
        "GET",
        "/v1/users",
        (200, {**first, "next_cursor": cursor, "has_more": True}),
        (200, body(UN_USERS, "GET", "/v1/users")),
    )
    return cursor


@pytest.mark.anyio
async def test_list_shows_each_user_with_kind_email_and_id() -> None:
    notion = FakeNotion()
    notion.replay(UN_USERS, "GET", "/v1/users")
    error, text = await _call(notion, operation="list")
    assert not error, text
    assert [(s.method, s.path, s.query) for s in notion.sent] == [("GET", "/v1/users", {"page_size": "100"})]
    assert "Adam Dangoor (person, adamdangoor@gmail.com) id: 000000000000400080000000000000fa" in text
    assert "Ultimate Notion Tests (bot)" in text
    assert "more:" not in text


@pytest.mark.anyio
async def test_list_with_a_page_size_states_the_cursor_and_accepts_it_next() -> None:
    notion = FakeNotion()
    cursor = _two_pages(notion)
    async with connect(notion) as client:
        first = text_of(await client.call_tool("notion_users", {"operation": "list", "page_size": 2}))
        second = await client.call_tool(
            "notion_users", {"operation": "list", "page_size": 2, "start_cursor": cursor}
        )
    assert first.endswith(f"more: call again with the same arguments plus start_cursor={cursor}")
    assert "Guillaume Gelin" in first and "Adam Dangoor" not in first
    assert not second.is_error and "Adam Dangoor" in text_of(second)
    assert [s.query for s in notion.sent] == [{"page_size": "2"}, {"start_cursor": cursor, "page_size": "2"}]


@pytest.mark.anyio
async def test_list_with_email_finds_a_person_on_the_second_page_of_users() -> None:
    notion = FakeNotion()
    cursor = _two_pages(notion)
    error, text = await _call(notion, operation="list", email=" AdamDangoor@Gmail.com ")
    assert not error, text
    assert [s.query for s in notion.sent] == [
        {"page_size": "100"},
        {"start_cursor": cursor, "page_size": "100"},
    ]
    assert "Adam Dangoor (person, adamdangoor@gmail.com) id: 000000000000400080000000000000fa" in text
    assert "Guillaume" not in text and "bot" not in text
    assert "more:" not in text


@pytest.mark.anyio
async def test_list_with_email_stops_at_the_page_that_has_the_person() -> None:
    notion = FakeNotion()
    _two_pages(notion)
    error, text = await _call(notion, operation="list", email="notion@ramnes.eu", format="json")
    assert not error, text
    assert len(notion.sent) == 1
    assert [u["name"] for u in json.loads(text)["results"]] == ["Guillaume Gelin"]


@pytest.mark.anyio
async def test_list_with_an_unknown_email_says_so_after_reading_every_page() -> None:
    notion = FakeNotion()
    _two_pages(notion)
    error, text = await _call(notion, operation="list", email="nobody@example.com")
    assert not error, text
    assert len(notion.sent) == 2
    assert text.startswith("No user with email 'nobody@example.com' among 5 users")


@pytest.mark.anyio
async def test_retrieve_reads_one_user_by_id() -> None:
    notion = FakeNotion()
    user = notion.replay(SDK + "test_users_retrieve.yaml", "GET", "/v1/users/{id}")
    error, text = await _call(notion, operation="retrieve", user_id=BOT.replace("-", ""))
    assert not error, text
    assert [(s.method, s.path) for s in notion.sent] == [("GET", f"/v1/users/{BOT}")]
    assert "notion-sdk-py (bot)" in text
    assert BOT.replace("-", "") in text
    error, text = await _call(notion, operation="retrieve", user_id=BOT, format="json")
    assert json.loads(text) == user


@pytest.mark.anyio
async def test_retrieve_bot_reads_users_me_and_reports_the_connection() -> None:
    notion = FakeNotion()
    me = notion.replay(SDK + "test_users_me.yaml", "GET", "/v1/users/me")
    error, text = await _call(notion, operation="retrieve_bot")
    assert not error, text
    assert [(s.method, s.path) for s in notion.sent] == [("GET", "/v1/users/me")]
    assert text == f"Connected as notion-sdk-py ({shown(BOT)}), owner: workspace, workspace: notion-sdk-py."
    error, text = await _call(notion, operation="retrieve_bot", format="json")
    assert json.loads(text) == me


@pytest.mark.anyio
async def test_list_with_an_unknown_email_in_json_is_still_json() -> None:
    notion = FakeNotion()
    _two_pages(notion)
    error, text = await _call(notion, operation="list", email="nobody@example.com", format="json")
    assert not error, text
    assert json.loads(text)["results"] == []
