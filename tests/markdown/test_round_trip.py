"""markdown_to_blocks(blocks_to_markdown(b)) == normalize_blocks(b) for every supported construct."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from notion_mcp.markdown import (
    RENDERERS,
    MarkdownError,
    blocks_to_markdown,
    markdown_to_blocks,
    markdown_to_rich_text,
    normalize_blocks,
    rich_text_to_markdown,
)

PAGE = "0123456789abcdef0123456789abcdef"
USER = "00000000-0000-4000-8000-0000000000fa"


def t(content: str, **annots: Any) -> dict[str, Any]:
    link = annots.pop("link", None)
    return {
        "type": "text",
        "text": {"content": content, "link": {"url": link} if link else None},
        "annotations": annots,
    }


def b(kind: str, kids: list[dict[str, Any]] | None = None, **value: Any) -> dict[str, Any]:
    if kids:
        value["children"] = kids
    return {"type": kind, kind: value}


def para(s: str, kids: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return b("paragraph", kids, rich_text=[t(s)])


EVERY_TYPE = [
    b("heading_1", rich_text=[t("One")]),
    b("heading_2", rich_text=[t("Two")], color="red"),
    b("heading_3", [para("inside")], rich_text=[t("Three")], is_toggleable=True),
    b("heading_4", rich_text=[t("Four")]),
    para("plain", [para("child")]),
    b("paragraph", rich_text=[], color="blue"),
    b("bulleted_list_item", [b("numbered_list_item", rich_text=[t("n")])], rich_text=[t("bullet")]),
    b("numbered_list_item", rich_text=[t("first")]),
    b("numbered_list_item", rich_text=[t("second")], color="gray_background"),
    b("to_do", rich_text=[t("done")], checked=True),
    b("to_do", rich_text=[], checked=False),
    b("quote", [para("quoted child")], rich_text=[t("a\nquote")]),
    b("toggle", [para("hidden")], rich_text=[t("toggle ", bold=True), t("me")], color="orange"),
    b("callout", [para("more")], rich_text=[t("note")], icon={"type": "emoji", "emoji": "💡"}, color="gray"),
    b("code", rich_text=[t("print(1)\n```\nx")], language="python", caption=[t("cap")]),
    b("code", rich_text=[t("a")], language="llvm ir"),
    b("equation", expression="E = mc^2"),
    b("divider"),
    b("breadcrumb"),
    b("table_of_contents", color="pink"),
    b("column_list", [b("column", [para("left")]), b("column", [para("right")], width_ratio=0.25)]),
    b(
        "table",
        [b("table_row", cells=[[t("a|b")], [t("c", bold=True)]]), b("table_row", cells=[[t("1")], []])],
        table_width=2,
        has_column_header=False,
        has_row_header=True,
    ),
    b("tab", [para("Tab one", [para("content")]), para("Tab two")]),
    b("synced_block", [para("shared")], synced_from=None),
    b("synced_block", synced_from={"type": "block_id", "block_id": PAGE}),
    b("template", [para("t")], rich_text=[t("Add item")]),
    b("child_page", title="Sub page"),
    b("child_database", title="Tasks"),
    b("link_to_page", type="page_id", page_id=PAGE),
    b("link_to_page", type="database_id", database_id=PAGE),
    b("image", type="external", external={"url": "https://x.test/a b.png"}, caption=[t("pic", italic=True)]),
    b("image", type="file_upload", file_upload={"id": PAGE}, caption=[]),
    b("video", type="external", external={"url": "https://youtu.be/x"}, caption=[]),
    b("audio", type="external", external={"url": "https://x.test/a.mp3"}, caption=[t("song")]),
    b("pdf", type="external", external={"url": "https://x.test/a.pdf"}, caption=[]),
    b("file", type="external", external={"url": "https://x.test/r.txt"}, caption=[], name="r.txt"),
    b("embed", url="https://x.test/e", caption=[]),
    b("bookmark", url="https://x.test/b?a=1&b=2", caption=[t("site")]),
]

RICH = [
    t("bold", bold=True),
    t(" italic", italic=True),
    t(" strike", strikethrough=True),
    t(" under", underline=True),
    t(" code", code=True),
    t(" red", color="red"),
    t(" link", link="https://example.com/a_(b)"),
    {"type": "equation", "equation": {"expression": "x^2"}},
    {"type": "mention", "mention": {"type": "page", "page": {"id": PAGE}}},
    {"type": "mention", "mention": {"type": "user", "user": {"id": USER}}},
    {"type": "mention", "mention": {"type": "database", "database": {"id": PAGE}}},
    {"type": "mention", "mention": {"type": "date", "date": {"start": "2026-01-02", "end": "2026-01-03"}}},
    t(" *not* `md` <tag> $5 | # [x] _y_ {a} ^b &amp; \\ end"),
]


def test_every_block_type_survives_the_round_trip() -> None:
    markdown = blocks_to_markdown(EVERY_TYPE)
    assert markdown_to_blocks(markdown) == normalize_blocks(EVERY_TYPE), markdown


def test_every_block_type_in_notion_api_md_has_a_renderer() -> None:
    documented = {
        "paragraph", "heading_1", "heading_2", "heading_3", "heading_4", "bulleted_list_item",
        "numbered_list_item", "to_do", "toggle", "quote", "callout", "code", "equation", "divider",
        "breadcrumb", "table_of_contents", "column_list", "column", "table", "table_row", "tab",
        "synced_block", "template", "child_page", "child_database", "link_to_page", "link_preview",
        "image", "video", "pdf", "file", "audio", "embed", "bookmark",
    }  # fmt: skip
    assert documented <= set(RENDERERS)


def test_every_annotation_and_mention_survives_the_round_trip() -> None:
    blocks = [b("paragraph", rich_text=RICH)]
    assert markdown_to_blocks(blocks_to_markdown(blocks)) == normalize_blocks(blocks)
    assert (
        markdown_to_rich_text(rich_text_to_markdown(RICH))
        == normalize_blocks(blocks)[0]["paragraph"]["rich_text"]
    )


def test_unknown_and_unsupported_blocks_render_a_visible_placeholder() -> None:
    blocks = [
        {"type": "unsupported", "id": PAGE, "unsupported": {"block_type": "button"}},
        {"type": "meeting_notes", "id": PAGE, "meeting_notes": {}},
    ]
    markdown = blocks_to_markdown(blocks)
    assert f'<unsupported type="button" id="{PAGE}"/>' in markdown
    assert f'<unsupported type="meeting_notes" id="{PAGE}"/>' in markdown
    with pytest.raises(MarkdownError, match="line 1"):
        markdown_to_blocks(markdown)


def test_children_not_fetched_are_marked_with_the_block_id() -> None:
    block = {"type": "toggle", "id": PAGE, "has_children": True, "toggle": {"rich_text": [t("x")]}}
    assert f"<!-- children not fetched: {PAGE} -->" in blocks_to_markdown([block])


def test_block_ids_are_short_markers_and_are_ignored_when_parsing() -> None:
    blocks = [dict(blk, id=PAGE) for blk in EVERY_TYPE]
    markdown = blocks_to_markdown(blocks, block_ids=True)
    assert f"bullet ^{PAGE}" in markdown
    assert markdown_to_blocks(markdown) == normalize_blocks(EVERY_TYPE), markdown


def test_notion_hosted_files_are_compact_unless_asked() -> None:
    url = "https://prod-files-secure.s3.us-west-2.amazonaws.com/x/y.png?X-Amz-Signature=abc"
    block = {"type": "image", "id": PAGE, "image": {"type": "file", "file": {"url": url, "expiry_time": "z"}}}
    assert blocks_to_markdown([block]) == f"![](notion-file:{PAGE})\n"
    assert url in blocks_to_markdown([block], file_urls=True)
    with pytest.raises(MarkdownError, match="hosted by Notion"):
        markdown_to_blocks(blocks_to_markdown([block]))


# hypothesis: random block trees ---------------------------------------------------------------

_chars = st.sampled_from(list("abc XYZ019.,;:!?-_*`[]()<>#$|{}^~&\\\"'é💡\n"))
_text = st.text(_chars, min_size=1, max_size=12).filter(lambda s: s.strip() != "")
_annots = st.fixed_dictionaries(
    {
        "bold": st.booleans(),
        "italic": st.booleans(),
        "strikethrough": st.booleans(),
        "underline": st.booleans(),
        "code": st.booleans(),
        "color": st.sampled_from(["default", "red", "blue_background"]),
    }
)


@st.composite
def _item(draw: st.DrawFn) -> dict[str, Any]:
    annots = draw(_annots)
    if draw(st.integers(0, 4)) == 0:  # an inline equation: `$…$`, or the tag form where `$` cannot hold it
        expression = draw(_text).replace("\n", " ")
        return {"type": "equation", "equation": {"expression": expression},
                "annotations": {**annots, "code": False}}  # fmt: skip
    content = draw(_text)
    if annots["code"]:
        content = content.replace("\n", " ").strip() or "c"
    link = draw(st.sampled_from([None, None, "https://e.test/p?q=1"]))
    return t(content, link=link, **annots)


_rich = st.lists(_item(), min_size=1, max_size=5)
_leaf = st.one_of(
    _rich.map(lambda r: b("paragraph", rich_text=r)),
    _rich.map(lambda r: b("heading_2", rich_text=r)),
    st.tuples(_rich, st.booleans()).map(lambda x: b("to_do", rich_text=x[0], checked=x[1])),
    _text.map(lambda s: b("code", rich_text=[t(s)], language="python")),
    st.just(b("divider")),
)


_date = {"type": "mention", "mention": {"type": "date", "date": {"start": "2026-01-02"}},
         "annotations": t("d")["annotations"]}  # fmt: skip
# a container's own text: words, nothing (its children still follow), or one lone inline tag
_own = st.one_of(_rich, _rich, st.just([]), st.just([_date]))


def _tree(children: st.SearchStrategy[list[dict[str, Any]]]) -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(
        st.tuples(_own, children).map(lambda x: b("bulleted_list_item", x[1], rich_text=x[0])),
        st.tuples(_own, children).map(lambda x: b("numbered_list_item", x[1], rich_text=x[0])),
        st.tuples(_own, children).map(lambda x: b("toggle", x[1], rich_text=x[0])),
        st.tuples(_own, children).map(lambda x: b("quote", x[1], rich_text=x[0])),
        st.tuples(_own, children).map(lambda x: b("callout", x[1], rich_text=x[0])),
        st.tuples(_own, children).map(lambda x: b("paragraph", x[1], rich_text=x[0])),
        children.map(lambda kids: b("column_list", [b("column", kids or [b("divider")])])),
    )


_blocks = st.recursive(_leaf, lambda kids: _tree(st.lists(kids, max_size=3)), max_leaves=8)


@settings(max_examples=150, deadline=None)
@given(st.lists(_blocks, min_size=1, max_size=4))
def test_random_block_trees_survive_the_round_trip(blocks: list[dict[str, Any]]) -> None:
    markdown = blocks_to_markdown(blocks)
    assert markdown_to_blocks(markdown) == normalize_blocks(blocks), markdown


def _eq(expression: str) -> dict[str, Any]:
    return {"type": "equation", "equation": {"expression": expression}, "annotations": t("x")["annotations"]}


def _equations_joining_into_a_link(underlined: int) -> list[dict[str, Any]]:
    """Found by hypothesis: as `$…$` text these five read as a link to "0", which is refused."""
    items = [_eq(e) for e in ("0", "0", "0", " [", "](0)")]
    items[underlined] = {
        **items[underlined],
        "annotations": {**items[underlined]["annotations"], "underline": True},
    }
    return items


@pytest.mark.parametrize("underlined", range(5))
def test_equations_whose_dollar_text_joins_into_a_link_take_the_safe_form(underlined: int) -> None:
    items = _equations_joining_into_a_link(underlined)
    expected = normalize_blocks([b("paragraph", rich_text=items)])[0]["paragraph"]["rich_text"]
    assert markdown_to_rich_text(rich_text_to_markdown(items)) == expected


@settings(max_examples=200, deadline=None)
@given(_rich)
@example(_equations_joining_into_a_link(3))
def test_random_rich_text_survives_the_round_trip(items: list[dict[str, Any]]) -> None:
    expected = normalize_blocks([b("paragraph", rich_text=items)])[0]["paragraph"]["rich_text"]
    assert markdown_to_rich_text(rich_text_to_markdown(items)) == expected


def test_a_link_whose_code_text_looks_like_a_reference_definition_stays_a_link() -> None:
    # Found by hypothesis: "[`]:`](url)" at the start of a block read as "[label]: destination".
    item = {
        "type": "text",
        "text": {"content": "]:", "link": {"url": "https://e.test/p?q=1"}},
        "annotations": {"code": True},
    }
    blocks = [{"type": "bulleted_list_item", "bulleted_list_item": {"rich_text": [item]}}]
    assert markdown_to_blocks(blocks_to_markdown(blocks)) == normalize_blocks(blocks)


@pytest.mark.parametrize("before", ["!", "a\\!", "\\\\!"])
def test_an_exclamation_mark_before_a_link_does_not_make_it_an_image(before: str) -> None:
    # Found by hypothesis: "!" then "[0](url)" read back as an image.
    items = [
        {"type": "text", "text": {"content": before, "link": None}},
        {"type": "text", "text": {"content": "0", "link": {"url": "https://e.test/p?q=1"}}},
    ]
    rendered = rich_text_to_markdown(items)
    assert [i["text"]["content"] for i in markdown_to_rich_text(rendered)] == [before, "0"]


@pytest.mark.parametrize(
    "content", ["<!--", "<!---->", "a <!-- b --> c", "<!-- children not fetched: " + "ab" * 16 + " -->"]
)
@pytest.mark.parametrize("kind", ["paragraph", "toggle", "callout", "heading_2"])
def test_text_that_looks_like_an_html_comment_is_kept_as_text(content: str, kind: str) -> None:
    for item in (t(content), t(content, code=True)):
        blocks = [b(kind, rich_text=[t("x "), item])]
        markdown = blocks_to_markdown(blocks)
        assert markdown_to_blocks(markdown) == normalize_blocks(blocks), markdown


@pytest.mark.parametrize(
    "prose",
    ["Prices are $5 and $10", "between $1,000 and $2,000", "set $HOME and $PATH", "paid $20 ($10 each)"],
)
def test_dollar_signs_in_prose_stay_text(prose: str) -> None:
    expected = normalize_blocks([b("paragraph", rich_text=[t(prose)])])[0]["paragraph"]["rich_text"]
    assert markdown_to_rich_text(prose) == expected


DATE = {"type": "mention", "mention": {"type": "date", "date": {"start": "2026-01-02"}},
        "annotations": t("x")["annotations"]}  # fmt: skip


@pytest.mark.parametrize(
    "blocks",
    [
        [b("paragraph", rich_text=[_eq(" x ")])],  # edge spaces: `$ x $` would be text
        [b("paragraph", rich_text=[_eq("x"), t("2")])],  # a digit right after the closing `$`
        [b("paragraph", rich_text=[t("costs 1"), _eq("x")])],  # a digit right before the opening `$`
        [b("paragraph", rich_text=[_eq("a $ b")])],  # a `$` inside
        [b("heading_1", rich_text=[t("Issue #")])],  # " #" would close the heading
        [b("bulleted_list_item", [b("paragraph", rich_text=[t("kid")])], rich_text=[])],
        [b("numbered_list_item", [b("bulleted_list_item", rich_text=[t("c")])], rich_text=[], color="red")],
        [b("quote", [b("paragraph", rich_text=[t("kid")])], rich_text=[], color="red")],
        [b("bulleted_list_item", rich_text=[DATE])],  # a lone inline tag is the item's text
        [b("quote", rich_text=[_eq(" y ")])],
        [b("bulleted_list_item", [b("code", rich_text=[t("0\n ")], language="python")], rich_text=[t("x")])],
        [
            b(
                "table",
                [
                    b(
                        "table_row",
                        cells=[[t("a|b", code=True)], [_eq("|x|")], [t("l", link="https://x.y/?a=1|2")]],
                    )
                ],
                table_width=3,
                has_column_header=False,
                has_row_header=False,
            )
        ],
        [b("image", type="external", external={"url": "https://x.y/?a=1&amp;b=2"}, caption=[])],
        [b("image", type="external", external={"url": "https://x.y/a<b>.png"}, caption=[])],
        [b("heading_2", rich_text=[_eq("a\nb")])],
    ],
    ids=[
        "edge-spaces",
        "digit-after",
        "digit-before",
        "dollar-inside",
        "heading-hash",
        "empty-item",
        "empty-numbered-colour",
        "empty-quote",
        "item-is-a-date",
        "quote-is-an-equation",
        "code-blank-line-in-item",
        "pipes-in-cell-code-equation-url",
        "image-url-entity",
        "image-url-angle",
        "heading-equation-newline",
    ],
)
def test_cases_found_by_property_testing_and_qa_survive_the_round_trip(blocks: list[dict[str, Any]]) -> None:
    markdown = blocks_to_markdown(blocks)
    assert markdown_to_blocks(markdown) == normalize_blocks(blocks), markdown
