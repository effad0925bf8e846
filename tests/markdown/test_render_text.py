"""The markdown text itself, where a round trip cannot tell: a numbered list counts up (a list of
"1." items reads back the same), and a paragraph starting with a list marker is escaped."""

from __future__ import annotations

from typing import Any

import pytest

from notion_mcp.markdown import blocks_to_markdown, markdown_to_blocks


def block(kind: str, text: str) -> dict[str, Any]:
    return {"type": kind, kind: {"rich_text": [{"type": "text", "text": {"content": text}}]}}


def test_a_numbered_list_counts_up_and_starts_again_after_another_block() -> None:
    items = [block("numbered_list_item", x) for x in "abc"]
    markdown = blocks_to_markdown([*items, block("paragraph", "between"), *items[:2]])
    assert markdown == "1. a\n2. b\n3. c\n\nbetween\n\n1. a\n2. b\n"


@pytest.mark.parametrize("marker", ["+", "-", "*", "#", ">"])
def test_a_paragraph_starting_with_a_block_marker_stays_a_paragraph(marker: str) -> None:
    markdown = blocks_to_markdown([block("paragraph", f"{marker} x")])
    assert markdown == f"\\{marker} x\n"
    assert [b["type"] for b in markdown_to_blocks(markdown)] == ["paragraph"]
