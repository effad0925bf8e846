"""Comparing property values: a row's key for upserts, and whether an update would change a row.

Values come in two shapes — what we send (`{"title": [{"text": {"content": …}}]}`) and what
Notion answers (the same plus `plain_text`, full annotations, IDs) — so each type is brought to
one comparable form by `COMPARABLE`. A type without an entry never compares equal: the update is
sent (an extra request is the safe mistake; a skipped change is not).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

Json = dict[str, Any]
_PLAIN_ANNOTATIONS = {"bold": False, "italic": False, "strikethrough": False, "underline": False,
                      "code": False, "color": "default"}  # fmt: skip


def plain_text(items: Any) -> str:
    """The text of a rich-text list in either shape."""
    out = []
    for item in items or []:
        if isinstance(item, dict):
            text = item.get("plain_text")
            if text is None:
                text = (item.get("text") or {}).get("content", "")
            out.append(str(text))
    return "".join(out)


def _runs(items: Any) -> tuple[tuple[str, str, str | None, tuple[tuple[str, Any], ...]], ...]:
    """Rich text as (type, text, link, non-default annotations) runs, neighbours merged."""
    runs: list[tuple[str, str, str | None, tuple[tuple[str, Any], ...]]] = []
    for item in items or []:
        if not isinstance(item, dict):
            continue
        kind = str(item.get("type") or "text")
        link = ((item.get("text") or {}).get("link") or {}).get("url") if kind == "text" else None
        marks = {**_PLAIN_ANNOTATIONS, **(item.get("annotations") or {})}
        style = tuple(sorted((k, v) for k, v in marks.items() if _PLAIN_ANNOTATIONS.get(k) != v))
        text = plain_text([item]) if kind == "text" else str(item.get(kind) or item.get("plain_text") or "")
        if runs and runs[-1][0] == kind == "text" and runs[-1][2:] == (link, style):
            runs[-1] = (kind, runs[-1][1] + text, link, style)
        else:
            runs.append((kind, text, link, style))
    return tuple(runs)


def _number(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _instant(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return datetime.fromisoformat(value)  # takes "Z" too (Python 3.11+)
    except ValueError:
        return value


def _date(value: Any) -> Any:
    if not isinstance(value, dict):
        return None
    return (_instant(value.get("start")), _instant(value.get("end")))


def _ids(value: Any) -> frozenset[str]:
    return frozenset(str(v.get("id", "")).replace("-", "") for v in value or [] if isinstance(v, dict))


def _names(value: Any) -> frozenset[str]:
    return frozenset(str(v.get("name")) for v in value or [] if isinstance(v, dict))


def _name(value: Any) -> Any:
    return value.get("name") if isinstance(value, dict) else None


def _unique_id(value: Any) -> Any:
    return value.get("number") if isinstance(value, dict) else value


def _text(value: Any) -> Any:
    return value or None


COMPARABLE: dict[str, Callable[[Any], Any]] = {
    "title": _runs,
    "rich_text": _runs,
    "number": _number,
    "select": _name,
    "status": _name,
    "multi_select": _names,
    "checkbox": bool,
    "date": _date,
    "url": _text,
    "email": _text,
    "phone_number": _text,
    "people": _ids,
    "relation": _ids,
}

KEYS: dict[str, Callable[[Any], Any]] = {
    "title": plain_text,
    "rich_text": plain_text,
    "number": _number,
    "url": _text,
    "email": _text,
    "phone_number": _text,
    "unique_id": _unique_id,
}


def key_of(kind: str, prop: Any) -> Any:
    """A property value's key (hashable; None when empty), from either shape: `{kind: …}`."""
    if not isinstance(prop, dict) or kind not in KEYS:
        return None
    value = KEYS[kind](prop.get(kind))
    return None if value in ("", None) else value


def same_values(changes: Json, row: Json) -> bool:
    """True when sending `changes` (an update body) to `row` would change nothing."""
    if set(changes) - {"properties"}:
        return False  # icon, cover, trash, content: not compared, so sent
    current = row.get("properties") or {}
    for name, wanted in (changes.get("properties") or {}).items():
        have = current.get(name) or {}
        kind = str(have.get("type"))
        compare = COMPARABLE.get(kind)
        if compare is None or not isinstance(wanted, dict) or kind not in wanted:
            return False
        if compare(wanted[kind]) != compare(have.get(kind)):
            return False
    return True
