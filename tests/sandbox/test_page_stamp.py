"""A change to a page's content moves the page's last_edited_time (Notion's behaviour, which an
incremental export relies on)."""

from __future__ import annotations

import pytest
from backup_env import new_env

from notion_mcp.sandbox import SEED

pytestmark = pytest.mark.anyio


async def test_editing_a_nested_block_moves_its_pages_stamp_to_the_minute() -> None:
    env = new_env()
    before = (await env.gateway.retrieve_page(SEED.welcome_page_id))["last_edited_time"]
    toggle = (await env.gateway.list_children(SEED.toggle_block_id))["results"][0]
    env.clock.advance(minutes=3)
    await env.gateway.update_block(toggle["id"], {"paragraph": {"rich_text": [{"text": {"content": "x"}}]}})
    after = (await env.gateway.retrieve_page(SEED.welcome_page_id))["last_edited_time"]
    assert after != before
    assert after.startswith(env.clock.now.strftime("%Y-%m-%dT%H:%M"))
