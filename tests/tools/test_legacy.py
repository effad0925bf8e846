"""Old tool names: absent by default, thin aliases of the six tools when switched on."""

from __future__ import annotations

import json
from typing import Any

import pytest
from mcp import Client
from replay import FakeNotion, connect
from sandbox_client import call, next_cursor, sandbox_client, text_of

from notion_mcp.sandbox import SEED
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


@pytest.mark.anyio
async def test_old_names_follow_the_tool_allow_list() -> None:
    async with connect(FakeNotion(), legacy_tools=True, tools=("notion_search", "notion_users")) as client:
        names = {t.name for t in (await client.list_tools()).tools}
    assert "notion_list_all_users" in names and "notion_retrieve_bot_user" in names
    assert "notion_create_page" not in names and "notion_delete_block" not in names


# -- every alias, called with the argument shapes suekou/mcp-notion-server documented -----------
# (src/types/args.ts: block_id, `after` then `position` objects, `block`, rich text titles,
# `random_string`, database_id then data_source_id, search filter/sort objects, format).


def rich(content: str) -> list[dict[str, Any]]:
    return [{"type": "text", "text": {"content": content}}]


def paragraph(content: str) -> dict[str, Any]:
    return {"object": "block", "type": "paragraph", "paragraph": {"rich_text": rich(content)}}


def top_level_ids(text: str) -> list[str]:
    return json.loads(text)["top_level_ids"]


async def notes_body(client: Client) -> str:
    return await call(client, "notion_pages", operation="retrieve", page_id=SEED.notes_page_id)


@pytest.mark.anyio
async def test_old_block_tools_take_block_id_after_position_page_size_and_block() -> None:
    async with sandbox_client(legacy_tools=True) as (client, _):
        old = "notion_append_block_children"
        end = await call(
            client, old, block_id=SEED.notes_page_id, children=[paragraph("Old end")], format="json"
        )
        await call(
            client,
            old,
            block_id=SEED.notes_page_id,
            children=[paragraph("Old start")],
            position={"type": "start"},
        )
        (end_id,) = top_level_ids(end)
        await call(client, old, block_id=SEED.notes_page_id, children=[paragraph("After end")], after=end_id)
        await call(
            client, old, block_id=SEED.notes_page_id, children=[paragraph("Between")],
            position={"type": "after_block", "after_block": {"id": end_id}},
        )  # fmt: skip
        await call(
            client, old, block_id=SEED.notes_page_id, children=[paragraph("Last")], position={"type": "end"}
        )
        body = await notes_body(client)
        order = ["Old start", "The task database", "Old end", "Between", "After end", "Last"]
        assert [body.index(s) for s in order] == sorted(body.index(s) for s in order), body

        first = await call(client, "notion_retrieve_block_children", block_id=SEED.notes_page_id, page_size=2)
        assert "Old start" in first and "Project notes" in first and "Old end" not in first, first
        cursor = next_cursor(first)
        assert cursor, first
        rest = await call(
            client, "notion_retrieve_block_children", block_id=SEED.notes_page_id, start_cursor=cursor,
            format="json",
        )  # fmt: skip
        assert "Old end" in rest and "Old start" not in rest

        shown = await call(client, "notion_retrieve_block", block_id=end_id, format="json")
        assert json.loads(shown)["paragraph"]["rich_text"][0]["plain_text"] == "Old end"
        for block in (
            {"paragraph": {"rich_text": rich("Edited")}},
            {"type": "paragraph", **paragraph("Twice")},
        ):
            await call(client, "notion_update_block", block_id=end_id, block=block)
        assert "Twice" in await call(client, "notion_retrieve_block", block_id=end_id)

        await call(client, "notion_delete_block", block_id=end_id, format="json")
        assert "Twice" not in await notes_body(client)


@pytest.mark.anyio
async def test_old_page_tools_take_the_old_shapes() -> None:
    async with sandbox_client(legacy_tools=True) as (client, _):
        page = await call(client, "notion_retrieve_page", page_id=SEED.notes_page_id, format="json")
        assert json.loads(page)["id"] == SEED.notes_page_id
        task = SEED.task_id(1)
        await call(
            client, "notion_update_page_properties", page_id=task,
            properties={"Name": {"title": rich("Renamed task")}, "Done": {"checkbox": True}},
        )  # fmt: skip
        assert "Renamed task" in await call(client, "notion_retrieve_page", page_id=task)
        made = await call(
            client, "notion_create_page", parent={"type": "page_id", "page_id": SEED.notes_page_id},
            properties={"title": {"title": rich("Old-style page")}},
        )  # fmt: skip
        assert "Old-style page" in await notes_body(client), made


