"""Shaping results for a model: JSON or markdown, continuation hints, the response budget."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any


def as_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def more_hint(next_cursor: str | None, has_more: bool) -> str:
    """The plain sentence that tells a model how to get the next page."""
    if has_more and next_cursor:
        return f"more: call again with the same arguments plus start_cursor={next_cursor}"
    if has_more:
        return "more results exist, but Notion gave no cursor to continue with"
    return ""


def join(*parts: str) -> str:
    return "\n\n".join(p for p in parts if p)


def fit(
    pieces: Sequence[str],
    budget: int,
    continuation: Callable[[int], str],
    *,
    head: str = "",
    sep: str = "\n",
) -> str:
    """Join `pieces` (whole blocks, whole rows) into at most about `budget` characters.

    When they do not all fit, the output stops at a piece boundary and ends with
    `continuation(i)`, where i is the index of the first piece left out.
    """
    out: list[str] = [head] if head else []
    used = len(head)
    for i, piece in enumerate(pieces):
        if used + len(piece) + len(sep) > budget and i > 0:
            out.append(continuation(i))
            return sep.join(out)
        out.append(piece)
        used += len(piece) + len(sep)
    return sep.join(out)


def json_list(results: list[Any], budget: int, extra: dict[str, Any]) -> str:
    """A JSON list result, cut at an item boundary when over budget (with a note saying so)."""
    body = {**extra, "results": results}
    text = as_json(body)
    if len(text) <= budget:
        return text
    kept: list[Any] = []
    used = 200
    for item in results:
        size = len(as_json(item)) + 1
        if used + size > budget and kept:
            break
        kept.append(item)
        used += size
    note = (
        f"output cut at {len(kept)} of {len(results)} results to stay within the response budget: "
        f"call again with page_size={max(1, len(kept))} to page through the rest"
    )
    return as_json({**extra, "results": kept, "truncated": note})
