"""Page and block content on its way in (children or markdown) and out (a budgeted tree)."""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType
from typing import Any, Literal

from mcp.server.mcpserver.exceptions import ToolError

from notion_mcp.errors import InputError, redact
from notion_mcp.markdown import NOTION_FILE, MarkdownError, blocks_to_markdown, markdown_to_blocks
from notion_mcp.markdown.enhanced import enhanced_to_blocks, looks_enhanced
from notion_mcp.markdown.ids import compact
from notion_mcp.markdown.rich_text import TEXT_LIMIT
from notion_mcp.notion import markdown_read, markdown_write
from notion_mcp.notion.plan import validate_blocks
from notion_mcp.notion.tree import AppendResult, PartialAppendError, TreeResult, append_tree, fetch_tree
from notion_mcp.tools.context import Call
from notion_mcp.tools.files import with_uploads
from notion_mcp.tools.output import as_json, fit, join, more_hint

Position = Literal["start", "end"]


# Block types Notion shows but does not create from an append, and what to do instead.
NOT_APPENDABLE = MappingProxyType(
    {
        "child_page": 'a new page is made with notion_pages create (parent {"page_id": …}); to show an'
        ' existing page here, link it: <link-page url="<page id>"/> or a link_to_page block',
        "child_database": "a new database is made with notion_databases create; to show an existing"
        ' one here, link it: <link-database url="<database id>"/> or a link_to_page block',
        "link_preview": "Notion makes link previews itself: use a bookmark or embed block with the URL",
        "meeting_notes": "meeting notes are made in Notion's app, not through the API: leave the block out",
        "unsupported": "it stands for a block the API cannot create: leave it out",
        "unknown": "Notion's markdown shows a block it cannot write as markdown this way: leave it out, or"
        " append that block as Notion JSON (notion_blocks retrieve block_id=<its id> format=json shows it)",
    }
)


def blocks_from(children: list[dict[str, Any]] | None, markdown: str | None) -> list[dict[str, Any]]:
    """The blocks to write, from exactly one of `children` and `markdown`; refused as a whole
    (nothing sent) when any block, at any depth, is of a type an append cannot create."""
    if children is not None and markdown is not None:
        raise InputError("Give either children (Notion block objects) or markdown, not both.")
    if markdown is not None:
        try:  # Notion's enhanced markdown (read through Notion's own tools) is taken as well
            blocks = (enhanced_to_blocks if looks_enhanced(markdown) else markdown_to_blocks)(markdown)
        except MarkdownError as exc:
            raise InputError(f"markdown: {exc}") from None
        _refuse_not_appendable(blocks, "markdown")
        return blocks
    if children is None:
        raise InputError("Nothing to write: give children (Notion block objects) or markdown.")
    blocks = [_with_type(b, f"children[{i}]") for i, b in enumerate(children)]
    _refuse_not_appendable(blocks, "children")
    validate_blocks(blocks)  # every block's shape and size, before anything (a page too) is written
    return blocks


def _refuse_not_appendable(blocks: list[dict[str, Any]], source: str) -> None:
    found = _first_not_appendable(blocks, "children")
    if found is None:
        return
    path, btype, inner = found
    title = f" ({inner['title']!r})" if inner.get("title") else ""
    where = path if source == "children" else f"the {source}"
    raise InputError(
        f"{where} holds a {btype} block{title}, which an append cannot create: {NOT_APPENDABLE[btype]}."
        " Nothing was written."
    )


def _first_not_appendable(blocks: list[dict[str, Any]], path: str) -> tuple[str, str, dict[str, Any]] | None:
    """The first block (depth first) of a type an append cannot create: its path, type and value."""
    for i, block in enumerate(blocks):
        btype = block["type"]
        inner = block.get(btype)
        inner = inner if isinstance(inner, dict) else {}
        if btype in NOT_APPENDABLE:
            return f"{path}[{i}]", btype, inner
        kids = inner.get("children")
        if isinstance(kids, list) and (found := _first_not_appendable(kids, f"{path}[{i}].{btype}.children")):
            return found
    return None


