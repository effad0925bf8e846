"""Bad requests are refused the way Notion refuses them: status, code, and a message naming the limit."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from notion_mcp.sandbox import SEED, Sandbox

from .conftest import para, t

pytestmark = pytest.mark.anyio

PAGE = SEED.welcome_page_id


def refused(response: httpx.Response, status: int, code: str, *fragments: str) -> dict[str, Any]:
    body: dict[str, Any] = response.json()
    assert response.status_code == status, body
    assert body["object"] == "error" and body["code"] == code and body["status"] == status
    assert body["request_id"]
    for fragment in fragments:
        assert fragment in body["message"], body["message"]
    return body


async def test_more_than_100_children_in_one_append_is_refused(http: httpx.AsyncClient) -> None:
    r = await http.patch(f"/v1/blocks/{PAGE}/children", json={"children": [para("x")] * 150})
    refused(r, 400, "validation_error", "body.children.length should be ≤ `100`, instead was `150`.")


async def test_three_levels_of_nesting_in_one_request_are_refused(http: httpx.AsyncClient) -> None:
    deep = para("1", [para("2", [para("3", [para("4")])])])
    r = await http.patch(f"/v1/blocks/{PAGE}/children", json={"children": [deep]})
    refused(
        r, 400, "validation_error", "body.children[0].paragraph.children[0].paragraph.children[0]", "nesting"
    )
    ok = await http.patch(
        f"/v1/blocks/{PAGE}/children", json={"children": [para("1", [para("2", [para("3")])])]}
    )
    assert ok.status_code == 200


async def test_text_content_over_2000_characters_is_refused(http: httpx.AsyncClient) -> None:
    r = await http.patch(f"/v1/blocks/{PAGE}/children", json={"children": [para("x" * 2001)]})
    refused(
        r, 400, "validation_error",
        "body.children[0].paragraph.rich_text[0].text.content.length should be ≤ `2000`, instead was `2001`.",
    )  # fmt: skip


async def test_more_than_100_rich_text_items_are_refused(http: httpx.AsyncClient) -> None:
    block = {"type": "paragraph", "paragraph": {"rich_text": t("a") * 101}}
    r = await http.patch(f"/v1/blocks/{PAGE}/children", json={"children": [block]})
    refused(r, 400, "validation_error", "rich_text.length should be ≤ `100`, instead was `101`.")


async def test_equation_and_url_limits_are_enforced(http: httpx.AsyncClient) -> None:
    eq = {"type": "equation", "equation": {"expression": "x" * 1001}}
    r = await http.patch(f"/v1/blocks/{PAGE}/children", json={"children": [eq]})
    refused(r, 400, "validation_error", "expression.length should be ≤ `1000`")
    bm = {"type": "bookmark", "bookmark": {"url": "https://e.com/" + "x" * 2000}}
    r = await http.patch(f"/v1/blocks/{PAGE}/children", json={"children": [bm]})
    refused(r, 400, "validation_error", "url.length should be ≤ `2000`")


async def test_more_than_1000_elements_in_one_request_are_refused(http: httpx.AsyncClient) -> None:
    grandchildren = [para("c") for _ in range(10)]
    children = [para("b", grandchildren) for _ in range(10)]
    top = [para("a", children) for _ in range(10)]  # 10 + 100 + 1000 elements
    r = await http.patch(f"/v1/blocks/{PAGE}/children", json={"children": top})
    refused(r, 400, "validation_error", "`1110` block elements", "`1000`")


async def test_a_body_over_500_kb_is_refused(http: httpx.AsyncClient) -> None:
    children = [{"type": "paragraph", "paragraph": {"rich_text": t("x" * 2000) * 3}} for _ in range(90)]
    r = await http.patch(f"/v1/blocks/{PAGE}/children", json={"children": children})
    refused(r, 400, "validation_error", "500 KB")


@pytest.mark.parametrize("size", [0, 101])
async def test_page_size_outside_1_to_100_is_refused(http: httpx.AsyncClient, size: int) -> None:
    r = await http.post(f"/v1/data_sources/{SEED.tasks_data_source_id}/query", json={"page_size": size})
    refused(r, 400, "validation_error", "body.page_size should be")
    r = await http.get(f"/v1/blocks/{PAGE}/children", params={"page_size": size})
    refused(r, 400, "validation_error", "query.page_size should be")


async def test_a_malformed_uuid_in_the_path_is_refused_like_the_recording(http: httpx.AsyncClient) -> None:
    r = await http.get("/v1/blocks/not-a-uuid")
    refused(
        r,
        400,
        "validation_error",
        'path failed validation: path.block_id should be a valid uuid, instead was `"not-a-uuid"`.',
    )
    r = await http.get("/v1/pages/12345678-1234-1234-1234-123456789abc")
    refused(r, 400, "validation_error", "path.page_id should be a valid uuid")


async def test_an_unknown_id_gets_404_with_the_sharing_hint(http: httpx.AsyncClient) -> None:
    missing = "7855b161-f63e-4683-b7c7-8ca6e97ee266"
    r = await http.get(f"/v1/blocks/{missing}")
    hint = "Make sure the relevant pages and databases are shared with your integration"
    refused(r, 404, "object_not_found", f"Could not find block with ID: {missing}. {hint}")
    r = await http.get(f"/v1/pages/{SEED.toggle_block_id}")
    refused(r, 404, "object_not_found", "Could not find page with ID")


@pytest.mark.parametrize("cursor", ["null", "undefined", "", "7855b161-f63e-4683-b7c7-8ca6e97ee266"])
async def test_a_cursor_the_sandbox_never_issued_is_refused(http: httpx.AsyncClient, cursor: str) -> None:
    r = await http.get(f"/v1/blocks/{PAGE}/children", params={"start_cursor": cursor})
    refused(r, 400, "validation_error", "start_cursor")
    r = await http.post("/v1/search", json={"start_cursor": cursor})
    refused(r, 400, "validation_error", "start_cursor")


async def test_missing_or_empty_auth_is_401(sandbox: Sandbox) -> None:
    async with httpx.AsyncClient(transport=sandbox.transport(), base_url=Sandbox.base_url) as c:
        r = await c.get("/v1/users", headers={"Notion-Version": "2026-03-11"})
        refused(r, 401, "unauthorized", "API token is invalid.")
        r = await c.get("/v1/users", headers={"Notion-Version": "2026-03-11", "Authorization": "Bearer  "})
        refused(r, 401, "unauthorized")


async def test_missing_version_header_is_400_missing_version(sandbox: Sandbox) -> None:
    async with httpx.AsyncClient(transport=sandbox.transport(), base_url=Sandbox.base_url) as c:
        r = await c.get("/v1/users", headers={"Authorization": "Bearer x"})
        refused(r, 400, "missing_version", "Notion-Version header should be defined")


async def test_invalid_json_and_unknown_urls_are_refused(http: httpx.AsyncClient) -> None:
    r = await http.post("/v1/search", content=b"{not json", headers={"Content-Type": "application/json"})
    refused(r, 400, "invalid_json", "Error parsing JSON body.")
    refused(await http.get("/v1/invalid"), 400, "invalid_request_url", "Invalid request URL.")


async def test_relations_are_cut_at_25_on_the_page_but_complete_through_property_items(
    http: httpx.AsyncClient,
) -> None:
    ds = SEED.tasks_data_source_id
    targets = [SEED.task_id(n) for n in range(1, 31)]
    props = {"Name": {"title": t("many")}, "Blocked by": {"relation": [{"id": i} for i in targets]}}
    created = (
        await http.post("/v1/pages", json={"parent": {"data_source_id": ds}, "properties": props})
    ).json()
    relation = created["properties"]["Blocked by"]
    assert len(relation["relation"]) == 25 and relation["has_more"] is True
    url = f"/v1/pages/{created['id']}/properties/{relation['id']}"
    first = (await http.get(url, params={"page_size": 20})).json()
    assert first["type"] == "property_item" and first["property_item"]["type"] == "relation"
    assert first["has_more"] is True and first["property_item"]["next_url"]
    rest = (await http.get(url, params={"start_cursor": first["next_cursor"]})).json()
    got = [item["relation"]["id"] for item in first["results"] + rest["results"]]
    assert got == targets and rest["has_more"] is False


async def test_more_than_100_relation_targets_in_one_value_are_refused(http: httpx.AsyncClient) -> None:
    props = {"Blocked by": {"relation": [{"id": SEED.task_id(1)}] * 101}}
    r = await http.patch(f"/v1/pages/{SEED.task_id(2)}", json={"properties": props})
    refused(r, 400, "validation_error", "relation.length should be ≤ `100`")


async def test_the_query_cap_ends_with_incomplete_request_status() -> None:
    sandbox = Sandbox(query_cap=12)
    headers = {"Authorization": "Bearer x", "Notion-Version": "2026-03-11"}
    async with httpx.AsyncClient(
        transport=sandbox.transport(), base_url=Sandbox.base_url, headers=headers
    ) as c:
        url = f"/v1/data_sources/{SEED.tasks_data_source_id}/query"
        first = (await c.post(url, json={"page_size": 10})).json()
        assert first["has_more"] is True and "request_status" not in first
        last = (await c.post(url, json={"page_size": 10, "start_cursor": first["next_cursor"]})).json()
        assert len(last["results"]) == 2 and last["has_more"] is False and last["next_cursor"] is None
        assert last["request_status"] == {
            "type": "incomplete",
            "incomplete_reason": "query_result_limit_reached",
        }
    sandbox.close()


async def test_a_database_with_two_sources_refuses_database_id_as_a_row_parent(
    http: httpx.AsyncClient,
) -> None:
    db = SEED.tasks_database_id
    await http.post(
        "/v1/data_sources", json={"parent": {"database_id": db}, "properties": {"Name": {"title": {}}}}
    )
    r = await http.post("/v1/pages", json={"parent": {"database_id": db}, "properties": {}})
    refused(r, 400, "validation_error", "data_source_id")


async def test_archived_is_refused_on_2026_and_accepted_on_2025(
    sandbox: Sandbox, http: httpx.AsyncClient
) -> None:
    r = await http.patch(f"/v1/pages/{SEED.task_id(1)}", json={"archived": True})
    refused(r, 400, "validation_error", "body.archived")
    r = await http.patch(
        f"/v1/pages/{SEED.task_id(1)}", json={"archived": True}, headers={"Notion-Version": "2025-09-03"}
    )
    assert r.status_code == 200 and r.json()["archived"] is True and r.json()["in_trash"] is True
