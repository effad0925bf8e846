"""notion_pages duplicate, through mcp.Client over the sandbox: which values a copy gets (all
writable ones in the same data source, the title elsewhere), and what it lists as not copied
instead of dropping it silently."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from sandbox_client import call, sandbox_client, text_of

from notion_mcp.notion import duplicate
from notion_mcp.sandbox import SEED

pytestmark = pytest.mark.anyio
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))


def values(page: dict[str, Any]) -> dict[str, Any]:
    """A page's property values as a reader compares them (no IDs, no computed values)."""
    out: dict[str, Any] = {}
    for name, prop in page["properties"].items():
        kind = prop["type"]
        value = prop[kind]
        if kind in ("title", "rich_text"):
            value = "".join(t["plain_text"] for t in value)
        elif kind in ("select", "status"):
            value = value and value["name"]
        elif kind == "multi_select":
            value = sorted(v["name"] for v in value)
        elif kind in ("people", "relation"):
            value = sorted(v["id"].replace("-", "") for v in value)
        out[name] = value
    return out


async def duplicated(client: Any, **arguments: Any) -> dict[str, Any]:
    answer: dict[str, Any] = json.loads(
        await call(client, "notion_pages", operation="duplicate", format="json", **arguments)
    )
    return answer


async def test_a_row_copied_in_its_data_source_keeps_every_value_and_elsewhere_only_its_title() -> None:
    row = SEED.task_id(6)  # a row with a relation, people, tags, a date…
    async with sandbox_client() as (client, _):
        original = json.loads(
            await call(client, "notion_pages", operation="retrieve", page_id=row, format="json")
        )
        same = await duplicated(client, page_id=row)
        renamed = await duplicated(client, page_id=row, title="Renamed copy")
        elsewhere = await duplicated(client, page_id=row, parent={"page_id": SEED.notes_page_id})
    mine = values(original.get("page", original))
    assert mine["Blocked by"] and mine["Assignee"] and mine["Tags"]
    assert values(same["page"]) == mine
    assert same["page"]["parent"]["data_source_id"] == SEED.tasks_data_source_id
    assert values(renamed["page"]) == {**mine, "Name": "Renamed copy"}
    assert values(elsewhere["page"]) == {"title": mine["Name"]}
    assert elsewhere["page"]["parent"] == {"type": "page_id", "page_id": SEED.notes_page_id}
    assert same["not_copied"] == [] == elsewhere["not_copied"]


async def test_what_the_api_cannot_create_is_listed_and_the_rest_copied(tmp_path: Path) -> None:
    (tmp_path / "pic.png").write_bytes(PNG)
    async with sandbox_client(upload_roots=(str(tmp_path),)) as (client, _):
        made = await call(client, "notion_pages", operation="create", parent={"workspace": True}, title="Doc",
                          icon="./pic.png", cover="https://example.com/cover.png",
                          markdown="Before.\n\n![Pic](./pic.png)\n\n![Web](https://example.com/web.png)\n\n"
                          "- outer\n\n  ![Inner](./pic.png)\n\nAfter.")  # fmt: skip
        page_id = re.findall(r"[0-9a-f]{32}", made)[0]
        await call(client, "notion_databases", operation="create", parent={"page_id": page_id},
                   title="Inside", properties={"Name": {"title": {}}})  # fmt: skip
        copy = await duplicated(client, page_id=page_id, parent={"page_id": SEED.notes_page_id})
        summary = await call(client, "notion_pages", operation="duplicate", page_id=page_id)
        read = await call(client, "notion_pages", operation="retrieve", page_id=copy["page"]["id"])
    notes = copy["not_copied"]
    assert notes[0] == "the icon, a file stored by Notion: upload it again"
    assert re.fullmatch(r"a image stored by Notion \(image [0-9a-f]{32}\): upload the file again", notes[1])
    assert notes[2].startswith("a image stored by Notion") and notes[2] != notes[1]  # the nested one
    assert re.fullmatch(r"a database inside the page \(child_database [0-9a-f]{32}\)", notes[3])
    assert len(notes) == 4
    assert copy["page"]["icon"] is None and copy["page"]["cover"]["external"]["url"].endswith("cover.png")
    assert "Before." in read and "![Web](https://example.com/web.png)" in read and "After." in read
    assert "- outer" in read and "Pic" not in read
    assert copy["blocks_copied"] == 4  # two paragraphs, the web image, the list item (nothing under it)
    assert summary.count("- not copied: ") == 4 and re.search(r": 4 blocks copied \(\d+ requests\)", summary)


async def test_a_page_too_large_to_read_whole_is_not_copied_at_all(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(duplicate, "MAX_BLOCKS", 3)
    async with sandbox_client() as (client, sandbox):
        made = await call(client, "notion_pages", operation="create", parent={"workspace": True}, title="Big",
                          markdown="one\n\ntwo\n\nthree\n\nfour")  # fmt: skip
        page_id = re.findall(r"[0-9a-f]{32}", made)[0]
        sandbox.reset_counters()
        result = await client.call_tool("notion_pages", {"operation": "duplicate", "page_id": page_id})
    assert (
        result.is_error
        and "larger than 3 blocks" in text_of(result)
        and "nothing was copied" in text_of(result)
    )
    assert sandbox.counters["POST /v1/pages"] == 0
