"""Sandbox fixtures: a seeded in-memory sandbox and HTTP clients that reach it in process."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from notion_mcp.sandbox import Sandbox

HEADERS = {"Authorization": "Bearer ntn_test", "Notion-Version": "2026-03-11"}


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    sb = Sandbox()
    yield sb
    sb.close()


@pytest.fixture
async def http(sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=sandbox.transport(), base_url=Sandbox.base_url, headers=HEADERS
    ) as c:
        yield c


def t(content: str) -> list[dict[str, Any]]:
    return [{"type": "text", "text": {"content": content}}]


def para(content: str, children: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"rich_text": t(content)}
    if children is not None:
        body["children"] = children
    return {"type": "paragraph", "paragraph": body}
