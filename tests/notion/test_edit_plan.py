"""The edit planner's rules, at unit speed: a page read as blocks, edits planned against it, the
operations applied to a copy of the tree (as Notion would) and the result read back as markdown.
Untouched blocks keep their IDs; every refusal names the field and changes nothing."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from edit_page import PAGE

from notion_mcp.errors import InputError
from notion_mcp.markdown import markdown_to_blocks
from notion_mcp.markdown.render import render_blocks
from notion_mcp.markdown.render_kit import Context
from notion_mcp.notion.edit_plan import (
    Insert,
    Op,
    Page,
    Planned,
    Planner,
    Trash,
    Update,
    bare,
    kids_of,
    normalize,
    update_body,
)

Json = dict[str, Any]
CTX = Context(render_blocks)


# -- a page as fetch_tree reads it, and the operations applied to it ----------------------------
def read_as(markdown: str, prefix: str = "b") -> list[Json]:
    """The blocks of `markdown` as a read brings them: each with an ID and has_children."""
    counter = itertools.count()

    def walk(blocks: list[Json]) -> list[Json]:
        out = []
        for block in blocks:
            kind = block["type"]
            inner = dict(block[kind])
            block_id = f"{prefix}{next(counter)}"  # in document order
            kids = walk(inner.pop("children", []))
            if kids:
                inner["children"] = kids
            out.append({"id": block_id, "type": kind, kind: inner, "has_children": bool(kids)})
        return out

    return walk(markdown_to_blocks(markdown))


def kids(block: Json) -> list[Json]:
    inner = block[block["type"]]
    if "children" not in inner:
        inner["children"] = []
    return inner["children"]  # type: ignore[no-any-return]


def find(blocks: list[Json], block_id: str) -> tuple[list[Json], int] | None:
    for n, block in enumerate(blocks):
        if block["id"] == block_id:
            return blocks, n
        found = find(kids(block), block_id)
        if found:
            return found
    return None


def named(blocks: list[Json], fresh: Iterator[int]) -> list[Json]:
    for block in blocks:
        block["id"] = f"new{next(fresh)}"
        named(block[block["type"]].get("children") or [], fresh)
    return blocks


def apply(page_id: str, blocks: list[Json], ops: list[Op]) -> list[Json]:
    """`ops` applied to a copy of the tree as Notion applies them (new blocks get new IDs)."""
    tree = copy.deepcopy(blocks)
    fresh = itertools.count()
    for op in ops:
        if isinstance(op, Update):
            where = find(tree, op.block_id)
            assert where, op
            block = where[0][where[1]]
            ((kind, body),) = op.body.items()
            assert kind == block["type"], op
            block[kind] = {**block[kind], **body}
        elif isinstance(op, Trash):
            where = find(tree, op.block_id)
            assert where, op
            del where[0][where[1]]
        else:
            if op.parent_id == page_id:
                siblings = tree
            else:
                where = find(tree, op.parent_id)
                assert where, op
                siblings = kids(where[0][where[1]])
            at = 0
            if op.after_id is not None:
                at = next(n for n, b in enumerate(siblings) if b["id"] == op.after_id) + 1
            added = named(copy.deepcopy(op.blocks), fresh)
            siblings[at:at] = added
    return tree


def settled(blocks: list[Json]) -> list[Json]:
    """The tree as Notion reads it after the writes: has_children true only with children."""
    out = []
    for block in blocks:
        inner = {k: v for k, v in block[block["type"]].items() if k != "children"}
        below = settled(block[block["type"]].get("children") or [])
        if below:
            inner["children"] = below
        out.append({**block, block["type"]: inner, "has_children": bool(below)})
    return out


def text(blocks: list[Json]) -> str:
    return render_blocks(settled(blocks), CTX)


def ids_by_text(blocks: list[Json]) -> dict[str, str]:
    out: dict[str, str] = {}
    for block in blocks:
        out[Page("p", [block]).units[0].text] = block["id"]
        out.update(ids_by_text(kids(copy.deepcopy(block))))
    return out


def edited(planned: Planned | list[Planned], markdown: str = PAGE) -> str:
    blocks = read_as(markdown)
    items = planned if isinstance(planned, list) else [planned]
    ops = [op for p in sorted(items, key=lambda p: -p.first) for op in p.ops]
    return text(apply("p", blocks, ops))


def planner(markdown: str = PAGE) -> Planner:
    return Planner(Page("p", read_as(markdown)))


def expect(markdown: str) -> str:
    return text(markdown_to_blocks(markdown))


def refused(call: Any, *args: Any, **kwargs: Any) -> str:
    with pytest.raises(InputError) as caught:
        call(*args, **kwargs)
    message = str(caught.value)
    return message


# -- replacing text ------------------------------------------------------------------------------
REPLACES = [
    ("March 3", "April 4"),
    ("Nested item", "Nested *thing*"),
    ("2. Two", "2. Two\n3. Three"),
    ("More details", "Fewer details"),
    ("Hidden paragraph.", "Shown."),
    ("Right side.", "Right, edited."),
    ("| b | 2 |", "| b | 3 |"),
    ("| Name | Value |", "| Key | Value |"),
    ("| a | 1 |\n| b | 2 |", "| c | 3 |"),
    ("- First item\n  - Nested item\n- Second item", "- Only item"),
    ("Owners: Ada.\n\n- First item", "Owners: Grace.\n\n- First item"),
    ("Risk one.", ""),
    ("Risk one.\n\n- Risk two", "Risk one.\n\nAnother.\n\n- Risk two"),
    ("### Detail\n\nRisk detail.", "Risk detail moved."),
    ("We ship.", "We ship.\n\nWe party."),
    ("Risk one.", "- Risk zero"),  # another type: in where the old one stood
    ("First item\n  - Nested item", "First item\n  - Nested item\n  - Another nested"),
]


@pytest.mark.parametrize(("old", "new"), REPLACES)
def test_a_replacement_reads_back_as_the_text_replaced_and_untouched_blocks_keep_their_ids(
    old: str, new: str
) -> None:
    blocks = read_as(PAGE)
    planned = Planner(Page("p", blocks)).replace(old, new, "edits[0]")
    after = apply("p", blocks, planned.ops)
    assert text(after) == expect(PAGE.replace(old, new))
    before_ids, after_ids = ids_by_text(blocks), ids_by_text(after)
    for line, block_id in after_ids.items():
        if line in before_ids and not block_id.startswith("new"):
            assert before_ids[line] == block_id, line
    kept = [line for line in before_ids if line in after_ids and line.strip()]
    assert all(after_ids[line] == before_ids[line] for line in kept), (before_ids, after_ids)


def test_a_one_word_edit_is_one_update_of_that_block_keeping_its_children() -> None:
    page = Page("p", read_as(PAGE))
    planned = Planner(page).replace("First item", "Primary item", "edits[0]")
    first = next(i for i, u in enumerate(page.units) if u.text == "- First item")
    assert len(planned.ops) == 1
    assert isinstance(planned.ops[0], Update) and planned.ops[0].block_id == page.block_id(first)
    rich = planned.ops[0].body["bulleted_list_item"]["rich_text"]
    assert "".join(r["text"]["content"] for r in rich) == "Primary item"
    assert planned.covers == {first} and planned.first == first


def test_new_blocks_go_in_before_old_ones_are_trashed_and_where_the_old_stood() -> None:
    page = Page("p", read_as(PAGE))
    planned = Planner(page).replace(
        "Owners: Ada.\n\n- First item\n  - Nested item", "Owners: Ada.\n\nNew.", "e"
    )
    kinds = [type(op) for op in planned.ops]
    assert kinds.index(Insert) < kinds.index(Trash)
    insert = next(op for op in planned.ops if isinstance(op, Insert))
    paragraph = next(i for i, u in enumerate(page.units) if "Owners" in u.text)
    assert insert.parent_id == "p" and insert.after_id == page.block_id(paragraph)


def test_text_replaced_at_the_start_of_the_page_goes_in_at_the_start() -> None:
    page = Page("p", read_as("First.\n\nSecond.\n"))
    planned = Planner(page).replace("First.", "- a list now", "e")
    assert Insert("p", None, markdown_to_blocks("- a list now")) in planned.ops
    assert edited(planned, "First.\n\nSecond.\n") == expect("- a list now\n\nSecond.\n")


def test_nested_items_replaced_go_under_their_parent() -> None:
    page = Page("p", read_as("- top\n  - one\n  - two\n"))
    planned = Planner(page).replace("one\n  - two", "one\n- 2\n- three", "e")
    insert = next(op for op in planned.ops if isinstance(op, Insert))
    assert insert.parent_id == page.block_id(0)
    assert edited(planned, "- top\n  - one\n  - two\n") == expect("- top\n  - one\n  - 2\n  - three\n")


def test_copied_text_matches_with_blank_lines_indents_and_numbers_as_read() -> None:
    markdown = "1. One\n2. Two\n3. Three\n"
    planned = planner(markdown).replace("   2. Two\n\n\n3. Three  ", "2. Deux\n3. Trois", "e")
    assert edited(planned, markdown) == expect("1. One\n2. Deux\n3. Trois\n")


def test_several_matches_are_refused_with_up_to_five_candidates() -> None:
    markdown = "\n\n".join(f"item {n} here" for n in range(7)) + "\n"
    message = refused(planner(markdown).replace, "item", "x", "edits[2]")
    assert message.startswith("edits[2].old: 'item' occurs 7 times in the page")
    assert "Nothing was changed" in message
    assert message.count("\n- «") == 5
    assert "- «item 0 here»\n" in message and "«item 1 here» (after «item 0 here»)" in message


def test_a_long_line_is_shown_cut_around_the_match() -> None:
    line = "x" * 150 + " needle " + "y" * 150
    message = refused(planner(f"{line}\n\nneedle again\n").replace, "needle", "z", "e")
    shown = message.split("\n")[1]
    assert shown.startswith("- «…") and shown.endswith("…»")
    assert "needle" in shown and len(shown) == len("- «…" + "…»") + 100
    assert "- «needle again» (after «" in message


def test_no_match_names_the_field_and_the_closest_lines() -> None:
    message = refused(planner().replace, "Risk seven", "x", "edits[1]")
    assert message.startswith("edits[1].old: not found in the page")
    assert "Nothing was changed. Closest:\n" in message
    closest = message.split("Closest:\n")[1].splitlines()
    assert 1 <= len(closest) <= 3
    assert closest[0].startswith("- «Risk ")


def test_no_match_and_nothing_close_says_only_not_found() -> None:
    message = refused(planner("alpha\n").replace, "zzzz", "x", "e")
    assert message.endswith("Nothing was changed.")


def test_empty_text_is_refused() -> None:
    for old in ("", "  \n\n  ", "<details>"):
        message = refused(planner().replace, old, "x", "edits[0]")
        assert message.startswith("edits[0].old: empty")


def test_text_across_nesting_levels_is_refused() -> None:
    message = refused(planner().replace, "Nested item\n- Second item", "x", "edits[0]")
    assert message.startswith("edits[0].old starts and ends at different nesting levels")


def test_text_across_a_quotes_nested_blocks_is_refused() -> None:
    markdown = "> quoted\n> \n> - inside\n\nafter\n"
    page = Page("p", read_as(markdown))
    assert any(u.parent != -1 for u in page.units), "the quote must hold a nested block"
    message = refused(Planner(page).replace, "quoted\n- inside", "x", "edits[0]")
    assert message.startswith("edits[0].old crosses block structure")


def test_removing_a_block_with_content_the_text_leaves_out_is_refused() -> None:
    message = refused(planner().replace, "- First item", "Plain now.", "edits[0]")
    assert message.startswith("edits[0]: the edit would remove the block «- First item»")


def test_removing_a_block_whose_children_were_not_read_is_refused() -> None:
    blocks = read_as("Parent.\n\nOther.\n")
    blocks[0]["has_children"] = True  # Notion has children the read did not bring
    message = refused(Planner(Page("p", blocks)).replace, "Parent.", "- now a list", "e")
    assert "would remove the block «Parent.»" in message


def test_a_changed_block_of_another_type_is_replaced_not_updated() -> None:
    planned = planner("Plain.\n\nNext.\n").replace("Plain.", "## Plain.", "e")
    assert [type(op) for op in planned.ops] == [Insert, Trash]
    assert edited(planned, "Plain.\n\nNext.\n") == expect("## Plain.\n\nNext.\n")


def test_unchanged_blocks_in_the_text_are_not_written() -> None:
    planned = planner().replace("Risk one.\n\n- Risk two", "Risk one.\n\n- Risk 2", "e")
    assert [type(op) for op in planned.ops] == [Update]


def test_blocks_with_no_update_are_paired_only_when_they_read_the_same() -> None:
    markdown = "Intro.\n\n---\n\nOutro.\n"
    same = planner(markdown).replace("Intro.\n\n---\n\nOutro.", "Intro!\n\n---\n\nOutro.", "e")
    assert [type(op) for op in same.ops] == [Update]
    equation = "Intro.\n\n$$\nx\n$$\n\nOutro.\n"
    changed = planner(equation).replace("x", "y", "e")
    assert [type(op) for op in changed.ops] == [Update]
    assert edited(changed, equation) == expect(equation.replace("x", "y"))


def test_a_table_is_kept_when_its_width_stays_and_replaced_when_it_changes() -> None:
    markdown = "Before.\n\n| a | b |\n| --- | --- |\n| 1 | 2 |\n\nAfter.\n"
    old = "Before.\n\n| a | b |\n| --- | --- |\n| 1 | 2 |"
    kept = planner(markdown).replace(old, "Before!\n\n| a | b |\n| --- | --- |\n| 1 | 3 |", "e")
    assert all(isinstance(op, Update) for op in kept.ops) and len(kept.ops) == 2
    wider = "Before.\n\n| a | b | c |\n| --- | --- | --- |\n| 1 | 2 | 3 |"
    replaced = planner(markdown).replace(old, wider, "e")
    assert [type(op) for op in replaced.ops] == [Insert, Trash]
    assert edited(replaced, markdown) == expect(wider + "\n\nAfter.\n")


def test_table_rows_take_new_rows_with_or_without_a_separator() -> None:
    markdown = "| a | b |\n| --- | --- |\n| 1 | 2 |\n"
    planned = planner(markdown).replace("| 1 | 2 |", "| 1 | 2 |\n| 3 | 4 |", "e")
    assert edited(planned, markdown) == expect(markdown + "| 3 | 4 |\n")
    plain = "| a | b |\n| 1 | 2 |\n"  # no header: no separator in the read
    blocks = read_as("| a | b |\n| --- | --- |\n| 1 | 2 |\n")
    blocks[0]["table"]["has_column_header"] = False
    page = Page("p", blocks)
    assert "---" not in page.raw
    rows = Planner(page).replace("| 1 | 2 |", "| 1 | 5 |", "e")
    applied = apply("p", blocks, rows.ops)
    assert "| 1 | 5 |" in text(applied) and "| a | b |" in text(applied)
    assert plain


def test_table_rows_replaced_by_other_text_are_refused() -> None:
    markdown = "| a | b |\n| --- | --- |\n| 1 | 2 |\n"
    message = refused(planner(markdown).replace, "| 1 | 2 |", "just words", "edits[3]")
    assert message == "edits[3].new: inside a table, the new text must be table rows (| a | b |)."


def test_table_rows_removed_entirely_are_trashed() -> None:
    markdown = "| a | b |\n| --- | --- |\n| 1 | 2 |\n| 3 | 4 |\n"
    planned = planner(markdown).replace("| 3 | 4 |", "", "e")
    assert edited(planned, markdown) == expect("| a | b |\n| --- | --- |\n| 1 | 2 |\n")


def test_new_text_that_does_not_parse_names_the_field() -> None:
    message = refused(planner().replace, "We ship.", "[x](page.html)", "edits[0]")
    assert message.startswith("edits[0].new: ")


# -- sections --------------------------------------------------------------------------------------
SECTIONS = [
    (
        "Risks",
        "Risk one.\n\n- Risk three",
        "replace",
        PAGE.replace("- Risk two\n\n### Detail\n\nRisk detail.\n", "- Risk three\n"),
    ),
    ("## Decisions", "We wait.", "start", PAGE.replace("We ship.", "We wait.\n\nWe ship.")),
    ("Detail", "More.", "end", PAGE.replace("Risk detail.", "Risk detail.\n\nMore.")),
    ("Risks", "Last.", "end", PAGE.replace("Risk detail.\n", "Risk detail.\n\nLast.\n")),
    (
        "  risks  ",
        "",
        "replace",
        PAGE.replace("Risk one.\n\n- Risk two\n\n### Detail\n\nRisk detail.\n\n", ""),
    ),
    ("Decisions", "", "start", PAGE),
]


@pytest.mark.parametrize(("heading", "new", "position", "expected"), SECTIONS)
def test_a_section_is_replaced_or_added_to(heading: str, new: str, position: str, expected: str) -> None:
    planned = planner().section(heading, new, position, "edits[0]")
    assert edited(planned) == expect(expected)


def test_a_section_at_the_end_of_an_empty_section_goes_after_its_heading() -> None:
    markdown = "## A\n\n## B\n\nb.\n"
    planned = planner(markdown).section("A", "a.", "end", "e")
    assert edited(planned, markdown) == expect("## A\n\na.\n\n## B\n\nb.\n")


def test_a_section_ends_at_a_heading_of_its_level_or_above_only() -> None:
    markdown = "## A\n\na.\n\n### A1\n\na1.\n\n#### A2\n\n## B\n\nb.\n"
    planned = planner(markdown).section("A", "new.", "replace", "e")
    assert edited(planned, markdown) == expect("## A\n\nnew.\n\n## B\n\nb.\n")
    sub = planner(markdown).section("A1", "x.", "replace", "e")
    assert edited(sub, markdown) == expect("## A\n\na.\n\n### A1\n\nx.\n\n## B\n\nb.\n")


def test_a_toggle_headings_section_is_its_children() -> None:
    markdown = '## Folded {toggle="true"}\n\n<children>\n\nInside.\n\n</children>\n\nOutside.\n'
    blocks = read_as(markdown)
    assert blocks[0]["type"] == "heading_2" and blocks[0]["heading_2"]["is_toggleable"]
    page = Page("p", blocks)
    planned = Planner(page).section("Folded", "New inside.", "replace", "e")
    after = apply("p", blocks, planned.ops)
    assert [b["id"] for b in after] == [blocks[0]["id"], blocks[1]["id"]]
    assert text(kids(after[0])) == "New inside."
    start = Planner(page).section("Folded", "First.", "start", "e")
    assert start.ops == [Insert(page.block_id(0), None, markdown_to_blocks("First."))]
    end = Planner(page).section("Folded", "Last.", "end", "e")
    assert end.ops == [Insert(page.block_id(0), page.block_id(1), markdown_to_blocks("Last."))]


def test_an_empty_toggle_heading_takes_new_children_at_its_start() -> None:
    blocks = read_as("## Folded\n\nOutside.\n")
    blocks[0]["heading_2"]["is_toggleable"] = True
    page = Page("p", blocks)
    planned = Planner(page).section("Folded", "Inside.", "end", "e")
    assert planned.ops == [Insert(page.block_id(0), None, markdown_to_blocks("Inside."))]


def test_a_section_covers_its_heading_and_body_and_adding_covers_only_the_heading() -> None:
    page = Page("p", read_as(PAGE))
    risks = next(i for i, u in enumerate(page.units) if u.text == "## Risks")
    decisions = next(i for i, u in enumerate(page.units) if u.text == "## Decisions")
    replaced = Planner(page).section("Risks", "x", "replace", "e")
    assert replaced.covers == set(range(risks, decisions)) and replaced.first == risks
    added = Planner(page).section("Risks", "x", "end", "e")
    assert added.covers == {risks} and added.first == risks


def test_a_heading_with_a_color_matches_by_its_text() -> None:
    markdown = '## Risks {color="red"}\n\nr.\n'
    planned = planner(markdown).section("risks", "s.", "replace", "e")
    assert edited(planned, markdown) == expect('## Risks {color="red"}\n\ns.\n')


def test_a_heading_matching_none_or_several_is_refused_with_the_headings() -> None:
    twice = planner(PAGE + "\n## Risks\n\nAgain.\n")
    message = refused(twice.section, "Risks", "x", "replace", "edits[1]")
    assert message.startswith(
        "edits[1].heading 'Risks' matches 2 headings. Headings of the page: «## Summary»;"
    )
    assert "Use old/new on the heading's text plus a line after it instead. Nothing was changed." in message
    missing = refused(planner().section, "Budget", "x", "replace", "edits[0]")
    assert missing == (
        "edits[0].heading 'Budget' matches no heading. Headings of the page: «## Summary»; «## Risks»; "
        "«### Detail»; «## Decisions». Nothing was changed."
    )
    none = refused(planner("Just text.\n").section, "Budget", "x", "replace", "e")
    assert "Headings of the page: none." in none


def test_headings_only_match_headings() -> None:
    message = refused(planner("We ship.\n\n## B\n").section, "We ship.", "x", "replace", "e")
    assert "matches no heading" in message


# -- insertions ------------------------------------------------------------------------------------
def test_insertions_go_after_the_last_or_before_the_first_block_of_the_text() -> None:
    after = planner().insert("Owners: Ada.", "A new line.", after=True, where="e")
    assert edited(after) == expect(PAGE.replace("Ada.\n", "Ada.\n\nA new line.\n"))
    before = planner().insert("## Summary", "Top.", after=False, where="e")
    assert edited(before) == expect("Top.\n\n" + PAGE)
    span = planner().insert("Risk one.\n\n- Risk two", "Between.", after=False, where="e")
    assert edited(span) == expect(PAGE.replace("Risk one.", "Between.\n\nRisk one."))
    end = planner().insert("Risk one.\n\n- Risk two", "Between.", after=True, where="e")
    assert edited(end) == expect(PAGE.replace("- Risk two\n", "- Risk two\n\nBetween.\n"))
    nested = planner().insert("Nested item", "- also nested", after=True, where="e")
    assert edited(nested) == expect(PAGE.replace("  - Nested item\n", "  - Nested item\n  - also nested\n"))


def test_an_insertion_covers_nothing_and_empty_text_inserts_nothing() -> None:
    page = Page("p", read_as(PAGE))
    planned = Planner(page).insert("We ship.", "", after=True, where="e")
    assert planned.ops == [] and planned.covers == set()
    assert planned.first == len(page.units) - 1


def test_an_insertions_anchor_text_is_named_in_its_errors() -> None:
    assert refused(planner().insert, "nowhere", "x", after=True, where="edits[4]").startswith(
        "edits[4].after: not found"
    )
    assert refused(planner().insert, "item", "x", after=False, where="edits[4]").startswith(
        "edits[4].before: 'item' occurs 3 times"
    )


# -- the rules underneath ----------------------------------------------------------------------------
def test_normalized_text_keeps_each_characters_offset() -> None:
    raw = "  2. Two  \n\n<details>\n   text\n"
    norm, offsets = normalize(raw)
    assert norm == "1. Two\ntext"
    assert [raw[o] for o, c in zip(offsets, norm, strict=True) if c != "\n"] == list("2. Twotext")
    assert offsets[0] == 2 and offsets[norm.index("\n")] == raw.index("text") - 1
    assert normalize("\nx") == ("x", [1])
    assert normalize("12. twelve") == ("1. twelve", [0, 2, 3, 4, 5, 6, 7, 8, 9])


def test_the_page_text_is_one_line_per_block_and_offsets_find_their_block() -> None:
    page = Page("p", read_as("One.\n\n- a\n  - b\n\n1. x\n2. y\n"))
    assert page.raw == "One.\n- a\n- b\n1. x\n2. y"
    for n, start in enumerate(page.starts):
        assert page.unit_at(start) == n
        assert page.unit_at(start + len(page.units[n].text)) == n
    assert page.top == [0, 1, 3, 4]
    assert page.units[2].parent == 1 and page.units[2].parent_id == page.block_id(1)
    assert page.before(0) is None and page.before(3) == page.block_id(1)
    assert page.subtree(1) == [1, 2]


def test_a_tables_first_row_reads_with_the_header_separator_and_the_table_itself_as_nothing() -> None:
    page = Page("p", read_as("| a | b |\n| --- | --- |\n| 1 | 2 |\n"))
    assert [u.text for u in page.units] == ["", "| a | b |\n| --- | --- |", "| 1 | 2 |"]


def test_an_update_sends_only_the_fields_its_type_may_change_and_resets_what_went() -> None:
    old = read_as('Colored. {color="red"}')[0]
    new = markdown_to_blocks("Plain.")[0]
    new["paragraph"].pop("color", None)
    assert update_body(old, new) == {"rich_text": new["paragraph"]["rich_text"], "color": "default"}
    todo = read_as("- [x] done")[0]
    assert update_body(todo, {"type": "to_do", "to_do": {}}) == {"rich_text": [], "checked": False}
    heading = read_as("## H")[0]
    toggled = {"type": "heading_2", "heading_2": {"rich_text": [], "is_toggleable": True, "color": "default"}}
    assert update_body(heading, toggled)["is_toggleable"] is True
    same = {"type": "heading_2", "heading_2": {"rich_text": [], "is_toggleable": False}}
    assert "is_toggleable" not in update_body(heading, same)
    code = read_as("```python\nx\n```")[0]
    sent = update_body(code, markdown_to_blocks("```rust\ny\n```")[0])
    assert sent["language"] == "rust" and "color" not in sent
    equation = read_as("$$\nx\n$$")[0]
    assert update_body(equation, markdown_to_blocks("$$\ny\n$$")[0]) == {"expression": "y"}


# -- what each refusal says, and where nested changes land -------------------------------------------
def test_each_refusal_says_what_to_do_and_that_nothing_changed() -> None:
    across = refused(planner().replace, "Nested item\n- Second item", "x", "edits[0]")
    assert across == (
        "edits[0].old starts and ends at different nesting levels (for example inside a list "
        "item's nested items and then outside them); split it into two edits. Nothing was changed."
    )
    quote = Planner(Page("p", read_as("> quoted\n> \n> - inside\n\nafter\n")))
    crossing = refused(quote.replace, "quoted\n- inside", "x", "edits[0]")
    assert crossing == (
        "edits[0].old crosses block structure that cannot be edited as text (such as a quote's"
        " nested blocks); edit the blocks one at a time. Nothing was changed."
    )
    removing = refused(planner().replace, "- First item", "Plain now.", "edits[0]")
    assert removing == (
        "edits[0]: the edit would remove the block «- First item», which holds nested content the "
        "text does not include. Include that content in the text, or change the block's own text "
        "only. Nothing was changed."
    )
    long = "L" * 70
    cut = refused(planner(f"- {long}\n  - kid\n").replace, f"- {long}", "Plain.", "e")
    assert f"«- {long[:58]}»" in cut


def test_new_text_that_does_not_parse_names_its_field_in_every_form() -> None:
    bad = "[x](page.html)"
    section = refused(planner().section, "Risks", bad, "replace", "edits[1]")
    assert section.startswith("edits[1].new: line 1: link")
    assert refused(planner().insert, "We ship.", bad, after=True, where="edits[2]").startswith(
        "edits[2].new: line 1: link"
    )
    table = "| a | b |\n| --- | --- |\n| 1 | 2 |\n"
    assert refused(planner(table).replace, "| 1 | 2 |", f"| {bad} | 2 |", "edits[3]").startswith(
        "edits[3].new: line 1: link"
    )


def test_a_replacement_three_levels_deep_keeps_every_paired_block() -> None:
    markdown = "- a\n  - b\n    - c\n"
    page = Page("p", read_as(markdown))
    planned = Planner(page).replace("a\n  - b\n    - c", "a\n  - b2\n    - c", "e")
    assert planned.ops == [Update(page.block_id(1), planned.ops[0].body)]  # type: ignore[union-attr]
    deeper = Planner(page).replace("a\n  - b", "a\n  - b2", "e")
    assert [op.block_id for op in deeper.ops if isinstance(op, Update)] == [page.block_id(1)]
    added = Planner(page).replace("b\n    - c", "b\n    - c\n    - d", "e")
    assert added.ops == [Insert(page.block_id(1), page.block_id(2), markdown_to_blocks("- d"))]


def test_a_paired_blocks_children_are_aligned_with_the_same_rules_and_errors() -> None:
    markdown = "Intro.\n\n- a\n  - b\n    - c\n"
    page = Page("p", read_as(markdown))
    first = refused(Planner(page).replace, "- a\n  - b", "- a\n  1. b", "edits[5]")
    assert first.startswith("edits[5]: the edit would remove the block «- b»")
    last = refused(Planner(page).replace, "Intro.\n\n- a\n  - b", "## Intro.\n\n- a\n  1. b", "edits[6]")
    assert last.startswith("edits[6]: the edit would remove the block «- b»")


def test_common_blocks_at_the_end_are_updated_in_place_not_replaced() -> None:
    markdown = "## H\n\nPara A.\n\nPara B.\n"
    page = Page("p", read_as(markdown))
    planned = Planner(page).replace("## H\n\nPara A.\n\nPara B.", "- item\n\nPara A!\n\nPara B!", "e")
    assert [type(op) for op in planned.ops] == [Insert, Trash, Update, Update]
    assert [op.block_id for op in planned.ops if isinstance(op, Update)] == [
        page.block_id(1),
        page.block_id(2),
    ]
    assert planned.ops[0] == Insert("p", None, markdown_to_blocks("- item"))
    assert edited(planned, markdown) == expect("- item\n\nPara A!\n\nPara B!\n")


def test_a_section_body_with_nested_blocks_is_aligned_and_checked() -> None:
    markdown = "## A\n\n- x\n  - y\n\n## B\n"
    planned = planner(markdown).section("A", "- x\n  - z", "replace", "e")
    assert edited(planned, markdown) == expect("## A\n\n- x\n  - z\n\n## B\n")
    blocks = read_as("## A\n\nParent.\n\n## B\n")
    blocks[1]["has_children"] = True  # children the read did not bring
    message = refused(Planner(Page("p", blocks)).section, "A", "- other", "replace", "edits[7]")
    assert message.startswith("edits[7]: the edit would remove the block «Parent.»")


def test_a_heading_is_matched_by_its_words_whatever_its_first_letter() -> None:
    markdown = "## XML export\n\nold.\n"
    planned = planner(markdown).section("XML   EXPORT", "new.", "replace", "e")
    assert edited(planned, markdown) == expect("## XML export\n\nnew.\n")


# -- candidates shown when the text matches several places or none ---------------------------------
def test_a_line_of_exactly_the_width_is_shown_whole() -> None:
    line = "needle " + "y" * 93
    assert len(line) == 100
    message = refused(planner(f"{line}\n\nneedle again\n").replace, "needle", "z", "e")
    assert f"- «{line}»\n" in message


def test_a_long_line_matched_near_its_start_is_cut_only_at_its_end() -> None:
    line = "needle " + "y" * 200
    message = refused(planner(f"{line}\n\nneedle again\n").replace, "needle", "z", "e")
    assert f"- «{line[:100]}…»\n" in message


def test_a_long_line_is_cut_to_the_width_centred_on_the_match() -> None:
    line = "".join(f"{n:03d} " for n in range(60))  # 240 characters: "000 001 … 059 "
    message = refused(planner(f"First.\n\n{line}\n\n{line}\n").replace, "030 ", "z", "e")
    at = line.index("030 ")
    assert f"- «…{line[at - 50 : at + 50]}…» (after «First.»)" in message


def test_the_line_before_is_cut_to_sixty_characters() -> None:
    before = "b" * 80
    message = refused(planner(f"{before}\n\nneedle one\n\nneedle two\n").replace, "needle", "z", "e")
    assert f"- «needle one» (after «{'b' * 60}»)" in message


def test_the_closest_lines_are_ranked_best_first_and_only_those_sharing_enough() -> None:
    markdown = "The risk seventeen line.\n\nunrelated words\n\nRisk zero here.\n\nabc\n"
    message = refused(planner(markdown).replace, "Risk sevenX", "x", "e")
    closest = message.split("Closest:\n")[1].splitlines()
    assert closest == [
        "- «The risk seventeen line.»",  # "isk seven": 9 of 11
        "- «Risk zero here.» (after «unrelated words»)",  # "Risk ": 5 of 11
    ]
    exactly = refused(planner("abc def\n\nzzz\n").replace, "abcXXXXXXX", "x", "e")  # 3 of 10
    assert exactly.endswith("Closest:\n- «abc def»")


def test_only_the_first_line_of_the_text_is_compared_for_the_closest() -> None:
    markdown = "Risk one.\n\nother\n"
    message = refused(planner(markdown).replace, "Risk seven\n" + "q" * 40, "x", "e")
    assert message.endswith("Closest:\n- «Risk one.»")


def test_a_long_line_holding_the_text_is_found_as_closest() -> None:
    long = "Q" + " risk seven" * 25  # over 200 characters, those of the text frequent in it
    message = refused(planner(f"{long}\n").replace, "risk sevenX", "x", "e")
    assert "Closest:\n- «Q risk seven risk seven" in message


def test_the_closest_lines_are_shown_where_they_match() -> None:
    line = "w" * 150 + " target words"
    message = refused(planner(f"First.\n\n{line}\n").replace, "target wordsX", "x", "e")
    assert message.endswith(f"Closest:\n- «…{line[101:]}…» (after «First.»)")


def test_nothing_close_shows_no_candidates() -> None:
    message = refused(planner("alpha\n\nbeta\n").replace, "zzzz", "x", "e")
    assert message.endswith("Nothing was changed.")


# -- update bodies -----------------------------------------------------------------------------------
def test_colors_and_toggles_are_sent_only_when_they_change() -> None:
    red = read_as('Red. {color="red"}')[0]
    blue = markdown_to_blocks('Blue. {color="blue"}')[0]
    assert update_body(red, blue)["color"] == "blue"
    plain = read_as("Plain.")[0]
    del plain["paragraph"]["color"]
    new = markdown_to_blocks("New.")[0]
    del new["paragraph"]["color"]
    assert "color" not in update_body(plain, new)
    folded = read_as("## H")[0]
    folded["heading_2"]["is_toggleable"] = True
    still = {"type": "heading_2", "heading_2": {"rich_text": [], "is_toggleable": True}}
    assert "is_toggleable" not in update_body(folded, still)
    opened = {"type": "heading_2", "heading_2": {"rich_text": [], "is_toggleable": False}}
    assert update_body(folded, opened)["is_toggleable"] is False


def test_a_block_with_nothing_to_update_sends_an_empty_body() -> None:
    divider = {"type": "divider", "divider": {}}
    assert update_body(divider, divider) == {}


def test_text_that_occurs_twice_overlapping_is_not_taken_as_one_place() -> None:
    message = refused(planner("aaa\n").replace, "aa", "b", "e")
    assert message.startswith("e.old: 'aa' occurs 2 times in the page")


def test_text_ending_at_the_first_character_of_a_block_covers_that_block() -> None:
    markdown = "First.\n\nB\n\nLast.\n"
    planned = planner(markdown).replace("First.\n\nB", "Changed.", "e")
    assert edited(planned, markdown) == expect("Changed.\n\nLast.\n")


def test_long_repeated_text_is_shown_cut_to_eighty_characters() -> None:
    line = "word " * 30
    message = refused(planner(f"{line}\n\n{line}\n").replace, line, "x", "edits[0]")
    assert message.startswith(f"edits[0]: {line.strip()[:80]!r} occurs 2 times".replace(": ", ".old: ", 1))


def test_a_block_without_its_content_has_no_children_and_a_bare_copy_says_so() -> None:
    assert kids_of({"type": "unsupported"}) == []
    block = read_as("- a\n  - b\n")[0]
    assert bare(block)["has_children"] is False and "children" not in bare(block)["bulleted_list_item"]
    kept = bare(block, kids_of(block))
    assert kept["has_children"] is True and kids_of(kept) == kids_of(block)
    assert bare({"type": "divider", "id": "d"}) == {
        "type": "divider",
        "id": "d",
        "divider": {},
        "has_children": False,
    }
