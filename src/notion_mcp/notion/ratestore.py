"""Where one token's window lives, so that every process using the token spends one budget.

- `memory`: this process only (the in-process sandbox, tests).
- `file` (the default): a small JSON file in the user's cache directory, named by a hash of
  the API address and the token (never the token itself), read and written under an exclusive
  `flock`, so the processes of one machine (a desktop app, an editor, an export started from a
  terminal) share it.
- `redis://…`, `rediss://…`, `unix://…`: a Redis server, so several machines or HTTP workers
  share it (`ratestore_redis.py`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from notion_mcp.notion.window import RateStore

T = TypeVar("T")
Json = dict[str, Any]
log = logging.getLogger("notion_mcp.ratestore")

MEMORY, FILE = "memory", "file"
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def token_key(token: str, base_url: str) -> str:
    """A stable name for one token at one API address that does not reveal the token."""
    return hashlib.sha256(f"notion-mcp rate limit\n{base_url}\n{token}".encode()).hexdigest()[:32]


def cache_dir() -> Path:
    """The user's cache directory for notion-mcp (XDG on Linux, ~/Library/Caches on macOS)."""
    if sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    elif sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home())
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "notion-mcp"


def state_of(stored: str | bytes | None) -> Json:
    """The state as stored; a fresh one when there is none yet (empty, or None: no Redis key) or
    it is damaged or not ours, so that the next change writes a whole new state."""
    try:
        raw = json.loads(stored)  # type: ignore[arg-type]  # (None raises TypeError)
    except (TypeError, ValueError):
        return {}
    return raw if isinstance(raw, dict) else {}


class MemoryStore:
    """The state in this process only."""

    def __init__(self) -> None:
        self.raw: Json = {}

    async def update(self, change: Callable[[Json], T]) -> T:
        return change(self.raw)

    async def aclose(self) -> None:
        return None


class FileStore:
    """The state in a JSON file, changed under an exclusive lock held for one read and write."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _update(self, change: Callable[[Json], T]) -> T:
        import fcntl  # POSIX; open_store never builds a FileStore on Windows

        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        with os.fdopen(fd, "r+b") as handle:  # bytes: JSON's text is ASCII, whatever the locale
            fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file is closed
            raw = state_of(handle.read())
            result = change(raw)
            handle.seek(0)
            handle.truncate()
            handle.write(json.dumps(raw, separators=(",", ":")).encode())
            handle.flush()
        return result

    async def update(self, change: Callable[[Json], T]) -> T:
        # a few hundred bytes under a lock held for microseconds: not worth a thread
        return self._update(change)

    async def aclose(self) -> None:
        return None


def open_store(spec: str, token: str, base_url: str) -> RateStore:
    """The store named by the `NOTION_MCP_RATE_STORE` setting, for this token and address."""
    key = token_key(token, base_url)
    if spec.startswith(REDIS_SCHEMES):
        from notion_mcp.notion.ratestore_redis import RedisStore

        return RedisStore(spec, key)
    if spec == FILE:
        if sys.platform != "win32":
            return FileStore(cache_dir() / "ratelimit" / f"{key}.json")
        log.warning("the rate-limit file store needs POSIX file locks; keeping the window in memory")
    return MemoryStore()
