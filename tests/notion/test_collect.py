"""pagination.collect over a fake listing: what each request asks for and where it stops."""

from __future__ import annotations

from typing import Any

import pytest

from notion_mcp.notion.pagination import collect

pytestmark = pytest.mark.anyio


class Listing:
    """`total` items numbered from 0; the cursor is the next item's number as text."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.asked: list[tuple[str | None, int]] = []

    async def fetch(self, cursor: str | None, size: int) -> dict[str, Any]:
        self.asked.append((cursor, size))
        start = int(cursor) if cursor else 0
        end = min(start + size, self.total)
        more = end < self.total
        return {
            "results": list(range(start, end)),
            "has_more": more,
            "next_cursor": str(end) if more else None,
        }


async def test_each_request_asks_only_for_what_is_still_wanted_and_the_cursor_continues_exactly() -> None:
    listing = Listing(1000)
    found = await collect(listing.fetch, start_cursor=None, limit=250)
    assert listing.asked == [(None, 100), ("100", 100), ("200", 50)]
    assert found.results == list(range(250))
    assert (found.next_cursor, found.has_more, found.seen) == ("250", True, 250)
    assert found.last_page["results"][-1] == 249


async def test_a_page_size_caps_every_request_and_a_start_cursor_is_where_it_begins() -> None:
    listing = Listing(1000)
    found = await collect(listing.fetch, start_cursor="10", limit=70, page_size=30)
    assert listing.asked == [("10", 30), ("40", 30), ("70", 10)]
    assert found.results == list(range(10, 80))


async def test_the_end_of_the_list_stops_it_with_no_cursor() -> None:
    listing = Listing(120)
    found = await collect(listing.fetch, start_cursor=None, limit=1000)
    assert listing.asked == [(None, 100), ("100", 100)]
    assert (len(found.results), found.next_cursor, found.has_more) == (120, None, False)


async def test_keep_reads_whole_pages_counts_what_it_read_and_stops_once_enough_are_kept() -> None:
    listing = Listing(1000)
    found = await collect(listing.fetch, start_cursor=None, limit=3, keep=lambda n: n % 90 == 0)
    assert listing.asked == [(None, 100), ("100", 100)]
    assert found.results == [0, 90, 180] and found.seen == 200


async def test_full_stops_after_a_page_when_the_next_one_would_not_fit() -> None:
    listing = Listing(1000)
    sizes: list[tuple[int, int]] = []

    def full(results: list[Any], upcoming: int) -> bool:
        sizes.append((len(results), upcoming))
        return len(results) + upcoming > 150

    found = await collect(listing.fetch, start_cursor=None, limit=500, full=full)
    assert sizes == [(100, 100)] and listing.asked == [(None, 100)]
    assert (found.next_cursor, found.has_more) == ("100", True)


async def test_no_request_asks_for_more_than_notions_maximum_of_100() -> None:
    listing = Listing(1000)
    sizes: list[int] = []

    def full(results: list[Any], upcoming: int) -> bool:
        sizes.append(upcoming)
        return False

    await collect(listing.fetch, start_cursor=None, limit=300, page_size=500, full=full)
    assert listing.asked == [(None, 100), ("100", 100), ("200", 100)]
    assert sizes == [100, 100]


async def test_full_is_told_the_size_of_the_next_request_and_stopping_keeps_everything_read() -> None:
    listing = Listing(1000)
    sizes: list[tuple[int, int]] = []

    def full(results: list[Any], upcoming: int) -> bool:
        sizes.append((len(results), upcoming))
        return len(results) >= 60

    found = await collect(listing.fetch, start_cursor=None, limit=70, page_size=30, full=full)
    assert sizes == [(30, 30), (60, 10)]  # the page size, then only what is still wanted
    assert listing.asked == [(None, 30), ("30", 30)]
    assert found.results == list(range(60)) and found.seen == 60
    assert found.last_page["next_cursor"] == "60" == found.next_cursor
