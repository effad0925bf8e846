"""Seven everyday tasks at Notion's limits, and a 1,000-block page five levels deep.

Run: python bench/side_by_side.py

The seven tasks of issue 13 (the same ones Notion's own MCP server was measured on) run through
`mcp.Client` against the seeded sandbox, which simulates Notion's request limits (its window
model: `DEFAULT_RATE_BUDGET` requests per 60-second window), with the server's limiter set to the
same budget (as on Notion: NOTION_MCP_RATE_BUDGET's default), counted in memory. Per
task it prints the tool calls, the bytes the model reads (the tools' answers, UTF-8), the
upstream requests, the wall time and the limiter's waits (calls to the limiter that did not
return at once, and the seconds they took, summed over concurrent waits). Task 6 lists the page's
own comments (its blocks' discussions cost a request per block and come with blocks=true: the
line below the table prints what that costs on the same page).

Then the 1,000-block page nested five levels deep: read whole (block IDs not asked for; with
notion_pages retrieve and with notion_blocks retrieve include_children) and
written whole as markdown into an empty page and as a new page's content, with the requests each
took. It runs with the limits
off (460 requests were more than a window's budget, and building the page takes hundreds); the
requests are the same either way. Beside the write it prints the least number of requests Notion's documented
limits allow for it (see `write_bounds`).

Goals (issue 13): total upstream requests <= 24 (36 before), no task more than before, a task
of <= 30 requests without a limiter wait; the big page read in <= 5 requests (455 before).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from mcp import Client
from mcp.types import TextContent
from scale import nested_requests

from notion_mcp.config import DEFAULT_RATE_BUDGET, Settings
from notion_mcp.markdown import blocks_to_markdown
from notion_mcp.notion.plan import DEFAULT_LIMITS, children_of
from notion_mcp.sandbox import SEED, Sandbox
from notion_mcp.server import build_server, make_gateway

Json = dict[str, Any]
BEFORE = {  # measured on main before issue 13's changes (this script, same seed)
    "1 find and read a page": 14,
    "2 open tasks by due date": 2,
    "3 create a page and read it back": 5,
    "4 append 250 paragraphs": 3,
    "5 two statuses and a due date": 6,
    "6 comment and list comments": 5,
    "7 find a user by email": 1,
}
BIG_BEFORE = {"read": 460, "write": 231}
EXTRA = "6+ the blocks' discussions too"  # beside the table: not one of the seven tasks


# ---- what went over the wire, and the limiter's waits ---------------------------------------------
@dataclass
class Wire(httpx.AsyncBaseTransport):
    inner: httpx.AsyncBaseTransport
    requests: int = 0
    rate_limited: int = 0
    paths: list[str] = field(default_factory=list)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        await response.aread()
        self.requests += 1
        self.rate_limited += response.status_code == 429
        self.paths.append(f"{request.method} {request.url.path}")
        return response


@dataclass
class Waits:
    """Wraps the gateway's limiter: counts the acquisitions that had to wait, and for how long."""

    inner: Any
    count: int = 0
    seconds: float = 0.0

    async def acquire(self, *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        result = await self.inner.acquire(*args, **kwargs)
        waited = time.perf_counter() - start
        if waited > 0.05:  # longer than any scheduling hiccup: held by the limiter
            self.count += 1
            self.seconds += waited
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@asynccontextmanager
async def connect(sandbox: Sandbox, budget: int) -> AsyncIterator[tuple[Client, Wire, Waits]]:
    settings = Settings(
        token=None, sandbox=":memory:", rate_budget=budget, rate_store="memory", max_output_chars=60_000
    )
    wire = Wire(sandbox.transport())
    probe: list[Waits] = []

    def gateway() -> Any:
        made = make_gateway(settings, wire, Sandbox.base_url)
        probe.append(Waits(made.limiter))
        made.limiter = probe[-1]
        return made

    server = build_server(settings, gateway_factory=gateway)
    async with Client(server) as client:
        yield client, wire, probe[0]


# ---- the seven tasks ---------------------------------------------------------------------------
@dataclass
class Task:
    calls: int = 0
    read_bytes: int = 0
    texts: list[str] = field(default_factory=list)

    async def __call__(self, client: Client, tool: str, **arguments: Any) -> str:
        result = await client.call_tool(tool, arguments)
        text = "\n".join(c.text for c in result.content if isinstance(c, TextContent))
        self.calls += 1
        self.read_bytes += len(text.encode())
        self.texts.append(text)
        if result.is_error:
            raise RuntimeError(f"{tool} {arguments.get('operation')} failed: {text[:800]}")
        return text


CREATED = """# Release notes

This release is **faster**, *leaner* and ~~slower~~ [documented](https://example.com/docs).

- [ ] Write the announcement
- [x] Tag the release
- [ ] Tell the team

```python
def hello() -> str:
    return "hello"
```

| Area | Owner | State |
|---|---|---|
| API | Ada | done |
| Docs | Grace | doing |
"""


async def find_and_read(client: Client, task: Task) -> None:
    await task(client, "notion_search", query="Welcome", filter="page")
    await task(client, "notion_pages", operation="retrieve", page_id=SEED.welcome_page_id)


async def open_tasks(client: Client, task: Task) -> None:
    await task(
        client,
        "notion_databases",
        operation="query",
        database_id=SEED.tasks_database_id,
        filter={"property": "Status", "status": {"does_not_equal": "Done"}},
        sorts=[{"property": "Due", "direction": "ascending"}],
    )


async def create_and_read(client: Client, task: Task) -> None:
    made = await task(
        client,
        "notion_pages",
        operation="create",
        parent={"page_id": SEED.welcome_page_id},
        title="Release notes",
        markdown=CREATED,
    )
    page_id = made.split()[2]  # "Created page <id> <url> …"
    await task(client, "notion_pages", operation="retrieve", page_id=page_id)


async def append_250(client: Client, task: Task, target: str) -> None:
    markdown = "\n\n".join(f"Paragraph {n}: a line of ordinary length for a page." for n in range(250))
    await task(client, "notion_blocks", operation="append", parent_block_id=target, markdown=markdown)


async def statuses(client: Client, task: Task) -> None:
    await task(
        client, "notion_pages", operation="update", page_id=SEED.task_id(1), properties={"Status": "Done"}
    )
    await task(
        client,
        "notion_pages",
        operation="update",
        page_id=SEED.task_id(2),
        properties={"Status": "In progress", "Due": "2026-12-24"},
    )


async def comments(client: Client, task: Task) -> None:
    await task(
        client,
        "notion_comments",
        operation="create",
        parent={"page_id": SEED.welcome_page_id},
        markdown="Looks **good** to me.",
    )
    await task(client, "notion_comments", operation="retrieve", block_id=SEED.welcome_page_id)


async def comments_with_blocks(client: Client, task: Task) -> None:
    """Not one of the seven: what listing the blocks' discussions too (blocks=true) costs."""
    await task(client, "notion_comments", operation="retrieve", block_id=SEED.welcome_page_id, blocks=True)


async def user_by_email(client: Client, task: Task) -> None:
    await task(client, "notion_users", operation="list", email="grace@example.com")


@dataclass
class Row:
    name: str
    calls: int
    read_bytes: int
    requests: int
    wall: float
    waits: int
    waited: float
    rate_limited: int


async def seven_tasks(budget: int) -> list[Row]:
    rows: list[Row] = []
    with Sandbox(window_budget=budget) as sandbox:
        async with connect(sandbox, 0) as (setup, _, _):  # the target page, made off the clock
            made = await Task()(
                setup, "notion_pages", operation="create", parent={"page_id": SEED.welcome_page_id},
                title="Append here", format="json",
            )  # fmt: skip
        target = str(json.loads(made)["id"])
        runs: list[tuple[str, Callable[[Client, Task], Awaitable[None]]]] = [
            ("1 find and read a page", find_and_read),
            ("2 open tasks by due date", open_tasks),
            ("3 create a page and read it back", create_and_read),
            ("4 append 250 paragraphs", lambda c, t: append_250(c, t, target)),
            ("5 two statuses and a due date", statuses),
            ("6 comment and list comments", comments),
            ("7 find a user by email", user_by_email),
            (EXTRA, comments_with_blocks),
        ]
        async with connect(sandbox, budget) as (client, wire, waits):  # one server: one model's session
            for name, run in runs:
                task = Task()
                requests, limited, count, seconds = (
                    wire.requests,
                    wire.rate_limited,
                    waits.count,
                    waits.seconds,
                )
                start = time.perf_counter()
                await run(client, task)
                wall = time.perf_counter() - start
                used, limited = wire.requests - requests, wire.rate_limited - limited
                waited = (waits.count - count, waits.seconds - seconds)
                rows.append(Row(name, task.calls, task.read_bytes, used, wall, *waited, limited))
    return rows


# ---- the big page ---------------------------------------------------------------------------------
def rich(kind: str, text: str, children: list[Json] | None = None) -> Json:
    inner: Json = {"rich_text": [{"type": "text", "text": {"content": text}}]}
    if children:
        inner["children"] = children
    return {"type": kind, kind: inner}


def deep_page(sections: int = 114) -> list[Json]:
    """1,000 blocks five levels deep: `sections` toggles, each holding a paragraph and a list
    nested four levels (toggle > item > item > item > two paragraphs, and a paragraph at level
    three), between top-level paragraphs that bring the count to 1,000."""
    out: list[Json] = []
    per = 8
    filler = 1_000 - sections * per
    for s in range(sections):
        level5 = [rich("paragraph", f"leaf {s}.{k}") for k in range(2)]
        level4 = rich("bulleted_list_item", f"point {s}.4", level5)
        level3 = rich("bulleted_list_item", f"point {s}.3", [level4])
        level2 = rich("bulleted_list_item", f"point {s}.2", [level3, rich("paragraph", f"aside {s}")])
        out.append(rich("toggle", f"section {s}", [rich("paragraph", f"summary of section {s}"), level2]))
        if s < filler:
            out.append(rich("paragraph", f"paragraph {s}: some words of ordinary length for a page"))
    out += [rich("paragraph", f"closing paragraph {n}") for n in range(filler - min(filler, sections))]
    return out


def count(blocks: list[Json]) -> int:
    return sum(1 + count(children_of(b)) for b in blocks)


def depth(blocks: list[Json]) -> int:
    return max((1 + depth(children_of(b)) for b in blocks), default=0)


def write_bounds(blocks: list[Json], markdown: str) -> dict[str, int]:
    """The fewest requests each path allows, from Notion's documented limits.

    blocks API: top-level blocks ceil(top / 100) requests (100 children per request); a request
    reaches two levels below its parent, so every block at depth 4 needs a request whose parent
    is its level-3 ancestor or deeper: one more request per distinct level-1 ancestor of
    depth-4 blocks... (`scale.nested_requests`: distinct ancestors three levels up).

    markdown: one request (a page create with `markdown`, or one PATCH) carries the whole text
    when it is within a request's size limit (500 KB); the documented limits on markdown are
    the request size and the blocks Notion renders (about 20,000 per page), so the bound is
    ceil(bytes / 500 KB).
    """
    nested = nested_requests(blocks)
    blocks_bound = math.ceil(len(blocks) / DEFAULT_LIMITS.max_children) + nested
    markdown_bound = max(1, math.ceil(len(markdown.encode()) / DEFAULT_LIMITS.max_bytes))
    return {"blocks": blocks_bound, "markdown": markdown_bound}


async def big_page(budget: int) -> list[str]:
    blocks = deep_page()
    markdown = blocks_to_markdown(blocks)
    bounds = write_bounds(blocks, markdown)
    lines = [
        f"big page: {count(blocks):,} blocks, {depth(blocks)} levels, "
        f"{len(markdown.encode()):,} bytes of markdown"
    ]
    with Sandbox(window_budget=budget or None) as sandbox:
        async with connect(sandbox, 0) as (setup, _, _):
            made = await Task()(
                setup, "notion_pages", operation="create", parent={"page_id": SEED.welcome_page_id},
                title="1,000 blocks", children=blocks, format="json",
            )  # fmt: skip
            big_id = str(json.loads(made)["id"])
            empty = await Task()(
                setup, "notion_pages", operation="create", parent={"page_id": SEED.welcome_page_id},
                title="Write here", format="json",
            )  # fmt: skip
            empty_id = str(json.loads(empty)["id"])
        async with connect(sandbox, budget) as (client, wire, waits):
            task = Task()
            start = time.perf_counter()
            await task(client, "notion_pages", operation="retrieve", page_id=big_id, max_blocks=20_000)
            read = (wire.requests, time.perf_counter() - start, waits.count)
            before = wire.requests
            await task(
                client, "notion_blocks", operation="retrieve", block_id=big_id, include_children=True,
                max_blocks=20_000,
            )  # fmt: skip
            tree_read = wire.requests - before
            before = wire.requests
            start = time.perf_counter()
            await task(
                client, "notion_blocks", operation="append", parent_block_id=empty_id, markdown=markdown
            )
            write = (wire.requests - before, time.perf_counter() - start)
            before = wire.requests
            await task(
                client, "notion_pages", operation="create", parent={"page_id": SEED.welcome_page_id},
                title="Made whole", markdown=markdown,
            )  # fmt: skip
            created = wire.requests - before
    lines.append(
        f"  read whole (no block IDs): {read[0]} requests (before: {BIG_BEFORE['read']}; goal <= 5), "
        f"{read[1]:.2f} s, {read[2]} limiter waits"
    )
    lines.append(
        f"  its whole tree through notion_blocks retrieve include_children=true (no block IDs): "
        f"{tree_read} requests (goal <= 5)"
    )
    lines.append(
        f"  written as markdown: {write[0]} requests (before: {BIG_BEFORE['write']}), {write[1]:.2f} s; "
        f"least the limits allow: {bounds['markdown']} through the markdown endpoint, "
        f"{bounds['blocks']} through the blocks API"
    )
    lines.append(
        f"  a new page created with it (notion_pages create markdown=…): {created} requests "
        f"(the create's children, then appends: {bounds['blocks']} at least)"
    )
    return lines


# ---- report ---------------------------------------------------------------------------------------
def report(rows: list[Row], big: list[str], budget: int) -> None:
    print(f"sandbox: Notion's window model, {budget} requests per 60 s; server limiter: the same budget")
    head = f"{'task':<34} {'calls':>5} {'bytes read':>10} {'requests':>8} {'before':>6} {'wall s':>6}"
    print(f"{head} {'waits':>5} {'waited s':>8} {'429s':>4}")
    extra = [r for r in rows if r.name == EXTRA]
    rows = [r for r in rows if r.name != EXTRA]
    for r in rows:
        before = BEFORE.get(r.name, 0)
        flag = "" if r.requests <= before else "  MORE THAN BEFORE"
        print(
            f"{r.name:<34} {r.calls:>5} {r.read_bytes:>10,} {r.requests:>8} {before:>6} {r.wall:>6.2f} "
            f"{r.waits:>5} {r.waited:>8.2f} {r.rate_limited:>4}{flag}"
        )
    total = sum(r.requests for r in rows)
    print(
        f"{'total':<34} {sum(r.calls for r in rows):>5} {sum(r.read_bytes for r in rows):>10,} {total:>8} "
        f"{sum(BEFORE.values()):>6} {sum(r.wall for r in rows):>6.2f} {sum(r.waits for r in rows):>5} "
        f"{sum(r.waited for r in rows):>8.2f} {sum(r.rate_limited for r in rows):>4}"
    )
    print(f"goal: total requests <= 24: {'PASS' if total <= 24 else 'MISS'} ({total})")
    for r in extra:
        print(
            f"beside the seven: listing the welcome page's comments with its blocks' discussions "
            f"(blocks=true): {r.requests} requests, {r.wall:.2f} s, {r.waits} limiter waits"
        )
    for line in big:
        print(line)


async def main_async() -> None:
    rows = await seven_tasks(DEFAULT_RATE_BUDGET)
    big = await big_page(0)
    report(rows, big, DEFAULT_RATE_BUDGET)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    asyncio.run(main_async())


if __name__ == "__main__":
    main()
