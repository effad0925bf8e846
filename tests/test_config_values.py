"""Every spelling each setting accepts, and the exact line a refused one stops start-up with."""

from __future__ import annotations

from typing import Any

import pytest

from notion_mcp.config import MEMORY, load_settings
from notion_mcp.errors import ConfigError

NTN = "ntn_" + "a1B2" * 10


def setting(variable: str, raw: str, name: str) -> Any:
    return getattr(load_settings({"NOTION_TOKEN": NTN, variable: raw}), name)


def refusal(env: dict[str, str], overrides: dict[str, Any] | None = None) -> str:
    with pytest.raises(ConfigError) as caught:
        load_settings(env, overrides)
    return str(caught.value)


@pytest.mark.parametrize("raw", ["1", "true", "yes", "on", " TRUE ", "On", "YES"])
def test_a_flag_is_on_in_every_spelling_of_yes(raw: str) -> None:
    assert setting("NOTION_MCP_READ_ONLY", raw, "read_only") is True
    assert setting("NOTION_MCP_LEGACY_TOOLS", raw, "legacy_tools") is True


@pytest.mark.parametrize("raw", ["0", "false", "no", "off", " FALSE ", "Off", "NO"])
def test_a_flag_is_off_in_every_spelling_of_no(raw: str) -> None:
    assert setting("NOTION_MCP_READ_ONLY", raw, "read_only") is False


def test_a_flag_that_is_neither_is_refused_with_one_line() -> None:
    message = refusal({"NOTION_TOKEN": NTN, "NOTION_MCP_READ_ONLY": "maybe"})
    assert message == "NOTION_MCP_READ_ONLY='maybe' is not valid: expected true or false"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://api.notion.com", "https://api.notion.com"),
        ("https://api.notion.com/", "https://api.notion.com"),
        ("http://127.0.0.1:8123/v1/", "http://127.0.0.1:8123"),
        ("http://127.0.0.1:8123/v1", "http://127.0.0.1:8123"),
        ("  http://localhost:8123/proxy/v1//  ", "http://localhost:8123/proxy"),
        ("http://h.test/a//v1", "http://h.test/a"),
        ("http://h.test/X/v1", "http://h.test/X"),
        ("http://h.test/MX/", "http://h.test/MX"),
    ],
)
def test_a_base_url_loses_its_trailing_slashes_and_v1(raw: str, expected: str) -> None:
    assert setting("NOTION_BASE_URL", raw, "base_url") == expected


@pytest.mark.parametrize(
    "raw",
    ["ftp://x.test", "api.notion.com", "http://", "http://x.test?a=1", "http://x.test#f", "http://x:port"],
)
def test_a_base_url_that_is_not_http_is_refused(raw: str) -> None:
    message = refusal({"NOTION_TOKEN": NTN, "NOTION_BASE_URL": raw})
    assert (
        message
        == f"NOTION_BASE_URL={raw!r} is not valid: expected an http(s) URL such as https://api.notion.com"
    )


@pytest.mark.parametrize("level", ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"])
def test_every_log_level_is_accepted_in_any_case(level: str) -> None:
    assert setting("NOTION_MCP_LOG_LEVEL", f" {level.lower()} ", "log_level") == level


def test_an_unknown_log_level_is_refused() -> None:
    message = refusal({"NOTION_TOKEN": NTN, "NOTION_MCP_LOG_LEVEL": "loud"})
    assert (
        message
        == "NOTION_MCP_LOG_LEVEL='loud' is not valid: expected DEBUG, INFO, WARNING, ERROR or CRITICAL"
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        *[(r, None) for r in ["0", "false", "no", "off", "OFF", " No "]],
        *[(r, MEMORY) for r in ["1", "true", "yes", "on", "memory", ":memory:", "TRUE", " On "]],
        ("work.sqlite", "work.sqlite"),
        (" /tmp/My.sqlite ", "/tmp/My.sqlite"),
    ],
)
def test_the_sandbox_setting_in_every_spelling(raw: str, expected: str | None) -> None:
    assert setting("NOTION_MCP_SANDBOX", raw, "sandbox") == expected


@pytest.mark.parametrize("raw", ["auto", "AUTO", " Auto "])
def test_sandbox_auto_is_the_sandbox_only_without_a_token(raw: str) -> None:
    assert load_settings({"NOTION_MCP_SANDBOX": raw}).sandbox == MEMORY
    assert load_settings({"NOTION_MCP_SANDBOX": raw, "NOTION_TOKEN": NTN}).sandbox is None


