"""Fixture pairs (markdown, blocks JSON) in tests/fixtures/markdown, run in both directions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from notion_mcp.markdown import MarkdownError, blocks_to_markdown, markdown_to_blocks

FIXTURES = Path(__file__).parents[1] / "fixtures" / "markdown"
PAIRS = sorted(FIXTURES.glob("*.md"))


@pytest.mark.parametrize("path", PAIRS, ids=[p.stem for p in PAIRS])
def test_markdown_fixture_parses_to_its_blocks(path: Path) -> None:
    expected = json.loads(path.with_suffix(".json").read_text())
    assert markdown_to_blocks(path.read_text()) == expected


@pytest.mark.parametrize("path", PAIRS, ids=[p.stem for p in PAIRS])
def test_fixture_blocks_render_to_markdown_that_parses_back_and_is_stable(path: Path) -> None:
    blocks = json.loads(path.with_suffix(".json").read_text())
    markdown = blocks_to_markdown(blocks)
    assert markdown_to_blocks(markdown) == blocks
    assert blocks_to_markdown(markdown_to_blocks(markdown)) == markdown


def test_alerts_become_callouts_with_an_emoji() -> None:
    blocks = json.loads((FIXTURES / "github_input.json").read_text())
    assert blocks[0]["callout"]["icon"] == {"type": "emoji", "emoji": "⚠️"}
    assert blocks[2]["code"]["language"] == "typescript"
    assert blocks[3]["code"]["language"] == "plain text"


@pytest.mark.parametrize(
    ("markdown", "line", "words"),
    [
        ("para\n\n<callout>\ntext\n", 3, "never closed"),
        ("a\n\n</details>\n", 3, "closes nothing"),
        ("x\n\n![cap]()\n", 3, "without a URL"),
        ("[x](https://e.test/" + "a" * 2001 + ")\n", 1, "2000"),
        ("$$\n" + "x" * 1001 + "\n$$\n", 1, "1000"),
        ("text ![i](https://e.test/i.png) more\n", 1, "line of its own"),
        ("a\n\n<!-- never closed\n\nb\n", 3, "never closed"),
        ('<table header-row="false"/>\n', 1, "right before its pipe table"),
        ("See [Building](./building.md).\n", 1, 'link "./building.md" is not a full URL'),
        ("x\n\n[top](#intro)\n", 3, "is not a full URL"),
        ('<callout icon=":rocket:">\nx\n\n</callout>\n', 1, "is not an emoji"),
        ('a <span color="violet">b</span>\n', 1, 'color="violet" is not a Notion colour'),
        ('x\n\ntext {color="nope"}\n', 3, "is not a Notion colour"),
        ('<columns>\n\n<column width_ratio="half">\n\nx\n\n</column>\n\n</columns>\n', 3, "give a number"),
        ("| a | b |\n|---|---|\n| 1 | 2 |\n| 1 | 2 | 3 |\n", 4, "3 cells but the header has 2"),
        ("- | a | b |\n  | --- | --- |\n  | 1 | 2 | 3 |\n", 3, "3 cells but the header has 2"),
        ("> - 1. | a |\n>      | --- |\n>      | 1 | 2 |\n", 3, "2 cells but the header has 1"),
        ('<table header-row="false"/>\n\npara\n\n| a |\n| --- |\n', 1, "right before its pipe table"),
        ("- a\n\n  <!-- children not fetched: " + "ab" * 16 + " -->\n", 3, "notion_blocks retrieve"),
        ("a <!-- children not fetched: " + "ab" * 16 + " --> b\n", 1, "left out"),
    ],
)
def test_invalid_markdown_raises_an_error_naming_the_line(markdown: str, line: int, words: str) -> None:
    with pytest.raises(MarkdownError, match=words) as info:
        markdown_to_blocks(markdown)
    assert info.value.line == line
    assert isinstance(info.value, ValueError)


def test_long_text_is_split_into_items_never_truncated_and_many_items_split_the_block() -> None:
    text = "word " * 1000
    blocks = markdown_to_blocks(text)
    contents = [i["text"]["content"] for i in blocks[0]["paragraph"]["rich_text"]]
    assert max(len(c) for c in contents) <= 2000 and "".join(contents) == text.strip()
    many = " ".join(f"**b{i}** p" for i in range(120))
    blocks = markdown_to_blocks(many)
    assert len(blocks) == 3 and all(len(b["paragraph"]["rich_text"]) <= 100 for b in blocks)


def test_a_read_with_unfetched_children_cannot_be_written_back_without_them() -> None:
    text = markdown_to_blocks("Open me")[0]["paragraph"]["rich_text"]
    parent = {"id": "ab" * 16, "type": "toggle", "has_children": True, "toggle": {"rich_text": text}}
    markdown = blocks_to_markdown([parent])
    with pytest.raises(MarkdownError, match=f'block_id="{"ab" * 16}"'):
        markdown_to_blocks(markdown)
    assert markdown_to_blocks(markdown.replace(f"<!-- children not fetched: {'ab' * 16} -->", ""))


@pytest.mark.parametrize(
    ("compact", "spaced"),
    [
        (
            "<columns>\n<column>\nLeft\n</column>\n<column>\nRight\n- a\n</column>\n</columns>\n",
            "<columns>\n\n<column>\n\nLeft\n\n</column>\n\n"
            "<column>\n\nRight\n\n- a\n\n</column>\n\n</columns>\n",
        ),
        (
            "<details>\n<summary>Sum</summary>\nBody **bold**\n- item\n</details>\n",
            "<details>\n<summary>Sum</summary>\n\nBody **bold**\n\n- item\n\n</details>\n",
        ),
        (
            '<tabs>\n<tab title="A">\nIn A\n</tab>\n</tabs>\n',
            '<tabs>\n\n<tab title="A">\n\nIn A\n\n</tab>\n\n</tabs>\n',
        ),
    ],
    ids=["columns", "details", "tabs"],
)
def test_tags_written_without_blank_lines_keep_their_content(compact: str, spaced: str) -> None:
    """Text inside a tag's own HTML block used to be dropped (columns) or swallowed (a summary)."""
    assert markdown_to_blocks(compact) == markdown_to_blocks(spaced)
    rendered = blocks_to_markdown(markdown_to_blocks(compact))
    assert all(word in rendered for word in ("Left", "Right", "Body", "item", "In A") if word in compact)


