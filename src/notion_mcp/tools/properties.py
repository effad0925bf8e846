"""Property values in a simple form, resolved against the schema before any write.

    {"Status": "Done", "Tags": ["a", "b"], "Due": "2026-12-01", "Points": 3, "Done": true}

becomes Notion's own form. A value already in Notion's form (`{"select": {...}}`) passes
through. A property or option name that does not exist is refused, naming the valid ones
(closest first), so nothing is half-written.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from notion_mcp.errors import InputError
from notion_mcp.markdown import MarkdownError, markdown_to_rich_text
from notion_mcp.notion.ids import normalize_id

Json = dict[str, Any]
READ_ONLY_TYPES = frozenset(
    {"formula", "rollup", "created_time", "created_by", "last_edited_time", "last_edited_by", "unique_id",
     "button", "verification"}
)  # fmt: skip


def _closest(wanted: str, names: list[str]) -> str:
    ranked = difflib.get_close_matches(wanted, names, n=len(names), cutoff=0)
    return ", ".join(repr(n) for n in ranked[:12])


def text(value: str) -> list[Json]:
    """Rich text for a plain string, split into Notion's 2,000-character items (never cut)."""
    chunks = [value[i : i + 2000] for i in range(0, len(value), 2000)] or [""]
    return [{"type": "text", "text": {"content": c}} for c in chunks]


def _option_names(prop: Json) -> list[str]:
    return [str(o.get("name")) for o in (prop.get(prop["type"]) or {}).get("options") or []]


def _option(name: str, prop: Json, value: Any) -> Json:
    kind = prop["type"]
    options = _option_names(prop)
    label = str(value)
    if options and label not in options:
        same = [o for o in options if o.casefold() == label.casefold()]
        if len(same) != 1:
            raise InputError(
                f"{name}: {label!r} is not an option of this {kind}; options: {_closest(label, options)}. "
                + _adding(kind, label)
            )
        label = same[0]  # "done" for "Done": one option fits but for case
    return {"name": label}


def _adding(kind: str, label: str) -> str:
    """How to get a new option: what is true for the kind (Notion creates a select's or a
    multi-select's option from a page write, never a status's)."""
    if kind == "status":
        return (
            "Notion does not create status options from a page write: use one of these, or add the "
            "option to the property in Notion's app (the database's property settings) first."
        )
    option = json.dumps({"name": label}, ensure_ascii=False)
    new = f'{{"{kind}": {f"[{option}]" if kind == "multi_select" else option}}}'
    return f"To add it as a new option, give it in Notion's form ({new}); Notion creates it."


def _label(name: str, kind: str, value: Any) -> str:
    if isinstance(value, str) or (isinstance(value, int | float) and not isinstance(value, bool)):
        return str(value)
    raise InputError(f"{name}: a {kind} option is given by its name (a string); got {type(value).__name__}.")


def _single(name: str, prop: Json, value: Any) -> Json | None:
    if value is None or value == "":
        return None
    return _option(name, prop, _label(name, str(prop["type"]), value))


def _options(name: str, prop: Json, value: Any) -> list[Json]:
    if isinstance(value, str):  # "a, b" — unless "a, b" is itself an option
        items = [value] if value in _option_names(prop) else [v.strip() for v in value.split(",")]
    elif value is None or isinstance(value, list):
        items = [_label(name, "multi_select", v) for v in value or []]
    else:
        raise InputError(
            f'{name}: a multi_select takes a list of option names (["a", "b"]) or "a, b"; '
            f"got {type(value).__name__}."
        )
    return [_option(name, prop, v) for v in items if v != ""]


def _text(name: str, value: Any) -> list[Json]:
    """Text as inline markdown — the form these values are shown in — so that a value read and
    written back stays the same (`\\*` is a star, `**x**` is bold)."""
    if value is None:
        return []  # cleared (a title becomes "Untitled")
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        try:
            return markdown_to_rich_text(str(value))
        except MarkdownError as exc:
            raise InputError(f"{name}: {exc}") from None
    raise InputError(f"{name}: text is given as a string; got {type(value).__name__} {value!r}.")


_ISO = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?")
_DATE_FORMS = (
    "a date is ISO 8601: '2026-03-01', '2026-03-01T10:00', '2026-03-01T10:00:00+01:00'; a range is "
    "'start/end' or {start, end, time_zone}"
)


def _iso(name: str, value: Any, given: Any) -> str:
    text = str(value).strip()
    try:
        if _ISO.fullmatch(text) is None:
            raise ValueError
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"{name}: {given!r} is not a date Notion reads; {_DATE_FORMS}.") from None
    return text


