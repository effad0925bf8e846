"""The schema cache's own rules (notion/schema_cache.py): what it takes as a schema, a database's
data sources or a page's place, how long it keeps them, and that forgetting is always safe.
(What the cache saves in requests is shown through mcp.Client in tests/tools/test_fewer_requests.py.)"""

from __future__ import annotations

from notion_mcp.notion.schema_cache import NOT_IN_A_DATA_SOURCE, SchemaCache

SOURCE = {"object": "data_source", "id": "s1", "properties": {"Name": {"type": "title"}}}
DATABASE = {"object": "database", "id": "d1", "data_sources": [{"id": "s1", "name": "Tasks"}]}
ROW = {"object": "page", "id": "p1", "parent": {"type": "data_source_id", "data_source_id": "s1"}}


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_kept_until_exactly_max_age_and_dropped_after() -> None:
    clock = Clock()
    cache = SchemaCache(max_age=300.0, clock=clock)
    cache.learn_source(SOURCE)
    clock.now = 300.0
    assert cache.schema("s1") == SOURCE["properties"]  # at max_age: still fresh
    clock.now = 300.5
    assert cache.schema("s1") is None


def test_only_notions_own_objects_of_the_right_kind_are_learned() -> None:
    cache = SchemaCache()
    cache.learn_source({"object": "page", "id": "s1", "properties": {"Name": {"title": []}}})  # a row
    cache.learn_source({"object": "data_source", "id": "s2"})  # no schema in it
    assert cache.schema("s1") is None and cache.schema("s2") is None
    cache.learn_database({"object": "data_source", "id": "d1", "data_sources": []})
    cache.learn_database({"object": "database", "id": "d2"})
    assert cache.sources_of("d1") is None and cache.sources_of("d2") is None
    cache.learn_page({"object": "database", "id": "p1", "parent": {"type": "workspace"}})
    cache.learn_page({"object": "page", "id": "p2"})
    assert cache.page_source("p1") is None and cache.page_source("p2") is None


def test_what_is_learned_is_given_back() -> None:
    cache = SchemaCache()
    cache.learn_source(SOURCE)
    cache.learn_database(DATABASE)
    cache.learn_page(ROW)
    cache.learn_page({"object": "page", "id": "p2", "parent": {"type": "page_id", "page_id": "x"}})
    assert cache.schema("s1") == SOURCE["properties"]
    assert cache.sources_of("d1") == DATABASE["data_sources"]
    assert cache.page_source("p1") == "s1" and cache.page_source("p2") == NOT_IN_A_DATA_SOURCE


def test_forgetting_what_was_never_kept_is_safe_and_forgetting_drops_it() -> None:
    cache = SchemaCache()
    cache.forget("unknown")
    cache.forget_page("unknown")
    cache.learn_source(SOURCE)
    cache.learn_page(ROW)
    cache.forget("s1")
    cache.forget_page("p1")
    assert cache.schema("s1") is None and cache.page_source("p1") is None
