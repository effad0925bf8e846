"""The one place errors become a model's text (`to_tool_error`): the exact lines, in order."""

from __future__ import annotations

from notion_mcp.errors import (
    AMBIGUOUS_NEXT_STEP,
    InputError,
    NotionAPIError,
    NotionMCPError,
    RateLimitedError,
    TransientError,
    to_tool_error,
)

TOKEN = "secret_" + "Q7w" * 10


def test_a_notion_error_reads_as_status_code_message_meaning_ids_and_next_step() -> None:
    exc = RateLimitedError(
        429, "rate_limited", "Slow down.  ", request_id="rid-9", retry_after=12.5,
        additional_data={"rate_limit_reason": "workspace_limit"},
    )  # fmt: skip
    assert str(to_tool_error(exc)) == (
        "Notion error 429 rate_limited: Slow down.\n"
        "Notion's rate limit was reached and did not clear within the retry budget.\n"
        "retry_after_seconds: 12.5\n"
        "rate_limit_reason: workspace_limit\n"
        "request_id: rid-9\n"
        "Next step: Wait retry_after_seconds, then call again."
    )


def test_an_unknown_code_gets_the_general_advice() -> None:
    exc = NotionAPIError(418, "teapot", "I am a teapot.")
    assert str(to_tool_error(exc)) == (
        "Notion error 418 teapot: I am a teapot.\nNotion returned an error.\n"
        "Next step: Check the call against the message and try again."
    )


def test_the_meaning_is_not_repeated_when_notions_message_already_says_it() -> None:
    exc = NotionAPIError(504, "gateway_timeout", "Notion timed out.")
    assert str(to_tool_error(exc)) == (
        "Notion error 504 gateway_timeout: Notion timed out.\nNext step: Wait a little and call again."
    )


def test_a_write_that_may_have_happened_says_to_look_before_repeating() -> None:
    exc = TransientError(502, "bad_gateway", "Bad gateway.", request_id="r1")
    assert exc.sent and not exc.ambiguous  # sent unless said otherwise; ambiguous only when set
    assert str(to_tool_error(exc)).endswith("Wait a little and call again.")
    exc.ambiguous = True
    assert str(to_tool_error(exc)) == (
        "Notion error 502 bad_gateway: Bad gateway.\n"
        "Notion's front door could not reach Notion (502).\n"
        f"request_id: r1\nNext step: {AMBIGUOUS_NEXT_STEP}"
    )
    assert TransientError(0, "connection_error", "refused", sent=False).sent is False


def test_our_own_errors_pass_through_with_any_token_redacted() -> None:
    assert (
        str(to_tool_error(InputError(f"page_id: bad; token {TOKEN} here")))
        == "page_id: bad; token [token] here"
    )
    assert str(NotionMCPError("plain")) == "plain"
    assert str(NotionAPIError(400, "validation_error", "body.x is wrong")) == "body.x is wrong"


def test_no_answer_at_all_is_not_called_a_notion_error() -> None:
    exc = TransientError(0, "connection_error", "Could not reach https://api.notion.com: refused", sent=False)
    text = str(to_tool_error(exc))
    assert text.startswith("No answer (connection_error): Could not reach https://api.notion.com: refused\n")
    assert "Notion error" not in text
