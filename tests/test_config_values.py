"""Every spelling each setting accepts, and the exact line a refused one stops start-up with."""

from __future__ import annotations

import os
from typing import Any

import pytest

from notion_mcp.config import MEMORY, load_settings, token_shape_ok
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


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("memory", "memory"),
        (" Memory ", "memory"),
        ("FILE", "file"),
        ("redis://cache.internal:6379/0", "redis://cache.internal:6379/0"),
        (" rediss://cache.internal ", "rediss://cache.internal"),
        ("unix:///run/redis.sock", "unix:///run/redis.sock"),
    ],
)
def test_the_rate_store_in_every_spelling(raw: str, expected: str) -> None:
    assert setting("NOTION_MCP_RATE_STORE", raw, "rate_store") == expected


@pytest.mark.parametrize("raw", ["sqlite", "http://cache.internal"])
def test_a_rate_store_that_is_none_of_them_is_refused(raw: str) -> None:
    assert refusal({"NOTION_TOKEN": NTN, "NOTION_MCP_RATE_STORE": raw}) == (
        f"NOTION_MCP_RATE_STORE={raw!r} is not valid: expected memory, file, or a Redis URL "
        "(redis://host:6379/0, rediss://…, unix:///path)"
    )


KEY_A, KEY_B = "k" * 16, "0123456789abcdefXYZ"


def test_api_keys_are_a_comma_separated_list_of_long_enough_keys() -> None:
    raw = f" {KEY_A} ,, {KEY_B},"
    assert setting("NOTION_MCP_HTTP_KEYS", raw, "http_keys") == (KEY_A, KEY_B)


def test_a_key_shorter_than_sixteen_characters_is_refused_saying_how_to_make_one() -> None:
    raw = f"{KEY_A},{'s' * 15}"
    assert refusal({"NOTION_TOKEN": NTN, "NOTION_MCP_HTTP_KEYS": raw}) == (
        f"NOTION_MCP_HTTP_KEYS={raw!r} is not valid: every key needs at least 16 characters (make one with: "
        'python -c "import secrets; print(secrets.token_urlsafe(32))")'
    )


def test_allowed_hosts_are_lower_cased_names_with_or_without_a_port() -> None:
    raw = " MCP.Example.com , httpbin.test:8080,,"
    assert setting("NOTION_MCP_HTTP_ALLOWED_HOSTS", raw, "http_allowed_hosts") == (
        "mcp.example.com",
        "httpbin.test:8080",
    )


def test_allowed_hosts_given_as_urls_are_refused_naming_each() -> None:
    raw = "ok.test, https://a.test, b.test/path"
    assert refusal({"NOTION_TOKEN": NTN, "NOTION_MCP_HTTP_ALLOWED_HOSTS": raw}) == (
        f"NOTION_MCP_HTTP_ALLOWED_HOSTS={raw!r} is not valid: give host names (optionally with :port), not "
        "URLs: https://a.test, b.test/path"
    )


def test_allowed_origins_are_lower_cased_without_a_trailing_slash() -> None:
    raw = "HTTPS://App.Example.com/ , http://localhost:3000,"
    assert setting("NOTION_MCP_HTTP_ALLOWED_ORIGINS", raw, "http_allowed_origins") == (
        "https://app.example.com",
        "http://localhost:3000",
    )


def test_origins_that_are_not_scheme_and_host_are_refused_naming_each() -> None:
    raw = "https://ok.test, app.example.com, https://a.test/path, ftp://f.test, xhttps://x.test"
    assert refusal({"NOTION_TOKEN": NTN, "NOTION_MCP_HTTP_ALLOWED_ORIGINS": raw}) == (
        f"NOTION_MCP_HTTP_ALLOWED_ORIGINS={raw!r} is not valid: give origins as scheme://host[:port]: "
        "app.example.com, https://a.test/path, ftp://f.test, xhttps://x.test"
    )


def test_upload_roots_are_absolute_folders_separated_by_the_path_separator() -> None:
    raw = os.pathsep.join([" /srv/files ", "", "~/docs"])
    assert setting("NOTION_MCP_UPLOAD_ROOTS", raw, "upload_roots") == (
        "/srv/files",
        os.path.expanduser("~/docs"),
    )


def test_a_relative_upload_root_is_refused_naming_it() -> None:
    raw = os.pathsep.join(["/srv/files", "docs/in", "./x"])
    assert refusal({"NOTION_TOKEN": NTN, "NOTION_MCP_UPLOAD_ROOTS": raw}) == (
        f"NOTION_MCP_UPLOAD_ROOTS={raw!r} is not valid: give absolute folders; docs/in, ./x is relative"
    )


@pytest.mark.parametrize(
    ("token", "ok"),
    [
        ("ntn_" + "a1B2" * 5, True),
        (" secret_" + "Z9" * 10 + " ", True),
        ("ntn_" + "a" * 19, False),
        ("secret_" + "a" * 19, False),
        ("ntn_" + "a" * 24 + "-", False),
        ("x_ntn_" + "a" * 24, False),
        ("Bearer ntn_" + "a" * 24, False),
    ],
)
def test_the_shape_of_a_token_sent_with_a_request_is_that_of_notion_token(token: str, ok: bool) -> None:
    assert token_shape_ok(token) is ok
