"""The cursor registry: which cursors it accepts, and for which listing."""

from __future__ import annotations

import pytest

from notion_mcp.errors import InputError
from notion_mcp.notion.gateway import listing_of
from notion_mcp.notion.pagination import CursorRegistry

QUERY = "POST data_sources/x/query"


def test_a_cursor_is_accepted_for_the_listing_it_came_from_whatever_the_page_size() -> None:
    cursors = CursorRegistry()
    first = listing_of("POST", "data_sources/x/query", {"filter": {"a": 1}, "page_size": 2}, None)
    cursors.remember("c1", first)
    later = listing_of(
        "POST", "data_sources/x/query", {"filter": {"a": 1}, "start_cursor": "c1", "page_size": 50}, None
    )
    assert later == first
    cursors.check_listing("c1", later)


def test_a_cursor_two_listings_issued_continues_either() -> None:
    cursors = CursorRegistry()
    cursors.remember("c1", f'{QUERY} {{"filter":1}}')
    cursors.remember("c1", f'{QUERY} {{"filter":2}}')
    cursors.check_listing("c1", f'{QUERY} {{"filter":1}}')
    cursors.check_listing("c1", f'{QUERY} {{"filter":2}}')
    with pytest.raises(InputError, match="continues another listing"):
        cursors.check_listing("c1", QUERY)


def test_the_oldest_cursors_are_forgotten_past_the_capacity() -> None:
    cursors = CursorRegistry(capacity=2)
    for c in ("c1", "c2", "c3"):
        cursors.remember(c, QUERY)
    with pytest.raises(InputError, match="not a cursor this server issued"):
        cursors.check("c1")
    assert cursors.check("c3") == "c3"
