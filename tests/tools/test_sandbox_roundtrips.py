"""Round trips through the six tools, as a model makes them: an in-memory MCP client, the server,
and the seeded sandbox answering like Notion."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import httpx
import pytest
from sandbox_client import call, next_cursor, sandbox_client, text_of

from notion_mcp.markdown import markdown_to_blocks
from notion_mcp.sandbox import SEED, Sandbox

pytestmark = pytest.mark.anyio

PLAN = """# Project plan

Intro paragraph with **bold**, *italic* and `code`.

## Steps

- First item
  - Nested item
    - Deeper item
- Second item

1. One
2. Two

<details>
<summary>More details</summary>

Hidden paragraph.

</details>

| Name | Value |
| --- | --- |
| a | 1 |
| b | 2 |

```python
print("hi")
```

> [!NOTE]
> Remember this.
"""

APPENDIX = """## Appendix

- [ ] check the numbers
- [x] write the summary

> A quote to end with.
"""

MARKER = re.compile(r" \^([0-9a-f]{32})$", re.MULTILINE)


def created_id(text: str) -> str:
    """The ID out of "Created page <id> <url> …" / "Created database <id> …"."""
    match = re.match(r"Created (?:page|database) ([0-9a-f]{32})", text)
    assert match, text
    return match.group(1)


def body_from(text: str, first_line: str) -> str:
    """The page body of a `notion_pages retrieve` result: from its first content line on."""
    assert first_line in text, text
    return text[text.index(first_line) :]


def block_id_of(text: str, line_start: str) -> str:
    """The ` ^<id>` marker of the line starting with `line_start` (block_ids=True output)."""
    for line in text.splitlines():
        marker = MARKER.search(line)
        if line.startswith(line_start) and marker:
            return marker.group(1)
    raise AssertionError(f"no line starting {line_start!r} with a block ID in:\n{text}")


# -- pages ----------------------------------------------------------------------------------------
async def test_a_page_created_from_nested_markdown_reads_back_as_the_same_content() -> None:
    async with sandbox_client() as (client, _):
        page_id = await create_plan_page(client)
        read = await call(client, "notion_pages", operation="retrieve", page_id=page_id)

    assert read.startswith("# Plan\n")
    body = body_from(read, "# Project plan")
    assert markdown_to_blocks(body) == markdown_to_blocks(PLAN), body
    types = [b["type"] for b in markdown_to_blocks(body)]
    assert {"toggle", "table", "code", "callout", "bulleted_list_item"} <= set(types)


async def plan_with_ids(client: Any) -> tuple[str, str]:
    """A new PLAN page, and its read with block IDs (to pick blocks from by `block_id_of`)."""
    page_id = await create_plan_page(client)
    return page_id, await call(client, "notion_pages", operation="retrieve", page_id=page_id, block_ids=True)


async def create_plan_page(client: Any) -> str:
    """A page under the welcome page with the PLAN markdown; its ID."""
    return created_id(
        await call(
            client,
            "notion_pages",
            operation="create",
            parent={"page_id": SEED.welcome_page_id},
            title="Plan",
            markdown=PLAN,
        )
    )


async def test_a_link_to_a_block_reads_the_page_as_a_page_and_the_block_as_a_block() -> None:
    async with sandbox_client() as (client, _):
        page_id, with_ids = await plan_with_ids(client)
        intro_id = block_id_of(with_ids, "Intro paragraph")
        link = f"https://www.notion.so/Plan-{page_id.replace('-', '')}#{intro_id}"
        page = await call(client, "notion_pages", operation="retrieve", page_id=link)
        block = await call(client, "notion_blocks", operation="retrieve", block_id=link)
    assert page.startswith("# Plan\n")
    assert block.startswith(f"block {uuid.UUID(intro_id).hex} (paragraph)")


async def test_a_page_title_and_one_block_are_updated_through_the_tools() -> None:
    async with sandbox_client() as (client, _):
        page_id, with_ids = await plan_with_ids(client)
        intro_id = block_id_of(with_ids, "Intro paragraph")

        renamed = await call(client, "notion_pages", operation="update", page_id=page_id, title="Plan v2")
        updated = await call(
            client, "notion_blocks", operation="update", block_id=intro_id, markdown="New **intro** text."
        )
        read = await call(client, "notion_pages", operation="retrieve", page_id=page_id)

    assert "# Plan v2" in renamed
    assert "New **intro** text." in updated
    assert read.startswith("# Plan v2\n")
    assert "New **intro** text." in read
    assert "Intro paragraph" not in read
    expected = PLAN.replace("Intro paragraph with **bold**, *italic* and `code`.", "New **intro** text.")
    assert markdown_to_blocks(body_from(read, "# Project plan")) == markdown_to_blocks(expected)


@pytest.mark.parametrize(
    ("line_start", "markdown", "expected"),
    [
        ("Intro paragraph", "", "<empty-block/>"),  # the text cleared, the block kept
        ("Intro paragraph", 'Now red {color="red"}', 'Now red {color="red"}'),
        ("- First item", "Plain text for a list item", "- Plain text for a list item"),
        ("- First item", "- Still a list item", "- Still a list item"),
        ("```python", "print('new')", "```python\nprint('new')\n```"),
        (
            "```python",
            "def __init__(s): a*b*c if a<b and c>d",
            "```python\ndef __init__(s): a*b*c if a<b and c>d\n```",
        ),
        (
            "```python",
            "```js\nx = 1\n```\n\n<caption>Set x</caption>",
            "```javascript\nx = 1\n```\n\n<caption>Set x",
        ),
    ],
)
async def test_a_markdown_update_changes_the_text_and_keeps_the_block(
    line_start: str, markdown: str, expected: str
) -> None:
    async with sandbox_client() as (client, _):
        _page_id, with_ids = await plan_with_ids(client)
        block_id = block_id_of(with_ids, line_start)
        await call(client, "notion_blocks", operation="update", block_id=block_id, markdown=markdown)
        read = await call(client, "notion_blocks", operation="retrieve", block_id=block_id)
    assert read.split("\n", 1)[1].strip().startswith(expected), read


async def test_a_colour_set_by_markdown_is_reset_by_color_default_and_kept_without_one() -> None:
    async with sandbox_client() as (client, _):
        _page_id, with_ids = await plan_with_ids(client)
        block_id = block_id_of(with_ids, "Intro paragraph")
        reads = []
        for markdown in ('Red {color="red"}', "Still red", 'Plain {color="default"}'):
            await call(client, "notion_blocks", operation="update", block_id=block_id, markdown=markdown)
            reads.append(
                (await call(client, "notion_blocks", operation="retrieve", block_id=block_id)).split("\n")[1]
            )
    assert reads == ['Red {color="red"}', 'Still red {color="red"}', "Plain"]


@pytest.mark.parametrize(
    ("line_start", "markdown", "words"),
    [
        ("Intro paragraph", "# A heading now", "the markdown is a heading_1 but block"),
        ("Intro paragraph", "> A quote now", "Notion cannot change a block's type"),
        ("- First item", "- First item\n  - a new child", "append them with notion_blocks append"),
        ("Intro paragraph", "one\n\ntwo", "must be one block of text; it made 2 blocks"),
    ],
)
async def test_a_markdown_update_the_block_cannot_take_is_refused_and_nothing_changes(
    line_start: str, markdown: str, words: str
) -> None:
    async with sandbox_client() as (client, sandbox):
        page_id, with_ids = await plan_with_ids(client)
        block_id = block_id_of(with_ids, line_start)
        refused = await client.call_tool(
            "notion_blocks", {"operation": "update", "block_id": block_id, "markdown": markdown}
        )
        after = await call(client, "notion_pages", operation="retrieve", page_id=page_id, block_ids=True)
    assert refused.is_error and words in text_of(refused), text_of(refused)
    assert sandbox.counters["PATCH /v1/blocks/{id}"] == 0
    assert after == with_ids


async def test_words_in_another_case_or_with_spaces_and_one_sort_object_are_understood() -> None:
    async with sandbox_client() as (client, _):
        page = await call(
            client, "notion_pages", operation=" Retrieve", page_id=SEED.welcome_page_id, format="JSON"
        )
        rows = await call(
            client, "notion_databases", operation="query", database_id=SEED.tasks_database_id, page_size=2,
            sorts={"property": "Estimate", "direction": "descending"},
        )  # fmt: skip
    assert json.loads(page)["object"] == "page"
    assert rows.startswith("2 rows")


async def test_text_that_only_looks_like_a_list_item_is_written_with_the_escape_the_refusal_names() -> None:
    async with sandbox_client() as (client, _):
        _page_id, with_ids = await plan_with_ids(client)
        intro_id = block_id_of(with_ids, "Intro paragraph")
        refused = await client.call_tool(
            "notion_blocks", {"operation": "update", "block_id": intro_id, "markdown": "2024. A year"}
        )
        assert '"2024\\. A year"' in text_of(refused)
        await call(client, "notion_blocks", operation="update", block_id=intro_id, markdown="2024\\. A year")
        read = await call(client, "notion_blocks", operation="retrieve", block_id=intro_id, format="json")
    assert json.loads(read)["paragraph"]["rich_text"][0]["plain_text"] == "2024. A year"


@pytest.mark.parametrize(
    ("icon", "ok"), [("🚀", True), ("👨‍👩‍👧", True), (":rocket:", False), ("notion", False)]
)
async def test_a_page_icon_is_one_emoji_or_refused_before_sending(icon: str, ok: bool) -> None:
    async with sandbox_client() as (client, sandbox):
        result = await client.call_tool(
            "notion_pages",
            {"operation": "create", "parent": {"workspace": True}, "title": "Iconic", "icon": icon},
        )
    assert result.is_error != ok, text_of(result)
    if not ok:
        assert "one emoji (such as 🚀, not a name like :rocket:)" in text_of(result)
        assert sandbox.counters["POST /v1/pages"] == 0


async def test_a_trashed_page_disappears_from_search_and_comes_back_when_restored() -> None:
    async with sandbox_client() as (client, _):
        page_id = created_id(
            await call(
                client,
                "notion_pages",
                operation="create",
                parent={"page_id": SEED.welcome_page_id},
                title="Zebra crossing",
                markdown="Stripes.",
            )
        )
        trashed = await call(client, "notion_pages", operation="update", page_id=page_id, in_trash=True)
        while_trashed = await call(client, "notion_search", query="Zebra")
        as_json = json.loads(
            await call(client, "notion_pages", operation="retrieve", page_id=page_id, format="json")
        )
        restored = await call(client, "notion_pages", operation="update", page_id=page_id, in_trash=False)
        after = await call(client, "notion_search", query="Zebra")
        read = await call(client, "notion_pages", operation="retrieve", page_id=page_id)

    assert "in the trash" in trashed and "in_trash=false" in trashed
    assert as_json["in_trash"] is True
    assert "No pages or databases match" in while_trashed
    assert "in the trash" not in restored
    assert "Zebra crossing" in after and page_id.replace("-", "") in after
    assert "Stripes." in read


async def test_markdown_appended_to_a_page_reads_back_as_the_same_content() -> None:
    async with sandbox_client() as (client, _):
        page_id = created_id(
            await call(
                client,
                "notion_pages",
                operation="create",
                parent={"workspace": True},
                title="Empty at first",
            )
        )
        appended = await call(
            client, "notion_blocks", operation="append", parent_block_id=page_id, markdown=PLAN + APPENDIX
        )
        read = await call(client, "notion_pages", operation="retrieve", page_id=page_id)

    assert "Top-level block IDs:" in appended
    body = body_from(read, "# Project plan")
    assert markdown_to_blocks(body) == markdown_to_blocks(PLAN + APPENDIX), body


async def test_a_cut_read_written_back_is_refused_until_its_unread_children_are_dealt_with() -> None:
    async with sandbox_client() as (client, sandbox):
        page_id = await create_plan_page(client)
        read = await call(
            client, "notion_blocks", operation="retrieve", block_id=page_id, include_children=True,
            max_depth=1,
        )  # fmt: skip
        markers = re.findall(r"<!-- children not fetched: ([0-9a-f]{32}) -->", read)
        assert len(markers) == 3, read  # the nested list, the toggle's body, the table's rows
        sent = sandbox.total_requests
        refused = await client.call_tool(
            "notion_blocks", {"operation": "append", "parent_block_id": page_id, "markdown": read}
        )
        assert refused.is_error
        assert f'notion_blocks retrieve block_id="{markers[0]}" include_children=true' in text_of(refused)
        assert all(block_id in text_of(refused) for block_id in markers)
        assert sandbox.total_requests == sent  # nothing written

        without = re.sub(r"<!-- children not fetched: [0-9a-f]{32} -->", "", read)
        refused = await client.call_tool(
            "notion_blocks", {"operation": "append", "parent_block_id": page_id, "markdown": without}
        )
        assert refused.is_error and "<table …/> must come right before its pipe table" in text_of(refused)
        without = re.sub(r"<table[^>]*/>", "", without)  # the table whose rows were left unread
        written = await call(
            client, "notion_blocks", operation="append", parent_block_id=page_id, markdown=without
        )
        assert written.startswith("Appended "), written


PARAGRAPH = re.compile(r"^Paragraph \d{3} x+$", re.MULTILINE)
PARAGRAPHS = [f"Paragraph {i:03d} " + "x" * 60 for i in range(250)]


async def big_page(client: Any) -> str:
    """A page of 250 PARAGRAPHS (too big for one small answer); its ID."""
    markdown = "\n\n".join(PARAGRAPHS)
    return created_id(
        await call(
            client,
            "notion_pages",
            operation="create",
            parent={"workspace": True},
            title="Big",
            markdown=markdown,
        )
    )


@pytest.mark.parametrize("budget", [9_000, 3_000], ids=["cut after the first listing page", "cut inside it"])
async def test_a_page_too_big_for_one_answer_is_read_whole_by_following_its_cut_notes(budget: int) -> None:
    async with sandbox_client(max_output_chars=budget) as (client, _):
        page_id = await big_page(client)
        got: list[str] = []
        arguments: dict[str, Any] = {"operation": "retrieve", "page_id": page_id}
        skip = 0
        for _ in range(20):
            text = await call(client, "notion_pages", **arguments)
            body, _, note = text.partition("[output cut at")
            got += PARAGRAPH.findall(body)[skip:]
            if not note:
                break
            if listed := re.search(r"The rest: read each of (.*?) with notion_blocks retrieve", note):
                for block_id in listed.group(1).split(", "):
                    one = await call(client, "notion_blocks", operation="retrieve", block_id=block_id)
                    got += PARAGRAPH.findall(one)
            cursor = re.search(r"start_cursor=([0-9a-f-]{36})", note)
            if cursor is None:
                assert listed, note  # the last blocks, one by one
                break
            arguments["start_cursor"] = cursor.group(1)
            repeat = re.search(r"its first (\d+) top-level blocks repeat", note)
            skip = int(repeat.group(1)) if repeat else 0
    assert got == PARAGRAPHS


@pytest.mark.parametrize("tool", ["notion_pages", "notion_blocks"])
async def test_a_json_read_over_the_budget_is_cut_at_a_top_level_block_and_says_how_to_go_on(
    tool: str,
) -> None:
    async with sandbox_client(max_output_chars=100_000) as (client, _):  # about 110 blocks of JSON
        page_id = await big_page(client)
        arguments = {"notion_pages": {"page_id": page_id, "include_content": True},
                     "notion_blocks": {"block_id": page_id, "include_children": True}}[tool]  # fmt: skip
        text = await call(client, tool, operation="retrieve", format="json", **arguments)
    read = json.loads(text)
    blocks = read["content"] if tool == "notion_pages" else read["block"]["child_page"]["children"]
    assert len(text) <= 100_000
    assert 100 <= len(blocks) < 250
    assert read["cut"].startswith(f"output cut at {len(blocks)} of 250 top-level blocks")
    assert "start_cursor=" in read["cut"]


async def test_long_text_in_children_is_split_into_items_never_refused_or_cut() -> None:
    long = "".join(f"{i:05d} " for i in range(900))  # 5,400 characters
    children = [
        {"paragraph": {"rich_text": [{"text": {"content": long}, "annotations": {"bold": True}}]}},
        {"table": {"table_width": 1, "has_column_header": False,
                   "children": [{"table_row": {"cells": [[{"text": {"content": long}}]]}}]}},
    ]  # fmt: skip
    async with sandbox_client() as (client, _):
        page_id = created_id(
            await call(client, "notion_pages", operation="create", parent={"workspace": True}, title="Long")
        )
        await call(client, "notion_blocks", operation="append", parent_block_id=page_id, children=children)
        read = json.loads(await call(client, "notion_pages", operation="retrieve", page_id=page_id,
                                     include_content=True, format="json"))  # fmt: skip
    paragraph = read["content"][0]["paragraph"]["rich_text"]
    cell = read["content"][1]["table"]["children"][0]["table_row"]["cells"][0]
    for items in (paragraph, cell):
        assert "".join(i["plain_text"] for i in items) == long
        assert max(len(i["text"]["content"]) for i in items) <= 2_000
    assert all(i["annotations"]["bold"] for i in paragraph)


@pytest.mark.parametrize("how", ["twice", "answer lost"])
async def test_deleting_a_block_already_in_the_trash_is_a_success(how: str) -> None:
    async with sandbox_client() as (client, sandbox):
        appended = await call(
            client,
            "notion_blocks",
            operation="append",
            parent_block_id=SEED.notes_page_id,
            markdown="Gone soon.",
        )
        block_id = appended.rsplit("Top-level block IDs: ", 1)[1].strip()
        if how == "twice":
            await call(client, "notion_blocks", operation="delete", block_id=block_id)
        else:  # the trash happens, the answer is lost, the retry meets an archived block
            sandbox.faults.add("DELETE", "/v1/blocks/{id}", "504", when="after")
        again = await call(client, "notion_blocks", operation="delete", block_id=block_id)
        other = await client.call_tool(
            "notion_blocks", {"operation": "update", "block_id": block_id, "markdown": "Edited in the trash?"}
        )
    assert again.startswith(f"Moved block {block_id} (paragraph) to the trash."), again
    assert other.is_error and "archived" in text_of(other)  # other edits of a trashed block still fail


async def test_markdown_appended_to_a_seeded_page_lands_after_its_existing_content() -> None:
    async with sandbox_client() as (client, _):
        before = await call(client, "notion_pages", operation="retrieve", page_id=SEED.notes_page_id)
        await call(
            client, "notion_blocks", operation="append", parent_block_id=SEED.notes_page_id, markdown=APPENDIX
        )
        after = await call(client, "notion_pages", operation="retrieve", page_id=SEED.notes_page_id)

    old_body = body_from(before, "\n\n\n")
    # the same page, its edited time moved on by the append
    unstamped = re.compile(r" · edited \S+")
    assert unstamped.sub("", after).startswith(unstamped.sub("", before).rstrip("\n")), after
    assert markdown_to_blocks(body_from(after, "## Appendix")) == markdown_to_blocks(APPENDIX)
    assert markdown_to_blocks(body_from(after, "\n\n\n")) == [
        *markdown_to_blocks(old_body),
        *markdown_to_blocks(APPENDIX),
    ]


async def test_a_page_read_with_block_ids_parses_back_to_the_same_blocks_tables_included() -> None:
    async with sandbox_client() as (client, _):
        page_id = await create_plan_page(client)
        read = await call(client, "notion_pages", operation="retrieve", page_id=page_id, block_ids=True)

    assert markdown_to_blocks(body_from(read, "# Project plan")) == markdown_to_blocks(PLAN), read


# -- databases ------------------------------------------------------------------------------------
SCHEMA = {
    "Item": {"title": {}},
    "Kind": {"select": {"options": [{"name": "Tool"}, {"name": "Part"}]}},
    "Count": {"number": {}},
    "Stocked": {"checkbox": {}},
    "Arrives": {"date": {}},
}
ROWS = 25


def row(n: int) -> dict[str, Any]:
    return {
        "Item": {"title": [{"type": "text", "text": {"content": f"Row {n:02d}"}}]},
        "Kind": {"select": {"name": "Tool" if n % 2 else "Part"}},
        "Count": {"number": n},
        "Stocked": {"checkbox": n % 3 == 0},
        "Arrives": {"date": {"start": f"2026-03-{n:02d}"}},
    }


def row_ids(text: str) -> list[str]:
    """The row IDs of a query's markdown table, in order."""
    return re.findall(r"^\| ([0-9a-f]{32}) \|", text, re.MULTILINE)


