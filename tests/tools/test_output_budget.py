"""The response budget holds for every answer, notes included, and a cut always says so — at the
smallest budget allowed (2,000 characters), over the seeded sandbox."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sandbox_client import sandbox_client, text_of

from notion_mcp.sandbox import SEED

BUDGET = 2_000
SOURCE = SEED.tasks_data_source_id
CALLS: list[tuple[str, dict[str, Any]]] = [
    ("notion_databases", {"operation": "query", "data_source_id": SOURCE}),
    ("notion_databases", {"operation": "query", "data_source_id": SOURCE, "page_size": 100}),
    ("notion_databases", {"operation": "query", "data_source_id": SOURCE, "max_results": 30}),
    ("notion_databases", {"operation": "query", "data_source_id": SOURCE, "format": "json"}),
    ("notion_databases", {"operation": "retrieve", "database_id": SEED.tasks_database_id, "format": "json"}),
    ("notion_search", {"operation": "search"}),
    ("notion_search", {"operation": "search", "format": "json"}),
    ("notion_pages", {"operation": "retrieve", "page_id": SEED.welcome_page_id}),
    ("notion_pages", {"operation": "retrieve", "page_id": SEED.welcome_page_id, "format": "json"}),
    ("notion_pages", {"operation": "retrieve", "page_id": SEED.welcome_page_id, "block_ids": True}),
    ("notion_users", {"operation": "list", "format": "json"}),
]


@pytest.mark.anyio
async def test_every_answer_fits_the_smallest_budget_and_a_cut_says_so() -> None:
    async with sandbox_client(max_output_chars=BUDGET) as (client, _):
        for tool, arguments in CALLS:
            result = await client.call_tool(tool, arguments)
            text = text_of(result)
            assert not result.is_error, (tool, arguments, text)
            assert len(text) <= BUDGET, (tool, arguments, len(text), text[-300:])
            if arguments.get("format") == "json":
                json.loads(text)  # still valid JSON


@pytest.mark.anyio
async def test_a_query_cut_at_a_row_offers_the_exact_page_size_and_no_dangling_cursor() -> None:
    async with sandbox_client(max_output_chars=BUDGET) as (client, _):
        text = text_of(
            await client.call_tool("notion_databases", {"operation": "query", "data_source_id": SOURCE})
        )
    rows = [line for line in text.splitlines() if line.startswith("| ") and "| Name |" not in line]
    assert f"[output cut at {len(rows)} of 30 rows" in text and f"page_size={len(rows)}" in text
    assert "more results exist" not in text and "start_cursor=" not in text
