"""Notion's limits and error bodies, as the sandbox enforces them.

Every refusal is a :class:`NotionError` carrying the HTTP status, Notion's error ``code`` and a
message in Notion's wording (taken from recorded traffic where a recording exists). The app
turns it into ``{object: "error", status, code, message, additional_data?, request_id}``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from typing import Any

from notion_mcp.emoji import is_emoji
from notion_mcp.markdown.colors import COLORS

JSON = dict[str, Any]

VERSIONS = ("2025-09-03", "2026-03-11")
LATEST = "2026-03-11"

MAX_CHILDREN = 100
MAX_NESTING = 2
MAX_TEXT = 2000
MAX_URL = 2000
MAX_EQUATION = 1000
MAX_RICH_TEXT_ITEMS = 100
MAX_ELEMENTS = 1000
MAX_BODY_BYTES = 500_000
MAX_PAGE_SIZE = 100
MAX_ARRAY_VALUES = 100
PAGE_OBJECT_RELATION_LIMIT = 25

INTEGRATION_NAME = "Notion MCP Sandbox"


class NotionError(Exception):
    """A refusal answered with a Notion error body."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        additional_data: JSON | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.additional_data = additional_data
        self.headers = headers or {}

    def body(self, request_id: str) -> JSON:
        out: JSON = {"object": "error", "status": self.status, "code": self.code, "message": self.message}
        if self.additional_data is not None:
            out["additional_data"] = self.additional_data
        out["request_id"] = request_id
        return out


def fmt(value: Any) -> str:
    """Render a value the way Notion quotes it in validation messages."""
    if value is None:
        return "undefined"
    return json.dumps(value, ensure_ascii=False)


def validation(message: str) -> NotionError:
    return NotionError(400, "validation_error", message)


def body_invalid(path: str, expectation: str, value: Any) -> NotionError:
    return validation(f"body failed validation: {path} should be {expectation}, instead was `{fmt(value)}`.")


def too_long(path: str, limit: int, actual: int) -> NotionError:
    return validation(f"body failed validation: {path} should be ≤ `{limit}`, instead was `{actual}`.")


def not_found(kind: str, object_id: str) -> NotionError:
    if kind == "user":
        hint = (
            "Make sure your integration has capabilities to read user information. With those "
            "capabilities, only members and guests in the integration's workspace are visible."
        )
    else:
        hint = (
            "Make sure the relevant pages and databases are shared with your integration "
            f'"{INTEGRATION_NAME}".'
        )
    return NotionError(
        404,
        "object_not_found",
        f"Could not find {kind} with ID: {object_id}. {hint}",
        additional_data={"integration_id": "00000000-0000-4000-8000-0000000000b0"},
    )


UNAUTHORIZED = ("unauthorized", "API token is invalid.")
MISSING_VERSION = (
    "missing_version",
    "Notion-Version header failed validation: Notion-Version header should be defined, "
    "instead was `undefined`.",
)
INVALID_URL = ("invalid_request_url", "Invalid request URL.")
INVALID_JSON = ("invalid_json", "Error parsing JSON body.")

_UUID = re.compile(r"^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$", re.I)
_NIL = "00000000000000000000000000000000"


def normalize_uuid(value: Any) -> str | None:
    """Dashed lower-case form of a Notion ID, or None when it is not one Notion accepts.

    Notion checks the RFC 4122 variant nibble (a recording shows ``...-1234-123456789abc``
    refused) but accepts the nil UUID (answered with 404).
    """
    if not isinstance(value, str) or not _UUID.match(value):
        return None
    h = value.replace("-", "").lower()
    if h != _NIL and h[16] not in "89ab":
        return None
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def path_uuid(name: str, value: str) -> str:
    out = normalize_uuid(value)
    if out is None:
        raise validation(
            f"path failed validation: path.{name} should be a valid uuid, instead was `{fmt(value)}`."
        )
    return out


def body_uuid(path: str, value: Any) -> str:
    out = normalize_uuid(value)
    if out is None:
        raise body_invalid(path, "a valid uuid", value)
    return out


def page_size(value: Any, where: str = "body") -> int:
    if value is None:
        return MAX_PAGE_SIZE
    if where == "query":
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value)
        else:
            raise validation(
                f"query failed validation: query.page_size should be a number, instead was `{fmt(value)}`."
            )
    if not isinstance(value, int) or isinstance(value, bool):
        raise validation(
            f"{where} failed validation: {where}.page_size should be a number, instead was `{fmt(value)}`."
        )
    if value < 1:
        raise validation(
            f"{where} failed validation: {where}.page_size should be ≥ `1`, instead was `{value}`."
        )
    if value > MAX_PAGE_SIZE:
        raise validation(
            f"{where} failed validation: {where}.page_size should be ≤ `{MAX_PAGE_SIZE}`, "
            f"instead was `{value}`."
        )
    return value


