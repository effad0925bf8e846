"""What `pip install -e .` (the README's run install, without [dev]) must bring: every package
imported by the server, the sandbox, its conformance check and the bench scripts."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import PackageNotFoundError, packages_distributions, requires
from pathlib import Path

ROOT = Path(__file__).parent.parent


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_dependencies() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {_normal(re.split(r"[<>=!~;\[ ]", spec, maxsplit=1)[0]) for spec in project["dependencies"]}


def installed_with(names: set[str]) -> set[str]:
    """The distributions `pip install` brings for `names`: them and what they require (no extras)."""
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            wanted = requires(name) or []
        except PackageNotFoundError:
            continue
        todo += [_normal(re.split(r"[<>=!~;\[ (]", r, maxsplit=1)[0]) for r in wanted if "extra ==" not in r]
    return seen


def imported_modules(*folders: Path) -> dict[str, Path]:
    """Top-level module name -> a file importing it, for every import in the folders' .py files."""
    found: dict[str, Path] = {}
    for folder in folders:
        for file in sorted(folder.rglob("*.py")):
            for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    found.setdefault(name.split(".")[0], file)
    return found


def test_every_package_the_server_and_bench_import_is_a_runtime_dependency() -> None:
    distributions = packages_distributions()
    runtime = installed_with(runtime_dependencies())
    missing = []
    # helpers a bench script loads from tests/, and bench scripts that share code with each other
    local = {p.stem for folder in ("tests", "bench") for p in (ROOT / folder).glob("*.py")}
    for module, file in imported_modules(ROOT / "src", ROOT / "bench").items():
        if module in sys.stdlib_module_names or module in {"notion_mcp", "__future__"} | local:
            continue
        owners = {_normal(d) for d in distributions.get(module, [])}
        if not owners & runtime:
            missing.append(f"{module} (imported by {file.relative_to(ROOT)}; from {sorted(owners)})")
    assert missing == [], missing