def _with_type(block: Any, where: str) -> dict[str, Any]:
    """Blocks (at any depth) may omit `type` when their one type key says it (`{"paragraph": {...}}`)."""
    if not isinstance(block, dict):
        raise InputError(f"{where}: expected a Notion block object, got {type(block).__name__}.")
    if "children" in block:  # Notion reads children only inside the type object: these would be lost
        raise InputError(
            f"{where}.children: a block's children go inside its type object, e.g. "
            '{"type": "toggle", "toggle": {"rich_text": [...], "children": [...]}}. Nothing was written.'
        )
    if "type" in block:
        btype = block["type"]
        if not isinstance(btype, str):
            raise InputError(
                f'{where}.type: expected a block type name (a string, e.g. "paragraph"); '
                f"got {type(btype).__name__}."
            )
        if btype not in block:
            raise InputError(f"{where}: type is {btype!r} but there is no {btype!r} key.")
    else:
        keys = [k for k in block if k not in {"object", "id"}]
        if len(keys) != 1:
            raise InputError(
                f"{where}: a block needs a type, e.g. "
                '{"type": "paragraph", "paragraph": {"rich_text": [{"text": {"content": "Hi"}}]}}.'
            )
        btype = keys[0]
    if isinstance(block[btype], dict) and "text" in block[btype] and "rich_text" not in block[btype]:
        raise InputError(
            f'{where}.{btype}.text: Notion has called this key "rich_text" since 2022; rename it. '
            "Nothing was written."
        )
    if not isinstance(block[btype], dict):
        raise InputError(
            f"{where}.{btype}: expected an object (the block's content); got {type(block[btype]).__name__}."
        )
    inner = _split_long_text(block[btype])
    children = inner.get("children")
    if children is not None and not isinstance(children, list):
        raise InputError(
            f"{where}.{btype}.children: expected a list of Notion block objects; got "
            f"{type(children).__name__}. Nothing was written."
        )
    if isinstance(children, list):
        where_children = f"{where}.{btype}.children"
        inner = {
            **inner,
            "children": [_with_type(c, f"{where_children}[{n}]") for n, c in enumerate(children)],
        }
    return {**block, "type": btype, btype: inner}


def _split_long_text(inner: Any) -> Any:
    """A block's type object with every text item over 2,000 characters split into consecutive
    items of the same formatting (long text is split, never cut or refused)."""
    if not isinstance(inner, dict):
        return inner
    out = dict(inner)
    for key in ("rich_text", "caption"):
        if isinstance(inner.get(key), list):
            out[key] = split_items(inner[key])
    if isinstance(inner.get("cells"), list):
        out["cells"] = [split_items(cell) if isinstance(cell, list) else cell for cell in inner["cells"]]
    return out


def split_items(items: list[Any]) -> list[Any]:
    """Rich text with every text item over 2,000 characters split into items of the same formatting."""
    out: list[Any] = []
    for item in items:
        text = item.get("text") if isinstance(item, dict) else None
        content = text.get("content") if isinstance(text, dict) else None
        if not isinstance(text, dict) or not isinstance(content, str) or len(content) <= TEXT_LIMIT:
            out.append(item)
            continue
        pieces = [content[i : i + TEXT_LIMIT] for i in range(0, len(content), TEXT_LIMIT)]
        out += [
            {k: v for k, v in {**item, "text": {**text, "content": p}}.items() if k != "plain_text"}
            for p in pieces
        ]
    return out


def position_of(position: Position | None, after_block_id: str | None) -> dict[str, Any] | None:
    if after_block_id is not None:
        if position is not None:
            raise InputError("Give position or after_block_id, not both.")
        return {"type": "after_block", "after_block": {"id": after_block_id}}
    if position == "start":
        return {"type": "start"}
    return None


