"""The six tools over an in-memory MCP client, answered by a seeded in-memory sandbox."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from mcp import Client

from notion_mcp.config import Settings
from notion_mcp.sandbox import Sandbox
from notion_mcp.server import build_server

CURSOR_HINT = re.compile(r"more: call again with the same arguments plus start_cursor=(\S+)")


@asynccontextmanager
async def sandbox_client(*, mode: str = "auto", **settings: Any) -> AsyncIterator[tuple[Client, Sandbox]]:
    """An `mcp.Client` on the server, and the `Sandbox` behind it (for counters and faults)."""
    sandbox = Sandbox()
    try:
        server = build_server(
            Settings(token=None, sandbox=":memory:", rate_limit=0, **settings),
            transport=sandbox.transport(),
            base_url=Sandbox.base_url,
        )
        async with Client(server, mode=mode) as client:  # type: ignore[arg-type]
            yield client, sandbox
    finally:
        sandbox.close()


def text_of(result: Any) -> str:
    return "\n".join(c.text for c in result.content if getattr(c, "type", "") == "text")


async def call(client: Client, tool: str, **arguments: Any) -> str:
    """The text of a successful tool call (fails the test, with the text, on a tool error)."""
    result = await client.call_tool(tool, arguments)
    assert not result.is_error, text_of(result)
    return text_of(result)


def next_cursor(text: str) -> str | None:
    """The cursor a model would read out of a "more: … start_cursor=…" hint."""
    match = CURSOR_HINT.search(text)
    return match.group(1) if match else None
