"""The window limiter: Notion's request budget per window, spent at any pace, one per token.

The rule. Notion gives each connection a budget of requests per 60-second window that may be
spent at any pace, "spread out evenly or in a single burst"; past it, a 429 whose Retry-After is
the time until the window resets (at most 60 s). A separate per-workspace limit, shared by all
of the workspace's connections, answers the same 429 with another
`additional_data.rate_limit_reason`. So, for every request:

- it is sent at once while fewer than `budget` requests were taken in the last `window` seconds
  (a sliding window: no placement of Notion's own windows can then see more than `budget`);
  otherwise it waits until the oldest of them leaves the window;
- the count lives in a `RateStore` keyed by the token, so every process (and, with Redis, every
  machine) using one token spends one budget;
- a 429 holds every caller of every process until its Retry-After;
- a 429 whose reason names one of Notion's limits (`REASONS`) teaches the budget: the requests
  Notion answered (not 429) in the window it says ends at now + Retry-After (from a second
  earlier: Retry-After is rounded to whole seconds), counting those still in flight as they are
  answered. A refused request is not counted as spent. For the
  per-connection limit that window is known to restart then, so the count restarts with it.
  What was learned expires after `LEARNED_TTL` seconds (the plan may change; a workspace limit
  may have been spent by other connections), so an underestimate does not slow us for ever.
  A reason we do not know (Notion says others can appear) only holds.
- while the budget is only our default guess, requests beyond the most Notion has been seen to
  answer in one window (`known`, at least `PROBE_FLOOR`) go one at a time per process: when the
  guess is too high, each process then meets at most one 429 before the budget is learned. A
  budget the user set is trusted, and no budget at all (0) means no probing either.
- a 429 for a request taken before the last lesson (in flight while it was learned) holds but
  teaches nothing more.

Why: pacing at an average rate (the old 3 requests/s) made every interactive call wait for
requests Notion would have accepted at once (3.7 s to read the demo's welcome page, 25 ms
unpaced), and a limiter per process let several processes on one token overrun Notion together.
Counting a sliding window in slots of `window / SLOTS` seconds keeps the shared state small;
a request counts until its whole slot has left the window, and `MARGIN` longer: Notion counts a
request when it arrives, and the next one may travel faster than the one it replaces (without
the margin, a bench of three processes met a 429 or two in every later window).
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]
Json = dict[str, Any]

SLOTS = 60  # a window is counted in this many slots
LEARNED_TTL = 3600.0  # seconds a learned budget holds
RETRY_AFTER_GRAIN = 1.0  # Retry-After comes in whole seconds
PROBE_FLOOR = 10  # requests per window sent together before probing one at a time
MARGIN = 0.5  # seconds a request counts beyond its window: it reaches Notion after we count it
# Notion's rate_limit_reason values -> which limit was hit (the request-limits reference)
REASONS: dict[str | None, str] = {
    "public_api_request_rate_limit": "connection",
    "public_api_space_request_rate_limit": "workspace",
}


class RateStore(Protocol):
    """Where the window's state lives: `update` runs `change` on it atomically (it may run
    `change` again on a fresh copy when another process got there first, so `change` must
    depend only on the state it is given)."""

    async def update(self, change: Callable[[Json], T]) -> T: ...

    async def aclose(self) -> None: ...


Ticket = tuple[int, int]  # (epoch, slot) of one request taken
PROBE = -1.0  # what `take` answers when the request would be a second probe of this process


@dataclass
class WindowState:
    """The shared state: requests taken and answered per slot, the hold, what was learned."""

    slots: dict[int, int] = field(default_factory=dict)  # taken (in flight or answered)
    answered: dict[int, int] = field(default_factory=dict)  # of those, answered without a 429
    hold_until: float = 0.0
    epoch: int = 0
    learned: dict[str, tuple[int, float]] = field(default_factory=dict)
    lesson: tuple[int, str, float] | None = None  # (epoch, limit, when) of the last lesson
    known: int = 0  # the most requests Notion has answered within one window

    @classmethod
    def load(cls, raw: Json) -> WindowState:
        try:
            lesson = raw.get("lesson")
            return cls(
                slots={int(k): int(v) for k, v in dict(raw.get("slots") or {}).items()},
                answered={int(k): int(v) for k, v in dict(raw.get("answered") or {}).items()},
                hold_until=float(raw.get("hold_until") or 0.0),
                epoch=int(raw.get("epoch") or 0),
                learned={str(k): (int(v[0]), float(v[1])) for k, v in dict(raw.get("learned") or {}).items()},
                lesson=(int(lesson[0]), str(lesson[1]), float(lesson[2])) if lesson else None,
                known=int(raw.get("known") or 0),
            )
        except (TypeError, ValueError, IndexError, AttributeError, KeyError):
            return cls()  # a damaged state file starts afresh rather than stopping every call

    def dump(self) -> Json:
        return {
            "slots": {str(k): v for k, v in self.slots.items()},
            "answered": {str(k): v for k, v in self.answered.items()},
            "hold_until": self.hold_until,
            "epoch": self.epoch,
            "learned": {k: list(v) for k, v in self.learned.items()},
            "lesson": list(self.lesson) if self.lesson else None,
            "known": self.known,
        }


@dataclass(frozen=True)
class Window:
    """The arithmetic of one budget over one window length (pure: state and time are passed)."""

    budget: int | None  # None: no budget of our own (only what Notion teaches)
    seconds: float = 60.0
    margin: float = MARGIN
    trusted: bool = False  # the budget was given by the user, not our default guess

    @property
    def slot(self) -> float:
        return self.seconds / SLOTS

    def _prune(self, state: WindowState, now: float) -> None:
        def live(s: int) -> bool:
            return (s + 1) * self.slot + self.margin > now - self.seconds

        state.slots = {s: n for s, n in state.slots.items() if live(s)}
        state.answered = {s: n for s, n in state.answered.items() if live(s)}
        state.learned = {k: v for k, v in state.learned.items() if v[1] + LEARNED_TTL > now}

    def limit(self, state: WindowState) -> float:
        budgets = [float(b) for b, _ in state.learned.values()]
        if self.budget is not None:
            budgets.append(float(self.budget))
        return min(budgets, default=math.inf)

    def probing(self, state: WindowState, used: int) -> bool:
        """Whether one more request goes beyond what Notion is known to accept in a window."""
        guessed = self.budget is not None and not self.trusted
        return guessed and used >= max(state.known, PROBE_FLOOR)

    def take(self, state: WindowState, now: float, may_probe: bool) -> tuple[float, Ticket, bool]:
        """(delay, ticket, probing): `delay` is 0 when the request may go now (it is then counted),
        PROBE when it would probe and `may_probe` is False, else the seconds to wait; `probing`
        says whether one more request now goes beyond what Notion is known to accept."""
        ticket = (state.epoch, math.floor(now / self.slot))
        self._prune(state, now)
        used = sum(state.slots.values())
        probing = self.probing(state, used)
        if now < state.hold_until:
            return state.hold_until - now, ticket, probing
        limit = self.limit(state)
        if used >= limit:
            return self._until_under(state, now, used - int(limit) + 1), ticket, probing
        if probing and not may_probe:
            return PROBE, ticket, probing
        state.slots[ticket[1]] = state.slots.get(ticket[1], 0) + 1
        return 0.0, ticket, probing

    def _until_under(self, state: WindowState, now: float, excess: int) -> float:
        """Seconds until the oldest `excess` requests counted have left the window (the slots
        hold more than `excess`: the caller found them over the limit)."""
        for slot in sorted(state.slots):
            excess -= state.slots[slot]
            if excess <= 0:
                break
        leaves = (slot + 1) * self.slot + self.seconds + self.margin
        return max(leaves - now, 1e-3)

    def answer(self, state: WindowState, ticket: Ticket) -> None:
        """A request was answered (not 429): Notion counted it."""
        epoch, slot = ticket
        if epoch == state.epoch:
            state.answered[slot] = state.answered.get(slot, 0) + 1
            state.known = max(state.known, sum(state.answered.values()))
        elif state.lesson and state.lesson[0] == epoch:
            # in flight while the lesson was drawn: Notion counted it in the window that taught it
            _, kind, at = state.lesson
            budget, _ = state.learned.get(kind, (0, at))
            state.learned[kind] = (budget + 1, at)

    def refuse(
        self, state: WindowState, ticket: Ticket, now: float, retry_after: float, reason: str | None
    ) -> None:
        """A 429 answered the request of `ticket`: hold everyone, and learn when we can."""
        epoch, slot = ticket
        state.hold_until = max(state.hold_until, now + retry_after)
        if epoch != state.epoch:
            return  # taken before the last lesson: its window has restarted since
        if state.slots.get(slot, 0) > 0:
            state.slots[slot] -= 1  # refused requests are not spent
        kind = REASONS.get(reason)
        if kind is None or retry_after > self.seconds:
            return  # not a limit we know, or a window longer than ours: hold only
        self._prune(state, now)
        # Notion's window began `seconds` before it resets, give or take Retry-After's rounding to
        # whole seconds: count from a second earlier, or a burst that opened the window is missed
        opened = now + retry_after - self.seconds - RETRY_AFTER_GRAIN
        counted = sum(n for s, n in state.answered.items() if (s + 1) * self.slot > opened)
        if counted >= 1:
            state.learned[kind] = (counted, now)
        else:
            state.learned.pop(kind, None)  # the answers still in flight will say
        state.known = min(state.known, counted)
        state.lesson = (state.epoch, kind, now)
        if kind == "connection":
            state.slots, state.answered = {}, {}  # Notion's window restarts at `resets`
        state.epoch += 1


class WindowLimiter:
    """The window policy over a store: `acquire` before each request, then `answered` or
    `refused` with the ticket it gave, and `release` whatever happened."""

    def __init__(
        self,
        window: Window,
        store: RateStore,
        *,
        clock: Clock = time.time,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.window = window
        self.store = store
        self._clock = clock
        self._sleep = sleep
        self._lock = asyncio.Lock()  # this process's callers are served in arrival order
        self._probe: Ticket | None = None  # this process's request beyond what Notion is known to take
        self._probe_done = asyncio.Event()

    async def _change(self, step: Callable[[WindowState], T]) -> T:
        def change(raw: Json) -> T:
            state = WindowState.load(raw)
            result = step(state)
            raw.clear()
            raw.update(state.dump())
            return result

        return await self.store.update(change)

    async def acquire(self) -> Ticket:
        """Wait until a request may go. Beyond what Notion is known to accept in a window, this
        process sends one request at a time (a probe), so that when the budget turns out to be
        smaller than ours, at most one request per process is refused for it."""
        async with self._lock:
            while True:
                may_probe = self._probe is None
                step = partial(self.window.take, now=self._clock(), may_probe=may_probe)
                delay, ticket, probing = await self._change(step)
                if delay == PROBE:
                    if self._probe is not None:  # (it may have ended while the store answered)
                        self._probe_done.clear()
                        await self._probe_done.wait()
                    continue
                if delay <= 0:
                    if probing:
                        self._probe = ticket
                    return ticket
                await self._sleep(delay)

    def release(self, ticket: Ticket) -> None:
        """The request of `ticket` is over, however it ended."""
        if self._probe is ticket:
            self._probe = None
            self._probe_done.set()

    async def answered(self, ticket: Ticket) -> None:
        await self._change(lambda st: self.window.answer(st, ticket))

    async def refused(self, ticket: Ticket, retry_after: float, reason: str | None) -> None:
        now = self._clock()
        await self._change(lambda st: self.window.refuse(st, ticket, now, retry_after, reason))

    async def aclose(self) -> None:
        await self.store.aclose()
