"""Every ID a result shows is in one form: 32 lowercase hex digits without dashes — the form of
Notion's URLs and of the markers a read shows (docs/architecture.md says why). Successes,
refusals, resume calls, continuation hints, tables and the JSON the server builds alike; left
as Notion gave them are only Notion's own objects inside a format=json answer and the tokens
handed back verbatim (cursors, Notion's request_id).

Every operation of every tool is driven through `mcp.Client` — against the seeded sandbox (with
faults and a small response budget for the failure and continuation paths, then generated calls
from tests/fuzzing.py) and against Notion's recorded answers — and each result is scanned."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from fuzzing import calls as generated_calls
from mcp import Client
from replay import RECORDINGS, FakeNotion, _interactions, connect, template
from sandbox_client import sandbox_client, text_of

from notion_mcp.sandbox import SEED, Sandbox

pytestmark = pytest.mark.anyio

DASHED = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
UNDASHED = re.compile(r"(?<![0-9a-fA-F])[0-9a-f]{32}(?![0-9a-fA-F])")
VERBATIM = re.compile(r"(?:start_cursor=|request_id: )\S+")  # passed back exactly as Notion gave them
CURSOR_KEYS = frozenset({"next_cursor", "start_cursor", "request_id"})
# what the server adds to one of Notion's objects in a format=json answer
SERVER_KEYS = frozenset({"content_block_ids", "content_block_ids_cut", "content", "unread", "truncated"})


def _built_by_the_server(value: Any) -> Any:
    """A JSON answer without what Notion wrote: its objects (they carry "object") and cursors."""
    if isinstance(value, dict):
        notion = "object" in value
        return {
            k: _built_by_the_server(v)
            for k, v in value.items()
            if k not in CURSOR_KEYS and (not notion or k in SERVER_KEYS)
        }
    if isinstance(value, list):
        return [_built_by_the_server(v) for v in value]
    return value


def dashed_ids(text: str) -> list[str]:
    """The IDs in the other form in what a model read."""
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, (dict, list)):
        text = json.dumps(_built_by_the_server(data))
    return DASHED.findall(VERBATIM.sub("", text))


class Scan:
    """Calls a tool, keeps what it answered, and remembers which operations were seen."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.offenders: list[str] = []
        self.seen: set[tuple[str, str]] = set()
        self.ids = 0  # undashed IDs met: the scan saw IDs at all

    async def __call__(self, tool: str, **arguments: Any) -> str:
        result = await self.client.call_tool(tool, arguments)
        links = [str(c.uri) for c in result.content if getattr(c, "type", "") == "resource_link"]
        text = text_of(result)
        self.seen.add((tool, str(arguments.get("operation"))))
        self.ids += len(UNDASHED.findall(text))
        if found := dashed_ids(text) + DASHED.findall(" ".join(links)):  # resource links name IDs too
            self.offenders.append(f"{tool} {arguments.get('operation')} -> {found[0]} in: {text[:300]}")
        return text

    async def both(self, tool: str, **arguments: Any) -> str:
        """The call as markdown and as JSON (Notion's objects plus what the server adds)."""
        await self(tool, format="json", **arguments)
        return await self(tool, **arguments)


def first_id(text: str, after: str) -> str:
    """The ID after `after` in a result, to call on with (its form is the scan's business)."""
    found = re.search(re.escape(after) + r"\s*([0-9a-f-]{32,36})", text)
    assert found, text
    return found.group(1)


