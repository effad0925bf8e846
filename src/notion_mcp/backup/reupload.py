"""The files an imported page links relatively (`Title.files/…`, or any path in the folder):
uploaded to Notion again, or linked at `--files-url`.

Rule, and why: an export keeps the files Notion stores (their links expire), so a restore must
put them back in Notion, not point at a disk Notion cannot see. Each file is sent through
notion/uploads.py (one part up to 20 MiB, parts above), with the folder being imported as the
only allowed root: a link that leads out of it (`../`, a symbolic link) is refused like any path
outside NOTION_MCP_UPLOAD_ROOTS, and reported. The exporter names a file `<block id prefix>-
<name>` (`icon-<name>`, `cover-<name>`); it is uploaded under `<name>`, so the next export gives
the same name. With
`files_url`, nothing is uploaded: the link is that URL plus the file's path in the folder.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote

from notion_mcp.errors import InputError
from notion_mcp.markdown.ids import compact, dashed
from notion_mcp.notion.gateway import NotionGateway
from notion_mcp.notion.uploads import local_file, upload_file

EXPORTED_NAME = re.compile(r"^(?:[0-9a-f]{8}|icon|cover)-(.+)$")  # export.py: <block id prefix>-<name>
UPLOAD_PREFIX = "file-upload:"
Json = dict[str, Any]


class FileSender:
    def __init__(
        self, gateway: NotionGateway, root: Path, *, files_url: str | None = None, max_mb: int = 5_120
    ) -> None:
        self.gateway = gateway
        self.root = root
        self.files_url = files_url.rstrip("/") + "/" if files_url else None
        self.max_mb = max_mb
        self.uploaded = 0

    async def link(self, page_file: Path, ref: str) -> str:
        """What to link instead of `ref` (relative to the page file): a `file-upload:<id>`
        reference, or files_url + its path. InputError when the file cannot be sent."""
        path = page_file.parent / unquote(ref)
        if self.files_url is not None:
            return self.files_url + "/".join(path.relative_to(self.root).parts)
        file = local_file(str(path), (str(self.root),), self.max_mb, str(page_file.relative_to(self.root)))
        exported = EXPORTED_NAME.match(file.name)
        if exported and PurePosixPath(path).parent.name.endswith(".files"):
            file = dataclasses.replace(file, name=exported.group(1))
        upload = await upload_file(self.gateway, file)
        self.uploaded += 1
        return UPLOAD_PREFIX + compact(str(upload["id"]))

    async def image(self, page_file: Path, value: str) -> Json:
        """An icon or cover the front matter names by a path in the folder: uploaded (or linked
        at files_url), as the file object a page takes."""
        link = await self.link(page_file, value)
        if link.startswith(UPLOAD_PREFIX):
            return {"type": "file_upload", "file_upload": {"id": dashed(link[len(UPLOAD_PREFIX) :])}}
        return {"type": "external", "external": {"url": link}}

    async def files(self, page_file: Path, value: object, notes: list[str]) -> list[Json]:
        """A files property's plain value (a list, or a CSV cell's `, `-joined text) as the value
        Notion takes: a URL stays an external link; a path in the folder (a file the export
        downloaded, `Title.files/…`) is uploaded again under its own name (or linked at
        files_url). One that cannot be sent is left out and noted."""
        items = value if isinstance(value, list) else [p.strip() for p in str(value or "").split(",")]
        out: list[Json] = []
        for item in (str(i) for i in items if str(i).strip()):
            if item.startswith(("https://", "http://")):
                out.append({"name": item[-100:], "type": "external", "external": {"url": item}})
                continue
            try:
                link = await self.link(page_file, item)
            except InputError as exc:
                notes.append(f"{page_file.name}: {item}: {exc}")
                continue
            exported = EXPORTED_NAME.match(PurePosixPath(item).name)
            name = (exported.group(1) if exported else PurePosixPath(item).name)[-100:]
            if link.startswith(UPLOAD_PREFIX):
                upload = {"id": dashed(link[len(UPLOAD_PREFIX) :])}
                out.append({"name": name, "type": "file_upload", "file_upload": upload})
            else:
                out.append({"name": name, "type": "external", "external": {"url": link}})
        return out

    def is_file(self, page_file: Path, value: object) -> bool:
        """`value` (an icon or cover in front matter) names a file in the folder, not an emoji or URL."""
        if not isinstance(value, str) or not value or "://" in value or len(value) > 1_000:
            return False
        return (page_file.parent / value).is_file()
