"""Shared fixtures: anyio on asyncio, and paths to the copied recordings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# In CI, property tests run the same examples every time (a red CI run is reproducible); locally
# they explore new examples on each run and remember failures in .hypothesis/.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

FIXTURES = Path(__file__).parent / "fixtures"
RECORDINGS = FIXTURES / "recordings"


@pytest.fixture(autouse=True, scope="session")
def private_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The rate-limit store (a file in the user's cache directory) of every server the tests
    start, in process or not, goes to a directory of this run, never the user's."""
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
