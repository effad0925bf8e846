"""Rich text in its one canonical form, and the normalisation of any API form into it.

Canonical item (what `markdown_to_rich_text` returns and `normalize_rich_text` produces)::

    {"type": "text", "text": {"content": s, "link": None | {"url": u}}, "annotations": A}
    {"type": "mention", "mention": {"type": t, t: {...request form...}}, "annotations": A}
    {"type": "equation", "equation": {"expression": e}, "annotations": A}

`A` always holds all six annotations (bold, italic, strikethrough, underline, code, color).
No `plain_text`, no `href`. Adjacent text items with equal annotations and link are merged, empty
text items dropped, and text longer than 2,000 characters is split into several items.
"""

from __future__ import annotations

from typing import Any

from .ids import dashed

TEXT_LIMIT = 2000
URL_LIMIT = 2000
EQUATION_LIMIT = 1000
ITEMS_LIMIT = 100

FLAGS = ("bold", "italic", "strikethrough", "underline", "code")

RichText = dict[str, Any]


def make_annotations(**given: Any) -> dict[str, Any]:
    """A full annotations object; unknown keys are ignored, missing ones take defaults."""
    out: dict[str, Any] = {flag: bool(given.get(flag, False)) for flag in FLAGS}
    out["color"] = given.get("color") or "default"
    return out


def text_item(content: str, link: str | None = None, **annots: Any) -> RichText:
    return {
        "type": "text",
        "text": {"content": content, "link": {"url": link} if link else None},
        "annotations": make_annotations(**annots),
    }


def equation_item(expression: str, **annots: Any) -> RichText:
    return {
        "type": "equation",
        "equation": {"expression": expression},
        "annotations": make_annotations(**annots),
    }


def mention_item(kind: str, value: dict[str, Any], **annots: Any) -> RichText:
    return {
        "type": "mention",
        "mention": {"type": kind, kind: value},
        "annotations": make_annotations(**annots),
    }


def link_of(item: RichText) -> str | None:
    if item.get("type") != "text":
        return None
    link = (item.get("text") or {}).get("link")
    return link.get("url") if isinstance(link, dict) else None


def _normalize_mention(mention: dict[str, Any]) -> dict[str, Any]:
    kind = str(mention.get("type"))
    value = mention.get(kind) or {}
    if kind in ("user", "page", "database", "custom_emoji") and "id" in value:
        return {"type": kind, kind: {"id": dashed(str(value["id"]))}}
    if kind == "date":
        date = {k: value[k] for k in ("start", "end", "time_zone") if value.get(k) is not None}
        return {"type": "date", "date": date}
    if kind in ("link_preview", "link_mention") and "url" in value:
        return {"type": kind, kind: {"url": value["url"]}}
    if kind == "template_mention":
        sub = str(value.get("type"))
        return {"type": kind, kind: {"type": sub, sub: value.get(sub)}}
    return {"type": kind, kind: value}


def normalize_item(item: dict[str, Any]) -> RichText:
    """One API or request rich text item in canonical form (not merged or split)."""
    kind = item.get("type", "text")
    annots = make_annotations(**(item.get("annotations") or {}))
    if kind == "text":
        text = item.get("text") or {}
        link = text.get("link")
        url = link.get("url") if isinstance(link, dict) else None
        return {
            "type": "text",
            "text": {"content": str(text.get("content", "")), "link": {"url": url} if url else None},
            "annotations": annots,
        }
    if kind == "equation":
        return {
            "type": "equation",
            "equation": {"expression": str(item["equation"]["expression"])},
            "annotations": annots,
        }
    if kind == "mention":
        return {
            "type": "mention",
            "mention": _normalize_mention(item.get("mention") or {}),
            "annotations": annots,
        }
    return {
        "type": "text",
        "text": {"content": str(item.get("plain_text", "")), "link": None},
        "annotations": annots,
    }


def merge(items: list[RichText]) -> list[RichText]:
    """Merge adjacent text items with equal annotations and link; drop empty text items."""
    out: list[RichText] = []
    for item in items:
        if item["type"] == "text" and not item["text"]["content"]:
            continue
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev["type"] == "text"
            and item["type"] == "text"
            and prev["annotations"] == item["annotations"]
            and link_of(prev) == link_of(item)
        ):
            prev["text"] = {
                "content": prev["text"]["content"] + item["text"]["content"],
                "link": prev["text"]["link"],
            }
        else:
            out.append({**item, "text": dict(item["text"])} if item["type"] == "text" else item)
    return out


def split_long(items: list[RichText]) -> list[RichText]:
    """Split text items longer than Notion's 2,000-character limit into several items."""
    out: list[RichText] = []
    for item in items:
        content = item["text"]["content"] if item["type"] == "text" else ""
        if len(content) <= TEXT_LIMIT:
            out.append(item)
            continue
        for start in range(0, len(content), TEXT_LIMIT):
            piece = content[start : start + TEXT_LIMIT]
            out.append({**item, "text": {"content": piece, "link": item["text"]["link"]}})
    return out


def unsplit(items: list[RichText]) -> list[RichText]:
    """Canonical merge ignoring the 2,000 split (used before rendering)."""
    return merge([normalize_item(i) for i in items])


def normalize_rich_text(items: list[dict[str, Any]] | None) -> list[RichText]:
    """Any rich text array (API response or request) in canonical form."""
    return split_long(merge([normalize_item(i) for i in items or []]))


def plain_text(items: list[dict[str, Any]] | None) -> str:
    """The plain text of a rich text array, as Notion would show it."""
    parts: list[str] = []
    for item in items or []:
        if "plain_text" in item:
            parts.append(str(item["plain_text"]))
        elif item.get("type") == "text":
            parts.append(str(item["text"]["content"]))
        elif item.get("type") == "equation":
            parts.append(str(item["equation"]["expression"]))
    return "".join(parts)
