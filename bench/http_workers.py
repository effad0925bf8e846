"""One `serve --http` with several workers sharing Redis, many clients, Notion's window model.

Run: python bench/http_workers.py [--workers 4] [--clients 40] [--budget 30] [--window 5]
                                  [--appends 3] [--timeout 600]

Started here, each a child process killed at the end (and on any failure or timeout):
- a `redis-server` on 127.0.0.1 (no persistence), the shared rate store;
- the sandbox simulating Notion's per-connection window model (`--budget` requests per
  `--window` seconds per token, 429 with Retry-After until the window resets), served by uvicorn
  in its own process like `notion-mcp sandbox serve --budget N --window S`, plus a recorder that
  writes the time, token and status of every answer to a file;
- `notion-mcp serve --http --workers N` with `NOTION_MCP_RATE_STORE=redis://…`, one token, the
  default budget guess (more than this sandbox allows: the workers have to learn it) and the
  window length set to the sandbox's (`--via-uvicorn`: started by uvicorn's own command line and
  `create_app` instead).
Then `--clients` MCP clients (the SDK's streamable-HTTP client) at once each create a page,
append `--appends` batches of numbered paragraphs to it, and meanwhile read the seeded welcome
page, query the tasks and search. Progress is printed every five seconds; `--timeout` ends the
run (exit 1). Printed at the end: tool calls, requests, 429s while the budget is learned (within
a window of the first 429; the clients ramp up, so the budget may first be met after the first
window) and after it, 429s per window, lost and doubled paragraphs (read back through another
token), tool errors, wall time against the floor (requests / budget x window), worker processes
replaced. Goals: 0 429s after the learning, at most one per worker in it; nothing lost or doubled.

The budget default (30 per 5 s) is below what this machine answers (a loaded 2-core machine
serves about 8 requests/s end to end), so the window model, not the CPU, sets the pace.
`--server-window 60` shows what a server whose window is longer than Notion's does: it learns
the sandbox's budget per 5 s as a budget per 60 s and then waits most of every minute (what
looked like a hang: nothing answered for tens of seconds at a time).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx2
from limits import PARAGRAPHS_PER_APPEND, TOKEN, mixed_work, paragraphs_of, text
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

HERE = Path(__file__).resolve()
SOURCE = str(HERE.parents[1] / "src")
STARTUP = 90.0  # seconds a child may take to say it is ready (start-up is slow on a loaded machine)


class Children:
    """Child processes, each in its own process group, all ended by `close` (SIGTERM, then
    SIGKILL after a grace period) whatever happened."""

    def __init__(self) -> None:
        self.processes: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(self, name: str, args: list[str], log: Path, env: dict[str, str] | None = None) -> None:
        with log.open("wb") as out:
            process = subprocess.Popen(
                args,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONPATH": SOURCE, "PYTHONUNBUFFERED": "1", **(env or {})},
                start_new_session=True,
            )
        self.processes.append((name, process))

    def check(self) -> None:
        for name, process in self.processes:
            if process.poll() is not None:
                raise RuntimeError(f"{name} ended early (exit {process.returncode})")

    def close(self) -> None:
        for _, process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for name, process in self.processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                print(f"  ({name} did not stop in 10 s: killed)", flush=True)
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def workers_of(pid: int) -> set[int]:
    """The child processes of `pid` (Linux /proc; empty elsewhere)."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return {int(p) for p in children if b"spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes()}
    except OSError:
        return set()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(what: str, found: Callable[[], str | None], children: Children, log: Path) -> str:
    """Poll `found` until it gives a value; a child that ends or a slow start-up raise."""
    deadline = time.monotonic() + STARTUP
    while time.monotonic() < deadline:
        if (value := found()) is not None:
            return value
        try:
            children.check()
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}; its log:\n{log.read_text(errors='replace')[-2000:]}") from None
        time.sleep(0.1)
    raise RuntimeError(f"{what} not ready in {STARTUP:g} s; log:\n{log.read_text(errors='replace')[-2000:]}")


def line_in(log: Path, pattern: str) -> Callable[[], str | None]:
    def found() -> str | None:
        match = re.search(pattern, log.read_text(errors="replace")) if log.exists() else None
        return match.group(1) if match else None

    return found


def redis_answers(port: int) -> Callable[[], str | None]:
    def found() -> str | None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return "ok" if sock.recv(16).startswith(b"+PONG") else None
        except OSError:
            return None

    return found


# --- the sandbox child: the window model, and a file with one line per answer ----------------


