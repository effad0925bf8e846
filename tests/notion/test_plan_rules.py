"""The append planner's rules, one example each (fast; test_plan.py's property tests check the
same invariants over drawn trees): validation names the field, a request is filled to each
limit and never past it, structural blocks ride with their parts, and what append.py reads back
(a block's text, a request's nodes, a node's top-level block) is right."""

from __future__ import annotations

import json
from typing import Any

import pytest

from notion_mcp.errors import InputError
from notion_mcp.notion.plan import (
    DEFAULT_LIMITS,
    ROOT,
    Limits,
    Plan,
    children_of,
    flatten,
    plain_text,
    plan_append,
    same_block,
    validate_blocks,
)

Json = dict[str, Any]
FORM = '{"text": {"content": "words"}} (or {"type": "text", "text": {...}}, a mention, an equation)'


def text(content: str) -> Json:
    return {"type": "text", "text": {"content": content}}


def block(content: str, children: list[Json] | None = None, kind: str = "paragraph") -> Json:
    inner: Json = {"rich_text": [text(content)], "color": "default"}
    if children:
        inner["children"] = children
    return {"object": "block", "type": kind, kind: inner}


def column_list(*columns: list[Json]) -> Json:
    return {"type": "column_list", "column_list": {"children": [
        {"type": "column", "column": {"children": c}} for c in columns]}}  # fmt: skip


def walk(blocks: list[Json]) -> list[Json]:
    return [x for b in blocks for x in [b, *walk(children_of(b))]]


def bodies(plan: Plan) -> list[list[Json]]:
    return [plan.body(r) for r in plan.requests]


def look_ups(plan: Plan) -> list[int]:
    """Request parents whose ID no earlier response gives (the executor must list to learn it)."""
    items = [n for r in plan.requests for n in r.items]
    return [r.parent for i, r in enumerate(plan.requests) if r.parent != ROOT
            and r.parent not in items[: sum(len(q.items) for q in plan.requests[:i])]]  # fmt: skip


def refusal(blocks: Any, limits: Limits = DEFAULT_LIMITS) -> str:
    with pytest.raises(InputError) as caught:
        plan_append(blocks, limits)
    return str(caught.value)


# -- what append.py reads back ----------------------------------------------------------------------
def test_a_blocks_text_joins_its_text_and_equation_items_and_skips_the_rest() -> None:
    items = [
        text("a "),
        {"text": {"content": "b"}},  # no type: a text item
        {"type": "equation", "equation": {"expression": "x^2"}},
        {"type": "mention", "mention": {"type": "user", "user": {"id": "u"}}, "plain_text": "@Bob"},
        {"type": "text", "text": {}},
        {"type": "text"},
        {"type": "equation", "equation": {}},
        {"type": "equation"},
        "not an item",
    ]
    assert plain_text({"type": "quote", "quote": {"rich_text": items}}) == "a bx^2"


def test_a_table_rows_text_is_its_cells_and_an_equation_blocks_its_expression() -> None:
    row = {"type": "table_row", "table_row": {"cells": [[text("a")], [text("b"), text("c")], [], None]}}
    assert plain_text(row) == "|a|bc||"
    assert plain_text({"type": "equation", "equation": {"expression": "E=mc^2"}}) == "E=mc^2"
    assert plain_text({"type": "equation", "equation": {"expression": 5}}) == ""
    assert plain_text({"type": "divider", "divider": {}}) == plain_text({"type": "divider"}) == ""
    assert plain_text({"type": "paragraph", "paragraph": {"rich_text": None}}) == ""


def test_a_block_read_back_is_the_one_sent_when_type_and_text_agree() -> None:
    sent = block("hello")
    read = {**text("hello"), "plain_text": "hello", "annotations": {}}
    got = {"object": "block", "id": "b1", "type": "paragraph", "paragraph": {"rich_text": [read]}}
    assert same_block(sent, got)
    assert not same_block(sent, {**got, "type": "quote", "quote": got["paragraph"]})
    assert not same_block(sent, {**got, "paragraph": {"rich_text": [text("hello!")]}})


