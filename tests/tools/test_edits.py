"""notion_pages update `edits`: text, sections and insertions changed in place, through the MCP
client against the sandbox; untouched blocks keep their IDs; faults at every request position."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio
import pytest
from edit_page import PAGE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sandbox_client import call, sandbox_client, text_of

from notion_mcp.markdown import markdown_to_blocks

pytestmark = pytest.mark.anyio


RISKS = "Risk one.\n\n- Risk two\n\n### Detail\n\nRisk detail.\n"
MARKER = re.compile(r" \^([0-9a-f]{32})$")


async def make_page(client: Any, markdown: str = PAGE) -> str:
    made = await call(
        client,
        "notion_pages",
        operation="create",
        parent={"workspace": True},
        title="Plan",
        markdown=markdown,
    )
    found = re.match(r"Created page ([0-9a-f]{32})", made)
    assert found, made
    return found.group(1)


async def body(client: Any, page_id: str) -> str:
    read = await call(client, "notion_pages", operation="retrieve", page_id=page_id)
    return read.split("\n\n\n", 1)[1] if "\n\n\n" in read else ""


async def ids(client: Any, page_id: str) -> dict[str, str]:
    """Each marked line's text (without the marker) → its block ID."""
    read = await call(client, "notion_pages", operation="retrieve", page_id=page_id, block_ids=True)
    out = {}
    for line in read.splitlines():
        marker = MARKER.search(line)
        if marker:
            out[line[: marker.start()].strip()] = marker.group(1)
    return out


def same(text: str, expected: str) -> bool:
    return markdown_to_blocks(text) == markdown_to_blocks(expected)


async def edit(client: Any, page_id: str, *edits: dict[str, Any], **more: Any) -> Any:
    return await client.call_tool(
        "notion_pages", {"operation": "update", "page_id": page_id, "edits": list(edits), **more}
    )


CASES = [
    ({"old": "March 3", "new": "April 4"}, PAGE.replace("March 3", "April 4")),
    ({"old": "Nested item", "new": "Nested *thing*"}, PAGE.replace("Nested item", "Nested *thing*")),
    ({"old": "2. Two", "new": "2. Two\n3. Three"}, PAGE.replace("2. Two", "2. Two\n3. Three")),
    ({"old": "More details", "new": "Fewer details"}, PAGE.replace("More details", "Fewer details")),
    ({"old": "Hidden paragraph.", "new": "Shown."}, PAGE.replace("Hidden paragraph.", "Shown.")),
    ({"old": "Right side.", "new": "Right, edited."}, PAGE.replace("Right side.", "Right, edited.")),
    ({"old": "| b | 2 |", "new": "| b | 3 |"}, PAGE.replace("| b | 2 |", "| b | 3 |")),
    (
        {"old": "- First item\n  - Nested item\n- Second item", "new": "- Only item"},
        PAGE.replace("- First item\n  - Nested item\n- Second item", "- Only item"),
    ),
    (
        {"old": "Owners: Ada.\n\n- First item", "new": "Owners: Grace.\n\n- First item"},
        PAGE.replace("Ada.", "Grace."),
    ),
    ({"old": "Risk one.", "new": ""}, PAGE.replace("Risk one.\n\n", "")),
    (
        {"heading": "Risks", "new": "Risk one.\n\n- Risk three"},
        PAGE.replace("- Risk two\n\n### Detail\n\nRisk detail.\n", "- Risk three\n"),  # with its subsection
    ),
    (
        {"heading": "## Decisions", "new": "We wait.", "position": "start"},
        PAGE.replace("We ship.", "We wait.\n\nWe ship."),
    ),
    (
        {"heading": "Detail", "new": "More.", "position": "end"},
        PAGE.replace("Risk detail.", "Risk detail.\n\nMore."),
    ),
    ({"after": "Owners: Ada.", "new": "A new line."}, PAGE.replace("Ada.\n", "Ada.\n\nA new line.\n")),
    ({"before": "## Summary", "new": "Top."}, "Top.\n\n" + PAGE),
]


@pytest.mark.parametrize(("one", "expected"), CASES, ids=[json.dumps(c[0])[:60] for c in CASES])
async def test_each_edit_form_changes_only_what_it_names(one: dict[str, Any], expected: str) -> None:
    async with sandbox_client() as (client, _):
        page_id = await make_page(client)
        before = await ids(client, page_id)
        result = await edit(client, page_id, one)
        assert not result.is_error, text_of(result)
        after_ids = await ids(client, page_id)
        read = await body(client, page_id)
    assert same(read, expected), read
    assert text_of(result).startswith(f"Edited page {page_id}: blocks:")
    kept = {line: block for line, block in before.items() if line in after_ids}
    # every line that still reads the same is still the same block
    assert all(after_ids[line] == block for line, block in kept.items()), (before, after_ids)


