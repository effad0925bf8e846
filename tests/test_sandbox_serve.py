"""`notion-mcp sandbox serve` as a network peer: its line comes once it accepts connections, it
answers only to loopback names in Host (DNS rebinding), and an absurdly nested body gets
Notion's 400, not a bare 500. Also the same 400 in process."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from child_env import start_sandbox_serve

from notion_mcp.sandbox import SEED, Sandbox

HEADERS = {"Authorization": "Bearer ntn_x", "Notion-Version": "2026-03-11"}
DEEP = b'{"children":' + b"[" * 100_000 + b"]" * 100_000 + b"}"


@pytest.fixture
def base(tmp_path: Path) -> Iterator[str]:
    process = start_sandbox_serve(tmp_path)
    try:
        assert process.stderr is not None
        found = re.search(r"http://127\.0\.0\.1:\d+/v1", process.stderr.readline())
        assert found
        yield found.group(0)
    finally:
        process.terminate()
        process.communicate(timeout=20)


def test_the_first_request_after_the_line_is_answered_without_waiting(base: str) -> None:
    me = httpx.get(f"{base}/users/me", headers=HEADERS, timeout=10)  # no retry, no polling
    assert me.status_code == 200 and me.json()["type"] == "bot"


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1:1234", "[::1]:8765", "127.0.0.2"])
def test_loopback_names_in_host_are_served(base: str, host: str) -> None:
    me = httpx.get(f"{base}/users/me", headers={**HEADERS, "Host": host}, timeout=10)
    assert me.status_code == 200


FOREIGN = ["evil.example.com", "evil.example.com:8765", "localhost.evil.com", "10.0.0.1"]


@pytest.mark.parametrize("host", FOREIGN)
def test_a_foreign_host_is_refused_421_before_anything_is_read_or_written(base: str, host: str) -> None:
    refused = httpx.post(
        f"{base}/pages/{SEED.notes_page_id}",
        headers={**HEADERS, "Host": host},
        json={"in_trash": True},
        timeout=10,
    )
    still = httpx.get(f"{base}/pages/{SEED.notes_page_id}", headers=HEADERS, timeout=10)

    assert refused.status_code == 421 and refused.json()["object"] == "error"
    assert still.json()["in_trash"] is False


def test_an_absurdly_nested_body_over_http_is_notions_400(base: str) -> None:
    answer = httpx.patch(
        f"{base}/blocks/{SEED.notes_page_id}/children",
        headers={**HEADERS, "Content-Type": "application/json"},
        content=DEEP,
        timeout=30,
    )
    assert answer.status_code == 400, answer.text
    assert answer.json()["code"] == "invalid_json"


@pytest.mark.anyio
@pytest.mark.parametrize("depth", [50_000, 900])  # past the JSON parser's depth; within it
async def test_an_absurdly_nested_body_in_process_is_a_400_not_a_crash(depth: int) -> None:
    nested = b'{"rich_text":' + b"[" * depth + b"]" * depth + b"}"
    with Sandbox() as sandbox:
        async with httpx.AsyncClient(transport=sandbox.transport(), base_url=Sandbox.base_url) as http:
            answer = await http.patch(
                f"/v1/blocks/{SEED.notes_page_id}/children",
                headers={**HEADERS, "Content-Type": "application/json"},
                content=b'{"children":[{"paragraph":' + nested + b"}]}",
            )
    assert answer.status_code == 400, answer.text
    assert answer.json()["object"] == "error"
