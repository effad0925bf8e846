"""A sandbox with a clock the test moves, a gateway on it, and the export/import/sync runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from notion_mcp.backup.export import Exporter, Stats
from notion_mcp.config import Settings
from notion_mcp.notion.gateway import NotionGateway
from notion_mcp.sandbox import Sandbox
from notion_mcp.sandbox.seed import SEED_TIME
from notion_mcp.server import make_gateway


@dataclass
class Clock:
    now: datetime = SEED_TIME + timedelta(days=1)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, minutes: float = 5) -> None:
        self.now += timedelta(minutes=minutes)


@dataclass
class Env:
    sandbox: Sandbox
    clock: Clock
    gateway: NotionGateway
    downloads: list[str] = field(default_factory=list)

    async def download(self, url: str) -> bytes:
        self.downloads.append(url)
        return f"bytes of {url}".encode()

    def exporter(self, root: Path, **options: Any) -> Exporter:
        return Exporter(self.gateway, root, download=self.download, now=self.clock, **options)

    async def export(self, root: Path, target: str | None = None) -> Stats:
        self.clock.advance()
        stats = await self.exporter(root).run(target)
        self.clock.advance()
        return stats

    def requests(self) -> int:
        return self.gateway.usage.requests


def new_env(*, seed: bool = True, retries: int = 0) -> Env:
    clock = Clock()
    sandbox = Sandbox(seed=seed, now=clock)
    settings = Settings(sandbox=":memory:", rate_limit=0, max_retries=retries)
    return Env(sandbox, clock, make_gateway(settings, sandbox.transport(), Sandbox.base_url))


def files_of(root: Path) -> dict[str, str]:
    """Every file of an export but the manifest, by relative path."""
    return {
        str(p.relative_to(root)): p.read_text("utf-8")
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".notion-mcp" not in p.parts
    }
