"""The sandbox's data source query: filters, sorts and their validation errors.

The recorded Notion answers in ``fixtures/recordings/ultimate-notion/test_query`` are replayed as the
oracle; hand-made rows cover what the recordings do not.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from notion_mcp.sandbox.query import QueryError, apply_query, validate_filter, validate_sorts

RECORDINGS = Path(__file__).parents[1] / "fixtures" / "recordings"

NOW = datetime(2026, 6, 27, 17, 1, 16, tzinfo=UTC)  # a Saturday
USER_A = "00000000-0000-4000-8000-0000000000fa"
USER_B = "00000000-0000-4000-8000-0000000000fb"
PAGE_X = "38c9ce7b-60a4-81df-8195-e1e6a34e4fc4"

TYPES = {
    "Name": "title", "Notes": "rich_text", "Site": "url", "Mail": "email", "Phone": "phone_number",
    "Score": "number", "Done": "checkbox", "Stage": "select", "State": "status", "Tags": "multi_select",
    "Due": "date", "Owner": "people", "Links": "relation", "Created": "created_time",
    "Edited": "last_edited_time", "Author": "created_by", "Editor": "last_edited_by", "Ref": "unique_id",
    "Calc": "formula", "Files": "files", "Roll": "rollup",
}  # fmt: skip
OPTIONS = {"options": [{"name": "Todo"}, {"name": "Doing"}, {"name": "Done"}]}
SCHEMA = {
    name: {
        "id": f"id{i}",
        "name": name,
        "type": ptype,
        ptype: OPTIONS if ptype in ("select", "status") else {},
    }
    for i, (name, ptype) in enumerate(TYPES.items())
}


def _text(value: str) -> list[dict[str, Any]]:
    return [{"type": "text", "text": {"content": value}, "plain_text": value}] if value else []


def _raw(ptype: str, value: Any, page: dict[str, Any]) -> Any:
    makers: dict[str, Any] = {
        "title": _text, "rich_text": _text,
        "select": lambda v: v and {"name": v}, "status": lambda v: v and {"name": v},
        "multi_select": lambda v: [{"name": n} for n in v or []],
        "date": lambda v: v and {"start": v, "end": None},
        "people": lambda v: [{"object": "user", "id": i} for i in v or []],
        "relation": lambda v: [{"id": i} for i in v or []],
        "created_by": lambda v: {"object": "user", "id": v or USER_A},
        "last_edited_by": lambda v: {"object": "user", "id": v or USER_A},
        "created_time": lambda v: page["created_time"],
        "last_edited_time": lambda v: page["last_edited_time"],
        "unique_id": lambda v: {"prefix": "T", "number": v},
        "formula": lambda v: v or {"type": "string", "string": None},
        "files": lambda v: [{"name": n, "type": "external"} for n in v or []],
        "checkbox": bool, "rollup": lambda v: {"type": "number", "number": v},
    }  # fmt: skip
    return makers.get(ptype, lambda v: v)(value)


def row(page_id: str, created: str = "2026-06-01T10:00:00.000Z", **values: Any) -> dict[str, Any]:
    page: dict[str, Any] = {
        "object": "page",
        "id": page_id,
        "created_time": created,
        "last_edited_time": created,
    }
    page["properties"] = {
        name: {"id": SCHEMA[name]["id"], "type": t, t: _raw(t, values.get(name), page)}
        for name, t in TYPES.items()
    }
    return page


def ids(pages: list[dict[str, Any]]) -> list[str]:
    return [p["id"] for p in pages]


def query(rows: list[dict[str, Any]], flt: dict[str, Any] | None = None, sorts: Any = None) -> list[str]:
    return ids(apply_query(rows, SCHEMA, flt, sorts, now=NOW))


def matching(rows: list[dict[str, Any]], name: str, key: str, condition: dict[str, Any]) -> set[str]:
    return set(query(rows, {"property": name, key: condition}))


# ---------------------------------------------------------------- replaying Notion's own answers


def _interactions(name: str) -> list[tuple[dict[str, Any], Any]]:
    data = yaml.safe_load((RECORDINGS / "ultimate-notion" / "test_query" / name).read_text())
    out = []
    for item in data["interactions"]:
        body = item["response"].get("content") or "{}"
        out.append((item["request"], json.loads(body) if body.startswith("{") else {}))
    return out


def _replay(name: str) -> list[tuple[dict[str, Any], list[str], list[str]]]:
    """(request body, Notion's result ids, ours) for every recorded query with a filter or sorts."""
    schema: dict[str, Any] = {}
    pages: dict[str, dict[str, Any]] = {}
    checks = []
    for request, response in _interactions(name):
        if response.get("object") == "data_source":
            schema = response["properties"]
        if request["method"] == "POST" and request["uri"].endswith("/v1/pages"):
            pages[response["id"]] = response
        for result in response.get("results", []):
            pages[result["id"]] = result
        body = json.loads(request["body"] or "{}")
        if request["uri"].endswith("/query") and ("filter" in body or "sorts" in body):
            ours = apply_query(list(pages.values()), schema, body.get("filter"), body.get("sorts"), now=NOW)
            checks.append((body, ids(response["results"]), ids(ours)))
    return checks


RECORDED = [
    "test_text_query.yaml", "test_select_query.yaml", "test_number_query.yaml",
    "test_people_relation_query.yaml", "test_files_checkbox_query.yaml", "test_date_query.yaml",
    "test_query_new_task_db.yaml",
]  # fmt: skip


@pytest.mark.parametrize("recording", RECORDED)
def test_every_recorded_query_returns_the_same_pages_in_the_same_order_as_notion(recording: str) -> None:
    checks = _replay(recording)
    assert len(checks) >= 3
    for body, notion, ours in checks:
        assert ours == notion, body


# ---------------------------------------------------------------- conditions per property type

TEXT_ROWS = [
    row(
        "john",
        Name="John Doe",
        Notes="John Doe",
        Site="https://john.doe.com",
        Mail="john@x.io",
        Phone="555-1",
    ),
    row("jane", Name="Jane Doe", Notes="jane", Site="https://jane.de", Mail="JANE@x.io", Phone="555-2"),
    row("none"),
]


@pytest.mark.parametrize(
    ("name", "key", "condition", "expected"),
    [
        ("Name", "title", {"equals": "John Doe"}, {"john"}),
        ("Name", "title", {"equals": "john doe"}, set()),
        ("Name", "title", {"does_not_equal": "John Doe"}, {"jane", "none"}),
        ("Name", "title", {"contains": "DOE"}, {"john", "jane"}),
        ("Name", "title", {"does_not_contain": "doe"}, {"none"}),
        ("Name", "title", {"starts_with": "ja"}, {"jane"}),
        ("Name", "title", {"ends_with": "DOE"}, {"john", "jane"}),
        ("Name", "title", {"is_empty": True}, {"none"}),
        ("Name", "title", {"is_not_empty": True}, {"john", "jane"}),
        ("Notes", "rich_text", {"contains": "JANE"}, {"jane"}),
        ("Site", "url", {"ends_with": ".de"}, {"jane"}),
        ("Mail", "email", {"starts_with": "jane@"}, {"jane"}),
        ("Phone", "phone_number", {"is_empty": True}, {"none"}),
        ("Name", "rich_text", {"contains": "john"}, {"john"}),
        ("Site", "title", {"contains": "john"}, {"john"}),
    ],
)
def test_text_conditions_ignore_case_except_equality_and_negations_include_empty_values(
    name: str, key: str, condition: dict[str, Any], expected: set[str]
) -> None:
    assert matching(TEXT_ROWS, name, key, condition) == expected


NUMBER_ROWS = [
    row("one", Score=1, Ref=1),
    row("two", Score=2.5, Ref=2),
    row("big", Score=42, Ref=3),
    row("none"),
]


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"equals": 42}, {"big"}),
        ({"does_not_equal": 42}, {"one", "two", "none"}),
        ({"greater_than": 1}, {"two", "big"}),
        ({"greater_than_or_equal_to": 1}, {"one", "two", "big"}),
        ({"less_than": 42}, {"one", "two"}),
        ({"less_than_or_equal_to": 2.5}, {"one", "two"}),
        ({"is_empty": True}, {"none"}),
        ({"is_not_empty": True}, {"one", "two", "big"}),
    ],
)
def test_number_conditions_compare_values_and_never_match_an_empty_number_except_negations(
    condition: dict[str, Any], expected: set[str]
) -> None:
    assert matching(NUMBER_ROWS, "Score", "number", condition) == expected


