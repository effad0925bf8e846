"""No bare crash: each input that once ended in "Error executing tool X" with no message now
gets a message naming the field and the expected form; anything unforeseen is reported as a bug
in the server, naming the tool and operation, without a traceback or the token (issue 9)."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sandbox_client import call, sandbox_client, text_of

from notion_mcp.errors import InputError
from notion_mcp.sandbox import SEED
from notion_mcp.tools import pages

pytestmark = pytest.mark.anyio

TASK = SEED.task_id(4)
BAD_URL = "https://[notion.so/x"


def update(**properties: Any) -> tuple[str, dict[str, Any]]:
    return "notion_pages", {"operation": "update", "page_id": TASK, "properties": properties}


CASES: list[tuple[str, dict[str, Any], str | None]] = [  # None: a normal result
    ("notion_pages", {"operation": ["retrieve"]}, "operation must be one word"),
    ("notion_search", {"operation": {"x": 1}}, "operation must be one word"),
    ("notion_blocks",
     {"operation": "append", "parent_block_id": TASK, "children": [{"type": [], "paragraph": {}}]},
     "children[0].type: expected a block type name"),
    ("notion_blocks", {"operation": "append", "parent_block_id": TASK,
                       "children": [{"paragraph": {"rich_text": [{"text": "x"}]}}]},
     'children[0].paragraph.rich_text[0].text: expected an object with a string content'),
    (*update(Tags=5), "Tags: a multi_select takes a list of option names"),
    (*update(Tags=True), "Tags: a multi_select takes a list of option names"),
    (*update(Tags=[["a"]]), "Tags: a multi_select option is given by its name"),
    (*update(Status=["Done"]), "Status: a status option is given by its name"),
    (*update(Assignee=5), "Assignee: expected a list of IDs"),
    (*update(**{"Blocked by": 7}), "Blocked by: expected a list of IDs"),
    (*update(Estimate="nan"), "Estimate: a number property takes a number (finite"),
    (*update(Estimate="inf"), "Estimate: a number property takes a number (finite"),
    (*update(Estimate="1e999"), "Estimate: a number property takes a number (finite"),
    (*update(Estimate=10**400), "Estimate: a number property takes a number (finite"),
    (*update(Assignee=[BAD_URL]), f"Assignee: {BAD_URL!r} is not a Notion ID"),
    (*update(**{"Blocked by": [BAD_URL]}), f"Blocked by: {BAD_URL!r} is not a Notion ID"),
    ("notion_pages", {"operation": "create", "parent": {"page_id": BAD_URL}, "title": "x"},
     f"parent.page_id: {BAD_URL!r} is not a Notion ID"),
    ("notion_blocks", {"operation": "retrieve", "block_id": BAD_URL}, "block_id:"),
    ("notion_comments", {"operation": "create", "discussion_id": BAD_URL, "markdown": "x"},
     f"discussion_id: {BAD_URL!r} is not a Notion ID"),
    ("notion_search", {"filter": {"property": "object", "value": ["page"]}},
     "filter: Input should be 'page'"),
    ("notion_search", {"query": "x", "page_size": None, "max_results": None}, None),
    ("notion_pages", {"operation": "retrieve", "page_id": TASK, "max_results": None}, None),
]  # fmt: skip


@pytest.mark.parametrize(("tool", "arguments", "message"), CASES)
async def test_a_once_crashing_input_gets_a_message_naming_the_field(
    tool: str, arguments: dict[str, Any], message: str | None
) -> None:
    async with sandbox_client() as (client, _):
        result = await client.call_tool(tool, arguments)
    if message is None:
        assert not result.is_error, text_of(result)
        return
    assert result.is_error
    assert message in text_of(result), text_of(result)
    assert "bug in the notion-mcp server" not in text_of(result)


async def test_an_unknown_status_option_is_not_advised_to_be_created_by_a_page_write() -> None:
    async with sandbox_client() as (client, _):
        result = await client.call_tool(*update(Status="Blocked"))
        assert result.is_error
        text = text_of(result)
        assert "Notion does not create status options" in text and "Notion creates it" not in text
        # the advice is true: Notion's own form is refused by Notion for a status
        followed = await client.call_tool(*update(Status={"status": {"name": "Blocked"}}))
        assert followed.is_error and "validation_error" in text_of(followed)
        # while for a select/multi_select it is what Notion does
        tags = await client.call_tool(*update(Tags="brand-new"))
        assert "Notion creates it" in text_of(tags)


async def test_an_unexpected_exception_is_a_tool_error_saying_it_is_a_bug_and_goes_to_the_log(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    token = "ntn_" + "A1b2" * 10

    async def broken(call: Any, args: Any) -> str:
        raise RuntimeError(f"internal detail with {token}")

    op = pages.SPEC.operations["retrieve"]
    monkeypatch.setitem(pages.SPEC.operations, "retrieve", type(op)(op.args, broken))  # type: ignore[index]
    with caplog.at_level(logging.WARNING, logger="notion_mcp"):
        async with sandbox_client() as (client, _):
            result = await client.call_tool("notion_pages", {"operation": "retrieve", "page_id": TASK})
            after = await call(client, "notion_users", operation="retrieve_bot")
    text = text_of(result)
    assert result.is_error
    assert "notion_pages retrieve: this call hit a bug in the notion-mcp server (RuntimeError)" in text
    assert token not in text and "internal detail" not in text and "Traceback" not in text
    assert after  # the server goes on serving
    logged = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert "bug in notion_pages retrieve" in logged[0] and "Traceback" in logged[0]
    assert token not in logged[0] and "[token]" in logged[0]


async def test_a_new_pages_bad_block_is_refused_before_the_page_is_created() -> None:
    bad = {"to_do": {"rich_text": [{"text": {"content": "x"}}, "plain"]}}
    async with sandbox_client() as (client, sandbox):
        for parent in ({"workspace": True}, {"page_id": SEED.welcome_page_id}):
            sandbox.reset_counters()
            result = await client.call_tool(
                "notion_pages", {"operation": "create", "parent": parent, "title": "T", "children": [bad]}
            )
            assert result.is_error and "children[0].to_do.rich_text[1]: a rich text item" in text_of(result)
            assert sandbox.counters["POST /v1/pages"] == 0


async def test_an_error_raised_on_purpose_inside_a_task_group_reaches_the_model_as_itself(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def grouped(call: Any, args: Any) -> str:
        raise ExceptionGroup("workers", [InputError("rows[3].Estimate: a number property takes a number")])

    op = pages.SPEC.operations["retrieve"]
    monkeypatch.setitem(pages.SPEC.operations, "retrieve", type(op)(op.args, grouped))  # type: ignore[index]
    async with sandbox_client() as (client, _):
        result = await client.call_tool("notion_pages", {"operation": "retrieve", "page_id": TASK})
    assert result.is_error and "rows[3].Estimate: a number property takes a number" in text_of(result)
    assert "bug" not in text_of(result)
