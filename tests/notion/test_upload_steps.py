"""notion/uploads.py below the tools: which references are files on disk, the checks made before a
byte is read (with the messages a model acts on), how a file is cut into parts, and how a URL
import is waited for. The whole path through the server is in tests/tools/test_uploads.py; a URL
import that fails or takes long cannot be made there (the sandbox imports at once)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from notion_mcp.errors import InputError, NotionAPIError
from notion_mcp.notion import uploads
from notion_mcp.notion.uploads import MIB, LocalFile, import_url, local_file, looks_local, upload_file

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    "ref",
    ["./a.png", "/tmp/a.pdf", "a.pdf", "~/x", "~", "docs/readme", "a b.txt"],
)
def test_paths_are_local(ref: str) -> None:
    assert looks_local(ref)


@pytest.mark.parametrize(
    "ref",
    [
        "https://example.com/a.png",
        "http://example.com/a.png",
        "ftp://x/y.txt",
        "file-upload:1234",
        "notion-file:abc/def.png",
        "import:https://example.com/a.png",
        "import:a.png",
        "data:image/png;base64,AAAA",
        "mailto:a@b.c",
        "#heading.one",
        "rocket",
        "",
        "   ",
    ],
)
def test_urls_notion_files_anchors_and_words_are_not(ref: str) -> None:
    assert not looks_local(ref)


def test_nothing_local_is_allowed_without_roots(tmp_path: Path) -> None:
    (tmp_path / "a.png").write_bytes(b"x")
    with pytest.raises(InputError) as caught:
        local_file(str(tmp_path / "a.png"), (), 5, "icon")
    assert str(caught.value).startswith(f"icon: {str(tmp_path / 'a.png')!r} is a local file")
    assert "NOTION_MCP_UPLOAD_ROOTS" in str(caught.value) and os.pathsep in str(caught.value)


def test_a_relative_path_starts_at_the_first_root_and_any_root_allows(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    (first / "a.txt").write_bytes(b"hello")
    (second / "b.pdf").write_bytes(b"%PDF")
    (second / "noext").write_bytes(b"?")
    roots = (str(first), str(second))
    got = local_file("a.txt", roots, 1, "src")
    assert got == LocalFile(first / "a.txt", 5, "a.txt", "text/plain")
    assert local_file(str(second / "b.pdf"), roots, 1, "src").content_type == "application/pdf"
    assert local_file(str(second / "noext"), roots, 1, "src").content_type == "application/octet-stream"
    with pytest.raises(InputError) as caught:
        local_file("b.pdf", roots, 1, "src")
    assert str(caught.value) == f"src: 'b.pdf': no such file (relative paths start at {first})."


def test_the_root_itself_is_no_file_and_outside_is_refused_naming_the_roots(tmp_path: Path) -> None:
    inside, outside = tmp_path / "in", tmp_path / "out"
    inside.mkdir()
    outside.mkdir()
    (outside / "s.txt").write_bytes(b"s")
    (inside / "link.txt").symlink_to(outside / "s.txt")
    with pytest.raises(InputError, match=r"is not a regular file \(a folder"):
        local_file(str(inside), (str(inside),), 1, "src")
    with pytest.raises(InputError) as plain:
        local_file(str(outside / "s.txt"), (str(inside), str(tmp_path / "in2")), 1, "src")
    with pytest.raises(InputError) as linked:
        local_file("link.txt", (str(inside),), 1, "src")
    allowed = f"({inside}, {tmp_path / 'in2'})"
    assert f"is outside the folders allowed for uploads {allowed}. To allow another folder" in str(
        plain.value
    )
    assert "link" not in str(plain.value)
    assert f"({inside}; it is a link that leads out of them)" in str(linked.value)


def test_the_size_limit_is_checked_in_mib_before_reading(tmp_path: Path) -> None:
    exact, over = tmp_path / "exact.bin", tmp_path / "over.bin"
    for path, size in ((exact, 2 * MIB), (over, 2 * MIB + 1)):
        with path.open("wb") as handle:
            handle.truncate(size)
    assert local_file("exact.bin", (str(tmp_path),), 2, "f").size == 2 * MIB
    with pytest.raises(InputError) as caught:
        local_file("over.bin", (str(tmp_path),), 2, "f")
    assert str(caught.value) == (
        "f: 'over.bin' is 2.0 MiB; the largest upload allowed is 2 MiB (NOTION_MCP_UPLOAD_MAX_MB). "
        "Nothing was read or sent."
    )


class FakeUploads:
    """The gateway's file-upload calls, recorded; an import answers `statuses` in turn."""

    def __init__(self, statuses: list[dict[str, Any]] | None = None) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.statuses = statuses or []

    async def create_file_upload(self, body: dict[str, Any]) -> dict[str, Any]:
        self.calls.append(("create", body))
        return {"id": "up1", **(self.statuses.pop(0) if self.statuses else {})}

    async def send_file_upload(
        self, upload_id: str, filename: str, data: bytes, content_type: str, part: int | None = None
    ) -> dict[str, Any]:
        self.calls.append(("send", upload_id, filename, len(data), data[:1], content_type, part))
        return {"id": upload_id, "status": "uploaded" if part is None else "pending"}

    async def complete_file_upload(self, upload_id: str) -> dict[str, Any]:
        self.calls.append(("complete", upload_id))
        return {"id": upload_id, "status": "uploaded"}

    async def retrieve_file_upload(self, upload_id: str) -> dict[str, Any]:
        self.calls.append(("retrieve", upload_id))
        return {"id": upload_id, **self.statuses.pop(0)}


