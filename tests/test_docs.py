"""Docs that cannot rot: the tool reference and the configuration table match the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from mcp import Client

from notion_mcp.config import FIELDS, Settings
from notion_mcp.server import SPECS, build_server
from notion_mcp.tools.reference import render

ROOT = Path(__file__).parent.parent


def test_docs_tools_md_is_what_the_server_advertises() -> None:
    expected = render(list(SPECS.values()), Settings(token=None, sandbox=":memory:"))
    assert (ROOT / "docs" / "tools.md").read_text() == expected, (
        "docs/tools.md is stale: run python -m notion_mcp.tools.reference > docs/tools.md"
    )


@pytest.mark.anyio
async def test_the_reference_is_built_from_the_same_schemas_list_tools_returns() -> None:
    async with Client(build_server(Settings(token=None, sandbox=":memory:"))) as client:
        tools = (await client.list_tools()).tools
    text = (ROOT / "docs" / "tools.md").read_text()
    for tool in tools:
        assert f"## {tool.name} " in text
        for field in tool.input_schema["properties"]:
            if field != "operation":
                assert f"| `{field}` |" in text


def test_every_setting_is_documented_in_configuration_md() -> None:
    text = (ROOT / "docs" / "configuration.md").read_text()
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", text, flags=re.M))
    assert documented == {variable for variable, _, _ in FIELDS.values()}


def test_the_readme_starts_with_the_two_commands_and_ci_runs_the_test_command() -> None:
    readme = (ROOT / "README.md").read_text().splitlines()
    commands = [line.strip() for line in readme[:20] if line.strip().startswith("pip install")]
    assert len(commands) == 2, commands
    ci = (ROOT / ".ci" / "run").read_text()
    assert commands[1] in ci
