"""Resources through mcp.Client on the seeded sandbox: templates, a paged resources/list, a page
as markdown, a database as schema + rows within the budget, the usage resource, and errors."""

from __future__ import annotations

import pytest
from mcp.shared.exceptions import MCPError
from sandbox_client import sandbox_client

from notion_mcp.sandbox import SEED

pytestmark = pytest.mark.anyio


def text(result: object) -> str:
    return "\n".join(c.text for c in result.contents)  # type: ignore[attr-defined]


async def test_templates_are_advertised_for_pages_and_databases() -> None:
    async with sandbox_client() as (client, _):
        templates = (await client.list_resource_templates()).resource_templates
    assert {t.uri_template for t in templates} == {"notion://page/{id}", "notion://database/{id}"}
    assert all(t.mime_type == "text/markdown" for t in templates)


async def test_a_page_reads_as_its_markdown() -> None:
    async with sandbox_client() as (client, _):
        result = await client.read_resource(f"notion://page/{SEED.welcome_page_id}")
    body = text(result)
    assert body.startswith("# Welcome to the sandbox")
    assert result.contents[0].mime_type == "text/markdown"  # type: ignore[union-attr]


async def test_a_database_reads_as_schema_then_rows_cut_to_the_budget_with_how_to_get_the_rest() -> None:
    async with sandbox_client(max_output_chars=2_500) as (client, _):
        body = text(await client.read_resource(f"notion://database/{SEED.tasks_database_id}"))
    assert "## Rows" in body
    schema, rows = body.split("## Rows", 1)
    assert "Status" in schema
    assert rows.count("\n| ") >= 2  # a table with some rows
    assert f"notion_databases query with database_id={SEED.tasks_database_id.replace('-', '')}" in body
    assert len(body) < 2_500 + 400


async def test_a_whole_database_fits_in_the_default_budget_and_says_nothing_more() -> None:
    async with sandbox_client() as (client, _):
        body = text(await client.read_resource(f"notion://database/{SEED.tasks_database_id}"))
    assert "30 rows" in body and "The rest of the rows" not in body


async def test_an_unknown_page_is_an_error_that_says_what_notion_said() -> None:
    async with sandbox_client() as (client, _):
        with pytest.raises(MCPError) as caught:
            await client.read_resource("notion://page/00000000000040008000000000000000")
    assert "object_not_found" in str(caught.value)


async def test_resources_list_pages_through_everything_visible_with_cursors(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from notion_mcp import resources

    monkeypatch.setattr(resources, "LIST_PAGE_SIZE", 10)
    pages = 1
    async with sandbox_client() as (client, _):
        first = await client.list_resources()
        uris = [str(r.uri) for r in first.resources]
        cursor = first.next_cursor
        while cursor:
            more = await client.list_resources(cursor=cursor)
            pages += 1
            uris += [str(r.uri) for r in more.resources]
            cursor = more.next_cursor
        with pytest.raises(MCPError) as caught:
            await client.list_resources(cursor="null")
    assert uris[0] == "notion://server/usage"
    assert pages >= 3
    assert f"notion://page/{SEED.welcome_page_id.replace('-', '')}" in uris  # IDs as results show them
    assert f"notion://database/{SEED.tasks_database_id.replace('-', '')}" in uris
    assert len(uris) == len(set(uris))
    assert "start_cursor" in str(caught.value)


async def test_usage_counts_the_requests_made_so_far() -> None:
    async with sandbox_client() as (client, sandbox):
        await client.read_resource(f"notion://page/{SEED.welcome_page_id}")
        body = text(await client.read_resource("notion://server/usage"))
    assert f"{sandbox.total_requests} requests" in body
    assert "| GET pages/{id} | 1 |" in body
    assert "| GET blocks/{id}/children |" in body
