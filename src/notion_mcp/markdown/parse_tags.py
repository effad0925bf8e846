"""The Notion-flavored tags in markdown: an event stream of tags and markdown nodes, built into blocks.

html_block tokens are split by the tag tokenizer into tag events; other nodes pass through as they
are. `<tag>` … `</tag>` encloses markdown nodes that become the block's children; text right after
an opening tag (same html_block) is the block's own rich text; `<summary>`/`<caption>` hold text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from markdown_it.token import Token
from markdown_it.tree import SyntaxTreeNode

from ..emoji import is_emoji
from . import parse
from .colors import notion_color
from .errors import MarkdownError
from .ids import NOTION_FILE, dashed, find_id
from .inline_parse import inline_tokens_to_rich_text, markdown_to_rich_text
from .rich_text import URL_LIMIT, RichText, plain_text
from .tags import BLOCK_TAGS, INLINE_TAGS, Tag, drop_comments, parse_tag, tokenize

Block = dict[str, Any]
Maker = Callable[[Tag, list[RichText], list[Block], int | None], list[Block]]
_CONTAINERS = frozenset(
    {
        "details",
        "callout",
        "columns",
        "column",
        "synced_block",
        "synced_block_reference",
        "tabs",
        "tab",
        "template",
    }
)
_MEDIA = frozenset({"image", "video", "audio", "pdf", "file"})
# containers without text of their own: text right after the opening tag is content
_NO_OWN_TEXT = frozenset({"columns", "column", "tabs", "tab", "synced_block", "synced_block_reference"})


@dataclass
class Event:
    item: Tag | str | SyntaxTreeNode
    line: int | None
    source: int  # index of the node the event came from


def convert_nodes(nodes: list[SyntaxTreeNode]) -> list[Block]:
    """Sibling nodes → blocks, with the tags among them."""
    events: list[Event] = []
    for n, node in enumerate(nodes):
        if node.type == "html_block" and not is_inline_html(node):
            content = node.content
            if content.lstrip().startswith("<!--"):  # a comment block (CommonMark's HTML block 2)
                content = drop_comments(content, parse.line_of(node))
            events += [Event(x, parse.line_of(node), n) for x in tokenize(content)]
        elif (raw := _underscore_tag(node)) is not None:
            events += [Event(x, parse.line_of(node), n) for x in tokenize(raw)]
        else:
            events.append(Event(node, parse.line_of(node), n))
    blocks, _ = _Builder(events).build(0, None)
    return blocks


def _underscore_tag(node: SyntaxTreeNode) -> str | None:
    """A paragraph that is really one of our tags whose name CommonMark does not see as HTML
    (an underscore in the name: `<table_of_contents/>`, `<synced_block>`)."""
    if node.type != "paragraph" or not node.children:
        return None
    content = node.children[0].content
    if not content.startswith("<") or "_" not in content.split(">", 1)[0]:
        return None
    first = tokenize(content)
    return content if first and isinstance(first[0], Tag) else None


def is_inline_html(node: SyntaxTreeNode) -> bool:
    """An html_block that is really a paragraph (a lone mention, span or `<br>`)."""
    first = tokenize(node.content, BLOCK_TAGS | INLINE_TAGS)
    return bool(first) and isinstance(first[0], Tag) and first[0].name in INLINE_TAGS


def empty_block_attrs(node: SyntaxTreeNode) -> dict[str, str] | None:
    """The attributes of a line that is `<empty-block …/>`, or None."""
    if node.type != "html_block" or (tag := parse_tag(node.content)) is None or tag.name != "empty-block":
        return None
    return tag.attrs


class _Builder:
    def __init__(self, events: list[Event]) -> None:
        self.events = events
        self.table_attrs: dict[str, str] = {}

    def build(self, pos: int, until: Event | None) -> tuple[list[Block], int]:
        out: list[Block] = []
        while pos < len(self.events):
            ev = self.events[pos]
            item = ev.item
            if isinstance(item, SyntaxTreeNode):
                out += self.node(item)
            elif isinstance(item, str):
                out += _free_text(item, ev.line)
            elif item.kind == "close":
                if until is not None and isinstance(until.item, Tag) and item.name == until.item.name:
                    return out, pos + 1
                raise MarkdownError(
                    f"</{item.name}> closes nothing: remove it or add <{item.name}> before", ev.line
                )
            elif item.kind == "self":
                out += self.leaf(item, ev.line, pos)
            else:
                pos = self.element(pos, out)
                continue
            pos += 1
        if until is not None and isinstance(until.item, Tag):
            name = until.item.name
            raise MarkdownError(f"<{name}> is never closed: add </{name}> after its content", until.line)
        return out, pos

    def node(self, node: SyntaxTreeNode) -> list[Block]:
        if node.type == "table":
            attrs, self.table_attrs = self.table_attrs, {}
            return parse.table(node, attrs)
        if node.type == "html_block":  # a lone inline tag: a paragraph
            tokens = parse._reparse(node.content.strip())
            return parse.text_block(
                "paragraph", inline_tokens_to_rich_text(tokens, parse.line_of(node)), {}, []
            )
        handler = NODES.get(node.type)
        if handler is None:
            return _free_text(node.content, parse.line_of(node))
        return handler(node)

    def head(self, pos: int, open_ev: Event) -> tuple[str, str, int]:
        """The text in the opening tag's own html_block: the block's own text (or a `<summary>`'s,
        or a `<caption>`'s), and the text after a `</summary>` (markdown, the toggle's first
        children when written without blank lines)."""
        own: list[str] = []
        after: list[str] = []
        summary_done = False
        while pos < len(self.events) and self.events[pos].source == open_ev.source:
            item = self.events[pos].item
            if isinstance(item, str):
                (after if summary_done else own).append(item)
            elif isinstance(item, Tag) and item.name in ("summary", "caption"):
                summary_done = summary_done or (item.name == "summary" and item.kind == "close")
            else:
                break
            pos += 1
        return "".join(own).strip(), "".join(after).strip(), pos

    def element(self, pos: int, out: list[Block]) -> int:
        open_ev = self.events[pos]
        tag = open_ev.item
        assert isinstance(tag, Tag)
        head, after, pos = self.head(pos + 1, open_ev)
        if tag.name == "caption":
            _caption(out, markdown_to_rich_text(head, open_ev.line), open_ev.line)
            return pos
        if tag.name == "summary":
            raise MarkdownError("<summary> belongs right after <details>", open_ev.line)
        if tag.name in _NO_OWN_TEXT:  # text right after such a tag is its first content
            head, after = "", f"{head}\n\n{after}".strip()
        body: list[Block] = []
        if tag.name in _CONTAINERS or tag.name == "children" or _closes_later(self.events, pos, tag.name):
            body, pos = self.build(pos, open_ev)
        else:
            raise MarkdownError(
                f"<{tag.name}> is never closed: add </{tag.name}> after its content", open_ev.line
            )
        if after:
            body = _blocks_of(after, open_ev.line) + body
        if tag.name == "children":
            _attach(out, body, open_ev.line)
            return pos
        out += make_element(tag, markdown_to_rich_text(head, open_ev.line), body, open_ev.line)
        return pos

    def leaf(self, tag: Tag, line: int | None, pos: int) -> list[Block]:
        if tag.name == "table":  # the attributes of the pipe table right after it
            following = self.events[pos + 1].item if pos + 1 < len(self.events) else None
            if not (isinstance(following, SyntaxTreeNode) and following.type == "table"):
                raise MarkdownError(
                    "<table …/> must come right before its pipe table (| a | b |, then | --- | --- |):"
                    " add the table's rows after it, or remove the tag",
                    line,
                )
            self.table_attrs = tag.attrs
            return []
        return make_element(tag, [], [], line)


def _blocks_of(text: str, line: int | None) -> list[Block]:
    """Markdown written inside a tag's own html_block (no blank line after the tag), as blocks."""
    try:
        return parse.markdown_to_blocks(text)
    except MarkdownError as exc:
        raise MarkdownError(exc.reason, (line or 0) + (exc.line or 1)) from None


