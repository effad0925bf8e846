"""A copy of a page: its properties, icon, cover and whole content (and, on request, its child
pages, recursively), under a given parent.

Notion has no duplicate endpoint: the page is read (page object and whole block tree), a new
page is created (`create.create_page`, never twice), and the content is appended
(`append.append_tree`, in order, resumable). What the API cannot create is not dropped silently
but listed in `not_copied`: child databases, link previews, meeting notes, unsupported blocks,
files Notion stores (their links expire: upload them again), a relation to more than 25 pages
(a page object lists only 25), and child pages unless asked for (then each is duplicated under
the copy, after its content, so it moves to the end; one inside a block too, as a create cannot
place a page in a block). Computed properties (formula, rollup, created/edited, unique ID) are
Notion's to fill in.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from notion_mcp.errors import InputError
from notion_mcp.markdown import normalize_blocks
from notion_mcp.markdown.ids import compact
from notion_mcp.notion.append import append_tree
from notion_mcp.notion.create import create_page
from notion_mcp.notion.gateway import NotionGateway
from notion_mcp.notion.tree import fetch_tree

Json = dict[str, Any]
Progress = Callable[[int, int | None, str], Awaitable[None]]
MAX_BLOCKS = 20_000
MAX_DEPTH = 50
NOT_CREATABLE = {
    "child_database": "a database inside the page",
    "link_preview": "a link preview",
    "meeting_notes": "meeting notes",
    "unsupported": "a block the API does not support",
}
COMPUTED = frozenset(
    {"formula", "rollup", "created_time", "created_by", "last_edited_time", "last_edited_by", "unique_id"}
    | {"button", "verification"}
)


@dataclass
class Duplicated:
    page: Json
    blocks: int = 0
    requests: int = 0
    not_copied: list[str] = field(default_factory=list)
    children: list[Duplicated] = field(default_factory=list)


def _label(block: Json) -> str:
    return f"{block['type']} {compact(block['id'])}"  # the ID as results show it


def copyable(blocks: list[Json], not_copied: list[str], child_pages: list[Json]) -> list[Json]:
    """The blocks an append can create (children included); what it cannot, listed."""
    out: list[Json] = []
    for block in blocks:
        kind = block["type"]
        if kind == "child_page":
            child_pages.append(block)
            continue
        if kind in NOT_CREATABLE:
            not_copied.append(f"{NOT_CREATABLE[kind]} ({_label(block)})")
            continue
        inner: Json = block[kind]
        if inner.get("type") == "file":
            not_copied.append(f"a {kind} stored by Notion ({_label(block)}): upload the file again")
            continue
        if kids := inner.get("children"):
            block = {**block, kind: {**inner, "children": copyable(kids, not_copied, child_pages)}}
        out.append(block)
    return out


def _properties(page: Json, same_parent: bool, title: str | None, not_copied: list[str]) -> Json:
    """The values a new page can be given: all writable ones under the same data source, else
    the title only (keyed by its ID, "title" everywhere); `title` replaces the title's value."""
    out: Json = {}
    for name, prop in page["properties"].items():
        kind = prop["type"]
        value = prop[kind]
        if kind == "title":
            if title is not None:
                value = [{"text": {"content": title}}]
            out[name if same_parent else "title"] = {kind: value}
        elif not same_parent or kind in COMPUTED:
            continue
        elif kind == "files":
            out[name] = {kind: _links_only(name, value, not_copied)}
        elif prop.get("has_more"):  # a relation cut at 25 on the page object: not copied short
            not_copied.append(f"the relation {name!r}: more than the 25 pages a page object lists")
        else:
            out[name] = {kind: value}
    return out


def _links_only(name: str, files: list[Json], not_copied: list[str]) -> list[Json]:
    """A files value as a create takes it: the links kept, the files Notion stores listed."""
    for stored in (f for f in files if f["type"] != "external"):
        not_copied.append(f"the file {stored['name']!r} in {name!r}, stored by Notion: upload it again")
    return [f for f in files if f["type"] == "external"]


def _decoration(value: Any, what: str, not_copied: list[str]) -> Any:
    if isinstance(value, dict) and value.get("type") == "file":
        not_copied.append(f"the {what}, a file stored by Notion: upload it again")
        return None
    return value


async def duplicate_page(
    gateway: NotionGateway,
    page_id: str,
    parent: Json | None,
    *,
    title: str | None = None,
    child_pages: bool,
    on_progress: Progress | None = None,
) -> Duplicated:
    """Copy `page_id` under `parent` (Notion's parent object; None: the page's own parent)."""
    start = gateway.requests_sent
    page = await gateway.retrieve_page(page_id)
    tree = await fetch_tree(gateway, page_id, max_depth=MAX_DEPTH, max_blocks=MAX_BLOCKS)
    if not tree.complete:
        raise InputError(
            f"Page {compact(page_id)} is larger than {MAX_BLOCKS} blocks or deeper than {MAX_DEPTH} levels; "
            "nothing was copied."
        )
    target = parent or _parent_of(page)
    same = target.get("data_source_id") == page["parent"].get("data_source_id")  # a plain page: a title only
    not_copied: list[str] = []
    body: Json = {"parent": target, "properties": _properties(page, same, title, not_copied)}
    for key in ("icon", "cover"):
        if (value := _decoration(page[key], key, not_copied)) is not None:
            body[key] = value
    children: list[Json] = []
    blocks = normalize_blocks(copyable(tree.blocks, not_copied, children))
    result = Duplicated(page=(await create_page(gateway, body)).page, not_copied=not_copied)
    if blocks:
        written = await append_tree(gateway, result.page["id"], blocks, on_progress=on_progress)
        result.blocks = written.blocks_written
    for child in children:
        if child_pages:
            copy = await duplicate_page(
                gateway,
                child["id"],
                {"page_id": result.page["id"]},
                child_pages=True,
                on_progress=on_progress,
            )
            result.children.append(copy)
        else:
            not_copied.append(
                f"child page {title_of_block(child)} ({compact(child['id'])}): child_pages=true copies it"
            )
    result.requests = gateway.requests_sent - start
    return result


def title_of_block(block: Json) -> str:
    return repr(block["child_page"]["title"] or "Untitled")


def _parent_of(page: Json) -> Json:
    """The page's parent as a create takes it: a data source's without its database's ID, a
    page's or the workspace's as it is."""
    parent: Json = page["parent"]
    if parent["type"] == "data_source_id":
        return {"data_source_id": parent["data_source_id"]}
    if parent["type"] in ("page_id", "workspace"):
        return parent
    raise InputError(
        f"Page {compact(page['id'])} sits inside a block: give parent (a page or database) for the copy."
    )
