"""The whole tool surface stays under 10,000 bytes of schema (TOOLS.md): new fields pay for
themselves by saying more with less elsewhere. `python bench/tools_list_size.py` prints the detail."""

from __future__ import annotations

import json

import pytest
from mcp import Client

from notion_mcp.config import Settings
from notion_mcp.server import build_server

BUDGET = 10_000


@pytest.mark.anyio
async def test_tools_list_of_all_six_tools_costs_under_ten_thousand_bytes() -> None:
    async with Client(build_server(Settings(token=None, sandbox=":memory:"))) as client:
        result = await client.list_tools()
    dumped = result.model_dump(mode="json", by_alias=True, exclude_none=True)
    size = len(json.dumps(dumped, ensure_ascii=False, separators=(",", ":")).encode())
    assert len(dumped["tools"]) == 6
    assert size < BUDGET, f"tools/list is {size:,} bytes; the budget is {BUDGET:,}"
