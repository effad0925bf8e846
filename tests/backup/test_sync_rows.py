"""`sync` of a database folder: rows.csv ⇄ rows, merged cell by cell against the last sync;
the same cell changed on both sides is a conflict (rows.conflict.csv, exit 1, neither side
overwritten); a key column finds the row of a line without _id; interrupted at every request
position, a run converges."""

from __future__ import annotations

import contextlib
import csv
import io
from pathlib import Path

import pytest
from backup_env import Env, new_env

from notion_mcp.backup import layout
from notion_mcp.errors import InputError, NotionMCPError
from notion_mcp.sandbox import SEED

from .test_sync import sync

pytestmark = pytest.mark.anyio
TASKS = SEED.tasks_database_id
Row = dict[str, str]


def csv_path(root: Path) -> Path:
    return root / "Tasks" / "rows.csv"


def read(root: Path, name: str = "rows.csv") -> list[Row]:
    return layout.read_rows_csv((root / "Tasks" / name).read_text())


def write(root: Path, rows: list[Row]) -> None:
    header = next(csv.reader(io.StringIO(csv_path(root).read_text())))
    out = io.StringIO()
    writer = csv.DictWriter(out, header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    csv_path(root).write_text(out.getvalue())


def change(root: Path, title: str, **cells: str) -> None:
    rows = read(root)
    row = next(r for r in rows if r["Name"] == title)
    row.update({k.replace("_", " "): v for k, v in cells.items()})
    write(root, rows)


async def in_notion(env: Env, row_id: str, name: str) -> str:
    prop = (await env.gateway.retrieve_page(row_id))["properties"][name]
    value = prop[prop["type"]]
    return str(value["name"] if isinstance(value, dict) else value)


async def set_in_notion(env: Env, row_id: str, **selects: str) -> None:
    props = {"Status": "status", "Priority": "select"}
    body = {n: {props[n]: {"name": v}} for n, v in selects.items()}
    await env.gateway.update_page(row_id, {"properties": body})


async def synced(root: Path) -> tuple[Env, list[Row]]:
    env = new_env()
    await sync(env, root, TASKS)
    return env, read(root)


async def test_different_cells_changed_on_each_side_are_merged(tmp_path: Path) -> None:
    env, rows = await synced(tmp_path)
    first = rows[0]
    change(tmp_path, first["Name"], Status="Done")
    await set_in_notion(env, first["_id"], Priority="Low")
    report = await sync(env, tmp_path, TASKS)
    assert report.ok, report
    assert await in_notion(env, first["_id"], "Status") == "Done"
    assert await in_notion(env, first["_id"], "Priority") == "Low"  # Notion's edit kept
    after = next(r for r in read(tmp_path) if r["_id"] == first["_id"])
    assert (after["Status"], after["Priority"]) == ("Done", "Low")
    assert (await sync(env, tmp_path, TASKS)).planned == []


async def test_the_same_cell_changed_alike_on_both_sides_is_no_conflict(tmp_path: Path) -> None:
    env, rows = await synced(tmp_path)
    change(tmp_path, rows[0]["Name"], Priority="Low")
    await set_in_notion(env, rows[0]["_id"], Priority="Low")
    assert (await sync(env, tmp_path, TASKS)).ok


async def test_the_same_cell_changed_on_both_sides_is_a_conflict_until_resolved(tmp_path: Path) -> None:
    env, rows = await synced(tmp_path)
    clash, other, remote_only = rows[0], rows[1], rows[2]
    ours, theirs = [s for s in ("Not started", "In progress", "Done") if s != clash["Status"]]
    change(tmp_path, clash["Name"], Status=ours)
    change(tmp_path, other["Name"], Priority="Low" if other["Priority"] != "Low" else "High")
    await set_in_notion(env, clash["_id"], Status=theirs)
    moved = "Medium" if remote_only["Priority"] != "Medium" else "Low"
    await set_in_notion(env, remote_only["_id"], Priority=moved)
    local = csv_path(tmp_path).read_text()

    report = await sync(env, tmp_path, TASKS)
    assert not report.ok and report.conflicts == ["Tasks/rows.csv"]
    assert any(clash["Name"] in line for line in report.planned)
    assert await in_notion(env, clash["_id"], "Status") == theirs  # Notion not overwritten
    assert csv_path(tmp_path).read_text() == local  # nor the file
    beside = read(tmp_path, "rows.conflict.csv")
    assert [(r["_id"], r["Status"]) for r in beside] == [(clash["_id"], theirs)]
    assert await in_notion(env, other["_id"], "Priority") != other["Priority"]  # the rest merged

    again = await sync(env, tmp_path, TASKS)
    assert not again.ok and again.conflicts == ["Tasks/rows.csv"]  # open until the file goes
    assert await in_notion(env, clash["_id"], "Status") == theirs

    (tmp_path / "Tasks" / "rows.conflict.csv").unlink()  # resolved: the file's value wins
    report = await sync(env, tmp_path, TASKS)
    assert report.ok, report
    assert await in_notion(env, clash["_id"], "Status") == ours
    final = {r["_id"]: r for r in read(tmp_path)}
    assert final[clash["_id"]]["Status"] == ours
    assert final[remote_only["_id"]]["Priority"] != remote_only["Priority"]  # Notion's edit arrived
    assert len(final) == 30
    assert (await sync(env, tmp_path, TASKS)).planned == []


async def test_a_line_removed_here_of_a_row_changed_in_notion_is_kept(tmp_path: Path) -> None:
    env, rows = await synced(tmp_path)
    write(tmp_path, [r for r in rows if r["_id"] not in (rows[0]["_id"], rows[1]["_id"])])
    await set_in_notion(env, rows[0]["_id"], Priority="Low" if rows[0]["Priority"] != "Low" else "High")
    report = await sync(env, tmp_path, TASKS)
    assert report.ok and any("removed here but the row changed in Notion" in n for n in report.notes)
    assert (await env.gateway.retrieve_page(rows[0]["_id"]))["in_trash"] is False
    assert (await env.gateway.retrieve_page(rows[1]["_id"]))["in_trash"] is True
    assert {r["_id"] for r in read(tmp_path)} == {r["_id"] for r in rows} - {rows[1]["_id"]}


async def test_a_key_column_finds_the_row_of_a_line_without_id(tmp_path: Path) -> None:
    env, rows = await synced(tmp_path)
    edited = [dict(r) for r in rows]
    edited[0].update({"_id": "", "Priority": "Low" if rows[0]["Priority"] != "Low" else "High"})
    write(tmp_path, edited)
    report = await sync(env, tmp_path, TASKS, key="Name")
    assert report.ok, report
    assert await in_notion(env, rows[0]["_id"], "Priority") == edited[0]["Priority"]
    after = read(tmp_path)
    assert len(after) == 30 and sum(r["Name"] == rows[0]["Name"] for r in after) == 1


async def test_a_key_value_several_rows_have_leaves_the_line_out_and_says_so(tmp_path: Path) -> None:
    env, rows = await synced(tmp_path)
    write(tmp_path, [*rows, {**{k: "" for k in rows[0]}, "Name": "New", "Priority": "High"}])
    report = await sync(env, tmp_path, TASKS, key="Priority")
    high = sum(r["Priority"] == "High" for r in rows)
    assert report.notes == [
        f"Tasks/rows.csv: {high} rows have Priority = 'High'; the line is left out (give it the _id of "
        "the row it is)"
    ]
    assert len(read(tmp_path)) == 30  # no row made, none changed


async def test_a_key_that_is_no_column_is_refused_naming_the_columns(tmp_path: Path) -> None:
    env, rows = await synced(tmp_path)
    change(tmp_path, rows[0]["Name"], Priority="Low" if rows[0]["Priority"] != "Low" else "High")
    refused = r"--key: 'Email' is not a column of Tasks/rows.csv; its columns: Name,"
    with pytest.raises(InputError, match=refused):
        await sync(env, tmp_path, TASKS, key="Email")


async def scenario(env: Env, root: Path, rows: list[Row]) -> dict[str, str]:
    """Here: row 0's Status and row 3's Priority edited, row 1's line removed, a line added.
    In Notion: row 0's Priority (merged) and row 3's Priority (a conflict). What each should end as."""
    edited = [dict(r) for r in rows if r["_id"] != rows[1]["_id"]]
    mine = {"status": "Done" if rows[0]["Status"] != "Done" else "Not started"}
    mine["three"] = "High" if rows[3]["Priority"] != "High" else "Low"
    edited[0]["Status"], edited[2]["Priority"] = mine["status"], mine["three"]  # edited[2] is row 3
    edited.append({**{k: "" for k in rows[0]}, "Name": "Added here", "Priority": "High", "Done": "false"})
    write(root, edited)
    theirs = {"zero": "Low" if rows[0]["Priority"] != "Low" else "High"}
    taken = (rows[3]["Priority"], mine["three"])
    theirs["three"] = next(p for p in ("Medium", "Low", "High") if p not in taken)
    await set_in_notion(env, rows[0]["_id"], Priority=theirs["zero"])
    await set_in_notion(env, rows[3]["_id"], Priority=theirs["three"])
    return {**{f"mine_{k}": v for k, v in mine.items()}, **{f"theirs_{k}": v for k, v in theirs.items()}}


RUN_REQUESTS = 9


async def test_the_rows_scenario_costs_a_known_number_of_requests(tmp_path: Path) -> None:
    """The interruption test below cuts at every position of this run."""
    env, rows = await synced(tmp_path)
    await scenario(env, tmp_path, rows)
    start = env.requests()
    assert (await sync(env, tmp_path, TASKS)).conflicts == ["Tasks/rows.csv"]
    assert env.requests() - start == RUN_REQUESTS


@pytest.mark.parametrize("kill_at", range(0, RUN_REQUESTS))
async def test_a_rows_sync_interrupted_at_any_request_converges(tmp_path: Path, kill_at: int) -> None:
    env, rows = await synced(tmp_path)
    want = await scenario(env, tmp_path, rows)
    fault = env.sandbox.faults.add("*", "*", "500", after=kill_at, count=1)
    with contextlib.suppress(NotionMCPError):
        await sync(env, tmp_path, TASKS)
    assert fault.fired == 1
    env.sandbox.faults.clear()
    report = await sync(env, tmp_path, TASKS)
    assert report.conflicts == ["Tasks/rows.csv"], report
    assert await in_notion(env, rows[3]["_id"], "Priority") == want["theirs_three"]  # not overwritten
    made = next(r["_id"] for r in read(tmp_path) if r["Name"] == "Added here")
    assert made  # the file, kept, names the row made for its new line (so it is not made again)
    (tmp_path / "Tasks" / "rows.conflict.csv").unlink()  # resolved: the file's value wins
    assert (await sync(env, tmp_path, TASKS)).ok
    assert (await sync(env, tmp_path, TASKS)).planned == []
    final = {r["_id"]: r for r in read(tmp_path)}
    assert [r["Name"] for r in final.values()].count("Added here") == 1  # made once
    assert final[made]["Name"] == "Added here"
    assert rows[1]["_id"] not in final and len(final) == 30
    assert await in_notion(env, rows[0]["_id"], "Status") == want["mine_status"]
    assert await in_notion(env, rows[0]["_id"], "Priority") == want["theirs_zero"]
    assert await in_notion(env, rows[3]["_id"], "Priority") == want["mine_three"]


async def test_a_conflict_in_one_of_several_data_sources_goes_beside_its_rows_csv(tmp_path: Path) -> None:
    from backup.test_data_sources import add_bugs

    env = new_env()
    await add_bugs(env)
    await sync(env, tmp_path, TASKS)
    rows_csv = tmp_path / "Tasks" / "Bugs" / "rows.csv"
    typo = next(r for r in layout.read_rows_csv(rows_csv.read_text()) if r["Bug"] == "Typo")
    rows_csv.write_text(rows_csv.read_text().replace("Typo,", "Typo here,"))
    renamed = {"Bug": {"title": [{"text": {"content": "Typo there"}}]}}
    await env.gateway.update_page(typo["_id"], {"properties": renamed})
    report = await sync(env, tmp_path, TASKS)
    assert report.conflicts == ["Tasks/Bugs/rows.csv"], report
    beside = layout.read_rows_csv((tmp_path / "Tasks" / "Bugs" / "rows.conflict.csv").read_text())
    assert [(r["_id"], r["Bug"]) for r in beside] == [(typo["_id"], "Typo there")]
    assert "Typo here," in rows_csv.read_text()
