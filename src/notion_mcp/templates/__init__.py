"""Local page templates: markdown files with front matter and `{{variable}}` placeholders.

A template is a file `<name>.md` in the templates folder (`NOTION_MCP_TEMPLATES`, default
`~/.config/notion-mcp/templates`) or one shipped with the package (`builtin/`: meeting-notes,
project-brief, weekly-review); a file in the folder wins over a built-in of the same name.

    ---
    title: "{{topic}} — {{date}}"
    icon: 📝
    properties:
      Status: Draft
      Tags: ["meeting", "{{team}}"]
    ---
    # {{topic}}

Front matter is `key: value` lines — `title`, `icon`, `cover`, and `properties` followed by
indented `name: value` lines; a value that reads as JSON (a quoted string, a number, a list) is
taken as JSON, anything else as text. `{{name}}` anywhere is replaced by the variable's value.
A placeholder without a value is an error naming it, and so is a variable the template does not
use (a misspelt name would otherwise vanish); `\\{{` writes a literal `{{`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from notion_mcp.errors import InputError

BUILTIN = Path(__file__).parent / "builtin"
DEFAULT_FOLDER = "~/.config/notion-mcp/templates"
PLACEHOLDER = re.compile(r"(?<!\\)\{\{\s*([A-Za-z_][\w-]*)\s*\}\}")
_FIELDS = ("title", "icon", "cover")


@dataclass(frozen=True)
class Template:
    name: str
    body: str
    title: str | None = None
    icon: str | None = None
    cover: str | None = None
    properties: dict[str, Any] = field(default_factory=dict)

    def placeholders(self) -> list[str]:
        """The variable names it uses, in order of first appearance."""
        text = json.dumps([self.title, self.icon, self.cover, self.properties], ensure_ascii=False)
        names = PLACEHOLDER.findall(text + "\n" + self.body)
        return list(dict.fromkeys(names))


@dataclass(frozen=True)
class Page:
    """A template with its variables filled in."""

    markdown: str
    title: str | None
    icon: str | None
    cover: str | None
    properties: dict[str, Any]


def folder_of(setting: str | None) -> Path:
    return Path(setting or DEFAULT_FOLDER).expanduser()


def available(folder: Path) -> dict[str, Path]:
    """Template name → file: the built-ins, then the folder's (which win)."""
    found = {p.stem.lower(): p for p in sorted(BUILTIN.glob("*.md"))}
    if folder.is_dir():
        found.update({p.stem.lower(): p for p in sorted(folder.glob("*.md"))})
    return found


def load(name: str, folder: Path) -> Template:
    known = available(folder)
    path = known.get(name.strip().lower())
    if path is None:
        raise InputError(
            f"template: no template {name!r}. Local templates: {', '.join(sorted(known))} (add more as"
            f" <name>.md files in {folder})."
        )
    return parse(path.stem, path.read_text(encoding="utf-8"))


def _value(raw: str) -> Any:
    text = raw.strip()
    try:
        return json.loads(text)
    except ValueError:
        return text


def parse(name: str, text: str) -> Template:
    """A template from its file's text."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return Template(name, text)
    try:
        end = next(i for i, line in enumerate(lines[1:], start=1) if line.strip() == "---")
    except StopIteration:
        raise InputError(f"template {name}: the front matter opened by '---' is never closed.") from None
    values: dict[str, Any] = {}
    properties: dict[str, Any] = {}
    in_properties = False
    for number, line in enumerate(lines[1:end], start=2):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, colon, rest = line.partition(":")
        if not colon:
            raise InputError(f"template {name}, line {number}: expected 'key: value', got {line!r}.")
        if line[:1].isspace() and in_properties:
            properties[key.strip()] = _value(rest)
            continue
        in_properties = key.strip() == "properties" and not rest.strip()
        if not in_properties:
            if key.strip() not in _FIELDS:
                raise InputError(
                    f"template {name}, line {number}: unknown key {key.strip()!r}; front matter takes"
                    " title, icon, cover and properties."
                )
            values[key.strip()] = str(_value(rest))
    body = "\n".join(lines[end + 1 :]).lstrip("\n")
    return Template(name, body, properties=properties, **values)


def render(template: Template, variables: dict[str, Any]) -> Page:
    """The page the template makes with these variables (every placeholder filled, or an error)."""
    wanted = template.placeholders()
    missing = [n for n in wanted if n not in variables]
    unused = [n for n in variables if n not in wanted]
    if missing or unused:
        parts = []
        if missing:
            parts.append(f"no value for {', '.join(f'{{{{{n}}}}}' for n in missing)}")
        if unused:
            parts.append(f"{', '.join(map(repr, unused))} {'is' if len(unused) == 1 else 'are'} not used")
        uses = ", ".join(wanted) or "no variables"
        raise InputError(f"variables: {'; '.join(parts)}. Template {template.name!r} uses: {uses}.")

    def fill(text: str) -> str:
        out = PLACEHOLDER.sub(lambda m: str(variables[m.group(1)]), text)
        return out.replace("\\{{", "{{")

    def fill_any(value: Any) -> Any:
        if isinstance(value, str):
            return fill(value)
        if isinstance(value, list):
            return [fill_any(v) for v in value]
        if isinstance(value, dict):
            return {k: fill_any(v) for k, v in value.items()}
        return value

    return Page(
        markdown=fill(template.body),
        title=fill(template.title) if template.title is not None else None,
        icon=fill(template.icon) if template.icon is not None else None,
        cover=fill(template.cover) if template.cover is not None else None,
        properties={k: fill_any(v) for k, v in template.properties.items()},
    )