def serve_sandbox(budget: int, window: float, record: str) -> None:
    import uvicorn
    from limits import Recorder

    from notion_mcp.sandbox import Sandbox

    sandbox = Sandbox(window_budget=budget, window_seconds=window)
    recorder = Recorder(sandbox.app)
    out = open(record, "w", buffering=1)  # noqa: SIM115 - open for the process's life
    recorder.answers = Written(out)  # type: ignore[assignment]
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    print(f"sandbox listening on port {sock.getsockname()[1]}", flush=True)
    uvicorn.Server(uvicorn.Config(recorder, log_level="warning")).run(sockets=[sock])


class Written:
    """A list-like sink: each recorded answer becomes a line `time token status`."""

    def __init__(self, out: Any) -> None:
        self.out = out

    def append(self, answer: tuple[float, str, int]) -> None:
        _, token, status = answer
        self.out.write(f"{time.time():.3f} {token.removeprefix('Bearer ')[-6:]} {status}\n")


def answers(record: Path) -> list[tuple[float, str, int]]:
    rows = []
    for line in record.read_text().splitlines():
        parts = line.split()
        if len(parts) == 3:
            rows.append((float(parts[0]), parts[1], int(parts[2])))
    return rows


# --- the clients ----------------------------------------------------------------------------


class Tally:
    def __init__(self) -> None:
        self.calls = 0
        self.errors: list[str] = []
        self.finished = 0


async def one_client(n: int, url: str, appends: int, tally: Tally) -> str | None:
    """One MCP client's mixed work; the page it created (None when creating failed)."""
    async with (
        httpx2.AsyncClient(timeout=httpx2.Timeout(300.0)) as http,
        Client(streamable_http_client(url, http_client=http)) as client,
    ):

        async def call(tool: str, **arguments: Any) -> str:
            result = await client.call_tool(tool, arguments)
            tally.calls += 1
            if result.is_error:
                tally.errors.append(f"client {n} {tool}: {text(result)[:200]}")
            return text(result)

        page = await mixed_work(call, n, appends, title=f"Worker bench {n}")
    if page is not None:
        tally.finished += 1
    return page


async def progress(tally: Tally, record: Path, clients: int, started: float, children: Children) -> None:
    while True:
        await asyncio.sleep(5)
        children.check()
        seen = answers(record)
        refused = sum(1 for _, _, status in seen if status == 429)
        print(
            f"  {time.monotonic() - started:6.1f} s: {tally.calls} tool calls, {tally.finished}/{clients} "
            f"clients done, sandbox answered {len(seen)} ({refused} 429s)",
            flush=True,
        )


