"""What the markdown → blocks converters share: reading the syntax tree, a node's text and
`{attr="…"}` list, and building text blocks. Imports no other parse module."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from markdown_it.token import Token
from markdown_it.tree import SyntaxTreeNode

from .colors import notion_color
from .errors import MarkdownError
from .inline_parse import inline_tokens_to_rich_text
from .mdit import MAX_NESTING, parser
from .rich_text import ITEMS_LIMIT, RichText
from .tags import BLOCK_TAGS, INLINE_TAGS, Tag, parse_tag, refuse_unread, tokenize, unread_ids

Block = dict[str, Any]
Convert = Callable[[list[SyntaxTreeNode]], list[Block]]
"""Sibling nodes → blocks (`parse_tags.convert_nodes`), handed to converters that have children."""

ID_MARK = re.compile(r"(?:^|[ \t]+)\^[0-9a-fA-F]{32}[ \t]*$")
_ATTRS = re.compile(r'(?<!\\)\{((?:\s*[A-Za-z_-]+="[^"]*")+)\s*\}[ \t]*$')
_ATTR = re.compile(r'([A-Za-z_-]+)="([^"]*)"')


def read_tree(text: str) -> list[SyntaxTreeNode]:
    """Markdown → markdown-it's top-level nodes, after refusing what would be lost (nesting past
    the parser's limit, wide table rows, unread-children markers)."""
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
    return list(SyntaxTreeNode(tokens).children)


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
_CONTAINER_MARKS = re.compile(r"^(?:[ \t]*(?:>|[-+*]|\d{1,9}[.)])(?=[ \t]|$))*[ \t]*")
"""The quote and list markers (and indentation) before a table row inside containers. A row cannot
itself start with one: a quote or list line ends the table."""


def _refuse_wide_rows(tokens: list[Token], lines: list[str]) -> None:
    """A table row with more cells than its header: GFM would drop the extra cells silently."""
    header = 0
    for token in tokens:
        if token.type == "table_open":
            header = 0
        elif token.type == "tr_open" and token.map and token.map[0] < len(lines):
            row = _CONTAINER_MARKS.sub("", lines[token.map[0]]).strip()
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
    stripped = ID_MARK.sub("", content)
    attrs: dict[str, str] = {}
    m = _ATTRS.search(stripped)
    if m:
        attrs = dict(_ATTR.findall(m.group(1)))
        stripped = stripped[: m.start()].rstrip()
    if stripped == content and children is not None:
        return list(children), attrs
    return reparse(stripped), attrs


def reparse(content: str) -> list[Token]:
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


def is_inline_html(node: SyntaxTreeNode) -> bool:
    """An html_block that is really a paragraph (a lone mention, span or `<br>`)."""
    first = tokenize(node.content, BLOCK_TAGS | INLINE_TAGS)
    return bool(first) and isinstance(first[0], Tag) and first[0].name in INLINE_TAGS


def empty_block_attrs(node: SyntaxTreeNode) -> dict[str, str] | None:
    """The attributes of a line that is `<empty-block …/>`, or None."""
    if node.type != "html_block" or (tag := parse_tag(node.content)) is None or tag.name != "empty-block":
        return None
    return tag.attrs
