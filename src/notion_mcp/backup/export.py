"""Notion → a folder: pages as markdown files, databases as folders (see docs/sync.md).

The run, in order:
1. Index: one search listing of everything visible (100 objects a request) gives every page's
   and data source's `last_edited_time`, and full page objects, without reading any page.
2. Walk from the target (`--all`: every top-level page, then anything visible not reached).
   A page the manifest vouches for (manifest.py) is not read again: its children come from the
   manifest. Any other page's blocks are read whole (`fetch_tree`), its file written atomically,
   its files downloaded, and the manifest saved — so a killed run resumes after the last saved
   page. A database costs one query per 100 rows (rows.csv is rewritten only when it differs);
   its schema is read again only when its data source changed.
3. Entries not reached (pages deleted, moved out or no longer shared) are moved, with their
   files, under `.notion-mcp/removed/<run time>/` — never deleted.
Requests: a no-change re-run costs the index (one per 100 visible objects) plus one query per
100 rows of each database. Pages are exported `concurrency` at a time; the gateway's token bucket
keeps the rate.
"""

from __future__ import annotations

import asyncio
import hashlib
import shutil
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote, unquote, urlparse

from notion_mcp.backup import layout
from notion_mcp.backup.files import safe_name, sweep_temporaries, unique, write_atomic
from notion_mcp.backup.manifest import STATE_DIR, Entry, Manifest
from notion_mcp.backup.values import hosted_file, hosted_items
from notion_mcp.errors import InputError, NotionAPIError
from notion_mcp.markdown import NOTION_FILE, blocks_to_markdown, title_of
from notion_mcp.markdown.ids import compact
from notion_mcp.notion.gateway import NotionGateway
from notion_mcp.notion.ids import normalize_id
from notion_mcp.notion.pagination import collect
from notion_mcp.notion.tree import fetch_tree

Json = dict[str, Any]
Download = Callable[[str], Awaitable[bytes]]
FILE_BLOCKS = frozenset({"image", "file", "pdf", "video", "audio"})
MAX_BLOCKS = 1_000_000
MAX_DEPTH = 100


@dataclass
class Stats:
    pages_read: int = 0
    pages_unchanged: int = 0
    databases: int = 0
    rows: int = 0
    blocks: int = 0
    files: int = 0
    removed: int = 0
    failed_files: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)


Event = Callable[[Stats, str], None]


def _no_event(stats: Stats, what: str) -> None:
    return None


async def http_download(url: str) -> bytes:
    """A file stored by Notion, from its signed link (no Notion token is sent with it)."""
    import httpx

    async with httpx.AsyncClient(follow_redirects=True, timeout=120) as client:
        answer = await client.get(url)
        answer.raise_for_status()
        return answer.content


def _kids(block: Json) -> list[Json]:
    inner = block.get(str(block.get("type")))
    return list(inner.get("children") or []) if isinstance(inner, dict) else []


def preorder(blocks: list[Json]) -> list[Json]:
    out: list[Json] = []
    for block in blocks:
        out.append(block)
        out += preorder(_kids(block))
    return out


async def together(jobs: Iterable[Coroutine[Any, Any, None]]) -> None:
    """Run the jobs concurrently; the first failure cancels the rest and is raised as itself."""
    try:
        async with asyncio.TaskGroup() as group:
            for job in jobs:
                group.create_task(job)
    except BaseExceptionGroup as failed:
        first = failed.exceptions[0]
        while isinstance(first, BaseExceptionGroup):
            first = first.exceptions[0]
        raise first from None


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _stem(path: str) -> str:
    return path[: -len(".md")] if path.endswith(".md") else path


def conflict_path(path: str) -> str:
    """Where Notion's version of a page changed on both sides is written: `Title.conflict.md`."""
    return f"{_stem(path)}.conflict.md"


