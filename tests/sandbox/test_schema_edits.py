"""Schema edits keep the rows faithful (conversions, removed options) and refuse what Notion refuses."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from notion_mcp.sandbox import SEED

from .conftest import t

pytestmark = pytest.mark.anyio

DS = f"/v1/data_sources/{SEED.tasks_data_source_id}"
QUERY = f"{DS}/query"
N = 30


async def rows(http: httpx.AsyncClient, flt: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    """Every row of the seeded Tasks data source, by page ID, as its ``properties``."""
    out: dict[str, dict[str, Any]] = {}
    body: dict[str, Any] = {"page_size": 100, **({"filter": flt} if flt else {})}
    answer = (await http.post(QUERY, json=body)).json()
    for page in answer["results"]:
        out[page["id"]] = page["properties"]
    return out


async def patch_schema(http: httpx.AsyncClient, props: dict[str, Any]) -> httpx.Response:
    return await http.patch(DS, json={"properties": props})


def refused(response: httpx.Response, *words: str) -> None:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["object"] == "error" and body["code"] == "validation_error" and body["request_id"]
    assert all(w in body["message"] for w in words), body["message"]


# -- 1. duplicate names ---------------------------------------------------------------------------
async def test_renaming_onto_an_existing_name_is_refused_and_changes_nothing(http: httpx.AsyncClient) -> None:
    before_schema = (await http.get(DS)).json()["properties"]
    before_rows = await rows(http)
    answer = await patch_schema(http, {"Priority": {"name": "Status"}})
    refused(answer, '"Priority"', '"Status"', "already exists")
    assert (await http.get(DS)).json()["properties"] == before_schema
    assert await rows(http) == before_rows
    by_id = await patch_schema(http, {before_schema["Priority"]["id"]: {"name": "Estimate"}})
    refused(by_id, "already exists")


async def test_renaming_to_its_own_name_or_a_free_name_is_accepted(http: httpx.AsyncClient) -> None:
    assert (await patch_schema(http, {"Priority": {"name": "Priority"}})).status_code == 200
    answer = await patch_schema(http, {"Status": None, "Priority": {"name": "Status"}})
    assert answer.status_code == 200
    assert answer.json()["properties"]["Status"]["type"] == "select"
    medium = (await rows(http))[SEED.task_id(1)]["Status"]
    assert medium["select"]["name"] == "Medium"


# -- 2. retyping converts values ------------------------------------------------------------------
async def test_number_to_rich_text_keeps_each_number_as_text(http: httpx.AsyncClient) -> None:
    await http.patch(f"/v1/pages/{SEED.task_id(2)}", json={"properties": {"Estimate": {"number": 2.5}}})
    answer = await patch_schema(http, {"Estimate": {"rich_text": {}}})
    assert answer.status_code == 200 and answer.json()["properties"]["Estimate"]["type"] == "rich_text"
    got = await rows(http)
    assert got[SEED.task_id(1)]["Estimate"]["rich_text"][0]["plain_text"] == "2"
    assert got[SEED.task_id(2)]["Estimate"]["rich_text"][0]["plain_text"] == "2.5"
    assert all(props["Estimate"]["type"] == "rich_text" for props in got.values())
    matched = await rows(http, {"property": "Estimate", "rich_text": {"equals": "8"}})
    assert set(matched) == {SEED.task_id(n) for n in range(1, N + 1) if n % 8 + 1 == 8}


async def test_rich_text_to_number_parses_numbers_and_empties_the_rest(http: httpx.AsyncClient) -> None:
    for n, text in ((1, "42"), (2, "1,5e1"), (3, "three"), (4, " -7.25 ")):
        body = {"properties": {"Notes": {"rich_text": t(text)}}}
        assert (await http.patch(f"/v1/pages/{SEED.task_id(n)}", json=body)).status_code == 200
    assert (await patch_schema(http, {"Notes": {"number": {"format": "number"}}})).status_code == 200
    got = await rows(http)
    values = [got[SEED.task_id(n)]["Notes"]["number"] for n in (1, 3, 4, 5)]
    assert values == [42, None, -7.25, None]


async def test_select_to_rich_text_gives_the_option_name_and_back_to_select(http: httpx.AsyncClient) -> None:
    assert (await patch_schema(http, {"Priority": {"rich_text": {}}})).status_code == 200
    got = await rows(http)
    assert got[SEED.task_id(1)]["Priority"]["rich_text"][0]["plain_text"] == "Medium"
    answer = await patch_schema(http, {"Priority": {"select": {}}})
    names = [o["name"] for o in answer.json()["properties"]["Priority"]["select"]["options"]]
    assert sorted(names) == ["High", "Low", "Medium"]
    assert (await rows(http))[SEED.task_id(1)]["Priority"]["select"]["name"] == "Medium"


async def test_other_conversions_follow_the_table(http: httpx.AsyncClient) -> None:
    schema = (await http.get(DS)).json()["properties"]
    edits = {
        "Tags": {"rich_text": {}},
        "Done": {"rich_text": {}},
        "Status": {"rich_text": {}},
        "Due": {"rich_text": {}},
        "Assignee": {"number": {}},
    }
    assert (await patch_schema(http, edits)).status_code == 200
    task = (await rows(http))[SEED.task_id(1)]
    assert task["Tags"]["rich_text"][0]["plain_text"] == "frontend, docs"
    assert task["Done"]["rich_text"][0]["plain_text"] == "No"
    assert task["Status"]["rich_text"][0]["plain_text"] == "In progress"
    assert task["Due"]["rich_text"][0]["plain_text"] == "2026-02-02"
    assert task["Assignee"]["number"] is None
    back = {"Tags": {"multi_select": {}}, "Done": {"checkbox": {}}, "Due": {"date": {}}}
    answer = await patch_schema(http, back)
    assert {p["id"] for p in answer.json()["properties"].values()} >= {schema["Tags"]["id"]}
    task = (await rows(http))[SEED.task_id(1)]
    assert [o["name"] for o in task["Tags"]["multi_select"]] == ["frontend", "docs"]
    assert task["Done"]["checkbox"] is False
    assert task["Due"]["date"]["start"] == "2026-02-02"


async def test_a_removed_property_does_not_come_back_with_old_values(http: httpx.AsyncClient) -> None:
    assert (await patch_schema(http, {"Estimate": None})).status_code == 200
    assert (await patch_schema(http, {"Estimate": {"number": {}}})).status_code == 200
    assert all(p["Estimate"]["number"] is None for p in (await rows(http)).values())


# -- 3. removed options leave the rows ------------------------------------------------------------
async def test_dropping_a_select_option_removes_it_from_rows_and_filters(http: httpx.AsyncClient) -> None:
    old = (await http.get(DS)).json()["properties"]["Priority"]["select"]["options"]
    options = [{"name": "High", "color": "red"}, {"name": "Low"}]
    answer = await patch_schema(http, {"Priority": {"select": {"options": options}}})
    kept = answer.json()["properties"]["Priority"]["select"]["options"]
    assert [o["name"] for o in kept] == ["High", "Low"]
    by_name = {o["name"]: o for o in old}
    assert [o["id"] for o in kept] == [by_name["High"]["id"], by_name["Low"]["id"]]
    assert kept[1]["color"] == "gray"
    got = await rows(http)
    assert got[SEED.task_id(1)]["Priority"]["select"] is None
    assert got[SEED.task_id(3)]["Priority"]["select"]["name"] == "High"
    assert await rows(http, {"property": "Priority", "select": {"equals": "Medium"}}) == {}
    assert len(await rows(http, {"property": "Priority", "select": {"is_empty": True}})) == N // 3


async def test_dropping_and_renaming_multi_select_options_follow_into_rows(http: httpx.AsyncClient) -> None:
    old = (await http.get(DS)).json()["properties"]["Tags"]["multi_select"]["options"]
    ids = {o["name"]: o["id"] for o in old}
    options = [{"id": ids["frontend"], "name": "web"}, {"name": "backend"}, {"name": "bug"}]
    assert (await patch_schema(http, {"Tags": {"multi_select": {"options": options}}})).status_code == 200
    task = (await rows(http))[SEED.task_id(1)]
    assert [o["name"] for o in task["Tags"]["multi_select"]] == ["web"]
    assert await rows(http, {"property": "Tags", "multi_select": {"contains": "docs"}}) == {}


# -- 4. status options ----------------------------------------------------------------------------
async def test_status_options_cannot_be_changed_through_the_api(http: httpx.AsyncClient) -> None:
    before = (await http.get(DS)).json()["properties"]["Status"]
    new_options = [{"name": "Not started"}, {"name": "Done"}]
    answer = await patch_schema(http, {"Status": {"status": {"options": new_options}}})
    refused(answer, "status", "options", "API")
    assert (await http.get(DS)).json()["properties"]["Status"] == before
    same = [{"id": o["id"], "name": o["name"]} for o in before["status"]["options"]]
    assert (await patch_schema(http, {"Status": {"status": {"options": same}}})).status_code == 200
    unchanged = await patch_schema(http, {"Status": {"status": {}, "description": "Where it is"}})
    assert unchanged.json()["properties"]["Status"]["status"] == before["status"]


# -- 5. trashed databases and data sources --------------------------------------------------------
async def test_a_trashed_database_takes_no_new_pages_and_is_not_queried(http: httpx.AsyncClient) -> None:
    db_url = f"/v1/databases/{SEED.tasks_database_id}"
    assert (await http.patch(db_url, json={"in_trash": True})).json()["in_trash"] is True
    props = {"Name": {"title": t("Late")}}
    for parent in ({"database_id": SEED.tasks_database_id}, {"data_source_id": SEED.tasks_data_source_id}):
        answer = await http.post("/v1/pages", json={"parent": parent, "properties": props})
        refused(answer, "Can't edit block that is archived.")
    query = await http.post(QUERY, json={})
    assert query.status_code == 404 and query.json()["code"] == "object_not_found"
    assert SEED.tasks_data_source_id in query.json()["message"]
    assert (await http.get(db_url)).json()["in_trash"] is True
    assert (await http.get(DS)).status_code == 200
    assert (await http.patch(db_url, json={"in_trash": False})).status_code == 200
    assert (await http.post(QUERY, json={"page_size": 1})).status_code == 200
    created = await http.post(
        "/v1/pages", json={"parent": {"database_id": SEED.tasks_database_id}, "properties": props}
    )
    assert created.status_code == 200


async def test_a_trashed_data_source_takes_no_new_pages_and_is_not_queried(http: httpx.AsyncClient) -> None:
    assert (await http.patch(DS, json={"in_trash": True})).json()["in_trash"] is True
    parent = {"data_source_id": SEED.tasks_data_source_id}
    answer = await http.post("/v1/pages", json={"parent": parent, "properties": {"Name": {"title": t("x")}}})
    refused(answer, "archived")
    assert (await http.post(QUERY, json={})).status_code == 404
    assert (await http.get(DS)).json()["in_trash"] is True
    assert (await http.patch(DS, json={"in_trash": False})).json()["in_trash"] is False
    assert (await http.post(QUERY, json={"page_size": 1})).status_code == 200
