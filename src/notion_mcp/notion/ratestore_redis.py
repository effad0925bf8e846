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

from notion_mcp.notion.ratestore import MemoryStore

T = TypeVar("T")
Json = dict[str, Any]
log = logging.getLogger("notion_mcp.ratestore")
KEY_TTL = 86_400  # seconds


class RedisStore:
    def __init__(self, url: str, key: str) -> None:
        self.client: aioredis.Redis = aioredis.from_url(url)
        self.key = f"notion-mcp:ratelimit:{key}"
        self._local = MemoryStore()
        self._warned = False

    async def _update(self, change: Callable[[Json], T]) -> T:
        async with self.client.pipeline(transaction=True) as pipe:
            while True:
                try:
                    await pipe.watch(self.key)
                    text = await pipe.get(self.key)
                    try:
                        raw = json.loads(text) if text else {}
                    except ValueError:
                        raw = {}
                    if not isinstance(raw, dict):  # damaged or not our state: start afresh (written back)
                        raw = {}
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
            if not self._warned:
                log.warning("rate-limit store unreachable (%s); limiting this process alone", exc)
                self._warned = True
            return await self._local.update(change)
        self._warned = False
        return result

    async def aclose(self) -> None:
        await self.client.aclose()
