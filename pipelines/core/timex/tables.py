"""Loads the data tables in `data/` once, checks them, and builds the compiled atom alternation.

Every word that carries a value (a unit's code, a part of the day, a weekday, a relative
word's offset) lives in a table; the patterns name those words through macros built from
the tables, and a pattern that spells such a word out is checked against its table here,
so a word without a value fails when the tables load, never in the middle of a document.
"""

from __future__ import annotations

import os
import re
import re._compiler as _sre_compile  # whether a pattern has a prefix re's search skips to
import re._constants as _sre  # the parsed-regex opcodes, read to find where rows can start
import re._parser as _sre_parse
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pipelines.core.datatables import read_rows
from pipelines.core.timex.regexcache import RegexCache, cache_file

DATA = Path(__file__).with_name("data")


def _source_digest() -> str:
    """What the patterns derived from the rows depend on besides the rows: this module's
    code (unreadable, as in a zip: a value no cache holds, so they are always derived)."""
    try:
        return f"{zlib.crc32(Path(__file__).read_bytes()):08x}"
    except OSError:
        return os.urandom(8).hex()


_SOURCE_DIGEST = _source_digest()


class TableError(ValueError):
    """A data table that cannot work: names the file, the row and what is wrong."""


def _alt(words) -> str:
    # Longest first, because Python's alternation takes the first branch that matches.
    return "|".join(sorted(words, key=len, reverse=True))


class _Start:
    """The characters a regex can start with: a set, ranges and categories (or any)."""

    __slots__ = ("any", "chars", "ranges", "digit", "space")

    def __init__(self) -> None:
        self.any, self.chars, self.ranges, self.digit, self.space = False, set(), [], False, False

    def admits(self, ch: str) -> bool:
        if self.any or ch in self.chars:
            return True
        o = ord(ch)
        return any(lo <= o <= hi for lo, hi in self.ranges) or \
            (self.digit and ch.isdigit()) or (self.space and ch.isspace())

    def update(self, other: _Start) -> None:
        self.any = self.any or other.any
        self.chars |= other.chars
        self.ranges += other.ranges
        self.digit = self.digit or other.digit
        self.space = self.space or other.space

    def char_class(self) -> str:
        """The regex class of these characters (not for `any`)."""
        return "[" + "".join(re.escape(c) for c in sorted(self.chars)) + \
            "".join(f"{re.escape(chr(lo))}-{re.escape(chr(hi))}" for lo, hi in sorted(set(self.ranges))) + \
            (r"\d" if self.digit else "") + (r"\s" if self.space else "") + "]"


_ANY = _Start()
_ANY.any = True


def _add_class(items, st: _Start) -> None:
    """Adds the characters of a parsed class `[...]` to `st`."""
    for iop, iav in items:
        if iop is _sre.LITERAL:
            st.chars.add(chr(iav))
        elif iop is _sre.RANGE:
            st.ranges.append(iav)
        elif iop is _sre.CATEGORY and iav in (_sre.CATEGORY_DIGIT, _sre.CATEGORY_UNI_DIGIT):
            st.digit = True
        elif iop is _sre.CATEGORY and iav in (_sre.CATEGORY_SPACE, _sre.CATEGORY_UNI_SPACE):
            st.space = True
        else:
            st.any = True  # NEGATE and the rest


def _first(seq, st: _Start) -> bool:
    """Adds to `st` what `seq` (parsed regex items) can start with; True if it can match empty.

    Conservative: a lookaround is skipped (it only removes starts), and anything not
    understood admits every character.
    """
    for op, av in seq:
        if op is _sre.LITERAL:
            st.chars.add(chr(av))
            return False
        if op is _sre.IN:
            _add_class(av, st)
            return False
        if op in (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT):
            continue  # zero-width
        if op is _sre.SUBPATTERN:
            if av[1] & _sre.SRE_FLAG_IGNORECASE:
                st.any = True  # (?i:...): its chars in either case
                return False
            if not _first(av[3], st):
                return False
            continue
        if op is _sre.ATOMIC_GROUP:
            if not _first(av, st):
                return False
            continue
        if op is _sre.BRANCH:
            empty = False
            for alt in av[1]:
                empty = _first(alt, st) or empty
            if not empty:
                return False
            continue
        if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT):
            lo, _hi, sub = av
            if not _first(sub, st) and lo > 0:
                return False
            continue
        st.any = True
        return False
    return True


def _starts(parsed) -> _Start:
    st = _Start()
    if _first(parsed, st):
        st.any = True  # a row that can match empty could start anywhere
    return st


