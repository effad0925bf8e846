"""Templates (the database's own and local ones) and views, through mcp.Client over the sandbox."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sandbox_client import call, sandbox_client, text_of

from notion_mcp.sandbox import SEED
from notion_mcp.templates import BUILTIN, parse, render

pytestmark = pytest.mark.anyio
TASKS = {"database_id": SEED.tasks_database_id}


def created(answer: str) -> str:
    assert answer.startswith("Created page "), answer
    return answer.split()[2]


async def test_retrieve_lists_the_databases_views_and_templates_with_their_ids() -> None:
    async with sandbox_client() as (client, _):
        answer = await call(client, "notion_databases", operation="retrieve", **TASKS)
        raw = json.loads(await call(client, "notion_databases", operation="retrieve", **TASKS, format="json"))
    assert f"- Board (board) {SEED.board_view_id.replace('-', '')}" in answer
    assert f"- Urgent (table) {SEED.urgent_view_id.replace('-', '')}" in answer
    assert f"- Bug report (default) {SEED.bug_template_id.replace('-', '')}" in answer
    assert [v["name"] for v in raw["views"]] == ["All tasks", "Board", "Urgent"]
    templates = raw["templates"][SEED.tasks_data_source_id.replace("-", "")]  # keyed by the shown ID
    assert templates[1]["name"] == "Feature request"
    assert templates[1]["id"] == SEED.feature_template_id.replace("-", "")


@pytest.mark.parametrize(("template", "icon", "first"), [
    ("default", "🐞", "## Steps to reproduce"), ("Feature request", "✨", "## Problem"),
    (SEED.feature_template_id, "✨", "## Problem"),
])  # fmt: skip
async def test_a_row_made_from_a_database_template_gets_its_properties_icon_and_content(
    template: str, icon: str, first: str
) -> None:
    async with sandbox_client() as (client, _):
        page_id = created(await call(client, "notion_pages", operation="create", parent=TASKS,
                                     title="Crash on save", template=template))  # fmt: skip
        page = await call(client, "notion_pages", operation="retrieve", page_id=page_id)
    assert page.startswith("# Crash on save") and f"icon {icon}" in page
    assert first in page
    assert ("- Priority: High" in page) == (template == "default")


async def test_a_local_template_fills_every_placeholder_in_title_and_body() -> None:
    async with sandbox_client() as (client, _):
        page_id = created(await call(client, "notion_pages", operation="create",
                                     parent={"page_id": SEED.notes_page_id}, template="meeting-notes",
                                     variables={"date": "2026-12-02", "topic": "Roadmap"}))  # fmt: skip
        page = await call(client, "notion_pages", operation="retrieve", page_id=page_id)
    assert page.startswith("# Roadmap — 2026-12-02") and "icon 📝" in page
    assert "**Date:** 2026-12-02" in page and "{{" not in page


@pytest.mark.parametrize(("variables", "message"), [
    ({"topic": "Roadmap"}, "variables: no value for {{date}}. Template 'meeting-notes' uses: topic, date."),
    ({"topic": "R", "date": "d", "room": "4"}, "'room' is not used"),
])  # fmt: skip
async def test_a_placeholder_without_a_value_or_an_unused_variable_is_an_error_naming_it(
    variables: dict[str, Any], message: str
) -> None:
    async with sandbox_client() as (client, sandbox):
        result = await client.call_tool("notion_pages", {"operation": "create", "parent": {
            "page_id": SEED.notes_page_id}, "template": "meeting-notes", "variables": variables})  # fmt: skip
    assert result.is_error and message in text_of(result), text_of(result)
    assert sandbox.counters["POST /v1/pages"] == 0


async def test_an_unknown_template_lists_the_databases_and_the_local_ones() -> None:
    async with sandbox_client() as (client, _):
        result = await client.call_tool(
            "notion_pages", {"operation": "create", "parent": TASKS, "template": "Standup"}
        )
    text = text_of(result)
    assert result.is_error and "no template 'Standup'" in text
    assert "Database templates: Bug report (default), Feature request." in text
    assert "Local templates: meeting-notes, project-brief, weekly-review" in text


async def test_one_template_makes_many_pages_from_many_variable_sets(tmp_path: Path) -> None:
    (tmp_path / "standup.md").write_text(
        '---\ntitle: "Standup {{day}}"\nproperties:\n  Tags: ["{{team}}"]\n  Estimate: 1\n---\n'
        "Blockers for {{team}} on {{day}}: none.\n"
    )
    async with sandbox_client(templates=str(tmp_path)) as (client, _):
        answer = await call(client, "notion_pages", operation="create", parent=TASKS, template="standup",
                            pages=[{"variables": {"day": "Mon", "team": "docs"}},
                                   {"variables": {"day": "Tue", "team": "backend"}}])  # fmt: skip
        rows = await call(client, "notion_databases", operation="query", **TASKS,
                          filter={"property": "Name", "title": {"starts_with": "Standup"}})  # fmt: skip
        tue = next(line for line in rows.splitlines() if "Standup Tue" in line)
        page = await call(client, "notion_pages", operation="retrieve", page_id=tue.split("|")[1].strip())
    assert "2 created" in answer
    assert "| backend |" in tue and "| 1 |" in tue
    assert page.rstrip().endswith("Blockers for backend on Tue: none.")


async def test_update_merges_a_database_template_into_an_existing_row_and_refuses_a_local_one() -> None:
    async with sandbox_client() as (client, _):
        done = await call(client, "notion_pages", operation="update", page_id=SEED.task_id(2),
                          template="Bug report")  # fmt: skip
        page = await call(client, "notion_pages", operation="retrieve", page_id=SEED.task_id(2))
        local = await client.call_tool("notion_pages", {"operation": "update", "page_id": SEED.task_id(2),
                                                        "template": "meeting-notes"})  # fmt: skip
    assert done.startswith("Updated page")
    assert "- Tags: bug" in page and "## Steps to reproduce" in page and "icon 🐞" in page
    assert local.is_error and "a local template, which makes new pages" in text_of(local)


def test_every_shipped_template_renders_with_its_own_placeholders_and_nothing_left() -> None:
    for path in sorted(BUILTIN.glob("*.md")):
        template = parse(path.stem, path.read_text())
        page = render(template, {name: f"<{name}>" for name in template.placeholders()})
        assert template.placeholders(), path
        assert "{{" not in page.markdown + str(page.title), path


async def test_a_query_through_a_view_uses_its_filter_and_sorts_and_an_added_filter_narrows_it() -> None:
    async with sandbox_client() as (client, _):
        urgent = await call(client, "notion_databases", operation="query", **TASKS, view="urgent",
                            format="json", max_results=100)  # fmt: skip
        narrowed = await call(client, "notion_databases", operation="query", view=SEED.urgent_view_id,
                              filter={"property": "Estimate", "number": {"greater_than": 4}},
                              format="json")  # fmt: skip
        everything = await call(client, "notion_databases", operation="query", **TASKS, format="json",
                                max_results=100)  # fmt: skip
    rows = json.loads(urgent)["results"]

    def props(row: dict[str, Any]) -> tuple[str, bool, str]:
        p = row["properties"]
        return p["Priority"]["select"]["name"], p["Done"]["checkbox"], p["Due"]["date"]["start"]

    expected = sorted(
        (r for r in json.loads(everything)["results"] if props(r)[:2] == ("High", False)),
        key=lambda r: props(r)[2],
    )
    assert [r["id"] for r in rows] == [r["id"] for r in expected] and rows
    smaller = json.loads(narrowed)["results"]
    assert [r["id"] for r in smaller] == [
        r["id"] for r in rows if r["properties"]["Estimate"]["number"] > 4
    ] and 0 < len(smaller) < len(rows)


async def test_an_unknown_view_lists_the_views_there_are() -> None:
    async with sandbox_client() as (client, sandbox):
        result = await client.call_tool(
            "notion_databases", {"operation": "query", **TASKS, "view": "Calendar"}
        )
    assert result.is_error
    assert "no view 'Calendar'" in text_of(result)
    assert "'All tasks' (table), 'Board' (board), 'Urgent' (table)" in text_of(result)
    assert sandbox.counters["POST /v1/data_sources/{id}/query"] == 0
