"""notion/first_part.py: how much of a new page's content rides in the page create itself."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sandbox_client import call, sandbox_client

from notion_mcp.notion.first_part import split
from notion_mcp.notion.plan import Limits, plain_text
from notion_mcp.sandbox import SEED

Json = dict[str, Any]


def para(text: str, children: list[Json] | None = None) -> Json:
    inner: Json = {"rich_text": [{"type": "text", "text": {"content": text}}]}
    if children:
        inner["children"] = children
    return {"type": "paragraph", "paragraph": inner}


def chain(levels: int) -> Json:
    block = para(f"level {levels}")
    for i in range(levels - 1, 0, -1):
        block = para(f"level {i}", [block])
    return block


def sent_size(blocks: list[Json]) -> int:
    """What the blocks add to the create's body as httpx sends it (compact JSON, UTF-8)."""
    return len(json.dumps(blocks, ensure_ascii=False, separators=(",", ":")).encode())


def test_one_hundred_top_level_blocks_ride_and_the_rest_is_appended() -> None:
    blocks = [para(f"p{i}") for i in range(101)]
    inline, rest = split(blocks)
    assert inline == blocks[:100] and rest == blocks[100:]


def test_three_levels_ride_and_a_fourth_ends_the_run_keeping_order() -> None:
    blocks = [chain(3), para("flat"), chain(4), para("after")]
    inline, rest = split(blocks)
    assert inline == blocks[:2] and rest == blocks[2:]


def test_one_thousand_elements_ride_and_one_more_ends_the_run() -> None:
    tens = [para(f"a{i}", [para(f"b{i}.{j}") for j in range(99)]) for i in range(10)]  # 10 x 100
    assert split(tens) == (tens, [])
    inline, rest = split([*tens[:9], para("x", [para("y")]), tens[9]])  # 900 + 2 + 100 = 1,002
    assert len(inline) == 10 and [plain_text(b) for b in rest] == ["a9"]
    assert split([para("x", [para(f"y{j}") for j in range(100)]) for _ in range(10)])[1] != []


@pytest.mark.parametrize("text", ["ascii text ", "été à Zürich ", "日本語の文 ", "🙂🙃 "])
def test_the_bytes_counted_are_the_bytes_sent_whatever_the_script(text: str) -> None:
    # 100 blocks of about 4 KB each (as sent) fit in a create of 500 KB with its 20 KB of
    # properties; counted escaped (\\uXXXX), the non-Latin ones would seem to need twice that
    blocks = [para((text * 1000)[: 4000 // len(text.encode()) * len(text)]) for _ in range(100)]
    assert sent_size(blocks) < 480_000
    assert split(blocks) == (blocks, [])


def test_the_byte_budget_leaves_room_for_the_rest_of_the_create() -> None:
    block = para("x" * 100)
    weight = len(json.dumps(block, ensure_ascii=False).encode()) + 2  # a bound on its bytes as sent
    assert weight >= sent_size([block])
    assert split([block], Limits(max_bytes=20_000 + weight)) == ([block], [])
    assert split([block], Limits(max_bytes=20_000 + weight - 1)) == ([], [block])


@pytest.mark.anyio
async def test_a_long_page_is_created_with_its_first_hundred_blocks_and_the_rest_appended_in_order() -> None:
    markdown = "\n\n".join(f"paragraph {i}" for i in range(130))
    # a Notion-Version without the markdown endpoints (with them the create carries it all)
    async with sandbox_client(notion_version="2025-09-03") as (client, sandbox):
        made = await call(
            client, "notion_pages", operation="create", parent={"page_id": SEED.notes_page_id},
            title="Long", markdown=markdown,
        )  # fmt: skip
        counted = dict(sandbox.counters)
        read = await call(client, "notion_pages", operation="retrieve", page_id=made.split()[2])
    assert counted == {"POST /v1/pages": 1, "PATCH /v1/blocks/{id}/children": 1}
    shown = [int(word) for line in read.splitlines() for word in line.split("paragraph ")[1:]]
    assert shown == list(range(130)), read[:300]


def test_the_bytes_of_every_block_that_rides_add_up_within_the_request() -> None:
    blocks = [para(f"{i:03} " + "x" * 9_990) for i in range(60)]  # about 600 KB in all
    inline, rest = split(blocks)
    assert inline + rest == blocks and rest
    assert 20_000 + sent_size(inline) <= 500_000 < 20_000 + sent_size(blocks[: len(inline) + 1]) + 2_000
