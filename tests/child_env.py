"""The environment of a child `python -m notion_mcp`: PATH, unbuffered output, and the source
tree the tests import (so a worktree's tests run the worktree's code, not another install)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import notion_mcp

SOURCE = str(Path(notion_mcp.__file__).resolve().parents[1])
BASE_ENV = {"PATH": os.environ.get("PATH", ""), "PYTHONUNBUFFERED": "1", "PYTHONPATH": SOURCE}


def start_sandbox_serve(cwd: Path) -> subprocess.Popen[str]:
    """`notion-mcp sandbox serve --port 0` as a child; its one stderr line says where it listens."""
    return subprocess.Popen(
        [sys.executable, "-m", "notion_mcp", "sandbox", "serve", "--port", "0"],
        env=BASE_ENV,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