def test_unique_id_filters_compare_the_number_part() -> None:
    assert matching(NUMBER_ROWS, "Ref", "unique_id", {"greater_than": 1}) == {"two", "big"}
    assert matching(NUMBER_ROWS, "Ref", "unique_id", {"is_empty": True}) == {"none"}


def test_checkbox_equals_and_does_not_equal_split_the_rows_in_two() -> None:
    rows = [row("on", Done=True), row("off", Done=False)]
    assert matching(rows, "Done", "checkbox", {"equals": True}) == {"on"}
    assert matching(rows, "Done", "checkbox", {"does_not_equal": True}) == {"off"}
    assert matching(rows, "Done", "checkbox", {"equals": False}) == {"off"}


CHOICE_ROWS = [
    row("todo", Stage="Todo", State="Todo", Tags=["a", "b"]),
    row("done", Stage="Done", State="Done", Tags=["b"]),
    row("none"),
]


@pytest.mark.parametrize(
    ("name", "key", "condition", "expected"),
    [
        ("Stage", "select", {"equals": "Done"}, {"done"}),
        ("Stage", "select", {"equals": "done"}, set()),
        ("Stage", "select", {"does_not_equal": "Done"}, {"todo", "none"}),
        ("Stage", "select", {"is_empty": True}, {"none"}),
        ("State", "status", {"equals": "Todo"}, {"todo"}),
        ("State", "status", {"is_not_empty": True}, {"todo", "done"}),
        ("Tags", "multi_select", {"contains": "a"}, {"todo"}),
        ("Tags", "multi_select", {"does_not_contain": "a"}, {"done", "none"}),
        ("Tags", "multi_select", {"is_empty": True}, {"none"}),
    ],
)
def test_select_status_and_multi_select_conditions_match_option_names(
    name: str, key: str, condition: dict[str, Any], expected: set[str]
) -> None:
    assert matching(CHOICE_ROWS, name, key, condition) == expected


