"""What this process asked of Notion: requests by endpoint, retries, rate limits, waits, latency.

Rule: the gateway reports every attempt it sends (`sent`) and, once per call, the time the call
spent not talking to Notion (`waited`: the token bucket, a 429's pause, retry back-off). Nothing
else records, so the counts are exactly the requests Notion saw from us. Why: a person running
an export or a sync needs to know what it cost against the rate limit (3 requests/s), and the
`notion://server/usage` resource shows the same figures for a server that has been running.
Latencies are kept for the most recent `window` requests only (percentiles stay cheap and the
memory bounded on long runs); the counts are totals.
"""

from __future__ import annotations

import math
import re
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field

_ID = re.compile(r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}")
RATE_LIMITED = frozenset({429, 529})


def endpoint_of(method: str, path: str) -> str:
    """`GET blocks/{id}/children` for `GET blocks/<uuid>/children`: one line per endpoint."""
    return f"{method} {_ID.sub('{id}', path.split('?', 1)[0])}"


@dataclass
class Usage:
    clock: Callable[[], float] = time.perf_counter
    window: int = 10_000
    by_endpoint: Counter[str] = field(default_factory=Counter)
    by_status: Counter[int] = field(default_factory=Counter)
    retries: int = 0
    rate_limited: int = 0
    waited: float = 0.0
    latencies: deque[float] = field(default_factory=deque)

    @property
    def requests(self) -> int:
        return sum(self.by_endpoint.values())

    def sent(self, method: str, path: str, status: int, seconds: float, *, retry: bool) -> None:
        """One attempt: its endpoint, Notion's status (0: no answer) and round-trip time."""
        self.by_endpoint[endpoint_of(method, path)] += 1
        self.by_status[status] += 1
        self.retries += retry
        self.rate_limited += status in RATE_LIMITED
        self.latencies.append(seconds)
        while len(self.latencies) > self.window:
            self.latencies.popleft()

    def wait(self, seconds: float) -> None:
        self.waited += max(0.0, seconds)

    def percentile(self, p: float) -> float | None:
        """The `p`-th percentile (0–100, nearest rank) of recent latencies, in seconds."""
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        rank = max(1, min(len(ordered), math.ceil(p / 100 * len(ordered))))
        return ordered[rank - 1]

    def snapshot(self) -> Usage:
        """A copy whose later changes do not show here (to subtract: `since`)."""
        return Usage(
            self.clock,
            self.window,
            Counter(self.by_endpoint),
            Counter(self.by_status),
            self.retries,
            self.rate_limited,
            self.waited,
            deque(self.latencies),
        )

    def since(self, before: Usage) -> Usage:
        """What happened after `before` (a snapshot of this object)."""
        kept = len(self.latencies) - len(before.latencies)
        recent = list(self.latencies)[-kept:] if kept > 0 else []
        return Usage(
            self.clock,
            self.window,
            self.by_endpoint - before.by_endpoint,
            self.by_status - before.by_status,
            self.retries - before.retries,
            self.rate_limited - before.rate_limited,
            self.waited - before.waited,
            deque(recent),
        )

    def summary(self) -> str:
        """One line: `12 requests (1 retry, 1 rate-limited), 2.0 s waiting; latency p50 …`."""
        ms = {p: self.percentile(p) for p in (50, 95, 99)}
        latency = (
            "latency " + ", ".join(f"p{p} {v * 1000:.0f} ms" for p, v in ms.items() if v is not None)
            if self.latencies
            else "no latency yet"
        )
        retries = f"{self.retries} retr{'y' if self.retries == 1 else 'ies'}"
        return (
            f"{self.requests} request{'s' * (self.requests != 1)} ({retries}, "
            f"{self.rate_limited} rate-limited), {self.waited:.1f} s waiting; {latency}"
        )

    def to_markdown(self) -> str:
        lines = ["# Notion API usage", "", self.summary(), "", "| endpoint | requests |", "| --- | --- |"]
        lines += [f"| {name} | {count} |" for name, count in sorted(self.by_endpoint.items())]
        statuses = ", ".join(f"{s or 'no answer'}: {n}" for s, n in sorted(self.by_status.items()))
        lines += ["", f"Answers by status: {statuses or 'none yet'}"]
        return "\n".join(lines) + "\n"
