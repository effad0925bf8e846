"""notion_databases, every operation, through the in-memory client with Notion answered from recordings."""

from __future__ import annotations

import json
from typing import Any

import pytest
from replay import FakeNotion, body, connect, shown, text_of

SDK = "notion-sdk-py/"
UN = "ultimate-notion/"
TWO_SOURCES = UN + "test_database/test_db_add_remove_data_source.yaml"  # GET databases #1: 2 sources
BIG = UN + "test_database/test_more_than_max_page_size_pages.yaml"  # query: 100 rows + cursor, then 10
CONTACTS = UN + "test_view/test_rows.yaml"  # query: 10 contact rows

PARENT = "393abc1e-edcd-81e8-95dc-ec52a3110c68"
DATABASE = "e234cdc8-4ad2-4371-a97e-999a238bf8f5"
SOURCE = "b71e1213-3d03-46cb-b9c2-db9856a9f42d"  # the one data source of DATABASE
BIG_SOURCE = "8b12b4c6-6b39-4e47-a2af-fdfdd0a63c7a"


def _sent(notion: FakeNotion) -> list[tuple[str, str]]:
    return [(s.method, s.path) for s in notion.sent]


def _views_and_templates(notion: FakeNotion, database_id: str, source_id: str) -> list[tuple[str, str]]:
    """Recorded answers for what retrieve reads besides the schema (its views, its templates),
    and the requests that read them."""
    listed = notion.replay(SDK + "test_views_list.yaml", "GET", "/v1/views")
    notion.replay(SDK + "test_views_retrieve.yaml", "GET", "/v1/views/{id}")
    notion.replay(SDK + "test_data_sources_list_templates.yaml", "GET", "/v1/data_sources/{id}/templates")
    return [("GET", "/v1/views"), ("GET", f"/v1/views/{listed['results'][0]['id']}"),
            ("GET", f"/v1/data_sources/{source_id}/templates")]  # fmt: skip


async def _call(notion: FakeNotion, **arguments: Any) -> tuple[bool, str]:
    async with connect(notion) as client:
        result = await client.call_tool("notion_databases", arguments)
    return bool(result.is_error), text_of(result)


def _text(value: str) -> list[dict[str, Any]]:
    return [{"type": "text", "text": {"content": value}}]


# -- create ---------------------------------------------------------------------------------------
@pytest.mark.anyio
async def test_create_posts_title_and_schema_as_the_initial_data_source_with_a_title_property() -> None:
    notion = FakeNotion()
    database = notion.replay(SDK + "test_databases_create.yaml", "POST", "/v1/databases")
    schema = {"Tags": {"multi_select": {"options": [{"name": "a"}]}}}
    error, text = await _call(
        notion,
        operation="create",
        parent={"page_id": PARENT},
        title="Test Database",
        description="For tests",
        properties=schema,
        is_inline=True,
    )
    assert not error, text
    assert _sent(notion) == [("POST", "/v1/databases")]
    assert notion.sent[0].body == {
        "parent": {"type": "page_id", "page_id": PARENT},
        "title": _text("Test Database"),
        "initial_data_source": {"properties": {"Name": {"title": {}}, **schema}},
        "description": _text("For tests"),
        "is_inline": True,
    }
    source = database["data_sources"][0]["id"]
    assert (
        text == f"Created database {shown(database['id'])} {database['url']} (data source {shown(source)})."
    )


@pytest.mark.anyio
async def test_create_keeps_a_title_property_the_schema_already_has() -> None:
    notion = FakeNotion()
    notion.replay(SDK + "test_databases_create.yaml", "POST", "/v1/databases")
    error, _ = await _call(
        notion, operation="create", parent={"page_id": PARENT}, title="T", properties={"Task": {"title": {}}}
    )
    assert not error
    assert notion.sent[0].body["initial_data_source"] == {"properties": {"Task": {"title": {}}}}


# -- retrieve -------------------------------------------------------------------------------------
@pytest.mark.anyio
async def test_retrieve_reads_the_database_and_each_data_source_with_its_schema() -> None:
    notion = FakeNotion()
    database = notion.replay(SDK + "test_databases_retrieve.yaml", "GET", "/v1/databases/{id}")
    source = notion.replay(SDK + "test_data_sources_retrieve.yaml", "GET", "/v1/data_sources/{id}")
    extra = _views_and_templates(notion, DATABASE, source["id"])
    error, text = await _call(notion, operation="retrieve", database_id=DATABASE)
    assert not error, text
    assert _sent(notion) == [
        ("GET", f"/v1/databases/{DATABASE}"),
        ("GET", f"/v1/data_sources/{SOURCE}"),
        *extra,
    ]
    assert "views (query with view=<name or ID>):\n- Test View (table)" in text
    assert text.startswith(f"# {database['title'][0]['plain_text']}")
    assert DATABASE.replace("-", "") in text
    assert source["id"].replace("-", "") in text
    assert "Name (title)" in text


