"""Request bodies Notion refuses are refused (400 validation_error naming the path), not silently
trimmed; everything real clients sent to Notion with success is still accepted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from notion_mcp.sandbox import SEED, blocks, rules
from notion_mcp.sandbox.rules import NotionError

from .conftest import para, t
from .test_limits import refused

pytestmark = pytest.mark.anyio

PAGE = SEED.welcome_page_id
RECORDINGS = Path(__file__).resolve().parents[1] / "fixtures" / "recordings"


async def append(http: httpx.AsyncClient, *children: dict[str, Any]) -> httpx.Response:
    return await http.patch(f"/v1/blocks/{PAGE}/children", json={"children": list(children)})


def block(kind: str, **content: Any) -> dict[str, Any]:
    return {"type": kind, kind: content}


# -- 1. keys Notion's schema does not have ------------------------------------------------------
async def test_the_pre_2022_text_key_is_refused_not_dropped(http: httpx.AsyncClient) -> None:
    r = await append(http, block("paragraph", text=t("lost")))
    body = refused(r, 400, "validation_error", "body failed validation: body.children[0].paragraph.text ")
    assert "should be not present, instead was `[" in body["message"]
    assert '"lost"' in body["message"]
    listing = (await http.get(f"/v1/blocks/{PAGE}/children")).json()["results"]
    assert not any("lost" in json.dumps(b) for b in listing)  # nothing was written


@pytest.mark.parametrize(
    ("content", "path", "shown"),
    [
        ({"rich_text": [], "colour": "red"}, "paragraph.colour", '`"red"`'),
        ({"rich_text": [], "bogus": 1}, "paragraph.bogus", "`1`"),
    ],
)
async def test_unknown_keys_in_a_block_are_refused(
    http: httpx.AsyncClient, content: dict[str, Any], path: str, shown: str
) -> None:
    r = await append(http, {"type": "paragraph", "paragraph": content})
    refused(
        r, 400, "validation_error", f"body.children[0].{path} should be not present, instead was {shown}."
    )


@pytest.mark.parametrize(
    ("kind", "content", "key"),
    [
        ("heading_2", {"rich_text": [], "toggleable": True}, "toggleable"),
        ("to_do", {"rich_text": [], "done": True}, "done"),
        ("code", {"rich_text": [], "color": "red"}, "color"),
        ("divider", {"color": "red"}, "color"),
        ("image", {"external": {"url": "https://e.com/a.png"}, "alt": "x"}, "alt"),
        ("bookmark", {"url": "https://e.com", "title": "x"}, "title"),
        ("table_of_contents", {"rich_text": []}, "rich_text"),
        ("column_list", {"width_ratio": 0.5, "children": []}, "width_ratio"),
    ],
)
async def test_each_block_type_allows_only_its_own_keys(
    http: httpx.AsyncClient, kind: str, content: dict[str, Any], key: str
) -> None:
    r = await append(http, {"type": kind, kind: content})
    refused(r, 400, "validation_error", f"body.children[0].{kind}.{key} should be not present")


async def test_an_unknown_key_deep_in_the_tree_names_its_path(http: httpx.AsyncClient) -> None:
    inner = {"type": "to_do", "to_do": {"rich_text": t("x"), "text": t("y")}}
    r = await append(http, para("a"), para("b", [para("c"), inner]))
    refused(
        r, 400, "validation_error", "body.children[1].paragraph.children[1].to_do.text should be not present"
    )


async def test_unknown_keys_are_refused_in_create_page_and_block_update(http: httpx.AsyncClient) -> None:
    r = await http.post(
        "/v1/pages",
        json={
            "parent": {"page_id": PAGE},
            "properties": {"title": t("P")},
            "children": [block("quote", text=t("q"))],
        },
    )
    refused(r, 400, "validation_error", "body.children[0].quote.text should be not present")
    first = (await append(http, para("x"))).json()["results"][0]["id"]
    r = await http.patch(f"/v1/blocks/{first}", json={"paragraph": {"text": t("new")}})
    refused(r, 400, "validation_error", "body.paragraph.text should be not present")


async def test_a_long_refused_value_is_quoted_shortened(http: httpx.AsyncClient) -> None:
    r = await append(http, block("paragraph", text=t("x" * 1900)))
    body = refused(r, 400, "validation_error", "paragraph.text should be not present")
    assert len(body["message"]) < 500 and "…`." in body["message"]


# -- 2. wrong value types ----------------------------------------------------------------------
TOGGLE = {"rich_text": [], "is_toggleable": "true"}
COLUMN = block("column", width_ratio="1/2", children=[para("x")])
TABLE = {"table_width": 1, "has_column_header": "yes", "children": [block("table_row", cells=[[]])]}
IMAGE = {"type": "external", "external": {"url": "https://e.com/a.png"}, "name": 3}


@pytest.mark.parametrize(
    ("kind", "content", "path", "expectation"),
    [
        ("to_do", {"rich_text": [], "checked": "yes"}, "to_do.checked", 'a boolean, instead was `"yes"`.'),
        ("heading_1", TOGGLE, "heading_1.is_toggleable", 'a boolean, instead was `"true"`.'),
        ("paragraph", {"rich_text": [], "color": "rouge"}, "paragraph.color", '`"default"`, `"gray"`'),
        ("paragraph", {"color": None}, "paragraph.color", 'or `"red_background"`, instead was'),
        ("table_of_contents", {"color": "Red"}, "table_of_contents.color", 'instead was `"Red"`.'),
        ("column_list", {"children": [COLUMN]}, "column_list.children[0].column.width_ratio", "a number"),
        ("table", TABLE, "table.has_column_header", "a boolean"),
        ("image", IMAGE, "image.name", "a string"),
    ],
)
async def test_values_of_the_wrong_type_are_refused(
    http: httpx.AsyncClient, kind: str, content: dict[str, Any], path: str, expectation: str
) -> None:
    r = await append(http, {"type": kind, kind: content})
    refused(r, 400, "validation_error", f"body.children[0].{path} should be ", expectation)


async def test_every_notion_color_is_accepted(http: httpx.AsyncClient) -> None:
    assert len(rules.COLORS) == 19
    r = await append(http, *[block("paragraph", rich_text=t(c), color=c) for c in rules.COLORS])
    assert r.status_code == 200, r.text
    assert [b["paragraph"]["color"] for b in r.json()["results"]] == list(rules.COLORS)


async def test_a_wrong_color_in_a_block_update_is_refused(http: httpx.AsyncClient) -> None:
    first = (await append(http, block("to_do", rich_text=t("x")))).json()["results"][0]["id"]
    r = await http.patch(f"/v1/blocks/{first}", json={"to_do": {"checked": 1}})
    refused(r, 400, "validation_error", "body.to_do.checked should be a boolean, instead was `1`.")
    r = await http.patch(f"/v1/blocks/{first}", json={"to_do": {"color": "purple_bg"}})
    refused(r, 400, "validation_error", "body.to_do.color should be `")
    ok = await http.patch(
        f"/v1/blocks/{first}", json={"to_do": {"checked": True, "color": "purple_background"}}
    )
    assert ok.json()["to_do"]["checked"] is True and ok.json()["to_do"]["color"] == "purple_background"


async def test_an_update_may_carry_empty_children_as_recorded(http: httpx.AsyncClient) -> None:
    first = (await append(http, block("callout", rich_text=t("x")))).json()["results"][0]["id"]
    r = await http.patch(f"/v1/blocks/{first}", json={"callout": {"children": [], "color": "default"}})
    assert r.status_code == 200, r.text
    r = await http.patch(f"/v1/blocks/{first}", json={"callout": {"children": [para("y")]}})
    refused(r, 400, "validation_error", "body.callout.children should be not present")


# -- 3. code languages ----------------------------------------------------------------------
async def test_a_code_language_outside_notions_list_is_refused(http: httpx.AsyncClient) -> None:
    r = await append(http, block("code", rich_text=t("print(1)"), language="py"))
    body = refused(r, 400, "validation_error", 'body.children[0].code.language should be `"abap"`, ')
    assert '`"python"`' in body["message"] and body["message"].endswith('instead was `"py"`.')
    r = await append(http, block("code", rich_text=t("x"), language="Python"))
    refused(r, 400, "validation_error", "code.language should be")


async def test_notions_code_languages_are_accepted(http: httpx.AsyncClient) -> None:
    names = ["python", "plain text", "java/c/c++/c#", "c++", "notion formula", "llvm ir"]
    r = await append(http, *[block("code", rich_text=t("x"), language=n) for n in names])
    assert r.status_code == 200, r.text
    assert [b["code"]["language"] for b in r.json()["results"]] == names
    r = await append(http, block("code", rich_text=t("x")))
    assert r.json()["results"][0]["code"]["language"] == "plain text"


# -- 4. icons -------------------------------------------------------------------------------
NOT_EMOJI = ["notion", ":rocket:", "🚀🚀", "", "a", "🚀 ", "1", "\u200d"]
EMOJI = ["🚀", "⚙️", "👍🏽", "👨‍👩‍👧", "🇫🇷", "1️⃣", "#️⃣", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "❤️", "🏳️‍🌈", "☀", "🧑🏿‍💻", "©️"]


@pytest.mark.parametrize("emoji", NOT_EMOJI)
def test_what_is_not_one_emoji(emoji: str) -> None:
    assert not rules.is_emoji(emoji)


@pytest.mark.parametrize("emoji", EMOJI)
def test_what_is_one_emoji(emoji: str) -> None:
    assert rules.is_emoji(emoji)


async def test_a_page_icon_that_is_not_an_emoji_is_refused(http: httpx.AsyncClient) -> None:
    for text in ("notion", ":rocket:"):
        r = await http.post(
            "/v1/pages",
            json={
                "parent": {"page_id": PAGE},
                "properties": {"title": t("P")},
                "icon": {"type": "emoji", "emoji": text},
            },
        )
        refused(
            r,
            400,
            "validation_error",
            f"body.icon.emoji should be a single emoji, instead was `{json.dumps(text)}`.",
        )
    r = await http.patch(f"/v1/pages/{PAGE}", json={"icon": {"type": "emoji", "emoji": "notion"}})
    refused(r, 400, "validation_error", "body.icon.emoji should be a single emoji")
    r = await http.patch(f"/v1/pages/{PAGE}", json={"icon": {"type": "emoji", "emoji": "🚀", "color": "red"}})
    refused(r, 400, "validation_error", "body.icon.color should be not present")
    r = await http.patch(f"/v1/pages/{PAGE}", json={"icon": {"type": "icon", "icon": {"name": "rocket"}}})
    refused(r, 400, "validation_error", 'body.icon.type should be `"emoji"`, `"external"`')
    r = await http.patch(f"/v1/pages/{PAGE}", json={"icon": "🚀"})
    refused(r, 400, "validation_error", "body.icon should be an object")


async def test_database_and_data_source_icons_are_checked(http: httpx.AsyncClient) -> None:
    bad = {"type": "emoji", "emoji": "db"}
    r = await http.post("/v1/databases", json={"parent": {"page_id": PAGE}, "title": t("D"), "icon": bad})
    refused(r, 400, "validation_error", "body.icon.emoji should be a single emoji")
    r = await http.patch(f"/v1/databases/{SEED.tasks_database_id}", json={"icon": bad})
    refused(r, 400, "validation_error", "body.icon.emoji")
    r = await http.patch(f"/v1/data_sources/{SEED.tasks_data_source_id}", json={"icon": bad})
    refused(r, 400, "validation_error", "body.icon.emoji")


async def test_a_callout_icon_that_is_not_an_emoji_is_refused(http: httpx.AsyncClient) -> None:
    r = await append(http, block("callout", rich_text=t("x"), icon={"type": "emoji", "emoji": ":bulb:"}))
    refused(r, 400, "validation_error", "body.children[0].callout.icon.emoji should be a single emoji")
    r = await append(http, block("paragraph", rich_text=t("x"), icon={"emoji": "no"}))
    refused(r, 400, "validation_error", "body.children[0].paragraph.icon.emoji")


@pytest.mark.parametrize(
    "icon",
    [
        *({"type": "emoji", "emoji": e} for e in EMOJI),
        {"emoji": "🔥"},
        {"type": "external", "external": {"url": "https://www.notion.so/icons/snake_purple.svg"}},
        {
            "type": "custom_emoji",
            "custom_emoji": {"id": "3839ce7b-60a4-804c-bdcd-007ad3034fba", "name": "un"},
        },
    ],
)
async def test_real_icons_are_accepted(http: httpx.AsyncClient, icon: dict[str, Any]) -> None:
    r = await http.patch(f"/v1/pages/{PAGE}", json={"icon": icon})
    assert r.status_code == 200, r.text
    assert r.json()["icon"]["type"] in ("emoji", "external", "custom_emoji")
    r = await append(http, block("callout", rich_text=t("x"), icon=icon))
    assert r.status_code == 200, r.text
    r = await http.patch(f"/v1/pages/{PAGE}", json={"icon": None})
    assert r.status_code == 200 and r.json()["icon"] is None


# -- 5. mentions carry the mentioned object's title ---------------------------------------------
def mention(kind: str, target: str) -> dict[str, Any]:
    return {"type": "mention", "mention": {"type": kind, kind: {"id": target}}}


async def test_a_page_mention_shows_the_pages_title_and_follows_a_rename(http: httpx.AsyncClient) -> None:
    page = await http.post(
        "/v1/pages", json={"parent": {"page_id": PAGE}, "properties": {"title": t("Roadmap")}}
    )
    target = page.json()["id"]
    r = await append(http, block("paragraph", rich_text=[*t("see "), mention("page", target)]))
    item = r.json()["results"][0]["paragraph"]["rich_text"][1]
    assert item["plain_text"] == "Roadmap"
    assert item["mention"] == {"type": "page", "page": {"id": target}}
    await http.patch(f"/v1/pages/{target}", json={"properties": {"title": t("Roadmap 2027")}})
    got = await http.get(f"/v1/blocks/{r.json()['results'][0]['id']}")
    assert got.json()["paragraph"]["rich_text"][1]["plain_text"] == "Roadmap 2027"


async def test_database_mentions_and_unknown_targets(http: httpx.AsyncClient) -> None:
    missing = "7855b161-f63e-4683-b7c7-8ca6e97ee266"
    rich = [
        mention("database", SEED.tasks_database_id),
        mention("page", missing),
        mention("page", SEED.task_id(1)),
    ]
    r = await append(http, block("paragraph", rich_text=rich))
    items = r.json()["results"][0]["paragraph"]["rich_text"]
    db = (await http.get(f"/v1/databases/{SEED.tasks_database_id}")).json()
    task = (await http.get(f"/v1/pages/{SEED.task_id(1)}")).json()
    task_title = next(p for p in task["properties"].values() if p["type"] == "title")["title"]
    assert items[0]["plain_text"] == "".join(x["plain_text"] for x in db["title"]) != "Untitled"
    assert items[1]["plain_text"] == "Untitled"
    assert items[2]["plain_text"] == "".join(x["plain_text"] for x in task_title)


async def test_mentions_in_page_properties_and_comments_carry_titles(http: httpx.AsyncClient) -> None:
    target = SEED.notes_page_id
    notes = (await http.get(f"/v1/pages/{target}")).json()
    title = "".join(x["plain_text"] for x in notes["properties"]["title"]["title"])
    page = await http.post(
        "/v1/pages", json={"parent": {"page_id": PAGE}, "properties": {"title": [mention("page", target)]}}
    )
    assert page.json()["properties"]["title"]["title"][0]["plain_text"] == title
    comment = await http.post(
        "/v1/comments", json={"parent": {"page_id": PAGE}, "rich_text": [mention("page", target)]}
    )
    assert comment.json()["rich_text"][0]["plain_text"] == title


# -- what real clients sent Notion (and Notion took) still passes ---------------------------------
def _recorded_bodies() -> list[tuple[str, str, dict[str, Any], Any]]:
    out = []
    for file in sorted(RECORDINGS.rglob("*.yaml")):
        for it in (yaml.safe_load(file.read_text(encoding="utf-8")) or {}).get("interactions", []):
            request, response = it["request"], it["response"]
            status = response["status"]["code"] if "status" in response else response.get("status_code")
            raw, answer = request.get("body"), response.get("content") or response.get("body")
            answer = answer.get("string") if isinstance(answer, dict) else answer
            raw = raw.get("string") if isinstance(raw, dict) else raw
            if status != 200 or not raw:
                continue
            try:
                body = json.loads(raw)
            except ValueError:
                continue
            if isinstance(body, dict):
                where = f"{file.name} {request['method']} {request['uri']}"
                out.append((where, request["method"], body, json.loads(answer)))
    return out


def test_every_recorded_successful_request_body_passes_validation() -> None:
    checked = {"children": 0, "icon": 0, "update": 0}
    for where, method, body, answer in _recorded_bodies():
        try:
            if isinstance(body.get("children"), list):
                blocks.parse_children(body["children"], "body.children")
                checked["children"] += 1
            if "icon" in body:
                rules.check_icon("body.icon", body["icon"])
                checked["icon"] += 1
            for kind in body.keys() & blocks.ALLOWED_KEYS.keys():
                if method == "PATCH" and isinstance(body[kind], dict):
                    content = {k: v for k, v in body[kind].items() if k != "children"}
                    blocks.complete_update(kind, content, answer.get(kind))  # answer: the block after
                    checked["update"] += 1
        except NotionError as err:  # pragma: no cover - shows which recording broke
            pytest.fail(f"{where}: {err.message}")
    assert checked["children"] > 50 and checked["icon"] > 5 and checked["update"] > 5, checked


async def test_partial_updates_of_media_and_tables_keep_what_they_leave_out(http: httpx.AsyncClient) -> None:
    url = "https://www.google.de/robots.txt"
    file_block = block("file", type="external", external={"url": url}, name="robots.txt")
    table = block("table", table_width=1, children=[block("table_row", cells=[t("a")])])
    file_id, table_id = [b["id"] for b in (await append(http, file_block, table)).json()["results"]]
    r = await http.patch(f"/v1/blocks/{file_id}", json={"file": {"name": "my_robot.txt"}})
    assert r.status_code == 200, r.text
    assert r.json()["file"]["name"] == "my_robot.txt" and r.json()["file"]["external"] == {"url": url}
    r = await http.patch(f"/v1/blocks/{table_id}", json={"table": {"has_column_header": True}})
    assert r.status_code == 200, r.text
    assert r.json()["table"] == {"table_width": 1, "has_column_header": True, "has_row_header": False}
    r = await http.patch(f"/v1/blocks/{table_id}", json={"table": {"has_row_header": "no"}})
    refused(r, 400, "validation_error", "body.table.has_row_header should be a boolean")


async def test_a_custom_emoji_mention_is_accepted_as_recorded(http: httpx.AsyncClient) -> None:
    emoji = {
        "id": "3839ce7b-60a4-804c-bdcd-007ad3034fba",
        "name": "ultimate-notion",
        "url": "https://e.com/u.png",
    }
    rich = [{"type": "mention", "mention": {"type": "custom_emoji", "custom_emoji": emoji}}]
    r = await append(http, block("paragraph", rich_text=rich))
    item = r.json()["results"][0]["paragraph"]["rich_text"][0]
    assert item["plain_text"] == ":ultimate-notion:" and item["mention"]["custom_emoji"] == emoji


@pytest.mark.parametrize(
    ("annotations", "fragment"),
    [
        ({"bold": "yes"}, 'annotations.bold should be a boolean, instead was `"yes"`.'),
        ({"color": "blue_bg"}, 'annotations.color should be `"default"`'),
        ({"colour": "red"}, "annotations.colour should be not present"),
    ],
)
async def test_rich_text_annotations_are_checked(
    http: httpx.AsyncClient, annotations: dict[str, Any], fragment: str
) -> None:
    item = {"type": "text", "text": {"content": "x"}, "annotations": annotations}
    r = await append(http, block("paragraph", rich_text=[item]))
    refused(r, 400, "validation_error", f"body.children[0].paragraph.rich_text[0].{fragment}")
