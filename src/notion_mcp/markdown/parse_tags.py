"""The Notion-flavored tags in markdown: an event stream of tags and markdown nodes, built into blocks.

html_block tokens are split by the tag tokenizer into tag events; other nodes pass through as they
are. `<tag>` … `</tag>` encloses markdown nodes that become the block's children; text right after
an opening tag (same html_block) is the block's own rich text; `<summary>`/`<caption>` hold text.
"""

from __future__ import annotations

from dataclasses import dataclass

from markdown_it.tree import SyntaxTreeNode

from .errors import MarkdownError
from .inline_parse import inline_tokens_to_rich_text, markdown_to_rich_text
from .parse_elements import make_element
from .parse_kit import Block, is_inline_html, line_of, read_tree, reparse, text_block
from .parse_nodes import NODES, table
from .rich_text import RichText
from .tags import Tag, drop_comments, tokenize

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
                content = drop_comments(content, line_of(node))
            events += [Event(x, line_of(node), n) for x in tokenize(content)]
        elif (raw := _underscore_tag(node)) is not None:
            events += [Event(x, line_of(node), n) for x in tokenize(raw)]
        else:
            events.append(Event(node, line_of(node), n))
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
            return table(node, attrs)
        if node.type == "html_block":  # a lone inline tag: a paragraph
            tokens = reparse(node.content.strip())
            return text_block("paragraph", inline_tokens_to_rich_text(tokens, line_of(node)), {}, [])
        handler = NODES.get(node.type)
        if handler is None:
            return _free_text(node.content, line_of(node))
        return handler(node, convert_nodes)

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
        return convert_nodes(read_tree(text))
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
    return text_block("paragraph", items, {}, [])