async def drive(
    args: argparse.Namespace, url: str, sandbox_port: int, record: Path, children: Children
) -> int:
    tally = Tally()
    started = time.monotonic()
    watcher = asyncio.create_task(progress(tally, record, args.clients, started, children))
    work = asyncio.gather(*(one_client(n, url, args.appends, tally) for n in range(args.clients)))
    try:
        pages = await asyncio.wait_for(work, timeout=args.timeout)
    except TimeoutError:
        print(
            f"TIMED OUT after {args.timeout:g} s: {tally.calls} tool calls, "
            f"{tally.finished}/{args.clients} clients done",
            flush=True,
        )
        return 1
    finally:
        watcher.cancel()
    wall = time.monotonic() - started
    if not watcher.cancelled() and watcher.done() and watcher.exception() is not None:
        raise watcher.exception()  # type: ignore[misc]

    ours = [(at, status) for at, token, status in answers(record) if token == TOKEN[-6:]]
    refusals = [at for at, status in ours if status == 429]
    # the budget is learned from the first 429s: those within a window of the first are the
    # learning's (the requests then in flight); any later one is a 429 the limiter should have spared
    learning = refusals[0] if refusals else ours[0][0]
    in_first = sum(1 for at in refusals if at < learning + args.window)
    after = len(refusals) - in_first
    per_window: dict[int, int] = {}
    for at in refusals:
        index = int((at - ours[0][0]) // args.window)
        per_window[index] = per_window.get(index, 0) + 1
    lost = doubled = 0
    for n, page in enumerate(pages):
        if page is None:
            lost += args.appends * PARAGRAPHS_PER_APPEND
            continue
        seen = await paragraphs_of(sandbox_port, page)
        for i in range(args.appends * PARAGRAPHS_PER_APPEND):
            count = seen[f"p{n}-{i}"]
            lost += count == 0
            doubled += count > 1
    answered = len(ours) - in_first - after
    floor = answered / args.budget * args.window
    written = args.clients * args.appends * PARAGRAPHS_PER_APPEND
    ok = after == 0 and in_first <= args.workers and lost == doubled == 0 and not tally.errors
    print(
        f"{args.workers} HTTP workers sharing Redis, {args.clients} clients, one token; "
        f"sandbox window model: {args.budget} requests / {args.window:g} s"
    )
    print(f"  tool calls               {tally.calls:>6}")
    print(f"  requests answered        {answered:>6}")
    print(
        f"  429s while learning      {in_first:>6}   "
        f"(goal <= {args.workers}, one per worker: in the first's window)"
    )
    print(f"  429s after it            {after:>6}   (goal 0)")
    print(
        f"  429s by window           {per_window or 'none'}   "
        f"(n: from n x {args.window:g} s after the first request)"
    )
    print(f"  wall time                {wall:>6.1f} s (floor {floor:.1f} s: requests / budget x window)")
    print(f"  paragraphs lost          {lost:>6}   doubled {doubled}   (of {written})")
    first_error = f"  first: {tally.errors[0]!r}" if tally.errors else ""
    print(f"  tool errors              {len(tally.errors):>6}{first_error}")
    print("  OK" if ok else "  MISSED a goal", flush=True)
    if os.environ.get("BENCH_TIMELINE"):
        for at, status in ours:
            print(f"{at - ours[0][0]:7.2f} {status}")
    return 0 if ok else 1


def run(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        where = Path(tmp)
        children = Children()
        stack.callback(children.close)
        redis_port = free_port()
        redis_log = where / "redis.log"
        children.start(
            "redis-server",
            [
                "redis-server",
                "--port",
                str(redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            redis_log,
        )
        wait_for("redis-server", redis_answers(redis_port), children, redis_log)

        record, sandbox_log = where / "answers.txt", where / "sandbox.log"
        sandbox_args = [sys.executable, str(HERE), "--serve-sandbox", str(record)]
        sandbox_args += ["--budget", str(args.budget), "--window", str(args.window)]
        children.start("sandbox", sandbox_args, sandbox_log)
        sandbox_port = int(
            wait_for("sandbox", line_in(sandbox_log, r"listening on port (\d+)"), children, sandbox_log)
        )

        server_log = where / "server.log"
        env = {
            "NOTION_TOKEN": TOKEN,
            "NOTION_BASE_URL": f"http://127.0.0.1:{sandbox_port}",
            "NOTION_MCP_RATE_STORE": f"redis://127.0.0.1:{redis_port}/0",
            "NOTION_MCP_RATE_WINDOW": str(args.server_window or args.window),
            "NOTION_MCP_MAX_RETRY_WAIT": str(max(30.0, 2 * args.window)),
            "XDG_CACHE_HOME": tmp,
        }
        if args.via_uvicorn:  # the other documented way: uvicorn's command line and create_app
            port = free_port()
            server_args = [sys.executable, "-m", "uvicorn", "--factory", "--workers", str(args.workers)]
            server_args += ["--port", str(port), "--no-access-log", "notion_mcp.transport.http:create_app"]
            children.start("uvicorn --factory", server_args, server_log, env)
            ready = rf"((?:[^\n]*Application startup complete[^\n]*\n[^A]*){{{args.workers}}})"
            wait_for("uvicorn's workers", line_in(server_log, ready), children, server_log)
            url = f"http://127.0.0.1:{port}/mcp"
        else:
            server_args = [sys.executable, "-m", "notion_mcp", "serve", "--http", "--port", "0"]
            server_args += ["--workers", str(args.workers)]
            children.start("notion-mcp serve --http", server_args, server_log, env)
            banner = r"at (http://127\.0\.0\.1:\d+/mcp)"
            url = wait_for("serve --http", line_in(server_log, banner), children, server_log)
        print(
            f"redis on {redis_port}, sandbox on {sandbox_port}, {args.workers} workers at {url}", flush=True
        )
        server_pid = children.processes[-1][1].pid
        workers = workers_of(server_pid)
        try:
            code = asyncio.run(drive(args, url, sandbox_port, record, children))
            replaced = len(workers - workers_of(server_pid))
            print(
                f"  worker processes         {len(workers):>6}   replaced during the run: {replaced}",
                flush=True,
            )
            return code
        except BaseException:
            print("server log (last lines):\n" + server_log.read_text(errors="replace")[-3000:], flush=True)
            raise


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=40)
    parser.add_argument("--budget", type=int, default=30, help="the sandbox's requests per window per token")
    parser.add_argument("--window", type=float, default=5.0, help="the window, in seconds")
    parser.add_argument("--appends", type=int, default=3, help="appends per client")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds before giving up (then exit 1)")
    parser.add_argument(
        "--server-window", type=float, help="the servers' NOTION_MCP_RATE_WINDOW (default: --window)"
    )
    parser.add_argument("--via-uvicorn", action="store_true", help="start the workers with uvicorn's CLI")
    parser.add_argument("--serve-sandbox", metavar="RECORD", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_sandbox:
        serve_sandbox(args.budget, args.window, args.serve_sandbox)
        return
    sys.exit(run(args))


if __name__ == "__main__":
    main()
