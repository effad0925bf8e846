"""What a model reads when Notion refuses: the token never shows, and each refusal says what
to do next (through mcp.Client, from Notion's error bodies)."""

from __future__ import annotations

import httpx
import pytest
from replay import FakeNotion, connect, text_of

PAGE = "1a2b3c4d5e6f40008000000000000001"


def refusal(status: int, code: str, message: str, **headers: str) -> httpx.Response:
    body = {"object": "error", "status": status, "code": code, "message": message, "request_id": "r1"}
    return httpx.Response(status, json=body, headers=headers)


async def bot_call(notion: FakeNotion) -> str:
    async with connect(notion) as client:
        result = await client.call_tool("notion_users", {"operation": "retrieve_bot"})
    assert result.is_error
    return text_of(result)


@pytest.mark.anyio
@pytest.mark.parametrize("token", ["ntn_" + "a1B2" * 10, "secret_" + "Zz9" * 15])
async def test_either_form_of_token_is_kept_out_of_the_error(token: str) -> None:
    notion = FakeNotion()
    notion.answer("GET", "/v1/users/me", refusal(401, "unauthorized", f"API token {token} is invalid."))
    text = await bot_call(notion)
    assert token not in text and token[:12] not in text
    assert "API token [token] is invalid." in text


@pytest.mark.anyio
async def test_a_conflict_says_to_read_again_and_repeat() -> None:
    notion = FakeNotion()
    notion.answer(
        "DELETE", "/v1/blocks/{id}", refusal(409, "conflict_error", "Conflict occurred while saving.")
    )
    async with connect(notion) as client:
        result = await client.call_tool("notion_blocks", {"operation": "delete", "block_id": PAGE})
    assert result.is_error
    text = text_of(result)
    assert "The object changed while this request ran." in text
    assert "Next step: Read the object again, then repeat the change." in text


@pytest.mark.anyio
async def test_a_rate_limit_past_the_budget_says_how_long_to_wait() -> None:
    notion = FakeNotion()
    notion.answer("GET", "/v1/users/me", refusal(429, "rate_limited", "Slow down.", **{"Retry-After": "90"}))
    text = await bot_call(notion)
    assert "retry_after_seconds: 90" in text
    assert "Next step: Wait retry_after_seconds, then call again." in text


@pytest.mark.anyio
async def test_only_the_tools_named_in_notion_mcp_tools_are_served() -> None:
    notion = FakeNotion()
    async with connect(notion, tools=("notion_search", "notion_users")) as client:
        names = sorted(t.name for t in (await client.list_tools()).tools)
        refused = await client.call_tool("notion_pages", {"operation": "retrieve", "page_id": PAGE})
    assert names == ["notion_search", "notion_users"]
    assert refused.is_error
    assert notion.sent == []
