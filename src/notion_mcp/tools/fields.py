"""Field types shared by the operations' argument models."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, ValidationInfo

from notion_mcp.errors import InputError
from notion_mcp.notion.ids import BLOCK_FIELDS, normalize_id


def _notion_id(value: str, info: ValidationInfo) -> str:
    try:
        return normalize_id(value, "", block=(info.field_name or "") in BLOCK_FIELDS)
    except InputError as exc:
        raise ValueError(str(exc)) from None


NotionId = Annotated[str, AfterValidator(_notion_id)]
JsonObject = dict[str, Any]
Blocks = list[dict[str, Any]]


def _not_a_flag(value: object) -> object:
    """A count given as true/false: pydantic would read true as 1 (one result per page)."""
    if isinstance(value, bool):
        raise ValueError(f"must be a whole number, not {str(value).lower()}")
    return value


Cursor = Annotated[str | None, Field(None, description="a next_cursor")]
# the bounds sit on the int itself: on `int | None` pydantic would apply them to None too (a crash)
PageSize = Annotated[
    Annotated[int, Field(ge=1, le=100)] | None,
    BeforeValidator(_not_a_flag),
    Field(None, description="per page"),
]
MaxResults = Annotated[
    Annotated[int, Field(ge=1, le=10_000)] | None,
    BeforeValidator(_not_a_flag),
    Field(None, description="in total"),
]


def trash_flag(in_trash: bool | None, archived: bool | None) -> bool | None:
    """in_trash, or `archived` (its pre-2026 name) when only that is given; both disagreeing is an error."""
    if in_trash is not None and archived is not None and in_trash != archived:
        raise InputError("in_trash and archived (its old name) disagree: give in_trash only.")
    return in_trash if in_trash is not None else archived
