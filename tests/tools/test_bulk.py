"""notion_pages with pages: [...] — many rows in one call, through mcp.Client over the sandbox."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import anyio
import pytest
from bulk_harness import emails, leads, leads_client, rows
from sandbox_client import call, text_of

from notion_mcp.notion import bulk

pytestmark = pytest.mark.anyio


def table_rows(answer: str) -> list[tuple[int, str, str]]:
    """(item, result, page) of each line of a bulk answer's table."""
    found = re.findall(r"^\| (\d+) \| ([^|]*) \| ([0-9a-f]*) \|$", answer, re.M)
    return [(int(n), result.strip(), page) for n, result, page in found]


async def test_forty_rows_are_created_in_one_call_and_listed_in_input_order_with_progress() -> None:
    seen: list[tuple[float, float | None, str | None]] = []

    async def on_progress(done: float, total: float | None, message: str | None) -> None:
        seen.append((done, total, message))

    async with leads_client() as (client, sandbox, database_id):
        arguments = {"operation": "create", "parent": {"database_id": database_id}, "pages": leads(40)}
        result = await client.call_tool("notion_pages", arguments, progress_callback=on_progress)
        answer = text_of(result)
        table = table_rows(answer)
        third = await call(client, "notion_pages", operation="retrieve", page_id=table[2][2])
    assert answer.startswith("40 items for data source") and "40 created" in answer
    assert [n for n, _, _ in table] == list(range(1, 41))
    assert {r for _, r, _ in table} == {"created"}
    assert "Lead 2" in third.splitlines()[0]  # item 3 is the third lead, whatever order they finished in
    assert sandbox.counters["POST /v1/pages"] == 40
    assert [d for d, _, _ in seen] == list(range(1, 41)) and {t for _, t, _ in seen} == {40}
    assert all(re.fullmatch(r"item \d+: created [0-9a-f]{32}", str(m)) for _, _, m in seen)


async def test_a_dry_run_lists_every_problem_of_every_item_and_writes_nothing() -> None:
    pages = [
        {"title": "ok", "properties": {"Email": "a@example.com"}},
        {"title": "two bad", "properties": {"Emial": "b@example.com", "Stage": "Maybe"}},
        {"title": "bad score", "properties": {"Score": "lots"}},
        {"title": "bad field", "colour": "red"},
    ]
    async with leads_client() as (client, sandbox, database_id):
        answer = await call(client, "notion_pages", operation="create", parent={"database_id": database_id},
                            pages=pages, dry_run=True)  # fmt: skip
        fine = await call(client, "notion_pages", operation="create", parent={"database_id": database_id},
                          pages=pages[:1], dry_run=True)  # fmt: skip
    assert "1 of 4 items are valid" in answer and "Nothing was written (dry_run)" in answer
    item2 = next(line for line in answer.splitlines() if line.startswith("- item 2:"))
    assert "no property 'Emial'" in item2 and "'Email'" in item2.split("properties here:")[1][:10]
    assert "'Maybe' is not an option" in item2
    assert "- item 3: Score: a number property takes a number" in answer
    assert "- item 4: colour: not an item field" in answer
    assert "- item 1" not in answer
    assert fine.startswith("All 1 items are valid")
    assert sandbox.counters["POST /v1/pages"] == 0


async def test_invalid_items_stop_the_call_unless_skip_invalid_writes_the_valid_ones() -> None:
    pages = [*leads(3), {"title": "bad", "properties": {"Stage": "Maybe"}}]
    async with leads_client() as (client, sandbox, database_id):
        arguments = {"operation": "create", "parent": {"database_id": database_id}, "pages": pages}
        refused = await client.call_tool("notion_pages", arguments)
        written_before = sandbox.counters["POST /v1/pages"]
        answer = await call(client, "notion_pages", **arguments, skip_invalid=True)
    assert refused.is_error and "1 of 4 items is invalid; nothing was written" in text_of(refused)
    assert "skip_invalid=true" in text_of(refused) and written_before == 0
    assert "3 created, 1 skipped" in answer
    assert table_rows(answer)[3][1].startswith("skipped: Stage: 'Maybe' is not an option")


async def test_an_upsert_updates_rows_whose_key_matches_creates_the_rest_and_skips_unchanged_ones() -> None:
    async with leads_client() as (client, sandbox, database_id):
        parent = {"database_id": database_id}
        await call(client, "notion_pages", operation="create", parent=parent, pages=leads(4))
        sandbox.reset_counters()
        pages = [*leads(2), *leads(2, "Won", start=2), *leads(2, start=4)]  # same, changed, new
        upsert = {"operation": "create", "parent": parent, "pages": pages, "key": "Email"}
        answer = await call(client, "notion_pages", **upsert)
        again = await call(client, "notion_pages", **upsert)
        counters = dict(sandbox.counters)
        made = await rows(client, database_id)
    assert [r for _, r, _ in table_rows(answer)] == ["unchanged"] * 2 + ["updated"] * 2 + ["created"] * 2
    assert "6 unchanged" in again
    assert emails(made) == {f"lead{i}@example.com": 1 for i in range(6)}
    stages = {r["properties"]["Email"]["email"]: r["properties"]["Stage"]["select"]["name"] for r in made}
    assert stages["lead3@example.com"] == "Won" and stages["lead1@example.com"] == "New"
    # one query page for the keys, then only the rows that change: 2 updates and 2 creates
    assert counters["PATCH /v1/pages/{id}"] == 2 and counters["POST /v1/pages"] == 2
    assert counters["POST /v1/data_sources/{id}/query"] == 2  # once per call


