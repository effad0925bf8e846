"""What every tool shares: the operation table, argument checking, the advertised schema.

A tool is a `ToolSpec`: a name, a description and `operations = {name: Operation(ArgsModel,
handler)}`. The advertised input schema is one flat object — `operation` (an enum) plus the
union of the operations' fields — generated from the same pydantic models that then validate
each call, so what is advertised and what is accepted cannot drift apart.
"""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import ToolAnnotations
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from notion_mcp.errors import NotionMCPError, redact, to_tool_error
from notion_mcp.tools.context import Call

log = logging.getLogger("notion_mcp")

Format = Literal["markdown", "json"]


class OpArgs(BaseModel):
    """Base of every operation's arguments: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class Formatted(OpArgs):
    format: Format = Field("markdown", description="json: raw objects")


Handler = Callable[[Call, Any], Awaitable[str]]


@dataclass(frozen=True)
class Operation:
    args: type[OpArgs]
    handler: Handler
    writes: bool = False
    destructive: bool = False


@dataclass(frozen=True)
class ToolSpec:
    name: str
    title: str
    description: str
    operations: Mapping[str, Operation]
    default_operation: str | None = None
    prepare: Callable[[dict[str, Any]], dict[str, Any]] | None = None  # old argument shapes → new

    def visible(self, read_only: bool) -> dict[str, Operation]:
        return {n: op for n, op in self.operations.items() if not (read_only and op.writes)}

    def annotations(self, read_only: bool) -> ToolAnnotations:
        ops = self.visible(read_only).values()
        writes = any(op.writes for op in ops)
        return ToolAnnotations(
            read_only_hint=not writes,
            destructive_hint=any(op.destructive for op in ops),
            idempotent_hint=not writes,
            # every tool reaches an outside workspace: openWorldHint, left out as MCP's default is true
        )


# -- the advertised schema -----------------------------------------------------------------
# pydantic's titles and defaults (when scalar: a field *named* title is a dict), and JSON Schema's
# own default for objects: bytes a model pays for on every request and learns nothing from.
_DROPPED = frozenset({"title", "default", "additionalProperties"})


def _compact(schema: Any) -> Any:
    """Drop pydantic's titles and collapse `anyOf: [X, null]` to X (the field is optional anyway)."""
    if isinstance(schema, list):
        return [_compact(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _compact(v) for k, v in schema.items() if k not in _DROPPED or (isinstance(v, dict) and v)}
    any_of = out.get("anyOf")
    if isinstance(any_of, list):
        kept = [s for s in any_of if s != {"type": "null"}]
        if len(kept) == 1:
            out.pop("anyOf")
            out = {**kept[0], **out}
    return out


def input_schema(spec: ToolSpec, read_only: bool) -> dict[str, Any]:
    ops = spec.visible(read_only)
    properties: dict[str, Any] = {"operation": {"type": "string", "enum": list(ops)}}
    meanings: dict[str, dict[str, list[str]]] = {}  # field → its description → the operations
    for op_name, op in ops.items():
        schema = op.args.model_json_schema()
        for name, prop in schema["properties"].items():  # pydantic writes it even when empty
            properties.setdefault(name, _compact(prop))
            meanings.setdefault(name, {}).setdefault(str(prop.get("description", "")), []).append(op_name)
    for name, by_text in meanings.items():
        users = [op for ops_of in by_text.values() for op in ops_of]
        if len(by_text) == 1 and (len(users) == len(ops) or len(ops) == 1):
            continue  # one meaning, every operation: the description as it is
        # a field several operations read differently says what it means to each
        parts = [f"{text} [{','.join(ops_of)}]".strip() for text, ops_of in by_text.items()]
        properties[name]["description"] = "; ".join(parts)
    advertised: dict[str, Any] = {"type": "object", "properties": properties}
    if spec.default_operation is None:
        advertised["required"] = ["operation"]
    return advertised


# -- validating a call ---------------------------------------------------------------------
def _takes(op_name: str, model: type[OpArgs]) -> str:
    names = [f"{n} (required)" if f.is_required() else n for n, f in model.model_fields.items()]
    return f"{op_name} takes: {', '.join(names) or 'no other fields'}."


def _admits_str(annotation: Any) -> bool:
    """True when a plain string is a valid value as it is (so it must reach us untouched)."""
    if annotation is str:
        return True
    origin = get_origin(annotation)
    if origin is Literal:
        return any(isinstance(a, str) for a in get_args(annotation))
    if origin is Annotated:
        return _admits_str(get_args(annotation)[0])
    if origin in (Union, UnionType):
        return any(_admits_str(a) for a in get_args(annotation))
    return False


def _decode_json_strings(model: type[OpArgs], raw: dict[str, Any]) -> dict[str, Any]:
    """Accept `"children": "[...]"`, `"page_size": "20"` — values a client sent as JSON text."""
    out = dict(raw)
    for name, value in raw.items():
        info = model.model_fields.get(name)
        if info is None or not isinstance(value, str) or _admits_str(info.annotation):
            continue
        try:
            decoded = json.loads(value)
        except ValueError:
            continue
        if isinstance(decoded, dict | list | bool | int | float):
            out[name] = decoded
    return out


def _explain(exc: ValidationError, op_name: str, model: type[OpArgs]) -> str:
    lines = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "arguments"
        if err["type"] == "missing":
            lines.append(f"- {where}: required for {op_name} but missing")
        elif err["type"] == "extra_forbidden":
            lines.append(f"- {where}: not a field of {op_name}")
        else:
            msg = str(err["msg"]).removeprefix("Value error, ")
            lines.append(f"- {where}: {msg}")
    return "Invalid arguments:\n" + "\n".join(lines) + "\n" + _takes(op_name, model)


def parse_call(spec: ToolSpec, arguments: dict[str, Any], read_only: bool) -> tuple[str, Operation, OpArgs]:
    """The operation and its validated arguments, or a ToolError that says what to send."""
    args = spec.prepare(dict(arguments)) if spec.prepare else dict(arguments)
    for word in ("operation", "format"):  # " Retrieve", "JSON": the word is plain, the case is not
        if isinstance(args.get(word), str):
            args[word] = args[word].strip().lower()
    op_name = args.pop("operation", None) or spec.default_operation
    ops = spec.visible(read_only)
    if not isinstance(op_name, str | None):
        raise ToolError(
            f"{spec.name}: operation must be one word (a string), not {type(op_name).__name__}: "
            f"use one of: {', '.join(ops)}."
        )
    if op_name not in ops:
        if read_only and op_name in spec.operations:
            raise ToolError(
                f"{spec.name}: operation {op_name!r} writes to Notion and this server runs read-only "
                f"(NOTION_MCP_READ_ONLY). Available: {', '.join(ops)}."
            )
        got = "missing" if op_name is None else repr(op_name)
        raise ToolError(f"{spec.name}: operation is {got}; use one of: {', '.join(ops)}.")
    op = ops[op_name]
    try:
        model = op.args.model_validate(_decode_json_strings(op.args, args))
    except ValidationError as exc:
        raise ToolError(f"{spec.name} {op_name}: {_explain(exc, op_name, op.args)}") from None
    return op_name, op, model


async def run_call(spec: ToolSpec, call: Call, arguments: dict[str, Any]) -> str:
    """Run one call. The one place where any failure becomes the text a model reads.

    Errors raised on purpose (`ToolError`, `NotionMCPError`) say what to do. Anything else is
    a bug in this server: the model is told so, with the tool and operation, and nothing of
    the exception's text (it could hold arguments, a traceback, in theory a token); the
    traceback goes to the log at WARNING (stderr), where a maintainer can read it.
    """
    op_name = arguments.get("operation")  # as sent: named in a bug report even if parsing failed
    try:
        op_name, op, model = parse_call(spec, arguments, call.settings.read_only)
        return await op.handler(call, model)
    except ToolError:
        raise
    except NotionMCPError as exc:
        raise to_tool_error(exc) from exc
    except Exception as exc:
        one = _sole(exc)  # a task group's wrapping of one error raised on purpose: that error
        if isinstance(one, ToolError):
            raise one from exc
        if isinstance(one, NotionMCPError):
            raise to_tool_error(one) from exc
        raise _bug(spec.name, op_name, exc) from exc


def _sole(exc: BaseException) -> BaseException:
    while isinstance(exc, BaseExceptionGroup) and len(exc.exceptions) == 1:
        exc = exc.exceptions[0]
    return exc


def _bug(tool: str, op_name: object, exc: Exception) -> ToolError:
    where = f"{tool} {op_name}" if isinstance(op_name, str) and op_name.isidentifier() else tool
    log.warning("bug in %s:\n%s", where, redact("".join(traceback.format_exception(exc))).rstrip())
    return ToolError(
        f"{where}: this call hit a bug in the notion-mcp server ({type(exc).__name__}), not an error "
        "in Notion. If the operation writes, read the target to see what it wrote before it stopped; "
        "the server's log has the details. Check each field against the tool's schema; if the arguments "
        "are right, report the bug."
    )
