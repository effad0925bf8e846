"""The rules every tool shares (tools/_dispatch.py), as a model sees them through `mcp.Client`.

A toy tool on a small in-memory server (no sandbox, no gateway: the handlers answer with the
arguments they were given or raise what a real handler might), so each test runs in a few
milliseconds and pins one rule: the operation word, argument decoding and checking, the error
texts, the advertised schema and the tool's annotations.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from typing import Annotated, Any, Literal

import pytest
from mcp import Client
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field, model_validator

from notion_mcp.config import Settings
from notion_mcp.errors import InputError, NotionAPIError
from notion_mcp.server import SPECS, _tool
from notion_mcp.tools._dispatch import Formatted, OpArgs, Operation, ToolSpec
from notion_mcp.tools.context import App, Call

pytestmark = pytest.mark.anyio

TOKEN = "ntn_" + "a1b2c3d4" * 4


class Show(Formatted):
    name: str = Field(description="what to show")
    size: int | None = Field(None, description="how many")


class Put(OpArgs):
    name: str = Field(description="what to write")
    items: list[int] | None = None
    flag: bool = False
    kind: Literal["a", "b"] = "a"
    note: Annotated[str | None, Field(max_length=20)] = None
    weight: float | None = None
    level: Literal["1", "2", "3"] | None = None
    label: Annotated[str, Field(max_length=20)] | None = None
    since: date | None = None


class Pair(OpArgs):
    low: int = 0
    high: int = 0

    @model_validator(mode="after")
    def _ordered(self) -> Pair:
        if self.low > self.high:
            raise ValueError("low must not exceed high")
        return self


class Nothing(OpArgs):
    pass


async def _echo(call: Call, args: Any) -> str:
    return f"{type(args).__name__} {args.model_dump()!r} read_only={call.settings.read_only}"


class Listing(Formatted):
    name: str = Field(description="what to list")


def _old_shapes(raw: dict[str, Any]) -> dict[str, Any]:
    raw["name"] = raw.pop("old_name").upper()  # a translator with a bug: KeyError without old_name
    return raw


async def _notion_error(call: Call, args: Any) -> str:
    raise NotionAPIError(404, "object_not_found", "Could not find page.", request_id="req-1")


async def _input_error(call: Call, args: Any) -> str:
    raise InputError(f"page_id: {TOKEN} is not a page")


async def _tool_error(call: Call, args: Any) -> str:
    raise ToolError("handler says no")


async def _crash(call: Call, args: Any) -> str:
    raise KeyError(f"secret detail {TOKEN}")


async def _grouped_tool_error(call: Call, args: Any) -> str:
    raise ExceptionGroup("tasks", [ExceptionGroup("inner", [ToolError("deep no")])])


async def _grouped_notion_error(call: Call, args: Any) -> str:
    raise ExceptionGroup("tasks", [NotionAPIError(409, "conflict_error", "Conflict.")])


async def _grouped_two(call: Call, args: Any) -> str:
    raise ExceptionGroup("tasks", [ToolError("one"), ToolError("two")])


def _prepare(raw: dict[str, Any]) -> dict[str, Any]:
    if "old_name" in raw:  # an old argument shape, renamed before validation
        raw["name"] = raw.pop("old_name")
    return raw


TOY = ToolSpec(
    name="toy",
    title="Toy",
    description="A tool for the dispatch tests.",
    operations={
        "show": Operation(Show, _echo),
        "put": Operation(Put, _echo, writes=True),
        "drop": Operation(Put, _echo, writes=True, destructive=True),
        "pair": Operation(Pair, _echo),
        "nothing": Operation(Nothing, _echo),
        "notion_error": Operation(Nothing, _notion_error),
        "input_error": Operation(Nothing, _input_error),
        "tool_error": Operation(Nothing, _tool_error),
        "crash": Operation(Nothing, _crash),
        "grouped_tool_error": Operation(Nothing, _grouped_tool_error),
        "grouped_notion_error": Operation(Nothing, _grouped_notion_error),
        "grouped_two": Operation(Nothing, _grouped_two),
    },
    prepare=_prepare,
)
READER = ToolSpec(
    name="reader",
    title="Reader",
    description="Reads only, with a default operation.",
    operations={"show": Operation(Show, _echo), "pair": Operation(Pair, _echo)},
    default_operation="show",
)


@asynccontextmanager
async def toy_client(*specs: ToolSpec, read_only: bool = False) -> AsyncIterator[Client]:
    settings = Settings(token=None, sandbox=":memory:", rate_limit=0, read_only=read_only)

    @asynccontextmanager
    async def lifespan(_: MCPServer[App]) -> AsyncIterator[App]:
        yield App(settings, gateway=None)  # type: ignore[arg-type]  # no handler here calls Notion

    server = MCPServer("toy", lifespan=lifespan, tools=[_tool(s, settings) for s in specs or (TOY, READER)])
    async with Client(server) as client:  # type: ignore[arg-type]
        yield client


async def _answer(tool: str, arguments: dict[str, Any], read_only: bool = False) -> tuple[bool, str]:
    async with toy_client(read_only=read_only) as client:
        result = await client.call_tool(tool, arguments)
    return result.is_error, "\n".join(c.text for c in result.content if getattr(c, "type", "") == "text")


async def ok(arguments: dict[str, Any], tool: str = "toy", read_only: bool = False) -> str:
    is_error, text = await _answer(tool, arguments, read_only)
    assert not is_error, text
    return text


async def refused(arguments: dict[str, Any], tool: str = "toy", read_only: bool = False) -> str:
    is_error, text = await _answer(tool, arguments, read_only)
    assert is_error, text
    return text.removeprefix(f"Error executing tool {tool}: ")  # the SDK's prefix to a ToolError


# -- the operation word ----------------------------------------------------------------------
async def test_the_operation_word_is_matched_whatever_its_case_and_spaces() -> None:
    assert (await ok({"operation": " SHOW ", "name": "x"})).startswith("Show ")
    assert (await ok({"operation": "Put", "name": "x"})).startswith("Put ")


async def test_format_is_matched_whatever_its_case_but_other_strings_are_kept_as_sent() -> None:
    text = await ok({"operation": "show", "name": "  Mixed Case  ", "format": " JSON"})
    assert "'format': 'json'" in text
    assert "'name': '  Mixed Case  '" in text  # no field but operation and format is trimmed


async def test_format_defaults_to_markdown() -> None:
    assert "'format': 'markdown'" in await ok({"operation": "show", "name": "x"})


async def test_a_missing_operation_is_named_with_the_choices() -> None:
    text = await refused({"name": "x"})
    assert "toy: operation is missing; use one of: show, put, drop, pair, nothing," in text


async def test_an_unknown_operation_is_quoted_with_the_choices() -> None:
    text = await refused({"operation": "fetch"})
    assert "toy: operation is 'fetch'; use one of: show, put, drop," in text


async def test_an_operation_that_is_not_a_string_says_so() -> None:
    text = await refused({"operation": 3})
    assert "toy: operation must be one word (a string), not int: use one of: show, put," in text
    text = await refused({"operation": ["show"]})
    assert "not list" in text


async def test_an_empty_operation_falls_back_to_the_default_operation() -> None:
    assert (await ok({"name": "x"}, tool="reader")).startswith("Show ")
    assert (await ok({"operation": "", "name": "x"}, tool="reader")).startswith("Show ")
    assert (await ok({"operation": "pair"}, tool="reader")).startswith("Pair ")


async def test_old_argument_shapes_are_prepared_before_validation() -> None:
    assert "'name': 'renamed'" in await ok({"operation": "show", "old_name": "renamed"})


# -- read-only ---------------------------------------------------------------------------------
async def test_read_only_refuses_a_write_and_says_why() -> None:
    text = await refused({"operation": "put", "name": "x"}, read_only=True)
    assert "toy: operation 'put' writes to Notion and this server runs read-only" in text
    assert "(NOTION_MCP_READ_ONLY). Available: show, pair, nothing, notion_error," in text
    assert "put" not in text.split("Available: ")[1].rstrip(".").split(", ")


async def test_read_only_still_runs_reads() -> None:
    assert (await ok({"operation": "show", "name": "x"}, read_only=True)).startswith("Show ")


async def test_read_only_does_not_mistake_an_unknown_operation_for_a_write() -> None:
    text = await refused({"operation": "fetch"}, read_only=True)
    assert "toy: operation is 'fetch'; use one of: show, pair," in text


# -- checking the arguments --------------------------------------------------------------------
async def test_an_unknown_field_is_refused_by_name_with_what_the_operation_takes() -> None:
    text = await refused({"operation": "show", "name": "x", "colour": "red"})
    assert text.startswith("toy show: Invalid arguments:\n- colour: not a field of show\n")
    assert text.endswith("show takes: format, name (required), size.")


async def test_a_missing_field_is_named_as_required() -> None:
    text = await refused({"operation": "put"})
    assert "toy put: Invalid arguments:\n- name: required for put but missing\n" in text
    assert "put takes: name (required), items, flag, kind, note, weight, level, label, since." in text


async def test_an_operation_with_no_fields_says_so() -> None:
    text = await refused({"operation": "nothing", "x": 1})
    assert text.endswith("nothing takes: no other fields.")


async def test_a_wrong_value_names_its_place_with_pydantics_reason() -> None:
    text = await refused({"operation": "put", "name": "x", "items": [1, "two"]})
    assert "- items.1: Input should be a valid integer" in text


async def test_a_whole_object_rule_is_reported_under_arguments_without_the_value_error_prefix() -> None:
    text = await refused({"operation": "pair", "low": 5, "high": 1})
    assert "- arguments: low must not exceed high\n" in text
    assert "Value error" not in text


async def test_every_problem_is_listed() -> None:
    text = await refused({"operation": "put", "flag": "maybe", "zzz": 1})
    lines = text.splitlines()
    assert "- name: required for put but missing" in lines
    assert "- zzz: not a field of put" in lines
    assert any(line.startswith("- flag: ") for line in lines)


# -- values sent as JSON text ------------------------------------------------------------------
async def test_json_text_is_decoded_for_fields_that_take_no_string() -> None:
    text = await ok({"operation": "put", "name": "x", "items": "[1, 2]", "flag": "true", "weight": "1.5"})
    assert "'items': [1, 2]" in text
    assert "'flag': True" in text
    assert "'weight': 1.5" in text
    assert "'size': 20" in await ok({"operation": "show", "name": "x", "size": "20"})


async def test_json_text_is_left_alone_for_fields_that_take_a_string() -> None:
    text = await ok({"operation": "put", "name": "[1]", "note": "20"})
    assert "'name': '[1]'" in text  # str
    assert "'note': '20'" in text  # Annotated[str | None, …]
    assert "'kind': 'b'" in await ok({"operation": "put", "name": "x", "kind": "b"})  # Literal
    assert "'level': '2'" in await ok({"operation": "put", "name": "x", "level": "2"})  # JSON-like Literal
    assert "'label': '20'" in await ok({"operation": "put", "name": "x", "label": "20"})  # Annotated | None


async def test_text_that_is_no_json_does_not_stop_the_decoding_of_later_fields() -> None:
    text = await ok({"operation": "put", "name": "x", "since": "2026-12-02", "items": "[1]"})
    assert "'since': datetime.date(2026, 12, 2)" in text
    assert "'items': [1]" in text


async def test_json_text_that_is_null_or_a_string_is_not_decoded() -> None:
    text = await refused({"operation": "show", "name": "x", "size": "null"})
    assert "- size: " in text  # "null" is no number: refused, not taken as "no size"
    text = await refused({"operation": "put", "name": "x", "items": '"[1]"'})
    assert "- items: " in text


async def test_text_that_is_not_json_is_refused_by_the_model() -> None:
    text = await refused({"operation": "put", "name": "x", "items": "[1, 2"})
    assert "- items: Input should be a valid list" in text


# -- failures in a handler ---------------------------------------------------------------------
async def test_a_notion_error_reaches_the_model_as_its_advice() -> None:
    text = await refused({"operation": "notion_error"})
    assert text.startswith("Notion error 404 object_not_found: Could not find page.")
    assert "request_id: req-1" in text


async def test_an_error_raised_on_purpose_reaches_the_model_redacted() -> None:
    text = await refused({"operation": "input_error"})
    assert text == "page_id: [token] is not a page"


async def test_a_tool_error_reaches_the_model_as_it_is() -> None:
    assert await refused({"operation": "tool_error"}) == "handler says no"


async def test_one_error_wrapped_by_task_groups_reaches_the_model_unwrapped() -> None:
    assert await refused({"operation": "grouped_tool_error"}) == "deep no"
    assert (await refused({"operation": "grouped_notion_error"})).startswith(
        "Notion error 409 conflict_error: Conflict."
    )


async def test_a_bug_is_named_as_one_without_its_text(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="notion_mcp"):
        text = await refused({"operation": "crash"})
    assert text.startswith("toy crash: this call hit a bug in the notion-mcp server (KeyError), not an error")
    assert "secret detail" not in text
    assert "(KeyError), not an error in Notion. If the operation writes, read the target" in text
    assert "to see what it wrote before it stopped; the server's log has the details." in text
    assert "Check each field against the tool's schema; if the arguments are right, report the bug." in text
    logged = [r.getMessage() for r in caplog.records if r.name == "notion_mcp"]
    assert len(logged) == 1 and logged[0].startswith("bug in toy crash:\nTraceback")
    assert "secret detail [token]" in logged[0] and TOKEN not in logged[0]
    assert "\n  File " in logged[0] and logged[0].endswith("KeyError: 'secret detail [token]'")  # readable


async def test_a_bug_before_the_arguments_are_parsed_names_the_operation_sent() -> None:
    spec = ToolSpec("old", "Old", "d", {"show": Operation(Show, _echo)}, prepare=_old_shapes)
    async with toy_client(spec) as client:
        assert not (await client.call_tool("old", {"operation": "show", "old_name": "x"})).is_error
        result = await client.call_tool("old", {"operation": "show"})
    assert result.is_error
    assert (
        "tool old: old show: this call hit a bug in the notion-mcp server (KeyError)"
        in result.content[0].text
    )  # type: ignore[union-attr]


async def test_the_handler_gets_the_call_with_the_servers_settings() -> None:
    assert (await ok({"operation": "show", "name": "x"}, tool="reader")).endswith("read_only=False")
    assert (await ok({"operation": "show", "name": "x"}, read_only=True)).endswith("read_only=True")


async def test_two_errors_from_a_task_group_are_a_bug() -> None:
    text = await refused({"operation": "grouped_two"})
    assert text.startswith("toy grouped_two: this call hit a bug in the notion-mcp server (ExceptionGroup)")


async def test_a_bug_names_only_the_tool_when_the_operation_word_is_odd() -> None:
    spec = ToolSpec("odd", "Odd", "d", {"my op": Operation(Nothing, _crash)})
    async with toy_client(spec) as client:
        result = await client.call_tool("odd", {"operation": "my op"})
    assert result.is_error
    assert "tool odd: odd: this call hit a bug" in result.content[0].text  # type: ignore[union-attr]


# -- the advertised schema and annotations -----------------------------------------------------
async def _listed(read_only: bool = False) -> dict[str, Any]:
    async with toy_client(read_only=read_only) as client:
        return {t.name: t for t in (await client.list_tools()).tools}


async def test_the_schema_is_one_flat_object_from_the_models() -> None:
    schema = (await _listed())["toy"].input_schema
    assert schema["type"] == "object"
    assert schema["required"] == ["operation"]
    assert schema["properties"]["operation"] == {"type": "string", "enum": list(TOY.operations)}
    # pydantic's titles and defaults are dropped; `X | None` is advertised as X
    assert schema["properties"]["size"] == {"type": "integer", "description": "how many [show]"}
    assert schema["properties"]["items"] == {
        "type": "array",
        "items": {"type": "integer"},
        "description": "[put,drop]",
    }
    assert schema["properties"]["kind"] == {"type": "string", "enum": ["a", "b"], "description": "[put,drop]"}
    assert schema["properties"]["note"] == {"type": "string", "maxLength": 20, "description": "[put,drop]"}
    assert schema["properties"]["format"] == {
        "type": "string",
        "enum": ["markdown", "json"],
        "description": "json: raw objects [show]",
    }


async def test_a_field_read_differently_says_what_it_means_to_each_operation() -> None:
    schema = (await _listed())["toy"].input_schema
    assert schema["properties"]["name"]["description"] == "what to show [show]; what to write [put,drop]"


async def test_a_field_every_operation_reads_alike_keeps_its_description() -> None:
    schema = (await _listed())["reader"].input_schema
    assert "required" not in schema  # a default operation: `operation` may be left out
    assert schema["properties"]["size"]["description"] == "how many [show]"
    one = ToolSpec("one", "One", "d", {"show": Operation(Show, _echo)})
    async with toy_client(one) as client:
        (tool,) = (await client.list_tools()).tools
    assert tool.input_schema["properties"]["size"]["description"] == "how many"
    both = ToolSpec("both", "Both", "d", {"a": Operation(Show, _echo), "b": Operation(Show, _echo)})
    async with toy_client(both) as client:
        (tool,) = (await client.list_tools()).tools
    assert tool.input_schema["properties"]["name"]["description"] == "what to show"
    # format means the same to both; name does not: each field is judged on its own
    two = ToolSpec("two", "Two", "d", {"show": Operation(Show, _echo), "list": Operation(Listing, _echo)})
    async with toy_client(two) as client:
        (tool,) = (await client.list_tools()).tools
    assert tool.input_schema["properties"]["format"]["description"] == "json: raw objects"
    assert (
        tool.input_schema["properties"]["name"]["description"] == "what to show [show]; what to list [list]"
    )


async def test_a_field_named_title_keeps_its_object_schema() -> None:
    schema = (await _listed())["toy"].input_schema
    assert "title" not in schema["properties"]["name"]
    real = SPECS["notion_pages"]
    async with toy_client(real) as client:
        (tool,) = (await client.list_tools()).tools
    assert "title" in tool.input_schema["properties"]  # a field *named* title is not dropped


async def test_read_only_leaves_writes_out_of_the_schema() -> None:
    schema = (await _listed(read_only=True))["toy"].input_schema
    assert "put" not in schema["properties"]["operation"]["enum"]
    assert "show" in schema["properties"]["operation"]["enum"]
    assert "items" not in schema["properties"]  # only the writes read it


async def test_annotations_follow_the_operations_shown() -> None:
    tools = await _listed()
    toy, reader = tools["toy"].annotations, tools["reader"].annotations
    assert (toy.read_only_hint, toy.destructive_hint, toy.idempotent_hint) == (False, True, False)
    assert (reader.read_only_hint, reader.destructive_hint, reader.idempotent_hint) == (True, False, True)
    toy = (await _listed(read_only=True))["toy"].annotations
    assert (toy.read_only_hint, toy.destructive_hint, toy.idempotent_hint) == (True, False, True)
    writer = ToolSpec("w", "W", "d", {"put": Operation(Put, _echo, writes=True)})
    async with toy_client(writer) as client:
        (tool,) = (await client.list_tools()).tools
    assert (tool.annotations.read_only_hint, tool.annotations.destructive_hint) == (False, False)
