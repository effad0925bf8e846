"""Markdown nodes → blocks: one converter per markdown-it node type (`NODES`). A converter with
children converts them through the `convert` it is given (`parse_tags.convert_nodes`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from markdown_it.token import Token
from markdown_it.tree import SyntaxTreeNode

from .errors import MarkdownError
from .inline_parse import inline_tokens_to_rich_text
from .languages import notion_language
from .parse_elements import inline_element, media_block
from .parse_kit import (
    ID_MARK,
    Block,
    Convert,
    block,
    empty_block_attrs,
    inline_parts,
    is_inline_html,
    line_of,
    reparse,
    rich,
    strip_marks,
    text_block,
)
from .rich_text import EQUATION_LIMIT, TEXT_LIMIT, RichText, text_item

_TASK = re.compile(r"\[([ xX])\](?:[ \t]+|$)")
_ALERTS = {
    "NOTE": ("ℹ️", "blue_background"),
    "TIP": ("💡", "green_background"),
    "IMPORTANT": ("❗", "purple_background"),
    "WARNING": ("⚠️", "yellow_background"),
    "CAUTION": ("🛑", "red_background"),
}


def paragraph(node: SyntaxTreeNode, convert: Convert) -> list[Block]:
    inline = node.children[0]
    tokens, attrs = inline_parts(inline)
    element = inline_element(tokens, node)
    if element is not None:
        return element
    if len(tokens) == 1 and tokens[0].type == "image":
        return [image(tokens[0], node)]
    return text_block("paragraph", rich(tokens, node), attrs, [])


def image(token: Token, node: SyntaxTreeNode) -> Block:
    caption = inline_tokens_to_rich_text(list(token.children or []), line_of(node))
    return media_block("image", str(token.attrs.get("src", "")), caption, {}, line_of(node))


def heading(node: SyntaxTreeNode, convert: Convert) -> list[Block]:
    level = min(int(node.tag[1]), 4)
    tokens, attrs = inline_parts(node.children[0])
    toggle = attrs.get("toggle") == "true"
    return text_block(f"heading_{level}", rich(tokens, node), attrs, [], is_toggleable=toggle)


def list_items(node: SyntaxTreeNode, convert: Convert) -> list[Block]:
    kind = "numbered_list_item" if node.type == "ordered_list" else "bulleted_list_item"
    out: list[Block] = []
    for item in node.children:
        parts = list(item.children)
        items: list[RichText] = []
        attrs: dict[str, str] = {}
        extra: dict[str, Any] = {}
        this = kind
        first = text_part(parts[0]) if parts else None
        if first is not None:
            tokens, attrs = first
            if kind == "bulleted_list_item" and (task := _task(parts[0])) is not None:
                this, extra, tokens = "to_do", {"checked": task[0]}, task[1]
            items = rich(tokens, parts[0])
            parts = parts[1:]
        out += text_block(this, items, attrs, convert(parts), **extra)
    return out


def text_part(node: SyntaxTreeNode) -> tuple[list[Token], dict[str, str]] | None:
    """The inline tokens and `{…}` attributes of a list item's or quote's own text, when `node`
    (its first child) is that text: a paragraph; `<empty-block …/>` (empty text, its colour); or a
    line that is one inline tag (`<mention-date …/>`, `<equation …/>`), which CommonMark reads as
    an HTML block."""
    if node.type == "paragraph":
        return inline_parts(node.children[0])
    if (attrs := empty_block_attrs(node)) is not None:
        return [], {k: v for k, v in attrs.items() if k == "color"}
    if node.type == "html_block" and is_inline_html(node):
        return reparse(node.content.strip()), {}
    return None


def _task(para: SyntaxTreeNode) -> tuple[bool, list[Token]] | None:
    if para.type != "paragraph":
        return None
    token = para.children[0].token
    assert token is not None
    m = _TASK.match(token.content)
    if m is None:
        return None
    rest = token.content[m.end() :]
    tokens, _ = strip_marks(rest, None)
    return m.group(1) != " ", tokens


def blockquote(node: SyntaxTreeNode, convert: Convert) -> list[Block]:
    parts = list(node.children)
    items: list[RichText] = []
    attrs: dict[str, str] = {}
    first = text_part(parts[0]) if parts else None
    if first is not None:
        tokens, attrs = first
        alert = _alert(tokens)
        if alert is not None:
            emoji, color = _ALERTS[alert[0]]
            kids = convert(parts[1:])
            value = {
                "rich_text": rich(alert[1], node),
                "icon": {"type": "emoji", "emoji": emoji},
                "color": color,
            }
            return [block("callout", value, kids)]
        items, parts = rich(tokens, node), parts[1:]
    return text_block("quote", items, attrs, convert(parts))


def _alert(tokens: list[Token]) -> tuple[str, list[Token]] | None:
    if not tokens or tokens[0].type != "text":
        return None
    m = re.match(r"\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]\s*$", tokens[0].content, re.IGNORECASE)
    if m is None:
        return None
    rest = tokens[1:]
    if rest and rest[0].type in ("softbreak", "hardbreak"):
        rest = rest[1:]
    return m.group(1).upper(), rest


def code(node: SyntaxTreeNode, convert: Convert) -> list[Block]:
    content = node.content[:-1] if node.content.endswith("\n") else node.content
    items = [text_item(content[i : i + TEXT_LIMIT]) for i in range(0, len(content), TEXT_LIMIT)]
    value = {"caption": [], "rich_text": items, "language": notion_language(node.info)}
    return [block("code", value)]


def equation(node: SyntaxTreeNode, convert: Convert) -> list[Block]:
    content = node.content
    first, _, rest = content.partition("\n")
    if ID_MARK.match(" " + first.strip()) or not first.strip():
        content = rest
    expression = content.strip("\n")
    if len(expression) > EQUATION_LIMIT:
        raise MarkdownError(
            f"equation is {len(expression)} characters; Notion allows {EQUATION_LIMIT}: split it",
            line_of(node),
        )
    return [block("equation", {"expression": expression})]


def table(node: SyntaxTreeNode, attrs: dict[str, str]) -> list[Block]:
    rows = [tr for section in node.children for tr in section.children]
    width = max(len(tr.children) for tr in rows)
    out_rows = []
    for tr in rows:
        cells = [rich(inline_parts(cell.children[0])[0], tr) if cell.children else [] for cell in tr.children]
        cells += [[]] * (width - len(cells))
        out_rows.append(block("table_row", {"cells": cells}))
    value = {
        "table_width": width,
        "has_column_header": attrs.get("header-row", "true") != "false",
        "has_row_header": attrs.get("header-column") == "true",
    }
    return [block("table", value, out_rows)]


NODES: dict[str, Callable[[SyntaxTreeNode, Convert], list[Block]]] = {
    "paragraph": paragraph,
    "heading": heading,
    "bullet_list": list_items,
    "ordered_list": list_items,
    "blockquote": blockquote,
    "fence": code,
    "code_block": code,
    "math_block": equation,
    "hr": lambda node, convert: [{"type": "divider", "divider": {}}],
}
