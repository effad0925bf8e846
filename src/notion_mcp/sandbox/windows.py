"""Notion's window model of rate limits, simulated when asked (off by default: local speed).

What Notion's request-limits reference describes, and what is simulated:
- per connection (here: per bearer token), a budget of requests per window (60 s at Notion)
  that may be spent at any pace; the window opens with the first request after the last one
  closed; past the budget, 429 `rate_limited` with `Retry-After` = the whole seconds until the
  window resets (so at most the window) and `additional_data.rate_limit_reason`
  `public_api_request_rate_limit`;
- per workspace, a budget shared by every token, answered the same way with
  `public_api_space_request_rate_limit` (its window may be longer than a minute).
Not said by the reference, chosen here: a refused request does not spend budget (a client that
retries too early is refused again, not punished for ever), and a request refused by the
workspace limit spends nothing of its connection's budget.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

CONNECTION_REASON = "public_api_request_rate_limit"
WORKSPACE_REASON = "public_api_space_request_rate_limit"
WORKSPACE = "workspace"


@dataclass
class FixedWindow:
    """`budget` requests per `seconds`, counted per key; a window opens at a key's first request."""

    budget: int
    seconds: float
    reason: str
    opened: dict[str, float] = field(default_factory=dict)
    used: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.budget < 1 or self.seconds <= 0:
            raise ValueError("a window needs a budget ≥ 1 and a length > 0 seconds")

    def retry_after(self, key: str, now: float) -> int | None:
        """None when a request of `key` fits now, else the whole seconds until its window resets."""
        opened = self.opened.get(key)
        if opened is None or now >= opened + self.seconds:
            self.opened[key], self.used[key] = now, 0
            return None
        if self.used[key] < self.budget:
            return None
        return max(1, math.ceil(opened + self.seconds - now))

    def spend(self, key: str) -> None:
        self.used[key] = self.used.get(key, 0) + 1


@dataclass
class WindowLimits:
    """The connection and workspace limits together (either may be None: not simulated)."""

    connection: FixedWindow | None
    workspace: FixedWindow | None
    clock: Callable[[], float]
    refused: int = 0

    def take(self, token: str) -> tuple[int, str] | None:
        """None when the request may pass (it is counted), else (Retry-After, reason)."""
        now = self.clock()
        for limit, key in ((self.connection, token), (self.workspace, WORKSPACE)):
            if limit is not None and (wait := limit.retry_after(key, now)) is not None:
                self.refused += 1
                return wait, limit.reason
        for limit, key in ((self.connection, token), (self.workspace, WORKSPACE)):
            if limit is not None:
                limit.spend(key)
        return None


def window_limits(
    clock: Callable[[], float],
    budget: int | None = None,
    seconds: float = 60.0,
    workspace_budget: int | None = None,
    workspace_seconds: float = 60.0,
) -> WindowLimits | None:
    """The limits asked for, or None when neither budget is given."""
    if budget is None and workspace_budget is None:
        return None
    connection = FixedWindow(budget, seconds, CONNECTION_REASON) if budget is not None else None
    workspace = (
        FixedWindow(workspace_budget, workspace_seconds, WORKSPACE_REASON)
        if workspace_budget is not None
        else None
    )
    return WindowLimits(connection, workspace, clock)
