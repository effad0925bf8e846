"""Real Notion responses from the recordings render, and none of their text goes missing."""

from __future__ import annotations

import html
from typing import Any

from notion_mcp.markdown import (
    blocks_to_markdown,
    comments_to_markdown,
    database_to_markdown,
    markdown_to_blocks,
    page_to_markdown,
    property_to_text,
    rows_to_markdown,
    search_results_to_markdown,
    title_of,
    users_to_markdown,
)
from notion_mcp.notion.plan import plain_text

from .recorded import block_lists, objects


def _plain_pieces(block: dict[str, Any]) -> list[str]:
    """Every plain_text in a block (its rich text, captions, cells), and titles and URLs."""
    kind = block["type"]
    value = block.get(kind) or {}
    pieces = []
    for key in ("rich_text", "caption"):
        pieces += [i.get("plain_text", "") for i in value.get(key) or [] if i.get("type") != "mention"]
        pieces += [i["plain_text"] for i in value.get(key) or [] if i.get("type") == "mention" and
                   i["mention"]["type"] in ("page", "database", "user")]  # fmt: skip
    for cell in value.get("cells") or []:
        pieces += [i.get("plain_text", "") for i in cell]
    if "title" in value:
        pieces.append(value["title"])
    if value.get("type") == "external":
        pieces.append(value["external"]["url"])
    return [p for p in pieces if p.strip()]


def _unescaped(markdown: str) -> str:
    out = markdown
    for ch in "\\`*[]<$~|{}^_&#-+=>.":
        out = out.replace("\\" + ch, ch)
    return html.unescape(out.replace("<br>", "\n"))


def test_every_recorded_block_list_renders_and_keeps_all_its_text() -> None:
    lists = block_lists()
    assert len(lists) > 50
    seen_types = set()
    for blocks in lists:
        markdown = blocks_to_markdown(blocks)
        readable = _unescaped(markdown)
        for block in blocks:
            seen_types.add(block["type"])
            for piece in _plain_pieces(block):
                for line in piece.split("\n"):
                    assert line.strip() in readable, (block["type"], line, markdown)
    assert {"paragraph", "table", "column_list", "synced_block", "tab", "callout", "code"} <= seen_types


def test_every_recorded_block_list_renders_with_ids_and_each_id_is_there() -> None:
    for blocks in block_lists():
        markdown = blocks_to_markdown(blocks, block_ids=True)
        for block in blocks:
            if block["type"] not in ("child_page", "child_database"):
                assert block["id"].replace("-", "") in markdown, markdown


def test_recorded_blocks_parse_back_to_their_normal_form_where_writable() -> None:
    from notion_mcp.markdown import normalize_blocks

    checked = 0
    for blocks in block_lists():
        writable = [b for b in blocks if not _hosted_file(b) and not b.get("has_children")]
        markdown = blocks_to_markdown(writable)
        parsed = markdown_to_blocks(markdown)
        assert parsed == normalize_blocks(writable), markdown
        # and independently of normalize_blocks: the recorded types and texts, in order
        assert [(b["type"], plain_text(b)) for b in parsed] == [(b["type"], plain_text(b)) for b in writable]
        checked += len(writable)
    assert checked > 300


def _hosted_file(block: dict[str, Any]) -> bool:
    value = block.get(block["type"]) or {}
    return value.get("type") == "file" or block["type"] in ("unsupported", "link_preview", "table_row")


def test_every_recorded_page_renders_with_its_title_and_properties() -> None:
    pages = objects("page")
    assert len(pages) > 100
    for page in pages:
        if "properties" not in page:
            continue
        text = page_to_markdown(page)
        assert text.startswith("# " + title_of(page).split("\n")[0])
        assert page["id"].replace("-", "") in text
        for name, prop in page["properties"].items():
            if prop.get("type") != "title":
                assert f"- {name}: {property_to_text(prop)}".rstrip() in text


def test_recorded_databases_rows_search_users_and_comments_render() -> None:
    sources = [s for s in objects("data_source") if "properties" in s]
    for database in objects("database"):
        text = database_to_markdown(database, sources[:2])
        assert database["id"].replace("-", "") in text
    pages = [p for p in objects("page") if "properties" in p]
    table = rows_to_markdown(pages[:30])
    assert table.count("\n") == min(30, len(pages)) + 2
    assert "edited" in search_results_to_markdown(pages[:5])
    users = [u for u in objects("user") if u.get("name")]
    assert users[0]["name"] in users_to_markdown(users[:5])
    comments = [c for c in objects("comment") if "rich_text" in c]
    rendered = comments_to_markdown(comments)
    for c in comments:
        assert c["discussion_id"].replace("-", "") in rendered