def guarded_alternation(rows: list[str]) -> str:
    """The alternation of `rows`, in their order, behind a lookahead of the chars a row can
    start with, unless Python's search already skips to such chars by itself.

    `re` skips ahead only for a pattern that starts with literal chars or a class; an
    alternation of rows that open with groups or repeats has every branch tried at every
    position. Behind the lookahead, a position no row can start at fails at one class test.
    It only skips starts where every row would fail, so the matches are those of the
    plain alternation."""
    body = "|".join(f"(?:{row})" for row in rows)
    parsed = _sre_parse.parse(body)
    if not rows or _sre_compile._get_literal_prefix(parsed, parsed.state.flags)[0] \
            or _sre_compile._get_charset_prefix(parsed, parsed.state.flags):
        return body
    union = _ANY if parsed.state.flags & _sre.SRE_FLAG_IGNORECASE else _starts(parsed)
    return body if union.any else f"(?={union.char_class()})(?:{body})"


def _then(seq, follow: _Start) -> _Start:
    """What can come first after the start of `seq`: its first characters, and those of
    `follow` when `seq` can match empty."""
    st = _Start()
    if _first(seq, st):
        st.update(follow)
    return st


def _pairs(seq, follow: _Start) -> tuple[list[tuple[_Start, _Start]], bool]:
    """The (first, second) character pairs a match of `seq` can start with, `follow` being
    what may come after `seq`; and whether `seq` can match empty.

    Conservative like `_first`: lookarounds are skipped, anything not understood pairs any
    first character with any second one.
    """
    out: list[tuple[_Start, _Start]] = []
    for k, (op, av) in enumerate(seq):
        if op in (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT):
            continue
        after = _then(seq[k + 1:], follow)
        if op is _sre.LITERAL:
            st = _Start()
            st.chars.add(chr(av))
            out.append((st, after))
            return out, False
        if op is _sre.IN:
            st = _Start()
            _add_class(av, st)
            out.append((st, after))
            return out, False
        if op is _sre.SUBPATTERN and not av[1] & _sre.SRE_FLAG_IGNORECASE:
            pairs, empty = _pairs(av[3], after)
        elif op is _sre.ATOMIC_GROUP:
            pairs, empty = _pairs(av, after)
        elif op is _sre.BRANCH:
            pairs, empty = [], False
            for alt in av[1]:
                p, e = _pairs(alt, after)
                pairs += p
                empty = empty or e
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT):
            lo, hi, sub = av
            if hi == 0:
                continue
            again = after
            if hi > 1:  # after one round, another round or what follows
                again = _Start()
                _first(sub, again)
                again.update(after)
            pairs, empty = _pairs(sub, again)
            empty = empty or lo == 0
        else:
            return [*out, (_ANY, _ANY)], False
        out += pairs
        if not empty:
            return out, False
    return out, True


def _row_pairs(parsed) -> list[tuple[_Start, _Start]]:
    if parsed.state.flags & _sre.SRE_FLAG_IGNORECASE:
        return [(_ANY, _ANY)]
    pairs, empty = _pairs(parsed, _ANY)  # after the atom, anything
    return [*pairs, (_ANY, _ANY)] if empty else pairs


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
    # word -> from_days, to_days, value, future bounds, back_to (vague.tsv)
    vague: dict[str, tuple[int, int, str, tuple[int, int] | None, str | None]]
    parts: dict[str, tuple]  # word -> scope, a, b, c, d, suffix, granularity, vague
    plans: dict[str, tuple[int, int]]
    holidays: list[tuple[re.Pattern, str, str, int]]  # pattern, calendar, month/term, day
    durrel: dict[str, tuple[str, bool]]
    eras: dict[str, tuple[int, bool]]  # name -> first year, lunar months
    units: dict[str, str]  # duration or recurrence unit -> Y M W D Q TH TM TS
    tod: dict[str, str]  # part of the day -> TIMEX code
    weekdays: dict[str, int]  # weekday name after 周/星期 -> ISO weekday
    tails: dict[str, str]  # word after a count -> before, after, since, more, within
    clock_minutes: dict[str, int]  # 半, 一刻 -> minutes after the hour
    lunar_months: dict[str, int]  # 正, 腊 -> lunar month
    month_names: dict[str, int]  # 元 -> Gregorian month (元月)
    context: dict[str, re.Pattern]  # '!name' rows of patterns.tsv: cues around an atom
    splits: dict[str, list[tuple[re.Pattern | None, re.Pattern | None]]]  # word -> left, right
    rows: dict[str, PatternRow]  # atom name -> its row, in the order tried
    first: re.Pattern  # where an atom may start (`_scan`)
    atoms: re.Pattern  # every row, in order, one alternation (`_alternation`)
    # start char -> the alternation of the rows `atoms` can match there (`_rows_by_char`)
    atoms_at: dict[str, re.Pattern]
    era_start: re.Pattern  # where an era year starts (its first chars are too common for first)
    bodies: dict[str, str]  # row -> its named group; all of them, in order, are one alternation
    plausible_years: tuple[int, int]  # written years outside are no date (limits.tsv)
    ahead_days: int  # a day this many days after the reference is not pushed back (limits.tsv)
    ahead_days_month: int  # likewise for a day told with its month (limits.tsv)
    holiday_ahead_days: int  # a holiday without a year this many days ahead is the coming one
    weekday_ahead_days: int  # a day whose weekday fits next year's date, this near, is that one
    future_lag_days: int  # a future-cued bare day this many days before the reference is just past
    future_lag_days_month: int  # likewise for a future-cued day told with its month
    ahead_after_days: int  # how far ahead a day whose clause schedules its act may still fall


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
    """The tables of data/, loaded and checked once per process; their compiled regexes
    come from the previous process's when the patterns are the same (regexcache.py)."""
    cache = RegexCache(cache_file(DATA))
    loaded = load_tables(DATA, cache)
    cache.save()
    return loaded


