"""`sync` pushes an edit inside toggles, list items, columns, tables and tabs as a change to that
one block: the other blocks keep their IDs and comments, and the run costs a few requests —
also when cut at every request position."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import pytest
from backup_env import Env, new_env

from notion_mcp.backup import diff
from notion_mcp.errors import NotionMCPError
from notion_mcp.markdown import markdown_to_blocks
from notion_mcp.notion.append import append_tree
from notion_mcp.notion.edit_plan import Insert, Update
from notion_mcp.notion.tree import fetch_tree
from notion_mcp.sandbox import SEED

from .test_sync import WELCOME, sync

pytestmark = pytest.mark.anyio
WRITES = ("PATCH blocks/{id}", "PATCH blocks/{id}/children", "DELETE blocks/{id}")


async def tree(env: Env, page_id: str = SEED.welcome_page_id) -> list[tuple[str, str, int]]:
    """The page's blocks in document order: (ID, text, depth)."""
    read = await fetch_tree(env.gateway, page_id, max_depth=100, max_blocks=10_000)
    out: list[tuple[str, str, int]] = []

    def walk(blocks: list[dict], depth: int) -> None:  # type: ignore[type-arg]
        for block in blocks:
            inner = block.get(block["type"]) or {}
            text = "".join(t["plain_text"] for t in inner.get("rich_text", []))
            text += " | ".join("".join(t["plain_text"] for t in c) for c in inner.get("cells", []))
            out.append((block["id"], text, depth))
            walk(inner.get("children") or [], depth + 1)

    walk(read.blocks, 0)
    return out


def writes(env: Env, since: dict[str, int] | None = None) -> dict[str, int]:
    """Block writes sent (since an earlier count), by endpoint."""
    return {e: env.gateway.usage.by_endpoint[e] - (since or {}).get(e, 0) for e in WRITES}


def edit(path: Path, *pairs: tuple[str, str]) -> None:
    text = path.read_text()
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new, 1)
    path.write_text(text)


async def synced(tmp_path: Path) -> Env:
    env = new_env()
    await sync(env, tmp_path)
    return env


DEEP_EDITS = (
    ("Hidden until opened.", "Hidden no more."),  # a toggle's child
    ("and so do list items", "and so do **items**"),  # a nested list item
    ("Right column", "Right side"),  # in a column
    ("| tabs | yes |", "| tabs | no |"),  # a table row
    ("Content of the second tab.", "The second tab, edited."),  # in a tab
)


async def test_edits_deep_inside_change_only_those_blocks(tmp_path: Path) -> None:
    env = await synced(tmp_path)
    before = await tree(env)
    toggle = next(i for i, t, _ in before if t == "A toggle with hidden content")
    sibling = next(i for i, t, _ in before if t == "Pages nest")
    for block in (toggle, sibling):
        text = [{"text": {"content": "Keep me."}}]
        await env.gateway.create_comment({"parent": {"block_id": block}, "rich_text": text})
    edit(tmp_path / WELCOME, *DEEP_EDITS)
    start = env.requests()
    await tree(env)
    one_read = env.requests() - start  # one request per block holding children, and the page's
    start = env.requests()
    report = await sync(env, tmp_path)
    cost = env.requests() - start
    assert report.ok and report.pushed == 1, report
    after = await tree(env)
    assert [i for i, _, _ in after] == [i for i, _, _ in before]  # every block kept, in place
    changed = {i: t for (i, t, _), (_, was, _) in zip(after, before, strict=True) if t != was}
    assert sorted(changed.values()) == sorted(
        ["Hidden no more.", "and so do items", "Right side", "tabs | no", "The second tab, edited."]
    )
    assert writes(env) == {"PATCH blocks/{id}": 5, "PATCH blocks/{id}/children": 0, "DELETE blocks/{id}": 0}
    # the run: the index, the page object, the tree read for the push, 5 updates, the tree re-read
    assert cost == 1 + 1 + one_read + 5 + one_read
    for block in (toggle, sibling):
        comments = (await env.gateway.list_comments(block))["results"]
        assert "Keep me." in [c["rich_text"][0]["plain_text"] for c in comments]
    assert (await sync(env, tmp_path)).planned == []


async def test_lines_added_and_removed_inside_containers_land_in_place(tmp_path: Path) -> None:
    env = await synced(tmp_path)
    before = await tree(env)
    path = tmp_path / WELCOME
    text = path.read_text()
    text = re.sub(r"(Hidden until opened\. \^\w+\n)", r"\1\nA second hidden line.\n", text)
    text = re.sub(r"\n  - and so do list items \^\w+\n", "\n  - a new nested item\n  - and another\n", text)
    text = re.sub(r"(Left column \^\w+\n)", r"\1\nLeft again.\n", text)
    path.write_text(text)
    report = await sync(env, tmp_path)
    assert report.ok, report
    after = await tree(env)
    texts = [(t, d) for _, t, d in after]
    at = texts.index(("A toggle with hidden content", 0))
    assert texts[at + 1 : at + 3] == [("Hidden until opened.", 1), ("A second hidden line.", 1)]
    at = texts.index(("Pages nest", 0))
    assert texts[at + 1 : at + 3] == [("a new nested item", 1), ("and another", 1)]
    at = texts.index(("Left column", 2))
    assert texts[at + 1] == ("Left again.", 2)
    # the removed item and the first added one are a pair: the item is updated in place
    assert {i for i, _, _ in before} <= {i for i, _, _ in after}
    assert writes(env) == {"PATCH blocks/{id}": 1, "PATCH blocks/{id}/children": 3, "DELETE blocks/{id}": 0}
    assert (await sync(env, tmp_path)).planned == []