def sparse(path: Path, size: int) -> LocalFile:
    with path.open("wb") as handle:
        handle.truncate(size)
        if size:
            handle.seek(size - 1)
            handle.write(b"z")
    return LocalFile(path, size, path.name, "video/mp4")


async def test_up_to_20_mib_goes_in_one_part(tmp_path: Path) -> None:
    fake = FakeUploads()
    done = await upload_file(fake, sparse(tmp_path / "v.mp4", 20 * MIB))  # type: ignore[arg-type]
    assert done == {"id": "up1", "status": "uploaded"}
    assert fake.calls == [
        ("create", {"mode": "single_part", "filename": "v.mp4", "content_type": "video/mp4"}),
        ("send", "up1", "v.mp4", 20 * MIB, b"\0", "video/mp4", None),
    ]


async def test_a_file_that_grew_after_its_check_is_sent_as_checked(tmp_path: Path) -> None:
    (tmp_path / "log.txt").write_bytes(b"0123456789")
    fake = FakeUploads()
    await upload_file(fake, LocalFile(tmp_path / "log.txt", 4, "log.txt", "text/plain"))  # type: ignore[arg-type]
    assert fake.calls[-1] == ("send", "up1", "log.txt", 4, b"0", "text/plain", None)


async def test_above_20_mib_parts_of_10_mib_are_sent_in_order_with_progress(tmp_path: Path) -> None:
    fake = FakeUploads()
    seen: list[tuple[int, int | None, str]] = []

    async def progress(done: int, total: int | None, message: str) -> None:
        seen.append((done, total, message))

    done = await upload_file(fake, sparse(tmp_path / "v.mp4", 20 * MIB + 1), progress)  # type: ignore[arg-type]
    assert done == {"id": "up1", "status": "uploaded"}
    assert fake.calls == [
        (
            "create",
            {"mode": "multi_part", "filename": "v.mp4", "content_type": "video/mp4", "number_of_parts": 3},
        ),
        ("send", "up1", "v.mp4", 10 * MIB, b"\0", "video/mp4", 1),
        ("send", "up1", "v.mp4", 10 * MIB, b"\0", "video/mp4", 2),
        ("send", "up1", "v.mp4", 1, b"z", "video/mp4", 3),
        ("complete", "up1"),
    ]
    assert seen == [(n, 3, f"sent part {n} of 3 of v.mp4") for n in (1, 2, 3)]
    assert await upload_file(FakeUploads(), sparse(tmp_path / "w.mp4", 30 * MIB)) is not None  # type: ignore[arg-type]


@pytest.fixture
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(uploads.anyio, "sleep", sleep)
    return slept


@pytest.mark.parametrize(
    ("url", "filename", "name"),
    [
        ("https://example.com/a/logo.png?v=2", None, "logo.png"),
        ("https://example.com/a/", None, "a"),
        ("https://example.com/a/logo.png", "given.png", "given.png"),
        ("https://example.com/?x", None, "file"),
        ("https://example.com/a/MAX/", None, "MAX"),
    ],
)
async def test_an_import_names_the_file_after_the_url(
    url: str, filename: str | None, name: str, no_sleep: list[float]
) -> None:
    fake = FakeUploads([{"status": "uploaded"}])
    assert (await import_url(fake, url, filename))["status"] == "uploaded"  # type: ignore[arg-type]
    assert fake.calls == [("create", {"mode": "external_url", "external_url": url, "filename": name})]
    assert no_sleep == []


async def test_an_import_is_looked_at_a_second_apart_until_uploaded(no_sleep: list[float]) -> None:
    fake = FakeUploads([{"status": "pending"}, {"status": "pending"}, {"status": "uploaded", "n": 3}])
    done = await import_url(fake, "https://example.com/x.png")  # type: ignore[arg-type]
    assert done == {"id": "up1", "status": "uploaded", "n": 3}
    assert no_sleep == [1, 1] and [c[0] for c in fake.calls] == ["create", "retrieve", "retrieve"]


@pytest.mark.parametrize(
    "answer",
    [
        {"status": "failed", "file_import_result": {"type": "error", "error": {"message": "HTTP 404"}}},
        {"status": "pending", "file_import_result": {"type": "error", "error": {"message": "HTTP 404"}}},
    ],
)
async def test_a_failed_import_says_why(answer: dict[str, Any], no_sleep: list[float]) -> None:
    fake = FakeUploads([{"status": "pending"}, answer])
    with pytest.raises(NotionAPIError) as caught:
        await import_url(fake, "https://example.com/x.png")  # type: ignore[arg-type]
    assert (caught.value.status, caught.value.code) == (400, "file_import_failed")
    assert caught.value.message == "Notion could not import https://example.com/x.png: HTTP 404"


async def test_a_failed_import_without_a_reason_still_fails(no_sleep: list[float]) -> None:
    with pytest.raises(NotionAPIError) as caught:
        await import_url(FakeUploads([{"status": "failed"}]), "https://e.com/x.png")  # type: ignore[arg-type]
    assert caught.value.message == "Notion could not import https://e.com/x.png: failed"


async def test_an_import_still_running_after_ten_looks_says_to_try_again(no_sleep: list[float]) -> None:
    fake = FakeUploads([{"status": "pending"}] * 11)
    with pytest.raises(InputError) as caught:
        await import_url(fake, "https://example.com/x.png")  # type: ignore[arg-type]
    assert str(caught.value) == (
        "Notion is still importing https://example.com/x.png (file upload up1); try again in a minute."
    )
    assert no_sleep == [1] * 10 and len(fake.calls) == 11
