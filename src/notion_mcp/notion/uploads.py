"""Files into Notion through the file-uploads API: local files (allowed folders only) and URLs.

Rule for local files, and why: a model names paths, so a path is a request to read the user's
disk. A file is read only when, with every symbolic link resolved, it is a regular file inside a
folder the user listed in NOTION_MCP_UPLOAD_ROOTS (none by default), and its size, checked before
any byte is read, is within NOTION_MCP_UPLOAD_MAX_MB. A link that leads out of a root, a device, a
pipe or a folder is refused like a path outside.

Sending (reference: "Uploading small files", "Uploading larger files", "Importing external
files"): up to 20 MiB in one part (create, send); above, parts of 10 MiB (create with
number_of_parts, send each part, complete). A part can be sent again (the gateway retries it);
creating an upload and completing it are not repeated blindly. A URL is imported with
mode external_url; Notion fetches it, so the upload is looked at until it is uploaded or failed.
"""

from __future__ import annotations

import math
import mimetypes
import os
import stat
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

import anyio

from notion_mcp.errors import InputError, NotionAPIError
from notion_mcp.markdown.ids import compact
from notion_mcp.notion.gateway import NotionGateway

Json = dict[str, Any]
MIB = 1024 * 1024
SINGLE_PART_MAX = 20 * MIB
PART_SIZE = 10 * MIB
IMPORT_CHECKS = 10  # looks at an external_url import, a second apart, before giving up
HOW_TO_ALLOW = (
    "set NOTION_MCP_UPLOAD_ROOTS to the folder(s) it may read from (absolute paths, separated by "
    f"{os.pathsep!r}) and restart the server"
)


@dataclass(frozen=True)
class LocalFile:
    path: Path  # resolved
    size: int
    name: str
    content_type: str


def looks_local(ref: str) -> bool:
    """A reference to a file on disk rather than a URL (`./a.png`, `/tmp/a.pdf`, `a.pdf`, `~/x`)."""
    prefixes = ("file-upload:", "notion-file:", "import:", "data:", "mailto:", "#")
    if "://" in ref or ref.startswith(prefixes) or not ref.strip():
        return False
    return "/" in ref or ref.startswith("~") or bool(PurePath(ref).suffix)  # "rocket" is not a file


def local_file(ref: str, roots: tuple[str, ...], max_mb: int, field: str) -> LocalFile:
    """The file `ref` names, checked against the rule above (nothing is read here)."""
    if not roots:
        raise InputError(
            f"{field}: {ref!r} is a local file, and no folder is allowed for uploads: {HOW_TO_ALLOW}."
        )
    resolved_roots = [Path(r).expanduser().resolve() for r in roots]
    candidate = resolved_roots[0] / Path(ref).expanduser()  # an absolute path stays itself
    try:
        real = candidate.resolve(strict=True)
    except (OSError, RuntimeError):
        raise InputError(
            f"{field}: {ref!r}: no such file (relative paths start at {resolved_roots[0]})."
        ) from None
    if not any(real == root or real.is_relative_to(root) for root in resolved_roots):
        allowed = ", ".join(map(str, resolved_roots))
        link = "; it is a link that leads out of them" if real != candidate.absolute() else ""
        raise InputError(
            f"{field}: {ref!r} is outside the folders allowed for uploads ({allowed}{link}). "
            f"To allow another folder, {HOW_TO_ALLOW}."
        )
    info = real.stat()
    if not stat.S_ISREG(info.st_mode):
        raise InputError(
            f"{field}: {ref!r} is not a regular file (a folder, device or pipe is never uploaded)."
        )
    if info.st_size > max_mb * MIB:
        raise InputError(
            f"{field}: {ref!r} is {info.st_size / MIB:.1f} MiB; the largest upload allowed is {max_mb} MiB "
            "(NOTION_MCP_UPLOAD_MAX_MB). Nothing was read or sent."
        )
    content_type = mimetypes.guess_type(real.name)[0] or "application/octet-stream"
    return LocalFile(real, info.st_size, real.name, content_type)


Progress = Callable[[int, int | None, str], Awaitable[None]]


async def upload_file(gateway: NotionGateway, file: LocalFile, on_progress: Progress | None = None) -> Json:
    """The uploaded file's file_upload object (status uploaded)."""
    if file.size <= SINGLE_PART_MAX:
        upload = await gateway.create_file_upload(
            {"mode": "single_part", "filename": file.name, "content_type": file.content_type}
        )
        with file.path.open("rb") as handle:
            data = handle.read(file.size)  # no more than was checked, should it have grown
        return await gateway.send_file_upload(str(upload["id"]), file.name, data, file.content_type)
    parts = math.ceil(file.size / PART_SIZE)
    upload = await gateway.create_file_upload(
        {
            "mode": "multi_part",
            "filename": file.name,
            "content_type": file.content_type,
            "number_of_parts": parts,
        }
    )
    with file.path.open("rb") as handle:
        for part in range(1, parts + 1):
            data = handle.read(PART_SIZE)
            await gateway.send_file_upload(str(upload["id"]), file.name, data, file.content_type, part=part)
            if on_progress is not None:
                await on_progress(part, parts, f"sent part {part} of {parts} of {file.name}")
    return await gateway.complete_file_upload(str(upload["id"]))


async def import_url(gateway: NotionGateway, url: str, filename: str | None = None) -> Json:
    """A file Notion fetches from `url` (mode external_url), once it is uploaded."""
    name = filename or url.rstrip("/").rsplit("/", 1)[-1].split("?")[0] or "file"
    upload = await gateway.create_file_upload({"mode": "external_url", "external_url": url, "filename": name})
    for _ in range(IMPORT_CHECKS):
        if upload.get("status") == "uploaded":
            return upload
        result = upload.get("file_import_result") or {}
        if upload.get("status") == "failed" or result.get("type") == "error":
            error = result.get("error") or {}
            raise NotionAPIError(
                400, "file_import_failed", f"Notion could not import {url}: {error.get('message', 'failed')}"
            )
        await anyio.sleep(1)
        upload = await gateway.retrieve_file_upload(str(upload["id"]))
    raise InputError(
        f"Notion is still importing {url} (file upload {compact(upload['id'])}); try again in a minute."
    )
