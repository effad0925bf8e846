"""`import` on the sandbox: the round trip export → import into an empty parent → export gives
the same files apart from IDs and times; plain markdown folders; files; re-runs after a failure."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from backup_env import Env, files_of, new_env

from notion_mcp.backup import layout
from notion_mcp.backup.restore import Importer, ImportStats
from notion_mcp.errors import NotionMCPError
from notion_mcp.sandbox import SEED

pytestmark = pytest.mark.anyio

# what differs between two workspaces: IDs (in any form), times, URLs, and the new parent
VARIES = re.compile(
    r' \^[0-9a-f]{32}|(?:id|url|row-ids)="[0-9a-f ]*"'
    r"|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r"|\d{4}-\d\d-\d\dT[\d:.]+(?:Z|\+00:00)|https://app\.notion\.com/p/\S+"
    r"|parent:\n  type: (?:workspace|page_id)\n(?:  id: \S+\n)?"
)


def same_apart_from_ids(text: str) -> str:
    return VARIES.sub("…", text)


async def empty_parent(env: Env, title: str = "Restored") -> str:
    body = {
        "parent": {"page_id": SEED.notes_page_id},
        "properties": {"title": {"title": [{"text": {"content": title}}]}},
    }
    return str((await env.gateway.create_page(body))["id"])


async def import_and_export_again(env: Env, tmp_path: Path) -> tuple[ImportStats, dict[str, str]]:
    """Imports the export in tmp_path/first under a new page "Restored", exports that page to
    tmp_path/again and checks the files are the first ones apart from IDs and times (plus the new
    parent's own file), with no import notes; the import's stats and the files of "again", named
    as in "first"."""
    parent = await empty_parent(env)
    stats = await Importer(env.gateway, tmp_path / "first", parent).run()
    assert stats.notes == []
    await env.export(tmp_path / "again", parent)
    first = files_of(tmp_path / "first")
    again = {k.removeprefix("Restored/"): v for k, v in files_of(tmp_path / "again").items()}
    assert set(again) == {*first, "Restored.md"}
    for path, text in first.items():
        assert same_apart_from_ids(again[path]) == same_apart_from_ids(text), path
    return stats, again


async def test_export_import_export_gives_the_same_files_apart_from_ids_and_times(tmp_path: Path) -> None:
    env = new_env()
    await env.export(tmp_path / "first")
    stats, again = await import_and_export_again(env, tmp_path)
    assert (stats.pages, stats.databases, stats.rows) == (3, 1, 30)
    assert stats.files_left_out == []
    # the task database's relation to itself points at the new rows
    rows = layout.read_rows_csv(again["Project notes/Tasks/rows.csv"])
    new_ids = {r["_id"] for r in rows}
    blocked = [r["Blocked by"] for r in rows if r["Blocked by"]]
    assert blocked and all(b in new_ids for b in blocked)


async def test_a_folder_of_plain_markdown_becomes_pages_and_a_folder_a_page(tmp_path: Path) -> None:
    (tmp_path / "Notes.md").write_text("# Notes\n\nSome *text*.\n")
    (tmp_path / "Notes").mkdir()
    (tmp_path / "Notes" / "Child.md").write_text("- a\n- b\n")
    (tmp_path / "Archive").mkdir()
    (tmp_path / "Archive" / "Old.md").write_text("---\ntitle: An old page\nicon: 📦\n---\n\nOld.\n")
    env = new_env()
    parent = await empty_parent(env)
    stats = await Importer(env.gateway, tmp_path, parent).run()
    assert stats.pages == 4
    await env.export(tmp_path / "out", parent)
    out = files_of(tmp_path / "out")
    assert set(out) == {"Restored.md", "Restored/Archive.md", "Restored/Archive/An old page.md",
                        "Restored/Notes.md", "Restored/Notes/Child.md"}  # fmt: skip
    assert layout.read_page_file(out["Restored/Archive/An old page.md"])[0]["icon"] == "📦"
    assert "Some *text*." in out["Restored/Notes.md"]


async def test_an_import_that_failed_part_way_is_completed_by_a_rerun_without_duplicates(
    tmp_path: Path,
) -> None:
    env = new_env()
    await env.export(tmp_path / "first", SEED.welcome_page_id)
    parent = await empty_parent(env)
    env.sandbox.faults.add("PATCH", "/v1/blocks/{id}/children", "500", after=1, count=1_000)
    with pytest.raises(NotionMCPError):  # the first page is made, its second append fails for good
        await Importer(env.gateway, tmp_path / "first", parent).run()
    env.sandbox.faults.clear()
    stats = await Importer(env.gateway, tmp_path / "first", parent).run()
    assert stats.pages == 1 and stats.skipped == 1  # the half-filled page was trashed and remade
    await env.export(tmp_path / "again", parent)
    again = files_of(tmp_path / "again")
    assert set(again) == {"Restored.md", "Restored/Welcome to the sandbox.md",
                          "Restored/Welcome to the sandbox/Getting started.md"}  # fmt: skip
    original = files_of(tmp_path / "first")["Welcome to the sandbox.md"]
    assert same_apart_from_ids(again["Restored/Welcome to the sandbox.md"]) == same_apart_from_ids(original)
