"""Where an edit lands in a page, and the smallest block changes that make it (pure: no I/O).

The page is read as it renders in markdown, block by block. Each block is a *unit* whose text is
the block rendered alone (no children); the page text is the units in document order (pre-order),
one per line. Text is compared *normalized* — each line without its leading and trailing spaces,
blank lines and bare tag lines (``<details>``, ``</column>``) dropped, a numbered item's number
read as 1 — so text copied from a read (indented list items, blank lines between paragraphs)
finds its blocks, and every normalized character keeps the offset it came from.

An edit's blocks (the units its text covers) must be one run of siblings, each with its
descendants that the text covers. The run is rendered as markdown, the text replaced in it, and
the result parsed back into blocks. Then old and new blocks are aligned: the longest common
prefix and suffix of blocks of the same kind are kept and updated in place only where their own
text changed (their IDs, comments and children stay), recursively for their children; the rest
of the old run is trashed and the rest of the new run inserted where it was. A block that would
be trashed while holding nested content the text does not cover is refused (nothing is lost).
"""

from __future__ import annotations

import bisect
import difflib
import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from notion_mcp.errors import InputError
from notion_mcp.markdown import MarkdownError, markdown_to_blocks
from notion_mcp.markdown.render import render_block, render_blocks
from notion_mcp.markdown.render_kit import Context

Json = dict[str, Any]
ROOT = -1
_CTX = Context(render_blocks)
_BARE_TAG = re.compile(r"</?[a-z][a-z_-]*>")
_NUMBER = re.compile(r"(\d+)\. ")

# What an in-place update may change, per block type (Notion cannot change a block's type).
UPDATE_FIELDS: MappingProxyType[str, tuple[str, ...]] = MappingProxyType(
    {
        "paragraph": ("rich_text", "color"),
        "heading_1": ("rich_text", "color", "is_toggleable"),
        "heading_2": ("rich_text", "color", "is_toggleable"),
        "heading_3": ("rich_text", "color", "is_toggleable"),
        "heading_4": ("rich_text", "color", "is_toggleable"),
        "bulleted_list_item": ("rich_text", "color"),
        "numbered_list_item": ("rich_text", "color"),
        "to_do": ("rich_text", "checked", "color"),
        "toggle": ("rich_text", "color"),
        "quote": ("rich_text", "color"),
        "callout": ("rich_text", "icon", "color"),
        "code": ("rich_text", "language", "caption"),
        "equation": ("expression",),
        "table_row": ("cells",),
        "column_list": (),
        "column": (),
    }
)
HEADINGS = MappingProxyType({"heading_1": 1, "heading_2": 2, "heading_3": 3, "heading_4": 4})


# -- operations -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Update:
    block_id: str
    body: Json


@dataclass(frozen=True)
class Trash:
    block_id: str


@dataclass(frozen=True)
class Insert:
    parent_id: str
    after_id: str | None  # None: at the start of the parent
    blocks: list[Json]


Op = Update | Trash | Insert


@dataclass
class Planned:
    """One edit's operations, and the units it covers (to refuse overlapping edits)."""

    ops: list[Op]
    covers: set[int]
    first: int  # document position, to run edits from the last to the first


# -- the page as units ------------------------------------------------------------------------
@dataclass
class Unit:
    block: Json
    parent: int  # unit index, or ROOT
    parent_id: str
    siblings: list[int]  # the unit indices of this block's parent's children
    kids: list[int] = field(default_factory=list)
    text: str = ""


def kids_of(block: Json) -> list[Json]:
    inner = block.get(str(block.get("type")))
    kids = inner.get("children") if isinstance(inner, dict) else None
    return list(kids) if isinstance(kids, list) else []


def bare(block: Json, kids: list[Json] | None = None) -> Json:
    """A copy of `block` with `kids` (default none) as its children."""
    out = {k: v for k, v in block.items()}
    kind = str(block.get("type"))
    inner = dict(block.get(kind) or {})
    inner.pop("children", None)
    if kids:
        inner["children"] = kids
    out[kind] = inner
    out["has_children"] = bool(kids)
    return out


def own_text(block: Json, number: int = 1) -> str:
    """The block rendered alone (no children), as a read shows it."""
    if block.get("type") == "table":
        return ""  # its rows carry its text
    return render_block(bare(block), _CTX, number)


