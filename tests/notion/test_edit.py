"""edit.py's rules at unit speed: the page read (fetch_tree) and appends (append_tree) replaced by
fakes, updates and trashes sent to a fake Notion. Nothing is written before every edit is planned;
writes run from the last edit to the first; a failure part way says what is done and what is not."""

from __future__ import annotations

import itertools
from typing import Any

import anyio
import pytest
from replay import FakeNotion, gateway_for

from notion_mcp.errors import InputError, NotionAPIError, TransientError
from notion_mcp.markdown import markdown_to_blocks
from notion_mcp.notion import edit
from notion_mcp.notion.append import AppendResult, PartialAppendError
from notion_mcp.notion.edit import EditedSince, EditIncomplete, EditSpec, edit_page, ensure_unchanged, plan
from notion_mcp.notion.edit_plan import Insert, Page, Trash, Update
from notion_mcp.notion.tree import TreeResult

pytestmark = pytest.mark.anyio
PAGE = "11111111-1111-1111-1111-111111111111"
USER = "22222222-2222-2222-2222-222222222222"
MARKDOWN = "## One\n\nFirst text.\n\n## Two\n\nSecond text.\n"
OLD = "2026-03-11T09:00:00.000Z"


def read_as(markdown: str, edited: str = OLD) -> list[dict[str, Any]]:
    counter = itertools.count()
    out = []
    for block in markdown_to_blocks(markdown):
        ident = f"{next(counter):08d}-0000-0000-0000-000000000000"
        out.append({**block, "id": ident, "has_children": False, "last_edited_time": edited})
    return out


def error(status: int, code: str, message: str = "refused") -> tuple[int, Any]:
    return status, {"object": "error", "status": status, "code": code, "message": message}


class Fixture:
    def __init__(self, monkeypatch: pytest.MonkeyPatch, markdown: str = MARKDOWN, **read: Any) -> None:
        self.notion = FakeNotion()
        self.gateway = gateway_for(self.notion, max_retries=0)
        self.blocks = read_as(markdown, **read)
        self.appended: list[tuple[str, list[Any], Any]] = []
        self.append_fault: BaseException | None = None
        self.complete = True

        async def fetch_tree(gateway: Any, page_id: str, **kwargs: Any) -> TreeResult:
            assert page_id == PAGE and kwargs["max_depth"] == 50 and kwargs["max_blocks"] == 20_000
            if kwargs["on_progress"] is not None:
                await kwargs["on_progress"](len(self.blocks), None, "read")
            return TreeResult(self.blocks, [], 1, complete=self.complete)

        async def append_tree(gateway: Any, parent: str, blocks: list[Any], *, position: Any) -> AppendResult:
            if self.append_fault is not None:
                raise self.append_fault
            self.appended.append((parent, blocks, position))
            return AppendResult([f"new{n}" for n in range(len(blocks))], 1, len(blocks))

        monkeypatch.setattr(edit, "fetch_tree", fetch_tree)
        monkeypatch.setattr(edit, "append_tree", append_tree)
        updated = {"object": "block", "id": self.blocks[0]["id"], "type": "paragraph", "paragraph": {}}
        self.notion.answer("PATCH", "/v1/blocks/{id}", (200, updated))
        self.notion.answer("DELETE", "/v1/blocks/{id}", (200, {**updated, "in_trash": True}))

    def id(self, n: int) -> str:
        return str(self.blocks[n]["id"])

    def writes(self) -> list[tuple[str, str]]:
        return [(s.method, s.path.rsplit("/", 1)[-1]) for s in self.notion.sent if s.method != "GET"]


# -- every edit checked before any write --------------------------------------------------------
@pytest.mark.parametrize(
    ("spec", "says"),
    [
        (EditSpec(new="x"), "got none"),
        (EditSpec(new="x", old="First", heading="One"), "got old, heading"),
        (EditSpec(new="x", after="First", before="Second"), "got after, before"),
    ],
)
def test_each_edit_names_exactly_one_form(spec: EditSpec, says: str) -> None:
    page = Page(PAGE, read_as(MARKDOWN))
    with pytest.raises(InputError) as caught:
        plan(page, [EditSpec(new="y", old="Second"), spec])
    assert str(caught.value) == (
        "edits[1]: give exactly one of old (replace text), heading (a section), after or before "
        f"(insert), each with new; {says}."
    )


