"""A page created with more content than a create's `children` hold goes in one request, as
enhanced markdown in the create itself (`notion/markdown_create.py`), through the MCP client
against the sandbox: the same page as through the blocks API, made exactly once whatever fails."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from sandbox_client import call, sandbox_client, text_of

from notion_mcp.markdown import blocks_to_markdown
from notion_mcp.sandbox import SEED, routes_pages, rules

pytestmark = pytest.mark.anyio
OLD_VERSION = "2025-09-03"  # no markdown endpoints: created with children, the rest appended


def rich(kind: str, text: str, children: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    inner: dict[str, Any] = {"rich_text": [{"type": "text", "text": {"content": text}}]}
    if children:
        inner["children"] = children
    return {"type": kind, kind: inner}


def deep(sections: int = 12) -> str:
    """Toggles holding lists four levels deep: more than a create's two levels of children."""
    out = []
    for s in range(sections):
        leaf = rich("bulleted_list_item", f"point {s}.3", [rich("paragraph", f"leaf {s}")])
        out += [
            rich("toggle", f"section {s}", [rich("bulleted_list_item", f"point {s}.2", [leaf])]),
            rich("paragraph", f"between {s}"),
        ]
    return blocks_to_markdown(out)


CREATE = {"operation": "create", "parent": {"page_id": SEED.notes_page_id}, "title": "Deep once"}


def page_id_of(answer: str) -> str:
    found = re.match(r"Created page ([0-9a-f]{32})", answer)
    assert found, answer
    return found.group(1)


def body_of(read: str) -> str:
    """A page read without its header's IDs and times (they differ from one sandbox to another)."""
    return read.split("\n\n\n", 1)[1] if "\n\n\n" in read else read


async def test_deep_content_is_created_in_one_request_and_reads_as_through_the_blocks_api() -> None:
    answers, reads, counters = [], [], []
    for version in ("2026-03-11", OLD_VERSION):
        async with sandbox_client(notion_version=version) as (client, sandbox):
            answers.append(await call(client, "notion_pages", **CREATE, markdown=deep()))
            counters.append({k: v for k, v in sandbox.counters.items() if v})
            reads.append(
                await call(client, "notion_pages", operation="retrieve", page_id=page_id_of(answers[-1]))
            )
    assert counters[0] == {"POST /v1/pages": 1}
    assert counters[1]["PATCH /v1/blocks/{id}/children"] >= 12  # one per deep branch
    assert " with 60 blocks" in answers[0] and " with 60 blocks" in answers[1]
    assert body_of(reads[0]) == body_of(reads[1])
    assert "leaf 11" in reads[0]


@pytest.mark.parametrize(
    "arguments",
    [{"format": "json"}, {"markdown": deep() + '\n\n<bookmark url="https://example.com"/>'}],
    ids=["json (the new blocks' IDs are answered)", "a block with no markdown form"],
)
async def test_content_the_markdown_cannot_carry_goes_through_the_blocks_api(
    arguments: dict[str, Any],
) -> None:
    async with sandbox_client() as (client, sandbox):
        made = await call(client, "notion_pages", **{**CREATE, "markdown": deep(), **arguments})
        page_id = json.loads(made)["id"] if made.startswith("{") else page_id_of(made)
        read = await call(client, "notion_pages", operation="retrieve", page_id=page_id)
    assert sandbox.counters["POST /v1/pages"] == 1
    assert sandbox.counters["PATCH /v1/blocks/{id}/children"] >= 12
    assert "leaf 11" in read
    if "format" in arguments:
        assert json.loads(made)["content_block_ids"]


@pytest.mark.parametrize(("fault", "when", "posts"), [
    ("drop", "after", 1), ("500", "after", 1),  # made, answer lost: found by its title, all of it
    ("drop", "before", 2), ("503", "before", 2),  # not made: looked for, not found, sent again
])  # fmt: skip
async def test_a_markdown_create_that_fails_on_its_way_makes_the_whole_page_once(
    fault: str, when: str, posts: int
) -> None:
    async with sandbox_client(max_retries=0) as (client, sandbox):
        sandbox.faults.add("POST", "/v1/pages", fault, when=when)
        created = await call(client, "notion_pages", **CREATE, markdown=deep())
        counted = dict(sandbox.counters)
        found = await call(client, "notion_search", query="Deep once")
        read = await call(client, "notion_pages", operation="retrieve", page_id=page_id_of(created))
    assert found.count("page: Deep once") == 1, found
    assert counted["POST /v1/pages"] == posts
    assert counted.get("PATCH /v1/blocks/{id}/children", 0) == 0  # nothing appended: all in the create
    assert read.count("leaf 11") == 1 and read.count("section 0") == 1
    assert ("the page was found by its title" in created) == (when == "after"), created


async def test_a_notion_that_refuses_markdown_in_a_create_gets_children_and_is_not_asked_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(ws: Any, body: Any) -> Any:
        raise rules.validation('body.markdown should be not present, instead was `"…"`.')

    monkeypatch.setattr(routes_pages, "_markdown_children", refuse)
    async with sandbox_client() as (client, sandbox):
        first = await call(client, "notion_pages", **CREATE, markdown=deep())
        second = await call(client, "notion_pages", **{**CREATE, "title": "Deep twice"}, markdown=deep())
        read = await call(client, "notion_pages", operation="retrieve", page_id=page_id_of(second))
        found = await call(client, "notion_search", query="Deep once")
    assert sandbox.counters["POST /v1/pages"] == 3  # the refused one (nothing made), then one per page
    assert " with 60 blocks" in first and " with 60 blocks" in second
    assert "leaf 11" in read and found.count("page: Deep once") == 1


async def test_a_refusal_that_does_not_name_markdown_reaches_the_model_and_markdown_is_still_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A 400 about something else (here the page's content) is Notion's answer to this create:
    it is not taken for an API without markdown creates, nor answered by creating the page
    another way; the next create still goes in one request."""
    real = routes_pages._markdown_children
    refusals: list[str] = []

    def refuse_once(ws: Any, body: Any) -> Any:
        if not refusals:
            refusals.append("sent")
            raise rules.validation("Content creation Failed. Fix the following: too many blocks in a toggle.")
        return real(ws, body)

    monkeypatch.setattr(routes_pages, "_markdown_children", refuse_once)
    async with sandbox_client() as (client, sandbox):
        refused = await client.call_tool("notion_pages", {**CREATE, "markdown": deep()})
        refused_posts = sandbox.counters["POST /v1/pages"]
        sandbox.reset_counters()
        await call(client, "notion_pages", **{**CREATE, "title": "Deep again"}, markdown=deep())
        later = dict(sandbox.counters)
        found = await call(client, "notion_search", query="Deep once")
    assert refused.is_error and "too many blocks in a toggle" in text_of(refused)
    assert refused_posts == 1 and "page: Deep once" not in found
    assert later == {"POST /v1/pages": 1}
