"""What a client sees of the six tools (schemas, annotations, both protocol modes), what every request
carries on the wire, and JSON-string arguments — with Notion answered from recordings."""

from __future__ import annotations

import json
from typing import Any

import pytest
from replay import TOKEN, FakeNotion, HeaderNotion, body, connect, connect_default, shown, text_of

from notion_mcp.server import SPECS

SDK = "notion-sdk-py/"
UN = "ultimate-notion/"
PAGE = "393abc1e-edcd-8170-aebf-cf1d14057b30"
SOURCE = "b71e1213-3d03-46cb-b9c2-db9856a9f42d"
READ_ONLY_TOOLS = {"notion_search", "notion_users"}
DESTRUCTIVE_TOOLS = {
    "notion_blocks",
    "notion_pages",
    "notion_databases",
    "notion_comments",
}  # comments: update, delete


async def _tools(**overrides: Any) -> dict[str, Any]:
    async with connect(FakeNotion(), **overrides) as client:
        return {t.name: t for t in (await client.list_tools()).tools}


# -- the advertised tools -------------------------------------------------------------------------
@pytest.mark.anyio
async def test_the_server_advertises_exactly_the_six_tools() -> None:
    tools = await _tools()
    six = {"notion_blocks", "notion_pages", "notion_databases", "notion_search", "notion_users"}
    assert set(tools) == set(SPECS) == six | {"notion_comments"}


@pytest.mark.anyio
async def test_each_tools_operation_enum_is_the_keys_of_its_operations_table() -> None:
    tools = await _tools()
    for name, tool in tools.items():
        assert tool.input_schema["properties"]["operation"]["enum"] == list(SPECS[name].operations), name


@pytest.mark.anyio
async def test_schemas_are_flat_objects_without_top_level_oneof_anyof_or_defs() -> None:
    tools = await _tools()
    for name, tool in tools.items():
        schema = tool.input_schema
        assert schema["type"] == "object", name
        assert not {"oneOf", "anyOf", "allOf", "$defs", "definitions"} & set(schema), name
        dumped = json.dumps(schema)
        assert "$defs" not in dumped and "$ref" not in dumped, name
        for field, prop in schema["properties"].items():
            assert prop.get("description") or field == "operation", f"{name}.{field} has no description"


@pytest.mark.anyio
async def test_operation_is_required_except_for_search_which_has_one() -> None:
    tools = await _tools()
    for name, tool in tools.items():
        if name == "notion_search":
            assert "operation" not in tool.input_schema.get("required", [])
        else:
            assert tool.input_schema["required"] == ["operation"], name


@pytest.mark.anyio
async def test_annotations_mark_read_only_and_destructive_tools_and_give_each_a_title() -> None:
    tools = await _tools()
    for name, tool in tools.items():
        hints = tool.annotations
        assert hints is not None, name
        assert tool.title or hints.title, name
        assert (tool.title or hints.title or "").startswith("Notion "), name
        assert hints.read_only_hint is (name in READ_ONLY_TOOLS), name
        assert hints.destructive_hint is (name in DESTRUCTIVE_TOOLS), name
        assert hints.idempotent_hint is (name in READ_ONLY_TOOLS), name
    assert tools["notion_comments"].annotations.read_only_hint is False  # it posts comments


@pytest.mark.anyio
async def test_in_read_only_mode_every_tool_is_annotated_read_only_and_not_destructive() -> None:
    tools = await _tools(read_only=True)
    for name, tool in tools.items():
        assert tool.annotations is not None
        assert tool.annotations.read_only_hint is True, name
        assert tool.annotations.destructive_hint is False, name


@pytest.mark.anyio
async def test_the_legacy_protocol_mode_lists_the_tools_and_calls_one() -> None:
    notion = FakeNotion()
    me = notion.replay(SDK + "test_users_me.yaml", "GET", "/v1/users/me")
    async with connect(notion, mode="legacy") as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        result = await client.call_tool("notion_users", {"operation": "retrieve_bot"})
    assert set(tools) == set(SPECS)
    assert (
        tools["notion_search"].annotations is not None and tools["notion_search"].annotations.read_only_hint
    )
    assert not result.is_error
    assert text_of(result).startswith(f"Connected as notion-sdk-py ({shown(me['id'])})")
    assert [(s.method, s.path) for s in notion.sent] == [("GET", "/v1/users/me")]


@pytest.mark.anyio
async def test_the_default_protocol_mode_calls_a_tool_too() -> None:
    notion = FakeNotion()
    notion.replay(SDK + "test_users_me.yaml", "GET", "/v1/users/me")
    async with connect(notion) as client:
        result = await client.call_tool("notion_users", {"operation": "retrieve_bot"})
    assert not result.is_error
    assert text_of(result).startswith("Connected as notion-sdk-py")