def test_edits_that_touch_the_same_blocks_are_refused_naming_both() -> None:
    page = Page(PAGE, read_as(MARKDOWN))
    specs = [
        EditSpec(new="a", old="Second text."),
        EditSpec(new="b", old="First text."),
        EditSpec(new="c", heading="Two"),
    ]
    with pytest.raises(InputError) as caught:
        plan(page, specs)
    assert str(caught.value) == (
        "edits[0] and edits[2] change the same blocks; merge them into one edit. Nothing was changed."
    )


def test_insertions_touch_nothing_so_they_combine_with_edits_next_to_them() -> None:
    page = Page(PAGE, read_as(MARKDOWN))
    planned = plan(
        page,
        [
            EditSpec(new="a", old="First text."),
            EditSpec(new="b", after="First text."),
            EditSpec(new="c", before="First text."),
            EditSpec(new="d", heading="One", position="end"),
        ],
    )
    assert [type(p.ops[0]) for p in planned] == [Update, Insert, Insert, Insert]


async def test_edits_are_written_from_the_last_in_the_page_to_the_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page = Fixture(monkeypatch)
    specs = [EditSpec(new="First changed.", old="First text."), EditSpec(new="Added.", after="Second text.")]
    progress: list[tuple[int, int | None, str]] = []

    async def on_progress(done: int, total: int | None, message: str) -> None:
        progress.append((done, total, message))

    result = await edit_page(page.gateway, PAGE, specs, on_progress=on_progress)
    assert page.appended[0][0] == PAGE and page.appended[0][2] == {
        "type": "after_block",
        "after_block": {"id": page.id(3)},
    }
    assert page.writes() == [("PATCH", page.id(1))]
    assert (result.updated, result.inserted, result.trashed, result.requests) == (1, 1, 0, 1)
    assert progress == [(4, None, "read"), (1, 2, "1 of 2 writes"), (2, 2, "2 of 2 writes")]


async def test_an_insertion_at_the_start_of_the_page(monkeypatch: pytest.MonkeyPatch) -> None:
    page = Fixture(monkeypatch)
    await edit_page(page.gateway, PAGE, [EditSpec(new="Top.", before="One")])
    assert page.appended == [(PAGE, markdown_to_blocks("Top."), {"type": "start"})]


async def test_a_replaced_block_is_inserted_then_trashed_and_counted(monkeypatch: pytest.MonkeyPatch) -> None:
    page = Fixture(monkeypatch)
    result = await edit_page(page.gateway, PAGE, [EditSpec(new="- a list now", old="Second text.")])
    assert page.writes() == [("DELETE", page.id(3))]
    assert (result.updated, result.inserted, result.trashed) == (0, 1, 1)


async def test_what_is_written_is_prepared_after_planning(monkeypatch: pytest.MonkeyPatch) -> None:
    page = Fixture(monkeypatch)
    seen: list[Any] = []

    async def prepare(payload: Any) -> Any:
        seen.append(payload)
        return {"paragraph": {"rich_text": []}} if isinstance(payload, dict) else payload[:1]

    specs = [EditSpec(new="First changed.", old="First text."), EditSpec(new="A\n\nB", old="Second text.")]
    await edit_page(page.gateway, PAGE, specs, prepare=prepare)
    assert len(seen) == 3  # the insertion's blocks and the update's body; the trash has nothing
    assert page.appended[0][1] == markdown_to_blocks("B")
    update = next(s for s in page.notion.sent if s.method == "PATCH")
    assert update.body == {"paragraph": {"rich_text": []}}


