"""notion_pages move, restore from the trash, and notion_comments update/delete and block
discussions: through the MCP client against the sandbox."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from sandbox_client import call, sandbox_client, text_of

from notion_mcp.notion import discussions
from notion_mcp.sandbox import SEED

pytestmark = pytest.mark.anyio


async def new_page(client: Any, title: str, parent: dict[str, Any] | None = None, markdown: str = "") -> str:
    arguments: dict[str, Any] = {"parent": parent or {"workspace": True}, "title": title}
    if markdown:
        arguments["markdown"] = markdown
    made = await call(client, "notion_pages", operation="create", **arguments)
    found = re.match(r"Created page ([0-9a-f]{32})", made)
    assert found, made
    return found.group(1)


async def test_move_puts_a_page_under_another_page() -> None:
    async with sandbox_client() as (client, _):
        archive = await new_page(client, "Archive")
        page = await new_page(client, "Old notes", markdown="Body stays.")
        moved = await call(
            client, "notion_pages", operation="move", page_id=page, parent={"page_id": archive}
        )
        listed = await call(
            client, "notion_blocks", operation="retrieve", block_id=archive, include_children=True
        )
        read = await call(client, "notion_pages", operation="retrieve", page_id=page)
    assert moved.startswith(f"Moved page {page} under page {archive}")
    assert "Old notes" in listed
    assert "Body stays." in read


async def test_move_into_a_database_makes_the_page_a_row() -> None:
    async with sandbox_client() as (client, _):
        page = await new_page(client, "Becomes a task")
        moved = await call(
            client,
            "notion_pages",
            operation="move",
            page_id=page,
            parent={"database_id": SEED.tasks_database_id},
        )
        rows = await call(
            client, "notion_databases", operation="query", database_id=SEED.tasks_database_id, max_results=100
        )
    assert "under data source" in moved
    assert "Becomes a task" in rows


@pytest.mark.parametrize(
    ("parent", "says"),
    [
        ({"workspace": True}, "not to the workspace"),
        ({"page_id": "self"}, "under itself"),
        ({}, "exactly one"),
    ],
)
async def test_a_move_that_cannot_be_made_says_why(parent: dict[str, Any], says: str) -> None:
    async with sandbox_client() as (client, _):
        page = await new_page(client, "Stays")
        if parent.get("page_id") == "self":
            parent = {"page_id": page}
        result = await client.call_tool(
            "notion_pages", {"operation": "move", "page_id": page, "parent": parent}
        )
    assert result.is_error and says in text_of(result), text_of(result)


async def test_a_trashed_page_and_block_are_restored_with_in_trash_false() -> None:
    async with sandbox_client() as (client, _):
        page = await new_page(client, "Restorable", markdown="Keep me.")
        await call(client, "notion_pages", operation="update", page_id=page, in_trash=True)
        restored = await call(client, "notion_pages", operation="update", page_id=page, in_trash=False)
        read = await call(client, "notion_pages", operation="retrieve", page_id=page, block_ids=True)
        block = re.search(r"Keep me\. \^([0-9a-f]{32})", read)
        assert block, read
        await call(client, "notion_blocks", operation="delete", block_id=block.group(1))
        await call(client, "notion_blocks", operation="update", block_id=block.group(1), in_trash=False)
        again = await call(client, "notion_pages", operation="retrieve", page_id=page)
    assert "in the trash" not in restored
    assert "Keep me." in again


async def test_comments_are_updated_and_deleted_and_a_page_shows_its_blocks_discussions() -> None:
    async with sandbox_client() as (client, _):
        page = await new_page(client, "Discussed", markdown="First block.\n\nSecond block.")
        read = await call(client, "notion_pages", operation="retrieve", page_id=page, block_ids=True)
        second = re.search(r"Second block\. \^([0-9a-f]{32})", read)
        first = re.search(r"First block\. \^([0-9a-f]{32})", read)
        assert second and first
        for target, text in (
            (page, "On the page"),
            (second.group(1), "On the second"),
            (first.group(1), "On the first"),
        ):
            key = "page_id" if target == page else "block_id"
            await call(client, "notion_comments", operation="create", parent={key: target}, markdown=text)
        listed = await call(client, "notion_comments", operation="retrieve", block_id=page, blocks=True)
        ids = re.findall(r"\(id: ([0-9a-f]{32})\): On the second", listed)
        assert ids, listed
        updated = await call(
            client, "notion_comments", operation="update", comment_id=ids[0], markdown="Edited **now**"
        )
        after_update = await call(client, "notion_comments", operation="retrieve", block_id=page, blocks=True)
        deleted = await call(client, "notion_comments", operation="delete", comment_id=ids[0])
        again = await client.call_tool("notion_comments", {"operation": "delete", "comment_id": ids[0]})
        after_delete = await call(client, "notion_comments", operation="retrieve", block_id=page, blocks=True)
    assert listed.index("On the page") < listed.index("On the first") < listed.index("On the second")
    assert f"on block {first.group(1)} («First block.»)" in listed
    assert "«First block.»" in listed and "«Second block.»" in listed
    assert updated.startswith("Updated comment")
    assert "Edited **now**" in after_update
    assert deleted.startswith("Deleted comment")
    assert again.is_error and "only the comments it wrote" in text_of(again)
    assert "Edited" not in after_delete and "On the first" in after_delete
    assert "not looked at" not in listed


async def test_a_pages_comments_say_its_blocks_were_not_looked_at_and_how_to_see_them() -> None:
    async with sandbox_client() as (client, sandbox):
        page = await new_page(client, "Discussed", markdown="First block.\n\nSecond block.")
        read = await call(client, "notion_pages", operation="retrieve", page_id=page, block_ids=True)
        first = re.search(r"First block\. \^([0-9a-f]{32})", read)
        assert first, read
        await call(client, "notion_comments", operation="create", parent={"block_id": first.group(1)},
                   markdown="On the first")  # fmt: skip
        before = dict(sandbox.counters)
        plain = await call(client, "notion_comments", operation="retrieve", block_id=page)
        used = {k: v - before.get(k, 0) for k, v in sandbox.counters.items() if v != before.get(k, 0)}
        as_json = json.loads(
            await call(client, "notion_comments", operation="retrieve", block_id=page, format="json")
        )
        asked = await call(client, "notion_comments", operation="retrieve", block_id=page, blocks=True)
        asked_json = json.loads(
            await call(client, "notion_comments", operation="retrieve", block_id=page, blocks=True,
                       format="json")
        )  # fmt: skip
    hint = f"notion_comments retrieve block_id={page.replace('-', '')} blocks=true"
    assert used == {"GET /v1/comments": 1}  # the page's own: no block listed
    assert plain.startswith(f"No open comments on {page}.") and "not looked at" in plain and hint in plain
    assert "not looked at" in as_json["on_blocks_note"] and hint in as_json["on_blocks_note"]
    assert "on_blocks" not in as_json
    assert "On the first" in asked and "«First block.»" in asked and "not looked at" not in asked
    assert [d["comments"][0]["rich_text"][0]["plain_text"] for d in asked_json["on_blocks"]] == [
        "On the first"
    ]
    assert "on_blocks_note" not in asked_json


async def test_a_page_too_large_to_look_at_every_block_says_how_far_it_looked(monkeypatch: Any) -> None:
    monkeypatch.setattr(discussions, "MAX_BLOCKS", 2)
    async with sandbox_client() as (client, _):
        page = await new_page(client, "Long", markdown="One.\n\nTwo.\n\nThree.")
        read = await call(client, "notion_pages", operation="retrieve", page_id=page, block_ids=True)
        third = re.search(r"Three\. \^([0-9a-f]{32})", read)
        assert third, read
        await call(client, "notion_comments", operation="create", parent={"block_id": third.group(1)},
                   markdown="On the third")  # fmt: skip
        listed = await call(client, "notion_comments", operation="retrieve", block_id=page, blocks=True)
        direct = await call(client, "notion_comments", operation="retrieve", block_id=third.group(1))
    assert "On the third" not in listed
    assert "Only the first 2 blocks inside were looked at" in listed and "block_ids=true" in listed
    assert "On the third" in direct


async def test_nested_blocks_discussions_come_in_document_order_each_shown_by_its_first_50_characters() -> (
    None
):
    fifty = "Fifty characters exactly, counted one by one here."
    longer = "Fifty-one characters, one more than a snippet shows"
    assert (len(fifty), len(longer)) == (50, 51)
    async with sandbox_client() as (client, _):
        page = await new_page(client, "Nested", markdown=f"- outer\n  - inner\n\n{fifty}\n\n{longer}")
        read = await call(client, "notion_pages", operation="retrieve", page_id=page, block_ids=True)
        ids = {
            text: re.search(rf"{re.escape(text)} \^([0-9a-f]{{32}})", read)
            for text in ("inner", fifty, longer)
        }
        for text, found in reversed(ids.items()):  # posted last to first: listed in document order anyway
            assert found, read
            await call(client, "notion_comments", operation="create", parent={"block_id": found.group(1)},
                       markdown=f"On {text}")  # fmt: skip
        listed = await call(client, "notion_comments", operation="retrieve", block_id=page, blocks=True)
    assert listed.index("On inner") < listed.index(f"On {fifty}") < listed.index(f"On {longer}")
    assert "(«- inner»)" in listed and f"(«{fifty}»)" in listed and f"(«{longer[:50]}…»)" in listed


async def test_a_block_with_more_comments_than_one_page_says_where_to_read_the_rest() -> None:
    async with sandbox_client() as (client, _):
        page = await new_page(client, "Busy", markdown="Talked about.\n\nQuiet.")
        read = await call(client, "notion_pages", operation="retrieve", page_id=page, block_ids=True)
        busy, quiet = re.findall(r"\^([0-9a-f]{32})", read)[-2:]
        for n in range(101):  # Notion lists 100 comments a page
            await call(
                client, "notion_comments", operation="create", parent={"block_id": busy}, markdown=f"c{n}"
            )
        await call(
            client, "notion_comments", operation="create", parent={"block_id": quiet}, markdown="Only one"
        )
        listed = await call(client, "notion_comments", operation="retrieve", block_id=page, blocks=True)
    assert f"(more on block {busy}: notion_comments retrieve block_id={busy})" in listed
    assert f"more on block {quiet}" not in listed


async def test_comments_of_others_cannot_be_changed() -> None:
    async with sandbox_client() as (client, _):
        listed = await call(client, "notion_comments", operation="retrieve", block_id=SEED.welcome_page_id)
        someone_else = re.findall(r"\(id: ([0-9a-f]{32})\)", listed)
        assert someone_else, listed
        result = await client.call_tool(
            "notion_comments", {"operation": "update", "comment_id": someone_else[0], "markdown": "mine now"}
        )
    assert result.is_error and "object_not_found" in text_of(result), text_of(result)


NESTED = """## Plan