@pytest.mark.anyio
async def test_retrieve_in_json_gives_notions_database_and_data_source_objects() -> None:
    notion = FakeNotion()
    database = notion.replay(SDK + "test_databases_retrieve.yaml", "GET", "/v1/databases/{id}")
    source = notion.replay(SDK + "test_data_sources_retrieve.yaml", "GET", "/v1/data_sources/{id}")
    _views_and_templates(notion, DATABASE, source["id"])
    error, text = await _call(notion, operation="retrieve", database_id=DATABASE, format="json")
    assert not error, text
    answer = json.loads(text)
    assert {k: answer[k] for k in ("database", "data_sources")} == {
        "database": database,
        "data_sources": [source],
    }
    assert [v["name"] for v in answer["views"]] == ["Test View"] and answer["templates"] == {
        shown(source["id"]): []
    }


@pytest.mark.anyio
async def test_retrieve_by_data_source_id_also_reads_its_parent_database() -> None:
    notion = FakeNotion()
    source = notion.replay(SDK + "test_data_sources_retrieve.yaml", "GET", "/v1/data_sources/{id}")
    notion.replay(SDK + "test_databases_retrieve.yaml", "GET", "/v1/databases/{id}")
    extra = _views_and_templates(notion, source["parent"]["database_id"], source["id"])
    error, text = await _call(notion, operation="retrieve", data_source_id=source["id"])
    assert not error, text
    assert _sent(notion) == [
        ("GET", f"/v1/data_sources/{source['id']}"),
        ("GET", f"/v1/databases/{source['parent']['database_id']}"),
        *extra,
    ]
    assert "Name (title)" in text


# -- update ---------------------------------------------------------------------------------------
@pytest.mark.anyio
async def test_update_title_and_schema_patches_the_data_source_and_the_database() -> None:
    notion = FakeNotion()
    notion.replay(SDK + "test_databases_retrieve.yaml", "GET", "/v1/databases/{id}")
    source = notion.replay(SDK + "test_data_sources_update.yaml", "PATCH", "/v1/data_sources/{id}")
    database = notion.replay(SDK + "test_databases_update.yaml", "PATCH", "/v1/databases/{id}")
    changes = {"Points": {"number": {}}, "Old": {"name": "New"}, "Gone": None}
    error, text = await _call(
        notion, operation="update", database_id=DATABASE, title="Renamed", properties=changes
    )
    assert not error, text
    assert _sent(notion) == [
        ("GET", f"/v1/databases/{DATABASE}"),
        ("PATCH", f"/v1/data_sources/{SOURCE}"),
        ("PATCH", f"/v1/databases/{DATABASE}"),
    ]
    assert notion.sent[1].body == {"properties": changes}
    assert notion.sent[2].body == {"title": _text("Renamed")}
    assert text == f"Updated data source {shown(source['id'])} and database {shown(database['id'])}."


@pytest.mark.anyio
async def test_update_title_only_patches_the_database_alone() -> None:
    notion = FakeNotion()
    database = notion.replay(SDK + "test_databases_update.yaml", "PATCH", "/v1/databases/{id}")
    error, text = await _call(
        notion, operation="update", database_id=database["id"], title="T", in_trash=False
    )
    assert not error, text
    assert _sent(notion) == [("PATCH", f"/v1/databases/{database['id']}")]
    assert notion.sent[0].body == {"title": _text("T"), "in_trash": False}
    assert text == f"Updated database {shown(database['id'])}."


# -- query ----------------------------------------------------------------------------------------
@pytest.mark.anyio
async def test_query_by_database_id_resolves_the_data_source_and_passes_filter_and_sorts() -> None:
    notion = FakeNotion()
    notion.replay(SDK + "test_databases_retrieve.yaml", "GET", "/v1/databases/{id}")
    rows = notion.replay(CONTACTS, "POST", "/v1/data_sources/{id}/query")
    filter_ = {"property": "Role", "select": {"equals": "QA Engineer"}}
    sorts = [{"property": "Name", "direction": "ascending"}]
    error, text = await _call(notion, operation="query", database_id=DATABASE, filter=filter_, sorts=sorts)
    assert not error, text
    assert _sent(notion) == [
        ("GET", f"/v1/databases/{DATABASE}"),
        ("POST", f"/v1/data_sources/{SOURCE}/query"),
    ]
    assert notion.sent[1].body == {"filter": filter_, "sorts": sorts, "page_size": 100}
    assert text.startswith(f"10 rows from data source {shown(SOURCE)}")
    for row in rows["results"]:
        assert row["id"].replace("-", "") in text
    assert "| Contact 6 |" in text or "Contact 6" in text
    assert "contact6@example.com" in text
    assert "more:" not in text


@pytest.mark.anyio
async def test_query_in_json_gives_notions_rows() -> None:
    notion = FakeNotion()
    rows = notion.replay(CONTACTS, "POST", "/v1/data_sources/{id}/query")
    error, text = await _call(notion, operation="query", data_source_id=SOURCE, format="json")
    assert not error, text
    got = json.loads(text)
    assert got["results"] == rows["results"]
    assert got["data_source_id"] == shown(SOURCE)
    assert got["has_more"] is False


