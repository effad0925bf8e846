"""Whole pages, appends of any size, long queries and lookups: at Notion's rate limit.

Run: python bench/scale.py [--time-scale N] [--sandbox-burst B]

The sandbox limits at Notion's average rate (3 requests/s) and the server's token bucket runs at
the same rate (its own default burst, at most the sandbox's burst). ``--time-scale N`` multiplies
both rates by N to finish sooner; ratios are what count (a 429's Retry-After stays in whole real
seconds, so a 429 costs more the faster the scale). Per scenario it prints the requests used
against a lower bound computed from Notion's limits, the wall time against requests ÷ rate, and
the 429s the server received. Then the server's own cost with the rate limit off: the median
time of a small page read, and the peak Python memory (tracemalloc) while reading the
1,000-block page. Setup (building the page, seeding 2,500 rows and 300 users) runs with the rate
limit off. Goals: requests ≤ 1.1x the bound, wall ≤ 1.15x requests ÷ rate, no 429; < 10 ms per
small read, < 120 MB peak.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import logging
import math
import re
import statistics
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from mcp import Client
from mcp.types import TextContent

from notion_mcp.config import Settings
from notion_mcp.markdown import blocks_to_markdown, markdown_to_blocks
from notion_mcp.notion.plan import DEFAULT_LIMITS, children_of
from notion_mcp.notion.ratelimit import DEFAULT_MARGIN
from notion_mcp.sandbox import SEED, Sandbox
from notion_mcp.server import build_server

Json = dict[str, Any]
NOTION_RATE = 3.0  # requests per second, Notion's documented average
SERVER_BURST = Settings().burst
PAGE_SIZE = 100  # Notion's largest page of a list
ROWS = 2_500
EXTRA_USERS = 300
REQUEST_GOAL, WALL_GOAL = 1.10, 1.15
MS_GOAL, MB_GOAL = 10.0, 120.0


# ---- what went over the wire ---------------------------------------------------------------------
@dataclass
class Wire(httpx.AsyncBaseTransport):
    """The sandbox's transport, counting requests and 429s, and the time spent inside the sandbox."""

    inner: httpx.AsyncBaseTransport
    requests: int = 0
    rate_limited: int = 0
    inside: float = 0.0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        start = time.perf_counter()
        response = await self.inner.handle_async_request(request)
        await response.aread()
        self.inside += time.perf_counter() - start
        self.requests += 1
        self.rate_limited += response.status_code == 429
        return response


@asynccontextmanager
async def connect(sandbox: Sandbox, wire: Wire, rate: float) -> AsyncIterator[Client]:
    settings = Settings(token=None, sandbox=":memory:", rate_limit=rate, max_output_chars=20_000)
    server = build_server(settings, transport=wire, base_url=Sandbox.base_url)
    async with Client(server) as client:
        yield client


HINT = re.compile(r"more: call again with the same arguments plus start_cursor=(\S+)")


async def query_all(client: Client) -> str:
    """Every row, as a model gets them: answers end where the response budget is full, at a page
    boundary, and say which cursor continues; follow it until the last row."""
    arguments: dict[str, Any] = {
        "operation": "query", "data_source_id": SEED.tasks_data_source_id, "max_results": ROWS,
    }  # fmt: skip
    rows = 0
    while True:
        text = await call(client, "notion_databases", **arguments)
        rows += len(re.findall(r"^\| [0-9a-f]{32} \|", text, re.MULTILINE))
        if (hint := HINT.search(text)) is None:
            if rows != ROWS:
                raise RuntimeError(f"paged through {rows} rows, not {ROWS}")
            return text
        arguments["start_cursor"] = hint.group(1)


async def call(client: Client, tool: str, **arguments: Any) -> str:
    result = await client.call_tool(tool, arguments)
    text = "\n".join(c.text for c in result.content if isinstance(c, TextContent))
    if result.is_error:
        raise RuntimeError(f"{tool} {arguments.get('operation')} failed: {text[:500]}")
    return text