def test_a_requests_nodes_are_what_its_body_carries_in_document_order() -> None:
    blocks = [block("a", [block("b", [block("c")]), block("d")], "toggle"), block("e")]
    plan = plan_append(blocks, Limits(max_levels=2))
    assert [list(r.nodes(plan)) for r in plan.requests] == [[0, 4], [1, 2, 3]]
    assert [[plain_text(plan.nodes[n].shell) for n in r.nodes(plan)] for r in plan.requests] == [
        [plain_text(b) for b in walk(body)] for body in bodies(plan)
    ]


def test_each_node_knows_its_top_level_block_and_the_block_as_given() -> None:
    nested = block("t", [block("x", [block("y")])], "toggle")
    plan = plan_append([block("p"), nested])
    assert plan.top == [0, 1]
    assert [plan.top_of(n) for n in range(4)] == [0, 1, 1, 1]
    assert plan.nodes[1].source is nested and plan.nodes[3].parent == 2


def test_a_tree_that_fits_one_request_is_sent_exactly_as_given() -> None:
    blocks = [
        block("a", [block("b", [block("c"), block("d", kind="quote")], "toggle")], "toggle"),
        block("e"),
    ]
    plan = plan_append(blocks)
    assert bodies(plan) == [blocks]


# -- validation: the field named, and what to do ------------------------------------------------------
def test_what_is_not_a_list_of_blocks_is_refused_naming_the_field() -> None:
    assert refusal("paragraph") == "children: expected a list of Notion block objects."
    assert refusal([block("ok"), "a" * 100]) == (
        f"children[1]: expected a Notion block object with a 'type'; got {'a' * 80!r}."
    )
    assert (
        refusal([{"type": "paragraph", "paragraph": "words"}]) == "children[0].paragraph: expected an object."
    )


def test_a_malformed_rich_text_item_is_refused_naming_its_place_and_the_form() -> None:
    inner = block("x", [{"type": "quote", "quote": {"rich_text": [text("a"), "b"]}}], "toggle")
    assert refusal([block("ok"), inner]) == (
        "children[1].toggle.children[0].quote.rich_text[1]: a rich text item is an object like"
        f" {FORM}; got str."
    )
    bad = {"type": "quote", "quote": {"rich_text": [{"text": "words"}]}}
    assert refusal([bad]) == (
        f"children[0].quote.rich_text[0].text: expected an object with a string content, like {FORM}."
    )


def test_the_rich_text_limits_allow_exactly_the_maximum() -> None:
    hundred = {"type": "quote", "quote": {"rich_text": [text("a")] * 100}}
    plan_append([hundred, block("x" * 2000)])
    assert "101 rich text items; Notion allows at most 100. Split the block." in refusal(
        [{"type": "quote", "quote": {"rich_text": [text("a")] * 101}}]
    )
    assert refusal([block("x" * 2001)]) == (
        "children[0].paragraph.rich_text[0].text.content: 2001 characters; Notion allows at most 2000"
        " per rich text item. Split it into several items."
    )


def test_table_cells_are_held_to_the_rich_text_limits() -> None:
    def row(*cells: list[Json]) -> Json:
        return {"type": "table_row", "table_row": {"cells": list(cells)}}

    assert refusal([row([text("a")], [text("a")] * 101)]).startswith(
        "children[0].table_row.cells[1]: 101 rich text items"
    )
    assert refusal([row([text("a"), text("x" * 2001)])]).startswith(
        "children[0].table_row.cells[0][1].text.content: 2001 characters"
    )


def test_a_block_without_its_types_object_is_passed_on_for_notion_to_judge() -> None:
    plan = plan_append([{"type": "divider"}, block("a")])
    assert bodies(plan) == [[{"type": "divider"}, block("a")]]


def test_a_single_block_may_take_a_whole_request_and_no_more() -> None:
    big = block("x" * 500)
    (node,), _ = flatten([big])
    assert node.size == len(json.dumps(big)) + len(', "children": []') + 2
    plan_append([big], Limits(max_bytes=node.size + 200))  # the request's own overhead: 200
    assert refusal([big], Limits(max_bytes=node.size + 199)) == (
        f"children[0]: this one block is about {node.size} bytes; a request allows 500 KB."
    )


def test_validate_blocks_checks_what_plan_append_would() -> None:
    validate_blocks([block("ok", [block("fine")], "toggle")])
    with pytest.raises(InputError, match=r"children\[0\]\.toggle\.children\[0\]\.paragraph\.rich_text\[0\]"):
        validate_blocks([block("ok", [block("x" * 2001)], "toggle")])


