"""When Notion cannot be reached, the tool error says which base URL failed and what to check —
not "Notion error 0"."""

from __future__ import annotations

import socket

import pytest
from mcp import Client
from sandbox_client import text_of

from notion_mcp.config import Settings
from notion_mcp.server import build_server


def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again when the block ends: nothing listens there


@pytest.mark.anyio
async def test_a_refused_connection_names_the_base_url_and_what_to_check() -> None:
    base = f"http://127.0.0.1:{closed_port()}"
    settings = Settings(token="ntn_" + "c" * 40, base_url=base, rate_limit=0, max_retries=0)
    async with Client(build_server(settings)) as client:  # type: ignore[arg-type]
        result = await client.call_tool("notion_users", {"operation": "retrieve_bot"})

    text = text_of(result)
    assert result.is_error
    assert "Notion error 0" not in text and "error 0" not in text
    assert f"Could not reach {base}" in text
    assert "NOTION_BASE_URL" in text and "sandbox serve" in text
