"""Loads the data tables in `data/` once, checks them, and builds the compiled atom alternation.

Every word that carries a value (a unit's code, a part of the day, a weekday, a relative
word's offset) lives in a table; the patterns name those words through macros built from
the tables, and a pattern that spells such a word out is checked against its table here,
so a word without a value fails when the tables load, never in the middle of a document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pipelines.core.datatables import read_rows

DATA = Path(__file__).with_name("data")


class TableError(ValueError):
    """A data table that cannot work: names the file, the row and what is wrong."""


def _alt(words) -> str:
    # Longest first, because Python's alternation takes the first branch that matches.
    return "|".join(sorted(words, key=len, reverse=True))


@dataclass(frozen=True)
class PatternRow:
    name: str  # the atom kind, and the mention's rule
    production: str  # the engine handler that reads the match
    levels: tuple[int, int] | None  # chain order lo, hi; None for a standalone atom
    example: str  # a text holding the atom, run as a test


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
    units: dict[str, str]  # duration or recurrence unit -> Y M W D Q TH TM TS
    tod: dict[str, str]  # part of the day -> TIMEX code
    weekdays: dict[str, int]  # weekday name after 周/星期 -> ISO weekday
    context: dict[str, re.Pattern]  # '!name' rows of patterns.tsv: cues around an atom
    splits: dict[str, list[tuple[re.Pattern | None, re.Pattern | None]]]  # word -> left, right
    rows: dict[str, PatternRow]  # atom name -> its row, in the order tried
    atoms: re.Pattern
    first: re.Pattern  # where an atom may start: one char class, then table-word prefixes
    era_start: re.Pattern  # where an era year starts (its first chars are too common for first)


def _group_body(pattern: str, group: str) -> str | None:
    """The text of named group `group` in `pattern` (balanced parentheses), or None."""
    i = pattern.find(f"(?P<{group}>")
    if i < 0:
        return None
    j = i + len(group) + 5
    depth, k = 1, j
    while k < len(pattern) and depth:
        c = pattern[k]
        if c == "\\":
            k += 2
            continue
        depth += (c == "(") - (c == ")")
        k += 1
    return pattern[j:k - 1]


_LOOKAROUND = re.compile(r"\(\?<?[=!][^()]*(?:\([^()]*\)[^()]*)*\)")
_MACRO = re.compile(r"\{[A-Z][A-Z_0-9]*\}")
_LITERAL_ALT = re.compile(r"[^\\\[\](){}*+?.^$]+(?:\|[^\\\[\](){}*+?.^$]+)*")


def _spelled_words(body: str) -> list[str]:
    """Words a group body spells out literally (年|月|周(?![年岁])); macros come from tables."""
    body = _MACRO.sub("", _LOOKAROUND.sub("", body))
    words = [w for w in body.split("|") if w]
    if not words or not _LITERAL_ALT.fullmatch("|".join(words)):
        return []  # a character class or a nested pattern: built from tables or checked by examples
    return words


def _check_valued_groups(name: str, pattern: str, lookups: dict[str, dict]) -> None:
    for group in re.findall(r"\(\?P<(\w+)>", pattern):
        table = lookups.get(re.sub(r"\d+$", "", group))
        if table is None:
            continue
        body = _group_body(pattern, group) or ""
        missing = [w for w in _spelled_words(body) if w not in table]
        if missing:
            raise TableError(f"patterns.tsv row {name!r}: group {group!r} spells "
                             f"{', '.join(missing)} without a value in its table")


def _levels(name: str, cell: str) -> tuple[int, int] | None:
    if not cell:
        return None
    m = re.fullmatch(r"(\d)-(\d)", cell)
    if m is None:
        raise TableError(f"patterns.tsv row {name!r}: levels {cell!r} is not lo-hi")
    return int(m.group(1)), int(m.group(2))


@lru_cache(maxsize=1)
def tables() -> Tables:
    """The tables of data/, loaded and checked once per process."""
    return load_tables(DATA)


def load_tables(data: Path) -> Tables:
    """The tables of one data folder; TableError names the row that cannot work."""

    def _rows(name: str) -> list[list[str]]:
        return read_rows(data / name)

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
    unit_rows = [r + [""] * (4 - len(r)) for r in _rows("units.tsv")]
    units = {r[0]: r[1] for r in unit_rows}
    bad = [r[0] for r in unit_rows if r[1] not in ("Y", "M", "W", "D", "Q", "TH", "TM", "TS")]
    if bad:
        raise TableError(f"units.tsv: unknown unit code for {', '.join(bad)}")
    tod_rows = _rows("tod.tsv")
    tod = {r[0]: r[1] for r in tod_rows}
    weekdays = {r[0]: int(r[1]) for r in _rows("weekdays.tsv")}
    context: dict[str, re.Pattern] = {}
    splits: dict[str, list[tuple[re.Pattern | None, re.Pattern | None]]] = {}
    for r in _rows("splits.tsv"):
        r = r + [""] * (3 - len(r))
        splits.setdefault(r[0], []).append((re.compile(r[1]) if r[1] else None,
                                            re.compile(r[2]) if r[2] else None))

    def rel(unit: str) -> str:
        return _alt(w for w, v in relative.items() if v[0] == unit)

    macros = {
        "REL_YEAR": rel("year"), "REL_MONTH": rel("month"), "REL_DAY": rel("day"),
        "REL_HALF": rel("half"), "REL_QUARTER": rel("quarter"), "REL_CENTURY": rel("century"),
        "WEEK_REL": rel("week"),
        "WEEK_PRE": _alt(w for w, v in relative.items() if v[0] in ("week", "weekpre")),
        "WEEKDAY": _alt(weekdays),
        "TOD": _alt(r[0] for r in tod_rows if r[2] != "1"),
        "TOD_SHORT": _alt(r[0] for r in tod_rows if r[2] == "1"),
        "UNIT": "|".join(re.escape(r[0]) + r[3] for r in
                         sorted((r for r in unit_rows if r[2] == "1"),
                                key=lambda r: len(r[0]), reverse=True)),
        "ERA": _alt(eras),
        "ERA_FIRST": "".join(sorted({w[0] for w in eras})),
        # The reference moment itself (目前, 如今) has its own row, so its rule names it.
        "PRESENT": _alt(w for w, v in vague.items() if v[2] == "PRESENT_REF" and v[0] == v[1] == 0),
        "VAGUE": _alt(w for w, v in vague.items() if not (v[2] == "PRESENT_REF" and v[0] == v[1] == 0)),
        "PART": _alt(w for w, v in parts.items() if len(w) > 1 and v[0] != "century"),
        "PLAN": _alt(plans),
        "HOLIDAY": "|".join(
            sorted((h[0].pattern for h in holidays),
                   key=lambda p: len(re.sub(r"\(\?[=!].*?\)", "", p)), reverse=True)
        ),
    }
    lookups: dict[str, dict] = {"u": units, "t": tod, "ts": tod, "wd": weekdays,
                                "w": {**relative, **vague}}
    names, bodies = [], []
    rows: dict[str, PatternRow] = {}
    first: set[str] = set()
    # Table words whose first char no pattern starts with (不久前, 国庆, 情人节) are scanned for by
    # their first two chars: 不, 大, 国 alone would send ~20% of the text's positions to
    # the big alternation for nothing.
    words_first = {w[:2] for words in (relative, vague, parts, plans, tod) for w in words}
    words_first.update(re.match(r"[^\\()\[\]?*+{|.]{1,2}", h[0].pattern).group()
                       for h in holidays)
    for row in _rows("patterns.tsv"):
        name = row[0]
        if name == "@FIRST2":
            words_first.update(row[1].split("|"))
            continue
        if name == "@FIRST":
            first.update(row[1].replace("\\d", ""))
            first.update("0123456789")
            continue
        if name[0] in "@!":
            pattern = row[1]
        else:
            if len(row) != 5 or not all(row[i] for i in (0, 1, 3, 4)):
                raise TableError(f"patterns.tsv row {name!r}: needs name, production, levels, "
                                 "pattern and example")
            pattern = row[3]
            rows[name] = PatternRow(name, row[1], _levels(name, row[2]), row[4])
            _check_valued_groups(name, pattern, lookups)
        for key, val in macros.items():
            pattern = pattern.replace("{" + key + "}", "(?:" + val + ")")
        unknown = _MACRO.findall(pattern)
        if unknown:
            raise TableError(f"patterns.tsv row {name!r}: unknown macro {', '.join(unknown)}")
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
    return Tables(numerals, relative, vague, parts, plans, holidays, durrel, eras, units, tod,
                  weekdays, context, splits, rows, atoms, first_rx, era_start)
