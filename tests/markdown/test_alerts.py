"""Quotes and GitHub alerts read as Notion quotes and callouts, whatever the alert's case or line break.

Expected blocks written out (not computed by the code under test).
"""

from __future__ import annotations

from typing import Any

import pytest

from notion_mcp.markdown import markdown_to_blocks

from .test_mentions import PLAIN


def _text(content: str) -> list[dict[str, Any]]:
    return [{"type": "text", "text": {"content": content, "link": None}, "annotations": PLAIN}]


def _callout(content: str, emoji: str, color: str, **more: Any) -> dict[str, Any]:
    value = {"rich_text": _text(content), "icon": {"type": "emoji", "emoji": emoji}, "color": color, **more}
    return {"type": "callout", "callout": value}


def _paragraph(content: str) -> dict[str, Any]:
    return {"type": "paragraph", "paragraph": {"rich_text": _text(content), "color": "default"}}


@pytest.mark.parametrize("marker", ["[!NOTE]", "[!note]", "[!Note]  "])  # any case; a hard break too
def test_an_alert_becomes_a_callout_whatever_its_case(marker: str) -> None:
    assert markdown_to_blocks(f"> {marker}\n> Remember") == [
        _callout("Remember", "\u2139\ufe0f", "blue_background")
    ]


def test_an_alerts_later_paragraphs_are_the_callouts_children() -> None:
    assert markdown_to_blocks("> [!TIP]\n> first\n>\n> second") == [
        _callout("first", "\U0001f4a1", "green_background", children=[_paragraph("second")])
    ]


def test_a_quotes_later_paragraphs_are_its_children() -> None:
    quote = {"rich_text": _text("a"), "color": "default", "children": [_paragraph("b")]}
    assert markdown_to_blocks("> a\n>\n> b") == [{"type": "quote", "quote": quote}]
