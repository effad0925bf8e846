"""Property values ↔ plain values (YAML front matter, rows.csv cells), one row per type.

`to_plain` never fails (an unknown type is kept as text). `from_plain` builds the value Notion
takes for a writable type, from a YAML value or a CSV cell's text; `WRITABLE` lists those
types — computed ones (formula, rollup, created/edited time and by, unique_id…) are exported for
reading and left out when writing. Lists in a CSV cell are joined with ", " (Notion refuses
commas in option names, and IDs have none).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from notion_mcp.backup.files import safe_name
from notion_mcp.markdown import markdown_to_rich_text, property_to_text, rich_text_to_markdown

Plain = Any
Json = dict[str, Any]
ARROW = " → "


def _names(items: Any) -> list[str]:
    return [str(i.get("name")) for i in items or [] if isinstance(i, dict)]


def _date(value: Any) -> Plain:
    if not isinstance(value, dict):
        return None
    if value.get("end") or value.get("time_zone"):
        return {k: value[k] for k in ("start", "end", "time_zone") if value.get(k)}
    return value.get("start")


def hosted_file(prop_name: str, index: int, item: Json) -> str:
    """The name a Notion-hosted file of a files property is downloaded under, in `Title.files/`:
    `<8 hex>-<its name>` (the prefix from the property, position and name, so the same file of
    the same property gets the same name again after an import — reupload.py drops the prefix)."""
    name = str(item.get("name") or "file")
    prefix = hashlib.sha256(f"{prop_name}\0{index}\0{name}".encode()).hexdigest()[:8]
    return f"{prefix}-{safe_name(name)}"


def hosted_items(prop: Json) -> list[tuple[int, Json]]:
    """The files of a files property that Notion stores (their links expire), with their index."""
    items = prop.get("files") if prop.get("type") == "files" else None
    return [(i, f) for i, f in enumerate(items or []) if isinstance(f, dict) and f.get("type") == "file"]


def _files(items: Any, prop_name: str = "", files_dir: str = "") -> list[str]:
    """External files as their URL; a Notion-hosted one as its path `files_dir/…` (relative to
    the page file: where the exporter downloads it), or its name when no folder is given."""
    out = []
    for i, f in enumerate(items or []):
        if not isinstance(f, dict):
            continue
        external = (f.get("external") or {}).get("url")
        if f.get("type") == "file" and files_dir:
            out.append(f"{files_dir}/{hosted_file(prop_name, i, f)}")
            continue
        out.append(str(external or f.get("name") or ""))
    return out


TO_PLAIN: dict[str, Callable[[Any], Plain]] = {
    "title": lambda v: rich_text_to_markdown(v or []),
    "rich_text": lambda v: rich_text_to_markdown(v or []),
    "number": lambda v: v,
    "select": lambda v: v.get("name") if isinstance(v, dict) else None,
    "status": lambda v: v.get("name") if isinstance(v, dict) else None,
    "multi_select": _names,
    "date": _date,
    "checkbox": bool,
    "url": lambda v: v,
    "email": lambda v: v,
    "phone_number": lambda v: v,
    "people": lambda v: [str(p.get("id")) for p in v or [] if isinstance(p, dict)],
    "relation": lambda v: [str(r.get("id")) for r in v or [] if isinstance(r, dict)],
    "files": _files,
}


def to_plain(prop: Json, name: str = "", files_dir: str = "") -> Plain:
    """`prop` as a plain value; a files property's Notion-hosted files as paths under `files_dir`
    (`Title.files`, named by `hosted_file(name, …)`) when it is given."""
    kind = str(prop.get("type"))
    if kind == "files":
        return _files(prop.get(kind), name, files_dir)
    convert = TO_PLAIN.get(kind)
    if convert is None:
        return property_to_text(prop) or None
    return convert(prop.get(kind))


def cell(value: Plain) -> str:
    """A plain value as the text of a CSV cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        text = str(value.get("start") or "") + (ARROW + str(value["end"]) if value.get("end") else "")
        return text + (f" ({value['time_zone']})" if value.get("time_zone") else "")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _listed(value: Plain) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [part.strip() for part in str(value).split(",") if part.strip()]


def _text_or_none(value: Plain) -> str | None:
    return None if value is None or value == "" else str(value)


def _number(value: Plain) -> float | int | None:
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    number = float(str(value).replace(",", ""))
    return int(number) if number.is_integer() and "." not in str(value) else number


def _checkbox(value: Plain) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"true", "yes", "1", "x", "✓"}


def _date_in(value: Plain) -> Json | None:
    if value is None or value == "":
        return None
    if isinstance(value, dict):
        return {k: str(v) for k, v in value.items() if v}
    text = str(value)
    zone = None
    if text.endswith(")") and " (" in text:
        text, zone = text[:-1].rsplit(" (", 1)
    start, _, end = text.partition(ARROW)
    out: Json = {"start": start.strip()}
    if end.strip():
        out["end"] = end.strip()
    if zone:
        out["time_zone"] = zone
    return out


def _named(value: Plain) -> Json | None:
    text = _text_or_none(value)
    return {"name": text} if text is not None else None


FROM_PLAIN: dict[str, Callable[[Plain], Any]] = {
    "title": lambda v: markdown_to_rich_text(str(v or "")),
    "rich_text": lambda v: markdown_to_rich_text(str(v or "")),
    "number": _number,
    "select": _named,
    "status": _named,
    "multi_select": lambda v: [{"name": n} for n in _listed(v)],
    "date": _date_in,
    "checkbox": _checkbox,
    "url": _text_or_none,
    "email": _text_or_none,
    "phone_number": _text_or_none,
    "people": lambda v: [{"id": i} for i in _listed(v)],
    "relation": lambda v: [{"id": i} for i in _listed(v)],
    "files": lambda v: [
        {"name": u[-100:], "type": "external", "external": {"url": u}}
        for u in _listed(v)
        if u.startswith(("https://", "http://"))
    ],
}
WRITABLE = frozenset(FROM_PLAIN)


def from_plain(kind: str, value: Plain) -> Json:
    """The property value Notion takes, `{kind: …}`; ValueError when the text cannot be read."""
    return {kind: FROM_PLAIN[kind](value)}