ID_ROWS = [
    row("mine", Owner=[USER_A], Links=[PAGE_X], Editor=USER_B),
    row("theirs", Owner=[USER_B], Links=[]),
    row("nobody"),
]


@pytest.mark.parametrize(
    ("name", "key", "condition", "expected"),
    [
        ("Owner", "people", {"contains": USER_A}, {"mine"}),
        ("Owner", "people", {"contains": USER_A.replace("-", "").upper()}, {"mine"}),
        ("Owner", "people", {"does_not_contain": USER_A}, {"theirs", "nobody"}),
        ("Owner", "people", {"is_empty": True}, {"nobody"}),
        ("Links", "relation", {"contains": PAGE_X}, {"mine"}),
        ("Links", "relation", {"is_not_empty": True}, {"mine"}),
        ("Author", "created_by", {"contains": USER_A}, {"mine", "theirs", "nobody"}),
        ("Editor", "last_edited_by", {"does_not_contain": USER_B}, {"theirs", "nobody"}),
    ],
)
def test_people_relation_and_author_filters_match_ids_with_or_without_dashes(
    name: str, key: str, condition: dict[str, Any], expected: set[str]
) -> None:
    assert matching(ID_ROWS, name, key, condition) == expected


def test_files_filters_only_ask_whether_there_are_files() -> None:
    rows = [row("with", Files=["a.pdf"]), row("without")]
    assert matching(rows, "Files", "files", {"is_empty": True}) == {"without"}
    assert matching(rows, "Files", "files", {"is_not_empty": True}) == {"with"}


DATE_ROWS = [
    row("today", Due="2026-06-27T18:01:00.000+01:00"),
    row("monday", Due="2026-06-22"),
    row("last_sat", Due="2026-06-20"),
    row("may", Due="2026-05-27"),
    row("soon", Due="2026-07-04"),
    row("later", Due="2027-06-27"),
    row("none"),
]


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"equals": "2026-06-27"}, {"today"}),
        ({"equals": "2026-06-27T17:01:59Z"}, {"today"}),
        ({"before": "2026-06-27T18:01:30+01:00"}, {"monday", "last_sat", "may"}),
        ({"on_or_before": "2026-06-22"}, {"monday", "last_sat", "may"}),
        ({"after": "2026-07-04"}, {"later"}),
        ({"on_or_after": "2026-07-04T00:00:00"}, {"soon", "later"}),
        ({"this_week": {}}, {"today", "monday"}),
        ({"past_week": {}}, {"today", "monday", "last_sat"}),
        ({"past_month": {}}, {"today", "monday", "last_sat", "may"}),
        ({"next_week": {}}, {"today", "soon"}),
        ({"next_year": {}}, {"today", "soon", "later"}),
        ({"is_empty": True}, {"none"}),
    ],
)
def test_date_conditions_compare_days_for_bare_dates_minutes_otherwise_and_windows_include_today(
    condition: dict[str, Any], expected: set[str]
) -> None:
    assert matching(DATE_ROWS, "Due", "date", condition) == expected