# ---- content and lower bounds -------------------------------------------------------------------
def rich(kind: str, text: str, children: list[Json] | None = None) -> Json:
    inner: Json = {"rich_text": [{"type": "text", "text": {"content": text}}]}
    if children:
        inner["children"] = children
    return {"type": kind, kind: inner}


def big_page(total: int = 1_000, chains: int = 20) -> list[Json]:
    """`total` blocks: `chains` toggles nesting a toggle nesting a toggle (60 toggles, blocks four
    levels deep), between top-level headings, paragraphs, list items and to-dos."""
    kinds = ["paragraph", "bulleted_list_item", "paragraph", "to_do", "heading_2", "quote"]
    chain_size = 10
    filler = total - chains * chain_size
    every = filler // chains
    out: list[Json] = []
    for i in range(filler):
        kind = kinds[i % len(kinds)]
        out.append(rich(kind, f"{kind.replace('_', ' ')} {i}: some words of ordinary length for a page"))
        if (i + 1) % every == 0:
            c = (i + 1) // every
            inner = rich("toggle", f"detail {c}.3", [rich("paragraph", f"deep {c}.{k}") for k in range(5)])
            middle = rich("toggle", f"detail {c}.2", [rich("paragraph", f"text {c}.2"), inner])
            out.append(rich("toggle", f"section {c}", [rich("paragraph", f"text {c}.1"), middle]))
    return out


def count(blocks: list[Json]) -> int:
    return sum(1 + count(children_of(b)) for b in blocks)


def read_bound(blocks: list[Json]) -> int:
    """Retrieve the page, then list every block that has children, 100 per page (the page too)."""

    def lists(kids: list[Json]) -> int:
        return max(1, math.ceil(len(kids) / PAGE_SIZE)) + sum(
            lists(children_of(b)) for b in kids if children_of(b)
        )

    return 1 + lists(blocks)


def nested_requests(blocks: list[Json]) -> int:
    """The fewest requests below the top level: a request carries three levels of blocks, so blocks
    at depth >= 3k+1 (top level = 1) with different depth-(3k-2) ancestors need different requests;
    the largest such count over k."""
    deep: dict[int, set[int]] = {}

    def walk(block: Json, chain: list[int]) -> None:
        depth = len(chain) + 1
        for k in range(1, depth):
            if depth >= 3 * k + 1:
                deep.setdefault(k, set()).add(chain[3 * k - 3])
        for child in children_of(block):
            walk(child, [*chain, id(block)])

    for block in blocks:
        walk(block, [])
    return max((len(v) for v in deep.values()), default=0)


def append_bound(blocks: list[Json]) -> int:
    """A lower bound on append requests under Notion's limits.

    Top-level blocks go in requests whose parent is the page: ceil(top / 100) of them. A request
    carries three levels of blocks, so a block at depth 3k+1..3k+3 (top level = 1) can only be
    created by a request whose parent is its ancestor at depth >= 3k-2: blocks at depth >= 3k+1
    with different depth-(3k-2) ancestors need different requests, none of them a top-level one.
    Also at least ceil(blocks / 1,000) and ceil(bytes / 500 KB) requests.
    """
    limits = DEFAULT_LIMITS
    nested = nested_requests(blocks)
    size = len(json.dumps(blocks).encode())
    return max(
        math.ceil(count(blocks) / limits.max_elements),
        math.ceil(size / limits.max_bytes),
        math.ceil(len(blocks) / limits.max_children) + nested,
    )


# ---- setup, with the rate limit off ---------------------------------------------------------------
@dataclass
class Workspace:
    path: str
    big_page_id: str
    target_page_id: str
    blocks: list[Json]
    last_email: str
    users_before: int


async def new_page(client: Client, parent: Json, title: str) -> str:
    made = await call(client, "notion_pages", operation="create", parent=parent, title=title, format="json")
    return str(json.loads(made)["id"])


