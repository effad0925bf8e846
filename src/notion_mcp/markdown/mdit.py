"""The one markdown-it configuration used for parsing (and for the renderer's self-check)."""

from __future__ import annotations

from functools import cache

from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin


def _keep_url(url: str) -> str:
    return url


def _any_url(url: str) -> bool:
    return True


@cache
def parser() -> MarkdownIt:
    """CommonMark + GFM tables and strikethrough + raw HTML (our tags) + `$` math.

    Links are kept exactly as written: no percent-encoding, no scheme filtering (Notion validates).
    """
    md = MarkdownIt("commonmark", {"html": True})
    md.enable(["table", "strikethrough"])
    md.use(dollarmath_plugin, allow_space=False, allow_digits=False, double_inline=False)
    md.normalizeLink = _keep_url  # type: ignore[method-assign]
    md.normalizeLinkText = _keep_url  # type: ignore[method-assign,assignment]
    md.validateLink = _any_url  # type: ignore[method-assign]
    return md
