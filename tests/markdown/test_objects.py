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


def test_the_header_shows_icon_cover_and_the_trash_and_dates_their_time_zone() -> None:
    page = {
        "object": "page",
        "id": "1a2b3c4d-5e6f-4000-8000-0000000000aa",
        "in_trash": True,
        "icon": {"type": "emoji", "emoji": "🚀"},
        "cover": {
            "type": "file",
            "file": {"url": "https://prod-files-secure.s3.amazonaws.com/x?sig=" + "f" * 300},
        },
        "properties": {
            "Due": {"type": "date", "date": {"start": "2026-03-01T10:00:00", "time_zone": "Europe/Berlin"}},
        },
    }
    text = page_to_markdown(page)
    assert "· icon 🚀 · cover (file) · in the trash" in text
    assert "sig=" not in text  # a signed file link is not paid for in a header
    assert "- Due: 2026-03-01T10:00:00 (Europe/Berlin)" in text


TARGET = "1a2b3c4d-5e6f-4000-8000-0000000000cc"


def test_a_schema_says_where_relations_point_and_what_formulas_and_rollups_compute() -> None:
    from notion_mcp.markdown import database_to_markdown

    source = {
        "object": "data_source",
        "id": "1a2b3c4d-5e6f-4000-8000-0000000000bb",
        "title": [{"plain_text": "Tasks", "type": "text"}],
        "properties": {
            "Blocks": {"type": "relation", "relation": {"data_source_id": TARGET}},
            "Double": {"type": "formula", "formula": {"expression": 'prop("Points") * 2'}},
            "Total": {"type": "rollup", "rollup": {"function": "sum", "rollup_property_name": "Points",
                                                   "relation_property_name": "Blocks"}},
            "Price": {"type": "number", "number": {"format": "dollar"}},
        },
    }  # fmt: skip
    text = database_to_markdown(
        {"object": "database", "id": "1a2b3c4d-5e6f-4000-8000-0000000000aa"}, [source]
    )
    assert "- Blocks (relation, to data source 1a2b3c4d5e6f400080000000000000cc)" in text
    assert '- Double (formula, = prop("Points") * 2)' in text
    assert "- Total (rollup, sum of Points via Blocks)" in text
    assert "- Price (number, dollar)" in text
