"""notion_pages: create a page (with content of any size), read it whole, update it."""

from __future__ import annotations

from typing import Any

import anyio
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field
from pydantic.json_schema import SkipJsonSchema

from notion_mcp.errors import InputError, NotionAPIError, NotionMCPError, to_tool_error
from notion_mcp.markdown import page_to_markdown, property_to_text, rich_text_to_markdown
from notion_mcp.markdown.ids import compact
from notion_mcp.notion import first_part, markdown_create
from notion_mcp.notion.create import create_page
from notion_mcp.notion.edit import ensure_unchanged
from notion_mcp.notion.ids import normalize_id
from notion_mcp.notion.pagination import collect
from notion_mcp.notion.plan import children_of, validate_blocks
from notion_mcp.notion.tree import AppendResult, TreeResult
from notion_mcp.tools import bulk, content, page_templates
from notion_mcp.tools._dispatch import Formatted, Operation, ToolSpec
from notion_mcp.tools.blocks import DEFAULT_MAX_BLOCKS
from notion_mcp.tools.bulk import DryRun, Rows, SkipInvalid
from notion_mcp.tools.context import Call
from notion_mcp.tools.edits import Edits, Since, apply_edits
from notion_mcp.tools.fields import Blocks, Cursor, JsonObject, MaxResults, NotionId, PageSize, trash_flag
from notion_mcp.tools.files import with_uploads
from notion_mcp.tools.output import as_json, join, more_hint
from notion_mcp.tools.page_body import PAGE_SCHEMA, decorations
from notion_mcp.tools.page_body import parent_of as _parent
from notion_mcp.tools.page_body import with_title as _with_title
from notion_mcp.tools.page_duplicate import Duplicate
from notion_mcp.tools.page_duplicate import duplicate as duplicate_with
from notion_mcp.tools.page_move import PARENT_DESCRIPTION, Move, move
from notion_mcp.tools.properties import needs_schema
from notion_mcp.wording import counted


class Create(Formatted):
    parent: JsonObject = Field(description=PARENT_DESCRIPTION)
    title: str | None = Field(None, description="page title")
    properties: JsonObject | None = Field(None, description='{"Status": "Done"} or Notion form')
    children: Blocks | None = Field(None, description="Notion blocks")
    markdown: str | None = Field(None, description="markdown; ![](./a.png) uploads")
    icon: str | None = Field(None, description='emoji or image URL; "" removes')
    cover: str | None = Field(None, description='image URL; "" removes')
    template: str | None = Field(None, description="database or local template")
    variables: JsonObject | None = Field(None, description="{{name}} values")
    pages: Rows = None
    key: str | None = Field(None, description="upsert by this property")
    dry_run: DryRun = False
    skip_invalid: SkipInvalid = False


class Retrieve(Formatted):
    page_id: NotionId = Field(description="page ID or URL")
    include_content: bool | None = None  # default: true for markdown
    retrieve_property_item_id: str | None = Field(None, description="property name or ID")
    max_depth: int = Field(10, ge=1, le=50)
    max_blocks: int = Field(DEFAULT_MAX_BLOCKS, ge=1, le=20_000)
    block_ids: bool = Field(False, description="show block IDs")
    file_urls: bool = Field(False, description="links to stored files")
    start_cursor: Cursor = None
    page_size: PageSize = None
    max_results: MaxResults = None


class Update(Formatted):
    page_id: NotionId | None = Field(None, description="page ID or URL")
    properties: JsonObject | None = Field(None, description='{"Status": "Done"} or Notion form')
    title: str | None = Field(None, description="page title")
    icon: str | None = Field(None, description='emoji or image URL; "" removes')
    cover: str | None = Field(None, description='image URL; "" removes')
    in_trash: bool | None = Field(None, description="true trashes, false restores")
    archived: SkipJsonSchema[bool | None] = None  # the pre-2026 name of in_trash, still accepted
    edits: Edits = None
    if_unchanged_since: Since = None
    template: str | None = Field(None, description="database or local template")
    pages: Rows = None
    dry_run: DryRun = False
    skip_invalid: SkipInvalid = False


def count_blocks(blocks: list[dict[str, Any]]) -> int:
    return sum(1 + count_blocks(children_of(b)) for b in blocks)