NESTED_PAGE = """<details>
<summary>A toggle</summary>

Hidden inside.

- a list item
  - a nested item
  - another nested item

</details>

- Top item
  - Child item

Last line.
"""


async def nested_env(root: Path) -> tuple[Env, str]:
    """A small page of nested blocks (a toggle holding a paragraph and a list), synced to `root`."""
    env = new_env()
    title = {"title": [{"text": {"content": "Nested"}}]}
    parent = {"page_id": SEED.welcome_page_id}
    page = await env.gateway.create_page({"parent": parent, "properties": {"title": title}})
    await append_tree(env.gateway, page["id"], markdown_to_blocks(NESTED_PAGE))
    await sync(env, root, page["id"])
    return env, str(page["id"])


def nested_edits(root: Path) -> None:
    """Inside the toggle: a paragraph and a nested item edited, a line added, a nested item removed."""
    path = root / "Nested.md"
    text = path.read_text()
    text = re.sub(r"Hidden inside\. (\^\w+)\n", r"Hidden, edited here. \1\n\nA line added inside.\n", text)
    text = text.replace("a nested item", "a nested item, edited here", 1)
    text = re.sub(r"\n *- another nested item \^\w+\n", "\n", text)
    path.write_text(text)


async def test_the_nested_scenario_costs_a_known_number_of_requests(tmp_path: Path) -> None:
    """The interruption test below cuts at every position of this run."""
    env, page = await nested_env(tmp_path)
    before = await tree(env, page)
    nested_edits(tmp_path)
    start, sent = env.requests(), writes(env)
    assert (await sync(env, tmp_path, page)).ok
    assert env.requests() - start == RUN_REQUESTS
    expected = {"PATCH blocks/{id}": 2, "PATCH blocks/{id}/children": 1, "DELETE blocks/{id}": 1}
    assert writes(env, sent) == expected
    after = await tree(env, page)
    assert [(t, d) for _, t, d in after] == [
        ("A toggle", 0),
        ("Hidden, edited here.", 1),
        ("A line added inside.", 1),
        ("a list item", 1),
        ("a nested item, edited here", 2),
        ("Top item", 0),
        ("Child item", 1),
        ("Last line.", 0),
    ]
    gone = next(i for i, t, _ in before if t == "another nested item")
    assert {i for i, _, _ in before} - {i for i, _, _ in after} == {gone}


RUN_REQUESTS = 14


@pytest.mark.parametrize("kill_at", range(0, RUN_REQUESTS))
async def test_a_nested_push_interrupted_at_any_request_converges(tmp_path: Path, kill_at: int) -> None:
    env, page = await nested_env(tmp_path)
    before = {i: t for i, t, _ in await tree(env, page)}
    nested_edits(tmp_path)
    fault = env.sandbox.faults.add("*", "*", "500", after=kill_at, count=1)
    with contextlib.suppress(NotionMCPError):
        await sync(env, tmp_path, page)
    assert fault.fired == 1  # the run was cut at request `kill_at` (every position is tried)
    env.sandbox.faults.clear()
    report = await sync(env, tmp_path, page)
    assert report.ok, report
    assert (await sync(env, tmp_path, page)).planned == []
    after = await tree(env, page)
    assert [t for _, t, _ in after] == [
        "A toggle",
        "Hidden, edited here.",
        "A line added inside.",
        "a list item",
        "a nested item, edited here",
        "Top item",
        "Child item",
        "Last line.",
    ]  # no line doubled, none lost
    kept = {i for i, t in before.items() if t != "another nested item"}
    assert kept <= {i for i, _, _ in after}  # the edited blocks were updated in place, not remade


def test_a_new_block_before_an_edited_one_is_inserted_and_the_edited_one_kept() -> None:
    """More new blocks than old in a changed run: the extra ones are inserted, not swapped in
    for an old block that a later new block can keep (pure: the plan only)."""
    blocks = markdown_to_blocks("Intro.\n\nOld text.\n")
    remote = [dict(block, id=f"{n:032x}") for n, block in enumerate(blocks)]
    ops, notes = diff.plan(remote, "Intro.\n\n# A new heading\n\nNew text.\n", "page")
    assert notes == []
    assert [type(op).__name__ for op in ops] == ["Insert", "Update"]
    assert ops[0] == Insert("page", remote[0]["id"], markdown_to_blocks("# A new heading\n"))
    assert isinstance(ops[1], Update) and ops[1].block_id == remote[1]["id"]
