"""IDs shown to the model are compact (32 hex, no dashes) wherever a result echoes them."""

from __future__ import annotations

from notion_mcp.markdown.ids import shown_ids, shown_in

DASHED = "01234567-89AB-cdef-0123-456789abcdef"
COMPACT = "0123456789abcdef0123456789abcdef"


def test_every_dashed_id_in_a_message_is_shown_compact() -> None:
    text = f"Could not find block with ID: {DASHED}. Also {DASHED}!"
    assert shown_ids(text) == f"Could not find block with ID: {COMPACT}. Also {COMPACT}!"
    assert shown_ids(f"no id here, {COMPACT} already compact") == f"no id here, {COMPACT} already compact"


def test_echoed_arguments_show_ids_compact_but_leave_blocks_and_other_values_alone() -> None:
    children = [{"type": "link_to_page", "link_to_page": {"page_id": DASHED}}]
    given = {
        "page_id": DASHED,
        "ids": [DASHED, "x"],
        "nested": {"parent": {"page_id": DASHED}, "title": f"about {DASHED}"},
        "children": children,
        "page_size": 5,
        "flag": None,
    }
    assert shown_in(given) == {
        "page_id": COMPACT,
        "ids": [COMPACT, "x"],
        "nested": {"parent": {"page_id": COMPACT}, "title": f"about {DASHED}"},  # only whole-ID strings
        "children": children,  # Notion blocks are sent as they are
        "page_size": 5,
        "flag": None,
    }
