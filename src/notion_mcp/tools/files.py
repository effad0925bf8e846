"""Local files and upload references in what a tool is about to send, turned into uploads.

Any `{"type": "external", "external": {"url": …}}` in a request — an image/file/pdf/audio/video
block (markdown `![c](./a.png)`, `<file src="./r.pdf"/>`), an item of a files property, an icon
or a cover — whose URL is a local path is uploaded (notion/uploads.py checks the allowed
folders) and sent as `{"type": "file_upload", …}`; `import:https://…` has Notion import the file
at that URL (external_url mode); `file-upload:<id>` names an upload already made. Each path is
uploaded once per call.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from notion_mcp.errors import InputError
from notion_mcp.markdown.ids import compact
from notion_mcp.notion.ids import normalize_id
from notion_mcp.notion.uploads import import_url, local_file, looks_local, upload_file
from notion_mcp.tools.context import Call

UPLOAD_PREFIX = "file-upload:"
IMPORT_PREFIX = "import:"  # import:https://… — Notion fetches the file and keeps a copy


def _local_refs(value: Any, found: list[str]) -> None:
    if isinstance(value, list):
        for item in value:
            _local_refs(item, found)
    elif isinstance(value, dict):
        url = _external_url(value)
        if url is not None and (looks_local(url) or url.startswith((UPLOAD_PREFIX, IMPORT_PREFIX))):
            found.append(url)
        for item in value.values():
            _local_refs(item, found)


def _external_url(value: dict[str, Any]) -> str | None:
    external = value.get("external")
    if value.get("type", "external") == "external" and isinstance(external, dict):
        url = external.get("url")
        return url if isinstance(url, str) else None
    return None


async def with_uploads(call: Call, value: Any, field: str) -> Any:
    """`value` with every local file uploaded (see the module docstring); unchanged without any."""
    refs: list[str] = []
    _local_refs(value, refs)
    if not refs:
        return value
    uploaded: dict[str, str] = {}
    by_path: dict[Path, str] = {}
    for ref in dict.fromkeys(refs):
        if ref.startswith(UPLOAD_PREFIX):
            uploaded[ref] = normalize_id(ref[len(UPLOAD_PREFIX) :], field)
            continue
        if ref.startswith(IMPORT_PREFIX):
            url = ref[len(IMPORT_PREFIX) :]
            if not url.startswith("https://"):
                raise InputError(f"{field}: {ref!r}: Notion imports only https:// URLs.")
            uploaded[ref] = str((await import_url(call.gateway, url))["id"])
            continue
        file = local_file(ref, call.settings.upload_roots, call.settings.upload_max_mb, field)
        if file.path not in by_path:  # ./a.png and a.png: one file, one upload

            async def progress(done: int, total: int | None, message: str) -> None:
                await call.progress(done, total, message)

            by_path[file.path] = str((await upload_file(call.gateway, file, progress))["id"])
        uploaded[ref] = by_path[file.path]
    return _replaced(value, uploaded)


def _replaced(value: Any, uploaded: dict[str, str]) -> Any:
    if isinstance(value, list):
        return [_replaced(item, uploaded) for item in value]
    if not isinstance(value, dict):
        return value
    url = _external_url(value)
    out = {k: _replaced(v, uploaded) for k, v in value.items()}
    if url is not None and url in uploaded:
        out.pop("external", None)
        out["type"] = "file_upload"
        out["file_upload"] = {"id": uploaded[url]}
    return out


def upload_ref(upload_id: str) -> str:
    return UPLOAD_PREFIX + compact(upload_id)