async def create(call: Call, args: Create) -> str:
    page_templates.check_variables(args.template, args.variables)
    if args.pages is not None or args.key or args.dry_run or args.skip_invalid:
        return await bulk.create_many(call, args, *await _parent(call, args.parent))
    if args.template is None and (args.children or args.markdown):
        content.blocks_from(args.children, args.markdown)  # checked before any request
    parent, schema = await _parent(call, args.parent)
    chosen = await page_templates.choose(call, args.template, parent) if args.template else None
    if chosen is not None:
        given = args.model_dump(include={"title", "properties", "markdown", "children", "icon", "cover"})
        args = args.model_copy(update=page_templates.fill(given, chosen, args.variables))
    blocks = content.blocks_from(args.children, args.markdown) if (args.children or args.markdown) else []
    properties = _with_title(dict(args.properties or {}), args.title, schema)
    body: dict[str, Any] = {"parent": parent, "properties": properties, **decorations(args.icon, args.cover)}
    if chosen is not None and chosen.notion is not None:
        body["template"] = chosen.notion
    body = await with_uploads(call, body, "properties/icon/cover")  # before the page exists
    blocks = await with_uploads(call, blocks, "markdown")
    inline: list[dict[str, Any]] = []
    created = None
    if blocks and args.format == "markdown" and "template" not in body:  # JSON answers the IDs: appended
        validate_blocks(blocks)  # nothing is created for content Notion would refuse
        inline, later = first_part.split(blocks)
        if later:  # more than the create's children hold: all of it as markdown in the create?
            version = call.settings.notion_version
            created = await markdown_create.create_with_markdown(
                call.gateway, body, blocks, notion_version=version
            )
        if created is not None:
            inline, blocks = blocks, []
        elif inline:
            body["children"], blocks = inline, later
        else:
            blocks = later
    if created is None:  # an ambiguous failure is looked into, not repeated
        created = await create_page(call.gateway, body)
    page = created.page
    written = await _write_content(
        call, page, blocks, "markdown" if args.markdown is not None else "children", count_blocks(inline)
    )
    if args.format == "json":
        if not written:
            return as_json(page)
        shown, rest = content.new_ids(call, str(page["id"]), written.top_level_ids)
        return as_json(
            {**page, "content_block_ids": shown, **({"content_block_ids_cut": rest} if rest else {})}
        )
    summary = f"Created page {compact(page['id'])} {page.get('url', '')}".rstrip()
    if inline or written:
        total = count_blocks(inline) + (written.blocks_written if written else 0)
        summary += f" with {counted(total, 'block')}"
        if written:
            summary += f" ({counted(written.requests, 'append request')})"
    if created.found_after is not None:
        summary += (
            f". Notion's answer to the create was lost ({created.found_after.code}); the page was found"
            " by its title among the pages made in the last minute"
        )
    return summary + "."


async def _write_content(
    call: Call, page: dict[str, Any], blocks: list[dict[str, Any]], given: str, inline: int = 0
) -> AppendResult | None:
    """The new page's content after the part its create carried (`inline` blocks); when it fails,
    the error says the page exists (so that it is not created twice) and how to finish."""
    if not blocks:
        return None
    made = f"Created page {compact(page['id'])} {page.get('url', '')}".rstrip()
    if inline:
        made += f" with its first {inline} blocks"
    try:
        return await content.write(call, str(page["id"]), blocks, None)
    except ToolError as exc:  # part of it landed: the message ends with the call that finishes
        raise ToolError(f"{made}, but not all of its content. Do not create the page again.\n{exc}") from exc
    except NotionMCPError as exc:
        why = "\n".join(
            line for line in str(to_tool_error(exc)).splitlines() if not line.startswith("Next step:")
        )
        if inline:
            rest = content.resume_arguments({"parent_block_id": page["id"], "children": blocks})
            raise ToolError(
                f"{made}, but not the rest of its content. Do not create the page again: the call"
                f" below adds the rest.\n{why}\nresume: notion_blocks {as_json(rest)}"
            ) from exc
        raise ToolError(
            f"{made}, but none of its content was written. Do not create the page again: add the"
            f" content with notion_blocks append parent_block_id={compact(page['id'])} and the same"
            f" {given}.\n{why}"
        ) from exc