def test_past_month_clamps_to_the_last_day_of_a_shorter_month() -> None:
    rows = [row("feb28", Due="2026-02-28"), row("feb27", Due="2026-02-27")]
    march_31 = datetime(2026, 3, 31, 12, tzinfo=UTC)
    assert ids(
        apply_query(rows, SCHEMA, {"property": "Due", "date": {"past_month": {}}}, None, now=march_31)
    ) == ["feb28"]


def test_a_naive_now_is_taken_as_utc() -> None:
    flt = {"property": "Due", "date": {"this_week": {}}}
    naive = datetime(2026, 6, 27, 17, 1)
    assert set(ids(apply_query(DATE_ROWS, SCHEMA, flt, None, now=naive))) == {"today", "monday"}


def test_timestamp_filters_and_timestamp_properties_read_the_page_times() -> None:
    rows = [row("old", created="2026-01-01T00:00:00.000Z"), row("new", created="2026-06-27T09:00:00.000Z")]
    stamp = {"timestamp": "created_time", "created_time": {"after": "2026-06-01"}}
    assert query(rows, stamp) == ["new"]
    assert matching(rows, "Edited", "last_edited_time", {"before": "2026-02-01"}) == {"old"}
    assert matching(rows, "Created", "created_time", {"this_week": {}}) == {"new"}


FORMULA_ROWS = [
    row("s", Calc={"type": "string", "string": "Item 1"}),
    row("n", Calc={"type": "number", "number": 7}),
    row("b", Calc={"type": "boolean", "boolean": True}),
    row("d", Calc={"type": "date", "date": {"start": "2024-11-25T14:08:00.000+00:00", "end": None}}),
]


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"string": {"contains": "item"}}, {"s"}),
        ({"string": {"is_empty": True}}, {"n", "b", "d"}),
        ({"number": {"greater_than": 5}}, {"n"}),
        ({"checkbox": {"equals": True}}, {"b"}),
        ({"date": {"on_or_after": "2024-11-23"}}, {"d"}),
    ],
)
def test_formula_filters_test_the_result_of_the_named_type_and_treat_other_results_as_empty(
    condition: dict[str, Any], expected: set[str]
) -> None:
    assert matching(FORMULA_ROWS, "Calc", "formula", condition) == expected


def test_a_property_can_be_named_by_its_id_and_the_optional_type_field_is_accepted() -> None:
    assert query(
        NUMBER_ROWS, {"property": SCHEMA["Score"]["id"], "type": "number", "number": {"equals": 1}}
    ) == ["one"]


# ---------------------------------------------------------------- compound filters

COMPOUND_ROWS = [
    row("a", Score=1, Done=True, Stage="Todo"),
    row("b", Score=2, Done=False, Stage="Done"),
    row("c", Score=3, Done=True, Stage="Done"),
]


def test_and_needs_every_part_and_or_needs_one() -> None:
    done = {"property": "Done", "checkbox": {"equals": True}}
    big = {"property": "Score", "number": {"greater_than": 1}}
    assert set(query(COMPOUND_ROWS, {"and": [done, big]})) == {"c"}
    assert set(query(COMPOUND_ROWS, {"or": [done, big]})) == {"a", "b", "c"}
    assert set(query(COMPOUND_ROWS, {"and": []})) == {"a", "b", "c"}
    assert query(COMPOUND_ROWS, {"or": []}) == []


def test_compound_filters_nest_two_levels() -> None:
    done_but_unchecked = {
        "and": [
            {"property": "Stage", "select": {"equals": "Done"}},
            {"property": "Done", "checkbox": {"equals": False}},
        ]
    }
    flt = {"or": [done_but_unchecked, {"property": "Score", "number": {"equals": 1}}]}
    assert set(query(COMPOUND_ROWS, flt)) == {"a", "b"}