def test_an_empty_tool_list_is_refused_naming_the_six() -> None:
    message = refusal({"NOTION_TOKEN": NTN, "NOTION_MCP_TOOLS": " , "})
    assert message == (
        "NOTION_MCP_TOOLS=' , ' is not valid: it names no tool: list some of notion_blocks, notion_pages, "
        "notion_databases, notion_search, notion_users, notion_comments, or unset it for all six"
    )


def test_a_version_that_is_not_a_date_is_refused() -> None:
    message = refusal({"NOTION_TOKEN": NTN, "NOTION_VERSION": "2026-3-1"})
    assert message == (
        "NOTION_VERSION='2026-3-1' is not valid: expected a date such as 2026-03-11 (a Notion API version)"
    )


def test_no_token_and_no_sandbox_says_where_to_put_one() -> None:
    assert refusal({}) == (
        "NOTION_TOKEN is not set. Put your integration token (ntn_… or secret_…) in the environment or "
        ".env, or try the local sandbox with: notion-mcp --sandbox"
    )


def test_a_malformed_token_says_what_a_token_looks_like() -> None:
    assert refusal({"NOTION_TOKEN": "ntn_short"}) == (
        "NOTION_TOKEN does not look like a Notion integration token: expected ntn_… or secret_… followed"
        " by at least 20 letters and digits, nothing else (copy it again from notion.so/my-integrations)."
    )


@pytest.mark.parametrize(
    ("raw", "accepted"),
    [
        ("1.5", "a whole number ≥ 1"),
        ("x", "a whole number ≥ 1"),
        ("0", "a whole number ≥ 1"),
        ("inf", "a whole number ≥ 1"),
    ],
)
def test_a_bad_burst_says_what_is_accepted(raw: str, accepted: str) -> None:
    message = refusal({"NOTION_TOKEN": NTN, "NOTION_MCP_BURST": raw})
    assert message == f"NOTION_MCP_BURST={raw!r} is not valid: expected {accepted}"


@pytest.mark.parametrize(
    ("value", "accepted"),
    [(True, "a finite number ≥ 0 (seconds)"), ("5", "a finite number ≥ 0 (seconds)"),
     (-0.5, "a finite number ≥ 0 (seconds)"), (float("nan"), "a finite number ≥ 0 (seconds)")],
)  # fmt: skip
def test_a_typed_override_out_of_range_names_the_setting_and_its_variable(value: Any, accepted: str) -> None:
    message = refusal({"NOTION_TOKEN": NTN}, {"max_retry_wait": value})
    assert (
        message == f"max_retry_wait (NOTION_MCP_MAX_RETRY_WAIT) = {value!r} is not valid: expected {accepted}"
    )


def test_typed_overrides_come_back_in_their_kind() -> None:
    settings = load_settings({"NOTION_TOKEN": NTN}, {"burst": 4.0, "max_retry_wait": 7})
    assert settings.burst == 4 and type(settings.burst) is int
    assert settings.max_retry_wait == 7.0 and type(settings.max_retry_wait) is float
    assert load_settings({"NOTION_TOKEN": NTN}, {"timeout_ms": 1_000}).timeout_ms == 1_000


def test_an_empty_variable_means_its_default_but_an_empty_tool_list_is_a_mistake() -> None:
    assert (
        load_settings({"NOTION_TOKEN": NTN, "NOTION_MCP_BURST": " ", "NOTION_MCP_LOG_LEVEL": ""}).burst == 3
    )
    assert "it names no tool" in refusal({"NOTION_TOKEN": NTN, "NOTION_MCP_TOOLS": ""})
    assert load_settings({"NOTION_TOKEN": "", "NOTION_MCP_SANDBOX": "true"}).token is None


def test_an_empty_flag_value_means_off() -> None:
    flags = {"read_only": ("--read-only", ""), "sandbox": ("--sandbox", "")}
    settings = load_settings({"NOTION_TOKEN": NTN}, flags=flags)
    assert settings.read_only is False and settings.sandbox is None


def test_unknown_tools_are_named_with_the_known_ones() -> None:
    message = refusal({"NOTION_TOKEN": NTN, "NOTION_MCP_TOOLS": "notion_pages, notion_x, notion_y"})
    assert message.endswith(
        "is not valid: unknown tool notion_x, notion_y; known: notion_blocks, notion_pages, "
        "notion_databases, notion_search, notion_users, notion_comments"
    )


def test_a_fractional_count_given_typed_is_refused() -> None:
    message = refusal({"NOTION_TOKEN": NTN}, {"burst": 1.5})
    assert message == "burst (NOTION_MCP_BURST) = 1.5 is not valid: expected a whole number ≥ 1"
