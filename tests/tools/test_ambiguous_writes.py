"""Ambiguous writes through the tools: a lost or spoiled answer never ends in a crash or in
advice whose following would write something twice (issue 9)."""

from __future__ import annotations

import pytest
from sandbox_client import call, sandbox_client, text_of

from notion_mcp.sandbox import SEED

pytestmark = pytest.mark.anyio
CHILDREN = "/v1/blocks/{id}/children"


async def test_an_append_whose_answer_and_read_back_both_fail_says_what_is_uncertain_and_no_resume() -> None:
    markdown = "\n\n".join(f"paragraph {i}" for i in range(250))  # three appends
    async with sandbox_client(max_retries=0) as (client, sandbox):
        sandbox.faults.add("PATCH", CHILDREN, "drop", after=1, when="after")
        sandbox.faults.add("GET", CHILDREN, "500", count=1000)
        result = await client.call_tool(
            "notion_blocks",
            # block IDs asked for: the blocks API (the markdown endpoint would take it in one request)
            {
                "operation": "append",
                "parent_block_id": SEED.notes_page_id,
                "markdown": markdown,
                "block_ids": True,
            },
        )
    text = text_of(result)
    assert result.is_error
    assert "Certain: 100 top-level block(s) exist" in text
    assert 'Uncertain: top-level blocks 101 to 200 of the 250 given (from a paragraph "paragraph 100"' in text
    settle = f"notion_blocks retrieve block_id={SEED.notes_page_id.replace('-', '')} include_children=true"
    assert settle in text
    assert "resume:" not in text and "bug" not in text


@pytest.mark.parametrize("kind", ["garbled_200", "misshaped_200"])
async def test_a_spoiled_200_after_an_append_is_read_back_and_the_content_is_exact(kind: str) -> None:
    async with sandbox_client() as (client, sandbox):
        sandbox.faults.add("PATCH", CHILDREN, kind, when="after")
        answer = await call(
            client,
            "notion_blocks",
            operation="append",
            parent_block_id=SEED.notes_page_id,
            markdown="one\n\ntwo",
        )
        read = await call(client, "notion_pages", operation="retrieve", page_id=SEED.notes_page_id)
    assert "Appended 2 blocks" in answer
    assert read.count("\none\n") == 1 and read.rstrip().endswith("two"), read


async def test_a_spoiled_200_after_a_page_create_is_looked_into_and_the_page_made_once() -> None:
    async with sandbox_client() as (client, sandbox):
        sandbox.faults.add("POST", "/v1/pages", "garbled_200", when="after")
        answer = await call(
            client, "notion_pages", operation="create", parent={"page_id": SEED.welcome_page_id}, title="Once"
        )
        found = await call(client, "notion_search", query="Once")
    assert "answer to the create was lost (invalid_response)" in answer
    assert found.count("Once") == 1, found


async def test_a_spoiled_200_after_a_comment_is_an_ambiguous_write_not_a_crash() -> None:
    async with sandbox_client() as (client, sandbox):
        sandbox.faults.add("POST", "/v1/comments", "misshaped_200", when="after")
        sandbox.faults.add("POST", "/v1/comments", "garbled_200", when="after")
        results = [
            await client.call_tool(
                "notion_comments",
                {"operation": "create", "parent": {"page_id": SEED.welcome_page_id}, "markdown": "hi"},
            )
            for _ in range(2)
        ]
    for result in results:  # a comment is not repeated: the model is told to look first
        text = text_of(result)
        assert result.is_error and "invalid_response" in text and "look first" in text, text
