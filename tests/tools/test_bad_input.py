"""Every operation refuses bad input with a tool error that names the problem — and sends nothing."""

from __future__ import annotations

from typing import Any

import pytest
from replay import FakeNotion, connect, text_of

PAGE = "1a2b3c4d5e6f40008000000000000001"
BLOCK = "1a2b3c4d5e6f40008000000000000002"

# (tool, operation, arguments that are otherwise valid)
VALID: list[tuple[str, str, dict[str, Any]]] = [
    ("notion_blocks", "retrieve", {"block_id": BLOCK}),
    ("notion_blocks", "append", {"parent_block_id": PAGE, "markdown": "hi"}),
    ("notion_blocks", "update", {"block_id": BLOCK, "in_trash": True}),
    ("notion_blocks", "delete", {"block_id": BLOCK}),
    ("notion_pages", "create", {"parent": {"page_id": PAGE}, "title": "T"}),
    ("notion_pages", "retrieve", {"page_id": PAGE}),
    ("notion_pages", "update", {"page_id": PAGE, "in_trash": True}),
    ("notion_databases", "create", {"parent": {"page_id": PAGE}, "title": "T"}),
    ("notion_databases", "retrieve", {"database_id": PAGE}),
    ("notion_databases", "update", {"database_id": PAGE, "title": "T"}),
    ("notion_databases", "query", {"data_source_id": PAGE}),
    ("notion_search", "search", {"query": "x"}),
    ("notion_users", "list", {}),
    ("notion_users", "retrieve", {"user_id": PAGE}),
    ("notion_users", "retrieve_bot", {}),
    ("notion_comments", "create", {"parent": {"page_id": PAGE}, "markdown": "hi"}),
    ("notion_comments", "retrieve", {"block_id": PAGE}),
]
ID_FIELDS = {"block_id", "parent_block_id", "page_id", "database_id", "data_source_id", "user_id"}
PAGINATED = {("notion_databases", "query"), ("notion_search", "search"), ("notion_users", "list"),
             ("notion_comments", "retrieve")}  # fmt: skip


def _cases() -> list[tuple[str, str, dict[str, Any], str]]:
    cases = []
    for tool, op, args in VALID:
        base = {"operation": op, **args}
        cases.append((tool, op, {**base, "no_such_field": 1}, "no_such_field: not a field of " + op))
        required = [k for k in args if k in ID_FIELDS or k in {"parent"}]
        for key in required[:1]:
            missing = {k: v for k, v in base.items() if k != key}
            if (tool, op, key) not in {("notion_databases", "retrieve", "database_id"),
                                       ("notion_databases", "update", "database_id"),
                                       ("notion_databases", "query", "data_source_id")}:  # fmt: skip
                cases.append((tool, op, missing, key))
        for key in [k for k in args if k in ID_FIELDS][:1]:
            cases.append((tool, op, {**base, key: "not-an-id"}, "is not a Notion ID"))
        if (tool, op) in PAGINATED:
            cases.append((tool, op, {**base, "start_cursor": "null"}, "omit start_cursor"))
            cases.append(
                (tool, op, {**base, "start_cursor": "abc-invented"}, "not a cursor this server issued")
            )
            cases.append((tool, op, {**base, "page_size": 0}, "page_size"))
            cases.append((tool, op, {**base, "page_size": 101}, "page_size"))
    return cases


@pytest.mark.anyio
@pytest.mark.parametrize(("tool", "op", "arguments", "expected"), _cases(), ids=lambda v: str(v)[:40])
async def test_bad_input_is_a_tool_error_naming_the_problem_and_no_request_is_sent(
    tool: str, op: str, arguments: dict[str, Any], expected: str
) -> None:
    notion = FakeNotion()
    async with connect(notion) as client:
        result = await client.call_tool(tool, arguments)
    assert result.is_error, text_of(result)
    assert expected in text_of(result)
    assert notion.sent == []


@pytest.mark.anyio
async def test_an_unknown_operation_lists_the_valid_ones() -> None:
    async with connect(FakeNotion()) as client:
        result = await client.call_tool("notion_blocks", {"operation": "explode"})
    assert result.is_error
    assert "retrieve, append, update, delete" in text_of(result)


