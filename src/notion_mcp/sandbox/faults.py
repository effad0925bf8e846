"""Misbehaviour on request: a token-bucket rate limit and injected faults by endpoint and count."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

FAULT_KINDS = {
    "internal_server_error": 500,
    "service_unavailable": 503,
    "gateway_timeout": 504,
    "service_overload": 529,
    "rate_limited": 429,
    "bad_gateway_html": 502,
    "garbled_200": 200,
    "misshaped_200": 200,
    "drop": 0,
    "slow": 0,
}
ALIASES = {
    "500": "internal_server_error",
    "503": "service_unavailable",
    "504": "gateway_timeout",
    "529": "service_overload",
    "429": "rate_limited",
    "502": "bad_gateway_html",
    "html_502": "bad_gateway_html",
    "disconnect": "drop",
}


@dataclass
class Fault:
    """One planned fault: after ``after`` matching requests pass, the next ``count`` misbehave."""

    method: str
    path_template: str
    kind: str
    count: int = 1
    after: int = 0
    when: str = "before"
    delay: float = 30.0
    retry_after: int = 1
    seen: int = 0
    fired: int = 0

    def matches(self, method: str, template: str) -> bool:
        return self.method in ("*", method) and self.path_template in ("*", template)

    @property
    def exhausted(self) -> bool:
        return self.fired >= self.count


class Faults:
    """The fault plan of one sandbox. ``add`` returns the :class:`Fault` so tests can inspect it."""

    def __init__(self) -> None:
        self.planned: list[Fault] = []

    def add(
        self,
        method: str,
        path_template: str,
        kind: str,
        *,
        count: int = 1,
        after: int = 0,
        when: str = "before",
        delay: float = 30.0,
        retry_after: int = 1,
    ) -> Fault:
        kind = ALIASES.get(kind, kind)
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; valid: {sorted(FAULT_KINDS)}")
        if when not in ("before", "after"):
            raise ValueError("when must be 'before' or 'after'")
        fault = Fault(method.upper(), path_template, kind, count, after, when, delay, max(1, retry_after))
        self.planned.append(fault)
        return fault

    def take(self, method: str, template: str) -> Fault | None:
        """The fault this request meets, if any (consumes one firing)."""
        for fault in self.planned:
            if fault.exhausted or not fault.matches(method, template):
                continue
            fault.seen += 1
            if fault.seen > fault.after:
                fault.fired += 1
                return fault
        return None

    def clear(self) -> None:
        self.planned.clear()


class TokenBucket:
    """``rate`` requests per second on average, bursts of ``burst``; time from an injectable clock."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float]) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be > 0 and burst >= 1")
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self.tokens = float(burst)
        self.last = clock()

    def take(self) -> int | None:
        """None when the request may pass, else the whole seconds to wait (at least 1)."""
        now = self.clock()
        self.tokens = min(float(self.burst), self.tokens + (now - self.last) * self.rate)
        self.last = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return None
        return max(1, math.ceil((1.0 - self.tokens) / self.rate))
