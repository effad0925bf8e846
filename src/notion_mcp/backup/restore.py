"""A folder → Notion, under a parent page (`notion-mcp import DIR PARENT`).

Recreates an export (docs/sync.md) or any folder of markdown files:
- `X.md` → a page titled by its front matter's `title` (else the file name), with its icon,
  cover and body; a folder `X/` beside it → that page's children; a folder without a page file
  → a page named after the folder, holding its contents;
- a folder with `_schema.yaml` → a database with that schema; each row file → a row (its front
  matter's properties, its body); rows.csv lines with no row file (matched by `_id`) → rows too;
- children are created in the order the parent's body names them (`<page url=…>` lines), then
  by name; those lines themselves are not sent (the child page makes its own);
- relation values pointing at imported pages are remapped to the new pages in a last pass;
- files linked relatively are uploaded again (reupload.py), or linked at `files_url` + their path;
  one that cannot be sent (outside the folder, missing, too large) is listed, its line left out.
Every page is made with `notion/create.py` (never twice, even after a lost answer) and filled with
`append_tree`; `.notion-mcp/import-<parent>.json` records each page made, so a re-run after a
failure skips what is complete and trashes (then remakes) a page left half-filled.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from notion_mcp.backup import layout
from notion_mcp.backup.files import write_atomic
from notion_mcp.backup.manifest import STATE_DIR
from notion_mcp.backup.reupload import FileSender
from notion_mcp.backup.values import WRITABLE, from_plain
from notion_mcp.errors import InputError, NotionAPIError
from notion_mcp.markdown import markdown_to_blocks, markdown_to_rich_text
from notion_mcp.markdown.ids import dashed, find_id
from notion_mcp.notion.create import create_page
from notion_mcp.notion.gateway import NotionGateway
from notion_mcp.notion.ids import normalize_id
from notion_mcp.notion.tree import append_tree

Json = dict[str, Any]
CHILD_LINE = re.compile(r'^<(page|database) url="([0-9a-fA-F-]{32,36})"[^>]*>.*</\1>\s*$')
LOCAL_REF = re.compile(r'(\]\(|src=")(?![a-zA-Z][a-zA-Z0-9+.-]*:|#|/)([^)"\s]+)')
FILE_REF = re.compile(r'(!\[[^\]]*\]\(|src=")(?![a-zA-Z][a-zA-Z0-9+.-]*:|#|/)([^)"\s]+)')  # media
SKIPPED_NAMES = frozenset({layout.SCHEMA_FILE, layout.ROWS_FILE, layout.DATABASE_FILE})
NOT_CREATABLE = frozenset({"rollup", "relation", "button"})  # need other databases, or not API-made


@dataclass
class ImportStats:
    pages: int = 0
    databases: int = 0
    rows: int = 0
    blocks: int = 0
    skipped: int = 0  # complete in an earlier run
    files_left_out: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Row:
    """A database row to make: the name of its title property and its other values."""

    title: str
    values: Json
    files: Json = field(default_factory=dict)  # files properties' plain values: uploaded when made


def _icon(value: Any) -> Json | None:
    if not isinstance(value, str) or not value:
        return None
    if value.startswith(("https://", "http://")):
        return {"type": "external", "external": {"url": value}}
    return {"type": "emoji", "emoji": value}


def _title(meta: Json, path: Path) -> str:
    title = meta.get("title")
    return str(title) if isinstance(title, str) else path.stem if path.suffix == ".md" else path.name


class Importer:
    def __init__(
        self,
        gateway: NotionGateway,
        root: Path,
        parent: str,
        *,
        files_url: str | None = None,
        upload_max_mb: int = 5_120,
        on_event: Callable[[ImportStats, str], None] | None = None,
    ) -> None:
        self.gateway = gateway
        self.root = root
        self.parent = normalize_id(parent, "PARENT")
        self.files = FileSender(gateway, root, files_url=files_url, max_mb=upload_max_mb)
        self.on_event = on_event
        self.stats = ImportStats()
        self.state_path = root / STATE_DIR / f"import-{self.parent}.json"
        self.state: dict[str, Json] = (
            json.loads(self.state_path.read_text("utf-8")) if self.state_path.is_file() else {}
        )
        self.new_ids: dict[str, str] = {}  # exported ID -> the page or database made for it
        self.relations: list[tuple[str, str, list[str]]] = []  # (new row, property, old IDs)

    def _save(self) -> None:
        write_atomic(self.state_path, json.dumps(self.state, indent=1, sort_keys=True) + "\n", durable=True)

    async def run(self) -> ImportStats:
        if not self.root.is_dir():
            raise ValueError(f"{self.root} is not a folder")
        await self._folder(self.root, self.parent, order=[])
        await self._remap_relations()
        return self.stats

    # -- folders --------------------------------------------------------------------------------
    def _entries(self, folder: Path, order: list[str]) -> list[tuple[str, Path]]:
        """(kind, path) of what `folder` holds, in the order the parent's body names them."""
        found: list[tuple[str, Path]] = []
        pages = {p.stem for p in folder.glob("*.md")}
        for path in sorted(folder.iterdir(), key=lambda p: p.name.lower()):
            if path.name.startswith(".") or path.name in SKIPPED_NAMES or path.name.endswith(".files"):
                continue
            if path.is_dir() and (path / layout.DATABASE_FILE).is_file():
                found.append(("databases", path))
            elif path.is_dir() and (path / layout.SCHEMA_FILE).is_file():
                found.append(("database", path))
            elif path.is_dir() and path.name not in pages:
                found.append(("folder", path))
            elif path.suffix == ".md":
                found.append(("page", path))
        rank = {i: n for n, i in enumerate(order)}

        def position(entry: tuple[str, Path]) -> int:
            return rank.get(self._id_in(entry), len(rank))

        return sorted(found, key=position)

    def _id_in(self, entry: tuple[str, Path]) -> str:
        kind, path = entry
        try:
            if kind == "page":
                meta, _ = layout.read_page_file(path.read_text("utf-8"))
            elif kind == "database":
                meta = layout.read_schema((path / layout.SCHEMA_FILE).read_text("utf-8"))
            elif kind == "databases":
                meta = layout.read_database((path / layout.DATABASE_FILE).read_text("utf-8"))
            else:
                return ""
        except (OSError, ValueError):
            return ""
        return dashed(str(meta.get("id") or ""))

    async def _folder(self, folder: Path, parent_id: str, order: list[str]) -> None:
        for kind, path in self._entries(folder, order):
            if kind == "database":
                await self._database(path, parent_id)
            elif kind == "databases":
                await self._several(path, parent_id)
            elif kind == "folder":
                made = await self._make_page(path, parent_id, {"title": path.name}, "")
                await self._folder(path, made, [])
            else:
                meta, body = layout.read_page_file(path.read_text("utf-8"))
                made = await self._make_page(path, parent_id, meta, body)
                below = path.with_suffix("")
                if below.is_dir():
                    await self._folder(below, made, self._child_order(body))

    @staticmethod
    def _child_order(body: str) -> list[str]:
        return [dashed(m.group(2)) for line in body.splitlines() if (m := CHILD_LINE.match(line.strip()))]

    # -- pages ----------------------------------------------------------------------------------
    async def _body_blocks(self, path: Path, body: str) -> list[Json]:
        lines = []
        for line in body.splitlines():
            if CHILD_LINE.match(line.strip()):
                continue  # the child page or database is made from its own file
            refs = [m.group(2) for m in FILE_REF.finditer(line)]
            try:
                links = {ref: await self.files.link(path, ref) for ref in refs}
            except InputError as exc:  # not in the folder, missing, too large: reported, line left out
                self.stats.files_left_out.append(f"{path.relative_to(self.root)}: {exc}")
                continue
            line = FILE_REF.sub(lambda m, links=links: m.group(1) + links[m.group(2)], line)  # type: ignore[misc]
            if LOCAL_REF.search(line):  # a link to a local path Notion cannot open
                where = path.relative_to(self.root)
                self.stats.files_left_out.append(f"{where}: a link to a local path: {line.strip()}")
                continue
            lines.append(line)
        return markdown_to_blocks("\n".join(lines))

    async def _make_page(self, path: Path, parent: str, meta: Json, body: str, row: Row | None = None) -> str:
        key = str(path.relative_to(self.root))
        done = self.state.get(key)
        if done and done.get("complete"):
            self.stats.skipped += 1
            self._remember(meta, str(done["id"]))
            return str(done["id"])
        if done:  # made, but not filled: trash it and make it again
            await self.gateway.update_page(str(done["id"]), {"in_trash": True})
        blocks = await self._body_blocks(path, body)
        title = {"title": markdown_to_rich_text(_title(meta, path))}
        request: Json = (
            {"parent": {"type": "page_id", "page_id": parent}, "properties": {"title": title}}
            if row is None
            else {
                "parent": {"type": "data_source_id", "data_source_id": parent},
                "properties": {row.title: title, **row.values},
            }
        )
        for name, value in (row.files if row is not None else {}).items():
            sent = await self.files.files(path, value, self.stats.files_left_out)
            request["properties"][name] = {"files": sent}
        for name in ("icon", "cover"):
            if self.files.is_file(path, meta.get(name)):  # a Notion-hosted one, downloaded
                try:
                    request[name] = await self.files.image(path, str(meta[name]))
                except InputError as exc:
                    self.stats.files_left_out.append(f"{key}: {name}: {exc}")
            elif (value := _icon(meta.get(name))) is not None and (
                name == "icon" or value["type"] == "external"
            ):
                request[name] = value
        made = (await create_page(self.gateway, request)).page
        page_id = str(made["id"])
        self.state[key] = {"id": page_id, "complete": False}
        self._save()
        if blocks:
            result = await append_tree(self.gateway, page_id, blocks)
            self.stats.blocks += result.blocks_written
        self.state[key]["complete"] = True
        self._save()
        self._remember(meta, page_id)
        if row is not None:
            self.stats.rows += 1
        else:
            self.stats.pages += 1
        if self.on_event is not None:
            self.on_event(self.stats, key)
        return page_id

    def _remember(self, meta: Json, new_id: str) -> None:
        old = find_id(str(meta.get("id") or ""))
        if old:
            self.new_ids[dashed(old)] = new_id

    # -- databases ------------------------------------------------------------------------------
    async def _database(self, folder: Path, parent_id: str) -> None:
        """A folder with `_schema.yaml`: a database of one data source."""
        schema = layout.read_schema((folder / layout.SCHEMA_FILE).read_text("utf-8"))
        key = str(folder.relative_to(self.root))
        if not self.state.get(key):
            database = await self._create_database(folder, parent_id, schema, schema)
            source_id = str(database["data_sources"][0]["id"])
            await self._self_relations(
                schema["properties"], str(schema.get("data_source_id") or ""), source_id
            )
            self.state[key] = {"id": database["id"], "data_source": source_id, "complete": True}
            self._save()
        await self._source(folder, schema, key)

    async def _several(self, folder: Path, parent_id: str) -> None:
        """A folder with `_database.yaml`: a database of several data sources, one sub-folder
        each; the first is made with the database, the others added to it."""
        meta = layout.read_database((folder / layout.DATABASE_FILE).read_text("utf-8"))
        key = str(folder.relative_to(self.root))
        subs = self._source_folders(folder, meta)
        if not subs:
            self.stats.notes.append(f"{key}: no data source folder (with {layout.SCHEMA_FILE}); left out")
            return
        if not self.state.get(key):
            first, schema = subs[0]
            database = await self._create_database(folder, parent_id, meta, schema)
            source_id = str(database["data_sources"][0]["id"])
            body: Json = {"title": markdown_to_rich_text(str(schema.get("title") or first.name))}
            await self.gateway.update_data_source(source_id, body)
            await self._self_relations(
                schema["properties"], str(schema.get("data_source_id") or ""), source_id
            )
            made = {"id": database["id"], "data_source": source_id, "complete": True}
            self.state[key] = self.state[str(first.relative_to(self.root))] = made
            self._save()
        database_id = str(self.state[key]["id"])
        for sub, schema in subs:
            sub_key = str(sub.relative_to(self.root))
            if not self.state.get(sub_key):
                request: Json = {
                    "parent": {"type": "database_id", "database_id": database_id},
                    "title": markdown_to_rich_text(str(schema.get("title") or sub.name)),
                    "properties": self._creatable(sub_key, schema),
                }
                source_id = str((await self.gateway.create_data_source(request))["id"])
                await self._self_relations(
                    schema["properties"], str(schema.get("data_source_id") or ""), source_id
                )
                self.state[sub_key] = {"id": database_id, "data_source": source_id, "complete": True}
                self._save()
            await self._source(sub, schema, sub_key)

    @staticmethod
    def _source_folders(folder: Path, meta: Json) -> list[tuple[Path, Json]]:
        """The data source folders of a database of several, in `_database.yaml`'s order."""
        found = [
            (sub, layout.read_schema((sub / layout.SCHEMA_FILE).read_text("utf-8")))
            for sub in sorted(folder.iterdir(), key=lambda p: p.name.lower())
            if sub.is_dir() and (sub / layout.SCHEMA_FILE).is_file()
        ]
        order = {dashed(str(s.get("id") or "")): n for n, s in enumerate(meta.get("data_sources") or [])}
        return sorted(
            found, key=lambda f: order.get(dashed(str(f[1].get("data_source_id") or "")), len(order))
        )

    def _creatable(self, key: str, schema: Json) -> Json:
        """The properties a new data source can be made with (others are listed in the notes)."""
        properties: Json = schema["properties"]
        creatable = {
            name: {str(p["type"]): p.get(p["type"]) or {}}
            for name, p in properties.items()
            if p.get("type") not in NOT_CREATABLE
        }
        left = sorted(
            n
            for n in set(properties) - set(creatable)
            if (properties[n].get("relation") or {}).get("data_source_id") != schema.get("data_source_id")
        )
        if left:
            self.stats.notes.append(f"{key}: properties not recreated (need other databases): {left}")
        return creatable

    async def _create_database(self, folder: Path, parent_id: str, meta: Json, schema: Json) -> Json:
        """A database under `parent_id` titled by `meta`, its first data source made by `schema`."""
        key = str(folder.relative_to(self.root))
        request: Json = {
            "parent": {"type": "page_id", "page_id": parent_id},
            "title": markdown_to_rich_text(str(meta.get("title") or folder.name)),
            "initial_data_source": {"properties": self._creatable(key, schema)},
        }
        if meta.get("description"):
            request["description"] = markdown_to_rich_text(str(meta["description"]))
        if meta.get("is_inline") is not None:
            request["is_inline"] = bool(meta["is_inline"])
        database = await self.gateway.create_database(request)
        self.stats.databases += 1
        return database

    async def _source(self, folder: Path, schema: Json, key: str) -> None:
        """A data source's rows, once the data source is made."""
        if schema.get("id"):
            self.new_ids[dashed(str(schema["id"]))] = str(self.state[key]["id"])
        properties: Json = schema["properties"]
        types = {name: str(p.get("type")) for name, p in properties.items()}
        title = layout.title_name({"properties": properties})
        await self._rows(folder, str(self.state[key]["data_source"]), types, title)

    async def _self_relations(self, properties: Json, old_source: str, new_source: str) -> None:
        """A relation of the database to itself is made again, pointing at the new database."""
        own = {
            name: {"relation": {"data_source_id": new_source, "single_property": {}}}
            for name, p in properties.items()
            if p.get("type") == "relation" and (p.get("relation") or {}).get("data_source_id") == old_source
        }
        if own:
            await self.gateway.update_data_source(new_source, {"properties": own})

    async def _rows(self, folder: Path, source_id: str, types: dict[str, str], title: str) -> None:
        covered: set[str] = set()
        for path in sorted(folder.glob("*.md"), key=lambda p: p.name.lower()):
            meta, body = layout.read_page_file(path.read_text("utf-8"))
            covered.add(dashed(str(meta.get("id") or "")))
            values = self._values(meta.get("properties") or {}, types)
            row_id = await self._make_page(path, source_id, meta, body, self._row(title, values, types))
            self._relations_of(row_id, meta.get("properties") or {}, types)
            below = path.with_suffix("")
            if below.is_dir():
                await self._folder(below, row_id, self._child_order(body))
        csv_path = folder / layout.ROWS_FILE
        if csv_path.is_file():
            for n, row in enumerate(layout.read_rows_csv(csv_path.read_text("utf-8"))):
                if dashed(row.get(layout.ID_COLUMN) or "") in covered and row.get(layout.ID_COLUMN):
                    continue
                plain = {k: v for k, v in row.items() if k not in (layout.ID_COLUMN, title)}
                meta = {"title": row.get(title) or "", "id": row.get(layout.ID_COLUMN) or ""}
                values = self._values(plain, types)
                fake = folder / f"{layout.ROWS_FILE}#{n + 1}"
                row_id = await self._make_page(fake, source_id, meta, "", self._row(title, values, types))
                self._relations_of(row_id, plain, types)

    @staticmethod
    def _row(title: str, values: Json, types: dict[str, str]) -> Row:
        """Files properties apart: their files are uploaded when the row is made (reupload.py)."""
        files = {n: v for n, v in values.items() if types.get(n) == "files"}
        return Row(title, {n: v for n, v in values.items() if n not in files}, files)

    def _values(self, plain: Json, types: dict[str, str]) -> Json:
        """Writable values as Notion takes them (a files property's stays plain: see _row)."""
        out: Json = {}
        for name, value in plain.items():
            kind = types.get(name)
            if kind is None or kind not in WRITABLE or kind in ("title", "relation"):
                continue
            if kind == "files":
                out[name] = value
                continue
            try:
                out[name] = from_plain(kind, value)
            except (ValueError, TypeError):
                self.stats.notes.append(f"{name}: {value!r} is not a {kind} value; left empty")
        return out

    def _relations_of(self, row_id: str, plain: Json, types: dict[str, str]) -> None:
        for name, value in plain.items():
            if types.get(name) == "relation" and value:
                ids = value if isinstance(value, list) else [v.strip() for v in str(value).split(",")]
                self.relations.append((row_id, name, [dashed(str(i)) for i in ids if str(i).strip()]))

    async def _remap_relations(self) -> None:
        """Relations point at the pages made for the exported ones (others are left out)."""
        for row_id, name, old in self.relations:
            new = [self.new_ids[i] for i in old if i in self.new_ids]
            if new:
                try:
                    await self.gateway.update_page(
                        row_id, {"properties": {name: {"relation": [{"id": i} for i in new]}}}
                    )
                except NotionAPIError as exc:  # a relation property that was not recreated
                    self.stats.notes.append(f"relation {name} of {row_id}: {exc}")
