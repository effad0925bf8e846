"""Notion blocks → markdown: a frozen table of renderers, one per block type (like mdformat).

Each renderer is `fn(block, ctx) -> str` and returns the block's markdown without indentation;
a parent indents its children's text itself (`indent`). Blocks are separated by a blank line,
list items of one list by a single newline. The renderers live in `render_blocks.py`, the pieces
they share in `render_kit.py`; this module is the walk over sibling blocks.
"""

from __future__ import annotations

from .render_blocks import RENDERERS
from .render_kit import LIST_TYPES, Block, Context, list_item, unsupported


def blocks_to_markdown(blocks: list[Block], *, block_ids: bool = False, file_urls: bool = False) -> str:
    """Notion blocks (API responses or request form, children at `block[type]["children"]`) → markdown."""
    text = render_blocks(blocks, Context(render_blocks, block_ids=block_ids, file_urls=file_urls))
    return text + "\n" if text else ""


def render_blocks(blocks: list[Block], ctx: Context) -> str:
    out: list[str] = []
    number = 0
    prev: str | None = None
    for block in blocks:
        kind = str(block.get("type"))
        number = number + 1 if kind == "numbered_list_item" and prev == kind else 1
        text = render_block(block, ctx, number)
        if out:
            same_list = (
                kind in LIST_TYPES
                and prev in LIST_TYPES
                and (kind == "numbered_list_item") == (prev == "numbered_list_item")
            )
            out.append("\n" if same_list else "\n\n")
        out.append(text)
        prev = kind
    return "".join(out)


def render_block(block: Block, ctx: Context, number: int = 1) -> str:
    kind = str(block.get("type"))
    if kind == "numbered_list_item":
        return list_item(block, ctx, f"{number}.")
    renderer = RENDERERS.get(kind)
    if renderer is None:
        return unsupported(block, ctx)
    return renderer(block, ctx)
