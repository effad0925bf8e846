"""Enhanced markdown sent to the sandbox (a page create's `markdown`, a markdown PATCH's content):
parsed into request-form blocks, or refused as Notion refuses a body (400 `validation_error`).

Both places follow Notion's guide "Working with markdown content": the same enhanced markdown is
accepted by `POST /v1/pages` (`markdown`) and `PATCH /v1/pages/{id}/markdown`, from
Notion-Version `FIRST_VERSION` on.
"""

from __future__ import annotations

from notion_mcp.markdown import MarkdownError
from notion_mcp.markdown.enhanced import UNKNOWN, enhanced_to_blocks
from notion_mcp.sandbox import rules
from notion_mcp.sandbox.rules import JSON

FIRST_VERSION = "2026-03-11"


def parse(markdown: object, path: str) -> list[JSON]:
    """Request-form blocks for enhanced markdown sent to the sandbox."""
    if not isinstance(markdown, str):
        raise rules.body_invalid(path, "a string", markdown)
    try:
        parsed = enhanced_to_blocks(markdown)
    except MarkdownError as exc:
        raise rules.validation(f"{path} failed to parse: {exc}") from None
    if any(b["type"] == UNKNOWN for b in parsed):
        raise rules.validation(f"{path}: an <unknown> block cannot be written.")
    return parsed