_BACK_TO = re.compile(r"year|month-\d+")


def load_tables(data: Path, regexes: RegexCache | None = None) -> Tables:
    """The tables of one data folder, their patterns compiled through `regexes` (by default
    compiled afresh); TableError names the row that cannot work."""
    regexes = regexes or RegexCache(None)
    compile_regex = regexes.compile

    def _rows(name: str) -> list[list[str]]:
        return read_rows(data / name)

    numerals = {c: int(v) for c, v in _rows("numerals.tsv")}
    relative = {
        r[0]: (r[1], int(r[2]), r[3] == "1", r[4] if len(r) > 4 else "")
        for r in _rows("relative.tsv")
    }
    vague = {r[0]: (int(r[1]), int(r[2]), r[3],
                    (int(r[4]), int(r[5])) if len(r) > 5 and r[4] else None,
                    r[6] if len(r) > 6 and r[6] else None)
             for r in _rows("vague.tsv")}
    bad = [w for w, v in vague.items() if v[4] is not None and not _BACK_TO.fullmatch(v[4])]
    if bad:
        raise TableError(f"vague.tsv: back_to must be year or month-N, not for {', '.join(bad)}")
    parts = {}
    for r in _rows("parts.tsv"):
        r = r + [""] * (9 - len(r))
        parts[r[0]] = (r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8] == "1")
    plans = {r[0]: (int(r[1]), int(r[2])) for r in _rows("plans.tsv")}
    holidays = []
    for pat, cal, m, d in _rows("holidays.tsv"):
        holidays.append((compile_regex(pat), cal, m, int(d)))
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
    tail_rows = [r + [""] * (3 - len(r)) for r in _rows("tails.tsv")]
    tails = {r[0]: r[1] for r in tail_rows}
    bad = [r[0] for r in tail_rows if r[1] not in ("before", "after", "since", "more", "within")]
    if bad:
        raise TableError(f"tails.tsv: unknown meaning for {', '.join(bad)}")
    clock_minutes = {r[0]: int(r[1]) for r in _rows("clock_words.tsv")}
    lunar_months = {r[0]: int(r[1]) for r in _rows("lunar_months.tsv")}
    month_names = {r[0]: int(r[1]) for r in _rows("month_names.tsv")}
    context: dict[str, re.Pattern] = {}
    splits: dict[str, list[tuple[re.Pattern | None, re.Pattern | None]]] = {}
    for r in _rows("splits.tsv"):
        r = r + [""] * (3 - len(r))
        splits.setdefault(r[0], []).append((compile_regex(r[1]) if r[1] else None,
                                            compile_regex(r[2]) if r[2] else None))

    def rel(unit: str) -> str:
        return _alt(w for w, v in relative.items() if v[0] == unit)

    macros = {
        "REL_YEAR": rel("year"), "REL_MONTH": rel("month"), "REL_DAY": rel("day"),
        "REL_HALF": rel("half"), "REL_QUARTER": rel("quarter"), "REL_CENTURY": rel("century"),
        "REL_HOUR": rel("hour"),
        "WEEK_REL": rel("week"),
        "WEEK_PRE": _alt(w for w, v in relative.items() if v[0] in ("week", "weekpre")),
        "WEEKDAY": _alt(weekdays),
        "TOD": _alt(r[0] for r in tod_rows if r[2] != "1"),
        "TOD_SHORT": _alt(r[0] for r in tod_rows if r[2] == "1"),
        "UNIT": "|".join(re.escape(r[0]) + r[3] for r in
                         sorted((r for r in unit_rows if r[2] == "1"),
                                key=lambda r: len(r[0]), reverse=True)),
        "TAIL": "|".join(re.escape(r[0]) + r[2] for r in
                         sorted(tail_rows, key=lambda r: len(r[0]), reverse=True)),
        "CLOCK_MINUTES": _alt(clock_minutes),
        "LUNAR_MONTH": _alt(lunar_months),
        "MONTH_NAME": _alt(month_names),
        "ERA": _alt(eras),
        "ERA_FIRST": "".join(sorted({w[0] for w in eras})),
        # The reference moment itself (目前, 如今) has its own row, so its rule names it.
        "PRESENT": _alt(w for w, v in vague.items() if v[2] == "PRESENT_REF" and v[0] == v[1] == 0),
        # So is the moment right after it (马上, TIMEX3 FUTURE_REF): 马上一年半又要过去了 is
        # "soon", where 最近三年 is a span, not 最近 (the vague row's guard).
        "SOON": _alt(w for w, v in vague.items() if v[2] == "FUTURE_REF" and v[0] == v[1] == 0),
        "VAGUE": _alt(w for w, v in vague.items() if not (v[2] in ("PRESENT_REF", "FUTURE_REF") and v[0] == v[1] == 0)),
        "PART": _alt(w for w, v in parts.items() if len(w) > 1 and v[0] not in ("century", "decade")),
        "PLAN": _alt(plans),
        "HOLIDAY": "|".join(
            sorted((h[0].pattern for h in holidays),
                   key=lambda p: len(re.sub(r"\(\?[=!].*?\)", "", p)), reverse=True)
        ),
    }
    lookups: dict[str, dict] = {"u": units, "t": tod, "ts": tod, "wd": weekdays,
                                "w": {**relative, **vague}, "tail": tails, "mw": clock_minutes,
                                "mn": month_names}
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
            context[name[1:]] = compile_regex(pattern)
            continue
        # Prefix inner group names so all atoms fit in one alternation.
        pattern = re.sub(r"\(\?P<(\w+)>", rf"(?P<{name}__\1>", pattern)
        pattern = re.sub(r"\(\?P=(\w+)\)", rf"(?P={name}__\1)", pattern)
        names.append(name)
        bodies.append(f"(?P<{name}>{pattern})")
    row_bodies = dict(zip(names, bodies, strict=True))
    prefixes = sorted({w for w in words_first if w[0] not in first})
    analysis = lru_cache(maxsize=1)(lambda: _analyse(row_bodies))
    # Both are built from the parsed rows (~20 ms) by this module's code; the cache keeps
    # them for the same rows and the same code.
    inputs = [_SOURCE_DIGEST, *bodies]
    atoms = regexes.compile_derived("\x1f".join(inputs), lambda: _alternation(row_bodies, analysis()[0]))
    first_rx = regexes.compile_derived("\x1f".join([*inputs, "".join(sorted(first)), *prefixes]),
                                       lambda: _scan(first, prefixes, analysis()[1]))
    # At a char the scan visits, `atoms` walks all ~50 rows and fails most at their guards;
    # the alternation of only the rows whose guard admits that char gives the same match
    # ~40% faster. The ~70 distinct row sets compile once into the regex cache.
    start_chars = sorted(first | {w[0] for w in prefixes} | {w[0] for w in eras})
    by_char = regexes.derived("\x1f".join([*inputs, "by_char", *start_chars]),
                              lambda: _rows_by_char(row_bodies, analysis()[0], start_chars))
    never = compile_regex("(?!)")
    atoms_at = {}
    for entry in by_char.split("\x1e"):
        ch, names = entry[0], entry[1:].split()
        atoms_at[ch] = compile_regex("|".join(row_bodies[n] for n in names)) if names else never
    # Era names start with everyday characters (成, 民, 开, 光); trying the big alternation at
    # each of those costs ~15% of the scan, so one C-level search finds the few era years.
    era_start = compile_regex(f"(?:{_alt(eras)})" + r"\s?(?:元|\d{1,3}|[一二三四五六七八九十廿]+)\s?年")
    return Tables(numerals, relative, vague, parts, plans, holidays, durrel, eras, units, tod,
                  weekdays, tails, clock_minutes, lunar_months, month_names, context, splits, rows, first_rx,
                  atoms, atoms_at, era_start, row_bodies, plausible_years(data), _limit(data, "ahead_days"),
                  _limit(data, "ahead_days_month"), _limit(data, "holiday_ahead_days"),
                  _limit(data, "weekday_ahead_days"), _limit(data, "future_lag_days"),
                  _limit(data, "future_lag_days_month"), _limit(data, "ahead_after_days"))


