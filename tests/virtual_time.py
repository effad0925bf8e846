"""Clocks for limiter tests: time moves only when something sleeps (no real waiting)."""

from __future__ import annotations

import asyncio
import heapq
import itertools


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


class SettledTime:
    """Time moves only when nothing else can run: a sleeper wakes at its own time, earliest first,
    once every other task is waiting. Work between waits (a request through the in-process
    sandbox, building a body) then takes no time at all, so what the sandbox sees is what the
    limiter decided, to the instant, on every run."""

    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._driver: asyncio.Task[None] | None = None

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        woken: asyncio.Future[None] = loop.create_future()
        heapq.heappush(self._sleepers, (self.now + max(0.0, seconds), next(self._order), woken))
        if self._driver is None or self._driver.done():
            self._driver = loop.create_task(self._drive())
        await woken

    async def _drive(self) -> None:
        while self._sleepers:
            await _settled()
            at, _, woken = heapq.heappop(self._sleepers)
            self.now = max(self.now, at)
            if not woken.done():  # (a cancelled sleeper is skipped)
                woken.set_result(None)


async def _settled() -> None:
    """Return once no other task can run (asyncio has no public way to ask: its ready queue)."""
    loop = asyncio.get_running_loop()
    await asyncio.sleep(0)
    while loop._ready:  # type: ignore[attr-defined]
        await asyncio.sleep(0)