async def _property_item(call: Call, page: dict[str, Any], args: Retrieve) -> str:
    wanted = args.retrieve_property_item_id or ""
    props = page.get("properties", {})
    match = props.get(wanted) or next((p for p in props.values() if p.get("id") == wanted), None)
    if match is None:
        names = ", ".join(sorted(props)) or "none"
        raise InputError(
            f"retrieve_property_item_id: page has no property {wanted!r}. Its properties: {names}."
        )
    name = wanted if wanted in props else next(n for n, p in props.items() if p is match)
    found = await collect(
        lambda cursor, size: call.gateway.retrieve_page_property(page["id"], str(match["id"]), cursor, size),
        start_cursor=args.start_cursor,
        limit=args.max_results or args.page_size or 10_000,
        page_size=args.page_size,
    )
    if found.last_page.get("object") != "list":  # a single-value property: the item itself
        items, cursor, more = [found.last_page], None, False
    else:
        items, cursor, more = found.results, found.next_cursor, found.has_more
    if args.format == "json":
        return as_json({"property": name, "results": items, "next_cursor": cursor, "has_more": more})
    kind = str(match.get("type"))
    head = f"{name} ({kind}) of page {compact(page['id'])}"
    if kind in ("title", "rich_text"):  # one item per rich-text run: the text is their join
        text = rich_text_to_markdown([item[kind] for item in items if isinstance(item.get(kind), dict)])
        return join(f"{head}:\n\n{text}", more_hint(cursor, more))
    lines = [f"{head}: {len(items)} {'item' if len(items) == 1 else 'items'}"]
    lines += [f"- {item_text(item)}" for item in items]
    return join("\n".join(lines), more_hint(cursor, more))


def item_text(item: dict[str, Any]) -> str:
    """One property item as text: a relation's page, a person, else the value as a property shows it."""
    kind = str(item.get("type", ""))
    value = item.get(kind)
    if kind == "relation" and isinstance(value, dict):
        return f"page {compact(str(value.get('id', '')))}"
    if kind == "people" and isinstance(value, dict):
        return f"{value.get('name') or 'user'} ({compact(str(value.get('id', '')))})"
    if kind in ("created_by", "last_edited_by") and isinstance(value, dict):
        return f"{value.get('name') or value.get('type') or 'user'} ({compact(str(value.get('id', '')))})"
    return property_to_text({"type": kind, kind: value})


async def retrieve(call: Call, args: Retrieve) -> str:
    call.gateway.cursors.check(args.start_cursor)  # before any request
    if args.retrieve_property_item_id:
        return await _property_item(call, await call.gateway.retrieve_page(args.page_id), args)
    with_content = args.include_content if args.include_content is not None else args.format == "markdown"
    if with_content:
        page, tree = await _page_and_content(call, args)
    else:
        page, tree = await call.gateway.retrieve_page(args.page_id), None
    if args.format == "json":
        if tree is None:
            return as_json(page)
        return content.tree_json(call, tree, lambda blocks, notes: {**page, "content": blocks, **notes})
    head = page_to_markdown(page, None)
    if tree is None:
        return head
    # two blank lines part the header (title, id, properties) from the body
    return content.render_tree(
        call, tree.blocks, block_ids=args.block_ids, file_urls=args.file_urls, head=head + "\n", tree=tree
    )


async def _page_and_content(call: Call, args: Retrieve) -> tuple[dict[str, Any], TreeResult]:
    """The page and its body, read at the same time: one round trip less than one after the other.
    When both fail (a page that is not there or not shared), the page's own error is raised."""
    page: dict[str, Any] = {}
    trees: list[TreeResult] = []
    errors: dict[str, Exception] = {}

    async def read_page() -> None:
        try:
            page.update(await call.gateway.retrieve_page(args.page_id))
        except Exception as exc:
            errors["page"] = exc
            group.cancel_scope.cancel()  # the body of a page that cannot be read is of no use

    async def read_content() -> None:
        try:
            if (fast := await content.read_as_markdown(call, args.page_id, args)) is not None:
                trees.append(fast)
                return
            trees.append(
                await content.read(
                    call,
                    args.page_id,
                    max_depth=args.max_depth,
                    max_blocks=args.max_blocks,
                    start_cursor=args.start_cursor,
                )
            )
        except Exception as exc:
            errors["content"] = exc
            group.cancel_scope.cancel()

    async with anyio.create_task_group() as group:
        group.start_soon(read_page)
        group.start_soon(read_content)
    if errors:
        raise errors.get("page") or errors["content"]
    return page, trees[0]


