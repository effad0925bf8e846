"""markdown_write's rules against a fake Notion: when an append goes through the markdown
endpoint (one request), when it is left to the blocks API (None), and what a lost answer does."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from replay import FakeNotion, gateway_for

from notion_mcp.errors import InputError, NotionAPIError, TransientError
from notion_mcp.markdown import markdown_to_blocks
from notion_mcp.notion import markdown_write
from notion_mcp.notion.append import AppendResult
from notion_mcp.notion.markdown_read import FIRST_VERSION
from notion_mcp.notion.markdown_write import append_to_page, as_markdown

pytestmark = pytest.mark.anyio
PAGE = "11111111-1111-1111-1111-111111111111"
MARKDOWN = "/v1/pages/{id}/markdown"
LONG = markdown_to_blocks("\n\n".join(f"Paragraph {n}." for n in range(120)))  # two requests as blocks
DEEP = "- top\n  - inner\n    - deeper\n      - deepest"
NESTED = markdown_to_blocks(f"{DEEP}\n\nafter")  # two requests as blocks: four levels


def error(status: int, code: str, message: str = "refused") -> tuple[int, Any]:
    return status, {"object": "error", "status": status, "code": code, "message": message}


def page_markdown(text: str, **more: Any) -> tuple[int, Any]:
    return 200, {"object": "page_markdown", "id": PAGE, "markdown": text, **more}


async def append(notion: FakeNotion, blocks: list[dict[str, Any]], **kwargs: Any) -> AppendResult | None:
    gateway = kwargs.pop("gateway", None) or gateway_for(notion, max_retries=0)
    version = kwargs.pop("notion_version", FIRST_VERSION)
    return await append_to_page(gateway, PAGE, blocks, notion_version=version)


def sent(notion: FakeNotion) -> list[tuple[str, str]]:
    return [(s.method, s.path) for s in notion.sent]


PATCH = ("PATCH", f"/v1/pages/{PAGE}/markdown")
GET = ("GET", f"/v1/pages/{PAGE}/markdown")


@pytest.mark.parametrize("blocks", [LONG, NESTED], ids=["long", "deep"])
async def test_content_the_blocks_api_needs_several_requests_for_is_one_request(
    blocks: list[dict[str, Any]],
) -> None:
    notion = FakeNotion()
    notion.answer("PATCH", MARKDOWN, page_markdown("whatever"))
    result = await append(notion, blocks)
    assert result == AppendResult([], 1, 120 if blocks is LONG else 5)
    assert sent(notion) == [PATCH]
    markdown = as_markdown(blocks)
    assert markdown is not None
    assert notion.sent[0].body == {"type": "insert_content", "insert_content": {"content": markdown}}


async def test_one_request_either_way_is_left_to_the_blocks_api_for_its_ids() -> None:
    notion = FakeNotion()
    assert await append(notion, markdown_to_blocks("One.\n\nTwo.")) is None
    assert notion.sent == []


async def test_an_older_notion_version_or_a_block_parent_is_left_to_the_blocks_api() -> None:
    notion = FakeNotion()
    assert await append(notion, LONG, notion_version="2025-09-03") is None
    gateway = gateway_for(notion)
    gateway.not_pages.add(PAGE)
    assert await append(notion, LONG, gateway=gateway) is None
    gateway = gateway_for(notion)
    gateway.markdown_endpoint = False
    assert await append(notion, LONG, gateway=gateway) is None
    assert notion.sent == []


async def test_content_with_no_markdown_form_or_too_large_is_left_to_the_blocks_api(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bookmark = {"type": "bookmark", "bookmark": {"url": "https://example.com", "caption": []}}
    notion = FakeNotion()
    assert as_markdown([bookmark]) is None
    assert await append(notion, [*LONG, bookmark]) is None
    written = as_markdown(LONG)
    assert written is not None
    monkeypatch.setattr(markdown_write, "MAX_MARKDOWN_BYTES", len(written.encode()))
    assert as_markdown(LONG) == written  # exactly the budget: fits
    monkeypatch.setattr(markdown_write, "MAX_MARKDOWN_BYTES", len(written.encode()) - 1)
    assert as_markdown(LONG) is None
    assert await append(notion, LONG) is None
    assert notion.sent == []


async def test_the_budget_leaves_room_for_the_request_around_the_markdown() -> None:
    assert markdown_write.MAX_MARKDOWN_BYTES == 490_000
    text = "x" * 1999
    many = markdown_to_blocks("\n\n".join(text for _ in range(300)))  # about 600 KB
    assert as_markdown(many) is None


async def test_no_such_endpoint_is_remembered_and_the_blocks_api_appends() -> None:
    notion = FakeNotion()  # the fake answers the markdown path with 400 invalid_request_url
    gateway = gateway_for(notion, max_retries=0)
    assert await append(notion, LONG, gateway=gateway) is None
    assert gateway.markdown_endpoint is False
    assert await append(notion, LONG, gateway=gateway) is None
    assert sent(notion) == [PATCH]


async def test_a_block_parent_is_remembered_and_the_blocks_api_appends_under_it() -> None:
    notion = FakeNotion()
    message = "Provided ID is a block, not a Page."
    notion.answer("PATCH", MARKDOWN, error(400, "validation_error", message))
    gateway = gateway_for(notion, max_retries=0)
    assert await append(notion, LONG, gateway=gateway) is None
    assert PAGE in gateway.not_pages and gateway.markdown_endpoint is not False
    assert await append(notion, LONG, gateway=gateway) is None
    assert sent(notion) == [PATCH]


@pytest.mark.parametrize(
    "refusal",
    [
        error(400, "validation_error", "body.insert_content.content should be shorter"),
        error(404, "object_not_found"),
        error(403, "restricted_resource", "no access to this page"),
        error(409, "conflict_error"),
    ],
)
async def test_other_refusals_reach_the_caller(refusal: tuple[int, Any]) -> None:
    notion = FakeNotion()
    notion.answer("PATCH", MARKDOWN, refusal)
    gateway = gateway_for(notion, max_retries=0)
    with pytest.raises(NotionAPIError) as caught:
        await append(notion, LONG, gateway=gateway)
    assert caught.value.code == refusal[1]["code"]
    assert gateway.not_pages == set() and gateway.markdown_endpoint is not False


async def test_a_request_that_never_left_is_raised_not_read_back() -> None:
    notion = FakeNotion()
    notion.answer("PATCH", MARKDOWN, httpx.ConnectError("refused"))
    with pytest.raises(TransientError) as caught:
        await append(notion, LONG)
    assert not caught.value.sent
    assert sent(notion) == [PATCH]


def tail_of(blocks: list[dict[str, Any]], before: str = "Earlier content.") -> str:
    written = as_markdown(blocks)
    assert written is not None
    return f"{before}\n{written}"


async def test_a_lost_answer_whose_append_landed_is_done() -> None:
    notion = FakeNotion()
    notion.answer("PATCH", MARKDOWN, error(500, "internal_server_error"))
    notion.answer("GET", MARKDOWN, page_markdown(tail_of(NESTED)))
    result = await append(notion, NESTED)
    assert result == AppendResult([], 2, 5)
    assert sent(notion) == [PATCH, GET]


@pytest.mark.parametrize(
    "page",
    [
        "Earlier content.",  # nothing landed
        tail_of(NESTED[:-1]),  # only a part: the last block missing
        tail_of(markdown_to_blocks(f"{DEEP}\n\nother")),  # another text
        tail_of(markdown_to_blocks(f"{DEEP}\n\n## after")),  # another type
    ],
    ids=["nothing", "part", "text", "type"],
)
async def test_a_lost_answer_whose_append_is_not_there_is_left_to_the_blocks_api(page: str) -> None:
    notion = FakeNotion()
    notion.answer("PATCH", MARKDOWN, error(502, "bad_gateway"))
    notion.answer("GET", MARKDOWN, page_markdown(page))
    assert await append(notion, NESTED) is None
    assert sent(notion) == [PATCH, GET]


async def test_the_read_back_compares_the_pages_last_blocks_not_its_first() -> None:
    notion = FakeNotion()
    notion.answer("PATCH", MARKDOWN, error(500, "internal_server_error"))
    written = as_markdown(NESTED)
    notion.answer("GET", MARKDOWN, page_markdown(f"{written}\nLater content."))
    assert await append(notion, NESTED) is None


@pytest.mark.parametrize(
    "read_back",
    [
        error(500, "internal_server_error"),
        error(404, "object_not_found"),
        page_markdown("<details>\nno summary"),
        page_markdown("", truncated=True),
    ],
    ids=["fault", "gone", "unparsable", "truncated"],
)
async def test_a_lost_answer_that_cannot_be_read_back_is_the_ambiguous_error(
    read_back: tuple[int, Any],
) -> None:
    notion = FakeNotion()
    notion.answer("PATCH", MARKDOWN, error(500, "internal_server_error"))
    notion.answer("GET", MARKDOWN, read_back)
    with pytest.raises(TransientError) as caught:
        await append(notion, NESTED)
    assert caught.value.ambiguous and caught.value.status == 500
    assert sent(notion) == [PATCH, GET]


async def test_a_truncated_read_back_is_ambiguous_even_when_it_ends_with_the_blocks() -> None:
    notion = FakeNotion()
    notion.answer("PATCH", MARKDOWN, error(500, "internal_server_error"))
    notion.answer("GET", MARKDOWN, page_markdown(tail_of(NESTED), truncated=True))
    with pytest.raises(TransientError) as caught:
        await append(notion, NESTED)
    assert caught.value.ambiguous


async def test_a_parent_that_is_not_an_id_is_refused_naming_the_field() -> None:
    notion = FakeNotion()
    with pytest.raises(InputError) as caught:
        await append_to_page(gateway_for(notion), "not an id", LONG, notion_version=FIRST_VERSION)
    assert str(caught.value).startswith("parent_block_id")
    assert notion.sent == []


def test_many_small_blocks_are_one_request_however_many() -> None:
    tiny = {"type": "paragraph", "paragraph": {"rich_text": [{"type": "text", "text": {"content": "x"}}]}}
    written = as_markdown([tiny] * 25_000)  # more than the markdown writer's default block limit
    assert written is not None and written.count("x") == 25_000


async def test_the_requests_counted_are_this_appends_own() -> None:
    notion = FakeNotion()
    notion.answer("PATCH", MARKDOWN, page_markdown("whatever"))
    gateway = gateway_for(notion)
    await append(notion, LONG, gateway=gateway)
    again = await append(notion, LONG, gateway=gateway)
    assert again is not None and again.requests == 1
