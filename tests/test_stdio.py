"""`python -m notion_mcp` as a host runs it: a subprocess spoken to over stdio, with a minimal
environment; and the start-up errors a user sees when the token is missing or malformed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from child_env import BASE_ENV
from mcp import Client, StdioServerParameters
from sandbox_client import text_of

from notion_mcp.config import TOOL_NAMES, load_settings
from notion_mcp.sandbox import SEED

SECRET_TOKEN = "secret_" + "Q7x" * 15


def server(*args: str, cwd: Path, **env: str) -> StdioServerParameters:
    return StdioServerParameters(
        command=sys.executable, args=["-m", "notion_mcp", *args], env={**BASE_ENV, **env}, cwd=cwd
    )


def run_cli(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """The CLI with only PATH and `env` in its environment, in a directory without a .env file."""
    return subprocess.run(
        [sys.executable, "-m", "notion_mcp", *args],
        env={**BASE_ENV, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=20,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_the_sandbox_server_over_stdio_lists_six_tools_and_finds_a_seeded_page(
    mode: str, tmp_path: Path
) -> None:
    async with Client(server("--sandbox", cwd=tmp_path), mode=mode) as client:  # type: ignore[arg-type]
        tools = (await client.list_tools()).tools
        result = await client.call_tool("notion_search", {"query": "Welcome"})

    assert sorted(t.name for t in tools) == sorted(TOOL_NAMES)
    assert not result.is_error, text_of(result)
    assert "Welcome to the sandbox" in text_of(result)
    assert SEED.welcome_page_id.replace("-", "") in text_of(result)


@pytest.mark.anyio
async def test_a_secret_token_of_valid_shape_starts_the_server_for_real_notion(tmp_path: Path) -> None:
    # Listing tools makes no request to Notion: the base URL points at a closed port anyway.
    params = server(cwd=tmp_path, NOTION_TOKEN=SECRET_TOKEN, NOTION_BASE_URL="http://127.0.0.1:9")
    async with Client(params, mode="legacy") as client:  # type: ignore[arg-type]
        tools = (await client.list_tools()).tools

    assert len(tools) == 6


def test_a_secret_token_of_valid_shape_is_accepted_by_the_settings() -> None:
    settings = load_settings({"NOTION_TOKEN": f"  {SECRET_TOKEN}\n"})

    assert settings.token == SECRET_TOKEN
    assert settings.sandbox is None
    assert SECRET_TOKEN not in repr(settings)


def test_without_a_token_or_sandbox_the_server_exits_2_with_one_line_saying_what_to_do(
    tmp_path: Path,
) -> None:
    done = run_cli(cwd=tmp_path)

    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "NOTION_TOKEN" in lines[0] and "--sandbox" in lines[0]
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("token", ["ntn_" + "x" * 12 + "!" + "y" * 20, "Bearer ntn_" + "w" * 40])
def test_a_malformed_token_stops_start_up_with_one_line_that_never_shows_the_token(
    token: str, tmp_path: Path
) -> None:
    done = run_cli(cwd=tmp_path, NOTION_TOKEN=token)

    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "NOTION_TOKEN" in lines[0], done.stderr
    assert "Traceback" not in done.stderr
    for secret in (token, token[-20:]):
        assert secret not in done.stderr and secret not in done.stdout


def test_a_token_in_a_dotenv_file_is_used_and_never_echoed(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("NOTION_TOKEN=ntn_badshape!\n")
    done = run_cli(cwd=tmp_path)

    assert done.returncode == 2
    assert "does not look like a Notion integration token" in done.stderr
    assert "badshape" not in done.stderr + done.stdout
