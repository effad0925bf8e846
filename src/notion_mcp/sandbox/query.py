"""Evaluate a data source query (``filter`` and ``sorts``) over page objects, as Notion does. Pure.

``validate_filter`` and ``validate_sorts`` raise :class:`QueryError` (a ``validation_error`` message)
before any page is looked at; ``apply_query`` validates, filters, then orders.

Behaviour, and where it comes from (recordings in ``tests/fixtures/recordings/ultimate-notion/
test_query/`` win over docs; the filter shapes follow the official SDK's generated types):

- Text: ``contains``, ``does_not_contain``, ``starts_with``, ``ends_with`` ignore case (recorded:
  ``contains "Doe"`` matches ``john.doe@gmail.com``). ``equals``/``does_not_equal`` are exact, as the
  docs say "matches the provided value exactly". The keys ``title``, ``rich_text``, ``url``,
  ``email``, ``phone_number`` are interchangeable on those five property types (recorded: a
  ``rich_text`` filter on a title, URL, email and phone property answers 200); any other key that
  is not the property's type is an error.
- Negative conditions (``does_not_equal``, ``does_not_contain``) match empty values (recorded).
- Dates compare to the minute when the filter value has a time (no offset means UTC), by calendar
  day (UTC) when it is a bare date. The docs promise milliseconds, but Notion stores dates to the
  minute and, recorded, ``equals 18:01:15.377`` matches a value of ``18:01`` and ``before`` does not.
  Relative conditions are day-granular and include today (recorded):
  ``past_week`` = [today-7d, today], ``next_month`` = [today, today+1 month], ``this_week`` = the
  Sunday-to-Saturday week holding today. A date range is compared by its ``start``.
- Compound filters nest two levels at most: ``{"or": [{"and": [...]}]}``; a compound inside that
  is an error (the SDK's ``GroupFilterOperatorArray`` holds only property or timestamp filters).
- Order: without sorts, newest ``created_time`` first, ties broken by later position in ``pages``
  first (recorded: results come back in reverse creation order). Sorts apply on top of that, so
  ties keep it. Empty values sort last in both directions. Text sorts ignore case; select and
  status sort by option order in the schema; people and relation by id; files by name.
- Not supported (QueryError says so): rollup, verification and other filter types not listed in
  ``TYPE_KIND``; sorting by rollup, button, place, verification.
"""

from __future__ import annotations

import calendar
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

Page = dict[str, Any]
Schema = dict[str, dict[str, Any]]
Matcher = Callable[[Page, datetime], bool]

MAX_COMPOUND_DEPTH = 2
TEXT_TYPES = frozenset({"title", "rich_text", "url", "email", "phone_number"})
TIMESTAMPS = ("created_time", "last_edited_time")
DIRECTIONS = ("ascending", "descending")


class QueryError(ValueError):
    """A filter or sort Notion would refuse with 400 ``validation_error``."""


def _fail(path: str, problem: str) -> QueryError:
    return QueryError(f"body failed validation: {path} {problem}")


# ---------------------------------------------------------------- value predicates


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | tuple) and len(value) == 0)


OPERANDS: Mapping[str, Callable[[Any], bool]] = {
    "a string": lambda x: isinstance(x, str),
    "a number": lambda x: isinstance(x, int | float) and not isinstance(x, bool),
    "a boolean": lambda x: isinstance(x, bool),
    "true": lambda x: x is True,
    "an empty object {}": lambda x: isinstance(x, dict) and not x,
    "a valid uuid": lambda x: _is_uuid(x),
    "an ISO 8601 date": lambda x: _is_iso_date(x),
}


def _norm_id(raw: str) -> str:
    return raw.replace("-", "").lower()


def _is_uuid(x: Any) -> bool:
    return isinstance(x, str) and len(_norm_id(x)) == 32 and all(c in "0123456789abcdef" for c in _norm_id(x))


def _is_date_only(text: str) -> bool:
    return "T" not in text and len(text) == 10


