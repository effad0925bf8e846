"""The command line: `notion-mcp sandbox serve` over HTTP, its loopback-only rule, and a sandbox
workspace kept in a file across two runs of the stdio server."""

from __future__ import annotations

import re
import select
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from child_env import BASE_ENV
from mcp import Client, StdioServerParameters
from sandbox_client import text_of

from notion_mcp.sandbox import SEED

HEADERS = {"Authorization": "Bearer ntn_x", "Notion-Version": "2026-03-11"}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_up(process: subprocess.Popen[str], url: str, deadline: float = 60.0) -> httpx.Response:
    """Poll `url` until it answers (at most `deadline` seconds, generous for a loaded CI machine),
    failing early if the server died."""
    end = time.monotonic() + deadline
    while True:
        if process.poll() is not None:
            raise AssertionError(f"the sandbox exited with {process.returncode}")
        try:
            return httpx.get(url, headers=HEADERS, timeout=1.0)
        except httpx.TransportError:
            if time.monotonic() > end:
                raise
            time.sleep(0.05)


def serve(cwd: Path, *args: str) -> subprocess.Popen[str]:
    """`notion-mcp sandbox serve ARGS` as a child process (stderr piped for its one line)."""
    return subprocess.Popen(
        [sys.executable, "-m", "notion_mcp", "sandbox", "serve", *args],
        env=BASE_ENV,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], int, Path]]:
    port = free_port()
    workspace = tmp_path / "workspace.sqlite"
    process = serve(tmp_path, "--port", str(port), str(workspace))
    try:
        yield process, port, workspace
    finally:
        if process.poll() is None:
            process.terminate()
        process.communicate(timeout=10)


def test_sandbox_serve_answers_notions_api_on_loopback_and_says_where_in_one_line(
    served: tuple[subprocess.Popen[str], int, Path],
) -> None:
    process, port, workspace = served
    base = f"http://127.0.0.1:{port}/v1"

    me = wait_until_up(process, f"{base}/users/me")
    found = httpx.post(f"{base}/search", headers=HEADERS, json={"query": "Getting started"}, timeout=5)
    unauthorised = httpx.get(f"{base}/users/me", headers={"Notion-Version": "2026-03-11"}, timeout=5)
    process.terminate()
    out, err = process.communicate(timeout=10)

    assert me.status_code == 200 and me.json()["type"] == "bot"
    assert found.status_code == 200
    assert [r["id"] for r in found.json()["results"]] == [SEED.getting_started_page_id]
    assert unauthorised.status_code == 401
    assert out == ""
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert f"http://127.0.0.1:{port}/v1/" in lines[0]
    assert str(workspace) in lines[0]
    assert workspace.exists()


def test_sandbox_serve_refuses_a_non_loopback_host_with_exit_code_2(tmp_path: Path) -> None:
    workspace = tmp_path / "never.sqlite"
    done = subprocess.run(
        [sys.executable, "-m", "notion_mcp", "sandbox", "serve", "--host", "0.0.0.0", str(workspace)],
        env=BASE_ENV,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=20,
    )

    assert done.returncode == 2
    assert "127.0.0.1" in done.stderr and "0.0.0.0" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert not workspace.exists()


@pytest.mark.anyio
async def test_a_sandbox_file_keeps_what_was_written_across_two_runs_of_the_server(tmp_path: Path) -> None:
    workspace = tmp_path / "kept.sqlite"
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "notion_mcp", "--sandbox", str(workspace)],
        env=BASE_ENV,
        cwd=tmp_path,
    )
    async with Client(params) as client:  # type: ignore[arg-type]
        appended = await client.call_tool(
            "notion_blocks",
            {
                "operation": "append",
                "parent_block_id": SEED.notes_page_id,
                "markdown": "Kept across restarts: **yes**.",
            },
        )
    assert not appended.is_error, text_of(appended)

    async with Client(params) as client:  # type: ignore[arg-type]
        read = await client.call_tool(
            "notion_pages", {"operation": "retrieve", "page_id": SEED.notes_page_id}
        )

    assert not read.is_error, text_of(read)
    assert text_of(read).count("Kept across restarts: **yes**.") == 1
    assert text_of(read).rstrip().endswith("Kept across restarts: **yes**."), text_of(read)


