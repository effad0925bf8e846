"""A new page created with its whole content in the create request, as Notion's enhanced markdown.

The rule: `POST /v1/pages` takes the page's content as `markdown` instead of `children` (Notion's
guide "Working with markdown content" and its reference "Create a page"; the two are mutually
exclusive), with no limit on blocks or depth but the request's size. It is used when
- the content does not fit the create's `children` whole (`first_part.split` leaves a rest that
  the blocks API would append in more requests: deep nesting, more than 100 top-level blocks, …),
- the Notion-Version has the markdown endpoints (`markdown_read.FIRST_VERSION` on) and Notion has
  not refused a create's `markdown` before (`gateway.markdown_create`),
- the new blocks' IDs are not needed (the caller answers in markdown: a page's markdown has none),
- every block has a form in enhanced markdown and the whole fits one request
  (`markdown_write.as_markdown`).
Otherwise None, and the caller creates with `children` and appends the rest. Why: one request
for any size and depth (a 1,000-block page five levels deep: 1 instead of about 120), and the page
never exists without part of its content.

Faults: the create goes through `create.create_page`, so an answer lost after the request was
sent is never repeated blindly (the page is looked for by its title; found, it holds all of its
content: one create is all or nothing). A 400 that names `markdown` (an older API that does not
take it): nothing was created; remembered, and None (the blocks path creates the page).
"""

from __future__ import annotations

from typing import Any

from notion_mcp.errors import NotionAPIError
from notion_mcp.notion.create import Created, create_page
from notion_mcp.notion.gateway import NotionGateway
from notion_mcp.notion.markdown_read import available
from notion_mcp.notion.markdown_write import as_markdown

Json = dict[str, Any]


async def create_with_markdown(
    gateway: NotionGateway, body: Json, blocks: list[Json], *, notion_version: str
) -> Created | None:
    """The page `body` describes (no `children`: the caller adds them only when this gives None),
    created with `blocks` as markdown in one request, or None."""
    if not available(gateway, notion_version) or gateway.markdown_create is False:
        return None
    markdown = as_markdown(blocks)
    if markdown is None:
        return None
    try:
        created = await create_page(gateway, {**body, "markdown": markdown})
    except NotionAPIError as exc:
        if exc.status == 400 and "markdown" in exc.message.lower():
            gateway.markdown_create = False
            return None
        raise
    return created
