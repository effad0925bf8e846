"""Can this integration work? A bounded health check: at most two requests.

1. `users/me` — the token is accepted, the Notion-Version too, and it names the integration and
   its workspace;
2. one search page (up to `max_listed` results) — how many pages and databases are shared with it.

Any failure becomes one line saying what is wrong and how to fix it, chosen from `PROBLEMS` (the
first row whose test matches). Why bounded: `check` must answer in a second or two on any
workspace and must not spend the rate limit that a running server or export needs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from notion_mcp.errors import NotionAPIError
from notion_mcp.notion.gateway import NotionGateway

SHARE_HOW = "in Notion, open a page → ••• → Connections → add the integration (its children follow)"


@dataclass
class Health:
    lines: list[str] = field(default_factory=list)
    problem: str | None = None  # one line: what is wrong and how to fix it


@dataclass(frozen=True)
class Where:
    base_url: str
    notion_version: str


Problem = tuple[Callable[[NotionAPIError], bool], Callable[[NotionAPIError, Where], str]]

PROBLEMS: list[Problem] = [
    (
        lambda e: e.status == 401,
        lambda e, w: (
            "bad token: Notion refused NOTION_TOKEN (401 unauthorized); copy the integration's "
            "secret again from https://www.notion.so/my-integrations"
        ),
    ),
    (
        lambda e: e.status == 400 and "notion-version" in e.message.lower(),
        lambda e, w: (
            f"Notion-Version {w.notion_version!r} is not accepted: {e.message} Set NOTION_VERSION "
            "(or --notion-version) to a supported version, or leave it unset for the default"
        ),
    ),
    (
        lambda e: e.status == 0,
        lambda e, w: (
            f"network: cannot reach {w.base_url} ({e.message}); check the connection, any proxy "
            "(HTTPS_PROXY) and NOTION_BASE_URL"
        ),
    ),
    (
        lambda e: e.status in (429, 529),
        lambda e, w: (
            "rate limited: Notion asks to slow down (another client on this integration?); "
            "try again in a minute"
        ),
    ),
    (
        lambda e: e.status >= 500,
        lambda e, w: f"Notion is failing ({e.status} {e.code}); try again later (https://status.notion.so)",
    ),
    (
        lambda e: True,
        lambda e, w: f"Notion answered {e.status} {e.code}: {e.message}",
    ),
]


def explain(error: NotionAPIError, where: Where) -> str:
    return next(say(error, where) for test, say in PROBLEMS if test(error))


def _visible(results: list[dict[str, object]], more: bool) -> tuple[str, int]:
    pages = sum(r.get("object") == "page" for r in results)
    databases = len(results) - pages
    plus = "+" if more else ""
    noun = "database" if databases == 1 else "databases"
    return f"{pages}{plus} page{'s' * (pages != 1)}, {databases}{plus} {noun}", len(results)


async def check_health(gateway: NotionGateway, where: Where, *, max_listed: int = 100) -> Health:
    health = Health()
    before = gateway.usage.snapshot()
    try:
        me = await gateway.retrieve_bot()
        bot = me.get("bot")
        workspace = (bot.get("workspace_name") if isinstance(bot, dict) else None) or "unnamed"
        health.lines.append(f"token: accepted — integration {me.get('name')!r} in workspace {workspace!r}")
        health.lines.append(f"Notion-Version {where.notion_version}: accepted")
        found = await gateway.search({}, page_size=max_listed)
    except NotionAPIError as exc:
        health.problem = explain(exc, where)
        return health
    shown, count = _visible(list(found.get("results") or []), bool(found.get("has_more")))
    health.lines.append(f"visible: {shown}")
    used = gateway.usage.since(before)
    median = used.percentile(50)
    assert median is not None  # (two requests were answered)
    health.lines.append(
        f"latency: {median * 1000:.0f} ms median, {max(used.latencies) * 1000:.0f} ms slowest "
        f"over {used.requests} requests"
    )
    if count == 0:
        health.problem = f"no pages shared: the integration sees nothing; {SHARE_HOW}"
    return health
