"""`notion-mcp serve --http`: the stateless streamable-HTTP server a team shares, started as a
child process on 127.0.0.1 port 0 and spoken to by `mcp.Client`'s streamable-HTTP transport;
and the requests it must refuse (no key, a wrong key, a foreign Host or Origin)."""

from __future__ import annotations

import http.server
import json
import re
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import httpx2
import pytest
from child_env import BASE_ENV
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from sandbox_client import text_of

from notion_mcp.sandbox import SEED

KEY = "team-key-" + "k" * 24
INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "probe", "version": "0"},
    },
}
ACCEPT = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


class Served:
    """A child `notion-mcp serve --http`, its stderr drained by a thread (so a chatty log level
    can never fill the pipe), and the URL from its banner."""

    def __init__(self, cwd: Path, *args: str, **env: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "notion_mcp", "serve", "--http", "--port", "0", *args],
            env={**BASE_ENV, **env},
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        self.url: str | None = None
        self.ready = threading.Event()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line)
            found = re.search(r"serving .* at (http://127\.0\.0\.1:\d+/mcp)", line)
            if found and self.url is None:
                self.url = found.group(1)
                self.ready.set()
        self.ready.set()  # ended without a banner

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.terminate()
        self.process.wait(timeout=20)
        self.reader.join(timeout=20)
        if self.process.stderr is not None:
            self.process.stderr.close()
        return "".join(self.lines)


def start(cwd: Path, *args: str, ready: float = 60, **env: str) -> tuple[Served, str]:
    """`notion-mcp serve --http --port 0 ARGS`, once its banner says where it listens."""
    served = Served(cwd, *args, **env)
    served.ready.wait(timeout=ready)
    if served.url is None:
        raise AssertionError(served.stop())
    return served, served.url


def stop(served: Served) -> str:
    return served.stop()


@pytest.fixture
def keyed(tmp_path: Path) -> Iterator[str]:
    process, url = start(tmp_path, "--sandbox", NOTION_MCP_HTTP_KEYS=f"other-key-{'o' * 20},{KEY}")
    try:
        yield url
    finally:
        stop(process)


@asynccontextmanager
async def client(url: str, mode: str = "auto", **headers: str) -> AsyncIterator[Client]:
    """`mcp.Client` over streamable HTTP, sending `headers` with every request."""
    async with (
        httpx2.AsyncClient(headers=headers) as http,
        Client(streamable_http_client(url, http_client=http), mode=mode) as mcp,
    ):
        yield mcp


@pytest.mark.anyio
async def test_a_client_with_a_key_lists_the_tools_and_calls_them(keyed: str) -> None:
    async with client(keyed, Authorization=f"Bearer {KEY}") as mcp:
        tools = (await mcp.list_tools()).tools
        found = await mcp.call_tool("notion_search", {"query": "Getting started"})
        read = await mcp.call_tool("notion_pages", {"operation": "retrieve", "page_id": SEED.notes_page_id})

    assert len(tools) == 6
    assert not found.is_error and "Getting started" in text_of(found)
    assert not read.is_error, text_of(read)


@pytest.mark.anyio
async def test_the_legacy_handshake_works_too(keyed: str) -> None:
    async with client(keyed, "legacy", Authorization=f"Bearer {KEY}") as mcp:
        tools = (await mcp.list_tools()).tools
    assert len(tools) == 6


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Bearer wrong-key-" + "w" * 20}, 401),
        ({"Authorization": KEY}, 401),  # not a bearer
        ({"Authorization": f"Bearer {KEY}", "Host": "evil.example.com"}, 421),
        ({"Authorization": f"Bearer {KEY}", "Host": "evil.example.com:80"}, 421),
        ({"Authorization": f"Bearer {KEY}", "Origin": "http://evil.example.com"}, 403),
        ({"Authorization": f"Bearer {KEY}", "Origin": "null"}, 403),
        ({"Host": "evil.example.com"}, 421),
    ],
)
def test_requests_without_the_key_or_from_a_foreign_host_or_origin_are_refused(
    keyed: str, headers: dict[str, str], status: int
) -> None:
    answer = httpx.post(keyed, json=INIT, headers={**ACCEPT, **headers}, timeout=10)
    assert answer.status_code == status, answer.text
    assert KEY not in answer.text


