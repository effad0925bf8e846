"""The no-silent-loss property (issue 9): content given to an append — markdown or Notion blocks —
is either refused before any request, or every word of it is written and reads back from the
sandbox, in order, once.

The content's words are tokens (`w17q`) that no markup contains, so "every non-markup character"
is checked as "every token": the tokens read back (the page rendered as markdown) are exactly
the tokens given, in the same order.
"""

from __future__ import annotations

import re
from typing import Any

import anyio
import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from notion_mcp.errors import InputError
from notion_mcp.markdown import blocks_to_markdown
from notion_mcp.notion.gateway import NotionGateway, build_client
from notion_mcp.notion.ratelimit import TokenBucket
from notion_mcp.notion.retry import RetryPolicy
from notion_mcp.notion.tree import append_tree, fetch_tree
from notion_mcp.sandbox import Sandbox
from notion_mcp.tools.content import blocks_from

Json = dict[str, Any]
TOKEN = re.compile(r"w\d+q")
PROPERTY = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- markdown ----------------------------------------------------------------------------------
words = st.lists(st.integers(0, 999).map(lambda n: f"w{n}q"), min_size=1, max_size=6)


@st.composite
def inline(draw: st.DrawFn) -> str:
    """A line of tokens, some of them in inline markup."""
    out = []
    for word in draw(words):
        style = draw(st.sampled_from(["", "", "**", "*", "`", "~~", "link", "long"]))
        if style == "link":
            out.append(f"[{word}](https://example.com/x)")
        elif style == "long":  # a long line: Notion's 2,000-character items are split, not cut
            out.append(" ".join([word] * 1) + " " + "-" * 2100 + " " + word.replace("q", "0q"))
        else:
            out.append(f"{style}{word}{style}")
    return " ".join(out)


@st.composite
def leaf(draw: st.DrawFn) -> list[str]:
    """A block of markdown as lines (no container)."""
    kind = draw(st.sampled_from(["para", "heading", "code", "table", "details", "callout", "todo"]))
    text = draw(inline())
    if kind == "heading":
        return [f"{'#' * draw(st.integers(1, 4))} {text}"]
    if kind == "code":
        return ["```", " ".join(draw(words)), "```"]
    if kind == "table":
        rows = draw(st.integers(1, 3))
        wide = draw(st.booleans()) and draw(st.booleans())  # a row wider than its header: refused
        return ["| " + " | ".join(draw(words)[:2]) + " |", "| --- | --- |"] + [
            "| " + " | ".join(draw(words)[: 3 if wide else 2]) + " |" for _ in range(rows)
        ]
    if kind == "details":
        return ["<details>", f"<summary>{text}</summary>", "", draw(inline()), "", "</details>"]
    if kind == "callout":
        return [f'<callout icon="💡">{text}</callout>']
    if kind == "todo":
        return [f"- [{draw(st.sampled_from([' ', 'x']))}] {text}"]
    return [text]


def nest(lines: list[str], container: str) -> list[str]:
    if container == "quote":
        return [f"> {line}" if line else ">" for line in lines]
    marker = "- " if container == "bullet" else "1. "
    pad = " " * len(marker)
    return [marker + lines[0]] + [pad + line if line else "" for line in lines[1:]]


@st.composite
def document(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        lines = draw(leaf())
        containers = draw(st.lists(st.sampled_from(["quote", "bullet", "number"]), max_size=3))
        deep = draw(st.sampled_from([0, 0, 0, 12, 40, 70, 130]))  # past the parser's limit: refused
        for container in containers + [draw(st.sampled_from(["quote", "bullet"]))] * deep:
            lines = nest(lines, container)
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


# -- blocks ------------------------------------------------------------------------------------
def text(word: str) -> list[Json]:
    return [{"type": "text", "text": {"content": word}}]


@st.composite
def block(draw: st.DrawFn, depth: int = 0) -> Any:
    kind = draw(st.sampled_from(["paragraph", "bulleted_list_item", "toggle", "quote", "to_do", "heading_2"]))
    inner: Json = {"rich_text": text(" ".join(draw(words)))}
    if depth < 6 and kind != "heading_2" and draw(st.booleans()):
        inner["children"] = [draw(block(depth + 1)) for _ in range(draw(st.integers(1, 3)))]
    mutations = ["children not a list", "children outside", "type not a string", "item"]
    mutation = draw(st.sampled_from([None] * 50 + mutations))
    if mutation == "children not a list":
        inner["children"] = {"paragraph": {"rich_text": text(draw(words)[0])}}
    elif mutation == "children outside":  # Notion reads children only inside the type object
        return {"type": kind, kind: {"rich_text": inner["rich_text"]}, "children": inner.get("children", [])}
    elif mutation == "type not a string":
        return {"type": [kind], kind: inner}
    elif mutation == "item":
        inner["rich_text"] = [{"text": draw(words)[0]}]
    return {kind: inner} if draw(st.booleans()) else {"type": kind, kind: inner}


# -- the property ------------------------------------------------------------------------------
def gateway_for(sandbox: Sandbox) -> NotionGateway:
    async def no_sleep(_: float) -> None:
        return None

    client = build_client(
        token="ntn_test",
        notion_version="2026-03-11",
        base_url=Sandbox.base_url,
        transport=sandbox.transport(),
    )
    return NotionGateway(client, TokenBucket(None, sleep=no_sleep), RetryPolicy(sleep=no_sleep))


async def written_and_read(sandbox: Sandbox, children: list[Any] | None, markdown: str | None) -> str | None:
    """The page's content read back as markdown, or None when the content was refused (and then
    checked: refused before any request)."""
    gateway = gateway_for(sandbox)
    body = {"parent": {"type": "workspace", "workspace": True}, "properties": {"title": {"title": text("P")}}}
    page = str((await gateway.create_page(body))["id"])
    before = sandbox.total_requests
    try:
        await append_tree(gateway, page, blocks_from(children, markdown))
    except InputError:  # the tool's conversion, or the planner's check of every block
        assert sandbox.total_requests == before
        return None
    tree = await fetch_tree(gateway, page, max_depth=200, max_blocks=100_000)
    assert tree.complete
    await gateway.aclose()
    return blocks_to_markdown(tree.blocks)


def check(given: str, read: str | None) -> None:
    event("refused" if read is None else "written")
    if read is not None:
        assert TOKEN.findall(read) == TOKEN.findall(given), (given, read)


@pytest.fixture(scope="module")
def sandbox() -> Any:
    with Sandbox(seed=False) as sb:
        yield sb


@PROPERTY
@given(document())
@example(markdown="- - 1. - | w502q | w61q |\n           | --- | --- |\n           | w19q | w0q | w999q |\n")
def test_markdown_is_refused_before_any_request_or_every_word_reads_back_in_order(
    sandbox: Sandbox, markdown: str
) -> None:
    check(markdown, anyio.run(written_and_read, sandbox, None, markdown))


@PROPERTY
@given(st.lists(block(), min_size=1, max_size=4))
def test_blocks_are_refused_before_any_request_or_every_word_reads_back_in_order(
    sandbox: Sandbox, children: list[Any]
) -> None:
    given_words = " ".join(TOKEN.findall(repr(children)))
    check(given_words, anyio.run(written_and_read, sandbox, children, None))
