"""Behaviour of the endpoints beyond shapes: ordering, positions, synced blocks, schema edits, search."""

from __future__ import annotations

import httpx
import notion_client
import pytest

from notion_mcp.sandbox import SEED, Sandbox, serve

from .conftest import para, t

pytestmark = pytest.mark.anyio


def texts(listing: dict[str, object]) -> list[str]:
    results = listing["results"]
    assert isinstance(results, list)
    return [b["paragraph"]["rich_text"][0]["plain_text"] for b in results if b["type"] == "paragraph"]


async def test_append_honours_start_end_and_after_block(http: httpx.AsyncClient) -> None:
    body = {"parent": {"page_id": SEED.welcome_page_id}, "properties": {"title": t("Order")}}
    page = (await http.post("/v1/pages", json={**body, "children": [para("b"), para("d")]})).json()
    url = f"/v1/blocks/{page['id']}/children"
    first = (await http.get(url)).json()["results"][0]["id"]
    await http.patch(url, json={"children": [para("a")], "position": {"type": "start"}})
    await http.patch(
        url, json={"children": [para("c")], "position": {"type": "after_block", "after_block": {"id": first}}}
    )
    answer = (await http.patch(url, json={"children": [para("e")], "position": {"type": "end"}})).json()
    assert texts(answer) == ["e"]
    assert texts((await http.get(url)).json()) == ["a", "b", "c", "d", "e"]


async def test_children_paging_is_stable_when_blocks_are_inserted_before_the_cursor(
    http: httpx.AsyncClient,
) -> None:
    body = {"parent": {"page_id": SEED.welcome_page_id}, "properties": {"title": t("Paging")}}
    page = (await http.post("/v1/pages", json={**body, "children": [para(str(i)) for i in range(5)]})).json()
    url = f"/v1/blocks/{page['id']}/children"
    first = (await http.get(url, params={"page_size": 2})).json()
    await http.patch(url, json={"children": [para("new")], "position": {"type": "start"}})
    rest = (await http.get(url, params={"start_cursor": first["next_cursor"]})).json()
    assert texts(first) == ["0", "1"] and texts(rest) == ["2", "3", "4"]


async def test_a_synced_copy_reads_its_children_from_the_original(http: httpx.AsyncClient) -> None:
    copy = (await http.get(f"/v1/blocks/{SEED.synced_copy_id}")).json()
    assert copy["synced_block"]["synced_from"]["block_id"] == SEED.synced_original_id and copy["has_children"]
    original = (await http.get(f"/v1/blocks/{SEED.synced_original_id}/children")).json()
    assert (await http.get(f"/v1/blocks/{SEED.synced_copy_id}/children")).json()["results"] == original[
        "results"
    ]


async def test_a_page_is_a_child_page_block_and_delete_moves_it_to_the_trash(http: httpx.AsyncClient) -> None:
    block = (await http.get(f"/v1/blocks/{SEED.getting_started_page_id}")).json()
    assert block["type"] == "child_page" and block["child_page"]["title"] == "Getting started"
    deleted = (await http.delete(f"/v1/blocks/{SEED.getting_started_page_id}")).json()
    assert deleted["in_trash"] is True
    assert (await http.get(f"/v1/pages/{SEED.getting_started_page_id}")).json()["in_trash"] is True
    listed = (await http.get(f"/v1/blocks/{SEED.welcome_page_id}/children")).json()["results"]
    assert SEED.getting_started_page_id not in [b["id"] for b in listed]
    again = await http.delete(f"/v1/blocks/{SEED.getting_started_page_id}")
    assert again.status_code == 400 and "archived" in again.json()["message"]


async def test_data_source_properties_can_be_added_renamed_and_removed(http: httpx.AsyncClient) -> None:
    url = f"/v1/data_sources/{SEED.tasks_data_source_id}"
    await http.patch(f"/v1/pages/{SEED.task_id(4)}", json={"properties": {"Estimate": {"number": 42}}})
    edits = {"Estimate": {"name": "Points"}, "Link": None, "Cost": {"number": {}}}
    schema = (await http.patch(url, json={"properties": edits})).json()
    props = schema["properties"]
    assert (
        "Points" in props
        and "Estimate" not in props
        and "Link" not in props
        and props["Cost"]["type"] == "number"
    )
    row = (await http.get(f"/v1/pages/{SEED.task_id(4)}")).json()["properties"]
    assert row["Points"]["number"] == 42 and "Link" not in row and row["Cost"]["number"] is None


async def test_unknown_properties_and_wrong_types_are_refused(http: httpx.AsyncClient) -> None:
    parent = {"data_source_id": SEED.tasks_data_source_id}
    r = await http.post("/v1/pages", json={"parent": parent, "properties": {"Nope": {"checkbox": True}}})
    assert r.status_code == 400 and r.json()["message"] == "Nope is not a property that exists."
    r = await http.post("/v1/pages", json={"parent": parent, "properties": {"Done": {"number": 1}}})
    assert r.status_code == 400 and r.json()["message"] == "Done is expected to be checkbox."


async def test_search_matches_titles_filters_by_object_and_sorts(http: httpx.AsyncClient) -> None:
    found = (await http.post("/v1/search", json={"query": "WELCOME"})).json()
    assert [r["id"] for r in found["results"]] == [SEED.welcome_page_id]
    sources = (
        await http.post("/v1/search", json={"filter": {"property": "object", "value": "data_source"}})
    ).json()
    assert [r["id"] for r in sources["results"]] == [SEED.tasks_data_source_id]
    await http.patch(f"/v1/pages/{SEED.task_id(7)}", json={"icon": {"type": "emoji", "emoji": "🔥"}})
    sort = {"timestamp": "last_edited_time", "direction": "descending"}
    newest = (await http.post("/v1/search", json={"sort": sort})).json()
    assert newest["results"][0]["id"] == SEED.task_id(7) and newest["type"] == "page_or_data_source"
    bad = await http.post("/v1/search", json={"filter": {"property": "object", "value": "database"}})
    assert bad.status_code == 400 and "data_source" in bad.json()["message"]


async def test_comments_thread_by_discussion(http: httpx.AsyncClient) -> None:
    listed = (await http.get("/v1/comments", params={"block_id": SEED.welcome_page_id})).json()
    assert {c["discussion_id"] for c in listed["results"]} == {SEED.welcome_discussion_id}
    body = {"discussion_id": SEED.welcome_discussion_id, "rich_text": t("ok")}
    reply = (await http.post("/v1/comments", json=body)).json()
    assert reply["parent"] == {"type": "page_id", "page_id": SEED.welcome_page_id}


async def test_notion_client_works_against_the_sandbox_unchanged(sandbox: Sandbox) -> None:
    http = httpx.AsyncClient(transport=sandbox.transport())
    notion = notion_client.AsyncClient(
        auth="ntn_test", notion_version="2026-03-11", base_url=Sandbox.base_url, client=http, retry=False
    )
    me = await notion.users.me()
    assert me["type"] == "bot"
    rows = await notion.data_sources.query(data_source_id=SEED.tasks_data_source_id, page_size=100)
    assert len(rows["results"]) == SEED.task_count
    with pytest.raises(notion_client.APIResponseError) as info:
        await notion.pages.retrieve(page_id="7855b161-f63e-4683-b7c7-8ca6e97ee266")
    assert info.value.code == "object_not_found"
    await notion.aclose()


def test_serve_refuses_hosts_other_than_loopback() -> None:
    with pytest.raises(ValueError, match=r"127\.0\.0\.1"):
        serve(None, host="0.0.0.0")
