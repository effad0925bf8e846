"""Notion answered from recordings: a mock transport that serves recorded responses and keeps
every request the server sent, so tests can assert on both sides of the wire."""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import yaml
from mcp import Client

from notion_mcp.config import Settings
from notion_mcp.notion.gateway import NotionGateway, build_client
from notion_mcp.notion.ratelimit import TokenBucket
from notion_mcp.notion.retry import RetryPolicy

RECORDINGS = Path(__file__).parent / "fixtures" / "recordings"
BASE_URL = "https://api.notion.com"
TOKEN = "ntn_" + "T" * 40
_UUID = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}")


def template(path: str) -> str:
    return _UUID.sub("{id}", path.split("?")[0])


@cache
def _interactions(name: str) -> list[dict[str, Any]]:
    data = yaml.safe_load((RECORDINGS / name).read_text())
    return list(data["interactions"])


def recorded(name: str, method: str, path_template: str, index: int = 0) -> tuple[int, Any]:
    """Status and JSON body of the index-th interaction in a recording that matches."""
    hits = []
    for it in _interactions(name):
        req, resp = it["request"], it["response"]
        if req["method"] == method and template(req["uri"].removeprefix(BASE_URL)) == path_template:
            if "status" in resp and isinstance(resp["status"], dict):
                hits.append((resp["status"]["code"], json.loads(resp["body"]["string"])))
            else:
                hits.append((resp["status_code"], json.loads(resp["content"])))
    if not hits:
        raise LookupError(f"{name} has no {method} {path_template}")
    return hits[index]


@dataclass
class Sent:
    method: str
    path: str
    query: dict[str, str]
    body: Any


@dataclass
class FakeNotion:
    """Queues of responses per (method, path template); every request kept in `sent`."""

    routes: dict[tuple[str, str], deque[httpx.Response | Exception]] = field(default_factory=dict)
    sent: list[Sent] = field(default_factory=list)

    def answer(
        self, method: str, path: str, *responses: httpx.Response | Exception | tuple[int, Any]
    ) -> None:
        queue = self.routes.setdefault((method, path), deque())
        for r in responses:
            queue.append(httpx.Response(r[0], json=r[1]) if isinstance(r, tuple) else r)

    def replay(self, recording: str, method: str, path: str, index: int = 0) -> Any:
        status, body = recorded(recording, method, path, index)
        self.answer(method, path, (status, body))
        return body

    def handle(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        path = request.url.path
        self.sent.append(Sent(request.method, path, dict(request.url.params), body))
        queue = self.routes.get((request.method, template(path)))
        if not queue and path.endswith("/markdown"):  # the recordings predate the markdown endpoints:
            return httpx.Response(  # answered as Notion answers a path it does not serve
                400,
                json={
                    "object": "error",
                    "status": 400,
                    "code": "invalid_request_url",
                    "message": "Invalid request URL.",
                },
            )
        if not queue:
            return httpx.Response(
                404,
                json={
                    "object": "error",
                    "status": 404,
                    "code": "object_not_found",
                    "message": f"no fake for {path}",
                },
            )
        item = queue[0] if len(queue) == 1 else queue.popleft()
        if isinstance(item, Exception):
            raise item
        return item

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def gateway_for(notion: FakeNotion, clock: FakeClock | None = None, **policy: Any) -> NotionGateway:
    clock = clock or FakeClock()
    client = build_client(
        token=TOKEN, notion_version="2026-03-11", base_url=BASE_URL, transport=notion.transport()
    )
    limiter = TokenBucket(None, clock=clock, sleep=clock.sleep)
    return NotionGateway(client, limiter, RetryPolicy(sleep=clock.sleep, jitter=lambda: 0.5, **policy))


def settings(**overrides: Any) -> Settings:
    return Settings(token=TOKEN, rate_limit=0, **overrides)


@asynccontextmanager
async def connect(
    notion: FakeNotion, *, clock: FakeClock | None = None, mode: str = "auto", **overrides: Any
) -> AsyncIterator[Client]:
    from notion_mcp.server import build_server

    factory: Callable[[], NotionGateway] = lambda: gateway_for(notion, clock)  # noqa: E731
    server = build_server(settings(**overrides), gateway_factory=factory)
    async with Client(server, mode=mode) as client:  # type: ignore[arg-type]
        yield client


def shown(object_id: str) -> str:
    """An ID as every result shows it: 32 lowercase hex digits, no dashes (docs/architecture.md)."""
    return object_id.replace("-", "").lower()


def text_of(result: Any) -> str:
    return "\n".join(c.text for c in result.content if getattr(c, "type", "") == "text")


# -- helpers for the recorded tool tests (tests/tools/test_recorded_*.py) ------------------------
@dataclass
class HeaderNotion(FakeNotion):
    """A FakeNotion that also keeps the headers of every request (in step with `sent`)."""

    headers: list[httpx.Headers] = field(default_factory=list)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.headers.append(request.headers)
        return super().handle(request)


@asynccontextmanager
async def connect_default(
    notion: FakeNotion, *, mode: str = "auto", **overrides: Any
) -> AsyncIterator[Client]:
    """Like `connect`, but the gateway is the one `build_server` makes from the settings
    (its own Notion-Version, rate limit and retry policy), over the fake's transport."""
    from notion_mcp.server import build_server

    server = build_server(settings(**overrides), transport=notion.transport(), base_url=BASE_URL)
    async with Client(server, mode=mode) as client:  # type: ignore[arg-type]
        yield client


def body(recording: str, method: str, path_template: str, index: int = 0) -> Any:
    """The JSON body of a recorded response (a fresh copy: tests may edit it)."""
    return recorded(recording, method, path_template, index)[1]


def recorded_request(recording: str, method: str, path_template: str, index: int = 0) -> Any:
    """The JSON body of the index-th matching request in a recording (None when it had none)."""
    hits = [
        it["request"]
        for it in _interactions(recording)
        if it["request"]["method"] == method
        and template(it["request"]["uri"].removeprefix(BASE_URL)) == path_template
    ]
    raw = hits[index].get("body")
    return json.loads(raw) if raw else None