@pytest.mark.parametrize(
    ("written", "color"),
    [('<details color="Red">\n<summary>s</summary>\n\n</details>\n', "red"),
     ('text {color="Blue Background"}\n', "blue_background"),
     ('text {color="grey"}\n', "gray")],
)  # fmt: skip
def test_a_colour_written_loosely_is_read_as_notions_name(written: str, color: str) -> None:
    block = markdown_to_blocks(written)[0]
    assert block[block["type"]]["color"] == color


@pytest.mark.parametrize(
    "written",
    ["the <b> tag and the <i> tag", "if a<b and c>d then", "a </b> b", "a <b>open only"],
)
def test_html_formatting_tags_without_a_partner_stay_literal_text(written: str) -> None:
    block = markdown_to_blocks(written)[0]
    items = block["paragraph"]["rich_text"]
    assert "".join(i["text"]["content"] for i in items) == written
    assert not any(i["annotations"]["bold"] or i["annotations"]["italic"] for i in items)


@pytest.mark.parametrize(
    ("written", "kind", "text"),
    [
        ('<callout icon="💡">\nWrap it in `<details>` and `</details>`.\n</callout>\n', "callout",
         "Wrap it in <details> and </details>."),
        ("<details>\n<summary>Why `</summary>` matters</summary>\n\nbody\n\n</details>\n", "toggle",
         "Why </summary> matters"),
        ('<callout icon="💡">\nClose it with \\</details>\n\n</callout>\n', "callout",
         "Close it with </details>"),
    ],
)  # fmt: skip
def test_a_tag_in_a_code_span_or_escaped_inside_tag_text_is_text(written: str, kind: str, text: str) -> None:
    block = markdown_to_blocks(written)[0]
    assert block["type"] == kind
    assert "".join(i["text"]["content"] for i in block[kind]["rich_text"]) == text
