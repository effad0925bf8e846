"""Planning an append of any size: which blocks go in which request, in which order.

Pure: no I/O. `plan_append(blocks)` turns a tree of Notion block dicts (children nested at
``block[block["type"]]["children"]``) into an ordered list of `Request`s that each respect
Notion's limits (`Limits`):

- at most 100 entries in any ``children`` array,
- at most `max_levels` levels of blocks in one request (3: the request's own children, their
  children, and those children's children — Notion's "two levels of nesting"),
- at most 1,000 block elements and 500 KB (estimated with an upper bound) per request.

A request is ``(parent, items, included)``: `items` is a contiguous run of `parent`'s children;
`included[n] = k` says that node ``n`` carries its first ``k`` children inside the same request.
Whatever did not ride along becomes a later request whose parent is that node (appended at the
end of a block this append created, so order is kept). Requests are ordered depth-first in
document order: a request, then everything under its items, then the next run of the same
parent. A later request's parent is either the append's own parent (`ROOT`), a block that was a
top-level item of an earlier request (its ID comes back in that response), or a deeper block
whose ID the executor reads with one ``list_children`` of its parent.

Choices that keep the request count near the lower bound: a top-level item whose ride-along
subtree does not fit in what is left of the current request starts a new request instead of
being split; at the deepest level only leaves ride along (a block there that has children
would need two look-ups to learn its ID, so it starts the next request for its parent instead).
Below a request's own items a block rides only whole when its subtree is shallow enough to go
whole in a request of its own (at most `max_levels` levels): otherwise it and its later siblings
go in the next request for their parent, the item, whose ID that response returns, rather than
riding in part and costing a ``list_children`` look-up and one request per split block.
Structural blocks are kept whole where Notion requires it: a ``column_list`` only goes at the
top level of a request, with all its columns and each column's first child; a ``table`` never
at the deepest level, so that its rows ride with it.

`validate_blocks` refuses, before any request, a rich-text item over 2,000 characters, an array
of over 100 rich-text items, a block that is not a dict with a type, and a single block larger
than a whole request.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from notion_mcp.errors import InputError

Json = dict[str, Any]
ROOT = -1

_CHILDREN_OVERHEAD = len(', "children": []') + 2  # the key, when present, and a separator
_REQUEST_OVERHEAD = 200  # {"children": [...], "position": {...}}


@dataclass(frozen=True)
class Limits:
    max_children: int = 100
    max_levels: int = 3
    max_elements: int = 1000
    max_bytes: int = 500_000
    max_text: int = 2000
    max_rich_text_items: int = 100


DEFAULT_LIMITS = Limits()


@dataclass
class Node:
    index: int
    shell: Json  # the block without its children
    children: list[int]
    parent: int  # ROOT for a top-level block
    source: Json  # the block as the caller gave it (children included)
    size: int = 0  # bytes it adds to a request body (upper bound)

    @property
    def type(self) -> str:
        return str(self.shell.get("type"))


@dataclass(frozen=True)
class Request:
    parent: int
    items: tuple[int, ...]
    included: Mapping[int, int] = field(default_factory=dict)

    def nodes(self, plan: Plan) -> Iterator[int]:
        """Every node this request creates, in document order."""
        stack = list(reversed(self.items))
        while stack:
            n = stack.pop()
            yield n
            stack.extend(reversed(plan.nodes[n].children[: self.included.get(n, 0)]))


@dataclass
class Plan:
    nodes: list[Node]
    top: list[int]
    requests: list[Request]

    def body(self, request: Request) -> list[Json]:
        """The ``children`` array to send for `request`."""
        return [self.render(n, request.included) for n in request.items]

    def render(self, n: int, included: Mapping[int, int]) -> Json:
        node = self.nodes[n]
        k = included.get(n)
        if not k:
            return node.shell
        t = node.type
        inner = dict(node.shell.get(t) or {})
        inner["children"] = [self.render(c, included) for c in node.children[:k]]
        return {**node.shell, t: inner}

    def top_of(self, n: int) -> int:
        """The top-level block whose subtree holds node `n`."""
        while self.nodes[n].parent != ROOT:
            n = self.nodes[n].parent
        return n


# -- reading blocks ----------------------------------------------------------------------------
def children_of(block: Json) -> list[Json]:
    inner = block.get(str(block.get("type")))
    kids = inner.get("children") if isinstance(inner, dict) else None
    return list(kids) if isinstance(kids, list) else []


def shell_of(block: Json) -> Json:
    t = str(block.get("type"))
    inner = block.get(t)
    if isinstance(inner, dict) and "children" in inner:
        return {**block, t: {k: v for k, v in inner.items() if k != "children"}}
    return block


def _item_text(item: Any) -> str:
    if not isinstance(item, dict):
        return ""
    kind = item.get("type", "text")  # an untyped item is a text item (without text: "")
    if kind == "text":
        return str((item.get("text") or {}).get("content", ""))
    if kind == "equation":
        return str((item.get("equation") or {}).get("expression", ""))
    return ""


def plain_text(block: Json) -> str:
    """The text of a block's own rich text (text and equation items; mentions are skipped)."""
    inner = block.get(str(block.get("type")))
    if not isinstance(inner, dict):
        return ""
    parts = [_item_text(i) for i in inner.get("rich_text") or []]
    for cell in inner.get("cells") or []:
        parts.append("|" + "".join(_item_text(i) for i in cell or []))
    if isinstance(inner.get("expression"), str):
        parts.append(inner["expression"])
    return "".join(parts)


