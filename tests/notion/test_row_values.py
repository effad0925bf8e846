"""row_values: upsert keys and "would this update change the row", across the sent and the answered
shape of each property value (the whole upsert is tested through the server in
tests/tools/test_upsert_values.py; these pin the per-type rules it rests on)."""

from __future__ import annotations

from typing import Any

import pytest

from notion_mcp.notion.row_values import COMPARABLE, key_of, plain_text, same_values

PLAIN = {"bold": False, "italic": False, "strikethrough": False, "underline": False, "code": False,
         "color": "default"}  # fmt: skip


def sent(text: str, **marks: Any) -> dict[str, Any]:
    item: dict[str, Any] = {"type": "text", "text": {"content": text}}
    if marks:
        item["annotations"] = marks
    return item


def answered(text: str, link: str | None = None, **marks: Any) -> dict[str, Any]:
    return {
        "type": "text",
        "text": {"content": text, "link": {"url": link} if link else None},
        "annotations": {**PLAIN, **marks},
        "plain_text": text,
        "href": link,
    }


def row(kind: str, value: Any) -> dict[str, Any]:
    return {"id": "r", "properties": {"P": {"id": "x", "type": kind, kind: value}}}


def unchanged(kind: str, wanted: Any, have: Any) -> bool:
    return same_values({"properties": {"P": {kind: wanted}}}, row(kind, have))


def test_plain_text_reads_both_shapes_and_skips_what_is_not_an_item() -> None:
    assert plain_text([sent("a"), answered("b"), "junk", {"type": "text"}]) == "ab"
    assert plain_text([{"plain_text": "", "text": {"content": "stale"}}]) == ""  # the answer's text wins
    assert plain_text(None) == ""


@pytest.mark.parametrize(
    ("kind", "wanted", "have"),
    [
        ("title", [sent("Ada")], [answered("Ada")]),
        ("rich_text", [sent("a"), sent("b", bold=True)], [answered("a"), answered("b", bold=True)]),
        ("rich_text", [sent("ab")], [answered("a"), answered("b")]),  # neighbours with one style merge
        ("rich_text", [sent("x", color="default")], [answered("x")]),
        (
            "rich_text",
            [{"type": "text", "text": {"content": "l", "link": {"url": "u"}}}],
            [answered("l", "u")],
        ),
        (
            "rich_text",
            [{"type": "equation", "equation": {"expression": "x"}}],
            [{"type": "equation", "equation": {"expression": "x"}, "plain_text": "x", "annotations": PLAIN}],
        ),
        ("title", [{"text": {"content": "Ada"}}], [answered("Ada")]),  # "type" left out when sending
        ("rich_text", ["junk", sent("a"), None, sent("b")], [answered("ab")]),
        (
            "rich_text",
            [{"type": "mention", "plain_text": "@Ada"}],
            [{"type": "mention", "plain_text": "@Ada"}],
        ),
        ("number", 3, 3.0),
        ("number", 0, 0),
        ("select", {"name": "A"}, {"id": "1", "name": "A", "color": "red"}),
        ("select", None, None),
        ("status", {"name": "Done"}, {"id": "2", "name": "Done", "color": "green"}),
        (
            "multi_select",
            [{"name": "x"}, {"name": "y"}],
            [{"id": "3", "name": "y"}, {"id": "4", "name": "x"}],
        ),
        ("checkbox", False, False),
        ("date", {"start": "2026-01-01T10:00:00Z"}, {"start": "2026-01-01T10:00:00.000+00:00", "end": None}),
        ("date", {"start": "2026-01-01"}, {"start": "2026-01-01", "end": None, "time_zone": None}),
        ("date", None, None),
        ("url", "", None),
        ("email", "a@b.c", "a@b.c"),
        ("phone_number", None, ""),
        ("people", [{"id": "aaaa-bbbb"}], [{"object": "user", "id": "aaaabbbb"}]),
        ("relation", [{"id": "1"}, {"id": "2"}, "junk"], [{"id": "2"}, {"id": "1"}]),
    ],
)
def test_a_value_equal_to_the_rows_in_another_form_is_unchanged(kind: str, wanted: Any, have: Any) -> None:
    assert unchanged(kind, wanted, have)


