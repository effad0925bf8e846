"""Settings: environment, .env and flags; bad values stop start-up with one clear line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from notion_mcp.__main__ import _server_parser, settings_from_args
from notion_mcp.config import FIELDS, MEMORY, TOOL_NAMES, Number, load_settings
from notion_mcp.errors import ConfigError
from notion_mcp.notion.ratelimit import TokenBucket
from notion_mcp.tools.legacy import LEGACY

ROOT = Path(__file__).parent.parent

NTN = "ntn_" + "a1B2" * 10
SECRET = "secret_" + "Z9y8" * 10


@pytest.mark.parametrize("token", [NTN, SECRET])
def test_both_token_forms_are_accepted(token: str) -> None:
    assert load_settings({"NOTION_TOKEN": token}).token == token


@pytest.mark.parametrize("token", ["", "abc", "Bearer ntn_x", "ntn_short"])
def test_a_missing_or_malformed_token_is_a_config_error_without_the_token(token: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"NOTION_TOKEN": token})
    assert "NOTION_TOKEN" in str(caught.value)
    if token:
        assert token not in str(caught.value)


def test_the_sandbox_needs_no_token() -> None:
    settings = load_settings({"NOTION_MCP_SANDBOX": "true"})
    assert settings.sandbox == MEMORY and settings.token is None


def test_every_variable_is_parsed() -> None:
    settings = load_settings(
        {
            "NOTION_TOKEN": NTN,
            "NOTION_VERSION": "2025-09-03",
            "NOTION_BASE_URL": "http://127.0.0.1:9999/",
            "NOTION_MCP_RATE_LIMIT": "5",
            "NOTION_MCP_MAX_RETRIES": "2",
            "NOTION_MCP_MAX_RETRY_WAIT": "10",
            "NOTION_MCP_READ_ONLY": "yes",
            "NOTION_MCP_TOOLS": "notion_search, notion_pages",
            "NOTION_MCP_LOG_LEVEL": "debug",
        }
    )
    assert settings.notion_version == "2025-09-03"
    assert settings.base_url == "http://127.0.0.1:9999"
    assert (settings.rate_limit, settings.max_retries, settings.max_retry_wait) == (5.0, 2, 10.0)
    assert settings.read_only and settings.log_level == "DEBUG"
    assert settings.tools == ("notion_search", "notion_pages")


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("NOTION_MCP_TOOLS", "notion_blocks,notion_everything", "unknown tool notion_everything"),
        ("NOTION_MCP_RATE_LIMIT", "fast", "NOTION_MCP_RATE_LIMIT='fast' is not valid"),
        ("NOTION_MCP_READ_ONLY", "maybe", "expected true or false"),
        ("NOTION_MCP_LOG_LEVEL", "LOUD", "expected DEBUG"),
    ],
)
def test_a_bad_value_names_the_variable_and_what_is_expected(
    variable: str, value: str, expected: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"NOTION_TOKEN": NTN, variable: value})
    assert expected in str(caught.value)


def test_flags_override_the_environment() -> None:
    ns = _server_parser().parse_args(["--read-only", "--rate-limit", "1.5", "--tools", "notion_search"])
    settings = settings_from_args(ns, {"NOTION_TOKEN": NTN, "NOTION_MCP_RATE_LIMIT": "9"})
    assert settings.read_only and settings.rate_limit == 1.5 and settings.tools == ("notion_search",)


def test_sandbox_auto_uses_the_sandbox_only_without_a_token() -> None:
    ns = _server_parser().parse_args(["--sandbox", "auto"])
    assert settings_from_args(ns, {}).sandbox == MEMORY
    assert settings_from_args(ns, {"NOTION_TOKEN": NTN}).sandbox is None
    assert set(settings_from_args(ns, {}).tools) == set(TOOL_NAMES)


@pytest.mark.parametrize(
    ("variable", "value", "accepted"),
    [
        ("NOTION_MCP_RATE_LIMIT", "-5", "≥ 0"),
        ("NOTION_MCP_RATE_LIMIT", "nan", "≥ 0"),
        ("NOTION_MCP_RATE_LIMIT", "inf", "≥ 0"),
        ("NOTION_MCP_BURST", "0", "≥ 1"),
        ("NOTION_MCP_MAX_RETRIES", "-1", "≥ 0"),
        ("NOTION_MCP_MAX_RETRIES", "1.5", "whole number ≥ 0"),
        ("NOTION_MCP_MAX_RETRY_WAIT", "-0.5", "≥ 0"),
        ("NOTION_MCP_MAX_RETRY_WAIT", "NaN", "≥ 0"),
        ("NOTION_MCP_TIMEOUT_MS", "0", "≥ 1,000"),
        ("NOTION_MCP_MAX_OUTPUT_CHARS", "0", "≥ 2,000"),
        ("NOTION_MCP_MAX_OUTPUT_CHARS", "1999", "≥ 2,000"),
    ],
)
def test_a_number_out_of_range_names_the_variable_and_the_range(
    variable: str, value: str, accepted: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"NOTION_TOKEN": NTN, variable: value})
    message = str(caught.value)
    assert message.startswith(f"{variable}={value!r} is not valid") and accepted in message
    assert "\n" not in message


def test_the_edges_of_the_ranges_are_accepted_and_a_rate_limit_of_0_means_none() -> None:
    settings = load_settings(
        {
            "NOTION_TOKEN": NTN,
            "NOTION_MCP_RATE_LIMIT": "0",
            "NOTION_MCP_BURST": "1",
            "NOTION_MCP_MAX_RETRIES": "0",
            "NOTION_MCP_MAX_RETRY_WAIT": "0",
            "NOTION_MCP_TIMEOUT_MS": "1000",
            "NOTION_MCP_MAX_OUTPUT_CHARS": "2000",
        }
    )
    assert (settings.rate_limit, settings.burst, settings.max_retries) == (0.0, 1, 0)
    assert (settings.max_retry_wait, settings.timeout_ms, settings.max_output_chars) == (0.0, 1000, 2000)
    assert TokenBucket(settings.rate_limit, settings.burst).rate is None  # 0: no limit


@pytest.mark.parametrize("value", ["-5", "nan", "-inf", "fast", ""])
def test_a_flag_is_checked_like_its_variable_and_named_in_the_error(value: str) -> None:
    ns = _server_parser().parse_args([f"--rate-limit={value}"])
    with pytest.raises(ConfigError) as caught:
        settings_from_args(ns, {"NOTION_TOKEN": NTN, "NOTION_MCP_RATE_LIMIT": "2"})
    assert str(caught.value).startswith(f"--rate-limit={value!r} is not valid")
    assert "≥ 0" in str(caught.value)


def test_a_typed_override_is_held_to_the_same_range() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"NOTION_TOKEN": NTN}, {"rate_limit": float("nan")})
    assert "NOTION_MCP_RATE_LIMIT" in str(caught.value) and "≥ 0" in str(caught.value)
    with pytest.raises(ConfigError):
        load_settings({"NOTION_TOKEN": NTN}, {"max_output_chars": 0})


def test_the_flags_parse_like_their_variables() -> None:
    ns = _server_parser().parse_args(["--base-url", "http://127.0.0.1:9/", "--log-level", "info"])
    settings = settings_from_args(ns, {"NOTION_TOKEN": NTN})
    assert (settings.base_url, settings.log_level) == ("http://127.0.0.1:9", "INFO")


def test_the_ranges_in_configuration_md_are_the_ones_checked() -> None:
    text = (ROOT / "docs" / "configuration.md").read_text()
    for variable, parser, _ in FIELDS.values():
        if isinstance(parser, Number):
            assert f"| `{variable}` | {parser.accepted} |" in text


def test_the_number_of_legacy_names_said_is_the_number_there_is() -> None:
    said = f"the {len(LEGACY)} old tool names"
    assert said in FIELDS["legacy_tools"][2]
    text = (ROOT / "docs" / "configuration.md").read_text()
    counts = re.findall(r"the (\d+) (?:old )?tool names", text)
    assert counts and set(counts) == {str(len(LEGACY))}, counts


def test_notion_gets_the_documented_window_budget_shared_through_a_file_and_the_sandbox_local_speed() -> None:
    notion = load_settings({"NOTION_TOKEN": NTN})
    assert (notion.window_budget, notion.rate_window, notion.window_store) == (180, 60.0, "file")
    assert notion.rate_limit == 0.0  # no even pacing unless asked
    sandbox = load_settings({"NOTION_MCP_SANDBOX": "true"})
    assert (sandbox.window_budget, sandbox.window_store) == (None, "memory")
    asked = load_settings(
        {"NOTION_MCP_SANDBOX": "true", "NOTION_MCP_RATE_BUDGET": "30", "NOTION_MCP_RATE_STORE": "File"}
    )
    assert (asked.window_budget, asked.window_store) == (30, "file")
    none = load_settings({"NOTION_TOKEN": NTN, "NOTION_MCP_RATE_BUDGET": "0"})
    assert none.window_budget is None  # only what Notion teaches
    redis = load_settings({"NOTION_TOKEN": NTN, "NOTION_MCP_RATE_STORE": "redis://cache:6379/1"})
    assert redis.window_store == "redis://cache:6379/1"


@pytest.mark.parametrize("value", ["disk", "http://cache:6379", "/tmp/state.json"])
def test_an_unknown_rate_store_is_refused_saying_what_is_accepted(value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"NOTION_TOKEN": NTN, "NOTION_MCP_RATE_STORE": value})
    assert "expected memory, file, or a Redis URL" in str(caught.value)
