"""Bytes of Notion's JSON against our markdown for every page and block in the recordings.

Run: python bench/markdown_size.py   (prints figures; never part of the test pass/fail)
"""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

from notion_mcp.markdown import blocks_to_markdown, page_to_markdown

RECORDINGS = Path(__file__).parents[1] / "tests" / "fixtures" / "recordings"


def _bodies() -> list[Any]:
    out = []
    for path in sorted(RECORDINGS.rglob("*.yaml")):
        for interaction in yaml.safe_load(path.read_text()).get("interactions") or []:
            response = interaction.get("response") or {}
            raw = (
                response.get("content")
                if "content" in response
                else (response.get("body") or {}).get("string")
            )
            try:
                out.append(json.loads(raw))
            except (TypeError, ValueError):
                continue
    return out


def _walk(value: Any, kind: str) -> list[dict[str, Any]]:
    found = []
    if isinstance(value, dict):
        if value.get("object") == kind:
            found.append(value)
        for v in value.values():
            found += _walk(v, kind)
    elif isinstance(value, list):
        for v in value:
            found += _walk(v, kind)
    return found


def _unique(objs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for obj in objs:
        seen[json.dumps(obj, sort_keys=True)] = obj
    return list(seen.values())


def _size(text: str) -> int:
    return len(text.encode())


def _json(obj: Any) -> int:
    """Bytes as Notion sends them: compact separators, UTF-8."""
    return _size(json.dumps(obj, separators=(",", ":"), ensure_ascii=False))


_ID = re.compile(r"[0-9a-f]{32}")


def _by_type(blocks: list[dict[str, Any]]) -> str:
    """JSON and markdown bytes per block type, largest markdown first."""
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for b in blocks:
        md = blocks_to_markdown([b])
        row = sums[str(b.get("type"))]
        row[0] += 1
        row[1] += _json(b)
        row[2] += _size(md)
        row[3] += sum(len(m) for m in _ID.findall(md))
    lines = [f"  {'type':20} {'count':>5} {'json B':>8} {'md B':>7} {'ids B':>6} {'json/md':>8}"]
    for kind, (n, js, md, ids) in sorted(sums.items(), key=lambda kv: -kv[1][2]):
        lines.append(f"  {kind:20} {n:5} {js:8} {md:7} {ids:6} {js / md if md else 0:8.1f}")
    return "\n".join(lines) + "\n"


def main() -> None:
    bodies = _bodies()
    blocks = _unique([b for body in bodies for b in _walk(body, "block")])
    pages = _unique([p for body in bodies for p in _walk(body, "page") if "properties" in p])
    rows = [
        ("blocks", len(blocks), sum(_json(b) for b in blocks),
         sum(_size(blocks_to_markdown([b])) for b in blocks),
         sum(_size(blocks_to_markdown([b], block_ids=True)) for b in blocks)),
        ("pages", len(pages), sum(_json(p) for p in pages),
         sum(_size(page_to_markdown(p)) for p in pages), sum(_size(page_to_markdown(p)) for p in pages)),
    ]  # fmt: skip
    out = sys.stdout
    out.write(
        f"{'what':8} {'count':>6} {'json B':>10} {'md B':>9} {'md+ids B':>9}"
        f" {'json/md':>8} {'json/md+ids':>12}\n"
    )
    for name, count, js, md, mdi in rows:
        out.write(f"{name:8} {count:6} {js:10} {md:9} {mdi:9} {js / md:8.1f} {js / mdi:12.1f}\n")
    out.write("goal: json/md >= 15 without IDs, >= 8 with IDs (blocks)\n\n")
    js, md = rows[0][2], rows[0][3]
    ids = sum(len(m) for b in blocks for m in _ID.findall(blocks_to_markdown([b])))
    out.write(
        f"of the {md} B without block IDs, {ids} B ({ids / md:.0%}) are the IDs a follow-up call needs\n"
        "(child pages/databases and links to pages to open them; unfetched children to read them);\n"
        f"the rest is {md - ids} B: json/rest = {js / (md - ids):.1f}\n\n"
    )
    out.write("blocks by type (without block IDs; ids B = follow-up IDs inside md B):\n")
    out.write(_by_type(blocks))


if __name__ == "__main__":
    main()
