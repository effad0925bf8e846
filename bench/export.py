"""Export of a 200-page, 20,000-block workspace at Notion's rate limit, then a no-change re-run.

Run: python bench/export.py [--time-scale N] [--pages 200] [--blocks-per-page 100]

The workspace (built with the rate limit off, in a temporary SQLite file): 10 top-level pages,
each with 19 child pages; every page holds `blocks-per-page` blocks: paragraphs and headings at
the top level plus 4 toggles of 5 paragraphs each. Then the sandbox limits at Notion's rate (3
requests/s; ``--time-scale N`` multiplies it to finish sooner) and `notion-mcp export --all`
runs against it. Printed: requests against the lower bound (one per page, plus one per 100
children of every container: a page or a block with children), wall time against requests ÷
rate, 429s, the requests of a no-change re-run against the first run's, and the peak memory of
the process (max RSS, the sandbox and the setup included). Goals: ≤ 1.1× the bound, ≤ 1.15×
requests ÷ rate, re-run ≤ 5%, < 200 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import resource
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from notion_mcp.backup.export import Exporter
from notion_mcp.config import Settings
from notion_mcp.notion.tree import append_tree
from notion_mcp.sandbox import Sandbox
from notion_mcp.server import make_gateway

Json = dict[str, Any]
NOTION_RATE = 3.0
TOGGLES, TOGGLE_CHILDREN = 4, 5


def text(content: str) -> list[Json]:
    return [{"type": "text", "text": {"content": content}}]


def page_blocks(n: int, per_page: int) -> list[Json]:
    nested = TOGGLES * (1 + TOGGLE_CHILDREN)
    top = [
        {"type": "heading_2", "heading_2": {"rich_text": text(f"Section {i}")}}
        if i % 10 == 0
        else {"type": "paragraph", "paragraph": {"rich_text": text(f"Page {n}, paragraph {i}. " * 3)}}
        for i in range(per_page - nested)
    ]
    toggles = [
        {
            "type": "toggle",
            "toggle": {
                "rich_text": text(f"Toggle {t}"),
                "children": [
                    {"type": "paragraph", "paragraph": {"rich_text": text(f"Inside {t}.{c}")}}
                    for c in range(TOGGLE_CHILDREN)
                ],
            },
        }
        for t in range(TOGGLES)
    ]
    return top + toggles


def lower_bound(pages: int, per_page: int) -> int:
    """One request per page, plus one per 100 children of every container."""
    top = per_page - TOGGLES * TOGGLE_CHILDREN
    return pages * (1 + math.ceil(top / 100) + TOGGLES * math.ceil(TOGGLE_CHILDREN / 100))


async def build(path: str, pages: int, per_page: int, now: Any) -> None:
    with Sandbox(path, seed=False, now=now) as sandbox:
        gateway = make_gateway(
            Settings(sandbox=":memory:", rate_limit=0), sandbox.transport(), Sandbox.base_url
        )

        tops: list[str] = []
        for n in range(pages):
            parent: Json = (
                {"type": "workspace", "workspace": True}
                if n % (pages // 10 or 1) == 0
                else {"type": "page_id", "page_id": tops[-1]}
            )
            made = await gateway.create_page(
                {"parent": parent, "properties": {"title": {"title": text(f"Page {n}")}}}
            )
            if parent["type"] == "workspace":
                tops.append(str(made["id"]))
            await append_tree(gateway, str(made["id"]), page_blocks(n, per_page))
        await gateway.aclose()


async def export(path: str, root: Path, rate: float, now: Any) -> tuple[int, float, int, int]:
    """(requests, wall seconds, 429s, peak bytes) of one export run at `rate`."""
    with Sandbox(path, seed=False, rate_limit=rate, burst=3, now=now) as sandbox:
        settings = Settings(sandbox=":memory:", rate_limit=rate, max_retries=8)
        gateway = make_gateway(settings, sandbox.transport(), Sandbox.base_url)
        started = time.monotonic()
        await Exporter(gateway, root, now=now).run(None)
        wall = time.monotonic() - started
        await gateway.aclose()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        return gateway.usage.requests, wall, gateway.usage.rate_limited, peak


async def main_async(scale: float, pages: int, per_page: int) -> None:
    moment = [datetime(2026, 6, 1, 12, 0, tzinfo=UTC)]

    def now() -> datetime:
        return moment[0]

    rate = NOTION_RATE * scale
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "workspace.sqlite")
        await build(db, pages, per_page, now)
        moment[0] += timedelta(minutes=10)  # the export runs later than the last edit
        requests, wall, limited, peak = await export(db, Path(tmp) / "out", rate, now)
        moment[0] += timedelta(minutes=10)
        again, wall2, _, _ = await export(db, Path(tmp) / "out", rate, now)
    bound = lower_bound(pages, per_page)
    ideal = requests / rate
    print(f"export --all of {pages} pages / {pages * per_page:,} blocks at {rate:g} requests/s")
    print(f"  requests        {requests:>7,}  lower bound {bound:,}  ratio {requests / bound:.3f} (≤ 1.1)")
    print(
        f"  wall            {wall:>7.1f} s  requests ÷ rate {ideal:.1f} s  ratio {wall / ideal:.3f} (≤ 1.15)"
    )
    print(f"  429s            {limited:>7}")
    print(f"  no-change rerun {again:>7}  requests = {again / requests:.1%} of the first run  (goal ≤ 5%), "
          f"{wall2:.1f} s")  # fmt: skip
    print(f"  peak memory     {peak / 1e6:>7.1f} MB (the whole process, sandbox included; goal < 200 MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-scale", type=float, default=1.0, help="multiply the rate by N")
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--blocks-per-page", type=int, default=100)
    args = parser.parse_args()
    asyncio.run(main_async(args.time_scale, args.pages, args.blocks_per_page))


if __name__ == "__main__":
    main()
