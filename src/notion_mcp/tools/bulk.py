"""notion_pages create/update with `pages: [...]`: many rows in one call.

Every item is checked against the schema before the first write, and every problem of every
item is listed at once (`dry_run` stops there; invalid items stop the call unless
`skip_invalid`). The writes themselves — upsert matching, concurrency, no duplicates, a clean
stop — are `notion/bulk.py`'s; this module turns items into writes and outcomes into a compact
table, with one ready call that finishes exactly the rest when a lasting fault cut the run short.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import anyio
from pydantic import Field, ValidationError, WithJsonSchema

from notion_mcp.errors import InputError, NotionAPIError, NotionMCPError, to_tool_error
from notion_mcp.markdown.ids import compact, shown_ids, shown_in
from notion_mcp.notion import bulk
from notion_mcp.notion.bulk import Key, Outcome, Write
from notion_mcp.notion.row_values import key_of
from notion_mcp.tools import content, page_templates
from notion_mcp.tools._dispatch import OpArgs
from notion_mcp.tools.context import Call
from notion_mcp.tools.fields import Blocks, JsonObject, NotionId, trash_flag
from notion_mcp.tools.output import as_json, fit, join
from notion_mcp.tools.page_body import decorations, title_property
from notion_mcp.tools.page_templates import Chosen
from notion_mcp.tools.properties import needs_schema, resolve, text
from notion_mcp.tools.rows_text import items_from_text

Json = dict[str, Any]
MAX_ITEMS = 10_000

Rows = Annotated[  # advertised as one type list (an anyOf would cost a model twice the bytes)
    list[JsonObject] | str | None,
    WithJsonSchema({"type": ["array", "string"]}),
    Field(description="many: [{title, properties, …}], CSV or a markdown table"),
]
DryRun = Annotated[bool, Field(description="only check every item")]
SkipInvalid = Annotated[bool, Field(description="write only valid items")]
MADE_SLACK = timedelta(minutes=1)  # Notion's created_time is cut to the minute


class CreateItem(OpArgs):
    title: str | None = None
    properties: JsonObject | None = None
    children: Blocks | None = None
    markdown: str | None = None
    icon: str | None = None
    cover: str | None = None
    variables: JsonObject | None = None  # a local template's values for this item
    template_: JsonObject | None = Field(None, alias="_template")  # Notion's template, set by the call
    made_since: str | None = Field(None, description="set by a ready call: look before creating")


class UpdateItem(OpArgs):
    page_id: NotionId
    title: str | None = None
    properties: JsonObject | None = None
    icon: str | None = None
    cover: str | None = None
    in_trash: bool | None = None
    archived: bool | None = None


@dataclass
class Checked:
    """The items as writes, and the problems of those that cannot be written."""

    writes: list[Write] = field(default_factory=list)
    problems: dict[int, list[str]] = field(default_factory=dict)
    raw: dict[int, Json] = field(default_factory=dict)  # item number → the item as given


def items_of(pages: list[Json] | str) -> list[Json]:
    if isinstance(pages, str) and pages.lstrip().startswith("["):  # a list sent as JSON text
        try:
            pages = json.loads(pages)
        except ValueError:
            raise InputError("pages: starts like a JSON list but is not valid JSON.") from None
    items = items_from_text(pages) if isinstance(pages, str) else list(pages)
    if not items:
        raise InputError("pages: give at least one item.")
    if len(items) > MAX_ITEMS:
        raise InputError(f"pages: at most {MAX_ITEMS:,} items per call; got {len(items):,}. Split the list.")
    return items


def _item_model(model: type[OpArgs], raw: Any, problems: list[str]) -> Any:
    if not isinstance(raw, dict):
        problems.append(f"an item is an object, got {type(raw).__name__}")
        return None
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "item"
            kind = {"extra_forbidden": "not an item field", "missing": "required"}.get(err["type"])
            problems.append(f"{where}: {kind or str(err['msg']).removeprefix('Value error, ')}")
        return None


def _properties(values: Json, title: str | None, schema: Json, problems: list[str]) -> Json:
    """Each property resolved on its own, so that every bad one is named."""
    out: Json = {}
    for name, value in values.items():
        try:
            out.update(resolve({name: value}, schema))
        except InputError as exc:
            problems.append(str(exc))
    if title is not None:
        name = title_property(schema)
        if name in out:
            problems.append(f"give the title either as title or in properties[{name!r}], not both")
        out[name] = {"title": text(title)}
    return out


def _guarded(problems: list[str], make: Callable[[], Any]) -> Any:
    try:
        return make()
    except NotionMCPError as exc:
        problems.append(str(exc))
        return None


def check_creates(
    items: Sequence[Any],
    parent: Json,
    schema: Json,
    shared: Json,
    key: Key | None,
    template: Chosen | None = None,
) -> Checked:
    checked = Checked()
    for number, raw in enumerate(items, start=1):
        problems: list[str] = []
        checked.raw[number] = raw if isinstance(raw, dict) else {}
        given = _templated(raw, shared, template, problems) if isinstance(raw, dict) else raw
        item = _item_model(CreateItem, given, problems) if not problems else None
        write = _create_write(number, item, parent, schema, key, problems) if item is not None else None
        if write is None or problems:
            checked.problems[number] = problems
        else:
            checked.writes.append(write)
    return checked


def _templated(raw: Json, shared: Json, template: Chosen | None, problems: list[str]) -> Json:
    """The item with what the call gives every item, then the template's values, under its own."""
    props = {**shared.get("properties", {}), **(raw.get("properties") or {})}
    given = {
        **{k: v for k, v in shared.items() if k != "variables"},
        **raw,
        **({"properties": props} if props else {}),
    }
    if template is None:
        return given
    variables = given.pop("variables", shared.get("variables"))
    try:
        return {**page_templates.fill(given, template, variables), "_template": template.notion}
    except InputError as exc:
        problems.append(str(exc))
        return given


