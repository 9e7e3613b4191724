"""A copy of a text for rule matching that is linear to scan whatever the text.

The taggers try their patterns at every position a time word or a trigger may start. In
news that is a small share of positions; in a megabyte of one repeated character (年年年…,
一一一…) it is every position, each a failed try at a large alternation. No time
expression or event trigger holds sixteen identical characters in a row, so the inside of
such a run is masked with a character no rule matches; four characters at each end of the
run stay, so what the rules see around it (a look-behind at a digit) is unchanged.
Offsets are kept: the mask replaces character for character, and reported text is always
taken from the original.
"""

from __future__ import annotations

import re

MASK = "\ufffc"  # OBJECT REPLACEMENT CHARACTER: no letter, digit or space, in no rule
_RUN = re.compile(r"(.)\1{15,}", re.S)
_KEEP = 4
# Below this length the worst case is small anyway (~0.5 s), and news never pays the scan.
_MIN_CHARS = 20_000


def mask_long_runs(text: str) -> str:
    """`text` itself, or a copy of the same length with the inside of long runs masked."""
    if len(text) < _MIN_CHARS:
        return text
    pieces, last = [], 0
    for m in _RUN.finditer(text):
        a, b = m.start() + _KEEP, m.end() - _KEEP
        pieces += [text[last:a], MASK * (b - a)]
        last = b
    if not pieces:
        return text
    pieces.append(text[last:])
    return "".join(pieces)
