"""`export` on the sandbox: layout, incremental re-runs, resuming after a kill, files, deletions,
and the blocks of recorded real pages."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from backup_env import files_of, new_env

from notion_mcp.backup import layout
from notion_mcp.backup.export import Exporter
from notion_mcp.backup.manifest import Manifest
from notion_mcp.commands import Io, run
from notion_mcp.config import Settings
from notion_mcp.errors import NotionAPIError
from notion_mcp.markdown import markdown_to_blocks
from notion_mcp.sandbox import SEED
from notion_mcp.server import make_gateway

pytestmark = pytest.mark.anyio


async def test_the_seeded_workspace_exports_as_pages_folders_and_a_database_folder(tmp_path: Path) -> None:
    env = new_env()
    stats = await env.export(tmp_path)
    files = files_of(tmp_path)
    assert "Welcome to the sandbox.md" in files
    assert "Welcome to the sandbox/Getting started.md" in files  # a child page: a folder beside
    assert "Project notes/Tasks/_schema.yaml" in files and "Project notes/Tasks/rows.csv" in files
    rows = layout.read_rows_csv(files["Project notes/Tasks/rows.csv"])
    assert len(rows) == 30 and rows[0]["_id"] and "Status" in rows[0]
    assert sum(p.startswith("Project notes/Tasks/") and p.endswith(".md") for p in files) == 30
    meta, body = layout.read_page_file(files["Welcome to the sandbox.md"])
    assert meta["id"] == SEED.welcome_page_id and meta["title"] == "Welcome to the sandbox"
    assert meta["icon"] == "👋" and meta["parent"] == {"type": "workspace"}
    assert " ^" in body  # block IDs, which the markdown reader ignores:
    assert markdown_to_blocks(body.replace('<page url="', '<page url="').split("<page")[0])
    schema = layout.read_schema(files["Project notes/Tasks/_schema.yaml"])
    assert schema["properties"]["Status"]["type"] == "status"
    assert stats.pages_read == 33 and stats.databases == 1 and stats.rows == 30
    assert not list(tmp_path.rglob("*.tmp"))


async def test_a_no_change_rerun_costs_the_index_and_one_query_and_rewrites_nothing(tmp_path: Path) -> None:
    env = new_env()
    await env.export(tmp_path)
    first = env.requests()
    before = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*.md")}
    stats = await env.export(tmp_path)
    assert env.requests() - first == 2  # one search page (under 100 objects) + one rows query
    assert stats.pages_read == 0 and stats.pages_unchanged == 33
    assert {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*.md")} == before
    assert (env.requests() - first) / first <= 0.05


async def test_an_edited_block_rereads_only_its_page(tmp_path: Path) -> None:
    env = new_env()
    await env.export(tmp_path)
    children = await env.gateway.list_children(SEED.notes_page_id)
    first = children["results"][1]
    await env.gateway.update_block(
        first["id"], {"paragraph": {"rich_text": [{"text": {"content": "Edited."}}]}}
    )
    stats = await env.export(tmp_path)
    assert stats.pages_read == 1
    assert "Edited." in (tmp_path / "Project notes.md").read_text()


async def test_an_edit_in_the_minute_of_the_export_is_not_missed(tmp_path: Path) -> None:
    """Notion stamps last_edited_time to the minute: a page edited in the minute of the export,
    then again after the export read it, keeps the same stamp — the manifest cannot vouch for it."""
    env = new_env()
    block = (await env.gateway.list_children(SEED.notes_page_id))["results"][1]["id"]

    async def write(text: str) -> None:
        await env.gateway.update_block(block, {"paragraph": {"rich_text": [{"text": {"content": text}}]}})

    await write("Before the export.")  # the clock stays in this minute until after the export
    await env.exporter(tmp_path).run(None)
    await write("After the export, same minute.")
    env.clock.advance()
    stats = await env.exporter(tmp_path).run(None)
    assert "After the export, same minute." in (tmp_path / "Project notes.md").read_text()
    assert stats.pages_read == 1


@pytest.mark.parametrize("kill_at", [3, 12, 25, 40])
async def test_an_export_killed_at_any_request_resumes_to_the_same_files(
    tmp_path: Path, kill_at: int
) -> None:
    env = new_env()
    await env.export(tmp_path / "clean")
    env.sandbox.faults.add("*", "*", "500", after=kill_at, count=1)
    with pytest.raises(NotionAPIError):
        await env.export(tmp_path / "out")
    assert not list((tmp_path / "out").rglob("*.tmp"))
    for path, text in files_of(tmp_path / "out").items():  # whatever is there is whole
        if path.endswith(".md"):
            assert layout.read_page_file(text)[0]["id"]
    saved = [e for e in Manifest.load(tmp_path / "out").entries.values() if e.kind == "page"]
    resumed = await env.export(tmp_path / "out")
    assert files_of(tmp_path / "out") == files_of(tmp_path / "clean")
    assert resumed.pages_read == 33 - len(saved)  # what was saved was not read again


async def test_files_stored_by_notion_are_downloaded_and_linked_relatively(tmp_path: Path) -> None:
    env = new_env()
    image = {
        "type": "image",
        "image": {"type": "file", "file": {"url": "https://s3.example/a/cat%20pic.png?sig=1"}},
    }
    await env.gateway.append_children(SEED.notes_page_id, [image])
    await env.export(tmp_path)
    saved = list((tmp_path / "Project notes.files").iterdir())
    assert len(saved) == 1 and saved[0].name.endswith("-cat pic.png")
    assert saved[0].read_bytes() == b"bytes of https://s3.example/a/cat%20pic.png?sig=1"
    text = (tmp_path / "Project notes.md").read_text()
    assert f"](Project%20notes.files/{saved[0].name.replace(' ', '%20')})" in text
    assert "notion-file:" not in text


async def test_a_trashed_page_is_set_aside_never_deleted(tmp_path: Path) -> None:
    env = new_env()
    await env.export(tmp_path)
    await env.gateway.update_page(SEED.getting_started_page_id, {"in_trash": True})
    stats = await env.export(tmp_path)
    assert stats.removed == 1
    assert not (tmp_path / "Welcome to the sandbox/Getting started.md").exists()
    kept = list((tmp_path / ".notion-mcp" / "removed").rglob("Getting started.md"))
    assert len(kept) == 1
    assert SEED.getting_started_page_id not in Manifest.load(tmp_path).entries


async def test_a_single_page_target_exports_it_and_its_children_only(tmp_path: Path) -> None:
    env = new_env()
    await env.export(tmp_path, SEED.welcome_page_id)
    assert set(files_of(tmp_path)) == {
        "Welcome to the sandbox.md",
        "Welcome to the sandbox/Getting started.md",
    }
    with pytest.raises(Exception, match="holds an export of"):
        await env.export(tmp_path, SEED.notes_page_id)


async def test_a_database_target_exports_its_folder(tmp_path: Path) -> None:
    env = new_env()
    await env.export(tmp_path, f"https://www.notion.so/Tasks-{SEED.tasks_database_id.replace('-', '')}")
    files = files_of(tmp_path)
    assert "Tasks/rows.csv" in files and len(files) == 32


RECORDED_BLOCKS = Path(__file__).parents[1] / "fixtures" / "recordings" / "ultimate-notion" / "test_blocks"


def _recorded_pages() -> list[list[dict[str, Any]]]:
    """Each recorded children listing of real pages' blocks (libyaml: the recordings are large)."""
    pages = []
    for path in sorted(RECORDED_BLOCKS.glob("*.yaml")):
        data = yaml.load(path.read_text(), Loader=yaml.CSafeLoader)
        for interaction in data.get("interactions") or []:
            response = interaction.get("response") or {}
            raw = response.get("content") or (response.get("body") or {}).get("string")
            try:
                body = json.loads(raw)
            except (TypeError, ValueError):
                continue
            blocks = [r for r in body.get("results") or [] if r.get("object") == "block"]
            if len(blocks) > 1:
                pages.append(blocks)
    return pages


