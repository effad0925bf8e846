"""A copy of a page: its properties, icon, cover and whole content (and, on request, its child
pages, recursively), under a given parent.

Notion has no duplicate endpoint: the page is read (page object and whole block tree), a new
page is created (`create.create_page`, never twice), and the content is appended
(`append.append_tree`, in order, resumable). What the API cannot create is not dropped silently
but listed in `not_copied`: child databases, link previews, meeting notes, unsupported blocks,
files Notion stores (their links expire: upload them again), and child pages unless asked for
(then each is duplicated under the copy, after its content, so it moves to the end).
Computed properties (formula, rollup, created/edited, unique ID) are Notion's to fill in.
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
    return f"{block.get('type')} {compact(str(block.get('id', '')))}".strip()  # the ID as results show it


def copyable(blocks: list[Json], not_copied: list[str], child_pages: list[Json]) -> list[Json]:
    """The blocks an append can create (children included); what it cannot, listed."""
    out: list[Json] = []
    for block in blocks:
        kind = str(block.get("type"))
        inner = block.get(kind) if isinstance(block.get(kind), dict) else {}
        assert isinstance(inner, dict)
        if kind == "child_page":
            child_pages.append(block)
            continue
        if kind in NOT_CREATABLE:
            not_copied.append(f"{NOT_CREATABLE[kind]} ({_label(block)})")
            continue
        if inner.get("type") == "file":
            not_copied.append(f"a {kind} stored by Notion ({_label(block)}): upload the file again")
            continue
        kids = inner.get("children")
        if isinstance(kids, list) and kids:
            block = {**block, kind: {**inner, "children": copyable(kids, not_copied, child_pages)}}
        out.append(block)
    return out


def _properties(page: Json, same_parent: bool) -> Json:
    """The values a new page can be given: all writable ones under the same data source, else
    the title only."""
    out: Json = {}
    for name, prop in (page.get("properties") or {}).items():
        kind = str(prop.get("type"))
        if kind == "title" or (same_parent and kind not in COMPUTED):
            value = prop.get(kind)
            if kind == "files":
                value = [f for f in value or [] if f.get("type") == "external"]
            if kind == "relation" and prop.get("has_more"):
                continue  # cut at 25 on the page object: not copied rather than copied short
            out[name if kind != "title" or same_parent else "title"] = {kind: value}
    return out


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
    child_pages: bool = False,
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
    own = _parent_of(page)
    target = parent or own
    same = target.get("data_source_id") is not None and target.get("data_source_id") == own.get(
        "data_source_id"
    )
    result = Duplicated(page={})
    properties = _properties(page, same)
    if title is not None:
        name = next((n for n, p in properties.items() if "title" in p), "title")
        properties[name] = {"title": [{"type": "text", "text": {"content": title}}]}
    body: Json = {"parent": target, "properties": properties}
    for key in ("icon", "cover"):
        if (value := _decoration(page.get(key), key, result.not_copied)) is not None:
            body[key] = value
    children: list[Json] = []
    blocks = normalize_blocks(copyable(tree.blocks, result.not_copied, children))
    result.page = (await create_page(gateway, body)).page
    if blocks:
        written = await append_tree(gateway, str(result.page["id"]), blocks, on_progress=on_progress)
        result.blocks = written.blocks_written
    for child in children:
        if child_pages:
            result.children.append(
                await duplicate_page(
                    gateway,
                    str(child["id"]),
                    {"type": "page_id", "page_id": str(result.page["id"])},
                    child_pages=True,
                    on_progress=on_progress,
                )
            )
        else:
            result.not_copied.append(
                f"child page {title_of_block(child)} ({compact(child['id'])}): child_pages=true copies it"
            )
    result.requests = gateway.requests_sent - start
    return result


def title_of_block(block: Json) -> str:
    return repr(str((block.get("child_page") or {}).get("title") or "Untitled"))


def _parent_of(page: Json) -> Json:
    """The page's parent as a create takes it."""
    parent = page.get("parent") or {}
    for key in ("data_source_id", "page_id", "database_id"):
        if parent.get(key):
            return {"type": key, key: parent[key]}
    if parent.get("type") == "workspace":
        return {"type": "workspace", "workspace": True}
    raise InputError(
        f"Page {page.get('id')} sits inside a block: give parent (a page or database) for the copy."
    )
