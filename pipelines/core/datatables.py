"""Reading the language resources kept as TSV files (rules and lexicons are data)."""

from __future__ import annotations

import re
from pathlib import Path


def read_rows(path: Path) -> list[list[str]]:
    """Tab-separated rows of a resource file; blank lines and `#` comments skipped."""
    return [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


def literal_alternation(words: list[str]) -> str:
    """A regex matching any of `words`, the longest one where several start at a position.

    The words are factored into a trie (培训(?:班)?), so a match attempt costs the length
    of the word, not the size of the lexicon: a flat alternation of a thousand triggers
    tries every one at every character of an article.
    """
    trie: dict = {}
    for word in set(words):
        if not word:
            continue
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def pattern(node: dict) -> str:
        ends = "" in node
        branches = [re.escape(ch) + pattern(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        single = len(branches) == 1 and len(branches[0]) == 1
        body = branches[0] if single else "(?:" + "|".join(branches) + ")"
        # Greedy: the longer word is tried first, the shorter one is the fallback.
        return f"{body}?" if ends and single else (f"(?:{body})?" if ends else body)

    return pattern(trie) if trie else "(?!)"


class LexiconMatch:
    """One word found by a `Lexicon`, with the accessors of a `re.Match` the engines use."""

    __slots__ = ("_start", "_end", "_text")

    def __init__(self, start: int, end: int, text: str) -> None:
        self._start, self._end, self._text = start, end, text

    def start(self) -> int:
        return self._start

    def end(self) -> int:
        return self._end

    def span(self) -> tuple[int, int]:
        return self._start, self._end

    def group(self) -> str:
        return self._text

    def __repr__(self) -> str:
        return f"LexiconMatch({self._start}, {self._end}, {self._text!r})"


class Lexicon:
    """Finds the words of a lexicon in text as `literal_alternation` would, the leftmost
    first and the longest there, without overlaps; `runs=True` joins words that follow
    each other (韩国首尔) into one match, like `(?:a|b)+`.

    An Aho-Corasick automaton (ahocorasick-rs) does it in one pass: Python's regex engine
    tries the alternatives one by one at every character that starts a word, which made
    the trigger and gazetteer scans a sixth of event extraction.
    """

    def __init__(self, words: list[str], runs: bool = False) -> None:
        import ahocorasick_rs

        self.words = sorted({w for w in words if w})
        self.runs = runs
        # A contiguous NFA, not a DFA: a DFA's scan is the faster one on its own, but amid the
        # rest of the extraction its far larger tables fall out of the cache between scans; the
        # NFA took 0.9% less of the extraction's CPU (3,000 articles in one process, four runs
        # of each alternated: 6.04 -> 5.98 s; the trigger scans 0.16 -> 0.13 s)
        self._automaton = (ahocorasick_rs.AhoCorasick(self.words, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest,
                                                      implementation=ahocorasick_rs.Implementation.ContiguousNFA)
                           if self.words else None)
        self._longest = max(map(len, self.words), default=0)

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None) -> list[LexiconMatch]:
        if self._automaton is None:
            return []
        end = len(text) if endpos is None else min(endpos, len(text))
        if pos >= end:
            return []
        part = text[pos:end] if pos or end < len(text) else text
        found = self._automaton.find_matches_as_indexes(part)
        if not found:
            return []  # most calls: nothing to wrap (building the empty lists cost more than the search)
        if not self.runs:  # the matches as they are, made in one pass
            return [LexiconMatch(a + pos, b + pos, part[a:b]) for _, a, b in found]
        spans = [(a + pos, b + pos) for _, a, b in found]
        if spans:
            joined = [spans[0]]
            for a, b in spans[1:]:
                if a == joined[-1][1]:
                    joined[-1] = (joined[-1][0], b)
                else:
                    joined.append((a, b))
            spans = joined
        return [LexiconMatch(a, b, text[a:b]) for a, b in spans]

    def search(self, text: str, pos: int = 0, endpos: int | None = None) -> LexiconMatch | None:
        found = self.finditer(text, pos, endpos)
        return found[0] if found else None

    def match(self, text: str, pos: int = 0, endpos: int | None = None) -> LexiconMatch | None:
        # Only the words that can start at `pos` are looked at, not the rest of the text.
        end = len(text) if endpos is None else min(endpos, len(text))
        stop = self._end_of_word_at(text, pos, end)
        if stop is None:
            return None
        while self.runs and (nxt := self._end_of_word_at(text, stop, end)) is not None:
            stop = nxt
        return LexiconMatch(pos, stop, text[pos:stop])

    def _end_of_word_at(self, text: str, pos: int, end: int) -> int | None:
        if self._automaton is None or pos >= end:
            return None
        window = text[pos:min(end, pos + self._longest)]
        found = self._automaton.find_matches_as_indexes(window)
        return pos + found[0][2] if found and found[0][1] == 0 else None
