"""Notion's colours, and reading one that a model wrote ("Red", "blue background")."""

from __future__ import annotations

from .errors import MarkdownError

_HUES = ("gray", "brown", "orange", "yellow", "green", "blue", "purple", "pink", "red")
# Notion's 19 block and text colors (developers.notion.com changelog "Block colors are now supported").
COLORS = ("default", *_HUES, *(f"{hue}_background" for hue in _HUES))


def notion_color(value: str, line: int | None) -> str:
    """The Notion colour `value` names (case, spaces and dashes aside), or a MarkdownError."""
    key = "_".join(value.strip().lower().replace("-", " ").split())
    key = {"grey": "gray"}.get(key, key).replace("grey_", "gray_")
    if key.endswith("_bg"):  # the form of Notion's enhanced markdown ("red_bg")
        key = key[:-3] + "_background"
    if key in COLORS:
        return key
    raise MarkdownError(
        f'color="{value}" is not a Notion colour; use one of {", ".join(_HUES)} or default, or one of'
        ' them with "_background" (e.g. red_background)',
        line,
    )
