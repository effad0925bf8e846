"""markdown/ modules import each other without circles: each module can be read (and changed)
knowing only the modules below it."""

from __future__ import annotations

import ast
from pathlib import Path

import notion_mcp.markdown

PACKAGE = Path(notion_mcp.markdown.__file__).parent


def _imports() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.glob("*.py"):
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                deps |= {node.module.split(".")[0]} if node.module else {a.name for a in node.names}
        graph[path.stem] = deps - {"__init__"}
    return graph


def _circle_through(start: str, graph: dict[str, set[str]]) -> list[str] | None:
    paths = [[start]]
    seen: set[str] = set()
    while paths:
        path = paths.pop()
        for dep in sorted(graph.get(path[-1], ())):
            if dep == start:
                return [*path, start]
            if dep not in seen:
                seen.add(dep)
                paths.append([*path, dep])
    return None


def test_markdown_modules_import_without_circles() -> None:
    graph = _imports()
    assert {"parse", "parse_tags", "render", "render_blocks"} <= graph.keys()
    circles = [c for m in sorted(graph) if (c := _circle_through(m, graph))]
    assert circles == []


def test_a_circle_is_found() -> None:
    assert _circle_through("a", {"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
