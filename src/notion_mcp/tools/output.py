"""Shaping results for a model: JSON or markdown, continuation hints, the response budget.

The budget (NOTION_MCP_MAX_OUTPUT_CHARS) holds for every answer, notes included: `fit` and
`json_list` cut at a whole row, block or result and leave room for the note that says how to get
the rest; a single piece larger than the whole budget is cut inside, saying so; and
`within_budget`, applied to every tool's answer, cuts anything still over (an answer that cannot
be split at a boundary) with a note that says so — never silently; a JSON answer at whole items,
staying valid JSON, with the note in its `answer_cut` field (`json_budget.py`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from notion_mcp.tools.json_budget import json_within_budget


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
    """Join `pieces` (whole blocks, whole rows) into at most `budget` characters.

    When they do not all fit, the output stops at a piece boundary and ends with
    `continuation(i)`, where i is the index of the first piece left out (its length counted). When
    not even the first piece fits, it is cut inside, marked, and the rest continues from piece 1.
    """
    base = [head] if head else []
    if len(sep.join([*base, *pieces])) <= budget:
        return sep.join([*base, *pieces])
    ends = [len(head)]  # ends[i]: length of the output holding the first i pieces
    for i, piece in enumerate(pieces):
        ends.append(ends[-1] + (len(sep) if base or i else 0) + len(piece))
    best = max(k for k, end in enumerate(ends) if end <= budget)
    for i in range(best, 0, -1):
        note = continuation(i)
        if ends[i] + len(sep) + len(note) <= budget:
            return sep.join([*base, *pieces[:i], note])
    note = continuation(1)
    room = budget - len(head) - 2 * len(sep) - len(note) - len(_INSIDE_CUT) - 12
    if room < budget // 4:  # the note alone nearly fills the budget: the way on matters more
        return sep.join([*base, *pieces[: max(best, 1)], continuation(max(best, 1))])
    first = pieces[0]
    return sep.join([*base, first[:room] + _INSIDE_CUT.format(len(first) - room), note])


_INSIDE_CUT = "…[{:,} more characters of this item: over the response budget]"


CUT_NOTE = "[output cut at "  # how every cut note that says where the rest is begins


def within_budget(text: str, budget: int) -> str:
    """`text`, or its first part and a note saying it was cut, so that the answer fits `budget`.

    A cut note already in the text (saying how to get the rest) is kept whole: the text before it
    is shortened instead. Only when that note alone is over the budget (a cut inside a long first
    listing page, whose remaining block IDs it lists) is the text returned as it is, because a
    way to the rest matters more than the budget. A JSON answer is cut at whole items and stays
    valid JSON (`json_budget`)."""
    if len(text) <= budget:
        return text
    if text.startswith(("{", "[")):
        cut = json_within_budget(text, budget)
        if cut is not None:
            return cut
    at = text.rfind(CUT_NOTE)
    kept_note = text[at:] if at >= 0 else ""
    note = (
        f"\n[answer cut at {{}} of {len(text):,} characters: the response budget is {budget:,} "
        "(NOTION_MCP_MAX_OUTPUT_CHARS). Ask for less (page_size, max_blocks, a narrower filter, "
        "format=markdown) or raise the budget.]"
    )
    keep = budget - len(note.format(f"{budget:,}")) - len(kept_note) - 1
    if keep < budget // 4:
        return text
    return text[:keep] + note.format(f"{keep:,}") + ("\n" + kept_note if kept_note else "")


def json_list(results: list[Any], budget: int, extra: dict[str, Any]) -> str:
    """A JSON list result, cut at an item boundary when over budget (with a note saying so)."""
    body = {**extra, "results": results}
    text = as_json(body)
    if len(text) <= budget:
        return text

    def cut_at(n: int) -> str:
        if n == 0:
            note = (
                f"the first of {len(results)} results alone is over the response budget ({budget:,} "
                "characters): use format=markdown, or raise NOTION_MCP_MAX_OUTPUT_CHARS"
            )
        else:
            note = (
                f"output cut at {n} of {len(results)} results to stay within the response budget: "
                f"call again with page_size={n} to page through the rest"
            )
        return as_json({**extra, "results": results[:n], "truncated": note})

    n = 0
    used = len(cut_at(0)) + 40  # the envelope and the longest note
    for item in results:
        used += len(as_json(item)) + 1
        if used > budget:
            break
        n += 1
    while n > 0 and len(cut_at(n)) > budget:
        n -= 1
    return cut_at(n)