def _limit(data: Path, name: str) -> int:
    return int(next(r for r in read_rows(data / "limits.tsv") if r[0] == name)[1])


def _analyse(bodies: dict[str, str]) -> tuple[dict[str, _Start], dict[str, list[tuple[_Start, _Start]]]]:
    """Each row's start chars and (first, second) char pairs, from its parsed pattern."""
    starts, pairs = {}, {}
    for name, body in bodies.items():
        parsed = _sre_parse.parse(body)
        starts[name], pairs[name] = _starts(parsed), _row_pairs(parsed)
    return starts, pairs


def _alternation(bodies: dict[str, str], starts: dict[str, _Start]) -> str:
    """The alternation of every row, in the rows' order, each behind a lookahead of the
    chars it can start with.

    Python tries every branch of an alternation in turn; a row that cannot start with the
    char at hand fails at its lookahead instead of inside its body. The scan costs about
    what one alternation per start char costs (~5% more), and the one regex compiles ~4x
    faster than those 50 (when the regex cache cannot serve it, every process compiles it). Same
    rows, same order, same group names: the match is the one the plain alternation of all
    the rows gives.
    """
    return "|".join(body if starts[name].any else f"(?={starts[name].char_class()}){body}"
                    for name, body in bodies.items())


def _rows_by_char(bodies: dict[str, str], starts: dict[str, _Start], chars: list[str]) -> str:
    """For each char, the rows whose guard in `_alternation` admits it (unguarded rows
    always), in the rows' order: at a position holding that char, the alternation of just
    these rows' bodies gives the match of the guarded alternation of all, the others failing
    at their guards. One entry per char, "\x1e" between: the char, then the names."""
    guards = {name: re.compile(st.char_class()) for name, st in starts.items() if not st.any}
    entries = []
    for ch in chars:
        names = [name for name in bodies if name not in guards or guards[name].fullmatch(ch)]
        entries.append(ch + " ".join(names))
    return "\x1e".join(entries)


