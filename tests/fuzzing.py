"""Generated tool calls, valid and mutated, and what became of each (used by tests/test_fuzz.py
and bench/fuzz.py).

`calls(rng, schemas)` yields (tool, arguments): an operation from the tool's advertised enum and
a few of its advertised fields, each a plausible value (seed IDs, markdown, blocks, property
values) or a mutation of one (wrong type, malformed ID or URL, nan, deep nesting, huge text,
unknown field). `outcome(result)` sorts a result into the kinds below; only `ok` and `refused`
are acceptable.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from typing import Any

from notion_mcp.errors import ADVICE
from notion_mcp.sandbox import SEED

Json = dict[str, Any]

OK = "ok"  # a normal result
REFUSED = "refused"  # an error naming a field, an operation or a Notion code
UNNAMED = "error naming nothing"
BUG = "bug in the server"  # the catch-all of tools/_dispatch.py: a cause to fix
BARE = "bare error"  # "Error executing tool X" and nothing more
TRACEBACK = "traceback in the text"
HANG = "hang"
ACCEPTABLE = frozenset({OK, REFUSED})

IDS = [
    SEED.welcome_page_id, SEED.notes_page_id, SEED.getting_started_page_id, SEED.tasks_database_id,
    SEED.tasks_data_source_id, SEED.toggle_block_id, SEED.synced_original_id, SEED.ada_user_id,
    SEED.welcome_discussion_id, SEED.task_id(3), SEED.task_id(12),
]  # fmt: skip
PAGES = [SEED.welcome_page_id, SEED.notes_page_id, SEED.getting_started_page_id, SEED.task_id(3)]
IDS_OF = {
    "user_id": [SEED.ada_user_id, SEED.grace_user_id],
    "database_id": [SEED.tasks_database_id],
    "data_source_id": [SEED.tasks_data_source_id],
    "page_id": PAGES,
    "block_id": [*PAGES, SEED.toggle_block_id, SEED.synced_original_id],
    "parent_block_id": [*PAGES, SEED.toggle_block_id],
    "discussion_id": [SEED.welcome_discussion_id, SEED.block_discussion_id],
}
BAD_IDS: list[Any] = [
    "https://[notion.so/x", "not-an-id", "", " ", "0" * 31, "g" * 32, "https://example.com/x", 5, None,
    ["x"], {"id": "x"}, "null", "https://www.notion.so/", "notion.so/" + "a" * 32 + "#block-zz",
]  # fmt: skip
WEIRD: list[Any] = [
    None, True, 0, -1, 2**70, 1.5, "nan", "inf", "1e999", "", "x" * 5000, [], {}, [[[]]], {"a": {"b": []}},
    "\u0000", "🙂" * 10, "<b>", "null", "[]", "{}", ["retrieve"],
]  # fmt: skip
PROPERTY_NAMES = ["Name", "Status", "Priority", "Tags", "Due", "Assignee", "Done", "Estimate", "Notes",
                  "Link", "Blocked by", "title", "Nope"]  # fmt: skip
PROPERTY_VALUES: list[Any] = [
    "Done", "In progress", "Nope", ["backend", "docs"], "backend, bug", "2026-12-01", "2026-13-45",
    "2026-01-01/2026-02-01", [SEED.ada_user_id], SEED.grace_user_id, True, "yes", 3, "4.5", "nan", "1e999",
    "https://example.com", [SEED.task_id(2)], {"select": {"name": "High"}}, {"status": {"name": "x"}},
    {"number": "x"}, None, "", 5, [5], [["a"]], {"rich_text": "x"},
]  # fmt: skip


def markdown(rng: random.Random) -> str:
    """Markdown of many kinds: nesting, mixed containers, tags, tables, long lines, odd bytes."""
    pieces = [
        lambda: "# Title " + "x" * rng.randint(0, 50),
        lambda: "\n".join("  " * i + f"- item{i}" for i in range(rng.randint(1, 70))),
        lambda: ">" * rng.randint(1, 130) + " deep quote",
        lambda: "\n".join("   " * i + f"1. n{i}" for i in range(rng.randint(1, 40))),
        lambda: "\n".join("  " * i + f"- > mixed{i}" for i in range(rng.randint(1, 50))),
        lambda: "| a | b |\n| --- | --- |\n| 1 | 2 |" + rng.choice(["", "\n| 3 | 4 | 5 |"]),
        lambda: "```python\nprint('x')\n```",
        lambda: "<details>\n<summary>More</summary>\n\nHidden.\n\n</details>",
        lambda: '<callout icon="💡">Note</callout>',
        lambda: "<columns>\n<column>\nA\n</column>\n<column>\nB\n</column>\n</columns>",
        lambda: "- [ ] task\n- [x] done",
        lambda: "$$\nE = mc^2\n$$",
        lambda: "word " * rng.randint(1, 1200),
        lambda: "**bold** *it* `code` [link](https://example.com) ~~s~~",
        lambda: '<mention-page url="' + rng.choice(IDS) + '"/>',
        lambda: "<unknown-tag>x</unknown-tag>",
        lambda: "<!-- ^" + "a" * 32 + " -->",
        lambda: "> [!NOTE]\n> alert",
        lambda: "\u0000\u200b\ufeff odd",
        lambda: "---",
    ]
    return "\n\n".join(rng.choice(pieces)() for _ in range(rng.randint(1, 4)))


def rich_text(rng: random.Random) -> list[Any]:
    good = [{"text": {"content": "hi " * rng.randint(1, 900)}}, {"type": "text", "text": {"content": "x"}}]
    bad: list[Any] = [{"text": "x"}, "x", 5, {"text": {"content": 5}}, {}, {"mention": {"user": {"id": "x"}}}]
    return [rng.choice(good if rng.random() < 0.6 else bad) for _ in range(rng.randint(0, 3))]


def block(rng: random.Random, depth: int = 0) -> Any:
    kinds = ["paragraph", "heading_1", "bulleted_list_item", "to_do", "toggle", "quote", "code", "divider"]
    kind = rng.choice(kinds)
    inner: Json = {} if kind == "divider" else {"rich_text": rich_text(rng)}
    if kind == "code":
        inner["language"] = rng.choice(["python", "klingon"])
    if depth < 4 and kind not in ("divider", "code", "heading_1") and rng.random() < 0.4:
        inner["children"] = [block(rng, depth + 1) for _ in range(rng.randint(1, 3))]
    out: Json = {kind: inner} if rng.random() < 0.5 else {"type": kind, kind: inner}
    if rng.random() < 0.15:  # a mutation somewhere in the tree
        mutations: list[Any] = [
            {"type": [], kind: inner}, {"type": kind, kind: "text"}, {kind: {**inner, "children": "x"}},
            {"type": "child_page", "child_page": {"title": "x"}}, "block", {"a": 1, "b": 2},
            {"type": "nope", "nope": {}}, {kind: {**inner, "children": {"paragraph": {}}}},
        ]  # fmt: skip
        return rng.choice(mutations)
    return out


def value(rng: random.Random, name: str, schema: Json) -> Any:
    """A value for field `name`: usually plausible, sometimes mutated."""
    if rng.random() < 0.06:
        return rng.choice(WEIRD)
    if name.endswith("_id"):
        fitting = IDS_OF.get(name, IDS) if rng.random() < 0.8 else IDS
        return rng.choice(fitting) if rng.random() < 0.85 else rng.choice(BAD_IDS)
    if name == "parent":
        key = rng.choice(["page_id", "database_id", "data_source_id", "block_id", "workspace", "nope"])
        given = True if key == "workspace" else rng.choice(IDS + BAD_IDS[:4])
        return {key: given}
    if name == "markdown":
        return markdown(rng)
    if name == "children":
        return [block(rng) for _ in range(rng.randint(0, 4))]
    if name == "rich_text":
        return rich_text(rng)
    if name == "properties":
        return {rng.choice(PROPERTY_NAMES): rng.choice(PROPERTY_VALUES) for _ in range(rng.randint(1, 3))}
    if name == "filter" and schema.get("type") == "object":
        return rng.choice([
            {"property": "Status", "status": {"equals": "Done"}}, {"property": "Nope", "checkbox": {}},
            {"and": [{"property": "Done", "checkbox": {"equals": True}}]}, {"or": "x"},
            {"property": "object", "value": ["page"]}, {"timestamp": "created_time", "created_time": {}},
        ])  # fmt: skip
    if name == "sorts":
        return rng.choice([[{"property": "Due", "direction": "ascending"}], [{"x": 1}], ["Due"], []])
    if name == "block_data":
        return rng.choice([{"paragraph": {"rich_text": rich_text(rng)}}, {"rich_text": []}, {"to_do": 5}])
    if name == "start_cursor":
        return rng.choice(["", "abc", SEED.task_id(5), None])
    if "enum" in schema:
        return rng.choice(schema["enum"]) if rng.random() < 0.9 else "nope"
    kind = schema.get("type")
    if kind == "boolean":
        return rng.choice([True, False])
    if kind == "integer":
        low, high = schema.get("minimum", 0), schema.get("maximum", 100)
        return rng.choice([low, high, rng.randint(low, min(high, 200)), low - 1, high + 1])
    if kind == "array":
        return [rng.choice(["a", {"x": 1}, 1])]
    if kind == "object":
        return {"x": rng.choice(WEIRD)}
    return rng.choice(["Tasks", "Welcome", "🙂 title", "x" * 3000, "", "https://example.com/a.png", "Done"])


_OPS = re.compile(r"\[([\w,]+)\]")
_KEY_FIELDS = ("block_id", "page_id", "parent_block_id", "parent", "database_id", "user_id", "properties")


def fields_of(props: Json, op: str) -> list[str]:
    """The fields operation `op` reads: those whose description names no operation, or names it."""
    out = []
    for name, prop in props.items():
        tags = _OPS.findall(str(prop.get("description", "")))
        if name != "operation" and (not tags or any(op in t.split(",") for t in tags)):
            out.append(name)
    return out


def calls(rng: random.Random, schemas: dict[str, Json]) -> Iterator[tuple[str, Json]]:
    """Endless (tool, arguments) from the tools' advertised input schemas: mostly an operation
    with some of its own fields (its IDs nearly always), sometimes fields of other operations."""
    weights = {"notion_blocks": 3, "notion_pages": 2}  # where content goes in: most to get wrong
    tools = [t for t in sorted(schemas) for _ in range(weights.get(t, 1))]
    while True:
        tool = rng.choice(tools)
        props: Json = schemas[tool].get("properties", {})
        ops = props.get("operation", {}).get("enum", [])
        op = rng.choice(ops)
        args: Json = {"operation": op if rng.random() < 0.95 else rng.choice([*WEIRD, "Retrieve ", "nope"])}
        own = fields_of(props, op)
        pool = own if rng.random() < 0.9 else [f for f in props if f != "operation"]
        for name in own:
            if name in _KEY_FIELDS and rng.random() < 0.85:
                args[name] = value(rng, name, props[name])
        content = [f for f in ("markdown", "children", "rich_text") if f in own]
        if content and rng.random() < 0.85:  # one form of the content, as a caller gives it
            args.pop("markdown", None)
            name = rng.choice(content)
            args[name] = value(rng, name, props[name])
        for name in rng.sample(pool, k=min(len(pool), rng.randint(0, 3))):
            args[name] = value(rng, name, props[name])
        if rng.random() < 0.03:
            args["unknown_field"] = 1
        yield tool, args


_BARE = re.compile(r"^Error executing tool [\w-]+\s*$")
_NOTION_CODES = [*sorted(ADVICE), "invalid_response", "response_error"]


def outcome(is_error: bool, text: str, fields: set[str]) -> str:
    """What kind of result this is; `fields` are the names the tool advertises."""
    if "Traceback (most recent call last)" in text:
        return TRACEBACK
    if not is_error:
        return OK
    if _BARE.match(text.strip()):
        return BARE
    if "bug in the notion-mcp server" in text:
        return BUG
    named = any(re.search(rf"(?<![\w]){re.escape(f)}(?![\w])", text) for f in fields | {"operation"})
    if named or any(code in text for code in _NOTION_CODES):
        return REFUSED
    return UNNAMED
