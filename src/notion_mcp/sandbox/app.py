"""The ASGI app: Notion's request checks, misbehaviour, counters, and the route table.

Order per request: count it → rate limits (429: the per-second bucket, then the window model)
→ a fault planned "before" → auth (401) →
Notion-Version (400) → body (invalid_json, 500 KB) → the handler inside one store transaction
→ a fault planned "after" replaces the answer (the write has taken effect).
"""

from __future__ import annotations

import json
import logging
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Match, Route
from starlette.types import Message, Receive, Scope, Send

from notion_mcp.sandbox import files, rules
from notion_mcp.sandbox.faults import Fault, Faults, TokenBucket
from notion_mcp.sandbox.rules import JSON, NotionError
from notion_mcp.sandbox.store import Store
from notion_mcp.sandbox.windows import WindowLimits
from notion_mcp.sandbox.workspace import Workspace

log = logging.getLogger(__name__)

FAULT_BODIES = {
    "internal_server_error": (500, "Unexpected error occurred."),
    "service_unavailable": (
        503,
        "Notion is unavailable. This can occur when the time to respond to a request takes longer than "
        "60 seconds, the maximum request timeout. Please try again later.",
    ),
    "gateway_timeout": (
        504,
        "Notion timed out while attempting to complete this request. Please try again later.",
    ),
    "service_overload": (
        529,
        "Notion is experiencing a surge in demand and cannot serve this request. Please try again later.",
    ),
    "rate_limited": (429, "You have been rate limited. Please try again in a few minutes."),
}
# A 200 whose body is cut off (not JSON), or JSON of the wrong shape (no `results`): an answer
# spoiled on the way, after the request may have taken effect.
GARBLED_200 = {
    "garbled_200": '{"object": "list", "results": [{"object": "bl',
    "misshaped_200": '{"object": "list"}',
}
HTML_502 = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n"
    "<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n"
)


@dataclass
class Call:
    """What a handler gets: the workspace (inside a transaction) and the parsed request."""

    ws: Workspace
    params: dict[str, str]
    query: dict[str, str]
    body: JSON
    query_cap: int


Handler = Callable[[Call], JSON]
RouteSpec = tuple[str, str, Handler]


@dataclass
class AppState:
    store: Store
    faults: Faults
    counters: Counter[str]
    limiter: TokenBucket | None
    now: Callable[[], datetime]
    sleep: Callable[[float], Awaitable[None]]
    query_cap: int
    rate_limit_reason: str = "integration_rate_limit"
    windows: WindowLimits | None = None
    routes: list[Route] = field(default_factory=list)


def error_response(err: NotionError, request_id: str) -> JSONResponse:
    return JSONResponse(err.body(request_id), status_code=err.status, headers=err.headers)


def _check_headers(request: Request) -> str:
    auth = request.headers.get("authorization", "")
    if not auth.startswith("Bearer ") or not auth[len("Bearer ") :].strip():
        raise NotionError(401, *rules.UNAUTHORIZED)
    version = request.headers.get("notion-version")
    if not version:
        raise NotionError(400, *rules.MISSING_VERSION)
    if version not in rules.VERSIONS:
        raise rules.validation(
            "Notion-Version header failed validation: Notion-Version header should be one of "
            f"{', '.join(f'`{v}`' for v in rules.VERSIONS)}, instead was `{rules.fmt(version)}`."
        )
    return version


async def _form(request: Request) -> dict[str, Any]:
    """A multipart body: each file as (filename, bytes, content type), other fields as text."""
    out: dict[str, Any] = {}
    async with request.form(max_part_size=files.MAX_FORM_PART) as form:  # closes its temporary files
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                out[key] = (value.filename, await value.read(), value.content_type)
            else:
                out[key] = value
    return out


