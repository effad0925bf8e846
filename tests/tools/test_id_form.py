"""IDs in results come in one form: the undashed 32-hex one that markers, URLs and every listing
use — in writes' answers, headers, listings and error text alike. Only cursors stay exactly as
Notion gave them (they are passed back verbatim), and format=json is Notion's own objects."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sandbox_client import sandbox_client, text_of

from notion_mcp.sandbox import SEED

DASHED = re.compile(r"(?<!start_cursor=)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")
CREATED = re.compile(r"Created page ([0-9a-f]{32})")


async def answers(client: Any) -> list[str]:
    """The text of one call of most operations, successes and refusals, as a model reads them."""
    calls: list[tuple[str, dict[str, Any]]] = [
        ("notion_search", {"operation": "search"}),
        ("notion_pages", {"operation": "retrieve", "page_id": SEED.welcome_page_id, "block_ids": True}),
        ("notion_pages", {"operation": "update", "page_id": SEED.notes_page_id, "icon": "📝"}),
        ("notion_blocks", {"operation": "retrieve", "block_id": SEED.toggle_block_id}),
        (
            "notion_blocks",
            {"operation": "append", "parent_block_id": SEED.notes_page_id, "markdown": "a\n\nb"},
        ),
        ("notion_databases", {"operation": "retrieve", "database_id": SEED.tasks_database_id}),
        (
            "notion_databases",
            {"operation": "query", "data_source_id": SEED.tasks_data_source_id, "page_size": 2},
        ),
        (
            "notion_databases",
            {"operation": "create", "parent": {"page_id": SEED.notes_page_id}, "title": "D"},
        ),
        (
            "notion_comments",
            {"operation": "create", "parent": {"page_id": SEED.notes_page_id}, "markdown": "c"},
        ),
        ("notion_comments", {"operation": "retrieve", "block_id": SEED.welcome_page_id}),
        ("notion_comments", {"operation": "retrieve", "block_id": SEED.notes_page_id}),
        ("notion_users", {"operation": "list"}),
        ("notion_users", {"operation": "retrieve_bot"}),
        (
            "notion_blocks",
            {"operation": "update", "block_id": SEED.toggle_block_id, "markdown": "# Not a toggle"},
        ),
    ]
    texts = [text_of(await client.call_tool(tool, arguments)) for tool, arguments in calls]
    created = text_of(
        await client.call_tool(
            "notion_pages",
            {"operation": "create", "parent": {"page_id": SEED.notes_page_id}, "title": "P", "markdown": "x"},
        )
    )
    texts.append(created)
    found = CREATED.search(created)
    assert found, created
    texts.append(
        text_of(await client.call_tool("notion_blocks", {"operation": "delete", "block_id": found[1]}))
    )
    return texts


@pytest.mark.anyio
async def test_every_answer_shows_ids_undashed() -> None:
    async with sandbox_client() as (client, _):
        texts = await answers(client)
    offenders = [(text[:80], DASHED.findall(text)) for text in texts if DASHED.search(text)]
    assert offenders == []
