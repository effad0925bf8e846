"""notion_pages duplicate, through mcp.Client over the sandbox: which values a copy gets (all
writable ones in the same data source, the title elsewhere), and what it lists as not copied
instead of dropping it silently."""

from __future__ import annotations

import json
import re
import uuid
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


def toggles(depth: int) -> dict[str, Any]:
    """A toggle holding a toggle… `depth` toggles deep, with a paragraph at the bottom."""
    block: dict[str, Any] = {
        "type": "paragraph",
        "paragraph": {"rich_text": [{"text": {"content": "bottom"}}]},
    }
    for level in range(depth):
        text = [{"text": {"content": f"level {level}"}}]
        block = {"type": "toggle", "toggle": {"rich_text": text, "children": [block]}}
    return block


async def new_page(client: Any, title: str, parent: str = SEED.notes_page_id, **arguments: Any) -> str:
    made = await call(client, "notion_pages", operation="create", parent={"page_id": parent}, title=title,
                      **arguments)  # fmt: skip
    return re.findall(r"[0-9a-f]{32}", made)[0]


async def new_database(
    client: Any, title: str, properties: dict[str, Any], parent: str = SEED.notes_page_id
) -> str:
    made = await call(client, "notion_databases", operation="create", parent={"page_id": parent}, title=title,
                      properties=properties)  # fmt: skip
    return re.findall(r"[0-9a-f]{32}", made)[0]


@pytest.mark.parametrize(
    ("limit", "value", "content", "words"),
    [
        ("MAX_BLOCKS", 3, [toggles(0)] * 4, "larger than 3 blocks or deeper than 50 levels"),
        ("MAX_DEPTH", 2, [toggles(2)], "larger than 20000 blocks or deeper than 2 levels"),
    ],
)
async def test_a_page_too_large_or_deep_to_read_whole_is_not_copied_at_all(
    monkeypatch: pytest.MonkeyPatch, limit: str, value: int, content: list[dict[str, Any]], words: str
) -> None:
    monkeypatch.setattr(duplicate, limit, value)
    async with sandbox_client() as (client, sandbox):
        page_id = await new_page(client, "Big", children=content)
        sandbox.reset_counters()
        result = await client.call_tool("notion_pages", {"operation": "duplicate", "page_id": page_id})
    assert result.is_error and text_of(result).endswith(f": Page {page_id} is {words}; nothing was copied.")
    assert sandbox.counters["POST /v1/pages"] == 0


async def test_a_row_keeps_its_links_and_lists_what_a_create_cannot_take(tmp_path: Path) -> None:
    """In its own data source: a computed value is Notion's to fill in; a files value keeps its
    links and lists the files Notion stores; a relation cut at 25 on the page object is listed,
    not copied short; the values after both are copied; a text property named "title" is not
    taken for the title."""
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.4 tiny")
    spec = {"name": "Spec", "type": "external", "external": {"url": "https://example.com/spec.pdf"}}
    refs = {"relation": [{"id": SEED.task_id(n)} for n in range(1, 28)]}
    async with sandbox_client(upload_roots=(str(tmp_path),)) as (client, _):
        database = await new_database(client, "Reports", {
            "Name": {"title": {}}, "Made": {"created_time": {}},
            "Refs": {"relation": {"data_source_id": SEED.tasks_data_source_id}},
            "Files": {"files": {}}, "title": {"rich_text": {}},
        })  # fmt: skip
        files = [{"name": "report.pdf", "external": {"url": "./report.pdf"}}, spec]
        values_given = {"Files": {"files": files}, "title": "a text", "Refs": refs}
        made = await call(client, "notion_pages", operation="create", parent={"database_id": database},
                          title="Q3", properties=values_given)  # fmt: skip
        row = re.findall(r"[0-9a-f]{32}", made)[0]
        original = json.loads(
            await call(client, "notion_pages", operation="retrieve", page_id=row, format="json")
        )
        copy = await duplicated(client, page_id=row)
    assert original["properties"]["Refs"]["has_more"]
    assert list(original["properties"])[1:3] == ["Made", "Refs"]  # values follow both
    assert copy["not_copied"] == [
        "the relation 'Refs': more than the 25 pages a page object lists",
        "the file 'report.pdf' in 'Files', stored by Notion: upload it again",
    ]
    copied = values(copy["page"])
    assert copied.pop("Made") >= original["properties"]["Made"]["created_time"]  # Notion's to fill in
    assert copied == {"Name": "Q3", "Refs": [], "Files": [spec], "title": "a text"}


