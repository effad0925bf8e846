"""The demo workspace: pages of many block types, a task database, users and comments.

IDs are ``uuid5`` of names, so tests can refer to them through :data:`SEED`.
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from notion_mcp.sandbox import blocks, properties, richtext
from notion_mcp.sandbox.rules import JSON
from notion_mcp.sandbox.store import Store
from notion_mcp.sandbox.workspace import BOT_ID, Workspace, iso_millis

NAMESPACE = uuid.UUID("6f1d9a3e-1c9b-4b57-9d0e-5a4e0c8d2b11")
SEED_TIME = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def sid(name: str) -> str:
    return str(uuid.uuid5(NAMESPACE, name))


@dataclass(frozen=True)
class SeedIds:
    bot_user_id: str = BOT_ID
    ada_user_id: str = sid("user/ada")
    grace_user_id: str = sid("user/grace")
    welcome_page_id: str = sid("page/welcome")
    getting_started_page_id: str = sid("page/getting-started")
    notes_page_id: str = sid("page/notes")
    tasks_database_id: str = sid("database/tasks")
    tasks_data_source_id: str = sid("data_source/tasks")
    synced_original_id: str = sid("block/synced-original")
    synced_copy_id: str = sid("block/synced-copy")
    toggle_block_id: str = sid("block/toggle")
    welcome_discussion_id: str = sid("discussion/welcome")
    block_discussion_id: str = sid("discussion/block")
    task_count: int = 30
    bug_template_id: str = sid("template/bug")
    feature_template_id: str = sid("template/feature")
    all_tasks_view_id: str = sid("view/all-tasks")
    board_view_id: str = sid("view/board")
    urgent_view_id: str = sid("view/urgent")

    def task_id(self, n: int) -> str:
        """ID of task row ``n`` (1-based)."""
        return sid(f"task/{n}")


SEED = SeedIds()

USERS: list[JSON] = [
    {
        "object": "user",
        "id": SEED.ada_user_id,
        "name": "Ada Lovelace",
        "avatar_url": None,
        "type": "person",
        "person": {"email": "ada@example.com"},
    },
    {
        "object": "user",
        "id": SEED.grace_user_id,
        "name": "Grace Hopper",
        "avatar_url": None,
        "type": "person",
        "person": {"email": "grace@example.com"},
    },
    {
        "object": "user",
        "id": BOT_ID,
        "name": "Notion MCP Sandbox",
        "avatar_url": None,
        "type": "bot",
        "bot": {
            "owner": {"type": "workspace", "workspace": True},
            "workspace_name": "Sandbox",
            "workspace_id": sid("workspace"),
            "workspace_limits": {"max_file_upload_size_in_bytes": 5242880},
        },
    },
]


def t(content: str, **annotations: Any) -> JSON:
    return {"type": "text", "text": {"content": content}, "annotations": annotations}


def para(content: str, children: list[JSON] | None = None) -> JSON:
    body: JSON = {"rich_text": [t(content)]}
    if children:
        body["children"] = children
    return {"type": "paragraph", "paragraph": body}


def rich(kind: str, content: str, children: list[JSON] | None = None, **extra: Any) -> JSON:
    body: JSON = {"rich_text": [t(content)], **extra}
    if children:
        body["children"] = children
    return {"type": kind, kind: body}


WELCOME: list[JSON] = [
    rich("heading_1", "Welcome to the sandbox"),
    {
        "type": "paragraph",
        "paragraph": {
            "rich_text": [
                t("This workspace is local. "),
                t("Nothing here reaches Notion", bold=True),
                t(", see "),
                {
                    "type": "text",
                    "text": {"content": "the API docs", "link": {"url": "https://developers.notion.com"}},
                },
                t("."),
            ]
        },
    },
    rich(
        "callout",
        "Try every operation here: it is safe.",
        icon={"type": "emoji", "emoji": "🧪"},
        color="blue_background",
    ),
    rich("quote", "Simple things should be simple, complex things should be possible."),
    rich("to_do", "Read the welcome page", checked=True),
    rich("to_do", "Create a task in the task database"),
    rich("bulleted_list_item", "Pages nest", [rich("bulleted_list_item", "and so do list items")]),
    rich("numbered_list_item", "First"),
    rich("numbered_list_item", "Second"),
    rich("toggle", "A toggle with hidden content", [para("Hidden until opened.")]),
    rich(
        "heading_2", "A toggleable heading", [para("Content under a toggleable heading.")], is_toggleable=True
    ),
    {"type": "divider", "divider": {}},
    {"type": "code", "code": {"rich_text": [t("print('hello, sandbox')")], "language": "python"}},
    {"type": "equation", "equation": {"expression": "e^{i\\pi} + 1 = 0"}},
    {
        "type": "image",
        "image": {
            "type": "external",
            "external": {"url": "https://picsum.photos/seed/notion/640/320"},
            "caption": [t("A placeholder image")],
        },
    },
    {"type": "bookmark", "bookmark": {"url": "https://developers.notion.com/reference/intro", "caption": []}},
    {
        "type": "column_list",
        "column_list": {
            "children": [
                {"type": "column", "column": {"children": [para("Left column")]}},
                {"type": "column", "column": {"children": [para("Right column")]}},
            ]
        },
    },
    {
        "type": "table",
        "table": {
            "table_width": 2,
            "has_column_header": True,
            "children": [
                {"type": "table_row", "table_row": {"cells": [[t("Block")], [t("Supported")]]}},
                {"type": "table_row", "table_row": {"cells": [[t("table")], [t("yes")]]}},
                {"type": "table_row", "table_row": {"cells": [[t("tabs")], [t("yes")]]}},
            ],
        },
    },
    {
        "type": "synced_block",
        "synced_block": {"synced_from": None, "children": [para("This paragraph is synced.")]},
    },
    {
        "type": "tab",
        "tab": {
            "children": [
                para("First tab", [para("Content of the first tab.")]),
                para("Second tab", [para("Content of the second tab.")]),
            ]
        },
    },
    {"type": "table_of_contents", "table_of_contents": {}},
]

STATUSES = ["Not started", "In progress", "Done"]
PRIORITIES = [("High", "red"), ("Medium", "yellow"), ("Low", "gray")]
TAGS = [("backend", "blue"), ("frontend", "purple"), ("docs", "green"), ("bug", "red")]
TASK_NAMES = [
    "Write the spec",
    "Set up CI",
    "Design the schema",
    "Implement search",
    "Fix login bug",
    "Review pull requests",
    "Update the docs",
    "Plan the release",
    "Triage issues",
    "Refactor the gateway",
]


def _ids(prefix: str) -> Any:
    counter = itertools.count(1)
    return lambda: sid(f"{prefix}/{next(counter)}")


def _write_page(
    ws: Workspace,
    page_id: str,
    parent_id: str | None,
    title: str,
    content: list[JSON],
    position: float,
    named: dict[int, str] | None = None,
) -> None:
    page: JSON = {
        "object": "page",
        "id": page_id,
        **ws.stamp(),
        "cover": None,
        "icon": {"type": "emoji", "emoji": "👋"},
    }
    page.update(
        {"parent": ws.parent_ref(parent_id), "in_trash": False, "is_archived": False, "is_locked": False}
    )
    page["values"] = {"title": {"type": "title", "title": [richtext.text(title)]}}
    ws.store.insert("page", page, parent_id, position)
    nodes = blocks.parse_children(content, "seed")
    for index, block_id in (named or {}).items():
        nodes[index].id = block_id
    parent = {"type": "page_id", "page_id": page_id}
    positions = [float(i + 1) for i in range(len(nodes))]
    blocks.insert_tree(ws.store, page_id, parent, nodes, positions, ws.stamp(), _ids(f"block/{page_id}"))


def _tasks_schema(ws: Workspace) -> dict[str, JSON]:
    from notion_mcp.sandbox.routes_databases import build_schema

    raw = {
        "Name": {"title": {}},
        "Status": {"status": {}},
        "Priority": {"select": {"options": [{"name": n, "color": c} for n, c in PRIORITIES]}},
        "Tags": {"multi_select": {"options": [{"name": n, "color": c} for n, c in TAGS]}},
        "Due": {"date": {}},
        "Assignee": {"people": {}},
        "Done": {"checkbox": {}},
        "Estimate": {"number": {"format": "number"}},
        "Notes": {"rich_text": {}},
        "Link": {"url": {}},
    }
    schema = build_schema(ws, SEED.tasks_data_source_id, raw, "seed")
    relation = {
        "type": "relation",
        "relation": {"data_source_id": SEED.tasks_data_source_id, "type": "single_property"},
    }
    taken = {p["id"] for p in schema.values()}
    schema["Blocked by"] = properties.complete_schema_entry(
        "Blocked by",
        relation,
        "seed",
        taken,
        SEED.tasks_data_source_id,
        lambda _: {"parent": {"database_id": SEED.tasks_database_id}},
    )
    return schema


def _task_values(n: int, schema: dict[str, JSON], ws: Workspace) -> JSON:
    raw: JSON = {
        "Name": {"title": [t(f"{TASK_NAMES[(n - 1) % len(TASK_NAMES)]} #{n}")]},
        "Status": {"status": {"name": STATUSES[n % 3]}},
        "Priority": {"select": {"name": PRIORITIES[n % 3][0]}},
        "Tags": {
            "multi_select": [{"name": TAGS[n % 4][0]}] + ([{"name": TAGS[(n + 1) % 4][0]}] if n % 2 else [])
        },
        "Due": {"date": {"start": f"2026-02-{(n % 28) + 1:02d}"}},
        "Assignee": {"people": [{"id": SEED.ada_user_id if n % 2 else SEED.grace_user_id}]},
        "Done": {"checkbox": n % 3 == 2},
        "Estimate": {"number": n % 8 + 1},
        "Notes": {"rich_text": [t(f"Notes for task {n}.")] if n % 4 == 0 else []},
        "Link": {"url": f"https://example.com/tasks/{n}" if n % 5 == 0 else None},
        "Blocked by": {"relation": [{"id": SEED.task_id(n - 1)}] if n > 1 and n % 6 == 0 else []},
    }
    return {
        schema[k]["id"]: properties.complete_value(schema[k], v, f"seed.{k}", ws.user) for k, v in raw.items()
    }


def _tasks(ws: Workspace) -> None:
    title = [richtext.text("Tasks")]
    moment = iso_millis(SEED_TIME)
    db: JSON = {
        "object": "database",
        "id": SEED.tasks_database_id,
        "title": title,
        "description": [],
        "parent": ws.parent_ref(SEED.notes_page_id),
        "is_inline": True,
        "in_trash": False,
        "is_locked": False,
        "created_time": moment,
        "last_edited_time": moment,
        "icon": None,
        "cover": None,
    }
    ws.store.insert("database", db, SEED.notes_page_id, 10.0)
    stamp = ws.stamp()
    ds: JSON = {"object": "data_source", "id": SEED.tasks_data_source_id, "cover": None, "icon": None}
    ds.update({k: stamp[k] for k in ("created_time", "created_by", "last_edited_by", "last_edited_time")})
    ds.update({"title": title, "description": [], "is_inline": True, "properties": {}, "in_trash": False})
    ds["parent"] = {"type": "database_id", "database_id": SEED.tasks_database_id}
    ws.store.insert("data_source", ds, SEED.tasks_database_id)
    ds["properties"] = _tasks_schema(ws)
    ws.store.update(ds)
    for n in range(1, SEED.task_count + 1):
        page: JSON = {"object": "page", "id": SEED.task_id(n), **ws.stamp(), "cover": None, "icon": None}
        page.update(
            {"parent": ws.parent_ref(SEED.tasks_data_source_id), "in_trash": False, "is_archived": False}
        )
        page.update({"is_locked": False, "values": _task_values(n, ds["properties"], ws), "number": n})
        ws.store.insert("page", page, SEED.tasks_data_source_id)


def _task_templates(ws: Workspace) -> None:
    """Two page templates of the task database (what notion_databases retrieve lists)."""
    from notion_mcp.sandbox.templates import add_template

    def heading(text: str) -> JSON:
        return {"type": "heading_2", "heading_2": {"rich_text": [t(text)]}}

    def todo(text: str) -> JSON:
        return {"type": "to_do", "to_do": {"rich_text": [t(text)], "checked": False}}

    add_template(
        ws, SEED.tasks_data_source_id, "Bug report", template_id=SEED.bug_template_id, is_default=True,
        properties={"Tags": {"multi_select": [{"name": "bug"}]}, "Priority": {"select": {"name": "High"}}},
        children=[heading("Steps to reproduce"), todo("Write the steps"), heading("Expected and actual")],
        icon={"type": "emoji", "emoji": "🐞"},
    )  # fmt: skip
    add_template(
        ws, SEED.tasks_data_source_id, "Feature request", template_id=SEED.feature_template_id,
        children=[heading("Problem"), heading("Proposal"), todo("Agree on scope")],
        icon={"type": "emoji", "emoji": "✨"},
    )  # fmt: skip


def _task_views(ws: Workspace) -> None:
    """Three views of the task database: all rows, a board, and open high-priority work by due date."""
    from notion_mcp.sandbox.views import add_view

    db, ds = SEED.tasks_database_id, SEED.tasks_data_source_id
    add_view(ws, db, ds, "All tasks", view_id=SEED.all_tasks_view_id)
    add_view(ws, db, ds, "Board", "board", view_id=SEED.board_view_id,
             sorts=[{"property": "Priority", "direction": "ascending"}])  # fmt: skip
    urgent = {"and": [{"property": "Done", "checkbox": {"equals": False}},
                      {"property": "Priority", "select": {"equals": "High"}}]}  # fmt: skip
    add_view(ws, db, ds, "Urgent", view_id=SEED.urgent_view_id, filter=urgent,
             sorts=[{"property": "Due", "direction": "ascending"}])  # fmt: skip


def _comment(ws: Workspace, n: int, parent_id: str, discussion: str, author: str, content: str) -> None:
    user = ws.user(author) or {}
    comment: JSON = {
        "object": "comment",
        "id": sid(f"comment/{n}"),
        "parent": ws.parent_ref(parent_id),
        "discussion_id": discussion,
        "created_time": ws.stamp()["created_time"],
        "last_edited_time": ws.stamp()["created_time"],
        "created_by": {"object": "user", "id": author},
        "rich_text": [richtext.text(content)],
        "display_name": {
            "type": "integration" if author == BOT_ID else "user",
            "resolved_name": user.get("name", ""),
        },
    }
    ws.store.insert("comment", comment, parent_id)


def seed_users(store: Store) -> None:
    for user in USERS:
        if store.get(user["id"]) is None:
            store.insert("user", dict(user), None)


def seed_demo(store: Store) -> None:
    """Write the demo content (users must already exist)."""
    ws = Workspace(store, "2026-03-11", lambda: SEED_TIME)
    named = {9: SEED.toggle_block_id, 18: SEED.synced_original_id}
    _write_page(ws, SEED.welcome_page_id, None, "Welcome to the sandbox", WELCOME, 1.0, named)
    _write_page(
        ws,
        SEED.getting_started_page_id,
        SEED.welcome_page_id,
        "Getting started",
        [
            rich("heading_2", "Getting started"),
            para("Open the task database and pick a task."),
            {"type": "link_to_page", "link_to_page": {"type": "page_id", "page_id": SEED.notes_page_id}},
        ],
        100.0,
    )
    _write_page(
        ws,
        SEED.notes_page_id,
        None,
        "Project notes",
        [rich("heading_1", "Project notes"), para("The task database below tracks the work.")],
        2.0,
    )
    copy = {
        "type": "synced_block",
        "synced_block": {"synced_from": {"type": "block_id", "block_id": SEED.synced_original_id}},
    }
    nodes = blocks.parse_children([copy], "seed")
    parent = {"type": "page_id", "page_id": SEED.notes_page_id}
    blocks.insert_tree(
        store, SEED.notes_page_id, parent, nodes, [5.0], ws.stamp(), lambda: SEED.synced_copy_id
    )
    _tasks(ws)
    _task_templates(ws)
    _task_views(ws)
    # The demo pages were edited after the task rows, as in a workspace someone has just set up:
    # search lists the most recently edited first (as Notion does), so they lead an empty search.
    later = Workspace(store, "2026-03-11", lambda: SEED_TIME + timedelta(hours=1))
    for page_id in (SEED.notes_page_id, SEED.getting_started_page_id, SEED.welcome_page_id):
        page = store.get(page_id, "page")
        assert page is not None
        later.touch(page)
    _comment(
        ws, 1, SEED.welcome_page_id, SEED.welcome_discussion_id, SEED.ada_user_id, "Is this page up to date?"
    )
    _comment(ws, 2, SEED.welcome_page_id, SEED.welcome_discussion_id, SEED.grace_user_id, "Yes, as of today.")
    _comment(
        ws, 3, SEED.toggle_block_id, SEED.block_discussion_id, SEED.ada_user_id, "What is hidden in here?"
    )
