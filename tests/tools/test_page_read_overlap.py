"""`notion_pages retrieve` reads the page and its body at the same time, and reports the page's
own error when both fail."""

from __future__ import annotations

import re

import anyio
import httpx
import pytest
from mcp import Client
from sandbox_client import text_of

from notion_mcp.config import Settings
from notion_mcp.sandbox import SEED, Sandbox
from notion_mcp.server import build_server

pytestmark = pytest.mark.anyio


class HoldPage(httpx.AsyncBaseTransport):
    """The sandbox, except that the page's GET is answered only once its children's GET has
    arrived: a server that reads them one after the other never gets its page."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.inner = sandbox.transport()
        self.children_asked = anyio.Event()
        self.paths: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(f"{request.method} {request.url.path}")
        if re.fullmatch(r"/v1/(blocks/[^/]+/children|pages/[^/]+/markdown)", request.url.path):
            self.children_asked.set()
        elif re.fullmatch(r"/v1/pages/[^/]+", request.url.path):
            with anyio.fail_after(5):
                await self.children_asked.wait()
        return await self.inner.handle_async_request(request)


BODY = {  # the body: through the markdown endpoint unless block IDs are asked for
    "markdown": ({}, "GET /v1/pages/{}/markdown"),
    "blocks": ({"block_ids": True}, "GET /v1/blocks/{}/children"),
}


@pytest.mark.parametrize("way", sorted(BODY))
async def test_the_page_and_its_body_are_requested_together(way: str) -> None:
    extra, body_path = BODY[way]
    with Sandbox() as sandbox:
        transport = HoldPage(sandbox)
        server = build_server(
            Settings(token=None, sandbox=":memory:", rate_limit=0),
            transport=transport,
            base_url=Sandbox.base_url,
        )
        async with Client(server) as client:  # type: ignore[arg-type]
            result = await client.call_tool(
                "notion_pages", {"operation": "retrieve", "page_id": SEED.welcome_page_id, **extra}
            )
    assert not result.is_error, text_of(result)
    assert text_of(result).startswith("# Welcome to the sandbox")
    assert set(transport.paths[:2]) == {
        f"GET /v1/pages/{SEED.welcome_page_id}",
        body_path.format(SEED.welcome_page_id),
    }


async def test_a_page_that_is_not_there_reports_the_pages_error_not_the_bodys() -> None:
    with Sandbox() as sandbox:
        missing = "0123456789ab4def8123456789abcdef"
        server = build_server(
            Settings(token=None, sandbox=":memory:", rate_limit=0),
            transport=sandbox.transport(),
            base_url=Sandbox.base_url,
        )
        async with Client(server) as client:  # type: ignore[arg-type]
            result = await client.call_tool("notion_pages", {"operation": "retrieve", "page_id": missing})
    assert result.is_error
    assert "object_not_found" in text_of(result)
    assert "Could not find page" in text_of(result), text_of(result)
