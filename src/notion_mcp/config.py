"""Settings: from the environment (and `.env`), overridden by command-line flags; frozen.

Every knob, its variable and its default live in `FIELDS`, the one table that docs/configuration.md
describes (a test keeps the two in step).
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

from notion_mcp.errors import ConfigError

DEFAULT_NOTION_VERSION = "2026-03-11"
DEFAULT_BASE_URL = "https://api.notion.com"
TOOL_NAMES = (
    "notion_blocks",
    "notion_pages",
    "notion_databases",
    "notion_search",
    "notion_users",
    "notion_comments",
)
_TOKEN_SHAPE = re.compile(r"^(ntn_|secret_)[A-Za-z0-9]{20,}$")
MEMORY = ":memory:"
AUTO = "auto"  # NOTION_MCP_SANDBOX=auto / --sandbox auto: the sandbox only when no token is set
MIN_OUTPUT_CHARS = 2_000  # below this an answer has no room for more than its header
# Requests per 60-second window: Notion's per-connection budget depends on the workspace's plan;
# its request-limits reference long stated the per-connection limit as an average of 3 requests
# per second, i.e. 180 per minute, which we take as the floor. A 429 teaches the real one.
DEFAULT_RATE_BUDGET = 180
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


@dataclass(frozen=True)
class Settings:
    token: str | None = field(default=None, repr=False)
    notion_version: str = DEFAULT_NOTION_VERSION
    base_url: str = DEFAULT_BASE_URL
    rate_limit: float = 0.0
    burst: int = 3
    rate_budget: int | None = None  # None: DEFAULT_RATE_BUDGET on Notion, none on the sandbox
    rate_window: float = 60.0
    rate_store: str | None = None  # None: "file" on Notion, "memory" on the sandbox
    max_retries: int = 4
    max_retry_wait: float = 30.0
    timeout_ms: int = 60_000
    read_only: bool = False
    tools: tuple[str, ...] = TOOL_NAMES
    legacy_tools: bool = False
    log_level: str = "WARNING"
    sandbox: str | None = None  # None: real Notion; ":memory:" or a SQLite path: the sandbox
    max_output_chars: int = 60_000
    upload_roots: tuple[str, ...] = ()  # folders local files may be uploaded from (none: no uploads)
    upload_max_mb: int = 5_120  # Notion's limit for a paid workspace (5 GB); a free one takes 5 MB
    http_keys: tuple[str, ...] = field(default=(), repr=False)
    http_allowed_hosts: tuple[str, ...] = ()
    http_allowed_origins: tuple[str, ...] = ()
    http_user_tokens: bool = False
    templates: str | None = None  # folder of local page templates (None: templates.DEFAULT_FOLDER)

    @property
    def uses_sandbox(self) -> bool:
        return self.sandbox is not None

    @property
    def window_budget(self) -> int | None:
        """Requests per window we allow ourselves (None: only what Notion teaches). The sandbox
        in process answers at local speed unless a budget is set."""
        budget = self.rate_budget
        if budget is None:
            budget = 0 if self.uses_sandbox else DEFAULT_RATE_BUDGET
        return budget or None

    @property
    def window_store(self) -> str:
        return self.rate_store or ("memory" if self.uses_sandbox else "file")


def _bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError("expected true or false")


@dataclass(frozen=True)
class Number:
    """A numeric setting's parser and range: a finite int or float, at least `minimum`.

    Used on the text of a variable or a flag, and (`check`) on a typed value passed directly,
    so that every source is held to the same range."""

    kind: type[int] | type[float]
    minimum: float
    unit: str = ""

    @property
    def accepted(self) -> str:
        noun = "a whole number" if self.kind is int else "a finite number"
        minimum = f"{self.minimum:,.0f}" if self.minimum == int(self.minimum) else str(self.minimum)
        return f"{noun} ≥ {minimum}" + (f" ({self.unit})" if self.unit else "")

    def check(self, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"expected {self.accepted}")
        if not math.isfinite(value) or value < self.minimum:
            raise ValueError(f"expected {self.accepted}")
        if self.kind is int and value != int(value):
            raise ValueError(f"expected {self.accepted}")
        return self.kind(value)

    def __call__(self, raw: str) -> Any:
        try:
            value: float = self.kind(raw.strip())
        except ValueError:
            raise ValueError(f"expected {self.accepted}") from None
        return self.check(value)


def _store(raw: str) -> str:
    value = raw.strip()
    if value.lower() in ("memory", "file"):
        return value.lower()
    if value.startswith(REDIS_SCHEMES):
        return value
    raise ValueError("expected memory, file, or a Redis URL (redis://host:6379/0, rediss://…, unix:///path)")


def _tools(raw: str) -> tuple[str, ...]:
    names = tuple(n.strip() for n in raw.split(",") if n.strip())
    if not names:
        raise ValueError(f"it names no tool: list some of {', '.join(TOOL_NAMES)}, or unset it for all six")
    unknown = [n for n in names if n not in TOOL_NAMES]
    if unknown:
        raise ValueError(f"unknown tool {', '.join(unknown)}; known: {', '.join(TOOL_NAMES)}")
    return names


_VERSION_SHAPE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _version(raw: str) -> str:
    value = raw.strip()
    if not _VERSION_SHAPE.match(value):
        raise ValueError(f"expected a date such as {DEFAULT_NOTION_VERSION} (a Notion API version)")
    return value


def _base_url(raw: str) -> str:
    """An http(s) URL; a trailing `/v1` (as `sandbox serve` prints it) is dropped: we add it."""
    value = raw.strip().rstrip("/")
    value = value.removesuffix("/v1").rstrip("/")
    refusal = ValueError(f"expected an http(s) URL such as {DEFAULT_BASE_URL}")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        raise refusal from None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise refusal
    return value


def token_shape_ok(token: str) -> bool:
    return bool(_TOKEN_SHAPE.match(token.strip()))


MIN_KEY_CHARS = 16


def _list(raw: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in raw.split(",") if item.strip())


def _keys(raw: str) -> tuple[str, ...]:
    keys = _list(raw)
    if any(len(key) < MIN_KEY_CHARS for key in keys):
        raise ValueError(
            f"every key needs at least {MIN_KEY_CHARS} characters (make one with: python -c "
            '"import secrets; print(secrets.token_urlsafe(32))")'
        )
    return keys


def _hosts(raw: str) -> tuple[str, ...]:
    hosts = tuple(h.lower() for h in _list(raw))
    bad = [h for h in hosts if "/" in h]  # a URL has one: "https://h", "h/path"
    if bad:
        raise ValueError(f"give host names (optionally with :port), not URLs: {', '.join(bad)}")
    return hosts


def _origins(raw: str) -> tuple[str, ...]:
    origins = tuple(o.lower().rstrip("/") for o in _list(raw))
    bad = [o for o in origins if not re.match(r"^https?://[^/]+$", o)]
    if bad:
        raise ValueError(f"give origins as scheme://host[:port]: {', '.join(bad)}")
    return origins


def _level(raw: str) -> str:
    value = raw.strip().upper()
    if value not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        raise ValueError("expected DEBUG, INFO, WARNING, ERROR or CRITICAL")
    return value


def _sandbox(raw: str) -> str | None:
    value = raw.strip()
    if value.lower() in {"", "0", "false", "no", "off"}:
        return None
    if value.lower() == AUTO:
        return AUTO  # resolved in load_settings, once the token is known
    return MEMORY if value.lower() in {"1", "true", "yes", "on", "memory", MEMORY} else value


def _roots(raw: str) -> tuple[str, ...]:
    """Folders separated by the OS path separator (`:` here, `;` on Windows), each absolute."""
    roots = tuple(p.strip() for p in raw.split(os.pathsep) if p.strip())
    relative = [p for p in roots if not os.path.isabs(os.path.expanduser(p))]
    if relative:
        raise ValueError(f"give absolute folders; {', '.join(relative)} is relative")
    return tuple(os.path.expanduser(p) for p in roots)


# setting name -> (environment variable, parser, one-line description)
FIELDS: dict[str, tuple[str, Callable[[str], Any], str]] = {
    "token": (
        "NOTION_TOKEN",
        str.strip,
        "Integration token (ntn_… or secret_…); required unless the sandbox is used",
    ),
    "notion_version": ("NOTION_VERSION", _version, "Notion-Version header (a date)"),
    "base_url": ("NOTION_BASE_URL", _base_url, "API base URL (a trailing /v1 is dropped)"),
    "rate_limit": (
        "NOTION_MCP_RATE_LIMIT",
        Number(float, 0, "requests per second; 0: no limit"),
        "Even pacing: requests per second in this process (0: none)",
    ),
    "burst": (
        "NOTION_MCP_BURST",
        Number(int, 1),
        "With even pacing: requests allowed at once before the rate applies",
    ),
    "rate_budget": (
        "NOTION_MCP_RATE_BUDGET",
        Number(int, 0, "requests per window; 0: none until Notion answers 429"),
        "Requests per window, sent at any pace, shared by every process using the token",
    ),
    "rate_window": (
        "NOTION_MCP_RATE_WINDOW",
        Number(float, 1, "seconds"),
        "Length of Notion's rate-limit window, in seconds",
    ),
    "rate_store": (
        "NOTION_MCP_RATE_STORE",
        _store,
        "Where the window is counted: file (this machine), memory (this process) or a Redis URL",
    ),
    "max_retries": (
        "NOTION_MCP_MAX_RETRIES",
        Number(int, 0),
        "Retries of one request on 5xx/timeouts (429/529: as long as the wait budget lasts)",
    ),
    "max_retry_wait": (
        "NOTION_MCP_MAX_RETRY_WAIT",
        Number(float, 0, "seconds"),
        "Seconds one call may spend waiting to retry",
    ),
    "timeout_ms": (
        "NOTION_MCP_TIMEOUT_MS",
        Number(int, 1_000, "milliseconds"),
        "Timeout of one HTTP request, in milliseconds",
    ),
    "read_only": ("NOTION_MCP_READ_ONLY", _bool, "Refuse write operations and leave them out of the schema"),
    "tools": ("NOTION_MCP_TOOLS", _tools, "Comma-separated allow-list of tools"),
    "legacy_tools": ("NOTION_MCP_LEGACY_TOOLS", _bool, "Also register the 18 old tool names as aliases"),
    "log_level": ("NOTION_MCP_LOG_LEVEL", _level, "Log level on stderr"),
    "sandbox": (
        "NOTION_MCP_SANDBOX",
        _sandbox,
        "Serve the local sandbox: true (in memory), a SQLite path, or auto (only without a token)",
    ),
    "max_output_chars": (
        "NOTION_MCP_MAX_OUTPUT_CHARS",
        Number(int, MIN_OUTPUT_CHARS, "characters"),
        "Response budget in characters",
    ),
    "upload_roots": (
        "NOTION_MCP_UPLOAD_ROOTS",
        _roots,
        f"Folders (separated by {os.pathsep!r}) whose files markdown and icon/cover may upload",
    ),
    "upload_max_mb": (
        "NOTION_MCP_UPLOAD_MAX_MB",
        Number(int, 1, "MiB"),
        "Largest local file to upload, in MiB",
    ),
    "http_keys": (
        "NOTION_MCP_HTTP_KEYS",
        _keys,
        "serve --http: comma-separated API keys clients send as Authorization: Bearer <key>",
    ),
    "http_allowed_hosts": (
        "NOTION_MCP_HTTP_ALLOWED_HOSTS",
        _hosts,
        "serve --http: names (host or host:port) clients reach it by, besides loopback",
    ),
    "http_allowed_origins": (
        "NOTION_MCP_HTTP_ALLOWED_ORIGINS",
        _origins,
        "serve --http: browser origins allowed besides those of the allowed hosts",
    ),
    "http_user_tokens": (
        "NOTION_MCP_HTTP_USER_TOKENS",
        _bool,
        "serve --http: a request may bring its own Notion token in X-Notion-Token",
    ),
    "templates": (
        "NOTION_MCP_TEMPLATES",
        lambda s: s.strip() or None,
        "Folder of local page templates (markdown files with front matter)",
    ),
}


# settings whose empty text means something (an empty token: none; an empty tool list: a mistake)
_EMPTY_IS_A_VALUE = {"token", "tools"}


def _parse(name: str, raw: str, label: str | None = None) -> Any:
    variable, parser, _ = FIELDS[name]
    try:
        return parser(raw)
    except ValueError as exc:
        raise ConfigError(f"{label or variable}={raw!r} is not valid: {exc}") from None


def _checked(name: str, value: Any) -> Any:
    """A typed value passed in directly, held to the range its variable's text would be."""
    variable, parser, _ = FIELDS[name]
    if not isinstance(parser, Number):
        return value
    try:
        return parser.check(value)
    except ValueError as exc:
        raise ConfigError(f"{name} ({variable}) = {value!r} is not valid: {exc}") from None