class Page:
    """A page's block tree (as `fetch_tree` returns it) as units in document order."""

    def __init__(self, page_id: str, blocks: list[Json]) -> None:
        self.units: list[Unit] = []
        self.top: list[int] = self._add(blocks, ROOT, page_id)
        starts, parts, at = [], [], 0
        for unit in self.units:
            starts.append(at)
            parts.append(unit.text)
            at += len(unit.text) + 1
        self.starts = starts
        self.raw = "\n".join(parts)
        self.norm, self.offsets = normalize(self.raw)

    def _add(self, blocks: list[Json], parent: int, parent_id: str) -> list[int]:
        ids: list[int] = []
        number, prev = 0, ""
        for position, block in enumerate(blocks):
            kind = str(block.get("type"))
            number = number + 1 if kind == "numbered_list_item" and prev == kind else 1
            prev = kind
            index = len(self.units)
            unit = Unit(block, parent, parent_id, ids, text=own_text(block, number))
            if kind == "table_row" and position == 0 and parent != ROOT:
                table = self.units[parent].block.get("table") or {}
                if table.get("has_column_header"):
                    unit.text += "\n|" + " --- |" * len((block.get("table_row") or {}).get("cells") or [])
            self.units.append(unit)
            ids.append(index)
            unit.kids = self._add(kids_of(block), index, str(block["id"]))
        return ids

    def unit_at(self, raw_offset: int) -> int:
        return bisect.bisect_right(self.starts, raw_offset) - 1

    def subtree(self, index: int) -> list[int]:
        out = [index]
        for kid in self.units[index].kids:
            out += self.subtree(kid)
        return out

    def unread(self, index: int) -> bool:
        """Notion has children under this block that the read did not bring."""
        unit = self.units[index]
        return bool(unit.block.get("has_children")) and not unit.kids

    def block_id(self, index: int) -> str:
        return str(self.units[index].block["id"])

    def before(self, index: int) -> str | None:
        """The ID of the sibling before this unit's block (None: it is the first)."""
        siblings = self.units[index].siblings
        at = siblings.index(index)
        return self.block_id(siblings[at - 1]) if at else None


# -- normalized text --------------------------------------------------------------------------
def normalize(text: str) -> tuple[str, list[int]]:
    """`text` compared loosely (see the module docstring) and, per character, its raw offset."""
    out: list[str] = []
    offsets: list[int] = []
    at = 0
    for line in text.split("\n"):
        start = at
        at += len(line) + 1
        body = line.strip()
        if not body or _BARE_TAG.fullmatch(body):
            continue
        first = start + len(line) - len(line.lstrip())
        if out:
            out.append("\n")
            offsets.append(first - 1)  # a line came before: first > 0
        skip = 0
        number = _NUMBER.match(body)
        if number:
            out.append("1")
            offsets.append(first)
            skip = len(number.group(1))
        for k in range(skip, len(body)):
            out.append(body[k])
            offsets.append(first + k)
    return "".join(out), offsets


def _hits(haystack: str, needle: str) -> list[int]:
    found, at = [], haystack.find(needle)
    while at >= 0:
        found.append(at)
        at = haystack.find(needle, at + 1)
    return found


