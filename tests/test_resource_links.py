"""Reads carry resource links (`resource_link` content after the text) to the pages and
databases they show; the text the model reads is unchanged; writes carry none; the links stay
within the answer budget. Through mcp.Client on the seeded sandbox."""

from __future__ import annotations

from typing import Any

import pytest
from sandbox_client import sandbox_client, text_of

from notion_mcp.sandbox import SEED
from notion_mcp.server import _reads
from notion_mcp.tools import blocks, pages, search
from notion_mcp.tools.links import MAX_LINKS

pytestmark = pytest.mark.anyio


def links_of(result: Any) -> list[tuple[str, str]]:
    return [(c.uri, c.name) for c in result.content if c.type == "resource_link"]


async def test_a_page_read_links_its_child_database_and_the_link_reads_as_a_resource() -> None:
    async with sandbox_client() as (client, _):
        result = await client.call_tool(
            "notion_pages", {"operation": "retrieve", "page_id": SEED.notes_page_id}
        )
        resource = await client.read_resource(f"notion://page/{SEED.notes_page_id}")
        assert links_of(result) == [(f"notion://database/{SEED.tasks_database_id.replace('-', '')}", "Tasks")]
        assert result.content[0].type == "text" and len(result.content) == 2
        # the text is what the model read before: the same as the page's resource
        assert text_of(result) == "\n".join(c.text for c in resource.contents)  # type: ignore[union-attr]
        linked = await client.read_resource(links_of(result)[0][0])
        assert "## Rows" in "\n".join(c.text for c in linked.contents)  # type: ignore[union-attr]
        welcome = await client.call_tool(
            "notion_pages", {"operation": "retrieve", "page_id": SEED.welcome_page_id}
        )
        assert links_of(welcome) == [
            (f"notion://page/{SEED.getting_started_page_id.replace('-', '')}", "Getting started")
        ]


async def test_search_hits_and_query_rows_are_linked_in_order_at_most_max_links() -> None:
    async with sandbox_client() as (client, _):
        found = await client.call_tool("notion_search", {"query": "Tasks", "filter": "database"})
        assert (f"notion://database/{SEED.tasks_database_id.replace('-', '')}", "Tasks") in links_of(found)
        everything = await client.call_tool("notion_search", {"query": ""})
        assert len(links_of(everything)) == MAX_LINKS
        assert links_of(everything)[0] == (
            f"notion://page/{SEED.welcome_page_id.replace('-', '')}",
            "Welcome to the sandbox",
        )
        rows = await client.call_tool(
            "notion_databases", {"operation": "query", "database_id": SEED.tasks_database_id, "page_size": 3}
        )
        names = [name for _, name in links_of(rows)]
        assert len(names) == 3 and all(name in text_of(rows) for name in names)


def test_only_reads_carry_links() -> None:
    """A write's answer (made IDs, counts) names no page to attach; only reads are looked at."""
    assert _reads(search.SPEC, {}) and _reads(pages.SPEC, {"operation": " Retrieve"})
    assert not _reads(pages.SPEC, {"operation": "create"}) and not _reads(pages.SPEC, {"operation": 3})
    assert not _reads(blocks.SPEC, {"operation": "append"})


async def test_links_are_left_out_when_they_would_take_the_answer_over_the_budget() -> None:
    async with sandbox_client(max_output_chars=3_000) as (client, _):
        result = await client.call_tool("notion_search", {"query": ""})
    text = text_of(result)
    spent = len(text) + sum(len(uri) + len(name) + 60 for uri, name in links_of(result))
    assert len(links_of(result)) < MAX_LINKS and spent <= 3_000
