"""What a long run shows while it works: one line redrawn on a terminal, plain lines otherwise.

On a terminal the line is redrawn in place (pages, blocks, files, requests, rate waits), at
most every `interval` seconds; not on a terminal (a log, CI) each finished page is one line;
`quiet` shows nothing until the summary.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

from notion_mcp.notion.usage import Usage


@dataclass
class Progress:
    out: TextIO
    usage: Usage
    quiet: bool = False
    interval: float = 0.2
    clock: Callable[[], float] = time.monotonic
    _last: float = field(default=-1e9, init=False)
    _drawn: bool = field(default=False, init=False)

    @property
    def terminal(self) -> bool:
        return bool(getattr(self.out, "isatty", lambda: False)())

    def line(self, stats: Any) -> str:
        return (
            f"pages {stats.pages_read} read, {stats.pages_unchanged} unchanged · blocks {stats.blocks} · "
            f"files {stats.files} · requests {self.usage.requests} · waited {self.usage.waited:.1f} s"
        )

    def __call__(self, stats: Any, what: str) -> None:
        if self.quiet:
            return
        if not self.terminal:
            print(f"{what}", file=self.out, flush=True)
            return
        now = self.clock()
        if now - self._last >= self.interval:
            self._last = now
            print(f"\r\x1b[K{self.line(stats)}", end="", file=self.out, flush=True)
            self._drawn = True

    def done(self) -> None:
        if self._drawn:
            print(file=self.out, flush=True)