@pytest.mark.anyio
async def test_a_field_of_another_operation_is_refused_with_what_this_one_takes() -> None:
    async with connect(FakeNotion()) as client:
        result = await client.call_tool(
            "notion_blocks", {"operation": "delete", "block_id": BLOCK, "children": []}
        )
    assert result.is_error
    assert "children: not a field of delete" in text_of(result)
    assert "delete takes: format, block_id (required)" in text_of(result)


@pytest.mark.anyio
async def test_write_operations_are_refused_in_read_only_mode() -> None:
    notion = FakeNotion()
    async with connect(notion, read_only=True) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        result = await client.call_tool("notion_blocks", {"operation": "delete", "block_id": BLOCK})
    assert tools["notion_blocks"].input_schema["properties"]["operation"]["enum"] == ["retrieve"]
    assert result.is_error and "read-only" in text_of(result)
    assert notion.sent == []


@pytest.mark.anyio
async def test_a_nested_block_without_a_type_is_named_by_its_path_and_nothing_is_sent() -> None:
    notion = FakeNotion()
    children = [{"toggle": {"rich_text": [], "children": [{"paragraph": {}, "heading_1": {}}]}}]
    async with connect(notion) as client:
        result = await client.call_tool(
            "notion_blocks", {"operation": "append", "parent_block_id": PAGE, "children": children}
        )
    assert result.is_error
    assert "children[0].toggle.children[0]: a block needs a type" in text_of(result)
    assert notion.sent == []


LINKED = "1a2b3c4d5e6f40008000000000000003"
FILLER = [{"paragraph": {"rich_text": [{"text": {"content": f"p{i}"}}]}} for i in range(150)]
DATABASE_IN_TOGGLE = {"toggle": {"rich_text": [], "children": [{"child_database": {"title": "D"}}]}}


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("tool", "arguments", "words"),
    [
        (  # a copied page body: the sub-page would be refused by Notion after 100 blocks had landed
            "notion_blocks",
            {"operation": "append", "parent_block_id": PAGE,
             "markdown": "p\n\n" * 150 + f'<page url="{LINKED}">Sub</page>\n'},
            "the markdown holds a child_page block ('Sub')",
        ),
        (
            "notion_blocks",
            {"operation": "append", "parent_block_id": PAGE,
             "children": [*FILLER, DATABASE_IN_TOGGLE]},
            "children[150].toggle.children[0] holds a child_database block ('D')",
        ),
        (
            "notion_pages",
            {"operation": "create", "parent": {"page_id": PAGE}, "title": "T",
             "children": [{"link_preview": {"url": "https://github.com/a/b"}}]},
            "children[0] holds a link_preview block",
        ),
        (
            "notion_blocks",
            {"operation": "append", "parent_block_id": PAGE,
             "children": [*FILLER, {"paragraph": {"text": [{"text": {"content": "old API"}}]}}]},
            'children[150].paragraph.text: Notion has called this key "rich_text" since 2022',
        ),
    ],
)  # fmt: skip
async def test_blocks_an_append_cannot_create_are_refused_before_anything_is_written(
    tool: str, arguments: dict[str, Any], words: str
) -> None:
    notion = FakeNotion()
    async with connect(notion) as client:
        result = await client.call_tool(tool, arguments)
    assert result.is_error
    assert words in text_of(result)
    assert "Nothing was written" in text_of(result)
    assert notion.sent == []


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("tool", "arguments"),
    [
        ("notion_blocks", {"operation": "retrieve", "block_id": BLOCK, "include_children": True}),
        ("notion_pages", {"operation": "retrieve", "page_id": PAGE}),
        ("notion_pages", {"operation": "retrieve", "page_id": PAGE, "retrieve_property_item_id": "title"}),
    ],
)
@pytest.mark.parametrize("cursor", ["null", "abc-invented"])
async def test_a_bad_cursor_on_a_read_that_first_fetches_the_page_is_refused_before_any_request(
    tool: str, arguments: dict[str, Any], cursor: str
) -> None:
    notion = FakeNotion()
    async with connect(notion) as client:
        result = await client.call_tool(tool, {**arguments, "start_cursor": cursor})
    assert result.is_error and "start_cursor" in text_of(result)
    assert notion.sent == []
