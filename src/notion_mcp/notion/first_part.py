"""The part of a new page's content that rides in the page create itself.

Rule: `POST /v1/pages` takes `children` under the same limits as an append (100 top-level
blocks, two levels of nesting below them, 1,000 block elements, 500 KB), so the longest run of
top-level blocks from the start that fits whole goes in the create, and the rest is appended
after it (in order, at the end). Why: a page created and then filled costs a request more and
exists for a moment without its content; most pages fit in the create alone.

A block that does not fit whole (deeper than the levels allowed, or past a limit) ends the run:
it and everything after it are appended, so the page's order is kept.
"""

from __future__ import annotations

import json
from typing import Any

from notion_mcp.notion.plan import DEFAULT_LIMITS, Limits, children_of

Json = dict[str, Any]
_BODY_OVERHEAD = 20_000  # the create's parent, properties, icon and cover (properties are small)


def split(blocks: list[Json], limits: Limits = DEFAULT_LIMITS) -> tuple[list[Json], list[Json]]:
    """(the blocks the create carries, the blocks appended after it)."""
    elements, size = 0, _BODY_OVERHEAD
    for i, block in enumerate(blocks):
        count = _count(block)
        weight = len(json.dumps(block, ensure_ascii=False).encode()) + 2
        fits = (
            i < limits.max_children
            and _height(block) <= limits.max_levels
            and elements + count <= limits.max_elements
            and size + weight <= limits.max_bytes
        )
        if not fits:
            return blocks[:i], blocks[i:]
        elements, size = elements + count, size + weight
    return blocks, []


def _count(block: Json) -> int:
    return 1 + sum(_count(c) for c in children_of(block))


def _height(block: Json) -> int:
    return 1 + max((_height(c) for c in children_of(block)), default=0)