async def reads(scan: Scan) -> None:
    page, task, toggle = SEED.welcome_page_id, SEED.task_id(6), SEED.toggle_block_id
    await scan.both("notion_search", operation="search")
    await scan.both("notion_search", operation="search", query="Tasks", filter="database")
    await scan.both("notion_pages", operation="retrieve", page_id=page, block_ids=True)
    await scan.both("notion_pages", operation="retrieve", page_id=task)
    await scan.both(
        "notion_pages", operation="retrieve", page_id=task, retrieve_property_item_id="Blocked by"
    )
    await scan.both("notion_pages", operation="retrieve", page_id=task, retrieve_property_item_id="Assignee")
    await scan.both(
        "notion_blocks", operation="retrieve", block_id=toggle, include_children=True, block_ids=True
    )
    await scan.both(
        "notion_blocks", operation="retrieve", block_id=SEED.synced_copy_id, include_children=True
    )
    await scan.both("notion_databases", operation="retrieve", database_id=SEED.tasks_database_id)
    await scan.both("notion_databases", operation="query", database_id=SEED.tasks_database_id, page_size=3)
    await scan.both("notion_users", operation="list")
    await scan.both("notion_users", operation="retrieve", user_id=SEED.ada_user_id)
    await scan.both("notion_users", operation="retrieve_bot")
    await scan.both("notion_comments", operation="retrieve", block_id=page)
    await scan("notion_comments", operation="retrieve", block_id=SEED.notes_page_id)
    for tool, field in [("notion_pages", "page_id"), ("notion_blocks", "block_id")]:
        await scan(tool, operation="retrieve", **{field: "0" * 32})  # Notion's 404 names the ID
    await scan("notion_databases", operation="retrieve", database_id="0" * 32)
    await scan("notion_users", operation="retrieve", user_id="0" * 32)


async def writes(scan: Scan) -> None:
    notes, toggle = SEED.notes_page_id, SEED.toggle_block_id
    appended = await scan("notion_blocks", operation="append", parent_block_id=notes, markdown="a\n\nb")
    first = first_id(appended, "Top-level block IDs:")
    await scan("notion_blocks", operation="append", parent_block_id=notes, markdown="c", format="json")
    await scan("notion_blocks", operation="append", parent_block_id=notes, after_block_id=first, markdown="d")
    await scan("notion_blocks", operation="update", block_id=first, markdown="a2")
    await scan("notion_blocks", operation="update", block_id=toggle, markdown="# Not a toggle")
    await scan("notion_blocks", operation="update", block_id=toggle, markdown="x\n\n- child")
    await scan("notion_blocks", operation="update", block_id=toggle, block_data={"heading_1": {}})
    await scan("notion_blocks", operation="update", block_id=SEED.synced_copy_id, markdown="x")
    await scan.both("notion_blocks", operation="delete", block_id=first)
    await scan("notion_blocks", operation="update", block_id=first, in_trash=False, format="json")
    created = await scan(
        "notion_pages", operation="create", parent={"page_id": notes}, title="P", markdown="x"
    )
    made = first_id(created, "Created page")
    await scan(
        "notion_pages", operation="create", parent={"page_id": notes}, title="J", markdown="y", format="json"
    )
    row = {"data_source_id": SEED.tasks_data_source_id}
    await scan(
        "notion_pages",
        operation="create",
        parent=row,
        properties={"Name": "R", "Blocked by": [SEED.task_id(2)]},
    )
    await scan.both("notion_pages", operation="update", page_id=made, icon="📝")
    await scan("notion_pages", operation="update", page_id=made, edits=[{"old": "x", "new": "x2"}])
    await scan("notion_pages", operation="update", page_id=made, edits=[{"old": "absent", "new": "z"}])
    await scan.both(
        "notion_pages", operation="move", page_id=made, parent={"page_id": SEED.getting_started_page_id}
    )
    await scan.both("notion_pages", operation="duplicate", page_id=made, parent={"page_id": notes})
    items = [
        {"title": "B1"},
        {"title": "B2", "properties": {"Status": "Nope"}},
        {"title": "B3", "properties": {"Assignee": [SEED.ada_user_id], "Blocked by": [SEED.task_id(1)]}},
    ]
    await scan("notion_pages", operation="create", parent=row, pages=items, dry_run=True)
    await scan.both("notion_pages", operation="create", parent=row, pages=items, skip_invalid=True)
    await scan("notion_pages", operation="create", parent=row, pages=items[:1], key="Name")
    upd = [
        {"page_id": SEED.task_id(1), "properties": {"Estimate": 3}},
        {"page_id": "0" * 32, "properties": {"Estimate": 1}},
    ]
    await scan.both("notion_pages", operation="update", pages=upd)
    database = await scan("notion_databases", operation="create", parent={"page_id": notes}, title="D")
    db = first_id(database, "Created database")
    await scan("notion_databases", operation="create", parent={"page_id": notes}, title="E", format="json")
    await scan.both("notion_databases", operation="update", database_id=db, title="D2")
    await scan.both("notion_databases", operation="update", database_id=db, properties={"N": {"number": {}}})
    posted = await scan("notion_comments", operation="create", parent={"page_id": notes}, markdown="c")
    comment = first_id(posted, "Posted comment")
    discussion = first_id(posted, "in discussion")
    await scan.both("notion_comments", operation="create", discussion_id=discussion, markdown="r")
    await scan("notion_comments", operation="create", parent={"block_id": toggle}, markdown="on a block")
    await scan.both("notion_comments", operation="retrieve", block_id=notes)
    await scan.both("notion_comments", operation="update", comment_id=comment, markdown="c2")
    await scan.both("notion_comments", operation="delete", comment_id=comment)
    await scan("notion_comments", operation="delete", comment_id=comment)


