"""notion/bulk.py's rules against a small fake gateway (fast; the sandbox-driven tests in
tests/tools/test_bulk*.py show the same behaviour through mcp.Client).

The fake keeps rows in a dict, answers data-source queries with the filters bulk.py sends
(a key property set, a key property equal to a value), pages them by its own page size, and
raises a scripted error per call of a method, before or after the call takes effect.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import anyio
import pytest

from notion_mcp.errors import InputError, NotionAPIError, RateLimitedError, TransientError
from notion_mcp.notion import bulk
from notion_mcp.notion.bulk import Existing, Key, Outcome, Write, existing_rows, key_look, match, run_writes
from notion_mcp.notion.create import LookUnknown
from notion_mcp.notion.ids import compact
from notion_mcp.notion.row_values import key_of

pytestmark = pytest.mark.anyio
Json = dict[str, Any]
SOURCE = "22222222-2222-4222-8222-222222222222"
EMAIL = Key("Email", "email")


def lost() -> TransientError:
    """A create that may have reached Notion (the gateway marks it ambiguous)."""
    exc = TransientError(502, "bad_gateway", "Bad gateway")
    exc.ambiguous = True
    return exc


def row_body(email: str | None, stage: str = "New", title: str = "Lead") -> Json:
    props: Json = {"Name": {"title": [{"text": {"content": title}}]}, "Stage": {"select": {"name": stage}}}
    if email is not None:
        props["Email"] = {"email": email}
    return {"parent": {"data_source_id": SOURCE}, "properties": props}


class FakeGateway:
    """Rows of one data source, and the calls bulk.py makes."""

    def __init__(self, query_page: int = 100) -> None:
        self.rows: dict[str, Json] = {}
        self.calls: list[tuple[str, Any]] = []
        self.faults: dict[str, list[tuple[str, NotionAPIError] | None]] = defaultdict(list)
        self.query_page = query_page
        self.incomplete = False
        self.in_flight = 0
        self.most_in_flight = 0
        self.appended: dict[str, list[Json]] = {}

    def add(self, body: Json) -> str:
        page_id = str(uuid.uuid4())
        props = {name: {"id": name, "type": next(iter(p)), **p} for name, p in body["properties"].items()}
        self.rows[page_id] = {"object": "page", "id": page_id, "properties": props,
                              "created_time": datetime.now(UTC).isoformat()}  # fmt: skip
        return page_id

    async def _call(self, method: str, arg: Any, effect: Any) -> Any:
        self.calls.append((method, arg))
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await anyio.lowlevel.checkpoint()  # let the other workers start theirs
            fault = self.faults[method].pop(0) if self.faults[method] else None
            if fault is not None and fault[0] == "before":
                raise fault[1]
            result = effect()
            if fault is not None:
                raise fault[1]
            return result
        finally:
            self.in_flight -= 1

    # -- the gateway methods bulk.py (and create.py, append.py under it) use ----------------------
    async def query_data_source(
        self, source_id: str, body: Json, start_cursor: object = None, page_size: object = None
    ) -> Json:
        def answer() -> Json:
            found = [r for r in self.rows.values() if self._matches(r, body["filter"])]
            start = int(str(start_cursor or 0))
            size = min(int(page_size or 100), self.query_page)
            more = start + size < len(found)
            page: Json = {"results": found[start : start + size], "has_more": more,
                          "next_cursor": str(start + size) if more else None}  # fmt: skip
            if self.incomplete and not more:
                page["request_status"] = {"type": "incomplete"}
            return page

        return await self._call("query", (source_id, body, page_size), answer)  # type: ignore[no-any-return]

    @staticmethod
    def _matches(row: Json, where: Json) -> bool:
        name = where["property"]
        kind, condition = next((k, v) for k, v in where.items() if k != "property")
        value = key_of(kind, row["properties"].get(name))
        if "is_not_empty" in condition:
            return (value is not None) is bool(condition["is_not_empty"])
        return bool(value == condition["equals"])

    async def create_page(self, body: Json) -> Json:
        return await self._call("create", body, lambda: self.rows[self.add(body)])  # type: ignore[no-any-return]

    async def update_page(self, page_id: str, body: Json) -> Json:
        def effect() -> Json:
            for name, prop in body.get("properties", {}).items():
                self.rows[page_id]["properties"][name] = {"id": name, "type": next(iter(prop)), **prop}
            return self.rows[page_id]

        return await self._call("update", (page_id, body), effect)  # type: ignore[no-any-return]

    async def retrieve_page(self, page_id: str) -> Json:
        return await self._call("retrieve", page_id, lambda: self.rows[page_id])  # type: ignore[no-any-return]

    async def append_children(
        self, block_id: str, children: list[Json], position: Json | None = None
    ) -> Json:
        def effect() -> Json:
            made = [{**c, "object": "block", "id": str(uuid.uuid4())} for c in children]
            self.appended.setdefault(block_id, []).extend(made)
            return {"object": "list", "results": made}

        return await self._call("append", block_id, effect)  # type: ignore[no-any-return]

    def sent(self, method: str) -> list[Any]:
        return [arg for m, arg in self.calls if m == method]


def stage(name: str, parent: bool = False) -> Json:
    """An update body (with its parent: a create body) setting Stage."""
    body: Json = {"properties": {"Stage": {"select": {"name": name}}}}
    return {"parent": {"data_source_id": SOURCE}, **body} if parent else body


def create(item: int, email: str | None, stage: str = "New", **kw: Any) -> Write:
    return Write(item, row_body(email, stage), key=email, **kw)


def by_key(gateway: FakeGateway) -> Any:
    """Look for a lost create by its key value, as tools/bulk.py does for an upsert."""
    return lambda w: key_look(gateway, SOURCE, EMAIL, w.key)  # type: ignore[arg-type]


async def run(gateway: FakeGateway, writes: list[Write], **kw: Any) -> tuple[list[Outcome], Any]:
    return await run_writes(gateway, writes, **kw)  # type: ignore[arg-type]


# -- existing_rows: one read of the data source, by key value -----------------------------------
async def test_existing_rows_reads_only_the_rows_whose_key_is_set_a_hundred_per_query() -> None:
    gateway = FakeGateway(query_page=1000)
    for i in range(150):
        gateway.add(row_body(None, title=f"no key {i}"))
    ids = [gateway.add(row_body(f"lead{i}@x.test")) for i in range(250)]
    twin = gateway.add(row_body("lead7@x.test"))
    existing = await existing_rows(gateway, SOURCE, EMAIL)  # type: ignore[arg-type]
    queries = gateway.sent("query")  # 251 rows with the key set: three pages of at most 100
    assert queries == [(SOURCE, {"filter": {"property": "Email", "email": {"is_not_empty": True}}}, 100)] * 3
    assert len(existing.rows) == 250
    assert [r["id"] for r in existing.rows["lead3@x.test"]] == [ids[3]]
    assert [r["id"] for r in existing.rows["lead7@x.test"]] == [ids[7], twin]


async def test_a_query_notion_cut_short_refuses_the_upsert_naming_the_key() -> None:
    gateway = FakeGateway()
    gateway.add(row_body("a@x.test"))
    gateway.incomplete = True
    with pytest.raises(InputError) as caught:
        await existing_rows(gateway, SOURCE, EMAIL)  # type: ignore[arg-type]
    assert str(caught.value) == (
        "key: more than 10,000 rows have Email set, past what a Notion query reaches; upsert cannot"
        " tell which exist. Split the data source or create without key."
    )


# -- match: creates become updates, unchanged, or fail -------------------------------------------
def test_a_create_whose_key_exists_updates_that_row_without_its_parent() -> None:
    row = {"id": "r1", "properties": {"Email": {"type": "email", "email": "a@x.test"},
                                      "Stage": {"type": "select", "select": {"name": "New"}}}}  # fmt: skip
    existing = Existing({"a@x.test": [row]})
    since = datetime(2026, 1, 1, tzinfo=UTC)
    write = Write(1, stage("Won", parent=True), key="a@x.test", made_since=since)
    same = Write(2, stage("New", parent=True), key="a@x.test")
    writes, settled = match([write], EMAIL, existing)
    assert writes == [Write(1, stage("Won"), page_id="r1", key="a@x.test")]
    assert settled == []
    writes, settled = match([same], EMAIL, existing)
    assert writes == [] and settled == [Outcome(2, "unchanged", "r1")]


def test_a_key_given_twice_fails_the_later_item_naming_the_first_and_no_key_is_never_a_repeat() -> None:
    writes = [create(1, "a@x.test"), create(2, None), create(3, None), create(4, "a@x.test"), create(5, "b")]
    out, settled = match(writes, EMAIL, Existing())
    assert out == [*writes[:3], writes[4]]
    assert settled == [Outcome(4, "failed", reason="Email 'a@x.test' is also item 1")]


def test_a_key_held_by_several_rows_fails_the_item_naming_at_most_five() -> None:
    rows = [{"id": f"r{i}", "properties": {}} for i in range(7)]
    out, settled = match([create(1, "a@x.test"), create(2, "b@x.test")], EMAIL, Existing({"a@x.test": rows}))
    assert [w.item for w in out] == [2]
    assert settled == [Outcome(1, "failed", reason="7 rows have Email 'a@x.test': r0, r1, r2, r3, r4")]


def test_a_unique_id_matching_no_row_fails_instead_of_creating() -> None:
    key = Key("ID", "unique_id")
    row = {"id": "r3", "properties": {}}
    writes = [Write(1, stage("Won"), key=9), Write(2, stage("Won"), key=3)]
    out, settled = match(writes, key, Existing({3: [row]}))
    assert [(w.item, w.page_id) for w in out] == [(2, "r3")]
    assert settled == [Outcome(1, "failed", reason="no row has ID 9 (Notion numbers new rows itself)")]


def test_the_key_filter_asks_for_rows_equal_to_the_value() -> None:
    assert Key("Email", "email").filter("a@x.test") == {"property": "Email", "email": {"equals": "a@x.test"}}


# -- key_look: after a lost create, the rows holding the key ---------------------------------------
async def test_the_key_look_finds_the_rows_holding_the_value_and_is_unsure_past_one_page() -> None:
    gateway = FakeGateway(query_page=2)
    mine = gateway.add(row_body("a@x.test"))
    gateway.add(row_body("b@x.test"))
    look = key_look(gateway, SOURCE, EMAIL, "a@x.test")  # type: ignore[arg-type]
    assert await look({}, datetime.now(UTC)) == [mine]
    assert gateway.sent("query")[-1][1] == {"filter": {"property": "Email", "email": {"equals": "a@x.test"}}}
    for _ in range(2):
        gateway.add(row_body("a@x.test"))
    with pytest.raises(LookUnknown):  # more rows than one page: cannot tell which is the new one
        await look({}, datetime.now(UTC))


# -- run_writes: outcomes, faults, order ----------------------------------------------------------
async def test_creates_and_updates_report_their_rows_in_item_order() -> None:
    gateway = FakeGateway()
    old = gateway.add(row_body("old@x.test"))
    writes = [create(1, "a@x.test"), Write(2, stage("Won"), page_id=old), create(3, "c@x.test")]
    outcomes, stopped = await run(gateway, writes)
    made = {r["properties"]["Email"]["email"]: r["id"] for r in gateway.rows.values()}
    assert outcomes == [Outcome(1, "created", made["a@x.test"]), Outcome(2, "updated", old),
                        Outcome(3, "created", made["c@x.test"])]  # fmt: skip
    assert stopped is None
    assert gateway.rows[old]["properties"]["Stage"]["select"] == {"name": "Won"}


async def test_a_lost_create_is_found_by_its_key_not_made_again() -> None:
    gateway = FakeGateway()
    gateway.faults["create"] = [("after", lost())]
    write = create(1, "a@x.test")
    outcomes, _ = await run(gateway, [write], look_for=by_key(gateway))
    (page_id,) = gateway.rows
    assert outcomes == [Outcome(1, "found", page_id)]
    assert len(gateway.sent("create")) == 1


async def test_a_ready_call_item_is_looked_for_before_it_is_created() -> None:
    gateway = FakeGateway()
    there = gateway.add(row_body("a@x.test"))
    since = datetime(2026, 1, 1, tzinfo=UTC)
    writes = [create(1, "a@x.test", made_since=since), create(2, "b@x.test", made_since=since)]
    outcomes, _ = await run(gateway, writes, look_for=by_key(gateway))
    made = next(r for r in gateway.rows if r != there)
    assert outcomes == [Outcome(1, "found", there), Outcome(2, "created", made)]
    assert gateway.sent("create") == [writes[1].body]


async def test_a_ready_call_item_whose_look_is_unsure_is_unknown_and_not_created() -> None:
    gateway = FakeGateway(query_page=1)
    for _ in range(2):
        gateway.add(row_body("a@x.test"))
    write = create(1, "a@x.test", made_since=datetime(2026, 1, 1, tzinfo=UTC))
    outcomes, stopped = await run(gateway, [write], look_for=by_key(gateway))
    assert outcomes == [Outcome(1, "unknown", reason="could not tell whether it was made", again=True)]
    assert gateway.sent("create") == [] and stopped is None


async def test_notion_refusing_one_item_fails_that_item_alone() -> None:
    gateway = FakeGateway()
    gateway.faults["create"] = [
        None,
        ("before", NotionAPIError(400, "validation_error", "Email is not an email.")),
    ]
    outcomes, stopped = await run(gateway, [create(i, f"{i}@x.test") for i in range(1, 5)])
    assert [o.status for o in outcomes] == ["created", "failed", "created", "created"]
    assert outcomes[1] == Outcome(2, "failed", reason="400 validation_error: Email is not an email.")
    assert stopped is None and len(gateway.rows) == 3


@pytest.mark.parametrize(
    ("fault", "status"),
    [
        (RateLimitedError(429, "rate_limited", "Slow down."), "failed"),
        (lost(), "unknown"),
        (TransientError(503, "service_unavailable", "Unavailable."), "failed"),
    ],
    ids=["429", "lost 502", "503"],
)
async def test_a_lasting_fault_stops_starting_items_and_marks_the_rest_to_send_again(
    fault: NotionAPIError, status: str
) -> None:
    gateway = FakeGateway()
    gateway.faults["create"] = [("before", fault)]
    writes = [create(i, f"{i}@x.test") for i in range(1, 21)]
    outcomes, stopped = await run(gateway, writes)
    assert stopped is fault
    assert outcomes[0] == Outcome(
        1, status, reason=f"{fault.status} {fault.code}: {fault.message}", again=True
    )
    started = len(gateway.sent("create"))
    assert started == bulk.CONCURRENCY  # the ones already in flight finish; no new one starts
    assert [o.status for o in outcomes[1:started]] == ["created"] * (started - 1)
    assert outcomes[started:] == [Outcome(i, "not_done", again=True) for i in range(started + 1, 21)]


async def test_the_first_lasting_fault_is_the_one_reported() -> None:
    gateway = FakeGateway()
    first, second = (
        RateLimitedError(429, "rate_limited", "first"),
        RateLimitedError(429, "rate_limited", "second"),
    )
    gateway.faults["create"] = [("before", first), ("before", second)]
    outcomes, stopped = await run(gateway, [create(i, f"{i}@x.test") for i in range(1, 4)])
    assert stopped is first
    assert [o.again for o in outcomes] == [True, True, False]


async def test_writes_run_on_at_most_concurrency_workers_at_once() -> None:
    gateway = FakeGateway()
    outcomes, _ = await run(gateway, [create(i, f"{i}@x.test") for i in range(1, 31)])
    assert gateway.most_in_flight == bulk.CONCURRENCY
    assert [o.item for o in outcomes] == list(range(1, 31))
    assert {o.status for o in outcomes} == {"created"} and len(gateway.rows) == 30
    gateway = FakeGateway()
    await run(gateway, [create(i, f"{i}@x.test") for i in range(1, 4)])
    assert gateway.most_in_flight == 3


# -- a new row's content ---------------------------------------------------------------------------
PARAGRAPH = {"type": "paragraph", "paragraph": {"rich_text": [{"type": "text", "text": {"content": "hi"}}]}}


async def test_a_new_rows_content_goes_under_it() -> None:
    gateway = FakeGateway()
    writes = [create(1, "a@x.test", blocks=[PARAGRAPH]), create(2, "b@x.test")]
    outcomes, _ = await run(gateway, writes)
    by_email = {r["properties"]["Email"]["email"]: r["id"] for r in gateway.rows.values()}
    assert outcomes == [
        Outcome(1, "created", by_email["a@x.test"]),
        Outcome(2, "created", by_email["b@x.test"]),
    ]
    assert [b["paragraph"] for b in gateway.appended[by_email["a@x.test"]]] == [PARAGRAPH["paragraph"]]
    assert list(gateway.appended) == [by_email["a@x.test"]]


async def test_a_found_rows_content_is_added_and_it_stays_found() -> None:
    gateway = FakeGateway()
    gateway.faults["create"] = [("after", lost())]
    write = create(1, "a@x.test", blocks=[PARAGRAPH])
    outcomes, _ = await run(gateway, [write], look_for=by_key(gateway))
    (page_id,) = gateway.rows
    assert outcomes == [Outcome(1, "found", page_id)] and list(gateway.appended) == [page_id]


@pytest.mark.parametrize("lasting", [False, True], ids=["refused", "lasting fault"])
async def test_a_row_whose_content_fails_is_failed_with_its_id_and_never_sent_again(lasting: bool) -> None:
    gateway = FakeGateway()
    long_line = "x" * 300
    fault = (
        RateLimitedError(429, "rate_limited", f"{long_line}\nsecond line")
        if lasting
        else NotionAPIError(400, "validation_error", f"{long_line}\nsecond line")
    )
    gateway.faults["append"] = [("before", fault)]
    writes = [create(1, "a@x.test", blocks=[PARAGRAPH]), *(create(i, f"{i}@x.test") for i in range(2, 31))]
    outcomes, stopped = await run(gateway, writes)
    page_id = next(r["id"] for r in gateway.rows.values() if r["properties"]["Email"]["email"] == "a@x.test")
    assert outcomes[0] == Outcome(
        1,
        "failed",
        page_id,
        reason=f"the row was made but not all its content ({'x' * 200}); add it with notion_blocks append"
        f" parent_block_id={compact(page_id)}, not by creating the row again",
    )
    assert stopped is (fault if lasting else None)
    assert ("not_done" in {o.status for o in outcomes}) is lasting


# -- progress and cancellation --------------------------------------------------------------------
async def test_each_finished_item_is_reported_counting_from_what_was_settled_before() -> None:
    gateway = FakeGateway()
    old = gateway.add(row_body("old@x.test"))
    seen: list[tuple[int, int, str]] = []

    async def progress(done: int, total: int, message: str) -> None:
        seen.append((done, total, message))

    gateway.faults["update"] = [("before", NotionAPIError(400, "validation_error", "no"))]
    writes = [Write(4, {"properties": {}}, page_id=old), create(5, "a@x.test")]
    await run(gateway, writes, on_progress=progress, settled=3, total=9)
    made = next(r for r in gateway.rows if r != old)
    assert seen == [(4, 9, "item 4: failed"), (5, 9, f"item 5: created {compact(made)}")]
    seen.clear()
    await run(gateway, [create(1, "b@x.test")], on_progress=progress, settled=2)
    assert [(d, t) for d, t, _ in seen] == [(3, 3)]


async def test_a_cancelled_run_starts_nothing_more_and_logs_what_was_done(
    caplog: pytest.LogCaptureFixture,
) -> None:
    gateway = FakeGateway()
    writes = [create(i, f"{i}@x.test") for i in range(1, 31)]
    gateway.faults["create"] = [None, ("before", NotionAPIError(400, "validation_error", "no"))]
    with caplog.at_level(logging.WARNING, "notion_mcp.bulk"):
        with anyio.CancelScope() as scope:

            async def progress(done: int, total: int, message: str) -> None:
                if done == 2:
                    scope.cancel()

            await run(gateway, writes, on_progress=progress)
    assert scope.cancelled_caught
    made = {r["properties"]["Email"]["email"]: r["id"] for r in gateway.rows.values()}
    assert list(made) == ["1@x.test"]  # what was in flight was cancelled before it landed
    assert caplog.records[-1].getMessage() == (
        f"bulk write cancelled after 2 of 30 items: 1 created {made['1@x.test']}; 2 failed"
    )
