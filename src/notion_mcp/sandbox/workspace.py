"""The workspace: stored objects rendered into Notion's response shapes, per API version.

Stored objects are kept in the 2026-03-11 shape minus what is computed on reading
(``has_children``, ``archived`` for 2025-09-03, a database's ``data_sources``, a page's
``properties``). Routes read and write through a :class:`Workspace` inside one store
transaction per request.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from notion_mcp.sandbox import properties, richtext, rules
from notion_mcp.sandbox.rules import JSON
from notion_mcp.sandbox.store import Store

BLOCKISH = ("block", "page", "database")
BOT_ID = "0b0b0b0b-0000-4000-8000-00000000b0b0"


def iso_minute(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:00.000Z")


def iso_millis(moment: datetime) -> str:
    text = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
    return text[:-3] + "+00:00"


def slug(title: str) -> str:
    return re.sub(r"[^0-9A-Za-z]+", "-", title).strip("-")


def page_url(object_id: str, title: str = "") -> str:
    hexid = object_id.replace("-", "")
    return f"https://app.notion.com/p/{slug(title) + '-' if slug(title) else ''}{hexid}"


class Workspace:
    def __init__(self, store: Store, version: str, now: Callable[[], datetime]) -> None:
        self.store = store
        self.version = version
        self.now = now

    # -- stamps, users, parents -------------------------------------------------------------
    def stamp(self) -> JSON:
        when = iso_minute(self.now())
        bot = {"object": "user", "id": BOT_ID}
        return {"created_time": when, "last_edited_time": when, "created_by": bot, "last_edited_by": bot}

    def touch(self, data: JSON) -> None:
        data["last_edited_time"] = iso_minute(self.now()) if "created_by" in data else iso_millis(self.now())
        if "last_edited_by" in data:
            data["last_edited_by"] = {"object": "user", "id": BOT_ID}
        self.store.update(data)
        self._touch_page_above(str(data["id"]))

    def _touch_page_above(self, object_id: str) -> None:
        """A block edited, added or trashed edits the page it is in, as in Notion (whose
        last_edited_time of a page moves with any change to its content)."""
        if self.store.kind_of(object_id) != "block":
            return
        above = self.store.parent_of(object_id)
        while above is not None and self.store.kind_of(above) == "block":
            above = self.store.parent_of(above)
        page = self.store.get(above, "page") if above is not None else None
        if page is not None:
            page["last_edited_time"] = iso_minute(self.now())
            page["last_edited_by"] = {"object": "user", "id": BOT_ID}
            self.store.update(page)

    def user(self, user_id: str) -> JSON | None:
        return self.store.get(user_id, "user")

    def user_ref(self, user_id: str) -> JSON:
        return self.user(user_id) or {"object": "user", "id": user_id}

    def parent_ref(self, parent_id: str | None) -> JSON:
        if parent_id is None:
            return {"type": "workspace", "workspace": True}
        kind = self.store.kind_of(parent_id)
        if kind == "page":
            return {"type": "page_id", "page_id": parent_id}
        if kind == "database":
            return {"type": "database_id", "database_id": parent_id}
        if kind == "data_source":
            return {
                "type": "data_source_id",
                "data_source_id": parent_id,
                "database_id": self.store.parent_of(parent_id),
            }
        return {"type": "block_id", "block_id": parent_id}

    # -- lookups (404 in Notion's words) ----------------------------------------------------
    def need(self, object_id: str, kind: str, label: str | None = None) -> JSON:
        data = self.store.get(object_id, kind)
        if data is None:
            raise rules.not_found(label or kind.replace("_", " "), object_id)
        return data

    def need_blockish(self, object_id: str) -> tuple[str, JSON]:
        kind = self.store.kind_of(object_id)
        data = self.store.get(object_id) if kind in BLOCKISH else None
        if kind is None or data is None:
            raise rules.not_found("block", object_id)
        return kind, data

    def ensure_editable(self, data: JSON) -> None:
        if data.get("in_trash"):
            raise rules.validation(
                "Can't edit block that is archived. You must unarchive the block before editing."
            )

    def trashed_up(self, object_id: str) -> bool:
        """True when the object or any ancestor (a data source's database, its page…) is in the trash."""
        current: str | None = object_id
        for _ in range(64):
            if current is None:
                return False
            data = self.store.get(current)
            if data is None or data.get("in_trash"):
                return data is not None
            current = self.store.parent_of(current)
        return False

    def ensure_live(self, object_id: str) -> None:
        """Refuse a write into an object that is in the trash, itself or through an ancestor."""
        if self.trashed_up(object_id):
            self.ensure_editable({"in_trash": True})

    def content_source(self, block_id: str) -> str:
        """Where a block's children live: a synced copy reads from its original."""
        data = self.store.get(block_id, "block")
        if data and data["type"] == "synced_block" and data["synced_block"].get("synced_from"):
            return str(data["synced_block"]["synced_from"]["block_id"])
        return block_id

    # -- rendering ------------------------------------------------------------------------
    def _versioned(self, out: JSON) -> JSON:
        if self.version == "2025-09-03":
            out["archived"] = out.get("in_trash", False)
        return out

    def title_of(self, page: JSON, schema: dict[str, JSON] | None = None) -> list[JSON]:
        schema = self.schema_of(page) if schema is None else schema
        title_prop = next((p for p in schema.values() if p["type"] == "title"), None)
        if title_prop is None:
            return []
        stored = page.get("values", {}).get(title_prop["id"])
        return list(stored["title"]) if stored else []

    def schema_of(self, page: JSON) -> dict[str, JSON]:
        parent = page["parent"]
        if parent["type"] == "data_source_id":
            ds = self.store.get(parent["data_source_id"], "data_source")
            if ds is not None:
                schema: dict[str, JSON] = ds["properties"]
                return schema
        return properties.PAGE_SCHEMA

    def render_page(self, page: JSON, *, full: bool = False, schema: dict[str, JSON] | None = None) -> JSON:
        """``schema``: what :meth:`schema_of` gives for this page, when the caller has it already."""
        schema = self.schema_of(page) if schema is None else schema
        out = {k: v for k, v in page.items() if k not in ("values", "number")}
        out["parent"] = self.parent_ref(self.store.parent_of(page["id"]))
        out["properties"] = properties.render_properties(page, schema, self.user_ref, full=full)
        out["url"] = page_url(page["id"], richtext.plain(self.title_of(page, schema)))
        out["public_url"] = None
        return self._versioned(out)

    def render_block(self, data: JSON, kind: str = "block") -> JSON:
        if kind == "page":
            body: JSON = {"type": "child_page", "child_page": {"title": richtext.plain(self.title_of(data))}}
        elif kind == "database":
            body = {"type": "child_database", "child_database": {"title": richtext.plain(data["title"])}}
        else:
            body = {"type": data["type"], data["type"]: data[data["type"]]}
        source = self.content_source(data["id"]) if kind == "block" else data["id"]
        out: JSON = {
            "object": "block",
            "id": data["id"],
            "parent": self.parent_ref(self.store.parent_of(data["id"])),
        }
        for key in ("created_time", "last_edited_time", "created_by", "last_edited_by"):
            out[key] = data.get(
                key, {"object": "user", "id": BOT_ID} if key.endswith("_by") else data.get("created_time")
            )
        out["has_children"] = self.store.has_children(source, BLOCKISH)
        out["in_trash"] = bool(data.get("in_trash", False))
        out.update(body)
        return self._versioned(out)

    def render_blockish(self, object_id: str) -> JSON:
        kind, data = self.need_blockish(object_id)
        return self.render_block(data, kind)

    def render_database(self, db: JSON) -> JSON:
        out = dict(db)
        out["parent"] = self.parent_ref(self.store.parent_of(db["id"]))
        sources = [s for s in self.store.children(db["id"], ("data_source",)) if not s.get("in_trash")]
        out["data_sources"] = [{"id": s["id"], "name": richtext.plain(s["title"])} for s in sources]
        out["icon"], out["cover"] = db.get("icon"), db.get("cover")
        out["url"] = page_url(db["id"])
        out["public_url"] = None
        return self._versioned(out)

    def render_data_source(self, ds: JSON) -> JSON:
        out = dict(ds)
        db_id = self.store.parent_of(ds["id"])
        out["parent"] = {"type": "database_id", "database_id": db_id}
        out["database_parent"] = self.parent_ref(self.store.parent_of(db_id) if db_id else None)
        out["url"] = page_url(db_id or ds["id"])
        out["public_url"] = None
        return self._versioned(out)

    def refresh_mentions(self, value: Any) -> None:
        """Give page/database mentions in ``value`` (an answer) the mentioned object's current title.

        Notion computes a mention's ``plain_text`` on reading: the title of the page or database
        it points to, ``Untitled`` when that has no title or the integration cannot see it.
        """
        titles: dict[str, str] = {}

        def title(target: str) -> str:
            if target not in titles:
                kind = self.store.kind_of(target)
                data = self.store.get(target, kind) if kind in ("page", "database") else None
                text = ""
                if data is not None:
                    text = richtext.plain(self.title_of(data) if kind == "page" else data.get("title", []))
                titles[target] = text or "Untitled"
            return titles[target]

        def walk(item: Any) -> None:
            if isinstance(item, list):
                for x in item:
                    walk(x)
            elif isinstance(item, dict):
                mention = item.get("mention") if item.get("type") == "mention" else None
                if isinstance(mention, dict) and mention.get("type") in ("page", "database"):
                    target = (mention.get(str(mention["type"])) or {}).get("id")
                    if isinstance(target, str) and "plain_text" in item:
                        item["plain_text"] = title(target)
                    return
                for x in item.values():
                    walk(x)

        walk(value)

    def render_any(self, kind: str, data: JSON) -> JSON:
        renderers: dict[str, Callable[[JSON], JSON]] = {
            "page": self.render_page,
            "database": self.render_database,
            "data_source": self.render_data_source,
            "block": self.render_block,
        }
        return renderers[kind](data) if kind in renderers else data

    # -- lists ----------------------------------------------------------------------------
    @staticmethod
    def paginate(
        items: list[Any], cursor: Any, size: int, key: Callable[[Any], str]
    ) -> tuple[list[Any], str | None]:
        """Cursor = the ID of the first item of the next page; an unknown one is refused."""
        start = 0
        if cursor is not None:
            start = next((i for i, item in enumerate(items) if key(item) == cursor), -1)
            if start < 0:
                raise rules.bad_cursor(cursor)
        page = items[start : start + size]
        next_cursor = key(items[start + size]) if start + size < len(items) else None
        return page, next_cursor

    @staticmethod
    def envelope(results: list[JSON], next_cursor: str | None, kind: str, **extra: Any) -> JSON:
        out: JSON = {
            "object": "list",
            "results": results,
            "next_cursor": next_cursor,
            "has_more": next_cursor is not None,
        }
        out.update({"type": kind, kind: extra.pop("type_object", {})})
        out.update(extra)
        return out
