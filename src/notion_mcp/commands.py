"""Subcommands a person runs: `notion-mcp check | export | import | sync …` (the table `COMMANDS`).

Each takes the server's connection flags (`--sandbox [PATH]`, `--env-file`, `--notion-version`,
`--base-url`, `--rate-limit`), builds one gateway like the server does, and returns the exit code:
0 done, 1 the work found a problem (said in one line on stderr), 2 bad usage or configuration.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from typing import TextIO

import httpx

from notion_mcp.config import MEMORY, Settings
from notion_mcp.errors import ConfigError, NotionMCPError
from notion_mcp.notion.gateway import NotionGateway


@dataclass
class Io:
    """Where a command writes, and (tests) what it talks to instead of Notion."""

    out: TextIO
    err: TextIO
    env: dict[str, str] | None = None
    transport: httpx.AsyncBaseTransport | None = None
    base_url: str | None = None


Runner = Callable[[argparse.Namespace, Settings, NotionGateway, Io], Awaitable[int]]


def _connection_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--sandbox", nargs="?", const=MEMORY, metavar="PATH", help="use the local sandbox")
    p.add_argument("--env-file", help="read settings from this file (default .env, if there is one)")
    p.add_argument("--rate-limit", metavar="N", help="requests per second (default 3)")
    p.add_argument("--notion-version", help="Notion-Version header")
    p.add_argument("--base-url", help="API base URL")
    p.set_defaults(read_only=None, tools=None, log_level=None)


async def _check(ns: argparse.Namespace, settings: Settings, gateway: NotionGateway, io: Io) -> int:
    from notion_mcp.notion.health import Where, check_health

    where = Where(io.base_url or settings.base_url, settings.notion_version)
    health = await check_health(gateway, where)
    for line in health.lines:
        print(line, file=io.out)
    if health.problem is not None:
        print(f"notion-mcp check: {health.problem}", file=io.err)
        return 1
    print("OK", file=io.out)
    return 0


def _check_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="notion-mcp check",
        description="Check the token, the Notion-Version, what the integration can see, and latency.",
    )
    _connection_flags(p)
    return p


def _export_parser() -> argparse.ArgumentParser:
    from notion_mcp.backup.cli import export_parser

    return export_parser(_connection_flags)


async def _export(ns: argparse.Namespace, settings: Settings, gateway: NotionGateway, io: Io) -> int:
    from notion_mcp.backup.cli import run_export

    return await run_export(ns, gateway, io.out, io.err)


def _import_parser() -> argparse.ArgumentParser:
    from notion_mcp.backup.cli import import_parser

    return import_parser(_connection_flags)


async def _import(ns: argparse.Namespace, settings: Settings, gateway: NotionGateway, io: Io) -> int:
    from notion_mcp.backup.cli import run_import

    return await run_import(ns, gateway, io.out, io.err, upload_max_mb=settings.upload_max_mb)


def _sync_parser() -> argparse.ArgumentParser:
    from notion_mcp.backup.cli import sync_parser

    return sync_parser(_connection_flags)


async def _sync(ns: argparse.Namespace, settings: Settings, gateway: NotionGateway, io: Io) -> int:
    from notion_mcp.backup.cli import run_sync

    return await run_sync(ns, gateway, io.out, io.err)


# name -> (its parser, what it does)
COMMANDS: dict[str, tuple[Callable[[], argparse.ArgumentParser], Runner]] = {
    "check": (_check_parser, _check),
    "export": (_export_parser, _export),
    "import": (_import_parser, _import),
    "sync": (_sync_parser, _sync),
}


def _settings(ns: argparse.Namespace, io: Io) -> Settings:
    from notion_mcp.__main__ import environment, settings_from_args

    env = io.env if io.env is not None else environment(ns.env_file)
    return settings_from_args(ns, env)


async def _run(runner: Runner, ns: argparse.Namespace, settings: Settings, io: Io) -> int:
    from notion_mcp.server import default_transport, make_gateway

    with ExitStack() as stack:
        if io.transport is not None:
            gateway = make_gateway(settings, io.transport, io.base_url or settings.base_url)
        else:
            gateway = make_gateway(settings, *default_transport(settings, stack))
        try:
            return await runner(ns, settings, gateway, io)
        finally:
            await gateway.aclose()


def run(argv: Sequence[str], io: Io | None = None) -> int:
    """`argv` starts with the command's name."""
    io = io or Io(sys.stdout, sys.stderr)
    name, rest = argv[0], list(argv[1:])
    parser, runner = COMMANDS[name]
    ns = parser().parse_args(rest)
    try:
        settings = _settings(ns, io)
        if settings.sandbox not in (None, MEMORY):
            from notion_mcp.sandbox import check_workspace

            check_workspace(settings.sandbox)
    except (ConfigError, ValueError) as exc:
        print(f"notion-mcp {name}: {exc}", file=io.err)
        return 2
    try:
        return asyncio.run(_run(runner, ns, settings, io))
    except NotionMCPError as exc:
        print(f"notion-mcp {name}: {exc}", file=io.err)
        return 1
