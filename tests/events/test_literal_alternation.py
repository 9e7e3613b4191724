"""Lexicon searches find what a longest-first flat alternation finds: the trie-factored
regex (for patterns that embed a lexicon) and the Aho-Corasick `Lexicon` (for scans)."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.core.datatables import Lexicon, literal_alternation
from pipelines.core.events.tables import tables

_ALPHABET = st.sampled_from(list("培训班会议召开.*(|?"))


def _flat(words: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w))))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(_ALPHABET, min_size=1, max_size=4), min_size=1, max_size=12),
       st.text(_ALPHABET, max_size=40))
def test_same_matches_as_longest_first_alternation(words: list[str], text: str) -> None:
    trie = re.compile(literal_alternation(words))
    assert [m.span() for m in trie.finditer(text)] == [m.span() for m in _flat(words).finditer(text)]


def test_the_trigger_lexicon_prefers_the_longer_trigger() -> None:
    # 立案侦查 is a trigger row of its own, beside 立案
    assert tables().trigger_lexicon.search("警方已立案侦查").group() == "立案侦查"


def test_empty_lexicon_matches_nothing() -> None:
    assert re.compile(literal_alternation([])).search("任何文字") is None


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(_ALPHABET, min_size=1, max_size=4), min_size=1, max_size=12),
       st.text(_ALPHABET, max_size=40), st.integers(0, 45), st.integers(0, 45))
def test_lexicon_scans_as_the_regex_does(words: list[str], text: str, pos: int, endpos: int) -> None:
    flat, runs = _flat(words), re.compile(f"(?:{literal_alternation(words)})+")
    assert [m.span() for m in Lexicon(words).finditer(text, pos, endpos)] == [
        m.span() for m in flat.finditer(text, pos, endpos)]
    assert [m.span() for m in Lexicon(words, runs=True).finditer(text, pos)] == [
        m.span() for m in runs.finditer(text, pos)]
    anchored = Lexicon(words, runs=True).match(text, pos)
    expected = runs.match(text, pos)
    assert (anchored and anchored.span()) == (expected and expected.span())
    single, one = Lexicon(words).match(text, pos, endpos), flat.match(text, pos, endpos)
    assert (single and single.span()) == (one and one.span())
