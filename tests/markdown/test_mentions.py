"""Every kind of mention reads as its own tag and writes back as Notion's request form.

Examples with the expected markdown and objects written out (not computed by the code under test):
the ID dashed, the fields Notion adds to an answer (names, titles, `null` ends) dropped.
"""

from __future__ import annotations

from typing import Any

import pytest

from notion_mcp.markdown import (
    markdown_to_blocks,
    markdown_to_rich_text,
    normalize_blocks,
    rich_text_to_markdown,
)
from notion_mcp.markdown.errors import MarkdownError

UNDASHED = "0123456789abcdef0123456789abcdef"
DASHED = "01234567-89ab-cdef-0123-456789abcdef"


def _mention(kind: str, value: Any, plain_text: str = "") -> dict[str, Any]:
    return {"type": "mention", "mention": {"type": kind, kind: value}, "plain_text": plain_text}


# (mention as Notion answers it, its markdown, the mention written back)
CASES: list[tuple[dict[str, Any], str, dict[str, Any]]] = [
    (
        _mention("page", {"id": UNDASHED}, "Plan"),
        f'<mention-page url="{UNDASHED}">Plan</mention-page>',
        {"type": "page", "page": {"id": DASHED}},
    ),
    (
        _mention("database", {"id": UNDASHED}),
        f'<mention-database url="{UNDASHED}"/>',
        {"type": "database", "database": {"id": DASHED}},
    ),
    (
        _mention("user", {"id": UNDASHED, "object": "user", "name": "Ann"}, "@Ann"),
        f'<mention-user url="user://{UNDASHED}">@Ann</mention-user>',
        {"type": "user", "user": {"id": DASHED}},
    ),
    (
        _mention("date", {"start": "2026-01-02T10:00:00", "end": None, "time_zone": "Europe/Paris"}, "Jan 2"),
        '<mention-date start="2026-01-02T10:00:00" time_zone="Europe/Paris"/>',
        {"type": "date", "date": {"start": "2026-01-02T10:00:00", "time_zone": "Europe/Paris"}},
    ),
    (
        _mention("date", {"start": "2026-01-02", "end": "2026-01-05"}),
        '<mention-date start="2026-01-02" end="2026-01-05"/>',
        {"type": "date", "date": {"start": "2026-01-02", "end": "2026-01-05"}},
    ),
    (
        _mention("link_preview", {"url": "https://x.test/a"}, "x"),
        '<mention-link-preview url="https://x.test/a">x</mention-link-preview>',
        {"type": "link_preview", "link_preview": {"url": "https://x.test/a"}},
    ),
    (
        _mention("link_mention", {"url": "https://x.test/b", "title": "B"}, "B"),
        '<mention-link-mention url="https://x.test/b">B</mention-link-mention>',
        {"type": "link_mention", "link_mention": {"url": "https://x.test/b"}},
    ),
    (
        _mention(
            "template_mention", {"type": "template_mention_date", "template_mention_date": "today"}, "@Today"
        ),
        '<mention-template type="template_mention_date" value="today">@Today</mention-template>',
        {
            "type": "template_mention",
            "template_mention": {"type": "template_mention_date", "template_mention_date": "today"},
        },
    ),
    (
        _mention("custom_emoji", {"id": UNDASHED, "name": "party", "url": "https://x.test/e.png"}, ":party:"),
        f'<mention-custom-emoji id="{DASHED}">:party:</mention-custom-emoji>',
        {"type": "custom_emoji", "custom_emoji": {"id": DASHED}},
    ),
]
PLAIN = {  # the annotations of unstyled text, as Notion writes them out
    "bold": False,
    "italic": False,
    "strikethrough": False,
    "underline": False,
    "code": False,
    "color": "default",
}


@pytest.mark.parametrize(
    ("item", "markdown", "mention"), CASES, ids=[c[2]["type"] + str(i) for i, c in enumerate(CASES)]
)
def test_a_mention_reads_as_its_tag_and_writes_back_as_notions_form(
    item: dict[str, Any], markdown: str, mention: dict[str, Any]
) -> None:
    assert rich_text_to_markdown([item]) == markdown
    written = [{"type": "mention", "mention": mention, "annotations": PLAIN}]
    assert markdown_to_rich_text(markdown) == written
    block = {"type": "paragraph", "paragraph": {"rich_text": [item]}}
    assert normalize_blocks([block]) == [
        {"type": "paragraph", "paragraph": {"rich_text": written, "color": "default"}}
    ]


def test_a_mention_of_a_kind_this_server_does_not_know_stays_visible() -> None:
    item = _mention("future_kind", {"a": 1}, "Soon")
    assert rich_text_to_markdown([item]) == '<mention type="future_kind">Soon</mention>'


def test_a_user_mention_may_carry_its_id_in_an_id_attribute_and_a_template_defaults_to_today() -> None:
    (item,) = markdown_to_rich_text(f'<mention-user id="{UNDASHED}"/>')
    assert item["mention"] == {"type": "user", "user": {"id": DASHED}}
    (item,) = markdown_to_rich_text("<mention-template/>")
    assert item["mention"] == {
        "type": "template_mention",
        "template_mention": {"type": "template_mention_date", "template_mention_date": "today"},
    }


@pytest.mark.parametrize(
    ("tag", "reason"),
    [
        ("<mention-page>x</mention-page>", '<mention-page> needs url="…" holding the page ID'),
        ('<mention-user url="nobody"/>', '<mention-user> needs url="…" holding the user ID'),
        ('<mention-date end="2026-01-02"/>', '<mention-date> needs start="YYYY-MM-DD"'),
    ],
)
def test_a_mention_missing_what_it_points_at_is_refused_naming_the_line(tag: str, reason: str) -> None:
    with pytest.raises(MarkdownError) as caught:
        markdown_to_blocks(f"first\n\nsecond {tag}")
    assert (caught.value.reason, caught.value.line) == (reason, 3)
