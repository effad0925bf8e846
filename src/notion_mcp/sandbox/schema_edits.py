"""What a schema edit does to a data source's rows.

Notion keeps what it can when a property changes: a retyped property's values are converted
(a number becomes its text, an option its name, text a number when it parses, anything else
empty), an option removed from a select/multi-select disappears from the rows that had it, and
a renamed option is renamed in them. Conversions go through text: :data:`AS_TEXT` reads a value
of the old type as text, :data:`FROM_TEXT` makes a value of the new type from it.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from notion_mcp.sandbox import richtext, rules
from notion_mcp.sandbox.rules import JSON
from notion_mcp.sandbox.store import Store

OPTION_TYPES = ("select", "multi_select", "status")
TRUTHY = {"yes", "true", "1", "checked", "x", "✓", "✔", "☑"}


def _number_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def _date_text(value: Any) -> str:
    if not value:
        return ""
    return str(value["start"]) + (f" → {value['end']}" if value.get("end") else "")


AS_TEXT: dict[str, Callable[[Any], str]] = {
    "title": richtext.plain,
    "rich_text": richtext.plain,
    "number": _number_text,
    "select": lambda v: str(v["name"]) if v else "",
    "status": lambda v: str(v["name"]) if v else "",
    "multi_select": lambda v: ", ".join(str(o["name"]) for o in v),
    "checkbox": lambda v: "Yes" if v else "No",
    "url": lambda v: v or "",
    "email": lambda v: v or "",
    "phone_number": lambda v: v or "",
    "date": _date_text,
    "people": lambda v: ", ".join(str(u.get("name") or "") for u in v if u.get("name")),
}


def _rich(text: str, prop: JSON) -> Any:
    chunks = [text[i : i + rules.MAX_TEXT] for i in range(0, len(text), rules.MAX_TEXT)]
    return [richtext.text(c) for c in chunks[: rules.MAX_RICH_TEXT_ITEMS]]


def _number(text: str, prop: JSON) -> Any:
    cleaned = text.strip().replace(",", "")
    if not re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", cleaned):
        return None
    value = float(cleaned)
    if not math.isfinite(value):
        return None
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def _option(prop: JSON, name: str, *, create: bool) -> JSON | None:
    options: list[JSON] = prop[prop["type"]]["options"]
    found = next((o for o in options if o["name"] == name), None)
    if found is None and create:
        found = {"id": str(uuid.uuid4()), "name": name, "color": "default", "description": None}
        options.append(found)
    return None if found is None else {"id": found["id"], "name": found["name"], "color": found["color"]}


def _select(text: str, prop: JSON) -> Any:
    name = text.strip()
    return _option(prop, name, create=prop["type"] == "select") if name else None


def _multi(text: str, prop: JSON) -> Any:
    names = list(dict.fromkeys(n.strip() for n in text.split(",") if n.strip()))
    picked = [_option(prop, n, create=True) for n in names[: rules.MAX_ARRAY_VALUES]]
    return [p for p in picked if p is not None]


def _date(text: str, prop: JSON) -> Any:
    start = text.strip()
    for parse in (date.fromisoformat, datetime.fromisoformat):
        try:
            parse(start)
        except ValueError:
            continue
        return {"start": start, "end": None, "time_zone": None}
    return None


FROM_TEXT: dict[str, Callable[[str, JSON], Any]] = {
    "title": _rich,
    "rich_text": _rich,
    "number": _number,
    "select": _select,
    "status": _select,
    "multi_select": _multi,
    "checkbox": lambda text, prop: text.strip().lower() in TRUTHY,
    "url": lambda text, prop: text.strip() or None,
    "email": lambda text, prop: text.strip() or None,
    "phone_number": lambda text, prop: text.strip() or None,
    "date": _date,
}


def convert(old_kind: str, value: Any, new: JSON) -> Any:
    """``value`` (of ``old_kind``) as a value of ``new``'s type; None when nothing carries over."""
    to_text, from_text = AS_TEXT.get(old_kind), FROM_TEXT.get(new["type"])
    if to_text is None or from_text is None:
        return None
    if old_kind in OPTION_TYPES and new["type"] in ("select", "status") and isinstance(value, list):
        value = value[:1]  # multi_select → select keeps the first option
    return from_text(to_text(value), new)


def keep_option_ids(old: JSON, new: JSON, raw: Any) -> None:
    """Options sent by name only keep the ID (and, without a colour, the colour) they had."""
    kind = new["type"]
    sent = raw.get("options", []) if isinstance(raw, dict) else []
    before = {o["name"]: o for o in old[kind]["options"]}
    for option, given in zip(new[kind]["options"], sent, strict=False):
        match = before.get(option["name"])
        if match is None or not isinstance(given, dict) or given.get("id"):
            continue
        option["id"] = match["id"]
        if "color" not in given:
            option["color"] = match["color"]


def check_status_options(old: JSON, raw: Any) -> None:
    """Notion does not let the API change a status property's options."""
    if not isinstance(raw, dict) or "options" not in raw:
        return
    sent = rules.require_list(f"body.properties.{old['name']}.status.options", raw["options"])
    current = [(o["id"], o["name"]) for o in old["status"]["options"]]
    same = len(sent) == len(current) and all(
        isinstance(s, dict) and s.get("name", name) == name and s.get("id", oid) == oid
        for s, (oid, name) in zip(sent, current, strict=True)
    )
    if not same:
        raise rules.validation(
            f"Cannot update the options of status property {rules.fmt(old['name'])}: the options of "
            "a status property cannot be changed through the API. Change them in the Notion app."
        )


def _remap_options(value: Any, new: JSON) -> Any:
    by_id = {o["id"]: o for o in new[new["type"]]["options"]}

    def one(v: JSON) -> JSON | None:
        o = by_id.get(v.get("id"))
        return None if o is None else {"id": o["id"], "name": o["name"], "color": o["color"]}

    if isinstance(value, list):
        return [o for o in (one(v) for v in value) if o is not None]
    return None if value is None else one(value)


def new_value(old: JSON, new: JSON | None, value: Any) -> Any:
    """A row's value after the schema edit ``old`` → ``new`` (``None``: property removed)."""
    if new is None:
        return None
    if old["type"] != new["type"]:
        return convert(old["type"], value, new)
    if new["type"] in OPTION_TYPES:
        return _remap_options(value, new)
    return value


def rewrite_rows(store: Store, ds_id: str, changes: list[tuple[JSON, JSON | None]]) -> None:
    """Apply schema edits (``(old entry, new entry or None)``) to every row of the data source."""
    if not changes:
        return
    for page in store.children(ds_id, ("page",)):
        values: JSON = page.setdefault("values", {})
        before = repr(values)
        for old, new in changes:
            stored = values.get(old["id"])
            if not stored or stored.get("type") != old["type"]:
                continue
            value = new_value(old, new, stored[old["type"]])
            if new is None or value is None or value == []:
                values.pop(old["id"], None)
            else:
                values[old["id"]] = {"type": new["type"], new["type"]: value}
        if repr(values) != before:
            store.update(page)
