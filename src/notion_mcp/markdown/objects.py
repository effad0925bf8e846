"""Notion objects → compact markdown: page headers, databases, query rows, search, users, comments."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from .ids import compact
from .inline_render import rich_text_to_markdown
from .render import blocks_to_markdown
from .rich_text import plain_text

Obj = dict[str, Any]


def title_of(obj: Obj) -> str:
    """The title of a page, database or data source (plain text); "Untitled" when empty."""
    title: Any = obj.get("title")
    if title is None:
        for prop in (obj.get("properties") or {}).values():
            if isinstance(prop, dict) and prop.get("type") == "title" and isinstance(prop.get("title"), list):
                title = prop["title"]
                break
    text = plain_text(title) if isinstance(title, list) else str(title or obj.get("name") or "")
    return text.strip() or "Untitled"


def _user(user: Any) -> str:
    if not isinstance(user, dict):
        return str(user)
    return str(user.get("name") or compact(str(user.get("id", ""))))


def _date(d: Any) -> str:
    if not isinstance(d, dict):
        return ""
    zone = f" ({d['time_zone']})" if d.get("time_zone") else ""
    return str(d.get("start") or "") + (f" → {d['end']}" if d.get("end") else "") + zone


def _number(n: Any) -> str:
    if isinstance(n, float) and n.is_integer():
        return str(int(n))
    return "" if n is None else str(n)


def _file(f: Any) -> str:
    if not isinstance(f, dict):
        return str(f)
    kind = f.get("type")
    url = (f.get(kind) or {}).get("url", "") if isinstance(kind, str) else ""
    return str(f.get("name") or url)


def _value(kind: str, v: Any) -> str:
    simple: dict[str, Callable[[Any], str]] = {
        "number": _number,
        "select": lambda x: str(x.get("name", "")) if isinstance(x, dict) else "",
        "status": lambda x: str(x.get("name", "")) if isinstance(x, dict) else "",
        "multi_select": lambda x: ", ".join(str(o.get("name", "")) for o in x or []),
        "date": _date,
        "people": lambda x: ", ".join(_user(u) for u in x or []),
        "files": lambda x: ", ".join(_file(f) for f in x or []),
        "checkbox": lambda x: "true" if x else "false",
        "created_by": _user,
        "last_edited_by": _user,
        "relation": lambda x: ", ".join(compact(str(r.get("id", ""))) for r in x or []),
        "unique_id": lambda x: f"{x.get('prefix') + '-' if x.get('prefix') else ''}{x.get('number', '')}",
        "verification": lambda x: str((x or {}).get("state", "")),
        "button": lambda x: "",
        "place": lambda x: str((x or {}).get("name") or (x or {}).get("address") or ""),
    }
    if kind in ("title", "rich_text"):
        return rich_text_to_markdown(v or [], single_line=True)
    if kind in simple:
        return simple[kind](v)
    if kind in ("formula", "rollup") and isinstance(v, dict):
        sub = str(v.get("type"))
        if sub == "array":
            return ", ".join(property_to_text(x) for x in v.get("array") or [])
        if sub == "boolean":
            return "true" if v.get(sub) else "false"
        return _value(sub, v.get(sub))
    if v is None or isinstance(v, (str, int, float, bool)):
        return "" if v is None else str(v)
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


def property_to_text(prop: Obj) -> str:
    """A property value as short text; any type, unknown ones included, never fails."""
    try:
        kind = str(prop.get("type"))
        text = _value(kind, prop.get(kind))
        if prop.get("has_more"):
            text += " …(more)"
        return text
    except Exception:  # a malformed or new value shape must still render
        return json.dumps(prop, ensure_ascii=False, default=str)[:200]


def _header(obj: Obj) -> list[str]:
    line = f"id: {compact(str(obj.get('id', '')))}"
    if obj.get("url"):
        line += f" · {obj['url']}"
    for name in ("icon", "cover"):
        if shown := _image_ref(obj.get(name)):
            line += f" · {name} {shown}"
    if obj.get("in_trash") or obj.get("archived"):
        line += " · in the trash"
    if obj.get("object") == "page" and obj.get("last_edited_time"):
        line += f" · edited {obj['last_edited_time']}"  # for notion_pages update if_unchanged_since
    return [f"# {title_of(obj)}", "", line]


def _image_ref(value: Any) -> str:
    """An icon or cover, short: the emoji, an external URL, or that Notion stores the file."""
    if not isinstance(value, dict):
        return ""
    kind = str(value.get("type", ""))
    if kind == "emoji":
        return str(value.get("emoji", ""))
    if kind == "external":
        return str((value.get("external") or {}).get("url", ""))
    return f"({kind.replace('_', ' ')})" if kind else ""


def page_to_markdown(
    page: Obj, blocks: list[Obj] | None = None, *, block_ids: bool = False, file_urls: bool = False
) -> str:
    """`# Title`, the id/url line, properties as `- Name: value` (title left out), then the body."""
    lines = _header(page)
    values = {name: p for name, p in (page.get("properties") or {}).items() if isinstance(p, dict)}
    shown = {name: p for name, p in values.items() if p.get("type") != "title"}
    props = [f"- {name}: {property_to_text(p)}".rstrip() for name, p in shown.items()]
    if props:
        lines += ["", *props]
    cut = [name for name, p in values.items() if p.get("has_more")]
    if cut:
        lines += ["", f"({', '.join(cut)}: Notion sends the first 25 values; notion_pages retrieve with "
                      "retrieve_property_item_id=<name> gives them all)"]  # fmt: skip
    text = "\n".join(lines) + "\n"
    if blocks:
        text += "\n" + blocks_to_markdown(blocks, block_ids=block_ids, file_urls=file_urls)
    return text


def _schema_line(name: str, prop: Obj) -> str:
    kind = str(prop.get("type"))
    value = prop.get(kind)
    config: Obj = value if isinstance(value, dict) else {}
    describe = _SCHEMA_DETAIL.get(kind)
    detail = describe(config) if describe is not None else ""
    line = f"- {name} ({kind}{', ' + detail if detail else ''})"
    options = config.get("options")
    if options:
        line += ": " + ", ".join(str(o.get("name", "")) for o in options)
    return line


def _relation(config: Obj) -> str:
    target = config.get("data_source_id") or config.get("database_id")
    return f"to data source {compact(str(target))}" if target else ""


def _rollup(config: Obj) -> str:
    parts = (config.get("function"), config.get("rollup_property_name"), config.get("relation_property_name"))
    function, of, via = (str(p) if p else "?" for p in parts)
    return f"{function} of {of} via {via}" if any(parts) else ""


# what a model needs to know of a property's configuration, by type
_SCHEMA_DETAIL: dict[str, Callable[[Obj], str]] = {
    "relation": _relation,
    "rollup": _rollup,
    "formula": lambda c: f"= {c['expression']}" if c.get("expression") else "",
    "number": lambda c: str(c["format"]) if c.get("format") not in (None, "number") else "",
    "unique_id": lambda c: f"prefix {c['prefix']}" if c.get("prefix") else "",
}


def database_to_markdown(database: Obj, data_sources: list[Obj]) -> str:
    """Title, id, and each data source with its id and schema (type and options of each property)."""
    lines = _header(database)
    description = plain_text(database.get("description"))
    if description:
        lines += ["", description]
    for source in data_sources:
        lines += ["", f"## Data source: {title_of(source)} (id: {compact(str(source.get('id', '')))})", ""]
        props = source.get("properties") or {}
        lines += [_schema_line(name, p) for name, p in props.items() if isinstance(p, dict)] or [
            "(no schema)"
        ]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", "<br>") or " "


def _prop_cell(prop: Obj) -> str:
    """Title and rich text are already markdown, escaped for a table cell; the rest is plain text."""
    if isinstance(prop, dict) and prop.get("type") in ("title", "rich_text"):
        return property_to_text(prop).replace("\n", "<br>") or " "
    return _cell(property_to_text(prop))


def rows_to_markdown(pages: list[Obj], *, columns: list[str] | None = None) -> str:
    """A markdown table of query results: first column the row ID, then the property values."""
    if not pages:
        return "No rows.\n"
    if columns is None:
        columns = []
        for page in pages:
            for name in page.get("properties") or {}:
                if name not in columns:
                    columns.append(name)
    lines = ["| id | " + " | ".join(_cell(c) for c in columns) + " |", "|---" * (len(columns) + 1) + "|"]
    for page in pages:
        props = page.get("properties") or {}
        cells = [_prop_cell(props[c]) if c in props else " " for c in columns]
        lines.append(f"| {compact(str(page.get('id', '')))} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def search_results_to_markdown(results: list[Obj]) -> str:
    """One line each: kind, title, id, last edited."""
    lines = []
    for obj in results:
        kind = str(obj.get("object", "?"))
        edited = str(obj.get("last_edited_time", ""))[:16]
        parent = obj.get("parent") or {}
        database = (
            f", database: {compact(str(parent['database_id']))}"
            if kind == "data_source" and parent.get("database_id")
            else ""
        )
        lines.append(
            f"- {kind}: {title_of(obj)} (id: {compact(str(obj.get('id', '')))}{database}, edited {edited})"
        )
    return "\n".join(lines) + "\n" if lines else "No results.\n"


def users_to_markdown(users: list[Obj]) -> str:
    lines = []
    for user in users:
        kind = str(user.get("type") or "user")
        email = ((user.get("person") or {}).get("email")) if isinstance(user.get("person"), dict) else None
        extra = f", {email}" if email else ""
        lines.append(
            f"- {user.get('name') or 'Unnamed'} ({kind}{extra}) id: {compact(str(user.get('id', '')))}"
        )
    return "\n".join(lines) + "\n" if lines else "No users.\n"


def comments_to_markdown(
    comments: list[Obj], names: Mapping[str, str | None] | None = None, on: str = ""
) -> str:
    """Comments grouped by discussion: author (name when `names` has it, else ID), time and text;
    `on` follows each discussion's heading (which block it is on)."""
    groups: dict[str, list[Obj]] = {}
    for comment in comments:
        groups.setdefault(str(comment.get("discussion_id", "")), []).append(comment)
    parts = []
    for discussion, items in groups.items():
        lines = [f"## Discussion {compact(discussion)}{on}", ""]
        for c in items:
            author_id = str((c.get("created_by") or {}).get("id", ""))
            author = (names or {}).get(author_id) or compact(author_id)
            text = rich_text_to_markdown(c.get("rich_text") or [], single_line=True)
            when = str(c.get("created_time", ""))[:16]
            lines.append(f"- {author} at {when} (id: {compact(str(c.get('id', '')))}): {text}")
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n" if parts else "No comments.\n"
