"""One token bucket shared by every request this process makes.

Notion allows an average of `rate` requests per second with short bursts. Every call takes a
token first; when Notion answers 429 anyway (another client on the same integration, the
workspace limit), `pause()` empties the bucket and holds *all* callers until Retry-After has
passed, so concurrent calls wait together instead of stampeding.

Notion counts a request when it arrives, not when a token was taken here, and the time between
the two varies (building the request, the network). Running at exactly Notion's rate and burst,
a request that travels faster than the one before it can arrive a little early and be refused.
`margin` (seconds) keeps that much refill in hand: a token is taken only while ``1 + margin *
rate`` are there (at most ``burst``), so a request may arrive up to `margin` early and still find
one. The spacing at the rate is unchanged; the cost is `margin` once per run of waiting.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

Clock = Callable[[], float]
DEFAULT_MARGIN = 0.05  # seconds: how far out of step our requests may reach Notion (see above)
_EPSILON = 1e-9
Sleep = Callable[[float], Awaitable[None]]


class TokenBucket:
    def __init__(
        self,
        rate: float | None,
        burst: int = 1,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        margin: float = 0.0,
    ) -> None:
        self.rate = rate if (rate or 0) > 0 else None
        self.burst = max(1, burst)
        self.margin = max(0.0, margin)
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(self.burst)
        self._stamp = clock()
        self._paused_until = 0.0
        self._lock = asyncio.Lock()

    def _refill(self, now: float) -> None:
        assert self.rate is not None
        self._tokens = min(float(self.burst), self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    def _delay(self, now: float) -> float:
        """Seconds to wait before a token can be taken (0 when one is there)."""
        if now < self._paused_until:
            return self._paused_until - now
        if self.rate is None:
            return 0.0
        self._refill(now)
        keep = min(self.margin * self.rate, self.burst - 1.0)  # tokens held back (see above)
        missing = 1 + keep - self._tokens
        # Within float error of a whole token counts as one (a clock can't advance by 1e-17).
        return 0.0 if missing <= _EPSILON else missing / self.rate

    async def acquire(self) -> None:
        """Wait for a token. Callers are served one at a time, in arrival order."""
        async with self._lock:
            while (delay := self._delay(self._clock())) > 0:
                await self._sleep(delay)
            if self.rate is not None:
                self._tokens -= 1

    def pause(self, seconds: float) -> None:
        """Hold every caller for `seconds` from now (a 429's Retry-After)."""
        now = self._clock()
        self._paused_until = max(self._paused_until, now + seconds)
        self._tokens = 0.0
        self._stamp = max(self._stamp, self._paused_until)
