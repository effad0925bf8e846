"""A database folder's edited `rows.csv` → its rows in Notion, merged cell by cell (sync).

The base is `rows.csv` as of the last sync, kept in `.notion-mcp/rows/<database id>.csv` (saved
after every run that leaves `rows.csv` equal to Notion). Each line of the edited file is matched
to its row by `_id`, or — a line without one, when a key column is given — to the one row whose
cell in that column has the line's value; then each writable cell is compared three ways:

| here (the file) | in Notion | what happens |
|---|---|---|
| = base | any | nothing here: the pull brings Notion's value |
| changed | = base | the cell is sent |
| changed | = here | nothing to do |
| changed | changed otherwise | **conflict** |

A row with a conflicting cell is written on neither side: its Notion version goes to
`rows.conflict.csv` beside `rows.csv` (same columns), `rows.csv` is left as it is, and the run
exits 1. The base then takes Notion's version of those rows, so deleting `rows.conflict.csv`
says the file is the resolution: the next run sends its cells (unless Notion changed again).
The conflict file is written before the base: a run cut between them shows the conflict again.
A line removed here trashes its row, unless Notion changed the row since (then it is kept and
comes back). A line matching no row makes one; a row that an interrupted run made for it (a row
with its key or title that the last sync did not know) is taken instead of making a second.
Without a base (a folder exported before bases were kept), Notion's version is the base of a row
whose `last_edited_time` the manifest still has, and nothing is the base of any other row (a
differing cell is a conflict).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from notion_mcp.backup import layout
from notion_mcp.backup.files import write_atomic
from notion_mcp.backup.manifest import STATE_DIR, Entry, Manifest
from notion_mcp.backup.reupload import FileSender
from notion_mcp.backup.values import WRITABLE, cell, from_plain, to_plain
from notion_mcp.errors import InputError
from notion_mcp.markdown import markdown_to_rich_text, title_of
from notion_mcp.notion.create import create_page
from notion_mcp.notion.gateway import NotionGateway
from notion_mcp.notion.pagination import collect

Json = dict[str, Any]
Cells = dict[str, str]
CONFLICT_FILE = "rows.conflict.csv"


def base_path(root: Path, database_id: str) -> Path:
    return root / STATE_DIR / "rows" / f"{database_id}.csv"


def conflict_path(folder: str) -> str:
    return f"{folder}/{CONFLICT_FILE}"


def save_base(root: Path, entry: Entry) -> None:
    """Keep `rows.csv` as the base when it is what the last pull wrote (equal to Notion)."""
    current = root / entry.path / layout.ROWS_FILE
    if not entry.content_hash or not current.is_file():
        return
    text = current.read_text("utf-8")
    path = base_path(root, entry.id)
    pulled = hashlib.sha256(text.encode("utf-8")).hexdigest() == entry.content_hash
    if pulled and (not path.is_file() or path.read_text("utf-8") != text):
        write_atomic(path, text)


def _read_base(root: Path, database_id: str) -> tuple[list[str], dict[str, Cells]]:
    path = base_path(root, database_id)
    if not path.is_file():
        return [], {}
    reader = csv.DictReader(io.StringIO(path.read_text("utf-8")))
    rows = {r[layout.ID_COLUMN]: dict(r) for r in reader if r.get(layout.ID_COLUMN)}
    return list(reader.fieldnames or []), rows


def _csv(header: list[str], rows: Iterable[Cells]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, header, lineterminator="\n", extrasaction="ignore", restval="")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


@dataclass
class RowsResult:
    sent: int = 0  # rows updated or made
    trashed: int = 0
    conflicts: list[str] = field(default_factory=list)  # the rows' titles
    notes: list[str] = field(default_factory=list)


@dataclass
class RowsSync:
    gateway: NotionGateway
    root: Path
    manifest: Manifest
    entry: Entry
    key: str | None = None
    result: RowsResult = field(default_factory=RowsResult)
    # read by push():
    types: dict[str, str] = field(default_factory=dict)  # column -> property type
    title: str = ""  # the title column
    writable: list[str] = field(default_factory=list)  # the file's columns that can be sent
    rows: dict[str, Json] = field(default_factory=dict)  # Notion's rows by ID
    there: dict[str, Cells] = field(default_factory=dict)  # their cells
    base: dict[str, Cells] = field(default_factory=dict)  # the base's, by row ID
    keyed: dict[str, list[str]] = field(default_factory=dict)  # row IDs by their key cell

    async def push(self, text: str) -> RowsResult:
        folder = self.root / self.entry.path
        schema = layout.read_schema((folder / layout.SCHEMA_FILE).read_text("utf-8"))
        self.types = {n: str(p.get("type")) for n, p in schema["properties"].items()}
        self.title = layout.title_name(schema)
        reader = csv.DictReader(io.StringIO(text))
        local = list(reader)
        header = list(reader.fieldnames or [])
        if self.key is not None and self.key not in header:
            raise InputError(
                f"--key: {self.key!r} is not a column of {self.entry.path}/{layout.ROWS_FILE}; its columns: "
                f"{', '.join(header)}. Give one of them, or leave --key out to match rows by _id only."
            )
        self.writable = [n for n in header if self.types.get(n) in WRITABLE and self.types[n] != "relation"]
        source_id = str(self.entry.data_source)
        remote = await collect(
            lambda cursor, size: self.gateway.query_data_source(source_id, {}, cursor, size),
            start_cursor=None,
            limit=10**9,
        )
        self.rows = {str(r["id"]): r for r in remote.results}
        self.there = {i: self._cells(r) for i, r in self.rows.items()}
        base_header, self.base = _read_base(self.root, self.entry.id)
        listed: set[str] = set()
        clashing: list[str] = []
        found = False  # a line without _id got its row
        for line in local:
            row_id = await self._line(line, clashing)
            if row_id:
                listed.add(row_id)
                found |= not line.get(layout.ID_COLUMN)
                line[layout.ID_COLUMN] = row_id
        await self._removed(listed)
        if clashing:
            if found:  # the file stays: it must name the rows made for it, or they would be made again
                write_atomic(folder / layout.ROWS_FILE, _csv(header, local))
            self._conflict(schema, clashing, base_header or header)
        return self.result

    def _files_at(self, row_id: str) -> str:
        """The row file's `Title.files` (where its files properties' Notion-hosted files are)."""
        known = self.manifest.entries.get(row_id)
        return layout.files_dir(known.path) if known is not None and known.path else ""

    def _cells(self, row: Json) -> Cells:
        props = row.get("properties") or {}
        at = self._files_at(str(row["id"]))
        return {n: cell(to_plain(props[n], n, at)) for n in self.writable if n in props}

    def _base_row(self, row_id: str) -> Cells | None:
        if row_id in self.base:
            return self.base[row_id]
        known = self.manifest.entries.get(row_id)
        stamp = str(self.rows[row_id].get("last_edited_time") or "")
        return self.there[row_id] if known is not None and known.last_edited_time == stamp else None

    async def _line(self, line: Cells, clashing: list[str]) -> str | None:
        """Bring the line's row in line with it; its row ID (None: left out)."""
        row_id = line.get(layout.ID_COLUMN) or self._by_key(line)
        if row_id == "":
            return None
        if row_id is None:
            return await self._new_row(line)
        if row_id not in self.rows:
            return row_id  # trashed or gone in Notion: the pull drops the line
        send, clash = merge(line, self.there[row_id], self._base_row(row_id), self.writable)
        if clash:
            clashing.append(row_id)
            self.result.conflicts.append(title_of(self.rows[row_id]))
        elif send:
            await self._send(row_id, send)
        return row_id

    def _by_key(self, line: Cells) -> str | None:
        """The row whose key cell has the line's value (None: no row; "": several)."""
        if self.key is None or not line.get(self.key):
            return None
        if not self.keyed:
            for row_id, row in self.rows.items():
                self.keyed.setdefault(self._key_of(row), []).append(row_id)
        value = line[self.key]
        found = self.keyed.get(value, [])
        if len(found) > 1:
            self.result.notes.append(
                f"{self.entry.path}/{layout.ROWS_FILE}: {len(found)} rows have {self.key} = {value!r}; "
                "the line is left out (give it the _id of the row it is)"
            )
            return ""
        return found[0] if found else None

    def _key_of(self, row: Json) -> str:
        props = row.get("properties") or {}
        if self.key is None or self.key not in props:
            return ""
        return cell(to_plain(props[self.key], self.key, self._files_at(str(row["id"]))))

    async def _value(self, column: str, value: str) -> Json:
        """A cell as the value Notion takes; a files cell's local files are uploaded again."""
        if self.types[column] != "files":
            return from_plain(self.types[column], value)
        csv_file = self.root / self.entry.path / layout.ROWS_FILE
        return {"files": await FileSender(self.gateway, self.root).files(csv_file, value, self.result.notes)}

    async def _send(self, row_id: str, cells: Cells) -> None:
        props = {n: await self._value(n, v) for n, v in cells.items()}
        await self.gateway.update_page(row_id, {"properties": props})
        self.there[row_id].update(cells)
        self.result.sent += 1

    async def _new_row(self, line: Cells) -> str:
        """A row for a line that names none — or the one an interrupted run made for it."""
        name = line.get(self.title) or ""
        known = set(self.entry.children) | set(self.base)
        for row_id, row in self.rows.items():
            if row_id not in known and title_of(row) == (name or "Untitled"):
                send, _ = merge(line, self.there[row_id], self.there[row_id], self.writable)
                if send:
                    await self._send(row_id, send)
                return row_id
        props: Json = {self.title: {"title": markdown_to_rich_text(name)}}
        for column in self.writable:
            if column != self.title and line.get(column):
                props[column] = await self._value(column, line[column])
        parent = {"type": "data_source_id", "data_source_id": str(self.entry.data_source)}
        made = await create_page(self.gateway, {"parent": parent, "properties": props})
        self.result.sent += 1
        return str(made.page["id"])

    async def _removed(self, listed: set[str]) -> None:
        """Rows the last sync knew, gone from the file: trashed unless Notion changed them since."""
        for row_id in list(self.entry.children):
            if row_id not in self.rows or row_id in listed:
                continue
            base = self._base_row(row_id)
            if base is None or any(base.get(n, "") != v for n, v in self.there[row_id].items()):
                self.result.notes.append(
                    f"{self.entry.path}/{layout.ROWS_FILE}: the line of {title_of(self.rows[row_id])!r} was "
                    "removed here but the row changed in Notion: kept (its line comes back)"
                )
                continue
            await self.gateway.update_page(row_id, {"in_trash": True})  # its file: set aside by the pull
            self.result.trashed += 1

    def _conflict(self, schema: Json, clashing: list[str], header: list[str]) -> None:
        """Notion's version of the clashing rows beside the file, then taken as their base."""
        source = {"properties": schema["properties"]}
        files_at = {i: self._files_at(i) for i in clashing}
        text = layout.rows_csv(source, [self.rows[i] for i in clashing], files_at)
        write_atomic(self.root / conflict_path(self.entry.path), text)
        for row_id in clashing:
            one = layout.rows_csv(source, [self.rows[row_id]], files_at)
            self.base[row_id] = layout.read_rows_csv(one)[0]
        write_atomic(base_path(self.root, self.entry.id), _csv(header, self.base.values()))


def merge(here: Cells, there: Cells, base: Cells | None, columns: list[str]) -> tuple[Cells, list[str]]:
    """(the cells to send, the columns in conflict) — see the module docstring's table."""
    send: Cells = {}
    clash: list[str] = []
    for name in columns:
        if name not in here:
            continue
        mine, theirs = here[name], there.get(name, "")
        if mine == theirs:
            continue
        was = base.get(name) if base is not None else None
        if was is not None and mine == was:
            continue
        if was is not None and theirs == was:
            send[name] = mine
            continue
        clash.append(name)
    return send, clash
