"""Many rows in one call at Notion's rate limit: create 1,000, upsert 1,000 (500 exist), trash 1,000.

Run: python bench/bulk.py [--time-scale N] [--rows R]

The sandbox limits at Notion's average rate (3 requests/s) and the server's limiter runs at the
same rate; ``--time-scale N`` multiplies both by N to finish sooner (ratios are what count). Each
scenario is one `notion_pages` call through `mcp.Client`. Per scenario it prints the requests
against the lower bound (one per row written, plus ⌈rows/100⌉ query pages for the upsert's key
look-up), the wall time against requests ÷ rate, the 429s the server received and the duplicate
rows left. Then, with the rate limit off, the peak Python memory (tracemalloc) of a 1,000-row
upsert and the process's peak RSS. Setup (the database, the 500 existing rows) runs with the rate
limit off. Goals: requests ≤ 1.05x the bound, wall ≤ 1.1x requests ÷ rate, no 429, no
duplicate, server memory < 150 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import math
import re
import resource
import time
import tracemalloc
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from mcp import Client
from mcp.types import TextContent

from notion_mcp.config import Settings
from notion_mcp.sandbox import Sandbox
from notion_mcp.sandbox.faults import TokenBucket
from notion_mcp.server import build_server

Json = dict[str, Any]
NOTION_RATE = 3.0
SANDBOX_BURST = Settings().burst
PAGE_SIZE = 100
REQUEST_GOAL, WALL_GOAL, MB_GOAL = 1.05, 1.10, 150.0
SCHEMA = {"Name": {"title": {}}, "Email": {"email": {}}, "Stage": {"select": {"options": [
    {"name": "New"}, {"name": "Won"}]}}, "Score": {"number": {}}}  # fmt: skip


@dataclass
class Wire(httpx.AsyncBaseTransport):
    """The sandbox's transport, counting requests and 429s."""

    inner: httpx.AsyncBaseTransport
    requests: int = 0
    rate_limited: int = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        await response.aread()
        self.requests += 1
        self.rate_limited += response.status_code == 429
        return response


@asynccontextmanager
async def connect(wire: Wire, rate: float) -> AsyncIterator[Client]:
    settings = Settings(token=None, sandbox=":memory:", rate_limit=rate)
    async with Client(build_server(settings, transport=wire, base_url=Sandbox.base_url)) as client:
        yield client


async def call(client: Client, tool: str, **arguments: Any) -> str:
    result = await client.call_tool(tool, arguments)
    text = "\n".join(c.text for c in result.content if isinstance(c, TextContent))
    if result.is_error:
        raise RuntimeError(f"{tool} {arguments.get('operation')} failed: {text[:500]}")
    return text


def leads(start: int, stop: int, stage: str) -> list[Json]:
    return [
        {"title": f"Lead {i}", "properties": {"Email": f"lead{i}@example.com", "Stage": stage, "Score": i}}
        for i in range(start, stop)
    ]


async def new_database(client: Client, parent_id: str, title: str) -> str:
    made = await call(client, "notion_databases", operation="create", parent={"page_id": parent_id},
                      title=title, properties=SCHEMA, format="json")  # fmt: skip
    return str(json.loads(made)["id"])


async def all_rows(client: Client, database_id: str) -> list[Json]:
    out: list[Json] = []
    cursor: dict[str, str] = {}
    while True:
        page = json.loads(await call(client, "notion_databases", operation="query", database_id=database_id,
                                     page_size=40, format="json", **cursor))  # fmt: skip
        out += page["results"]
        if not page["has_more"]:
            return out
        cursor = {"start_cursor": page["next_cursor"]}


def duplicates(rows: list[Json]) -> int:
    counts = Counter(str(r["properties"]["Email"]["email"]) for r in rows)
    return sum(n - 1 for n in counts.values())


@dataclass
class Row:
    name: str
    requests: int
    bound: int
    wall: float
    rate: float
    rate_limited: int
    duplicates: int

    @property
    def ideal(self) -> float:
        return self.requests / self.rate


@dataclass
class Setup:
    created_db: str
    upsert_db: str
    row_ids: list[str]  # filled by the create scenario, trashed by the last one


