"""Block input: validation against Notion's limits and completion to the stored form.

``parse_children`` turns a request's ``children`` array into a tree of :class:`NewBlock`
(raising :class:`~notion_mcp.sandbox.rules.NotionError` on the first violation, before anything
is written); ``insert_tree`` writes such a tree under a parent.

Like Notion, a key a block type's object does not have (:data:`ALLOWED_KEYS`; e.g. the pre-2022
``text``) is refused with ``… should be not present``, never dropped, and colors, booleans, code
languages (the project's list in ``notion_mcp.markdown.languages``) and icons are checked.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from notion_mcp.markdown.languages import NOTION_LANGUAGES
from notion_mcp.sandbox import richtext, rules
from notion_mcp.sandbox.rules import JSON
from notion_mcp.sandbox.store import Store

RICH = ("paragraph", "bulleted_list_item", "numbered_list_item", "to_do", "toggle", "quote", "callout")
HEADINGS = ("heading_1", "heading_2", "heading_3", "heading_4")
MEDIA = ("image", "video", "pdf", "file", "audio")
EMPTY = ("divider", "breadcrumb", "column_list", "tab")
CAN_HAVE_CHILDREN = {*RICH, *HEADINGS, "synced_block", "column_list", "column", "table", "tab"}
CREATABLE = (
    *RICH,
    *HEADINGS,
    "code",
    "equation",
    *EMPTY,
    "table_of_contents",
    "column",
    "table",
    "table_row",
    *MEDIA,
    "bookmark",
    "embed",
    "link_to_page",
    "synced_block",
)
LANGUAGES = tuple(sorted(NOTION_LANGUAGES))

_TEXT_KEYS = frozenset({"rich_text", "color", "children"})
_MEDIA_KEYS = frozenset({"type", "caption", "external", "file", "file_upload", "name"})
# The keys Notion's schema has inside each block type's object; any other key is refused with
# "... should be not present" (Notion does not drop it silently). ``children`` is allowed
# wherever Notion allows it; whether a block of that type may have children is checked apart.
ALLOWED_KEYS: dict[str, frozenset[str]] = {
    "paragraph": _TEXT_KEYS | {"icon"},
    "bulleted_list_item": _TEXT_KEYS,
    "numbered_list_item": _TEXT_KEYS,
    "toggle": _TEXT_KEYS,
    "quote": _TEXT_KEYS,
    "to_do": _TEXT_KEYS | {"checked"},
    "callout": _TEXT_KEYS | {"icon"},
    **{h: _TEXT_KEYS | {"is_toggleable"} for h in HEADINGS},
    "code": frozenset({"rich_text", "caption", "language"}),
    "equation": frozenset({"expression"}),
    "divider": frozenset(),
    "breadcrumb": frozenset(),
    "column_list": frozenset({"children"}),
    "tab": frozenset({"children"}),
    "table_of_contents": frozenset({"color"}),
    "column": frozenset({"children", "width_ratio"}),
    "table": frozenset({"table_width", "has_column_header", "has_row_header", "children"}),
    "table_row": frozenset({"cells"}),
    **{m: _MEDIA_KEYS for m in MEDIA},
    "bookmark": frozenset({"url", "caption"}),
    "embed": frozenset({"url", "caption"}),
    "link_to_page": frozenset({"type", "page_id", "database_id"}),
    "synced_block": frozenset({"synced_from", "children"}),
}


@dataclass
class NewBlock:
    type: str
    content: JSON
    children: list[NewBlock] = field(default_factory=list)
    id: str | None = None


@dataclass
class Counter:
    elements: int = 0
    limited: bool = True  # the blocks API's per-request limits apply (not to markdown content)


def parse_children(
    value: Any, path: str, users: richtext.UserLookup | None = None, *, limited: bool = True
) -> list[NewBlock]:
    """Validate a whole request's ``children`` (top level ≤ 100, nesting ≤ 2, ≤ 1000 elements
    unless not `limited`: blocks from markdown, whose endpoint documents no such limits)."""
    counter = Counter(limited=limited)
    out = _parse_list(value, path, 0, counter, users)
    if limited:
        rules.check_element_count(counter.elements)
    return out


def _parse_list(
    value: Any, path: str, depth: int, counter: Counter, users: richtext.UserLookup | None
) -> list[NewBlock]:
    items = rules.require_list(path, value)
    if counter.limited and len(items) > rules.MAX_CHILDREN:
        raise rules.too_long(f"{path}.length", rules.MAX_CHILDREN, len(items))
    return [_parse_block(item, f"{path}[{i}]", depth, counter, users) for i, item in enumerate(items)]


def _parse_block(
    value: Any, path: str, depth: int, counter: Counter, users: richtext.UserLookup | None
) -> NewBlock:
    counter.elements += 1
    block = rules.require_dict(path, value)
    kind = block.get("type") or next((k for k in block if k in CREATABLE), None)
    if kind not in CREATABLE:
        if kind in ("child_page", "child_database"):
            raise rules.validation(
                f"body failed validation: {path}.{kind} cannot be created by appending blocks; "
                f"use the create {'page' if kind == 'child_page' else 'database'} endpoint."
            )
        raise rules.body_invalid(f"{path}.type", "a supported block type", kind)
    raw = rules.require_dict(f"{path}.{kind}", block.get(kind, {}))
    content = complete_content(kind, raw, f"{path}.{kind}", users)
    node = NewBlock(kind, content)
    children = raw.get("children")
    if children is not None:
        if kind not in CAN_HAVE_CHILDREN or (kind in HEADINGS and not content.get("is_toggleable")):
            raise rules.validation(
                f"body failed validation: {path}.{kind}.children should be not present, instead was "
                f"`[…{len(children) if isinstance(children, list) else 0} blocks]`: "
                f"a `{kind}` block cannot have children."
            )
        if counter.limited and depth >= rules.MAX_NESTING:
            raise rules.validation(
                f"body failed validation: {path}.{kind}.children should be not present, instead was "
                f"`[…]`: at most `{rules.MAX_NESTING}` levels of nesting are allowed in one request."
            )
        node.children = _parse_list(children, f"{path}.{kind}.children", depth + 1, counter, users)
    _check_structure(node, path)
    return node


def _check_structure(node: NewBlock, path: str) -> None:
    if node.type == "column_list" and any(c.type != "column" for c in node.children):
        raise rules.validation(
            f"body failed validation: {path}.column_list.children should contain only `column` blocks."
        )
    if node.type == "table":
        if not node.children:
            raise rules.validation(
                f"body failed validation: {path}.table.children should be defined, instead was `undefined`."
            )
        for i, row in enumerate(node.children):
            cells = row.content.get("cells", [])
            if row.type != "table_row" or len(cells) != node.content["table_width"]:
                raise rules.validation(
                    f"body failed validation: {path}.table.children[{i}] should be a `table_row` with "
                    f"`{node.content['table_width']}` cells (table_width)."
                )


def complete_content(kind: str, raw: JSON, path: str, users: richtext.UserLookup | None = None) -> JSON:
    """The type object of a block, with Notion's defaults filled in."""
    builder = _BUILDERS.get(kind)
    if builder is None:
        raise rules.body_invalid(f"{path}", "an updatable block type", kind)
    rules.only_keys(path, raw, ALLOWED_KEYS[kind] | {"children"})  # children: checked by the caller
    return builder(raw, path, users)