def _create_write(
    number: int, item: CreateItem, parent: Json, schema: Json, key: Key | None, problems: list[str]
) -> Write | None:
    values = dict(item.properties or {})
    key_value = None
    if key is not None:
        key_value = _key_value(key, values, item.title, schema)
        if key_value is None:
            problems.append(f"no value for the key {key.name!r}")
        if key.kind == "unique_id":
            values.pop(key.name, None)  # Notion numbers rows: the key only finds them
    properties = _properties(values, item.title, schema, problems)
    has_content = bool(item.children or item.markdown)
    blocks = (
        _guarded(problems, lambda: content.blocks_from(item.children, item.markdown)) if has_content else []
    )
    looks = _guarded(problems, lambda: decorations(item.icon, item.cover)) or {}
    made = item.made_since
    since = _guarded(problems, lambda: _since(made)) if made else None
    if problems:
        return None
    body = {"parent": parent, "properties": properties, **looks}
    if item.template_ is not None:
        body["template"] = item.template_
    return Write(number, body, blocks=blocks or [], key=key_value, made_since=since)


def _since(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"made_since: {value!r} is not an ISO 8601 time.") from None


def _key_value(key: Key, values: Json, title: str | None, schema: Json) -> Any:
    """The item's key value, in the form `row_values.key_of` gives a row's."""
    raw = values.get(key.name, title if key.kind == "title" else None)
    if raw is None or raw == "":
        return None
    if key.kind == "unique_id":
        digits = str(raw).rsplit("-", 1)[-1].strip()
        return int(digits) if digits.isdigit() else None
    try:
        resolved = resolve({key.name: raw}, schema)[key.name]
    except InputError:
        return None  # reported with the item's other property problems
    return key_of(key.kind, resolved)


def key_of_schema(name: str, schema: Json) -> Key:
    prop = schema.get(name)
    if not isinstance(prop, dict):
        raise InputError(f"key: no property {name!r}; properties here: {', '.join(map(repr, schema))}.")
    kind = str(prop.get("type"))
    if kind not in bulk.KEY_TYPES:
        raise InputError(
            f"key: {name!r} is a {kind} property; a key is a title, text, email, URL, phone, number"
            " or unique ID property."
        )
    return Key(name, kind)


