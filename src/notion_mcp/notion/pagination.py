"""Cursors and page sizes: checked before any request.

Notion's cursors are opaque. A model sometimes sends `"null"`, `"undefined"`, `""` or a cursor
it made up; Notion answers those with a bare validation_error, or (worse, after the SDK's JSON
pre-parsing) pagination silently restarts. So every cursor Notion hands out is remembered
here, and only those are accepted back.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from notion_mcp.errors import InputError

NULL_LIKE = frozenset({"", "null", "none", "undefined", "nil", "false", "0", "nan"})
MAX_PAGE_SIZE = 100


class CursorRegistry:
    """The cursors this process has issued, each with the listings it continues (bounded, oldest
    forgotten first). A listing is the request without its paging fields: the same endpoint,
    object, filter, sorts and query. A cursor passed to another listing is refused: Notion would
    take it and answer rows of the other listing (a model that drops the filter gets wrong rows)."""

    def __init__(self, capacity: int = 10_000) -> None:
        self._seen: OrderedDict[str, set[str]] = OrderedDict()
        self._capacity = capacity

    def remember(self, cursor: str | None, listing: str) -> None:
        if not cursor:
            return
        self._seen.setdefault(cursor, set()).add(listing)
        self._seen.move_to_end(cursor)
        while len(self._seen) > self._capacity:
            self._seen.popitem(last=False)

    def check(self, cursor: object, field: str = "start_cursor") -> str | None:
        """The cursor to send, None for the first page, or an InputError."""
        if cursor is None:
            return None
        if not isinstance(cursor, str):
            raise InputError(
                f"{field}: {cursor!r} is not a cursor. For the first page omit {field}; "
                f"for the next page pass the next_cursor value of the previous result."
            )
        if cursor.strip().lower() in NULL_LIKE:
            raise InputError(
                f"{field}: {cursor!r} is not a cursor. To start from the first page, omit {field} "
                "entirely (do not send null-like strings)."
            )
        if cursor not in self._seen:
            raise InputError(
                f"{field}: {cursor!r} is not a cursor this server issued. Call again without "
                f"{field} to start from the first page, or pass next_cursor exactly as returned."
            )
        return cursor

    def check_listing(self, cursor: str, listing: str, field: str = "start_cursor") -> None:
        """Refuse `cursor` for a listing it was not issued for, saying which one it continues."""
        issued = self._seen.get(cursor)
        if not issued or listing in issued:
            return
        was = sorted(issued)[0]
        raise InputError(
            f"{field}: this cursor continues another listing ({was}), not this one ({listing}). "
            "Call again with the same arguments as the call that returned it (filter, sorts, query "
            f"and ID unchanged) plus {field}, or omit {field} to start this listing from its first page."
        )


def check_page_size(value: object, field: str = "page_size") -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_PAGE_SIZE:
        raise InputError(f"{field}: must be a whole number from 1 to {MAX_PAGE_SIZE}; got {value!r}.")
    return value


Fetch = Callable[[str | None, int], Awaitable[dict[str, Any]]]


@dataclass
class Collected:
    results: list[Any]
    next_cursor: str | None
    has_more: bool
    last_page: dict[str, Any]
    seen: int  # items read, kept or not


async def collect(
    fetch: Fetch,
    *,
    start_cursor: str | None,
    limit: int,
    page_size: int | None = None,
    keep: Callable[[Any], bool] | None = None,
    full: Callable[[list[Any], int], bool] | None = None,
) -> Collected:
    """Follow cursors until `limit` results are kept or the list ends.

    Each request asks for no more than is still wanted, so the returned cursor continues exactly
    after the last result (nothing is skipped). Stops, rather than loops, when Notion says
    has_more without a cursor. `full(results, next_size)` True after a page (the next page of
    `next_size` would make the answer too big) stops there too, the cursor continuing exactly.
    """
    results: list[Any] = []
    cursor, seen = start_cursor, 0
    while True:
        wanted = MAX_PAGE_SIZE if keep else limit - len(results)
        page = await fetch(cursor, min(page_size or MAX_PAGE_SIZE, wanted, MAX_PAGE_SIZE))
        batch = list(page.get("results") or [])
        seen += len(batch)
        results += [r for r in batch if keep(r)] if keep else batch
        cursor, more = page.get("next_cursor"), bool(page.get("has_more"))
        if not more or not cursor or len(results) >= limit:
            return Collected(results, cursor, more, page, seen)
        upcoming = min(page_size or MAX_PAGE_SIZE, limit - len(results), MAX_PAGE_SIZE)
        if full is not None and full(results, upcoming):
            return Collected(results, cursor, more, page, seen)
