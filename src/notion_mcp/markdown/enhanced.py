"""Notion's enhanced markdown (the dialect of its markdown endpoints) ↔ blocks.

Notion documents the format at developers.notion.com/guides/data-apis/enhanced-markdown and
.../working-with-markdown-content. What this module follows from there:

- one block per line, blocks separated by a single newline (blank lines are dropped;
  `<empty-block/>` is an empty paragraph); line breaks inside a block are `<br>`;
- children are the following lines indented one tab deeper;
- a block colour is a `{color="…"}` attribute list at the end of the first line, a toggle
  heading `{toggle="true"}`; colours are `red` or `red_bg` (`red_background` is accepted too);
- toggles `<details color>` + `<summary>`, callouts `<callout icon color>` (text and children
  indented inside), `<columns>`/`<column>`, tables `<table header-row header-column>` with
  `<tr>`/`<td>` rows (a GFM pipe table is read too: the guide's own example uses one), code
  fences, `$$` equations, `---`, media `![caption](url)` and `<video|audio|file|pdf src>`,
  `<page url>`/`<database url>`, `<table_of_contents/>`, `<synced_block>`,
  `<synced_block_reference>`;
- `<unknown url="…" alt="type"/>` for a block the endpoint does not render (its ID is among
  the answer's `unknown_block_ids`): read as a placeholder `{"type": "unknown", "id": …}` that
  the caller replaces by the block read through the blocks API.

Rich text inside a line is our inline markdown (`markdown_to_rich_text`), which is Notion's:
`**`, `*`, `~~`, `` ` ``, links, `$x$`, `<br>`, `<span underline|color>`, `<mention-…>`.
`blocks_to_enhanced` writes the same subset (what the sandbox serves); a block it cannot express
is written as `<unknown>` and its ID returned.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .colors import notion_color
from .errors import MarkdownError
from .ids import PAGE_URL, compact, dashed, find_id
from .inline_parse import markdown_to_rich_text
from .inline_render import rich_text_to_markdown
from .languages import notion_language
from .tags import render_tag

Block = dict[str, Any]
UNKNOWN = "unknown"  # the placeholder type for an <unknown> line
_ATTRS = re.compile(r'(?<!\\)\s*\{((?:\s*[A-Za-z_-]+="[^"]*")+)\s*\}\s*$')
_PAIR = re.compile(r'([A-Za-z_-]+)="([^"]*)"')
_TAG_LINE = re.compile(r'^<([a-z_-]+)((?:\s+[A-Za-z_-]+="[^"]*")*)\s*(/?)>(.*?)(?:</\1>)?$')
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_NUMBERED = re.compile(r"^\d{1,9}[.)]\s+(.*)$")
_CELL = re.compile(r"^<td((?:\s+[A-Za-z_-]+=\"[^\"]*\")*)\s*>(.*)</td>$")
_LINE_KINDS: tuple[tuple[str, str, Block], ...] = (  # first match wins
    ("- [ ] ", "to_do", {"checked": False}),
    ("- [x] ", "to_do", {"checked": True}),
    ("- [X] ", "to_do", {"checked": True}),
    ("- ", "bulleted_list_item", {}),
    ("* ", "bulleted_list_item", {}),
    ("> ", "quote", {}),
)
TEXT_TYPES = ("paragraph", "bulleted_list_item", "numbered_list_item", "to_do", "quote")


# ---- blocks → enhanced markdown (what the sandbox's GET serves) ---------------------------------
@dataclass
class Enhanced:
    markdown: str
    unknown_block_ids: list[str]
    truncated: bool


def blocks_to_enhanced(
    blocks: list[Block], children: Callable[[Block], list[Block]], page_url: str, *, limit: int = 20_000
) -> Enhanced:
    """Enhanced markdown for `blocks` (children found by `children(block)`), with the IDs of the
    blocks written as `<unknown>`: those it cannot express, and every block after the first
    `limit` (then `truncated`)."""
    out = _Out(page_url, limit)
    _write(blocks, 0, children, out)
    return Enhanced("\n".join(out.lines), out.unknown, out.written > limit)


@dataclass
class _Out:
    page_url: str
    limit: int
    lines: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    written: int = 0


def _color(value: Any) -> str | None:
    color = str(value or "default")
    return None if color == "default" else color.replace("_background", "_bg")


def _attrs(**given: str | None) -> str:
    pairs = " ".join(f'{k}="{v}"' for k, v in given.items() if v is not None)
    return f" {{{pairs}}}" if pairs else ""


def _rt(items: list[Block]) -> str:
    text = rich_text_to_markdown(items, single_line=True)
    return re.sub(r'color="(\w+?)_background"', r'color="\1_bg"', text)


def _media_url(inner: Block) -> str | None:
    kind = inner.get("type")
    return str((inner.get(kind) or {}).get("url")) if kind == "external" else None


def _write(blocks: list[Block], depth: int, children: Callable[[Block], list[Block]], out: _Out) -> None:
    pad = "\t" * depth
    number = 0
    for block in blocks:
        kind = str(block.get("type"))
        inner = block.get(kind) or {}
        number = number + 1 if kind == "numbered_list_item" else 0
        out.written += 1
        over = out.written > out.limit
        kids = children(block) if not over and (block.get("has_children") or inner.get("children")) else []
        line = None if over else _line(block, number, kids)
        if line is None:
            url = f"{out.page_url}#{compact(str(block.get('id', '')))}"
            out.lines.append(f'{pad}<unknown url="{url}" alt="{kind}"/>')
            out.unknown.append(str(block.get("id", "")))
            continue
        if isinstance(line, str):
            out.lines.append(pad + line)
            if kids:
                _write(kids, depth + 1, children, out)
            continue
        head, inside, tail, nested = line  # a container tag: head, its own lines, the children
        out.lines.extend(pad + x for x in head.split("\n"))
        out.lines.extend(f"{pad}\t{x}" for x in inside)
        if nested:
            _write(kids, depth + 1, children, out)
        out.lines.extend(pad + x for x in tail)


Line = str | tuple[str, list[str], list[str], bool] | None


def _line(block: Block, number: int, kids: list[Block]) -> Line:
    """One block's first line (children follow indented), or a container's parts; None: unknown."""
    kind = str(block.get("type"))
    inner = block.get(kind) or {}
    text = _rt(inner.get("rich_text") or [])
    color = _color(inner.get("color"))
    if kind == "paragraph":
        return (text or "<empty-block/>") + _attrs(color=color)
    if kind.startswith("heading_") and kind[-1] in "1234":
        toggle = "true" if inner.get("is_toggleable") else None
        if kids and not toggle:
            return None
        return f"{'#' * int(kind[-1])} {text}{_attrs(toggle=toggle, color=color)}"
    if kind == "bulleted_list_item":
        return f"- {text}{_attrs(color=color)}"
    if kind == "numbered_list_item":
        return f"{number}. {text}{_attrs(color=color)}"
    if kind == "to_do":
        return f"- [{'x' if inner.get('checked') else ' '}] {text}{_attrs(color=color)}"
    if kind == "quote":
        return f"> {text}{_attrs(color=color)}"
    if kind == "toggle":
        return (
            f"{render_tag('details', {'color': color})}\n<summary>{text}</summary>",
            [],
            ["</details>"],
            True,
        )
    if kind == "callout":
        icon = inner.get("icon") or {}
        mark = icon.get("emoji") if icon.get("type") == "emoji" else _media_url(icon)
        head = render_tag("callout", {"icon": mark, "color": color})
        return head, [text] if text else [], ["</callout>"], True
    if kind == "code":
        if inner.get("caption"):
            return None
        body = "".join(
            str(i.get("plain_text") or (i.get("text") or {}).get("content", ""))
            for i in inner.get("rich_text") or []
        )
        language = str(inner.get("language") or "plain text").replace(" ", "_")
        return f"```{language}", [], [*body.split("\n"), "```"], False
    if kind == "equation":
        return "$$", [], [*str(inner.get("expression", "")).split("\n"), "$$"], False
    if kind == "divider":
        return "---"
    if kind == "table_of_contents":
        return render_tag("table_of_contents", {"color": color}, close=True)
    if kind in ("image", "video", "audio", "file", "pdf"):
        url = _media_url(inner)
        if url is None:
            return None  # a file stored by Notion: its link expires, its block ID is what we show
        caption = _rt(inner.get("caption") or [])
        if kind == "image":
            return f"![{caption}]({url})"
        return render_tag(kind, {"src": url}) + f"{caption}</{kind}>"
    if kind in ("child_page", "child_database"):
        tag = "page" if kind == "child_page" else "database"
        url = PAGE_URL + compact(str(block.get("id", "")))
        return (
            f"{render_tag(tag, {'url': url})}{html.escape(str(inner.get('title', '')), quote=False)}</{tag}>"
        )
    if kind == "table":
        return _table(inner, kids)
    if kind == "synced_block":
        origin = (inner.get("synced_from") or {}).get("block_id")
        name = "synced_block_reference" if origin else "synced_block"
        url = PAGE_URL + compact(str(origin or block.get("id", "")))
        return render_tag(name, {"url": url}), [], [f"</{name}>"], True
    if kind == "column_list":
        return "<columns>", [], ["</columns>"], True
    if kind == "column":
        return "<column>", [], ["</column>"], True
    return None


def _table(inner: Block, rows: list[Block]) -> Line:
    head = render_tag(
        "table",
        {
            "header-row": "true" if inner.get("has_column_header") else "false",
            "header-column": "true" if inner.get("has_row_header") else "false",
        },
    )
    body: list[str] = []
    for row in rows:
        body.append("<tr>")
        cells = (row.get("table_row") or {}).get("cells") or []
        body += [f"\t<td>{_rt(cell)}</td>" for cell in cells]
        body.append("</tr>")
    return head, body, ["</table>"], False


_ENHANCED_ONLY = re.compile(r"^(\t+\S|<table[\s>]|<unknown\s)", re.M)
_FENCE = re.compile(r"^```.*?^```", re.M | re.S)


def looks_enhanced(text: str) -> bool:
    """Whether `text` is in Notion's enhanced markdown rather than ours: it indents with tabs
    (ours never does) or holds an HTML `<table>` or an `<unknown>` line (outside code)."""
    return _ENHANCED_ONLY.search(_FENCE.sub("", text)) is not None


# ---- enhanced markdown → blocks ------------------------------------------------------------------
def enhanced_to_blocks(text: str) -> list[Block]:
    """Blocks (canonical form) for Notion's enhanced markdown; `<unknown>` lines become
    `{"type": "unknown", "id": …, "unknown": {"alt": type}}` placeholders."""
    lines = text.replace("\r\n", "\n").split("\n")
    reader = _Reader(lines)
    blocks = reader.blocks(0)
    if reader.i < len(lines):
        raise MarkdownError(f"unexpected line {lines[reader.i].strip()!r}", reader.i + 1)
    return blocks


class _Reader:
    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.i = 0

    def _depth(self, line: str) -> int:
        return len(line) - len(line.lstrip("\t"))

    def _next(self, depth: int) -> str | None:
        """The next non-blank line at `depth` or deeper, without its indentation; None at the end
        of this level."""
        while self.i < len(self.lines) and not self.lines[self.i].strip():
            self.i += 1
        if self.i >= len(self.lines) or self._depth(self.lines[self.i]) < depth:
            return None
        return self.lines[self.i][depth:]

    def blocks(self, depth: int) -> list[Block]:
        out: list[Block] = []
        while (line := self._next(depth)) is not None:
            if line.startswith("</"):
                break  # the end of the container being read
            line_no = self.i + 1
            self.i += 1
            if line.startswith("\t") and out:  # deeper than a child would be: the previous block's
                self.i -= 1
                self._children(out[-1], depth + 1)
                continue
            block = self._block(line.strip(), depth, line_no)
            out.append(block)
            self._children(block, depth + 1)
        return out

    def _children(self, block: Block, depth: int) -> None:
        kids = self.blocks(depth)
        if kids:
            inner = block.setdefault(block["type"], {})
            inner["children"] = [*(inner.get("children") or []), *kids]

    def _close(self, depth: int, name: str) -> None:
        line = self._next(depth)
        if line is None or line.strip() != f"</{name}>":
            raise MarkdownError(f"<{name}> is not closed with </{name}>", self.i + 1)
        self.i += 1

    def _block(self, line: str, depth: int, line_no: int) -> Block:
        if line.startswith("```"):
            return self._code(line, depth)
        if line == "$$":
            return self._equation(depth, line_no)
        if line.startswith("<"):
            tag = _TAG_LINE.match(line)
            if tag is not None:
                return self._tag(tag, depth, line_no)
        if line.startswith("|"):
            return self._pipe_table(line, depth)
        line, attrs = _split_attrs(line, line_no)
        color = (
            {"color": notion_color(attrs["color"].replace("_bg", "_background"), line_no)}
            if "color" in attrs
            else {}
        )
        if line in ("---", "***", "___"):
            return {"type": "divider", "divider": {}}
        if m := _HEADING.match(line):
            level = min(4, len(m.group(1)))
            inner = {"rich_text": _rich(m.group(2), line_no), "is_toggleable": attrs.get("toggle") == "true"}
            return {"type": f"heading_{level}", f"heading_{level}": {**inner, **color}}
        for prefix, kind, extra in _LINE_KINDS:
            if line.startswith(prefix) or line == prefix.rstrip():
                rest = line[len(prefix) :]
                return {"type": kind, kind: {"rich_text": _rich(rest, line_no), **extra, **color}}
        if m := _NUMBERED.match(line):
            return {
                "type": "numbered_list_item",
                "numbered_list_item": {"rich_text": _rich(m.group(1), line_no), **color},
            }
        if m := re.fullmatch(r"!\[(.*)\]\((\S+)\)", line):
            return {"type": "image", "image": _external(m.group(2), _rich(m.group(1), line_no))}
        return {"type": "paragraph", "paragraph": {"rich_text": _rich(line, line_no), **color}}

    def _code(self, first: str, depth: int) -> Block:
        body: list[str] = []
        while self.i < len(self.lines):
            raw = self.lines[self.i]
            self.i += 1
            line = raw[depth:] if raw.startswith("\t" * depth) else raw.lstrip("\t")
            if line.strip() == "```":
                break
            body.append(line)
        content = "\n".join(body)
        return {
            "type": "code",
            "code": {"rich_text": _plain(content), "language": notion_language(first[3:])},
        }

    def _equation(self, depth: int, line_no: int) -> Block:
        body: list[str] = []
        while (line := self._next(depth)) is not None and line.strip() != "$$":
            body.append(line.strip())
            self.i += 1
        if line is None:
            raise MarkdownError("$$ is not closed with $$", line_no)
        self.i += 1
        return {"type": "equation", "equation": {"expression": "\n".join(body)}}

    def _pipe_table(self, first: str, depth: int) -> Block:
        from .parse import markdown_to_blocks

        rows = [first.strip()]
        while (line := self._next(depth)) is not None and line.strip().startswith("|"):
            rows.append(line.strip())
            self.i += 1
        return markdown_to_blocks("\n".join(rows))[0]

    def _tag(self, m: re.Match[str], depth: int, line_no: int) -> Block:
        name, attrs, inline = m.group(1), dict(_PAIR.findall(m.group(2))), m.group(4)
        attrs = {k: html.unescape(v) for k, v in attrs.items()}
        color = (
            {"color": notion_color(attrs["color"].replace("_bg", "_background"), line_no)}
            if "color" in attrs
            else {}
        )
        if name == "empty-block":
            return {"type": "paragraph", "paragraph": {"rich_text": [], **color}}
        if name == UNKNOWN:
            ident = find_id(attrs.get("url", "").rsplit("#", 1)[-1])
            return {
                "type": UNKNOWN,
                "id": dashed(ident) if ident else None,
                UNKNOWN: {"alt": attrs.get("alt")},
            }
        if name == "table_of_contents":
            return {"type": "table_of_contents", "table_of_contents": {**color}}
        if name in ("page", "database"):
            kind = "child_page" if name == "page" else "child_database"
            ident = find_id(attrs.get("url", ""))
            return {
                "type": kind,
                "id": dashed(ident) if ident else None,
                kind: {"title": html.unescape(inline)},
            }
        if name in ("video", "audio", "file", "pdf"):
            return {"type": name, name: _external(attrs.get("src", ""), _rich(inline, line_no))}
        if name == "details":
            summary = self._next(depth) or ""
            found = re.fullmatch(r"\s*<summary>(.*)</summary>\s*", summary)
            if found is None:
                raise MarkdownError("<details> must be followed by <summary>…</summary>", self.i + 1)
            self.i += 1
            kids = self.blocks(depth + 1)
            self._close(depth, "details")
            inner: Block = {"rich_text": _rich(found.group(1), line_no), **color}
            return {"type": "toggle", "toggle": {**inner, **({"children": kids} if kids else {})}}
        if name == "callout":
            kids = self.blocks(depth + 1)
            self._close(depth, "callout")
            text: list[Block] = []
            if kids and kids[0]["type"] == "paragraph" and not kids[0]["paragraph"].get("children"):
                text = kids.pop(0)["paragraph"]["rich_text"]
            icon = attrs.get("icon")
            mark = (
                None
                if not icon
                else (
                    {"type": "emoji", "emoji": icon}
                    if not icon.startswith("http")
                    else {"type": "external", "external": {"url": icon}}
                )
            )
            inner = {"rich_text": text, "icon": mark, **color}
            return {"type": "callout", "callout": {**inner, **({"children": kids} if kids else {})}}
        if name in ("columns", "column", "synced_block", "synced_block_reference"):
            kids = self.blocks(depth + 1)
            self._close(depth, name)
            if name == "columns":
                return {"type": "column_list", "column_list": {"children": kids}}
            if name == "column":
                return {"type": "column", "column": {"children": kids}}
            if name == "synced_block":
                return {"type": "synced_block", "synced_block": {"synced_from": None, "children": kids}}
            ident = find_id(attrs.get("url", ""))
            origin = {"type": "block_id", "block_id": dashed(ident)} if ident else None
            return {"type": "synced_block", "synced_block": {"synced_from": origin, "children": kids}}
        if name == "table":
            return self._table(attrs, depth, line_no)
        return {"type": "paragraph", "paragraph": {"rich_text": _rich(m.group(0), line_no)}}

    def _table(self, attrs: dict[str, str], depth: int, line_no: int) -> Block:
        rows: list[Block] = []
        while (line := self._next(depth + 1)) is not None:
            line = line.strip()
            self.i += 1
            if line.startswith("<colgroup") or line.startswith("<col ") or line in ("</colgroup>", "</tr>"):
                continue
            if line.startswith("<tr"):
                rows.append({"type": "table_row", "table_row": {"cells": []}})
                continue
            cell = _CELL.match(line)
            if cell is None or not rows:
                raise MarkdownError(f"unexpected line in <table>: {line!r}", self.i)
            rows[-1]["table_row"]["cells"].append(_rich(cell.group(2), self.i))
        self._close(depth, "table")
        width = max((len(r["table_row"]["cells"]) for r in rows), default=1)
        inner = {
            "table_width": width,
            "has_column_header": attrs.get("header-row") == "true",
            "has_row_header": attrs.get("header-column") == "true",
            "children": rows,
        }
        return {"type": "table", "table": inner}


def _split_attrs(line: str, line_no: int) -> tuple[str, dict[str, str]]:
    m = _ATTRS.search(line)
    if m is None:
        return line, {}
    return line[: m.start()], dict(_PAIR.findall(m.group(1)))


def _rich(text: str, line_no: int) -> list[Block]:
    return markdown_to_rich_text(text, line_no) if text else []


def _plain(content: str) -> list[Block]:
    return [
        {"type": "text", "text": {"content": content[i : i + 2000]}} for i in range(0, len(content), 2000)
    ]


def _external(url: str, caption: list[Block]) -> Block:
    return {"type": "external", "external": {"url": url}, "caption": caption}
