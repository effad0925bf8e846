"""The renderer of each block type: `RENDERERS = {type: fn(block, ctx) -> str}` (frozen)."""

from __future__ import annotations

from functools import partial
from types import MappingProxyType
from typing import Any

from .ids import NOTION_FILE, compact, page_url
from .inline_render import link_destination, rich_text_to_markdown
from .render_kit import (
    Block,
    Context,
    Renderer,
    children,
    color_attrs,
    container,
    data,
    empty_text,
    indent,
    list_item,
    render_children,
    text_of,
    unsupported,
    with_children,
)
from .tags import render_tag


def paragraph(block: Block, ctx: Context) -> str:
    text = text_of(block)
    if not text:
        return with_children(empty_text(block, ctx), block, ctx)
    return with_children(text + color_attrs(block) + ctx.marker(block), block, ctx)


def heading(level: int, block: Block, ctx: Context) -> str:
    extra = {"toggle": "true"} if data(block).get("is_toggleable") else {}
    line = "#" * level + " " + text_of(block, single_line=True) + color_attrs(block, **extra)
    return with_children(line.rstrip() + ctx.marker(block), block, ctx)


def quote(block: Block, ctx: Context) -> str:
    text = text_of(block)
    head = text + color_attrs(block) + ctx.marker(block) if text else empty_text(block, ctx)
    body = render_children(block, ctx)
    return indent(head + ("\n\n" + body if body else ""), "> ").replace("\n\n", "\n>\n")


def toggle(block: Block, ctx: Context) -> str:
    color = data(block).get("color")
    attrs = {"color": color if color != "default" else None, "id": ctx.id_attr(block)}
    head = "<summary>" + text_of(block, single_line=True) + "</summary>"
    return container("details", attrs, head, render_children(block, ctx))


def callout(block: Block, ctx: Context) -> str:
    d = data(block)
    color = d.get("color")
    attrs = {
        "icon": _icon(d.get("icon")),
        "color": color if color != "default" else None,
        "id": ctx.id_attr(block),
    }
    return container("callout", attrs, text_of(block), render_children(block, ctx))


def _icon(icon: Any) -> str | None:
    if not isinstance(icon, dict):
        return None
    kind = icon.get("type")
    if kind == "emoji":
        return str(icon.get("emoji"))
    value = icon.get(kind) if isinstance(kind, str) else None
    if isinstance(value, dict):
        return str(value.get("url") or value.get("name") or value.get("id") or kind)
    return str(kind)


def code(block: Block, ctx: Context) -> str:
    d = data(block)
    content = "".join(
        str(i.get("plain_text", (i.get("text") or {}).get("content", ""))) for i in d.get("rich_text") or []
    )
    longest = max((len(r) for r in content.split("\n") if r and set(r.strip()) == {"`"}), default=0)
    fence = "`" * max(3, longest + 1)
    info = str(d.get("language") or "plain text").replace(" ", "_") + ctx.marker(block)
    text = f"{fence}{info}\n{content}\n{fence}" if content else f"{fence}{info}\n{fence}"
    return text + _caption(d)


def _caption(d: dict[str, Any]) -> str:
    caption = rich_text_to_markdown(d.get("caption") or [], single_line=True)
    return f"\n\n<caption>{caption}</caption>" if caption else ""


def equation(block: Block, ctx: Context) -> str:
    return "$$" + ctx.marker(block) + "\n" + str(data(block).get("expression", "")) + "\n$$"


def divider(block: Block, ctx: Context) -> str:
    return render_tag("hr", {"id": ctx.id_attr(block)}, close=True) if ctx.block_ids else "---"


def leaf_tag(name: str, block: Block, ctx: Context) -> str:
    color = data(block).get("color")
    attrs = {"color": color if color and color != "default" else None, "id": ctx.id_attr(block)}
    return render_tag(name, attrs, close=True)


def file_url(block: Block, ctx: Context) -> str:
    """The URL of a media block: external in full; Notion-hosted compact unless ctx.file_urls."""
    d = data(block)
    kind = d.get("type")
    if kind == "external":
        return str(d["external"]["url"])
    if kind == "file_upload":
        return "file-upload:" + compact(str(d["file_upload"]["id"]))
    if kind == "file":
        if ctx.file_urls:
            return str(d["file"]["url"])
        return NOTION_FILE + compact(str(block.get("id", "")))
    return str(d.get("url", ""))


def image(block: Block, ctx: Context) -> str:
    caption = rich_text_to_markdown(data(block).get("caption") or [], single_line=True)
    return f"![{caption}]({link_destination(file_url(block, ctx))}){ctx.marker(block)}"


def media(name: str, block: Block, ctx: Context) -> str:
    d = data(block)
    attrs: dict[str, str | None] = {"src": file_url(block, ctx)}
    if d.get("name"):
        attrs["name"] = str(d["name"])
    attrs["id"] = ctx.id_attr(block)
    return _captioned(name, attrs, d)


def child_page(name: str, block: Block, ctx: Context) -> str:
    title = rich_text_to_markdown([{"type": "text", "text": {"content": str(data(block).get("title", ""))}}])
    attrs = {"url": page_url(str(block["id"])) if block.get("id") else None}
    return render_tag(name, attrs) + title + f"</{name}>"


