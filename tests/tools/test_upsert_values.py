"""Upsert over every comparable property type, through mcp.Client over the sandbox: a row given
again as it is stays "unchanged" (no request), whatever form the values are given in, and a
change to any one property is sent ("updated")."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sandbox_client import call, sandbox_client

from notion_mcp.sandbox import SEED

pytestmark = pytest.mark.anyio

SCHEMA = {
    "Name": {"title": {}},
    "Key": {"email": {}},
    "Notes": {"rich_text": {}},
    "Score": {"number": {}},
    "Kind": {"select": {"options": [{"name": "A"}, {"name": "B"}]}},
    "Tags": {"multi_select": {"options": [{"name": "x"}, {"name": "y"}, {"name": "z"}]}},
    "Done": {"checkbox": {}},
    "Due": {"date": {}},
    "Site": {"url": {}},
    "Phone": {"phone_number": {}},
    "Owner": {"people": {}},
}
ROW: dict[str, Any] = {
    "Notes": "plain **bold** and [a link](https://example.com/a)",
    "Score": 2.5,
    "Kind": "A",
    "Tags": ["x", "y"],
    "Done": True,
    "Due": {"start": "2026-03-01T10:00:00Z", "end": "2026-03-02T10:00:00Z"},
    "Site": "https://example.com",
    "Phone": "+1 555",
    "Owner": [SEED.ada_user_id],
}
CHANGES: dict[str, Any] = {  # one change per property, each a difference a reader would see
    "Name": "Row renamed",
    "Notes": "plain bold and [a link](https://example.com/a)",
    "Score": 3,
    "Kind": "B",
    "Tags": ["x", "z"],
    "Done": False,
    "Due": {"start": "2026-03-01T10:00:00Z", "end": "2026-03-03T10:00:00Z"},
    "Site": "https://example.org",
    "Phone": "+1 556",
    "Owner": [SEED.grace_user_id],
}
SAME_IN_OTHER_FORMS: dict[str, Any] = {  # the same values as Notion's own (answered) form would hold them
    "Tags": ["y", "x"],  # a set: order does not matter
    "Due": {"start": "2026-03-01T10:00:00.000+00:00", "end": "2026-03-02T10:00:00.000+00:00"},
    "Owner": {"people": [{"object": "user", "id": SEED.ada_user_id.replace("-", "")}]},
    "Notes": {
        "rich_text": [  # split in runs that read the same once merged
            {
                "type": "text",
                "text": {"content": "plain "},
                "annotations": {"bold": False, "color": "default"},
            },
            {"type": "text", "text": {"content": "bo"}, "annotations": {"bold": True}},
            {"type": "text", "text": {"content": "ld"}, "annotations": {"bold": True}},
            {"type": "text", "text": {"content": " and "}},
            {"type": "text", "text": {"content": "a link", "link": {"url": "https://example.com/a"}}},
        ]
    },
}


def results(answer: str) -> list[str]:
    return [r.strip() for r in re.findall(r"^\| \d+ \| ([^|]*) \|", answer, re.M)]


def item(n: int, **overrides: Any) -> dict[str, Any]:
    properties = {**ROW, "Key": f"row{n}@example.com", **overrides}
    title = properties.pop("Name", f"Row {n}")
    return {"title": title, "properties": properties}


async def test_an_upsert_leaves_equal_rows_alone_and_sends_a_change_to_any_one_property() -> None:
    async with sandbox_client() as (client, sandbox):
        page = {"page_id": SEED.notes_page_id}
        made = await call(client, "notion_databases", operation="create", parent=page,
                          title="Everything", properties=SCHEMA)  # fmt: skip
        parent = {"database_id": made.split()[2]}
        names = list(CHANGES)
        first = [item(n) for n in range(len(names) + 1)]
        created = await call(
            client, "notion_pages", operation="create", parent=parent, pages=first, key="Key"
        )
        sandbox.reset_counters()
        same = await call(client, "notion_pages", operation="create", parent=parent, pages=first, key="Key")
        other_forms = [item(n, **SAME_IN_OTHER_FORMS) for n in range(len(names) + 1)]
        same_again = await call(client, "notion_pages", operation="create", parent=parent, pages=other_forms,
                                key="Key")  # fmt: skip
        patched_before = sandbox.counters["PATCH /v1/pages/{id}"]
        changed = [item(n, **{name: CHANGES[name]}) for n, name in enumerate(names)] + [item(len(names))]
        answer = await call(
            client, "notion_pages", operation="create", parent=parent, pages=changed, key="Key"
        )
    assert set(results(created)) == {"created"}
    assert set(results(same)) == {"unchanged"} and set(results(same_again)) == {"unchanged"}, same_again
    assert patched_before == 0
    assert results(answer) == ["updated"] * len(names) + ["unchanged"], results(answer)
    assert sandbox.counters["PATCH /v1/pages/{id}"] == len(names)
