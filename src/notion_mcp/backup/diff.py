"""A page's local markdown → the smallest changes to its blocks in Notion (sync's push).

The page's top-level blocks as Notion has them *now* are compared with the local body's, each
block by its markdown without IDs (`key`), with difflib's longest matching runs:
- equal runs are left alone;
- a changed block whose type stays, with no children on either side, is updated in place
  (its ID, comments and links to it survive);
- any other changed block is trashed (never deleted) and the new one appended in its place,
  right after the block before it (`position: after_block`);
- removed blocks are trashed; added blocks are appended in place.
Child pages and databases are never touched (they sync as their own files). Because the
comparison is with Notion's current blocks, pushing again after an interruption sends only
what is still missing: nothing is doubled.
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
from notion_mcp.notion.gateway import NotionGateway
from notion_mcp.notion.tree import append_tree

Json = dict[str, Any]
FIXED = frozenset({"child_page", "child_database"})
CHILD_LINE = re.compile(r'^<(page|database) url="[0-9a-fA-F-]{32,36}"[^>]*>.*</\1>\s*$')
LOCAL_FILE = re.compile(r'(\]\(|src=")(?![a-zA-Z][a-zA-Z0-9+.-]*:|#|/)([^)"\s]+)')
MARKER = re.compile(r' \^[0-9a-f]{32}$| id="[0-9a-f]{32}"', re.MULTILINE)
SENTINEL = "\u2063file-line-{}\u2063"
UPDATABLE = frozenset({
    "paragraph", "heading_1", "heading_2", "heading_3", "bulleted_list_item", "numbered_list_item",
    "to_do", "quote", "callout", "toggle", "code", "equation",
})  # fmt: skip


@dataclass
class Changes:
    updated: int = 0
    added: int = 0
    trashed: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.updated or self.added or self.trashed)


def key(block: Json, files: Callable[[str], str] = lambda text: text) -> str:
    """A block's markdown without IDs (`files` turns notion-file links into local paths)."""
    return MARKER.sub("", files(blocks_to_markdown([block]))).strip()


def _has_children(block: Json) -> bool:
    inner = block.get(str(block.get("type")))
    return bool(block.get("has_children")) or bool(isinstance(inner, dict) and inner.get("children"))


def local_blocks(body: str) -> tuple[list[Json], dict[int, str]]:
    """The body's top-level blocks (child page lines left out) and, by index, the keys of the
    lines that link a downloaded file (kept as placeholders: they cannot be sent)."""
    lines: list[str] = []
    file_lines: list[str] = []
    for line in body.splitlines():
        if CHILD_LINE.match(line.strip()):
            continue
        if LOCAL_FILE.search(line):
            lines.append(SENTINEL.format(len(file_lines)))
            file_lines.append(MARKER.sub("", line).strip())
            continue
        lines.append(line)
    blocks = markdown_to_blocks("\n".join(lines))
    placeholders: dict[int, str] = {}
    for i, block in enumerate(blocks):
        text = key(block)
        if text.startswith("\u2063file-line-"):
            placeholders[i] = file_lines[int(text.strip("\u2063").rsplit("-", 1)[1])]
    return blocks, placeholders


async def _insert(
    gateway: NotionGateway, page_id: str, pending: list[Json], after: Json | None, changes: Changes
) -> None:
    """Append `pending` right after `after` (at the start without one), then empty it."""
    if not pending:
        return
    where = {"type": "after_block", "after_block": {"id": after["id"]}} if after else {"type": "start"}
    await append_tree(gateway, page_id, list(pending), position=where)
    changes.added += len(pending)
    pending.clear()


def _updatable(old: Json, new: Json) -> bool:
    same = old.get("type") == new.get("type") and new.get("type") in UPDATABLE
    return same and not _has_children(old) and not _has_children(new)


def _update_body(block: Json) -> Json:
    kind = str(block["type"])
    inner = {k: v for k, v in (block.get(kind) or {}).items() if k != "children"}
    return {kind: inner}


async def push(
    gateway: NotionGateway,
    page_id: str,
    remote: list[Json],
    body: str,
    files: Callable[[str], str] = lambda text: text,
) -> Changes:
    """Make the page's top-level blocks (`remote`, as just read) match `body`."""
    changes = Changes()
    theirs = [b for b in remote if b.get("type") not in FIXED]
    ours, placeholders = local_blocks(body)
    their_keys = [key(b, files) for b in theirs]
    our_keys = [placeholders.get(i) or key(b) for i, b in enumerate(ours)]
    matcher = difflib.SequenceMatcher(a=their_keys, b=our_keys, autojunk=False)
    for op, i1, i2, j1, j2 in reversed(matcher.get_opcodes()):  # from the end: earlier IDs stay put
        if op == "equal":
            continue
        olds = theirs[i1:i2]
        anchor: Json | None = theirs[i1 - 1] if i1 > 0 else None
        pending: list[Json] = []
        for n, j in enumerate(range(j1, j2)):
            old = olds[n] if n < len(olds) else None
            new = ours[j]
            if j in placeholders:
                changes.notes.append(f"a file line cannot be sent (no uploads yet): {placeholders[j]}")
                continue
            if old is not None and _updatable(old, new):
                await _insert(gateway, page_id, pending, anchor, changes)
                await gateway.update_block(str(old["id"]), _update_body(new))
                changes.updated += 1
                anchor = old
                continue
            if old is not None:
                await gateway.delete_block(str(old["id"]))
                changes.trashed += 1
            pending.append(new)
        for old in olds[j2 - j1 :]:
            await gateway.delete_block(str(old["id"]))
            changes.trashed += 1
        await _insert(gateway, page_id, pending, anchor, changes)
    return changes
