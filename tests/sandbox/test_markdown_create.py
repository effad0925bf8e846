"""The sandbox's page create with `markdown` (Notion's reference "Create a page" and guide
"Working with markdown content"; no recording exists): the content parsed from enhanced markdown,
refused beside `children`, and refused before Notion-Version 2026-03-11."""

from __future__ import annotations

import httpx
import pytest

from notion_mcp.sandbox import SEED, Sandbox

pytestmark = pytest.mark.anyio
BODY = {"parent": {"page_id": SEED.notes_page_id}, "properties": {}}


async def test_a_page_made_with_markdown_holds_its_content_at_any_depth(http: httpx.AsyncClient) -> None:
    markdown = "<details>\n<summary>Top</summary>\n\t- one\n\t\t- two\n\t\t\t- three\n</details>\nAfter"
    made = await http.post("/v1/pages", json={**BODY, "markdown": markdown})
    assert made.status_code == 200, made.text
    read = await http.get(f"/v1/pages/{made.json()['id']}/markdown")
    assert read.json()["markdown"] == markdown


@pytest.mark.parametrize(
    ("version", "extra", "message"),
    [
        ("2026-03-11", {"children": []}, "cannot both be given"),
        ("2025-09-03", {}, "not supported by Notion-Version 2025-09-03"),
        ("2026-03-11", {"markdown": 3}, "body.markdown should be a string"),
    ],
)
async def test_markdown_is_refused_beside_children_before_2026_and_when_not_text(
    sandbox: Sandbox, version: str, extra: dict[str, object], message: str
) -> None:
    headers = {"Authorization": "Bearer ntn_test", "Notion-Version": version}
    async with httpx.AsyncClient(
        transport=sandbox.transport(), base_url=Sandbox.base_url, headers=headers
    ) as c:
        refused = await c.post("/v1/pages", json={**BODY, "markdown": "Text.", **extra})
    assert refused.status_code == 400
    assert refused.json()["code"] == "validation_error"
    assert message in refused.json()["message"], refused.json()
    assert sandbox.counters["POST /v1/pages"] == 1