async def write(
    call: Call,
    parent_id: str,
    blocks: list[dict[str, Any]],
    position: dict[str, Any] | None,
    *,
    ids_needed: bool = True,
) -> AppendResult:
    """`blocks` written under `parent_id`: at the end of a page in one request through Notion's
    markdown endpoint when the caller needs no block IDs and the content fits it
    (`notion/markdown_write.py`), else through the blocks API."""

    async def progress(done: float, total: float | None, message: str | None) -> None:
        await call.progress(done, total, message)

    blocks = await with_uploads(call, blocks, "markdown")  # local files: uploaded first
    if position is None and not ids_needed:
        version = call.settings.notion_version
        done = await markdown_write.append_to_page(call.gateway, parent_id, blocks, notion_version=version)
        if done is not None:
            await call.progress(
                done.blocks_written, done.blocks_written, f"wrote {done.blocks_written} blocks"
            )
            return done

    try:
        return await append_tree(call.gateway, parent_id, blocks, position=position, on_progress=progress)
    except PartialAppendError as exc:
        # The model gets the exact call that finishes the job (what exists is a prefix of the ask),
        # unless a batch may or may not exist: then the read that settles it (no call to repeat).
        if exc.resume is None:
            raise ToolError(redact(str(exc))) from exc
        raise ToolError(
            redact(f"{exc}\nresume: notion_blocks {as_json(resume_arguments(exc.resume))}")
        ) from exc


ID_BUDGET_SHARE = 4  # new block IDs take at most a quarter of the response budget


