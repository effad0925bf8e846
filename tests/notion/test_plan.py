"""The append planner: every block exactly once, in order, every request within Notion's limits."""

from __future__ import annotations

import json
import math
import random
from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notion_mcp.errors import InputError
from notion_mcp.notion.plan import ROOT, Limits, Plan, _Planner, children_of, plain_text, plan_append

Json = dict[str, Any]


def para(text: str, children: list[Json] | None = None, kind: str = "paragraph") -> Json:
    inner: Json = {"rich_text": [{"type": "text", "text": {"content": text}}]}
    if children:
        inner["children"] = children
    return {"object": "block", "type": kind, kind: inner}


@st.composite
def trees(draw: st.DrawFn, max_depth: int = 6, max_width: int = 250) -> list[Json]:
    """A tree from a few drawn parameters (top width, depth, fan-out, branching, long texts)."""
    top = draw(st.integers(0, max_width))
    depth = draw(st.integers(0, max_depth))
    fanout = draw(st.integers(1, 150))
    branching = draw(st.floats(0.0, 1.0))
    long_text = draw(st.sampled_from([0.0, 0.0, 0.05]))
    rng = random.Random(draw(st.integers(0, 2**32)))
    counter = iter(range(10**9))
    budget = [3000]

    def level(width: int, d: int) -> list[Json]:
        out = []
        for _ in range(width):
            budget[0] -= 1
            kids = []
            if d < depth and budget[0] > 0 and rng.random() < branching:
                kids = level(rng.randint(1, fanout), d + 1)
            text = f"b{next(counter)}" + ("x" * 1900 if rng.random() < long_text else "")
            out.append(para(text, kids))
        return out

    return level(top, 0)


def preorder(blocks: list[Json]) -> list[str]:
    return [t for b in blocks for t in [plain_text(b), *preorder(children_of(b))]]


def levels(block: Json) -> int:
    return 1 + max((levels(c) for c in children_of(block)), default=0)


def arrays(block: Json) -> list[int]:
    kids = children_of(block)
    return [len(kids), *[n for c in kids for n in arrays(c)]] if kids else []


def walk(blocks: list[Json], level: int = 1) -> list[tuple[Json, int]]:
    """Every block of a request body with its level (1: the request's own items)."""
    return [(b, level) for b in blocks] + [x for b in blocks for x in walk(children_of(b), level + 1)]


def look_ups(plan: Plan) -> int:
    """The ``list_children`` calls the executor makes to learn IDs the responses do not give."""
    items = {n for r in plan.requests for n in r.items}
    listed: set[int] = set()

    def need(n: int) -> None:
        while n != ROOT and n not in items and plan.nodes[n].parent not in listed:
            listed.add(plan.nodes[n].parent)
            n = plan.nodes[n].parent

    for request in plan.requests:
        need(request.parent)
    sizes = [len(plan.top) if g == ROOT else len(plan.nodes[g].children) for g in listed]
    return sum(max(1, math.ceil(size / 100)) for size in sizes)


def check(plan: Plan, blocks: list[Json], limits: Limits) -> None:
    # every node is created by exactly one request, after the request that created its parent
    created_at: dict[int, int] = {}
    for i, request in enumerate(plan.requests):
        assert request.items, "no empty request"
        if request.parent != ROOT:
            assert created_at[request.parent] < i
        for n in request.nodes(plan):
            assert n not in created_at
            created_at[n] = i
        body = plan.body(request)
        assert len(body) <= limits.max_children
        assert all(max(arrays(b), default=0) <= limits.max_children for b in body)
        assert all(levels(b) <= limits.max_levels for b in body)
        elements = sum(1 for _ in request.nodes(plan))
        assert elements <= limits.max_elements
        assert len(json.dumps({"children": body, "position": {"type": "end"}}).encode()) <= limits.max_bytes
    assert sorted(created_at) == list(range(len(plan.nodes)))
    # order: the children of each parent are appended in their order (runs are contiguous, in order)
    appended: dict[int, list[int]] = {}
    for request in plan.requests:
        appended.setdefault(request.parent, []).extend(request.items)
        for n, k in request.included.items():
            appended.setdefault(n, []).extend(plan.nodes[n].children[:k])
    for n, node in enumerate(plan.nodes):
        assert appended.get(n, []) == node.children
    assert appended.get(ROOT, []) == plan.top
    # and rebuilding the tree from the requests gives back the input, text for text
    assert [plain_text(plan.nodes[n].shell) for n in range(len(plan.nodes))] == preorder(blocks)


