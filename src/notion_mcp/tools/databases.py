"""notion_databases: create, inspect, change and query databases (through their data sources)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

from pydantic import BeforeValidator, Field
from pydantic.json_schema import SkipJsonSchema

from notion_mcp.errors import InputError, NotionAPIError
from notion_mcp.markdown import database_to_markdown, rows_to_markdown
from notion_mcp.markdown.ids import compact
from notion_mcp.notion.ids import normalize_id
from notion_mcp.notion.pagination import Collected, collect
from notion_mcp.notion.views import find_view, view_query
from notion_mcp.tools import database_extras
from notion_mcp.tools._dispatch import Formatted, Operation, ToolSpec
from notion_mcp.tools.context import Call
from notion_mcp.tools.fields import Cursor, JsonObject, MaxResults, NotionId, PageSize, trash_flag
from notion_mcp.tools.output import as_json, fit, join, json_list, more_hint
from notion_mcp.tools.properties import text
from notion_mcp.wording import counted

QUERY_CAP_REASON = "query_result_limit_reached"


T = TypeVar("T")


class Create(Formatted):
    parent: JsonObject = Field(description="{page_id} to hold it")
    title: str | None = Field(None, description="database title")
    description: str | None = Field(None, description="database description")
    properties: JsonObject | None = Field(None, description="schema {name: {type: {...}}}")
    is_inline: bool | None = Field(None, description="inline in the parent page")


class Retrieve(Formatted):
    database_id: NotionId | None = Field(None, description="database ID or URL")
    data_source_id: NotionId | None = Field(None, description="instead of database_id")


class Update(Formatted):
    database_id: NotionId | None = Field(None, description="database ID or URL")
    data_source_id: NotionId | None = Field(None, description="instead of database_id")
    title: str | None = Field(None, description="database title")
    description: str | None = Field(None, description="database description")
    properties: JsonObject | None = Field(
        None, description='{"New": {"number": {}}, "Old": {"name": "Renamed"}, "Gone": null}'
    )
    in_trash: bool | None = Field(None, description="true trashes, false restores")
    archived: SkipJsonSchema[bool | None] = None  # the pre-2026 name of in_trash, still accepted


_DIRECTIONS = {"asc": "ascending", "desc": "descending", "ascending": "ascending", "descending": "descending"}


def _listed(value: Any) -> Any:
    """Sorts as Notion takes them: one object becomes a list of one; "asc"/"desc" (any case)
    become "ascending"/"descending"."""
    sorts = [value] if isinstance(value, dict) else value
    if not isinstance(sorts, list):
        return sorts
    return [
        {**s, "direction": _DIRECTIONS.get(str(s["direction"]).strip().lower(), s["direction"])}
        if isinstance(s, dict) and "direction" in s
        else s
        for s in sorts
    ]


class Query(Formatted):
    database_id: NotionId | None = Field(None, description="database ID or URL")
    data_source_id: NotionId | None = Field(None, description="instead of database_id")
    filter: JsonObject | None = Field(None, description="Notion filter object")
    sorts: Annotated[list[JsonObject] | None, BeforeValidator(_listed)] = Field(
        None, description="Notion sort objects"
    )
    view: str | None = Field(None, description="view name or ID")
    start_cursor: Cursor = None
    page_size: PageSize = None
    max_results: MaxResults = None


async def _source_id(call: Call, database_id: str | None, data_source_id: str | None) -> str:
    if (database_id is None) == (data_source_id is None):
        raise InputError("Give database_id or data_source_id (exactly one).")
    if data_source_id is not None:
        return data_source_id
    assert database_id is not None
    return await call.gateway.resolve_data_source(database_id)


async def _instead(missing: NotionAPIError, other: Callable[[], Awaitable[T]]) -> T:
    """After a 404, `other()` — the ID taken as the other kind of object (models mix database and
    data source IDs up); when that fails too, the 404 itself."""
    if missing.status != 404:
        raise missing
    try:
        return await other()
    except NotionAPIError:
        raise missing from None


def _schema_entry(name: str, value: Any) -> dict[str, Any]:
    """A property of a new database in Notion's form: `{"number": {}}` as given, and the short
    forms a model writes, `"number"` and `{"type": "number"}`, made into it."""
    if isinstance(value, str):
        value = {"type": value}
    if not isinstance(value, dict):
        raise InputError(
            f'properties[{name!r}]: give the property type, e.g. {{"number": {{}}}} or "number".'
        )
    kind = value.get("type")
    if isinstance(kind, str) and kind not in value:
        return {**value, kind: {}}
    return value


async def create(call: Call, args: Create) -> str:
    if set(args.parent) - {"page_id", "type"} or "page_id" not in args.parent:
        raise InputError('parent: a database is created under a page: {"page_id": "…"}.')
    schema = {name: _schema_entry(name, value) for name, value in (args.properties or {}).items()}
    if not any("title" in p for p in schema.values()):
        schema = {"Name": {"title": {}}, **schema}
    body: dict[str, Any] = {
        "parent": {"type": "page_id", "page_id": normalize_id(args.parent["page_id"], "parent.page_id")},
        "title": text(args.title or ""),
        "initial_data_source": {"properties": schema},
    }
    if args.description is not None:
        body["description"] = text(args.description)
    if args.is_inline is not None:
        body["is_inline"] = args.is_inline
    database = await call.gateway.create_database(body)
    if args.format == "json":
        return as_json(database)
    sources = ", ".join(compact(str(s["id"])) for s in database.get("data_sources", []))
    return f"Created database {compact(database['id'])} {database.get('url', '')} (data source {sources})."


async def retrieve(call: Call, args: Retrieve) -> str:
    if (args.database_id is None) == (args.data_source_id is None):
        raise InputError("Give database_id or data_source_id (exactly one).")
    source: dict[str, Any] | None = None
    if args.data_source_id is not None:
        source = await call.gateway.retrieve_data_source(args.data_source_id)
    else:
        try:
            database, refs = await call.gateway.data_sources_of(args.database_id or "")
        except NotionAPIError as exc:  # a data source ID given as database_id (search lists those)
            source = await _instead(exc, lambda: call.gateway.retrieve_data_source(args.database_id or ""))
    if source is not None:
        parent_id = (source.get("parent") or {}).get("database_id")
        database = (
            await call.gateway.retrieve_database(parent_id) if parent_id else {"id": None, "data_sources": []}
        )
        sources = [source]
    else:
        sources = [await call.gateway.retrieve_data_source(str(ref["id"])) for ref in refs]
    extras = await database_extras.read(call.gateway, database.get("id"), sources)
    if args.format == "json":
        return as_json({"database": database, "data_sources": sources, **extras.as_json()})
    return join(database_to_markdown(database, sources), extras.as_markdown())


async def update(call: Call, args: Update) -> str:
    """With database_id: title/description/in_trash change the database, properties its data
    source. With data_source_id: everything changes that data source alone (its siblings and
    the database container are left as they are)."""
    trash = trash_flag(args.in_trash, args.archived)
    changes: dict[str, Any] = {}
    if args.title is not None:
        changes["title"] = text(args.title)
    if args.description is not None:
        if args.data_source_id is not None:
            raise InputError(
                "description belongs to the database: give database_id instead of data_source_id."
            )
        changes["description"] = text(args.description)
    if trash is not None:
        changes["in_trash"] = trash
    if not changes and args.properties is None:
        raise InputError("Nothing to update: give title, description, properties or in_trash.")
    if (args.database_id is None) == (args.data_source_id is None):
        raise InputError("Give database_id or data_source_id (exactly one).")
    results: dict[str, Any] = {}
    schema = None
    if args.properties is not None:  # short forms as in create; a rename {"name": …} or null as is
        schema = {k: v if v is None or "name" in (v if isinstance(v, dict) else {}) else _schema_entry(k, v)
                  for k, v in args.properties.items()}  # fmt: skip
    if args.data_source_id is not None:
        body = {**changes, **({"properties": schema} if schema is not None else {})}
        results["data_source"] = await call.gateway.update_data_source(args.data_source_id, body)
    else:
        if schema is not None:
            source_id = await _source_id(call, args.database_id, None)
            results["data_source"] = await call.gateway.update_data_source(source_id, {"properties": schema})
        if changes:
            results["database"] = await call.gateway.update_database(args.database_id or "", changes)
    if args.format == "json":
        return as_json(results)
    done = " and ".join(f"{k.replace('_', ' ')} {compact(v['id'])}" for k, v in results.items())
    trashed = " (now in the trash)" if any(v.get("in_trash") for v in results.values()) else ""
    return f"Updated {done}{trashed}."


async def query(call: Call, args: Query) -> str:
    if args.view is not None:
        return await _through_view(call, args)
    source_id = await _source_id(call, args.database_id, args.data_source_id)
    body: dict[str, Any] = {}
    if args.filter is not None:
        body["filter"] = args.filter
    if args.sorts is not None:
        body["sorts"] = args.sorts
    return await _rows(call, args, source_id, body)


async def _through_view(call: Call, args: Query) -> str:
    """The rows as the view shows them (its data source, filter and sorts; args.filter narrows)."""
    database_id = args.database_id
    if database_id is None and args.data_source_id is not None:
        source = await call.gateway.retrieve_data_source(args.data_source_id)
        database_id = (source.get("parent") or {}).get("database_id")
    view = await find_view(call.gateway, args.view or "", database_id)
    body = view_query(view, args.filter, args.sorts)
    source_id = str(view.get("data_source_id") or await _source_id(call, database_id, None))
    return await _rows(call, args.model_copy(update={"data_source_id": source_id}), source_id, body)


async def _rows(call: Call, args: Query, source_id: str, body: dict[str, Any]) -> str:
    budget = call.settings.max_output_chars
    measured = [0, 0]  # rows measured, their table's characters

    def next_too_big(rows: list[dict[str, Any]], next_size: int) -> bool:
        """Whether `next_size` more rows, as long as these on average, would overflow the answer."""
        measured[1] += len(rows_to_markdown(rows[measured[0] :]))
        measured[0] = len(rows)
        return args.format == "markdown" and measured[1] + measured[1] / len(rows) * next_size > budget

    async def rows_of(source: str) -> Collected:
        return await collect(  # a page that would not fit is left for the cursor, not fetched
            lambda cursor, size: call.gateway.query_data_source(source, body, cursor, size),
            start_cursor=args.start_cursor,
            limit=args.max_results or args.page_size or 100,
            page_size=args.page_size,
            full=next_too_big,
        )

    try:
        found = await rows_of(source_id)
    except NotionAPIError as exc:
        if args.data_source_id is None or measured[0]:
            raise
        source_id = await _instead(exc, lambda: call.gateway.resolve_data_source(str(args.data_source_id)))
        found = await rows_of(source_id)
    rows, cursor, more = found.results, found.next_cursor, found.has_more
    status = found.last_page.get("request_status") or {}
    notes = []
    if status.get("incomplete_reason") == QUERY_CAP_REASON:
        notes.append(
            "Notion stopped at its 10,000-result query cap: the result is incomplete. "
            "Narrow the filter to see the rest."
        )
    if args.format == "json":
        extra = {
            "data_source_id": compact(source_id),
            "next_cursor": cursor,
            "has_more": more,
            "notes": notes,
        }
        return json_list(rows, call.settings.max_output_chars, extra)
    head = f"{counted(len(rows), 'row')} from data source {compact(source_id)}"
    table_lines = rows_to_markdown(rows).splitlines()  # header, rule, then a line per row
    bound = "max_results" if args.max_results else "page_size"

    def cut(i: int) -> str:
        nonlocal cursor, more
        cursor, more = None, False  # the cursor continues after every row, shown or not: not offered
        return (
            f"[output cut at {i} of {len(rows)} rows (response budget). Call again with the same "
            f"arguments and {bound}={i}: that page ends here and its cursor continues after it.]"
        )

    tail = join(more_hint(cursor, more), *notes)
    room = budget - len(head) - 2 - (len(tail) + 2 if tail else 0)
    table = fit(table_lines[2:], room, cut, head="\n".join(table_lines[:2]))
    return join(head, table.rstrip("\n"), more_hint(cursor, more), *notes)


SPEC = ToolSpec(
    name="notion_databases",
    title="Notion databases",
    description=(
        "Databases (rows live in data sources). create: under a page, with a schema. retrieve: "
        "schema, views, templates. update: title, description, schema, in_trash. query: rows by "
        "filter and sorts, or a view."
    ),
    operations={
        "create": Operation(Create, create, writes=True),
        "retrieve": Operation(Retrieve, retrieve),
        "update": Operation(Update, update, writes=True, destructive=True),
        "query": Operation(Query, query),
    },
)