def test_a_local_origin_and_the_right_key_get_through(keyed: str) -> None:
    headers = {**ACCEPT, "Authorization": f"Bearer {KEY}", "Origin": "http://localhost:6274"}
    answer = httpx.post(keyed, json=INIT, headers=headers, timeout=10)
    assert answer.status_code == 200, answer.text


def test_on_loopback_without_keys_it_serves_open_but_still_checks_the_host(tmp_path: Path) -> None:
    process, url = start(tmp_path, "--sandbox")
    try:
        open_ = httpx.post(url, json=INIT, headers=ACCEPT, timeout=10)
        rebound = httpx.post(url, json=INIT, headers={**ACCEPT, "Host": "attacker.test"}, timeout=10)
    finally:
        err = stop(process)
    assert open_.status_code == 200, open_.text
    assert rebound.status_code == 421
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "env", "said"),
    [
        (["--host", "0.0.0.0"], {}, "NOTION_MCP_HTTP_ALLOWED_HOSTS"),
        (["--host", "0.0.0.0"], {"NOTION_MCP_HTTP_ALLOWED_HOSTS": "mcp.example.com"}, "NOTION_MCP_HTTP_KEYS"),
        ([], {"NOTION_MCP_HTTP_ALLOWED_HOSTS": "mcp.example.com"}, "NOTION_MCP_HTTP_KEYS"),
        ([], {"NOTION_MCP_HTTP_KEYS": "short"}, "at least 16"),
    ],
)
def test_a_server_others_can_reach_refuses_to_start_without_keys(
    tmp_path: Path, args: list[str], env: dict[str, str], said: str
) -> None:
    assert_refused_in_one_line(tmp_path, ["--http", "--port", "0", "--sandbox", *args], env, said)


