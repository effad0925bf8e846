"""notion_pages update `edits`: in-place edits without block IDs (the logic is notion/edit.py).

One field carries every edit form, so the schema stays small: `{old, new}` replaces text as the
page reads, `{heading, new, position?}` a section, `{after|before, new}` inserts.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from notion_mcp.errors import redact
from notion_mcp.markdown.ids import compact
from notion_mcp.notion.edit import EditIncomplete, EditResult, EditSpec, edit_page
from notion_mcp.notion.edit_plan import Insert, Op, Trash, Update
from notion_mcp.tools.context import Call
from notion_mcp.tools.files import with_uploads
from notion_mcp.tools.output import as_json


class Edit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    new: str = ""
    old: str | None = None
    heading: str | None = None
    after: str | None = None
    before: str | None = None
    position: Literal["replace", "start", "end"] = "replace"


EDITS_DESCRIPTION = "{old,new}|{heading,new,position?:start|end}|{after|before,new}; new: markdown"
# advertised as plain objects (the forms are in the description); validated by `Edit`
Edits = Annotated[
    list[Annotated[Edit, WithJsonSchema({"type": "object"})]] | None,
    Field(None, description=EDITS_DESCRIPTION),
]
SINCE_DESCRIPTION = "refuse if edited after this"
Since = Annotated[str | None, Field(None, description=SINCE_DESCRIPTION)]


async def apply_edits(call: Call, page_id: str, edits: list[Edit], since: str | None) -> str:
    specs = [EditSpec(**e.model_dump()) for e in edits]

    async def progress(done: float, total: float | None, message: str | None) -> None:
        await call.progress(done, total, message)

    async def prepare(payload: Any) -> Any:
        return await with_uploads(call, payload, "edits.new")

    try:
        result = await edit_page(
            call.gateway, page_id, specs, if_unchanged_since=since, on_progress=progress, prepare=prepare
        )
    except EditIncomplete as exc:
        raise ToolError(redact(incomplete(exc))) from exc
    return summary(page_id, result)


def summary(page_id: str, result: EditResult) -> str:
    parts = [
        f"{n} {what}"
        for n, what in (
            (result.updated, "updated"),
            (result.inserted, "inserted"),
            (result.trashed, "trashed"),
        )
        if n
    ]
    changed = f"blocks: {', '.join(parts)}" if parts else "no block changed (the text already read so)"
    return f"Edited page {compact(page_id)}: {changed} ({result.requests} requests)."


def call_for(op: Op) -> dict[str, Any]:
    """The notion_blocks arguments that perform `op`."""
    if isinstance(op, Update):
        return {"operation": "update", "block_id": op.block_id, "block_data": op.body}
    if isinstance(op, Trash):
        return {"operation": "delete", "block_id": op.block_id}
    assert isinstance(op, Insert)
    where: dict[str, Any] = {"after_block_id": op.after_id} if op.after_id else {"position": "start"}
    return {"operation": "append", "parent_block_id": op.parent_id, "children": op.blocks, **where}


def incomplete(exc: EditIncomplete) -> str:
    calls = "\n".join(f"notion_blocks {as_json(call_for(op))}" for op in exc.remaining)
    maybe = (
        " (the first of those below may have happened too; repeating it is harmless)" if exc.uncertain else ""
    )
    return (
        f"The edit is part done: {len(exc.done)} of {len(exc.done) + len(exc.remaining)} writes "
        f"happened{maybe}. Cause: {exc.cause}\nTo finish, make these calls in order (do not repeat "
        f"the edit):\n{calls}"
    )