def same_block(sent: Json, got: Json) -> bool:
    """Whether a block read back from Notion is the one that was sent (type and text)."""
    return sent.get("type") == got.get("type") and plain_text(sent) == plain_text(got)


# -- validation ----------------------------------------------------------------------------------
def _rich_text_arrays(inner: Json) -> Iterator[tuple[str, list[Any]]]:
    for key in ("rich_text", "caption"):
        value = inner.get(key)
        if isinstance(value, list):
            yield key, value
    for i, cell in enumerate(inner.get("cells") or []):
        if isinstance(cell, list):
            yield f"cells[{i}]", cell


_ITEM_FORM = '{"text": {"content": "words"}} (or {"type": "text", "text": {...}}, a mention, an equation)'


def _checked_item(item: Any, where: str) -> str | None:
    """A rich text item's text content, after checking the item's shape (a wrong shape would be
    dropped or garbled on the way; it is refused naming the place and the expected form)."""
    if not isinstance(item, dict):
        raise InputError(
            f"{where}: a rich text item is an object like {_ITEM_FORM}; got {type(item).__name__}."
        )
    text = item.get("text")
    if text is None:
        return None
    content = text.get("content") if isinstance(text, dict) else None
    if not isinstance(content, str):
        raise InputError(f"{where}.text: expected an object with a string content, like {_ITEM_FORM}.")
    return content


def _validate_block(block: Any, where: str, limits: Limits) -> None:
    if not isinstance(block, dict) or not isinstance(block.get("type"), str):
        raise InputError(f"{where}: expected a Notion block object with a 'type'; got {str(block)[:80]!r}.")
    t = block["type"]
    inner = block.get(t)
    if inner is None:
        return
    if not isinstance(inner, dict):
        raise InputError(f"{where}.{t}: expected an object.")
    for key, items in _rich_text_arrays(inner):
        if len(items) > limits.max_rich_text_items:
            raise InputError(
                f"{where}.{t}.{key}: {len(items)} rich text items; Notion allows at most "
                f"{limits.max_rich_text_items}. Split the block."
            )
        for j, item in enumerate(items):
            content = _checked_item(item, f"{where}.{t}.{key}[{j}]")
            if isinstance(content, str) and len(content) > limits.max_text:
                raise InputError(
                    f"{where}.{t}.{key}[{j}].text.content: {len(content)} characters; Notion allows at "
                    f"most {limits.max_text} per rich text item. Split it into several items."
                )


def flatten(blocks: list[Json], limits: Limits = DEFAULT_LIMITS) -> tuple[list[Node], list[int]]:
    """Validated nodes in document order, and the indices of the top-level ones."""
    if not isinstance(blocks, list):
        raise InputError("children: expected a list of Notion block objects.")
    nodes: list[Node] = []
    top: list[int] = []
    stack: list[tuple[Any, int, str]] = [(b, ROOT, f"children[{i}]") for i, b in enumerate(blocks)]
    stack.reverse()
    while stack:
        block, parent, where = stack.pop()
        _validate_block(block, where, limits)
        shell = shell_of(block)
        size = len(json.dumps(shell)) + _CHILDREN_OVERHEAD
        if size + _REQUEST_OVERHEAD > limits.max_bytes:
            raise InputError(f"{where}: this one block is about {size} bytes; a request allows 500 KB.")
        node = Node(len(nodes), shell, [], parent, block, size)
        nodes.append(node)
        (top if parent == ROOT else nodes[parent].children).append(node.index)
        kids = children_of(block)
        t = block["type"]
        stack.extend((k, node.index, f"{where}.{t}.children[{i}]") for i, k in _backwards(kids))
    return nodes, top


def _backwards(items: list[Json]) -> list[tuple[int, Json]]:
    return list(reversed(list(enumerate(items))))


