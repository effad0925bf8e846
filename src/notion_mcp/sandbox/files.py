"""Uploaded files in use: a file_upload reference becomes a Notion-hosted ``file`` whose URL is
a download link of this sandbox, valid for an hour and renewed on every read (as Notion's are).
The lifecycle of an upload is in ``routes_uploads.py``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, quote

from notion_mcp.sandbox import rules
from notion_mcp.sandbox.blocks import NewBlock
from notion_mcp.sandbox.rules import JSON
from notion_mcp.sandbox.workspace import Workspace, iso_millis

LIFETIME = timedelta(hours=1)
MAX_FORM_PART = 21 * 1024 * 1024  # above a part's 20 MiB, so that the size check can say so
DOWNLOAD_PREFIX = "/files/"


def expired(ws: Workspace, upload: JSON) -> bool:
    """A pending upload past its expiry_time (an hour after it was created)."""
    expiry = upload.get("expiry_time")
    return bool(expiry) and upload["status"] == "pending" and iso_millis(ws.now()) > str(expiry)


def attach_blocks(ws: Workspace, blocks: list[NewBlock], path: str) -> None:
    """Every uploaded file in new blocks (at any depth) attached, in place."""
    for i, block in enumerate(blocks):
        block.content = attach_all(ws, block.content, f"{path}[{i}].{block.type}")
        attach_blocks(ws, block.children, f"{path}[{i}].{block.type}.children")


def attach_all(ws: Workspace, value: Any, path: str) -> Any:
    """`value` (a block, an icon, a cover, a files property value…) with every
    ``{"type": "file_upload", "file_upload": {"id": …}}`` turned into the attached ``file``."""
    if isinstance(value, list):
        return [attach_all(ws, item, f"{path}[{i}]") for i, item in enumerate(value)]
    if not isinstance(value, dict):
        return value
    out = {k: attach_all(ws, v, f"{path}.{k}") for k, v in value.items()}
    if out.get("type") == "file_upload" and "file_upload" in out:
        out["type"] = "file"
        out["file"] = attach(ws, out.pop("file_upload"), f"{path}.file_upload")
    return out


def attach(ws: Workspace, value: JSON, path: str) -> JSON:
    """``{"id": …}`` of an uploaded file → Notion's ``file`` object ``{url, expiry_time}``."""
    upload_id = rules.body_uuid(f"{path}.id", rules.require_dict(path, value).get("id"))
    upload = ws.store.get(upload_id, "file_upload")
    if upload is None:
        raise rules.validation(f"Could not find file upload with ID: {upload_id}.")
    if upload["status"] != "uploaded" or expired(ws, upload):
        state = "expired" if expired(ws, upload) else upload["status"]
        raise rules.validation(
            f"File upload {upload_id} is {state}; only an uploaded file can be attached (send it, and "
            "complete a multi_part upload, first)."
        )
    return {
        "url": download_url(ws, upload_id),
        "expiry_time": iso_millis(ws.now() + LIFETIME),
        "_upload": upload_id,
    }


def download_url(ws: Workspace, upload_id: str) -> str:
    """`/files/<upload id>/<file name>?expires=…`: like Notion's S3 links, the path ends with the
    file's name (what a downloader names the file after)."""
    expires = int((ws.now() + LIFETIME).timestamp())
    upload = ws.store.get(upload_id, "file_upload") or {}
    name = quote(str(upload.get("filename") or "file"))
    return f"http://sandbox.notion.local{DOWNLOAD_PREFIX}{upload_id}/{name}?expires={expires}"


def refresh(ws: Workspace, value: Any) -> None:
    """Renew, in place, every download link of an uploaded file found in `value` (each read
    gets a link valid for an hour, as Notion's do)."""
    if isinstance(value, dict):
        upload_id = value.get("_upload")
        if isinstance(upload_id, str):
            value["url"] = download_url(ws, upload_id)
            value["expiry_time"] = iso_millis(ws.now() + LIFETIME)
            value.pop("_upload")
        for item in value.values():
            refresh(ws, item)
    elif isinstance(value, list):
        for item in value:
            refresh(ws, item)


def download(ws: Workspace, path: str, query: str) -> tuple[int, bytes, str]:
    """The answer to a download link: (status, body, content type)."""
    upload_id = path[len(DOWNLOAD_PREFIX) :].split("/", 1)[0]
    expires = (parse_qs(query).get("expires") or ["0"])[0]
    upload = ws.store.get(upload_id, "file_upload")
    if upload is None:
        return 404, b"<Error><Code>NoSuchKey</Code></Error>", "application/xml"
    if not expires.isdigit() or ws.now().timestamp() > int(expires):
        return (
            403,
            b"<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>",
            "application/xml",
        )
    return 200, ws.store.file_bytes(upload_id), str(upload.get("content_type") or "application/octet-stream")
