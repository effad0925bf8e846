"""The sandbox's simulation of Notion's window model: a budget per window per token, spent at
any pace; a workspace budget shared by every token; Retry-After until the window resets."""

from __future__ import annotations

import httpx
import pytest

from notion_mcp.sandbox import Sandbox

pytestmark = pytest.mark.anyio


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def client(sandbox: Sandbox, token: str) -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {token}", "Notion-Version": "2026-03-11"}
    return httpx.AsyncClient(transport=sandbox.transport(), base_url=Sandbox.base_url, headers=headers)


async def statuses(c: httpx.AsyncClient, n: int) -> list[int]:
    return [(await c.get("/v1/users/me")).status_code for _ in range(n)]


async def test_without_a_budget_the_sandbox_answers_every_request_at_once() -> None:
    with Sandbox() as sandbox:
        async with client(sandbox, "ntn_a") as a:
            assert set(await statuses(a, 300)) == {200}


async def test_a_tokens_budget_is_spent_at_once_and_the_429_says_when_the_window_resets() -> None:
    clock = Clock()
    with Sandbox(window_budget=3, window_seconds=60, clock=clock) as sandbox:
        async with client(sandbox, "ntn_a") as a, client(sandbox, "ntn_b") as b:
            assert await statuses(a, 3) == [200, 200, 200]
            clock.now = 14.5
            refused = await a.get("/v1/users/me")
            assert refused.status_code == 429
            assert refused.headers["Retry-After"] == "46"  # whole seconds until 60, rounded up
            body = refused.json()
            assert body["code"] == "rate_limited"
            assert body["additional_data"] == {"rate_limit_reason": "public_api_request_rate_limit"}
            assert await statuses(b, 3) == [200, 200, 200]  # another connection has its own
            clock.now = 60.0
            assert await statuses(a, 4) == [200, 200, 200, 429]  # refusals spent nothing


async def test_the_workspace_budget_is_shared_by_every_token_with_its_own_reason() -> None:
    clock = Clock()
    sandbox = Sandbox(window_budget=5, workspace_budget=4, workspace_seconds=30, clock=clock)
    with sandbox:
        async with client(sandbox, "ntn_a") as a, client(sandbox, "ntn_b") as b:
            assert await statuses(a, 2) + await statuses(b, 2) == [200] * 4
            refused = await b.get("/v1/users/me")
            assert refused.status_code == 429 and refused.headers["Retry-After"] == "30"
            reason = refused.json()["additional_data"]["rate_limit_reason"]
            assert reason == "public_api_space_request_rate_limit"
            assert await statuses(a, 3) == [429] * 3  # refused by the workspace: a spends nothing
            clock.now = 30.0  # the workspace's window resets; a's own (60 s) goes on
            assert await statuses(a, 4) == [200, 200, 200, 429]  # 5 - 2: refusals were free
            assert (await a.get("/v1/users/me")).json()["additional_data"]["rate_limit_reason"] == (
                "public_api_request_rate_limit"
            )
