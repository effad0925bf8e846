"""The window limiter: a budget spent at any pace, a 429 that holds everyone and teaches the
budget, one budget for every process sharing the store. Time is a fake clock throughout."""

from __future__ import annotations

import asyncio
import json
import random
from pathlib import Path

import pytest
from virtual_time import VirtualTime

from notion_mcp.notion.ratestore import FileStore, MemoryStore, open_store, token_key
from notion_mcp.notion.window import (
    LEARNED_TTL,
    PROBE_FLOOR,
    RateStore,
    Window,
    WindowLimiter,
    WindowState,
)

pytestmark = pytest.mark.anyio
CONNECTION = "public_api_request_rate_limit"
WORKSPACE = "public_api_space_request_rate_limit"
TOKEN = "ntn_" + "a1" * 20


def limiter(
    time: VirtualTime, budget: int | None, store: RateStore | None = None, seconds: float = 60.0
) -> WindowLimiter:
    """A limiter with a budget the user set (trusted: no probing)."""
    window = Window(budget, seconds, trusted=True)
    return WindowLimiter(window, store or MemoryStore(), clock=time.clock, sleep=time.sleep)


async def test_the_budget_is_spent_at_once_and_the_next_request_waits_for_the_window() -> None:
    time = VirtualTime()
    window = limiter(time, 5)
    for _ in range(5):
        await window.acquire()
    assert time.now == 0.0  # five at once: no pacing
    await window.acquire()
    assert time.now == pytest.approx(61.5)  # the five leave the window: 1 s slots, a 0.5 s margin


async def test_no_window_of_the_length_ever_holds_more_than_the_budget() -> None:
    time, rng = VirtualTime(), random.Random(7)
    window = limiter(time, 12, seconds=10.0)
    sent = []
    for _ in range(300):
        time.now += rng.choice([0.0, 0.0, 0.05, 0.3, 2.0])
        await window.acquire()
        sent.append(time.now)
    busiest = max(sum(1 for t in sent if start <= t < start + 10.0) for start in sent)
    assert busiest == 12  # full bursts, and never more, wherever a window starts


def refused_state(answered: int, refused_at: float, retry_after: float, reason: str | None) -> WindowState:
    """State after `answered` requests were answered and one more was refused with a 429."""
    window, state = Window(None), WindowState()
    tickets = [window.take(state, 0.0, True)[1] for _ in range(answered + 1)]
    for ticket in tickets[:-1]:
        window.answer(state, ticket)
    window.refuse(state, tickets[-1], refused_at, retry_after, reason)
    return state


async def test_a_connection_429_teaches_the_budget_and_restarts_the_count() -> None:
    state = refused_state(answered=7, refused_at=20.0, retry_after=40.0, reason=CONNECTION)
    assert state.hold_until == 60.0
    assert state.learned["connection"][0] == 7  # the refused request is not counted
    assert state.slots == {}  # Notion's window restarts when the hold ends
    window = Window(None)
    assert all(window.take(state, 60.0, True)[0] == 0 for _ in range(7))
    assert window.take(state, 60.0, True)[0] == pytest.approx(61.5)  # the eighth waits a window


async def test_answers_still_in_flight_when_the_lesson_is_drawn_are_counted_into_it() -> None:
    window, state = Window(None), WindowState()
    tickets = [window.take(state, 0.0, True)[1] for _ in range(9)]
    window.answer(state, tickets[0])
    window.refuse(state, tickets[8], 1.0, 59.0, CONNECTION)
    window.refuse(state, tickets[7], 1.0, 59.0, CONNECTION)  # in flight too: holds, teaches nothing
    for ticket in tickets[1:6]:
        window.answer(state, ticket)
    assert state.learned["connection"][0] == 6


async def test_an_unknown_reason_or_a_longer_window_only_holds() -> None:
    unknown = refused_state(answered=3, refused_at=1.0, retry_after=5.0, reason="integration_rate_limit")
    assert unknown.hold_until == 6.0 and unknown.learned == {}
    longer = refused_state(answered=3, refused_at=1.0, retry_after=300.0, reason=WORKSPACE)
    assert longer.hold_until == 301.0 and longer.learned == {}


async def test_a_workspace_429_teaches_its_budget_but_keeps_the_connection_count() -> None:
    state = refused_state(answered=4, refused_at=2.0, retry_after=30.0, reason=WORKSPACE)
    assert state.learned == {"workspace": (4, 2.0)}
    assert sum(state.slots.values()) == 4  # still in the window: the connection limit counts them


