"""When to repeat a request, and how long to wait first.

Decided by small named predicates over our own error tree (see `notion_mcp.errors`):
- a rate limit (429) or overload (529) is retried on any method, after Retry-After, for as long
  as the wait budget lasts (not a count: when many calls share one budget, some are refused
  several times before their turn comes, and counting refusals failed them after a few seconds
  of a 30-second budget);
- a transient fault (5xx, timeout, dropped connection) is retried only when repeating the
  request cannot duplicate its effect (`safe_to_repeat`), or when it surely never left;
- everything else (400, 401, 403, 404, 409) is never retried.
Waits back off exponentially with jitter, capped; the whole call never waits more than
`max_wait` seconds in total: a longer Retry-After is handed back to the model instead. Other
faults are retried at most `max_retries` times.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from tenacity import AsyncRetrying, RetryCallState

from notion_mcp.errors import RateLimitedError, TransientError

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]


def is_rate_limit(exc: BaseException | None) -> bool:
    return isinstance(exc, RateLimitedError)


def is_safe_transient(exc: BaseException | None, safe_to_repeat: bool) -> bool:
    return isinstance(exc, TransientError) and (safe_to_repeat or not exc.sent)


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 4
    max_wait: float = 30.0
    base_delay: float = 0.5
    max_delay: float = 8.0
    jitter: Callable[[], float] = field(default=random.random, compare=False)
    sleep: Sleep = field(default=asyncio.sleep, compare=False)

    def can_retry(self, exc: BaseException | None, safe_to_repeat: bool) -> bool:
        return is_rate_limit(exc) or is_safe_transient(exc, safe_to_repeat)

    def retry_delay(self, exc: BaseException | None, attempt: int) -> float:
        """Retry-After when Notion gave one, else capped exponential back-off with jitter."""
        if isinstance(exc, RateLimitedError | TransientError) and exc.retry_after is not None:
            return max(0.0, float(exc.retry_after))
        backoff: float = min(self.max_delay, self.base_delay * 2.0 ** (attempt - 1))
        return backoff / 2 + backoff / 2 * self.jitter()

    async def run(self, attempt: Callable[[], Awaitable[T]], *, safe_to_repeat: bool) -> T:
        """Call `attempt` until it succeeds or this policy gives up (then its error is raised)."""

        def should_retry(state: RetryCallState) -> bool:
            exc = state.outcome.exception() if state.outcome else None
            return self.can_retry(exc, safe_to_repeat)

        def wait(state: RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            return self.retry_delay(exc, state.attempt_number)

        faults = 0  # failures other than rate limits: those the count bounds

        async def counted() -> T:
            nonlocal faults
            try:
                return await attempt()
            except Exception as exc:
                faults += 0 if is_rate_limit(exc) else 1
                raise

        def should_stop(state: RetryCallState) -> bool:
            over_count = faults > self.max_retries
            over_time = state.idle_for + (state.upcoming_sleep or 0.0) > self.max_wait
            return over_count or over_time

        retrying = AsyncRetrying(
            retry=should_retry, wait=wait, stop=should_stop, sleep=self.sleep, reraise=True
        )
        return await retrying(counted)
