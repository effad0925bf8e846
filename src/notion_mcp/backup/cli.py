"""`notion-mcp export TARGET DIR` and `notion-mcp import DIR PARENT`: parsers and runners.

Registered in `notion_mcp.commands.COMMANDS`; each prints a summary with the usage it cost.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from notion_mcp.backup.progress import Progress
from notion_mcp.notion.gateway import NotionGateway

AddFlags = Callable[[argparse.ArgumentParser], None]


def export_parser(connection: AddFlags) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="notion-mcp export",
        description="Back up a page or database (with everything under it), or --all, into DIR as "
        "markdown files, _schema.yaml and rows.csv; a second run re-reads only what changed.",
    )
    p.add_argument("target", nargs="?", help="page or database ID or URL (omit with --all)")
    p.add_argument("dir", help="the export folder (created if needed)")
    p.add_argument("--all", action="store_true", help="everything the integration can see")
    p.add_argument("--quiet", action="store_true", help="no progress, only the summary")
    connection(p)
    return p


def _summary(verb: str, stats: Any, gateway: NotionGateway, before: Any) -> str:
    return f"{verb}: {stats}; {gateway.usage.since(before).summary()}"


async def run_export(ns: argparse.Namespace, gateway: NotionGateway, out: Any, err: Any) -> int:
    from notion_mcp.backup.export import Exporter

    if ns.all == (ns.target is not None):
        print("notion-mcp export: give TARGET or --all (not both)", file=err)
        return 2
    before = gateway.usage.snapshot()
    progress = Progress(out, gateway.usage, quiet=ns.quiet)
    exporter = Exporter(gateway, Path(ns.dir), on_event=progress)
    try:
        stats = await exporter.run(ns.target)
    finally:
        progress.done()
    print(
        f"exported {stats.pages_read} pages read, {stats.pages_unchanged} unchanged, "
        f"{stats.databases} databases ({stats.rows} rows), {stats.blocks} blocks, {stats.files} files, "
        f"{stats.removed} set aside; {gateway.usage.since(before).summary()}",
        file=out,
    )
    for failed in stats.failed_files:
        print(f"notion-mcp export: file not downloaded: {failed}", file=err)
    return 1 if stats.failed_files else 0
