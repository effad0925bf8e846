"""notion_pages, every operation, through the in-memory client with Notion answered from recordings."""

from __future__ import annotations

import json
from typing import Any

import pytest
from replay import FakeNotion, body, connect, shown, text_of

SDK = "notion-sdk-py/"
UN = "ultimate-notion/"
GETTING_STARTED = UN + "test_examples/test_getting_started.yaml"  # page "Tests" + 2 blocks
ROWS = UN + "test_database/test_more_than_max_page_size_pages.yaml"  # pages in a data source

PARENT = "393abc1e-edcd-80f3-813b-e205934558c6"
PAGE = "00000000-0000-4000-8000-000000000001"
DATABASE = "e234cdc8-4ad2-4371-a97e-999a238bf8f5"
SOURCE = "b71e1213-3d03-46cb-b9c2-db9856a9f42d"  # the one data source of DATABASE


def _sent(notion: FakeNotion) -> list[tuple[str, str]]:
    return [(s.method, s.path) for s in notion.sent]


async def _call(notion: FakeNotion, **arguments: Any) -> tuple[bool, str]:
    async with connect(notion) as client:
        result = await client.call_tool("notion_pages", arguments)
    return bool(result.is_error), text_of(result)


def _title(value: str) -> dict[str, Any]:
    return {"title": [{"type": "text", "text": {"content": value}}]}


# -- create ---------------------------------------------------------------------------------------
@pytest.mark.anyio
async def test_create_under_a_page_with_title_and_markdown_sends_the_content_in_the_create() -> None:
    notion = FakeNotion()
    page = notion.replay(SDK + "test_pages_create.yaml", "POST", "/v1/pages")

    error, text = await _call(
        notion,
        operation="create",
        parent={"page_id": PARENT.replace("-", "")},
        title="Test Page",
        markdown="# Getting Started\n\nWelcome.",
    )

    assert not error, text
    assert _sent(notion) == [("POST", "/v1/pages")]
    sent = notion.sent[0].body
    assert {k: v for k, v in sent.items() if k != "children"} == {
        "parent": {"type": "page_id", "page_id": PARENT},
        "properties": {"title": _title("Test Page")},
    }
    assert [b["type"] for b in sent["children"]] == ["heading_1", "paragraph"]
    assert text == f"Created page {shown(page['id'])} {page['url']} with 2 blocks."


@pytest.mark.anyio
async def test_create_in_json_posts_the_page_then_appends_the_content_for_its_block_ids() -> None:
    notion = FakeNotion()
    page = notion.replay(SDK + "test_pages_create.yaml", "POST", "/v1/pages")
    heading, paragraph = body(GETTING_STARTED, "GET", "/v1/blocks/{id}/children")["results"]
    listing = body(SDK + "test_blocks_children_create.yaml", "PATCH", "/v1/blocks/{id}/children")
    notion.answer("PATCH", "/v1/blocks/{id}/children", (200, {**listing, "results": [heading, paragraph]}))

    error, text = await _call(
        notion,
        operation="create",
        parent={"page_id": PARENT.replace("-", "")},
        title="Test Page",
        markdown="# Getting Started\n\nWelcome.",
        format="json",
    )

    assert not error, text
    assert _sent(notion) == [("POST", "/v1/pages"), ("PATCH", f"/v1/blocks/{page['id']}/children")]
    assert "children" not in notion.sent[0].body
    assert [b["type"] for b in notion.sent[1].body["children"]] == ["heading_1", "paragraph"]
    assert json.loads(text)["content_block_ids"] == [shown(heading["id"]), shown(paragraph["id"])]


@pytest.mark.anyio
async def test_create_under_a_database_resolves_its_data_source_and_uses_its_title_property() -> None:
    notion = FakeNotion()
    database = notion.replay(SDK + "test_databases_retrieve.yaml", "GET", "/v1/databases/{id}")
    assert [s["id"] for s in database["data_sources"]] == [SOURCE]
    notion.replay(SDK + "test_data_sources_retrieve.yaml", "GET", "/v1/data_sources/{id}")  # title: "Name"
    row = notion.replay(ROWS, "POST", "/v1/pages")

    error, text = await _call(
        notion,
        operation="create",
        parent={"database_id": DATABASE},
        title="Page 1",
    )

    assert not error, text
    assert _sent(notion) == [
        ("GET", f"/v1/databases/{DATABASE}"),
        ("GET", f"/v1/data_sources/{SOURCE}"),
        ("POST", "/v1/pages"),
    ]
    assert notion.sent[2].body == {
        "parent": {"type": "data_source_id", "data_source_id": SOURCE},
        "properties": {"Name": _title("Page 1")},
    }
    assert text == f"Created page {shown(row['id'])} {row['url']}."