def link_to_page(block: Block, ctx: Context) -> str:
    d = data(block)
    kind = str(d.get("type", "page_id"))
    name = {"page_id": "link-page", "database_id": "link-database"}.get(kind)
    if name is None:
        return unsupported(block, ctx)
    return render_tag(name, {"url": page_url(str(d.get(kind, ""))), "id": ctx.id_attr(block)}, close=True)


def _captioned(name: str, attrs: dict[str, str | None], d: dict[str, Any]) -> str:
    """`<name attrs>caption</name>`, or `<name attrs/>` without a caption."""
    caption = rich_text_to_markdown(d.get("caption") or [], single_line=True)
    return (
        render_tag(name, attrs) + caption + f"</{name}>" if caption else render_tag(name, attrs, close=True)
    )


def table(block: Block, ctx: Context) -> str:
    d = data(block)
    rows = [r for r in children(block) if r.get("type") == "table_row"]
    attrs = {
        "header-row": None if d.get("has_column_header") else "false",
        "header-column": "true" if d.get("has_row_header") else None,
        "id": ctx.id_attr(block),
        # Row IDs ride on the tag: a marker after a row's closing "|" would break the pipe table.
        "row-ids": " ".join(i for r in rows if (i := ctx.id_attr(r))) or None,
    }
    head = render_tag("table", attrs, close=True) + "\n\n"
    if not rows:  # the tag says a table is here even though its rows are not
        return head + (render_children(block, ctx) or "<!-- empty table -->")
    head = head if any(attrs.values()) else ""
    width = int(d.get("table_width") or max(len(data(r).get("cells") or []) for r in rows))
    lines = [_row(rows[0], width, ctx), "|" + " --- |" * width]
    lines += [_row(r, width, ctx) for r in rows[1:]]
    return head + "\n".join(lines)


def _row(row: Block, width: int, ctx: Context) -> str:
    cells = list(data(row).get("cells") or [])
    cells += [[]] * (width - len(cells))
    rendered = [rich_text_to_markdown(c, cell=True) or " " for c in cells[:width]]
    return "| " + " | ".join(rendered) + " |"


def columns(block: Block, ctx: Context) -> str:
    return container("columns", {"id": ctx.id_attr(block)}, "", render_children(block, ctx))


def column(block: Block, ctx: Context) -> str:
    ratio = data(block).get("width_ratio")
    attrs = {"width_ratio": str(ratio) if ratio is not None else None, "id": ctx.id_attr(block)}
    return container("column", attrs, "", render_children(block, ctx))


def synced_block(block: Block, ctx: Context) -> str:
    source = data(block).get("synced_from")
    if isinstance(source, dict) and source.get("block_id"):
        attrs = {"url": compact(str(source["block_id"])), "id": ctx.id_attr(block)}
        return container("synced_block_reference", attrs, "", render_children(block, ctx))
    return container("synced_block", {"id": ctx.id_attr(block)}, "", render_children(block, ctx))


def tabs(block: Block, ctx: Context) -> str:
    parts = []
    for label in children(block):
        if label.get("type") != "paragraph":
            parts.append(ctx.render([label]))
            continue
        title = text_of(label, single_line=True)
        parts.append(
            container("tab", {"title": title, "id": ctx.id_attr(label)}, "", render_children(label, ctx))
        )
    body = "\n\n".join(parts) or render_children(block, ctx)
    return container("tabs", {"id": ctx.id_attr(block)}, "", body)


def template(block: Block, ctx: Context) -> str:
    return container("template", {"id": ctx.id_attr(block)}, text_of(block), render_children(block, ctx))


def bookmark(name: str, block: Block, ctx: Context) -> str:
    d = data(block)
    attrs: dict[str, str | None] = {"url": str(d.get("url", "")), "id": ctx.id_attr(block)}
    return _captioned(name, attrs, d)


RENDERERS: MappingProxyType[str, Renderer] = MappingProxyType(
    {
        "paragraph": paragraph,
        "heading_1": partial(heading, 1),
        "heading_2": partial(heading, 2),
        "heading_3": partial(heading, 3),
        "heading_4": partial(heading, 4),
        "bulleted_list_item": list_item,
        "numbered_list_item": list_item,
        "to_do": list_item,
        "toggle": toggle,
        "quote": quote,
        "callout": callout,
        "code": code,
        "equation": equation,
        "divider": divider,
        "breadcrumb": partial(leaf_tag, "breadcrumb"),
        "table_of_contents": partial(leaf_tag, "table_of_contents"),
        "column_list": columns,
        "column": column,
        "table": table,
        # A row outside its table (a listing of a table's children): the marker can follow it.
        "table_row": lambda b, ctx: _row(b, len(data(b).get("cells") or []), ctx) + ctx.marker(b),
        "tab": tabs,
        "synced_block": synced_block,
        "template": template,
        "child_page": partial(child_page, "page"),
        "child_database": partial(child_page, "database"),
        "link_to_page": link_to_page,
        "image": image,
        "video": partial(media, "video"),
        "audio": partial(media, "audio"),
        "pdf": partial(media, "pdf"),
        "file": partial(media, "file"),
        "embed": partial(bookmark, "embed"),
        "bookmark": partial(bookmark, "bookmark"),
        "link_preview": partial(bookmark, "link-preview"),
    }
)
