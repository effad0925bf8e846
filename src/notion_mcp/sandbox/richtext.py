"""Rich text: input items completed to the full form Notion returns, with Notion's limits."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from notion_mcp.sandbox import rules
from notion_mcp.sandbox.rules import JSON

ANNOTATION_DEFAULTS: JSON = {
    "bold": False,
    "italic": False,
    "strikethrough": False,
    "underline": False,
    "code": False,
    "color": "default",
}

UserLookup = Callable[[str], JSON | None]


def text(content: str, **annotations: Any) -> JSON:
    """A complete text item (used by the seed)."""
    return {
        "type": "text",
        "text": {"content": content, "link": None},
        "annotations": {**ANNOTATION_DEFAULTS, **annotations},
        "plain_text": content,
        "href": None,
    }


def plain(items: list[JSON]) -> str:
    return "".join(str(i.get("plain_text", "")) for i in items)


def complete(value: Any, path: str, users: UserLookup | None = None) -> list[JSON]:
    items = rules.require_list(path, value)
    if len(items) > rules.MAX_RICH_TEXT_ITEMS:
        raise rules.too_long(f"{path}.length", rules.MAX_RICH_TEXT_ITEMS, len(items))
    return [complete_item(item, f"{path}[{i}]", users) for i, item in enumerate(items)]


def complete_item(value: Any, path: str, users: UserLookup | None = None) -> JSON:
    item = rules.require_dict(path, value)
    kind = item.get("type") or next((k for k in ("text", "mention", "equation") if k in item), None)
    annotations = rules.require_dict(f"{path}.annotations", item.get("annotations", {}))
    rules.only_keys(f"{path}.annotations", annotations, ANNOTATION_DEFAULTS.keys())
    for key, value in annotations.items():
        if key == "color":
            rules.check_color(f"{path}.annotations.color", value)
        else:
            rules.check_bool(f"{path}.annotations.{key}", value)
    out: JSON = {"type": kind}
    if kind == "text":
        body = rules.require_dict(f"{path}.text", item.get("text"))
        content = body.get("content")
        if not isinstance(content, str):
            raise rules.body_invalid(f"{path}.text.content", "a string", content)
        if len(content) > rules.MAX_TEXT:
            raise rules.too_long(f"{path}.text.content.length", rules.MAX_TEXT, len(content))
        link = body.get("link")
        if link is not None:
            link = {
                "url": rules.check_url(
                    f"{path}.text.link.url", rules.require_dict(f"{path}.text.link", link).get("url")
                )
            }
        out["text"] = {"content": content, "link": link}
        plain_text, href = content, (link or {}).get("url")
    elif kind == "equation":
        expression = rules.require_dict(f"{path}.equation", item.get("equation")).get("expression")
        if not isinstance(expression, str):
            raise rules.body_invalid(f"{path}.equation.expression", "a string", expression)
        if len(expression) > rules.MAX_EQUATION:
            raise rules.too_long(f"{path}.equation.expression.length", rules.MAX_EQUATION, len(expression))
        out["equation"] = {"expression": expression}
        plain_text, href = expression, None
    elif kind == "mention":
        out["mention"], plain_text, href = _mention(
            rules.require_dict(f"{path}.mention", item.get("mention")), path, users
        )
    else:
        raise rules.body_invalid(f"{path}.type", '`"text"`, `"mention"`, or `"equation"`', kind)
    out["annotations"] = {**ANNOTATION_DEFAULTS, **annotations}
    out["plain_text"] = plain_text
    out["href"] = href
    return out


def _mention(mention: JSON, path: str, users: UserLookup | None) -> tuple[JSON, str, str | None]:
    kind = mention.get("type") or next(iter(mention), None)
    if kind == "user":
        user_id = rules.body_uuid(
            f"{path}.mention.user.id",
            rules.require_dict(f"{path}.mention.user", mention.get("user")).get("id"),
        )
        user = (users(user_id) if users else None) or {"object": "user", "id": user_id}
        return {"type": "user", "user": user}, "@" + str(user.get("name", "Anonymous")), None
    if kind in ("page", "database"):
        target = rules.body_uuid(
            f"{path}.mention.{kind}.id",
            rules.require_dict(f"{path}.mention.{kind}", mention.get(kind)).get("id"),
        )
        href = f"https://app.notion.com/p/{target.replace('-', '')}"
        return {"type": kind, kind: {"id": target}}, "Untitled", href
    if kind == "date":
        date = rules.require_dict(f"{path}.mention.date", mention.get("date"))
        value = {"start": date.get("start"), "end": date.get("end"), "time_zone": date.get("time_zone")}
        return {"type": "date", "date": value}, str(date.get("start")), None
    if kind == "link_preview":
        url = rules.check_url(
            f"{path}.mention.link_preview.url", rules.require_dict(path, mention.get(kind)).get("url")
        )
        return {"type": kind, kind: {"url": url}}, str(url), url
    if kind == "custom_emoji":  # recorded: plain_text is `:name:`, the object is echoed
        emoji = rules.require_dict(f"{path}.mention.custom_emoji", mention.get(kind))
        emoji_id = rules.body_uuid(f"{path}.mention.custom_emoji.id", emoji.get("id"))
        value = {"id": emoji_id, "name": emoji.get("name"), "url": emoji.get("url")}
        return {"type": kind, kind: value}, f":{emoji.get('name') or 'emoji'}:", None
    raise rules.body_invalid(
        f"{path}.mention.type",
        '`"user"`, `"page"`, `"database"`, `"date"`, `"link_preview"`, or `"custom_emoji"`',
        kind,
    )
