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


def import_parser(connection: AddFlags) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="notion-mcp import",
        description="Recreate an export (or any folder of markdown files) under the page PARENT.",
    )
    p.add_argument("dir", help="the folder to import")
    p.add_argument("parent", help="ID or URL of the page to put it under")
    p.add_argument(
        "--files-url",
        help="link the folder's files at this URL (where they are served) instead of uploading them",
    )
    p.add_argument("--quiet", action="store_true", help="no progress, only the summary")
    connection(p)
    return p


async def run_import(
    ns: argparse.Namespace, gateway: NotionGateway, out: Any, err: Any, *, upload_max_mb: int = 5_120
) -> int:
    from notion_mcp.backup.restore import Importer

    before = gateway.usage.snapshot()

    def event(stats: Any, what: str) -> None:
        if not ns.quiet:
            print(what, file=out, flush=True)

    importer = Importer(
        gateway, Path(ns.dir), ns.parent, files_url=ns.files_url, upload_max_mb=upload_max_mb, on_event=event
    )
    stats = await importer.run()
    print(
        f"imported {stats.pages} pages, {stats.databases} databases ({stats.rows} rows), {stats.blocks} "
        f"blocks, {importer.files.uploaded} files uploaded; {stats.skipped} already there; "
        f"{gateway.usage.since(before).summary()}",
        file=out,
    )
    for note in stats.notes:
        print(f"notion-mcp import: {note}", file=err)
    for left in stats.files_left_out:
        print(f"notion-mcp import: line left out: {left}", file=err)
    return 0


def sync_parser(connection: AddFlags) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="notion-mcp sync",
        description="Two-way sync of DIR with the page or database TARGET: local edits go to Notion "
        "as the smallest changes, Notion's changes come back; both changed → Title.conflict.md, exit 1.",
    )
    p.add_argument("dir", help="the synced folder")
    p.add_argument("target", nargs="?", help="page or database ID or URL (omit with --all)")
    p.add_argument("--all", action="store_true", help="everything the integration can see")
    p.add_argument("--dry-run", action="store_true", help="say what would happen, change nothing")
    p.add_argument(
        "--key",
        metavar="COLUMN",
        help="rows.csv: a line without _id is the row with its value in COLUMN (else a new row)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress, only the summary")
    connection(p)
    return p


async def run_sync(ns: argparse.Namespace, gateway: NotionGateway, out: Any, err: Any) -> int:
    from notion_mcp.backup.layout import ROWS_FILE
    from notion_mcp.backup.rows import CONFLICT_FILE
    from notion_mcp.backup.sync import Syncer

    if ns.all == (ns.target is not None):
        print("notion-mcp sync: give TARGET or --all (not both)", file=err)
        return 2
    before = gateway.usage.snapshot()
    progress = Progress(out, gateway.usage, quiet=ns.quiet or ns.dry_run)
    syncer = Syncer(gateway, Path(ns.dir), ns.target, dry_run=ns.dry_run, on_event=progress, key=ns.key)
    try:
        report = await syncer.run()
    finally:
        progress.done()
    for line in report.planned:
        print(("would " if ns.dry_run else "") + line, file=out)
    pulled = report.pulled
    read = f"{pulled.pages_read} pages read from Notion, {pulled.removed} set aside; " if pulled else ""
    print(
        f"synced: {report.pushed} pages pushed, {read}{len(report.conflicts)} conflicts; "
        f"{gateway.usage.since(before).summary()}",
        file=out,
    )
    for note in report.notes:
        print(f"notion-mcp sync: {note}", file=err)
    for conflict in report.conflicts:
        beside = CONFLICT_FILE if conflict.endswith("/" + ROWS_FILE) else ".conflict.md"
        print(
            f"notion-mcp sync: conflict: {conflict} changed here and in Notion; Notion's version is "
            f"beside it ({beside}): merge, then delete the {beside} and sync again",
            file=err,
        )
    return 0 if report.ok else 1