def endpoint(state: AppState, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    async def run(request: Request) -> Response:
        request_id = str(uuid.uuid4())
        try:
            version = _check_headers(request)
            raw = await request.body()
            body: Any = {}
            if request.headers.get("content-type", "").startswith("multipart/form-data"):
                body = {"__form__": await _form(request)}  # a file upload's part (20 MiB at most)
            elif raw.strip():
                rules.check_body_size(raw)
                try:
                    body = json.loads(raw)
                except (ValueError, RecursionError):  # RecursionError: nested past the parser's depth
                    raise NotionError(400, *rules.INVALID_JSON) from None
            if not isinstance(body, dict):
                raise NotionError(400, *rules.INVALID_JSON)
            with state.store.transaction() as store:
                ws = Workspace(store, version, state.now)
                call = Call(ws, dict(request.path_params), dict(request.query_params), body, state.query_cap)
                try:
                    result = handler(call)
                except RecursionError:  # a body nested deeper than any Notion object: refused whole
                    raise rules.validation("body failed validation: the body is nested too deeply.") from None
                ws.refresh_mentions(result)
                files.refresh(ws, result)
        except NotionError as err:
            return error_response(err, request_id)
        result["request_id"] = request_id
        return JSONResponse(result)

    return run


class SandboxApp:
    """ASGI callable wrapping the Starlette router with counters, rate limit and faults."""

    def __init__(self, state: AppState, specs: list[RouteSpec]) -> None:
        self.state = state
        state.routes = [Route(path, endpoint(state, h), methods=[m]) for m, path, h in specs]
        self.router = Starlette(routes=state.routes)

    def template(self, scope: Scope) -> str | None:
        for route in self.state.routes:
            match, _ = route.matches(scope)
            if match == Match.FULL:
                return route.path
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.router(scope, receive, send)
            return
        method: str = scope["method"]
        if method == "GET" and str(scope["path"]).startswith(files.DOWNLOAD_PREFIX):
            await self.download(scope, receive, send)  # a file's link: no token, as on Notion's S3
            return
        template = self.template(scope)
        self.state.counters[f"{method} {template or scope['path']}"] += 1
        request_id = str(uuid.uuid4())
        if template is None:
            await error_response(NotionError(400, *rules.INVALID_URL), request_id)(scope, receive, send)
            return
        if self.state.limiter is not None and (wait := self.state.limiter.take()) is not None:
            err = NotionError(
                429,
                "rate_limited",
                FAULT_BODIES["rate_limited"][1],
                additional_data={"rate_limit_reason": self.state.rate_limit_reason},
                headers={"Retry-After": str(wait)},
            )
            await error_response(err, request_id)(scope, receive, send)
            return
        if self.state.windows is not None and (refusal := self.state.windows.take(_bearer(scope))):
            wait, reason = refusal
            err = NotionError(
                429,
                "rate_limited",
                FAULT_BODIES["rate_limited"][1],
                additional_data={"rate_limit_reason": reason},
                headers={"Retry-After": str(wait)},
            )
            await error_response(err, request_id)(scope, receive, send)
            return
        fault = self.state.faults.take(method, template)
        if fault is not None and fault.kind == "slow":
            await self.state.sleep(fault.delay)
            fault = None
        if fault is None:
            await self.router(scope, receive, send)
            return
        if fault.when == "after":
            log.info("sandbox: applying %s %s before answering with fault %s", method, template, fault.kind)
            await self.router(scope, receive, _discard)
        await self.emit(fault, request_id, scope, receive, send)

    async def download(self, scope: Scope, receive: Receive, send: Send) -> None:
        with self.state.store.transaction() as store:
            ws = Workspace(store, rules.VERSIONS[-1], self.state.now)
            status, content, media = files.download(ws, str(scope["path"]), scope["query_string"].decode())
        await Response(content, status_code=status, media_type=media)(scope, receive, send)

    async def emit(self, fault: Fault, request_id: str, scope: Scope, receive: Receive, send: Send) -> None:
        if fault.kind == "drop":
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
        if fault.kind == "bad_gateway_html":
            await Response(HTML_502, status_code=502, media_type="text/html")(scope, receive, send)
            return
        if fault.kind in GARBLED_200:
            await Response(GARBLED_200[fault.kind], media_type="application/json")(scope, receive, send)
            return
        status, message = FAULT_BODIES[fault.kind]
        headers = {"Retry-After": str(fault.retry_after)} if status in (429, 529) else None
        extra = {"rate_limit_reason": self.state.rate_limit_reason} if status == 429 else None
        err = NotionError(status, fault.kind, message, additional_data=extra, headers=headers)
        await error_response(err, request_id)(scope, receive, send)


def _bearer(scope: Scope) -> str:
    """The connection a request belongs to: its Authorization header."""
    for name, value in scope.get("headers") or []:
        if name.lower() == b"authorization":
            return bytes(value).decode("latin-1")
    return ""


async def _discard(message: Message) -> None:
    """Swallow the real answer of a request whose fault comes "after" it took effect."""
