"""Streamable HTTP for teams: `notion-mcp serve --http [--host H] [--port N]`.

The rule, and why:
- **Stateless.** Every POST to `/mcp` is answered on its own (no session to pin to a worker), so
  several workers can stand behind one port: `serve --http --workers 4` (`workers.py`), or
  `uvicorn --factory --workers 4 notion_mcp.transport.http:create_app`, which builds one app per
  worker from the environment.
- **Host first (421), then Origin (403), then the key (401).** A browser page can reach a server
  on the user's machine by DNS rebinding: its requests carry the attacker's name in `Host` and its
  own origin in `Origin`, so both must name this server (loopback names, or the hosts listed in
  `NOTION_MCP_HTTP_ALLOWED_HOSTS`). A request without `Origin` (every non-browser client) passes.
- **API keys.** `Authorization: Bearer <key>`, compared with every key in `NOTION_MCP_HTTP_KEYS`
  in constant time. A server that any other machine can reach (an allowed host that is not
  loopback) refuses to start without a key; one reached only through loopback may run open.
- **Per-request Notion token** (`NOTION_MCP_HTTP_USER_TOKENS=true`): a client may send its own
  integration token in `X-Notion-Token`; the call then runs as that integration (its own
  gateway and rate limit). The token is checked for shape here, used only in the Authorization
  header to Notion, and never logged or echoed.
"""

from __future__ import annotations

import hmac
import json
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from notion_mcp.config import Settings, load_settings, token_shape_ok
from notion_mcp.errors import ConfigError
from notion_mcp.listening import listen
from notion_mcp.loopback import is_loopback
from notion_mcp.loopback import split_host as _split_host
from notion_mcp.tenants import USER_TOKEN_HEADER

MCP_PATH = "/mcp"
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


@dataclass(frozen=True)
class Policy:
    """Who may call: the names this server answers to, the browser origins it trusts, the keys."""

    hosts: frozenset[str]  # "name" (any port) or "name:port"
    origins: frozenset[str]  # "scheme://name[:port]", lowercase
    keys: tuple[str, ...]

    def host_ok(self, header: str | None) -> bool:
        name, port = _split_host(header or "")
        if not name:
            return False
        return name in self.hosts or (port is not None and f"{name}:{port}" in self.hosts)

    def origin_ok(self, header: str | None) -> bool:
        if header is None:
            return True  # not a browser: nothing to rebind
        origin = header.strip().lower().rstrip("/")
        if origin in self.origins:
            return True
        parts = urlsplit(origin)
        return parts.scheme in ("http", "https") and self.host_ok(parts.netloc)

    def key_ok(self, authorization: str | None) -> bool:
        if not self.keys:
            return True
        scheme, _, given = (authorization or "").partition(" ")
        if scheme.lower() != "bearer":
            given = ""
        given_bytes = given.strip().encode()
        matched = False
        for key in self.keys:  # every key is compared, so the time says nothing about which
            matched |= hmac.compare_digest(given_bytes, key.encode())
        return matched


def policy_for(settings: Settings, bind_host: str | None = None) -> Policy:
    """The policy from the settings; refuses (ConfigError) a reachable server without a key."""
    hosts = set(settings.http_allowed_hosts)
    if bind_host is not None and bind_host not in ("0.0.0.0", "::", ""):
        hosts.add(bind_host.strip("[]").lower())
    if not hosts or all(is_loopback(_split_host(h)[0] or h) for h in hosts):
        hosts |= LOOPBACK_NAMES
    if bind_host in ("0.0.0.0", "::") and not settings.http_allowed_hosts:
        raise ConfigError(
            f"--host {bind_host} listens on every interface: set NOTION_MCP_HTTP_ALLOWED_HOSTS to the "
            "names clients use to reach this server (checked against the Host header, which stops "
            "DNS rebinding), e.g. NOTION_MCP_HTTP_ALLOWED_HOSTS=mcp.example.com"
        )
    reachable = [h for h in hosts if not is_loopback(_split_host(h)[0] or h)]
    if reachable and not settings.http_keys:
        raise ConfigError(
            f"serving HTTP to other machines ({', '.join(sorted(reachable))}) needs API keys: set "
            "NOTION_MCP_HTTP_KEYS to one or more comma-separated keys (make one with: python -c "
            '"import secrets; print(secrets.token_urlsafe(32))"), or bind to 127.0.0.1'
        )
    return Policy(frozenset(hosts), frozenset(settings.http_allowed_origins), settings.http_keys)


