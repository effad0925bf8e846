"""Markdown → Notion blocks (request form), walking markdown-it's syntax tree.

Canonical block form: `{"type": t, t: {...}}` (no "object", no ids), children at
`block[t]["children"]` only when there are some, rich text as in `rich_text.py`.
Notion-flavored tags (html_block tokens) are handled by `parse_tags.py`.
"""

from __future__ import annotations

import re
from typing import Any

from markdown_it.token import Token
from markdown_it.tree import SyntaxTreeNode

from .colors import notion_color
from .errors import MarkdownError
from .inline_parse import inline_tokens_to_rich_text
from .languages import notion_language
from .mdit import MAX_NESTING, parser
from .rich_text import EQUATION_LIMIT, ITEMS_LIMIT, TEXT_LIMIT, RichText, text_item
from .tags import refuse_unread, unread_ids

Block = dict[str, Any]

_ID_MARK = re.compile(r"(?:^|[ \t]+)\^[0-9a-fA-F]{32}[ \t]*$")
_ATTRS = re.compile(r'(?<!\\)\{((?:\s*[A-Za-z_-]+="[^"]*")+)\s*\}[ \t]*$')
_ATTR = re.compile(r'([A-Za-z_-]+)="([^"]*)"')
_TASK = re.compile(r"\[([ xX])\](?:[ \t]+|$)")
_ALERTS = {
    "NOTE": ("ℹ️", "blue_background"),
    "TIP": ("💡", "green_background"),
    "IMPORTANT": ("❗", "purple_background"),
    "WARNING": ("⚠️", "yellow_background"),
    "CAUTION": ("🛑", "red_background"),
}


def markdown_to_blocks(text: str) -> list[Block]:
    """Markdown → request-form Notion blocks. Raises MarkdownError naming the line."""
    from .parse_tags import convert_nodes

    tokens = parser().parse(text)
    _refuse_too_deep(tokens)
    _refuse_wide_rows(tokens, text.splitlines())
    refuse_unread(
        [
            (block_id, token.map[0] + 1 if token.map else None)
            for token in tokens
            for html in _html_of(token)
            for block_id in unread_ids(html)
        ]
    )
    return convert_nodes(list(SyntaxTreeNode(tokens).children))


_CONTAINERS = frozenset({"blockquote_open", "list_item_open"})


def _refuse_too_deep(tokens: list[Token]) -> None:
    """Refuse nesting that reached markdown-it's limit: past it the parser drops the rest silently.
    A container (quote, list item) opened at the last level is one whose content was not read."""
    line = None
    for token in tokens:
        line = token.map[0] + 1 if token.map else line
        if token.type in _CONTAINERS and token.level >= MAX_NESTING - 1:
            raise MarkdownError(
                f"the nesting here is deeper than this server reads from markdown (about {MAX_NESTING // 2}"
                f" list levels or {MAX_NESTING} quote levels, {MAX_NESTING} in all); the rest would be lost."
                " Nothing was written. Nest less, or append the deeper part under its block later",
                line,
            )


_CELL_BAR = re.compile(r"(?<!\\)\|")


def _refuse_wide_rows(tokens: list[Token], lines: list[str]) -> None:
    """A table row with more cells than its header: GFM would drop the extra cells silently."""
    header = 0
    for token in tokens:
        if token.type == "table_open":
            header = 0
        elif token.type == "tr_open" and token.map and token.map[0] < len(lines):
            row = lines[token.map[0]].strip()
            row = row[1:] if row.startswith("|") else row
            row = row[:-1] if row.endswith("|") and not row.endswith("\\|") else row
            cells = len(_CELL_BAR.split(row))
            if not header:
                header = cells
            elif cells > header:
                raise MarkdownError(
                    f"this table row has {cells} cells but the header has {header}: the extra cells would"
                    " be lost. Add header cells, or remove the extra ones",
                    token.map[0] + 1,
                )


def _html_of(token: Token) -> list[str]:
    """The raw HTML comments a token may hold: a comment block's, or its inline html tokens'.
    (Comments among tags in a block of tags are checked where that text is read: `_free_text`.)"""
    if token.type == "html_block":
        return [token.content] if token.content.lstrip().startswith("<!--") else []
    return [t.content for t in token.children or [] if t.type == "html_inline"]


def block(kind: str, value: dict[str, Any], kids: list[Block] | None = None) -> Block:
    if kids:
        value["children"] = kids
    return {"type": kind, kind: value}


def line_of(node: SyntaxTreeNode) -> int | None:
    return node.map[0] + 1 if node.map else None


def inline_parts(node: SyntaxTreeNode) -> tuple[list[Token], dict[str, str]]:
    """An inline node's tokens with the trailing ID marker and `{attr="…"}` list taken off."""
    token = node.token
    assert token is not None
    tokens, attrs = strip_marks(token.content, token.children)
    if "color" in attrs:
        attrs["color"] = notion_color(attrs["color"], line_of(node))
    return tokens, attrs


