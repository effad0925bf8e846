"""Paging through a data source query: continuation pages reuse the remembered result only while
the store is unchanged, so every page is what a query computed from scratch would give."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from notion_mcp.sandbox import SEED, Sandbox, query_memo
from notion_mcp.sandbox.query import apply_query
from notion_mcp.sandbox.workspace import Workspace

from .conftest import HEADERS, t

pytestmark = pytest.mark.anyio

Json = dict[str, Any]
BY_N = [{"property": "N", "direction": "ascending"}]
NON_NEGATIVE = {"property": "N", "number": {"greater_than_or_equal_to": 0}}


def url(ds_id: str) -> str:
    return f"/v1/data_sources/{ds_id}/query"


async def numbered_source(http: httpx.AsyncClient, count: int = 30) -> tuple[str, dict[str, str]]:
    """A data source of rows ``r0``..``r{count-1}`` with ``N`` = their number and ``Tag`` a/b."""
    props = {
        "Name": {"title": {}},
        "N": {"number": {}},
        "Tag": {"select": {"options": [{"name": "a"}, {"name": "b"}]}},
    }
    body = {"parent": {"page_id": SEED.welcome_page_id}, "title": t("Numbers")}
    db = (
        await http.post("/v1/databases", json={**body, "initial_data_source": {"properties": props}})
    ).json()
    ds_id = db["data_sources"][0]["id"]
    rows = {}
    for n in range(count):
        rows[f"r{n}"] = await add_row(http, ds_id, f"r{n}", n, "ab"[n % 2])
    return ds_id, rows


async def add_row(http: httpx.AsyncClient, ds_id: str, name: str, n: float, tag: str = "a") -> str:
    props = {"Name": {"title": t(name)}, "N": {"number": n}, "Tag": {"select": {"name": tag}}}
    made = await http.post("/v1/pages", json={"parent": {"data_source_id": ds_id}, "properties": props})
    assert made.status_code == 200, made.text
    return str(made.json()["id"])


def unpaged(
    sandbox: Sandbox, ds_id: str, flt: Json | None = None, sorts: list[Json] | None = None
) -> list[str]:
    """The query's row IDs computed directly from the store, without the route or its memo."""
    with sandbox.store.transaction() as store:
        ws = Workspace(store, "2026-03-11", sandbox.state.now)
        schema = ws.need(ds_id, "data_source")["properties"]
        rows = [p for p in store.children(ds_id, ("page",)) if not p.get("in_trash")]
        full = [ws.render_page(p, full=True) for p in rows]
        return [p["id"] for p in apply_query(full, schema, flt, sorts)]


async def page_through(http: httpx.AsyncClient, ds_id: str, body: Json, size: int) -> list[Json]:
    """Every response of the query, page by page."""
    answers, cursor = [], None
    while True:
        extra = {"start_cursor": cursor} if cursor else {}
        r = await http.post(url(ds_id), json={**body, "page_size": size, **extra})
        assert r.status_code == 200, r.text
        answers.append(r.json())
        cursor = r.json()["next_cursor"]
        if cursor is None:
            return answers


def names(answer: Json) -> list[str]:
    return [p["properties"]["Name"]["title"][0]["plain_text"] for p in answer["results"]]


def without_request_id(answer: Json) -> Json:
    return {k: v for k, v in answer.items() if k != "request_id"}


# ---------------------------------------------------------------- paging without writes


