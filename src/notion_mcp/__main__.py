"""Command line: `notion-mcp [--sandbox [PATH]] [flags]` serves MCP over stdio;
`notion-mcp serve --http [--host H] [--port N] [flags]` serves it over streamable HTTP;
`notion-mcp sandbox serve [--port N] [PATH]` serves the sandbox workspace over HTTP;
`notion-mcp check | export | import | sync …` are the subcommands of `commands.py`."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from dotenv import dotenv_values

from notion_mcp import __version__
from notion_mcp.commands import COMMANDS
from notion_mcp.commands import run as run_command
from notion_mcp.config import MEMORY, TOOL_NAMES, Settings, load_settings
from notion_mcp.errors import ConfigError
from notion_mcp.wording import counted


def _server_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="notion-mcp",
        description="MCP server for Notion (stdio). Also: notion-mcp sandbox serve --port N [PATH]; "
        "notion-mcp check | export | import | sync (each with --help)",
    )
    p.add_argument("--version", action="version", version=f"notion-mcp {__version__}")
    p.add_argument(
        "--sandbox",
        nargs="?",
        const=MEMORY,
        metavar="PATH",
        help="serve the local sandbox workspace (in memory, or kept in the SQLite file PATH); "
        "'auto' uses it only when no NOTION_TOKEN is set",
    )
    p.add_argument("--env-file", help="read settings from this file (default .env, if there is one)")
    p.add_argument("--read-only", action="store_true", default=None, help="refuse write operations")
    p.add_argument("--tools", help=f"comma-separated allow-list of: {', '.join(TOOL_NAMES)}")
    p.add_argument(
        "--rate-limit", metavar="N", help="even pacing: requests per second, 0 for none (the default)"
    )
    p.add_argument("--notion-version", help="Notion-Version header (default 2026-03-11)")
    p.add_argument("--base-url", help="API base URL (default https://api.notion.com)")
    p.add_argument("--log-level", help="DEBUG, INFO, WARNING (default), ERROR")
    return p


def _serve_parser() -> argparse.ArgumentParser:
    p = _server_parser()
    p.prog = "notion-mcp serve"
    p.description = "MCP server for Notion over stdio, or with --http over streamable HTTP at /mcp"
    p.add_argument("--http", action="store_true", help="serve streamable HTTP (stateless) instead of stdio")
    p.add_argument("--host", help="with --http: address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, help="with --http: port (default 8000; 0: any free one)")
    p.add_argument("--workers", type=int, help="with --http: worker processes on the port (default 1)")
    return p


def _sandbox_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="notion-mcp sandbox serve", description="Serve the sandbox over HTTP")
    p.add_argument("path", nargs="?", help="SQLite file for the workspace (in memory without one)")
    p.add_argument("--port", type=int, default=8765, help="0: any free port (the one chosen is printed)")
    p.add_argument("--host", default="127.0.0.1", help="loopback only")
    limits = p.add_argument_group("Notion's window model of rate limits (off unless a budget is given)")
    limits.add_argument("--budget", type=int, metavar="N", help="requests per window per token")
    limits.add_argument("--window", type=float, default=60.0, metavar="S", help="window length (default 60)")
    limits.add_argument("--workspace-budget", type=int, metavar="N", help="requests per window, all tokens")
    limits.add_argument("--workspace-window", type=float, default=60.0, metavar="S", help="(default 60)")
    return p


def environment(env_file: str | None) -> dict[str, str]:
    """The process environment over the env file's values (the environment wins). The default
    `.env` may be absent; a file named with --env-file must be there."""
    if env_file is not None and not os.path.isfile(env_file):
        raise ConfigError(f"--env-file {env_file}: no such file (give the path of your .env file)")
    path = ".env" if env_file is None else env_file
    file_values = (
        {k: v for k, v in dotenv_values(path).items() if v is not None} if os.path.isfile(path) else {}
    )
    return {**file_values, **os.environ}


# flag -> the setting it gives; its text is parsed and range-checked as the variable's would be
FLAGS = {
    "--rate-limit": "rate_limit",
    "--notion-version": "notion_version",
    "--base-url": "base_url",
    "--tools": "tools",
    "--log-level": "log_level",
}


def settings_from_args(ns: argparse.Namespace, env: dict[str, str]) -> Settings:
    flags = {
        name: (flag, raw)
        for flag, name in FLAGS.items()
        if (raw := getattr(ns, flag[2:].replace("-", "_"))) is not None
    }
    if ns.sandbox is not None:  # the flag stands for the variable (`auto` included)
        env = {**env, "NOTION_MCP_SANDBOX": ns.sandbox}
    return load_settings(env, {"read_only": ns.read_only}, flags)


def _describe(settings: Settings, registered: int, over: str = "stdio") -> str:
    aliases = registered - len(settings.tools)
    tools = counted(registered, "tool") + (
        f" ({len(settings.tools)} + {aliases} legacy aliases)" if aliases else ""
    )
    tools += " (read-only)" if settings.read_only else ""
    if settings.sandbox == MEMORY:
        where = "the sandbox workspace (in memory; pass --sandbox PATH to keep it)"
    elif settings.sandbox:
        where = f"the sandbox workspace in {settings.sandbox}"
    else:
        where = f"Notion at {settings.base_url} (Notion-Version {settings.notion_version})"
    return f"notion-mcp {__version__}: serving {tools} over {over} on {where}; waiting for an MCP client."


SANDBOX_USAGE = "notion-mcp sandbox serve [--port N] [PATH]"


def serve_sandbox(argv: Sequence[str]) -> int:
    ns = _sandbox_parser().parse_args(argv)
    from notion_mcp.sandbox import serve

    try:
        limits = {
            "window_budget": ns.budget,
            "window_seconds": ns.window,
            "workspace_budget": ns.workspace_budget,
            "workspace_seconds": ns.workspace_window,
        }
        serve(ns.path, host=ns.host, port=ns.port, limits=limits)
    except ValueError as exc:
        print(f"notion-mcp: {exc}", file=sys.stderr)
        return 2
    return 0


def _main(argv: Sequence[str] | None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] and args[0] in COMMANDS:
        return run_command(args)
    if args[:2] == ["sandbox", "serve"]:
        return serve_sandbox(args[2:])
    if args[:1] == ["sandbox"]:
        if args[1:] in (["-h"], ["--help"]):
            _sandbox_parser().print_help()
            return 0
        said = f" (not {args[1]!r})" if args[1:] else ""
        print(
            f"notion-mcp sandbox: say `serve`{said} — {SANDBOX_USAGE}; "
            "or notion-mcp --sandbox [PATH] for the MCP server on the sandbox",
            file=sys.stderr,
        )
        return 2
    if args[:1] == ["serve"]:
        return serve(_serve_parser().parse_args(args[1:]))
    return serve(_server_parser().parse_args(args))


def serve(ns: argparse.Namespace) -> int:
    """The MCP server over stdio, or over streamable HTTP with --http; bad settings: exit 2."""
    http = bool(getattr(ns, "http", False))
    try:
        if not http and any(getattr(ns, f, None) is not None for f in ("host", "port", "workers")):
            raise ConfigError("--host, --port and --workers go with --http (over stdio there is no address)")
        settings = settings_from_args(ns, environment(ns.env_file))
        if settings.sandbox not in (None, MEMORY):
            from notion_mcp.sandbox import check_workspace

            check_workspace(settings.sandbox)
    except (ConfigError, ValueError) as exc:
        print(f"notion-mcp: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(
        stream=sys.stderr, level=settings.log_level, format="%(levelname)s %(name)s: %(message)s"
    )
    from notion_mcp.server import build_server, registered_specs

    count = len(registered_specs(settings))
    if http:
        from notion_mcp.transport import http as streamable

        def announce(url: str) -> None:
            print(_describe(settings, count, f"streamable HTTP at {url}"), file=sys.stderr, flush=True)

        try:
            port = 8000 if ns.port is None else ns.port
            workers = 1 if ns.workers is None else ns.workers
            streamable.serve(settings, ns.host or "127.0.0.1", port, announce, workers)
        except (ConfigError, ValueError) as exc:
            print(f"notion-mcp: {exc}", file=sys.stderr)
            return 2
        return 0
    server = build_server(settings)
    print(_describe(settings, count), file=sys.stderr, flush=True)
    server.run()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Every command; Ctrl-C ends any of them quietly (exit 130, the shell's code for SIGINT)."""
    try:
        return _main(argv)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
