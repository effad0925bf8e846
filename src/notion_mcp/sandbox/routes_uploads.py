"""File uploads (reference: developers.notion.com/reference/create-a-file-upload and the guides
"Uploading small files", "Uploading larger files", "Importing external files"; no recordings).

Lifecycle: ``POST /v1/file_uploads`` makes a ``pending`` upload that expires an hour later;
``POST /v1/file_uploads/{id}/send`` (multipart/form-data: ``file``, and ``part_number`` in
multi-part mode) stores the bytes; a single-part upload is then ``uploaded``, a multi-part one
after ``POST /v1/file_uploads/{id}/complete``. ``external_url`` mode imports at once (the
sandbox has no network: it keeps the URL, not bytes). An ``uploaded`` upload attached to a block,
a files property, an icon or a cover becomes a Notion-hosted ``file`` whose ``url`` is a download
link of this sandbox (``/files/{id}/{name}?expires=…``) valid for an hour, renewed on every read.

Limits as the reference gives them: a single part at most 20 MiB; parts of 5–20 MiB but the last;
1–1,000 parts; part numbers sent in any order, each once or again (the last one sent wins).
"""

from __future__ import annotations

import mimetypes
import uuid
from typing import Any
from urllib.parse import urlsplit

from notion_mcp.sandbox import rules
from notion_mcp.sandbox.app import Call, RouteSpec
from notion_mcp.sandbox.files import LIFETIME, expired
from notion_mcp.sandbox.rules import JSON
from notion_mcp.sandbox.workspace import Workspace, iso_millis

MIB = 1024 * 1024
MAX_SINGLE_PART = 20 * MIB
MIN_PART = 5 * MIB
MAX_PARTS = 1000
MODES = ("single_part", "multi_part", "external_url")


def _upload(ws: Workspace, upload_id: str) -> JSON:
    upload = ws.store.get(upload_id, "file_upload")
    if upload is None:
        raise rules.not_found("file upload", upload_id)
    return upload


def _public(ws: Workspace, upload: JSON) -> JSON:
    out = {k: v for k, v in upload.items() if not k.startswith("_")}
    if expired(ws, upload):
        out["status"] = "expired"
    return out


def create_upload(call: Call) -> JSON:
    ws, body = call.ws, call.body
    mode = rules.check_enum("body.mode", body.get("mode", "single_part"), MODES)
    filename = body.get("filename")
    if filename is not None and (not isinstance(filename, str) or not filename.strip()):
        raise rules.body_invalid("body.filename", "a non-empty string", filename)
    content_type = body.get("content_type")
    if content_type is not None and not isinstance(content_type, str):
        raise rules.body_invalid("body.content_type", "a string", content_type)
    upload: JSON = {"object": "file_upload", "id": str(uuid.uuid4())}
    stamp = ws.stamp()
    now = ws.now()
    upload.update({"created_time": stamp["created_time"], "created_by": stamp["created_by"]})
    upload.update({"last_edited_time": stamp["last_edited_time"], "archived": False})
    upload["expiry_time"] = iso_millis(now + LIFETIME)
    upload["status"] = "pending"
    upload["filename"] = filename
    upload["content_type"] = content_type or (mimetypes.guess_type(filename or "")[0] if filename else None)
    upload["content_length"] = None
    upload["upload_url"] = f"https://api.notion.com/v1/file_uploads/{upload['id']}/send"
    upload["_mode"] = mode
    if mode == "multi_part":
        if filename is None:
            raise rules.validation(
                "body failed validation: body.filename should be defined for multi_part mode."
            )
        parts = body.get("number_of_parts")
        if not isinstance(parts, int) or isinstance(parts, bool) or not 1 <= parts <= MAX_PARTS:
            raise rules.body_invalid("body.number_of_parts", f"an integer from 1 to {MAX_PARTS}", parts)
        upload["number_of_parts"] = {"total": parts, "sent": 0}
    elif "number_of_parts" in body:
        raise rules.body_invalid(
            "body.number_of_parts", "not present (only for multi_part)", body["number_of_parts"]
        )
    if mode == "external_url":
        url = str(rules.check_url("body.external_url", body.get("external_url")))
        if not url.startswith("https://"):
            raise rules.body_invalid("body.external_url", "an https URL", url)
        upload["filename"] = filename or (urlsplit(url).path.rsplit("/", 1)[-1] or "file")
        upload["content_type"] = content_type or mimetypes.guess_type(upload["filename"])[0]
        upload.pop("upload_url")
        upload["status"] = "uploaded"  # imported at once: the sandbox cannot fetch the URL
        upload["content_length"] = 0
        upload["file_import_result"] = {"type": "success", "imported_time": iso_millis(now), "success": {}}
        upload["_external_url"] = url
    elif "external_url" in body:
        raise rules.body_invalid(
            "body.external_url", "not present (only for external_url)", body["external_url"]
        )
    ws.store.insert("file_upload", upload, None)
    return _public(ws, upload)


