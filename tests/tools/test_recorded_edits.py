"""notion_pages update edits against a recorded real page (Notion answered from recordings): the
requests sent are the listing that locates the text and one update of the changed block."""

from __future__ import annotations

import copy

import pytest
from replay import FakeNotion, body, connect, shown, text_of

PAGE = "393abc1e-edcd-8170-aebf-cf1d14057b30"
RECORDING = "ultimate-notion/test_examples/test_getting_started.yaml"  # heading_1 + a paragraph


@pytest.mark.anyio
async def test_an_edit_of_a_recorded_page_lists_it_once_and_updates_only_the_changed_block() -> None:
    notion = FakeNotion()
    listing = notion.replay(RECORDING, "GET", "/v1/blocks/{id}/children")
    paragraph = listing["results"][1]
    updated = copy.deepcopy(paragraph)
    updated["paragraph"]["rich_text"][0]["text"]["content"] = "Welcome to the Ultimate Notion demo workspace."
    notion.answer("PATCH", "/v1/blocks/{id}", (200, updated))
    async with connect(notion) as client:
        result = await client.call_tool(
            "notion_pages",
            {
                "operation": "update",
                "page_id": PAGE,
                "edits": [{"old": "test workspace", "new": "demo workspace"}],
            },
        )
    assert not result.is_error, text_of(result)
    assert [(s.method, s.path) for s in notion.sent] == [
        ("GET", f"/v1/blocks/{PAGE}/children"),
        ("PATCH", f"/v1/blocks/{paragraph['id']}"),
    ]
    sent = notion.sent[1].body["paragraph"]["rich_text"]
    assert (
        "".join(item["text"]["content"] for item in sent) == "Welcome to the Ultimate Notion demo workspace."
    )
    assert text_of(result) == f"Edited page {shown(PAGE)}: blocks: 1 updated (2 requests)."


@pytest.mark.anyio
async def test_a_section_edit_of_a_recorded_page_appends_after_the_heading_and_trashes_the_old() -> None:
    notion = FakeNotion()
    listing = notion.replay(RECORDING, "GET", "/v1/blocks/{id}/children")
    heading, paragraph = listing["results"]
    appended = body("notion-sdk-py/test_blocks_children_create.yaml", "PATCH", "/v1/blocks/{id}/children")
    notion.answer("PATCH", "/v1/blocks/{id}/children", (200, appended))
    notion.answer("DELETE", "/v1/blocks/{id}", (200, {**paragraph, "in_trash": True}))
    async with connect(notion) as client:
        result = await client.call_tool(
            "notion_pages",
            {
                "operation": "update",
                "page_id": PAGE,
                "edits": [{"heading": "Getting Started", "new": "- step one"}],
            },
        )
    assert not result.is_error, text_of(result)
    sent = [(s.method, s.path) for s in notion.sent]
    assert sent == [
        ("GET", f"/v1/blocks/{PAGE}/children"),
        ("PATCH", f"/v1/blocks/{PAGE}/children"),
        ("DELETE", f"/v1/blocks/{paragraph['id']}"),
    ]
    append = notion.sent[1].body
    assert append["position"] == {"type": "after_block", "after_block": {"id": heading["id"]}}
    assert append["children"][0]["type"] == "bulleted_list_item"
