"""Two-way sync of an export folder with Notion (`notion-mcp sync DIR TARGET`).

The manifest holds the state of the last sync: for each page the `last_edited_time` and the
hash of its file as written. A run:
1. indexes Notion (export.py's search listing) and compares each page both ways: the file's
   hash with the manifest (changed locally?) and Notion's stamp with the manifest (changed in
   Notion?);
2. acts on the local side first (`_plan`):
   - changed only locally → push: the smallest block changes (diff.py), the title and the
     properties that differ;
   - changed on both sides → conflict: the local file stays, Notion's version is written beside
     it as `Title.conflict.md`, and the run exits 1; deleting the `.conflict.md` says the local
     file is the resolution (pushed on the next run);
   - deleted locally → the page is trashed in Notion (never deleted); if Notion changed it
     meanwhile, it is restored locally instead;
   - a new `.md` file → a new page under its folder's page (a row in a database folder); a page
     of that title that Notion has and the manifest does not know is taken for it (an earlier
     run made it) instead of making a second;
   - `rows.csv` edited → rows by their `_id` (or a key column), merged cell by cell with Notion
     against the last synced version (rows.py): a cell changed on both sides is a conflict
     (`rows.conflict.csv`, exit 1);
3. pulls everything else with the exporter: pages changed in Notion are rewritten, pages gone
   are set aside (never deleted), new ones appear.
`dry_run` stops after step 1 and says what would happen. Interruptions converge: before a push
the manifest records the hash being pushed (`pushing`), and the push compares with Notion's
current blocks, so a second run finishes it without doubling anything.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from notion_mcp.backup import diff, layout, rows
from notion_mcp.backup.export import Download, Exporter, Stats, conflict_path, http_download, preorder
from notion_mcp.backup.manifest import STATE_DIR, Entry
from notion_mcp.backup.reupload import FileSender
from notion_mcp.backup.values import WRITABLE, cell, from_plain, to_plain
from notion_mcp.errors import NotionAPIError
from notion_mcp.markdown import markdown_to_rich_text, title_of
from notion_mcp.markdown.ids import NOTION_FILE, compact
from notion_mcp.notion.create import create_page
from notion_mcp.notion.gateway import NotionGateway
from notion_mcp.notion.ids import normalize_id
from notion_mcp.notion.pagination import collect
from notion_mcp.notion.tree import fetch_tree

Json = dict[str, Any]
Step = Callable[[], Awaitable[None]]
Types = dict[str, str]


@dataclass
class SyncReport:
    planned: list[str] = field(default_factory=list)  # one line per action, in order
    conflicts: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    pushed: int = 0
    pulled: Stats | None = None

    @property
    def ok(self) -> bool:
        return not self.conflicts


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _stem(path: str) -> str:
    return path[: -len(".md")] if path.endswith(".md") else path


class Syncer:
    def __init__(
        self,
        gateway: NotionGateway,
        root: Path,
        target: str | None,
        *,
        dry_run: bool = False,
        download: Download = http_download,
        now: Any = None,
        on_event: Any = None,
        key: str | None = None,
    ) -> None:
        options: Json = {"download": download}
        if now is not None:
            options["now"] = now
        if on_event is not None:
            options["on_event"] = on_event
        self.exporter = Exporter(gateway, root, **options)
        self.gateway = gateway
        self.root = root
        self.target = normalize_id(target, "TARGET") if target else None
        self.dry_run = dry_run
        self.key = key  # rows.csv: the column that finds a line's row when it has no _id
        self.manifest = self.exporter.manifest
        self.report = SyncReport()
        self.steps: list[Step] = []

    async def run(self) -> SyncReport:
        if not self.manifest.entries:
            self.report.planned.append(f"export {self.target or 'everything'} into {self.root} (first sync)")
            if not self.dry_run:
                self.report.pulled = await self.exporter.run(self.target)
                self._save_bases()
            return self.report
        await self.exporter.build_index()
        self._plan()
        if self.dry_run:
            return self.report
        for step in self.steps:
            await step()
        self.report.pulled = await self.exporter.run(self.target, indexed=True)
        self._save_bases()
        self.report.conflicts += [c for c in self.exporter.stats.conflicts if c not in self.report.conflicts]
        return self.report

    # -- what changed -----------------------------------------------------------------------------
    def _remote_stamp(self, entry: Entry) -> str | None:
        item = self.exporter.index.get(entry.id)
        return str(item.get("last_edited_time") or "") if item is not None else None

    def _plan(self) -> None:
        for entry in list(self.manifest.entries.values()):
            if entry.kind == "page" and entry.path:
                self._plan_page(entry)
            elif entry.kind == "database" and entry.path:
                self._plan_rows(entry)
        self._plan_new_files()

    def _plan_page(self, entry: Entry) -> None:
        file = self.root / entry.path
        remote_changed = self._remote_stamp(entry) != entry.last_edited_time
        if not file.is_file():
            if remote_changed:
                self.report.notes.append(f"{entry.path}: deleted here but changed in Notion: restored")
                return
            self.report.planned.append(f"trash in Notion: {entry.path} (deleted here)")
            self.steps.append(lambda: self._trash(entry))
            return
        text = file.read_text("utf-8")
        if _hash(text) == entry.content_hash:
            return
        stamp = self._remote_stamp(entry) or ""
        if (self.root / conflict_path(entry.path)).exists():
            self._conflict(
                entry, stamp, f"conflict still open: {entry.path} (delete its .conflict.md to push it)"
            )
            return
        resolved = bool(entry.conflict) and entry.conflict == stamp  # .conflict.md deleted since
        if remote_changed and entry.pushing != _hash(text) and not resolved:
            self._conflict(entry, stamp, f"conflict: {entry.path} changed here and in Notion")
            return
        self.report.planned.append(f"push: {entry.path}")
        self.steps.append(lambda: self._push(entry, text))

    def _conflict(self, entry: Entry, stamp: str, line: str) -> None:
        """Keep the local file; Notion's version goes beside it (the pull reads it again)."""
        self.report.conflicts.append(entry.path)
        self.report.planned.append(line)
        self.exporter.conflicts.add(entry.id)
        entry.conflict = stamp
        entry.last_edited_time = ""
        if not self.dry_run:
            self.manifest.save()

    def _plan_new_files(self) -> None:
        known = {e.path for e in self.manifest.entries.values()}
        for path in sorted(self.root.rglob("*.md")):
            rel = str(PurePosixPath(*path.relative_to(self.root).parts))
            parts = path.relative_to(self.root).parts
            if rel in known or rel.endswith(".conflict.md") or parts[0] == STATE_DIR:
                continue
            if any(p.endswith(".files") for p in parts[:-1]):
                continue
            parent = self._parent_of(rel)
            if parent is None:
                self.report.notes.append(f"{rel}: no page or database to put it under; left out")
                continue
            self.report.planned.append(f"create in Notion: {rel}")
            self.steps.append(lambda rel=rel, parent=parent: self._create(rel, parent))  # type: ignore[misc]

    def _parent_of(self, rel: str) -> Entry | None:
        folder = str(PurePosixPath(rel).parent)
        for entry in self.manifest.entries.values():
            if entry.kind == "page" and _stem(entry.path) == folder:
                return entry
            if entry.kind == "database" and entry.path == folder:
                return entry
        if folder == "." and self.target and self.target in self.manifest.entries:
            return self.manifest.entries[self.target]
        return None

    # -- pushing ----------------------------------------------------------------------------------
    async def _push(self, entry: Entry, text: str) -> None:
        entry.pushing = _hash(text)
        entry.last_edited_time = ""  # read again after the push
        self.manifest.save()
        meta, body = layout.read_page_file(text)
        page = await self.gateway.retrieve_page(entry.id)
        await self._push_properties(page, meta, entry)
        tree = await fetch_tree(self.gateway, entry.id, max_depth=100, max_blocks=1_000_000)
        changes = await diff.push(
            self.gateway, entry.id, tree.blocks, body, self._file_links(entry, tree.blocks)
        )
        self.report.notes += [f"{entry.path}: {n}" for n in changes.notes]
        self.report.pushed += 1

    def _file_links(self, entry: Entry, blocks: list[Json]) -> Callable[[str], str]:
        """notion-file:<hex> → the relative path the export linked it by."""
        stem = PurePosixPath(_stem(entry.path))
        names = {PurePosixPath(f).name[:8]: PurePosixPath(f).name for f in entry.files}
        links = {}
        for block in preorder(blocks):
            hexid = compact(str(block.get("id", "")))
            if hexid[:8] in names:
                from urllib.parse import quote

                links[NOTION_FILE + hexid] = quote(f"{stem.name}.files/{names[hexid[:8]]}")

        def swap(text: str) -> str:
            for old, new in links.items():
                text = text.replace(old, new)
            return text

        return swap

    async def _push_properties(self, page: Json, meta: Json, entry: Entry) -> None:
        """Title and properties that differ from Notion's (a files property compared by the paths
        the export gives its Notion-hosted files: unchanged, it is not sent; changed, its local
        files are uploaded again)."""
        files_at = layout.files_dir(entry.path)
        props = {n: p for n, p in (page.get("properties") or {}).items() if isinstance(p, dict)}
        changed: Json = {}
        title = meta.get("title")
        title_name = next((n for n, p in props.items() if p.get("type") == "title"), "title")
        if isinstance(title, str) and title != (title_of(page) if title_of(page) != "Untitled" else ""):
            changed[title_name] = {"title": markdown_to_rich_text(title)}
        for name, value in (meta.get("properties") or {}).items():
            prop = props.get(name)
            kind = str((prop or {}).get("type"))
            if prop is None or kind not in WRITABLE or kind == "relation":
                continue
            if cell(value) == cell(to_plain(prop, name, files_at)):
                continue
            if kind == "files":
                sender = FileSender(self.gateway, self.root)
                sent = await sender.files(self.root / entry.path, value, self.report.notes)
                changed[name] = {"files": sent}
            else:
                changed[name] = from_plain(kind, value)
        if changed:
            await self.gateway.update_page(str(page["id"]), {"properties": changed})

    async def _trash(self, entry: Entry) -> None:
        try:
            await self.gateway.update_page(entry.id, {"in_trash": True})
        except NotionAPIError as exc:
            if exc.status != 404:
                raise
        self.manifest.entries.pop(entry.id, None)
        self.exporter.index.pop(entry.id, None)
        self.manifest.save()

    async def _create(self, rel: str, parent: Entry) -> None:
        text = (self.root / rel).read_text("utf-8")
        meta, _ = layout.read_page_file(text)
        title = str(meta.get("title") or PurePosixPath(rel).stem)
        in_database = parent.kind == "database"
        page = await self._adopt(parent, title) if not in_database else None
        if page is None:
            body: Json = (
                {"parent": {"type": "data_source_id", "data_source_id": parent.data_source}}
                if in_database
                else {"parent": {"type": "page_id", "page_id": parent.id}}
            )
            title_name = "title"
            if in_database:
                schema = layout.read_schema((self.root / parent.path / layout.SCHEMA_FILE).read_text("utf-8"))
                title_name = layout.title_name(schema)
            body["properties"] = {title_name: {"title": markdown_to_rich_text(title)}}
            page = (await create_page(self.gateway, body)).page
        page_id = str(page["id"])
        self.manifest.entries[page_id] = Entry(page_id, "page", rel, "", parent.id, pushing=_hash(text))
        if page_id not in parent.children and not in_database:
            parent.children.append(page_id)
        self.manifest.save()
        await self._push(self.manifest.entries[page_id], text)

    async def _adopt(self, parent: Entry, title: str) -> Json | None:
        """A child page of `parent` titled `title` that the manifest does not know (made by an
        interrupted run) — taken instead of making a second."""
        listing = await collect(
            lambda cursor, size: self.gateway.list_children(parent.id, cursor, size),
            start_cursor=None,
            limit=10_000,
        )
        for block in listing.results:
            if (
                block.get("type") == "child_page"
                and (block.get("child_page") or {}).get("title") == title
                and str(block["id"]) not in self.manifest.entries
            ):
                return await self.gateway.retrieve_page(str(block["id"]))
        return None

    # -- database rows ------------------------------------------------------------------------------
    def _plan_rows(self, entry: Entry) -> None:
        csv_path = self.root / entry.path / layout.ROWS_FILE
        if not csv_path.is_file() or not entry.content_hash:
            return
        text = csv_path.read_text("utf-8")
        if _hash(text) == entry.content_hash:
            return
        rows_file = f"{entry.path}/{layout.ROWS_FILE}"
        if (self.root / rows.conflict_path(entry.path)).exists():
            self.report.conflicts.append(rows_file)
            still = f"conflict still open: {rows_file} (delete {rows.CONFLICT_FILE} to push it)"
            self.report.planned.append(still)
            self.exporter.conflicts.add(entry.id)
            return
        self.report.planned.append(f"rows: {rows_file} edited here")
        self.steps.append(lambda: self._push_rows(entry, text))

    async def _push_rows(self, entry: Entry, text: str) -> None:
        done = await rows.RowsSync(self.gateway, self.root, self.manifest, entry, self.key).push(text)
        rows_file = f"{entry.path}/{layout.ROWS_FILE}"
        self.report.notes += done.notes
        if done.conflicts:
            self.report.conflicts.append(rows_file)
            self.report.planned.append(
                f"conflict: {rows_file}: {', '.join(done.conflicts)} changed here and in Notion"
            )
            self.exporter.conflicts.add(entry.id)  # rows.csv stays as it is
        else:
            entry.content_hash = ""  # rows.csv is rewritten from Notion by the pull
        self.manifest.save()

    def _save_bases(self) -> None:
        for entry in self.manifest.entries.values():
            if entry.kind == "database" and entry.path and entry.id not in self.exporter.conflicts:
                rows.save_base(self.root, entry)