@settings(max_examples=60, deadline=None)
@given(trees())
def test_every_block_once_in_order_and_every_request_within_the_limits(blocks: list[Json]) -> None:
    limits = Limits()
    check(plan_append(blocks, limits), blocks, limits)


@settings(max_examples=60, deadline=None)
@given(trees(max_depth=5, max_width=40), st.sampled_from([2, 3, 4]), st.integers(3, 100), st.integers(5, 300))
def test_the_limits_hold_for_any_setting(
    blocks: list[Json], levels_: int, children: int, elements: int
) -> None:
    limits = Limits(max_children=children, max_levels=levels_, max_elements=elements, max_bytes=60_000)
    check(plan_append(blocks, limits), blocks, limits)


def lower_bound(blocks: list[Json], limits: Limits) -> int:
    """Each parent below the top whose children cannot ride with it needs a request of its own."""
    total = math.ceil(len(blocks) / limits.max_children)

    def walk(block: Json, level: int) -> int:
        kids = children_of(block)
        own = 1 if kids and level >= limits.max_levels else 0
        return own + sum(walk(k, level + 1) for k in kids)

    return total + sum(walk(b, 1) for b in blocks)


@settings(max_examples=60, deadline=None)
@given(trees())
def test_the_request_count_stays_close_to_the_lower_bound(blocks: list[Json]) -> None:
    plan = plan_append(blocks)
    bound = lower_bound(blocks, Limits())
    elements = sum(1 for _ in plan.nodes)
    assert len(plan.requests) >= max(math.ceil(len(blocks) / 100), math.ceil(elements / 1000))
    # at most one extra request per parent that had to be split, plus what element budgets force
    parents = sum(1 for n in plan.nodes if n.children)
    assert len(plan.requests) <= bound + parents + math.ceil(elements / 1000) + 1


def test_a_flat_list_goes_in_runs_of_one_hundred() -> None:
    plan = plan_append([para(f"p{i}") for i in range(250)])
    assert [len(r.items) for r in plan.requests] == [100, 100, 50]


def test_three_levels_that_fit_go_in_one_request() -> None:
    blocks = [
        para(f"a{i}", [para(f"b{j}", [para(f"c{k}") for k in range(5)]) for j in range(5)]) for i in range(30)
    ]
    assert len(plan_append(blocks).requests) == 1  # 30 + 150 + 750 = 930 elements


def test_an_item_that_does_not_fit_starts_a_new_request_instead_of_being_split() -> None:
    blocks = [para(f"a{i}", [para(f"b{j}") for j in range(99)]) for i in range(12)]
    plan = plan_append(blocks)
    assert len(plan.requests) == 2 and all(r.parent == ROOT for r in plan.requests)
    assert [len(r.items) for r in plan.requests] == [10, 2]


def test_a_deep_chain_costs_one_request_per_two_levels() -> None:
    chain: list[Json] = [para("leaf")]
    for i in range(9):
        chain = [para(f"level {9 - i}", chain)]
    plan = plan_append(chain)
    assert len(plan.requests) == 5


