"""The import and sync subcommands from the command line (on a sandbox kept in a file)."""

from __future__ import annotations

import io
from pathlib import Path

from notion_mcp.commands import Io, run
from notion_mcp.sandbox import SEED

ENV = {"NOTION_MCP_RATE_LIMIT": "0"}


def cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(args), Io(out, err, dict(ENV)))
    return code, out.getvalue(), err.getvalue()


def test_import_then_sync_with_a_dry_run_and_a_conflict_free_push(tmp_path: Path) -> None:
    workspace = str(tmp_path / "ws.sqlite")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "Plan.md").write_text("# Plan\n\nStep one.\n")
    code, out, err = cli("import", str(folder), SEED.notes_page_id, "--sandbox", workspace)
    assert code == 0, err
    assert out.splitlines()[-1].startswith(
        "imported 1 pages, 0 databases (0 rows), 2 blocks, 0 files uploaded; 0 already there;"
    )

    synced = tmp_path / "synced"
    code, out, err = cli("sync", str(synced), SEED.welcome_page_id, "--sandbox", workspace, "--quiet")
    assert code == 0, err
    child = synced / "Welcome to the sandbox" / "Getting started.md"
    child.write_text(child.read_text().replace("pick a task.", "pick two."))
    code, out, err = cli("sync", str(synced), SEED.welcome_page_id, "--sandbox", workspace, "--dry-run")
    assert code == 0 and "would push: Welcome to the sandbox/Getting started.md" in out
    code, out, err = cli("sync", str(synced), SEED.welcome_page_id, "--sandbox", workspace, "--quiet")
    assert code == 0, err
    assert out.splitlines()[-1].startswith(
        "synced: 1 pages pushed, 1 pages read from Notion, 0 set aside; 0 conflicts;"
    )


def test_sync_needs_a_target_or_all(tmp_path: Path) -> None:
    code, _, err = cli("sync", str(tmp_path), "--sandbox")
    assert code == 2 and "give TARGET or --all" in err


def test_sync_of_rows_with_a_key_that_is_no_column_says_which_columns_there_are(tmp_path: Path) -> None:
    workspace = str(tmp_path / "ws.sqlite")
    synced = tmp_path / "synced"
    args = (str(synced), SEED.tasks_database_id, "--sandbox", workspace, "--quiet")
    code, _, err = cli("sync", *args)
    assert code == 0, err
    rows = synced / "Tasks" / "rows.csv"
    rows.write_text(rows.read_text().replace(",Medium,", ",Low,", 1))
    code, _, err = cli("sync", *args, "--key", "Email")
    assert code == 1
    assert err.strip().splitlines() == [
        "notion-mcp sync: --key: 'Email' is not a column of Tasks/rows.csv; its columns: Name, Status, "
        "Priority, Tags, Due, Assignee, Done, Estimate, Notes, Link, Blocked by, _id. Give one of them, "
        "or leave --key out to match rows by _id only."
    ]
    code, out, err = cli("sync", *args, "--key", "Name")
    assert code == 0 and "rows: Tasks/rows.csv edited here" in out, err