def row_titles(text: str) -> list[str]:
    return re.findall(r"^\| [0-9a-f]{32} \| (Row \d\d) \|", text, re.MULTILINE)


async def make_inventory(client: Any) -> tuple[str, dict[int, str]]:
    created = await call(
        client,
        "notion_databases",
        operation="create",
        parent={"page_id": SEED.notes_page_id},
        title="Inventory",
        properties=SCHEMA,
    )
    database_id = created_id(created)
    ids = {}
    for n in range(1, ROWS + 1):
        text = await call(
            client, "notion_pages", operation="create", parent={"database_id": database_id}, properties=row(n)
        )
        ids[n] = created_id(text).replace("-", "")
    return database_id, ids


async def test_a_database_created_with_a_schema_shows_its_properties_and_options() -> None:
    async with sandbox_client() as (client, _):
        database_id = created_id(
            await call(
                client,
                "notion_databases",
                operation="create",
                parent={"page_id": SEED.notes_page_id},
                title="Inventory",
                properties=SCHEMA,
            )
        )
        shown = await call(client, "notion_databases", operation="retrieve", database_id=database_id)

    assert shown.startswith("# Inventory")
    for line in ("- Item (title)", "- Kind (select): Tool, Part", "- Count (number)", "- Stocked (checkbox)"):
        assert line in shown, shown
    assert "- Arrives (date)" in shown


