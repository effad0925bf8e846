"""Old tool names: absent by default, thin aliases of the six tools when switched on."""

from __future__ import annotations

import pytest
from replay import FakeNotion, connect, text_of

from notion_mcp.tools.legacy import LEGACY

PAGE = "393abc1e-edcd-80f3-813b-e205934558c6"
SOURCE = "393abc1e-edcd-80f3-813b-e205934558c7"


@pytest.mark.anyio
async def test_old_names_are_absent_by_default_and_all_present_when_switched_on() -> None:
    async with connect(FakeNotion()) as client:
        default = {t.name for t in (await client.list_tools()).tools}
    async with connect(FakeNotion(), legacy_tools=True) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
    assert len(default) == 6
    assert set(LEGACY) <= set(tools) and len(tools) == 6 + len(LEGACY)
    assert tools["notion_retrieve_block"].input_schema["properties"]["operation"]["enum"] == ["retrieve"]


@pytest.mark.anyio
async def test_an_old_name_routes_to_its_operation_with_the_old_argument_shape() -> None:
    notion = FakeNotion()
    notion.answer(
        "GET",
        "/v1/databases/{id}",
        (200, {"object": "database", "id": PAGE, "data_sources": [{"id": SOURCE, "name": "T"}]}),
    )
    notion.answer(
        "GET",
        "/v1/data_sources/{id}",
        (
            200,
            {
                "object": "data_source",
                "id": SOURCE,
                "properties": {"Name": {"id": "title", "type": "title", "title": {}}},
            },
        ),
    )
    notion.answer(
        "POST", "/v1/pages", (200, {"object": "page", "id": PAGE, "url": "https://app.notion.com/p/x"})
    )
    async with connect(notion, legacy_tools=True) as client:
        result = await client.call_tool("notion_create_database_item", {"database_id": PAGE, "title": "Row"})
    assert not result.is_error, text_of(result)
    create = notion.sent[-1]
    assert (create.method, create.path) == ("POST", "/v1/pages")
    assert create.body["parent"] == {"type": "data_source_id", "data_source_id": SOURCE}
    assert create.body["properties"]["Name"]["title"][0]["text"]["content"] == "Row"


@pytest.mark.anyio
async def test_read_only_mode_drops_old_write_names() -> None:
    async with connect(FakeNotion(), legacy_tools=True, read_only=True) as client:
        names = {t.name for t in (await client.list_tools()).tools}
    assert "notion_retrieve_page" in names and "notion_delete_block" not in names
