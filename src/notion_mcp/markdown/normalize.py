"""Any block list (API response or request form) → the canonical form `markdown_to_blocks` returns.

Drops ids, timestamps, parents, `has_children`, `plain_text`, `href`; fills defaults (colour,
annotations, `is_toggleable`, `checked`); keeps children at `block[type]["children"]` only when
there are some. The round-trip oracle is `markdown_to_blocks(blocks_to_markdown(b)) == normalize_blocks(b)`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .ids import dashed
from .rich_text import TEXT_LIMIT, normalize_rich_text, plain_text, text_item

Block = dict[str, Any]

_TEXT_TYPES = frozenset(
    {"paragraph", "heading_1", "heading_2", "heading_3", "heading_4", "bulleted_list_item",
     "numbered_list_item", "to_do", "quote", "toggle"}
)  # fmt: skip
_MEDIA = frozenset({"image", "video", "audio", "pdf", "file"})


def normalize_blocks(blocks: list[dict[str, Any]]) -> list[Block]:
    return [normalize_block(b) for b in blocks]


def normalize_block(block: dict[str, Any]) -> Block:
    kind = str(block.get("type"))
    value = block.get(kind) if isinstance(block.get(kind), dict) else {}
    assert isinstance(value, dict)
    out = _value(kind, value)
    kids = value.get("children", block.get("children"))
    if kids and not (kind == "synced_block" and out.get("synced_from")):
        out["children"] = normalize_blocks(kids)
    return {"type": kind, kind: out}


def _value(kind: str, v: dict[str, Any]) -> dict[str, Any]:
    color = v.get("color") or "default"
    if kind in _TEXT_TYPES:
        out: dict[str, Any] = {"rich_text": normalize_rich_text(v.get("rich_text")), "color": color}
        if kind.startswith("heading_"):
            out["is_toggleable"] = bool(v.get("is_toggleable"))
        if kind == "to_do":
            out["checked"] = bool(v.get("checked"))
        return out
    maker = _VALUES.get(kind)
    if maker is not None:
        return maker(v)
    if kind in _MEDIA:
        return _media(kind, v)
    return {k: x for k, x in v.items() if k != "children"}


def _callout(v: dict[str, Any]) -> dict[str, Any]:
    return {
        "rich_text": normalize_rich_text(v.get("rich_text")),
        "icon": _icon(v.get("icon")),
        "color": v.get("color") or "default",
    }


def _icon(icon: Any) -> dict[str, Any] | None:
    if not isinstance(icon, dict):
        return None
    kind = icon.get("type")
    if kind == "emoji":
        return {"type": "emoji", "emoji": icon["emoji"]}
    value = icon.get(kind) if isinstance(kind, str) else None
    url = value.get("url") if isinstance(value, dict) else None
    if url and str(url).startswith(("http://", "https://")):
        return {"type": "external", "external": {"url": url}}
    return {"type": "emoji", "emoji": str((value or {}).get("name") or url or kind)} if value else None


def _code(v: dict[str, Any]) -> dict[str, Any]:
    content = plain_text(v.get("rich_text"))
    items = [text_item(content[i : i + TEXT_LIMIT]) for i in range(0, len(content), TEXT_LIMIT)]
    return {
        "caption": normalize_rich_text(v.get("caption")),
        "rich_text": items,
        "language": v.get("language") or "plain text",
    }


def _table(v: dict[str, Any]) -> dict[str, Any]:
    return {
        "table_width": v.get("table_width"),
        "has_column_header": bool(v.get("has_column_header")),
        "has_row_header": bool(v.get("has_row_header")),
    }


def _media(kind: str, v: dict[str, Any]) -> dict[str, Any]:
    source = v.get("type", "external")
    if source == "file_upload":
        out: dict[str, Any] = {"type": source, source: {"id": dashed(str(v[source]["id"]))}}
    else:
        out = {"type": source, source: {"url": (v.get(source) or {}).get("url", "")}}
    out["caption"] = normalize_rich_text(v.get("caption"))
    if kind == "file" and v.get("name"):
        out["name"] = v["name"]
    return out


def _synced(v: dict[str, Any]) -> dict[str, Any]:
    source = v.get("synced_from")
    if isinstance(source, dict) and source.get("block_id"):
        return {"synced_from": {"type": "block_id", "block_id": dashed(str(source["block_id"]))}}
    return {"synced_from": None}


def _link_to_page(v: dict[str, Any]) -> dict[str, Any]:
    kind = str(v.get("type", "page_id"))
    return {"type": kind, kind: dashed(str(v.get(kind, "")))}


def _column(v: dict[str, Any]) -> dict[str, Any]:
    return {"width_ratio": float(v["width_ratio"])} if v.get("width_ratio") is not None else {}


_VALUES: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "callout": _callout,
    "code": _code,
    "equation": lambda v: {"expression": str(v.get("expression", ""))},
    "divider": lambda v: {},
    "breadcrumb": lambda v: {},
    "table_of_contents": lambda v: {"color": v.get("color") or "default"},
    "column_list": lambda v: {},
    "column": _column,
    "tab": lambda v: {},
    "table": _table,
    "table_row": lambda v: {"cells": [normalize_rich_text(c) for c in v.get("cells") or []]},
    "synced_block": _synced,
    "template": lambda v: {"rich_text": normalize_rich_text(v.get("rich_text"))},
    "child_page": lambda v: {"title": str(v.get("title", ""))},
    "child_database": lambda v: {"title": str(v.get("title", ""))},
    "link_to_page": _link_to_page,
    "embed": lambda v: {"caption": normalize_rich_text(v.get("caption")), "url": v.get("url", "")},
    "bookmark": lambda v: {"caption": normalize_rich_text(v.get("caption")), "url": v.get("url", "")},
}
