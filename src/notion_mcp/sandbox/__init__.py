"""A local workspace that speaks Notion's REST API (an ASGI app over SQLite).

In process::

    sandbox = Sandbox()                       # seeded, in memory
    http = httpx.AsyncClient(transport=sandbox.transport(), base_url=Sandbox.base_url)

Out of process: :func:`serve` runs it under uvicorn on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import httpx

from notion_mcp.sandbox import routes_blocks, routes_databases, routes_misc, routes_pages
from notion_mcp.sandbox.app import AppState, SandboxApp
from notion_mcp.sandbox.faults import Fault, Faults, TokenBucket
from notion_mcp.sandbox.rules import NotionError
from notion_mcp.sandbox.seed import SEED, SeedIds, seed_demo, seed_users
from notion_mcp.sandbox.store import Store

__all__ = ["SEED", "Fault", "Faults", "NotionError", "Sandbox", "SeedIds", "serve"]

log = logging.getLogger(__name__)

ROUTES = [*routes_pages.ROUTES, *routes_blocks.ROUTES, *routes_databases.ROUTES, *routes_misc.ROUTES]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Sandbox:
    """A Notion-compatible workspace with switchable misbehaviour.

    ``path``: SQLite file (None: in memory). ``seed``: write the demo content into a new
    workspace (users and the bot are always there). ``rate_limit``: requests per second
    (None: unlimited), with bursts of ``burst``, timed by ``clock``. ``query_cap``: the most
    results a data source query can reach. ``sleep`` is awaited by "slow" faults; ``now`` gives
    object timestamps.
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
        self.state = AppState(
            self.store, self.faults, self.counters, limiter, now, sleep, query_cap, rate_limit_reason
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


def serve(path: str | None, host: str = "127.0.0.1", port: int = 8765) -> None:
    """Serve a sandbox over HTTP with uvicorn, on the loopback interface only."""
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError(f"the sandbox serves on 127.0.0.1 only, not {host!r}")
    import uvicorn

    sandbox = Sandbox(path)
    where = path or "memory (lost on exit)"
    print(
        f"notion-mcp sandbox: serving Notion's API at http://{host}:{port}/v1/ ; workspace in {where}",
        file=sys.stderr,
    )
    try:
        uvicorn.run(sandbox.app, host=host, port=port, log_level="warning")
    finally:
        sandbox.close()
