"""`import` uploads the files of an export again (notion/uploads.py): export → import → export
gives the same files, byte for byte (blocks' files, Notion-hosted icons and covers); a link out
of the folder is refused and reported."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from backup_env import Env, new_env

from backup.test_import import empty_parent, same_apart_from_ids
from notion_mcp.backup.export import Exporter
from notion_mcp.backup.restore import Importer
from notion_mcp.notion.uploads import local_file, upload_file
from notion_mcp.sandbox import SEED, Sandbox

pytestmark = pytest.mark.anyio
EXPORTED_PREFIX = re.compile(r"(\.files/)[0-9a-f]{8}-")  # the block ID prefix of a downloaded file


async def export_with_downloads(env: Env, root: Path, target: str) -> None:
    """An export that fetches each file from the sandbox's download links (real bytes)."""
    async with httpx.AsyncClient(transport=env.sandbox.transport(), base_url=Sandbox.base_url) as http:

        async def download(url: str) -> bytes:
            answer = await http.get(url)
            answer.raise_for_status()
            return answer.content

        env.clock.advance()
        await Exporter(env.gateway, root, download=download, now=env.clock).run(target)
        env.clock.advance()


async def a_page_with_files(env: Env, folder: Path) -> str:
    folder.mkdir()
    (folder / "cat.png").write_bytes(bytes(range(256)) * 40)
    (folder / "report.pdf").write_bytes(b"%PDF-1.4 " + bytes(range(200, 256)) * 3)
    uploaded = {}
    for key, name in (("cat.png", "cat.png"), ("report.pdf", "report.pdf"), ("icon", "cat.png"),
                      ("cover", "report.pdf")):  # fmt: skip
        file = local_file(str(folder / name), (str(folder),), 5, "test")
        uploaded[key] = (await upload_file(env.gateway, file))["id"]
    body = {
        "parent": {"page_id": SEED.notes_page_id},
        "properties": {"title": {"title": [{"text": {"content": "Media"}}]}},
        "icon": {"type": "file_upload", "file_upload": {"id": uploaded["icon"]}},
        "cover": {"type": "file_upload", "file_upload": {"id": uploaded["cover"]}},
        "children": [
            {"type": "image", "image": {"type": "file_upload", "file_upload": {"id": uploaded["cat.png"]}}},
            {"type": "paragraph", "paragraph": {"rich_text": [{"text": {"content": "Between."}}]}},
            {"type": "pdf", "pdf": {"type": "file_upload", "file_upload": {"id": uploaded["report.pdf"]}}},
        ],
    }
    return str((await env.gateway.create_page(body))["id"])


def by_name(root: Path) -> dict[str, bytes]:
    return {EXPORTED_PREFIX.sub(r"\1", str(p.relative_to(root))): p.read_bytes()
            for p in root.rglob("*") if p.is_file() and ".files" in str(p.parent)}  # fmt: skip


async def test_export_import_export_gives_the_same_files_byte_for_byte(tmp_path: Path) -> None:
    env = new_env()
    page = await a_page_with_files(env, tmp_path / "src")
    await export_with_downloads(env, tmp_path / "first", page)
    first_files = by_name(tmp_path / "first")
    cat, report = (tmp_path / "src" / "cat.png").read_bytes(), (tmp_path / "src" / "report.pdf").read_bytes()
    assert first_files == {"Media.files/cat.png": cat, "Media.files/report.pdf": report,
                           "Media.files/icon-cat.png": cat,
                           "Media.files/cover-report.pdf": report}  # fmt: skip
    parent = await empty_parent(env)
    importer = Importer(env.gateway, tmp_path / "first", parent)
    stats = await importer.run()
    assert stats.files_left_out == [] and importer.files.uploaded == 4
    await export_with_downloads(env, tmp_path / "again", parent)
    again_files = {k.removeprefix("Restored/"): v for k, v in by_name(tmp_path / "again").items()}
    assert again_files == first_files
    first = (tmp_path / "first" / "Media.md").read_text()
    again = (tmp_path / "again" / "Restored" / "Media.md").read_text()
    assert "notion-file:" not in again and "](Media.files/" in again
    assert "icon: Media.files/icon-cat.png\ncover: Media.files/cover-report.pdf\n" in again
    assert EXPORTED_PREFIX.sub(r"\1", same_apart_from_ids(again)) == EXPORTED_PREFIX.sub(
        r"\1", same_apart_from_ids(first)
    )


async def test_files_url_links_instead_of_uploading(tmp_path: Path) -> None:
    (tmp_path / "Page.files").mkdir()
    (tmp_path / "Page.files" / "cat.png").write_bytes(b"png")
    (tmp_path / "Page.md").write_text("Before.\n\n![a cat](Page.files/cat.png)\n\nAfter.\n")
    env = new_env()
    parent = await empty_parent(env, "Linked")
    importer = Importer(env.gateway, tmp_path, parent, files_url="https://files.example/backup")
    await importer.run()
    assert importer.files.uploaded == 0
    await env.export(tmp_path / "out", parent)
    body = (tmp_path / "out" / "Linked" / "Page.md").read_text()
    assert "![a cat](https://files.example/backup/Page.files/cat.png)" in body


async def test_a_file_outside_the_folder_is_not_read_and_its_line_is_reported(tmp_path: Path) -> None:
    (tmp_path / "secret.png").write_bytes(b"not to be sent")
    folder = tmp_path / "backup"
    folder.mkdir()
    (folder / "Page.md").write_text("Kept.\n\n![x](../secret.png)\n\n[a local link](notes/other.md)\n")
    env = new_env()
    parent = await empty_parent(env)
    importer = Importer(env.gateway, folder, parent)
    stats = await importer.run()
    assert importer.files.uploaded == 0 and len(stats.files_left_out) == 2
    assert "outside the folders allowed" in stats.files_left_out[0]
    assert "a link to a local path" in stats.files_left_out[1]
    await env.export(tmp_path / "out", parent)
    body = (tmp_path / "out" / "Restored" / "Page.md").read_text()
    assert "Kept." in body and "secret" not in body and "local link" not in body
