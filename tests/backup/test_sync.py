"""`sync` on the sandbox: remote-only and local-only edits, both-changed conflicts, deletions and
new pages on each side, database rows by their key, --dry-run, and convergence after an
interruption at every request position."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import pytest
from backup_env import Env, files_of, new_env

from notion_mcp.backup import layout
from notion_mcp.backup.sync import Syncer
from notion_mcp.errors import NotionMCPError
from notion_mcp.sandbox import SEED

pytestmark = pytest.mark.anyio
WELCOME = "Welcome to the sandbox.md"
CHILD = "Welcome to the sandbox/Getting started.md"


async def sync(env: Env, root: Path, target: str | None = SEED.welcome_page_id, **options: bool):  # type: ignore[no-untyped-def]
    env.clock.advance()
    report = await Syncer(env.gateway, root, target, download=env.download, now=env.clock, **options).run()
    env.clock.advance()
    return report


async def paragraphs(env: Env, page_id: str) -> list[tuple[str, str]]:
    found = (await env.gateway.list_children(page_id))["results"]
    return [(b["id"], "".join(t["plain_text"] for t in b[b["type"]].get("rich_text", []))) for b in found]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, text
    path.write_text(text.replace(old, new, 1))


async def synced_env(tmp_path: Path) -> Env:
    env = new_env()
    await sync(env, tmp_path)
    return env


async def test_the_first_sync_exports_and_a_quiet_second_changes_nothing(tmp_path: Path) -> None:
    env = await synced_env(tmp_path)
    assert set(files_of(tmp_path)) == {WELCOME, CHILD}
    before = env.requests()
    report = await sync(env, tmp_path)
    assert report.ok and report.planned == [] and report.pushed == 0
    assert env.requests() - before == 1  # the index


async def test_a_remote_edit_is_pulled(tmp_path: Path) -> None:
    env = await synced_env(tmp_path)
    block = (await paragraphs(env, SEED.getting_started_page_id))[1][0]
    await env.gateway.update_block(
        block, {"paragraph": {"rich_text": [{"text": {"content": "From Notion."}}]}}
    )
    report = await sync(env, tmp_path)
    assert report.ok and report.pushed == 0
    assert "From Notion." in (tmp_path / CHILD).read_text()


async def test_a_local_edit_is_pushed_as_one_block_update_keeping_the_block(tmp_path: Path) -> None:
    env = await synced_env(tmp_path)
    before = await paragraphs(env, SEED.getting_started_page_id)
    edit(tmp_path / CHILD, "Open the task database and pick a task.", "Open it and pick **one**.")
    report = await sync(env, tmp_path)
    assert report.ok and report.pushed == 1
    after = await paragraphs(env, SEED.getting_started_page_id)
    assert [i for i, _ in after] == [i for i, _ in before]  # same blocks, edited in place
    assert after[1][1] == "Open it and pick one."
    assert "Open it and pick **one**." in (tmp_path / CHILD).read_text()
    again = await sync(env, tmp_path)
    assert again.planned == []  # the pull wrote what was pushed: nothing left to do


async def test_added_and_removed_lines_are_appended_in_place_and_trashed(tmp_path: Path) -> None:
    env = await synced_env(tmp_path)
    path = tmp_path / CHILD
    text = path.read_text()
    text = re.sub(r"## Getting started( \^\w+)?\n", "## Getting started\n\nA new first line.\n", text)
    text = re.sub(r"<link_to_page[^\n]*\n", "", text) if "<link_to_page" in text else text
    path.write_text(text)
    report = await sync(env, tmp_path)
    assert report.ok, report
    texts = [t for _, t in await paragraphs(env, SEED.getting_started_page_id)]
    assert texts[:3] == ["Getting started", "A new first line.", "Open the task database and pick a task."]


async def test_both_sides_changed_is_a_conflict_file_and_a_failure_until_resolved(tmp_path: Path) -> None:
    env = await synced_env(tmp_path)
    block = (await paragraphs(env, SEED.getting_started_page_id))[1][0]
    await env.gateway.update_block(block, {"paragraph": {"rich_text": [{"text": {"content": "Theirs."}}]}})
    edit(tmp_path / CHILD, "Open the task database and pick a task.", "Ours.")
    report = await sync(env, tmp_path)
    assert not report.ok and report.conflicts == [CHILD]
    assert "Ours." in (tmp_path / CHILD).read_text()
    conflict = tmp_path / "Welcome to the sandbox/Getting started.conflict.md"
    assert "Theirs." in conflict.read_text()
    assert (await paragraphs(env, SEED.getting_started_page_id))[1][1] == "Theirs."  # not overwritten
    assert not (await sync(env, tmp_path)).ok  # still open
    conflict.unlink()  # resolved: the local file wins
    report = await sync(env, tmp_path)
    assert report.ok and report.pushed == 1
    assert (await paragraphs(env, SEED.getting_started_page_id))[1][1] == "Ours."


async def test_a_page_deleted_here_is_trashed_in_notion(tmp_path: Path) -> None:
    env = await synced_env(tmp_path)
    (tmp_path / CHILD).unlink()
    report = await sync(env, tmp_path)
    assert report.ok
    assert (await env.gateway.retrieve_page(SEED.getting_started_page_id))["in_trash"] is True
    assert not (tmp_path / CHILD).exists()


async def test_a_page_trashed_in_notion_is_set_aside_here(tmp_path: Path) -> None:
    env = await synced_env(tmp_path)
    await env.gateway.update_page(SEED.getting_started_page_id, {"in_trash": True})
    report = await sync(env, tmp_path)
    assert report.ok and not (tmp_path / CHILD).exists()
    assert list((tmp_path / ".notion-mcp" / "removed").rglob("Getting started.md"))


async def test_new_pages_on_each_side_appear_on_the_other(tmp_path: Path) -> None:
    env = await synced_env(tmp_path)
    (tmp_path / "Welcome to the sandbox" / "Local idea.md").write_text("# Idea\n\nWritten here.\n")
    title = {"title": [{"text": {"content": "Remote idea"}}]}
    await env.gateway.create_page(
        {"parent": {"page_id": SEED.welcome_page_id}, "properties": {"title": title}}
    )
    report = await sync(env, tmp_path)
    assert report.ok, report
    assert (tmp_path / "Welcome to the sandbox" / "Remote idea.md").is_file()
    local = layout.read_page_file((tmp_path / "Welcome to the sandbox" / "Local idea.md").read_text())
    assert local[0]["id"] and "Written here." in local[1]
    made = await env.gateway.retrieve_page(local[0]["id"])
    assert made["parent"]["page_id"] == SEED.welcome_page_id
    assert [t for _, t in await paragraphs(env, local[0]["id"])] == ["Idea", "Written here."]


async def test_dry_run_says_what_would_happen_and_changes_nothing(tmp_path: Path) -> None:
    env = await synced_env(tmp_path)
    edit(tmp_path / CHILD, "Open the task database and pick a task.", "Changed.")
    (tmp_path / "Welcome to the sandbox" / "New.md").write_text("New.\n")
    before = files_of(tmp_path)
    report = await sync(env, tmp_path, dry_run=True)
    assert report.planned == [f"push: {CHILD}", "create in Notion: Welcome to the sandbox/New.md"]
    assert files_of(tmp_path) == before
    assert (await paragraphs(env, SEED.getting_started_page_id))[1][1].startswith("Open the task")


async def test_rows_csv_syncs_rows_by_their_id(tmp_path: Path) -> None:
    env = new_env()
    await sync(env, tmp_path, SEED.tasks_database_id)
    csv_path = tmp_path / "Tasks" / "rows.csv"
    rows = layout.read_rows_csv(csv_path.read_text())
    lines = csv_path.read_text().splitlines()
    changed = next(line for line in lines if line.endswith(rows[0]["_id"]))
    removed = next(line for line in lines if line.endswith(rows[1]["_id"]))
    text = csv_path.read_text().replace(changed, changed.replace(rows[0]["Status"], "In progress", 1))
    text = text.replace(removed + "\n", "")
    text += "A task added here,Not started,High,,,,false,3,,,,\n"
    csv_path.write_text(text)
    report = await sync(env, tmp_path, SEED.tasks_database_id)
    assert report.ok, report
    first = await env.gateway.retrieve_page(rows[0]["_id"])
    assert first["properties"]["Status"]["status"]["name"] == "In progress"
    assert (await env.gateway.retrieve_page(rows[1]["_id"]))["in_trash"] is True
    after = layout.read_rows_csv(csv_path.read_text())
    assert len(after) == 30 and sum(r["Name"] == "A task added here" for r in after) == 1
    assert all(r["_id"] for r in after)


@pytest.mark.parametrize("kill_at", range(0, 12))
async def test_a_sync_interrupted_at_any_request_converges_without_duplicates_or_lost_edits(
    tmp_path: Path, kill_at: int
) -> None:
    env = await synced_env(tmp_path)
    edit(tmp_path / CHILD, "Open the task database and pick a task.", "Edited here.")
    (tmp_path / "Welcome to the sandbox" / "Local idea.md").write_text("Written here.\n\nAnd more.\n")
    fault = env.sandbox.faults.add("*", "*", "500", after=kill_at, count=1)
    with contextlib.suppress(NotionMCPError):
        await sync(env, tmp_path)
    assert fault.fired == 1  # the run was cut at request `kill_at` (every position is tried)
    env.sandbox.faults.clear()
    report = await sync(env, tmp_path)
    assert report.ok, report
    again = await sync(env, tmp_path)
    assert again.planned == [], again
    children = (await env.gateway.list_children(SEED.welcome_page_id))["results"]
    titles = [b["child_page"]["title"] for b in children if b["type"] == "child_page"]
    assert sorted(titles) == ["Getting started", "Local idea"]
    idea = next(
        b["id"] for b in children if b["type"] == "child_page" and b["child_page"]["title"] == "Local idea"
    )
    assert [t for _, t in await paragraphs(env, idea)] == ["Written here.", "And more."]
    assert [t for _, t in await paragraphs(env, SEED.getting_started_page_id)][1] == "Edited here."