async def test_paging_a_filtered_sorted_query_gives_the_rows_of_one_unpaged_computation(
    http: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    ds_id = SEED.tasks_data_source_id
    flt = {
        "or": [
            {"property": "Done", "checkbox": {"equals": False}},
            {"property": "Estimate", "number": {"less_than": 3}},
        ]
    }
    sorts = [
        {"property": "Priority", "direction": "ascending"},
        {"property": "Name", "direction": "descending"},
    ]
    expected = unpaged(sandbox, ds_id, flt, sorts)
    assert 7 < len(expected) < 30  # the filter keeps some rows, not all
    whole = await page_through(http, ds_id, {"filter": flt, "sorts": sorts}, 100)
    assert len(whole) == 1 and [p["id"] for p in whole[0]["results"]] == expected
    for size in (1, 3, 7):
        pages = await page_through(http, ds_id, {"filter": flt, "sorts": sorts}, size)
        assert len(pages) == -(-len(expected) // size)
        assert [p for answer in pages for p in answer["results"]] == whole[0]["results"]
        assert all(a["has_more"] for a in pages[:-1]) and not pages[-1]["has_more"]


async def test_the_same_query_asked_again_answers_the_same_body(http: httpx.AsyncClient) -> None:
    body = {"sorts": [{"property": "Name", "direction": "ascending"}], "page_size": 4}
    first = without_request_id((await http.post(url(SEED.tasks_data_source_id), json=body)).json())
    again = without_request_id((await http.post(url(SEED.tasks_data_source_id), json=body)).json())
    assert first == again


async def test_different_filters_and_sorts_do_not_share_remembered_results(
    http: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    ds_id, _ = await numbered_source(http)
    tag_a, tag_b = ({"property": "Tag", "select": {"equals": tag}} for tag in "ab")
    bodies = [
        {"filter": tag_a, "sorts": BY_N},
        {"filter": tag_b, "sorts": BY_N},
        {"filter": tag_a, "sorts": [{**BY_N[0], "direction": "descending"}]},
        {"filter": {"property": "N", "number": {"less_than": 9}}},
    ]
    cursors: list[str | None] = [None] * len(bodies)
    seen: list[list[str]] = [[] for _ in bodies]
    for _ in range(4):  # one page of each query in turn
        for i, body in enumerate(bodies):
            extra = {"start_cursor": cursors[i]} if cursors[i] else {}
            answer = (await http.post(url(ds_id), json={**body, "page_size": 4, **extra})).json()
            seen[i] += [p["id"] for p in answer["results"]]
            cursors[i] = answer["next_cursor"]
            if cursors[i] is None:
                break
    for body, ids in zip(bodies, seen, strict=True):
        assert ids == unpaged(sandbox, ds_id, body.get("filter"), body.get("sorts"))[: len(ids)]
    assert seen[0][:3] != seen[1][:3] and seen[0][:3] != seen[2][:3]


# ---------------------------------------------------------------- writes between pages


async def _create(http: httpx.AsyncClient, ds_id: str, rows: dict[str, str]) -> None:
    await add_row(http, ds_id, "r10.5", 10.5)


async def _move_to_the_end(http: httpx.AsyncClient, ds_id: str, rows: dict[str, str]) -> None:
    await http.patch(f"/v1/pages/{rows['r12']}", json={"properties": {"N": {"number": 100}}})


async def _filter_out(http: httpx.AsyncClient, ds_id: str, rows: dict[str, str]) -> None:
    await http.patch(f"/v1/pages/{rows['r13']}", json={"properties": {"N": {"number": -1}}})


async def _trash(http: httpx.AsyncClient, ds_id: str, rows: dict[str, str]) -> None:
    await http.patch(f"/v1/pages/{rows['r11']}", json={"in_trash": True})


async def _rename(http: httpx.AsyncClient, ds_id: str, rows: dict[str, str]) -> None:
    await http.patch(f"/v1/pages/{rows['r14']}", json={"properties": {"Name": {"title": t("renamed")}}})


@pytest.mark.parametrize(
    ("write", "second_page"),
    [
        (_create, ["r10", "r10.5", "r11", "r12", "r13", "r14", "r15", "r16", "r17", "r18"]),
        (_move_to_the_end, ["r10", "r11", "r13", "r14", "r15", "r16", "r17", "r18", "r19", "r20"]),
        (_filter_out, ["r10", "r11", "r12", "r14", "r15", "r16", "r17", "r18", "r19", "r20"]),
        (_trash, ["r10", "r12", "r13", "r14", "r15", "r16", "r17", "r18", "r19", "r20"]),
        (_rename, ["r10", "r11", "r12", "r13", "renamed", "r15", "r16", "r17", "r18", "r19"]),
    ],
)
async def test_a_write_between_two_pages_shows_in_the_next_page(
    http: httpx.AsyncClient,
    sandbox: Sandbox,
    write: Callable[[httpx.AsyncClient, str, dict[str, str]], Any],
    second_page: list[str],
) -> None:
    ds_id, rows = await numbered_source(http)
    body = {"filter": NON_NEGATIVE, "sorts": BY_N, "page_size": 10}
    first = (await http.post(url(ds_id), json=body)).json()
    assert names(first) == [f"r{n}" for n in range(10)] and first["next_cursor"] == rows["r10"]
    await write(http, ds_id, rows)
    second = (await http.post(url(ds_id), json={**body, "start_cursor": first["next_cursor"]})).json()
    assert names(second) == second_page
    fresh = unpaged(sandbox, ds_id, NON_NEGATIVE, BY_N)
    assert [p["id"] for p in second["results"]] == fresh[10:20]
    rest = await page_through(http, ds_id, {"filter": NON_NEGATIVE, "sorts": BY_N}, 10)
    assert [p["id"] for answer in rest for p in answer["results"]] == fresh


async def test_a_write_that_moves_a_row_to_a_later_page_shows_it_there(http: httpx.AsyncClient) -> None:
    ds_id, rows = await numbered_source(http)
    body = {"sorts": BY_N, "page_size": 10}
    first = (await http.post(url(ds_id), json=body)).json()
    await http.patch(f"/v1/pages/{rows['r3']}", json={"properties": {"N": {"number": 25.5}}})
    second = (await http.post(url(ds_id), json={**body, "start_cursor": first["next_cursor"]})).json()
    third = (await http.post(url(ds_id), json={**body, "start_cursor": second["next_cursor"]})).json()
    assert names(third) == ["r20", "r21", "r22", "r23", "r24", "r25", "r3", "r26", "r27", "r28"]


async def test_trashing_the_row_a_cursor_names_makes_the_cursor_invalid(http: httpx.AsyncClient) -> None:
    ds_id, rows = await numbered_source(http)
    body = {"sorts": BY_N, "page_size": 10}
    first = (await http.post(url(ds_id), json=body)).json()
    await http.patch(f"/v1/pages/{rows['r10']}", json={"in_trash": True})
    r = await http.post(url(ds_id), json={**body, "start_cursor": first["next_cursor"]})
    assert r.status_code == 400
    assert r.json()["message"] == f"The start_cursor provided is invalid: {rows['r10']}"


async def test_renaming_a_filtered_property_between_pages_makes_the_next_page_a_validation_error(
    http: httpx.AsyncClient,
) -> None:
    ds_id, _ = await numbered_source(http)
    body = {"filter": NON_NEGATIVE, "page_size": 10}
    first = (await http.post(url(ds_id), json=body)).json()
    await http.patch(f"/v1/data_sources/{ds_id}", json={"properties": {"N": {"name": "M"}}})
    r = await http.post(url(ds_id), json={**body, "start_cursor": first["next_cursor"]})
    assert r.status_code == 400 and r.json()["code"] == "validation_error"
    assert "Could not find property with name or id: N" in r.json()["message"]


async def test_a_write_through_another_connection_to_the_same_file_shows_in_the_next_page(
    tmp_path: Path,
) -> None:
    path = str(tmp_path / "ws.sqlite")
    reader, writer = Sandbox(path), Sandbox(path)
    try:
        async with (
            httpx.AsyncClient(transport=reader.transport(), base_url=Sandbox.base_url, headers=HEADERS) as r,
            httpx.AsyncClient(transport=writer.transport(), base_url=Sandbox.base_url, headers=HEADERS) as w,
        ):
            ds_id, rows = await numbered_source(r)
            body = {"sorts": BY_N, "page_size": 10}
            first = (await r.post(url(ds_id), json=body)).json()
            await w.patch(f"/v1/pages/{rows['r11']}", json={"in_trash": True})
            second = (await r.post(url(ds_id), json={**body, "start_cursor": first["next_cursor"]})).json()
            assert names(second) == ["r10", *(f"r{n}" for n in range(12, 21))]
    finally:
        reader.close()
        writer.close()


# ---------------------------------------------------------------- the memo itself


def test_the_memo_computes_once_per_query_and_store_state_and_day(monkeypatch: pytest.MonkeyPatch) -> None:
    sandbox = Sandbox(seed=False)
    calls: list[Any] = []

    def compute(now: datetime) -> list[str]:
        calls.append(now)
        return [f"row{len(calls)}"]

    def ask(
        flt: Any = None, sorts: Any = None, version: str = "2026-03-11", ds: str = "ds"
    ) -> tuple[str, ...]:
        return query_memo.matching_ids(sandbox.store, version, ds, flt, sorts, compute)

    assert ask() == ("row1",) and ask() == ("row1",) and len(calls) == 1
    assert ask({"property": "N", "number": {"equals": 1}}) == ("row2",)
    assert ask(None, []) == ("row3",)  # no sorts and an empty list are remembered apart
    assert ask(ds="other") == ("row4",) and ask(version="2025-09-03") == ("row5",)
    assert ask() == ("row1",) and len(calls) == 5
    with sandbox.store.transaction() as store:
        store.set_meta("anything", "at all")
    assert ask() == ("row6",)  # any write forgets everything
    with pytest.raises(RuntimeError), sandbox.store.transaction() as store:
        store.set_meta("rolled", "back")
        raise RuntimeError
    assert ask() == ("row7",)  # even one rolled back (remembering less is always safe)
    assert ask() == ("row7",)

    class Tomorrow(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Tomorrow:
            return cls(2999, 1, 2, tzinfo=UTC)

    monkeypatch.setattr(query_memo, "datetime", Tomorrow)
    assert ask() == ("row8",)  # relative date filters count days from today
    assert calls[-1] == datetime(2999, 1, 2, tzinfo=UTC)
    sandbox.close()


def test_a_failing_computation_is_not_remembered() -> None:
    sandbox = Sandbox(seed=False)
    attempts: list[int] = []

    def failing(now: datetime) -> list[str]:
        attempts.append(1)
        raise ValueError("invalid filter")

    for _ in range(2):
        with pytest.raises(ValueError, match="invalid filter"):
            query_memo.matching_ids(sandbox.store, "2026-03-11", "ds", None, None, failing)
    assert len(attempts) == 2
    sandbox.close()
