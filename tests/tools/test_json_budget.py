"""The last-resort budget holds for JSON answers too: still valid JSON, cut at whole items (the
first ones, in order), with `answer_cut` naming every cut and how to get the rest."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sandbox_client import sandbox_client, text_of

from notion_mcp.sandbox import SEED
from notion_mcp.tools.json_budget import CUT_FIELD, json_within_budget

BUDGET = 2_000  # the smallest budget allowed


def first_part(kept: Any, whole: Any) -> bool:
    """`kept` is `whole` with items and fields left out only at the end of lists and objects
    (the sandbox's request_id differs from call to call)."""
    if isinstance(kept, list) and isinstance(whole, list):
        return len(kept) <= len(whole) and all(first_part(k, w) for k, w in zip(kept, whole, strict=False))
    if isinstance(kept, dict) and isinstance(whole, dict):
        keys = [k for k in kept if k != CUT_FIELD]
        same = all(k == "request_id" or first_part(kept[k], whole[k]) for k in keys)
        return keys == list(whole)[: len(keys)] and same
    return bool(kept == whole)


async def answers(tool: str, arguments: dict[str, Any]) -> tuple[str, str]:
    """The answer at the default budget and at the smallest one, on two identical sandboxes."""
    async with sandbox_client() as (client, _):
        whole = text_of(await client.call_tool(tool, arguments))
    async with sandbox_client(max_output_chars=BUDGET) as (client, _):
        result = await client.call_tool(tool, arguments)
    assert not result.is_error, text_of(result)
    return whole, text_of(result)


@pytest.mark.anyio
async def test_a_database_in_json_over_the_budget_is_cut_at_whole_items_and_says_where() -> None:
    arguments = {"operation": "retrieve", "database_id": SEED.tasks_database_id, "format": "json"}
    whole, cut = await answers("notion_databases", arguments)
    assert len(whole) > BUDGET >= len(cut)
    kept = json.loads(cut)  # valid JSON
    assert first_part(kept, json.loads(whole))
    note = kept[CUT_FIELD]
    assert f"answer cut from {len(whole):,} characters" in note and "first " in note
    assert "page_size, max_blocks, a narrower filter" in note and "format=markdown" in note


@pytest.mark.anyio
async def test_a_bulk_answer_in_json_keeps_the_first_items_in_order_and_counts_the_rest() -> None:
    rows = [{"title": f"Row {n}"} for n in range(1, 41)]
    arguments = {
        "operation": "create",
        "parent": {"data_source_id": SEED.tasks_data_source_id},
        "pages": rows,
        "format": "json",
    }
    whole, cut = await answers("notion_pages", arguments)
    assert len(whole) > BUDGET >= len(cut)
    kept = json.loads(cut)
    items = [r["item"] for r in kept["results"]]
    assert items == list(range(1, len(items) + 1)) and 10 < len(items) < 40
    assert f"results: first {len(items)} of 40 items" in kept[CUT_FIELD]


@pytest.mark.anyio
async def test_json_answers_within_the_budget_are_not_touched() -> None:
    arguments = {"operation": "retrieve", "user_id": SEED.ada_user_id, "format": "json"}
    whole, small = await answers("notion_users", arguments)
    assert first_part(json.loads(small), json.loads(whole)) and len(small) == len(whole)
    assert CUT_FIELD not in small


scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=300))
trees = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=40), st.dictionaries(st.text(max_size=10), inner, max_size=20)
    ),
    max_leaves=400,
)


@settings(max_examples=60, deadline=None)
@given(tree=st.one_of(st.lists(trees, min_size=1), st.dictionaries(st.text(max_size=10), trees, min_size=1)))
def test_any_json_over_the_budget_becomes_valid_json_within_it_keeping_a_first_part(tree: Any) -> None:
    text = json.dumps(tree, ensure_ascii=False, separators=(",", ":"))
    cut = json_within_budget(text, BUDGET)
    if len(text) <= BUDGET:
        return
    assert cut is not None and len(cut) <= BUDGET
    kept = json.loads(cut)
    assert CUT_FIELD in kept
    assert first_part(kept, tree if isinstance(tree, dict) else {"results": tree})