# ---------------------------------------------------------------- sorting

SORT_ROWS = [
    row("apple", created="2026-06-01T00:00:00.000Z", Name="apple", Score=2, Stage="Done", Due="2026-01-02"),
    row("Banana", created="2026-06-02T00:00:00.000Z", Name="Banana", Score=1, Stage="Todo"),
    row(
        "cherry", created="2026-06-03T00:00:00.000Z", Name="cherry", Score=2, Stage="Doing", Due="2026-01-01"
    ),
    row("blank", created="2026-06-04T00:00:00.000Z"),
]


def test_without_sorts_the_newest_page_comes_first_and_equal_times_put_later_rows_first() -> None:
    assert query(SORT_ROWS) == ["blank", "cherry", "Banana", "apple"]
    same_time = [row("first"), row("second"), row("third")]
    assert query(same_time) == ["third", "second", "first"]


def test_title_sorts_ignore_case_and_put_empty_titles_last_in_both_directions() -> None:
    assert query(SORT_ROWS, sorts=[{"property": "Name", "direction": "ascending"}]) == [
        "apple", "Banana", "cherry", "blank"
    ]  # fmt: skip
    assert query(SORT_ROWS, sorts=[{"property": "Name", "direction": "descending"}]) == [
        "cherry", "Banana", "apple", "blank"
    ]  # fmt: skip


def test_later_sort_keys_break_ties_of_earlier_ones() -> None:
    sorts = [
        {"property": "Score", "direction": "descending"},
        {"property": "Name", "direction": "descending"},
    ]
    assert query(SORT_ROWS, sorts=sorts) == ["cherry", "apple", "Banana", "blank"]
    sorts[1]["direction"] = "ascending"
    assert query(SORT_ROWS, sorts=sorts) == ["apple", "cherry", "Banana", "blank"]


def test_ties_on_every_sort_key_keep_the_default_newest_first_order() -> None:
    assert query(SORT_ROWS, sorts=[{"property": "Score", "direction": "ascending"}]) == [
        "Banana", "cherry", "apple", "blank"
    ]  # fmt: skip


def test_select_sorts_follow_the_option_order_of_the_schema_and_dates_sort_chronologically() -> None:
    assert query(SORT_ROWS, sorts=[{"property": "Stage", "direction": "ascending"}]) == [
        "Banana", "cherry", "apple", "blank"
    ]  # fmt: skip
    assert query(SORT_ROWS, sorts=[{"property": "Due", "direction": "ascending"}]) == [
        "cherry", "apple", "blank", "Banana"
    ]  # fmt: skip


def test_timestamp_sorts_order_by_page_times() -> None:
    assert query(SORT_ROWS, sorts=[{"timestamp": "created_time", "direction": "ascending"}]) == [
        "apple", "Banana", "cherry", "blank"
    ]  # fmt: skip


def test_sorts_do_not_change_which_pages_a_filter_keeps() -> None:
    flt = {"property": "Score", "number": {"is_not_empty": True}}
    sorted_ids = query(SORT_ROWS, flt, [{"property": "Name", "direction": "ascending"}])
    assert sorted_ids == ["apple", "Banana", "cherry"]


# ---------------------------------------------------------------- validation errors


def _error(flt: Any) -> str:
    with pytest.raises(QueryError) as caught:
        validate_filter(flt, SCHEMA)
    return str(caught.value)


def test_an_unknown_property_is_an_error_naming_the_valid_properties() -> None:
    message = _error({"property": "Nope", "number": {"equals": 1}})
    assert "Nope" in message and "Score" in message and "Name" in message


def test_a_condition_the_type_does_not_have_is_an_error_naming_the_allowed_conditions() -> None:
    message = _error({"property": "Done", "checkbox": {"contains": "x"}})
    assert "`equals`" in message and "`does_not_equal`" in message and "contains" in message


def test_a_filter_key_that_does_not_match_the_property_type_is_an_error() -> None:
    assert "`number` filter" in _error({"property": "Name", "number": {"equals": 1}})
    assert "Use `select`" in _error({"property": "Stage", "status": {"equals": "Done"}})


