"""markdown_read's rules against a fake Notion: when the markdown endpoint is asked, what its
answer becomes, each fallback to the blocks API (None) and which errors still reach the caller."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from replay import FakeNotion, Sent, gateway_for

from notion_mcp.errors import NotionAPIError
from notion_mcp.notion.gateway import NotionGateway
from notion_mcp.notion.markdown_read import FIRST_VERSION, available, read_page
from notion_mcp.notion.tree import TreeResult

pytestmark = pytest.mark.anyio
PAGE = "11111111-1111-1111-1111-111111111111"
BOOKMARK = "22222222-2222-2222-2222-222222222222"
TOGGLE = "33333333-3333-3333-3333-333333333333"
MARKDOWN = "/v1/pages/{id}/markdown"


def error(status: int, code: str, message: str = "refused") -> tuple[int, Any]:
    return status, {"object": "error", "status": status, "code": code, "message": message}


def unknown(ident: str, alt: str) -> str:
    return f'<unknown url="https://www.notion.so/x#{ident.replace("-", "")}" alt="{alt}"/>'


class PathNotion(FakeNotion):
    """A fake that answers some exact paths (a block by its ID) before the path templates."""

    def __init__(self) -> None:
        super().__init__()
        self.exact: dict[str, tuple[int, Any]] = {}

    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.path in self.exact:
            self.sent.append(Sent(request.method, request.url.path, {}, None))
            return httpx.Response(self.exact[request.url.path][0], json=self.exact[request.url.path][1])
        return super().handle(request)


def fake(markdown: str | None = None, **answer: Any) -> PathNotion:
    notion = PathNotion()
    if markdown is not None:
        notion.answer("GET", MARKDOWN, (200, {"object": "page_markdown", "markdown": markdown, **answer}))
    return notion


def paragraph(text: str) -> dict[str, Any]:
    return {"type": "paragraph", "paragraph": {"rich_text": [{"type": "text", "text": {"content": text}}]}}


async def read(
    notion: FakeNotion, gateway: NotionGateway | None = None, *, depth: int = 10, blocks: int = 100
) -> TreeResult | None:
    gateway = gateway or gateway_for(notion, max_retries=0)
    return await read_page(gateway, PAGE, notion_version=FIRST_VERSION, max_depth=depth, max_blocks=blocks)


def texts(blocks: list[dict[str, Any]]) -> list[Any]:
    out: list[Any] = []
    for block in blocks:
        inner = block.get(block["type"]) or {}
        rich = inner.get("rich_text") or []
        out.append("".join(r["text"]["content"] for r in rich) or block["type"])
        if inner.get("children"):
            out.append(texts(inner["children"]))
    return out


async def test_a_page_is_read_in_one_request_as_complete_blocks() -> None:
    notion = fake("Intro\n\t- item\n\t\t- deeper\nOutro")
    gateway = gateway_for(notion)
    result = await read(notion, gateway)
    assert result is not None
    assert texts(result.blocks) == ["Intro", ["item", ["deeper"]], "Outro"]
    assert (result.unread, result.requests, result.complete) == ([], 1, True)
    assert [(s.method, s.path) for s in notion.sent] == [("GET", f"/v1/pages/{PAGE}/markdown")]
    assert gateway.markdown_endpoint is True


async def test_the_endpoint_is_asked_from_its_first_version_on_until_notion_says_it_has_none() -> None:
    gateway = gateway_for(FakeNotion())
    assert available(gateway, FIRST_VERSION) and available(gateway, "2026-12-01")
    assert not available(gateway, "2026-03-10")
    gateway.markdown_endpoint = True
    assert available(gateway, FIRST_VERSION)
    gateway.markdown_endpoint = False
    assert not available(gateway, FIRST_VERSION)
    notion = fake("Intro")
    old = await read_page(gateway_for(notion), PAGE, notion_version="2025-09-03", max_depth=5, max_blocks=5)
    assert old is None and notion.sent == []


async def test_no_such_endpoint_is_remembered_and_the_blocks_api_reads() -> None:
    notion = FakeNotion()  # the fake answers the markdown path with 400 invalid_request_url
    gateway = gateway_for(notion, max_retries=0)
    assert await read(notion, gateway) is None
    assert gateway.markdown_endpoint is False
    assert await read(notion, gateway) is None
    assert len(notion.sent) == 1  # not asked again


@pytest.mark.parametrize(
    "refusal", [error(400, "validation_error"), error(404, "not_found_path"), error(400, "invalid_json")]
)
async def test_a_refused_read_falls_back_to_the_blocks_api_and_the_endpoint_is_asked_again(
    refusal: tuple[int, Any],
) -> None:
    notion = FakeNotion()
    notion.answer("GET", MARKDOWN, refusal)
    gateway = gateway_for(notion, max_retries=0)
    assert await read(notion, gateway) is None
    assert gateway.markdown_endpoint is None
    assert await read(notion, gateway) is None and len(notion.sent) == 2


@pytest.mark.parametrize(
    "fault",
    [error(404, "object_not_found"), error(403, "restricted_resource"), error(500, "internal_server_error")],
)
async def test_a_missing_page_or_a_fault_reaches_the_caller(fault: tuple[int, Any]) -> None:
    notion = FakeNotion()
    notion.answer("GET", MARKDOWN, fault)
    gateway = gateway_for(notion, max_retries=0)
    with pytest.raises(NotionAPIError) as caught:
        await read(notion, gateway)
    assert caught.value.code == fault[1]["code"]
    assert gateway.markdown_endpoint is None


@pytest.mark.parametrize(
    ("markdown", "answer"),
    [
        ("Intro", {"truncated": True}),
        ("<details>\nno summary", {}),
        ('<callout icon="x">\n\tnever closed', {}),
    ],
)
async def test_an_answer_that_is_cut_off_or_does_not_parse_falls_back(
    markdown: str, answer: dict[str, Any]
) -> None:
    notion = FakeNotion()
    notion.answer("GET", MARKDOWN, (200, {"object": "page_markdown", "markdown": markdown, **answer}))
    gateway = gateway_for(notion)
    assert await read(notion, gateway) is None
    assert gateway.markdown_endpoint is True  # the endpoint exists; this page is read the other way


async def test_a_page_deeper_or_larger_than_asked_falls_back() -> None:
    notion = fake("a\n\t- b\n\t\t- c\nd")  # depth 3, 4 blocks
    assert await read(notion, depth=3, blocks=4) is not None
    assert await read(notion, depth=2, blocks=4) is None
    assert await read(notion, depth=3, blocks=3) is None


def children_listing(*blocks: dict[str, Any]) -> tuple[int, Any]:
    return 200, {"object": "list", "results": list(blocks), "has_more": False, "next_cursor": None}


async def test_blocks_the_endpoint_does_not_render_are_read_through_the_blocks_api_where_they_stood() -> None:
    notion = fake(f"Intro\n\t- item\n\t\t{unknown(BOOKMARK, 'bookmark')}\n{unknown(TOGGLE, 'tabs')}")
    bookmark = {"object": "block", "id": BOOKMARK, "type": "bookmark", "has_children": False,
                "bookmark": {"url": "https://example.com", "caption": []}}  # fmt: skip
    tabs = {"object": "block", "id": TOGGLE, "type": "toggle", "has_children": True,
            "toggle": {"rich_text": [{"type": "text", "text": {"content": "Tabs"}}]}}  # fmt: skip
    notion.exact[f"/v1/blocks/{BOOKMARK}"] = (200, bookmark)
    notion.exact[f"/v1/blocks/{TOGGLE}"] = (200, tabs)
    notion.answer("GET", "/v1/blocks/{id}/children", children_listing({**paragraph("inside"), "id": "c1",
                                                                        "has_children": False}))  # fmt: skip
    result = await read(notion)
    assert result is not None
    assert texts(result.blocks) == ["Intro", ["item", ["bookmark"]], "Tabs", ["inside"]]
    assert result.blocks[0]["paragraph"]["children"][0]["bulleted_list_item"]["children"][0]["id"] == BOOKMARK
    assert result.requests == 4 and result.complete
    listed = [s.path for s in notion.sent if s.path.endswith("/children")]
    assert listed == [f"/v1/blocks/{TOGGLE}/children"]  # only the block with children is listed


async def test_a_placeholder_without_an_id_falls_back() -> None:
    notion = fake('Intro\n<unknown url="https://www.notion.so/x" alt="tabs"/>')
    assert await read(notion) is None
    assert len(notion.sent) == 1


async def test_placeholders_that_make_the_page_too_deep_or_large_fall_back() -> None:
    notion = fake(f"Intro\n{unknown(TOGGLE, 'tabs')}")
    tabs = {"object": "block", "id": TOGGLE, "type": "toggle", "has_children": True,
            "toggle": {"rich_text": []}}  # fmt: skip
    notion.exact[f"/v1/blocks/{TOGGLE}"] = (200, tabs)
    notion.answer("GET", "/v1/blocks/{id}/children", children_listing({**paragraph("x"), "id": "c1",
                                                                        "has_children": False}))  # fmt: skip
    assert await read(notion, depth=2, blocks=3) is not None
    assert await read(notion, depth=1, blocks=3) is None
    assert await read(notion, depth=2, blocks=2) is None


async def test_a_page_already_too_deep_is_not_completed_through_the_blocks_api() -> None:
    notion = fake(f"a\n\t- b\n\t\t- c\n{unknown(TOGGLE, 'tabs')}")  # depth 3 before any placeholder
    assert await read(notion, depth=2, blocks=100) is None
    assert await read(notion, depth=3, blocks=3) is None
    assert [s.path for s in notion.sent] == [f"/v1/pages/{PAGE}/markdown"] * 2  # no block read


async def test_the_requests_counted_are_this_reads_own() -> None:
    notion = fake("Intro")
    gateway = gateway_for(notion)
    await read(notion, gateway)
    result = await read(notion, gateway)
    assert result is not None and result.requests == 1


@pytest.mark.parametrize("kind", ["child_page", "child_database"])
async def test_a_child_page_or_database_placeholder_is_not_listed(kind: str) -> None:
    notion = fake(unknown(TOGGLE, kind))
    child = {"object": "block", "id": TOGGLE, "type": kind, "has_children": True, kind: {"title": "Sub"}}
    notion.exact[f"/v1/blocks/{TOGGLE}"] = (200, child)
    result = await read(notion)
    assert result is not None and result.blocks == [child]
    assert not any(s.path.endswith("/children") for s in notion.sent)


async def test_a_placeholders_subtree_is_read_within_the_depth_and_block_budgets() -> None:
    notion = fake(unknown(TOGGLE, "tabs"))
    tabs = {"object": "block", "id": TOGGLE, "type": "toggle", "has_children": True,
            "toggle": {"rich_text": []}}  # fmt: skip
    notion.exact[f"/v1/blocks/{TOGGLE}"] = (200, tabs)
    nested = {**paragraph("x"), "id": "44444444-4444-4444-4444-444444444444", "has_children": True}
    deeper = {"object": "list", "results": [nested], "has_more": False, "next_cursor": None}
    notion.answer("GET", "/v1/blocks/{id}/children", (200, deeper))  # children all the way down
    assert await read(notion, depth=1, blocks=100) is None
    listings = [s for s in notion.sent if s.path.endswith("/children")]
    assert len(listings) == 1  # the depth budget reached: nothing below it is listed
    longer = PathNotion()
    longer.answer("GET", MARKDOWN, (200, {"object": "page_markdown", "markdown": unknown(TOGGLE, "tabs")}))
    longer.exact[f"/v1/blocks/{TOGGLE}"] = (200, tabs)
    more = {
        "object": "list",
        "results": [{**nested, "has_children": False}],
        "has_more": True,
        "next_cursor": "n",
    }
    longer.answer("GET", "/v1/blocks/{id}/children", (200, more))  # a listing without end
    assert await read(longer, depth=50, blocks=2) is None
    assert len([s for s in longer.sent if s.path.endswith("/children")]) <= 3  # the block budget
