"""The text of the files in an export: a page file, a database's `_schema.yaml`, `rows.csv`.

A page file is YAML front matter between `---` lines, a blank line, then the page's markdown
(this project's dialect, each block's ID as a ` ^<hex>` marker or an `id="…"` attribute, which
the markdown reader ignores). Front matter keys, in this order: id, title, url, parent,
created_time, last_edited_time, icon, cover, properties (every property but the title, as plain
values: see values.py). A markdown file without front matter is a page titled after the file.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import yaml

from notion_mcp.backup.values import cell, to_plain
from notion_mcp.markdown import title_of

Json = dict[str, Any]
FENCE = "---"
SCHEMA_FILE = "_schema.yaml"
DATABASE_FILE = "_database.yaml"  # a database of several data sources: one sub-folder each
ROWS_FILE = "rows.csv"
ID_COLUMN = "_id"  # rows.csv: the row's page ID (the key a sync matches rows by)


def _dump(value: Any) -> str:
    return yaml.safe_dump(value, allow_unicode=True, sort_keys=False, width=1_000)


def _image(value: Any) -> str | None:
    if not isinstance(value, dict):
        return None
    kind = value.get("type")
    if kind == "emoji":
        return str(value.get("emoji"))
    if kind == "external":
        return str((value.get("external") or {}).get("url"))
    if kind == "custom_emoji":
        return f":{(value.get('custom_emoji') or {}).get('name')}:"
    return None  # a file stored by Notion: its link expires; the exporter downloads it (export.py)


def _parent(parent: Any) -> Json | None:
    if not isinstance(parent, dict):
        return None
    kind = parent.get("type")
    return {"type": kind, "id": parent.get(str(kind))} if kind != "workspace" else {"type": "workspace"}


def files_dir(path: str) -> str:
    """Where a page file's downloaded files are, relative to its folder: `Title.files`."""
    name = path.rsplit("/", 1)[-1]
    return f"{name[: -len('.md')] if name.endswith('.md') else name}.files"


def page_meta(page: Json, files_at: str = "") -> Json:
    """The front matter; `files_at`: the page's `Title.files` (its files properties' Notion-hosted
    files are named by their path there)."""
    props = {n: p for n, p in (page.get("properties") or {}).items() if isinstance(p, dict)}
    meta: Json = {
        "id": page.get("id"),
        "title": title_of(page) if title_of(page) != "Untitled" or _has_title(props) else "",
        "url": page.get("url"),
        "parent": _parent(page.get("parent")),
        "created_time": page.get("created_time"),
        "last_edited_time": page.get("last_edited_time"),
        "icon": _image(page.get("icon")),
        "cover": _image(page.get("cover")),
    }
    values = {name: to_plain(p, name, files_at) for name, p in props.items() if p.get("type") != "title"}
    if values:
        meta["properties"] = values
    return meta


def _has_title(props: dict[str, Json]) -> bool:
    return any(p.get("type") == "title" and p.get("title") for p in props.values())


def page_file(meta: Json, body: str) -> str:
    return f"{FENCE}\n{_dump(meta)}{FENCE}\n\n{body}"


def read_page_file(text: str) -> tuple[Json, str]:
    """(front matter, body); no front matter → ({}, the whole text)."""
    if not text.startswith(FENCE + "\n"):
        return {}, text
    end = text.find(f"\n{FENCE}\n", len(FENCE))
    if end < 0:
        return {}, text
    meta = yaml.safe_load(text[len(FENCE) + 1 : end + 1]) or {}
    body = text[end + len(FENCE) + 2 :]
    return (meta if isinstance(meta, dict) else {}), body.removeprefix("\n")


def _strip_ids(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_ids(v) for k, v in value.items() if k != "id" and v is not None}
    if isinstance(value, list):
        return [_strip_ids(v) for v in value]
    return value


def schema_of(source: Json) -> Json:
    """A data source's properties as `_schema.yaml` keeps them: type and settings, no IDs."""
    out: Json = {}
    for name, prop in (source.get("properties") or {}).items():
        kind = str(prop.get("type"))
        config = _strip_ids(prop.get(kind) or {})
        if kind == "status" and isinstance(config, dict):
            config.pop("groups", None)
        out[name] = {"type": kind, **({kind: config} if config else {})}
    return out


def schema_file(database: Json, source: Json, *, one_of_several: bool = False) -> str:
    """`_schema.yaml`: the database and its data source; `one_of_several`: the data source is one
    of a database's several (its sub-folder's schema is titled by the data source)."""
    titled = source if one_of_several else database
    meta = {
        "id": database.get("id"),
        "title": title_of(titled) if titled.get("title") else "",
        "url": database.get("url"),
        "parent": _parent(database.get("parent")),
        "data_source_id": source.get("id"),
        "created_time": database.get("created_time"),
        "last_edited_time": source.get("last_edited_time") or database.get("last_edited_time"),
        "is_inline": database.get("is_inline"),
        "description": "".join(str(t.get("plain_text", "")) for t in database.get("description") or []),
        "properties": schema_of(source),
    }
    return _dump(meta)


def database_file(database: Json) -> str:
    """`_database.yaml` of a database with several data sources: the database, and its data
    sources in order (each in the sub-folder its `_schema.yaml` names by `data_source_id`)."""
    sources = database.get("data_sources") or []
    meta = {
        "id": database.get("id"),
        "title": title_of(database) if database.get("title") else "",
        "url": database.get("url"),
        "parent": _parent(database.get("parent")),
        "created_time": database.get("created_time"),
        "is_inline": database.get("is_inline"),
        "description": "".join(str(t.get("plain_text", "")) for t in database.get("description") or []),
        "data_sources": [{"id": s.get("id"), "name": s.get("name")} for s in sources],
    }
    return _dump(meta)


def read_database(text: str) -> Json:
    meta = yaml.safe_load(text) or {}
    if not isinstance(meta, dict) or not isinstance(meta.get("data_sources"), list):
        raise ValueError(f"{DATABASE_FILE}: expected a mapping with 'data_sources'")
    return meta


def read_schema(text: str) -> Json:
    meta = yaml.safe_load(text) or {}
    if not isinstance(meta, dict) or not isinstance(meta.get("properties"), dict):
        raise ValueError(f"{SCHEMA_FILE}: expected a mapping with 'properties'")
    return meta


def title_name(source: Json) -> str:
    """The name of the data source's title property."""
    for name, prop in (source.get("properties") or {}).items():
        if prop.get("type") == "title":
            return str(name)
    return "Name"


def rows_csv(source: Json, rows: list[Json], files_at: dict[str, str] | None = None) -> str:
    """One line per row, one column per property (the title first), then the row's ID;
    `files_at`: each row's `Title.files`, by row ID (see page_meta)."""
    title = title_name(source)
    names = [title, *[n for n in (source.get("properties") or {}) if n != title]]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*names, ID_COLUMN])
    for row in rows:
        props = row.get("properties") or {}
        at = (files_at or {}).get(str(row["id"]), "")
        writer.writerow([*(cell(to_plain(props[n], n, at)) if n in props else "" for n in names), row["id"]])
    return out.getvalue()


def read_rows_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))