def test_a_block_too_deep_to_ride_whole_waits_for_a_request_under_its_item() -> None:
    # toggle > [text, toggle > [text, toggle > 5 paragraphs]]: four levels, one more than a request
    # holds. The middle toggle goes whole in a request under the outer one (whose ID the first
    # response gives) instead of riding in part and costing a look-up plus a request per split.
    def section(i: int) -> Json:
        inner = para(f"c{i}", [para(f"d{i}.{k}") for k in range(5)], kind="toggle")
        return para(f"a{i}", [para(f"t{i}"), para(f"b{i}", [para(f"u{i}"), inner], kind="toggle")], "toggle")

    blocks = [b for i in range(20) for b in [*(para(f"p{i}.{j}") for j in range(40)), section(i)]]
    plan = plan_append(blocks)
    assert len(plan.requests) == 9 + 20  # ceil(820 top-level / 100), and one per section
    assert look_ups(plan) == 0
    first = plan.body(plan.requests[0])
    assert [plain_text(b) for b in children_of(first[40])] == ["t0"]  # the item keeps what fits whole


@settings(max_examples=60, deadline=None)
@given(trees())
def test_waiting_for_the_item_never_costs_more_than_riding_in_part(blocks: list[Json]) -> None:
    plan = plan_append(blocks)
    with mock.patch.object(_Planner, "_better_under_item", lambda *_: False):
        in_part = plan_append(blocks)
    assert len(plan.requests) + look_ups(plan) <= len(in_part.requests) + look_ups(in_part)
    # and a block whose ID must be looked up is one too deep to go whole in any request
    items = {n for r in plan.requests for n in r.items}
    looked_up = {r.parent for r in plan.requests if r.parent != ROOT and r.parent not in items}
    assert all(levels(plan.nodes[n].source) > Limits().max_levels for n in looked_up)


def test_columns_and_tables_ride_with_their_parts() -> None:
    cell = [{"type": "text", "text": {"content": "c"}}]
    row = {"type": "table_row", "table_row": {"cells": [cell]}}
    table = {"type": "table", "table": {"table_width": 1, "children": [row]}}
    column = {"type": "column", "column": {"children": [para("x", [para("y")]), para("z")]}}
    columns = {"type": "column_list", "column_list": {"children": [column, column]}}
    plan = plan_append([para("a", [para("b", [table])]), columns])
    first = plan.body(plan.requests[0])
    # each column keeps its first child even though that one has children (a column cannot be empty)
    assert [len(children_of(c)) for c in children_of(first[1])] == [2, 2]
    # the table is created once, never at the deepest level, and its row rides with it
    tables = [(b, level) for r in plan.requests for b, level in walk(plan.body(r)) if b["type"] == "table"]
    assert len(tables) == 1 and tables[0][1] < 3 and len(children_of(tables[0][0])) == 1


def test_text_over_two_thousand_characters_is_refused() -> None:
    with pytest.raises(
        InputError, match=r"children\[1\]\.paragraph\.children\[0\]\.paragraph\.rich_text\[0\]"
    ):
        plan_append([para("ok"), para("ok", [para("x" * 2001)])])


def test_more_than_one_hundred_rich_text_items_are_refused() -> None:
    block = {"type": "quote", "quote": {"rich_text": [{"type": "text", "text": {"content": "a"}}] * 101}}
    with pytest.raises(InputError, match="101 rich text items"):
        plan_append([block])


def test_something_that_is_not_a_block_is_refused() -> None:
    with pytest.raises(InputError, match="children\\[0\\]"):
        plan_append(["not a block"])  # type: ignore[list-item]


@pytest.mark.parametrize(
    ("caption", "expected"),
    [
        ([{"type": "text", "text": {"content": "c"}}] * 101, "[0].image.caption: 101 rich text items"),
        ([{"type": "text", "text": {"content": "c" * 2001}}], "[0].image.caption[0].text.content: 2001"),
    ],
    ids=["101 items", "2001 characters"],
)
def test_a_caption_is_held_to_the_rich_text_limits(caption: list[Json], expected: str) -> None:
    image = {"type": "image", "image": {"type": "external", "external": {"url": "https://x.test/a.png"},
                                        "caption": caption}}  # fmt: skip
    with pytest.raises(InputError) as caught:
        plan_append([image])
    assert expected in str(caught.value)