_KEPT_ON_UPDATE = {
    "table": ("table_width",),
    "equation": ("expression",),
    "bookmark": ("url",),
    "embed": ("url",),
    "table_row": ("cells",),
}


def complete_update(
    kind: str, raw: JSON, current: JSON | None = None, users: richtext.UserLookup | None = None
) -> JSON:
    """The keys of a block's type object that an update (``PATCH /v1/blocks/{id}``) changes.

    An update may leave out what a new block must have (recorded: ``{"file": {"name": …}}``,
    ``{"table": {"has_column_header": true}}``); that stays what it was (``current``).
    """
    current = current or {}
    sourced = dict(raw)
    for key in _KEPT_ON_UPDATE.get(kind, ()):
        if key not in raw and key in current:
            sourced[key] = current[key]
    if kind in MEDIA and not raw.keys() & {"external", "file", "file_upload"}:
        source = current.get("type", "external")
        sourced.update({"type": source, source: current.get(source, {"url": ""})})
    if kind == "link_to_page" and not raw.keys() & {"page_id", "database_id"}:
        sourced.update({k: v for k, v in current.items() if k in ("type", "page_id", "database_id")})
    completed = complete_content(kind, sourced, f"body.{kind}", users)
    return {k: completed[k] for k in raw if k in completed}


