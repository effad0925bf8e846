"""Shared fixtures: anyio on asyncio, and paths to the copied recordings."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
RECORDINGS = FIXTURES / "recordings"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
