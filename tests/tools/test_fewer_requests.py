"""Writes that do not read first, counted through mcp.Client against the sandbox: a kept schema
per data source (and each way it is dropped), rows known from a query, content in the create."""

from __future__ import annotations

import json

import httpx
import pytest
from mcp import Client
from sandbox_client import call, sandbox_client, text_of

from notion_mcp.notion.schema_cache import SchemaCache
from notion_mcp.sandbox import SEED, Sandbox

pytestmark = pytest.mark.anyio
SOURCE = "GET /v1/data_sources/{id}"
PAGE = "GET /v1/pages/{id}"


async def query_open_tasks(client: object) -> None:
    await call(client, "notion_databases", operation="query", data_source_id=SEED.tasks_data_source_id)  # type: ignore[arg-type]


async def counted_update(
    client: Client, sandbox: Sandbox, page_id: str, properties: dict[str, str]
) -> dict[str, int]:
    """The requests one notion_pages update of `properties` sent."""
    sandbox.reset_counters()
    await call(client, "notion_pages", operation="update", page_id=page_id, properties=properties)
    return dict(sandbox.counters)


async def test_rows_a_query_listed_are_updated_without_reading_them_and_the_schema_is_read_once() -> None:
    async with sandbox_client() as (client, sandbox):
        await query_open_tasks(client)
        first = await counted_update(client, sandbox, SEED.task_id(1), {"Status": "Done"})
        second = await counted_update(client, sandbox, SEED.task_id(3), {"Due": "2026-12-24"})
    assert first == {SOURCE: 1, "PATCH /v1/pages/{id}": 1}
    assert second == {"PATCH /v1/pages/{id}": 1}


async def test_a_page_not_seen_before_is_read_once_then_known() -> None:
    async with sandbox_client() as (client, sandbox):
        first = await counted_update(client, sandbox, SEED.task_id(2), {"Status": "Done"})
        second = await counted_update(client, sandbox, SEED.task_id(2), {"Status": "Not started"})
    assert first == {PAGE: 1, SOURCE: 1, "PATCH /v1/pages/{id}": 1}
    assert second == {"PATCH /v1/pages/{id}": 1}


async def test_rows_created_in_a_database_read_its_data_sources_and_schema_once() -> None:
    async with sandbox_client() as (client, sandbox):
        for n in range(3):
            parent = {"database_id": SEED.tasks_database_id}
            properties = {"Status": "Done", "Tags": ["docs"]}
            await call(
                client,
                "notion_pages",
                operation="create",
                parent=parent,
                title=f"Row {n}",
                properties=properties,
            )
    assert sandbox.counters["GET /v1/databases/{id}"] == 1
    assert sandbox.counters[SOURCE] == 1
    assert sandbox.counters["POST /v1/pages"] == 3


async def test_our_own_schema_edit_drops_the_kept_schema() -> None:
    async with sandbox_client() as (client, sandbox):
        create = {"operation": "create", "parent": {"data_source_id": SEED.tasks_data_source_id}}
        await call(client, "notion_pages", **create, title="Before")
        await call(client, "notion_databases", operation="update", data_source_id=SEED.tasks_data_source_id,
                   properties={"Effort": "number"})  # fmt: skip
        sandbox.reset_counters()
        await call(client, "notion_pages", **create, title="After", properties={"Effort": 3})
    assert sandbox.counters[SOURCE] == 0  # the edit's answer is the new schema: kept in the old one's place


async def test_a_schema_edit_whose_answer_is_lost_drops_the_kept_schema() -> None:
    async with sandbox_client(max_retries=0) as (client, sandbox):
        create = {"operation": "create", "parent": {"data_source_id": SEED.tasks_data_source_id}}
        await call(client, "notion_pages", **create, title="Before")
        sandbox.faults.add("PATCH", "/v1/data_sources/{id}", "500")
        edit = {
            "operation": "update",
            "data_source_id": SEED.tasks_data_source_id,
            "properties": {"Effort": "number"},
        }
        failed = await client.call_tool("notion_databases", edit)
        sandbox.reset_counters()
        await call(client, "notion_pages", **create, title="After")
    assert failed.is_error
    assert sandbox.counters[SOURCE] == 1  # read again: the edit may have landed