async def test_recorded_real_pages_export_and_read_back(tmp_path: Path) -> None:
    """Every recorded list of blocks, served as a page's content by a mock Notion."""
    pages = _recorded_pages()
    ids = [f"00000000-0000-4000-8000-{n:012x}" for n in range(len(pages))]
    by_id = dict(zip(ids, pages, strict=True))

    def page(i: str) -> dict[str, Any]:
        title = [{"type": "text", "plain_text": i, "text": {"content": i}}]
        return {"object": "page", "id": i, "parent": {"type": "workspace", "workspace": True},
                "last_edited_time": "2026-01-01T00:00:00.000Z",
                "properties": {"title": {"id": "title", "type": "title", "title": title}}}  # fmt: skip

    def answer(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/v1/search":
            return httpx.Response(200, json={"object": "list", "results": [page(i) for i in ids],
                                             "has_more": False, "next_cursor": None})  # fmt: skip
        if not path.endswith("/children"):  # a child page or database of a recording: not shared
            return httpx.Response(404, json={"object": "error", "status": 404, "code": "object_not_found",
                                             "message": "Could not find it."})  # fmt: skip
        parent = path.split("/")[3]
        blocks = [{**b, "has_children": False} for b in by_id.get(parent, [])]
        return httpx.Response(200, json={"object": "list", "results": blocks, "has_more": False,
                                         "next_cursor": None})  # fmt: skip

    gateway = make_gateway(
        Settings(sandbox=":memory:", rate_limit=0), httpx.MockTransport(answer), "http://x"
    )

    async def download(url: str) -> bytes:
        return b"x"

    stats = await Exporter(gateway, tmp_path, download=download).run(None)
    assert stats.pages_read == len(pages) > 10
    for path, text in files_of(tmp_path).items():
        if path.endswith(".md"):
            _, body = layout.read_page_file(text)
            assert "notion-file:" not in body, path


def test_the_export_command_prints_lines_off_a_terminal_and_a_summary(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    code = run(["export", "--all", str(tmp_path), "--sandbox"], Io(out, err, {"NOTION_MCP_RATE_LIMIT": "0"}))
    assert code == 0, err.getvalue()
    lines = out.getvalue().splitlines()
    assert "Welcome to the sandbox.md" in lines
    assert lines[-1].startswith("exported 33 pages read, 0 unchanged, 1 databases (30 rows)")
    assert "49 requests" in lines[-1]
    quiet = io.StringIO()
    assert run(["export", "--all", str(tmp_path), "--sandbox", "--quiet"], Io(quiet, err, {})) == 0
    assert len(quiet.getvalue().splitlines()) == 1


def test_export_needs_a_target_or_all(tmp_path: Path) -> None:
    err = io.StringIO()
    assert run(["export", str(tmp_path), "--sandbox"], Io(io.StringIO(), err, {})) == 2
    assert "give TARGET or --all" in err.getvalue()


async def _a_column_of_the_welcome_page(env: Any) -> str:
    blocks = (await env.gateway.list_children(SEED.welcome_page_id, None, 100))["results"]
    columns = next(b for b in blocks if b["type"] == "column_list")
    return str((await env.gateway.list_children(columns["id"], None, 100))["results"][0]["id"])


@pytest.mark.parametrize("where", ["toggle", "column"])
async def test_all_puts_a_page_under_a_block_beside_the_page_holding_that_block(
    tmp_path: Path, where: str
) -> None:
    """A page whose parent is a block (inside the welcome page's toggle, or in a column: two
    blocks deep) is that page's child in the export, not a top-level page; a no-change re-run
    does not look for it again."""
    env = new_env()
    block = SEED.toggle_block_id if where == "toggle" else await _a_column_of_the_welcome_page(env)
    body = {
        "parent": {"page_id": SEED.welcome_page_id},
        "properties": {"title": {"title": [{"text": {"content": "Inside the toggle"}}]}},
    }
    page_id = str((await env.gateway.create_page(body))["id"])
    env.sandbox.store.set_parent(page_id, block)  # as Notion's app can do
    assert (await env.gateway.retrieve_page(page_id))["parent"]["type"] == "block_id"
    await env.export(tmp_path)
    files = files_of(tmp_path)
    assert "Welcome to the sandbox/Inside the toggle.md" in files
    assert "Inside the toggle.md" not in files
    assert Manifest.load(tmp_path).entries[page_id].parent == SEED.welcome_page_id
    before = env.requests()
    await env.export(tmp_path)
    assert env.requests() - before == 2 and set(files_of(tmp_path)) == set(files)