def _rich(raw: JSON, path: str, users: richtext.UserLookup | None, key: str = "rich_text") -> list[JSON]:
    return richtext.complete(raw.get(key, []), f"{path}.{key}", users)


_CHECKS: dict[str, Callable[[str, Any], Any]] = {
    "checked": rules.check_bool,
    "is_toggleable": rules.check_bool,
    "icon": rules.check_icon,
}


def _text_block(extra: JSON) -> Callable[[JSON, str, richtext.UserLookup | None], JSON]:
    def build(raw: JSON, path: str, users: richtext.UserLookup | None) -> JSON:
        out: JSON = {"rich_text": _rich(raw, path, users)}
        for key, default in extra.items():
            out[key] = _CHECKS[key](f"{path}.{key}", raw[key]) if key in raw else default
        out["color"] = rules.check_color(f"{path}.color", raw.get("color", "default"))
        return out

    return build


def _code(raw: JSON, path: str, users: richtext.UserLookup | None) -> JSON:
    return {
        "caption": _rich(raw, path, users, "caption"),
        "rich_text": _rich(raw, path, users),
        "language": rules.check_enum(f"{path}.language", raw.get("language", "plain text"), LANGUAGES),
    }


def _equation(raw: JSON, path: str, users: richtext.UserLookup | None) -> JSON:
    expression = raw.get("expression")
    if not isinstance(expression, str):
        raise rules.body_invalid(f"{path}.expression", "a string", expression)
    if len(expression) > rules.MAX_EQUATION:
        raise rules.too_long(f"{path}.expression.length", rules.MAX_EQUATION, len(expression))
    return {"expression": expression}


def _media(raw: JSON, path: str, users: richtext.UserLookup | None) -> JSON:
    out: JSON = {"caption": _rich(raw, path, users, "caption")}
    if "external" in raw:
        url = rules.check_url(
            f"{path}.external.url", rules.require_dict(f"{path}.external", raw["external"]).get("url")
        )
        out.update({"type": "external", "external": {"url": url}})
    elif "file" in raw:
        url = rules.check_url(f"{path}.file.url", rules.require_dict(f"{path}.file", raw["file"]).get("url"))
        out.update({"type": "file", "file": {"url": url, "expiry_time": "2099-01-01T00:00:00.000Z"}})
    elif "file_upload" in raw:  # attached (made a `file`) by the route, which sees the uploads
        upload = rules.require_dict(f"{path}.file_upload", raw["file_upload"])
        out.update(
            {
                "type": "file_upload",
                "file_upload": {"id": rules.body_uuid(f"{path}.file_upload.id", upload.get("id"))},
            }
        )
    else:
        raise rules.body_invalid(f"{path}.external", "defined", None)
    if "name" in raw:
        if not isinstance(raw["name"], str):
            raise rules.body_invalid(f"{path}.name", "a string", raw["name"])
        out["name"] = raw["name"]
    return out


def _url_block(raw: JSON, path: str, users: richtext.UserLookup | None) -> JSON:
    return {
        "caption": _rich(raw, path, users, "caption"),
        "url": rules.check_url(f"{path}.url", raw.get("url")),
    }