def _refusal(status: int, message: str, headers: Mapping[str, str] | None = None) -> ASGIApp:
    from starlette.responses import Response

    body = json.dumps({"error": message})
    return Response(body, status_code=status, media_type="application/json", headers=dict(headers or {}))


class Guard:
    """ASGI middleware: Host (421), Origin (403), API key (401), then the per-request token's
    shape (401) — before the MCP app sees anything."""

    def __init__(self, app: ASGIApp, policy: Policy, user_tokens: bool) -> None:
        self.app = app
        self.policy = policy
        self.user_tokens = user_tokens

    def refusal(self, headers: Headers) -> ASGIApp | None:
        if not self.policy.host_ok(headers.get("host")):
            return _refusal(421, "Host not allowed: this server answers only to the names it was set up for")
        if not self.policy.origin_ok(headers.get("origin")):
            return _refusal(
                403, "Origin not allowed (NOTION_MCP_HTTP_ALLOWED_ORIGINS lists the allowed ones)"
            )
        if not self.policy.key_ok(headers.get("authorization")):
            return _refusal(
                401,
                "missing or wrong API key: send Authorization: Bearer <one of NOTION_MCP_HTTP_KEYS>",
                {"WWW-Authenticate": 'Bearer realm="notion-mcp"'},
            )
        token = headers.get(USER_TOKEN_HEADER)
        if token is not None and not self.user_tokens:
            return _refusal(400, f"{USER_TOKEN_HEADER} is not accepted: this server uses its own token")
        if token is not None and not token_shape_ok(token):
            return _refusal(401, f"{USER_TOKEN_HEADER} does not look like a Notion integration token")
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (refused := self.refusal(Headers(scope=scope))) is not None:
            await refused(scope, receive, send)
            return
        await self.app(scope, receive, send)


def build_app(settings: Settings, bind_host: str | None = None) -> ASGIApp:
    """The guarded, stateless streamable-HTTP app for `settings` (ConfigError if unsafe)."""
    from mcp.server.transport_security import TransportSecuritySettings

    from notion_mcp.server import build_server

    policy = policy_for(settings, bind_host)
    server = build_server(settings)
    inner = server.streamable_http_app(
        streamable_http_path=MCP_PATH,
        stateless_http=True,
        # the Guard checks Host and Origin for every request, by the rules above
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
    )
    return Guard(inner, policy, settings.http_user_tokens)


def create_app() -> ASGIApp:
    """App factory for `uvicorn --factory notion_mcp.transport.http:create_app` (settings from
    the environment and ./.env, as the CLI reads them)."""
    from notion_mcp.__main__ import environment

    return build_app(load_settings(environment(None)))  # hosts: NOTION_MCP_HTTP_ALLOWED_HOSTS


def serve(
    settings: Settings, host: str, port: int, announce: Callable[[str], None], workers: int = 1
) -> None:
    """Serve until interrupted (in `workers` processes on one port, `workers.py`); `announce(url)`
    is called once the server accepts connections."""
    import uvicorn

    from notion_mcp.transport.workers import check_workers, serve_workers

    check_workers(settings, workers)
    app = build_app(settings, host)  # checked here, so a refusal is one line before any worker starts
    sock = listen(host, port)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{sock.getsockname()[1]}{MCP_PATH}"
    if workers > 1:
        try:
            serve_workers(settings, host, sock, workers, lambda: announce(url))
        finally:
            sock.close()
        return

    class Announcing(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            if self.started:
                announce(url)

    config = uvicorn.Config(app, log_level=settings.log_level.lower(), access_log=False, lifespan="on")
    try:
        Announcing(config).run(sockets=[sock])
    finally:
        sock.close()
