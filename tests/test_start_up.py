"""What a newcomer meets at start-up: settings checked before serving (one line, exit 2), the
banner's counts, `--sandbox auto` / `NOTION_MCP_SANDBOX=auto`, a missing --env-file, and Ctrl-C."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from child_env import BASE_ENV, start_sandbox_serve
from mcp import Client, StdioServerParameters
from sandbox_client import text_of

from notion_mcp.config import MEMORY, TOOL_NAMES, load_settings
from notion_mcp.errors import ConfigError
from notion_mcp.tools.legacy import LEGACY

NTN = "ntn_" + "a1B2" * 10


def run_cli(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """The CLI in `cwd` with only PATH and `env`; stdin closed, so a server that starts ends at once."""
    return subprocess.run(
        [sys.executable, "-m", "notion_mcp", *args],
        env={**BASE_ENV, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=30,
        stdin=subprocess.DEVNULL,
    )


def one_line_exit_2(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr and "serving" not in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    return done.stderr.strip()


def banner(done: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in done.stderr.splitlines() if "serving" in line]
    assert len(lines) == 1, done.stderr
    return lines[0]


def test_the_token_message_states_the_rule_it_checks() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"NOTION_TOKEN": "ntn_" + "a" * 19})
    assert "at least 20 letters and digits" in str(caught.value)
    assert load_settings({"NOTION_TOKEN": "ntn_" + "a" * 20}).token == "ntn_" + "a" * 20


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("NOTION_VERSION", "latest"),
        ("NOTION_VERSION", "2026-3-11"),
        ("NOTION_BASE_URL", "api.notion.com"),
        ("NOTION_BASE_URL", "ftp://api.notion.com"),
        ("NOTION_BASE_URL", "http://"),
        ("NOTION_BASE_URL", "http://127.0.0.1:port"),
        ("NOTION_MCP_TOOLS", ""),
        ("NOTION_MCP_TOOLS", ",,"),
    ],
)
def test_a_bad_version_base_url_or_empty_tool_list_is_refused_naming_it(variable: str, value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"NOTION_TOKEN": NTN, variable: value})
    assert str(caught.value).startswith(f"{variable}={value!r} is not valid")


def test_a_bad_version_stops_start_up_in_one_line_before_serving(tmp_path: Path) -> None:
    line = one_line_exit_2(run_cli("--sandbox", cwd=tmp_path, NOTION_VERSION="latest"))
    assert "NOTION_VERSION='latest' is not valid" in line and "2026-03-11" in line


def test_an_empty_tool_flag_is_refused_like_the_variable(tmp_path: Path) -> None:
    line = one_line_exit_2(run_cli("--sandbox", "--tools", ",", cwd=tmp_path))
    assert "--tools=',' is not valid" in line and "notion_search" in line


@pytest.mark.parametrize(
    "given",
    [
        "http://127.0.0.1:8765/v1/",
        "http://127.0.0.1:8765/v1",
        "http://127.0.0.1:8765/",
        "http://127.0.0.1:8765",
    ],
)
def test_a_base_url_with_or_without_v1_means_the_same_server(given: str) -> None:
    settings = load_settings({"NOTION_TOKEN": NTN, "NOTION_BASE_URL": given})
    assert settings.base_url == "http://127.0.0.1:8765"


def test_a_missing_env_file_is_an_error_not_silence(tmp_path: Path) -> None:
    line = one_line_exit_2(run_cli("--sandbox", "--env-file", "nowhere.env", cwd=tmp_path))
    assert "nowhere.env" in line and "no such file" in line


def test_an_env_file_that_exists_is_read(tmp_path: Path) -> None:
    (tmp_path / "team.env").write_text("NOTION_MCP_TOOLS=notion_search\n")
    done = run_cli("--sandbox", "--env-file", "team.env", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "serving 1 tool " in banner(done)


@pytest.mark.parametrize("how", ["variable", "flag"])
def test_sandbox_auto_means_the_sandbox_without_a_token_and_never_a_file_named_auto(
    tmp_path: Path, how: str
) -> None:
    args, env = (("--sandbox", "auto"), {}) if how == "flag" else ((), {"NOTION_MCP_SANDBOX": "auto"})
    done = run_cli(*args, cwd=tmp_path, **env)

    assert done.returncode == 0, done.stderr
    assert "sandbox workspace (in memory" in banner(done)
    assert list(tmp_path.iterdir()) == []
    assert load_settings({"NOTION_MCP_SANDBOX": "auto"}).sandbox == MEMORY
    assert load_settings({"NOTION_MCP_SANDBOX": "AUTO", "NOTION_TOKEN": NTN}).sandbox is None


@pytest.mark.parametrize(
    ("args", "said"),
    [
        ((), f"serving {len(TOOL_NAMES)} tools over stdio"),
        (("--tools", "notion_search"), "serving 1 tool over stdio"),
        (("--tools", "notion_search,notion_pages", "--read-only"), "serving 2 tools (read-only) over"),
    ],
)
def test_the_banner_counts_the_tools_registered(tmp_path: Path, args: tuple[str, ...], said: str) -> None:
    assert said in banner(run_cli("--sandbox", *args, cwd=tmp_path))


@pytest.mark.anyio
async def test_the_banner_counts_legacy_aliases_as_the_client_sees_them(tmp_path: Path) -> None:
    env = {**BASE_ENV, "NOTION_MCP_LEGACY_TOOLS": "true"}
    line = banner(run_cli("--sandbox", cwd=tmp_path, NOTION_MCP_LEGACY_TOOLS="true"))
    params = StdioServerParameters(command=sys.executable, args=["-m", "notion_mcp", "--sandbox"], env=env)
    async with Client(params) as client:  # type: ignore[arg-type]
        listed = len((await client.list_tools()).tools)

    assert listed == len(TOOL_NAMES) + len(LEGACY)
    assert f"serving {listed} tools ({len(TOOL_NAMES)} + {len(LEGACY)} legacy aliases)" in line


@pytest.mark.parametrize(
    "command",
    [["--sandbox"], ["sandbox", "serve", "--port", "0"], ["serve", "--http", "--port", "0", "--sandbox"]],
)
def test_ctrl_c_ends_quietly(tmp_path: Path, command: list[str]) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "notion_mcp", *command],
        env=BASE_ENV,
        cwd=tmp_path,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        first = process.stderr.readline()  # the banner: the server is up
        assert "serving" in first, first
        process.send_signal(signal.SIGINT)
        _, rest = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()

    # 130, or ended by SIGINT itself (-2 here; rarely, under load, the interpreter ends that way):
    # a shell sees 130 both times, the code for Ctrl-C. Quietly: nothing on stderr after the banner.
    assert process.returncode in (130, -signal.SIGINT)
    assert rest.strip() == "", rest


@pytest.mark.anyio
async def test_the_url_sandbox_serve_prints_works_as_base_url(tmp_path: Path) -> None:
    sandbox = start_sandbox_serve(tmp_path)
    try:
        assert sandbox.stderr is not None
        found = re.search(r"http://\S+/v1/", sandbox.stderr.readline())
        assert found
        params = StdioServerParameters(
            command=sys.executable,
            args=["-m", "notion_mcp", "--base-url", found.group(0)],
            env={**BASE_ENV, "NOTION_TOKEN": NTN},
            cwd=tmp_path,
        )
        async with Client(params) as client:  # type: ignore[arg-type]
            me = await client.call_tool("notion_users", {"operation": "retrieve_bot"})
    finally:
        sandbox.terminate()
        sandbox.communicate(timeout=20)

    assert not me.is_error, text_of(me)
    assert "Connected as" in text_of(me)


def test_host_and_port_without_http_are_refused_in_one_line(tmp_path: Path) -> None:
    line = one_line_exit_2(run_cli("serve", "--sandbox", "--port", "9000", cwd=tmp_path))
    assert "--http" in line
