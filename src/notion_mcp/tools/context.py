"""What a handler gets: the process-wide app state and this one call's progress channel."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from notion_mcp.config import Settings
from notion_mcp.notion.gateway import NotionGateway

if TYPE_CHECKING:
    from notion_mcp.tenants import Tenants

Progress = Callable[[float, float | None, str | None], Awaitable[None]]


async def no_progress(done: float, total: float | None, message: str | None) -> None:
    return None


@dataclass
class App:
    """Lives as long as the server process (the lifespan owns it)."""

    settings: Settings
    gateway: NotionGateway
    user_names: dict[str, str | None] = field(default_factory=dict)  # user ID → name (None: unknown)
    tenants: Tenants | None = None  # HTTP with per-request Notion tokens: the App for each token


@dataclass(frozen=True)
class Call:
    """One tool call."""

    app: App
    progress: Progress = no_progress

    @property
    def gateway(self) -> NotionGateway:
        return self.app.gateway

    @property
    def settings(self) -> Settings:
        return self.app.settings
