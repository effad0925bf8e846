"""A clock for limiter tests: time moves only when something sleeps (no real waiting)."""

from __future__ import annotations

import asyncio


class VirtualTime:
    """Time moves only when something sleeps; sleepers that started together wake together."""

    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        target = self.now + max(0.0, seconds)
        await asyncio.sleep(0)
        self.now = max(self.now, target)
