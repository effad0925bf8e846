"""notion_search through the in-memory client with Notion answered from recordings."""

from __future__ import annotations

import json
from typing import Any

import pytest
from replay import FakeNotion, body, connect, text_of

UN = "ultimate-notion/"
PAGES = UN + "test_session/test_search_page.yaml"  # 25 pages
DATA_SOURCES = UN + "test_session/test_search_get_db.yaml"  # 9 data sources


def _title(item: dict[str, Any]) -> str:
    return str(item["title"][0]["plain_text"])


def _id(item: dict[str, Any]) -> str:
    return str(item["id"]).replace("-", "")


async def _call(notion: FakeNotion, **arguments: Any) -> tuple[bool, str]:
    async with connect(notion) as client:
        result = await client.call_tool("notion_search", arguments)
    return bool(result.is_error), text_of(result)


@pytest.mark.anyio
async def test_search_for_databases_sends_notions_data_source_filter_and_the_sort() -> None:
    notion = FakeNotion()
    found = notion.replay(DATA_SOURCES, "POST", "/v1/search")
    error, text = await _call(notion, query="Contacts DB", filter="database", sort="descending")
    assert not error, text
    assert [(s.method, s.path) for s in notion.sent] == [("POST", "/v1/search")]
    assert notion.sent[0].body == {
        "query": "Contacts DB",
        "filter": {"property": "object", "value": "data_source"},
        "sort": {"timestamp": "last_edited_time", "direction": "descending"},
        "page_size": 20,
    }
    for item in found["results"]:
        assert _id(item) in text
    assert _title(found["results"][0]) in text


@pytest.mark.anyio
async def test_search_for_pages_sends_the_page_filter_and_lists_titles_with_ids() -> None:
    notion = FakeNotion()
    found = notion.replay(PAGES, "POST", "/v1/search")
    error, text = await _call(notion, operation="search", filter="page", sort="ascending")
    assert not error, text
    assert notion.sent[0].body == {
        "filter": {"property": "object", "value": "page"},
        "sort": {"timestamp": "last_edited_time", "direction": "ascending"},
        "page_size": 20,
    }
    assert "- page: Getting Started (id: 00000000000040008000000000000002" in text
    assert len(found["results"]) == 25  # Notion answered more than asked: all are shown
    assert text.count("- page: ") == 25


@pytest.mark.anyio
async def test_search_in_json_gives_notions_result_objects() -> None:
    notion = FakeNotion()
    found = notion.replay(DATA_SOURCES, "POST", "/v1/search")
    error, text = await _call(notion, query="Contacts DB", format="json")
    assert not error, text
    got = json.loads(text)
    assert got["results"] == found["results"]
    assert got["has_more"] is False and got["next_cursor"] is None


@pytest.mark.anyio
async def test_search_states_the_next_cursor_plainly_and_accepts_it_on_the_next_call() -> None:
    notion = FakeNotion()
    listing = body(PAGES, "POST", "/v1/search")
    results = listing["results"]
    cursor = results[2]["id"]  # Notion's search cursors are the ID of the next result
    notion.answer(
        "POST",
        "/v1/search",
        (200, {**listing, "results": results[:2], "next_cursor": cursor, "has_more": True}),
        (200, {**listing, "results": results[2:4], "next_cursor": None, "has_more": False}),
    )
    async with connect(notion) as client:
        first = text_of(await client.call_tool("notion_search", {"query": "e", "page_size": 2}))
        second = await client.call_tool(
            "notion_search", {"query": "e", "page_size": 2, "start_cursor": cursor}
        )
    assert first.endswith(f"more: call again with the same arguments plus start_cursor={cursor}")
    assert _id(results[0]) in first and _id(results[1]) in first and _id(results[2]) not in first
    assert not second.is_error, text_of(second)
    assert _id(results[2]) in text_of(second) and _id(results[0]) not in text_of(second)
    assert "more:" not in text_of(second)
    assert [s.body for s in notion.sent] == [
        {"query": "e", "page_size": 2},
        {"query": "e", "start_cursor": cursor, "page_size": 2},
    ]


@pytest.mark.anyio
async def test_search_refuses_an_invented_cursor_and_sends_nothing() -> None:
    notion = FakeNotion()
    notion.replay(PAGES, "POST", "/v1/search")
    error, text = await _call(notion, query="e", start_cursor="00000000-0000-4000-8000-000000000002")
    assert error
    assert "not a cursor this server issued" in text
    assert notion.sent == []


@pytest.mark.anyio
async def test_search_with_max_results_follows_cursors_until_it_has_enough() -> None:
    notion = FakeNotion()
    listing = body(PAGES, "POST", "/v1/search")
    results = listing["results"]
    notion.answer(
        "POST",
        "/v1/search",
        (200, {**listing, "results": results[:20], "next_cursor": results[20]["id"], "has_more": True}),
        (200, {**listing, "results": results[20:25], "next_cursor": None, "has_more": False}),
    )
    error, text = await _call(notion, query="", max_results=25)
    assert not error, text
    assert [s.body for s in notion.sent] == [
        {"page_size": 25},
        {"start_cursor": results[20]["id"], "page_size": 5},
    ]
    assert text.count("- page: ") == 25


@pytest.mark.anyio
async def test_search_with_no_match_says_search_matches_titles_only() -> None:
    notion = FakeNotion()
    notion.replay("notion-sdk-py/test_search.yaml", "POST", "/v1/search")  # an empty result
    error, text = await _call(notion, query="nothing like this")
    assert not error
    assert "No pages or databases match 'nothing like this'" in text
    assert "titles only" in text
