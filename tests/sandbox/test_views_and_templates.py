"""The sandbox's views and templates endpoints, in the shapes of the recordings and the reference."""

from __future__ import annotations

import httpx
import pytest

from notion_mcp.sandbox import SEED

pytestmark = pytest.mark.anyio
DS = SEED.tasks_data_source_id
VIEW_KEYS = {"object", "id", "parent", "data_source_id", "name", "type", "created_time", "created_by",
             "last_edited_time", "last_edited_by", "url", "filter", "sorts", "quick_filters", "configuration",
             "request_id"}  # fmt: skip


async def test_a_view_is_created_listed_as_a_stub_read_changed_queried_and_deleted(
    http: httpx.AsyncClient,
) -> None:
    body = {"database_id": SEED.tasks_database_id, "data_source_id": DS, "name": "Done", "type": "list",
            "filter": {"property": "Done", "checkbox": {"equals": True}}}  # fmt: skip
    made = (await http.post("/v1/views", json=body)).json()
    assert set(made) == VIEW_KEYS and made["configuration"] == {"type": "list"}
    listed = (await http.get("/v1/views", params={"database_id": SEED.tasks_database_id})).json()
    assert listed["type"] == "view" and {"object": "view", "id": made["id"]} in listed["results"]
    renamed = (await http.patch(f"/v1/views/{made['id']}", json={"name": "Finished"})).json()
    assert renamed["name"] == "Finished" and renamed["filter"] == body["filter"]
    query = (await http.post(f"/v1/views/{made['id']}/queries", json={"page_size": 2})).json()
    assert query["object"] == "view_query" and query["total_count"] == 10 and len(query["results"]) == 2
    rest = (await http.get(f"/v1/views/{made['id']}/queries/{query['id']}",
                           params={"start_cursor": query["next_cursor"]})).json()  # fmt: skip
    assert len(rest["results"]) == 8 and rest["type"] == "page"
    gone = (await http.delete(f"/v1/views/{made['id']}")).json()
    assert set(gone) == {"object", "id", "parent", "type", "request_id"}
    assert (await http.get(f"/v1/views/{made['id']}")).status_code == 404


async def test_a_view_with_a_filter_on_a_missing_property_is_refused(http: httpx.AsyncClient) -> None:
    body = {"database_id": SEED.tasks_database_id, "data_source_id": DS, "name": "Bad",
            "filter": {"property": "Nope", "checkbox": {"equals": True}}}  # fmt: skip
    answer = await http.post("/v1/views", json=body)
    assert answer.status_code == 400 and answer.json()["code"] == "validation_error"


async def test_templates_are_listed_and_a_bad_template_request_gets_notions_errors(
    http: httpx.AsyncClient,
) -> None:
    listed = (await http.get(f"/v1/data_sources/{DS}/templates")).json()
    assert listed["templates"][0] == {"id": SEED.bug_template_id, "name": "Bug report", "is_default": True}
    assert listed["has_more"] is False and listed["next_cursor"] is None
    parent = {"data_source_id": DS}
    title = {"Name": {"title": [{"text": {"content": "x"}}]}}
    missing = await http.post("/v1/pages", json={"parent": parent, "properties": title, "template": {
        "type": "template_id", "template_id": SEED.task_id(1)}})  # fmt: skip
    both = await http.post("/v1/pages", json={"parent": parent, "properties": title, "children": [],
                                               "template": {"type": "default"}})  # fmt: skip
    under_page = await http.post("/v1/pages", json={"parent": {"page_id": SEED.notes_page_id},
                                                     "template": {"type": "default"}})  # fmt: skip
    assert missing.status_code == 404
    assert both.status_code == 400 and under_page.status_code == 400