def new_ids(call: Call, parent_id: str, ids: list[str]) -> tuple[list[str], str]:
    """The new top-level block IDs to list in an answer, within the response budget, and (when
    some are left out) how to list them all: they are the parent's children from first to last."""
    room = max(1, call.settings.max_output_chars // ID_BUDGET_SHARE // 34)  # an ID and ", "
    ids = [compact(i) for i in ids]
    if len(ids) <= room:
        return ids, ""
    first, last, parent = ids[0], ids[-1], compact(parent_id)
    return ids[:room], (
        f"The first {room} of {len(ids)} new top-level block IDs are listed; the last is {last}. All of"
        f" them are the children of {parent} from {first} to {last}: notion_blocks retrieve"
        f" block_id={parent} include_children=true max_depth=1 block_ids=true lists them."
    )


def resume_arguments(resume: dict[str, Any]) -> dict[str, Any]:
    """An append's resume (Notion's position object) as the arguments of a notion_blocks call."""
    arguments = {
        "operation": "append",
        "parent_block_id": compact(resume["parent_block_id"]),
        "children": resume["children"],
    }
    position = resume.get("position") or {}
    if position.get("type") == "after_block":
        arguments["after_block_id"] = compact(position["after_block"]["id"])
    elif position.get("type") == "start":
        arguments["position"] = "start"
    return arguments


async def read(
    call: Call, root_id: str, *, max_depth: int, max_blocks: int, start_cursor: str | None = None
) -> TreeResult:
    async def progress(done: float, total: float | None, message: str | None) -> None:
        await call.progress(done, total, message)

    return await fetch_tree(
        call.gateway,
        root_id,
        max_depth=max_depth,
        max_blocks=max_blocks,
        on_progress=progress,
        start_cursor=start_cursor,  # checked by the handler before its first request
    )


async def read_as_markdown(call: Call, root_id: str, args: Any) -> TreeResult | None:
    """A whole page's body through Notion's markdown endpoint (`notion/markdown_read.py`), when
    the arguments need nothing only the blocks API gives (block IDs, a cursor) and the result
    fits the response budget (a cut names block IDs to continue from); else None."""
    if args.block_ids or args.start_cursor is not None or args.format != "markdown":
        return None
    tree = await markdown_read.read_page(
        call.gateway,
        root_id,
        notion_version=call.settings.notion_version,
        max_depth=args.max_depth,
        max_blocks=args.max_blocks,
    )
    if tree is None:
        return None
    text = blocks_to_markdown(tree.blocks, file_urls=args.file_urls)
    return tree if len(text) < call.settings.max_output_chars - 2_000 else None


def unread_note(tree: TreeResult, *, next_cursor: bool = True) -> str:
    """What a budget left unread, and the calls that read it."""
    notes = []
    if tree.unread:
        shown = tree.unread[:20]
        ids = ", ".join(compact(u.block_id) for u in shown)
        extra = f" and {len(tree.unread) - len(shown)} more" if len(tree.unread) > len(shown) else ""
        reasons = " / ".join(sorted({u.reason for u in tree.unread}))
        notes.append(
            f"not read ({reasons}): children of {ids}{extra}. Continue with notion_blocks retrieve "
            "block_id=<one of these> include_children=true (or raise max_depth/max_blocks)."
        )
    if tree.next_cursor and next_cursor:
        notes.append(f"{more_hint(tree.next_cursor, True)} for the next top-level blocks")
    return "\n".join(notes)


def render_tree(
    call: Call,
    blocks: list[dict[str, Any]],
    *,
    block_ids: bool,
    file_urls: bool = False,
    head: str = "",
    tree: TreeResult | None = None,
) -> str:
    """Blocks as markdown, cut at a top-level block when over the response budget. With the
    `tree` they were read as (its top-level blocks), what it left unread is noted, and a cut says
    which cursor the rest starts from."""
    starts = tree.page_starts if tree is not None and blocks is tree.blocks else []
    text, cut = _fitted(call, blocks, block_ids=block_ids, file_urls=file_urls, head=head, starts=starts)
    if not file_urls and NOTION_FILE in text:
        text += (
            f"\n\n{NOTION_FILE}<id> is a file stored by Notion: call again with file_urls=true for"
            " download links (they expire after about an hour)."
        )
    # after a cut, the tree's own next cursor would skip what was cut: the cut says where to go on
    return join(text, unread_note(tree, next_cursor=not cut) if tree is not None else "")


def tree_json(
    call: Call, tree: TreeResult, shape: Callable[[list[dict[str, Any]], dict[str, str]], dict[str, Any]]
) -> str:
    """`shape(top-level blocks, notes)` as JSON, the blocks cut at a top-level block when over the
    response budget (the `cut` note then says how to read the rest, as in markdown)."""
    note = unread_note(tree)
    text = as_json(shape(tree.blocks, {"unread": note} if note else {}))
    if len(text) <= call.settings.max_output_chars:
        return text
    kept, used = 0, len(as_json(shape([], {}))) + 1_000
    for block in tree.blocks:
        used += len(as_json(block)) + 1
        if used > call.settings.max_output_chars and kept:
            break
        kept += 1
    rest = _the_rest(tree.blocks, kept, tree.page_starts)
    notes = {"unread": unread_note(tree, next_cursor=False)} if tree.unread else {}
    notes["cut"] = f"output cut at {kept} of {len(tree.blocks)} top-level blocks (response budget). {rest}"
    return as_json(shape(tree.blocks[:kept], notes))


def _fitted(
    call: Call,
    blocks: list[dict[str, Any]],
    *,
    block_ids: bool,
    file_urls: bool,
    head: str,
    starts: list[tuple[int, str]],
) -> tuple[str, bool]:
    whole = blocks_to_markdown(blocks, block_ids=block_ids, file_urls=file_urls)
    if len(head) + len(whole) < call.settings.max_output_chars:
        return (f"{head}\n{whole}" if head else whole), False
    pieces = [blocks_to_markdown([b], block_ids=block_ids, file_urls=file_urls) for b in blocks]
    cut = False

    def continuation(i: int) -> str:
        nonlocal cut
        cut = True
        rest = _the_rest(blocks, i, starts)
        return f"\n[output cut at {i} of {len(blocks)} top-level blocks (response budget). {rest}]"

    return fit(pieces, call.settings.max_output_chars, continuation, head=head, sep="\n"), cut


def _the_rest(blocks: list[dict[str, Any]], i: int, starts: list[tuple[int, str]]) -> str:
    """How to read top-level blocks i… : from the listing page they fall in (a cursor starts each
    page after the first), or, before the first cursor, block by block."""
    before = [(index, cursor) for index, cursor in starts if index <= i]
    if before:
        index, cursor = before[-1]
        repeat = (
            f"; its first {i - index} top-level blocks repeat the end of this output" if i > index else ""
        )
        return f"For the rest, call again with the same arguments plus start_cursor={cursor}{repeat}."
    first_page = [compact(str(b.get("id", "?"))) for b in blocks[i : starts[0][0] if starts else len(blocks)]]
    then = f" Then call again with the same arguments plus start_cursor={starts[0][1]}." if starts else ""
    return (
        f"The rest: read each of {', '.join(first_page)} with notion_blocks retrieve block_id=<id> "
        f"include_children=true.{then}"
    )