def _scan(first: set[str], prefixes: list[str], pairs: dict[str, list[tuple[_Start, _Start]]],
          ) -> str:
    """The regex whose matches are the positions worth trying the rows at.

    A char of @FIRST is visited only before a char some row can follow it with (一 before
    年 or 个, not before 些 or 直): the pairs come from the rows themselves, so a position
    left out is one where every row would fail. A table word's prefix (不久, 国庆) is
    visited where the prefix stands. Every branch starts with its literal char, so the C
    search skips from one candidate char to the next; a match is that one char, so the
    chars inside a prefix are visited too (同一年 holds 一年).
    """
    follows = {c: _Start() for c in first}  # what some row can follow c with
    for head, second in (pair for row_pairs in pairs.values() for pair in row_pairs):
        plain = not (head.any or head.ranges or head.digit or head.space)
        for c in (head.chars & first if plain else (c for c in first if head.admits(c))):
            follows[c].update(second)
    branches = []
    for c, then in sorted(follows.items()):
        if then.any:
            branches.append(re.escape(c))
        elif then.chars or then.ranges or then.digit or then.space:
            branches.append(f"{re.escape(c)}(?={then.char_class()})")
    by_char: dict[str, set[str]] = {}
    for w in prefixes:
        by_char.setdefault(w[0], set()).add(w[1:])
    for c, rests in sorted(by_char.items()):
        branches.append(re.escape(c) if "" in rests else
                        f"{re.escape(c)}(?={'|'.join(map(re.escape, sorted(rests)))})")
    return "|".join(branches)


def plausible_years(data: Path = DATA) -> tuple[int, int]:
    """The window of years a text may date something in: limits.tsv, or the environment's
    TIMELINE_PLAUSIBLE_YEARS=lo-hi."""
    if env := os.environ.get("TIMELINE_PLAUSIBLE_YEARS"):
        lo, sep, hi = env.partition("-")
        if not (sep and lo.strip().isdigit() and hi.strip().isdigit()):
            raise ValueError(f"TIMELINE_PLAUSIBLE_YEARS must look like 1800-2200, not {env!r}")
        return int(lo), int(hi)
    row = next(r for r in read_rows(data / "limits.tsv") if r[0] == "plausible_years")
    return int(row[1]), int(row[2])