async def _schema_of(call: Call, page_id: str, *, with_options: bool) -> tuple[dict[str, Any], bool]:
    """The property schema of an existing page, and whether it was kept from before (so may be
    stale): its data source's (kept, `notion/schema_cache.py`, or read), or — when only names and
    types are needed and the page is not known yet — its own properties' names and types (one
    read, which also says where the page lives)."""
    cache = call.gateway.schemas
    source_id = cache.page_source(normalize_id(page_id, "page_id"))
    kept = source_id is not None
    if source_id is None:
        page = await call.gateway.retrieve_page(page_id)
        source_id = str((page.get("parent") or {}).get("data_source_id") or "")
        if not (source_id and with_options) and cache.schema(source_id) is None:
            props = page.get("properties") or {}
            return {name: {"id": p.get("id"), "type": p.get("type")} for name, p in props.items()}, False
    if not source_id:
        return PAGE_SCHEMA, kept
    return await call.gateway.schema(source_id), kept or cache.schema(source_id) is not None


async def update(call: Call, args: Update) -> str:
    if args.pages is not None:
        return await bulk.update_many(call, args)
    if args.page_id is None:
        raise InputError("Give page_id (or pages: [{page_id, …}] for many).")
    edited = await apply_edits(call, args.page_id, args.edits, args.if_unchanged_since) if args.edits else ""
    if args.if_unchanged_since and not args.edits:
        await ensure_unchanged(call.gateway, args.page_id, args.if_unchanged_since)
    body: dict[str, Any] = {**decorations(args.icon, args.cover)}
    trash = trash_flag(args.in_trash, args.archived)
    if trash is not None:
        body["in_trash"] = trash
    if args.template is not None:
        body["template"] = await page_templates.for_existing(call, args.page_id, args.template)
    given = dict(args.properties or {})
    if not body and not given and args.title is None and edited:
        return edited
    kept: list[bool] = []
    try:
        page = await _update(call, args.page_id, args, body, given, kept)
    except NotionAPIError as exc:  # a kept schema may be stale: forget it and resolve once more
        if not (any(kept) and _names_a_property(exc, given, args.title)):
            raise
        _forget_schema(call, args.page_id)
        page = await _update(call, args.page_id, args, body, given, [])
    if args.format == "json":
        return as_json(page)
    state = " It is in the trash (restore with in_trash=false)." if page.get("in_trash") else ""
    return join(edited, f"Updated page {compact(page['id'])}.{state}\n\n{page_to_markdown(page, None)}")


async def duplicate(call: Call, args: Duplicate) -> str:
    return await duplicate_with(call, args, _parent)


async def _update(
    call: Call, page_id: str, args: Update, body: dict[str, Any], given: dict[str, Any], kept: list[bool]
) -> dict[str, Any]:
    properties = dict(given)
    if args.title is not None or needs_schema(properties):
        schema, was_kept = await _schema_of(call, page_id, with_options=needs_schema(properties))
        kept.append(was_kept)
        properties = _with_title(properties, args.title, schema)
    full = await with_uploads(call, {**body, **({"properties": properties} if properties else {})},
                              "properties/icon/cover")  # fmt: skip
    if not full:
        raise InputError("Nothing to update: give properties, title, icon, cover, in_trash or edits.")
    return await call.gateway.update_page(page_id, full)


def _names_a_property(exc: NotionAPIError, given: dict[str, Any], title: str | None) -> bool:
    """A validation error whose message names a property the update resolved."""
    names = [*given, *(["title", "Name"] if title is not None else [])]
    return exc.code == "validation_error" and any(name in exc.message for name in names)


def _forget_schema(call: Call, page_id: str) -> None:
    """Drop what is kept about the page: where it lives and its data source's schema."""
    cache = call.gateway.schemas
    ident = normalize_id(page_id, "page_id")
    if source := cache.page_source(ident):
        cache.forget(source)
    cache.forget_page(ident)


SPEC = ToolSpec(
    name="notion_pages",
    title="Notion pages",
    description=(
        "Pages and database rows. create: properties and content (markdown or blocks, any size); "
        "pages: many rows. retrieve: properties and whole body; retrieve_property_item_id: a "
        "property's full value. update: properties, title, icon, cover, in_trash; edits: body in "
        "place. move; duplicate (with content)."
    ),
    operations={
        "create": Operation(Create, create, writes=True),
        "retrieve": Operation(Retrieve, retrieve),
        "update": Operation(Update, update, writes=True, destructive=True),
        "move": Operation(Move, move, writes=True),
        "duplicate": Operation(Duplicate, duplicate, writes=True),
    },
)
