"""build_server(settings) -> MCPServer: the six tools (and the resources of `resources.py`) over one
gateway owned by the lifespan."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import ExitStack, asynccontextmanager
from dataclasses import replace
from typing import Any

import httpx
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.tools.base import Tool
from mcp.server.mcpserver.utilities.func_metadata import ArgModelBase, FuncMetadata
from mcp.types import ContentBlock, TextContent
from pydantic import ConfigDict

from notion_mcp import __version__
from notion_mcp.config import MEMORY, Settings
from notion_mcp.errors import NotionMCPError, to_tool_error
from notion_mcp.notion.gateway import NotionGateway, build_client
from notion_mcp.notion.limiter import Limiter
from notion_mcp.notion.ratelimit import DEFAULT_MARGIN, TokenBucket
from notion_mcp.notion.ratestore import open_store
from notion_mcp.notion.retry import RetryPolicy
from notion_mcp.notion.window import Window, WindowLimiter
from notion_mcp.resources import Live
from notion_mcp.resources import register as register_resources
from notion_mcp.tenants import USER_TOKEN_HEADER, Tenants
from notion_mcp.tools import blocks, comments, databases, pages, search, users
from notion_mcp.tools._dispatch import ToolSpec, input_schema, run_call
from notion_mcp.tools.context import App, Call
from notion_mcp.tools.legacy import alias_specs
from notion_mcp.tools.links import resource_links
from notion_mcp.tools.output import within_budget

log = logging.getLogger("notion_mcp")

SPECS: dict[str, ToolSpec] = {
    spec.name: spec
    for spec in (blocks.SPEC, pages.SPEC, databases.SPEC, search.SPEC, users.SPEC, comments.SPEC)
}

INSTRUCTIONS = (
    "Notion through six tools, each with an `operation`. IDs may be UUIDs or Notion URLs. Reads "
    "return compact markdown by default (format=json for Notion's objects); content goes in as "
    "markdown or Notion blocks, any size. Find things with notion_search (titles only), read a "
    "whole page with notion_pages retrieve, write with notion_blocks append. When a result says "
    "'more: call again with the same arguments plus start_cursor=…', keep every other argument "
    "(filter, sorts, query) and pass that cursor exactly; never invent one."
)

TransportFactory = Callable[[Settings], tuple[httpx.AsyncBaseTransport | None, str]]


class _RawArguments(ArgModelBase):
    """Passes the client's arguments through untouched: our own models validate them.

    (The SDK would otherwise JSON-decode string arguments first, turning a bogus "null" cursor
    into None before our cursor check could see it.)
    """

    model_config = ConfigDict(extra="allow")

    def model_dump_one_level(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


def _reads(spec: ToolSpec, arguments: dict[str, Any]) -> bool:
    """The call is a read (its result may carry resource links: tools/links.py)."""
    name = arguments.get("operation") or spec.default_operation
    op = spec.operations.get(name.strip().lower()) if isinstance(name, str) else None
    return op is not None and not op.writes


def _tool(spec: ToolSpec, settings: Settings) -> Tool:
    async def handle(ctx: Context[App, Any], **arguments: Any) -> str | list[ContentBlock]:
        async def progress(done: float, total: float | None, message: str | None) -> None:
            await ctx.report_progress(done, total, message)

        app: App = ctx.request_context.lifespan_context
        if app.tenants is not None:
            try:
                app = app.tenants.app_for((ctx.headers or {}).get(USER_TOKEN_HEADER))
            except NotionMCPError as exc:
                raise to_tool_error(exc) from None
        text = within_budget(await run_call(spec, Call(app, progress), arguments), settings.max_output_chars)
        links = resource_links(text, settings.max_output_chars) if _reads(spec, arguments) else []
        return [TextContent(type="text", text=text), *links] if links else text

    return Tool(
        fn=handle,
        name=spec.name,
        title=spec.title,
        description=spec.description,
        parameters=input_schema(spec, settings.read_only),
        fn_metadata=FuncMetadata(arg_model=_RawArguments),
        is_async=True,
        context_kwarg="ctx",
        annotations=spec.annotations(settings.read_only),
    )


def default_transport(settings: Settings, stack: ExitStack) -> tuple[httpx.AsyncBaseTransport | None, str]:
    """Real Notion, or the sandbox in process when settings ask for it (closed with `stack`)."""
    if settings.sandbox is None:
        return None, settings.base_url
    from notion_mcp.sandbox import Sandbox

    sandbox = stack.enter_context(Sandbox(None if settings.sandbox == MEMORY else settings.sandbox))
    return sandbox.transport(), Sandbox.base_url


def make_limiter(settings: Settings, base_url: str) -> Limiter:
    """Even pacing if asked, and the window budget shared through the configured store."""
    pacing = TokenBucket(settings.rate_limit, settings.burst, margin=DEFAULT_MARGIN)
    store = open_store(settings.window_store, settings.token or "ntn_sandbox", base_url)
    trusted = settings.rate_budget is not None  # set by the user, not our default guess
    window = WindowLimiter(Window(settings.window_budget, settings.rate_window, trusted=trusted), store)
    return Limiter(window, pacing)


def make_gateway(
    settings: Settings, transport: httpx.AsyncBaseTransport | None, base_url: str
) -> NotionGateway:
    client = build_client(
        token=settings.token or "ntn_sandbox",
        notion_version=settings.notion_version,
        base_url=base_url,
        timeout_ms=settings.timeout_ms,
        transport=transport,
    )
    limiter = make_limiter(settings, base_url)
    policy = RetryPolicy(max_retries=settings.max_retries, max_wait=settings.max_retry_wait)
    return NotionGateway(client, limiter, policy)


def registered_specs(settings: Settings) -> list[ToolSpec]:
    """The tools the server registers: the allowed ones, then their legacy aliases if asked."""
    specs = [SPECS[name] for name in settings.tools]
    if settings.legacy_tools:
        specs += [s for s in alias_specs(settings.tools) if s.visible(settings.read_only)]
    return specs


def build_server(
    settings: Settings,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    base_url: str | None = None,
    gateway_factory: Callable[[], NotionGateway] | None = None,
) -> MCPServer[App]:
    """The server. Tests pass a transport (a mock, or a sandbox they hold) or a gateway factory."""

    def upstream(stack: ExitStack) -> tuple[httpx.AsyncBaseTransport | None, str]:
        if transport is not None:
            return transport, base_url or settings.base_url
        return default_transport(settings, stack)

    live = Live()

    @asynccontextmanager
    async def lifespan(_: MCPServer[App]) -> AsyncIterator[App]:
        with ExitStack() as stack:
            where = upstream(stack)
            gateway = gateway_factory() if gateway_factory is not None else make_gateway(settings, *where)
            app = live.app = App(settings, gateway)
            if settings.http_user_tokens:  # per-request tokens: one gateway per integration
                app.tenants = Tenants(app, lambda token: make_gateway(replace(settings, token=token), *where))
            try:
                yield app
            finally:
                await gateway.aclose()
                if app.tenants is not None:
                    await app.tenants.aclose()

    tools = [_tool(spec, settings) for spec in registered_specs(settings)]
    server = MCPServer(
        "notion-mcp",
        version=__version__,
        title="Notion",
        instructions=INSTRUCTIONS,
        lifespan=lifespan,
        tools=tools,
    )
    register_resources(server, live)
    return server