def _closes_later(events: list[Event], pos: int, name: str) -> bool:
    return any(
        isinstance(e.item, Tag) and e.item.kind == "close" and e.item.name == name for e in events[pos:]
    )


def _attach(out: list[Block], kids: list[Block], line: int | None) -> None:
    if not out:
        raise MarkdownError("<children> must follow the block it belongs to", line)
    value = out[-1][out[-1]["type"]]
    value["children"] = value.get("children", []) + kids


def _caption(out: list[Block], caption: list[RichText], line: int | None) -> None:
    value = out[-1][out[-1]["type"]] if out else {}
    if "caption" not in value:
        raise MarkdownError("<caption> must follow a code, image, media, embed or bookmark block", line)
    value["caption"] = caption


def _free_text(text: str, line: int | None) -> list[Block]:
    """HTML that is not one of our tags: kept as literal text, never dropped (comments aside)."""
    text = drop_comments(text, line)
    if not text.strip():
        return []
    items = markdown_to_rich_text(text.strip().replace("\\", "\\\\").replace("<", "\\<"))
    return parse.text_block("paragraph", items, {}, [])


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
    line = parse.line_of(node)
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
    return [parse.block("toggle", {"rich_text": head, "color": _color(tag, line)}, body)]


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
    return [parse.block("callout", value, body)]