async def test_a_filtered_sorted_query_returns_the_matching_rows_in_order() -> None:
    async with sandbox_client() as (client, _):
        database_id, ids = await make_inventory(client)
        text = await call(
            client,
            "notion_databases",
            operation="query",
            database_id=database_id,
            filter={
                "and": [
                    {"property": "Kind", "select": {"equals": "Tool"}},
                    {"property": "Count", "number": {"greater_than": 10}},
                ]
            },
            sorts=[{"property": "Count", "direction": "descending"}],
        )

    expected = [n for n in range(ROWS, 10, -1) if n % 2]
    assert row_titles(text) == [f"Row {n:02d}" for n in expected], text
    assert row_ids(text) == [ids[n] for n in expected]
    assert text.startswith(f"{len(expected)} rows")
    assert "start_cursor" not in text
    assert "| Row 25 | Tool | 25 | false | 2026-03-25 |" in text


async def test_paging_through_a_query_by_its_hints_gets_every_row_exactly_once() -> None:
    async with sandbox_client() as (client, _):
        database_id, ids = await make_inventory(client)
        seen: list[str] = []
        calls = 0
        arguments: dict[str, Any] = {
            "operation": "query",
            "database_id": database_id,
            "sorts": [{"property": "Count", "direction": "ascending"}],
            "page_size": 10,
        }
        while True:
            calls += 1
            text = await call(client, "notion_databases", **arguments)
            seen += row_ids(text)
            cursor = next_cursor(text)
            if cursor is None:
                break
            arguments["start_cursor"] = cursor
            assert calls < 10, "pagination does not end"

    assert calls == 3
    assert seen == [ids[n] for n in range(1, ROWS + 1)]