async def test_a_one_block_edit_updates_that_block_and_keeps_its_id_and_children() -> None:
    async with sandbox_client() as (client, _):
        page_id = await make_page(client)
        before = await ids(client, page_id)
        result = await edit(client, page_id, {"old": "First item", "new": "Primary item"})
        after = await ids(client, page_id)
    assert "1 updated" in text_of(result) and "trashed" not in text_of(result)
    assert after["- Primary item"] == before["- First item"]
    assert after["- Nested item"] == before["- Nested item"]


@pytest.mark.parametrize(
    ("old", "says"),
    [("item", "occurs 3 times"), ("Risk seven", "not found"), ("", "empty")],
)
async def test_no_match_or_several_is_an_error_with_candidates_and_nothing_changes(
    old: str, says: str
) -> None:
    async with sandbox_client() as (client, _):
        page_id = await make_page(client)
        result = await edit(client, page_id, {"old": old, "new": "x"})
        read = await body(client, page_id)
    assert result.is_error and says in text_of(result), text_of(result)
    assert "Nothing was changed" in text_of(result)
    assert same(read, PAGE)
    if says == "not found":
        assert "Risk one." in text_of(result)  # the closest candidates, each with a line of context


async def test_edits_are_all_checked_before_the_first_write() -> None:
    async with sandbox_client() as (client, _):
        page_id = await make_page(client)
        result = await edit(
            client, page_id, {"old": "March 3", "new": "April 4"}, {"old": "no such text", "new": "x"}
        )
        overlap = await edit(
            client, page_id, {"old": "March 3", "new": "x"}, {"old": "Owners: Ada.", "new": "y"}
        )
        read = await body(client, page_id)
    assert result.is_error and "edits[1].old: not found" in text_of(result)
    assert overlap.is_error and "change the same blocks" in text_of(overlap)
    assert same(read, PAGE)


async def test_several_edits_apply_together() -> None:
    async with sandbox_client() as (client, _):
        page_id = await make_page(client)
        result = await edit(
            client,
            page_id,
            {"old": "March 3", "new": "April 4"},
            {"heading": "Risks", "new": "None left."},
            {"after": "We ship.", "new": "- and celebrate"},
        )
        read = await body(client, page_id)
    assert not result.is_error, text_of(result)
    expected = (
        PAGE.replace("March 3", "April 4")
        .replace(RISKS, "None left.\n")
        .replace("We ship.\n", "We ship.\n\n- and celebrate\n")
    )
    assert same(read, expected), read


async def test_removing_a_block_that_holds_content_the_text_leaves_out_is_refused() -> None:
    async with sandbox_client() as (client, _):
        page_id = await make_page(client)
        result = await edit(client, page_id, {"old": "- First item", "new": "Plain now."})
        read = await body(client, page_id)
    assert result.is_error and "nested content" in text_of(result)
    assert same(read, PAGE)


async def test_a_section_heading_matching_none_or_several_lists_the_headings() -> None:
    async with sandbox_client() as (client, _):
        page_id = await make_page(client, PAGE + "\n## Risks\n\nAgain.\n")
        result = await edit(client, page_id, {"heading": "Risks", "new": "x"})
        missing = await edit(client, page_id, {"heading": "Budget", "new": "x"})
    assert result.is_error and "matches 2 headings" in text_of(result)
    assert missing.is_error and "«## Decisions»" in text_of(missing)


async def test_if_unchanged_since_refuses_when_the_page_changed_after_the_read() -> None:
    async with sandbox_client() as (client, sandbox):
        page_id = await make_page(client)
        read = await call(client, "notion_pages", operation="retrieve", page_id=page_id)
        stamp = re.search(r"edited (\S+)", read)
        assert stamp, read
        later = datetime.now(UTC) + timedelta(minutes=5)
        sandbox.state.now = lambda: later
        await call(
            client,
            "notion_pages",
            operation="update",
            page_id=page_id,
            edits=[{"old": "Ada", "new": "Grace"}],
        )
        refused = await edit(
            client, page_id, {"old": "March 3", "new": "x"}, if_unchanged_since=stamp.group(1)
        )
        renamed = await client.call_tool(
            "notion_pages",
            {"operation": "update", "page_id": page_id, "title": "New", "if_unchanged_since": stamp.group(1)},
        )
        now = await call(client, "notion_pages", operation="retrieve", page_id=page_id)
        fresh = re.search(r"edited (\S+)", now)
        assert fresh
        allowed = await edit(
            client, page_id, {"old": "March 3", "new": "May 5"}, if_unchanged_since=fresh.group(1)
        )
    assert refused.is_error and "was edited after" in text_of(refused), text_of(refused)
    assert renamed.is_error and "was edited after" in text_of(renamed), text_of(renamed)
    assert "Nothing was changed" in text_of(refused)
    assert not allowed.is_error, text_of(allowed)