def _container(kind: str) -> Maker:
    def make(tag: Tag, head: list[RichText], body: list[Block], line: int | None) -> list[Block]:
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
        return [parse.block(kind, value, body)]

    return make


def _synced_copy(tag: Tag, head: list[RichText], body: list[Block], line: int | None) -> list[Block]:
    found = find_id(tag.attrs.get("url", ""))
    if found is None:
        raise MarkdownError('<synced_block_reference> needs url="…" holding the original block ID', line)
    return [parse.block("synced_block", {"synced_from": {"type": "block_id", "block_id": dashed(found)}})]


def _tab_label(tag: Tag, head: list[RichText], body: list[Block], line: int | None) -> list[Block]:
    items = markdown_to_rich_text(tag.attrs.get("title", ""))
    return [parse.block("paragraph", {"rich_text": items, "color": "default"}, body)]


def _child(kind: str) -> Maker:
    def make(tag: Tag, head: list[RichText], body: list[Block], line: int | None) -> list[Block]:
        return [parse.block(kind, {"title": plain_text(head)})]

    return make


def _link(kind: str) -> Maker:
    def make(tag: Tag, head: list[RichText], body: list[Block], line: int | None) -> list[Block]:
        found = find_id(tag.attrs.get("url", ""))
        if found is None:
            raise MarkdownError(f'<{tag.name}> needs url="…" holding the {kind} ID', line)
        return [{"type": "link_to_page", "link_to_page": {"type": kind, kind: dashed(found)}}]

    return make


def _simple(kind: str, colored: bool = False) -> Maker:
    def make(tag: Tag, head: list[RichText], body: list[Block], line: int | None) -> list[Block]:
        if kind == "paragraph":
            return [parse.block("paragraph", {"rich_text": [], "color": _color(tag, line)}, body)]
        return [{"type": kind, kind: {"color": _color(tag, line)} if colored else {}}]

    return make


def _media(kind: str) -> Maker:
    def make(tag: Tag, head: list[RichText], body: list[Block], line: int | None) -> list[Block]:
        return [media_block(kind, tag.attrs.get("src", ""), head, tag.attrs, line)]

    return make


def _bookmark(kind: str) -> Maker:
    def make(tag: Tag, head: list[RichText], body: list[Block], line: int | None) -> list[Block]:
        url = tag.attrs.get("url", "")
        if not url:
            raise MarkdownError(f'<{kind}> needs url="https://…"', line)
        return [{"type": kind, kind: {"caption": head, "url": url}}]

    return make


def _unsupported(tag: Tag, head: list[RichText], body: list[Block], line: int | None) -> list[Block]:
    raise MarkdownError(
        f'<unsupported type="{tag.attrs.get("type", "?")}"> stands for a block the API cannot create: '
        "remove the line (the original block stays where it is)",
        line,
    )


ELEMENTS: dict[str, Maker] = {
    "details": _toggle,
    "callout": _callout,
    "columns": _container("column_list"),
    "column": _container("column"),
    "synced_block": _container("synced_block"),
    "synced_block_reference": _synced_copy,
    "tabs": _container("tab"),
    "tab": _tab_label,
    "template": _container("template"),
    "page": _child("child_page"),
    "database": _child("child_database"),
    "link-page": _link("page_id"),
    "link-database": _link("database_id"),
    "empty-block": _simple("paragraph"),
    "table_of_contents": _simple("table_of_contents", colored=True),
    "breadcrumb": _simple("breadcrumb"),
    "hr": _simple("divider"),
    "embed": _bookmark("embed"),
    "bookmark": _bookmark("bookmark"),
    "unsupported": _unsupported,
    **{kind: _media(kind) for kind in _MEDIA},
}

NODES: dict[str, Callable[[SyntaxTreeNode], list[Block]]] = {
    "paragraph": parse.paragraph,
    "heading": parse.heading,
    "bullet_list": parse.list_items,
    "ordered_list": parse.list_items,
    "blockquote": parse.blockquote,
    "fence": parse.code,
    "code_block": parse.code,
    "math_block": parse.equation,
    "hr": lambda node: [{"type": "divider", "divider": {}}],
}
