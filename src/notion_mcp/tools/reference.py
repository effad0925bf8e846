"""docs/tools.md, generated from what the server advertises (a test keeps the file in step).

Regenerate with: python -m notion_mcp.tools.reference > docs/tools.md
"""

from __future__ import annotations

import sys
from typing import Any

from notion_mcp.config import Settings
from notion_mcp.tools._dispatch import ToolSpec, input_schema

HEADER = """# Tools

Generated from the advertised schemas by `python -m notion_mcp.tools.reference`; a test fails
when this file and the server disagree. Every tool takes `operation` (optional for notion_search)
plus the fields below; a field marked with operations in brackets belongs to those operations
only (or means something else to each), and sending it to another operation is an error that
lists what that operation takes.
"""


FOOTER = """## Property values: the simple form

`properties` of `notion_pages create`/`update` take Notion's own form (`{"Status": {"status":
{"name": "Done"}}}`) or a plain value resolved against the schema before anything is sent. A name
that is not a property, or an option that does not exist, is refused with the closest valid ones.

| property type | simple value | notes |
|---|---|---|
| title, rich_text | `"text"`, inline markdown (`**bold**`, `\\*`) | as shown when read; `null` clears |
| number | `3`, `2.5`, `"7"`, `"1e3"` | `true`/`false` refused; `null` clears |
| select, status | `"Done"` | matched exactly, else case-blind when one option fits; `null` or `""` clears |
| multi_select | `["a", "b"]` or `"a, b"` | a string that is itself an option name is one option |
| date | `"2026-12-01"`, an ISO date-time, `"start/end"`, `{start, end, time_zone}` | `null` or `""` clears |
| checkbox | `true`/`false`, `"yes"`/`"no"`, `1`/`0` | |
| url, email, phone_number | `"…"` | `""` or `null` clears |
| people, relation | `["<id>", …]` or `"<id>, <id>"` (IDs or URLs) | |
| files | `"https://…"` or a list of URLs | external files |
| formula, rollup, created_*, last_edited_*, unique_id | — | computed by Notion: refused |

## Edits in place: `notion_pages update` `edits`

One field carries every edit form (TOOLS.md names `edits`, `section` and `insert`; one list costs
the schema one field, lets a call mix forms, and applies them all or none):

- `{"old": "…", "new": "…"}` replaces text as the page reads in markdown (within a block or
  across consecutive blocks); it must match exactly once, else the error shows the candidates.
- `{"heading": "Risks", "new": "…"}` replaces everything under the heading up to the next
  heading of the same or a higher level; `"position": "start"` or `"end"` adds instead.
- `{"after": "…", "new": "…"}` (or `"before"`) inserts after (before) the block holding that text.

`new` is markdown (empty deletes; several blocks are fine). Every edit is located before the
first write; blocks whose text does not change keep their IDs, comments and children.
Local files in `new` upload as in any markdown (below). `if_unchanged_since` (the `edited`
time a read shows) refuses the call, naming who edited and when, if the page changed since. A
write that fails part way answers with the `notion_blocks` calls that finish the edit.

## Move, duplicate, restore

`notion_pages move` puts a page under another page or into a database (Notion's move endpoint;
the API cannot move a page to the workspace's top level, nor move databases or blocks).
`notion_pages duplicate` copies a page — properties, icon, cover and whole content, and with
`child_pages: true` its child pages too (they come after the content) — under `parent` (default:
where the original is), and lists what it could not copy (databases inside the page, link
previews, files Notion stores: upload them again). `in_trash: false` on `notion_pages update`,
`notion_blocks update` or `notion_databases update` restores from the trash. There is no way to
list the trash: the API has no endpoint for it, and search leaves trashed pages out.

## Files

In markdown (`notion_blocks append`, `notion_pages create`, `edits`), as an `icon` or `cover`, or
as a files property value, a local path uploads the file into Notion (the file-uploads API: one
part up to 20 MiB, parts of 10 MiB above): `![Chart](./chart.png)`, `<file src="./report.pdf"/>`,
`<pdf src="…"/>`, `<video src="…"/>`, `<audio src="…"/>`. Only files inside the folders listed in
`NOTION_MCP_UPLOAD_ROOTS` are read (none by default; see docs/configuration.md); relative paths
start at the first of them. `import:https://…` has Notion fetch and keep a copy of a file at a URL;
`file-upload:<id>` uses an upload already made. A read shows stored files as `notion-file:<id>`,
and with `file_urls: true` as download links that expire after an hour.
"""


def _type(schema: dict[str, Any]) -> str:
    if "enum" in schema:
        return " \\| ".join(f"`{v}`" for v in schema["enum"])
    kind = str(schema.get("type", "any"))
    if kind == "array":
        return f"array of {schema.get('items', {}).get('type', 'any')}"
    return kind


def render(specs: list[ToolSpec], settings: Settings) -> str:
    out = [HEADER]
    for spec in specs:
        schema = input_schema(spec, settings.read_only)
        notes = spec.annotations(settings.read_only)
        hints = ", ".join(
            name
            for name, on in (
                ("read-only", notes.read_only_hint),
                ("destructive", notes.destructive_hint),
                ("idempotent", notes.idempotent_hint),
            )
            if on
        )
        out.append(f"## {spec.name} — {spec.title}\n\n{spec.description}\n\nHints: {hints or 'none'}.\n")
        out.append("| operation | writes |\n|---|---|")
        out += [
            f"| `{name}` | {'yes' if op.writes else 'no'} |"
            for name, op in spec.visible(settings.read_only).items()
        ]
        out.append("\n| field | type | description |\n|---|---|---|")
        for name, prop in schema["properties"].items():
            if name == "operation":
                continue
            description = str(prop.get("description", "")).replace("|", "\\|")
            out.append(f"| `{name}` | {_type(prop)} | {description} |")
        out.append("")
    out.append(FOOTER)
    return "\n".join(out)


def main() -> None:
    from notion_mcp.server import SPECS

    sys.stdout.write(render(list(SPECS.values()), Settings(token=None, sandbox=":memory:")))


if __name__ == "__main__":
    main()
