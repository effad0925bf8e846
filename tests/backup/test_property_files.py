"""Files *properties* holding files Notion stores: the export downloads them into the row's
`Title.files/` and names them by that path in front matter and rows.csv (external files stay
links); import uploads them again; sync leaves an unchanged files cell alone and uploads the
files of a changed one."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from backup_env import Env, files_of, new_env

from backup.test_import import empty_parent, same_apart_from_ids
from backup.test_import_files import export_with_downloads
from notion_mcp.backup import layout
from notion_mcp.backup.restore import Importer
from notion_mcp.notion.uploads import local_file, upload_file
from notion_mcp.sandbox import SEED

from .test_sync import sync

pytestmark = pytest.mark.anyio
SPEC = bytes(range(256)) * 30
LINK = "https://example.com/a.pdf"


async def a_database_with_files(env: Env, folder: Path) -> tuple[str, str]:
    """A database `Docs` whose row `Spec` has a files property: an uploaded file and a link."""
    folder.mkdir()
    (folder / "spec.pdf").write_bytes(SPEC)
    upload = await upload_file(env.gateway, local_file(str(folder / "spec.pdf"), (str(folder),), 5, "test"))
    database = await env.gateway.create_database(
        {
            "parent": {"type": "page_id", "page_id": SEED.notes_page_id},
            "title": [{"text": {"content": "Docs"}}],
            "initial_data_source": {"properties": {"Name": {"title": {}}, "Attachments": {"files": {}}}},
        }
    )
    source = str(database["data_sources"][0]["id"])
    files = [
        {"name": "spec.pdf", "type": "file_upload", "file_upload": {"id": upload["id"]}},
        {"name": "a.pdf", "type": "external", "external": {"url": LINK}},
    ]
    row = await env.gateway.create_page(
        {
            "parent": {"type": "data_source_id", "data_source_id": source},
            "properties": {
                "Name": {"title": [{"text": {"content": "Spec"}}]},
                "Attachments": {"files": files},
            },
        }
    )
    return str(database["id"]), str(row["id"])


def downloaded(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*.files/*") if p.is_file()}


def write_rows(root: Path, line: dict[str, str]) -> None:
    out = io.StringIO()
    writer = csv.DictWriter(out, list(line), lineterminator="\n")
    writer.writeheader()
    writer.writerow(line)
    (root / "rows.csv").write_text(out.getvalue())


def attachments(root: Path) -> str:
    return layout.read_rows_csv((root / "rows.csv").read_text())[0]["Attachments"]


async def test_export_downloads_a_files_property_and_import_uploads_it_again(tmp_path: Path) -> None:
    env = new_env()
    database, _ = await a_database_with_files(env, tmp_path / "src")
    await export_with_downloads(env, tmp_path / "first", database)
    first = tmp_path / "first" / "Docs"
    [(name, data)] = downloaded(first).items()
    assert data == SPEC and name.startswith("Spec.files/") and name.endswith("-spec.pdf")
    assert attachments(first) == f"{name}, {LINK}"  # relative to rows.csv, as to Spec.md
    meta, _ = layout.read_page_file((first / "Spec.md").read_text())
    assert meta["properties"]["Attachments"] == [name, LINK]

    parent = await empty_parent(env)
    importer = Importer(env.gateway, tmp_path / "first", parent)
    stats = await importer.run()
    assert stats.files_left_out == [] and importer.files.uploaded == 1
    await export_with_downloads(env, tmp_path / "again", parent)
    again = tmp_path / "again" / "Restored" / "Docs"
    assert downloaded(again) == downloaded(first)  # same names, same bytes
    for path in ("rows.csv", "Spec.md"):
        texts = [same_apart_from_ids((root / path).read_text()) for root in (first, again)]
        assert texts[0] == texts[1], path


async def test_a_sync_with_the_files_cell_unchanged_never_sends_the_property(tmp_path: Path) -> None:
    env = new_env()
    database, row = await a_database_with_files(env, tmp_path / "src")
    await sync(env, tmp_path / "out", database)
    root = tmp_path / "out" / "Docs"
    before = files_of(tmp_path / "out")
    sent: list[Any] = []
    update = env.gateway.update_page

    async def spy(page_id: str, body: Any) -> Any:
        sent.append(body)
        return await update(page_id, body)

    env.gateway.update_page = spy  # type: ignore[method-assign]
    report = await sync(env, tmp_path / "out", database)
    assert report.ok and report.planned == [] and sent == [] and files_of(tmp_path / "out") == before

    rows_file = root / "rows.csv"  # another cell of the row changes here: only it is sent
    rows_file.write_text(rows_file.read_text().replace("Spec,", "Spec v2,", 1))
    spec = root / "Spec.md"
    spec.write_text(spec.read_text() + "\nA new paragraph.\n")  # and its page: no property sent
    report = await sync(env, tmp_path / "out", database)
    assert report.ok, report
    assert all("Attachments" not in (body.get("properties") or {}) for body in sent), sent
    files = (await env.gateway.retrieve_page(row))["properties"]["Attachments"]["files"]
    assert [f["name"] for f in files] == ["spec.pdf", "a.pdf"]


async def test_a_changed_files_cell_uploads_the_new_file_once(tmp_path: Path) -> None:
    env = new_env()
    database, row = await a_database_with_files(env, tmp_path / "src")
    await sync(env, tmp_path / "out", database)
    root = tmp_path / "out" / "Docs"
    (root / "Spec.files" / "notes.txt").write_bytes(b"new notes")
    [line] = layout.read_rows_csv((root / "rows.csv").read_text())
    line["Attachments"] += ", Spec.files/notes.txt"
    write_rows(root, line)
    report = await sync(env, tmp_path / "out", database)
    assert report.ok, report
    files = (await env.gateway.retrieve_page(row))["properties"]["Attachments"]["files"]
    assert [f["type"] for f in files] == ["file", "external", "file"]
    assert [files[0]["name"], files[2]["name"]] == ["spec.pdf", "notes.txt"]
    assert files[1]["external"]["url"] == LINK
    pulled = attachments(root).split(", ")
    assert len(pulled) == 3 and pulled[1] == LINK and pulled[2].endswith("-notes.txt")
    assert (root / pulled[2]).is_file()
    report = await sync(env, tmp_path / "out", database)  # and again: nothing more is sent
    assert report.ok and report.planned == []
    assert len((await env.gateway.retrieve_page(row))["properties"]["Attachments"]["files"]) == 3