def load_settings(
    env: Mapping[str, str],
    overrides: Mapping[str, Any] | None = None,
    flags: Mapping[str, tuple[str, str]] | None = None,
) -> Settings:
    """Settings from `env`, then the command line on top: `flags` (setting name -> (flag, its
    text), parsed and checked like a variable's, named by the flag in errors), then `overrides`
    (already-typed values, held to the same ranges)."""
    values: dict[str, Any] = {}
    for name, (variable, _, _) in FIELDS.items():
        raw = env.get(variable)
        if raw is not None and (raw.strip() or name in _EMPTY_IS_A_VALUE):
            values[name] = _parse(name, raw)
    for name, (flag, raw) in (flags or {}).items():
        values[name] = _parse(name, raw, label=flag)
    values.update({k: _checked(k, v) for k, v in (overrides or {}).items() if v is not None})
    if not values.get("token"):
        values["token"] = None
    if values.get("sandbox") == AUTO:
        values["sandbox"] = None if values["token"] else MEMORY
    settings = replace(Settings(), **values)
    check(settings)
    return settings


def check(settings: Settings) -> None:
    """Refuse settings the server cannot start with; the message says what to do."""
    if settings.uses_sandbox:
        return
    if not settings.token:
        raise ConfigError(
            "NOTION_TOKEN is not set. Put your integration token (ntn_… or secret_…) in the "
            "environment or .env, or try the local sandbox with: notion-mcp --sandbox"
        )
    if not token_shape_ok(settings.token):
        raise ConfigError(
            "NOTION_TOKEN does not look like a Notion integration token: expected ntn_… or "
            "secret_… followed by at least 20 letters and digits, nothing else (copy it again from "
            "notion.so/my-integrations)."
        )
