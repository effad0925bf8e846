"""Settings: environment, .env and flags; bad values stop start-up with one clear line."""

from __future__ import annotations

import pytest

from notion_mcp.__main__ import _server_parser, settings_from_args
from notion_mcp.config import MEMORY, TOOL_NAMES, load_settings
from notion_mcp.errors import ConfigError

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
