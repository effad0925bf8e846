"""The ID normaliser: every form people paste, one form Notion gets."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notion_mcp.errors import InputError
from notion_mcp.notion.ids import normalize_id

DASHED = "393abc1e-edcd-8170-aebf-cf1d14057b30"
PLAIN = DASHED.replace("-", "")
VIEW = "0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize(
    "pasted",
    [
        DASHED,
        PLAIN,
        PLAIN.upper(),
        f"  {DASHED}  ",
        f"https://www.notion.so/Test-page-{PLAIN}",
        f"https://notion.so/{PLAIN}",
        f"notion.so/myteam/Roadmap-{PLAIN}",
        f"https://www.notion.so/myteam/{PLAIN}?v={VIEW}",
        f"https://app.notion.com/p/Test-2026-07-04-{PLAIN}",
        f"https://app.notion.com/p/{PLAIN}",
        f"https://www.notion.so/myteam/{VIEW}?v=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa&p={PLAIN}&pm=s",
        f"https://www.notion.so/Page-{VIEW}#{PLAIN}",
        f"https://www.notion.so/Page-{VIEW}#block-{PLAIN}",
        f"https://myteam.notion.site/Public-{PLAIN}",
        f"https://www.notion.so/myteam/Parent-{VIEW}/Child-{PLAIN}",  # the last ID is the page
    ],
)
def test_every_pasted_form_becomes_the_dashed_uuid(pasted: str) -> None:
    assert normalize_id(pasted, "block_id") == DASHED


@pytest.mark.parametrize("anchor", [f"#{PLAIN}", f"#block-{PLAIN}"])
def test_a_block_anchor_names_the_block_where_a_block_is_wanted_and_the_page_elsewhere(anchor: str) -> None:
    url = f"https://www.notion.so/Page-{VIEW}{anchor}"
    page = str(uuid.UUID(VIEW))
    assert normalize_id(url, "block_id") == normalize_id(url, "parent_block_id") == DASHED
    assert normalize_id(url, "page_id") == normalize_id(url, "parent.page_id") == page
    assert normalize_id(url, "database_id") == page


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "   ",
        "null",
        "abc",
        PLAIN[:-1],
        PLAIN + "0",
        "https://example.com/" + PLAIN,
        "not-a-uuid-at-all",
        "https://evilnotion.so/Page-" + PLAIN,
        "https://notion.so.evil.com/" + PLAIN,
    ],
)
def test_anything_else_is_refused_with_the_expected_form(bad: str) -> None:
    with pytest.raises(InputError) as caught:
        normalize_id(bad, "page_id")
    assert str(caught.value).startswith("page_id: ")
    assert "32 hex digits" in str(caught.value)


@given(st.uuids())
def test_any_uuid_in_any_spelling_normalises_to_itself(value: uuid.UUID) -> None:
    text = str(value)
    for spelling in (text, text.replace("-", ""), text.upper(), f"https://www.notion.so/Title-{value.hex}"):
        assert normalize_id(spelling) == text


@pytest.mark.parametrize(
    "pasted",
    [
        f"https://www.notion.so/ws/{DASHED}",  # a dashed ID in a URL
        f"https://www.notion.so/ws/Page-{VIEW}?p={DASHED}",
        f"user://{DASHED}",  # how user mentions are written
        f"www.notion.so/{VIEW}/{PLAIN}",  # no scheme
    ],
)
def test_dashed_ids_in_urls_and_user_mentions_are_found(pasted: str) -> None:
    assert normalize_id(pasted, "page_id") == DASHED


def test_a_dotted_field_is_a_block_field_by_its_last_part_and_block_can_be_forced() -> None:
    url = f"https://www.notion.so/Page-{VIEW}#block-{PLAIN}"
    page = str(uuid.UUID(VIEW))
    assert normalize_id(url, "children.0.parent_block_id") == DASHED
    assert normalize_id(url, "block_id.page_id") == page
    assert normalize_id(url, "page_id", block=True) == DASHED
    assert normalize_id(url, "block_id", block=False) == page
    assert normalize_id(f"https://www.notion.so/Page-{VIEW}#{DASHED}", "block_id") == DASHED


def test_the_refusal_shows_the_value_cut_to_80_characters_and_names_the_field() -> None:
    long = "x" * 81
    with pytest.raises(InputError) as caught:
        normalize_id(long)
    assert str(caught.value).startswith(f"id: {'x' * 77 + '...'!r} is not a Notion ID")
    with pytest.raises(InputError) as caught:
        normalize_id("y" * 80, "")
    assert str(caught.value).startswith(f"{'y' * 80!r} is not a Notion ID")
    with pytest.raises(InputError) as caught:
        normalize_id(None, "page_id")
    assert str(caught.value).startswith("page_id: expected a Notion ID") and str(caught.value).endswith(
        "got None."
    )


@pytest.mark.parametrize("bad", ["https://www.notion.so/", "https://www.notion.so/Page#block-", "notion.so"])
def test_a_notion_url_without_an_id_is_refused(bad: str) -> None:
    with pytest.raises(InputError):
        normalize_id(bad, "block_id")


def test_the_last_id_of_a_path_is_taken_whatever_the_spelling_of_those_before_it() -> None:
    first, second = str(uuid.UUID(int=1)), str(uuid.UUID(int=2))
    url = f"https://www.notion.so/ws/{first}/{second}/Child-{PLAIN}"
    assert normalize_id(url, "page_id") == DASHED
    assert normalize_id(f"https://www.notion.so/ws/{PLAIN}/Child-{second}", "page_id") == second
