"""An empty search lists what was edited most recently first, as Notion does: in the seeded
workspace the demo pages (edited after the task rows) lead, the welcome page first."""

from __future__ import annotations

import pytest
from sandbox_client import call, sandbox_client

from notion_mcp.sandbox import SEED


@pytest.mark.anyio
async def test_an_empty_search_leads_with_the_demo_pages() -> None:
    async with sandbox_client() as (client, _):
        text = await call(client, "notion_search", operation="search")
    first = [line.split(" (id:")[0] for line in text.splitlines()[:3]]
    assert first == ["- page: Welcome to the sandbox", "- page: Getting started", "- page: Project notes"]
    assert SEED.welcome_page_id.replace("-", "") in text.splitlines()[0]