def _instant(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _is_iso_date(x: Any) -> bool:
    try:
        _instant(x)
    except (TypeError, ValueError):
        return False
    return True


# ---------------------------------------------------------------- conditions


@dataclass(frozen=True)
class Condition:
    operand: str  # a key of OPERANDS: what the operand must be
    test: Callable[[Any, Any, datetime], bool]  # (page value, operand, now)


def _cond(operand: str, test: Callable[[Any, Any], bool]) -> Condition:
    return Condition(operand, lambda v, o, _now: test(v, o))


def _fold(text: str) -> str:
    return text.casefold()


_EXISTENCE = {
    "is_empty": _cond("true", lambda v, _o: _is_empty(v)),
    "is_not_empty": _cond("true", lambda v, _o: not _is_empty(v)),
}

_TEXT = {
    "equals": _cond("a string", lambda v, o: v == o),
    "does_not_equal": _cond("a string", lambda v, o: v != o),
    "contains": _cond("a string", lambda v, o: _fold(o) in _fold(v)),
    "does_not_contain": _cond("a string", lambda v, o: _fold(o) not in _fold(v)),
    "starts_with": _cond("a string", lambda v, o: _fold(v).startswith(_fold(o))),
    "ends_with": _cond("a string", lambda v, o: _fold(v).endswith(_fold(o))),
    **_EXISTENCE,
}


def _present_and(compare: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    return lambda v, o: v is not None and compare(v, o)


_NUMBER = {
    "equals": _cond("a number", _present_and(operator.eq)),
    "does_not_equal": _cond("a number", lambda v, o: v is None or v != o),
    "greater_than": _cond("a number", _present_and(operator.gt)),
    "less_than": _cond("a number", _present_and(operator.lt)),
    "greater_than_or_equal_to": _cond("a number", _present_and(operator.ge)),
    "less_than_or_equal_to": _cond("a number", _present_and(operator.le)),
    **_EXISTENCE,
}

_CHECKBOX = {
    "equals": _cond("a boolean", lambda v, o: bool(v) == o),
    "does_not_equal": _cond("a boolean", lambda v, o: bool(v) != o),
}

_SELECT = {
    "equals": _cond("a string", lambda v, o: v == o),
    "does_not_equal": _cond("a string", lambda v, o: v != o),
    **_EXISTENCE,
}

_MULTI_SELECT = {
    "contains": _cond("a string", lambda v, o: o in v),
    "does_not_contain": _cond("a string", lambda v, o: o not in v),
    **_EXISTENCE,
}

_IDS = {
    "contains": _cond("a valid uuid", lambda v, o: _norm_id(o) in v),
    "does_not_contain": _cond("a valid uuid", lambda v, o: _norm_id(o) not in v),
    **_EXISTENCE,
}


def _comparable(value: str, operand: str) -> tuple[date | datetime, date | datetime]:
    """Both sides at the operand's precision: calendar day (UTC) for a bare date, else the minute."""
    if _is_date_only(operand):
        return _instant(value).date(), _instant(operand).date()
    return _instant(value).replace(second=0, microsecond=0), _instant(operand).replace(
        second=0, microsecond=0
    )


def _date_compare(compare: Callable[[Any, Any], bool]) -> Condition:
    return _cond("an ISO 8601 date", _present_and(lambda v, o: compare(*_comparable(v, o))))


def _add_months(day: date, months: int) -> date:
    year, month0 = divmod(day.month - 1 + months, 12)
    last = calendar.monthrange(year + day.year, month0 + 1)[1]
    return date(year + day.year, month0 + 1, min(day.day, last))


def _week_of(today: date) -> tuple[date, date]:
    sunday = today - timedelta(days=(today.weekday() + 1) % 7)
    return sunday, sunday + timedelta(days=6)


_WINDOWS: dict[str, Callable[[date], tuple[date, date]]] = {
    "past_week": lambda t: (t - timedelta(days=7), t),
    "past_month": lambda t: (_add_months(t, -1), t),
    "past_year": lambda t: (_add_months(t, -12), t),
    "next_week": lambda t: (t, t + timedelta(days=7)),
    "next_month": lambda t: (t, _add_months(t, 1)),
    "next_year": lambda t: (t, _add_months(t, 12)),
    "this_week": _week_of,
}


def _relative(window: Callable[[date], tuple[date, date]]) -> Condition:
    def test(value: Any, _operand: Any, now: datetime) -> bool:
        if value is None:
            return False
        first, last = window(now.date())
        return first <= _instant(value).date() <= last

    return Condition("an empty object {}", test)


_DATE = {
    "equals": _date_compare(operator.eq),
    "before": _date_compare(operator.lt),
    "after": _date_compare(operator.gt),
    "on_or_before": _date_compare(operator.le),
    "on_or_after": _date_compare(operator.ge),
    **{name: _relative(window) for name, window in _WINDOWS.items()},
    **_EXISTENCE,
}

CONDITIONS: Mapping[str, Mapping[str, Condition]] = {
    "text": _TEXT,
    "number": _NUMBER,
    "checkbox": _CHECKBOX,
    "select": _SELECT,
    "multi_select": _MULTI_SELECT,
    "ids": _IDS,
    "date": _DATE,
    "files": _EXISTENCE,
}

TYPE_KIND: Mapping[str, str] = {
    **dict.fromkeys(TEXT_TYPES, "text"),
    **dict.fromkeys(("number", "unique_id"), "number"),
    "checkbox": "checkbox",
    **dict.fromkeys(("select", "status"), "select"),
    "multi_select": "multi_select",
    **dict.fromkeys(("date", *TIMESTAMPS), "date"),
    **dict.fromkeys(("people", "relation", "created_by", "last_edited_by"), "ids"),
    "files": "files",
    "formula": "formula",
}

# formula filter sub-key -> (condition kind, result types that answer it; checkbox results read "boolean")
FORMULA: Mapping[str, tuple[str, tuple[str, ...]]] = {
    "string": ("text", ("string",)),
    "number": ("number", ("number",)),
    "checkbox": ("checkbox", ("boolean", "checkbox")),
    "date": ("date", ("date",)),
}

# ---------------------------------------------------------------- reading page values


def _plain_text(raw: Any) -> str:
    return "".join(item.get("plain_text") or item.get("text", {}).get("content", "") for item in raw or [])


def _user_ids(raw: Any) -> list[str]:
    return [_norm_id(raw["id"])] if isinstance(raw, dict) and "id" in raw else []


EXTRACT: Mapping[str, Callable[[Any], Any]] = {
    **dict.fromkeys(("title", "rich_text"), _plain_text),
    **dict.fromkeys(("url", "email", "phone_number"), lambda raw: raw or ""),
    "number": lambda raw: raw,
    "unique_id": lambda raw: (raw or {}).get("number"),
    "checkbox": bool,
    **dict.fromkeys(("select", "status"), lambda raw: (raw or {}).get("name")),
    "multi_select": lambda raw: [option["name"] for option in raw or []],
    "date": lambda raw: (raw or {}).get("start"),
    **dict.fromkeys(TIMESTAMPS, lambda raw: raw),
    **dict.fromkeys(("people", "relation"), lambda raw: [_norm_id(item["id"]) for item in raw or []]),
    **dict.fromkeys(("created_by", "last_edited_by"), _user_ids),
    "files": lambda raw: [item.get("name", "") for item in raw or []],
    "formula": lambda raw: raw or {},
}

PAGE_LEVEL = frozenset({*TIMESTAMPS, "created_by", "last_edited_by"})


def _raw(page: Page, name: str, ptype: str) -> Any:
    prop = (page.get("properties") or {}).get(name) or {}
    if ptype in prop:
        return prop[ptype]
    return page.get(ptype) if ptype in PAGE_LEVEL else None


def _value(page: Page, name: str, ptype: str) -> Any:
    return EXTRACT[ptype](_raw(page, name, ptype))


def _formula_result(result: dict[str, Any], sub: str) -> Any:
    rtype = result.get("type")
    value = result.get(rtype) if rtype in FORMULA[sub][1] else None
    if sub == "date":
        return (value or {}).get("start")
    return value or "" if sub == "string" else value


# ---------------------------------------------------------------- compiling filters


def _find_property(schema: Schema, ref: Any, path: str, what: str = "property") -> tuple[str, dict[str, Any]]:
    for name, prop in schema.items():
        if ref in (name, prop.get("id")):
            return name, prop
    valid = ", ".join(sorted(schema)) or "(none)"
    raise _fail(path, f"refers to {what} {ref!r}, which does not exist. Could not find {what} "
                f"with name or id: {ref}. Valid properties: {valid}.")  # fmt: skip


def _condition_test(kind: str, body: Any, path: str) -> Callable[[Any, datetime], bool]:
    """Validate ``{condition: operand}`` for a kind; return ``(value, now) -> bool``."""
    allowed = CONDITIONS[kind]
    names = ", ".join(f"`{name}`" for name in allowed)
    if not isinstance(body, dict) or len(body) != 1:
        raise _fail(path, f"should have exactly one of: {names}, instead was `{body!r}`.")
    [(name, operand)] = body.items()
    if name not in allowed:
        raise _fail(path, f"should have one of: {names}, instead had `{name}`.")
    condition = allowed[name]
    if not OPERANDS[condition.operand](operand):
        raise _fail(f"{path}.{name}", f"should be {condition.operand}, instead was `{operand!r}`.")
    return lambda value, now: condition.test(value, operand, now)


def _formula_test(body: Any, path: str) -> Callable[[Any, datetime], bool]:
    subs = ", ".join(f"`{sub}`" for sub in FORMULA)
    if not isinstance(body, dict) or len(body) != 1 or next(iter(body)) not in FORMULA:
        raise _fail(path, f"should have exactly one of: {subs}, instead was `{body!r}`.")
    [(sub, inner)] = body.items()
    test = _condition_test(FORMULA[sub][0], inner, f"{path}.{sub}")
    return lambda result, now: test(_formula_result(result, sub), now)


def _typed_test(ptype: str, body: Any, path: str) -> Callable[[Any, datetime], bool]:
    kind = TYPE_KIND[ptype]
    return _formula_test(body, path) if kind == "formula" else _condition_test(kind, body, path)


def _key_fits(key: str, ptype: str) -> bool:
    return key == ptype or (key in TEXT_TYPES and ptype in TEXT_TYPES)


def _type_key(spec: dict[str, Any], reserved: str, path: str) -> str:
    keys = [key for key in spec if key not in (reserved, "type")]
    if len(keys) != 1:
        raise _fail(
            path, f"should have exactly one filter type key besides `{reserved}`, instead had {keys}."
        )
    if "type" in spec and spec["type"] != keys[0]:
        raise _fail(f"{path}.type", f"should be `{keys[0]}`, instead was `{spec['type']}`.")
    return keys[0]


def _property_matcher(spec: dict[str, Any], schema: Schema, path: str) -> Matcher:
    name, prop = _find_property(schema, spec["property"], f"{path}.property")
    ptype = prop.get("type", "")
    key = _type_key(spec, "property", path)
    if ptype not in TYPE_KIND:
        supported = ", ".join(sorted(TYPE_KIND))
        raise _fail(path, f"filters on a `{ptype}` property, which this sandbox cannot filter on. "
                    f"Filterable types: {supported}.")  # fmt: skip
    if not _key_fits(key, ptype):
        raise _fail(path, f"uses a `{key}` filter on property {name!r}, which is of type `{ptype}`. "
                    f"Use `{ptype}`.")  # fmt: skip
    test = _typed_test(ptype, spec[key], f"{path}.{key}")
    return lambda page, now: test(_value(page, name, ptype), now)


def _timestamp(spec: dict[str, Any], path: str) -> str:
    stamp = spec["timestamp"]
    if stamp not in TIMESTAMPS:
        raise _fail(f"{path}.timestamp", f"should be `created_time` or `last_edited_time`, not `{stamp}`.")
    return str(stamp)


def _timestamp_matcher(spec: dict[str, Any], path: str) -> Matcher:
    stamp = _timestamp(spec, path)
    if _type_key(spec, "timestamp", path) != stamp:
        raise _fail(path, f"should have a `{stamp}` key holding the date condition.")
    test = _condition_test("date", spec[stamp], f"{path}.{stamp}")
    return lambda page, now: test(page.get(stamp), now)


def _is_compound(spec: dict[str, Any]) -> bool:
    return len(spec) == 1 and next(iter(spec)) in COMBINE


def _is_timestamp_filter(spec: dict[str, Any]) -> bool:
    return "timestamp" in spec


def _is_property_filter(spec: dict[str, Any]) -> bool:
    return "property" in spec


COMBINE: Mapping[str, Callable[[Any], bool]] = {"and": all, "or": any}


def _compound_matcher(spec: dict[str, Any], schema: Schema, path: str, depth: int) -> Matcher:
    [(joiner, parts)] = spec.items()
    if depth >= MAX_COMPOUND_DEPTH:
        raise _fail(f"{path}", f"nests compound filters too deeply: `and`/`or` can be nested at most "
                    f"{MAX_COMPOUND_DEPTH} levels deep; a nested compound may hold only property "
                    f"or timestamp filters.")  # fmt: skip
    if not isinstance(parts, list):
        raise _fail(f"{path}.{joiner}", f"should be an array, instead was `{parts!r}`.")
    matchers = [_compile(part, schema, f"{path}.{joiner}[{i}]", depth + 1) for i, part in enumerate(parts)]
    combine = COMBINE[joiner]
    return lambda page, now: combine(matcher(page, now) for matcher in matchers)


def _compile(spec: Any, schema: Schema, path: str, depth: int) -> Matcher:
    if not isinstance(spec, dict):
        raise _fail(path, f"should be an object, instead was `{spec!r}`.")
    if _is_compound(spec):
        return _compound_matcher(spec, schema, path, depth)
    if _is_timestamp_filter(spec):
        return _timestamp_matcher(spec, path)
    if _is_property_filter(spec):
        return _property_matcher(spec, schema, path)
    raise _fail(path, f"should be a property filter (`property`), a timestamp filter (`timestamp`), "
                f"or an `and`/`or` compound filter, instead had keys {sorted(spec)}.")  # fmt: skip


def validate_filter(filter: dict[str, Any] | None, schema: Schema) -> None:
    """Raise QueryError if Notion would refuse this filter for this schema."""
    if filter is not None:
        _compile(filter, schema, "body.filter", 0)


# ---------------------------------------------------------------- sorting


def _option_rank(value: str, prop: dict[str, Any], ptype: str) -> tuple[int, str]:
    names = [option.get("name") for option in (prop.get(ptype) or {}).get("options", [])]
    return (names.index(value), "") if value in names else (len(names), _fold(value))


def _formula_key(result: dict[str, Any], _prop: dict[str, Any], _ptype: str) -> Any:
    rtype = result.get("type")
    value = result.get(rtype) if isinstance(rtype, str) else None
    if rtype == "date" and value:
        value = _instant(value["start"])
    elif isinstance(value, str):
        value = _fold(value)
    return None if _is_empty(value) else (rtype, value)


SortKey = Callable[[Any, dict[str, Any], str], Any]
SORT_KEY: Mapping[str, SortKey] = {
    **dict.fromkeys(TEXT_TYPES, lambda v, _p, _t: _fold(v)),
    **dict.fromkeys(("number", "unique_id", "checkbox"), lambda v, _p, _t: v),
    **dict.fromkeys(("select", "status"), lambda v, p, t: None if v is None else _option_rank(v, p, t)),
    "multi_select": lambda v, p, t: tuple(_option_rank(name, p, t) for name in v),
    **dict.fromkeys(("date", *TIMESTAMPS), lambda v, _p, _t: None if v is None else _instant(v)),
    **dict.fromkeys(("people", "relation", "created_by", "last_edited_by"), lambda v, _p, _t: tuple(v)),
    "files": lambda v, _p, _t: tuple(_fold(name) for name in v),
    "formula": _formula_key,
}

PageKey = Callable[[Page], Any]


def _sort_page_key(sort: Any, schema: Schema, path: str) -> tuple[PageKey, bool]:
    """Validate one sort object; return (page -> key or None when empty, descending?)."""
    if not isinstance(sort, dict) or ("property" in sort) == ("timestamp" in sort):
        raise _fail(path, "should have exactly one of `property` or `timestamp`.")
    direction = sort.get("direction")
    if direction not in DIRECTIONS:
        raise _fail(f"{path}.direction", f"should be `ascending` or `descending`, instead was `{direction}`.")
    if "timestamp" in sort:
        return _timestamp_key(_timestamp(sort, path)), direction == "descending"
    name, prop = _find_property(schema, sort["property"], f"{path}.property", "sort property")
    ptype = prop.get("type", "")
    if ptype not in SORT_KEY:
        raise _fail(f"{path}.property", f"is a `{ptype}` property, which this sandbox cannot sort by.")
    key = SORT_KEY[ptype]

    def page_key(page: Page) -> Any:
        result = key(_value(page, name, ptype), prop, ptype)
        return None if _is_empty(result) else result

    return page_key, direction == "descending"


def validate_sorts(sorts: list[dict[str, Any]] | None, schema: Schema) -> None:
    """Raise QueryError if Notion would refuse these sorts for this schema."""
    _compile_sorts(sorts, schema)


def _compile_sorts(sorts: Any, schema: Schema) -> list[tuple[PageKey, bool]]:
    if sorts is None:
        return []
    if not isinstance(sorts, list):
        raise _fail("body.sorts", f"should be an array, instead was `{sorts!r}`.")
    return [_sort_page_key(sort, schema, f"body.sorts[{i}]") for i, sort in enumerate(sorts)]


def _stable_sort(pages: list[Page], key: PageKey, descending: bool) -> list[Page]:
    """Sort by one key, empties last whatever the direction; equal keys keep their order."""
    keyed = [(key(page), page) for page in pages]
    present = [pair for pair in keyed if pair[0] is not None]
    present.sort(key=lambda pair: pair[0], reverse=descending)
    return [page for _, page in present] + [page for value, page in keyed if value is None]


def _timestamp_key(stamp: str) -> PageKey:
    return lambda page: _instant(page[stamp]) if page.get(stamp) else None


def _default_order(pages: list[Page]) -> list[Page]:
    """Newest ``created_time`` first; equal times: later in ``pages`` (created later) first."""
    return _stable_sort(list(reversed(pages)), _timestamp_key("created_time"), descending=True)


def apply_query(
    pages: list[Page],
    schema: Schema,
    filter: dict[str, Any] | None,
    sorts: list[dict[str, Any]] | None,
    *,
    now: datetime | None = None,
) -> list[Page]:
    """The pages Notion would return for ``filter`` and ``sorts``, in its order (see module doc).

    Validates everything first (QueryError); ``now`` anchors relative dates (default: current UTC).
    The input list and pages are not modified.
    """
    matcher = None if filter is None else _compile(filter, schema, "body.filter", 0)
    sort_keys = _compile_sorts(sorts, schema)
    moment = datetime.now(UTC) if now is None else now
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    ordered = _default_order(pages)
    for key, descending in reversed(sort_keys):
        ordered = _stable_sort(ordered, key, descending)
    return [page for page in ordered if matcher is None or matcher(page, moment)]
