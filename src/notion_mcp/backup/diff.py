"""A page's local markdown → the smallest changes to its blocks in Notion (sync's push).

The page's blocks as Notion has them *now* are compared with the local body's, level by level
(the page's blocks, then the children of every pair of blocks kept), each block by its markdown
without IDs, with difflib's longest matching runs:
- a block whose whole markdown (children included) is unchanged is left alone, with its subtree;
- among the rest, a block whose own text (without its children) is unchanged is kept, and so is
  a block of the same type that can be updated in place (edit_plan's `UPDATE_FIELDS`: its text
  is updated, its ID, comments and links to it survive); either way its children are compared
  the same way, one level down — so an edit deep inside toggles, list items, columns or a table
  changes that one block;
- any other changed block is trashed (never deleted) and the new one appended in its place,
  right after the block before it (`position: after_block`) under the same parent;
- removed blocks are trashed; added blocks are appended in place.
The operations are edit_plan's (`Update`, `Insert`, `Trash`), run by edit.py's `run_op`, the new
blocks before the trashes. Child pages and databases are never touched (they sync as their own
files). Because the comparison is with Notion's current blocks, pushing again after an
interruption sends only what is still missing: nothing is doubled.
Lines that link a downloaded file (`Title.files/…`) stand for the file block they were exported
from and match it; a new such line cannot be uploaded yet and is reported, not sent.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from notion_mcp.markdown import blocks_to_markdown, markdown_to_blocks
from notion_mcp.notion.edit import EditResult, run_op
from notion_mcp.notion.edit_plan import UPDATE_FIELDS, Insert, Op, Trash, Update, bare, kids_of, update_body
from notion_mcp.notion.gateway import NotionGateway

Json = dict[str, Any]
Files = Callable[[str], str]
FIXED = frozenset({"child_page", "child_database"})
CHILD_LINE = re.compile(r'^<(page|database) url="[0-9a-fA-F-]{32,36}"[^>]*>.*</\1>\s*$')
LOCAL_FILE = re.compile(r'(\]\(|src=")(?![a-zA-Z][a-zA-Z0-9+.-]*:|#|/)([^)"\s]+)')
MARKER = re.compile(r' \^[0-9a-f]{32}$| id="[0-9a-f]{32}"', re.MULTILINE)
SENTINEL = "\u2063file-line-{}\u2063"
SENTINELS = re.compile("\u2063file-line-(\\d+)\u2063")


@dataclass
class Changes:
    updated: int = 0
    added: int = 0
    trashed: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.updated or self.added or self.trashed)


def _same(text: str) -> str:
    return text


def key(block: Json, files: Files = _same) -> str:
    """A block's markdown, children included, without IDs (`files` turns notion-file links into
    local paths)."""
    return MARKER.sub("", files(blocks_to_markdown([block]))).strip()


def own_key(block: Json, files: Files = _same) -> str:
    """The block's own markdown (no children); a table's by its width (its rows hold its text)."""
    text = key(bare(block), files)
    if block.get("type") == "table":
        text += f" width={(block.get('table') or {}).get('table_width')}"
    return text


@dataclass
class LocalBody:
    """The body's blocks (child page lines left out); each line linking a downloaded file is a
    sentinel paragraph standing for that line (it cannot be sent)."""

    blocks: list[Json]
    file_lines: list[str]

    def text(self, markdown: str) -> str:
        return SENTINELS.sub(lambda m: self.file_lines[int(m.group(1))], markdown)

    def file_line(self, block: Json) -> str | None:
        found = SENTINELS.fullmatch(key(bare(block)))
        return self.file_lines[int(found.group(1))] if found else None


def local_body(body: str) -> LocalBody:
    lines: list[str] = []
    file_lines: list[str] = []
    for line in body.splitlines():
        if CHILD_LINE.match(line.strip()):
            continue
        if LOCAL_FILE.search(line):
            indent = line[: len(line) - len(line.lstrip())]
            lines.append(indent + SENTINEL.format(len(file_lines)))
            file_lines.append(MARKER.sub("", line).strip())
            continue
        lines.append(line)
    return LocalBody(markdown_to_blocks("\n".join(lines)), file_lines)


def _pairable(old: Json, new: Json, files: Files, local: LocalBody) -> bool:
    """Can `old` stay (its text updated if need be) and become `new`?"""
    kind = old.get("type")
    if kind != new.get("type"):
        return False
    if kind == "table":
        width = (old.get("table") or {}).get("table_width")
        return bool(width == (new.get("table") or {}).get("table_width"))
    return kind in UPDATE_FIELDS or own_key(old, files) == local.text(own_key(new))


@dataclass
class _Planner:
    files: Files
    local: LocalBody
    writes: list[Op] = field(default_factory=list)  # updates and inserts, in document order
    trashes: list[Op] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def level(self, parent_id: str, remote: list[Json], ours: list[Json]) -> None:
        """Make `parent_id`'s children (`remote`, as read) match `ours`."""
        theirs = [b for b in remote if b.get("type") not in FIXED]
        matcher = difflib.SequenceMatcher(
            a=[key(b, self.files) for b in theirs],
            b=[self.local.text(key(b)) for b in ours],
            autojunk=False,
        )
        anchor: str | None = None  # the last block kept: what comes next goes after it
        pending: list[Json] = []
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op == "equal":
                self._insert(parent_id, anchor, pending)
                anchor = str(theirs[i2 - 1]["id"])
                continue
            anchor = self._region(parent_id, theirs[i1:i2], ours[j1:j2], anchor, pending)
        self._insert(parent_id, anchor, pending)

    def _region(
        self, parent_id: str, olds: list[Json], news: list[Json], anchor: str | None, pending: list[Json]
    ) -> str | None:
        """A changed run: blocks whose own text is unchanged are kept (their children compared);
        between them, blocks are paired in order where they can be updated, else replaced."""
        matcher = difflib.SequenceMatcher(
            a=[own_key(b, self.files) for b in olds],
            b=[self.local.text(own_key(b)) for b in news],
            autojunk=False,
        )
        for _, i1, i2, j1, j2 in matcher.get_opcodes():
            rest = list(olds[i1:i2])
            for n, new in enumerate(news[j1:j2]):
                if rest and _pairable(rest[0], new, self.files, self.local):
                    anchor = self._keep(parent_id, rest.pop(0), new, anchor, pending)
                    continue
                if rest and j2 - j1 - n <= len(rest):  # no more new blocks than old ones left
                    self.trashes.append(Trash(str(rest.pop(0)["id"])))
                pending.append(new)
            self.trashes += [Trash(str(old["id"])) for old in rest]
        return anchor

    def _keep(self, parent_id: str, old: Json, new: Json, anchor: str | None, pending: list[Json]) -> str:
        self._insert(parent_id, anchor, pending)
        if own_key(old, self.files) != self.local.text(own_key(new)):
            kind = str(old["type"])
            self.writes.append(Update(str(old["id"]), {kind: update_body(old, new)}))
        self.level(str(old["id"]), kids_of(old), kids_of(new))
        return str(old["id"])

    def _insert(self, parent_id: str, anchor: str | None, pending: list[Json]) -> None:
        blocks = self._sendable(pending)
        pending.clear()
        if blocks:
            self.writes.append(Insert(parent_id, anchor, blocks))

    def _sendable(self, blocks: list[Json]) -> list[Json]:
        """`blocks` without the lines that link a local file (reported: no uploads yet)."""
        out = []
        for block in blocks:
            line = self.local.file_line(block)
            if line is not None:
                self.notes.append(f"a file line cannot be sent (no uploads yet): {line}")
                continue
            kids = kids_of(block)
            out.append(bare(block, self._sendable(kids)) if kids else block)
        return out


def plan(remote: list[Json], body: str, page_id: str, files: Files = _same) -> tuple[list[Op], list[str]]:
    """The operations that make the page's blocks (`remote`, as just read) match `body`, and the
    notes on what cannot be sent."""
    planner = _Planner(files, local_body(body))
    planner.level(page_id, remote, planner.local.blocks)
    return planner.writes + planner.trashes, planner.notes


async def push(
    gateway: NotionGateway,
    page_id: str,
    remote: list[Json],
    body: str,
    files: Files = _same,
) -> Changes:
    """Make the page's blocks (`remote`, as just read, whole tree) match `body`."""
    ops, notes = plan(remote, body, page_id, files)
    result = EditResult()
    for op in ops:
        await run_op(gateway, op, result)
    return Changes(result.updated, result.inserted, result.trashed, notes)
