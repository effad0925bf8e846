"""Bytes a model pays for our tool schemas: the `tools/list` result, whole and per tool.

Run: python bench/tools_list_size.py   (goal: all six under 10,000 bytes; Notion's official
server spends 76,260 bytes on its 24 tools.)
"""

from __future__ import annotations

import asyncio
import json

from mcp import Client

from notion_mcp.config import Settings
from notion_mcp.server import build_server

GOAL = 10_000
OFFICIAL = 76_260


def size(value: object) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())


async def measure(settings: Settings) -> tuple[int, dict[str, int]]:
    async with Client(build_server(settings)) as client:
        result = await client.list_tools()
    dumped = result.model_dump(mode="json", by_alias=True, exclude_none=True)
    return size(dumped), {t["name"]: size(t) for t in dumped["tools"]}


def main() -> None:
    for label, settings in [
        ("default", Settings(token=None, sandbox=":memory:")),
        ("read-only", Settings(token=None, sandbox=":memory:", read_only=True)),
    ]:
        total, per_tool = asyncio.run(measure(settings))
        print(
            f"tools/list ({label}): {total:,} bytes for {len(per_tool)} tools (goal < {GOAL:,}; "
            f"official server {OFFICIAL:,} for 24 tools, {OFFICIAL / total:.1f}x more)"
        )
        for name, n in per_tool.items():
            print(f"  {name:<18} {n:>6,} bytes")


if __name__ == "__main__":
    main()
