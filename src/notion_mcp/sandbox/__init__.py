"""A local workspace that speaks Notion's REST API (an ASGI app over SQLite).

In process::

    sandbox = Sandbox()                       # seeded, in memory
    http = httpx.AsyncClient(transport=sandbox.transport(), base_url=Sandbox.base_url)

Out of process: :func:`serve` runs it under uvicorn on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import sqlite3
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from notion_mcp.listening import listen
from notion_mcp.loopback import loopback_host
from notion_mcp.sandbox import (
    routes_blocks,
    routes_databases,
    routes_markdown,
    routes_misc,
    routes_pages,
    routes_uploads,
    templates,
    views,
)
from notion_mcp.sandbox.app import AppState, SandboxApp
from notion_mcp.sandbox.faults import Fault, Faults, TokenBucket
from notion_mcp.sandbox.rules import NotionError
from notion_mcp.sandbox.seed import SEED, SeedIds, seed_demo, seed_users
from notion_mcp.sandbox.store import Store
from notion_mcp.sandbox.windows import window_limits

__all__ = ["SEED", "Fault", "Faults", "NotionError", "Sandbox", "SeedIds", "check_workspace", "serve"]

log = logging.getLogger(__name__)

ROUTES = [
    *routes_pages.ROUTES,
    *routes_markdown.ROUTES,
    *routes_blocks.ROUTES,
    *routes_databases.ROUTES,
    *routes_misc.ROUTES,
    *routes_uploads.ROUTES,
    *templates.ROUTES,
    *views.ROUTES,
]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Sandbox:
    """A Notion-compatible workspace with switchable misbehaviour.

    ``path``: SQLite file (None: in memory). ``seed``: write the demo content into a new
    workspace (users and the bot are always there). ``rate_limit``: requests per second
    (None: unlimited), with bursts of ``burst``, timed by ``clock``. ``query_cap``: the most
    results a data source query can reach. ``sleep`` is awaited by "slow" faults; ``now`` gives
    object timestamps. ``window_budget`` (requests per ``window_seconds`` per token) and
    ``workspace_budget`` (per ``workspace_seconds`` for all tokens) simulate Notion's window
    model (`windows.py`); None: not simulated.
    """

    base_url = "http://sandbox.notion.local"

    def __init__(
        self,
        path: str | None = None,
        *,
        seed: bool = True,
        rate_limit: float | None = None,
        burst: int = 10,
        query_cap: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        now: Callable[[], datetime] = _utcnow,
        rate_limit_reason: str = "integration_rate_limit",
        window_budget: int | None = None,
        window_seconds: float = 60.0,
        workspace_budget: int | None = None,
        workspace_seconds: float = 60.0,
    ) -> None:
        self.path = path
        self.store = Store(path)
        with self.store.transaction() as store:
            if store.get_meta("initialised") is None:
                seed_users(store)
                if seed:
                    seed_demo(store)
                store.set_meta("initialised", "seeded" if seed else "empty")
        self.faults = Faults()
        self.counters: Counter[str] = Counter()
        limiter = TokenBucket(rate_limit, burst, clock) if rate_limit else None
        windows = window_limits(clock, window_budget, window_seconds, workspace_budget, workspace_seconds)
        self.state = AppState(
            self.store, self.faults, self.counters, limiter, now, sleep, query_cap, rate_limit_reason, windows
        )
        self.app = SandboxApp(self.state, ROUTES)

    @property
    def total_requests(self) -> int:
        return sum(self.counters.values())

    def transport(self) -> httpx.ASGITransport:
        return httpx.ASGITransport(app=self.app)

    def reset_counters(self) -> None:
        self.counters.clear()

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def check_workspace(path: str) -> None:
    """Raise ValueError, in one line saying what to do, when the SQLite file `path` cannot be
    opened or created as a sandbox workspace (checked before anything says it is serving)."""
    memory = "or leave the path out to keep the workspace in memory"
    if os.path.isdir(path):
        raise ValueError(
            f"the sandbox workspace {path} is a folder: give a file in it, e.g. "
            f"{os.path.join(path, 'workspace.sqlite')}, {memory}"
        )
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise ValueError(
            f"cannot keep the sandbox workspace in {path}: the folder {folder} does not exist "
            f"(create it first, {memory})"
        )
    if os.path.exists(path):
        if not os.access(path, os.R_OK | os.W_OK):
            raise ValueError(
                f"cannot open the sandbox workspace {path}: no permission to read and write it "
                f"(choose another file, {memory})"
            )
        try:
            db = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
            try:
                db.execute("PRAGMA schema_version").fetchone()
            finally:
                db.close()
        except sqlite3.Error as exc:
            raise ValueError(
                f"cannot open the sandbox workspace {path}: {exc} (give a new file name or a "
                f"workspace kept by notion-mcp, {memory})"
            ) from None
    elif not os.access(folder, os.W_OK | os.X_OK):
        raise ValueError(
            f"cannot create the sandbox workspace {path}: no permission to write in {folder} "
            f"(choose another folder, {memory})"
        )


class LoopbackOnly:
    """ASGI middleware: answers 421 to a request whose Host is not a loopback name (DNS rebinding:
    a web page cannot make its browser talk to this workspace under the page's own name)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not loopback_host(Headers(scope=scope).get("host")):
            body = {
                "object": "error",
                "status": 421,
                "code": "misdirected_request",
                "message": "The sandbox answers only to localhost, 127.0.0.1 or [::1] in the Host header.",
            }
            await JSONResponse(body, status_code=421)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def serve(
    path: str | None, host: str = "127.0.0.1", port: int = 8765, *, limits: dict[str, Any] | None = None
) -> None:
    """Serve a sandbox over HTTP with uvicorn, on the loopback interface only.

    Problems found before serving (the host, the workspace file, the port) raise ValueError with
    one line saying what to do; the line announcing the URL gives the port actually bound.
    ``limits``: the window model's arguments of :class:`Sandbox` (``window_budget``…), if asked."""
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError(f"the sandbox serves on 127.0.0.1 only, not {host!r}")
    if path is not None:
        check_workspace(path)
    import uvicorn

    class Announcing(uvicorn.Server):
        """uvicorn, printing the line on stderr once it accepts connections (not before)."""

        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            if self.started:
                print(line, file=sys.stderr, flush=True)

    sock = listen(host, port)
    try:
        try:
            sandbox = Sandbox(path, **(limits or {}))
        except sqlite3.Error as exc:
            raise ValueError(f"cannot open the sandbox workspace {path}: {exc}") from None
        try:
            bound = sock.getsockname()[1]
            where = path or "memory (lost on exit)"
            shown = f"[{host}]" if ":" in host else host
            url = f"http://{shown}:{bound}/v1/"
            line = f"notion-mcp sandbox: serving Notion's API at {url} ; workspace in {where}"
            config = uvicorn.Config(LoopbackOnly(sandbox.app), log_level="warning", lifespan="off")
            Announcing(config).run(sockets=[sock])
        finally:
            sandbox.close()
    finally:
        sock.close()
