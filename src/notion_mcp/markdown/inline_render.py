"""Canonical rich text → inline markdown, escaped so that it reads back as the same rich text.

Formatting is written as GFM delimiters (`~~`, `**`, `*`, backticks, `[…](…)`), colours and
underline as `<span color="…">`/`<span underline="true">`. Every result is checked by parsing it
back; where CommonMark's delimiter rules would change the text (e.g. `**` next to punctuation), the
run is written in the unambiguous tag form `<span bold="true">…</span>` instead.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import MarkdownError
from .ids import page_url, user_url
from .inline_parse import markdown_to_rich_text
from .mdit import parser
from .rich_text import RichText, link_of, merge, normalize_item, split_long
from .tags import attr, render_tag

_MARKS = (("strikethrough", "~~"), ("bold", "**"), ("italic", "*"))
_ALWAYS = frozenset("\\`*[]<$~|{}^")
_ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_ORDERED = re.compile(r"\d{1,9}[.)]")


def rich_text_to_markdown(
    items: list[dict[str, Any]], *, single_line: bool = False, cell: bool = False
) -> str:
    """Rich text → inline markdown. `single_line` writes every newline as `<br>` (headings, cells).
    In a table `cell` every `|` is escaped, inside code spans, equations and URLs too (GFM takes
    `\\|` out of a cell before reading it as inline markdown)."""
    canon = merge([_labelled(item) for item in items])
    if not canon:
        return ""
    expected = split_long([_unlabelled(i) for i in canon])
    for plain_marks in (True, False):
        text = _render(canon, single_line or cell, plain_marks)
        if cell:
            text = _CELL_BAR.sub(r"\\|", text)
        if not plain_marks or _reads_back(text.replace("\\|", "|") if cell else text, expected):
            return text
    raise AssertionError("unreachable")


def _reads_back(text: str, expected: list[RichText]) -> bool:
    """Whether the plain-marks form reads back as `expected`; one that does not read at all (e.g.
    equations whose `$…$` text joins into a link Notion would refuse) takes the safe form too."""
    try:
        return markdown_to_rich_text(text) == expected
    except MarkdownError:
        return False


_CELL_BAR = re.compile(r"(?<!\\)\|")


def _labelled(item: dict[str, Any]) -> RichText:
    """The canonical item, keeping a mention's plain text as its readable label."""
    canon = normalize_item(item)
    if canon["type"] == "mention" and item.get("plain_text"):
        canon["plain_text"] = item["plain_text"]
    return canon


def _unlabelled(item: RichText) -> RichText:
    return {k: v for k, v in item.items() if k != "plain_text"}


def _render(items: list[RichText], single_line: bool, plain_marks: bool) -> str:
    out: list[str] = []
    for group in _groups(items):
        body = _render_marks(group, single_line, plain_marks)
        url = link_of(group[0])
        if url is not None and out and _bare_bang(out[-1]):
            out[-1] = out[-1][:-1] + "\\!"  # "!" before a link would make it an image
        out.append(f"[{body}]({link_destination(url)})" if url is not None else body)
    text = "".join(out)
    return _protect_edges(text)


def _bare_bang(text: str) -> bool:
    """True when `text` ends with an unescaped "!" (an even run of backslashes before it)."""
    if not text.endswith("!"):
        return False
    body = text[:-1]
    return (len(body) - len(body.rstrip("\\"))) % 2 == 0


def _groups(items: list[RichText]) -> list[list[RichText]]:
    groups: list[list[RichText]] = []
    for item in items:
        if groups and link_of(groups[-1][-1]) == link_of(item):
            groups[-1].append(item)
        else:
            groups.append([item])
    return groups


def _render_marks(group: list[RichText], single_line: bool, plain_marks: bool) -> str:
    out: list[str] = []
    stack: list[str] = []
    for item in group:
        a = item["annotations"]
        wanted = [d for name, d in _MARKS if a[name]] if plain_marks else []
        while stack and not _is_prefix(stack, wanted):
            out.append(stack.pop())
        for d in wanted[len(stack) :]:
            out.append(d)
            stack.append(d)
        out.append(_span(item, single_line, plain_marks))
    out.extend(reversed(stack))
    return "".join(out)


def _is_prefix(stack: list[str], wanted: list[str]) -> bool:
    return wanted[: len(stack)] == stack


def _span(item: RichText, single_line: bool, plain_marks: bool) -> str:
    a = item["annotations"]
    attrs: dict[str, str | None] = {}
    if not plain_marks:
        attrs.update({k: "true" for k in ("bold", "italic", "strikethrough", "code") if a[k]})
    if a["underline"]:
        attrs["underline"] = "true"
    if a["color"] != "default":
        attrs["color"] = a["color"]
    code_as_span = not plain_marks and a["code"]
    body = _atom(item, single_line, code_span=a["code"] and not code_as_span, tag_form=not plain_marks)
    return f"{render_tag('span', attrs)}{body}</span>" if attrs else body


