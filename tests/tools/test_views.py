"""Views found by name or ID and queried through, through mcp.Client over the sandbox: a view's
own filter kept within Notion's two levels of nesting when a filter is added, added sorts
replacing the view's, a database with more than a page of views, and unknown views named."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from sandbox_client import call, sandbox_client, text_of

from notion_mcp.sandbox import SEED, Sandbox

pytestmark = pytest.mark.anyio
TASKS = {"database_id": SEED.tasks_database_id}
NOT_DONE = {"property": "Done", "checkbox": {"equals": False}}
HIGH = {"property": "Priority", "select": {"equals": "High"}}
LOW = {"property": "Priority", "select": {"equals": "Low"}}
BIG = {"property": "Estimate", "number": {"greater_than": 4}}


async def add_view(sandbox: Sandbox, name: str, **body: Any) -> str:
    async with httpx.AsyncClient(transport=sandbox.transport(), base_url=Sandbox.base_url) as http:
        made = await http.post(
            "/v1/views",
            json={**TASKS, "data_source_id": SEED.tasks_data_source_id, "name": name, **body},
            headers={"Authorization": "Bearer ntn_test", "Notion-Version": "2026-03-11"},
        )
    assert made.status_code == 200, made.text
    return str(made.json()["id"])


async def rows(client: Any, **arguments: Any) -> list[dict[str, Any]]:
    answer = await call(
        client, "notion_databases", operation="query", format="json", max_results=100, **arguments
    )
    found: list[dict[str, Any]] = json.loads(answer)["results"]
    return found


def prop(row: dict[str, Any], name: str) -> Any:
    value = row["properties"][name]
    return {"select": lambda v: v["name"], "checkbox": bool, "number": float}[value["type"]](
        value[value["type"]]
    )


async def test_an_added_filter_narrows_a_single_condition_view_and_one_already_nested_two_deep() -> None:
    async with sandbox_client() as (client, sandbox):
        await add_view(sandbox, "Open", filter=NOT_DONE)
        await add_view(sandbox, "Deep", filter={"and": [{"or": [HIGH, LOW]}, NOT_DONE]})
        everything = await rows(client, **TASKS)
        open_big = await rows(client, **TASKS, view="open", filter=BIG)
        deep_big = await rows(client, **TASKS, view="Deep", filter=BIG)
    assert [r["id"] for r in open_big] == [
        r["id"] for r in everything if not prop(r, "Done") and prop(r, "Estimate") > 4
    ] and open_big
    assert {r["id"] for r in deep_big} == {
        r["id"]
        for r in everything
        if prop(r, "Priority") in ("High", "Low") and not prop(r, "Done") and prop(r, "Estimate") > 4
    } and deep_big


async def test_added_sorts_replace_the_views_own() -> None:
    by_estimate = [{"property": "Estimate", "direction": "descending"}]
    async with sandbox_client() as (client, _):
        own = await rows(client, **TASKS, view="Urgent")
        resorted = await rows(client, **TASKS, view="Urgent", sorts=by_estimate)
    estimates = [prop(r, "Estimate") for r in resorted]
    assert estimates == sorted(estimates, reverse=True) and len(set(estimates)) > 1
    assert {r["id"] for r in resorted} == {r["id"] for r in own}
    assert [r["id"] for r in resorted] != [r["id"] for r in own]


async def test_every_view_is_listed_past_the_first_page_of_100() -> None:
    async with sandbox_client(max_output_chars=1_000_000) as (client, sandbox):  # 105 views in JSON
        for n in range(102):
            await add_view(sandbox, f"View {n}")
        sandbox.reset_counters()
        raw = json.loads(await call(client, "notion_databases", operation="retrieve", **TASKS, format="json"))
        last = await rows(client, **TASKS, view="View 101")
        everything = await rows(client, **TASKS)
    names = [v["name"] for v in raw["views"]]
    assert names == ["All tasks", "Board", "Urgent", *(f"View {n}" for n in range(102))]
    assert sandbox.counters["GET /v1/views"] == 4  # two pages for the retrieve, two for the name
    assert [r["id"] for r in last] == [r["id"] for r in everything]  # found by name on the second page


async def test_a_view_that_is_not_found_says_what_to_do() -> None:
    missing = "0badc0de-0000-4000-8000-000000000001"
    async with sandbox_client() as (client, sandbox):
        by_name = await client.call_tool("notion_databases", {"operation": "query", "view": "Urgent"})
        by_id_alone = await client.call_tool("notion_databases", {"operation": "query", "view": missing})
        by_id_in_db = await client.call_tool(
            "notion_databases", {"operation": "query", **TASKS, "view": missing}
        )
        notes = {"page_id": SEED.notes_page_id}
        made = await call(client, "notion_databases", operation="create", parent=notes, title="Viewless",
                          properties={"Name": {"title": {}}})  # fmt: skip
        viewless = made.split()[2]
        no_views = await client.call_tool(
            "notion_databases", {"operation": "query", "database_id": viewless, "view": "Board"}
        )
    assert by_name.is_error and ": view: a view is found by name within a database" in text_of(by_name)
    assert text_of(by_name).rstrip().endswith("give database_id too.")
    assert no_views.is_error and f": view: no view 'Board' in database {viewless}" in text_of(no_views)
    assert "its views: none." in text_of(no_views)
    assert (
        by_id_alone.is_error and "404" in text_of(by_id_alone) and "object_not_found" in text_of(by_id_alone)
    )
    assert by_id_in_db.is_error and f"no view {missing!r}" in text_of(by_id_in_db)
    assert "'All tasks' (table), 'Board' (board), 'Urgent' (table)" in text_of(by_id_in_db)
    assert sandbox.counters["POST /v1/data_sources/{id}/query"] == 0
