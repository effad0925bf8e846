"""Local files and URLs into Notion through the file-uploads API, through the MCP client against
the sandbox: allowed folders only, links and devices refused, size checked before reading,
multi-part above 20 MiB, URL import; the uploaded bytes come back through the download link."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sandbox_client import call, sandbox_client, text_of

from notion_mcp.sandbox import Sandbox

pytestmark = pytest.mark.anyio

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


async def new_page(client: Any) -> str:
    made = await call(client, "notion_pages", operation="create", parent={"workspace": True}, title="Files")
    found = re.match(r"Created page ([0-9a-f]{32})", made)
    assert found, made
    return found.group(1)


async def append(client: Any, page_id: str, markdown: str) -> Any:
    return await client.call_tool(
        "notion_blocks", {"operation": "append", "parent_block_id": page_id, "markdown": markdown}
    )


async def download(sandbox: Sandbox, url: str) -> httpx.Response:
    async with httpx.AsyncClient(transport=sandbox.transport(), base_url=Sandbox.base_url) as http:
        return await http.get(url)


def links(text: str) -> list[str]:
    return re.findall(r"http://sandbox\.notion\.local/files/[^\s)\"]+", text)


def uploads_made(sandbox: Sandbox) -> int:
    return sandbox.counters["POST /v1/file_uploads"]


async def test_a_local_image_in_markdown_is_uploaded_and_reads_back_through_its_link(tmp_path: Path) -> None:
    (tmp_path / "chart.png").write_bytes(PNG)
    async with sandbox_client(upload_roots=(str(tmp_path),)) as (client, sandbox):
        page_id = await new_page(client)
        result = await append(client, page_id, '![The chart](./chart.png)\n\n<file src="chart.png"/>')
        assert not result.is_error, text_of(result)
        plain = await call(client, "notion_pages", operation="retrieve", page_id=page_id)
        full = await call(client, "notion_pages", operation="retrieve", page_id=page_id, file_urls=True)
        got = [await download(sandbox, link) for link in links(full)]
        sandbox.state.now = lambda: datetime.now(UTC) + timedelta(hours=2)
        late = await download(sandbox, links(full)[0])
    assert uploads_made(sandbox) == 1  # one path, uploaded once
    assert "![The chart](notion-file:" in plain
    assert len(got) == 2 and all(r.status_code == 200 and r.content == PNG for r in got)
    assert late.status_code == 403  # the link expires


async def test_without_allowed_folders_a_local_file_is_refused_and_says_how_to_allow_one(
    tmp_path: Path,
) -> None:
    (tmp_path / "chart.png").write_bytes(PNG)
    async with sandbox_client() as (client, sandbox):
        page_id = await new_page(client)
        result = await append(client, page_id, f"![c]({tmp_path / 'chart.png'})")
    assert result.is_error and "NOTION_MCP_UPLOAD_ROOTS" in text_of(result)
    assert uploads_made(sandbox) == 0


async def test_a_path_outside_the_allowed_folders_is_refused(tmp_path: Path) -> None:
    allowed, other = tmp_path / "allowed", tmp_path / "other"
    allowed.mkdir()
    other.mkdir()
    (other / "secret.png").write_bytes(PNG)
    async with sandbox_client(upload_roots=(str(allowed),)) as (client, sandbox):
        page_id = await new_page(client)
        absolute = await append(client, page_id, f"![c]({other / 'secret.png'})")
        climbing = await append(client, page_id, "![c](../other/secret.png)")
    for result in (absolute, climbing):
        assert result.is_error and "outside the folders allowed" in text_of(result), text_of(result)
    assert uploads_made(sandbox) == 0


async def test_a_link_that_leads_out_of_an_allowed_folder_is_refused(tmp_path: Path) -> None:
    allowed, other = tmp_path / "allowed", tmp_path / "other"
    allowed.mkdir()
    other.mkdir()
    (other / "secret.png").write_bytes(PNG)
    (allowed / "innocent.png").symlink_to(other / "secret.png")
    async with sandbox_client(upload_roots=(str(allowed),)) as (client, sandbox):
        page_id = await new_page(client)
        result = await append(client, page_id, "![c](./innocent.png)")
    assert result.is_error and "a link that leads out" in text_of(result), text_of(result)
    assert uploads_made(sandbox) == 0


async def test_a_device_or_pipe_is_never_read(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.png")
    (tmp_path / "null.png").symlink_to("/dev/null")
    async with sandbox_client(upload_roots=(str(tmp_path),)) as (client, sandbox):
        page_id = await new_page(client)
        pipe = await append(client, page_id, "![c](./pipe.png)")
        null = await append(client, page_id, "![c](./null.png)")
    assert pipe.is_error and "not a regular file" in text_of(pipe)
    assert null.is_error and "outside the folders allowed" in text_of(null)
    assert uploads_made(sandbox) == 0


async def test_a_file_over_the_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "big.pdf"
    with big.open("wb") as handle:
        handle.truncate(2 * 1024 * 1024 + 1)  # sparse: its size is known without writing it
    async with sandbox_client(upload_roots=(str(tmp_path),), upload_max_mb=2) as (client, sandbox):
        page_id = await new_page(client)
        result = await append(client, page_id, '<pdf src="./big.pdf"/>')
    assert result.is_error and "the largest upload allowed is 2 MiB" in text_of(result)
    assert uploads_made(sandbox) == 0


async def test_a_file_over_20_mib_goes_in_parts_and_comes_back_whole(tmp_path: Path) -> None:
    data = os.urandom(1024) * (25 * 1024)  # 25 MiB: parts of 10, 10 and 5 MiB
    (tmp_path / "video.mp4").write_bytes(data)
    async with sandbox_client(upload_roots=(str(tmp_path),)) as (client, sandbox):
        page_id = await new_page(client)
        result = await append(client, page_id, '<video src="./video.mp4"/>')
        assert not result.is_error, text_of(result)
        full = await call(client, "notion_pages", operation="retrieve", page_id=page_id, file_urls=True)
        got = await download(sandbox, links(full)[0])
    assert sandbox.counters["POST /v1/file_uploads/{id}/send"] == 3
    assert sandbox.counters["POST /v1/file_uploads/{id}/complete"] == 1
    assert got.status_code == 200 and got.content == data


async def test_a_url_is_imported_into_notion(tmp_path: Path) -> None:
    async with sandbox_client() as (client, sandbox):
        page_id = await new_page(client)
        result = await append(client, page_id, "![logo](import:https://example.com/logo.png)")
        read = await call(client, "notion_pages", operation="retrieve", page_id=page_id)
        plain_http = await append(client, page_id, "![logo](import:http://example.com/logo.png)")
    assert not result.is_error, text_of(result)
    assert "![logo](notion-file:" in read  # a file Notion keeps, not a link to example.com
    assert uploads_made(sandbox) == 1
    assert plain_http.is_error and "only https" in text_of(plain_http)


async def test_a_local_file_becomes_a_page_icon_and_cover(tmp_path: Path) -> None:
    (tmp_path / "icon.png").write_bytes(PNG)
    async with sandbox_client(upload_roots=(str(tmp_path),)) as (client, _):
        page_id = await new_page(client)
        updated = await call(
            client, "notion_pages", operation="update", page_id=page_id, icon="./icon.png", cover="icon.png"
        )
        named = await client.call_tool(
            "notion_pages", {"operation": "update", "page_id": page_id, "icon": "rocket"}
        )
    assert "icon Notion file" in updated or "icon" in updated
    assert "one emoji" in text_of(named)  # a word is not taken for a file


async def test_an_edit_and_a_files_property_upload_local_files_too(tmp_path: Path) -> None:
    (tmp_path / "chart.png").write_bytes(PNG)
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.4 tiny")
    async with sandbox_client(upload_roots=(str(tmp_path),)) as (client, sandbox):
        page_id = await new_page(client)
        await append(client, page_id, "Chart goes here.")
        edited = await call(
            client,
            "notion_pages",
            operation="update",
            page_id=page_id,
            edits=[{"old": "Chart goes here.", "new": "![Chart](./chart.png)"}],
        )
        made = await call(
            client,
            "notion_databases",
            operation="create",
            parent={"page_id": page_id},
            title="Docs",
            properties={"Name": {"title": {}}, "Attachment": {"files": {}}},
        )
        database_id = re.search(r"Created database ([0-9a-f]{32})", made)
        assert database_id, made
        row = await call(
            client,
            "notion_pages",
            operation="create",
            parent={"database_id": database_id.group(1)},
            title="Q3",
            properties={"Attachment": "./report.pdf"},
        )
        row_id = re.match(r"Created page ([0-9a-f]{32})", row)
        assert row_id, row
        read_row = await call(
            client, "notion_pages", operation="retrieve", page_id=row_id.group(1), format="json"
        )
        page = await call(client, "notion_pages", operation="retrieve", page_id=page_id, file_urls=True)
        got = await download(sandbox, links(page)[0])
    assert "1 inserted" in edited and "1 trashed" in edited
    assert got.content == PNG
    assert '"type":"file"' in read_row and "/files/" in read_row, read_row
    assert uploads_made(sandbox) == 2