async def setup(path: str) -> Workspace:
    blocks = big_page()
    with Sandbox(path) as sandbox:
        wire = Wire(sandbox.transport())
        async with connect(sandbox, wire, 0) as client:
            parent = {"page_id": SEED.welcome_page_id}
            big_id = await new_page(client, parent, "1,000 blocks")
            await call(client, "notion_blocks", operation="append", parent_block_id=big_id, children=blocks)
            target_id = await new_page(client, parent, "Append here")
        with sandbox.store.transaction() as store:
            users_before = len(store.all_of("user"))
            for n in range(EXTRA_USERS):
                email = f"person{n}@example.com"
                user: Json = {"object": "user", "id": str(uuid.uuid4()), "name": f"Person {n}"}
                user.update({"avatar_url": None, "type": "person", "person": {"email": email}})
                store.insert("user", user, None)
            row = store.get(SEED.task_id(1))
            assert row is not None
            for n in range(SEED.task_count + 1, ROWS + 1):
                clone = {**copy.deepcopy(row), "id": str(uuid.uuid4()), "number": n}
                store.insert("page", clone, SEED.tasks_data_source_id)
    return Workspace(path, big_id, target_id, blocks, f"person{EXTRA_USERS - 1}@example.com", users_before)


# ---- scenarios at the rate limit ------------------------------------------------------------------
@dataclass
class Row:
    name: str
    requests: int
    bound: int
    wall: float
    rate: float
    rate_limited: int
    inside: float  # seconds spent inside the sandbox (its own latency, not the server's)

    @property
    def ideal(self) -> float:
        return self.requests / self.rate


Scenario = tuple[str, int, Callable[[Client], Any]]


def scenarios(ws: Workspace) -> list[Scenario]:
    markdown = blocks_to_markdown(ws.blocks)
    parsed = markdown_to_blocks(markdown)
    users = ws.users_before + EXTRA_USERS  # the email is the last user's: on the last page
    return [
        (
            f"(a) read a {count(ws.blocks):,}-block page (notion_pages retrieve)",
            read_bound(ws.blocks),
            lambda c: call(c, "notion_pages", operation="retrieve", page_id=ws.big_page_id),
        ),
        (
            f"(b) append it as markdown ({count(parsed):,} blocks, notion_blocks append)",
            append_bound(parsed),
            lambda c: call(
                c, "notion_blocks", operation="append", parent_block_id=ws.target_page_id, markdown=markdown
            ),
        ),
        (
            f"(c) query {ROWS:,} rows (notion_databases query max_results={ROWS}, hints followed)",
            math.ceil(ROWS / PAGE_SIZE),
            query_all,
        ),
        (
            f"(d) find a user by email among {users} (notion_users list email=)",
            math.ceil(users / PAGE_SIZE),
            lambda c: call(c, "notion_users", operation="list", email=ws.last_email),
        ),
    ]


async def at_rate_limit(ws: Workspace, rate: float, sandbox_burst: int) -> list[Row]:
    rows: list[Row] = []
    with Sandbox(ws.path, rate_limit=rate, burst=sandbox_burst) as sandbox:
        wire = Wire(sandbox.transport())
        async with connect(sandbox, wire, rate) as client:
            for name, bound, run in scenarios(ws):
                await asyncio.sleep(max(SERVER_BURST, sandbox_burst) / rate)  # both buckets full again
                before, limited, inside = wire.requests, wire.rate_limited, wire.inside
                start = time.perf_counter()
                await run(client)
                wall = time.perf_counter() - start
                used, seen = wire.requests - before, wire.rate_limited - limited
                rows.append(Row(name, used, bound, wall, rate, seen, wire.inside - inside))
    return rows