# -- what goes on the wire ------------------------------------------------------------------------
@pytest.mark.anyio
async def test_every_request_carries_notion_version_2026_03_11_and_the_bearer_token_by_default() -> None:
    notion = HeaderNotion()
    notion.replay(SDK + "test_users_me.yaml", "GET", "/v1/users/me")
    notion.replay(SDK + "test_blocks_children_create.yaml", "PATCH", "/v1/blocks/{id}/children")
    async with connect_default(notion) as client:
        r1 = await client.call_tool("notion_users", {"operation": "retrieve_bot"})
        r2 = await client.call_tool(
            "notion_blocks", {"operation": "append", "parent_block_id": PAGE, "markdown": "hi"}
        )
    assert not r1.is_error and not r2.is_error, (text_of(r1), text_of(r2))
    assert len(notion.headers) == 2
    for headers in notion.headers:
        assert headers["notion-version"] == "2026-03-11"
        assert headers["authorization"] == f"Bearer {TOKEN}"
    assert TOKEN not in text_of(r1) + text_of(r2)


@pytest.mark.anyio
async def test_a_configured_notion_version_is_the_one_sent() -> None:
    notion = HeaderNotion()
    notion.replay(SDK + "test_users_me.yaml", "GET", "/v1/users/me")
    async with connect_default(notion, notion_version="2025-09-03") as client:
        result = await client.call_tool("notion_users", {"operation": "retrieve_bot"})
    assert not result.is_error
    assert notion.headers[0]["notion-version"] == "2025-09-03"


# -- JSON-string arguments ------------------------------------------------------------------------
@pytest.mark.anyio
async def test_children_sent_as_a_json_string_are_appended_as_blocks() -> None:
    notion = FakeNotion()
    notion.replay(SDK + "test_blocks_children_create.yaml", "PATCH", "/v1/blocks/{id}/children")
    children = [{"paragraph": {"rich_text": [{"text": {"content": "I'm a paragraph."}}]}}]
    async with connect(notion) as client:
        result = await client.call_tool(
            "notion_blocks",
            {"operation": "append", "parent_block_id": PAGE, "children": json.dumps(children)},
        )
    assert not result.is_error, text_of(result)
    assert notion.sent[0].body == {"children": [{**children[0], "type": "paragraph"}]}


@pytest.mark.anyio
async def test_page_size_sent_as_a_string_is_a_number_on_the_wire() -> None:
    notion = FakeNotion()
    notion.replay(UN + "test_session/test_search_get_db.yaml", "POST", "/v1/search")
    async with connect(notion) as client:
        result = await client.call_tool("notion_search", {"query": "Contacts DB", "page_size": "20"})
    assert not result.is_error, text_of(result)
    assert notion.sent[0].body == {"query": "Contacts DB", "page_size": 20}


@pytest.mark.anyio
async def test_filter_and_sorts_sent_as_json_strings_reach_the_query_as_objects() -> None:
    notion = FakeNotion()
    notion.replay(UN + "test_view/test_rows.yaml", "POST", "/v1/data_sources/{id}/query")
    filter_ = {"property": "Team Member", "checkbox": {"equals": True}}
    sorts = [{"timestamp": "created_time", "direction": "descending"}]
    async with connect(notion) as client:
        result = await client.call_tool(
            "notion_databases",
            {
                "operation": "query",
                "data_source_id": SOURCE,
                "filter": json.dumps(filter_),
                "sorts": json.dumps(sorts),
                "max_results": "5",
            },
        )
    assert not result.is_error, text_of(result)
    assert notion.sent[0].body == {"filter": filter_, "sorts": sorts, "page_size": 5}


@pytest.mark.anyio
async def test_string_fields_that_look_like_json_are_left_as_text() -> None:
    notion = FakeNotion()
    notion.replay(UN + "test_session/test_search_get_db.yaml", "POST", "/v1/search")
    notion.replay(SDK + "test_comments_create.yaml", "POST", "/v1/comments")
    async with connect(notion) as client:
        searched = await client.call_tool("notion_search", {"query": "2026"})
        posted = await client.call_tool(
            "notion_comments",
            {"operation": "create", "parent": json.dumps({"page_id": PAGE}), "markdown": "42"},
        )
    assert not searched.is_error and not posted.is_error, (text_of(searched), text_of(posted))
    assert notion.sent[0].body["query"] == "2026"
    assert notion.sent[1].body["parent"] == {"type": "page_id", "page_id": PAGE}
    assert [r["text"]["content"] for r in notion.sent[1].body["rich_text"]] == ["42"]


@pytest.mark.anyio
async def test_a_recorded_404_becomes_a_tool_error_that_explains_sharing() -> None:
    notion = FakeNotion()
    missing = body(SDK + "test_build_request_error_integration.yaml", "GET", "/v1/pages/{id}")
    notion.answer("GET", "/v1/pages/{id}", (404, missing))
    async with connect(notion) as client:
        result = await client.call_tool("notion_pages", {"operation": "retrieve", "page_id": PAGE})
    assert result.is_error
    text = text_of(result)
    assert "object_not_found" in text
    assert "share" in text.lower()
    if missing.get("request_id"):
        assert missing["request_id"] in text
