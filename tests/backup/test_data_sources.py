"""A database of several data sources: every one is exported (a sub-folder each, beside the
database's `_database.yaml`), incrementally and resumably, and imported back as one database."""

from __future__ import annotations

from pathlib import Path

import pytest
from backup_env import Env, files_of, new_env

from backup.test_import import import_and_export_again
from notion_mcp.backup import layout
from notion_mcp.backup.manifest import Manifest
from notion_mcp.backup.sync import Syncer
from notion_mcp.errors import NotionAPIError
from notion_mcp.sandbox import SEED

pytestmark = pytest.mark.anyio
TASKS = "Project notes/Tasks"


async def add_bugs(env: Env) -> str:
    """A second data source, "Bugs", in the seeded task database, with two rows."""
    made = await env.gateway.create_data_source(
        {
            "parent": {"type": "database_id", "database_id": SEED.tasks_database_id},
            "title": [{"text": {"content": "Bugs"}}],
            "properties": {"Bug": {"title": {}}, "Severity": {"select": {"options": [{"name": "high"}]}}},
        }
    )
    for name in ("Crash on start", "Typo"):
        row = {"Bug": {"title": [{"text": {"content": name}}]}, "Severity": {"select": {"name": "high"}}}
        await env.gateway.create_page({"parent": {"data_source_id": made["id"]}, "properties": row})
    return str(made["id"])


async def test_every_data_source_is_a_sub_folder_and_a_rerun_costs_a_query_each(tmp_path: Path) -> None:
    env = new_env()
    bugs = await add_bugs(env)
    stats = await env.export(tmp_path)
    files = files_of(tmp_path)
    meta = layout.read_database(files[f"{TASKS}/_database.yaml"])
    assert [s["id"] for s in meta["data_sources"]] == [SEED.tasks_data_source_id, bugs]
    assert f"{TASKS}/_schema.yaml" not in files and f"{TASKS}/rows.csv" not in files
    assert len(layout.read_rows_csv(files[f"{TASKS}/Tasks/rows.csv"])) == 30
    bug_rows = layout.read_rows_csv(files[f"{TASKS}/Bugs/rows.csv"])
    assert [r["Bug"] for r in bug_rows] == ["Crash on start", "Typo"] and bug_rows[0]["Severity"] == "high"
    assert layout.read_schema(files[f"{TASKS}/Bugs/_schema.yaml"])["data_source_id"] == bugs
    assert f"{TASKS}/Bugs/Typo.md" in files and f"{TASKS}/Tasks/Write the spec #1.md" in files
    assert stats.rows == 32
    before = env.requests()
    again = await env.export(tmp_path)
    assert env.requests() - before == 3  # the index, one query per data source
    assert again.pages_read == 0 and files_of(tmp_path) == files


async def test_a_row_added_to_the_second_data_source_is_exported_on_the_next_run(tmp_path: Path) -> None:
    env = new_env()
    bugs = await add_bugs(env)
    await env.export(tmp_path)
    row = {"Bug": {"title": [{"text": {"content": "Leak"}}]}}
    await env.gateway.create_page({"parent": {"data_source_id": bugs}, "properties": row})
    stats = await env.export(tmp_path)
    assert stats.pages_read == 1 and (tmp_path / TASKS / "Bugs" / "Leak.md").is_file()
    assert "Leak" in (tmp_path / TASKS / "Bugs" / "rows.csv").read_text()


@pytest.mark.parametrize("kill_at", [2, 4, 9, 34, 36])
async def test_an_export_killed_in_a_database_of_several_resumes_to_the_same_files(
    tmp_path: Path, kill_at: int
) -> None:
    env = new_env()
    await add_bugs(env)
    before = env.requests()
    await env.export(tmp_path / "clean", SEED.tasks_database_id)
    assert env.requests() - before == 38  # so 34 and 36 fall in the second data source
    env.sandbox.faults.add("*", "*", "500", after=kill_at, count=1)
    with pytest.raises(NotionAPIError):
        await env.export(tmp_path / "out", SEED.tasks_database_id)
    await env.export(tmp_path / "out", SEED.tasks_database_id)
    assert files_of(tmp_path / "out") == files_of(tmp_path / "clean")
    assert not list((tmp_path / "out").rglob("*.tmp"))


async def test_a_database_of_several_round_trips_through_import(tmp_path: Path) -> None:
    env = new_env()
    await add_bugs(env)
    await env.export(tmp_path / "first", SEED.notes_page_id)
    stats, _ = await import_and_export_again(env, tmp_path)
    assert (stats.databases, stats.rows) == (1, 32)
    made = Manifest.load(tmp_path / "again")
    database = next(e for e in made.entries.values() if e.path == f"Restored/{TASKS}")
    assert len(database.children) == 2  # one database, both data sources


async def test_sync_pushes_a_cell_and_a_new_row_file_of_the_second_data_source(tmp_path: Path) -> None:
    env = new_env()
    bugs = await add_bugs(env)

    async def sync() -> None:
        env.clock.advance()
        report = await Syncer(env.gateway, tmp_path, SEED.tasks_database_id, download=env.download,
                              now=env.clock).run()  # fmt: skip
        env.clock.advance()
        assert report.ok, report

    await sync()
    csv_path = tmp_path / "Tasks" / "Bugs" / layout.ROWS_FILE
    csv_path.write_text(csv_path.read_text().replace("Typo,high", "Typo,"))
    (tmp_path / "Tasks" / "Bugs" / "Slow start.md").write_text("The app starts slowly.\n")
    await sync()
    rows = (await env.gateway.query_data_source(bugs, {}, None, 100))["results"]
    severity = {r["properties"]["Bug"]["title"][0]["plain_text"]: r["properties"]["Severity"]["select"]
                for r in rows}  # fmt: skip
    assert severity["Typo"] is None and severity["Crash on start"] == {
        **severity["Crash on start"],
        "name": "high",
    }
    assert "Slow start" in severity and len(rows) == 3
