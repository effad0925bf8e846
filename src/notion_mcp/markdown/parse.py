"""Markdown → Notion blocks (request form), walking markdown-it's syntax tree.

Canonical block form: `{"type": t, t: {...}}` (no "object", no ids), children at
`block[t]["children"]` only when there are some, rich text as in `rich_text.py`.
Markdown nodes become blocks in `parse_nodes.py`, Notion-flavored tags (html_block tokens) in
`parse_tags.py` (the walk over siblings) and `parse_elements.py`; `parse_kit.py` holds what they share.
"""

from __future__ import annotations

from .parse_kit import Block, read_tree
from .parse_tags import convert_nodes


def markdown_to_blocks(text: str) -> list[Block]:
    """Markdown → request-form Notion blocks. Raises MarkdownError naming the line."""
    return convert_nodes(read_tree(text))
