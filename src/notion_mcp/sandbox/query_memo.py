"""Remembered data source query results, so paging through a query costs the page, not the data source.

A query's result is the ordered list of the IDs of the rows it matches. That list depends only
on what the store holds, the data source, the body's ``filter`` and ``sorts``, the API version
and the UTC day (relative date conditions such as ``past_week`` count days from today).
:func:`matching_ids` remembers lists under that key for the store's current
:meth:`~notion_mcp.sandbox.store.Store.write_version`: any write anywhere in the store forgets
them all, so a page asked for after a write is computed afresh, exactly like a first page.
Continuation pages of an unchanged store then only load and render their own rows.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from weakref import WeakKeyDictionary

from notion_mcp.sandbox.store import Store

MAX_LISTS = 16  # per store; the least recently used list goes first

Key = tuple[str, str, str, str]


@dataclass
class _Memo:
    version: tuple[int, int] | None = None
    lists: OrderedDict[Key, tuple[str, ...]] = field(default_factory=OrderedDict)


_MEMOS: WeakKeyDictionary[Store, _Memo] = WeakKeyDictionary()


def matching_ids(
    store: Store,
    api_version: str,
    ds_id: str,
    flt: Any,
    sorts: Any,
    compute: Callable[[datetime], list[str]],
) -> tuple[str, ...]:
    """The ordered IDs ``compute(now)`` gives for this query, remembered until the store changes.

    ``compute`` may raise (an invalid filter): nothing is remembered then.
    """
    now = datetime.now(UTC)
    key: Key = (api_version, ds_id, json.dumps([flt, sorts]), now.date().isoformat())
    memo = _MEMOS.setdefault(store, _Memo())
    version = store.write_version()
    if memo.version != version:
        memo.version = version
        memo.lists.clear()
    if key in memo.lists:
        memo.lists.move_to_end(key)
        return memo.lists[key]
    ids = tuple(compute(now))
    if store.write_version() == version:  # computing wrote nothing (it never should)
        memo.lists[key] = ids
        if len(memo.lists) > MAX_LISTS:
            memo.lists.popitem(last=False)
    return ids