async def faults(scan: Scan, sandbox: Sandbox) -> None:
    """Partial and uncertain writes: their messages name what exists and the call that finishes."""
    notes = SEED.notes_page_id
    long = "\n\n".join(f"para {i}" for i in range(250))  # more than one append request
    sandbox.faults.add("PATCH", "/v1/blocks/{id}/children", "500", count=50, after=1)
    await scan("notion_blocks", operation="append", parent_block_id=notes, markdown=long)
    sandbox.faults.clear()
    sandbox.faults.add("PATCH", "/v1/blocks/{id}/children", "500", count=50)
    await scan("notion_pages", operation="create", parent={"page_id": notes}, title="F", markdown="body")
    sandbox.faults.clear()
    sandbox.faults.add("PATCH", "/v1/blocks/{id}/children", "500", when="after")
    sandbox.faults.add("GET", "/v1/blocks/{id}/children", "500", count=50)
    await scan("notion_blocks", operation="append", parent_block_id=notes, markdown=long)
    sandbox.faults.clear()
    sandbox.faults.add("POST", "/v1/pages", "500", count=50, when="after")
    await scan("notion_pages", operation="create", parent={"page_id": notes}, title="Lost", markdown="x")
    sandbox.faults.clear()


async def budget_cuts(scan: Scan) -> None:
    """A small response budget: the continuation hints and cut notes name IDs too."""
    notes, page = SEED.notes_page_id, SEED.welcome_page_id
    many = "\n\n".join(f"item {i}" for i in range(120))
    await scan.both("notion_blocks", operation="append", parent_block_id=notes, markdown=many)
    await scan.both("notion_pages", operation="retrieve", page_id=page, block_ids=True)
    await scan("notion_pages", operation="retrieve", page_id=notes, max_blocks=20)
    await scan.both("notion_blocks", operation="retrieve", block_id=notes, include_children=True)
    await scan.both("notion_databases", operation="query", data_source_id=SEED.tasks_data_source_id)
    await scan.both("notion_search", operation="search", max_results=30)


async def scanned(run: Callable[[Scan, Sandbox], Awaitable[None]], **settings: Any) -> Scan:
    async with sandbox_client(**settings) as (client, sandbox):
        scan = Scan(client)
        await run(scan, sandbox)
    return scan


async def test_every_operation_of_every_tool_shows_ids_in_one_form() -> None:
    async def everything(scan: Scan, sandbox: Sandbox) -> None:
        await reads(scan)
        await writes(scan)
        await faults(scan, sandbox)

    scan = await scanned(everything)
    budget = await scanned(lambda scan, _: budget_cuts(scan), max_output_chars=2_000)
    async with sandbox_client() as (client, _):
        advertised = {
            (t.name, op)
            for t in (await client.list_tools()).tools
            for op in t.input_schema["properties"]["operation"]["enum"]
        }
    assert advertised <= scan.seen, advertised - scan.seen  # a new operation joins the scan
    offenders = scan.offenders + budget.offenders
    assert not offenders, "\n".join(offenders)
    assert scan.ids > 150 and budget.ids > 50  # the results did show IDs