@pytest.mark.parametrize(
    ("flt", "fragment"),
    [
        ({"property": "Score", "number": {"equals": "5"}}, "should be a number"),
        ({"property": "Score", "number": {"equals": True}}, "should be a number"),
        ({"property": "Done", "checkbox": {"equals": "true"}}, "should be a boolean"),
        ({"property": "Name", "title": {"contains": 3}}, "should be a string"),
        ({"property": "Name", "title": {"is_empty": False}}, "should be true"),
        ({"property": "Due", "date": {"past_week": True}}, "should be an empty object"),
        ({"property": "Due", "date": {"before": "yesterday"}}, "should be an ISO 8601 date"),
        ({"property": "Owner", "people": {"contains": "bob"}}, "should be a valid uuid"),
        ({"property": "Score", "number": {"equals": 1, "greater_than": 0}}, "exactly one of"),
        ({"property": "Score", "number": {}}, "exactly one of"),
        (
            {"property": "Score", "number": {"equals": 1}, "checkbox": {"equals": True}},
            "exactly one filter type",
        ),
        ({"property": "Score", "type": "checkbox", "number": {"equals": 1}}, "body.filter.type"),
        ({"property": "Calc", "formula": {"text": {"equals": "x"}}}, "`string`"),
        ({"property": "Roll", "rollup": {"number": {"equals": 1}}}, "cannot filter on"),
        ({"timestamp": "edited", "edited": {"this_week": {}}}, "`created_time` or `last_edited_time`"),
        ({"timestamp": "created_time", "last_edited_time": {"this_week": {}}}, "`created_time` key"),
        ({"and": {"property": "Score", "number": {"equals": 1}}}, "should be an array"),
        ({"Score": {"equals": 1}}, "property filter"),
        ("Score = 1", "should be an object"),
    ],
)
def test_malformed_filters_are_refused_with_the_path_and_what_is_allowed(flt: Any, fragment: str) -> None:
    message = _error(flt)
    assert message.startswith("body failed validation: body.filter")
    assert fragment in message


def test_compound_filters_nested_three_levels_are_refused() -> None:
    leaf = {"property": "Score", "number": {"equals": 1}}
    message = _error({"and": [{"or": [{"and": [leaf]}]}]})
    assert "body.filter.and[0].or[0]" in message and "nested at most 2 levels" in message


def test_an_error_deep_inside_a_compound_filter_names_its_path() -> None:
    assert "body.filter.or[1].number.equals" in _error(
        {
            "or": [
                {"property": "Score", "number": {"equals": 1}},
                {"property": "Score", "number": {"equals": "x"}},
            ]
        }
    )


def test_validation_happens_before_any_page_is_read() -> None:
    unreadable: list[Any] = [object()]
    with pytest.raises(QueryError):
        apply_query(unreadable, SCHEMA, {"property": "Score", "number": {"equals": "x"}}, None)
    with pytest.raises(QueryError):
        apply_query(unreadable, SCHEMA, None, [{"property": "Nope", "direction": "ascending"}])


@pytest.mark.parametrize(
    ("sorts", "fragment"),
    [
        ([{"property": "Nope", "direction": "ascending"}], "Valid properties: Author"),
        ([{"property": "Score", "direction": "up"}], "`ascending` or `descending`"),
        ([{"property": "Score", "timestamp": "created_time", "direction": "ascending"}], "exactly one of"),
        ([{"timestamp": "edited_time", "direction": "ascending"}], "`created_time` or `last_edited_time`"),
        ([{"property": "Roll", "direction": "ascending"}], "cannot sort by"),
        ({"property": "Score", "direction": "ascending"}, "should be an array"),
    ],
)
def test_malformed_sorts_are_refused(sorts: Any, fragment: str) -> None:
    with pytest.raises(QueryError, match=r"body failed validation: body\.sorts") as caught:
        validate_sorts(sorts, SCHEMA)
    assert fragment in str(caught.value)


def test_no_filter_and_no_sorts_are_valid_and_keep_every_row() -> None:
    for check in (lambda: validate_filter(None, SCHEMA), lambda: validate_sorts(None, SCHEMA),
                  lambda: validate_sorts([], SCHEMA)):  # fmt: skip
        assert check() is None  # no QueryError
    rows = [row("p1", Score=1), row("p2"), row("p3", Name="x")]
    assert sorted(query(rows)) == sorted(query(rows, None, [])) == ["p1", "p2", "p3"]


# ---------------------------------------------------------------- properties