@pytest.mark.parametrize(
    ("kind", "wanted", "have"),
    [
        ("title", [sent("Ada")], [answered("Bob")]),
        ("rich_text", [sent("b", bold=True)], [answered("b")]),
        ("rich_text", [sent("b")], [answered("b", italic=True)]),
        ("rich_text", [sent("b", color="red")], [answered("b")]),
        ("rich_text", [sent("ab")], [answered("a"), answered("b", code=True)]),
        ("rich_text", [sent("l")], [answered("l", "u")]),
        (
            "rich_text",
            [{"type": "equation", "equation": {"expression": "x"}}],
            [{"type": "equation", "equation": {"expression": "y"}, "plain_text": "y"}],
        ),
        (
            "rich_text",
            [{"type": "mention", "plain_text": "@Ada"}],
            [{"type": "mention", "plain_text": "@Bob"}],
        ),
        ("number", 2.5, 2),
        ("number", 0, None),
        ("select", {"name": "A"}, {"name": "B"}),
        ("status", {"name": "A"}, None),
        ("multi_select", [{"name": "x"}], [{"name": "x"}, {"name": "y"}]),
        ("checkbox", True, False),
        ("date", {"start": "2026-01-01T10:00:00Z"}, {"start": "2026-01-01T11:00:00Z"}),
        ("date", {"start": "2026-01-01", "end": "2026-01-02"}, {"start": "2026-01-01", "end": "2026-01-03"}),
        ("date", {"start": "soon"}, {"start": "later"}),
        ("date", {"start": "2026-01-01"}, None),
        ("url", "https://a", "https://b"),
        ("email", "a@b.c", None),
        ("phone_number", "1", "2"),
        ("people", [{"id": "aaaa"}], [{"id": "bbbb"}]),
        ("relation", [{"id": "1"}], [{"id": "1"}, {"id": "2"}]),
    ],
)
def test_a_different_value_is_a_change(kind: str, wanted: Any, have: Any) -> None:
    assert not unchanged(kind, wanted, have)


def test_an_update_is_sent_when_it_cannot_be_compared() -> None:
    current = {"properties": {"N": {"type": "number", "number": 1}, "F": {"type": "files", "files": []}}}
    assert same_values({"properties": {"N": {"number": 1}}}, current)
    assert same_values({}, current)
    assert not same_values({"properties": {"N": {"number": 1}}, "icon": None}, current)  # not compared
    assert not same_values({"properties": {"F": {"files": []}}}, current)  # a type without a rule
    assert not same_values({"properties": {"X": {"number": 1}}}, current)  # not on the row
    assert not same_values({"properties": {"N": {"select": {"name": "1"}}}}, current)  # another type
    assert not same_values({"properties": {"N": 1}}, current)
    assert not same_values({"properties": {"N": {"number": 1}, "M": {"number": 2}}}, current)
    assert not same_values({"properties": {"N": {"number": 2}}}, {"properties": None} | current)
    assert set(COMPARABLE) >= {"title", "rich_text", "number", "select", "status", "multi_select", "date",
                               "checkbox", "url", "email", "phone_number", "people", "relation"}  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "prop", "key"),
    [
        ("title", {"title": [sent("Ada "), sent("L")]}, "Ada L"),
        ("title", {"title": [answered("Ada")], "type": "title", "id": "title"}, "Ada"),
        ("rich_text", {"rich_text": [answered("r")]}, "r"),
        ("number", {"number": 4.0}, 4),
        ("number", {"number": 0}, 0),  # zero is a key, not "empty"
        ("email", {"email": "a@b.c"}, "a@b.c"),
        ("url", {"url": "https://x"}, "https://x"),
        ("phone_number", {"phone_number": "+1"}, "+1"),
        ("unique_id", {"unique_id": {"prefix": "T", "number": 7}}, 7),
        ("unique_id", {"unique_id": 7}, 7),
        ("title", {"title": []}, None),
        ("email", {"email": ""}, None),
        ("number", {"number": None}, None),
        ("select", {"select": {"name": "A"}}, None),  # not a key type
        ("title", "Ada", None),
        ("title", None, None),
    ],
)
def test_the_key_of_a_value_in_either_shape(kind: str, prop: Any, key: Any) -> None:
    assert key_of(kind, prop) == key
    assert type(key_of(kind, prop)) is type(key)