# ---- the server's own cost, rate limit off --------------------------------------------------------
async def own_cost(ws: Workspace, calls: int = 200) -> tuple[float, float, float]:
    """Median ms per small page read (all of it, and without the time inside the sandbox), and
    the tracemalloc peak in MB while reading the 1,000-block page."""
    with Sandbox(ws.path) as sandbox:
        wire = Wire(sandbox.transport())
        async with connect(sandbox, wire, 0) as client:
            totals, outside = [], []
            for _ in range(calls + 10):
                inside = wire.inside
                start = time.perf_counter()
                await call(client, "notion_pages", operation="retrieve", page_id=SEED.getting_started_page_id)
                elapsed = time.perf_counter() - start
                totals.append(elapsed)
                outside.append(elapsed - (wire.inside - inside))
            await call(client, "notion_pages", operation="retrieve", page_id=ws.big_page_id)  # warm
            tracemalloc.start()
            tracemalloc.reset_peak()
            await call(client, "notion_pages", operation="retrieve", page_id=ws.big_page_id)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
    median = statistics.median(totals[10:]) * 1000
    return median, statistics.median(outside[10:]) * 1000, peak / 1e6


# ---- report ---------------------------------------------------------------------------------------
def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def report(rows: list[Row], cost: tuple[float, float, float], scale: float, burst: int) -> None:
    rate = rows[0].rate
    print(
        f"rate {NOTION_RATE:g}/s x time scale {scale:g} = {rate:g} requests/s on both sides; "
        f"server burst {SERVER_BURST} (margin {DEFAULT_MARGIN * 1000:g} ms), sandbox burst {burst}"
    )
    head = f"{'scenario':<60} {'requests':>8} {'bound':>5} {'ratio':>5}      {'wall s':>6} {'req/rate':>8}"
    print(f"{head} {'ratio':>5}      {'429s':>4}      {'in sandbox s':>12}")
    for r in rows:
        req_ratio, wall_ratio = r.requests / r.bound, r.wall / r.ideal
        print(
            f"{r.name:<60} {r.requests:>8} {r.bound:>5} {req_ratio:>5.2f} "
            f"{verdict(req_ratio <= REQUEST_GOAL)} {r.wall:>6.2f} {r.ideal:>8.2f} {wall_ratio:>5.2f} "
            f"{verdict(wall_ratio <= WALL_GOAL)} {r.rate_limited:>4} {verdict(r.rate_limited == 0)} "
            f"{r.inside:>12.2f}"
        )
    for r in rows:
        if r.wall > WALL_GOAL * r.ideal and r.inside > r.ideal:
            print(
                f"  {r.name[:3]} is bound by the sandbox's own latency, not by the rate: its answers alone "
                f"took {r.inside:.2f} s of the {r.wall:.2f} s (each page waits for the one before)"
            )
    median, outside, peak = cost
    print(
        f"small page read, rate limit off: median {median:.2f} ms per call "
        f"({outside:.2f} ms outside the sandbox) {verdict(median < MS_GOAL)} (goal < {MS_GOAL:g} ms)"
    )
    print(
        f"reading the 1,000-block page: tracemalloc peak {peak:.1f} MB (Python allocations of client, "
        f"server and sandbox during the call) {verdict(peak < MB_GOAL)} (goal < {MB_GOAL:g} MB)"
    )
    print(f"goals: requests <= {REQUEST_GOAL}x bound, wall <= {WALL_GOAL}x requests/rate, no 429")


async def main_async(scale: float, burst: int) -> None:
    shm = Path("/dev/shm")
    with tempfile.TemporaryDirectory(dir=shm if shm.is_dir() else None) as tmp:
        ws = await setup(str(Path(tmp) / "bench.sqlite"))
        rows = await at_rate_limit(ws, NOTION_RATE * scale, burst)
        cost = await own_cost(ws)
    report(rows, cost, scale, burst)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--time-scale", type=float, default=1.0, help="multiply both rates (default 1)")
    parser.add_argument(
        "--sandbox-burst", type=int, default=SERVER_BURST, help="the sandbox's burst (>= the server's)"
    )
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line per request otherwise
    if args.sandbox_burst < SERVER_BURST:
        parser.error(f"--sandbox-burst must be at least the server's burst ({SERVER_BURST})")
    asyncio.run(main_async(args.time_scale, args.sandbox_burst))


if __name__ == "__main__":
    main()