def _date(name: str, value: Any) -> Json | None:
    if value is None or value == "":
        return None
    if isinstance(value, dict) and "start" in value:
        dates = {k: _iso(name, value[k], value) for k in ("start", "end") if value.get(k) is not None}
        return {**value, **dates}
    if isinstance(value, str):
        start, _, end = value.partition("/")
        return {"start": _iso(name, start, value), **({"end": _iso(name, end, value)} if end.strip() else {})}
    raise InputError(f"{name}: {_DATE_FORMS}.")


def _ids(name: str, value: Any, what: str) -> list[Json]:
    if isinstance(value, str):
        items = [v.strip() for v in value.split(",")]
    elif value is None or isinstance(value, list):
        items = list(value or [])
    else:
        raise InputError(
            f"{name}: expected a list of IDs (or one ID, or 'id1, id2'); got {type(value).__name__}."
        )
    try:
        return [{"id": normalize_id(v, name)} for v in items]
    except InputError as exc:
        raise InputError(f"{exc} {what}") from None


_CHECKED = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


def _checkbox(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if str(value).strip().lower() in _CHECKED and not isinstance(value, float):
        return _CHECKED[str(value).strip().lower()]
    raise InputError(f"{name}: a checkbox takes true or false; got {value!r}.")


def _number(name: str, value: Any) -> float | int | None:
    number: float | int | None = None
    if value is None or (isinstance(value, int | float) and not isinstance(value, bool)):
        number = value
    elif isinstance(value, str) and value.strip():
        for parse in (int, float):
            try:
                number = parse(value.strip())
                break
            except ValueError:
                continue
    if number is None and value is None:
        return None
    if number is None or not _finite(number):
        shown = value if not isinstance(value, str) or len(value) <= 40 else value[:37] + "..."
        raise InputError(f"{name}: a number property takes a number (finite, e.g. 3 or 2.5); got {shown!r}.")
    return number


def _finite(number: float) -> bool:
    try:
        return math.isfinite(number)
    except OverflowError:  # an int past a double's range: not a number Notion can hold
        return False


SIMPLE: dict[str, Callable[[str, Json, Any], Any]] = {
    "title": lambda n, p, v: _text(n, v),
    "rich_text": lambda n, p, v: _text(n, v),
    "number": lambda n, p, v: _number(n, v),
    "select": _single,
    "status": _single,
    "multi_select": _options,
    "date": lambda n, p, v: _date(n, v),
    "checkbox": lambda n, p, v: _checkbox(n, v),
    "url": lambda n, p, v: v or None,
    "email": lambda n, p, v: v or None,
    "phone_number": lambda n, p, v: v or None,
    "people": lambda n, p, v: _ids(
        n, v, "People are given by user ID: notion_users list shows them (email= finds one)."
    ),
    "relation": lambda n, p, v: _ids(
        n, v, "Relations are given by page ID or URL: notion_search finds pages."
    ),
    "files": lambda n, p, v: _files(n, v),
}


def _files(name: str, value: Any) -> list[Json]:
    urls = [value] if isinstance(value, str) else value or []
    if not isinstance(urls, list) or not all(isinstance(u, str) for u in urls):
        raise InputError(f"{name}: a files property takes a URL or a list of URLs (strings).")
    return [
        {"type": "external", "name": u.rsplit("/", 1)[-1][:100] or "file", "external": {"url": u}}
        for u in urls
    ]


def is_notion_form(kind: str, value: Any) -> bool:
    return isinstance(value, dict) and (kind in value or "type" in value)


def needs_schema(values: Json) -> bool:
    """True when some value is in the simple form (so the schema must be read first)."""
    return any(
        not isinstance(v, dict) or not v or not (set(v) & (set(SIMPLE) | {"type"})) for v in values.values()
    )


def resolve(values: Json, schema: Json) -> Json:
    """Notion-form property values for `values`, checked against `schema` (name → property)."""
    by_id = {str(p.get("id")): name for name, p in schema.items() if isinstance(p, dict)}
    out: Json = {}
    for given, value in values.items():
        name = given if given in schema else by_id.get(given)
        if name is None:
            raise InputError(
                f"properties: no property {given!r}; properties here: {_closest(given, list(schema))}."
            )
        prop = schema[name]
        kind = str(prop.get("type"))
        if is_notion_form(kind, value):
            out[name] = value
        elif kind in READ_ONLY_TYPES:
            raise InputError(f"{name}: a {kind} property is computed by Notion and cannot be set.")
        elif kind in SIMPLE:
            out[name] = {kind: SIMPLE[kind](name, prop, value)}
        else:
            raise InputError(f"{name}: give a {kind} property in Notion's form, e.g. {{{kind!r}: ...}}.")
    return out