async def test_a_cursor_passed_without_the_filter_it_came_with_is_refused_naming_that_filter() -> None:
    done = {"property": "Done", "checkbox": {"equals": True}}
    async with sandbox_client() as (client, sandbox):
        first = await call(
            client, "notion_databases", operation="query", database_id=SEED.tasks_database_id,
            filter=done, page_size=2,
        )  # fmt: skip
        cursor = next_cursor(first)
        assert cursor is not None
        sandbox.reset_counters()
        dropped = await client.call_tool(
            "notion_databases",
            {"operation": "query", "database_id": SEED.tasks_database_id, "start_cursor": cursor},
        )
        queries = sandbox.counters["POST /v1/data_sources/{id}/query"]
        kept = await call(
            client, "notion_databases", operation="query", database_id=SEED.tasks_database_id,
            filter=done, page_size=2, start_cursor=cursor,
        )  # fmt: skip
    assert dropped.is_error
    assert "continues another listing" in text_of(dropped)
    assert '"filter":{"checkbox":{"equals":true},"property":"Done"}' in text_of(dropped)
    assert queries == 0  # refused before sending
    assert "| true |" in kept and "| false |" not in kept  # the next done rows, and only those


async def test_a_query_too_big_for_one_answer_is_cut_at_a_row_and_the_hint_gets_every_row_once() -> None:
    async with sandbox_client(max_output_chars=1_500) as (client, _):  # about 10 rows of this table
        database_id, ids = await make_inventory(client)
        arguments: dict[str, Any] = {
            "operation": "query",
            "database_id": database_id,
            "sorts": [{"property": "Count", "direction": "ascending"}],
        }
        seen: list[str] = []
        cuts = 0
        for _ in range(20):
            text = await call(client, "notion_databases", **arguments)
            cut = re.search(r"output cut at (\d+) of \d+ rows .* and page_size=(\d+)", text)
            if cut:  # follow the advice: the same call with a smaller page
                assert "start_cursor=" not in text  # no cursor that would skip the rows cut
                arguments["page_size"] = int(cut.group(2))
                cuts += 1
                continue
            assert len(text) <= 1_500 + 200, text
            seen += row_ids(text)
            cursor = next_cursor(text)
            if cursor is None:
                break
            arguments["start_cursor"] = cursor
    assert cuts == 1
    assert seen == [ids[n] for n in range(1, ROWS + 1)]