async def setup(client: Client, rows: int) -> Setup:
    made = await call(client, "notion_pages", operation="create", parent={"workspace": True}, title="Bench")
    page_id = made.split()[2]
    created_db = await new_database(client, page_id, "Created")
    upsert_db = await new_database(client, page_id, "Upserted")
    await call(client, "notion_pages", operation="create", parent={"database_id": upsert_db},
               pages=leads(0, rows // 2, "New"))  # fmt: skip
    return Setup(created_db, upsert_db, [])


Scenario = tuple[str, int, Callable[[Client], Awaitable[str]], str | None]


def scenarios(ws: Setup, rows: int) -> list[Scenario]:
    async def create(client: Client) -> str:
        text = await call(client, "notion_pages", operation="create", parent={"database_id": ws.created_db},
                          pages=leads(0, rows, "New"))  # fmt: skip
        ws.row_ids.extend(re.findall(r"^\| \d+ \| created \| ([0-9a-f]{32}) \|$", text, re.M))
        return text

    async def upsert(client: Client) -> str:
        return await call(client, "notion_pages", operation="create", parent={"database_id": ws.upsert_db},
                          pages=leads(0, rows, "Won"), key="Email")  # fmt: skip

    async def trash(client: Client) -> str:
        return await call(client, "notion_pages", operation="update",
                          pages=[{"page_id": i, "in_trash": True} for i in ws.row_ids])  # fmt: skip

    existing = rows // 2
    return [
        (f"(a) create {rows:,} rows", rows, create, ws.created_db),
        (f"(b) upsert {rows:,} rows, {existing:,} exist", rows + math.ceil(existing / PAGE_SIZE), upsert,
         ws.upsert_db),
        (f"(c) trash {rows:,} rows", rows, trash, None),
    ]  # fmt: skip


async def at_rate_limit(sandbox: Sandbox, ws: Setup, rows: int, rate: float) -> list[Row]:
    out: list[Row] = []
    wire = Wire(sandbox.transport())
    sandbox.state.limiter = TokenBucket(rate, SANDBOX_BURST, time.monotonic)
    async with connect(wire, rate) as client, connect(Wire(sandbox.transport()), 0) as counter:
        for name, bound, run, database_id in scenarios(ws, rows):
            await asyncio.sleep(SANDBOX_BURST / rate)  # both buckets full again
            before, limited = wire.requests, wire.rate_limited
            start = time.perf_counter()
            await run(client)
            wall = time.perf_counter() - start
            used, seen = wire.requests - before, wire.rate_limited - limited
            sandbox.state.limiter = None  # counting rows is not part of the run
            dups = duplicates(await all_rows(counter, database_id)) if database_id else 0
            sandbox.state.limiter = TokenBucket(rate, SANDBOX_BURST, time.monotonic)
            out.append(Row(name, used, bound, wall, rate, seen, dups))
    sandbox.state.limiter = None
    return out


async def memory(rows: int) -> float:
    """tracemalloc peak (MB) of a whole upsert of `rows` (half of them existing), rate limit off."""
    with Sandbox(seed=False) as sandbox:
        async with connect(Wire(sandbox.transport()), 0) as client:
            ws = await setup(client, rows)
            tracemalloc.start()
            tracemalloc.reset_peak()
            await call(client, "notion_pages", operation="create", parent={"database_id": ws.upsert_db},
                       pages=leads(0, rows, "Won"), key="Email")  # fmt: skip
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
    return peak / 1e6


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def report(rows: list[Row], peak: float, scale: float, count: int) -> None:
    print(f"rate {NOTION_RATE:g}/s x time scale {scale:g} = {rows[0].rate:g} requests/s on both sides")
    head = f"{'scenario':<34} {'requests':>8} {'bound':>5} {'ratio':>5}      {'wall s':>7} {'req/rate':>8}"
    print(f"{head} {'ratio':>5}      {'429s':>4}      {'dups':>4}")
    for r in rows:
        req_ratio, wall_ratio = r.requests / r.bound, r.wall / r.ideal
        print(
            f"{r.name:<34} {r.requests:>8} {r.bound:>5} {req_ratio:>5.3f} "
            f"{verdict(req_ratio <= REQUEST_GOAL)} {r.wall:>7.2f} {r.ideal:>8.2f} {wall_ratio:>5.3f} "
            f"{verdict(wall_ratio <= WALL_GOAL)} {r.rate_limited:>4} {verdict(r.rate_limited == 0)} "
            f"{r.duplicates:>4} {verdict(r.duplicates == 0)}"
        )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{count:,}-row upsert, rate limit off: tracemalloc peak {peak:.1f} MB (client, server and "
        f"sandbox) {verdict(peak < MB_GOAL)}; process peak RSS {rss:.0f} MB {verdict(rss < MB_GOAL)} "
        f"(goal < {MB_GOAL:g} MB)"
    )
    print(
        f"goals: requests <= {REQUEST_GOAL}x bound, wall <= {WALL_GOAL}x requests/rate, no 429, no duplicate"
    )


async def main_async(scale: float, rows: int) -> None:
    with Sandbox(seed=False) as sandbox:
        async with connect(Wire(sandbox.transport()), 0) as client:
            ws = await setup(client, rows)
        results = await at_rate_limit(sandbox, ws, rows, NOTION_RATE * scale)
    report(results, await memory(rows), scale, rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--time-scale", type=float, default=1.0, help="multiply both rates (default 1)")
    parser.add_argument("--rows", type=int, default=1_000, help="rows per scenario (default 1,000)")
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line per request otherwise
    asyncio.run(main_async(args.time_scale, args.rows))


if __name__ == "__main__":
    main()
