"""Notion-flavored tags → blocks: one maker per tag (`ELEMENTS`), and media blocks."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from markdown_it.token import Token
from markdown_it.tree import SyntaxTreeNode

from ..emoji import is_emoji
from .colors import notion_color
from .errors import MarkdownError
from .ids import NOTION_FILE, dashed, find_id
from .inline_parse import inline_tokens_to_rich_text, markdown_to_rich_text
from .parse_kit import Block, block, line_of
from .rich_text import URL_LIMIT, RichText, plain_text
from .tags import BLOCK_TAGS, Tag, parse_tag

Maker = Callable[[Tag, list[RichText], list[Block], int | None], list[Block]]
_MEDIA = frozenset({"image", "video", "audio", "pdf", "file"})


def inline_element(tokens: list[Token], node: SyntaxTreeNode) -> list[Block] | None:
    """A paragraph that is one block tag with inline content, e.g. `<page url="…">Title</page>`."""
    if len(tokens) < 2 or tokens[0].type != "html_inline" or tokens[-1].type != "html_inline":
        return None
    first, last = parse_tag(tokens[0].content, BLOCK_TAGS), parse_tag(tokens[-1].content, BLOCK_TAGS)
    if (
        first is None
        or last is None
        or first.kind != "open"
        or last.kind != "close"
        or first.name != last.name
    ):
        return None
    line = line_of(node)
    if first.name == "caption":
        raise MarkdownError("<caption> belongs right after the block it describes", line)
    return make_element(first, inline_tokens_to_rich_text(tokens[1:-1], line), [], line)


def make_element(tag: Tag, head: list[RichText], body: list[Block], line: int | None) -> list[Block]:
    maker = ELEMENTS.get(tag.name)
    if maker is None:
        raise MarkdownError(f"<{tag.name}> cannot be used here", line)
    return maker(tag, head, body, line)


def media_block(
    kind: str, url: str, caption: list[RichText], attrs: dict[str, str], line: int | None
) -> Block:
    if not url:
        raise MarkdownError(f'{kind} without a URL: write ![caption](https://…) or src="https://…"', line)
    if len(url) > URL_LIMIT:
        raise MarkdownError(f"{kind} URL is {len(url)} characters; Notion allows {URL_LIMIT}", line)
    if url.startswith(NOTION_FILE):
        raise MarkdownError(
            f"{kind} {url} is a file hosted by Notion; it cannot be attached again from markdown: keep the "
            "existing block (do not re-send it) or use an external https:// URL",
            line,
        )
    if url.startswith("file-upload:"):
        value: dict[str, Any] = {"type": "file_upload", "file_upload": {"id": dashed(url[12:])}}
    else:
        value = {"type": "external", "external": {"url": url}}
    value["caption"] = caption
    if kind == "file" and attrs.get("name"):
        value["name"] = attrs["name"]
    return {"type": kind, kind: value}


def _color(tag: Tag, line: int | None) -> str:
    return notion_color(tag.attrs.get("color", "default"), line)


def _toggle(tag: Tag, head: list[RichText], body: list[Block], line: int | None) -> list[Block]:
    return [block("toggle", {"rich_text": head, "color": _color(tag, line)}, body)]


def _callout(tag: Tag, head: list[RichText], body: list[Block], line: int | None) -> list[Block]:
    icon_text = tag.attrs.get("icon")
    icon: dict[str, Any] | None = None
    if icon_text:
        if icon_text.startswith(("http://", "https://")):
            icon = {"type": "external", "external": {"url": icon_text}}
        elif is_emoji(icon_text):
            icon = {"type": "emoji", "emoji": icon_text}
        else:
            raise MarkdownError(
                f'<callout icon="{icon_text}"> is not an emoji: give one emoji (💡) or an https:// image URL',
                line,
            )
    value: dict[str, Any] = {"rich_text": head, "icon": icon, "color": _color(tag, line)}
    return [block("callout", value, body)]


def _container(kind: str, tag: Tag, head: list[RichText], body: list[Block], line: int | None) -> list[Block]:
    value: dict[str, Any] = {}
    if kind == "column" and "width_ratio" in tag.attrs:
        try:
            value["width_ratio"] = float(tag.attrs["width_ratio"])
        except ValueError:
            raise MarkdownError(
                f'<column width_ratio="{tag.attrs["width_ratio"]}">: give a number such as 0.5', line
            ) from None
    if kind == "template":
        value["rich_text"] = head
    if kind == "synced_block":
        value["synced_from"] = None
    return [block(kind, value, body)]


def _synced_copy(tag: Tag, head: list[RichText], body: list[Block], line: int | None) -> list[Block]:
    found = find_id(tag.attrs.get("url", ""))
    if found is None:
        raise MarkdownError('<synced_block_reference> needs url="…" holding the original block ID', line)
    return [block("synced_block", {"synced_from": {"type": "block_id", "block_id": dashed(found)}})]


def _tab_label(tag: Tag, head: list[RichText], body: list[Block], line: int | None) -> list[Block]:
    items = markdown_to_rich_text(tag.attrs.get("title", ""))
    return [block("paragraph", {"rich_text": items, "color": "default"}, body)]


def _child(kind: str, tag: Tag, head: list[RichText], body: list[Block], line: int | None) -> list[Block]:
    return [block(kind, {"title": plain_text(head)})]


def _link(kind: str, tag: Tag, head: list[RichText], body: list[Block], line: int | None) -> list[Block]:
    found = find_id(tag.attrs.get("url", ""))
    if found is None:
        raise MarkdownError(f'<{tag.name}> needs url="…" holding the {kind} ID', line)
    return [{"type": "link_to_page", "link_to_page": {"type": kind, kind: dashed(found)}}]


def _simple(
    kind: str, tag: Tag, head: list[RichText], body: list[Block], line: int | None, *, colored: bool = False
) -> list[Block]:
    if kind == "paragraph":
        return [block("paragraph", {"rich_text": [], "color": _color(tag, line)}, body)]
    return [{"type": kind, kind: {"color": _color(tag, line)} if colored else {}}]


def _media(kind: str, tag: Tag, head: list[RichText], body: list[Block], line: int | None) -> list[Block]:
    return [media_block(kind, tag.attrs.get("src", ""), head, tag.attrs, line)]


def _bookmark(kind: str, tag: Tag, head: list[RichText], body: list[Block], line: int | None) -> list[Block]:
    url = tag.attrs.get("url", "")
    if not url:
        raise MarkdownError(f'<{kind}> needs url="https://…"', line)
    return [{"type": kind, kind: {"caption": head, "url": url}}]


def _unsupported(tag: Tag, head: list[RichText], body: list[Block], line: int | None) -> list[Block]:
    raise MarkdownError(
        f'<unsupported type="{tag.attrs.get("type", "?")}"> stands for a block the API cannot create: '
        "remove the line (the original block stays where it is)",
        line,
    )


ELEMENTS: dict[str, Maker] = {
    "details": _toggle,
    "callout": _callout,
    "columns": partial(_container, "column_list"),
    "column": partial(_container, "column"),
    "synced_block": partial(_container, "synced_block"),
    "synced_block_reference": _synced_copy,
    "tabs": partial(_container, "tab"),
    "tab": _tab_label,
    "template": partial(_container, "template"),
    "page": partial(_child, "child_page"),
    "database": partial(_child, "child_database"),
    "link-page": partial(_link, "page_id"),
    "link-database": partial(_link, "database_id"),
    "empty-block": partial(_simple, "paragraph"),
    "table_of_contents": partial(_simple, "table_of_contents", colored=True),
    "breadcrumb": partial(_simple, "breadcrumb"),
    "hr": partial(_simple, "divider"),
    "embed": partial(_bookmark, "embed"),
    "bookmark": partial(_bookmark, "bookmark"),
    "unsupported": _unsupported,
    **{kind: partial(_media, kind) for kind in _MEDIA},
}
