"""The one markdown-it configuration used for parsing (and for the renderer's self-check)."""

from __future__ import annotations

from functools import cache

from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin


def _keep_url(url: str) -> str:
    return url


def _any_url(url: str) -> bool:
    return True


# markdown-it's nesting limit (a list level counts 2, a quote level 1). Past it, markdown-it drops
# the rest of the document without a word, so `parse.py` refuses input that reaches it. It is
# far above markdown-it's default of 20 (a 10-level list) and safely below what Python's
# recursion allows the parser and our converters (about 200).
MAX_NESTING = 120


@cache
def parser() -> MarkdownIt:
    """CommonMark + GFM tables and strikethrough + raw HTML (our tags) + `$` math.

    Links are kept exactly as written: no percent-encoding, no scheme filtering (Notion validates).
    """
    md = MarkdownIt("commonmark", {"html": True, "maxNesting": MAX_NESTING})
    md.enable(["table", "strikethrough"])
    md.use(dollarmath_plugin, allow_space=False, allow_digits=False, double_inline=False)
    md.normalizeLink = _keep_url  # type: ignore[method-assign]
    md.normalizeLinkText = _keep_url  # type: ignore[method-assign,assignment]
    md.validateLink = _any_url  # type: ignore[method-assign]
    return md
