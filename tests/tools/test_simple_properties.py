"""Property values in the simple form, resolved against the schema before any write."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sandbox_client import sandbox_client

from notion_mcp.errors import InputError
from notion_mcp.markdown import markdown_to_rich_text
from notion_mcp.sandbox import SEED
from notion_mcp.tools.properties import needs_schema, resolve

SCHEMA: dict[str, Any] = {
    "Name": {"id": "title", "type": "title", "title": {}},
    "Status": {
        "id": "s",
        "type": "status",
        "status": {"options": [{"name": "Done"}, {"name": "In progress"}]},
    },
    "Tags": {"id": "t", "type": "multi_select", "multi_select": {"options": [{"name": "a"}, {"name": "b"}]}},
    "Due": {"id": "d", "type": "date", "date": {}},
    "Points": {"id": "p", "type": "number", "number": {}},
    "Done": {"id": "c", "type": "checkbox", "checkbox": {}},
    "Formula": {"id": "f", "type": "formula", "formula": {}},
    "Notes": {"id": "n", "type": "rich_text", "rich_text": {}},
    "Kind": {"id": "k", "type": "select", "select": {"options": [{"name": "Bug, urgent"}, {"name": "Idea"}]}},
    "Link": {"id": "l", "type": "url", "url": {}},
    "Owner": {"id": "o", "type": "people", "people": {}},
}


def test_the_simple_form_becomes_notions_form() -> None:
    simple = {
        "Status": "Done",
        "Tags": ["a", "b"],
        "Due": "2026-12-01",
        "Points": 3,
        "Done": True,
        "Name": "X",
    }
    assert needs_schema(simple)
    assert resolve(simple, SCHEMA) == {
        "Status": {"status": {"name": "Done"}},
        "Tags": {"multi_select": [{"name": "a"}, {"name": "b"}]},
        "Due": {"date": {"start": "2026-12-01"}},
        "Points": {"number": 3},
        "Done": {"checkbox": True},
        "Name": {"title": markdown_to_rich_text("X")},
    }


def test_notions_own_form_passes_through_untouched() -> None:
    given = {"Status": {"status": {"name": "Done"}}}
    assert not needs_schema(given)
    assert resolve(given, SCHEMA) == given


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"Stats": "Done"}, "no property 'Stats'; properties here: 'Status'"),
        ({"Status": "Dne"}, "'Dne' is not an option of this status; options: 'Done'"),
        ({"Tags": "a, c"}, "'c' is not an option of this multi_select"),
        ({"Done": "maybe"}, "a checkbox takes true or false"),
        ({"Points": "many"}, "a number property takes a number"),
        ({"Points": True}, "a number property takes a number"),
        ({"Formula": 3}, "computed by Notion and cannot be set"),
        ({"Notes": ["a", "b"]}, "text is given as a string; got list"),
        ({"Name": {"x": 1}}, "text is given as a string; got dict"),
        ({"Kind": "idea, bug"}, "'idea, bug' is not an option of this select"),
        ({"Owner": "Ada Lovelace"}, "People are given by user ID: notion_users list shows them"),
        ({"Due": "03/01/2026"}, "'03/01/2026' is not a date Notion reads; a date is ISO 8601"),
        ({"Due": "tomorrow"}, "'tomorrow' is not a date Notion reads"),
        ({"Due": "2026-13-01"}, "is not a date Notion reads"),
        ({"Due": {"start": "soon"}}, "is not a date Notion reads"),
    ],
)
def test_a_wrong_name_or_option_is_refused_naming_the_closest_valid_ones(
    values: dict[str, Any], message: str
) -> None:
    with pytest.raises(InputError) as caught:
        resolve(values, SCHEMA)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"Notes": None}, {"Notes": {"rich_text": []}}),  # None clears, as for the other types
        ({"Name": None}, {"Name": {"title": []}}),
        ({"Notes": 42}, {"Notes": {"rich_text": markdown_to_rich_text("42")}}),
        (
            {"Notes": "**urgent**, costs \\$5"},
            {"Notes": {"rich_text": markdown_to_rich_text("**urgent**, costs \\$5")}},
        ),
        ({"Status": "done"}, {"Status": {"status": {"name": "Done"}}}),  # one option fits but for case
        ({"Kind": ""}, {"Kind": {"select": None}}),
        ({"Kind": "Bug, urgent"}, {"Kind": {"select": {"name": "Bug, urgent"}}}),
        ({"Tags": "A"}, {"Tags": {"multi_select": [{"name": "a"}]}}),
        ({"Points": "1e3"}, {"Points": {"number": 1000.0}}),
        ({"Points": " 7 "}, {"Points": {"number": 7}}),
        ({"Done": 1}, {"Done": {"checkbox": True}}),
        ({"Done": "0"}, {"Done": {"checkbox": False}}),
        ({"Link": ""}, {"Link": {"url": None}}),
        ({"Due": "2026-03-01T10:00:00+01:00"}, {"Due": {"date": {"start": "2026-03-01T10:00:00+01:00"}}}),
        ({"Due": "2026-03-01/2026-03-05"}, {"Due": {"date": {"start": "2026-03-01", "end": "2026-03-05"}}}),
        (
            {"Due": {"start": "2026-03-01T10:00", "time_zone": "Europe/Berlin"}},
            {"Due": {"date": {"start": "2026-03-01T10:00", "time_zone": "Europe/Berlin"}}},
        ),
        (
            {"Owner": "user://95bb3c2d-f96a-5ae9-ba9e-b8141953d218"},  # as a user mention writes it
            {"Owner": {"people": [{"id": "95bb3c2d-f96a-5ae9-ba9e-b8141953d218"}]}},
        ),
    ],
)
def test_simple_values_a_model_sends_mean_what_it_expects(
    values: dict[str, Any], expected: dict[str, Any]
) -> None:
    assert resolve(values, SCHEMA) == expected


@pytest.mark.anyio
async def test_a_row_created_and_updated_with_simple_values_reads_back_with_them() -> None:
    async with sandbox_client() as (client, sandbox):
        created = await client.call_tool(
            "notion_pages",
            {
                "operation": "create",
                "parent": {"database_id": SEED.tasks_database_id},
                "properties": {"Name": "Simple row", "Status": "In progress", "Done": False},
            },
        )
        assert not created.is_error, created.content[0].text
        page_id = created.content[0].text.split()[2]
        before = sandbox.total_requests
        refused = await client.call_tool(
            "notion_pages", {"operation": "update", "page_id": page_id, "properties": {"Status": "Finished"}}
        )
        writes_after_refusal = sandbox.counters["PATCH /v1/pages/{id}"]
        updated = await client.call_tool(
            "notion_pages", {"operation": "update", "page_id": page_id, "properties": {"Status": "Done"}}
        )
        text = updated.content[0].text
    assert refused.is_error and "'Finished' is not an option" in refused.content[0].text
    assert writes_after_refusal == 0 and sandbox.total_requests > before
    assert not updated.is_error and "- Status: Done" in text and "- Done: false" in text


@pytest.mark.anyio
async def test_a_text_value_read_and_written_back_stays_the_same() -> None:
    async with sandbox_client() as (client, _):
        page_id = SEED.task_id(4)

        async def notes_line() -> str:
            result = await client.call_tool("notion_pages", {"operation": "retrieve", "page_id": page_id})
            return next(line for line in result.content[0].text.splitlines() if line.startswith("- Notes: "))

        await client.call_tool(
            "notion_pages",
            {
                "operation": "update",
                "page_id": page_id,
                "properties": {"Notes": "**urgent**: cost $5 *maybe* a_b [x]"},
            },
        )
        shown = await notes_line()
        await client.call_tool(  # what a model copies from the read, written back
            "notion_pages",
            {
                "operation": "update",
                "page_id": page_id,
                "properties": {"Notes": shown.removeprefix("- Notes: ")},
            },
        )
        again = await notes_line()
    assert shown == again
    assert "\\\\" not in again and "**urgent**" in again  # no piled-up escapes; bold stays bold


@pytest.mark.anyio
async def test_a_property_item_reads_as_its_value_not_as_json_fragments() -> None:
    long = "word " * 500  # 2,500 characters: two rich-text items
    async with sandbox_client() as (client, _):
        page_id = SEED.task_id(4)
        await client.call_tool(
            "notion_pages",
            {"operation": "update", "page_id": page_id, "properties": {"Notes": f"**Start** {long}end"}},
        )
        notes = await client.call_tool(
            "notion_pages",
            {"operation": "retrieve", "page_id": page_id, "retrieve_property_item_id": "Notes"},
        )
        priority = await client.call_tool(
            "notion_pages",
            {"operation": "retrieve", "page_id": page_id, "retrieve_property_item_id": "Priority"},
        )
    text = notes.content[0].text
    assert text.endswith(f":\n\n**Start** {long}end"), text[-200:]  # one text, not a bullet per fragment
    assert re.search(r": 1 item\n- (High|Medium|Low)$", priority.content[0].text), priority.content[0].text
