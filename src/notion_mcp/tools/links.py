"""Resource links to the pages and databases a read result shows.

Rule, and why: a client can attach a Notion page or database as context through our resources
(`notion://page/{id}`, `notion://database/{id}`, resources.py); a read that shows child pages,
databases, mentions, search hits or query rows says which, as MCP `resource_link` content after
the text, so the client can offer them without another search. The text the model reads is not
changed. The links are found in that text (the same lines the model reads, so they cannot
disagree with it), in order, each once, at most MAX_LINKS, and only while the text and the
links together stay within the answer budget (a link costs about its URI and title).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from mcp.types import ResourceLink

from notion_mcp.markdown.ids import compact

MAX_LINKS = 20
LINK_COST = 60  # bytes of a link beyond its URI and title (type, field names, quotes)
PAGE = "notion://page/{id}"
DATABASE = "notion://database/{id}"
HEX = r"([0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"

# (pattern, kind): what in a read's markdown names a page or a database, and which group is the
# ID (the last 32 hex digits of a URL) and which the title
_FOUND: list[tuple[re.Pattern[str], str]] = [
    # a child page or database block, a page or database mention
    (re.compile(rf'<(?:mention-)?page url="[^"]*?{HEX}"[^>]*>([^<]*)</'), "page"),
    (re.compile(rf'<(?:mention-)?database url="[^"]*?{HEX}"[^>]*>([^<]*)</'), "database"),
    # a search hit: "- page: Title (id: …, edited …)", "- data_source: Title (id: …, database: …"
    (re.compile(rf"^- page: (?P<title>.*) \(id: {HEX}, edited", re.M), "page"),
    (re.compile(rf"^- data_source: (?P<title>.*) \(id: [0-9a-f]{{32}}, database: {HEX}", re.M), "database"),
    # a database query row: "| id | Title | …"
    (re.compile(rf"^\| {HEX} \| ([^|\n]*?) \|", re.M), "page"),
]


def _found(text: str) -> Iterator[tuple[int, str, str, str]]:
    """(position, kind, ID, title) of everything `text` names."""
    for pattern, kind in _FOUND:
        for match in pattern.finditer(text):
            if match.re.groupindex.get("title"):
                ident, title = match.group(2), match.group("title")
            else:
                ident, title = match.group(1), match.group(2)
            yield match.start(), kind, compact(ident), title.strip()


def resource_links(text: str, budget: int) -> list[ResourceLink]:
    """The links for what `text` names, in the order it names them (see the module rule)."""
    room = budget - len(text)
    seen: set[str] = set()
    links: list[ResourceLink] = []
    for _, kind, ident, title in sorted(_found(text)):
        uri = (PAGE if kind == "page" else DATABASE).format(id=ident)
        name = title or "Untitled"
        cost = len(uri) + len(name) + LINK_COST
        if uri in seen or cost > room:
            continue
        if len(links) == MAX_LINKS:
            break
        seen.add(uri)
        room -= cost
        links.append(ResourceLink(type="resource_link", uri=uri, name=name, mime_type="text/markdown"))
    return links
