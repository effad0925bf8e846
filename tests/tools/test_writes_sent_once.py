"""A create that failed with a 5xx after it was sent is never sent again: the first one may have
landed, and a second would make a duplicate comment or database. The model is told instead."""

from __future__ import annotations

from typing import Any

import pytest
from replay import FakeNotion, connect, text_of

PAGE = "1a2b3c4d5e6f40008000000000000001"


def server_error(status: int) -> tuple[int, dict[str, Any]]:
    body = {"object": "error", "status": status, "code": "internal_server_error", "message": "oops"}
    return status, body


CREATES = [
    ("notion_comments", "/v1/comments", {"parent": {"page_id": PAGE}, "markdown": "hi"}),
    ("notion_databases", "/v1/databases", {"parent": {"page_id": PAGE}, "title": "T"}),
]


@pytest.mark.anyio
@pytest.mark.parametrize(("tool", "path", "arguments"), CREATES, ids=[c[0] for c in CREATES])
@pytest.mark.parametrize("status", [500, 502, 503])
async def test_a_create_answered_5xx_is_sent_once_and_reported(
    tool: str, path: str, arguments: dict[str, Any], status: int
) -> None:
    notion = FakeNotion()
    notion.answer("POST", path, server_error(status), (200, {"object": "comment", "id": PAGE}))
    async with connect(notion) as client:
        result = await client.call_tool(tool, {"operation": "create", **arguments})
    assert result.is_error, text_of(result)
    assert [s.path for s in notion.sent if s.method == "POST"] == [path]
    assert str(status) in text_of(result)
