"""Requests equivalent to the recorded ones, played against a seeded sandbox (see ``conformance``)."""

from __future__ import annotations

import httpx

from notion_mcp.sandbox.seed import SEED

MISSING = "7855b161-f63e-4683-b7c7-8ca6e97ee266"
MALFORMED = "12345678-1234-1234-1234-123456789abc"


def _t(content: str) -> list[dict[str, object]]:
    return [{"type": "text", "text": {"content": content}}]


async def run_scenarios(c: httpx.AsyncClient) -> list[httpx.Response]:
    out: list[httpx.Response] = []
    out.append(await c.get("/v1/invalid"))
    out.append(await c.get("/v1/users", headers={"Authorization": "Bearer "}))
    out.append(await c.get("/v1/users"))
    out.append(await c.get("/v1/users/me"))
    out.append(await c.get(f"/v1/users/{SEED.bot_user_id}"))
    out.append(await c.get(f"/v1/users/{SEED.ada_user_id}"))
    out.append(await c.get(f"/v1/users/{MISSING}"))
    out.append(await c.get(f"/v1/pages/{SEED.welcome_page_id}"))
    out.append(await c.get(f"/v1/pages/{SEED.task_id(6)}"))
    out.append(await c.get(f"/v1/pages/{MISSING}"))
    out.append(await c.get(f"/v1/pages/{MALFORMED}"))
    out.append(await c.get(f"/v1/pages/{SEED.welcome_page_id}/properties/title"))
    children = [{"type": "paragraph", "paragraph": {"rich_text": _t("hello")}}]
    page = await c.post(
        "/v1/pages",
        json={
            "parent": {"page_id": SEED.welcome_page_id},
            "properties": {"title": _t("Conformance")},
            "children": children,
        },
    )
    out.append(page)
    page_id = page.json()["id"]
    row = {
        "Name": {"title": _t("Row")},
        "Status": {"status": {"name": "Done"}},
        "Tags": {"multi_select": [{"name": "docs"}]},
    }
    out.append(
        await c.post(
            "/v1/pages", json={"parent": {"data_source_id": SEED.tasks_data_source_id}, "properties": row}
        )
    )
    out.append(await c.get(f"/v1/blocks/{SEED.welcome_page_id}/children"))
    out.append(await c.get(f"/v1/blocks/{SEED.notes_page_id}/children"))
    out.append(await c.get(f"/v1/blocks/{SEED.welcome_page_id}/children", params={"page_size": 3}))
    appended = await c.patch(f"/v1/blocks/{page_id}/children", json={"children": children * 2})
    out.append(appended)
    first = appended.json()["results"][0]["id"]
    out.append(await c.get(f"/v1/blocks/{first}"))
    out.append(await c.get(f"/v1/blocks/{SEED.getting_started_page_id}"))
    out.append(
        await c.patch(
            f"/v1/blocks/{first}", json={"paragraph": {"rich_text": _t("changed"), "color": "pink"}}
        )
    )
    out.append(await c.delete(f"/v1/blocks/{first}"))
    schema = {"Name": {"title": {}}, "Tags": {"multi_select": {"options": [{"name": "a"}]}}}
    db_body = {"parent": {"type": "page_id", "page_id": page_id}, "title": _t("DB")}
    db = await c.post("/v1/databases", json={**db_body, "initial_data_source": {"properties": schema}})
    out.append(db)
    db_id = db.json()["id"]
    out.append(await c.get(f"/v1/databases/{db_id}"))
    out.append(await c.patch(f"/v1/databases/{db_id}", json={"is_inline": True}))
    ds = await c.post(
        "/v1/data_sources",
        json={
            "parent": {"type": "database_id", "database_id": db_id},
            "title": _t("Second"),
            "properties": {"Name": {"title": {}}},
        },
    )
    out.append(ds)
    out.append(await c.get(f"/v1/data_sources/{SEED.tasks_data_source_id}"))
    out.append(
        await c.patch(
            f"/v1/data_sources/{ds.json()['id']}",
            json={"properties": {"Price": {"number": {"format": "dollar"}}}},
        )
    )
    out.append(await c.post(f"/v1/data_sources/{SEED.tasks_data_source_id}/query", json={"page_size": 5}))
    out.append(
        await c.post(
            "/v1/search", json={"query": "Tasks", "filter": {"property": "object", "value": "data_source"}}
        )
    )
    out.append(
        await c.post(
            "/v1/search", json={"query": "welcome", "filter": {"property": "object", "value": "page"}}
        )
    )
    out.append(await c.post("/v1/search", json={"query": "This should have no results"}))
    comment = await c.post(
        "/v1/comments", json={"parent": {"page_id": page_id}, "rich_text": _t("A comment")}
    )
    out.append(comment)
    discussion = comment.json()["discussion_id"]
    out.append(await c.post("/v1/comments", json={"discussion_id": discussion, "rich_text": _t("A reply")}))
    out.append(await c.get("/v1/comments", params={"block_id": SEED.welcome_page_id}))
    out.append(
        await c.patch(f"/v1/pages/{SEED.task_id(3)}", json={"properties": {"Done": {"checkbox": True}}})
    )
    out.append(await c.get(f"/v1/data_sources/{SEED.tasks_data_source_id}/templates"))
    out += await _views(c, db_id, db.json()["data_sources"][0]["id"])
    out.append(await c.patch(f"/v1/pages/{page_id}", json={"in_trash": True}))
    return out


async def _views(c: httpx.AsyncClient, db_id: str, ds_id: str) -> list[httpx.Response]:
    out: list[httpx.Response] = []
    body = {"data_source_id": ds_id, "name": "Test View", "type": "table", "database_id": db_id}
    view = await c.post("/v1/views", json=body)
    out.append(view)
    view_id = view.json()["id"]
    out.append(await c.get("/v1/views", params={"database_id": db_id}))
    out.append(await c.get(f"/v1/views/{view_id}"))
    out.append(await c.patch(f"/v1/views/{view_id}", json={"name": "Updated View"}))
    query = await c.post(f"/v1/views/{view_id}/queries", json={})
    out.append(query)
    out.append(await c.get(f"/v1/views/{view_id}/queries/{query.json()['id']}"))
    out.append(await c.delete(f"/v1/views/{view_id}"))
    return out
