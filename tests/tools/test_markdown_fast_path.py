"""Whole-page reads through Notion's markdown endpoint give the model the same text as reads
through the blocks API, in far fewer requests; every fallback lands on the blocks API."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from sandbox_client import call, sandbox_client

from notion_mcp.sandbox import SEED, routes_markdown

pytestmark = pytest.mark.anyio
OLD_VERSION = "2025-09-03"  # no markdown endpoint: every read goes through the blocks API


def rich(kind: str, text: str, children: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    inner: dict[str, Any] = {"rich_text": [{"type": "text", "text": {"content": text}}]}
    if children:
        inner["children"] = children
    return {"type": kind, kind: inner}


def deep(sections: int = 30) -> list[dict[str, Any]]:
    """Toggles holding lists five levels deep, between paragraphs: one container per section
    level, so the blocks API needs a listing for each."""
    out = []
    for s in range(sections):
        leaf = rich("bulleted_list_item", f"point {s}.4", [rich("paragraph", f"leaf {s}")])
        inner = rich(
            "bulleted_list_item", f"point {s}.2", [rich("bulleted_list_item", f"point {s}.3", [leaf])]
        )
        out += [
            rich("toggle", f"**section** {s}", [rich("paragraph", "summary"), inner]),
            rich("quote", f"q {s}"),
        ]
    return out


async def both_ways(
    page: str | None = None, children: list[dict[str, Any]] | None = None
) -> tuple[str, str, int]:
    """The page read through the markdown endpoint and through the blocks API (the same
    sandbox file), and the requests the markdown read took."""
    texts, requests = [], 0
    for version in ("2026-03-11", OLD_VERSION):
        async with sandbox_client(notion_version=version) as (client, sandbox):
            page_id = page or json.loads(
                await call(client, "notion_pages", operation="create", parent={"page_id": SEED.notes_page_id},
                           title="Deep", children=children, format="json")
            )["id"]  # fmt: skip
            sandbox.reset_counters()
            texts.append(await call(client, "notion_pages", operation="retrieve", page_id=page_id))
            if version != OLD_VERSION:
                requests = sandbox.total_requests
                assert ("GET /v1/pages/{id}/markdown" in sandbox.counters) is True
            else:
                assert "GET /v1/pages/{id}/markdown" not in sandbox.counters
    return texts[0], texts[1], requests


def without_ids(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.startswith("id: "))


@pytest.mark.parametrize("page", [SEED.welcome_page_id, SEED.getting_started_page_id, SEED.notes_page_id])
async def test_seeded_pages_read_both_ways_give_the_same_text(page: str) -> None:
    fast, slow, _ = await both_ways(page)
    assert fast == slow


async def test_a_deep_page_reads_in_two_requests_and_the_same_text() -> None:
    fast, slow, requests = await both_ways(children=deep())
    assert without_ids(fast) == without_ids(slow)
    assert "leaf 29" in fast
    assert requests == 2  # the page and its markdown (the blocks API: one listing per container)


async def test_blocks_the_endpoint_does_not_render_are_read_through_the_blocks_api() -> None:
    # the welcome page holds a bookmark and tabs: <unknown> in the markdown
    async with sandbox_client() as (client, sandbox):
        text = await call(client, "notion_pages", operation="retrieve", page_id=SEED.welcome_page_id)
    assert "<bookmark url=" in text and "<tabs>" in text and "Content of the second tab." in text
    assert sandbox.counters["GET /v1/blocks/{id}"] >= 2


async def test_a_truncated_answer_is_read_again_through_the_blocks_api(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(routes_markdown, "MARKDOWN_LIMIT", 5)
    async with sandbox_client() as (client, sandbox):
        text = await call(client, "notion_pages", operation="retrieve", page_id=SEED.welcome_page_id)
    assert "Content of the second tab." in text and "<table_of_contents" in text
    assert sandbox.counters["GET /v1/pages/{id}/markdown"] == 1
    assert sandbox.counters["GET /v1/blocks/{id}/children"] >= 1


async def test_block_ids_are_read_through_the_blocks_api() -> None:
    async with sandbox_client() as (client, sandbox):
        text = await call(
            client, "notion_pages", operation="retrieve", page_id=SEED.welcome_page_id, block_ids=True
        )
    assert " ^" in text
    assert "GET /v1/pages/{id}/markdown" not in sandbox.counters


async def test_markdown_from_notions_own_tools_can_be_written_back() -> None:
    async with sandbox_client() as (client, _):
        enhanced = 'Intro {color="blue"}\n\t- a child item\n'
        enhanced += '<table header-row="true">\n\t<tr>\n\t\t<td>A</td>\n\t</tr>\n</table>'
        await call(
            client, "notion_blocks", operation="append", parent_block_id=SEED.notes_page_id, markdown=enhanced
        )
        text = await call(client, "notion_pages", operation="retrieve", page_id=SEED.notes_page_id)
    assert 'Intro {color="blue"}' in text
    assert "- a child item" in text and "| A |" in text


PARAGRAPHS = "\n\n".join(f"Paragraph {n}." for n in range(250))  # three requests through the blocks API


def occurrences(text: str) -> int:
    return sum(line == "Paragraph 249." for line in text.splitlines())


async def test_a_long_append_to_a_page_is_one_request_through_the_markdown_endpoint() -> None:
    async with sandbox_client() as (client, sandbox):
        args = {"operation": "append", "parent_block_id": SEED.notes_page_id, "markdown": PARAGRAPHS}
        done = await call(client, "notion_blocks", **args)
        counted = dict(sandbox.counters)
        read = await call(client, "notion_pages", operation="retrieve", page_id=SEED.notes_page_id)
    assert counted == {"PATCH /v1/pages/{id}/markdown": 1}
    assert "Appended 250 blocks" in done and "markdown endpoint" in done
    assert occurrences(read) == 1 and "Paragraph 0." in read


async def test_a_long_append_under_a_block_goes_through_the_blocks_api_and_that_is_remembered() -> None:
    async with sandbox_client() as (client, sandbox):
        args = {"operation": "append", "parent_block_id": SEED.toggle_block_id, "markdown": PARAGRAPHS}
        await call(client, "notion_blocks", **args)
        await call(client, "notion_blocks", **args)
    assert sandbox.counters["PATCH /v1/pages/{id}/markdown"] == 1  # refused once: a block, not a page
    assert sandbox.counters["PATCH /v1/blocks/{id}/children"] == 6


@pytest.mark.parametrize("when", ["before", "after"])
async def test_a_lost_answer_is_read_back_never_repeated_blindly(when: str) -> None:
    async with sandbox_client(max_retries=0) as (client, sandbox):
        sandbox.faults.add("PATCH", "/v1/pages/{id}/markdown", "500", when=when)
        args = {"operation": "append", "parent_block_id": SEED.notes_page_id, "markdown": PARAGRAPHS}
        done = await call(client, "notion_blocks", **args)
        counted = dict(sandbox.counters)
        read = await call(client, "notion_pages", operation="retrieve", page_id=SEED.notes_page_id)
    assert "Appended 250 blocks" in done
    assert occurrences(read) == 1  # never twice, never missing
    assert counted["GET /v1/pages/{id}/markdown"] == 1  # the read-back
    landed = when == "after"
    assert counted.get("PATCH /v1/blocks/{id}/children", 0) == (0 if landed else 3)


async def blocks_both_ways(
    children: list[dict[str, Any]], **arguments: Any
) -> tuple[str, str, dict[str, int]]:
    """A page's whole tree read with notion_blocks retrieve include_children=true, with the
    markdown endpoint and without it (the older Notion-Version), and the requests of the first."""
    texts, counters = [], {}
    for version in ("2026-03-11", OLD_VERSION):
        async with sandbox_client(notion_version=version) as (client, sandbox):
            page_id = json.loads(
                await call(client, "notion_pages", operation="create", parent={"page_id": SEED.notes_page_id},
                           title="Deep", children=children, format="json")
            )["id"]  # fmt: skip
            sandbox.reset_counters()
            texts.append(
                await call(client, "notion_blocks", operation="retrieve", block_id=page_id,
                           include_children=True, **arguments)
            )  # fmt: skip
            if version != OLD_VERSION:
                counters = {k: v for k, v in sandbox.counters.items() if v}
    # the IDs differ between the two sandboxes: compared as <id>
    fast, slow = (re.sub(r"[0-9a-f]{32}|[0-9a-f-]{36}", "<id>", t) for t in texts)
    return fast, slow, counters


async def test_a_pages_whole_tree_through_notion_blocks_is_two_requests_and_the_same_text() -> None:
    fast, slow, counters = await blocks_both_ways(deep())
    assert fast == slow
    assert "leaf 29" in fast and "- point 29.4" in fast
    assert counters == {"GET /v1/blocks/{id}": 1, "GET /v1/pages/{id}/markdown": 1}


@pytest.mark.parametrize("arguments", [{"block_ids": True}, {"format": "json"}, {"max_depth": 3}])
async def test_a_pages_tree_that_needs_the_blocks_api_is_read_through_it(arguments: dict[str, Any]) -> None:
    fast, slow, counters = await blocks_both_ways(deep(3), **arguments)
    assert counters["GET /v1/blocks/{id}/children"] >= 4
    if "block_ids" in arguments or "format" in arguments:  # IDs: the markdown has none
        assert "GET /v1/pages/{id}/markdown" not in counters
    if "format" in arguments:
        assert "block_ids" not in fast and '"children"' in fast
    else:
        assert fast == slow


async def test_a_blocks_subtree_is_read_through_the_blocks_api() -> None:
    async with sandbox_client() as (client, sandbox):
        page_id = json.loads(
            await call(client, "notion_pages", operation="create", parent={"page_id": SEED.notes_page_id},
                       title="Deep", children=deep(2), format="json")
        )["id"]  # fmt: skip
        listed = await call(client, "notion_blocks", operation="retrieve", block_id=page_id,
                            include_children=True, block_ids=True)  # fmt: skip
        toggle = re.findall(r'<details id="([0-9a-f]{32})">', listed)
        assert len(toggle) == 2, listed
        sandbox.reset_counters()
        text = await call(
            client, "notion_blocks", operation="retrieve", block_id=toggle[1], include_children=True
        )
    assert "leaf 1" in text and "leaf 0" not in text
    assert "GET /v1/pages/{id}/markdown" not in sandbox.counters
