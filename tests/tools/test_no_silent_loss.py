"""Nothing silently lost: deep markdown arrives whole or is refused, naming the line, before any
request; a block or field that would be dropped is refused instead (issue 9)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from sandbox_client import call, sandbox_client, text_of

from notion_mcp.markdown import markdown_to_blocks
from notion_mcp.sandbox import SEED, Sandbox

pytestmark = pytest.mark.anyio


def nested_list(levels: int) -> str:
    return "\n".join("  " * i + f"- level{i}" for i in range(levels)) + "\n\nEND"


def nested_quote(levels: int) -> str:
    return ">" * levels + " deepest\n\nEND"


async def new_page(client: Any) -> str:
    text = await call(
        client, "notion_pages", operation="create", parent={"page_id": SEED.welcome_page_id}, title="Deep"
    )
    return text.split()[2]


async def children_ids(sandbox: Sandbox, block_id: str) -> list[str]:
    """The IDs of a block's children, read from the sandbox directly (no response budget)."""
    ids: list[str] = []
    headers = {"Authorization": "Bearer ntn_test", "Notion-Version": "2026-03-11"}
    async with httpx.AsyncClient(transport=sandbox.transport(), base_url=Sandbox.base_url) as http:
        cursor: str | None = None
        while True:
            query = {"page_size": "100", **({"start_cursor": cursor} if cursor else {})}
            page = (await http.get(f"/v1/blocks/{block_id}/children", params=query, headers=headers)).json()
            ids += [b["id"] for b in page["results"]]
            cursor = page.get("next_cursor")
            if not page.get("has_more"):
                return ids


async def append_and_read(markdown: str) -> tuple[str, str]:
    async with sandbox_client() as (client, _):
        page_id = await new_page(client)
        answer = await call(
            client, "notion_blocks", operation="append", parent_block_id=page_id, markdown=markdown
        )
        read = await call(client, "notion_pages", operation="retrieve", page_id=page_id, max_depth=50)
    return answer, read


@pytest.mark.parametrize(
    ("markdown", "blocks"),
    [(nested_list(10), 11), (nested_quote(30), 31), (nested_list(45), 46), (nested_quote(100), 101)],
    ids=["list-10", "quote-30", "list-45", "quote-100"],
)
async def test_deep_markdown_is_written_whole(markdown: str, blocks: int) -> None:
    answer, read = await append_and_read(markdown)
    assert f"Appended {blocks} blocks" in answer, answer
    words = [w for w in markdown.replace(">", " ").replace("-", " ").split()]
    at = 0
    for word in words:  # every word, in order, reads back (a 100-level quote past max_depth=50 is
        if word not in read[at:]:  # read to its depth and noted as unread below)
            break
        at = read.index(word, at) + len(word)
    else:
        return
    assert "not read" in read and blocks > 51, (word, read)


async def test_the_deepest_list_item_and_the_text_after_it_arrive() -> None:
    _, read = await append_and_read(nested_list(10))
    assert "- level9" in read and read.rstrip().endswith("END"), read


@pytest.mark.parametrize(
    "markdown", [nested_list(80), "intro\n\n" + nested_quote(200)], ids=["list-80", "quote-200"]
)
async def test_nesting_past_what_the_parser_holds_is_refused_naming_the_line_before_any_request(
    markdown: str,
) -> None:
    async with sandbox_client() as (client, sandbox):
        page_id = await new_page(client)
        sandbox.reset_counters()
        result = await client.call_tool(
            "notion_blocks", {"operation": "append", "parent_block_id": page_id, "markdown": markdown}
        )
        assert result.is_error
        assert "markdown: line " in text_of(result) and "Nothing was written" in text_of(result)
        assert sandbox.total_requests == 0


def test_markdown_just_inside_the_limit_converts_whole() -> None:
    blocks = markdown_to_blocks(nested_list(59))
    depth, level = 0, blocks
    while level:
        depth += 1
        level = level[0]["bulleted_list_item"].get("children", [])
    assert depth == 59


@pytest.mark.parametrize(
    ("children", "named"),
    [
        ([{"paragraph": {"rich_text": [], "children": "x"}}], "children[0].paragraph.children"),
        ([{"paragraph": {"rich_text": [], "children": {"paragraph": {}}}}], "children[0].paragraph.children"),
        ([{"type": "paragraph", "paragraph": "text"}], "children[0].paragraph"),
        ([{"paragraph": {"rich_text": ["x"]}}], "children[0].paragraph.rich_text[0]"),
        (
            [{"type": "paragraph", "paragraph": {"rich_text": []}, "children": [{"paragraph": {}}]}],
            "children[0].children",
        ),
        (
            [{"toggle": {"rich_text": [], "children": [{"quote": {"rich_text": []}, "children": []}]}}],
            "children[0].toggle.children[0].children",
        ),
    ],
)
async def test_a_block_or_field_that_would_be_dropped_is_refused(children: list[Any], named: str) -> None:
    async with sandbox_client() as (client, sandbox):
        page_id = await new_page(client)
        sandbox.reset_counters()
        result = await client.call_tool(
            "notion_blocks", {"operation": "append", "parent_block_id": page_id, "children": children}
        )
        assert result.is_error, text_of(result)
        assert named in text_of(result)
        assert sandbox.total_requests == 0


@pytest.mark.parametrize("form", ["markdown", "rich_text"])
async def test_a_comment_over_2000_characters_is_posted_whole(form: str) -> None:
    long = " ".join(f"word{i}" for i in range(900))  # about 7,000 characters
    given: dict[str, Any] = (
        {"markdown": long} if form == "markdown" else {"rich_text": [{"text": {"content": long}}]}
    )
    async with sandbox_client() as (client, _):
        page_id = await new_page(client)
        await call(client, "notion_comments", operation="create", parent={"page_id": page_id}, **given)
        read = await call(client, "notion_comments", operation="retrieve", block_id=page_id, format="json")
    texts = "".join(item["plain_text"] for c in json.loads(read)["results"] for item in c["rich_text"])
    assert texts == long


@pytest.mark.parametrize("form", ["markdown", "json"])
async def test_an_appends_answer_stays_in_the_budget_and_says_how_to_list_every_new_id(form: str) -> None:
    markdown = "\n\n".join(f"p{i}" for i in range(300))
    async with sandbox_client(max_output_chars=4000) as (client, sandbox):
        page_id = await new_page(client)
        answer = await call(
            client,
            "notion_blocks",
            operation="append",
            parent_block_id=page_id,
            markdown=markdown,
            format=form,
            block_ids=True,  # the IDs asked for (else 300 blocks go in one markdown request, no IDs)
        )
        ids = await children_ids(sandbox, page_id)
    shown = [i.replace("-", "") for i in ids]  # as results show IDs
    assert len(ids) == 300 and len(answer) < 4000
    assert shown[0] in answer and shown[-1] in answer and shown[150] not in answer
    listing = f"notion_blocks retrieve block_id={page_id.replace('-', '')} include_children=true max_depth=1"
    assert listing in answer
