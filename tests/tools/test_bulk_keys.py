"""Upsert keys that cannot be matched to one row, through mcp.Client over the sandbox: a key
value given twice in one call, one held by several rows, and a unique ID (Notion numbers new
rows itself, so an unknown number is refused rather than created)."""

from __future__ import annotations

import re

import pytest
from bulk_harness import leads, leads_client, rows
from sandbox_client import call

pytestmark = pytest.mark.anyio


def results(answer: str) -> list[str]:
    return [r.strip() for r in re.findall(r"^\| \d+ \| ([^|]*) \|", answer, re.M)]


async def test_a_key_value_given_twice_fails_the_second_item_and_names_the_first() -> None:
    async with leads_client() as (client, sandbox, database_id):
        pages = [*leads(2), *leads(1, "Won")]  # item 3 repeats item 1's email
        answer = await call(client, "notion_pages", operation="create", parent={"database_id": database_id},
                            pages=pages, key="Email")  # fmt: skip
        made = await rows(client, database_id)
    assert results(answer) == ["created", "created", "failed: Email 'lead0@example.com' is also item 1"]
    assert len(made) == 2 and sandbox.counters["POST /v1/pages"] == 2


async def test_a_key_held_by_several_rows_names_them() -> None:
    async with leads_client() as (client, _, database_id):
        parent = {"database_id": database_id}
        await call(client, "notion_pages", operation="create", parent=parent, pages=leads(1) * 3)
        ids = sorted(r["id"].replace("-", "") for r in await rows(client, database_id))  # as shown
        answer = await call(
            client, "notion_pages", operation="create", parent=parent, pages=leads(1), key="Email"
        )
    reason = results(answer)[0]
    assert reason.startswith("failed: 3 rows have Email 'lead0@example.com': ")
    assert sorted(reason.split(": ", 2)[2].split(", ")) == ids


async def test_a_unique_id_key_updates_the_rows_it_numbers_and_refuses_new_numbers() -> None:
    async with leads_client() as (client, sandbox, database_id):
        await call(client, "notion_databases", operation="update", database_id=database_id,
                   properties={"ID": {"unique_id": {"prefix": "L"}}})  # fmt: skip
        parent = {"database_id": database_id}
        await call(client, "notion_pages", operation="create", parent=parent, pages=leads(3))
        sandbox.reset_counters()
        pages = [
            {"properties": {"ID": "L-2", "Stage": "Won"}},
            {"properties": {"ID": 1, "Stage": "New"}},
            {"properties": {"ID": "L-9", "Stage": "Won"}},
        ]
        answer = await call(client, "notion_pages", operation="create", parent=parent, pages=pages, key="ID")
        made = {r["properties"]["ID"]["unique_id"]["number"]: r for r in await rows(client, database_id)}
    assert results(answer) == [
        "updated",
        "unchanged",
        "failed: no row has ID 9 (Notion numbers new rows itself)",
    ]
    assert made[2]["properties"]["Stage"]["select"]["name"] == "Won"
    assert made[2]["properties"]["Email"]["email"] == "lead1@example.com"  # the row numbered 2 is the second
    assert len(made) == 3 and sandbox.counters["POST /v1/pages"] == 0
