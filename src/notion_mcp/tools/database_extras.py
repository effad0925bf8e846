"""What notion_databases retrieve adds to the schema: the database's views and its page templates.

Both come from endpoints newer than some API versions and workspaces allow: a 400 or 404 from
them leaves the list out with a note rather than failing the retrieve.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from notion_mcp.errors import NotionAPIError
from notion_mcp.markdown.ids import compact, shown_in
from notion_mcp.notion.gateway import NotionGateway
from notion_mcp.notion.views import views_of
from notion_mcp.tools.page_templates import notion_templates

Json = dict[str, Any]


@dataclass
class Extras:
    views: list[Json] = field(default_factory=list)
    templates: dict[str, list[Json]] = field(default_factory=dict)  # data source ID → its templates
    missing: list[str] = field(default_factory=list)

    def as_json(self) -> Json:
        out: Json = {
            "views": self.views,
            "templates": {compact(k): shown_in(v) for k, v in self.templates.items()},
        }
        return {**out, "not_listed": self.missing} if self.missing else out

    def as_markdown(self) -> str:
        lines = []
        if self.views:
            lines.append("views (query with view=<name or ID>):")
            lines += [f"- {v.get('name')} ({v.get('type')}) {compact(str(v['id']))}" for v in self.views]
        for source_id, templates in self.templates.items():
            if templates:
                several = len(self.templates) > 1
                of = f" of {compact(source_id)}" if several else ""
                lines.append(f"templates{of} (create with template=<name>):")
                lines += [
                    f"- {t.get('name') or 'Untitled'}{' (default)' if t.get('is_default') else ''} "
                    f"{compact(str(t['id']))}"
                    for t in templates
                ]
        lines += [f"({m})" for m in self.missing]
        return "\n".join(lines)


def _absent(exc: NotionAPIError) -> bool:
    return exc.status in (400, 404)


async def read(gateway: NotionGateway, database_id: Any, sources: list[Json]) -> Extras:
    extras = Extras()
    if database_id:
        try:
            extras.views = await views_of(gateway, str(database_id))
        except NotionAPIError as exc:
            if not _absent(exc):
                raise
            extras.missing.append(f"views not listed: {exc.code}")
    for source in sources:
        try:
            extras.templates[str(source["id"])] = await notion_templates(gateway, str(source["id"]))
        except NotionAPIError as exc:
            if not _absent(exc):
                raise
            extras.missing.append(f"templates not listed: {exc.code}")
    return extras
