"""State lives in SQLite: a file survives reopening, and a refused write changes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from notion_mcp.sandbox import SEED, Sandbox

from .conftest import HEADERS, para, t

pytestmark = pytest.mark.anyio


def client(sandbox: Sandbox) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=sandbox.transport(), base_url=Sandbox.base_url, headers=HEADERS)


async def test_a_workspace_in_a_file_is_the_same_after_reopening(tmp_path: Path) -> None:
    path = str(tmp_path / "ws.sqlite")
    first = Sandbox(path)
    async with client(first) as c:
        body = {"parent": {"page_id": SEED.welcome_page_id}, "properties": {"title": t("Kept")}}
        page = (await c.post("/v1/pages", json={**body, "children": [para("one")]})).json()
        await c.patch(f"/v1/blocks/{page['id']}/children", json={"children": [para("two")]})
        await c.patch(f"/v1/pages/{SEED.task_id(1)}", json={"properties": {"Done": {"checkbox": True}}})
    first.close()
    second = Sandbox(path)
    async with client(second) as c:
        again = (await c.get(f"/v1/pages/{page['id']}")).json()
        assert again["properties"]["title"]["title"][0]["plain_text"] == "Kept"
        listed = (await c.get(f"/v1/blocks/{page['id']}/children")).json()["results"]
        texts = [b["paragraph"]["rich_text"][0]["plain_text"] for b in listed]
        assert texts == ["one", "two"]
        task = (await c.get(f"/v1/pages/{SEED.task_id(1)}")).json()
        assert task["properties"]["Done"]["checkbox"] is True
        assert len((await c.get("/v1/users")).json()["results"]) == 3  # not seeded twice
    second.close()


async def test_an_append_whose_third_block_is_invalid_changes_nothing(
    http: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    before: list[Any] = (await http.get(f"/v1/blocks/{SEED.welcome_page_id}/children")).json()["results"]
    count = sandbox.store.count()
    children = [para("a"), para("b"), para("x" * 2001)]
    r = await http.patch(f"/v1/blocks/{SEED.welcome_page_id}/children", json={"children": children})
    assert r.status_code == 400
    after = (await http.get(f"/v1/blocks/{SEED.welcome_page_id}/children")).json()["results"]
    assert after == before and sandbox.store.count() == count


async def test_a_write_that_fails_midway_rolls_back(sandbox: Sandbox) -> None:
    """A failure inside the handler, after rows were written, leaves no trace."""
    count = sandbox.store.count()
    with pytest.raises(RuntimeError), sandbox.store.transaction() as store:
        store.insert("block", {"id": "0f0f0f0f-0000-4000-8000-000000000001"}, SEED.welcome_page_id, 99.0)
        raise RuntimeError("boom")
    assert sandbox.store.count() == count


async def test_an_unseeded_workspace_holds_only_the_users_and_the_bot() -> None:
    sandbox = Sandbox(seed=False)
    async with client(sandbox) as c:
        assert (await c.post("/v1/search", json={})).json()["results"] == []
        users = (await c.get("/v1/users")).json()["results"]
        assert {u["type"] for u in users} == {"person", "bot"} and len(users) == 3
        assert (await c.get("/v1/users/me")).json()["id"] == SEED.bot_user_id
    sandbox.close()
