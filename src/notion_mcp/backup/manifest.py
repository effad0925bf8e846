"""The manifest: what an export folder holds, from which version of Notion, and where.

`DIR/.notion-mcp/manifest.json`, rewritten atomically after every page (so an interrupted run
loses at most the page in hand and the next run resumes from the rest). One entry per page,
database row or database, keyed by Notion ID: its path, the `last_edited_time` it was exported
at, its children in document order, the files downloaded for it, when the run that wrote it
started, and (sync) the hash of the file as last written.

Vouching (`vouches`): Notion stamps `last_edited_time` to the minute, so an edit made in the
same minute as the export, after the page was read, leaves the stamp unchanged. An entry vouches
for a page only when the stamp is unchanged *and* earlier than the minute its run started;
anything else is read again.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from notion_mcp.backup.files import write_atomic

STATE_DIR = ".notion-mcp"
FILE = "manifest.json"
VERSION = 1


def parse_time(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def minute_of(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(second=0, microsecond=0)


@dataclass
class Entry:
    id: str
    kind: str  # "page" (rows too) or "database"
    path: str  # POSIX, relative to the export folder: the page's .md, or the database's folder
    last_edited_time: str
    parent: str | None = None
    children: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    run_started: str = ""
    content_hash: str = ""  # sha256 of the file as written (sync: has it changed locally?)
    data_source: str | None = None  # databases: the data source whose rows are in the folder
    pushing: str = ""  # sync: the hash of the local file being pushed (an interrupted push resumes)
    conflict: str = ""  # sync: Notion's last_edited_time when its version was written beside the file

    def vouches(self, last_edited_time: str) -> bool:
        if last_edited_time != self.last_edited_time or not self.run_started:
            return False
        return parse_time(last_edited_time) < minute_of(parse_time(self.run_started))


@dataclass
class Manifest:
    root: Path
    target: str | None = None
    entries: dict[str, Entry] = field(default_factory=dict)
    completed: str | None = None  # when the last complete run started
    version: int = VERSION

    @property
    def path(self) -> Path:
        return self.root / STATE_DIR / FILE

    @classmethod
    def load(cls, root: Path) -> Manifest:
        manifest = cls(root)
        if manifest.path.is_file():
            raw: dict[str, Any] = json.loads(manifest.path.read_text("utf-8"))
            manifest.target = raw.get("target")
            manifest.completed = raw.get("completed")
            manifest.entries = {k: Entry(**v) for k, v in (raw.get("entries") or {}).items()}
        return manifest

    def save(self) -> None:
        body = {
            "version": self.version,
            "target": self.target,
            "completed": self.completed,
            "entries": {k: asdict(v) for k, v in sorted(self.entries.items())},
        }
        write_atomic(self.path, json.dumps(body, ensure_ascii=False, indent=1) + "\n", durable=True)

    def paths(self) -> dict[str, str]:
        return {e.path: e.id for e in self.entries.values()}
