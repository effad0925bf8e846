"""Docs a newcomer copies from: the docs/sandbox.md snippet runs as printed, and the README
names the Python that pyproject.toml requires."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


def test_the_sandbox_snippet_runs_as_printed(capsys: pytest.CaptureFixture[str]) -> None:
    text = (ROOT / "docs" / "sandbox.md").read_text()
    snippet = re.search(r"```python\n(.*?)```", text, flags=re.S)
    assert snippet, "docs/sandbox.md has no python snippet"

    exec(compile(snippet.group(1), "docs/sandbox.md", "exec"), {"__name__": "__main__"})

    assert capsys.readouterr().out.strip() == "Welcome to the sandbox"


def test_the_readme_names_the_python_pyproject_requires() -> None:
    required = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    version = required.removeprefix(">=")
    assert f"Python ≥ {version}" in (ROOT / "README.md").read_text()
