"""Shared fixtures: anyio on asyncio, paths to the copied recordings, a private redis-server."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
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


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A redis-server of this test alone, on a unix socket (skips when it is not installed)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (.ci/run installs it: apt-get install redis-server)")
    sock = tmp_path / "redis.sock"
    server = subprocess.Popen(
        [binary, "--port", "0", "--unixsocket", str(sock), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while not sock.exists():  # waits for the server to start, not for anything under test
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail("redis-server did not start")
            time.sleep(0.02)
        yield f"unix://{sock}"
    finally:
        server.terminate()
        server.wait(timeout=10)