async def test_a_learned_budget_lapses_after_its_time_and_the_configured_one_returns() -> None:
    state = refused_state(answered=2, refused_at=0.0, retry_after=60.0, reason=CONNECTION)
    window = Window(100)
    window.take(state, LEARNED_TTL - 1, True)
    assert window.limit(state) == 2
    window.take(state, LEARNED_TTL, True)  # learned at 0: held for LEARNED_TTL seconds, no longer
    assert window.limit(state) == 100


async def test_a_damaged_state_starts_afresh() -> None:
    assert WindowState.load({"slots": "nonsense", "learned": 5}) == WindowState()


async def test_processes_sharing_the_file_store_spend_one_budget_and_share_a_hold(tmp_path: Path) -> None:
    time = VirtualTime()
    path = tmp_path / "ratelimit" / f"{token_key(TOKEN, 'https://api.notion.com')}.json"
    first, second = limiter(time, 4, FileStore(path)), limiter(time, 4, FileStore(path))
    for window in (first, second, first, second):
        await window.acquire()
    assert time.now == 0.0
    await second.acquire()
    assert time.now == pytest.approx(61.5)  # the fifth waits, whichever process takes it

    ticket = await first.acquire()
    await first.refused(ticket, 30.0, None)  # one process is refused...
    await second.acquire()
    assert time.now == pytest.approx(91.5)  # ...and the other holds too


async def test_the_file_store_is_named_and_filled_without_the_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    store = open_store("file", TOKEN, "https://api.notion.com")
    assert isinstance(store, FileStore)
    await limiter(VirtualTime(), 5, store).acquire()
    [path] = (tmp_path / "notion-mcp" / "ratelimit").iterdir()
    assert TOKEN not in str(path) and TOKEN not in path.read_text()
    assert token_key(TOKEN, "http://127.0.0.1:8765") != token_key(TOKEN, "https://api.notion.com")


async def test_beyond_what_notion_is_known_to_take_a_guessed_budget_sends_one_request_at_a_time() -> None:
    time, store = VirtualTime(), MemoryStore()
    window = WindowLimiter(Window(180, 60.0), store, clock=time.clock, sleep=time.sleep)
    tickets = [await window.acquire() for _ in range(PROBE_FLOOR)]  # the floor: all at once
    for ticket in tickets:
        await window.answered(ticket)
        window.release(ticket)

    probe = await window.acquire()  # Notion has answered 10 in this window: the 11th probes
    second = asyncio.ensure_future(window.acquire())
    await asyncio.sleep(0)
    assert not second.done()  # held while the probe is out
    await window.answered(probe)
    window.release(probe)
    next_probe = await second  # its answer raised what is known: the next probe may go
    assert sum(WindowState.load(store.raw).slots.values()) == PROBE_FLOOR + 2  # and is counted
    third = asyncio.ensure_future(window.acquire())
    await asyncio.sleep(0)
    assert not third.done()  # the held caller went as this process's probe: the next one waits
    window.release(next_probe)  # over without an answer (a dropped connection): still a probe
    window.release(await third)

    trusted = WindowLimiter(Window(180, 60.0, trusted=True), MemoryStore(), clock=time.clock)
    together = await asyncio.gather(*(trusted.acquire() for _ in range(50)))
    assert len(together) == 50  # a budget the user gave is not probed


async def test_the_whole_state_survives_the_store_between_processes() -> None:
    state = WindowState(
        slots={3: 2},
        answered={3: 1},
        hold_until=9.5,
        epoch=2,
        learned={"workspace": (7, 1.5)},
        lesson=(1, "workspace", 1.5),
        known=4,
    )
    assert WindowState.load(json.loads(json.dumps(state.dump()))) == state
    assert WindowState.load(json.loads(json.dumps(WindowState().dump()))) == WindowState()


async def test_a_refused_request_is_not_spent_even_in_a_slot_of_its_own() -> None:
    window, state = Window(2, trusted=True), WindowState()
    window.take(state, 0.0, True)
    _, ticket, _ = window.take(state, 5.0, True)
    window.refuse(state, ticket, 5.0, 0.0, "integration_rate_limit")  # hold 0 s, teaches nothing
    assert window.take(state, 5.0, True)[0] == 0.0  # one of the two is still there
    _, late, _ = window.take(state, 200.0, True)  # the first slots have left the window: pruned
    window.refuse(state, ticket, 200.0, 1.0, None)  # a 429 for a request no longer counted
    assert state.hold_until == 201.0 and state.slots == {late[1]: 1}