# -- faults at every request position ------------------------------------------------------------
def finishing_calls(text: str) -> list[dict[str, Any]]:
    if "To finish, make these calls" not in text:
        return []
    lines = text.split("To finish, make these calls", 1)[1].splitlines()[1:]
    return [
        json.loads(line.removeprefix("notion_blocks ")) for line in lines if line.startswith("notion_blocks ")
    ]


MULTI = {
    "old": "Owners: Ada.\n\n- First item\n  - Nested item\n- Second item",
    "new": "Owners: Grace.\n\n- Only item\n\nA paragraph.\n\n- Last item",
}
SECTION = {"heading": "Risks", "new": "Risk one changed.\n\nAnother risk.\n\n- Risk two"}


def expected_of(one: dict[str, Any]) -> str:
    if "old" in one:
        return PAGE.replace(one["old"], one["new"])
    return PAGE.replace(RISKS, one["new"] + "\n")


@pytest.mark.parametrize("one", [MULTI, SECTION], ids=["multi-block", "section"])
@pytest.mark.parametrize("when", ["before", "after"])
async def test_a_fault_at_any_request_ends_as_intended_as_before_or_with_the_calls_that_finish(
    one: dict[str, Any], when: str
) -> None:
    expected = expected_of(one)
    async with sandbox_client(max_retries=0) as (client, sandbox):  # a new page for each position
        page_id = await make_page(client)
        clean = await edit(client, page_id, one)
        assert not clean.is_error, text_of(clean)
        total = int(re.search(r"\((\d+) requests\)", text_of(clean)).group(1))  # type: ignore[union-attr]
        assert total >= 5
        for position in range(total):
            page_id = await make_page(client)
            sandbox.faults.add("*", "*", "500", after=position, when=when)
            result = await edit(client, page_id, one)
            sandbox.faults.clear()
            message = text_of(result)
            for finish in finishing_calls(message):
                done = await client.call_tool("notion_blocks", finish)
                assert not done.is_error, (position, text_of(done))
            read = await body(client, page_id)
            if not result.is_error:
                assert same(read, expected), (position, read)
            elif finishing_calls(message):
                assert "part done" in message
                assert same(read, expected), (position, message, read)
            else:
                assert same(read, PAGE), (position, message, read)


# -- no loss: generated edits read back as expected, untouched blocks keep their IDs ------------
WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"]


def page_of(lines: list[str]) -> str:
    return "\n\n".join(lines) + "\n"


@st.composite
def pages_and_edits(draw: st.DrawFn) -> tuple[list[str], list[tuple[int, int, str]]]:
    n = draw(st.integers(3, 7))
    kinds = draw(st.lists(st.sampled_from(["", "- ", "## "]), min_size=n, max_size=n))
    lines = [f"{kinds[i]}{WORDS[i]} line {i}" for i in range(n)]
    first = draw(st.integers(0, n - 1))
    span = draw(st.integers(1, min(2, n - first)))
    new = draw(st.sampled_from(["", "changed words", "one\n\ntwo", "- a list line", "### heading"]))
    return lines, [(first, span, new)]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pages_and_edits())
def test_generated_edits_read_back_as_expected_and_untouched_blocks_keep_their_ids(
    case: tuple[list[str], list[tuple[int, int, str]]],
) -> None:
    lines, edits_ = case

    async def run() -> None:
        async with sandbox_client() as (client, _):
            page_id = await make_page(client, page_of(lines))
            before = await ids(client, page_id)
            first, span, new = edits_[0]
            old = "\n\n".join(lines[first : first + span])
            result = await edit(client, page_id, {"old": old, "new": new})
            assert not result.is_error, text_of(result)
            after = await ids(client, page_id)
            read = await body(client, page_id)
        expected_lines = lines[:first] + ([new] if new else []) + lines[first + span :]
        assert same(read, page_of(expected_lines)), (lines, edits_, read)
        for i, line in enumerate(lines):
            if not first <= i < first + span:
                assert after[line] == before[line], (line, lines, edits_)

    anyio.run(run)
