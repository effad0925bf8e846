"""fetch_tree and append_tree against the sandbox: a big round trip, and a matrix of faults."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from typing import Any

import pytest

from notion_mcp.errors import NotionAPIError
from notion_mcp.notion.gateway import NotionGateway, build_client
from notion_mcp.notion.plan import Limits, children_of, plain_text
from notion_mcp.notion.ratelimit import TokenBucket
from notion_mcp.notion.retry import RetryPolicy
from notion_mcp.notion.tree import PartialAppendError, append_tree, fetch_tree
from notion_mcp.sandbox import Sandbox

pytestmark = pytest.mark.anyio
Json = dict[str, Any]
CHILDREN = "/v1/blocks/{id}/children"


class FakeTime:
    """A clock that moves only when something sleeps: no test waits for real."""

    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    sb = Sandbox(seed=False)
    yield sb
    sb.close()


def gateway_for(sandbox: Sandbox) -> NotionGateway:
    time = FakeTime()
    client = build_client(
        token="ntn_test",
        notion_version="2026-03-11",
        base_url=Sandbox.base_url,
        transport=sandbox.transport(),
    )
    limiter = TokenBucket(None, clock=time.clock, sleep=time.sleep)
    return NotionGateway(client, limiter, RetryPolicy(sleep=time.sleep, jitter=lambda: 0.0))


async def new_page(gateway: NotionGateway, title: str = "Tree test") -> str:
    body = {
        "parent": {"type": "workspace", "workspace": True},
        "properties": {"title": {"title": [{"type": "text", "text": {"content": title}}]}},
    }
    return str((await gateway.create_page(body))["id"])


# -- content ----------------------------------------------------------------------------------------
def text(content: str) -> list[Json]:
    return [{"type": "text", "text": {"content": content}}]


def block(kind: str, content: str, children: list[Json] | None = None, **extra: Any) -> Json:
    inner: Json = {"rich_text": text(content), **extra}
    if children:
        inner["children"] = children
    return {"object": "block", "type": kind, kind: inner}


PARENTS = ("paragraph", "bulleted_list_item", "numbered_list_item", "toggle", "to_do", "quote", "callout")
LEAVES = ("heading_2", "paragraph", "code")


def document(total: int, depth: int, seed: int = 7) -> list[Json]:
    """`total` blocks of many types, nested `depth` levels deep, with a table and columns."""
    rng = random.Random(seed)
    made = 0

    def leaf(label: str) -> Json:
        kind = rng.choice(LEAVES)
        return block(kind, label, language="python") if kind == "code" else block(kind, label)

    def grow(level: int, label: str) -> list[Json]:
        nonlocal made
        out: list[Json] = []
        for i in range(rng.randint(2, 5)):
            if made >= total:
                break
            made += 1
            name = f"{label}.{i}"
            if level < depth and rng.random() < 0.6:
                out.append(block(rng.choice(PARENTS), name, grow(level + 1, name)))
            else:
                out.append(leaf(name))
        return out

    table = {
        "type": "table",
        "table": {
            "table_width": 2,
            "has_column_header": True,
            "has_row_header": False,
            "children": [
                {"type": "table_row", "table_row": {"cells": [text(f"r{r}c{c}") for c in range(2)]}}
                for r in range(3)
            ],
        },
    }
    columns = {
        "type": "column_list",
        "column_list": {
            "children": [
                {"type": "column", "column": {"children": [block("paragraph", f"col {c}")]}} for c in range(2)
            ]
        },
    }
    made = (1 + 3) + (1 + 2 * 2)  # the table and its rows, the columns and their content
    blocks: list[Json] = [table, columns]
    top = 0
    while made < total:
        made += 1
        name = f"t{top}"
        blocks.append(block("toggle", name, grow(2, name)))
        top += 1
    return blocks


def shape(blocks: list[Json]) -> list[Json]:
    return [{"type": b["type"], "text": plain_text(b), "children": shape(children_of(b))} for b in blocks]


def count(blocks: list[Json]) -> int:
    return sum(1 + count(children_of(b)) for b in blocks)


def depth_of(blocks: list[Json]) -> int:
    return max((1 + depth_of(children_of(b)) for b in blocks), default=0)


# -- round trip ---------------------------------------------------------------------------------------
async def test_a_thousand_blocks_five_levels_deep_go_in_and_come_back_in_one_call_each(
    anyio_backend: str, sandbox: Sandbox
) -> None:
    gateway = gateway_for(sandbox)
    page = await new_page(gateway)
    content = document(1000, 5)
    assert count(content) == 1000 and depth_of(content) == 5
    written = await append_tree(gateway, page, content)
    assert written.blocks_written == 1000 and len(written.top_level_ids) == len(content)
    read = await fetch_tree(gateway, page, max_blocks=5000)
    assert read.complete and shape(read.blocks) == shape(content)
    assert [b["id"] for b in read.blocks] == written.top_level_ids


# -- faults ---------------------------------------------------------------------------------------
# garbled_200 / misshaped_200: a 200 whose body is not JSON / not an append's answer
FAULT_KINDS = ("429", "500", "503", "504", "529", "drop", "garbled_200", "misshaped_200")
AMBIGUOUS_KINDS = ("500", "503", "504", "drop", "garbled_200", "misshaped_200")  # 429/529 never take effect


def small_document() -> list[Json]:
    """Needs several appends: two runs at the top, nested runs, and look-ups of nested IDs."""
    deep = block("toggle", "deep", [block("paragraph", f"d{i}", [block("quote", f"d{i}q", [
        block("to_do", f"d{i}q.t", [block("paragraph", f"d{i}q.t.p")])])]) for i in range(2)])  # fmt: skip
    return [*[block("paragraph", f"f{i}") for i in range(102)], deep, block("paragraph", "last")]


async def appends_needed(content: list[Json]) -> int:
    with Sandbox(seed=False) as clean:
        gateway = gateway_for(clean)
        page = await new_page(gateway)
        clean.reset_counters()
        await append_tree(gateway, page, content)
        return clean.counters[f"PATCH {CHILDREN}"]


def matrix(kinds: tuple[str, ...], positions: int) -> list[tuple[str, int, str]]:
    cases = [(kind, n, "before") for kind in kinds for n in range(positions)]
    return cases + [(kind, n, "after") for kind in AMBIGUOUS_KINDS for n in range(positions)]


async def test_every_single_fault_at_every_append_position_ends_with_exactly_the_content(
    anyio_backend: str,
) -> None:
    content = small_document()
    positions = await appends_needed(content)
    assert positions >= 4
    for kind, n, when in matrix(FAULT_KINDS, positions):
        with Sandbox(seed=False) as sandbox:
            gateway = gateway_for(sandbox)
            page = await new_page(gateway)
            sandbox.faults.add("PATCH", CHILDREN, kind, after=n, when=when)
            result = await append_tree(gateway, page, content)
            read = await fetch_tree(gateway, page)
            assert shape(read.blocks) == shape(content), (kind, n, when)
            assert [b["id"] for b in read.blocks] == result.top_level_ids, (kind, n, when)


async def test_a_lasting_fault_at_any_position_leaves_a_prefix_that_the_resume_call_completes(
    anyio_backend: str,
) -> None:
    content = small_document()
    positions = await appends_needed(content)
    for kind, n in [(k, n) for k in ("500", "drop") for n in range(positions)]:
        with Sandbox(seed=False) as sandbox:
            gateway = gateway_for(sandbox)
            page = await new_page(gateway)
            intro = (await gateway.append_children(page, [block("paragraph", "intro")]))["results"][0]["id"]
            sandbox.faults.add("PATCH", CHILDREN, kind, after=n, count=1000, when="before")
            position = {"type": "after_block", "after_block": {"id": intro}}
            try:
                await append_tree(gateway, page, content, position=position)
            except PartialAppendError as error:
                sandbox.faults.clear()
                now = shape((await fetch_tree(gateway, page)).blocks)
                assert now == shape([block("paragraph", "intro"), *content[: error.written_count]]), (kind, n)
                assert error.written_count + error.remaining_count == len(content)
                assert not error.not_trashed and not error.uncertain
                resume = error.resume
                await append_tree(gateway, resume["parent_block_id"], resume["children"],
                                  position=resume["position"])  # fmt: skip
            except NotionAPIError:
                # nothing had been written: the original error, and the page is as it was
                sandbox.faults.clear()
                assert shape((await fetch_tree(gateway, page)).blocks) == shape([block("paragraph", "intro")])
                await append_tree(gateway, page, content, position=position)
            else:
                raise AssertionError(f"a lasting {kind} at append {n} did not fail")
            read = await fetch_tree(gateway, page)
            assert shape(read.blocks) == shape([block("paragraph", "intro"), *content]), (kind, n)


async def test_appends_that_all_take_effect_but_answer_with_errors_are_read_back_not_repeated(
    anyio_backend: str,
) -> None:
    content = small_document()
    for kind in AMBIGUOUS_KINDS:
        with Sandbox(seed=False) as sandbox:
            gateway = gateway_for(sandbox)
            page = await new_page(gateway)
            sandbox.faults.add("PATCH", CHILDREN, kind, count=1000, when="after")
            result = await append_tree(gateway, page, content)
            sandbox.faults.clear()
            read = await fetch_tree(gateway, page)
            assert (
                shape(read.blocks) == shape(content)
                and [b["id"] for b in read.blocks] == result.top_level_ids
            )


FLAT = [block("paragraph", f"p{i}") for i in range(10)]
SMALL = Limits(max_children=4)  # FLAT is three appends of top-level blocks


async def test_a_lost_answer_whose_read_back_fails_too_is_uncertain_and_its_advice_makes_no_duplicate(
    anyio_backend: str,
) -> None:
    """Each ambiguous fault at each append, every read-back failing: the error either gives a
    resume (what exists is known) or says the batch is uncertain, with no call to repeat; following
    it literally (read, trash what of the batch is there, append from the batch on) ends with
    exactly the content, never a duplicate."""
    uncertain = 0
    kinds = ("500", "drop", "garbled_200", "misshaped_200")  # 503 and 504 take the path of 500
    for kind, n, when in [(k, n, w) for k in kinds for n in range(3) for w in ("before", "after")]:
        case = (kind, n, when)
        with Sandbox(seed=False) as sandbox:
            gateway = gateway_for(sandbox)
            page = await new_page(gateway)
            intro = (await gateway.append_children(page, [block("paragraph", "intro")]))["results"][0]["id"]
            sandbox.faults.add("PATCH", CHILDREN, kind, after=n, when=when)
            sandbox.faults.add("GET", CHILDREN, "500", count=1000)
            after_intro = {"type": "after_block", "after_block": {"id": intro}}
            with pytest.raises(PartialAppendError) as caught:
                await append_tree(gateway, page, FLAT, position=after_intro, limits=SMALL)
            sandbox.faults.clear()
            error = caught.value
            if error.resume is not None:  # following it must not duplicate anything
                resume = error.resume
                await append_tree(
                    gateway, page, resume["children"], position=resume["position"], limits=SMALL
                )
            else:
                uncertain += 1
                message = str(error)
                assert error.uncertain and "resume" not in message.replace("`resume`", ""), case
                assert (
                    f"notion_blocks retrieve block_id={page.replace('-', '')} include_children=true"
                    in message
                ), case
                span = re.search(r"Uncertain: top-level blocks (\d+) to (\d+) of the 10 given", message)
                assert span, message
                first = int(span.group(1)) - 1
                last_kept = error.written_ids[-1] if error.written_ids else intro
                assert first == error.written_count, case
                listed = (await fetch_tree(gateway, page)).blocks
                at = [b["id"] for b in listed].index(last_kept) + 1
                for found in listed[at:]:  # only the uncertain batch can follow the last kept block
                    await gateway.delete_block(found["id"])
                position = {"type": "after_block", "after_block": {"id": last_kept}}
                await append_tree(gateway, page, FLAT[first:], position=position, limits=SMALL)
            read = await fetch_tree(gateway, page)
            assert shape(read.blocks) == shape([block("paragraph", "intro"), *FLAT]), case
    assert uncertain >= len(kinds) * 3  # every top-level batch met an uncertain end


async def test_every_single_fault_at_every_read_position_still_reads_everything(anyio_backend: str) -> None:
    content = small_document()
    with Sandbox(seed=False) as clean:
        gateway = gateway_for(clean)
        page = await new_page(gateway)
        await append_tree(gateway, page, content)
        clean.reset_counters()
        expected = await fetch_tree(gateway, page)
        reads = clean.counters[f"GET {CHILDREN}"]
    assert reads >= 5 and expected.complete
    for kind in FAULT_KINDS:
        for n in range(reads):
            with Sandbox(seed=False) as sandbox:
                gateway = gateway_for(sandbox)
                page = await new_page(gateway)
                await append_tree(gateway, page, content)
                sandbox.faults.add("GET", CHILDREN, kind, after=n)
                read = await fetch_tree(gateway, page, concurrency=1)
                assert read.complete and shape(read.blocks) == shape(content), (kind, n)


async def test_a_read_that_waits_out_rate_limits_still_reads_everything(anyio_backend: str) -> None:
    with Sandbox(seed=False) as sandbox:
        gateway = gateway_for(sandbox)
        page = await new_page(gateway)
        await append_tree(gateway, page, small_document())
        sandbox.faults.add("GET", CHILDREN, "429", count=3)
        read = await fetch_tree(gateway, page, concurrency=4)
        assert read.complete and shape(read.blocks) == shape(small_document())
