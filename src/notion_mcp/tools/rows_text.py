"""Rows pasted as text: CSV or a markdown table, the header naming the properties.

Each line becomes one item `{"properties": {header: cell}}`; a column named like an item field
(`page_id`, `title`, `markdown`, `icon`, `cover`, `in_trash`, `template`) fills that field
instead. An empty cell is left out (the property is not set, not cleared). Cells are strings,
which the simple property form reads ("Tags": "a, b"; "Done": "yes"; "Points": "3").
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from notion_mcp.errors import InputError

ITEM_FIELDS = frozenset({"page_id", "title", "markdown", "icon", "cover", "in_trash", "template"})
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def _markdown_cells(line: str) -> list[str]:
    inner = line.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") and not inner.endswith("\\|") else inner
    return [cell.strip().replace("\\|", "|") for cell in _CELL_SPLIT.split(inner)]


def _markdown_rows(text: str) -> list[list[str]]:
    lines = [line for line in text.splitlines() if line.strip()]
    rows = [_markdown_cells(line) for i, line in enumerate(lines) if not (i == 1 and _RULE.match(line))]
    return rows


def _csv_rows(text: str) -> list[list[str]]:
    try:
        return [row for row in csv.reader(io.StringIO(text.strip())) if any(c.strip() for c in row)]
    except csv.Error as exc:
        raise InputError(
            f"pages: not readable as CSV ({exc}); give a list of items or a markdown table."
        ) from None


def _value(column: str, cell: str) -> Any:
    if column == "in_trash":
        return cell.strip().lower() in ("true", "yes", "1")
    return cell


def items_from_text(text: str) -> list[dict[str, Any]]:
    """The items of a CSV text or markdown table (header line first)."""
    rows = _markdown_rows(text) if text.lstrip().startswith("|") else _csv_rows(text)
    if len(rows) < 2:
        raise InputError(
            "pages: a table needs a header line of property names and at least one row, e.g. "
            '"Name,Status\\nWrite docs,Done" or a markdown table.'
        )
    header = [h.strip() for h in rows[0]]
    if any(not h for h in header) or len(set(header)) != len(header):
        raise InputError(f"pages: the header line must name each column once; got {rows[0]!r}.")
    items: list[dict[str, Any]] = []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise InputError(f"pages: line {number} has {len(row)} cells, the header {len(header)}: {row!r}.")
        item: dict[str, Any] = {}
        properties: dict[str, Any] = {}
        for column, cell in zip(header, row, strict=True):
            if cell.strip() == "":
                continue
            if column in ITEM_FIELDS:
                item[column] = _value(column, cell.strip())
            else:
                properties[column] = cell.strip()
        if properties:
            item["properties"] = properties
        items.append(item)
    return items
