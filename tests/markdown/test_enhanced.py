"""Notion's enhanced markdown (its markdown endpoints' dialect) read into blocks, and written."""

from __future__ import annotations

from typing import Any

from notion_mcp.markdown import blocks_to_markdown
from notion_mcp.markdown.enhanced import blocks_to_enhanced, enhanced_to_blocks

# The "complete example" of Notion's "Enhanced markdown format" guide, and its other forms
GUIDE = """# Project kickoff {color="blue"}
<callout icon="🎯" color="blue_bg">
\tShip the MVP by **Friday**.
</callout>
- [x] Write spec
- [ ] Build prototype {color="red"}
\t- nested under the to-do
<details>
<summary>More</summary>
\tHidden <span color="green_bg">text</span>
</details>
<empty-block/>
<table header-row="true">
\t<tr>
\t\t<td>Status</td>
\t\t<td>Owner</td>
\t</tr>
\t<tr>
\t\t<td>In progress</td>
\t\t<td>Ada</td>
\t</tr>
</table>
<columns>
\t<column>
\t\tLeft
\t</column>
\t<column>
\t\tRight
\t</column>
</columns>
```python
def greet(name):
    return name
```
<unknown url="https://www.notion.so/0123456789abcdef0123456789abcdef#{BLOCK}" alt="bookmark"/>""".replace(
    "{BLOCK}", "89abcdef0123456789abcdef01234567"
)


def kinds(blocks: list[dict[str, Any]]) -> list[str]:
    return [b["type"] for b in blocks]


def test_the_guides_forms_read_as_blocks() -> None:
    blocks = enhanced_to_blocks(GUIDE)
    assert kinds(blocks) == [
        "heading_1", "callout", "to_do", "to_do", "toggle", "paragraph", "table", "column_list", "code",
        "unknown",
    ]  # fmt: skip
    assert blocks[0]["heading_1"]["color"] == "blue"
    assert blocks[1]["callout"]["color"] == "blue_background"
    assert blocks[1]["callout"]["icon"] == {"type": "emoji", "emoji": "🎯"}
    assert blocks[3]["to_do"]["color"] == "red"
    assert kinds(blocks[3]["to_do"]["children"]) == ["bulleted_list_item"]
    hidden = blocks[4]["toggle"]["children"][0]["paragraph"]["rich_text"]
    assert hidden[-1]["annotations"]["color"] == "green_background"
    assert blocks[5]["paragraph"]["rich_text"] == []
    assert blocks[6]["table"]["has_column_header"] is True
    assert len(blocks[6]["table"]["children"]) == 2
    assert blocks[8]["code"]["language"] == "python"
    assert "    return name" in blocks[8]["code"]["rich_text"][0]["text"]["content"]
    assert blocks[9]["id"] == "89abcdef-0123-4567-89ab-cdef01234567"


def test_written_and_read_back_it_renders_as_the_blocks_do() -> None:
    blocks = [b for b in enhanced_to_blocks(GUIDE) if b["type"] != "unknown"]

    def children(block: dict[str, Any]) -> list[dict[str, Any]]:
        return list(block[block["type"]].get("children") or [])

    written = blocks_to_enhanced(blocks, children, "https://www.notion.so/page")
    assert written.unknown_block_ids == [] and not written.truncated
    assert blocks_to_markdown(enhanced_to_blocks(written.markdown)) == blocks_to_markdown(blocks)


def test_past_the_limit_blocks_are_unknown_and_the_answer_truncated() -> None:
    blocks = [{"id": f"{n:032x}", "type": "paragraph", "paragraph": {"rich_text": []}} for n in range(4)]
    written = blocks_to_enhanced(blocks, lambda b: [], "https://www.notion.so/page", limit=2)
    assert written.truncated
    assert len(written.unknown_block_ids) == 2