async def check_updates(call: Call, items: Sequence[Any]) -> Checked:
    checked = Checked()
    models: dict[int, UpdateItem] = {}
    for number, raw in enumerate(items, start=1):
        problems: list[str] = []
        checked.raw[number] = raw if isinstance(raw, dict) else {}
        item = _item_model(UpdateItem, raw, problems)
        if item is None:
            checked.problems[number] = problems
        else:
            models[number] = item
    wanted = {n: m for n, m in models.items() if m.title is not None or needs_schema(m.properties or {})}
    schemas = await _schemas(call, wanted)
    for number, item in models.items():
        problems = []
        write = _update_write(number, item, schemas.get(number), problems)
        if write is None:
            checked.problems[number] = problems
        else:
            checked.writes.append(write)
    return checked


def _update_write(
    number: int, item: UpdateItem, schema: Json | str | None, problems: list[str]
) -> Write | None:
    body: Json = _guarded(problems, lambda: decorations(item.icon, item.cover)) or {}
    values = dict(item.properties or {})
    if isinstance(schema, str):
        problems.append(schema)
    elif values or item.title is not None:
        body["properties"] = _properties(values, item.title, schema, problems) if schema else values
    trash = _guarded(problems, lambda: trash_flag(item.in_trash, item.archived))
    if trash is not None:
        body["in_trash"] = trash
    if not body and not problems:
        problems.append("nothing to update: give properties, title, icon, cover or in_trash")
    return None if problems else Write(number, body, page_id=item.page_id)


async def _schemas(call: Call, items: dict[int, UpdateItem]) -> dict[int, Json | str]:
    """Each item's schema (its data source's, read once per data source), or why it is unknown."""
    pages: dict[int, Json | str] = {}
    sources: dict[str, Json] = {}
    limit = anyio.Semaphore(bulk.CONCURRENCY)

    async def page_of(number: int, page_id: str) -> None:
        async with limit:
            try:
                pages[number] = await call.gateway.retrieve_page(page_id)
            except NotionAPIError as exc:
                pages[number] = f"page {compact(page_id)}: {exc.status} {exc.code}: {shown_ids(exc.message)}"

    async with anyio.create_task_group() as group:
        for number, item in items.items():
            group.start_soon(page_of, number, item.page_id)
    out: dict[int, Json | str] = {}
    for number, page in pages.items():
        if isinstance(page, str):
            out[number] = page
            continue
        source_id = (page.get("parent") or {}).get("data_source_id")
        if source_id and source_id not in sources:
            sources[source_id] = await call.gateway.schema(source_id)
        out[number] = sources[source_id] if source_id else {
            n: {"id": p.get("id"), "type": p.get("type")} for n, p in (page.get("properties") or {}).items()
        }  # fmt: skip
    return out


# -- the answer -------------------------------------------------------------------------------
def problems_text(problems: dict[int, list[str]]) -> str:
    return "\n".join(f"- item {n}: {' '.join(_sentence(x) for x in p)}" for n, p in sorted(problems.items()))


def _sentence(problem: str) -> str:
    return problem if problem.endswith(".") else problem + "."


def refuse(problems: dict[int, list[str]], total: int) -> InputError:
    count = len(problems)
    return InputError(
        f"{count} of {total} items {'is' if count == 1 else 'are'} invalid; nothing was written.\n"
        f"{problems_text(problems)}\nFix them and call again, or pass skip_invalid=true to write the"
        " valid ones."
    )


def dry_run_text(checked: Checked, total: int, plan: str) -> str:
    if not checked.problems:
        return f"All {total} items are valid{plan}. Nothing was written (dry_run)."
    valid = total - len(checked.problems)
    return (
        f"{valid} of {total} items are valid{plan}; {len(checked.problems)} are not. Nothing was written"
        f" (dry_run).\n{problems_text(checked.problems)}"
    )


COUNTED = ("created", "found", "updated", "unchanged", "skipped", "failed", "unknown", "not_done")
SHOWN = {"found": "created (answer lost, found)", "unknown": "unknown: may exist", "not_done": "not done"}


