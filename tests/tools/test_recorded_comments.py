"""notion_comments, every operation, through the in-memory client with Notion answered from recordings."""

from __future__ import annotations

import json
from typing import Any

import pytest
from replay import FakeClock, FakeNotion, body, connect, shown, text_of

from notion_mcp.config import Settings

SDK = "notion-sdk-py/"
CREATE = SDK + "test_comments_create.yaml"
LIST = SDK + "test_comments_list.yaml"
PAGE = "393abc1e-edcd-817b-81a7-f1fcafdcd00b"
BLOCK = "393abc1e-edcd-8181-b2fd-dd37c96a3532"
DISCUSSION = "393abc1e-edcd-81dc-bcc6-001cd3572671"
RICH_TEXT = [{"text": {"content": "This is a test comment."}}]
# a retrieve also lists the blocks inside (for their discussions): here the page has none
NO_BLOCKS = {
    "object": "list",
    "results": [],
    "next_cursor": None,
    "has_more": False,
    "type": "block",
    "block": {},
}


def _no_blocks(notion: FakeNotion) -> FakeNotion:
    notion.answer("GET", "/v1/blocks/{id}/children", (200, NO_BLOCKS))
    return notion


async def _call(notion: FakeNotion, **arguments: Any) -> tuple[bool, str]:
    async with connect(notion) as client:
        result = await client.call_tool("notion_comments", arguments)
    return bool(result.is_error), text_of(result)


def _runs(rich_text: list[dict[str, Any]]) -> list[tuple[str, bool, Any]]:
    return [(r["text"]["content"], r["annotations"]["bold"], r["text"].get("link")) for r in rich_text]


@pytest.mark.anyio
async def test_create_on_a_page_posts_a_page_parent_and_names_the_discussion() -> None:
    notion = FakeNotion()
    comment = notion.replay(CREATE, "POST", "/v1/comments")
    error, text = await _call(
        notion, operation="create", parent={"page_id": PAGE.replace("-", "")}, rich_text=RICH_TEXT
    )
    assert not error, text
    assert [(s.method, s.path) for s in notion.sent] == [("POST", "/v1/comments")]
    assert notion.sent[0].body == {"parent": {"type": "page_id", "page_id": PAGE}, "rich_text": RICH_TEXT}
    assert text == (
        f"Posted comment {shown(comment['id'])} in discussion {shown(comment['discussion_id'])}"
        " (as the integration)."
    )


@pytest.mark.anyio
async def test_create_on_a_block_posts_a_block_parent() -> None:
    notion = FakeNotion()
    notion.replay(CREATE, "POST", "/v1/comments")
    error, text = await _call(notion, operation="create", parent={"block_id": BLOCK}, rich_text=RICH_TEXT)
    assert not error, text
    assert notion.sent[0].body == {"parent": {"type": "block_id", "block_id": BLOCK}, "rich_text": RICH_TEXT}


@pytest.mark.anyio
async def test_a_reply_posts_the_discussion_id_and_no_parent() -> None:
    notion = FakeNotion()
    comment = notion.replay(CREATE, "POST", "/v1/comments")
    error, text = await _call(
        notion,
        operation="create",
        discussion_id=DISCUSSION.replace("-", ""),
        rich_text=RICH_TEXT,
        format="json",
    )
    assert not error, text
    assert notion.sent[0].body == {"discussion_id": DISCUSSION, "rich_text": RICH_TEXT}
    assert json.loads(text) == comment


@pytest.mark.anyio
async def test_create_from_markdown_sends_rich_text_with_bold_and_links() -> None:
    notion = FakeNotion()
    notion.replay(CREATE, "POST", "/v1/comments")
    error, text = await _call(
        notion,
        operation="create",
        parent={"page_id": PAGE},
        markdown="See **this** and [docs](https://example.com)",
    )
    assert not error, text
    sent = notion.sent[0].body
    assert sent["parent"] == {"type": "page_id", "page_id": PAGE}
    assert _runs(sent["rich_text"]) == [
        ("See ", False, None),
        ("this", True, None),
        (" and ", False, None),
        ("docs", False, {"url": "https://example.com"}),
    ]