def bad_cursor(cursor: Any) -> NotionError:
    return validation(f"The start_cursor provided is invalid: {cursor}")


def check_body_size(raw: bytes) -> None:
    if len(raw) > MAX_BODY_BYTES:
        raise validation(
            f"Request body too large: the body was {len(raw)} bytes, which exceeds the limit of "
            f"`{MAX_BODY_BYTES}` bytes (500 KB) per request."
        )


def check_element_count(count: int) -> None:
    if count > MAX_ELEMENTS:
        raise validation(
            f"body failed validation: the request contains `{count}` block elements, which exceeds the limit "
            f"of `{MAX_ELEMENTS}` block elements per request."
        )


def require_dict(path: str, value: Any) -> JSON:
    if not isinstance(value, dict):
        raise body_invalid(path, "an object", value)
    return value


def require_list(path: str, value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise body_invalid(path, "an array", value)
    return value


def check_url(path: str, value: Any, *, nullable: bool = False) -> str | None:
    if value is None and nullable:
        return None
    if not isinstance(value, str):
        raise body_invalid(path, "a string", value)
    if len(value) > MAX_URL:
        raise too_long(f"{path}.length", MAX_URL, len(value))
    return value


# -- enumerations, booleans, unknown keys, icons -------------------------------------------
ICON_TYPES = ("emoji", "external", "file", "file_upload", "custom_emoji")
MAX_QUOTED = 300


def quoted(value: Any) -> str:
    """:func:`fmt`, cut at :data:`MAX_QUOTED` characters (a refused key may hold a long array)."""
    text = fmt(value)
    return text if len(text) <= MAX_QUOTED else text[: MAX_QUOTED - 1] + "…"


def not_present(path: str, value: Any) -> NotionError:
    """A key Notion's schema does not have (Notion refuses it rather than dropping it)."""
    return validation(f"body failed validation: {path} should be not present, instead was `{quoted(value)}`.")


def one_of_text(options: tuple[str, ...] | list[str]) -> str:
    """Notion's wording for an enumeration: `"a"`, `"b"`, or `"c"`."""
    quoted_options = [f"`{fmt(o)}`" for o in options]
    if len(quoted_options) == 1:
        return quoted_options[0]
    return ", ".join(quoted_options[:-1]) + ", or " + quoted_options[-1]


def check_enum(path: str, value: Any, options: tuple[str, ...] | list[str]) -> str:
    if not isinstance(value, str) or value not in options:
        raise body_invalid(path, one_of_text(options), value)
    return value


def check_color(path: str, value: Any) -> str:
    return check_enum(path, value, COLORS)


def check_bool(path: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise body_invalid(path, "a boolean", value)
    return value


def only_keys(path: str, value: JSON, allowed: Collection[str]) -> None:
    """Refuse the first key of ``value`` that is not in ``allowed``."""
    for key, item in value.items():
        if key not in allowed:
            raise not_present(f"{path}.{key}", item)


def check_icon(path: str, value: Any, *, nullable: bool = True) -> JSON | None:
    """A page/database/callout icon: an emoji, an external or uploaded file, or a custom emoji."""
    if value is None and nullable:
        return None
    icon = require_dict(path, value)
    kind = check_enum(
        f"{path}.type", icon.get("type") or next((k for k in ICON_TYPES if k in icon), None), ICON_TYPES
    )
    only_keys(path, icon, {"type", kind})
    if kind == "emoji":
        emoji = icon.get("emoji")
        if not is_emoji(emoji):
            raise body_invalid(f"{path}.emoji", "a single emoji", emoji)
        return {"type": "emoji", "emoji": emoji}
    body = require_dict(f"{path}.{kind}", icon.get(kind))
    if kind in ("external", "file"):
        only_keys(f"{path}.{kind}", body, {"url", "expiry_time"})
        check_url(f"{path}.{kind}.url", body.get("url"))
    elif kind == "file_upload":
        only_keys(f"{path}.{kind}", body, {"id"})
        body_uuid(f"{path}.{kind}.id", body.get("id"))
    else:
        only_keys(f"{path}.{kind}", body, {"id", "name", "url"})
        body_uuid(f"{path}.{kind}.id", body.get("id"))
    return {"type": kind, kind: body}
