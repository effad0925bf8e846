"""Edges a model meets: a count sent as true/false, Notion saying has_more without giving a
cursor to follow, a caption over Notion's limits."""

from __future__ import annotations

from typing import Any

import pytest
from replay import FakeNotion, connect, gateway_for, text_of

from notion_mcp.errors import InputError

PAGE = "1a2b3c4d5e6f40008000000000000001"


def person(n: int) -> dict[str, Any]:
    return {"object": "user", "id": f"{n:032x}", "type": "person", "name": f"P{n}", "person": {}}


@pytest.mark.anyio
@pytest.mark.parametrize("field", ["page_size", "max_results"])
@pytest.mark.parametrize("flag", [True, False])
async def test_a_count_given_as_true_or_false_is_refused_naming_the_field(field: str, flag: bool) -> None:
    notion = FakeNotion()
    async with connect(notion) as client:
        result = await client.call_tool("notion_users", {"operation": "list", field: flag})
    assert result.is_error
    assert f"{field}: must be a whole number, not {str(flag).lower()}" in text_of(result)
    assert notion.sent == []


@pytest.mark.anyio
@pytest.mark.parametrize("flag", [True, False])
async def test_the_gateway_refuses_a_page_size_of_true_or_false(flag: bool) -> None:
    notion = FakeNotion()
    with pytest.raises(InputError, match="page_size: must be a whole number"):
        await gateway_for(notion).list_users(page_size=flag)
    assert notion.sent == []


@pytest.mark.anyio
async def test_has_more_without_a_cursor_ends_the_listing_instead_of_starting_again() -> None:
    notion = FakeNotion()
    page = {"object": "list", "results": [person(1), person(2)], "has_more": True, "next_cursor": None}
    notion.answer("GET", "/v1/users", (200, page))  # the fake repeats it for any later request
    async with connect(notion) as client:
        result = await client.call_tool("notion_users", {"operation": "list", "format": "json"})
    assert not result.is_error, text_of(result)
    assert len(notion.sent) == 1
    assert text_of(result).count('"P1"') == 1


def code_with_caption(caption: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "code", "code": {"rich_text": [], "language": "python", "caption": caption}}


@pytest.mark.anyio
async def test_a_caption_of_over_100_items_is_refused_before_sending() -> None:
    notion = FakeNotion()
    caption = [{"type": "text", "text": {"content": "c"}}] * 101
    args = {"operation": "append", "parent_block_id": PAGE, "children": [code_with_caption(caption)]}
    async with connect(notion) as client:
        result = await client.call_tool("notion_blocks", args)
    assert result.is_error
    assert "children[0].code.caption: 101 rich text items" in text_of(result)
    assert notion.sent == []
