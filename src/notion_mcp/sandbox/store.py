"""SQLite state of a sandbox workspace: one table of JSON objects, one transaction per write.

``objects(id, kind, parent_id, position, seq, edited_seq, data)``: ``kind`` is one of
``page``, ``block``, ``database``, ``data_source``, ``user``, ``comment``, ``file_upload``
(its bytes in ``file_parts``, one row per part); ``parent_id`` is the
containing object (a page, block, database or data source) or NULL for the workspace;
``position`` orders block children; ``seq`` is the creation order and ``edited_seq`` the order
of the last edit (timestamps are minute-rounded like Notion's, so ties are common).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from notion_mcp.sandbox.rules import JSON

SCHEMA = """
CREATE TABLE IF NOT EXISTS objects(
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    parent_id TEXT,
    position REAL NOT NULL DEFAULT 0,
    seq INTEGER NOT NULL,
    edited_seq INTEGER NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS objects_parent ON objects(parent_id, position, seq);
CREATE INDEX IF NOT EXISTS objects_kind ON objects(kind, seq);
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS file_parts(
    upload_id TEXT NOT NULL,
    part INTEGER NOT NULL,
    bytes BLOB NOT NULL,
    PRIMARY KEY(upload_id, part)
);
"""


class Store:
    """JSON objects in SQLite. All access goes through :meth:`transaction`."""

    def __init__(self, path: str | None = None) -> None:
        self.path = path
        self._db = sqlite3.connect(path or ":memory:", check_same_thread=False, isolation_level=None)
        self._lock = threading.RLock()
        self._depth = 0
        with self._lock:
            self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """Everything inside commits together or not at all."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self
                finally:
                    self._depth -= 1
                return
            self._db.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield self
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            else:
                self._db.execute("COMMIT")
            finally:
                self._depth = 0

    def write_version(self) -> tuple[int, int]:
        """Changes whenever the database may have changed: rows written through this connection
        (``total_changes``, rolled-back ones too) or commits by another connection (``data_version``)."""
        row: Any = self._db.execute("PRAGMA data_version").fetchone()
        return self._db.total_changes, int(row[0])

    # -- meta -------------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def next_seq(self) -> int:
        value = int(self.get_meta("seq") or "0") + 1
        self.set_meta("seq", str(value))
        return value

    # -- objects ----------------------------------------------------------------------------
    def get(self, object_id: str, kind: str | tuple[str, ...] | None = None) -> JSON | None:
        row = self._db.execute("SELECT kind, data FROM objects WHERE id = ?", (object_id,)).fetchone()
        if row is None:
            return None
        kinds = (kind,) if isinstance(kind, str) else kind
        if kinds is not None and row[0] not in kinds:
            return None
        data: JSON = json.loads(row[1])
        return data

    def kind_of(self, object_id: str) -> str | None:
        row = self._db.execute("SELECT kind FROM objects WHERE id = ?", (object_id,)).fetchone()
        return None if row is None else str(row[0])

    def parent_of(self, object_id: str) -> str | None:
        row = self._db.execute("SELECT parent_id FROM objects WHERE id = ?", (object_id,)).fetchone()
        return None if row is None or row[0] is None else str(row[0])

    def insert(self, kind: str, data: JSON, parent_id: str | None, position: float = 0.0) -> None:
        seq = self.next_seq()
        self._db.execute(
            "INSERT INTO objects(id, kind, parent_id, position, seq, edited_seq, data) "
            "VALUES (?,?,?,?,?,?,?)",
            (data["id"], kind, parent_id, position, seq, seq, json.dumps(data)),
        )

    def update(self, data: JSON) -> None:
        seq = self.next_seq()
        self._db.execute(
            "UPDATE objects SET data = ?, edited_seq = ? WHERE id = ?", (json.dumps(data), seq, data["id"])
        )

    def delete(self, object_id: str) -> None:
        self.next_seq()  # a change like any other (remembered query results are forgotten)
        self._db.execute("DELETE FROM objects WHERE id = ?", (object_id,))

    # -- file uploads: the bytes of each part, kept apart from the JSON objects -----------------
    def put_part(self, upload_id: str, part: int, data: bytes) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO file_parts(upload_id, part, bytes) VALUES (?,?,?)",
            (upload_id, part, data),
        )

    def part_sizes(self, upload_id: str) -> dict[int, int]:
        rows = self._db.execute(
            "SELECT part, length(bytes) FROM file_parts WHERE upload_id = ?", (upload_id,)
        ).fetchall()
        return {int(part): int(size) for part, size in rows}

    def file_bytes(self, upload_id: str) -> bytes:
        rows = self._db.execute(
            "SELECT bytes FROM file_parts WHERE upload_id = ? ORDER BY part", (upload_id,)
        ).fetchall()
        return b"".join(bytes(row[0]) for row in rows)

    def set_parent(self, object_id: str, parent_id: str | None) -> None:
        self._db.execute("UPDATE objects SET parent_id = ? WHERE id = ?", (parent_id, object_id))

    def children(self, parent_id: str, kinds: tuple[str, ...]) -> list[JSON]:
        marks = ",".join("?" for _ in kinds)
        rows = self._db.execute(
            f"SELECT data FROM objects WHERE parent_id = ? AND kind IN ({marks}) ORDER BY position, seq",
            (parent_id, *kinds),
        ).fetchall()
        return [json.loads(r[0]) for r in rows]

    def count_children(self, parent_id: str, kinds: tuple[str, ...]) -> int:
        marks = ",".join("?" for _ in kinds)
        row = self._db.execute(
            f"SELECT COUNT(*) FROM objects WHERE parent_id = ? AND kind IN ({marks})", (parent_id, *kinds)
        ).fetchone()
        return int(row[0])

    def has_children(self, parent_id: str, kinds: tuple[str, ...]) -> bool:
        marks = ",".join("?" for _ in kinds)
        rows = self._db.execute(
            f"SELECT data FROM objects WHERE parent_id = ? AND kind IN ({marks})", (parent_id, *kinds)
        ).fetchall()
        return any(not json.loads(r[0]).get("in_trash") for r in rows)

    def all_of(self, kind: str, order: str = "seq") -> list[JSON]:
        column = "edited_seq" if order == "edited" else "seq"
        rows = self._db.execute(
            f"SELECT data FROM objects WHERE kind = ? ORDER BY {column}", (kind,)
        ).fetchall()
        return [json.loads(r[0]) for r in rows]

    def edited_seq(self, object_id: str) -> int:
        row = self._db.execute("SELECT edited_seq FROM objects WHERE id = ?", (object_id,)).fetchone()
        return 0 if row is None else int(row[0])

    def positions(self, parent_id: str) -> list[tuple[str, float]]:
        rows = self._db.execute(
            "SELECT id, position FROM objects WHERE parent_id = ? AND kind IN ('block','page','database') "
            "ORDER BY position, seq",
            (parent_id,),
        ).fetchall()
        return [(str(r[0]), float(r[1])) for r in rows]

    def set_position(self, object_id: str, position: float) -> None:
        self._db.execute("UPDATE objects SET position = ? WHERE id = ?", (position, object_id))

    def slots(self, parent_id: str, n: int, where: str = "end", after_id: str | None = None) -> list[float]:
        """``n`` increasing positions for new children of ``parent_id`` at ``where``."""
        order = self.positions(parent_id)
        if not order:
            return [float(i + 1) for i in range(n)]
        if where == "end" or (where == "after" and order[-1][0] == after_id):
            return [order[-1][1] + i + 1 for i in range(n)]
        if where == "start":
            low, high = order[0][1] - 1.0, order[0][1]
        else:
            index = next(i for i, (oid, _) in enumerate(order) if oid == after_id)
            low, high = order[index][1], order[index + 1][1]
        step = (high - low) / (n + 1)
        if step < 1e-9:
            for i, (oid, _) in enumerate(order):
                self.set_position(oid, float(i + 1))
            return self.slots(parent_id, n, where, after_id)
        return [low + step * (i + 1) for i in range(n)]

    def count(self) -> int:
        row: Any = self._db.execute("SELECT COUNT(*) FROM objects").fetchone()
        return int(row[0])