def _table(raw: JSON, path: str, users: richtext.UserLookup | None) -> JSON:
    width = raw.get("table_width")
    if not isinstance(width, int) or width < 1:
        raise rules.body_invalid(f"{path}.table_width", "a positive number", width)
    return {
        "table_width": width,
        "has_column_header": rules.check_bool(
            f"{path}.has_column_header", raw.get("has_column_header", False)
        ),
        "has_row_header": rules.check_bool(f"{path}.has_row_header", raw.get("has_row_header", False)),
    }


def _table_row(raw: JSON, path: str, users: richtext.UserLookup | None) -> JSON:
    cells = rules.require_list(f"{path}.cells", raw.get("cells"))
    return {"cells": [richtext.complete(c, f"{path}.cells[{i}]", users) for i, c in enumerate(cells)]}


def _link_to_page(raw: JSON, path: str, users: richtext.UserLookup | None) -> JSON:
    kind = raw.get("type") or next((k for k in ("page_id", "database_id") if k in raw), None)
    if kind not in ("page_id", "database_id"):
        raise rules.body_invalid(f"{path}.type", '`"page_id"` or `"database_id"`', kind)
    return {"type": kind, kind: rules.body_uuid(f"{path}.{kind}", raw.get(kind))}


def _synced(raw: JSON, path: str, users: richtext.UserLookup | None) -> JSON:
    source = raw.get("synced_from")
    if source is None:
        return {"synced_from": None}
    block_id = rules.body_uuid(
        f"{path}.synced_from.block_id", rules.require_dict(f"{path}.synced_from", source).get("block_id")
    )
    return {"synced_from": {"type": "block_id", "block_id": block_id}}


def _table_of_contents(raw: JSON, path: str, users: richtext.UserLookup | None) -> JSON:
    return {"color": rules.check_color(f"{path}.color", raw.get("color", "default"))}


def _column(raw: JSON, path: str, users: richtext.UserLookup | None) -> JSON:
    if "width_ratio" not in raw:
        return {}
    ratio = raw["width_ratio"]
    if not isinstance(ratio, int | float) or isinstance(ratio, bool):
        raise rules.body_invalid(f"{path}.width_ratio", "a number", ratio)
    return {"width_ratio": ratio}


def _empty(raw: JSON, path: str, users: richtext.UserLookup | None) -> JSON:
    return {}


_BUILDERS: dict[str, Callable[[JSON, str, richtext.UserLookup | None], JSON]] = {
    "paragraph": _text_block({"icon": None}),
    "bulleted_list_item": _text_block({}),
    "numbered_list_item": _text_block({}),
    "toggle": _text_block({}),
    "quote": _text_block({}),
    "to_do": _text_block({"checked": False}),
    "callout": _text_block({"icon": {"type": "emoji", "emoji": "💡"}}),
    **{h: _text_block({"is_toggleable": False}) for h in HEADINGS},
    "code": _code,
    "equation": _equation,
    **{e: _empty for e in EMPTY},
    "table_of_contents": _table_of_contents,
    "column": _column,
    "table": _table,
    "table_row": _table_row,
    **{m: _media for m in MEDIA},
    "bookmark": _url_block,
    "embed": _url_block,
    "link_to_page": _link_to_page,
    "synced_block": _synced,
}


def insert_tree(
    store: Store,
    parent_id: str,
    parent: JSON,
    nodes: list[NewBlock],
    positions: list[float],
    stamp: JSON,
    new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
) -> list[str]:
    """Write ``nodes`` (already validated) under ``parent_id``; return the new top-level IDs."""
    ids: list[str] = []
    for node, position in zip(nodes, positions, strict=True):
        block_id = node.id or new_id()
        data: JSON = {"object": "block", "id": block_id, "parent": parent, **stamp, "in_trash": False}
        data.update({"type": node.type, node.type: node.content})
        store.insert("block", data, parent_id, position)
        ids.append(block_id)
        if node.children:
            child_parent = {"type": "block_id", "block_id": block_id}
            insert_tree(
                store,
                block_id,
                child_parent,
                node.children,
                [float(i + 1) for i in range(len(node.children))],
                stamp,
            )
    return ids