def run_cli(
    args: list[str], cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "notion_mcp", *args],
        env={**BASE_ENV, **(env or {})},
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=20,
    )


def assert_one_line_exit_2(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr and "serving" not in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert done.stdout == ""
    return done.stderr.strip()


@pytest.mark.parametrize("command", [["--sandbox"], ["sandbox", "serve", "--port", "0"]])
def test_a_sandbox_file_in_a_missing_folder_is_one_line_and_exit_2_before_any_banner(
    tmp_path: Path, command: list[str]
) -> None:
    workspace = tmp_path / "missing" / "x.db"
    line = assert_one_line_exit_2(run_cli([*command, str(workspace)], tmp_path))
    assert str(tmp_path / "missing") in line and "does not exist" in line
    assert not workspace.parent.exists()


def test_a_sandbox_path_that_is_a_folder_or_not_a_database_is_refused_in_one_line(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_text("not sqlite at all\n" * 100)

    folder = assert_one_line_exit_2(run_cli(["--sandbox", str(tmp_path)], tmp_path))
    not_db = assert_one_line_exit_2(run_cli(["--sandbox", str(junk)], tmp_path))

    assert "is a folder" in folder and str(tmp_path / "workspace.sqlite") in folder
    assert "not a database" in not_db and str(junk) in not_db
    assert junk.read_text() == "not sqlite at all\n" * 100


def test_sandbox_serve_on_port_0_prints_the_port_it_listens_on(tmp_path: Path) -> None:
    process = serve(tmp_path, "--port", "0")
    try:
        assert process.stderr is not None
        ready, _, _ = select.select([process.stderr], [], [], 15)
        assert ready, "no line from the sandbox within 15 s"
        line = process.stderr.readline()
        found = re.search(r"http://127\.0\.0\.1:(\d+)/v1/", line)
        assert found, line
        port = int(found.group(1))
        assert port != 0
        me = wait_until_up(process, f"http://127.0.0.1:{port}/v1/users/me")
        assert me.status_code == 200 and me.json()["type"] == "bot"
    finally:
        process.terminate()
        process.communicate(timeout=10)


def test_sandbox_serve_on_a_port_in_use_says_so_in_one_line(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        line = assert_one_line_exit_2(run_cli(["sandbox", "serve", "--port", str(port)], tmp_path))
    assert str(port) in line and "--port" in line


@pytest.mark.parametrize("rest", [[], ["--port", "1"], ["srve"]])
def test_sandbox_without_serve_says_how_to_call_it(tmp_path: Path, rest: list[str]) -> None:
    line = assert_one_line_exit_2(run_cli(["sandbox", *rest], tmp_path))
    assert "notion-mcp sandbox serve" in line and "unrecognized" not in line


@pytest.mark.parametrize(
    ("args", "env", "named"),
    [
        (["--sandbox", "--rate-limit", "-5"], {}, "--rate-limit='-5'"),
        (["--sandbox"], {"NOTION_MCP_RATE_LIMIT": "nan"}, "NOTION_MCP_RATE_LIMIT='nan'"),
        (["--sandbox"], {"NOTION_MCP_MAX_OUTPUT_CHARS": "0"}, "NOTION_MCP_MAX_OUTPUT_CHARS='0'"),
    ],
)
def test_a_number_out_of_range_stops_start_up_in_one_line(
    tmp_path: Path, args: list[str], env: dict[str, str], named: str
) -> None:
    line = assert_one_line_exit_2(run_cli(args, tmp_path, env))
    assert named in line and "≥" in line


def test_a_number_out_of_range_in_dot_env_stops_start_up_in_one_line(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("NOTION_MCP_MAX_RETRIES=-2\n")
    line = assert_one_line_exit_2(run_cli(["--sandbox"], tmp_path))
    assert "NOTION_MCP_MAX_RETRIES='-2'" in line and "≥ 0" in line