def _line_around(text: str, at: int, width: int = 100) -> str:
    """The line holding offset `at` (a long one cut to `width` around it), and the line before."""
    start = text[:at].rfind("\n") + 1
    line = text[start:].split("\n")[0]
    if len(line) > width:
        lo = max(0, at - start - width // 2)
        line = ("…" if lo else "") + line[lo : lo + width] + "…"
    prev = text[: start - 1].split("\n")[-1] if start else ""
    return f"«{line}»" + (f" (after «{prev[:60]}»)" if prev else "")


def locate(page: Page, old: str, field_name: str) -> tuple[int, int]:
    """The first and last unit the one place of `old` in the page text covers; no match or
    several is an InputError showing candidates."""
    needle, _ = normalize(old)
    if not needle:
        raise InputError(
            f"{field_name}: empty; give text as the page reads (at least a few words). Nothing was changed."
        )
    hits = _hits(page.norm, needle)
    if len(hits) == 1:
        start = page.offsets[hits[0]]
        end = page.offsets[hits[0] + len(needle) - 1] + 1
        return page.unit_at(start), page.unit_at(end - 1)
    if hits:
        shown = "\n".join(f"- {_line_around(page.norm, h)}" for h in hits[:5])
        raise InputError(
            f"{field_name}: {needle[:80]!r} occurs {len(hits)} times in the page; add nearby words "
            f"so that it matches once. Nothing was changed.\n{shown}"
        )
    raise InputError(
        f"{field_name}: not found in the page (text is compared as the page reads in markdown). "
        f"Nothing was changed.{_closest(page.norm, needle)}"
    )


def _closest(text: str, needle: str) -> str:
    """Up to three lines of `text` sharing the most with the first line of `needle`."""
    probe = needle.split("\n")[0]  # never empty: normalized text starts with a character
    scored = []
    at = 0
    for line in text.split("\n"):
        if line:
            longest = difflib.SequenceMatcher(None, probe, line, autojunk=False).find_longest_match()
            scored.append((longest.size / len(probe), at + longest.b))
        at += len(line) + 1
    best = sorted((s for s in scored if s[0] >= 0.3), key=lambda s: -s[0])[:3]
    if not best:
        return ""
    return " Closest:\n" + "\n".join(f"- {_line_around(text, at)}" for _, at in best)


# -- from text to blocks ----------------------------------------------------------------------
def parse(markdown: str, field_name: str) -> list[Json]:
    try:
        return markdown_to_blocks(markdown)
    except MarkdownError as exc:
        raise InputError(f"{field_name}: {exc}") from None


def _rows(text: str, width: int, field_name: str) -> list[Json]:
    """Table rows from pipe-table lines (a separator line is added after the first when missing)."""
    lines = [line for line in text.split("\n") if line.strip()]
    if not lines:
        return []
    if len(lines) < 2 or not re.fullmatch(r"\|?(\s*:?-+:?\s*\|)+\s*", lines[1].strip()):
        lines.insert(1, "|" + " --- |" * width)
    parsed = parse("\n".join(lines), field_name)
    if len(parsed) != 1 or parsed[0].get("type") != "table":
        raise InputError(f"{field_name}: inside a table, the new text must be table rows (| a | b |).")
    return kids_of(parsed[0])


class Planner:
    """The operations of edits on one page, all located before anything is written."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def _pruned(self, index: int, covered: set[int]) -> Json:
        unit = self.page.units[index]
        return bare(unit.block, [self._pruned(k, covered) for k in unit.kids if k in covered])

    def replace(self, old: str, new: str, where: str) -> Planned:
        page = self.page
        first, last = locate(page, old, f"{where}.old")
        covered = set(range(first, last + 1))
        tops = [i for i in sorted(covered) if page.units[i].parent not in covered]
        parents = {page.units[i].parent for i in tops}
        if len(parents) > 1:
            raise InputError(
                f"{where}.old starts and ends at different nesting levels (for example inside a list "
                "item's nested items and then outside them); split it into two edits. Nothing was changed."
            )
        rows = page.units[tops[0]].block.get("type") == "table_row"
        if rows:  # as the units read (the first row with the header separator)
            region = "\n".join(page.units[i].text for i in tops)
        else:
            region = render_blocks([self._pruned(i, covered) for i in tops], _CTX)
        region_norm, offsets = normalize(region)
        needle, _ = normalize(old)
        at = region_norm.find(needle)
        if at < 0:
            raise InputError(
                f"{where}.old crosses block structure that cannot be edited as text (such as a quote's"
                " nested blocks); edit the blocks one at a time. Nothing was changed."
            )
        lo, hi = offsets[at], offsets[at + len(needle) - 1] + 1
        text = region[:lo] + new + region[hi:]
        if rows:
            table = page.units[page.units[tops[0]].parent].block.get("table") or {}
            width = int(table.get("table_width") or 1)
            new_blocks = _rows(text, width, f"{where}.new")
        else:
            new_blocks = parse(text, f"{where}.new")
        ops: list[Op] = []
        parent_id = page.units[tops[0]].parent_id
        self._diff(tops, new_blocks, covered, parent_id, page.before(tops[0]), ops, where)
        return Planned(ops, covered, first)

    def section(self, heading: str, new: str, position: str, where: str) -> Planned:
        page = self.page
        wanted = _heading_key(heading)
        found = [
            i
            for i, u in enumerate(page.units)
            if u.block.get("type") in HEADINGS and _heading_key(u.text) == wanted
        ]
        if len(found) != 1:
            listed = "; ".join(f"«{u.text}»" for u in page.units if u.block.get("type") in HEADINGS)
            problem = f"matches {len(found)} headings" if found else "matches no heading"
            raise InputError(
                f"{where}.heading {heading!r} {problem}. Headings of the page: {listed or 'none'}."
                + (" Use old/new on the heading's text plus a line after it instead." if found else "")
                + " Nothing was changed."
            )
        head = found[0]
        unit = page.units[head]
        level = HEADINGS[str(unit.block["type"])]
        if unit.kids or (unit.block.get(unit.block["type"]) or {}).get("is_toggleable"):
            body, parent_id, anchor = list(unit.kids), page.block_id(head), None
        else:
            siblings = unit.siblings
            body = []
            for i in siblings[siblings.index(head) + 1 :]:
                kind = page.units[i].block.get("type")
                if kind in HEADINGS and HEADINGS[str(kind)] <= level:
                    break
                body.append(i)
            parent_id, anchor = unit.parent_id, page.block_id(head)
        new_blocks = parse(new, f"{where}.new")
        covered = {i for b in body for i in page.subtree(b)}
        ops: list[Op] = []
        if position == "replace":
            self._diff(body, new_blocks, covered, parent_id, anchor, ops, where)
        elif new_blocks:
            after = anchor if position == "start" or not body else page.block_id(body[-1])
            ops.append(Insert(parent_id, after, new_blocks))
            covered = set()
        return Planned(ops, covered | {head}, head)

    def insert(self, text: str, new: str, *, after: bool, where: str) -> Planned:
        page = self.page
        first, last = locate(page, text, f"{where}.{'after' if after else 'before'}")
        target = last if after else first
        unit = page.units[target]
        anchor = page.block_id(target) if after else page.before(target)
        blocks = parse(new, f"{where}.new")
        ops: list[Op] = [Insert(unit.parent_id, anchor, blocks)] if blocks else []
        return Planned(ops, set(), target)

    # -- alignment -----------------------------------------------------------------------------
    def _pairs(self, old: int, new: Json) -> bool:
        block = self.page.units[old].block
        kind = block.get("type")
        if kind != new.get("type"):
            return False
        if kind == "table":
            mine, theirs = block.get("table") or {}, new.get("table") or {}
            return bool(mine.get("table_width") == theirs.get("table_width"))
        return kind in UPDATE_FIELDS or own_text(block) == own_text(new)

    def _diff(
        self,
        olds: list[int],
        news: list[Json],
        covered: set[int],
        parent_id: str,
        before: str | None,
        ops: list[Op],
        where: str,
    ) -> None:
        k = 0
        while k < min(len(olds), len(news)) and self._pairs(olds[k], news[k]):
            k += 1
        s = 0
        while s < min(len(olds), len(news)) - k and self._pairs(olds[-1 - s], news[-1 - s]):
            s += 1
        inserts: list[Op] = []
        trashes: list[Op] = []
        for o, n in zip(olds[:k], news[:k], strict=True):
            self._pair(o, n, covered, ops, where)
        middle = olds[k : len(olds) - s]
        for o in middle:
            if self.page.unread(o) or any(kid not in covered for kid in self.page.units[o].kids):
                raise InputError(
                    f"{where}: the edit would remove the block «{self.page.units[o].text[:60]}», which "
                    "holds nested content the text does not include. Include that content in the text, "
                    "or change the block's own text only. Nothing was changed."
                )
            trashes.append(Trash(self.page.block_id(o)))
        added = news[k : len(news) - s]
        if added:
            anchor = self.page.block_id(olds[k - 1]) if k else before
            inserts.append(Insert(parent_id, anchor, added))
        ops += inserts + trashes  # new content first: a failure between them loses nothing
        for o, n in zip(olds[len(olds) - s :], news[len(news) - s :], strict=True):
            self._pair(o, n, covered, ops, where)

    def _pair(self, old: int, new: Json, covered: set[int], ops: list[Op], where: str) -> None:
        unit = self.page.units[old]
        block = unit.block
        kind = str(block["type"])
        if own_text(block) != own_text(new):
            ops.append(Update(str(block["id"]), {kind: update_body(block, new)}))
        kids = [k for k in unit.kids if k in covered]
        self._diff(kids, kids_of(new), covered, str(block["id"]), None, ops, where)


def update_body(old: Json, new: Json) -> Json:
    kind = str(old["type"])
    inner = new.get(kind) or {}
    body = {name: inner[name] for name in UPDATE_FIELDS.get(kind, ()) if name in inner}
    was = old.get(kind) or {}
    if "rich_text" in UPDATE_FIELDS.get(kind, ()):
        body.setdefault("rich_text", [])
    if (
        "color" in UPDATE_FIELDS.get(kind, ())
        and "color" not in body
        and was.get("color", "default") != "default"
    ):
        body["color"] = "default"
    if body.get("is_toggleable") == bool(was.get("is_toggleable")):  # unchanged: not sent
        body.pop("is_toggleable")
    if kind == "to_do":
        body.setdefault("checked", False)
    return body


def _heading_key(text: str) -> list[str]:
    """A heading's words without its `#`s and trailing attributes, compared without case."""
    return re.sub(r"\s*\{[^{}]*\}\s*$", "", text.strip().lstrip("#")).casefold().split()