class Exporter:
    def __init__(
        self,
        gateway: NotionGateway,
        root: Path,
        *,
        download: Download = http_download,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        on_event: Event = _no_event,
        concurrency: int = 4,
    ) -> None:
        self.gateway = gateway
        self.root = root
        self.download = download
        self.now = now
        self.on_event = on_event
        self.slots = asyncio.Semaphore(max(1, concurrency))
        self.manifest = Manifest.load(root)
        self.stats = Stats()
        self.index: dict[str, Json] = {}
        self.sources_of: dict[str, list[Json]] = {}  # database ID -> its data sources in the index
        self.titles: dict[str, str] = {}  # database ID -> its title, from its child_database block
        self.holders: dict[str, str | None] = {}  # page whose parent is a block -> the page holding it
        self.planned: set[str] = set()  # children given a path this run (each once)
        self.visited: set[str] = set()  # found and exported (or vouched for) this run
        self.claimed: set[str] = set(self.manifest.paths())
        self.started = ""
        self.conflicts: set[str] = set()  # pages (databases' rows.csv) changed on both sides (sync): kept

    # -- the run ------------------------------------------------------------------------------
    async def run(self, target: str | None, *, indexed: bool = False) -> Stats:
        """Export `target` (a page or database ID or URL; None: everything visible). `indexed`:
        `build_index()` was called already (sync looks at the index before pulling)."""
        target_id = normalize_id(target, "TARGET") if target is not None else None
        if self.manifest.target not in (None, target_id or "all") and self.manifest.entries:
            raise InputError(
                f"{self.root} holds an export of {self.manifest.target}, not of {target_id or 'all'}: "
                "export into another folder (or delete the folder to start again)."
            )
        self.root.mkdir(parents=True, exist_ok=True)
        sweep_temporaries(self.root)
        self.started = self.started or self.now().isoformat()
        self.manifest.target = target_id or "all"
        if not indexed:
            await self.build_index()
        if target_id is None:
            await self._find_holders()
            await self._all()
        else:
            await self._target(target_id)
        await self._new_children()
        self._set_aside_unreached()
        self.manifest.completed = self.started
        self.manifest.save()
        return self.stats

    async def build_index(self) -> None:
        """Everything visible, with its last_edited_time: one search listing."""
        self.started = self.started or self.now().isoformat()

        async def page(cursor: str | None, size: int) -> Json:
            return await self.gateway.search({}, start_cursor=cursor, page_size=size)

        found = await collect(page, start_cursor=None, limit=10**9, page_size=100)
        for item in found.results:
            self.index[str(item["id"])] = item
            if item.get("object") == "data_source":
                database_id = str((item.get("parent") or {}).get("database_id") or "")
                self.sources_of.setdefault(database_id, []).append(item)
        for sources in self.sources_of.values():  # the first made first: it bears the database's title
            sources.sort(key=lambda s: (str(s.get("created_time") or ""), str(s["id"])))

    async def _target(self, target_id: str) -> None:
        kind = "database" if target_id in self.sources_of else "page"
        if target_id not in self.index and kind == "page":
            try:
                self.index[target_id] = await self.gateway.retrieve_page(target_id)
            except NotionAPIError as exc:
                if exc.status not in (400, 404):
                    raise
                kind = "database"
        known = self.index.get(target_id) or (self.sources_of.get(target_id) or [{}])[0]
        name = self._claim("", self._existing(target_id), title_of(known), kind)
        if kind == "database":
            await self._database(target_id, name, None)
        else:
            await self._page(self.index[target_id], name, None)

    async def _find_holders(self) -> None:
        """For each visible page whose parent is a block (in a toggle, a column…), the page that
        holds that block: the manifest's (it was exported under it), else block parents read up
        to the page (one request per level). The page is then reached as that page's child."""
        for item in list(self.index.values()):
            parent = item.get("parent") or {}
            if item.get("object") != "page" or parent.get("type") != "block_id":
                continue
            entry = self.manifest.entries.get(str(item["id"]))
            if entry is not None and entry.parent:
                self.holders[str(item["id"])] = entry.parent
                continue
            self.holders[str(item["id"])] = await self._holder(str(parent.get("block_id")))

    async def _holder(self, block_id: str) -> str | None:
        for _ in range(MAX_DEPTH):
            try:
                block = await self.gateway.retrieve_block(block_id)
            except NotionAPIError as exc:
                if exc.status in (400, 404):  # not shared with us: the page stays at the top
                    return None
                raise
            parent = block.get("parent") or {}
            if parent.get("type") == "page_id":
                return str(parent["page_id"])
            if parent.get("type") != "block_id":
                return None
            block_id = str(parent["block_id"])
        return None

    def _parent_page(self, item: Json) -> str:
        """The page `item` is under: its parent page, or the page holding its parent block."""
        parent = item.get("parent") or {}
        if parent.get("type") == "block_id":
            return self.holders.get(str(item["id"])) or ""
        return str(parent.get("page_id") or "")

    async def _all(self) -> None:
        def top(item: Json) -> bool:
            parent = item.get("parent") or {}
            if item.get("object") == "data_source":
                return False
            if parent.get("type") == "block_id":
                return self._parent_page(item) not in self.index
            return parent.get("type") == "workspace" or not any(
                str(v) in self.index or str(v) in self.sources_of
                for k, v in parent.items()
                if k.endswith("_id")
            )

        roots = [i for i in self.index.values() if top(i)]
        await self._children("", None, [(str(i["id"]), "page") for i in roots])
        # anything visible not reached from a top-level page (a parent not shared with us)
        rest = [
            (str(i["id"]), "page")
            for i in self.index.values()
            if i.get("object") == "page" and str(i["id"]) not in self.planned
            and (i.get("parent") or {}).get("type") != "data_source_id"
        ] + [(d, "database") for d in self.sources_of if d and d not in self.planned]  # fmt: skip
        await self._children("", None, rest)

    async def _new_children(self) -> None:
        """Pages the index shows under a page exported here but that its (vouched-for) entry does
        not list yet: a child page made since, whose parent's stamp did not move."""
        while True:
            found: dict[str, list[tuple[str, str]]] = {}
            for item in self.index.values():
                parent = self._parent_page(item)
                if (
                    item.get("object") == "page"
                    and parent in self.visited
                    and str(item["id"]) not in self.planned
                ):
                    found.setdefault(parent, []).append((str(item["id"]), "page"))
            if not found:
                return
            for parent, children in found.items():
                entry = self.manifest.entries.get(parent)
                if entry is not None:
                    entry.children += [c for c, _ in children if c not in entry.children]
                await self._children(_stem(entry.path) if entry else "", parent, children)

    # -- names ----------------------------------------------------------------------------------
    def _existing(self, object_id: str) -> str | None:
        entry = self.manifest.entries.get(object_id)
        return entry.path if entry is not None and entry.path else None

    def _claim(self, folder: str, existing: str | None, title: str, kind: str) -> str:
        if existing is not None:
            return existing
        taken = {
            PurePosixPath(p).name for p in self.claimed if str(PurePosixPath(p).parent) == (folder or ".")
        }
        taken |= {_stem(t) for t in taken}
        name = unique(safe_name(title), taken)
        path = str(PurePosixPath(folder) / (name if kind == "database" else f"{name}.md"))
        self.claimed.add(path)
        return path

    # -- pages ----------------------------------------------------------------------------------
    async def _children(self, folder: str, parent: str | None, children: list[tuple[str, str]]) -> None:
        plan: list[tuple[str, str, str]] = []
        for child_id, kind in children:
            if child_id in self.planned:
                continue
            self.planned.add(child_id)
            known = self.index.get(child_id) or {}
            title = title_of(known) if known else self._title_from_manifest(child_id)
            if kind == "database" and child_id in self.sources_of:
                title = self.titles.get(child_id) or title_of(self.sources_of[child_id][0])
            plan.append((child_id, kind, self._claim(folder, self._existing(child_id), title, kind)))
        await together(
            self._database(child_id, path, parent)
            if kind == "database"
            else self._child_page(child_id, path, parent)
            for child_id, kind, path in plan
        )

    def _title_from_manifest(self, object_id: str) -> str:
        entry = self.manifest.entries.get(object_id)
        return PurePosixPath(_stem(entry.path)).name if entry else "Untitled"

    async def _child_page(self, page_id: str, path: str, parent: str | None) -> None:
        page = self.index.get(page_id)
        if page is None:  # not in the search index (yet): read it
            try:
                page = await self.gateway.retrieve_page(page_id)
            except NotionAPIError as exc:
                if exc.status == 404:
                    return
                raise
            if page.get("in_trash") or page.get("archived"):
                return  # trashed: set aside at the end of the run
        await self._page(page, path, parent)

    async def _page(self, page: Json, path: str, parent: str | None) -> None:
        page_id = str(page["id"])
        self.visited.add(page_id)
        entry = self.manifest.entries.get(page_id)
        stamp = str(page.get("last_edited_time") or "")
        if entry is not None and entry.vouches(stamp) and (self.root / entry.path).is_file():
            self.stats.pages_unchanged += 1
            children = [(c, self._kind(c)) for c in entry.children]
        else:
            async with self.slots:
                children = await self._write_page(page, path, parent)
        self.on_event(self.stats, path)
        await self._children(_stem(path), page_id, children)

    def _kind(self, object_id: str) -> str:
        entry = self.manifest.entries.get(object_id)
        return entry.kind if entry is not None else "page"

    async def _write_page(self, page: Json, path: str, parent: str | None) -> list[tuple[str, str]]:
        page_id = str(page["id"])
        tree = await fetch_tree(self.gateway, page_id, max_depth=MAX_DEPTH, max_blocks=MAX_BLOCKS)
        flat = preorder(tree.blocks)
        body = blocks_to_markdown(tree.blocks, block_ids=True)
        body, files = await self._files(flat, body, path)
        meta = layout.page_meta(page, layout.files_dir(path))
        files += await self._images(page, meta, path)
        files += await self._property_files(page, path)
        text = layout.page_file(meta, body)
        kinds = {"child_page": "page", "child_database": "database"}
        children = [(str(b["id"]), kinds[str(b["type"])]) for b in flat if b.get("type") in kinds]
        for block in flat:
            if block.get("type") == "child_database" and (block.get("child_database") or {}).get("title"):
                self.titles[str(block["id"])] = str(block["child_database"]["title"])
        if page_id in self.conflicts:  # both sides changed (sync): Notion's version goes beside
            write_atomic(self.root / conflict_path(path), text)
            self.stats.conflicts.append(path)
            return children
        write_atomic(self.root / path, text)
        self.manifest.entries[page_id] = Entry(
            id=page_id,
            kind="page",
            path=path,
            last_edited_time=str(page.get("last_edited_time") or ""),
            parent=parent,
            children=[c for c, _ in children],
            files=files,
            run_started=self.started,
            content_hash=_hash(text),
        )
        for child_id, kind in children:  # so an unchanged parent's children are known by kind
            if child_id not in self.manifest.entries and kind == "database":
                self.manifest.entries[child_id] = Entry(child_id, "database", "", "", page_id)
        self.manifest.save()
        self.stats.pages_read += 1
        self.stats.blocks += len(flat)
        return children

    async def _files(self, flat: list[Json], body: str, path: str) -> tuple[str, list[str]]:
        """Download the files stored by Notion; link them relatively. (body, their paths)."""
        saved: list[str] = []
        stem = PurePosixPath(_stem(path))
        for block in flat:
            kind = str(block.get("type"))
            data = block.get(kind) if kind in FILE_BLOCKS else None
            if not isinstance(data, dict) or data.get("type") != "file":
                continue
            url = str((data.get("file") or {}).get("url") or "")
            hexid = compact(str(block["id"]))
            original = data.get("name") or unquote(PurePosixPath(urlparse(url).path).name) or kind
            local = stem.parent / f"{stem.name}.files" / f"{hexid[:8]}-{safe_name(str(original))}"
            try:
                write_atomic(self.root / local, await self.download(url))
            except Exception as exc:  # a file that cannot be fetched is reported, the page kept
                self.stats.failed_files.append(f"{local}: {type(exc).__name__}: {exc}")
                continue
            relative = f"{stem.name}.files/{local.name}"
            body = body.replace(NOTION_FILE + hexid, quote(relative))
            saved.append(str(local))
            self.stats.files += 1
        return body, saved

    async def _images(self, page: Json, meta: Json, path: str) -> list[str]:
        """A Notion-hosted icon or cover, downloaded as `Title.files/icon-<name>` (`cover-…`); the
        front matter names it by that relative path. Its paths."""
        saved: list[str] = []
        stem = PurePosixPath(_stem(path))
        for key in ("icon", "cover"):
            value = page.get(key)
            if not isinstance(value, dict) or value.get("type") != "file":
                continue
            url = str((value.get("file") or {}).get("url") or "")
            original = unquote(PurePosixPath(urlparse(url).path).name) or key
            local = stem.parent / f"{stem.name}.files" / f"{key}-{safe_name(original)}"
            try:
                write_atomic(self.root / local, await self.download(url))
            except Exception as exc:  # reported at the end; the page is kept without it
                self.stats.failed_files.append(f"{local}: {type(exc).__name__}: {exc}")
                continue
            meta[key] = f"{stem.name}.files/{local.name}"
            saved.append(str(local))
            self.stats.files += 1
        return saved

    async def _property_files(self, page: Json, path: str) -> list[str]:
        """The Notion-hosted files of its files properties, downloaded where the front matter and
        rows.csv name them (`Title.files/<8 hex>-<name>`, values.hosted_file). Their paths."""
        saved: list[str] = []
        folder = PurePosixPath(_stem(path)).parent / layout.files_dir(path)
        for name, prop in (page.get("properties") or {}).items():
            for index, item in hosted_items(prop) if isinstance(prop, dict) else []:
                local = folder / hosted_file(str(name), index, item)
                url = str((item.get("file") or {}).get("url") or "")
                try:
                    write_atomic(self.root / local, await self.download(url))
                except Exception as exc:  # reported at the end; the page is kept without it
                    self.stats.failed_files.append(f"{local}: {type(exc).__name__}: {exc}")
                    continue
                saved.append(str(local))
                self.stats.files += 1
        return saved

    # -- databases ------------------------------------------------------------------------------
    async def _database(self, database_id: str, folder: str, parent: str | None) -> None:
        """A database of one data source: its folder holds the schema, rows.csv and the rows. Of
        several (`_several`): `_database.yaml` and one such folder per data source."""
        entry = self.manifest.entries.get(database_id)
        indexed = self.sources_of.get(database_id) or []
        if len(indexed) > 1 or (entry is not None and entry.path and entry.data_source is None
                                and len(entry.children) > 1 and not indexed):  # fmt: skip
            await self._several(database_id, folder, parent, None)
            return
        source_stamp = str(indexed[0].get("last_edited_time") or "") if indexed else ""
        schema_path = self.root / folder / layout.SCHEMA_FILE
        if entry is not None and entry.data_source and entry.vouches(source_stamp) and schema_path.is_file():
            await self._source(database_id, entry.data_source, folder, parent, source_stamp, None)
            return
        read = await self._read_database(database_id)
        if read is None:
            return
        database, sources = read
        if len(sources) > 1:
            await self._several(database_id, folder, parent, database)
            return
        async with self.slots:
            source = await self.gateway.retrieve_data_source(str(sources[0]["id"]))
        write_atomic(schema_path, layout.schema_file(database, source))
        await self._source(database_id, str(source["id"]), folder, parent, source_stamp, source)

    async def _read_database(self, database_id: str) -> tuple[Json, list[Json]] | None:
        """The database and its data sources; None when it is not shared, gone, or has none."""
        async with self.slots:
            try:
                database, sources = await self.gateway.data_sources_of(database_id)
            except NotionAPIError as exc:
                if exc.status == 404:  # not shared, or gone: set aside at the end
                    return None
                raise
        return (database, sources) if sources else None

    async def _several(
        self, database_id: str, folder: str, parent: str | None, database: Json | None
    ) -> None:
        """A database of several data sources. The database is read again unless the manifest
        vouches for every data source the index shows (and for no other)."""
        entry = self.manifest.entries.get(database_id)
        stamps = {
            str(s["id"]): str(s.get("last_edited_time") or "") for s in self.sources_of.get(database_id) or []
        }
        known = [self.manifest.entries.get(i) for i in entry.children] if entry is not None else []
        vouched = (
            database is None and entry is not None and set(entry.children) == set(stamps)
            and all(e is not None and e.vouches(stamps[e.id]) and self._has_schema(e) for e in known)
            and (self.root / folder / layout.DATABASE_FILE).is_file()
        )  # fmt: skip
        if vouched and entry is not None:
            sources = [{"id": i} for i in entry.children]
        else:
            if database is None:
                read = await self._read_database(database_id)
                if read is None:
                    return
                database = read[0]
            sources = list(database.get("data_sources") or [])
            write_atomic(self.root / folder / layout.DATABASE_FILE, layout.database_file(database))
        self.visited.add(database_id)
        self.manifest.entries[database_id] = Entry(
            id=database_id,
            kind="database",
            path=folder,
            last_edited_time=str(
                (database or {}).get("last_edited_time") or (entry.last_edited_time if entry else "")
            ),
            parent=parent,
            children=[str(s["id"]) for s in sources],
            run_started=self.started,
        )
        for described in sources:
            source_id = str(described["id"])
            self.planned.add(source_id)
            path = self._claim(
                folder, self._existing(source_id), str(described.get("name") or "Untitled"), "database"
            )
            stamp = stamps.get(source_id, "")
            kept = self.manifest.entries.get(source_id)
            schema_path = self.root / path / layout.SCHEMA_FILE
            source: Json | None = None
            if kept is None or not kept.vouches(stamp) or not schema_path.is_file():
                async with self.slots:
                    source = await self.gateway.retrieve_data_source(source_id)
                write_atomic(schema_path, layout.schema_file(database or {}, source, one_of_several=True))
            await self._source(source_id, source_id, path, database_id, stamp, source)

    def _has_schema(self, entry: Entry) -> bool:
        return (self.root / entry.path / layout.SCHEMA_FILE).is_file()

    async def _source(
        self, key: str, source_id: str, folder: str, parent: str | None, stamp: str, source: Json | None
    ) -> None:
        """A data source's rows: rows.csv (rewritten only when it differs) and a file per row.
        `key`: its manifest entry (the database's, or the data source's when one of several);
        `source`: None when its schema was not read again (`_schema.yaml` keeps its columns)."""
        self.visited.add(key)
        rows = await self._rows(source_id)
        if source is None:
            schema_path = self.root / folder / layout.SCHEMA_FILE
            source = {"properties": layout.read_schema(schema_path.read_text("utf-8"))["properties"]}
        self.stats.databases += 1
        plan = []
        for row in rows:
            self.planned.add(str(row["id"]))
            self.index.setdefault(str(row["id"]), row)
            path = self._claim(folder, self._existing(str(row["id"])), title_of(row), "page")
            plan.append((row, path))
        files_at = {str(row["id"]): layout.files_dir(path) for row, path in plan}
        csv_text = layout.rows_csv(source, rows, files_at)
        csv_path = self.root / folder / layout.ROWS_FILE
        kept = key in self.conflicts  # rows changed on both sides (sync): the file stays
        if not kept and (not csv_path.is_file() or csv_path.read_text("utf-8") != csv_text):
            write_atomic(csv_path, csv_text)
        self.manifest.entries[key] = Entry(
            id=key,
            kind="database",
            path=folder,
            last_edited_time=stamp or str(source.get("last_edited_time") or ""),
            parent=parent,
            children=[str(r["id"]) for r in rows],
            run_started=self.started,
            data_source=source_id,
            content_hash=_hash(csv_text),
        )
        self.manifest.save()
        self.on_event(self.stats, folder)
        self.stats.rows += len(rows)
        await together(self._page(row, path, key) for row, path in plan)

    async def _rows(self, source_id: str) -> list[Json]:
        async def page(cursor: str | None, size: int) -> Json:
            return await self.gateway.query_data_source(source_id, {}, cursor, size)

        found = await collect(page, start_cursor=None, limit=10**9, page_size=100)
        rows = list(found.results)
        rows.sort(key=lambda r: (str(r.get("created_time") or ""), title_of(r), str(r["id"])))
        return rows

    # -- what was not reached ---------------------------------------------------------------------
    def _set_aside_unreached(self) -> None:
        gone = [e for k, e in self.manifest.entries.items() if k not in self.visited]
        stamp = self.started.replace(":", "-")
        for entry in gone:
            del self.manifest.entries[entry.id]
            if not entry.path:
                continue
            for rel in [entry.path, *entry.files]:
                source = self.root / rel
                if source.exists():
                    target = self.root / STATE_DIR / "removed" / stamp / rel
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.move(str(source), str(target))
            self.stats.removed += 1
