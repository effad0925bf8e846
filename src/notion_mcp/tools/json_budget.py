"""The last-resort response budget for JSON answers: cut whole items, stay valid JSON, say so.

Producers cut their own lists at a boundary with the exact way on (`output.json_list`, the tree
cut, an append's IDs); this guard holds the budget for whatever is still over (a database's
schema with its views, a property's items, a bulk answer's rows, comments on many blocks). It
never cuts inside a string or a number: it keeps the answer's first part, in document order, up
to the last whole item (row, block, field) that fits — descending into the item that does not fit
to keep its own first items when it is a field of an object or a list's first item alone over —
and adds one field, `answer_cut`, that names every list or object cut short (where, how many
items kept of how many) and how to get the rest. One pass: each item is measured once per level.
"""

from __future__ import annotations

import json
from typing import Any

CUT_FIELD = "answer_cut"
TOP = "(the answer)"
NAMED = 4  # cuts named in the note; more are counted

Cuts = dict[str, tuple[int, int, str, bool]]  # where → (kept, there were, items/fields, last cut inside)


def _size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def _first_part(value: Any, path: str, room: int, cuts: Cuts) -> tuple[Any, int] | None:
    """The longest first part of `value` within `room` characters and its size, or None when
    nothing of it fits. Whole list items (rows, blocks), except a first one alone over the room;
    an object's field that does not fit keeps its own first part (a string or number is whole or
    nothing)."""
    size = _size(value)
    if size <= room:
        return value, size
    if not isinstance(value, (list, dict)):
        return None
    pairs = list(value.items()) if isinstance(value, dict) else list(enumerate(value))
    kept: list[tuple[Any, Any]] = []
    used = 2  # the brackets
    for key, item in pairs:
        label = _size(str(key)) + 1 if isinstance(value, dict) else 0  # "key":
        comma = 1 if kept else 0
        whole = _size(item)
        if used + comma + label + whole <= room:
            kept.append((key, item))
            used += comma + label + whole
            continue
        if not kept or isinstance(value, dict):  # a first item alone over, or a field: its first part
            where = (
                f"{path}[{key}]" if isinstance(value, list) else str(key) if path == TOP else f"{path}.{key}"
            )
            inner = _first_part(item, where, room - used - label, cuts)
            if inner is not None:
                kept.append((key, inner[0]))
                used += label + inner[1]
        break
    if not kept and path != TOP:
        return None
    kind = "fields" if isinstance(value, dict) else "items"
    inside = bool(kept) and kept[-1][1] is not pairs[len(kept) - 1][1]
    cuts[path] = (len(kept), len(pairs), kind, inside)
    if isinstance(value, dict):
        return dict(kept), used
    return [item for _, item in kept], used


def _note(cuts: Cuts, size: int, budget: int) -> str:
    parts = [
        f"{where}: first {kept} of {total} {kind}{' (the last cut inside)' if inside else ''}"
        for where, (kept, total, kind, inside) in reversed(cuts.items())  # outer ones first
    ]
    if len(parts) > NAMED:
        parts[NAMED:] = [f"and {len(parts) - NAMED} more lists or objects inside cut short"]
    return (
        f"answer cut from {size:,} characters to the response budget of {budget:,} "
        f"(NOTION_MCP_MAX_OUTPUT_CHARS), at whole items — {'; '.join(parts)}. For the rest: ask for "
        "less (page_size, max_blocks, a narrower filter), use format=markdown, or raise the budget."
    )


def json_within_budget(text: str, budget: int) -> str | None:
    """`text` (a JSON answer) cut to `budget` characters at whole items with `answer_cut` saying
    what was left out, or None when it is not a JSON object or list."""
    if len(text) <= budget:
        return text
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, (dict, list)):
        return None
    root: dict[str, Any] = data if isinstance(data, dict) else {"results": data}
    reserve = len(_note({"x" * 60: (0, 0, "items", False)}, len(text), budget)) + 40
    while reserve < budget:
        cuts: Cuts = {}
        part = _first_part(root, TOP, budget - reserve, cuts)
        kept = part[0] if part is not None else {}
        note = _note(cuts, len(text), budget)
        out = json.dumps({**kept, CUT_FIELD: note}, ensure_ascii=False, separators=(",", ":"))
        if len(out) <= budget:
            return out
        reserve += max(200, len(out) - budget)  # the note came out longer than reserved
    return None