def _sendable(ws: Workspace, upload: JSON) -> None:
    if upload["_mode"] == "external_url":
        raise rules.validation("File upload is in external_url mode: nothing is sent to it.")
    if expired(ws, upload):
        raise rules.validation(f"File upload {upload['id']} has expired; create a new file upload.")
    if upload["status"] != "pending":
        raise rules.validation(
            f"File upload {upload['id']} is already {upload['status']}; nothing more can be sent."
        )


def send_upload(call: Call) -> JSON:
    ws = call.ws
    upload = _upload(ws, rules.path_uuid("file_upload_id", call.params["id"]))
    _sendable(ws, upload)
    form = call.body.get("__form__")
    if not isinstance(form, dict) or "file" not in form:
        raise rules.validation(
            "body failed validation: body.file should be defined, instead was `undefined`."
        )
    filename, data, content_type = form["file"]
    if upload["_mode"] == "single_part":
        if "part_number" in form:
            raise rules.validation("part_number is only for multi_part file uploads.")
        if len(data) > MAX_SINGLE_PART:
            raise rules.validation(
                f"The file is {len(data)} bytes; a single-part upload takes at most {MAX_SINGLE_PART} bytes"
                " (20 MiB). Use multi_part mode."
            )
        ws.store.put_part(upload["id"], 1, data)
        upload.update({"status": "uploaded", "content_length": len(data)})
    else:
        part = _part_number(form.get("part_number"), upload["number_of_parts"]["total"])
        last = part == upload["number_of_parts"]["total"]
        if len(data) > MAX_SINGLE_PART or (not last and len(data) < MIN_PART):
            raise rules.validation(
                f"Part {part} is {len(data)} bytes; each part but the last must be 5 to 20 MiB "
                f"({MIN_PART} to {MAX_SINGLE_PART} bytes), and the last at most 20 MiB."
            )
        ws.store.put_part(upload["id"], part, data)
        upload["number_of_parts"]["sent"] = len(ws.store.part_sizes(upload["id"]))
    upload["filename"] = upload["filename"] or filename
    upload["content_type"] = upload["content_type"] or content_type or mimetypes.guess_type(filename or "")[0]
    ws.touch(upload)
    return _public(ws, upload)


def _part_number(value: Any, total: int) -> int:
    try:
        part = int(str(value))
    except ValueError:
        raise rules.validation(
            f"part_number should be an integer from 1 to {total} for this multi_part upload, instead was "
            f"`{rules.fmt(value)}`."
        ) from None
    if not 1 <= part <= total:
        raise rules.validation(f"part_number should be from 1 to {total}, instead was `{part}`.")
    return part


def complete_upload(call: Call) -> JSON:
    ws = call.ws
    upload = _upload(ws, rules.path_uuid("file_upload_id", call.params["id"]))
    if upload["_mode"] != "multi_part":
        raise rules.validation("Only a multi_part file upload is completed.")
    _sendable(ws, upload)
    total = upload["number_of_parts"]["total"]
    sizes = ws.store.part_sizes(upload["id"])
    missing = [n for n in range(1, total + 1) if n not in sizes]
    if missing:
        raise rules.validation(
            f"Expected {total} parts but {len(sizes)} were sent; missing part numbers: {missing[:20]}."
        )
    upload.update({"status": "uploaded", "content_length": sum(sizes.values())})
    ws.touch(upload)
    return _public(ws, upload)


def get_upload(call: Call) -> JSON:
    ws = call.ws
    return _public(ws, _upload(ws, rules.path_uuid("file_upload_id", call.params["id"])))


ROUTES: list[RouteSpec] = [
    ("POST", "/v1/file_uploads", create_upload),
    ("GET", "/v1/file_uploads/{id}", get_upload),
    ("POST", "/v1/file_uploads/{id}/send", send_upload),
    ("POST", "/v1/file_uploads/{id}/complete", complete_upload),
]
