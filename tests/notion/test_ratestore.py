"""Where the window's state lives: the file store's place, permissions and recovery, and which
store each `NOTION_MCP_RATE_STORE` value opens."""

from __future__ import annotations

import logging
import stat
import sys
from pathlib import Path

import pytest

from notion_mcp.notion import ratestore
from notion_mcp.notion.ratestore import FileStore, MemoryStore, cache_dir, open_store, token_key
from notion_mcp.notion.ratestore_redis import RedisStore

pytestmark = pytest.mark.anyio
TOKEN = "ntn_" + "b2" * 20


@pytest.mark.parametrize(
    ("platform", "env", "expected"),
    [
        ("darwin", {}, "HOME/Library/Caches/notion-mcp"),
        ("win32", {"LOCALAPPDATA": "/apps"}, "/apps/notion-mcp"),
        ("win32", {}, "HOME/notion-mcp"),
        ("linux", {"XDG_CACHE_HOME": "/xdg"}, "/xdg/notion-mcp"),
        ("linux", {}, "HOME/.cache/notion-mcp"),
    ],
)
def test_the_cache_directory_follows_each_platforms_convention(
    platform: str, env: dict[str, str], expected: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(sys, "platform", platform)
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in ("LOCALAPPDATA", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert cache_dir() == Path(expected.replace("HOME", str(tmp_path)))


async def test_the_state_file_and_its_directory_are_private_to_the_user(tmp_path: Path) -> None:
    path = tmp_path / "ratelimit" / "k.json"
    assert await FileStore(path).update(lambda raw: raw.setdefault("n", 1)) == 1
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize("damaged", [b"{not json", b"[1, 2]", b"   ", b"", b"\xff\xfe{"])
async def test_a_damaged_state_file_is_replaced_by_the_new_state(tmp_path: Path, damaged: bytes) -> None:
    path = tmp_path / "k.json"
    path.write_bytes(damaged)  # (the last is not even UTF-8)
    store = FileStore(path)
    assert await store.update(lambda raw: dict(raw)) == {}
    await store.update(lambda raw: raw.update(n=2))
    assert path.read_text() == '{"n":2}'
    assert await store.update(lambda raw: raw["n"]) == 2


async def test_each_setting_opens_its_store_named_by_the_token_and_address(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger=ratestore.log.name)
    key = token_key(TOKEN, "https://api.notion.com")
    assert key != token_key(TOKEN, "http://sandbox") != token_key("ntn_other", "https://api.notion.com")
    assert isinstance(open_store("memory", TOKEN, "https://api.notion.com"), MemoryStore)
    redis = open_store("redis://localhost:1/0", TOKEN, "https://api.notion.com")
    assert isinstance(redis, RedisStore) and redis.key == f"notion-mcp:ratelimit:{key}"
    await redis.aclose()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(sys, "platform", "linux")
    store = open_store("file", TOKEN, "https://api.notion.com")
    assert (
        isinstance(store, FileStore) and store.path == tmp_path / "notion-mcp" / "ratelimit" / f"{key}.json"
    )
    assert caplog.records == []  # each of those opened quietly
    monkeypatch.setattr(sys, "platform", "win32")
    assert isinstance(open_store("file", TOKEN, "https://api.notion.com"), MemoryStore)
    assert len(caplog.records) == 1 and "POSIX file locks" in caplog.text  # said why not a file