async def test_a_key_held_by_two_rows_fails_that_item_alone() -> None:
    async with leads_client() as (client, _, database_id):
        parent = {"database_id": database_id}
        await call(client, "notion_pages", operation="create", parent=parent, pages=leads(1) + leads(2))
        answer = await call(client, "notion_pages", operation="create", parent=parent,
                            pages=leads(2, "Won"), key="Email")  # fmt: skip
    results = table_rows(answer)
    assert results[0][1].startswith("failed: 2 rows have Email 'lead0@example.com'")
    assert results[1][1] == "updated"


@pytest.mark.parametrize(
    "pages",
    [
        'Name,Email,Stage,Score\nAda,ada@example.com,Won,3\n"Lovelace, Ada",al@example.com,,\n',
        "| Name | Email | Stage | Score |\n|---|---|---|---|\n| Ada | ada@example.com | Won | 3 |\n"
        "| Lovelace, Ada | al@example.com |  |  |\n",
    ],
    ids=["CSV", "markdown table"],
)
async def test_rows_pasted_as_csv_or_a_markdown_table_are_read_by_their_header(pages: str) -> None:
    async with leads_client() as (client, _, database_id):
        answer = await call(client, "notion_pages", operation="create", parent={"database_id": database_id},
                            pages=pages, key="Email")  # fmt: skip
        made = {r["properties"]["Email"]["email"]: r["properties"] for r in await rows(client, database_id)}
    assert "2 created" in answer
    assert made["ada@example.com"]["Stage"]["select"]["name"] == "Won"
    assert made["ada@example.com"]["Score"]["number"] == 3
    assert made["al@example.com"]["Name"]["title"][0]["plain_text"] == "Lovelace, Ada"
    assert made["al@example.com"]["Stage"]["select"] is None  # an empty cell sets nothing


async def test_update_with_pages_trashes_and_changes_many_rows_in_one_call() -> None:
    async with leads_client() as (client, sandbox, database_id):
        created = await call(client, "notion_pages", operation="create", parent={"database_id": database_id},
                             pages=leads(6))  # fmt: skip
        ids = [page for _, _, page in table_rows(created)]
        sandbox.reset_counters()
        pages = [{"page_id": i, "in_trash": True} for i in ids[:3]]
        pages += [{"page_id": i, "properties": {"Stage": "Lost"}} for i in ids[3:]]
        answer = await call(client, "notion_pages", operation="update", pages=pages)
        left = await rows(client, database_id)
    assert answer.startswith("6 items to update: 6 updated.")
    assert sorted(r["properties"]["Score"]["number"] for r in left) == [3, 4, 5]
    assert {r["properties"]["Stage"]["select"]["name"] for r in left} == {"Lost"}
    # the three property updates needed the schema: their pages once each; the data source's schema
    # is kept from the create (notion/schema_cache.py), not read again
    assert sandbox.counters["GET /v1/pages/{id}"] == 3 and sandbox.counters["GET /v1/data_sources/{id}"] == 0


async def test_an_update_item_of_a_missing_page_is_named_before_anything_is_written() -> None:
    async with leads_client() as (client, sandbox, _):
        gone = "1a2b3c4d-5e6f-4000-8000-000000000009"
        result = await client.call_tool("notion_pages", {"operation": "update", "pages": [
            {"page_id": gone, "properties": {"Stage": "Won"}}, {"page_id": gone}]})  # fmt: skip
    assert result.is_error
    assert f"- item 1: page {gone.replace('-', '')}: 404 object_not_found" in text_of(result)
    assert "- item 2: nothing to update" in text_of(result)
    assert sandbox.counters["PATCH /v1/pages/{id}"] == 0


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"key": "Stage"}, "key: 'Stage' is a select property"),
        ({"key": "Mail"}, "key: no property 'Mail'"),
        ({"title": "x"}, "Give title inside each item of pages"),
    ],
)
async def test_a_bad_key_or_a_misplaced_field_is_a_clear_error(
    arguments: dict[str, Any], message: str
) -> None:
    async with leads_client() as (client, sandbox, database_id):
        result = await client.call_tool("notion_pages", {"operation": "create", "pages": leads(2),
                                         "parent": {"database_id": database_id}, **arguments})  # fmt: skip
    assert result.is_error and message in text_of(result), text_of(result)
    assert sandbox.counters["POST /v1/pages"] == 0


