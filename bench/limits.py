"""Several server processes, one token, Notion's window model: do they share one budget?

Run: python bench/limits.py [--processes 3] [--budget 20] [--window 5] [--appends 12]

The sandbox runs here (uvicorn on 127.0.0.1, in a thread) simulating Notion's per-connection
window model: `--budget` requests per `--window` seconds per token, 429 with Retry-After until
the window resets. `--processes` MCP servers (`python -m notion_mcp` over stdio, like a desktop
app, an editor and a script) use the same token against it, with their own defaults for the
budget (180, more than this sandbox allows: they have to learn it) and the window length set to
the sandbox's, and the default file store in one shared cache directory. Each does mixed work at
once: creates a page, appends `--appends` batches of numbered paragraphs to it, reads the
seeded welcome page, queries the tasks and searches. Printed: requests, 429s in the first
window and after it, wall time against the floor (requests ÷ budget × window), and whether every
paragraph arrived exactly once. Goals: 0 429s after the first window, at most one per process
in it; nothing lost or doubled.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import uvicorn
from mcp import Client, StdioServerParameters
from starlette.types import Message, Receive, Scope, Send

from notion_mcp.sandbox import SEED, Sandbox

TOKEN = "ntn_" + "Bench" * 8
VERIFIER = "ntn_" + "Check" * 8  # another connection: its own budget
PARAGRAPHS_PER_APPEND = 5


class Recorder:
    """ASGI middleware keeping (time, token, status) of every answer."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.answers: list[tuple[float, str, int]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = dict(scope["headers"]).get(b"authorization", b"").decode()

        async def recording(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.answers.append((time.monotonic(), token, int(message["status"])))
            await send(message)

        await self.app(scope, receive, recording)


def start_sandbox(budget: int, window: float) -> tuple[Recorder, int, uvicorn.Server]:
    sandbox = Sandbox(window_budget=budget, window_seconds=window)
    recorder = Recorder(sandbox.app)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(recorder, log_level="warning"))
    threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True).start()
    while not server.started:
        time.sleep(0.02)
    return recorder, port, server


def text(result: Any) -> str:
    return "\n".join(c.text for c in result.content if getattr(c, "type", "") == "text")


async def mixed_work(call: Callable[..., Awaitable[str]], n: int, appends: int, title: str) -> str | None:
    """One client's mixed work: create a page under Notes, then append `appends` batches of
    numbered paragraphs to it while three reads run alongside; the page's ID (None when creating
    failed). `paragraphs_of` counts the paragraphs back."""
    created = await call(
        "notion_pages", operation="create", parent={"page_id": SEED.notes_page_id}, title=title
    )
    found = re.search(r"Created page (\S+)", created)
    if found is None:
        return None
    page_id = found[1]

    async def writes() -> None:
        for batch in range(appends):
            lines = [f"p{n}-{batch * PARAGRAPHS_PER_APPEND + i}" for i in range(PARAGRAPHS_PER_APPEND)]
            await call(
                "notion_blocks", operation="append", parent_block_id=page_id, markdown="\n\n".join(lines)
            )

    reads = [
        call("notion_pages", operation="retrieve", page_id=SEED.welcome_page_id),
        call("notion_databases", operation="query", data_source_id=SEED.tasks_data_source_id),
        call("notion_search", query="Getting"),
    ]
    await asyncio.gather(writes(), *reads)
    return page_id


async def one_process(n: int, port: int, cache: str, window: float, appends: int) -> dict[str, Any]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "NOTION_TOKEN": TOKEN,
        "NOTION_BASE_URL": f"http://127.0.0.1:{port}",
        "NOTION_MCP_RATE_WINDOW": str(window),
        "NOTION_MCP_MAX_RETRY_WAIT": str(max(30.0, 2 * window)),
        "XDG_CACHE_HOME": cache,
        "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
    }
    params = StdioServerParameters(command=sys.executable, args=["-m", "notion_mcp"], env=env, cwd=cache)
    errors: list[str] = []
    async with Client(params) as client:  # type: ignore[arg-type]

        async def call(tool: str, **arguments: Any) -> str:
            result = await client.call_tool(tool, arguments)
            if result.is_error:
                errors.append(text(result)[:200])
            return text(result)

        page = await mixed_work(call, n, appends, title=f"Bench {n}")
    return {"page": page, "errors": errors}


async def paragraphs_of(port: int, page_id: str) -> Counter[str]:
    headers = {"Authorization": f"Bearer {VERIFIER}", "Notion-Version": "2026-03-11"}
    seen: Counter[str] = Counter()
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}/v1", headers=headers) as http:
        cursor = None
        while True:
            query = {"page_size": 100, **({"start_cursor": cursor} if cursor else {})}
            answer = (await http.get(f"/blocks/{page_id}/children", params=query)).json()
            for block in answer["results"]:
                for item in block.get("paragraph", {}).get("rich_text", []):
                    seen[item["plain_text"]] += 1
            if not answer.get("has_more"):
                return seen
            cursor = answer["next_cursor"]


async def main_async(processes: int, budget: int, window: float, appends: int) -> None:
    recorder, port, server = start_sandbox(budget, window)
    with tempfile.TemporaryDirectory() as cache:
        start = time.monotonic()
        outcomes = await asyncio.gather(
            *(one_process(n, port, cache, window, appends) for n in range(processes))
        )
        wall = time.monotonic() - start
    ours = [(at, status) for at, token, status in recorder.answers if token == f"Bearer {TOKEN}"]
    first = ours[0][0]
    in_first = sum(1 for at, status in ours if status == 429 and at < first + window)
    after = sum(1 for at, status in ours if status == 429 and at >= first + window)
    lost = doubled = 0
    for n, outcome in enumerate(outcomes):
        if outcome["page"] is None:
            lost += appends * PARAGRAPHS_PER_APPEND
            continue
        seen = await paragraphs_of(port, outcome["page"])
        for i in range(appends * PARAGRAPHS_PER_APPEND):
            count = seen[f"p{n}-{i}"]
            lost += count == 0
            doubled += count > 1
    server.should_exit = True
    floor = (len(ours) - in_first - after) / budget * window
    errors = [e for o in outcomes for e in o["errors"]]
    ok = after == 0 and in_first <= processes and lost == doubled == 0 and not errors
    print(f"{processes} server processes, one token; sandbox window model: {budget} requests / {window:g} s")
    print(f"  requests answered        {len(ours) - in_first - after:>6}")
    print(f"  429s in the first window {in_first:>6}   (goal <= {processes}: one per process)")
    print(f"  429s after it            {after:>6}   (goal 0)")
    print(f"  wall time                {wall:>6.1f} s (floor {floor:.1f} s: requests / budget x window)")
    written = processes * appends * PARAGRAPHS_PER_APPEND
    print(f"  paragraphs lost          {lost:>6}   doubled {doubled}   (of {written})")
    print(f"  tool errors              {len(errors):>6}" + (f"  first: {errors[0]!r}" if errors else ""))
    print("  OK" if ok else "  MISSED a goal")
    if os.environ.get("BENCH_TIMELINE"):
        for at, status in ours:
            print(f"{at - first:7.2f} {status}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--budget", type=int, default=20, help="the sandbox's requests per window per token")
    parser.add_argument("--window", type=float, default=5.0, help="the window, in seconds")
    parser.add_argument("--appends", type=int, default=12, help="appends per process")
    args = parser.parse_args()
    asyncio.run(main_async(args.processes, args.budget, args.window, args.appends))


if __name__ == "__main__":
    main()
