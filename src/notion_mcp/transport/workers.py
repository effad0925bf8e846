"""`serve --http --workers N`: N worker processes answering on one port.

The rule, and why: one Python process answers on one core, so a team's server runs several
workers behind one listening socket (bound here, before any worker starts, so `--port 0` can
say which port and a port in use is one line). Each worker builds the same guarded app from the
same settings (`build_app(settings, host)`, passed to it whole, so the flags given on the
command line reach every worker) and has its own gateway; they spend one Notion budget through
the shared rate store (`NOTION_MCP_RATE_STORE=redis://…`, or the default file store on one
machine). The sandbox in process is refused: each worker would hold its own workspace. uvicorn's
supervisor restarts a worker that dies; the start line is printed once every worker answers.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable
from functools import partial

from notion_mcp.config import Settings
from notion_mcp.errors import ConfigError

log = logging.getLogger("notion_mcp")
READY_TIMEOUT = 120.0  # seconds every worker may take to start (a loaded machine is slow)


def check_workers(settings: Settings, workers: int) -> None:
    """ConfigError (one line, what to do) for a worker count or settings that cannot work."""
    if workers < 1:
        raise ConfigError(f"--workers {workers}: expected 1 or more")
    if workers > 1 and settings.uses_sandbox:
        raise ConfigError(
            "--workers with --sandbox would give each worker its own workspace: serve the sandbox "
            "once (notion-mcp sandbox serve) and point NOTION_BASE_URL at it, or use one worker"
        )
    if workers > 1 and settings.window_store == "memory":
        log.warning("NOTION_MCP_RATE_STORE=memory: each of the %d workers spends its own budget", workers)


def serve_workers(
    settings: Settings, host: str, sock: socket.socket, workers: int, announce: Callable[[], None]
) -> None:
    """Run `workers` processes on `sock` until interrupted; `announce()` once all answer."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from notion_mcp.transport.http import build_app

    class Announcing(Multiprocess):
        def init_processes(self) -> None:
            # asks each worker through uvicorn's health-check pipe, which only one thread may use:
            # so here, before the supervisor's loop (a Ctrl-C meanwhile waits for the workers)
            super().init_processes()
            if all(p.wait_until_ready(READY_TIMEOUT, self.should_exit) for p in self.processes):
                announce()

    config = uvicorn.Config(
        partial(build_app, settings, host),
        factory=True,
        workers=workers,
        log_level=settings.log_level.lower(),
        access_log=False,
        lifespan="on",
    )
    Announcing(config, sockets=[sock]).run()
