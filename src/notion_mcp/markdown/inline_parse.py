"""Inline markdown (markdown-it inline tokens) → canonical rich text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from markdown_it.token import Token

from .colors import notion_color
from .errors import MarkdownError
from .ids import dashed, find_id
from .mdit import parser
from .rich_text import (
    EQUATION_LIMIT,
    URL_LIMIT,
    RichText,
    equation_item,
    mention_item,
    merge,
    split_long,
    text_item,
)
from .tags import INLINE_TAGS, Tag, drop_comments, parse_tag

_MARKS = {"strong": "bold", "em": "italic", "s": "strikethrough"}
_SPAN_FLAGS = ("bold", "italic", "strikethrough", "underline", "code")
_HTML_MARKS: dict[str, dict[str, Any]] = {
    tag: {flag: True}
    for flag, tags in (
        ("bold", ("b", "strong")),
        ("italic", ("i", "em")),
        ("strikethrough", ("s", "del", "strike")),
        ("underline", ("u", "ins")),
        ("code", ("code",)),
    )
    for tag in tags
} | {"mark": {"color": "yellow_background"}}  # HTML formatting a model may write


@dataclass
class _State:
    line: int | None
    marks: list[dict[str, Any]] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    out: list[RichText] = field(default_factory=list)
    in_mention: str | None = None
    unpaired: set[int] = field(default_factory=set)  # ids of HTML formatting tags without a partner

    def current(self) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for mark in self.marks:
            merged.update(mark)
        return merged

    def add_text(self, content: str) -> None:
        if content and self.in_mention is None:
            link = self.links[-1] if self.links else None
            self.out.append(text_item(content, link, **self.current()))


def markdown_to_rich_text(text: str, line: int | None = None) -> list[RichText]:
    """Inline markdown → canonical rich text (merged, split at 2,000 characters); `line` is where
    the text starts, for errors."""
    tokens = parser().parseInline(text)
    children = tokens[0].children if tokens else None
    return inline_tokens_to_rich_text(children or [], line=line)


def inline_tokens_to_rich_text(tokens: list[Token], line: int | None) -> list[RichText]:
    state = _State(line, unpaired=_unpaired_html_marks(tokens))
    for token in tokens:
        _HANDLERS.get(token.type, _unknown)(state, token)
    return split_long(merge(state.out))


def _unpaired_html_marks(tokens: list[Token]) -> set[int]:
    """The HTML formatting tags (`<b>` … `</b>`) that have no partner: they stay literal text, so
    "a<b and c>d" or a lone "<i>" neither vanish nor spread their formatting to the end."""
    open_tags: list[tuple[str, Token]] = []
    unpaired: set[int] = set()
    for token in tokens:
        tag = parse_tag(token.content, INLINE_TAGS) if token.type == "html_inline" else None
        if tag is None or tag.name not in _HTML_MARKS or tag.kind == "self":
            if token.type == "html_inline" and tag is None and _FORMAT_LIKE.match(token.content):
                unpaired.add(id(token))  # e.g. <b and c>: not a tag we read
            continue
        if tag.kind == "open":
            open_tags.append((tag.name, token))
        elif open_tags and open_tags[-1][0] == tag.name:
            open_tags.pop()
        else:
            unpaired.add(id(token))
    return unpaired | {id(token) for _, token in open_tags}


_FORMAT_LIKE = re.compile(r"</?(b|strong|i|em|s|del|strike|ins|u|code|mark)\b", re.IGNORECASE)


def _text(state: _State, token: Token) -> None:
    state.add_text(token.content)


def _newline(state: _State, token: Token) -> None:
    state.add_text("\n")


def _code(state: _State, token: Token) -> None:
    if state.in_mention is None:
        link = state.links[-1] if state.links else None
        state.out.append(text_item(token.content, link, **{**state.current(), "code": True}))


def _math(state: _State, token: Token) -> None:
    _equation(state, token.content)


def _equation(state: _State, expression: str) -> None:
    if len(expression) > EQUATION_LIMIT:
        raise MarkdownError(
            f"inline equation is {len(expression)} characters; Notion allows {EQUATION_LIMIT}: split it",
            state.line,
        )
    state.out.append(equation_item(expression, **state.current()))


def _open_mark(state: _State, token: Token) -> None:
    state.marks.append({_MARKS[token.tag if token.tag == "s" else token.type[:-5]]: True})


def _close(state: _State, token: Token) -> None:
    if state.marks:
        state.marks.pop()


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def _link_open(state: _State, token: Token) -> None:
    url = str(token.attrs.get("href", ""))
    relative = not url.startswith("/") and _SCHEME.match(url) is None  # "/…": Notion's own page links
    if url and (relative or url.lower().startswith("javascript:")):
        raise MarkdownError(
            f'link "{url}" is not a full URL, and Notion refuses those ("Invalid URL for link"): write the'
            " full address (https://…, mailto:…) or leave the text without the link",
            state.line,
        )
    if len(url) > URL_LIMIT:
        raise MarkdownError(
            f"link URL is {len(url)} characters; Notion allows {URL_LIMIT}: shorten it", state.line
        )
    state.links.append(url)


def _link_close(state: _State, token: Token) -> None:
    if state.links:
        state.links.pop()


def _image(state: _State, token: Token) -> None:
    raise MarkdownError(
        "an image inside text; Notion images are blocks: put the image on a line of its own", state.line
    )


def _html(state: _State, token: Token) -> None:
    if token.content.startswith("<!--"):
        drop_comments(token.content, state.line)
        return
    if id(token) in state.unpaired:
        state.add_text(token.content)
        return
    tag = parse_tag(token.content, INLINE_TAGS)
    if tag is None:
        state.add_text(token.content)
    elif tag.name == "br":
        state.add_text("\n")
    elif tag.name == "equation":  # `<equation expression="…"/>`: what `$…$` cannot hold
        if tag.kind != "close":
            _equation(state, tag.attrs.get("expression", ""))
    elif tag.name == "span" or tag.name in _HTML_MARKS:
        _span(state, tag)
    else:
        _mention(state, tag)


def _span(state: _State, tag: Tag) -> None:
    if tag.kind == "close":
        if state.marks:
            state.marks.pop()
        return
    mark: dict[str, Any] = dict(_HTML_MARKS.get(tag.name, {}))
    for flag in _SPAN_FLAGS:
        if tag.attrs.get(flag) == "true":
            mark[flag] = True
    if "color" in tag.attrs:
        mark["color"] = notion_color(tag.attrs["color"], state.line)
    if tag.kind == "open":
        state.marks.append(mark)


def _mention(state: _State, tag: Tag) -> None:
    if tag.kind == "close":
        state.in_mention = None
        return
    kind = tag.name.removeprefix("mention-").replace("-", "_")
    value = mention_value(kind, tag.attrs, state.line)
    state.out.append(
        mention_item(kind if kind != "template" else "template_mention", value, **state.current())
    )
    if tag.kind == "open":
        state.in_mention = kind


def mention_value(kind: str, attrs: dict[str, str], line: int | None) -> dict[str, Any]:
    """The request form of a mention from its tag's attributes."""
    if kind in ("user", "page", "database", "custom_emoji"):
        found = find_id(attrs.get("url", "") or attrs.get("id", ""))
        if found is None:
            raise MarkdownError(f'<mention-{kind}> needs url="…" holding the {kind} ID', line)
        return {"id": dashed(found)}
    if kind == "date":
        if "start" not in attrs:
            raise MarkdownError('<mention-date> needs start="YYYY-MM-DD"', line)
        return {k: attrs[k] for k in ("start", "end", "time_zone") if k in attrs}
    if kind in ("link_preview", "link_mention"):
        return {"url": attrs.get("url", "")}
    if kind == "template":
        sub = attrs.get("type", "template_mention_date")
        return {"type": sub, sub: attrs.get("value", "today")}
    raise MarkdownError(f"unknown mention tag <mention-{kind}>", line)


def _unknown(state: _State, token: Token) -> None:
    state.add_text(token.content)


_HANDLERS = {
    "text": _text,
    "text_special": _text,
    "softbreak": _newline,
    "hardbreak": _newline,
    "code_inline": _code,
    "math_inline": _math,
    "math_inline_double": _math,
    "strong_open": _open_mark,
    "em_open": _open_mark,
    "s_open": _open_mark,
    "strong_close": _close,
    "em_close": _close,
    "s_close": _close,
    "link_open": _link_open,
    "link_close": _link_close,
    "image": _image,
    "html_inline": _html,
}

__all__ = ["inline_tokens_to_rich_text", "markdown_to_rich_text"]
