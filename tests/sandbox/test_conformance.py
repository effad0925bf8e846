"""The sandbox answers like the recorded Notion traffic: same shapes, same envelopes, same errors."""

from __future__ import annotations

from notion_mcp.sandbox import conformance


def test_shape_diff_sees_missing_extra_and_mistyped_keys() -> None:
    recorded = {"object": "page", "id": "x", "in_trash": False, "properties": {}}
    assert conformance.shape_diff(recorded, recorded) == []
    problems = conformance.shape_diff(
        recorded, {"object": "page", "id": 3, "archived": False, "properties": {}}
    )
    assert any("'in_trash' missing" in p for p in problems)
    assert any("extra key 'archived'" in p for p in problems)
    assert any("$.id: str vs int" in p for p in problems)


def test_shape_diff_compares_list_items_and_properties_by_type() -> None:
    recorded = {
        "results": [{"object": "block", "type": "paragraph", "paragraph": {"rich_text": [], "color": "x"}}]
    }
    mine = {"results": [{"object": "block", "type": "paragraph", "paragraph": {"rich_text": []}}]}
    assert conformance.shape_diff(recorded, mine) == [
        "$.results[0].paragraph: key 'color' missing in sandbox"
    ]
    rec_props = {"properties": {"Size": {"id": "a", "type": "select", "select": None}}}
    my_props = {"properties": {"Priority": {"id": "b", "type": "select", "select": {"name": "High"}}}}
    assert conformance.shape_diff(rec_props, my_props) == []


def test_every_recorded_interaction_of_an_implemented_kind_has_the_sandbox_shape() -> None:
    report = conformance.check(conformance.load())
    summary = report.summary()
    print(summary)
    assert report.checked > 1000, summary
    assert report.kinds_checked == report.kinds_implemented, summary
    assert report.problems == [], "\n".join([summary, *report.problems[:50]])