scores = st.one_of(st.none(), st.integers(-5, 5))
number_conditions = st.sampled_from(
    [
        "equals",
        "does_not_equal",
        "greater_than",
        "less_than",
        "greater_than_or_equal_to",
        "less_than_or_equal_to",
    ]
)
leaf_filters = st.builds(
    lambda cond, n: {"property": "Score", "number": {cond: n}}, number_conditions, st.integers(-5, 5)
) | st.builds(
    lambda cond, s: {"property": "Name", "title": {cond: s}},
    st.sampled_from(["contains", "starts_with", "does_not_contain", "equals"]),
    st.sampled_from(["a", "B", "ab", ""]),
)


def _rows(values: list[tuple[int | None, str]]) -> list[dict[str, Any]]:
    return [row(f"p{i}", Score=score, Name=name) for i, (score, name) in enumerate(values)]


row_values = st.lists(st.tuples(scores, st.sampled_from(["", "a", "Ab", "ba", "B"])), max_size=8)


_NUMBER_TESTS = {
    "equals": lambda v, n: v is not None and v == n,
    "does_not_equal": lambda v, n: v is None or v != n,  # a negative condition matches empty values
    "greater_than": lambda v, n: v is not None and v > n,
    "less_than": lambda v, n: v is not None and v < n,
    "greater_than_or_equal_to": lambda v, n: v is not None and v >= n,
    "less_than_or_equal_to": lambda v, n: v is not None and v <= n,
}
_TITLE_TESTS = {  # equals is exact; the others ignore case
    "equals": lambda v, s: v == s,
    "contains": lambda v, s: s.casefold() in v.casefold(),
    "does_not_contain": lambda v, s: s.casefold() not in v.casefold(),
    "starts_with": lambda v, s: v.casefold().startswith(s.casefold()),
}


def _holds(score: int | None, name: str, leaf: dict[str, Any]) -> bool:
    """What a leaf filter keeps, worked out here from the values (not by the sandbox)."""
    if "number" in leaf:
        [(cond, n)] = leaf["number"].items()
        return bool(_NUMBER_TESTS[cond](score, n))
    [(cond, s)] = leaf["title"].items()
    return bool(_TITLE_TESTS[cond](name, s))


def _kept(values: list[tuple[int | None, str]], keep: Any) -> set[str]:
    return {f"p{i}" for i, (score, name) in enumerate(values) if keep(score, name)}


@settings(max_examples=60, deadline=None)
@given(row_values, leaf_filters, leaf_filters)
def test_and_is_the_intersection_and_or_the_union_of_its_parts(
    values: list[tuple[int | None, str]], left: dict[str, Any], right: dict[str, Any]
) -> None:
    rows = _rows(values)
    assert set(query(rows)) == {f"p{i}" for i in range(len(values))}
    assert set(query(rows, left)) == _kept(values, lambda sc, nm: _holds(sc, nm, left))
    both = _kept(values, lambda sc, nm: _holds(sc, nm, left) and _holds(sc, nm, right))
    either = _kept(values, lambda sc, nm: _holds(sc, nm, left) or _holds(sc, nm, right))
    assert set(query(rows, {"and": [left, right]})) == both
    assert set(query(rows, {"or": [left, right]})) == either


@settings(max_examples=60, deadline=None)
@given(row_values, st.integers(-5, 5))
def test_does_not_equal_keeps_exactly_the_pages_equals_drops(
    values: list[tuple[int | None, str]], n: int
) -> None:
    rows = _rows(values)
    kept = set(query(rows, {"property": "Score", "number": {"equals": n}}))
    dropped = set(query(rows, {"property": "Score", "number": {"does_not_equal": n}}))
    assert kept == _kept(values, lambda score, _: score == n)
    assert dropped == _kept(values, lambda score, _: score != n)  # empty scores included


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(-100, 100), unique=True, max_size=8))
def test_descending_is_ascending_reversed_for_distinct_keys(numbers: list[int]) -> None:
    rows = _rows([(n, "") for n in numbers])
    up = query(rows, sorts=[{"property": "Score", "direction": "ascending"}])
    down = query(rows, sorts=[{"property": "Score", "direction": "descending"}])
    assert down == up[::-1]
    assert [rows[int(p[1:])]["properties"]["Score"]["number"] for p in up] == sorted(numbers)