@pytest.mark.anyio
async def test_old_database_tools_take_rich_text_titles_and_database_or_data_source_ids() -> None:
    async with sandbox_client(legacy_tools=True) as (client, _):
        made = await call(
            client, "notion_create_database", parent={"type": "page_id", "page_id": SEED.notes_page_id},
            title=[*rich("Old "), {"type": "text", "text": {"content": "DB"}, "plain_text": "DB"}],
            properties={"Name": {"title": {}}, "Count": {"number": {}}}, format="json",
        )  # fmt: skip
        database = json.loads(made)
        assert database["title"][0]["plain_text"] == "Old DB"
        await call(
            client, "notion_update_database", database_id=database["id"], title=rich("Renamed DB"),
            description=[{"text": {"content": "Set by an old client"}}],
        )  # fmt: skip
        shown = await call(client, "notion_retrieve_database", database_id=database["id"], format="json")
        assert json.loads(shown)["database"]["title"][0]["plain_text"] == "Renamed DB"
        assert json.loads(shown)["database"]["description"][0]["plain_text"] == "Set by an old client"
        source = json.loads(shown)["data_sources"][0]["id"]
        await call(
            client, "notion_update_database", data_source_id=source, properties={"Extra": {"checkbox": {}}}
        )

        row = {"Name": {"title": rich("Row by database_id")}, "Count": {"number": 3}}
        await call(client, "notion_create_database_item", database_id=database["id"], properties=row)
        row = {"Name": {"title": rich("Row by data_source_id")}, "Extra": {"checkbox": True}}
        await call(client, "notion_create_database_item", data_source_id=source, properties=row)
        rows = await call(
            client, "notion_query_database", database_id=database["id"],
            filter={"property": "Name", "title": {"contains": "Row by"}},
            sorts=[{"property": "Name", "direction": "descending"}], page_size=10,
        )  # fmt: skip
        assert rows.index("Row by database_id") < rows.index("Row by data_source_id"), rows


@pytest.mark.anyio
async def test_old_user_and_comment_tools_take_the_old_shapes() -> None:
    async with sandbox_client(legacy_tools=True) as (client, _):
        assert "Notion MCP Sandbox" in await call(client, "notion_retrieve_bot_user", random_string="dummy")
        listed = await call(client, "notion_list_all_users", page_size=10, format="json")
        assert SEED.ada_user_id in listed
        assert "Grace Hopper" in await call(client, "notion_retrieve_user", user_id=SEED.grace_user_id)
        await call(
            client, "notion_create_comment", parent={"page_id": SEED.notes_page_id},
            rich_text=rich("An old comment"),
        )  # fmt: skip
        listed = await call(client, "notion_retrieve_comments", block_id=SEED.notes_page_id, page_size=10)
        assert "An old comment" in listed


@pytest.mark.anyio
async def test_search_takes_the_old_filter_and_sort_objects() -> None:
    async with sandbox_client(legacy_tools=True) as (client, _):
        pages = await call(
            client, "notion_search", query="", filter={"property": "object", "value": "page"},
            sort={"direction": "ascending", "timestamp": "last_edited_time"}, page_size=100, format="json",
        )  # fmt: skip
        kinds = {r["object"] for r in json.loads(pages)["results"]}
        assert kinds == {"page"}
        for value in ("database", "data_source"):
            found = await call(
                client, "notion_search", filter={"property": "object", "value": value}, format="json"
            )
            assert {r["object"] for r in json.loads(found)["results"]} == {"data_source"}


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("tool", "arguments", "named"),
    [
        ("notion_retrieve_bot_user", {"random_string": "x", "colour": "red"}, "colour"),
        ("notion_append_block_children",
         {"block_id": SEED.notes_page_id, "parent_block_id": SEED.notes_page_id, "children": []},
         "block_id"),
        ("notion_search", {"filter": {"property": "title", "value": "page"}}, "filter"),
        ("notion_update_block", {"block_id": SEED.toggle_block_id, "block": {}, "extra": 1}, "extra"),
    ],
)  # fmt: skip
async def test_unknown_arguments_to_old_names_are_still_refused(
    tool: str, arguments: dict[str, Any], named: str
) -> None:
    async with sandbox_client(legacy_tools=True) as (client, _):
        result = await client.call_tool(tool, arguments)
    assert result.is_error and f"- {named}:" in text_of(result), text_of(result)