async def test_a_bad_time_or_a_page_too_large_is_refused_before_any_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page = Fixture(monkeypatch)
    with pytest.raises(InputError) as caught:
        await edit_page(page.gateway, PAGE, [EditSpec(new="x", old="First")], if_unchanged_since="yesterday")
    assert str(caught.value).startswith("if_unchanged_since: expected an ISO time such as")
    assert page.notion.sent == []
    page.complete = False
    with pytest.raises(InputError) as caught:
        await edit_page(page.gateway, PAGE, [EditSpec(new="x", old="First")])
    assert str(caught.value) == (
        "Page 11111111111111111111111111111111 is larger than 20000 blocks (or nested deeper than 50):"
        " edit it block by block with notion_blocks. Nothing was changed."
    )
    assert page.notion.sent == []


# -- if_unchanged_since ---------------------------------------------------------------------------
def page_answer(edited: str, who: str | None = USER) -> tuple[int, Any]:
    by = {"object": "user", "id": who} if who else None
    return 200, {"object": "page", "id": PAGE, "last_edited_time": edited, "last_edited_by": by}


async def test_an_edit_after_the_time_refuses_the_whole_request_naming_who_and_when(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page = Fixture(monkeypatch)
    page.blocks[3]["last_edited_time"] = "2026-03-11T10:00:00.000Z"
    page.blocks[3]["last_edited_by"] = {"object": "user", "id": USER}
    page.notion.answer("GET", "/v1/pages/{id}", page_answer("2026-03-11T09:30:00.000Z"))
    page.notion.answer("GET", "/v1/users/{id}", (200, {"object": "user", "id": USER, "name": "Ada"}))
    with pytest.raises(EditedSince) as caught:
        await edit_page(page.gateway, PAGE, [EditSpec(new="x", old="First")], if_unchanged_since=OLD)
    assert str(caught.value) == (
        f"The page was edited after {OLD}: block «Second text.» at 2026-03-11T10:00:00Z by Ada "
        f"({USER.replace('-', '')}). Nothing was changed. Read the page again and redo the edit on what it "
        "says now."
    )
    assert page.writes() == []


async def test_an_edit_exactly_at_the_time_is_not_later(monkeypatch: pytest.MonkeyPatch) -> None:
    page = Fixture(monkeypatch)
    page.notion.answer("GET", "/v1/pages/{id}", page_answer(OLD))
    await edit_page(page.gateway, PAGE, [EditSpec(new="x", old="First text.")], if_unchanged_since=OLD)
    assert page.writes() == [("PATCH", page.id(1))]


@pytest.mark.parametrize(
    ("user", "named"),
    [
        ((200, {"object": "user", "id": USER, "name": None}), f"user ({USER.replace('-', '')})"),
        (error(404, "object_not_found"), f"user {USER.replace('-', '')}"),
        (None, "someone"),
    ],
)
async def test_who_edited_is_named_as_well_as_notion_can(
    monkeypatch: pytest.MonkeyPatch, user: tuple[int, Any] | None, named: str
) -> None:
    notion = FakeNotion()
    notion.answer("GET", "/v1/pages/{id}", page_answer("2026-03-11T09:30:00.000Z", USER if user else None))
    if user:
        notion.answer("GET", "/v1/users/{id}", user)
    with pytest.raises(EditedSince) as caught:
        await ensure_unchanged(gateway_for(notion, max_retries=0), PAGE, OLD)
    assert f"the page at 2026-03-11T09:30:00Z by {named}. Nothing" in str(caught.value)


# -- failures part way ------------------------------------------------------------------------------
SPECS = [
    EditSpec(new="First changed.", old="First text."),
    EditSpec(new="Second changed.", old="Second text."),
]


async def test_a_first_write_refused_is_the_error_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    page = Fixture(monkeypatch)
    page.notion.routes.clear()
    page.notion.answer("PATCH", "/v1/blocks/{id}", error(400, "validation_error"))
    with pytest.raises(NotionAPIError) as caught:
        await edit_page(page.gateway, PAGE, SPECS)
    assert not isinstance(caught.value, EditIncomplete) and caught.value.code == "validation_error"


async def test_a_first_write_whose_answer_was_lost_may_have_happened(monkeypatch: pytest.MonkeyPatch) -> None:
    page = Fixture(monkeypatch)
    page.notion.routes.clear()
    page.notion.answer("PATCH", "/v1/blocks/{id}", error(500, "internal_server_error"))
    with pytest.raises(EditIncomplete) as caught:
        await edit_page(page.gateway, PAGE, SPECS)
    assert caught.value.done == [] and caught.value.uncertain
    assert [op.block_id for op in caught.value.remaining] == [page.id(3), page.id(1)]  # type: ignore[union-attr]
    assert str(caught.value).startswith("The edit stopped part way: 0 write(s) done, 2 not. Cause: ")


async def test_a_later_write_failing_says_what_is_done_and_what_remains(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page = Fixture(monkeypatch)
    page.notion.routes.clear()
    updated = {"object": "block", "id": page.id(3), "type": "paragraph", "paragraph": {}}
    page.notion.answer("PATCH", "/v1/blocks/{id}", (200, updated), error(409, "conflict_error"))
    with pytest.raises(EditIncomplete) as caught:
        await edit_page(page.gateway, PAGE, SPECS)
    assert [op.block_id for op in caught.value.done] == [page.id(3)]  # type: ignore[union-attr]
    assert [op.block_id for op in caught.value.remaining] == [page.id(1)]  # type: ignore[union-attr]
    assert not caught.value.uncertain


async def test_an_append_stopped_part_way_leaves_its_rest_and_its_trashes_to_do(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page = Fixture(monkeypatch)
    rest = markdown_to_blocks("B")
    page.append_fault = PartialAppendError(
        parent_id=PAGE,
        written_ids=["new0"],
        remaining=rest,
        resume={"position": {"type": "after_block", "after_block": {"id": "new0"}}},
        cause=NotionAPIError(409, "conflict_error", "conflict"),
        not_trashed=["dead"],
        uncertain=None,
        requests=1,
    )
    specs = [EditSpec(new="- A\n- B", old="Second text."), EditSpec(new="First changed.", old="First text.")]
    with pytest.raises(EditIncomplete) as caught:
        await edit_page(page.gateway, PAGE, specs)
    assert caught.value.done == []
    assert caught.value.remaining == [
        Trash("dead"),
        Insert(PAGE, "new0", rest),
        Trash(page.id(3)),
        Update(page.id(1), caught.value.remaining[3].body),  # type: ignore[union-attr]
    ]


async def test_an_append_that_cannot_say_where_it_stopped_leaves_only_the_later_writes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page = Fixture(monkeypatch)
    page.append_fault = PartialAppendError(
        parent_id=PAGE, written_ids=[], remaining=[], resume=None,
        cause=NotionAPIError(409, "conflict_error", "conflict"), not_trashed=[], uncertain="x", requests=1,
    )  # fmt: skip
    with pytest.raises(EditIncomplete) as caught:
        await edit_page(page.gateway, PAGE, [EditSpec(new="- A\n- B", old="Second text.")])
    assert caught.value.remaining == [Trash(page.id(3))]


async def test_an_append_resuming_at_the_start_of_its_parent(monkeypatch: pytest.MonkeyPatch) -> None:
    page = Fixture(monkeypatch)
    rest = markdown_to_blocks("B")
    page.append_fault = PartialAppendError(
        parent_id=PAGE, written_ids=[], remaining=rest, resume={"position": {"type": "start"}},
        cause=NotionAPIError(409, "conflict_error", "conflict"), not_trashed=[], uncertain=None, requests=1,
    )  # fmt: skip
    with pytest.raises(EditIncomplete) as caught:
        await edit_page(page.gateway, PAGE, [EditSpec(new="Top.", before="One")])
    assert caught.value.remaining == [Insert(PAGE, None, rest)]


async def test_a_trash_repeated_after_a_lost_answer_is_done(monkeypatch: pytest.MonkeyPatch) -> None:
    page = Fixture(monkeypatch)
    page.notion.routes.pop(("DELETE", "/v1/blocks/{id}"))
    archived = "Can't edit block that is archived. You must unarchive the block before editing."
    page.notion.answer("DELETE", "/v1/blocks/{id}", error(400, "validation_error", archived))
    result = await edit_page(page.gateway, PAGE, [EditSpec(new="- list", old="Second text.")])
    assert result.trashed == 1


async def test_a_trash_refused_for_another_reason_is_not_done(monkeypatch: pytest.MonkeyPatch) -> None:
    page = Fixture(monkeypatch)
    page.notion.routes.pop(("DELETE", "/v1/blocks/{id}"))
    page.notion.answer("DELETE", "/v1/blocks/{id}", error(400, "validation_error", "a bad request"))
    with pytest.raises(EditIncomplete) as caught:
        await edit_page(page.gateway, PAGE, [EditSpec(new="- list", old="Second text.")])
    assert caught.value.remaining == [Trash(page.id(3))]
    page.notion.routes.pop(("DELETE", "/v1/blocks/{id}"))
    page.notion.answer("DELETE", "/v1/blocks/{id}", error(404, "object_not_found", "archived"))
    with pytest.raises(EditIncomplete):
        await edit_page(page.gateway, PAGE, [EditSpec(new="- list", old="Second text.")])


def test_a_lost_answer_is_uncertain_a_request_never_sent_is_not() -> None:
    lost = EditIncomplete([], [], TransientError(500, "internal_server_error", "x"))
    never = EditIncomplete([], [], TransientError(0, "connection_error", "x", sent=False))
    refused = EditIncomplete([], [], NotionAPIError(400, "validation_error", "x"))
    assert (lost.uncertain, never.uncertain, refused.uncertain) == (True, False, False)


async def test_every_write_is_counted(monkeypatch: pytest.MonkeyPatch) -> None:
    page = Fixture(monkeypatch, "One.\n\nTwo.\n\nThree.\n\nFour.\n")
    specs = [
        EditSpec(new="One!", old="One."),
        EditSpec(new="Two!", old="Two."),
        EditSpec(new="- three", old="Three."),
        EditSpec(new="- four", old="Four."),
    ]
    result = await edit_page(page.gateway, PAGE, specs)
    assert (result.updated, result.inserted, result.trashed) == (2, 2, 2)


async def test_a_failure_part_way_keeps_its_cause(monkeypatch: pytest.MonkeyPatch) -> None:
    page = Fixture(monkeypatch)
    page.notion.routes.clear()
    updated = {"object": "block", "id": page.id(3), "type": "paragraph", "paragraph": {}}
    page.notion.answer("PATCH", "/v1/blocks/{id}", (200, updated), error(409, "conflict_error"))
    with pytest.raises(EditIncomplete) as caught:
        await edit_page(page.gateway, PAGE, SPECS)
    assert isinstance(caught.value.cause, NotionAPIError) and caught.value.cause.code == "conflict_error"


async def test_a_bad_time_for_a_page_update_names_the_field_before_any_request() -> None:
    notion = FakeNotion()
    with pytest.raises(InputError) as caught:
        await ensure_unchanged(gateway_for(notion), PAGE, "yesterday")
    assert str(caught.value).startswith("if_unchanged_since: expected an ISO time")
    assert notion.sent == []


async def test_the_latest_edit_is_named_and_a_long_blocks_text_is_cut(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    long = "A long paragraph whose text goes on well past forty characters."
    page = Fixture(monkeypatch, f"{long}\n\nShort.\n")
    page.blocks[0]["last_edited_time"] = "2026-03-11T11:00:00.000Z"
    page.blocks[1]["last_edited_time"] = "2026-03-11T10:00:00.000Z"
    page.notion.answer("GET", "/v1/pages/{id}", page_answer("2026-03-11T10:30:00.000Z", None))
    with pytest.raises(EditedSince) as caught:
        await edit_page(page.gateway, PAGE, [EditSpec(new="x", old="Short.")], if_unchanged_since=OLD)
    assert f"block «{long[:40]}» at 2026-03-11T11:00:00Z by someone." in str(caught.value)


async def test_stamps_at_the_same_later_time_name_the_first(monkeypatch: pytest.MonkeyPatch) -> None:
    page = Fixture(monkeypatch)
    same = "2026-03-11T10:00:00.000Z"
    page.blocks[1]["last_edited_time"] = same
    page.blocks[1]["last_edited_by"] = {"object": "user", "id": "33333333-3333-3333-3333-333333333333"}
    page.notion.answer("GET", "/v1/pages/{id}", page_answer(same))
    page.notion.answer("GET", "/v1/users/{id}", (200, {"object": "user", "id": USER, "name": "Ada"}))
    with pytest.raises(EditedSince) as caught:
        await edit_page(page.gateway, PAGE, [EditSpec(new="x", old="Second")], if_unchanged_since=OLD)
    assert "after 2026-03-11T09:00:00.000Z: the page at 2026-03-11T10:00:00Z by Ada" in str(caught.value)


async def test_an_editor_without_an_id_is_someone() -> None:
    notion = FakeNotion()
    answer = {"object": "page", "id": PAGE, "last_edited_time": "2026-03-11T09:30:00.000Z"}
    notion.answer("GET", "/v1/pages/{id}", (200, {**answer, "last_edited_by": {"object": "user"}}))
    with pytest.raises(EditedSince) as caught:
        await ensure_unchanged(gateway_for(notion, max_retries=0), PAGE, OLD)
    assert "by someone. Nothing" in str(caught.value)
    assert [s.path for s in notion.sent] == [f"/v1/pages/{PAGE}"]


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        (EditSpec(new="x", old=""), "edits[1].old: empty"),
        (EditSpec(new="x", old="Nowhere"), "edits[1].old: not found"),
        (EditSpec(new="x", heading=""), "edits[1].heading '' matches no heading"),
        (EditSpec(new="x", after=""), "edits[1].after: empty"),
        (EditSpec(new="x", before="Nowhere"), "edits[1].before: not found"),
    ],
)
def test_each_edits_errors_name_it_and_its_field(spec: EditSpec, says: str) -> None:
    page = Page(PAGE, read_as(MARKDOWN))
    with pytest.raises(InputError) as caught:
        plan(page, [EditSpec(new="y", old="First text."), spec])
    assert str(caught.value).startswith(says)


def test_an_edit_overlapping_the_one_just_before_is_refused() -> None:
    page = Page(PAGE, read_as(MARKDOWN))
    with pytest.raises(InputError) as caught:
        plan(page, [EditSpec(new="a", old="First text."), EditSpec(new="b", old="First")])
    assert str(caught.value).startswith("edits[0] and edits[1] change the same blocks")


async def test_the_requests_counted_are_this_edits_own(monkeypatch: pytest.MonkeyPatch) -> None:
    page = Fixture(monkeypatch)
    await edit_page(page.gateway, PAGE, [EditSpec(new="First changed.", old="First text.")])
    again = await edit_page(page.gateway, PAGE, [EditSpec(new="Second changed.", old="Second text.")])
    assert again.requests == 1


async def test_a_write_once_started_is_seen_through_when_the_call_is_cancelled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page = Fixture(monkeypatch)
    started, release = anyio.Event(), anyio.Event()
    finished: list[bool] = []

    async def append_tree(gateway: Any, parent: str, blocks: list[Any], *, position: Any) -> AppendResult:
        started.set()
        await release.wait()
        finished.append(True)
        return AppendResult(["new0"], 1, 1)

    monkeypatch.setattr(edit, "append_tree", append_tree)
    async with anyio.create_task_group() as group:
        group.start_soon(edit_page, page.gateway, PAGE, [EditSpec(new="Added.", after="Second text.")])
        await started.wait()
        group.cancel_scope.cancel()
        release.set()
    assert finished == [True]


@pytest.mark.parametrize(
    ("since", "refused"), [("2026-03-11T09:00:00", True), ("2026-03-11T10:00:00", False)]
)
async def test_a_time_without_a_zone_is_read_as_utc(since: str, refused: bool) -> None:
    notion = FakeNotion()
    notion.answer("GET", "/v1/pages/{id}", page_answer("2026-03-11T09:30:00.000Z", None))
    gateway = gateway_for(notion, max_retries=0)
    if refused:
        with pytest.raises(EditedSince):
            await ensure_unchanged(gateway, PAGE, since)
    else:
        await ensure_unchanged(gateway, PAGE, since)
