"""`template` on notion_pages create: one of Notion's data-source templates, or a local one.

Under a database, `"default"` or the name or ID of one of its data source's templates makes
Notion apply that template (its properties and content; Notion fills the page in after the
create answers). Anything else names a local template (`notion_mcp.templates`), rendered with
`variables` into title, icon, cover, properties and markdown; fields given in the call win over
the template's. A name found nowhere is an error listing both kinds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from notion_mcp.errors import InputError, NotionAPIError
from notion_mcp.notion.gateway import NotionGateway
from notion_mcp.notion.pagination import collect
from notion_mcp.templates import Template, available, folder_of, load, render
from notion_mcp.tools.context import Call

Json = dict[str, Any]
FILLED = ("title", "icon", "cover", "markdown")


@dataclass(frozen=True)
class Chosen:
    notion: Json | None = None  # Notion's `template` body parameter
    local: Template | None = None


async def notion_templates(gateway: NotionGateway, source_id: str) -> list[Json]:
    """Every template of a data source ({id, name, is_default})."""
    found = await collect(
        lambda cursor, size: _as_list(gateway.list_templates(source_id, cursor, size)),
        start_cursor=None,
        limit=1_000,
    )
    return list(found.results)


async def _as_list(answer: Any) -> Json:
    page = dict(await answer)
    return {**page, "results": page.get("templates") or []}


async def choose(call: Call, name: str, parent: Json) -> Chosen:
    source_id = parent.get("data_source_id")
    listed: list[Json] = []
    if source_id:
        try:
            listed = await notion_templates(call.gateway, str(source_id))
        except NotionAPIError as exc:
            if exc.status not in (400, 404):  # an API without templates: only local ones then
                raise
        wanted = name.strip()
        if wanted.lower() == "default":
            if listed and not any(t.get("is_default") for t in listed):
                raise InputError("template: this database has no default template; " + _known(call, listed))
            return Chosen(notion={"type": "default"})
        for t in listed:
            same_id = wanted.replace("-", "") == str(t.get("id", "")).replace("-", "")
            if same_id or wanted.lower() == str(t.get("name", "")).lower():
                return Chosen(notion={"type": "template_id", "template_id": str(t["id"])})
    try:
        return Chosen(local=load(name, folder_of(call.settings.templates)))
    except InputError:
        raise InputError(f"template: no template {name!r}. {_known(call, listed)}") from None


def _known(call: Call, listed: list[Json]) -> str:
    local = ", ".join(sorted(available(folder_of(call.settings.templates))))
    notion = ", ".join(f"{t.get('name') or 'Untitled'}{' (default)' if t.get('is_default') else ''}"
                       for t in listed)  # fmt: skip
    where = f"Database templates: {notion}. " if notion else ""
    return f"{where}Local templates: {local} (add <name>.md files to {folder_of(call.settings.templates)})."


async def for_existing(call: Call, page_id: str, name: str) -> Json:
    """Notion's `template` parameter that merges a database template into an existing row."""
    page = await call.gateway.retrieve_page(page_id)
    source_id = (page.get("parent") or {}).get("data_source_id")
    if not source_id:
        raise InputError(
            "template: only a database row takes a template on update (this page is not in one)."
        )
    chosen = await choose(call, name, {"data_source_id": source_id})
    if chosen.notion is None:
        listed = await notion_templates(call.gateway, str(source_id))
        raise InputError(
            f"template: on update, a database template is merged into the row; {name!r} is a local"
            f" template, which makes new pages (notion_pages create). {_known(call, listed)}"
        )
    return chosen.notion


def fill(item: Json, chosen: Chosen, variables: Any) -> Json:
    """The item (title, properties, markdown, …) with a local template's values under its own."""
    if chosen.local is None:
        if variables:
            raise InputError("variables: only local templates take variables; Notion's templates do not.")
        if item.get("markdown") or item.get("children"):
            raise InputError(
                "template: a database template brings its own content; leave out markdown and children"
                " (add to the page afterwards with notion_blocks append)."
            )
        return item
    if item.get("markdown") is not None or item.get("children") is not None:
        raise InputError("template: the template is the content; leave out markdown and children.")
    if variables is not None and not isinstance(variables, dict):
        raise InputError('variables: an object of {"name": "value"}.')
    page = render(chosen.local, dict(variables or {}))
    out = {k: v for k, v in item.items() if v is not None}
    for key in FILLED:
        value = getattr(page, key)
        if key not in out and value is not None:
            out[key] = value
    if page.properties:
        out["properties"] = {**page.properties, **(out.get("properties") or {})}
    return out


def check_variables(name: str | None, variables: Any) -> None:
    if name is None and variables is not None:
        raise InputError("variables: give template too (variables fill a local template's {{placeholders}}).")
