"""What the gateway waits on before each request, and tells when Notion answers 429.

Two limits, both optional: even pacing (`TokenBucket`, `NOTION_MCP_RATE_LIMIT` requests per
second, this process only) and then the window budget (`WindowLimiter`, shared by every process
using the token). Pacing comes first so that the window's slot is taken right before the request
leaves. A 429 (or 529) pauses both: every caller of this process through the bucket, every
caller of every process through the window's store.
"""

from __future__ import annotations

from notion_mcp.notion.ratelimit import TokenBucket
from notion_mcp.notion.window import Ticket, WindowLimiter


class Limiter:
    def __init__(self, window: WindowLimiter | None = None, pacing: TokenBucket | None = None) -> None:
        self.window = window
        self.pacing = pacing or TokenBucket(None)

    async def acquire(self) -> Ticket | None:
        """Wait until a request may go; its ticket goes to `answered` or `refused`."""
        await self.pacing.acquire()
        return await self.window.acquire() if self.window else None

    async def answered(self, ticket: Ticket | None) -> None:
        if ticket is not None:  # (only the window gives tickets)
            assert self.window is not None
            await self.window.answered(ticket)

    def release(self, ticket: Ticket | None) -> None:
        """The request is over, however it ended (answered, refused, failed, cancelled)."""
        if ticket is not None:  # (only the window gives tickets)
            assert self.window is not None
            self.window.release(ticket)

    async def refused(self, ticket: Ticket | None, retry_after: float, reason: str | None) -> None:
        self.pacing.pause(retry_after)
        if ticket is not None:  # (only the window gives tickets)
            assert self.window is not None
            await self.window.refused(ticket, retry_after, reason)

    async def aclose(self) -> None:
        if self.window:
            await self.window.aclose()