@pytest.mark.anyio
async def test_create_under_a_database_with_several_data_sources_asks_which_and_creates_nothing() -> None:
    notion = FakeNotion()
    database = body(UN + "test_database/test_db_add_remove_data_source.yaml", "GET", "/v1/databases/{id}", 1)
    notion.answer("GET", "/v1/databases/{id}", (200, database))
    error, text = await _call(notion, operation="create", parent={"database_id": database["id"]}, title="x")
    assert error
    assert _sent(notion) == [("GET", f"/v1/databases/{database['id']}")]
    for source in database["data_sources"]:
        assert f"{source['name']} (data_source_id {shown(source['id'])})" in text
    assert "data_source_id" in text


@pytest.mark.anyio
async def test_create_in_the_workspace_sends_a_workspace_parent() -> None:
    notion = FakeNotion()
    page = body(GETTING_STARTED, "GET", "/v1/pages/{id}")  # a page whose parent is the workspace
    notion.answer("POST", "/v1/pages", (200, page))
    error, text = await _call(
        notion, operation="create", parent={"workspace": True}, title="Tests", icon="🧪", format="json"
    )
    assert not error, text
    assert notion.sent[0].body == {
        "parent": {"type": "workspace", "workspace": True},
        "properties": {"title": _title("Tests")},
        "icon": {"type": "emoji", "emoji": "🧪"},
    }
    assert json.loads(text) == page
    assert len(notion.sent) == 1


# -- retrieve -------------------------------------------------------------------------------------
@pytest.mark.anyio
async def test_retrieve_in_markdown_gives_the_title_id_and_the_whole_body_in_one_call() -> None:
    notion = FakeNotion()
    notion.replay(GETTING_STARTED, "GET", "/v1/pages/{id}")
    notion.replay(GETTING_STARTED, "GET", "/v1/blocks/{id}/children")
    error, text = await _call(
        notion, operation="retrieve", page_id=f"https://www.notion.so/Tests-{PAGE.replace('-', '')}"
    )
    assert not error, text
    # the markdown endpoint is asked first; the recordings predate it, and its 400
    # invalid_request_url sends the read to the blocks API
    assert sorted(_sent(notion)) == [
        ("GET", f"/v1/blocks/{PAGE}/children"),
        ("GET", f"/v1/pages/{PAGE}"),
        ("GET", f"/v1/pages/{PAGE}/markdown"),
    ]
    assert text.startswith("# Tests")
    assert PAGE.replace("-", "") in text
    assert "# Getting Started" in text
    assert "Welcome to the Ultimate Notion test workspace." in text


@pytest.mark.anyio
async def test_retrieve_in_markdown_with_block_ids_marks_each_block() -> None:
    notion = FakeNotion()
    notion.replay(GETTING_STARTED, "GET", "/v1/pages/{id}")
    children = notion.replay(GETTING_STARTED, "GET", "/v1/blocks/{id}/children")
    error, text = await _call(notion, operation="retrieve", page_id=PAGE, block_ids=True)
    assert not error, text
    for block in children["results"]:
        assert block["id"].replace("-", "") in text or block["id"] in text


@pytest.mark.anyio
async def test_retrieve_in_json_is_notions_page_object_and_reads_no_content() -> None:
    notion = FakeNotion()
    page = notion.replay(SDK + "test_pages_retrieve.yaml", "GET", "/v1/pages/{id}")
    error, text = await _call(notion, operation="retrieve", page_id=page["id"], format="json")
    assert not error, text
    assert _sent(notion) == [("GET", f"/v1/pages/{page['id']}")]
    assert json.loads(text) == page


@pytest.mark.anyio
async def test_retrieve_in_json_with_include_content_adds_the_blocks() -> None:
    notion = FakeNotion()
    page = notion.replay(GETTING_STARTED, "GET", "/v1/pages/{id}")
    children = notion.replay(GETTING_STARTED, "GET", "/v1/blocks/{id}/children")
    error, text = await _call(notion, operation="retrieve", page_id=PAGE, format="json", include_content=True)
    assert not error, text
    got = json.loads(text)
    assert got["content"] == children["results"]
    assert {k: v for k, v in got.items() if k not in {"content", "unread"}} == page


