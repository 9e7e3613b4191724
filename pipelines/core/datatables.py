"""Reading the language resources kept as TSV files (rules and lexicons are data)."""

from __future__ import annotations

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
    import re

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