def _atom(item: RichText, single_line: bool, code_span: bool, tag_form: bool) -> str:
    kind = item["type"]
    if kind == "equation":
        # `$…$` reads back only without edge spaces, `$` inside or digits right outside it
        expression = str(item["equation"]["expression"])
        if tag_form or (single_line and "\n" in expression):  # `$…$` across lines breaks a heading
            return render_tag("equation", {"expression": expression}, close=True)
        return f"${expression}$"
    if kind == "mention":
        return _mention(item)
    content = str(item["text"]["content"])
    if code_span:
        return _code_span(content)
    return escape_text(content, single_line)


def _code_span(content: str) -> str:
    longest = max((len(m) for m in re.findall(r"`+", content)), default=0)
    fence = "`" * (longest + 1)
    pad = (
        content.startswith("`")
        or content.endswith("`")
        or (content.startswith(" ") and content.endswith(" ") and content.strip(" ") != "")
    )
    return f"{fence} {content} {fence}" if pad else f"{fence}{content}{fence}"


def _mention(item: RichText) -> str:
    m = item["mention"]
    kind = m["type"]
    value = m.get(kind) or {}
    label = escape_text(str(item.get("plain_text", "")), True) if item.get("plain_text") else ""
    if kind in ("page", "database"):
        attrs: dict[str, str | None] = {"url": page_url(str(value.get("id", "")))}
    elif kind == "user":
        attrs = {"url": user_url(str(value.get("id", "")))}
    elif kind == "date":
        attrs = {k: value.get(k) for k in ("start", "end", "time_zone")}
        label = ""
    elif kind in ("link_preview", "link_mention"):
        attrs = {"url": str(value.get("url", ""))}
    elif kind == "template_mention":
        sub = str(value.get("type", ""))
        attrs, kind = {"type": sub, "value": str(value.get(sub, ""))}, "template"
    elif kind == "custom_emoji":
        attrs = {"id": str(value.get("id", ""))}
    else:
        return render_tag("mention", {"type": kind}) + label + "</mention>"
    name = "mention-" + kind.replace("_", "-")
    return render_tag(name, attrs) + label + f"</{name}>" if label else render_tag(name, attrs, close=True)


def escape_text(text: str, single_line: bool) -> str:
    """Backslash-escape what markdown would read as syntax; newlines become breaks."""
    out: list[str] = []
    for i, ch in enumerate(text):
        if ch == "\n":
            soft = not single_line and 0 < i < len(text) - 1 and text[i + 1] != "\n"
            out.append("\n" if soft else "<br>")
        elif (
            ch in _ALWAYS or (ch == "_" and not _intraword(text, i)) or (ch == "&" and _ENTITY.match(text, i))
        ):
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def _intraword(text: str, i: int) -> bool:
    return 0 < i < len(text) - 1 and text[i - 1].isalnum() and text[i + 1].isalnum()


def _protect_edges(text: str) -> str:
    """Line starts that markdown would read as block syntax, and edge whitespace, made literal."""
    lines = text.split("\n")
    return "\n".join(_protect_line(line) for line in lines)


def _protect_line(line: str) -> str:
    core = line.lstrip()
    lead = "".join(f"&#{ord(c)};" for c in line[: len(line) - len(core)])
    stripped = core.rstrip()
    trail = "".join(f"&#{ord(c)};" for c in core[len(stripped) :])
    core = stripped
    if core.endswith("#"):  # a heading would read " #…" at its end as a closing sequence
        run = len(core) - len(core.rstrip("#"))
        if run < len(core) and core[-run - 1] in " \t":
            core = core[:-run] + "\\" + core[-run:]
    if core[:1] in ("#", "-", "+", "=", ">"):
        core = "\\" + core
    elif core[:1] == "[" and _is_reference_definition(core):
        # e.g. a link whose code text holds "]:" — an empty span keeps it a paragraph.
        core = "<span></span>" + core
    elif m := _ORDERED.match(core):
        core = core[: m.end() - 1] + "\\" + core[m.end() - 1 :]
    return lead + core + trail


def _is_reference_definition(line: str) -> bool:
    """True when CommonMark would read the line as `[label]: destination`, not as text."""
    return not any(token.type == "inline" for token in parser().parse(line))


def link_destination(url: str) -> str:
    """A link's or image's URL as markdown reads it back byte for byte."""
    if re.search(r"[\s()<>\\]", url) or not url:
        return "<" + url.replace("\\", "\\\\").replace("<", "\\<").replace(">", "\\>") + ">"
    return url.replace("&", "\\&") if _ENTITY.search(url) else url


__all__ = ["attr", "escape_text", "rich_text_to_markdown"]