- step one
  - detail
- step two

<details>
<summary>More</summary>

Hidden text.

</details>

| a | b |
| --- | --- |
| 1 | 2 |
"""


def body_of(read: str) -> str:
    return read.split("\n\n\n", 1)[1] if "\n\n\n" in read else ""


async def test_duplicate_copies_the_whole_content_and_says_what_it_did_not_copy() -> None:
    async with sandbox_client() as (client, _):
        original = await new_page(client, "Original", markdown=NESTED)
        await new_page(client, "Child", parent={"page_id": original}, markdown="Child text.")
        archive = await new_page(client, "Archive")
        plain = await call(
            client, "notion_pages", operation="duplicate", page_id=original, parent={"page_id": archive}
        )
        deep = await call(
            client,
            "notion_pages",
            operation="duplicate",
            page_id=original,
            title="Deep copy",
            child_pages=True,
        )
        copy_id = re.search(r"Duplicated as page ([0-9a-f]{32})", plain)
        deep_id = re.search(r"Duplicated as page ([0-9a-f]{32})", deep)
        assert copy_id and deep_id, (plain, deep)
        original_read = await call(client, "notion_pages", operation="retrieve", page_id=original)
        copy_read = await call(client, "notion_pages", operation="retrieve", page_id=copy_id.group(1))
        deep_read = await call(client, "notion_pages", operation="retrieve", page_id=deep_id.group(1))
        archive_read = await call(
            client, "notion_blocks", operation="retrieve", block_id=archive, include_children=True
        )
    assert "not copied: child page 'Child'" in plain and "child_pages=true" in plain
    assert body_of(copy_read) == body_of(original_read).split("<page")[0].rstrip() + "\n"
    assert copy_read.startswith("# Original") and deep_read.startswith("# Deep copy")
    assert deep.count("Duplicated as page") == 2  # the page and its child page
    assert "<page url=" in deep_read and "Child" in deep_read
    assert "Original" in archive_read