async def test_the_lesson_counts_only_the_answers_in_the_window_notion_says_ends_at_retry_after() -> None:
    window, state = Window(None), WindowState()
    for at, count in ((3.0, 2), (4.0, 3), (50.0, 1)):
        for _ in range(count):
            window.answer(state, window.take(state, at, True)[1])
    refused = window.take(state, 55.0, True)[1]
    # Notion's window ends at 55 + 10 = 65: it opened at 5, a second earlier with the rounding: 4
    window.refuse(state, refused, 55.0, 10.0, WORKSPACE)
    assert state.learned == {"workspace": (4, 55.0)}  # the 3 answered in [4, 5) and the 1 at 50


async def test_slots_of_a_longer_window_are_placed_by_their_length() -> None:
    window, state = Window(None, seconds=120.0), WindowState()  # slots of 2 s
    for at in (10.0, 100.0):
        window.answer(state, window.take(state, at, True)[1])
    refused = window.take(state, 110.0, True)[1]
    window.refuse(state, refused, 110.0, 20.0, WORKSPACE)  # opened at 110 + 20 - 120 - 1 = 9
    assert state.learned == {"workspace": (2, 110.0)}
    window.refuse(state, window.take(state, 110.0, True)[1], 110.0, 20.0, WORKSPACE)
    assert state.learned == {"workspace": (2, 110.0)}  # (taken before that lesson: holds only)


async def test_each_lesson_starts_a_new_epoch_and_only_the_last_one_learns_from_late_answers() -> None:
    window, state = Window(None), WindowState()
    early = window.take(state, 0.0, True)[1]
    window.answer(state, window.take(state, 0.0, True)[1])
    window.refuse(state, window.take(state, 0.0, True)[1], 0.0, 30.0, CONNECTION)
    assert state.epoch == 1 and state.learned["connection"][0] == 1
    window.answer(state, early)  # in flight during the first lesson: counted into it
    assert state.learned["connection"][0] == 2
    second = window.take(state, 30.0, True)[1]
    window.answer(state, window.take(state, 30.0, True)[1])
    window.refuse(state, window.take(state, 30.0, True)[1], 30.0, 30.0, CONNECTION)
    assert state.epoch == 2 and state.learned["connection"] == (1, 30.0)
    window.answer(state, early)  # from two lessons ago: teaches nothing more
    assert state.learned["connection"] == (1, 30.0)
    window.answer(state, second)
    assert state.learned["connection"] == (2, 30.0)


@pytest.mark.parametrize("seconds", [60.0, 15.0])
async def test_a_request_counts_until_its_slot_and_the_margin_have_left_the_window(seconds: float) -> None:
    window, state = Window(1, seconds, trusted=True), WindowState()
    slot = seconds / 60
    window.take(state, slot / 2, True)  # in the first slot
    gone = slot + seconds + 0.5  # its slot's end, a window later, and the margin
    assert window.take(state, gone - 0.1, True)[0] == pytest.approx(0.1)
    assert window.take(state, gone, True)[0] == 0.0


async def test_a_lesson_below_what_is_in_the_window_waits_until_enough_have_left() -> None:
    window, state = Window(None), WindowState()
    tickets = [window.take(state, float(at), True)[1] for at in range(5)]  # one a second
    for ticket in tickets[:2]:
        window.answer(state, ticket)
    window.refuse(state, window.take(state, 5.0, True)[1], 5.0, 30.0, WORKSPACE)
    assert state.learned == {"workspace": (2, 5.0)}
    # five in the window (three still in flight), two allowed: four must leave before one more
    # goes; the fourth was taken at 3 s and leaves with its slot, a window and the margin later
    assert window.take(state, 35.0, True)[0] == pytest.approx(4.0 + 60.0 + 0.5 - 35.0)


async def test_a_429_before_any_answer_learns_from_the_answers_still_in_flight() -> None:
    window, state = Window(None), WindowState()
    first, refused = (window.take(state, 0.0, True)[1] for _ in range(2))
    window.refuse(state, refused, 0.0, 30.0, CONNECTION)
    assert state.learned == {}  # nothing answered yet in Notion's window
    window.answer(state, first)
    assert state.learned == {"connection": (1, 0.0)}

    before = state.learned["connection"] = (5, 0.0)  # a budget learned earlier...
    tickets = [window.take(state, 30.0, True)[1] for _ in range(3)]
    window.refuse(state, tickets[2], 30.0, 60.0, CONNECTION)
    assert "connection" not in state.learned  # ...is dropped when the next lesson has no answer yet
    for ticket in tickets[:2]:
        window.answer(state, ticket)
    assert state.learned["connection"] == (2, 30.0) != before