# -- filling requests --------------------------------------------------------------------------------
def test_a_request_is_filled_to_the_byte_budget_and_its_real_body_stays_within_it() -> None:
    blocks = [block(f"{i:03}" + "x" * 80) for i in range(100)]
    size = flatten(blocks)[0][0].size
    limits = Limits(max_bytes=200 + 50 * size)
    plan = plan_append(blocks, limits)
    assert [len(r.items) for r in plan.requests] == [50, 50]
    for body in bodies(plan):
        assert len(json.dumps({"children": body, "position": {"type": "end"}})) <= limits.max_bytes


def test_an_item_with_room_for_its_node_but_not_its_subtree_waits_for_the_next_request() -> None:
    # 148 blocks each: 6 fill 888 of 1,000 elements; the 7th goes whole in the next request
    items = [block(f"a{i}", [block(f"b{j}", [block(f"c{k}") for k in range(20)]) for j in range(7)])
             for i in range(10)]  # fmt: skip
    plan = plan_append(items)
    assert [(r.parent, len(r.items)) for r in plan.requests] == [(ROOT, 6), (ROOT, 4)]


def test_an_item_too_big_for_any_request_starts_a_new_one_and_goes_on_under_itself() -> None:
    small = [block(f"a{i}", [block(f"b{j}", [block(f"c{k}") for k in range(10)]) for j in range(10)])
             for i in range(9)]  # 9 × 111 = 999 elements  # fmt: skip
    huge = block("h", [block(f"g{j}", [block(f"l{k}") for k in range(100)]) for j in range(100)])
    plan = plan_append([*small, huge])
    assert [len(r.items) for r in plan.requests[:2]] == [9, 1] and plan.requests[1].parent == ROOT
    assert all(sum(1 for _ in r.nodes(plan)) <= 1000 for r in plan.requests)
    assert look_ups(plan) == []  # the rest goes under the huge item, whose ID its request returns
    assert len(plan.requests) == 2 + 11  # 9 of its 100 children ride with it, then 9 per request


def test_a_deep_first_child_waits_for_a_request_under_its_item() -> None:
    deep = block("c", [block("d", [block("p")], "toggle")], "toggle")  # three levels
    plan = plan_append([block("i", [deep], "toggle")])
    assert [(r.parent, r.items) for r in plan.requests] == [(ROOT, (0,)), (0, (1,))]
    assert bodies(plan)[1] == [deep]


def test_a_child_that_would_fit_a_fresh_request_but_not_this_ones_bytes_waits() -> None:
    leaves = [block(f"l{k}") for k in range(3)]
    child = block("c", leaves, "toggle")
    item = block("i", [child], "toggle")
    nodes, _ = flatten([item])
    whole = sum(n.size for n in nodes[1:])  # the child with its leaves
    limits = Limits(max_bytes=200 + whole + nodes[0].size // 2)  # whole alone: yes; after the item: no
    plan = plan_append([item], limits)
    assert look_ups(plan) == []
    assert [(r.parent, r.items) for r in plan.requests] == [(ROOT, (0,)), (0, (1,))]


# -- structural blocks ---------------------------------------------------------------------------------
@pytest.mark.parametrize("deep", [False, True], ids=["shallow", "too deep to go whole anywhere"])
def test_a_column_list_below_the_top_waits_to_be_a_request_item(deep: bool) -> None:
    first = block("x", [block("y")] if deep else None)
    columns = column_list([first], [block("z")])
    plan = plan_append([block("t", [columns], "toggle")])
    assert [(r.parent, r.items) for r in plan.requests[:2]] == [(ROOT, (0,)), (0, (1,))]
    sent = [b for body in bodies(plan) for b in walk(body) if b["type"] == "column"]
    assert len(sent) == 2 and all(children_of(c) for c in sent)  # never a column without children


def test_a_column_is_never_sent_empty_even_as_a_request_item() -> None:
    deep = block("t1", [block("t2", [block("p")], "toggle")], "toggle")
    plan = plan_append([column_list([deep], [deep], [deep])], Limits(max_children=2))
    sent = [b for body in bodies(plan) for b in walk(body) if b["type"] == "column"]
    assert len(sent) == 3 and all(children_of(c) for c in sent)
