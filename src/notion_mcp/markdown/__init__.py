"""Pure conversion between Notion blocks and markdown (no I/O, no other notion_mcp layers).

    blocks_to_markdown(blocks, *, block_ids=False, file_urls=False) -> str
    markdown_to_blocks(text) -> list[block]            (raises MarkdownError)
    rich_text_to_markdown(items) -> str, markdown_to_rich_text(text) -> list[item]
    normalize_blocks(blocks) -> list[block]            (the canonical form markdown_to_blocks returns)

Objects (pages, databases, rows, search results, users, comments) → markdown live in `objects.py`.
The mapping, block type by block type, is in docs/markdown.md.
"""

from __future__ import annotations

from typing import Any

from .errors import MarkdownError
from .ids import NOTION_FILE
from .inline_parse import markdown_to_rich_text
from .inline_render import rich_text_to_markdown as _rich_text_to_markdown
from .normalize import normalize_blocks
from .objects import (
    comments_to_markdown,
    database_to_markdown,
    page_to_markdown,
    property_to_text,
    rows_to_markdown,
    search_results_to_markdown,
    title_of,
    users_to_markdown,
)
from .parse import markdown_to_blocks
from .render import blocks_to_markdown
from .render_blocks import RENDERERS


def rich_text_to_markdown(items: list[dict[str, Any]]) -> str:
    """Rich text (any API or request form) → inline markdown that reads back as the same rich text."""
    return _rich_text_to_markdown(items)


__all__ = [
    "NOTION_FILE",
    "RENDERERS",
    "MarkdownError",
    "blocks_to_markdown",
    "comments_to_markdown",
    "database_to_markdown",
    "markdown_to_blocks",
    "markdown_to_rich_text",
    "normalize_blocks",
    "page_to_markdown",
    "property_to_text",
    "rich_text_to_markdown",
    "rows_to_markdown",
    "search_results_to_markdown",
    "title_of",
    "users_to_markdown",
]
