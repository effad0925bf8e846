"""Requests per in-place edit (notion_pages update edits) against the bound, on the sandbox.

The bound: the reads that locate the text (one listing per 100 children of the page and of every
block with children) plus one write per changed block (updated, trashed, inserted). Goal: at most
1.2x the bound, and a one-sentence edit on a 300-block page without nested containers in at most
5 requests.

Run: python bench/edits.py   (prints figures; never part of the test pass/fail)
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

from mcp import Client

from notion_mcp.config import Settings
from notion_mcp.sandbox import Sandbox
from notion_mcp.server import build_server

NESTED = """## Summary

The deadline is **March 3**. Owners: Ada.

- First item
  - Nested item
- Second item

<details>
<summary>More details</summary>

Hidden paragraph.

</details>

| Name | Value |
| --- | --- |
| a | 1 |

## Risks

Risk one.

Risk two.

## Decisions

We ship.
"""
FLAT = "\n\n".join(f"Paragraph {i} says something about topic {i}." for i in range(300)) + "\n"

CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("one sentence, 300 flat blocks", FLAT, {"old": "topic 150.", "new": "topic one-fifty."}),
    ("one sentence, nested page", NESTED, {"old": "March 3", "new": "April 4"}),
    ("inside a toggle", NESTED, {"old": "Hidden paragraph.", "new": "Shown paragraph."}),
    ("table cell", NESTED, {"old": "| a | 1 |", "new": "| a | 2 |"}),
    (
        "across three blocks",
        NESTED,
        {"old": "Owners: Ada.\n\n- First item\n  - Nested item", "new": "Owners: Grace.\n\n- Only item"},
    ),
    ("section replace", NESTED, {"heading": "Risks", "new": "Risk one.\n\nRisk three.\n\nRisk four."}),
    ("insert after", NESTED, {"after": "We ship.", "new": "- and celebrate"}),
]


async def measure(name: str, markdown: str, edit: dict[str, Any]) -> tuple[str, int, int]:
    sandbox = Sandbox(seed=False)
    settings = Settings(token=None, sandbox=":memory:", rate_limit=0)
    server = build_server(settings, transport=sandbox.transport(), base_url=Sandbox.base_url)
    try:
        async with Client(server) as client:  # type: ignore[arg-type]
            arguments = {"parent": {"workspace": True}, "title": "Bench", "markdown": markdown}
            made = await client.call_tool("notion_pages", {"operation": "create", **arguments})
            page_id = _first(r"Created page (\S+)", made)
            # the reads that locate the text: the listings of a whole-tree read (a retrieve's count)
            sandbox.reset_counters()
            await client.call_tool("notion_pages", {"operation": "retrieve", "page_id": page_id})
            reads = sandbox.counters["GET /v1/blocks/{id}/children"]
            sandbox.reset_counters()
            result = await client.call_tool(
                "notion_pages", {"operation": "update", "page_id": page_id, "edits": [edit]}
            )
            text = result.content[0].text  # type: ignore[union-attr]
            assert not result.is_error, text
            requests = sandbox.total_requests
    finally:
        sandbox.close()
    changed = sum(int(n) for n in re.findall(r"(\d+) (?:updated|inserted|trashed)", text))
    return name, requests, reads + changed


def _first(pattern: str, result: Any) -> str:
    found = re.search(pattern, result.content[0].text)
    assert found, result.content[0].text
    return found.group(1)


async def main() -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)  # the figures only
    print(f"{'edit':34} {'requests':>8} {'bound':>6} {'ratio':>6}")
    worst = 0.0
    for name, markdown, edit in CASES:
        name, requests, bound = await measure(name, markdown, edit)
        ratio = requests / bound
        worst = max(worst, ratio)
        print(f"{name:34} {requests:8d} {bound:6d} {ratio:6.2f}")
    print(f"worst ratio {worst:.2f} (goal <= 1.2); flat 300-block one-sentence goal <= 5 requests")


if __name__ == "__main__":
    asyncio.run(main())