async def test_a_row_copied_to_another_data_source_gets_only_its_title() -> None:
    async with sandbox_client() as (client, _):
        database = await new_database(client, "Other", {"Title": {"title": {}}, "Note": {"rich_text": {}}})
        other = await call(
            client, "notion_databases", operation="retrieve", database_id=database, format="json"
        )
        source = json.loads(other)["data_sources"][0]["id"]
        row = await call(client, "notion_pages", operation="retrieve", page_id=SEED.task_id(6), format="json")
        copy = await duplicated(client, page_id=SEED.task_id(6), parent={"data_source_id": source})
    assert values(copy["page"]) == {"Title": values(json.loads(row))["Name"], "Note": ""}
    assert copy["page"]["parent"]["data_source_id"] == source and copy["not_copied"] == []


async def test_the_content_after_a_child_page_or_database_is_copied_too() -> None:
    async with sandbox_client() as (client, _):
        page = await new_page(client, "Holder", markdown="Before.")
        child = await new_page(client, "", parent=page)
        base = await new_database(client, "Inside", {"Name": {"title": {}}}, parent=page)
        await call(client, "notion_blocks", operation="append", parent_block_id=page, markdown="After.")
        copy = await duplicated(client, page_id=page)
        read = await call(client, "notion_pages", operation="retrieve", page_id=copy["page"]["id"])
    assert copy["not_copied"] == [
        f"a database inside the page (child_database {base})",
        f"child page 'Untitled' ({child}): child_pages=true copies it",
    ]
    assert copy["blocks_copied"] == 2 and "Before." in read and "After." in read


async def test_child_pages_are_copied_at_every_depth_each_reporting_its_progress() -> None:
    """Three generations: each copy under the copy of its parent, the progress of each page's
    content reported, and the requests counted in the summary are those Notion received."""
    async with sandbox_client() as (client, sandbox):
        top = await new_page(client, "Top", markdown="Top text.")
        child = await new_page(client, "Child", parent=top, markdown="Child text.")
        await new_page(client, "Grandchild", parent=child, markdown="Grandchild text.\n\nMore.")
        seen: list[tuple[float, float | None, str | None]] = []

        async def on_progress(progress: float, total: float | None, message: str | None) -> None:
            seen.append((progress, total, message))

        sandbox.reset_counters()
        arguments = {"operation": "duplicate", "page_id": top, "child_pages": True}
        result = await client.call_tool("notion_pages", arguments, progress_callback=on_progress)
        sent = sandbox.total_requests
    shapes = [
        re.sub(r"[0-9a-f]{32} https://\S+-[0-9a-f]{32}", "ID URL", line)
        for line in text_of(result).split("\n")
    ]
    assert shapes == [
        f"Duplicated as page ID URL: 1 blocks copied ({sent} requests).",
        "  Duplicated as page ID URL: 1 blocks copied (8 requests).",
        "    Duplicated as page ID URL: 2 blocks copied (4 requests).",
    ]
    assert seen == [
        (1, 1, "wrote 1 of 1 blocks"),
        (1, 1, "wrote 1 of 1 blocks"),
        (2, 2, "wrote 2 of 2 blocks"),
    ]


async def test_a_page_inside_a_block_is_copied_with_its_holder_or_alone_under_a_given_parent() -> None:
    """Notion's app can put a page inside a toggle: the holder's copy lists it or, with
    child_pages, copies it from there; copied alone it needs a parent, since a create cannot
    place a page in a block (a parent given was refused too before this test)."""
    async with sandbox_client() as (client, sandbox):
        holder = await new_page(client, "Holder", children=[toggles(1)])
        toggle = sandbox.store.children(str(uuid.UUID(holder)), ("block",))[0]["id"]
        inner = await new_page(client, "Inner", parent=holder, markdown="Inner text.")
        sandbox.store.set_parent(str(uuid.UUID(inner)), toggle)  # as Notion's app can do
        listed = await duplicated(client, page_id=holder)
        deep = await call(client, "notion_pages", operation="duplicate", page_id=holder, child_pages=True)
        sandbox.reset_counters()
        alone = await client.call_tool("notion_pages", {"operation": "duplicate", "page_id": inner})
        creates = sandbox.counters["POST /v1/pages"]
        given = await duplicated(client, page_id=inner, parent={"page_id": SEED.notes_page_id})
    assert listed["not_copied"] == [f"child page 'Inner' ({inner}): child_pages=true copies it"]
    assert listed["blocks_copied"] == 2  # the toggle and its paragraph
    assert re.fullmatch(
        r"Duplicated as page [0-9a-f]{32} \S+Holder\S+: 2 blocks copied \(\d+ requests\)\.\n"
        r"  Duplicated as page [0-9a-f]{32} \S+Inner\S+: 1 blocks copied \(\d+ requests\)\.",
        deep,
    )
    assert alone.is_error and text_of(alone).endswith(
        f": Page {inner} sits inside a block: give parent (a page or database) for the copy."
    )
    assert creates == 0
    assert given["page"]["parent"]["page_id"] == SEED.notes_page_id and given["blocks_copied"] == 1