async def test_a_create_whose_answer_is_lost_is_found_by_its_key_not_made_twice() -> None:
    async with leads_client() as (client, sandbox, database_id):
        sandbox.faults.add("POST", "/v1/pages", "drop", when="after", after=3, count=2)
        answer = await call(client, "notion_pages", operation="create", parent={"database_id": database_id},
                            pages=leads(10), key="Email")  # fmt: skip
        made = await rows(client, database_id)
    assert "8 created, 2 created (answer lost, found)" in answer
    assert sandbox.counters["POST /v1/pages"] == 10
    assert emails(made) == {f"lead{i}@example.com": 1 for i in range(10)}


async def test_an_unknown_outcome_without_key_gets_a_ready_call_that_looks_before_creating() -> None:
    async with leads_client(max_retries=1) as (client, sandbox, database_id):
        sandbox.faults.add("POST", "/v1/pages", "drop", when="after", after=4)  # item 5's answer is lost
        sandbox.faults.add("POST", "/v1/data_sources/{id}/query", "500", count=100)  # and the look fails
        first = await client.call_tool("notion_pages", {"operation": "create", "pages": leads(10),
                                        "parent": {"database_id": database_id}})  # fmt: skip
        sandbox.faults.clear()
        answer = text_of(first)
        ready = json.loads(answer.split("rest: notion_pages ", 1)[1])
        finished = await call(client, "notion_pages", **ready)
        made = await rows(client, database_id)
    assert "unknown: may exist" in answer
    assert all("made_since" in item for item in ready["pages"] if item["title"] == "Lead 4")
    assert "created (answer lost, found)" in finished
    assert emails(made) == {f"lead{i}@example.com": 1 for i in range(10)}


async def test_a_cancelled_bulk_create_stops_starting_rows_and_logs_what_was_done(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def never(seconds: float) -> None:  # a "slow" answer that never comes
        await anyio.Event().wait()

    async with leads_client(sandbox_sleep=never) as (client, sandbox, database_id):
        sandbox.faults.add("POST", "/v1/pages", "slow", after=5, count=10**6)
        five = anyio.Event()

        async def on_progress(done: float, total: float | None, message: str | None) -> None:
            if done >= 5:
                five.set()

        arguments = {"operation": "create", "parent": {"database_id": database_id}, "pages": leads(200)}
        with caplog.at_level(logging.WARNING, "notion_mcp.bulk"), anyio.fail_after(30):
            async with anyio.create_task_group() as group:
                group.start_soon(client.call_tool, "notion_pages", arguments, None, on_progress)
                await five.wait()
                group.cancel_scope.cancel()
        sent = sandbox.counters["POST /v1/pages"]
        sandbox.faults.clear()
        made = await rows(client, database_id)
        await anyio.sleep(0)
        assert sandbox.counters["POST /v1/pages"] == sent  # nothing more was started
    assert len(made) == 5 and sent <= 5 + bulk.CONCURRENCY
    assert "bulk write cancelled after 5 of 200 items: 1 created" in caplog.text


async def test_a_long_table_and_its_json_are_cut_within_the_response_budget_at_whole_items() -> None:
    async with leads_client(max_output_chars=2_000) as (client, _, database_id):
        parent = {"database_id": database_id}
        answer = await call(client, "notion_pages", operation="create", parent=parent, pages=leads(60))
        again = await call(client, "notion_pages", operation="create", parent=parent, pages=leads(60),
                           key="Email", format="json")  # fmt: skip
    assert len(answer) <= 2_000 and answer.startswith("60 items for data source")
    assert "60 created" in answer and "[table cut at item" in answer
    shown = table_rows(answer)
    assert shown and [n for n, _, _ in shown] == list(range(1, len(shown) + 1))
    assert len(again) <= 2_000
    kept = json.loads(again)  # still JSON: whole items, the first ones, and how many there were
    items = [r["item"] for r in kept["results"]]
    assert items == list(range(1, len(items) + 1)) and 10 < len(items) < 60
    assert {r["status"] for r in kept["results"]} == {"unchanged"}
    assert f"results: first {len(items)} of 60 items" in kept["answer_cut"]


async def test_a_row_whose_content_fails_is_never_created_again_by_the_ready_call() -> None:
    async with leads_client(max_retries=1) as (client, sandbox, database_id):
        pages = [{**item, "markdown": f"Notes on {item['title']}."} for item in leads(6)]
        sandbox.faults.add("PATCH", "/v1/blocks/{id}/children", "500", count=10**6)
        first = await client.call_tool("notion_pages", {"operation": "create", "pages": pages,
                                        "parent": {"database_id": database_id}})  # fmt: skip
        sandbox.faults.clear()
        answer = text_of(first)
        failed = [n for n, result, _ in table_rows(answer) if result.startswith("failed: the row was made")]
        ready = (
            json.loads(answer.split("rest: notion_pages ", 1)[1]) if "rest: notion_pages " in answer else None
        )
        if ready is not None:
            await call(client, "notion_pages", **ready)
        made = await rows(client, database_id)
    assert failed and "not by creating the row again" in answer
    assert ready is None or not {p["title"] for p in ready["pages"]} & {f"Lead {n - 1}" for n in failed}
    assert emails(made) == {f"lead{i}@example.com": 1 for i in range(6)}