async def test_collecting_many_rows_stops_at_a_page_boundary_when_the_answer_is_full() -> None:
    async with sandbox_client(max_output_chars=1_500) as (client, sandbox):  # about 10 rows
        database_id, ids = await make_inventory(client)
        sandbox.reset_counters()
        arguments: dict[str, Any] = {
            "operation": "query", "database_id": database_id, "max_results": ROWS, "page_size": 4,
            "sorts": [{"property": "Count", "direction": "ascending"}],
        }  # fmt: skip
        seen: list[str] = []
        answers = 0
        while True:
            answers += 1
            text = await call(client, "notion_databases", **arguments)
            assert "output cut" not in text and len(text) <= 1_500 + 200, text
            seen += row_ids(text)
            if (cursor := next_cursor(text)) is None:
                break
            arguments["start_cursor"] = cursor
        queries = sandbox.counters["POST /v1/data_sources/{id}/query"]
    assert seen == [ids[n] for n in range(1, ROWS + 1)]
    assert answers > 1  # the budget ended answers early, at whole pages
    assert queries == -(-ROWS // 4)  # every page read once: an answer stops before a page that would not fit


async def test_an_empty_query_says_so_rather_than_drawing_an_empty_table() -> None:
    async with sandbox_client() as (client, _):
        text = await call(
            client, "notion_databases", operation="query", database_id=SEED.tasks_database_id,
            filter={"property": "Estimate", "number": {"greater_than": 10_000}},
        )  # fmt: skip
    assert "No rows." in text and "|---" not in text


async def test_a_data_source_id_given_as_database_id_is_taken_as_that_data_source() -> None:
    source = SEED.tasks_data_source_id
    async with sandbox_client() as (client, _):
        found = await call(client, "notion_search", query="Tasks", filter="database")
        queried = await call(client, "notion_databases", operation="query", database_id=source, page_size=3)
        shown = await call(client, "notion_databases", operation="retrieve", database_id=source)
        made = await call(
            client, "notion_pages", operation="create", parent={"database_id": source}, title="Via the source"
        )
        missing = await client.call_tool(
            "notion_databases", {"operation": "query", "database_id": "0123456789ab4def8123456789abcdef"}
        )
    database = SEED.tasks_database_id.replace("-", "")
    assert f"(id: {source.replace('-', '')}, database: {database}," in found
    assert queried.startswith(f"3 rows from data source {source.replace('-', '')}")
    assert shown.startswith("# Tasks") and "Status (status)" in shown
    assert created_id(made)
    assert missing.is_error and "object_not_found" in text_of(missing)


async def test_a_database_schema_in_the_short_forms_a_model_writes_is_understood() -> None:
    schema = {
        "Task": {"type": "title"},
        "Points": "number",
        "Due": {"type": "date"},
        "Done": {"checkbox": {}},
    }
    async with sandbox_client() as (client, _):
        created = await call(
            client, "notion_databases", operation="create", parent={"page_id": SEED.notes_page_id},
            title="Short forms", properties=schema,
        )  # fmt: skip
        shown = await call(client, "notion_databases", operation="retrieve", database_id=created_id(created))
    for line in ("- Task (title)", "- Points (number)", "- Due (date)", "- Done (checkbox)"):
        assert line in shown, shown
    assert "- Name (title)" not in shown  # the given title is the title


async def test_a_database_id_given_as_data_source_id_and_schema_short_forms_in_an_update_work() -> None:
    async with sandbox_client() as (client, sandbox):
        queried = await call(
            client, "notion_databases", operation="query", data_source_id=SEED.tasks_database_id, page_size=2
        )
        changes = {"Size": "number", "Kind": {"type": "select"}, "Notes": {"name": "Remarks"}}
        await call(
            client,
            "notion_databases",
            operation="update",
            database_id=SEED.tasks_database_id,
            properties=changes,
        )
        shown = await call(
            client, "notion_databases", operation="retrieve", database_id=SEED.tasks_database_id
        )
        conflicting = await client.call_tool(
            "notion_pages",
            {"operation": "update", "page_id": SEED.task_id(1), "in_trash": True, "archived": False},
        )
    assert queried.startswith(f"2 rows from data source {SEED.tasks_data_source_id.replace('-', '')}")
    assert "- Size (number)" in shown and "- Kind (select)" in shown and "- Remarks (rich_text)" in shown
    assert conflicting.is_error and "in_trash and archived (its old name) disagree" in text_of(conflicting)
    assert sandbox.counters["PATCH /v1/pages/{id}"] == 0


async def test_query_wording_and_a_sort_direction_written_short() -> None:
    async with sandbox_client() as (client, _):
        one = await call(client, "notion_databases", operation="query", database_id=SEED.tasks_database_id,
                         page_size=1, sorts=[{"property": "Estimate", "direction": "DESC"}])  # fmt: skip
        refused = await client.call_tool(
            "notion_pages",
            {"operation": "update", "page_id": SEED.task_id(1), "properties": {"Tags": ["brand-new"]}},
        )
    assert one.startswith("1 row from data source")
    assert "|\n\nmore: call again" in one  # one blank line before the hint
    assert '[{"name": "brand-new"}]' in text_of(refused) and "Notion creates it" in text_of(refused)


async def test_max_results_collects_rows_across_notions_pages() -> None:
    async with sandbox_client() as (client, sandbox):
        created = await call(
            client,
            "notion_databases",
            operation="create",
            parent={"page_id": SEED.notes_page_id},
            title="Big",
            properties={"Item": {"title": {}}, "Count": {"number": {}}},
        )
        source_id = re.search(r"data source ([0-9a-f]{32})", created)
        assert source_id, created
        await _bulk_rows(sandbox, source_id.group(1), 130)
        sandbox.reset_counters()
        most = await call(
            client, "notion_databases", operation="query", data_source_id=source_id.group(1), max_results=120
        )
        queries = sandbox.counters["POST /v1/data_sources/{id}/query"]
        everything = await call(
            client, "notion_databases", operation="query", data_source_id=source_id.group(1), max_results=500
        )

    assert len(set(row_ids(most))) == 120 and most.startswith("120 rows")
    assert queries == 2
    assert next_cursor(most) is not None
    assert len(set(row_ids(everything))) == 130
    assert next_cursor(everything) is None


async def _bulk_rows(sandbox: Sandbox, source_id: str, count: int) -> None:
    """Rows written straight to the sandbox (set-up, not the feature under test)."""
    headers = {"Authorization": "Bearer ntn_test", "Notion-Version": "2026-03-11"}
    async with httpx.AsyncClient(
        transport=sandbox.transport(), base_url=Sandbox.base_url, headers=headers
    ) as http:
        for n in range(count):
            body = {
                "parent": {"data_source_id": source_id},
                "properties": {
                    "Item": {"title": [{"text": {"content": f"Bulk {n}"}}]},
                    "Count": {"number": n},
                },
            }
            response = await http.post("/v1/pages", json=body)
            assert response.status_code == 200, response.text


# -- search, users, comments ----------------------------------------------------------------------
async def test_search_finds_a_seeded_page_by_its_title() -> None:
    async with sandbox_client() as (client, _):
        text = await call(client, "notion_search", query="Getting started")

    assert "Getting started" in text
    assert SEED.getting_started_page_id.replace("-", "") in text
    assert "Welcome to the sandbox" not in text


async def test_users_list_finds_a_seeded_person_by_email() -> None:
    async with sandbox_client() as (client, _):
        found = await call(client, "notion_users", operation="list", email="Grace@Example.com")
        missing = await call(client, "notion_users", operation="list", email="nobody@example.com")

    assert "Grace Hopper" in found and SEED.grace_user_id.replace("-", "") in found
    assert "Ada Lovelace" not in found
    assert "No user with email" in missing


async def test_a_comment_posted_on_a_seeded_page_is_listed_with_the_others() -> None:
    async with sandbox_client() as (client, _):
        posted = await call(
            client,
            "notion_comments",
            operation="create",
            parent={"page_id": SEED.notes_page_id},
            markdown="Looks **good** to me.",
        )
        listed = await call(client, "notion_comments", operation="retrieve", block_id=SEED.notes_page_id)
        welcome = await call(client, "notion_comments", operation="retrieve", block_id=SEED.welcome_page_id)

    comment_id = re.search(r"Posted comment ([0-9a-f]{32})", posted)
    assert comment_id, posted
    assert "Looks **good** to me." in listed
    assert comment_id.group(1).replace("-", "") in listed
    assert "Is this page up to date?" in welcome and "Looks **good**" not in welcome


async def test_a_reply_by_discussion_link_and_a_comment_of_two_paragraphs_are_posted_as_written() -> None:
    async with sandbox_client() as (client, sandbox):
        listed = await call(client, "notion_comments", operation="retrieve", block_id=SEED.welcome_page_id)
        discussion = re.search(r"## Discussion ([0-9a-f]{32})", listed)
        assert discussion, listed
        link = (
            f"https://www.notion.so/Welcome-{SEED.welcome_page_id.replace('-', '')}?d={discussion.group(1)}"
        )
        await call(client, "notion_comments", operation="create", discussion_id=link,
                   markdown="First **point**.\n\nSecond point.")  # fmt: skip
        refused = await client.call_tool(
            "notion_comments",
            {
                "operation": "create",
                "parent": {"page_id": SEED.welcome_page_id},
                "markdown": "# Title\n\n- a",
            },
        )
        posts = sandbox.counters["POST /v1/comments"]
        after = await call(client, "notion_comments", operation="retrieve", block_id=SEED.welcome_page_id)
    thread = after.split(f"## Discussion {discussion.group(1)}", 1)[1].split("## Discussion", 1)[0]
    assert "First **point**.<br><br>Second point." in thread  # the reply is in that thread
    assert (
        refused.is_error and "a comment is text" in text_of(refused) and "not a heading_1" in text_of(refused)
    )
    assert posts == 1


# -- errors ---------------------------------------------------------------------------------------
async def test_an_unknown_page_is_a_tool_error_that_explains_sharing_with_the_integration() -> None:
    async with sandbox_client() as (client, _):
        result = await client.call_tool(
            "notion_pages", {"operation": "retrieve", "page_id": "1a2b3c4d-0000-4000-8000-00000000abcd"}
        )

    text = text_of(result)
    assert result.is_error, text
    assert "404" in text and "object_not_found" in text
    assert "shared with the integration" in text and "Connections" in text
    assert "request_id" in text


async def test_a_malformed_id_is_refused_before_any_request_is_made() -> None:
    async with sandbox_client() as (client, sandbox):
        sandbox.reset_counters()
        results = [
            await client.call_tool("notion_pages", {"operation": "retrieve", "page_id": "not-a-page"}),
            await client.call_tool(
                "notion_blocks", {"operation": "append", "parent_block_id": "1234", "markdown": "x"}
            ),
            await client.call_tool(
                "notion_pages",
                {"operation": "create", "parent": {"page_id": "https://example.com/x"}, "title": "T"},
            ),
        ]

    for result in results:
        assert result.is_error, text_of(result)
        assert "is not a Notion ID (32 hex digits" in text_of(result), text_of(result)
    assert sandbox.total_requests == 0, sandbox.counters


CREATE_UNDER_PAGE = {"operation": "create", "parent": {"page_id": SEED.welcome_page_id}, "title": "Once only"}
CREATE_ROW = {"operation": "create", "parent": {"database_id": SEED.tasks_database_id}, "title": "Once only"}


@pytest.mark.parametrize("arguments", [CREATE_UNDER_PAGE, CREATE_ROW], ids=["under a page", "a row"])
@pytest.mark.parametrize(("fault", "when", "posts"), [
    ("drop", "after", 1), ("500", "after", 1), ("504", "after", 1),  # made, answer lost: found
    ("drop", "before", 2), ("503", "before", 2),  # not made: looked for, not found, sent again
])  # fmt: skip
async def test_a_create_that_fails_on_its_way_makes_the_page_exactly_once(
    arguments: dict[str, Any], fault: str, when: str, posts: int
) -> None:
    async with sandbox_client() as (client, sandbox):
        sandbox.faults.add("POST", "/v1/pages", fault, when=when)
        created = await call(client, "notion_pages", **arguments, markdown="Body text.")
        found = await call(client, "notion_search", query="Once only")
        read = await call(client, "notion_pages", operation="retrieve", page_id=created_id(created))
    assert found.count("page: Once only") == 1, found
    assert sandbox.counters["POST /v1/pages"] == posts
    assert read.rstrip().endswith("Body text.")
    assert ("the page was found by its title" in created) == (when == "after"), created


@pytest.mark.parametrize(
    "setup",
    ["workspace", "twin", "never"],
    ids=["a workspace page (no listing to look in)", "a same-titled page made just before", "failing on"],
)
async def test_a_create_whose_outcome_cannot_be_told_says_to_look_before_repeating(setup: str) -> None:
    arguments = dict(CREATE_UNDER_PAGE)
    async with sandbox_client() as (client, sandbox):
        if setup == "workspace":
            arguments["parent"] = {"workspace": True}
        if setup == "twin":
            await call(client, "notion_pages", **CREATE_UNDER_PAGE)
        sandbox.reset_counters()
        if setup == "never":
            sandbox.faults.add("POST", "/v1/pages", "500", when="before", count=100)
        else:
            sandbox.faults.add("POST", "/v1/pages", "drop", when="after")
        failed = await client.call_tool("notion_pages", arguments)
        found = await call(client, "notion_search", query="Once only")
    assert failed.is_error
    assert "may have happened: look first" in text_of(failed)
    assert "call again." not in text_of(failed)
    expected = {"workspace": (1, 1), "twin": (1, 2), "never": (3, 0)}[setup]
    assert (sandbox.counters["POST /v1/pages"], found.count("page: Once only")) == expected, found


async def test_a_read_that_keeps_failing_says_to_call_again() -> None:
    async with sandbox_client(max_retries=1) as (client, sandbox):
        sandbox.faults.add("GET", "/v1/users", "drop", count=100)
        failed = await client.call_tool("notion_users", {"operation": "list"})
    assert failed.is_error
    assert "may have happened" not in text_of(failed)
    assert "call again" in text_of(failed)


def _resume_of(error_text: str) -> dict[str, Any]:
    """The arguments of the `resume: notion_blocks {…}` call a partial append's error ends with."""
    assert "resume: notion_blocks " in error_text, error_text
    return dict(json.loads(error_text.split("resume: notion_blocks ", 1)[1]))


async def test_the_resume_call_of_a_partial_append_is_a_valid_call_that_finishes_the_job() -> None:
    paragraphs = "\n\n".join(f"p{i}" for i in range(250))
    async with sandbox_client(max_retries=1) as (client, sandbox):
        page_id = created_id(
            await call(client, "notion_pages", operation="create", parent={"workspace": True}, title="Long")
        )
        sandbox.faults.add("PATCH", "/v1/blocks/{id}/children", "500", after=1, count=50)
        arguments = {
            "operation": "append",
            "parent_block_id": page_id,
            "markdown": paragraphs,
            "block_ids": True,
        }
        failed = await client.call_tool("notion_blocks", arguments)
        sandbox.faults.clear()
        resume = _resume_of(text_of(failed))
        assert "position" not in resume or resume["position"] in ("start", "end")
        finished = await client.call_tool("notion_blocks", resume)
        read = await call(client, "notion_pages", operation="retrieve", page_id=page_id, max_blocks=1000)
    assert failed.is_error
    assert not finished.is_error, text_of(finished)
    assert markdown_to_blocks(body_from(read, "p0")) == markdown_to_blocks(paragraphs)


async def test_content_beyond_the_creates_part_that_fails_says_what_exists_and_how_to_finish() -> None:
    paragraphs = "\n\n".join(f"p{n}" for n in range(130))  # 100 ride in the create, 30 are appended
    # (with the markdown endpoints, all 130 ride in one create: tests/tools/test_markdown_create.py)
    async with sandbox_client(max_retries=1, notion_version="2025-09-03") as (client, sandbox):
        sandbox.faults.add("PATCH", "/v1/blocks/{id}/children", "500", count=50)
        failed = await client.call_tool("notion_pages", {**CREATE_UNDER_PAGE, "markdown": paragraphs})
        sandbox.faults.clear()
        assert failed.is_error
        assert "with its first 100 blocks, but not the rest" in text_of(failed)
        finished = await client.call_tool("notion_blocks", _resume_of(text_of(failed)))
        page_id = re.search(r"Created page ([0-9a-f]{32})", text_of(failed)).group(1)  # type: ignore[union-attr]
        read = await call(client, "notion_pages", operation="retrieve", page_id=page_id)
    assert not finished.is_error, text_of(finished)
    assert markdown_to_blocks(body_from(read, "p0")) == markdown_to_blocks(paragraphs)


async def test_a_page_whose_content_fails_says_it_exists_and_how_to_finish() -> None:
    async with sandbox_client(max_retries=1) as (client, sandbox):
        sandbox.faults.add("PATCH", "/v1/blocks/{id}/children", "500", count=50)
        arguments = {**CREATE_UNDER_PAGE, "markdown": "Body text.", "format": "json"}  # JSON: appended
        failed = await client.call_tool("notion_pages", arguments)
        sandbox.faults.clear()
        made = re.search(r"Created page ([0-9a-f]{32})", text_of(failed))
        assert made, text_of(failed)
        page_id = made.group(1)
        await call(
            client, "notion_blocks", operation="append", parent_block_id=page_id, markdown="Body text."
        )
        found = await call(client, "notion_search", query="Once only")
        read = await call(client, "notion_pages", operation="retrieve", page_id=page_id)
    assert failed.is_error
    assert "none of its content was written. Do not create the page again" in text_of(failed)
    assert f"notion_blocks append parent_block_id={page_id} and the same markdown" in text_of(failed)
    assert "Next step" not in text_of(failed)
    assert found.count("page: Once only") == 1
    assert read.rstrip().endswith("Body text.")
