"""notion_databases update: database_id changes the container, data_source_id that source alone."""

from __future__ import annotations

import json

import pytest
from sandbox_client import sandbox_client

from notion_mcp.sandbox import SEED


@pytest.mark.anyio
async def test_title_by_data_source_id_renames_the_data_source_not_the_database() -> None:
    async with sandbox_client() as (client, sandbox):
        result = await client.call_tool(
            "notion_databases",
            {"operation": "update", "data_source_id": SEED.tasks_data_source_id, "title": "Sprint tasks"},
        )
        assert not result.is_error, result.content[0].text
        after = await client.call_tool(
            "notion_databases",
            {"operation": "retrieve", "database_id": SEED.tasks_database_id, "format": "json"},
        )
    data = json.loads(after.content[0].text)
    assert sandbox.counters["PATCH /v1/databases/{id}"] == 0
    assert data["data_sources"][0]["title"][0]["plain_text"] == "Sprint tasks"
    assert data["database"]["title"][0]["plain_text"] != "Sprint tasks"


@pytest.mark.anyio
async def test_a_description_needs_the_database_id() -> None:
    async with sandbox_client() as (client, sandbox):
        result = await client.call_tool(
            "notion_databases",
            {"operation": "update", "data_source_id": SEED.tasks_data_source_id, "description": "x"},
        )
    assert result.is_error and "give database_id" in result.content[0].text
    assert sandbox.total_requests == 0


@pytest.mark.anyio
async def test_schema_changes_by_database_id_go_to_its_data_source() -> None:
    async with sandbox_client() as (client, sandbox):
        result = await client.call_tool(
            "notion_databases",
            {
                "operation": "update",
                "database_id": SEED.tasks_database_id,
                "properties": {"Effort": {"number": {}}},
            },
        )
        assert not result.is_error, result.content[0].text
        schema = await client.call_tool(
            "notion_databases", {"operation": "retrieve", "data_source_id": SEED.tasks_data_source_id}
        )
    assert "- Effort (number)" in schema.content[0].text
    assert sandbox.counters["PATCH /v1/data_sources/{id}"] == 1