async def test_generated_calls_show_ids_in_one_form() -> None:
    """Valid and mutated calls (tests/fuzzing.py): refusals and odd paths name IDs too."""
    rng = random.Random(99)

    async def generated(scan: Scan, _: Sandbox) -> None:
        schemas = {t.name: dict(t.input_schema) for t in (await scan.client.list_tools()).tools}
        made = generated_calls(rng, schemas)
        for _ in range(150):
            tool, arguments = next(made)
            await scan(tool, **arguments)

    scan = await scanned(generated)
    assert not scan.offenders, "\n".join(scan.offenders)


READS_OF_RECORDED = {  # a recorded request → the tool call that makes it
    ("GET", "/v1/pages/{id}"): (
        "notion_pages",
        "page_id",
        {"operation": "retrieve", "include_content": False},
    ),
    ("GET", "/v1/blocks/{id}/children"): (
        "notion_blocks",
        "block_id",
        {"operation": "retrieve", "include_children": True, "block_ids": True},
    ),
    ("GET", "/v1/databases/{id}"): ("notion_databases", "database_id", {"operation": "retrieve"}),
    ("POST", "/v1/data_sources/{id}/query"): ("notion_databases", "data_source_id", {"operation": "query"}),
    ("GET", "/v1/users/{id}"): ("notion_users", "user_id", {"operation": "retrieve"}),
    ("GET", "/v1/users"): ("notion_users", "", {"operation": "list"}),
    ("POST", "/v1/search"): ("notion_search", "", {"operation": "search"}),
    ("GET", "/v1/comments"): ("notion_comments", "block_id", {"operation": "retrieve"}),
}


def recorded_reads() -> list[tuple[str, str, str, dict[str, Any]]]:
    """(recording, tool, ID field, arguments) for every recorded read a tool makes."""
    out = []
    for path in sorted(RECORDINGS.rglob("*.yaml")):
        name = str(path.relative_to(RECORDINGS))
        for it in _interactions(name):
            uri = it["request"]["uri"].split("://", 1)[-1].split("/", 1)[-1]
            key = (it["request"]["method"], template("/" + uri))
            if key in READS_OF_RECORDED:
                tool, field, arguments = READS_OF_RECORDED[key]
                found = DASHED.search(uri) or re.search(r"block_id=([0-9a-f-]{32,36})", uri)
                if field and found:
                    arguments = {**arguments, field: found.group(found.lastindex or 0)}
                elif field:
                    continue
                out.append((name, tool, field, arguments))
    return out


def recording_served(name: str) -> FakeNotion:
    """Every answer of one recording, by request, in the order Notion gave them."""
    notion = FakeNotion()
    for it in _interactions(name):
        request, response = it["request"], it["response"]
        uri = request["uri"].split("://", 1)[-1].split("/", 1)[-1]
        if isinstance(response.get("status"), dict):
            status, content = response["status"]["code"], response["body"]["string"]
        else:
            status, content = response["status_code"], response["content"]
        try:
            body = json.loads(content)
        except (TypeError, ValueError):
            continue
        notion.answer(request["method"], template("/" + uri), (status, body))
    return notion


async def test_results_over_notions_recorded_answers_show_ids_in_one_form() -> None:
    """Real objects of every kind (mentions, relations, people, files, synced blocks, errors)."""
    reads = recorded_reads()
    assert len(reads) > 50
    offenders, ids = [], 0
    for name in sorted({r[0] for r in reads}):
        async with connect(recording_served(name)) as client:
            scan = Scan(client)
            for _, tool, _, arguments in [r for r in reads if r[0] == name]:
                await scan.both(tool, **arguments)
        offenders += [f"{name}: {o}" for o in scan.offenders]
        ids += scan.ids
    assert not offenders, "\n".join(offenders)
    assert ids > 500
