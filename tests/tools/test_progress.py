"""Long calls report progress when the client asks for it, and stop when the client cancels.

Through `mcp.Client` in both protocol modes: the 2026 in-process path, where cancelling the
awaiting task cancels the handler directly, and the legacy stream, where the client sends
``notifications/cancelled``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx
import pytest
from mcp import Client
from sandbox_client import call, text_of

from notion_mcp.config import Settings
from notion_mcp.sandbox import SEED, Sandbox
from notion_mcp.server import build_server

pytestmark = pytest.mark.anyio
MODES = ["auto", "legacy"]

Progress = list[tuple[float, float | None, str | None]]


class Gate(httpx.AsyncBaseTransport):
    """The sandbox's transport, holding every PATCH after the first `open_for` until `opened`;
    `cancelled` is set when a held request is cancelled (the server gave it up)."""

    def __init__(self, inner: httpx.AsyncBaseTransport, open_for: int) -> None:
        self.inner = inner
        self.open_for = open_for
        self.patches = 0
        self.opened = anyio.Event()
        self.cancelled = anyio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "PATCH":
            self.patches += 1
            if self.patches > self.open_for:
                try:
                    await self.opened.wait()
                except anyio.get_cancelled_exc_class():
                    self.cancelled.set()
                    raise
        return await self.inner.handle_async_request(request)


@asynccontextmanager
async def connect(
    mode: str, gate: Gate | None = None, sandbox: Sandbox | None = None
) -> AsyncIterator[tuple[Client, Sandbox]]:
    sandbox = sandbox or Sandbox()
    try:
        settings = Settings(token=None, sandbox=":memory:", rate_limit=0, burst=1)
        transport = gate or sandbox.transport()
        server = build_server(settings, transport=transport, base_url=Sandbox.base_url)
        async with Client(server, mode=mode) as client:  # type: ignore[arg-type]
            yield client, sandbox
    finally:
        sandbox.close()


def recorder() -> tuple[Progress, Any]:
    seen: Progress = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append((progress, total, message))

    return seen, on_progress


def paragraphs(n: int) -> str:
    return "\n\n".join(f"Paragraph {i}." for i in range(n))


def nested(depth: int) -> dict[str, Any]:
    """A toggle holding a paragraph and a toggle, `depth` toggles deep."""

    def block(kind: str, text: str, children: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        inner: dict[str, Any] = {"rich_text": [{"text": {"content": text}}]}
        return {"type": kind, kind: {**inner, "children": children} if children else inner}

    content = [block("paragraph", "bottom")]
    for level in range(depth, 0, -1):
        content = [block("toggle", f"level {level}", [block("paragraph", f"text {level}"), *content])]
    return content[0]


@pytest.mark.parametrize("mode", MODES)
async def test_a_large_append_reports_each_request_as_it_is_written(anyio_backend: str, mode: str) -> None:
    async with connect(mode) as (client, _):
        seen, on_progress = recorder()
        args = {"operation": "append", "parent_block_id": SEED.notes_page_id, "markdown": paragraphs(450)}
        result = await client.call_tool("notion_blocks", args, progress_callback=on_progress)

    assert "Appended 450 blocks" in text_of(result)
    assert [(p, t) for p, t, _ in seen] == [(100, 450), (200, 450), (300, 450), (400, 450), (450, 450)]
    assert seen[0][2] == "wrote 100 of 450 blocks"


@pytest.mark.parametrize("mode", MODES)
async def test_reading_a_deep_page_reports_blocks_read_as_pages_arrive(anyio_backend: str, mode: str) -> None:
    async with connect(mode) as (client, _):
        await call(client, "notion_blocks", operation="append", parent_block_id=SEED.notes_page_id,
                   children=[nested(8)])  # fmt: skip
        seen, on_progress = recorder()
        args = {"operation": "retrieve", "page_id": SEED.notes_page_id}
        result = await client.call_tool("notion_pages", args, progress_callback=on_progress)

    assert "bottom" in text_of(result)
    counts = [p for p, _, _ in seen]
    assert len(counts) >= 9  # the page and each of the eight toggles: one list request each
    assert counts == sorted(set(counts))  # strictly increasing
    assert all(total is None for _, total, _ in seen)  # a read does not know its size in advance
    assert seen[-1][2] == f"read {int(counts[-1])} blocks"


@pytest.mark.parametrize("mode", MODES)
async def test_a_cancelled_append_stops_sending_requests(anyio_backend: str, mode: str) -> None:
    # 2,000 blocks are 20 requests; the fourth is held until the call is cancelled.
    sandbox = Sandbox()
    gate = Gate(sandbox.transport(), open_for=3)
    async with connect(mode, gate=gate, sandbox=sandbox) as (client, _):
        written = anyio.Event()
        seen: Progress = []

        async def on_progress(progress: float, total: float | None, message: str | None) -> None:
            seen.append((progress, total, message))
            if progress >= 300:
                written.set()

        args = {"operation": "append", "parent_block_id": SEED.notes_page_id, "markdown": paragraphs(2000)}
        with anyio.fail_after(30):  # a safety net only: every wait below is on an event
            async with anyio.create_task_group() as group:
                group.start_soon(client.call_tool, "notion_blocks", args, None, on_progress)
                await written.wait()
                group.cancel_scope.cancel()
            await gate.cancelled.wait()  # the held request was given up, not sent
        at_cancel = sandbox.total_requests
        gate.opened.set()
        for _ in range(50):  # let anything still running take its turns
            await anyio.lowlevel.checkpoint()

        assert sandbox.total_requests == at_cancel
        assert gate.patches == 4  # three written, one held and cancelled, none after
        assert max(p for p, _, _ in seen) == 300