async def rename_behind_our_back(sandbox: Sandbox, old: str, new: str) -> None:
    headers = {"Authorization": "Bearer ntn_other", "Notion-Version": "2026-03-11"}
    async with httpx.AsyncClient(transport=sandbox.transport(), base_url=Sandbox.base_url) as http:
        answer = await http.patch(
            f"/v1/data_sources/{SEED.tasks_data_source_id}",
            json={"properties": {old: {"name": new}}},
            headers=headers,
        )
        assert answer.status_code == 200, answer.text


async def test_a_validation_error_naming_a_property_drops_the_kept_schema_and_resolves_again() -> None:
    async with sandbox_client() as (client, sandbox):
        await query_open_tasks(client)
        await call(
            client,
            "notion_pages",
            operation="update",
            page_id=SEED.task_id(1),
            properties={"Priority": "Low"},
        )
        await rename_behind_our_back(sandbox, "Priority", "Urgency")
        sandbox.reset_counters()
        stale = await client.call_tool(
            "notion_pages",
            {"operation": "update", "page_id": SEED.task_id(1), "properties": {"Priority": "High"}},
        )
        counted = dict(sandbox.counters)
        fresh = await call(client, "notion_pages", operation="update", page_id=SEED.task_id(1),
                           properties={"Urgency": "High"})  # fmt: skip
    assert stale.is_error
    assert "no property 'Priority'" in text_of(stale) and "'Urgency'" in text_of(
        stale
    )  # from the fresh schema
    assert counted == {"PATCH /v1/pages/{id}": 1, PAGE: 1, SOURCE: 1}  # refused, then read afresh
    assert "Urgency: High" in fresh


def test_a_kept_schema_is_dropped_by_age() -> None:
    now = [0.0]
    cache = SchemaCache(max_age=300, clock=lambda: now[0])
    cache.learn_source({"object": "data_source", "id": "s", "properties": {"Name": {"type": "title"}}})
    cache.learn_page(
        {"object": "page", "id": "p", "parent": {"type": "data_source_id", "data_source_id": "s"}}
    )
    now[0] = 299
    assert cache.schema("s") is not None and cache.page_source("p") == "s"
    now[0] = 301
    assert cache.schema("s") is None and cache.page_source("p") is None


async def test_a_page_is_created_with_its_content_in_one_request() -> None:
    async with sandbox_client() as (client, sandbox):
        markdown = (
            "# Plan\n\n- [ ] one\n- [ ] two\n\n<details>\n<summary>More</summary>\n\nHidden\n\n</details>"
        )
        parent = {"page_id": SEED.notes_page_id}
        made = await call(
            client, "notion_pages", operation="create", parent=parent, title="Notes", markdown=markdown
        )
        counted = dict(sandbox.counters)
        page_id = made.split()[2]
        read = await call(client, "notion_pages", operation="retrieve", page_id=page_id)
    assert counted == {"POST /v1/pages": 1}
    assert "- [ ] two" in read and "Hidden" in read


async def test_comment_authors_are_named_from_one_listing_of_users() -> None:
    async with sandbox_client() as (client, sandbox):
        text = await call(client, "notion_comments", operation="retrieve", block_id=SEED.welcome_page_id)
    assert "Ada" in text and "Grace" in text
    assert sandbox.counters["GET /v1/users"] == 1
    assert sandbox.counters["GET /v1/users/{id}"] == 0


async def test_json_answers_still_get_the_new_blocks_ids() -> None:
    async with sandbox_client() as (client, sandbox):
        made = json.loads(
            await call(
                client,
                "notion_pages",
                operation="create",
                parent={"page_id": SEED.notes_page_id},
                title="Notes",
                markdown="One\n\nTwo",
                format="json",
            )
        )
    assert len(made["content_block_ids"]) == 2
    assert sandbox.counters["PATCH /v1/blocks/{id}/children"] == 1