def validate_blocks(blocks: list[Json]) -> None:
    flatten(blocks)


# -- planning ------------------------------------------------------------------------------------
@dataclass
class _Budget:
    limits: Limits
    elements: int = 0
    bytes: int = _REQUEST_OVERHEAD

    def fits(self, elements: int, size: int) -> bool:
        return (
            self.elements + elements <= self.limits.max_elements
            and self.bytes + size <= self.limits.max_bytes
        )

    def add(self, node: Node) -> None:
        self.elements += 1
        self.bytes += node.size


# How many levels a block needs below it inside its own creating request.
_NEEDS_LEVELS = {"column_list": 2, "table": 1}


_Job = tuple[int, list[int]]  # (parent node, the children still to append under it)


class _Planner:
    def __init__(self, nodes: list[Node], limits: Limits) -> None:
        self.nodes = nodes
        self.limits = limits
        self.requests: list[Request] = []
        self.height = [1] * len(nodes)  # levels of blocks in each node's subtree, itself included
        for node in reversed(nodes):  # children come after their parent
            if node.children:
                self.height[node.index] = 1 + max(self.height[c] for c in node.children)

    def run_job(self, parent: int, children: list[int]) -> None:
        pos = 0
        while pos < len(children):
            request, pos, subjobs = self._fill(parent, children, pos)
            self.requests.append(request)
            for sub_parent, rest in subjobs:
                self.run_job(sub_parent, rest)

    def _fill(self, parent: int, children: list[int], pos: int) -> tuple[Request, int, list[_Job]]:
        budget = _Budget(self.limits)
        items: list[int] = []
        included: dict[int, int] = {}
        subjobs: list[_Job] = []
        while pos < len(children) and len(items) < self.limits.max_children:
            c = children[pos]
            if items:
                want = _Budget(self.limits)
                self._take(c, 1, want, {}, [])
                if not budget.fits(want.elements, want.bytes - _REQUEST_OVERHEAD):
                    break  # `want` holds what rides along in a request of its own: it starts the next one
            self._take(c, 1, budget, included, subjobs)
            items.append(c)
            pos += 1
        return Request(parent, tuple(items), included), pos, subjobs

    def _may_ride(self, child: int, level: int, budget: _Budget, first: bool, parent_type: str) -> bool:
        """Whether `child` can go at `level` (1-based) of the current request."""
        node = self.nodes[child]
        limits = self.limits
        if level + _NEEDS_LEVELS.get(node.type, 0) > limits.max_levels:
            return False
        forced = first and parent_type == "column"  # a column is never sent empty (columns: see _take)
        if level == limits.max_levels and node.children and not forced:
            return False
        return budget.fits(1, node.size)

    def _better_under_item(self, child: int, budget: _Budget, first: bool, parent_type: str) -> bool:
        """Whether `child`, about to ride at level 2 under a request item, should rather go in the
        next request for that item (whose ID this response gives): yes when it cannot ride whole
        here but would go whole in a request of its own, and nothing forces it along (a column's
        first child)."""
        if first and parent_type == "column":
            return False
        if self.height[child] > self.limits.max_levels:
            return False  # too deep to go whole in any request: it rides in part, as before
        trial = _Budget(self.limits, budget.elements, budget.bytes)
        rest: list[_Job] = []
        self._take(child, 2, trial, {}, rest)
        return bool(rest)

    def _take(
        self,
        n: int,
        level: int,
        budget: _Budget,
        included: dict[int, int],
        subjobs: list[_Job],
    ) -> None:
        node = self.nodes[n]
        budget.add(node)
        if not node.children:
            return
        if level >= self.limits.max_levels:
            subjobs.append((n, node.children))
            return
        k = 0
        whole = node.type == "column_list"  # all its columns ride along (so never through _may_ride)
        for i, child in enumerate(node.children[: self.limits.max_children]):
            if not (whole or self._may_ride(child, level + 1, budget, i == 0, node.type)):
                break
            if level == 1 and not whole and self._better_under_item(child, budget, i == 0, node.type):
                break
            self._take(child, level + 1, budget, included, subjobs)
            k += 1
        if k:
            included[n] = k
        if k < len(node.children):
            subjobs.append((n, node.children[k:]))


def plan_append(blocks: list[Json], limits: Limits = DEFAULT_LIMITS) -> Plan:
    """Validate `blocks` and split them into requests (see the module docstring)."""
    nodes, top = flatten(blocks, limits)
    planner = _Planner(nodes, limits)
    planner.run_job(ROOT, top)
    return Plan(nodes, top, planner.requests)