@pytest.mark.anyio
async def test_retrieve_property_item_follows_every_page_of_a_relation_beyond_25() -> None:
    notion = FakeNotion()
    page = body(GETTING_STARTED, "GET", "/v1/pages/{id}")
    related = [f"3839ce7b-60a4-81c8-867a-{i:012d}" for i in range(30)]
    page["properties"]["Related"] = {
        "id": "%3DkQ%3B",
        "type": "relation",
        "relation": [{"id": r} for r in related[:25]],
        "has_more": True,
    }
    notion.answer("GET", "/v1/pages/{id}", (200, page))
    listing = body(SDK + "test_pages_properties_retrieve.yaml", "GET", "/v1/pages/{id}/properties/title")

    def items(ids: list[str], cursor: str | None) -> tuple[int, dict[str, Any]]:
        results = [
            {"object": "property_item", "id": "%3DkQ%3B", "type": "relation", "relation": {"id": i}}
            for i in ids
        ]
        return 200, {**listing, "results": results, "next_cursor": cursor, "has_more": cursor is not None}

    # FakeNotion routes by the decoded path; the raw path keeps the property ID percent-encoded.
    notion.answer(
        "GET", "/v1/pages/{id}/properties/=kQ;", items(related[:25], "cursor-25"), items(related[25:], None)
    )

    error, text = await _call(notion, operation="retrieve", page_id=PAGE, retrieve_property_item_id="Related")

    assert not error, text
    assert _sent(notion) == [
        ("GET", f"/v1/pages/{PAGE}"),
        ("GET", f"/v1/pages/{PAGE}/properties/=kQ;"),
        ("GET", f"/v1/pages/{PAGE}/properties/=kQ;"),
    ]
    assert notion.sent[1].query == {"page_size": "100"}
    assert notion.sent[2].query == {"start_cursor": "cursor-25", "page_size": "100"}
    assert text.startswith(f"Related (relation) of page {shown(PAGE)}: 30 items")
    for r in related:
        assert f"- page {r.replace('-', '')}" in text  # the compact form, as everywhere in markdown
    assert "more:" not in text


@pytest.mark.anyio
async def test_retrieve_property_item_by_property_id_returns_the_recorded_title_items() -> None:
    notion = FakeNotion()
    page = notion.replay(SDK + "test_pages_retrieve.yaml", "GET", "/v1/pages/{id}")
    listing = notion.replay(
        SDK + "test_pages_properties_retrieve.yaml", "GET", "/v1/pages/{id}/properties/title"
    )
    error, text = await _call(
        notion, operation="retrieve", page_id=page["id"], retrieve_property_item_id="title", format="json"
    )
    assert not error, text
    assert notion.sent[1].path == f"/v1/pages/{page['id']}/properties/title"
    got = json.loads(text)
    assert got["property"] == "title"
    assert got["results"] == listing["results"]
    assert got["has_more"] is False


# -- update ---------------------------------------------------------------------------------------
@pytest.mark.anyio
async def test_update_properties_patches_them_in_notions_form() -> None:
    notion = FakeNotion()
    updated = notion.replay(SDK + "test_pages_update.yaml", "PATCH", "/v1/pages/{id}")
    properties = {"Status": {"select": {"name": "Done"}}}
    error, text = await _call(notion, operation="update", page_id=updated["id"], properties=properties)
    assert not error, text
    assert _sent(notion) == [("PATCH", f"/v1/pages/{updated['id']}")]
    assert notion.sent[0].body == {"properties": properties}
    assert text.startswith(f"Updated page {shown(updated['id'])}.")
    assert "trash" not in text


@pytest.mark.anyio
async def test_update_title_finds_the_title_property_name_of_the_page_first() -> None:
    notion = FakeNotion()
    row = body(ROWS, "POST", "/v1/pages")  # a row whose title property is "Name"
    notion.answer("GET", "/v1/pages/{id}", (200, row))
    renamed = json.loads(json.dumps(row))
    renamed["properties"]["Name"]["title"][0]["plain_text"] = "Renamed row"
    notion.answer("PATCH", "/v1/pages/{id}", (200, renamed))
    error, text = await _call(notion, operation="update", page_id=row["id"], title="Renamed row")
    assert not error, text
    assert _sent(notion) == [("GET", f"/v1/pages/{row['id']}"), ("PATCH", f"/v1/pages/{row['id']}")]
    assert notion.sent[1].body == {"properties": {"Name": _title("Renamed row")}}
    assert "Renamed row" in text


@pytest.mark.anyio
async def test_update_in_trash_sends_in_trash_and_says_how_to_restore() -> None:
    notion = FakeNotion()
    trashed = body(SDK + "test_pages_update.yaml", "PATCH", "/v1/pages/{id}")
    trashed["in_trash"] = True
    notion.answer("PATCH", "/v1/pages/{id}", (200, trashed))
    error, text = await _call(notion, operation="update", page_id=trashed["id"], in_trash=True)
    assert not error, text
    assert notion.sent[0].body == {"in_trash": True}
    assert "It is in the trash (restore with in_trash=false)." in text


@pytest.mark.anyio
async def test_update_with_the_old_archived_name_sends_in_trash() -> None:
    notion = FakeNotion()
    updated = notion.replay(SDK + "test_pages_update.yaml", "PATCH", "/v1/pages/{id}")
    error, _ = await _call(notion, operation="update", page_id=updated["id"], archived=False)
    assert not error
    assert notion.sent[0].body == {"in_trash": False}
