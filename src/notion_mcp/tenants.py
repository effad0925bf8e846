"""Per-request Notion tokens (HTTP with NOTION_MCP_HTTP_USER_TOKENS): one App per integration.

Each distinct token gets its own gateway — its own connection pool, rate limiter and cached user
names — because Notion limits and permissions are per integration. Apps are kept under a hash of
the token (the token itself is held only by its client, which sends it in the Authorization
header), at most `limit` of them per process; past that a call is refused rather than an older
integration's gateway being closed under a call in flight.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from notion_mcp.errors import InputError
from notion_mcp.notion.gateway import NotionGateway
from notion_mcp.tools.context import App

USER_TOKEN_HEADER = "x-notion-token"
DEFAULT_LIMIT = 1_000


def token_key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Tenants:
    def __init__(
        self, app: App, new_gateway: Callable[[str], NotionGateway], limit: int = DEFAULT_LIMIT
    ) -> None:
        self.base = app
        self.new_gateway = new_gateway
        self.limit = limit
        self.apps: dict[str, App] = {}

    def app_for(self, token: str | None) -> App:
        """The App that runs a call sent with `token` (the server's own without one)."""
        if not token:
            return self.base
        key = token_key(token.strip())
        found = self.apps.get(key)
        if found is None:
            if len(self.apps) >= self.limit:
                raise InputError(
                    f"this server already serves {self.limit} distinct Notion tokens: ask its "
                    "operator to restart it or raise the limit"
                )
            found = self.apps[key] = App(self.base.settings, self.new_gateway(token.strip()))
        return found

    async def aclose(self) -> None:
        for app in self.apps.values():
            await app.gateway.aclose()
        self.apps.clear()