def strip_marks(content: str, children: list[Token] | None) -> tuple[list[Token], dict[str, str]]:
    stripped = _ID_MARK.sub("", content)
    attrs: dict[str, str] = {}
    m = _ATTRS.search(stripped)
    if m:
        attrs = dict(_ATTR.findall(m.group(1)))
        stripped = stripped[: m.start()].rstrip()
    if stripped == content and children is not None:
        return list(children), attrs
    return _reparse(stripped), attrs


def _reparse(content: str) -> list[Token]:
    tokens = parser().parseInline(content)
    return list(tokens[0].children or []) if tokens else []


def rich(tokens: list[Token], node: SyntaxTreeNode) -> list[RichText]:
    return inline_tokens_to_rich_text(tokens, line_of(node))


def text_block(
    kind: str, items: list[RichText], attrs: dict[str, str], kids: list[Block], **extra: Any
) -> list[Block]:
    """A text block; over 100 rich text items it becomes several consecutive blocks of the kind."""
    chunks = [items[i : i + ITEMS_LIMIT] for i in range(0, len(items), ITEMS_LIMIT)] or [[]]
    out = []
    for n, chunk in enumerate(chunks):
        value: dict[str, Any] = {"rich_text": chunk, **extra, "color": attrs.get("color", "default")}
        out.append(block(kind, value, kids if n == len(chunks) - 1 else None))
    return out


def paragraph(node: SyntaxTreeNode) -> list[Block]:
    from .parse_tags import inline_element

    inline = node.children[0]
    tokens, attrs = inline_parts(inline)
    element = inline_element(tokens, node)
    if element is not None:
        return element
    if len(tokens) == 1 and tokens[0].type == "image":
        return [image(tokens[0], node)]
    return text_block("paragraph", rich(tokens, node), attrs, [])


def image(token: Token, node: SyntaxTreeNode) -> Block:
    from .parse_tags import media_block

    caption = inline_tokens_to_rich_text(list(token.children or []), line_of(node))
    return media_block("image", str(token.attrs.get("src", "")), caption, {}, line_of(node))


def heading(node: SyntaxTreeNode) -> list[Block]:
    level = min(int(node.tag[1]), 4)
    tokens, attrs = inline_parts(node.children[0])
    toggle = attrs.get("toggle") == "true"
    return text_block(f"heading_{level}", rich(tokens, node), attrs, [], is_toggleable=toggle)


def list_items(node: SyntaxTreeNode) -> list[Block]:
    from .parse_tags import convert_nodes

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
        out += text_block(this, items, attrs, convert_nodes(parts), **extra)
    return out


def text_part(node: SyntaxTreeNode) -> tuple[list[Token], dict[str, str]] | None:
    """The inline tokens and `{…}` attributes of a list item's or quote's own text, when `node`
    (its first child) is that text: a paragraph; `<empty-block …/>` (empty text, its colour); or a
    line that is one inline tag (`<mention-date …/>`, `<equation …/>`), which CommonMark reads as
    an HTML block."""
    from .parse_tags import empty_block_attrs, is_inline_html

    if node.type == "paragraph":
        return inline_parts(node.children[0])
    if (attrs := empty_block_attrs(node)) is not None:
        return [], {k: v for k, v in attrs.items() if k == "color"}
    if node.type == "html_block" and is_inline_html(node):
        return _reparse(node.content.strip()), {}
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


def blockquote(node: SyntaxTreeNode) -> list[Block]:
    from .parse_tags import convert_nodes

    parts = list(node.children)
    items: list[RichText] = []
    attrs: dict[str, str] = {}
    first = text_part(parts[0]) if parts else None
    if first is not None:
        tokens, attrs = first
        alert = _alert(tokens)
        if alert is not None:
            emoji, color = _ALERTS[alert[0]]
            kids = convert_nodes(parts[1:])
            value = {
                "rich_text": rich(alert[1], node),
                "icon": {"type": "emoji", "emoji": emoji},
                "color": color,
            }
            return [block("callout", value, kids)]
        items, parts = rich(tokens, node), parts[1:]
    return text_block("quote", items, attrs, convert_nodes(parts))


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


def code(node: SyntaxTreeNode) -> list[Block]:
    content = node.content[:-1] if node.content.endswith("\n") else node.content
    items = [text_item(content[i : i + TEXT_LIMIT]) for i in range(0, len(content), TEXT_LIMIT)]
    value = {"caption": [], "rich_text": items, "language": notion_language(node.info)}
    return [block("code", value)]


def equation(node: SyntaxTreeNode) -> list[Block]:
    content = node.content
    first, _, rest = content.partition("\n")
    if _ID_MARK.match(" " + first.strip()) or not first.strip():
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