@pytest.mark.anyio
async def test_query_on_a_database_with_several_data_sources_lists_them_and_queries_nothing() -> None:
    notion = FakeNotion()
    database = body(TWO_SOURCES, "GET", "/v1/databases/{id}", 1)
    notion.answer("GET", "/v1/databases/{id}", (200, database))
    error, text = await _call(notion, operation="query", database_id=database["id"])
    assert error
    assert _sent(notion) == [("GET", f"/v1/databases/{database['id']}")]
    assert f"has {len(database['data_sources'])} data sources" in text
    for source in database["data_sources"]:
        assert f"{source['name']} (data_source_id {shown(source['id'])})" in text
    assert "Call again with data_source_id" in text


@pytest.mark.anyio
async def test_query_with_max_results_collects_across_pages_following_the_cursor() -> None:
    notion = FakeNotion()
    first = body(BIG, "POST", "/v1/data_sources/{id}/query", 0)
    second = body(BIG, "POST", "/v1/data_sources/{id}/query", 1)
    notion.answer("POST", "/v1/data_sources/{id}/query", (200, first), (200, second))
    error, text = await _call(notion, operation="query", data_source_id=BIG_SOURCE, max_results=500)
    assert not error, text
    assert [s.body for s in notion.sent] == [
        {"page_size": 100},
        {"start_cursor": first["next_cursor"], "page_size": 100},
    ]
    assert text.startswith(f"110 rows from data source {shown(BIG_SOURCE)}")
    for row in first["results"] + second["results"]:
        assert row["id"].replace("-", "") in text
    assert "more:" not in text


@pytest.mark.anyio
async def test_query_with_max_results_below_a_page_asks_for_only_that_many() -> None:
    notion = FakeNotion()
    first = body(BIG, "POST", "/v1/data_sources/{id}/query", 0)
    first["results"] = first["results"][:30]  # what Notion returns for page_size=30
    notion.answer("POST", "/v1/data_sources/{id}/query", (200, first))
    error, text = await _call(notion, operation="query", data_source_id=BIG_SOURCE, max_results=30)
    assert not error, text
    assert [s.body for s in notion.sent] == [{"page_size": 30}]
    assert text.startswith("30 rows")
    assert f"more: call again with the same arguments plus start_cursor={first['next_cursor']}" in text


@pytest.mark.anyio
async def test_query_page_by_page_hands_out_a_cursor_that_the_next_call_accepts() -> None:
    notion = FakeNotion()
    first = body(BIG, "POST", "/v1/data_sources/{id}/query", 0)
    second = body(BIG, "POST", "/v1/data_sources/{id}/query", 1)
    notion.answer("POST", "/v1/data_sources/{id}/query", (200, first), (200, second))
    async with connect(notion) as client:
        one = text_of(
            await client.call_tool("notion_databases", {"operation": "query", "data_source_id": BIG_SOURCE})
        )
        cursor = one.rsplit("start_cursor=", 1)[1].split()[0]
        two = await client.call_tool(
            "notion_databases", {"operation": "query", "data_source_id": BIG_SOURCE, "start_cursor": cursor}
        )
    assert cursor == first["next_cursor"]
    assert one.startswith("100 rows")
    assert not two.is_error, text_of(two)
    assert text_of(two).startswith("10 rows")
    assert notion.sent[1].body == {"start_cursor": first["next_cursor"], "page_size": 100}


@pytest.mark.anyio
async def test_query_that_reaches_notions_10000_result_cap_says_the_result_is_incomplete() -> None:
    notion = FakeNotion()
    capped = body(CONTACTS, "POST", "/v1/data_sources/{id}/query")
    capped["request_status"] = {"type": "incomplete", "incomplete_reason": "query_result_limit_reached"}
    notion.answer("POST", "/v1/data_sources/{id}/query", (200, capped))
    error, text = await _call(notion, operation="query", data_source_id=SOURCE)
    assert not error, text
    assert "10,000-result query cap" in text
    assert "incomplete" in text
    error, text = await _call(notion, operation="query", data_source_id=SOURCE, format="json")
    assert any("10,000-result" in note for note in json.loads(text)["notes"])


@pytest.mark.anyio
async def test_query_that_does_not_reach_the_cap_has_no_cap_note() -> None:
    notion = FakeNotion()
    notion.replay(CONTACTS, "POST", "/v1/data_sources/{id}/query")
    error, text = await _call(notion, operation="query", data_source_id=SOURCE, format="json")
    assert not error
    assert json.loads(text)["notes"] == []


@pytest.mark.anyio
async def test_query_table_cells_escape_a_pipe_in_a_title_once() -> None:
    notion = FakeNotion()
    rows = body(CONTACTS, "POST", "/v1/data_sources/{id}/query")
    row = rows["results"][0]
    title = row["properties"]["Name"]["title"][0]
    title["plain_text"] = title["text"]["content"] = "R&D | Ops"
    notion.answer("POST", "/v1/data_sources/{id}/query", (200, {**rows, "results": [row]}))
    error, text = await _call(notion, operation="query", data_source_id=SOURCE)
    assert not error, text
    assert "| R&D \\| Ops |" in text  # one backslash: a literal pipe inside a table cell
