"""The cursor registry: which cursors it accepts, and for which listing."""

from __future__ import annotations

import pytest

from notion_mcp.errors import InputError
from notion_mcp.notion.gateway import listing_of
from notion_mcp.notion.pagination import CursorRegistry, check_page_size

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


def test_a_cursor_is_forgotten_only_once_past_the_capacity() -> None:
    cursors = CursorRegistry(capacity=2)
    cursors.remember("c1", QUERY)
    cursors.remember("c2", QUERY)
    assert cursors.check("c1") == "c1"  # two fit in a capacity of two
    cursors.remember("c3", QUERY)
    assert cursors.check("c2") == "c2" and cursors.check("c3") == "c3"


# What a model reads for each bad cursor: the field, the value, and what to send instead.
@pytest.mark.parametrize(
    ("cursor", "message"),
    [
        (
            5,
            "start_cursor: 5 is not a cursor. For the first page omit start_cursor; "
            "for the next page pass the next_cursor value of the previous result.",
        ),
        (
            " Null ",
            "start_cursor: ' Null ' is not a cursor. To start from the first page, omit start_cursor "
            "entirely (do not send null-like strings).",
        ),
        (
            "c9",
            "start_cursor: 'c9' is not a cursor this server issued. Call again without start_cursor "
            "to start from the first page, or pass next_cursor exactly as returned.",
        ),
    ],
)
def test_each_bad_cursor_is_refused_saying_what_to_send_instead(cursor: object, message: str) -> None:
    cursors = CursorRegistry()
    cursors.remember("c1", QUERY)
    with pytest.raises(InputError) as caught:
        cursors.check(cursor)
    assert str(caught.value) == message
    assert cursors.check(None) is None


def test_a_cursor_of_another_listing_is_refused_naming_both_listings() -> None:
    cursors = CursorRegistry()
    cursors.remember("c1", "GET blocks/a/children")
    cursors.check_listing("c2", QUERY)  # unknown here: `check` refuses it, before any request
    with pytest.raises(InputError) as caught:
        cursors.check_listing("c1", QUERY)
    assert str(caught.value) == (
        f"start_cursor: this cursor continues another listing (GET blocks/a/children), not this one "
        f"({QUERY}). Call again with the same arguments as the call that returned it (filter, sorts, "
        "query and ID unchanged) plus start_cursor, or omit start_cursor to start this listing from "
        "its first page."
    )


@pytest.mark.parametrize("size", [1, 50, 100, None])
def test_a_page_size_from_1_to_100_is_taken_as_given(size: int | None) -> None:
    assert check_page_size(size) == size


@pytest.mark.parametrize("size", [0, 101, -1, True, 2.0, "10"])
def test_any_other_page_size_is_refused_naming_the_range(size: object) -> None:
    with pytest.raises(InputError) as caught:
        check_page_size(size)
    assert str(caught.value) == f"page_size: must be a whole number from 1 to 100; got {size!r}."
