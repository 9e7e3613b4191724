"""Loads the data tables in `data/` once and builds the compiled atom alternation."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pipelines.core.datatables import read_rows

DATA = Path(__file__).with_name("data")


def _rows(name: str) -> list[list[str]]:
    return read_rows(DATA / name)


def _alt(words) -> str:
    # Longest first, because Python's alternation takes the first branch that matches.
    return "|".join(sorted(words, key=len, reverse=True))


@dataclass(frozen=True)
class Tables:
    numerals: dict[str, int]
    relative: dict[str, tuple[str, int, bool, str]]  # word -> unit, offset, anaphoric, tod
    vague: dict[str, tuple[int, int, str, tuple[int, int] | None]]
    parts: dict[str, tuple]  # word -> scope, a, b, c, d, suffix, granularity, vague
    plans: dict[str, tuple[int, int]]
    holidays: list[tuple[re.Pattern, str, str, int]]  # pattern, calendar, month/term, day
    durrel: dict[str, tuple[str, bool]]
    eras: dict[str, tuple[int, bool]]  # name -> first year, lunar months
    context: dict[str, re.Pattern]  # '!name' rows of patterns.tsv: cues around an atom
    splits: dict[str, list[tuple[re.Pattern | None, re.Pattern | None]]]  # word -> left, right
    atom_names: list[str]
    atoms: re.Pattern
    first: re.Pattern  # where an atom may start: one char class, then table-word prefixes
    era_start: re.Pattern  # where an era year starts (its first chars are too common for first)
    plausible_years: tuple[int, int]  # written years outside are no date (limits.tsv)


@lru_cache(maxsize=1)
def tables() -> Tables:
    numerals = {c: int(v) for c, v in _rows("numerals.tsv")}
    relative = {
        r[0]: (r[1], int(r[2]), r[3] == "1", r[4] if len(r) > 4 else "")
        for r in _rows("relative.tsv")
    }
    vague = {r[0]: (int(r[1]), int(r[2]), r[3],
                    (int(r[4]), int(r[5])) if len(r) > 5 and r[4] else None)
             for r in _rows("vague.tsv")}
    parts = {}
    for r in _rows("parts.tsv"):
        r = r + [""] * (9 - len(r))
        parts[r[0]] = (r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8] == "1")
    plans = {r[0]: (int(r[1]), int(r[2])) for r in _rows("plans.tsv")}
    holidays = []
    for pat, cal, m, d in _rows("holidays.tsv"):
        holidays.append((re.compile(pat), cal, m, int(d)))
    durrel = {r[0]: (r[1], r[2] == "1") for r in _rows("durrel.tsv")}
    eras = {r[0]: (int(r[1]), r[2] == "lunar") for r in _rows("eras.tsv")}
    context: dict[str, re.Pattern] = {}
    splits: dict[str, list[tuple[re.Pattern | None, re.Pattern | None]]] = {}
    for r in _rows("splits.tsv"):
        r = r + [""] * (3 - len(r))
        splits.setdefault(r[0], []).append((re.compile(r[1]) if r[1] else None,
                                            re.compile(r[2]) if r[2] else None))

    macros = {
        "REL_YEAR": _alt(w for w, v in relative.items() if v[0] == "year"),
        "REL_MONTH": _alt(w for w, v in relative.items() if v[0] == "month"),
        "REL_DAY": _alt(w for w, v in relative.items() if v[0] == "day"),
        "REL_HALF": _alt(w for w, v in relative.items() if v[0] == "half"),
        "ERA": _alt(eras),
        "ERA_FIRST": "".join(sorted({w[0] for w in eras})),
        "VAGUE": _alt(vague),
        "PART": _alt(w for w in parts if len(w) > 1),
        "PLAN": _alt(plans),
        "HOLIDAY": "|".join(
            sorted((h[0].pattern for h in holidays),
                   key=lambda p: len(re.sub(r"\(\?[=!].*?\)", "", p)), reverse=True)
        ),
    }
    names, bodies = [], []
    first: set[str] = set()
    # Table words whose first char no pattern starts with (不久前, 国庆, 情人节) are scanned for by
    # their first two chars: 不, 大, 国 alone would send ~20% of the text's positions to
    # the big alternation for nothing.
    words_first = {w[:2] for words in (relative, vague, parts, plans) for w in words}
    words_first.update(re.match(r"[^\\()\[\]?*+{|.]{1,2}", h[0].pattern).group()
                       for h in holidays)
    for row in _rows("patterns.tsv"):
        name, pattern = row[0], row[1]
        if name == "@FIRST2":
            words_first.update(pattern.split("|"))
            continue
        if name == "@FIRST":
            first.update(pattern.replace("\\d", ""))
            first.update("0123456789")
            continue
        for key, val in macros.items():
            pattern = pattern.replace("{" + key + "}", "(?:" + val + ")")
        if name.startswith("@"):
            macros[name[1:]] = pattern
            continue
        if name.startswith("!"):
            context[name[1:]] = re.compile(pattern)
            continue
        # Prefix inner group names so all atoms fit in one alternation.
        pattern = re.sub(r"\(\?P<(\w+)>", rf"(?P<{name}__\1>", pattern)
        pattern = re.sub(r"\(\?P=(\w+)\)", rf"(?P={name}__\1)", pattern)
        names.append(name)
        bodies.append(f"(?P<{name}>{pattern})")
    atoms = re.compile("|".join(bodies))
    prefixes = sorted({w for w in words_first if w[0] not in first})
    # Zero-width for the prefixes, so the scan still visits the chars inside them (同一年
    # holds 一年); the leading char class lets the C search skip ahead.
    first_rx = re.compile("[" + "".join(re.escape(c) for c in sorted(first)) + "]|(?=[" +
                          "".join(sorted({w[0] for w in prefixes})) + "])(?=" +
                          "|".join(map(re.escape, prefixes)) + ")")
    # Era names start with everyday characters (成, 民, 开, 光); trying the big alternation at
    # each of those costs ~15% of the scan, so one C-level search finds the few era years.
    era_start = re.compile(f"(?:{_alt(eras)})" + r"\s?(?:元|\d{1,3}|[一二三四五六七八九十廿]+)\s?年")
    return Tables(numerals, relative, vague, parts, plans, holidays, durrel, eras, context,
                  splits, names, atoms, first_rx, era_start, plausible_years())


def plausible_years() -> tuple[int, int]:
    """The window of years a text may date something in: limits.tsv, or the environment's
    TIMELINE_PLAUSIBLE_YEARS=lo-hi."""
    if env := os.environ.get("TIMELINE_PLAUSIBLE_YEARS"):
        lo, sep, hi = env.partition("-")
        if not (sep and lo.strip().isdigit() and hi.strip().isdigit()):
            raise ValueError(f"TIMELINE_PLAUSIBLE_YEARS must look like 1800-2200, not {env!r}")
        return int(lo), int(hi)
    row = next(r for r in _rows("limits.tsv") if r[0] == "plausible_years")
    return int(row[1]), int(row[2])
