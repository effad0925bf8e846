"""The window in Redis, so processes on several machines (or HTTP workers) share one budget.

One key per token (`notion-mcp:ratelimit:<hash>`), changed with WATCH/MULTI: read, change,
write only if nobody wrote in between, else again. The key expires a day after its last change.
When Redis cannot be reached the limiter does not stop the server: it logs a warning once and
keeps the window in this process until Redis answers again (the budget is then per process).
Clocks: the state holds wall-clock times, so the machines sharing it should keep their clocks
in step (NTP); a skew of a second costs at most a second of budget.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import redis.asyncio as aioredis
from redis.exceptions import RedisError, WatchError

from notion_mcp.notion.ratestore import MemoryStore, state_of

T = TypeVar("T")
Json = dict[str, Any]
log = logging.getLogger("notion_mcp.ratestore")
KEY_TTL = 86_400  # seconds


class RedisStore:
    def __init__(self, url: str, key: str) -> None:
        self.client: aioredis.Redis = aioredis.from_url(url)
        self.key = f"notion-mcp:ratelimit:{key}"
        self._local = MemoryStore()
        self._outage: Exception | None = None  # what made Redis unreachable, until it answers again

    async def _update(self, change: Callable[[Json], T]) -> T:
        async with self.client.pipeline() as pipe:  # a transaction (MULTI) once `multi` is called
            while True:
                try:
                    await pipe.watch(self.key)
                    raw = state_of(await pipe.get(self.key))  # damaged or not ours: afresh
                    result = change(raw)
                    pipe.multi()  # type: ignore[no-untyped-call]
                    pipe.set(self.key, json.dumps(raw, separators=(",", ":")), ex=KEY_TTL)
                    await pipe.execute()
                    return result
                except WatchError:
                    continue  # another process changed it first: read it again

    async def update(self, change: Callable[[Json], T]) -> T:
        try:
            result = await self._update(change)
        except (RedisError, OSError) as exc:
            if self._outage is None:  # said once per outage
                log.warning("rate-limit store unreachable (%s); limiting this process alone", exc)
            self._outage = exc
            return await self._local.update(change)
        self._outage = None
        return result

    async def aclose(self) -> None:
        await self.client.aclose()
