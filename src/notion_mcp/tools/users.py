"""notion_users: people and bots of the workspace; retrieve_bot doubles as a connection check."""

from __future__ import annotations

from typing import Any

import anyio
from pydantic import Field

from notion_mcp.errors import NotionAPIError, RateLimitedError, TransientError
from notion_mcp.markdown import users_to_markdown
from notion_mcp.markdown.ids import compact
from notion_mcp.notion.pagination import collect
from notion_mcp.tools._dispatch import Formatted, Operation, ToolSpec
from notion_mcp.tools.context import Call
from notion_mcp.tools.fields import Cursor, MaxResults, NotionId, PageSize
from notion_mcp.tools.output import as_json, join, json_list, more_hint


class List(Formatted):
    email: str | None = Field(None, description="finds one user")
    start_cursor: Cursor = None
    page_size: PageSize = None
    max_results: MaxResults = None


class Retrieve(Formatted):
    user_id: NotionId = Field(description="user ID")


class RetrieveBot(Formatted):
    pass


def _email(user: dict[str, Any]) -> str:
    return str((user.get("person") or {}).get("email") or "").lower()


async def names_of(call: Call, user_ids: set[str]) -> dict[str, str | None]:
    """Names of users, asked of Notion once per process and user: several unknown ones with one
    listing of the workspace's users, any the listing's first page left out each by itself (at the
    same time).

    A user Notion will not show (no user-information capability, a guest, a rate limit that
    outlasts the retries) stays unnamed: names are a courtesy, never a reason for a call to fail.
    """
    known = call.app.user_names
    if len(user_ids - known.keys()) > 1:  # one listing (up to 100 users) instead of a read each
        try:
            listed = await call.gateway.list_users(None, 100)
        except (RateLimitedError, TransientError, NotionAPIError):
            listed = {}
        for user in listed.get("results") or []:
            if isinstance(user, dict) and user.get("id"):
                known[str(user["id"])] = user.get("name") or None

    async def one(user_id: str) -> None:
        try:
            known[user_id] = (await call.gateway.retrieve_user(user_id)).get("name") or None
        except (RateLimitedError, TransientError):
            return  # asked again next time
        except NotionAPIError:
            known[user_id] = None  # not shown to this integration: not asked again

    async with anyio.create_task_group() as group:
        for user_id in user_ids - known.keys():
            group.start_soon(one, user_id)
    return {user_id: known.get(user_id) for user_id in user_ids}


async def list_users(call: Call, args: List) -> str:
    wanted = args.email.strip().lower() if args.email else None
    found = await collect(
        call.gateway.list_users,
        start_cursor=args.start_cursor,
        limit=1 if wanted else args.max_results or args.page_size or 100,
        page_size=args.page_size,
        keep=(lambda user: _email(user) == wanted) if wanted else None,
    )
    users, cursor, more = found.results, found.next_cursor, found.has_more
    if args.format == "json":
        return json_list(users, call.settings.max_output_chars, {"next_cursor": cursor, "has_more": more})
    if wanted and not users:
        return f"No user with email {args.email!r} among {found.seen} users (bots have no email)."
    hint = "" if wanted else more_hint(cursor, more)
    return join(users_to_markdown(users), hint)


async def retrieve(call: Call, args: Retrieve) -> str:
    user = await call.gateway.retrieve_user(args.user_id)
    return as_json(user) if args.format == "json" else users_to_markdown([user])


async def retrieve_bot(call: Call, args: RetrieveBot) -> str:
    bot = await call.gateway.retrieve_bot()
    if args.format == "json":
        return as_json(bot)
    owner = ((bot.get("bot") or {}).get("owner") or {}).get("type", "unknown")
    workspace = (bot.get("bot") or {}).get("workspace_name") or "unknown workspace"
    name = bot.get("name") or "integration"
    return f"Connected as {name} ({compact(str(bot.get('id')))}), owner: {owner}, workspace: {workspace}."


SPEC = ToolSpec(
    name="notion_users",
    title="Notion users",
    description=(
        "Workspace users. list (email finds one), retrieve, retrieve_bot (the integration: a "
        "connection check)."
    ),
    operations={
        "list": Operation(List, list_users),
        "retrieve": Operation(Retrieve, retrieve),
        "retrieve_bot": Operation(RetrieveBot, retrieve_bot),
    },
)
