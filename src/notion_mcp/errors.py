"""Errors, and how each one reaches the model.

    NotionMCPError                      anything this package raises on purpose
    ├── InputError                      bad input caught before any request (ID, cursor, field, limit)
    ├── ConfigError                     bad configuration at start-up (missing token, unknown tool name)
    └── NotionAPIError                  Notion (or the sandbox) answered with an error, or did not answer
        ├── RateLimitedError            429 / 529 that outlasted the retry budget (carries retry_after)
        └── TransientError              5xx, timeout, dropped connection: worth retrying when safe
            ├── (attribute) sent        False when the request surely never reached Notion
            └── (attribute) ambiguous   True when a write was sent and its effect is unknown

`to_tool_error()` turns any of them into the MCP SDK's `ToolError`, whose message is the only
thing the model sees: Notion's code, a short explanation, the request_id and the next step.
The token never appears in any message: `redact()` scrubs every text that leaves this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mcp.server.mcpserver.exceptions import ToolError

from notion_mcp.markdown.ids import shown_ids

_TOKEN_PATTERN = re.compile(r"\b(?:ntn|secret)_[A-Za-z0-9]{8,}")


def redact(text: str) -> str:
    """Remove anything shaped like a Notion integration token."""
    return _TOKEN_PATTERN.sub("[token]", text)


class NotionMCPError(Exception):
    """Base of every error raised on purpose."""


class InputError(NotionMCPError):
    """The caller's input is wrong; nothing was sent."""


class ConfigError(NotionMCPError):
    """The configuration is unusable; the server cannot start."""


class NotionAPIError(NotionMCPError):
    """Notion answered with an error body (or an edge proxy answered for it)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        request_id: str | None = None,
        retry_after: float | None = None,
        additional_data: dict[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.request_id = request_id
        self.retry_after = retry_after
        self.additional_data = additional_data or {}


class RateLimitedError(NotionAPIError):
    """A rate limit (429) or overload (529) that the retry budget could not wait out."""


class TransientError(NotionAPIError):
    """A fault worth retrying when repeating the request cannot duplicate its effect.

    `sent` is False when the request never left (connect error): then even a create is safe to
    repeat. When True, a write may or may not have taken effect ("ambiguous").
    """

    def __init__(self, status: int, code: str, message: str, *, sent: bool = True, **kw: object) -> None:
        super().__init__(status, code, message, **kw)  # type: ignore[arg-type]
        self.sent = sent
        self.ambiguous = False  # set by the gateway for a write it could not safely repeat


@dataclass(frozen=True)
class Advice:
    """What a Notion error code means for a model, and what to do next."""

    meaning: str
    next_step: str


ADVICE: dict[str, Advice] = {
    "object_not_found": Advice(
        "Notion cannot see this object: the ID is wrong or of another kind (a database's where a "
        "page's is wanted, a user's, a block's), the object was deleted, or it is not shared with "
        "the integration.",
        "Check the ID (notion_search finds pages by title). If it is right, open the page in Notion "
        "→ ⋯ → Connections and add this integration.",
    ),
    "unauthorized": Advice(
        "The API token is not valid.",
        "Set NOTION_TOKEN to a current internal integration token (ntn_… or secret_…) and restart.",
    ),
    "restricted_resource": Advice(
        "The integration lacks the capability for this action.",
        "Enable the needed capability (read/update/insert content, comments, user info) in the "
        "integration's settings.",
    ),
    "validation_error": Advice(
        "Notion rejected the request body or parameters.",
        "Fix the part the message names and call again.",
    ),
    "invalid_json": Advice("The request body was not valid JSON.", "Send well-formed JSON."),
    "invalid_request_url": Advice("The request URL is not valid.", "Check the IDs in the call."),
    "invalid_request": Advice("Notion does not support this request.", "Check the operation and fields."),
    "missing_version": Advice(
        "The Notion-Version header was missing.", "Set NOTION_VERSION (default 2026-03-11)."
    ),
    "invalid_beta": Advice("An unknown beta feature was requested.", "Remove the beta option."),
    "conflict_error": Advice(
        "The object changed while this request ran.",
        "Read the object again, then repeat the change.",
    ),
    "rate_limited": Advice(
        "Notion's rate limit was reached and did not clear within the retry budget.",
        "Wait retry_after_seconds, then call again.",
    ),
    "service_overload": Advice("Notion is overloaded (529).", "Wait retry_after_seconds, then call again."),
    # a write whose outcome is unknown gets AMBIGUOUS_NEXT_STEP instead of these next steps
    "internal_server_error": Advice("Notion had an internal error.", "Wait a little and call again."),
    "bad_gateway": Advice(
        "Notion's front door could not reach Notion (502).", "Wait a little and call again."
    ),
    "service_unavailable": Advice("Notion is unavailable right now.", "Wait a little and call again."),
    "gateway_timeout": Advice("Notion timed out.", "Wait a little and call again."),
    "database_connection_unavailable": Advice(
        "Notion's database is unreachable right now.", "Wait a little and call again."
    ),
    "request_timeout": Advice(
        "The request to Notion timed out.",
        "Wait a little and call again; a large read goes faster with smaller max_blocks or page_size.",
    ),
    "invalid_response": Advice(
        "Notion's answer could not be read (not JSON, or not the shape this request gets).",
        "Call again; if it keeps happening, check NOTION_BASE_URL (is it Notion's API?).",
    ),
    "connection_error": Advice(
        "The server could not reach Notion's API.",
        "Check the network connection and NOTION_BASE_URL (https://api.notion.com for Notion; "
        "a running `notion-mcp sandbox serve` for the sandbox), then call again.",
    ),
}

_FALLBACK = Advice("Notion returned an error.", "Check the call against the message and try again.")


AMBIGUOUS_NEXT_STEP = (
    "The request reached Notion before it failed, so the change may have happened: look first"
    " (read the target, or notion_search for a new page or database) and call again only if it"
    " is not there — repeating blindly could make it twice."
)


def to_tool_error(exc: NotionMCPError) -> ToolError:
    """The one place where our errors become the text a model reads."""
    if isinstance(exc, NotionAPIError):
        advice = ADVICE.get(exc.code, _FALLBACK)
        # status 0: no answer came back (timeout, refused or dropped connection): not "Notion error 0"
        heading = f"Notion error {exc.status} {exc.code}" if exc.status else f"No answer ({exc.code})"
        parts = [f"{heading}: {shown_ids(exc.message)}".rstrip()]  # Notion's message names IDs dashed
        if advice.meaning and advice.meaning not in exc.message:
            parts.append(advice.meaning)
        if exc.retry_after is not None:
            parts.append(f"retry_after_seconds: {exc.retry_after:g}")
        reason = exc.additional_data.get("rate_limit_reason")
        if reason:
            parts.append(f"rate_limit_reason: {reason}")
        if exc.request_id:
            parts.append(f"request_id: {exc.request_id}")
        ambiguous = isinstance(exc, TransientError) and exc.ambiguous
        parts.append(f"Next step: {AMBIGUOUS_NEXT_STEP if ambiguous else advice.next_step}")
        return ToolError(redact("\n".join(parts)))
    return ToolError(redact(str(exc)))
