"""What writes need to know about data sources, remembered instead of read before every write.

The rule: a data source's schema, the data sources of a database and the data source a page
lives in are kept for `max_age` seconds (5 minutes) after Notion last showed them, and dropped
- when we change a schema ourselves (`update_data_source`: its answer is the new schema, kept),
- when Notion refuses a write with a validation error that names a property we resolved from a
  kept schema (someone renamed or removed it meanwhile): the caller calls `forget` and resolves
  once more from a fresh read,
- by age.
Every page object the gateway sees (read, created, updated, a query's rows) says where that page
lives, so a row listed by a query is updated without reading it first.

Why: a page update cost three requests (the page, its data source's schema, the write), and every
row created in a database read the schema again; at Notion's rate those reads were most of the
time a write took.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Json = dict[str, Any]
MAX_AGE = 300.0  # seconds
NOT_IN_A_DATA_SOURCE = ""  # a page under a page or the workspace


@dataclass
class SchemaCache:
    max_age: float = MAX_AGE
    clock: Callable[[], float] = time.monotonic
    _schemas: dict[str, tuple[float, Json]] = field(default_factory=dict)
    _sources: dict[str, tuple[float, list[Json]]] = field(default_factory=dict)
    _pages: dict[str, tuple[float, str]] = field(default_factory=dict)

    def _fresh(self, entry: tuple[float, Any] | None) -> Any:
        if entry is None or self.clock() - entry[0] > self.max_age:
            return None
        return entry[1]

    # -- schemas --------------------------------------------------------------------------------
    def schema(self, source_id: str) -> Json | None:
        """The kept `properties` of a data source, or None (never seen, forgotten or too old)."""
        found: Json | None = self._fresh(self._schemas.get(source_id))
        return found

    def learn_source(self, source: Json) -> None:
        if source.get("object") == "data_source" and isinstance(source.get("properties"), dict):
            self._schemas[str(source["id"])] = (self.clock(), dict(source["properties"]))

    def forget(self, source_id: str) -> None:
        self._schemas.pop(source_id, None)

    # -- databases -> data sources ---------------------------------------------------------------
    def sources_of(self, database_id: str) -> list[Json] | None:
        found: list[Json] | None = self._fresh(self._sources.get(database_id))
        return found

    def learn_database(self, database: Json) -> None:
        if database.get("object") == "database" and isinstance(database.get("data_sources"), list):
            self._sources[str(database["id"])] = (self.clock(), list(database["data_sources"]))

    # -- pages -> data sources ------------------------------------------------------------------
    def page_source(self, page_id: str) -> str | None:
        """The data source a page is a row of, NOT_IN_A_DATA_SOURCE, or None when unknown."""
        found: str | None = self._fresh(self._pages.get(page_id))
        return found

    def learn_page(self, page: Json) -> None:
        if page.get("object") != "page" or not isinstance(page.get("parent"), dict):
            return
        source = page["parent"].get("data_source_id") or NOT_IN_A_DATA_SOURCE
        self._pages[str(page["id"])] = (self.clock(), str(source))

    def forget_page(self, page_id: str) -> None:
        self._pages.pop(page_id, None)
