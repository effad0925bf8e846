"""What every block renderer uses: the rendering context and the shared pieces of markdown.

Renderers reach their children's markdown through `ctx.render(blocks)` (the walk in `render.py`
passes itself in), so this module and the renderer table import nothing from the walk.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .ids import compact
from .inline_render import rich_text_to_markdown
from .tags import render_tag, unread_marker

Block = dict[str, Any]
LIST_TYPES = frozenset({"bulleted_list_item", "numbered_list_item", "to_do"})


@dataclass(frozen=True)
class Context:
    """Rendering options, passed down unchanged."""

    walk: Callable[[list[Block], Context], str]
    block_ids: bool = False
    file_urls: bool = False

    def render(self, blocks: list[Block]) -> str:
        """Sibling blocks' markdown, separated as `render.render_blocks` does."""
        return self.walk(blocks, self)

    def marker(self, block: Block) -> str:
        """The trailing ` ^<32-hex>` ID marker of a block (empty unless block_ids)."""
        return f" ^{compact(block['id'])}" if self.block_ids and block.get("id") else ""

    def id_attr(self, block: Block) -> str | None:
        return compact(block["id"]) if self.block_ids and block.get("id") else None


Renderer = Callable[[Block, Context], str]


def data(block: Block) -> dict[str, Any]:
    value = block.get(str(block.get("type")))
    return value if isinstance(value, dict) else {}


def children(block: Block) -> list[Block]:
    kids = data(block).get("children")
    if kids is None:
        kids = block.get("children")
    return list(kids) if isinstance(kids, list) else []


def render_children(block: Block, ctx: Context) -> str:
    """The children's markdown, or a marker when Notion has children that were not fetched."""
    kids = children(block)
    if kids:
        return ctx.render(kids)
    if block.get("has_children") and block.get("id"):
        return unread_marker(str(block["id"]))
    return ""


def indent(text: str, prefix: str) -> str:
    """Every non-empty line prefixed (a whitespace-only line too: inside code it is content)."""
    return "\n".join(prefix + line if line else "" for line in text.split("\n"))


def text_of(block: Block, *, single_line: bool = False) -> str:
    return rich_text_to_markdown(data(block).get("rich_text") or [], single_line=single_line)


def color_attrs(block: Block, **extra: str) -> str:
    """The trailing `{color="…"}` attribute list of a text block (empty when there is nothing)."""
    attrs = dict(extra)
    color = data(block).get("color")
    if color and color != "default":
        attrs["color"] = color
    if not attrs:
        return ""
    return " {" + " ".join(f'{k}="{v}"' for k, v in attrs.items()) + "}"


def container(name: str, attrs: dict[str, str | None], head: str, body: str) -> str:
    """`<name …>` + optional head line(s) + blank line + body + blank line + `</name>`."""
    parts = [render_tag(name, attrs) + ("\n" + head if head else "")]
    if body:
        parts.append(body)
    parts.append(f"</{name}>")
    return "\n\n".join(parts)


def with_children(head: str, block: Block, ctx: Context) -> str:
    """A text block whose children have no markdown nesting: `<children>` right after it."""
    body = render_children(block, ctx)
    if not body:
        return head
    return head + "\n\n<children>\n\n" + body + "\n\n</children>"


def empty_text(block: Block, ctx: Context) -> str:
    """`<empty-block/>` standing for a text block's empty text; colour and ID ride on the tag
    (after it, `{…}` or ` ^id` would turn the line into text)."""
    color = data(block).get("color")
    attrs = {"color": color if color != "default" else None, "id": ctx.id_attr(block)}
    return render_tag("empty-block", attrs, close=True)


def list_item(block: Block, ctx: Context, bullet: str = "-") -> str:
    """A list item or to-do (`bullet` is a numbered item's `N.`), its children indented under it."""
    text = text_of(block)
    if block.get("type") == "to_do":
        bullet = "- [x]" if data(block).get("checked") else "- [ ]"
    width = len(bullet) + 1 if block.get("type") != "to_do" else 2
    body = render_children(block, ctx)
    if not text and body and block.get("type") != "to_do":
        # a bare "-" followed by a blank line would end the item before its children
        line = f"{bullet} {empty_text(block, ctx)}"
    else:
        line = f"{bullet} {text}{color_attrs(block)}{ctx.marker(block)}".rstrip()
    lines = indent(line, " " * width).lstrip(" ")
    return lines + ("\n\n" + indent(body, " " * width) if body else "")


def unsupported(block: Block, ctx: Context) -> str:
    kind = str(block.get("type"))
    if kind == "unsupported":
        kind = str(data(block).get("block_type") or "unsupported")
    return render_tag(
        "unsupported", {"type": kind, "id": compact(str(block.get("id", ""))) or None}, close=True
    )
