"""notion_blocks, every operation, through the in-memory client with Notion answered from recordings.

Each test asserts the exact request(s) the server sent and the text the model got back.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from replay import FakeNotion, body, connect, recorded_request, shown, text_of

SDK = "notion-sdk-py/"
UN = "ultimate-notion/"
RETRIEVE = SDK + "test_blocks_retrieve.yaml"
CHILDREN = UN + "test_examples/test_getting_started.yaml"  # heading_1 "Getting Started" + a paragraph
CREATE = SDK + "test_blocks_children_create.yaml"

BLOCK = "393abc1e-edcd-8181-b2fd-dd37c96a3532"  # the recorded paragraph "I'm a paragraph."
PAGE = "393abc1e-edcd-8170-aebf-cf1d14057b30"
PARAGRAPH = {
    "object": "block",
    "type": "paragraph",
    "paragraph": {"rich_text": [{"type": "text", "text": {"content": "I'm a paragraph."}}]},
}


def _sent(notion: FakeNotion) -> list[tuple[str, str]]:
    return [(s.method, s.path) for s in notion.sent]


async def _call(notion: FakeNotion, **arguments: Any) -> tuple[bool, str]:
    async with connect(notion) as client:
        result = await client.call_tool("notion_blocks", arguments)
    return bool(result.is_error), text_of(result)


def _appended(*blocks: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """An append response (Notion's list shape, from the recording) holding `blocks`."""
    listing = body(CREATE, "PATCH", "/v1/blocks/{id}/children")
    return 200, {**listing, "results": list(blocks)}


# -- retrieve -------------------------------------------------------------------------------------
@pytest.mark.anyio
async def test_retrieve_reads_one_block_and_renders_its_text_with_its_id() -> None:
    notion = FakeNotion()
    notion.replay(RETRIEVE, "GET", "/v1/blocks/{id}")
    error, text = await _call(notion, operation="retrieve", block_id=BLOCK.replace("-", ""))
    assert not error, text
    assert _sent(notion) == [("GET", f"/v1/blocks/{BLOCK}")]
    assert text.startswith(f"block {shown(BLOCK)} (paragraph)")
    assert "I'm a paragraph." in text


@pytest.mark.anyio
async def test_retrieve_in_json_is_notions_block_object_unchanged() -> None:
    notion = FakeNotion()
    recorded = notion.replay(RETRIEVE, "GET", "/v1/blocks/{id}")
    error, text = await _call(notion, operation="retrieve", block_id=BLOCK, format="json")
    assert not error, text
    assert json.loads(text) == recorded


@pytest.mark.anyio
async def test_retrieve_with_include_children_reads_every_level_of_the_subtree() -> None:
    notion = FakeNotion()
    toggle = body(RETRIEVE, "GET", "/v1/blocks/{id}")
    toggle.update(type="toggle", toggle=toggle.pop("paragraph"), has_children=True)
    notion.answer("GET", "/v1/blocks/{id}", (200, toggle))
    level1 = body(CHILDREN, "GET", "/v1/blocks/{id}/children")
    paragraph = level1["results"][1]
    paragraph["has_children"] = True  # one more level below the paragraph
    grandchild = body(RETRIEVE, "GET", "/v1/blocks/{id}")
    grandchild["id"] = "393abc1e-edcd-8181-b2fd-000000000003"
    grandchild["paragraph"]["rich_text"][0]["plain_text"] = "A nested line."
    grandchild["paragraph"]["rich_text"][0]["text"]["content"] = "A nested line."
    notion.answer(
        "GET", "/v1/blocks/{id}/children", (200, level1), (200, {**level1, "results": [grandchild]})
    )

    error, text = await _call(notion, operation="retrieve", block_id=BLOCK, include_children=True)

    assert not error, text
    assert _sent(notion) == [
        ("GET", f"/v1/blocks/{BLOCK}"),
        ("GET", f"/v1/blocks/{BLOCK}/children"),
        ("GET", f"/v1/blocks/{paragraph['id']}/children"),
    ]
    assert notion.sent[1].query == {"page_size": "100"}
    assert text.startswith(f"block {shown(BLOCK)} (toggle)")
    for words in ("I'm a paragraph.", "Getting Started", "Welcome to the Ultimate Notion", "A nested line."):
        assert words in text
    assert text.index("Getting Started") < text.index("Welcome") < text.index("A nested line.")
    assert "not read" not in text


@pytest.mark.anyio
async def test_retrieve_with_include_children_in_json_nests_the_children_in_notions_append_form() -> None:
    notion = FakeNotion()
    parent = body(RETRIEVE, "GET", "/v1/blocks/{id}")
    parent["has_children"] = True
    notion.answer("GET", "/v1/blocks/{id}", (200, parent))
    children = notion.replay(CHILDREN, "GET", "/v1/blocks/{id}/children")
    error, text = await _call(
        notion, operation="retrieve", block_id=BLOCK, include_children=True, format="json"
    )
    assert not error, text
    got = json.loads(text)
    assert got["id"] == BLOCK
    assert got["paragraph"]["children"] == children["results"]


@pytest.mark.anyio
async def test_retrieve_without_include_children_does_not_list_children() -> None:
    notion = FakeNotion()
    parent = body(RETRIEVE, "GET", "/v1/blocks/{id}")
    parent["has_children"] = True
    notion.answer("GET", "/v1/blocks/{id}", (200, parent))
    error, _ = await _call(notion, operation="retrieve", block_id=BLOCK)
    assert not error
    assert _sent(notion) == [("GET", f"/v1/blocks/{BLOCK}")]


# -- append ---------------------------------------------------------------------------------------
@pytest.mark.anyio
async def test_append_children_sends_them_at_the_end_and_returns_the_new_ids() -> None:
    notion = FakeNotion()
    response = notion.replay(CREATE, "PATCH", "/v1/blocks/{id}/children")
    new_id = response["results"][0]["id"]
    error, text = await _call(notion, operation="append", parent_block_id=PAGE, children=[PARAGRAPH])
    assert not error, text
    assert _sent(notion) == [("PATCH", f"/v1/blocks/{PAGE}/children")]
    assert notion.sent[0].body == {"children": [PARAGRAPH]}  # no position: the end
    assert f"Appended 1 block (1 top-level) under {shown(PAGE)} in 1 request." in text
    assert text.endswith(f"Top-level block IDs: {shown(new_id)}")


@pytest.mark.anyio
async def test_append_markdown_at_the_start_sends_position_start_and_the_converted_blocks() -> None:
    notion = FakeNotion()
    heading, paragraph = body(CHILDREN, "GET", "/v1/blocks/{id}/children")["results"]
    notion.answer("PATCH", "/v1/blocks/{id}/children", _appended(heading, paragraph))
    error, text = await _call(
        notion,
        operation="append",
        parent_block_id=PAGE,
        markdown="# Getting Started\n\nWelcome **here**.",
        position="start",
    )
    assert not error, text
    sent = notion.sent[0]
    assert (sent.method, sent.path) == ("PATCH", f"/v1/blocks/{PAGE}/children")
    assert sent.body["position"] == {"type": "start"}
    kinds = [b["type"] for b in sent.body["children"]]
    assert kinds == ["heading_1", "paragraph"]
    runs = sent.body["children"][1]["paragraph"]["rich_text"]
    assert [(r["text"]["content"], r["annotations"]["bold"]) for r in runs] == [
        ("Welcome ", False),
        ("here", True),
        (".", False),
    ]
    assert f"Top-level block IDs: {shown(heading['id'])}, {shown(paragraph['id'])}" in text


@pytest.mark.anyio
async def test_append_after_a_block_sends_an_after_block_position_with_the_dashed_id() -> None:
    notion = FakeNotion()
    notion.replay(CREATE, "PATCH", "/v1/blocks/{id}/children")
    error, text = await _call(
        notion,
        operation="append",
        parent_block_id=PAGE,
        children=[PARAGRAPH],
        after_block_id=f"https://www.notion.so/Some-Page-{PAGE.replace('-', '')}#{BLOCK.replace('-', '')}",
    )
    assert not error, text
    assert notion.sent[0].body == {
        "children": [PARAGRAPH],
        "position": {"type": "after_block", "after_block": {"id": BLOCK}},
    }


@pytest.mark.anyio
async def test_append_after_a_block_takes_only_the_new_blocks_ids_from_notions_longer_answer() -> None:
    # Recorded: 5 paragraphs inserted after "Paragraph 2"; Notion answered with the 5 new blocks
    # followed by the 3 siblings that now come after them.
    recording = UN + "test_blocks/test_max_children_length.yaml"
    sent = recorded_request(recording, "PATCH", "/v1/blocks/{id}/children", 2)
    answer = body(recording, "PATCH", "/v1/blocks/{id}/children", 2)
    assert len(sent["children"]) == 5 and len(answer["results"]) == 8
    notion = FakeNotion()
    notion.answer("PATCH", "/v1/blocks/{id}/children", (200, answer))
    anchor = sent["position"]["after_block"]["id"]
    error, text = await _call(
        notion, operation="append", parent_block_id=PAGE, children=sent["children"], after_block_id=anchor
    )
    assert not error, text
    assert notion.sent[0].body["position"] == sent["position"]
    texts = [c["paragraph"]["rich_text"][0]["text"]["content"] for c in notion.sent[0].body["children"]]
    assert texts == [f"Another Paragraph {i}" for i in range(5)]
    new_ids = [b["id"] for b in answer["results"][:5]]
    assert text.endswith("Top-level block IDs: " + ", ".join(map(shown, new_ids)))
    for later in answer["results"][5:]:
        assert later["id"] not in text


# -- update ---------------------------------------------------------------------------------------
@pytest.mark.anyio
async def test_update_with_block_data_reads_the_type_then_patches_it_keyed_by_that_type() -> None:
    notion = FakeNotion()
    notion.replay(RETRIEVE, "GET", "/v1/blocks/{id}")
    updated = notion.replay(SDK + "test_blocks_update.yaml", "PATCH", "/v1/blocks/{id}")
    rich_text = [{"text": {"content": "I'm an updated paragraph."}, "annotations": {"bold": True}}]
    error, text = await _call(notion, operation="update", block_id=BLOCK, block_data={"rich_text": rich_text})
    assert not error, text
    assert _sent(notion) == [("GET", f"/v1/blocks/{BLOCK}"), ("PATCH", f"/v1/blocks/{BLOCK}")]
    assert notion.sent[1].body == {"paragraph": {"rich_text": rich_text}}
    assert text.startswith(f"Updated block {shown(updated['id'])}:")
    assert "I'm an updated paragraph." in text


@pytest.mark.anyio
async def test_update_with_markdown_replaces_the_rich_text_of_a_text_block() -> None:
    notion = FakeNotion()
    notion.replay(RETRIEVE, "GET", "/v1/blocks/{id}")
    notion.replay(SDK + "test_blocks_update.yaml", "PATCH", "/v1/blocks/{id}")
    error, text = await _call(notion, operation="update", block_id=BLOCK, markdown="Now **bold**")
    assert not error, text
    assert _sent(notion) == [("GET", f"/v1/blocks/{BLOCK}"), ("PATCH", f"/v1/blocks/{BLOCK}")]
    patch = notion.sent[1].body
    assert list(patch) == ["paragraph"]
    runs = patch["paragraph"]["rich_text"]
    assert [(r["text"]["content"], r["annotations"]["bold"]) for r in runs] == [
        ("Now ", False),
        ("bold", True),
    ]


@pytest.mark.anyio
async def test_update_in_trash_patches_only_in_trash_without_reading_the_block_first() -> None:
    notion = FakeNotion()
    trashed = body(SDK + "test_blocks_delete.yaml", "DELETE", "/v1/blocks/{id}")
    notion.answer("PATCH", "/v1/blocks/{id}", (200, trashed))
    error, text = await _call(notion, operation="update", block_id=BLOCK, in_trash=True)
    assert not error, text
    assert _sent(notion) == [("PATCH", f"/v1/blocks/{BLOCK}")]
    assert notion.sent[0].body == {"in_trash": True}
    assert text.startswith(f"Updated block {shown(trashed['id'])} (in trash):")


# -- delete ---------------------------------------------------------------------------------------
@pytest.mark.anyio
async def test_delete_sends_delete_and_says_how_to_restore() -> None:
    notion = FakeNotion()
    trashed = notion.replay(SDK + "test_blocks_delete.yaml", "DELETE", "/v1/blocks/{id}")
    error, text = await _call(notion, operation="delete", block_id=BLOCK)
    assert not error, text
    assert _sent(notion) == [("DELETE", f"/v1/blocks/{BLOCK}")]
    assert notion.sent[0].body is None
    assert f"Moved block {shown(trashed['id'])} (paragraph) to the trash" in text
    assert "in_trash=false" in text


@pytest.mark.anyio
async def test_delete_in_json_is_notions_trashed_block() -> None:
    notion = FakeNotion()
    trashed = notion.replay(SDK + "test_blocks_delete.yaml", "DELETE", "/v1/blocks/{id}")
    error, text = await _call(notion, operation="delete", block_id=BLOCK, format="json")
    assert not error, text
    assert json.loads(text) == trashed
    assert json.loads(text)["in_trash"] is True


def _child_page_block() -> dict[str, Any]:
    block = body(RETRIEVE, "GET", "/v1/blocks/{id}")
    block.pop("paragraph")
    block.update(type="child_page", child_page={"title": "Getting Started"}, has_children=True)
    return block


@pytest.mark.anyio
async def test_retrieve_of_a_page_as_a_block_with_include_children_in_markdown_reads_its_content() -> None:
    notion = FakeNotion()
    notion.answer("GET", "/v1/blocks/{id}", (200, _child_page_block()))
    notion.replay(CHILDREN, "GET", "/v1/blocks/{id}/children")
    error, text = await _call(notion, operation="retrieve", block_id=BLOCK, include_children=True)
    assert not error, text
    assert _sent(notion) == [
        ("GET", f"/v1/blocks/{BLOCK}"),
        ("GET", f"/v1/pages/{BLOCK}/markdown"),  # a page's whole tree: the markdown endpoint first
        ("GET", f"/v1/blocks/{BLOCK}/children"),  # not answered here: the blocks API
    ]
    assert "Welcome to the Ultimate Notion test workspace." in text


@pytest.mark.anyio
async def test_retrieve_of_a_page_as_a_block_with_include_children_in_json_includes_its_content() -> None:
    notion = FakeNotion()
    notion.answer("GET", "/v1/blocks/{id}", (200, _child_page_block()))
    children = notion.replay(CHILDREN, "GET", "/v1/blocks/{id}/children")
    error, text = await _call(
        notion, operation="retrieve", block_id=BLOCK, include_children=True, format="json"
    )
    assert not error, text
    assert _sent(notion) == [("GET", f"/v1/blocks/{BLOCK}"), ("GET", f"/v1/blocks/{BLOCK}/children")]
    assert json.loads(text)["child_page"]["children"] == children["results"]


@pytest.mark.anyio
async def test_a_file_stored_by_notion_is_a_short_reference_until_file_urls_is_asked_for() -> None:
    signed = "https://prod-files-secure.s3.us-west-2.amazonaws.com/x/y/photo.png?X-Amz-Signature=" + "f" * 64
    recorded = body(RETRIEVE, "GET", "/v1/blocks/{id}")
    image = {
        **{k: v for k, v in recorded.items() if k not in ("paragraph", "request_id")},
        "type": "image",
        "image": {"caption": [], "type": "file", "file": {"url": signed, "expiry_time": "2026-11-22T06:00Z"}},
    }
    notion = FakeNotion()
    notion.answer("GET", "/v1/blocks/{id}", (200, image))

    error, short = await _call(notion, operation="retrieve", block_id=BLOCK)
    assert not error, short
    assert signed not in short
    assert f"![](notion-file:{BLOCK.replace('-', '')})" in short
    assert "file_urls=true" in short  # says how to get the link

    error, full = await _call(notion, operation="retrieve", block_id=BLOCK, file_urls=True)
    assert not error, full
    assert signed in full
    assert "notion-file:" not in full
