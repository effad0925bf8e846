"""Object summaries: what a page header says when Notion cut a property's values."""

from __future__ import annotations

from notion_mcp.markdown import page_to_markdown


def test_a_property_cut_at_25_values_says_how_to_get_them_all() -> None:
    related = [{"id": f"1a2b3c4d-5e6f-4000-8000-{n:012d}"} for n in range(25)]
    page = {
        "object": "page",
        "id": "1a2b3c4d-5e6f-4000-8000-0000000000aa",
        "properties": {
            "Name": {"id": "title", "type": "title", "title": [{"plain_text": "Hub", "type": "text"}]},
            "Links": {"id": "r", "type": "relation", "relation": related, "has_more": True},
            "Tags": {"id": "t", "type": "multi_select", "multi_select": [{"name": "a"}]},
        },
    }
    text = page_to_markdown(page)
    assert "- Links: " in text and "…(more)" in text
    assert (
        "(Links: Notion sends the first 25 values; notion_pages retrieve with retrieve_property_item_id="
        in text
    )
    assert "Tags:" not in text.split("(Links")[1]
