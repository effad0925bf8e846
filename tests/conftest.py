"""Shared fixtures: anyio on asyncio, and paths to the copied recordings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis.database import DirectoryBasedExampleDatabase

# In CI (.ci/run sets CI), property tests run the same examples every time and remember nothing:
# a red run is reproducible and one rare failure cannot follow every later run. Locally they
# explore new examples on each run and remember failures outside the working tree (a user cache,
# or HYPOTHESIS_DATABASE_DIR), so no .hypothesis/ is written into the checkout.
_LOCAL_DB = Path(
    os.environ.get("HYPOTHESIS_DATABASE_DIR")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "notion-mcp" / "hypothesis"
)
settings.register_profile("ci", derandomize=True, database=None)
settings.register_profile("local", database=DirectoryBasedExampleDatabase(_LOCAL_DB))
settings.load_profile("ci" if os.environ.get("CI") else "local")

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