def table(outcomes: Sequence[Outcome], budget: int) -> str:
    lines = [
        f"| {o.item} | {SHOWN.get(o.status, o.status)}{': ' + shown_ids(o.reason) if o.reason else ''} | "
        f"{compact(o.page_id) if o.page_id else ''} |"
        for o in outcomes
    ]

    def cut(i: int) -> str:
        return f"[table cut at item {outcomes[i].item} (response budget); the counts above cover every item]"

    return fit(lines, budget, cut, head="| # | result | page |\n|---|---|---|")


def summary(outcomes: Sequence[Outcome], where: str) -> str:
    counts = {s: sum(1 for o in outcomes if o.status == s) for s in COUNTED}
    parts = ", ".join(f"{n} {SHOWN.get(s, s).split(':')[0]}" for s, n in counts.items() if n)
    return f"{len(outcomes)} {'item' if len(outcomes) == 1 else 'items'} {where}: {parts}."


@dataclass(frozen=True)
class Rest:
    """What a ready call must do again: `items` as given, `made_since` for unknown creates."""

    arguments: Json
    numbers: list[int]


def ready_call(
    arguments: Json, checked: Checked, outcomes: Sequence[Outcome], started: datetime, *, creates: bool
) -> Rest | None:
    again = [o for o in outcomes if o.again]
    if not again:
        return None
    since = (started.replace(second=0, microsecond=0) - MADE_SLACK).isoformat()
    items = []
    for o in again:
        item = dict(checked.raw[o.item])
        if creates and o.status == "unknown" and not arguments.get("key"):
            item["made_since"] = since
        items.append(item)
    rest = {k: v for k, v in arguments.items() if k not in ("pages", "dry_run", "skip_invalid")}
    return Rest(shown_in({**rest, "pages": items}), [o.item for o in again])


def answer(
    call: Call,
    where: str,
    outcomes: Sequence[Outcome],
    stopped: NotionAPIError | None,
    rest: Rest | None,
) -> str:
    head = summary(outcomes, where)
    why = ""
    if stopped is not None:
        why = (
            "Stopped by a fault that outlasted the retries:\n"
            + str(to_tool_error(stopped)).split("\nNext step:")[0]
        )
    ready = ""
    if rest is not None:
        call_text = f"rest: notion_pages {as_json(rest.arguments)}"
        numbers = ", ".join(map(str, rest.numbers))
        ready = (
            f"To finish exactly the rest (items {numbers}), make this call when Notion answers:\n{call_text}"
        )
        if len(call_text) > call.settings.max_output_chars // 2:
            ready = (
                "To finish exactly the rest, call again with the same arguments and pages set to items"
                f" {numbers} of this call (as given)."
            )
    # what the table may use: the rest of the budget, less room for the line that says it was cut
    budget = call.settings.max_output_chars - len(head) - len(why) - len(ready) - 150
    return join(head, table(outcomes, max(budget, 300)), why, ready)


# -- the two entry points ---------------------------------------------------------------------
def _arguments(operation: str, args: Any) -> Json:
    """The call as a model would repeat it (defaults left out)."""
    return {"operation": operation, **args.model_dump(exclude_defaults=True, exclude_none=True)}


def _progress(call: Call) -> ProgressFn:
    async def report(done: int, total: int, message: str) -> None:
        await call.progress(done, total, message)

    return report


def _as_json(outcomes: Sequence[Outcome], rest: Rest | None) -> str:
    rows = [
        {
            k: shown_ids(v) if isinstance(v, str) else v
            for k, v in vars(o).items()
            if v not in (None, "", False)
        }
        for o in outcomes
    ]
    return as_json({"results": rows, **({"rest": rest.arguments} if rest else {})})