def assert_refused_in_one_line(tmp_path: Path, args: list[str], env: dict[str, str], said: str) -> None:
    """`notion-mcp serve ARGS` exits 2 with one line on stderr that says `said`, no traceback."""
    done = subprocess.run(
        [sys.executable, "-m", "notion_mcp", "serve", *args],
        env={**BASE_ENV, **env},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert said in done.stderr and "Traceback" not in done.stderr


class _Upstream(http.server.BaseHTTPRequestHandler):
    """A stand-in for api.notion.com that answers /v1/users/me with a bot named after the
    token it was sent (its last four characters), so a test sees which token each call used;
    it keeps the path of every request in its server's `seen`."""

    def do_GET(self) -> None:
        getattr(self.server, "seen", []).append(self.path)
        token = self.headers.get("Authorization", "").removeprefix("Bearer ")
        body = json.dumps(
            {
                "object": "user",
                "id": "0b0b0b0b-0000-4000-8000-00000000b0b0",
                "type": "bot",
                "name": f"bot-{token[-4:]}",
                "bot": {"owner": {"type": "workspace"}, "workspace_name": "W"},
                "request_id": "r",
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture
def upstream_server() -> Iterator[http.server.ThreadingHTTPServer]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Upstream)
    server.seen = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def upstream(upstream_server: http.server.ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{upstream_server.server_address[1]}"


@pytest.mark.anyio
async def test_each_request_may_bring_its_own_notion_token_which_is_never_logged(
    tmp_path: Path, upstream: str
) -> None:
    own, alice, bob = "ntn_" + "S" * 36 + "0wn1", "ntn_" + "A" * 36 + "a11c", "ntn_" + "B" * 36 + "b0b2"
    process, url = start(
        tmp_path,
        "--log-level",
        "DEBUG",
        NOTION_TOKEN=own,
        NOTION_BASE_URL=upstream,
        NOTION_MCP_HTTP_KEYS=KEY,
        NOTION_MCP_HTTP_USER_TOKENS="true",
    )
    try:
        said = {}
        for who, extra in (
            ("own", {}),
            ("alice", {"X-Notion-Token": alice}),
            ("bob", {"X-Notion-Token": bob}),
        ):
            async with client(url, Authorization=f"Bearer {KEY}", **extra) as mcp:
                said[who] = text_of(await mcp.call_tool("notion_users", {"operation": "retrieve_bot"}))
        malformed = httpx.post(
            url,
            json=INIT,
            headers={**ACCEPT, "Authorization": f"Bearer {KEY}", "X-Notion-Token": "x"},
            timeout=10,
        )
    finally:
        err = stop(process)

    assert "bot-0wn1" in said["own"] and "bot-a11c" in said["alice"] and "bot-b0b2" in said["bob"], said
    assert malformed.status_code == 401
    for secret in (own, alice, bob, KEY):
        assert secret not in err


def test_a_notion_token_header_is_refused_when_the_server_does_not_take_them(keyed: str) -> None:
    headers = {**ACCEPT, "Authorization": f"Bearer {KEY}", "X-Notion-Token": "ntn_" + "A" * 40}
    answer = httpx.post(keyed, json=INIT, headers=headers, timeout=10)
    assert answer.status_code == 400 and "X-Notion-Token" in answer.text.replace(
        "x-notion-token", "X-Notion-Token"
    )


def worker_processes(pid: int) -> list[int]:
    """The uvicorn workers (spawned children) of the server process `pid`, from Linux's /proc."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(c) for c in children if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]


@pytest.mark.anyio
async def test_several_workers_on_one_port_serve_the_flags_given_and_count_one_window_in_redis(
    tmp_path: Path, upstream_server: http.server.ThreadingHTTPServer, upstream: str, redis_url: str
) -> None:
    import redis.asyncio as aioredis

    if not Path("/proc/self/task").exists():
        pytest.skip("counts the worker processes through Linux's /proc")
    process, url = start(
        tmp_path,
        "--workers",
        "3",
        "--tools",
        "notion_users",  # a flag, not a variable: every worker must have been given it
        ready=120,
        NOTION_TOKEN="ntn_" + "W" * 40,
        NOTION_BASE_URL=upstream,
        NOTION_MCP_RATE_STORE=redis_url,
        NOTION_MCP_RATE_WINDOW="3600",  # nothing leaves the window however slow the machine is
        NOTION_MCP_HTTP_KEYS=KEY,
    )
    try:
        workers = worker_processes(process.process.pid)
        listed, said = [], []
        for _ in range(9):  # a client (and its connection) each: the kernel hands them to the workers
            async with client(url, Authorization=f"Bearer {KEY}") as mcp:
                listed.append(sorted(t.name for t in (await mcp.list_tools()).tools))
                said.append(await mcp.call_tool("notion_users", {"operation": "retrieve_bot"}))
        redis = aioredis.from_url(redis_url)
        try:
            keys = await redis.keys("notion-mcp:ratelimit:*")
            state = json.loads(await redis.get(keys[0])) if len(keys) == 1 else {}
        finally:
            await redis.aclose()
    finally:
        err = stop(process)

    assert len(workers) == 3, err
    assert listed == [["notion_users"]] * 9
    assert all(not r.is_error for r in said), [text_of(r) for r in said]
    assert len(keys) == 1, keys  # one window for the token, whichever worker sent the request
    seen: list[str] = upstream_server.seen  # type: ignore[attr-defined]
    assert sum(state["answered"].values()) == len(seen) >= 9
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--http", "--workers", "2", "--sandbox"], "sandbox serve"),
        (["--http", "--workers", "0", "--sandbox"], "--workers 0"),
        (["--workers", "2", "--sandbox"], "go with --http"),
    ],
)
def test_workers_that_cannot_work_are_refused_in_one_line(tmp_path: Path, args: list[str], said: str) -> None:
    assert_refused_in_one_line(tmp_path, args, {}, said)
