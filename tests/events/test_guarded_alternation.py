"""The events' pattern families behind their start-char lookahead (`guarded_alternation`)
find what the plain alternation of their rows finds, wherever a search starts and ends."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.core.datatables import read_rows
from pipelines.core.events.tables import DATA
from pipelines.core.timex.tables import guarded_alternation


def _families() -> dict[str, list[str]]:
    """Rows by kind, as the tables join them: nonevents.tsv, modality.tsv, blocks.tsv."""
    out: dict[str, list[str]] = {}
    for r in read_rows(DATA / "nonevents.tsv"):
        if r[1] != "verb":
            out.setdefault(f"nonevents {r[1]}", []).append(r[0])
    for r in read_rows(DATA / "modality.tsv"):
        out.setdefault(f"modality {r[1]}", []).append(r[0])
    for r in read_rows(DATA / "blocks.tsv"):
        out.setdefault(f"blocks {r[1]}", []).append(r[2])
    return out


_FAMILIES = _families()
# the texts are strung from the rows' own words, so the rows do match in them
_WORDS = sorted({w for rows in _FAMILIES.values() for row in rows for w in re.findall(r"[\u4e00-\u9fff]+", row)}
                | set("，。；：:“”《》、的了在将已 0123456789"))


@pytest.mark.parametrize("family", sorted(_FAMILIES))
@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), max_size=12), st.integers(0, 40), st.integers(0, 40))
def test_same_matches_as_the_plain_alternation(family: str, words: list[str], pos: int, endpos: int) -> None:
    rows = _FAMILIES[family]
    plain = re.compile("|".join(f"(?:{row})" for row in rows))
    guarded = re.compile(guarded_alternation(rows))
    text = "".join(words)
    assert _span(guarded.search(text, pos, endpos)) == _span(plain.search(text, pos, endpos))
    assert _span(guarded.match(text, pos, endpos)) == _span(plain.match(text, pos, endpos))
    ended_plain, ended_guarded = re.compile(f"(?:{plain.pattern})$"), re.compile(f"(?:{guarded.pattern})$")
    assert _span(ended_guarded.search(text, pos, endpos)) == _span(ended_plain.search(text, pos, endpos))


def _span(m: re.Match[str] | None) -> tuple[int, int] | None:
    return m and m.span()


def test_a_family_with_a_prefix_search_skips_by_itself_is_left_as_it_is() -> None:
    assert guarded_alternation(["已经", "已"]) == "(?:已经)|(?:已)"


def test_a_family_that_may_start_anywhere_is_left_as_it_is() -> None:
    assert guarded_alternation(["如果", "[^，。]{0,6}时$"]) == "(?:如果)|(?:[^，。]{0,6}时$)"


def test_other_families_open_with_the_class_of_their_first_chars() -> None:
    assert guarded_alternation(["(?:如果|假如)", "(?:网友|网民)[^，]{0,6}认为"]) == \
        "(?=[假如网])(?:(?:(?:如果|假如))|(?:(?:网友|网民)[^，]{0,6}认为))"
