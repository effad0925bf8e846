"""The environment of a child `python -m notion_mcp`: PATH, unbuffered output, and the source
tree the tests import (so a worktree's tests run the worktree's code, not another install)."""

from __future__ import annotations

import os
from pathlib import Path

import notion_mcp

SOURCE = str(Path(notion_mcp.__file__).resolve().parents[1])
BASE_ENV = {"PATH": os.environ.get("PATH", ""), "PYTHONUNBUFFERED": "1", "PYTHONPATH": SOURCE}