async def create_many(call: Call, args: Any, parent: Json, schema: Json) -> str:
    """`notion_pages create` with pages (or key, dry_run, skip_invalid)."""
    started = datetime.now(UTC)
    single = {k: getattr(args, k) for k in ("title", "markdown", "children") if getattr(args, k) is not None}
    if args.pages is not None and single:
        raise InputError(
            f"Give {', '.join(single)} inside each item of pages (properties, icon and cover given"
            " beside pages apply to every item)."
        )
    items = items_of(args.pages) if args.pages is not None else [single]
    shared = {
        k: getattr(args, k)
        for k in ("properties", "icon", "cover", "variables")
        if getattr(args, k) is not None
    }
    if args.pages is None:
        items, shared = (
            [{**single, **{k: v for k, v in shared.items() if k != "variables"}}],
            {"variables": args.variables} if args.variables is not None else {},
        )
    key = key_of_schema(args.key, schema) if args.key else None
    source_id = parent.get("data_source_id")
    if key is not None and not source_id:
        raise InputError("key: upserting needs a database parent ({database_id} or {data_source_id}).")
    template = await page_templates.choose(call, args.template, parent) if args.template else None
    checked = check_creates(items, parent, schema, shared, key, template)
    writes, settled = checked.writes, list[Outcome]()
    if key is not None:
        existing = await bulk.existing_rows(call.gateway, str(source_id), key)
        writes, settled = bulk.match(writes, key, existing)
    where = (
        f"for data source {compact(str(source_id))}"
        if source_id
        else f"under {compact(str(parent.get(str(parent.get('type')))))}"
    )
    if args.dry_run:
        for o in settled:
            if o.status == "failed":
                checked.problems[o.item] = [o.reason]
        return dry_run_text(checked, len(items), _plan(writes, settled) if key else "")
    if checked.problems and not args.skip_invalid:
        raise refuse(checked.problems, len(items))
    skipped = [Outcome(n, "skipped", reason="; ".join(p)) for n, p in checked.problems.items()]
    look_for: Callable[[Write], Any] = lambda _: None  # noqa: E731
    if key is not None:
        look_for = lambda w: bulk.key_look(call.gateway, str(source_id), key, w.key)  # noqa: E731
    done, stopped = await bulk.run_writes(
        call.gateway, writes, look_for=look_for, on_progress=_progress(call),
        settled=len(settled) + len(skipped), total=len(items),
    )  # fmt: skip
    outcomes = sorted([*done, *settled, *skipped], key=lambda o: o.item)
    rest = ready_call(_arguments("create", args), checked, outcomes, started, creates=True)
    if args.format == "json":
        return _as_json(outcomes, rest)
    return answer(call, where, outcomes, stopped, rest)


def _plan(writes: Sequence[Write], settled: Sequence[Outcome]) -> str:
    creates = sum(1 for w in writes if w.page_id is None)
    updates = len(writes) - creates
    same = sum(1 for o in settled if o.status == "unchanged")
    return f": {creates} would be created, {updates} would update a row, {same} unchanged"


async def update_many(call: Call, args: Any) -> str:
    """`notion_pages update` with pages."""
    started = datetime.now(UTC)
    given = [
        k
        for k in ("page_id", "properties", "title", "icon", "cover", "in_trash")
        if getattr(args, k) is not None
    ]
    if given:
        raise InputError(f"Give {', '.join(given)} inside each item of pages: [{{page_id, properties, …}}].")
    items = items_of(args.pages)
    checked = await check_updates(call, items)
    if args.dry_run:
        return dry_run_text(checked, len(items), "")
    if checked.problems and not args.skip_invalid:
        raise refuse(checked.problems, len(items))
    skipped = [Outcome(n, "skipped", reason="; ".join(p)) for n, p in checked.problems.items()]
    done, stopped = await bulk.run_writes(
        call.gateway, checked.writes, on_progress=_progress(call), settled=len(skipped), total=len(items)
    )
    outcomes = sorted([*done, *skipped], key=lambda o: o.item)
    rest = ready_call(_arguments("update", args), checked, outcomes, started, creates=False)
    if args.format == "json":
        return _as_json(outcomes, rest)
    return answer(call, "to update", outcomes, stopped, rest)


ProgressFn = Callable[[int, int, str], Awaitable[None]]