@pytest.mark.anyio
async def test_retrieve_lists_the_comments_of_a_page_by_discussion_with_author_names() -> None:
    notion = _no_blocks(FakeNotion())
    listing = notion.replay(LIST, "GET", "/v1/comments")
    comment = listing["results"][0]
    author = comment["created_by"]["id"]
    user = body("notion-sdk-py/test_users_retrieve.yaml", "GET", "/v1/users/{id}")
    notion.answer("GET", "/v1/users/{id}", (200, {**user, "id": author}))
    error, text = await _call(notion, operation="retrieve", block_id=PAGE)
    assert not error, text
    assert [(s.method, s.path, s.query) for s in notion.sent] == [
        ("GET", "/v1/comments", {"block_id": PAGE}),
        ("GET", f"/v1/users/{author}", {}),
    ]  # the blocks inside only when asked for (blocks=true): one request per block
    assert f"Discussion {comment['discussion_id'].replace('-', '')}" in text
    assert f"- {user['name']} at " in text
    assert comment["id"].replace("-", "") in text
    assert "This is a test comment." in text
    assert "more:" not in text
    assert "blocks inside were not looked at" in text and "blocks=true" in text


@pytest.mark.anyio
async def test_an_author_notion_will_not_show_stays_an_id_and_is_asked_for_once_per_process() -> None:
    notion = _no_blocks(FakeNotion())
    listing = notion.replay(LIST, "GET", "/v1/comments")
    author = listing["results"][0]["created_by"]["id"]
    denied = {"object": "error", "status": 403, "code": "restricted_resource", "message": "no user info"}
    notion.answer("GET", "/v1/users/{id}", (403, denied))
    async with connect(notion) as client:
        texts = [
            text_of(await client.call_tool("notion_comments", {"operation": "retrieve", "block_id": PAGE}))
            for _ in range(2)
        ]
    assert all(f"- {author.replace('-', '')} at " in t for t in texts), texts
    assert [s.path for s in notion.sent].count(f"/v1/users/{author}") == 1


@pytest.mark.anyio
async def test_retrieve_pages_through_comments_with_a_cursor_it_handed_out() -> None:
    notion = _no_blocks(FakeNotion())
    listing = body(LIST, "GET", "/v1/comments")
    cursor = "393abc1e-edcd-813d-93f2-001d4a22f5df"
    notion.answer(
        "GET",
        "/v1/comments",
        (200, {**listing, "next_cursor": cursor, "has_more": True}),
        (200, {**listing, "results": []}),
    )
    async with connect(notion) as client:
        first = text_of(
            await client.call_tool(
                "notion_comments", {"operation": "retrieve", "block_id": PAGE, "page_size": 1}
            )
        )
        second = await client.call_tool(
            "notion_comments", {"operation": "retrieve", "block_id": PAGE, "start_cursor": cursor}
        )
    assert first.endswith(f"more: call again with the same arguments plus start_cursor={cursor}")
    assert not second.is_error
    assert text_of(second) == f"No open comments on {shown(PAGE)}."
    assert [s.query for s in notion.sent if s.path == "/v1/comments"] == [
        {"block_id": PAGE, "page_size": "1"},
        {"block_id": PAGE, "start_cursor": cursor},
    ]


@pytest.mark.anyio
async def test_retrieve_in_json_gives_notions_comment_objects() -> None:
    notion = _no_blocks(FakeNotion())
    listing = notion.replay(LIST, "GET", "/v1/comments")
    error, text = await _call(notion, operation="retrieve", block_id=PAGE, format="json")
    assert not error, text
    assert json.loads(text)["results"] == listing["results"]


@pytest.mark.anyio
async def test_an_author_lookup_that_keeps_failing_is_tried_again_on_the_next_call() -> None:
    notion = _no_blocks(FakeNotion())
    listing = notion.replay(LIST, "GET", "/v1/comments")
    author = listing["results"][0]["created_by"]["id"]
    user = body("notion-sdk-py/test_users_retrieve.yaml", "GET", "/v1/users/{id}")
    busy = {"object": "error", "status": 503, "code": "service_unavailable", "message": "busy"}
    attempts = 1 + Settings().max_retries  # one call's worth of 503s
    notion.answer("GET", "/v1/users/{id}", *[(503, busy)] * attempts, (200, {**user, "id": author}))
    async with connect(notion, clock=FakeClock()) as client:
        texts = [
            text_of(await client.call_tool("notion_comments", {"operation": "retrieve", "block_id": PAGE}))
            for _ in range(2)
        ]
    assert f"- {author.replace('-', '')} at " in texts[0]  # the retries ran out: the ID, no error
    assert f"- {user['name']} at " in texts[1]
