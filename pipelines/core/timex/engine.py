"""Atoms -> chains -> ranges -> resolved TimeMentions.

One compiled alternation finds atoms (year, month, day, relative word, clock, ...) on the
normalized Simplified copy; adjacent atoms in calendar order chain into one expression
(今年 + 5月, 16日 + 上午 + 10时30分), two chains joined by 至/到/- form a range, and each
expression is resolved against the reference with the news rule: an underspecified date
is the latest such date not after the reference, unless a future cue precedes it.
"""

from __future__ import annotations

import bisect
import calendar
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from functools import lru_cache

from ..model import TimeMention
from ..script import to_simplified
from .numerals import to_int
from .tables import DATA, PatternRow, TableError, Tables, tables

# Full-width digits and separators to ASCII, one char for one char so offsets stay.
_NORM = str.maketrans("０１２３４５６７８９：－～／　", "0123456789:-~/ ")
_NEEDS_NORM = re.compile("[０-９：－～／　]")
_TITLE_MARK = re.compile("[《》]")

# lunar-python keys the terms of the following Gregorian year by pinyin.
_TERM_ALIAS = {"冬至": "DONG_ZHI", "小寒": "XIAO_HAN", "大寒": "DA_HAN", "立春": "LI_CHUN",
               "雨水": "YU_SHUI", "惊蛰": "JING_ZHE", "大雪": "DA_XUE"}
# 自3月1日起至12月31日: a start word may sit between the first point and 至.
_RANGE_SEP = re.compile(r"\s*(?:(?:起|开始)\s*[，,]?\s*)?(?:至|到|-|–|—|——|~|－)\s*")
# A和B之间: a range whose end is named by 之间 after the second point.
_BETWEEN_SEP = re.compile(r"\s*(?:和|与|跟|同)\s*")
_BETWEEN_END = re.compile(r"\s*(?:的)?(?:之间|间)")
# 三年零六个月, 1小时30分钟: one duration in several units.
_DUR_JOIN = re.compile(r"\s*(?:零|又)?\s*")
_CHAIN_GAP = re.compile(r" *(?:的)? *")
_WEEK_GAP = re.compile(r"[ ，,（(]{0,2}")
# Chain level of a part of a period, by what it cuts: 年底 after the year, 季末 after the
# quarter, 上旬 after the month, 上半周 after the week.
_PART_LEVEL = {"year": 2, "quarter": 3, "month": 4, "week": 6}
# 六七年, 三四天: two consecutive spelled digits are an approximate count, not 67 or 34.
_APPROX_PAIR = re.compile("一二|二三|三四|四五|五六|六七|七八|八九")
_CLAUSE_START = re.compile(r"(?:^|[，。；：、,.;:!?！？\n“”\"「」（）()]\s*|\s)$")
_POINT_OK = re.compile(r"钟|整|半|许|左右|前后|以前|以后|之前|之后|前|后|起|开始|至|到|-|[，。、,.;；\s]|$")


class Atom:
    __slots__ = ("start", "end", "kind", "prod", "src", "m", "lo", "hi")

    def __init__(self, start: int, end: int, row: PatternRow, m: re.Match | None):
        self.start, self.end, self.m = start, end, m
        self.kind = self.src = row.name
        self.prod = row.production
        self.lo, self.hi = row.levels or (None, None)

    def g(self, name: str) -> str | None:
        if self.m is None:
            return None
        try:
            return self.m.group(f"{self.src}__{name}")
        except IndexError:  # productions shared by rows that lack some groups (ordinals)
            return None


class Res:
    __slots__ = ("value", "earliest", "latest", "gran", "vague", "type", "note", "day")

    def __init__(self, value, earliest, latest, gran, vague=False, type_="DATE", note=""):
        self.value, self.earliest, self.latest = value, earliest, latest
        self.gran, self.vague, self.type, self.note = gran, vague, type_, note
        # The day 三年前的今天 names: the one three years back; 九年后的今天 in news is today,
        # nine years after what the story tells (直至九年后的今天，依然没有…).
        self.day: date | None = None


class _Frame:
    """What a chain's fields say of its year, month, day and quarter, relative words counted."""

    __slots__ = ("year", "year_vague", "month", "day", "quarter", "future", "start")

    def __init__(self, year: int | None, year_vague: bool, month: int | None, day: int | None,
                 quarter: int | None, future: bool, start: int):
        self.year, self.year_vague, self.month, self.day = year, year_vague, month, day
        self.quarter, self.future, self.start = quarter, future, start


# How far (characters) a date with its own year lends that year to a yearless month after it.
_STORY_YEAR_REACH = 400
_STORY_DAYS = 31
_STORY_MONTH_RECENT = 92  # how old a named day may be and still lend its month to a day alone
_OLD_STORY_NEXT_DAYS = 7  # how far after an older named day a day alone still continues its story
_SENTENCE_END = re.compile(r"[。！？!?；;]")
_FULL_STOP = re.compile(r"[。！？!?\n]")
_NAMES_MONTH = {"y", "m", "rel_year", "rel_month", "rel_day", "week", "lunar"}  # fields beyond a day alone
_ENTRY_OPENERS = "。！？!?；;\n"  # what ends the sentence before a chronology's dated entry
_FUTURE_REACH = 10  # how far before a date its future cue ends (将于, 定于当地时间: chars)
_FORECAST_REACH = 80  # how far back in its sentence a forecast's cue reaches (chars)

def _this_period(f: dict) -> bool:
    """Fields that name only the reference's own year, half, quarter, month or week (今年,
    这个半年, 本季度, 本月, 本周: offset 0, not anaphoric, no part, day or ordinal)."""
    if len(f) != 1:
        return False
    key, val = next(iter(f.items()))
    if key == "week":
        return val == (0, None)
    if key == "rel_half":
        return val == 0
    return key in ("rel_year", "rel_quarter", "rel_month") and val == (0, False)


# ---------------------------------------------------------------- date helpers

def _full_year(y: int) -> int:
    # Two-digit years (08年, 12-11-10): 50 and later are the 1900s.
    return y + (1900 if y >= 50 else 2000) if y < 100 else y


def _last_day(y: int, m: int) -> int:
    return calendar.monthrange(y, m)[1]


def _safe_date(y: int, m: int, d: int) -> date | None:
    if not (1 <= y <= 9999 and 1 <= m <= 12 and 1 <= d <= _last_day(y, m)):
        return None
    return date(y, m, d)


def _add_months(y: int, m: int, k: int) -> tuple[int, int]:
    n = y * 12 + (m - 1) + k
    return n // 12, n % 12 + 1


def _shift(d: date, unit: str, n: float) -> date | None:
    try:
        if unit == "Y":
            y = d.year + int(n)
            return date(y, d.month, min(d.day, _last_day(y, d.month)))
        if unit in ("M", "Q"):
            y, m = _add_months(d.year, d.month, int(n * (3 if unit == "Q" else 1)))
            return date(y, m, min(d.day, _last_day(y, m)))
        if unit == "W":
            return d + timedelta(weeks=n)
        if unit == "D":
            return d + timedelta(days=n)
        return d  # hours, minutes, seconds: still the reference day
    except (ValueError, OverflowError):
        return None


@lru_cache(maxsize=1)
def _lunar_table() -> tuple[dict[tuple[int, int], tuple[date, int]],
                            dict[tuple[int, str], date | None]]:
    """data/lunar.tsv: lunar month starts and lengths, solar-term dates (from lunar-python).

    lunar-python computes each year astronomically, ~10 ms a year and again in every worker
    process; a news corpus mentions dozens of years, so the table keeps that off the scan.
    """
    months: dict[tuple[int, int], tuple[date, int]] = {}
    terms: dict[tuple[int, str], date | None] = {}
    for line in (DATA / "lunar.tsv").read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        kind, y, *cells = line.split("\t")
        if kind == "lunar":
            for m, cell in enumerate(cells, 1):
                first, n = cell.split("/")
                months[int(y), m] = (date.fromisoformat(first), int(n))
        else:
            for cell in cells:
                name, d = cell.split("=")
                terms[int(y), name] = None if d == "-" else date.fromisoformat(d)
    return months, terms


@lru_cache(maxsize=4096)
def _lunar_to_solar(y: int, m: int, d: int) -> date | None:
    months = _lunar_table()[0]
    hit = months.get((y, m))
    if hit is None:
        return _lunar_to_solar_astro(y, m, d)
    first, n = hit
    return first + timedelta(days=d - 1) if 1 <= d <= n else None


def _lunar_to_solar_astro(y: int, m: int, d: int) -> date | None:
    from lunar_python import Lunar  # lazy: only years outside data/lunar.tsv pay for it

    try:
        s = Lunar.fromYmd(y, m, d).getSolar()
        return date(s.getYear(), s.getMonth(), s.getDay())
    except Exception:  # lunar-python raises plain Exceptions for impossible days
        return None


@lru_cache(maxsize=4096)
def _holiday_date(y: int, cal: str, m: str, d: int) -> date | None:
    if cal == "term":
        terms = _lunar_table()[1]
        if (y, m) in terms:
            return terms[y, m]
    return _holiday_date_astro(y, cal, m, d)


def _holiday_date_astro(y: int, cal: str, m: str, d: int) -> date | None:
    if cal == "solar":
        return _safe_date(y, int(m), d)
    if cal == "nth":
        month, weekday, n = (int(v) for v in m.split("."))
        if not 1 <= y <= 9999:
            return None
        first = date(y, month, 1)
        day = first + timedelta(days=(weekday - 1 - first.weekday()) % 7 + 7 * (n - 1))
        return day if day.month == month else None
    if cal == "lunar":
        return _lunar_to_solar(y, int(m), d)
    if cal == "eve":
        # 2021年除夕 is the eve before the 2021 Spring Festival, in February 2021.
        first = _lunar_to_solar(y, 1, 1)
        return first - timedelta(days=1) if first else None
    if cal == "term":
        from lunar_python import Solar

        try:
            # A lunar year's table spans two Gregorian years; keep the term in year y.
            for probe in (6, 12):
                table = Solar.fromYmd(y, probe, 1).getLunar().getJieQiTable()
                s = table.get(m)
                if s is None or s.getYear() != y:
                    s = table.get(_TERM_ALIAS.get(m, ""))
                if s is not None and s.getYear() == y:
                    return date(s.getYear(), s.getMonth(), s.getDay())
            return None
        except Exception:
            return None
    return None


def _fmt_time(h: int | None, mi: int | None, s: int | None, tod: str | None) -> str:
    if h is None:
        return "T" + tod if tod else ""
    out = f"T{h:02d}"
    if mi is not None:
        out += f":{mi:02d}"
        if s is not None:
            out += f":{s:02d}"
    return out


def _join_durations(a: Res, b: Res) -> Res | None:
    """P3Y + P6M -> P3Y6M, PT1H + PT30M -> PT1H30M; None unless b's unit is smaller."""
    if a.vague or b.vague or not a.value.startswith("P") or not b.value.startswith("P"):
        return None

    def parts(v: str) -> list[tuple[str, str]]:
        out, timed = [], False
        for t, num, unit in re.findall(r"(T?)([\d.]+)([YMWDHS])", v[1:]):
            timed = timed or bool(t)
            out.append((num, unit + ("t" if timed else "")))
        return out

    pa, pb = parts(a.value), parts(b.value)
    order = ["Y", "M", "W", "D", "Ht", "Mt", "St"]
    if not pa or not pb or order.index(pb[0][1]) <= order.index(pa[-1][1]):
        return None
    date_p = "".join(n + u for n, u in pa + pb if not u.endswith("t"))
    time_p = "".join(n + u[0] for n, u in pa + pb if u.endswith("t"))
    return Res("P" + date_p + ("T" + time_p if time_p else ""), None, None, "duration", False,
               "DURATION")


# ---------------------------------------------------------------- extraction

class _Extractor:
    def __init__(self, text: str, reference: datetime | date | None,
                 range_end: str = "inclusive"):
        self.text = text
        self.exclusive = range_end == "exclusive"
        norm = to_simplified(text)
        # str.translate walks every char in Python's slow path, ~100x a str.replace of the
        # few full-width chars a text holds (most news holds none).
        for ch in set(_NEEDS_NORM.findall(norm)):
            norm = norm.replace(ch, ch.translate(_NORM))
        self.norm = norm
        # Where titles open and close (《…》), found once: a date inside one anchors no story.
        self.title_marks = [m.start() for m in _TITLE_MARK.finditer(norm)] if "《" in norm else []
        # The clock of the reference matters only to words that count hours (上个小时).
        self.ref_moment: datetime | None = reference if isinstance(reference, datetime) else None
        if isinstance(reference, datetime):
            reference = reference.date()
        self.ref: date | None = reference
        self.t = _checked_tables()
        self.anchor_day: date | None = None
        # the month 当月, 同月 and 次月 count from: of the last day or month the text named
        # (2022年7月，…当月中旬 is mid-July, not the reference's month)
        self.anchor_month: date | None = None
        self.anchor_year: int | None = None
        # The year of the last time told on the calendar (a day, a month or a year: 2010年,
        # 2018年5月), where it ends, and whether its year is written: what a count of years
        # after it (三年后) is counted from, and the year of a part of the year told after it.
        self.anchor_point: tuple[int, int, bool] | None = None
        # The last date that wrote its own year (2021年7月17日), and where it ended: a month
        # and day without a year later in its paragraph continue that story's year.
        # (end, first day, last day, whether it opens a dated entry: `_opens_entry`)
        self.story_date: tuple[int, date, date, bool] | None = None
        self.story_hit = False  # the mention being resolved took its year from the story
        # Each day alone (18日) as last read, by its number: told again, it is the same day.
        self.bare_days: dict[int, date] = {}
        # The last day named with its month (4月14日), and where it ended: a day alone (13日)
        # just after it in its paragraph is that story's day, not the reference month's.
        self.named_day: tuple[int, date] | None = None
        # The last single day told (25日), and where it ended: a day joined to it (25日和26日)
        # is in its month.
        self.last_day: tuple[int, date] | None = None
        self.future_at: dict[int, bool] = {}  # start -> whether a cue puts it ahead (_future)
        self.sentence_ends: list[int] | None = None  # after each sentence's last char, once needed

    # atoms ---------------------------------------------------------------
    def atoms(self) -> list[Atom]:
        out: list[Atom] = []
        norm, pos = self.norm, 0
        atoms_at, all_atoms = self.t.atoms_at, self.t.atoms
        rows, splits = self.t.rows, self.t.splits
        # Try the big alternation only where an atom can start: a C-level char-class scan
        # skips the rest of the text, several times faster than finditer on the alternation.
        starts = [c.start() for c in self.t.first.finditer(norm)]
        eras = [m.start() for m in self.t.era_start.finditer(norm)]
        if eras:
            starts = sorted({*starts, *eras})
        for i in starts:
            if i < pos:
                continue
            m = atoms_at.get(norm[i], all_atoms).match(norm, i)
            if m is None:
                continue
            kind = m.lastgroup
            if m.group(kind) in splits and self._split(m.group(kind), i, m.end()):
                continue  # 说明|日本: try again inside the word
            pos = m.end()
            a = Atom(m.start(), m.end(), rows[kind], m)
            if a.prod == "numeric_date" and a.g("h"):
                a.hi = 8
            elif a.prod == "part":
                scope = self.t.parts[self._part_word(a)][0]
                a.lo = a.hi = _PART_LEVEL[scope]
            elif kind == "mdy" and not a.g("y") and not self._md_ok(a):
                continue
            if a.prod == "year" and not self._year_ok(a):
                a.kind, a.prod, a.lo, a.hi = "dur_year", "duration", None, None
            out.append(a)
        return out

    @staticmethod
    def _part_word(a: Atom) -> str:
        return a.g("p") or a.g("ps") or ("月" + a.g("pm") if a.g("pm") else "季" + a.g("pq"))

    def _split(self, word: str, start: int, end: int) -> bool:
        rows = self.t.splits.get(word)
        if not rows:
            return False
        norm = self.norm
        return any((left is None or (start > 0 and left.fullmatch(norm, start - 1, start))) and
                   (right is None or right.match(norm, end)) for left, right in rows)

    def _md_ok(self, a: Atom) -> bool:
        # 12/1 without a year: a date only beside a date cue or alone on its line.
        norm, ctx = self.norm, self.t.context
        if ctx["md_pre"].search(norm, max(0, a.start - 8), a.start) or \
                ctx["md_post"].match(norm, a.end):
            return True
        line_start = norm.rfind("\n", 0, a.start) + 1
        line_end = norm.find("\n", a.end)
        return not norm[line_start:a.start].strip() and \
            not norm[a.end:len(norm) if line_end < 0 else line_end].strip()

    def _year_ok(self, a: Atom) -> bool:
        y = a.g("y")
        if len(y) != 2:
            return True
        # Two-digit years (08年, 18年10月) versus counts of years (30年): a year when it
        # starts with 0 or 9, or a month or a part of the year follows (22年初). Spelled
        # ones (八五年) are years; the pattern leaves 七八年, "seven or eight years", alone.
        if not y.isdigit() or y[0] in "09":
            return True
        return self.t.context["year2_post"].match(self.norm, a.end) is not None

    # chains --------------------------------------------------------------
    def chains(self, atoms: list[Atom]) -> list[list[Atom]]:
        chains: list[list[Atom]] = []
        cur: list[Atom] = []
        for a in atoms:
            if cur and cur[-1].prod == "lunar_prefix" and len(cur) > 1 and \
                    (a.lo is None or a.lo < 3 or a.start > cur[-1].end + 1):
                cur.pop()  # 今年农历新年: 农历 names no month here, so it is no part of 今年
            if a.lo is None:
                if cur:
                    chains.append(cur)
                    cur = []
                chains.append([a])
                continue
            if cur and a.prod == "lunar_prefix" and cur[-1].hi < 3 and \
                    _CHAIN_GAP.fullmatch(self.norm, cur[-1].end, a.start):
                a.lo = a.hi = cur[-1].hi  # 2015年农历正月初一: the calendar of what follows
                cur.append(a)
                continue
            if cur and a.lo > cur[-1].hi:
                gap = self.norm[cur[-1].end:a.start]
                rx = _WEEK_GAP if a.kind == "week" else _CHAIN_GAP
                if rx.fullmatch(gap):
                    if a.prod == "part" and not self._part_fits(a, cur[-1]):
                        continue  # 2020年上旬: no month to cut, and not the reference's
                    cur.append(a)
                    continue
            if cur:
                chains.append(cur)
            cur = [a]
        if cur and cur[-1].prod == "lunar_prefix" and len(cur) > 1:
            cur.pop()
        if cur:
            chains.append(cur)
        return chains

    @staticmethod
    def _part_fits(part: Atom, prev: Atom) -> bool:
        # 上旬 and 上半周 name days of a month or week: 2020年上旬 has no month to cut, so
        # the part is dropped rather than read as the reference month's.
        if part.lo == 4:
            return prev.hi == 3
        if part.lo == 3:
            return prev.prod == "quarter" or prev.kind == "relquarter"
        return part.lo != 6

    # resolution of one chain ---------------------------------------------
    def fields(self, chain: list[Atom], second: bool = False) -> dict | None:
        """The calendar fields a chain of atoms names, each atom read by its production."""
        f: dict = {}
        for a in chain:
            if not _CHAIN[a.prod](self, a, f, chain, second):
                return None
        return f

    def _clock(self, a: Atom, chain: list[Atom]) -> tuple | None:
        if a.g("h2") is not None:
            h, mi = int(a.g("h2")), int(a.g("m2"))
            s = int(a.g("s2")) if a.g("s2") else None
            ap = (a.g("ap") or "").lower()
            if ap.startswith("p") and h < 12:
                h += 12
            return h, mi, s
        h = to_int(a.g("h"))
        if h is None or h > 24:
            return None
        mi = None
        if a.g("mi2") and a.g("h") in ("零", "〇"):
            return None  # 零点二十 is 0.20 read aloud
        if a.g("mi") or a.g("mi2"):
            mi = to_int(a.g("mi") or a.g("mi2"))
        elif a.g("mw"):
            mi = self.t.clock_minutes[a.g("mw")]
        s = int(a.g("s")) if a.g("s") else None
        if mi is not None and mi > 59:
            return None
        alone = chain.index(a) == 0
        if alone and mi is None and not a.g("zh"):
            # 一点, 两点, 3点建议: a bare number before 点/时 is rarely a clock time; 十点
            # is one after 大约/在 or before 之后/左右, 零点 unless a decimal follows.
            if not a.g("h").isdigit():
                ctx = self.t.context
                if a.g("h") in ("零", "〇"):
                    if re.match(r"[\d〇零一二三四五六七八九]", self.norm[a.end:a.end + 1]) \
                            or ctx["zero_name"].match(self.norm, a.end):
                        return None  # 零点五 is 0.5; 零点研究 a firm
                    return 0, None, s
                if h <= 2 or not (ctx["clock_post"].match(self.norm, a.end) or
                                  ctx["clock_pre"].search(self.norm, max(0, a.start - 4),
                                                          a.start)):
                    return None
                return h, mi, s
            if a.g("cu") == "点" and not _POINT_OK.match(self.norm, a.end):
                return None
        return h, mi, s

    def _future(self, start: int) -> bool:
        # Asked again for the same start (a chain's frame, its so-far reading, a range's ends).
        hit = self.future_at.get(start)
        if hit is None:
            hit = self.future_at[start] = self._future_cue(start)
        return hit

    def _future_cue(self, start: int) -> bool:
        if self.t.context["future"].search(self.norm, max(0, start - _FUTURE_REACH), start) is not None:
            return True
        # 据预测，台风可能登陆台湾，之后于28日登陆福建: a forecast's sentence speaks of days to come
        lo = max(0, start - _FORECAST_REACH)
        if self.sentence_ends is None:
            # Where each sentence ends, found once: a search of the window before every chain
            # walked its ~80 chars again for each.
            self.sentence_ends = [m.end() for m in _SENTENCE_END.finditer(self.norm)]
        k = bisect.bisect_right(self.sentence_ends, start) - 1
        cut = self.sentence_ends[k] if k >= 0 and self.sentence_ends[k] > lo else lo
        line = self.norm.rfind("\n", cut, start)
        return self.t.context["forecast"].search(self.norm, max(cut, line + 1), start) is not None

    def resolve(self, f: dict, start: int) -> Res | None:
        """The calendar reading of a chain's fields: the frame (year, month, day) first, then
        the one driver the fields call for (a relative day, a holiday, a month, a day, a
        week, a year, a part of a period, a time alone), then ordinals and the clock."""
        self.story_hit = False
        try:
            return self._resolve(f, start)
        except (ValueError, OverflowError):
            return None  # past the calendar's ends (下个月 in December 9999): no reading

    def _resolve(self, f: dict, start: int) -> Res | None:
        frame = self._frame(f, start)
        if not isinstance(frame, _Frame):
            return frame  # unresolvable, or resolvable only as a form (XXXX-05)
        for applies, driver in _DRIVERS:
            if applies(f, frame):
                res, final = driver(self, f, frame)
                break
        else:
            return None
        if res is None or final:
            return res
        if "ord" in f:
            res = self._ordinal(res, f["ord"])
            if res is None:
                return None
        tod, clock = f.get("tod"), f.get("clock")
        if (tod is not None or clock is not None) and res.gran == "day":
            h, mi, s = clock if clock else (None, None, None)
            h = self._hour_for_tod(h, tod)
            res.value += _fmt_time(h, mi, s, tod)
            res.type, res.gran = "TIME", "time"
        return res

    def _frame(self, f: dict, start: int) -> _Frame | Res | None:
        """Year, month, day and quarter as the fields name them, relative words counted."""
        ref = self.ref
        year = f.get("y")
        lo_year, hi_year = self.t.plausible_years
        if year is not None and not lo_year <= year <= hi_year and not f.get("lunar_year"):
            return self._implausible(year, f.get("m"), f.get("d"))
        year_vague = False
        if year is None and "rel_year" in f:
            off, ana = f["rel_year"]
            base = self.anchor_year if ana else (ref.year if ref else None)
            if ana and base is None:
                return None  # 當年 with nothing to refer to: "back then"
            year = base + off if base is not None else None
            if year is None:
                year_vague = True
        month = f.get("m")
        if month is None and "rel_month" in f:
            off, ana = f["rel_month"]
            base_d = self.anchor_month if ana and self.anchor_month else ref
            if base_d is None:
                return self._unresolved(f, "XXXX-XX")
            if year is not None and off == 0:
                month = base_d.month  # 去年本月: the named year's month of the reference
            else:
                year, month = _add_months(base_d.year, base_d.month, off)
        quarter = f.get("quarter")
        if quarter is None and "rel_quarter" in f:
            if ref is None:
                return self._unresolved(f, "XXXX")
            n = ref.year * 4 + (ref.month - 1) // 3 + f["rel_quarter"][0]
            year, quarter = n // 4, n % 4 + 1
        return _Frame(year, year_vague, month, f.get("d"), quarter, self._future(start), start)

    # drivers: each returns (reading, final); a final reading takes no ordinal or clock
    def _drive_half(self, f: dict, fr: _Frame) -> tuple[Res | None, bool]:
        ref = self.ref
        if ref is None:
            return None, True
        h = (ref.month - 1) // 6 + f["rel_half"]
        y, m = _add_months(ref.year, 1, 6 * h)
        a_d, b_d = date(y, m, 1), date(y, m + 5, _last_day(y, m + 5))
        return Res(f"{y:04d}-H{m // 6 + 1}", a_d, b_d, "half"), True

    def _drive_relative_day(self, f: dict, fr: _Frame) -> tuple[Res | None, bool]:
        off, ana = f["rel_day"]
        base = self.anchor_day if ana and self.anchor_day else self.ref
        if ana and self.anchor_day is None:
            # 次日, 第二天 with no day before them: the day after some day the text does not
            # give, never the day after publication (news says 明天 for that); and 当天, 事发
            # 当晚, 同一天 likewise name the day of something told, not the publication day
            # (news says 今天): no key act of the 14 tuning golds was dated right so
            base = None
        if base is None:
            return self._unresolved(f, "XXXX-XX-XX"), True
        if not ana and (fr.year is not None or fr.month is not None) and \
                base is self.ref and not fr.year_vague:
            # 去年的今天, 上个月的今天: the day counted from the reference's, in the named year
            # or month (the 29th of a February without one is its last day).
            d = base + timedelta(days=off)
            y = fr.year if fr.year is not None else d.year
            m = fr.month if fr.month is not None else d.month
            d = date(y, m, min(d.day, _last_day(y, m)))
        else:
            d = base + timedelta(days=off)
        return Res(d.isoformat(), d, d, "day"), False

    def _drive_holiday(self, f: dict, fr: _Frame) -> tuple[Res | None, bool]:
        ref, year = self.ref, fr.year
        cal, hm, hd = f["holiday"]
        if year is None:
            if ref is None:
                return self._unresolved(f, "XXXX-XX-XX"), True
            year = ref.year
            d = _holiday_date(year, cal, hm, hd)
            # news names a holiday ahead of it (五一假期 in a report of 4月25日, 春节 in one of
            # 1月10日) far more often than a year after it: within limits.tsv's
            # holiday_ahead_days it is the coming one
            if d is not None and not fr.future and d > ref + timedelta(days=self.t.holiday_ahead_days):
                d = _holiday_date(year - 1, cal, hm, hd)
            elif d is not None and not fr.future and d < ref and (
                    coming := _holiday_date(year + 1, cal, hm, hd)) is not None and \
                    coming <= ref + timedelta(days=self.t.holiday_ahead_days):
                d = coming  # 元旦 said on 12月9日: the coming one, across the year's end as within a year
            elif d is not None and fr.future and d < ref:
                d = _holiday_date(year + 1, cal, hm, hd)
        else:
            # An era counts lunar years: 雍正四年大年三十 closes that lunar year, so it
            # falls before the next year's Spring Festival.
            d = _holiday_date(year + (cal == "eve" and "lunar_year" in f), cal, hm, hd)
        return (Res(d.isoformat(), d, d, "day") if d else None), False

    def _drive_month(self, f: dict, fr: _Frame) -> tuple[Res | None, bool]:
        ref, year, month, day, future = self.ref, fr.year, fr.month, fr.day, fr.future
        if not 1 <= month <= 12:
            return None, True
        lunar = f.get("lunar", False)
        # lunar-python numbers a leap month negative: 闰二月 is -2.
        lm = -month if f.get("leap") else month
        if year is None:
            if ref is None or fr.year_vague:
                if day is not None:
                    if _safe_date(2000, month, day) is None:
                        return None, True
                    return self._unresolved(f, f"XXXX-{month:02d}-{day:02d}"), True
                return self._unresolved(f, f"XXXX-{month:02d}"), True
            year = self._story_year(month, day, fr.start, f.get("end")) if not future and not lunar else None
            if year is None:
                year = self._year_for_month(month, day, lm if lunar else None, future,
                                            day is not None and not lunar and "end" in f
                                            and self.t.context["ahead_after"].match(self.norm, f["end"]) is not None)
            if day is not None and not lunar:
                week = f.get("week") or self._weekday_before(fr.start)
                year = _year_of_weekday(year, month, day, week, ref, self.t.weekday_ahead_days)
        if day is None:
            return self._whole_month(f, year, month, lm if lunar else None), False
        d = _lunar_to_solar(year, lm, day) if lunar else _safe_date(year, month, day)
        if d is None and lunar and day == 30 and year != f.get("y"):
            # 正月三十 without a year: the nearest year whose month has 30 days.
            for k in range(1, 6):
                d = _lunar_to_solar(year + (k if future else -k), lm, day)
                if d:
                    break
        if d is None and year != f.get("y") and not lunar and month == 2 and day == 29:
            # 2月29日 without a year: the latest leap year (news looks back).
            for k in range(1, 8):
                d = _safe_date(year - k, 2, 29)
                if d:
                    break
        return (Res(d.isoformat(), d, d, "day") if d else None), False

    def _weekday_before(self, start: int) -> tuple | None:
        """周六（5月6日）: the weekday before the parenthesis the date at `start` opens, as the
        chain holds a weekday written after the date (patterns.tsv weekday_open)."""
        if start == 0 or self.norm[start - 1] not in "（(":
            return None
        m = self.t.context["weekday_open"].search(self.norm, max(0, start - 6), start)
        return (None, self.t.weekdays[m.group("wd")]) if m else None

    def _in_title(self, end: int) -> bool:
        """The text before `end` has a title open (its last mark is 《)."""
        k = bisect.bisect_left(self.title_marks, end)
        return k > 0 and self.norm[self.title_marks[k - 1]] == "《"

    def _joined_day(self, day: int, start: int) -> date | None:
        """A day alone joined to the single day told right before it (25日和26日, 7日、8日:
        patterns.tsv day_joined): that day's month, or the next where it would fall before it."""
        if self.last_day is None:
            return None
        end, last = self.last_day
        if self.t.context["day_joined"].fullmatch(self.norm, end, start) is None:
            return None
        y, m = (last.year, last.month) if day >= last.day else _add_months(last.year, last.month, 1)
        return _safe_date(y, m, day)

    def _story_day_of_month(self, day: int, start: int) -> date | None:
        """A day alone told just after a day named with its month, in the same paragraph
        (4月14日报道，朝鲜13日成功试射; 3月21日坠机…自27日开始): the nearest such day to
        the named one, within _STORY_DAYS of it and not after the reference. None where
        the named day is in the reference's month (the usual reading is the same); one more
        than _STORY_MONTH_RECENT days old lends its month only to the week after it."""
        if self.named_day is None or self.ref is None:
            return None
        end, named = self.named_day
        between = self.norm[end:start]
        if (named.year, named.month) == (self.ref.year, self.ref.month) or named > self.ref \
                or len(between) > _STORY_YEAR_REACH or "\n" in between:
            return None
        if (self.ref - named).days > _STORY_MONTH_RECENT:
            # an old story's next days (2020年7月6日，…选定作案地点。9日上午，…到达) go on in
            # its month; a day further on is the reporter's own (2019年5月3日成立。记者15日获悉)
            d = _safe_date(named.year, named.month, day)
            return d if d is not None and 0 < (d - named).days <= _OLD_STORY_NEXT_DAYS else None
        best = None
        told_before = self.bare_days.get(day)
        for dy, dm in ((named.year, named.month), _add_months(named.year, named.month, -1),
                       _add_months(named.year, named.month, 1)):
            d = _safe_date(dy, dm, day)
            if d is not None and d <= self.ref and abs((d - named).days) <= _STORY_DAYS:
                if d == told_before:
                    # the same day alone told again (当地时间18日…4月26日…18日): the day it
                    # was before, where that day fits the story as well
                    return d
                if best is None or abs((d - named).days) < abs((best - named).days):
                    best = d
        return best

    def _story_year(self, month: int, day: int | None, start: int, stop: int | None = None) -> int | None:
        """The year of a month and day told just after a day of another year than the
        reference's, or after one still to come, in the same paragraph (a coming day: its sentence): 2021年7月17日暴雨…
        7月19日启动响应 is 2021's July, not the publication year's; 拍卖将于6月12日开始，
        于6月17日结束 is the coming June twice. Only days that follow the story's day (or
        period: 1999年6月底) within _STORY_DAYS continue it: a retrospective that jumps from 2008年5月12日 to this June
        reads the reference's year; a chronology does not (each entry a sentence opened by its
        day: 2017年6月22日，…。7月17日，…。8月21日，…。12月4日，…), its later days keep
        the story's year however far apart."""
        if self.story_date is None or self.ref is None:
            return None
        end, told, told_last, told_opens = self.story_date
        ahead = told > self.ref
        between = self.norm[end:start]
        if (told.year == self.ref.year and not ahead) or len(between) > _STORY_YEAR_REACH or \
                "\n" in between or (ahead and _SENTENCE_END.search(between)):
            return None  # a coming day lends its year only within its sentence
        # the month and day at start..stop open an entry as the story's day did
        chronology = told_opens and stop is not None and self._opens_entry(start, stop)
        # a later year told since the story's day (开始运作于1955年8月20日，从1981年转为军事用途。
        # …7月31日从夏威夷起飞) took the text past it: a day before the story's no longer goes
        # back into it (an earlier year, 2014年政变后成立的共和国, only names a thing of it)
        moved = (self.anchor_point is not None and self.anchor_point[1] > end
                 and self.anchor_point[0] > told.year)
        for year in (told.year, told.year + 1):
            # a month alone (2018年8月…；9月，…) continues the story from its first day
            probe = _safe_date(year, month, day or 1)
            probe_last = probe if day is not None or probe is None else date(year, month, _last_day(year, month))
            # a day up to _STORY_DAYS before the story's day continues it too (2020年8月4日
            # 通报。…于7月9日晚将李某月诱骗: what the notice tells happened before it)
            # within the sentence, a chronology's later days keep its year (2019年1月1日，…；
            # 3月8日，…；8月16日，…)
            onward = year == told.year and probe is not None and probe >= told_last and (
                _FULL_STOP.search(between) is None or chronology)
            if probe is not None and (told - probe_last).days <= _STORY_DAYS and \
                    ((probe - told_last).days <= _STORY_DAYS or onward) and (ahead or probe_last <= self.ref) \
                    and not (moved and probe_last < told):
                self.story_hit = True
                return year
        return None

    def _story_year_of_paragraph(self, start: int) -> int | None:
        """The year of the story's last calendar time, where it is told with its own year
        (2019年3月, 1864年) in this paragraph, within _STORY_YEAR_REACH before `start`, and is
        an earlier year than the reference's."""
        if self.anchor_point is None or self.ref is None:
            return None
        year, end, written = self.anchor_point
        between = self.norm[end:start]
        if not written or year >= self.ref.year or len(between) > _STORY_YEAR_REACH or "\n" in between:
            return None
        return year

    def _opens_entry(self, start: int, end: int) -> bool:
        """The time at start..end opens its sentence and a comma follows it (patterns.tsv
        entry_after): a dated entry of a chronology (。8月21日，浙江杭州市人民检察院…)."""
        k = start - 1
        while k >= 0 and self.norm[k] in " \t\u3000":
            k -= 1
        return (k < 0 or self.norm[k] in _ENTRY_OPENERS) and \
            self.t.context["entry_after"].match(self.norm, end) is not None

    def _just_ahead(self, year: int, month: int, day: int, told_month: bool = False,
                    days: int | None = None) -> bool:
        """That day falls within limits.tsv's ahead_days (ahead_days_month for a day told
        with its month) after the reference: a dateline's lag or the coming days of a
        forecast, not a year (or month) ago."""
        d = _safe_date(year, month, day)
        limit = days if days is not None else self.t.ahead_days_month if told_month else self.t.ahead_days
        return d is not None and self.ref is not None and 0 < (d - self.ref).days <= limit

    def _just_past(self, year: int, month: int, day: int, told_month: bool = False) -> bool:
        """That day falls within limits.tsv's future_lag_days (future_lag_days_month for a day
        told with its month) before the reference: a future word's day that a copy stamped
        after it still tells as ahead, not next month's (or year's)."""
        d = _safe_date(year, month, day)
        limit = self.t.future_lag_days_month if told_month else self.t.future_lag_days
        return d is not None and self.ref is not None and 0 < (self.ref - d).days <= limit

    def _year_for_month(self, month: int, day: int | None, lunar_month: int | None,
                        future: bool, ahead_after: bool = False) -> int:
        """The year of a month (and day) named without one: the latest not after the
        reference, or the first not before it after a future cue; a day later in the year
        than the reference whose clause goes on to schedule its act (`ahead_after`) stays
        in the reference's year."""
        ref = self.ref
        year = ref.year
        key, rkey = (month, day or 1), (ref.month, ref.day)
        if lunar_month is not None:
            probe = _lunar_to_solar(year, lunar_month, day or 1)
            if probe is None and lunar_month < 0:
                # 闰二月初三 without a year: the latest year that has that leap month.
                for k in range(1, 60):
                    probe = _lunar_to_solar(year - k, lunar_month, day or 1)
                    if probe is not None:
                        year -= k
                        break
            if probe is not None:
                key = (probe.month, probe.day)
        if ahead_after and day is not None and lunar_month is None and \
                not self._just_ahead(year, month, day, days=self.t.ahead_after_days):
            # (将 is also 把: 12月5日晚，他将剧毒物稀释后, told on 1月2日, is last December's)
            ahead_after = False
        if not future and key > rkey and not ahead_after and not (
                day is not None and lunar_month is None and self._just_ahead(year, month, day, True)):
            year -= 1
        elif (not future and key < rkey and day is not None and lunar_month is None
              and self._just_ahead(year + 1, month, day, True)):
            year += 1  # 1月1日 said on 12月31日: tomorrow, across the year's end (as ahead as in a year)
        elif future and (key[0] < rkey[0] if day is None and lunar_month is None else key < rkey) and not (
                day is not None and lunar_month is None and self._just_past(year, month, day, True)):
            # 将在6月中旬 said on 6月7日 is this June: a month without a day has not passed
            # while it lasts
            year += 1
        return year

    def _whole_month(self, f: dict, year: int, month: int,
                     lunar_month: int | None) -> Res | None:
        if lunar_month is not None:
            a = _lunar_to_solar(year, lunar_month, 1)
            if a is None:
                return None
            b = _lunar_to_solar(year, lunar_month, 30) or \
                _lunar_to_solar(year, lunar_month, 29) or a
            res = Res(f"{year:04d}-{month:02d}", a, b, "month")
        else:
            res = Res(f"{year:04d}-{month:02d}", date(year, month, 1),
                      date(year, month, _last_day(year, month)), "month")
        if "part" in f and f["part"][1][0] == "month":
            res = self._month_part(res, year, month, f["part"])
        return res

    def _drive_day(self, f: dict, fr: _Frame) -> tuple[Res | None, bool]:
        ref, day = self.ref, fr.day
        if ref is None:
            return self._unresolved(f, f"XXXX-XX-{day:02d}"), True
        told = self._joined_day(day, fr.start)
        if told is None and not fr.future:
            told = self._story_day_of_month(day, fr.start)
        if told is not None:
            return Res(told.isoformat(), told, told, "day"), False
        y, m = ref.year, ref.month
        if not fr.future and day > ref.day and not self._just_ahead(y, m, day):
            y, m = _add_months(y, m, -1)
        elif not fr.future and day < ref.day and self._just_ahead(*_add_months(y, m, 1), day):
            y, m = _add_months(y, m, 1)  # 3日 said on 8月31日 of a forecast: the coming 3rd
        elif fr.future and day < ref.day and not self._just_past(y, m, day):
            y, m = _add_months(y, m, 1)  # 将于3日 said on 8月20日: the coming 3rd
        d = None
        for _ in range(3):  # 31日 in a 30-day month: step to a month that has it
            d = _safe_date(y, m, day)
            if d:
                break
            y, m = _add_months(y, m, 1 if fr.future else -1)
        return (Res(d.isoformat(), d, d, "day") if d else None), False

    def _drive_week(self, f: dict, fr: _Frame) -> tuple[Res | None, bool]:
        res = self._week(f["week"], fr.future)
        if res is None:
            return self._unresolved(f, "XXXX-WXX"), True
        return res, False

    def _drive_year(self, f: dict, fr: _Frame) -> tuple[Res | None, bool]:
        year, quarter = fr.year, fr.quarter
        if quarter and 1 <= quarter <= 4:
            return self._quarter(year, quarter, f.get("part")), False
        if "part" in f and f["part"][1][0] == "year":
            return self._year_part(year, f["part"]), False
        return Res(f"{year:04d}", date(year, 1, 1), date(year, 12, 31), "year"), False

    def _drive_period_alone(self, f: dict, fr: _Frame) -> tuple[Res | None, bool]:
        # 一季度, 上半年, 年底, 月底 alone: the reference's year or month.
        ref = self.ref
        if ref is None:
            return self._unresolved(f, "XXXX"), True
        if "quarter" in f:  # 二季度末 alone is the reference year's, too
            q = f["quarter"]
            if not q or not 1 <= q <= 4:
                return None, True
            return self._quarter(ref.year, q, f.get("part")), False
        w, spec = f["part"]
        if spec[0] == "week":
            monday = ref - timedelta(days=ref.weekday())
            a_d = monday + timedelta(days=int(spec[1]) - 1)
            b_d = monday + timedelta(days=int(spec[3]) - 1)
            return Res(f"{a_d.isoformat()}/{b_d.isoformat()}", a_d, b_d, "half"), False
        if spec[0] == "month":
            if w == "月中":
                return None, True
            return self._month_part(Res("", None, None, "month"), ref.year, ref.month,
                                    f["part"]), False
        if spec[0] != "year" or len(w) < 2 or w == "年中" or w.endswith("天"):
            return None, True
        ahead = fr.future or ("end" in f and self.t.context["future_after"].match(self.norm, f["end"]) is not None)
        story = None if ahead else self._story_year_of_paragraph(fr.start)
        if story is not None:
            # 1864年，巴西入侵乌拉圭。年底，巴拉圭宣战: the end of the story's year
            return self._year_part(story, f["part"]), False
        res = self._year_part(ref.year, f["part"])
        if spec[6] == "season" and res.earliest > ref and not fr.future:
            res = self._year_part(ref.year - 1, f["part"])
        return res, False

    def _drive_time_alone(self, f: dict, fr: _Frame) -> tuple[Res | None, bool]:
        # A bare time of day: the day is left to whoever reads the context.
        tod, clock = f.get("tod"), f.get("clock")
        h, mi, s = clock if clock else (None, None, None)
        h = self._hour_for_tod(h, tod)
        return Res(_fmt_time(h, mi, s, tod), None, None, "time", False, "TIME"), True

    @staticmethod
    def _quarter(year: int, q: int, part: tuple | None) -> Res:
        m1, m2 = 3 * q - 2, 3 * q
        if part is not None and part[1][0] == "quarter":
            # 二季度末: the months of the quarter the part names (its last, for 末).
            _w, (_scope, lo, _x, hi, _y, _suffix, gran, vague) = part
            m1, m2 = 3 * q - 3 + int(lo), 3 * q - 3 + int(hi)
            a, b = date(year, m1, 1), date(year, m2, _last_day(year, m2))
            value = f"{year:04d}-{m1:02d}" if m1 == m2 else f"{a.isoformat()}/{b.isoformat()}"
            return Res(value, a, b, gran, vague)
        return Res(f"{year:04d}-Q{q}", date(year, m1, 1), date(year, m2, _last_day(year, m2)),
                   "quarter")

    @staticmethod
    def _ordinal(res: Res, ord_: tuple) -> Res | None:
        """The N-th (or last) week, weekday, month or first/last N units inside `res`.

        Weeks run Monday to Sunday and belong to the period they start in, so the first
        week of October is the one starting on its first Monday (ISO's week 1 for a year).
        """
        kind, n, last, unit, dow = ord_
        if res.gran not in ("year", "month") or res.earliest is None:
            return None
        a, b = res.earliest, res.latest
        first_monday = a + timedelta(days=(-a.weekday()) % 7)
        last_sunday = b - timedelta(days=(b.weekday() - 6) % 7)
        if kind == "ordwd":
            if last:
                d = b - timedelta(days=(b.weekday() - (dow - 1)) % 7)
            else:
                d = a + timedelta(days=(dow - 1 - a.weekday()) % 7 + 7 * (n - 1))
            return Res(d.isoformat(), d, d, "day") if a <= d <= b else None
        if kind == "ordmonth":
            if res.gran != "year" or not 1 <= n <= 12:
                return None
            y = a.year
            return Res(f"{y:04d}-{n:02d}", date(y, n, 1), date(y, n, _last_day(y, n)), "month")
        u = "周" if kind == "ordweek" else unit
        if u in ("周", "星期"):
            if kind == "ordweek":
                start = last_sunday - timedelta(days=6) if last else \
                    first_monday + timedelta(weeks=n - 1)
                end = start + timedelta(days=6)
            elif last:
                start, end = last_sunday - timedelta(weeks=n, days=-1), last_sunday
            else:
                start, end = first_monday, first_monday + timedelta(weeks=n, days=-1)
            gran = "week"
        elif u in ("天", "日"):
            start, end = (b - timedelta(days=n - 1), b) if last else \
                (a, a + timedelta(days=n - 1))
            gran = "day"
        elif u in ("月", "季度"):
            months = n * (3 if u == "季度" else 1)
            if res.gran != "year" or not 1 <= months <= 12:
                return None
            y = a.year
            m1, m2 = (13 - months, 12) if last else (1, months)
            start, end = date(y, m1, 1), date(y, m2, _last_day(y, m2))
            gran = "month"
        else:
            return None
        if start < a or end > b or end < start:
            return None
        return Res(f"{start.isoformat()}/{end.isoformat()}", start, end, gran)

    @staticmethod
    def _hour_for_tod(h: int | None, tod: str | None) -> int | None:
        if h is None or tod is None:
            return h
        if tod in ("AF", "EV") and h < 12:
            return h + 12
        if tod == "NI" and 6 <= h < 12:
            return h + 12
        if tod == "MI" and h < 6:
            return h + 12
        return h

    def _implausible(self, year: int, month: int | None, day: int | None) -> Res:
        # As written, without bounds: a typo or a placeholder (9999年) is no date at all.
        value = f"{year:04d}" + (f"-{month:02d}" if month else "") + (f"-{day:02d}" if month and day else "")
        return Res(value, None, None, "day" if month and day else "month" if month else "year",
                   note="implausible-year")

    def _unresolved(self, f: dict, value: str) -> Res:
        return Res(value, None, None, "day" if value.count("-") == 2 else "month")

    def _year_part(self, year: int, part: tuple) -> Res:
        _w, (scope, a_m, a_d, b_m, b_d, suffix, gran, vague) = part
        a = date(year, int(a_m), int(a_d))
        by = year + 1 if int(b_m) < int(a_m) else year
        b = date(by, int(b_m), min(int(b_d), _last_day(by, int(b_m))))
        value = f"{year:04d}-{suffix}" if suffix else f"{a.isoformat()}/{b.isoformat()}"
        return Res(value, a, b, gran, vague)

    def _month_part(self, res: Res, year: int, month: int, part: tuple) -> Res:
        _w, (scope, a_d, _x, b_d, _y, suffix, gran, vague) = part
        last = _last_day(year, month)
        a = date(year, month, int(a_d))
        b = date(year, month, last if b_d == "E" else int(b_d))
        return Res(f"{a.isoformat()}/{b.isoformat()}", a, b, gran, vague)

    def _week(self, week: tuple, future: bool) -> Res | None:
        ref = self.ref
        if ref is None:
            return None
        off, dow = week
        monday = ref - timedelta(days=ref.weekday())
        if dow is None:
            if off is None:
                return None
            a = monday + timedelta(weeks=off)
            iso = a.isocalendar()
            return Res(f"{iso[0]}-W{iso[1]:02d}", a, a + timedelta(days=6), "week")
        if dow == "WE":
            a = monday + timedelta(weeks=off or 0, days=5)
            if off is None and not future and a > ref:
                a -= timedelta(weeks=1)
            iso = a.isocalendar()
            return Res(f"{iso[0]}-W{iso[1]:02d}-WE", a, a + timedelta(days=1), "weekend")
        if off is None:
            # 週三 alone: the latest Wednesday not after the reference (news looks back).
            delta = (ref.weekday() + 1 - dow) % 7
            d = ref + timedelta(days=(7 - delta) % 7) if future else ref - timedelta(days=delta)
        else:
            d = monday + timedelta(weeks=off, days=dow - 1)
        return Res(d.isoformat(), d, d, "day")

    # standalone atoms ------------------------------------------------------
    def standalone(self, a: Atom) -> tuple[Res, str] | None:
        """A mention from one atom that does not chain (a duration, a plan, a century)."""
        try:
            return _ALONE[a.prod](self, a)
        except (ValueError, OverflowError):
            return None  # past the calendar's ends (近5年 in the year 1): no reading

    def _duration(self, a: Atom) -> tuple[Res, str] | None:
        if a.kind == "dur_year":
            n_s, unit, tail, half, more = a.g("y"), "Y", None, None, False
        else:
            n_s, u = a.g("n"), a.g("u")
            if u.startswith("年"):
                u = "年"
            if u.startswith("周"):
                u = "周"
            if u == "月" and not a.g("ge") and n_s != "半":
                return None  # 13月 and the like: not a month, not a duration
            unit = self.t.units[u]
            tail, half = a.g("tail"), a.g("half") or a.g("halfp")
            if n_s == "一" and u in ("周", "天"):
                ctx = self.t.context["lap" if u == "周" else "someday"]
                if ctx.search(self.norm, max(0, a.start - 8), a.start):
                    return None  # 公转一周 is a revolution, 有一天 is "one day" in a story
            more = bool(a.g("more") or a.g("more2"))
        if n_s == "半":
            n: float | None = 0.5
        elif n_s in ("几", "数") or "几" in n_s:
            n = None
        elif re.fullmatch(r"\d+\.\d+", n_s):
            n = float(n_s)
        elif len(n_s) == 2 and _APPROX_PAIR.fullmatch(n_s):
            n, more = to_int(n_s[0]), True  # 六七年前: six or seven years ago, roughly
        else:
            n = to_int(n_s)
            if n is None:
                return None
        if n is not None and half:
            n += 0.5
        ref, rule = self.ref, "durrel"
        meaning = self.t.tails.get(tail) if tail else None
        if meaning == "after" and unit in ("Y", "M") and \
                self.t.context["gap_before"].search(self.norm, max(0, a.start - 4), a.start):
            # 时隔两年之后: the length of a gap, ending at the story's now, no date (时隔27天后
            # is still counted from the story's last day, the act it was a gap after)
            meaning = None
        more = more or meaning == "more"
        if meaning == "after" and n is not None and n == int(n) and unit == "Y":
            counted = self._years_after_story(int(n))
            if counted is not None:
                return counted, "durrel_story"
        if meaning == "after" and self.anchor_day is not None:
            # 3月5日发生地震…两天后道路恢复: counted from the story's last day, not from
            # publication (30年前, counted back, stays with publication: news means "ago")
            ref, rule = self.anchor_day, "durrel_story"
        if meaning in ("before", "after") and n is not None:
            sign = -1 if meaning == "before" else 1
            if ref is None:
                return Res("PAST_REF" if sign < 0 else "FUTURE_REF", None, None, "day",
                           True), rule
            if n != int(n) and unit in ("Y", "M"):
                # 一个半月后: a fractional count lands on a day, roughly.
                d = _shift(ref, "D", round(sign * n * (365 if unit == "Y" else 30)))
                return (Res(d.isoformat(), d, d, "day", True), rule) if d else None
            # 半个小时后: a part of an hour or minute still lands on a day.
            d = _shift(ref, unit, sign * n) if n == int(n) or unit.startswith("T") else None
            if d is None:
                return None
            # 30年前 names a year, 3个月前 a month: the count is too round for a day.
            if unit == "Y":
                res = Res(f"{d.year:04d}", date(d.year, 1, 1), date(d.year, 12, 31), "year",
                          more)
                res.day = d if sign < 0 else self.ref
                return res, rule
            if unit == "M":
                res = Res(f"{d.year:04d}-{d.month:02d}", date(d.year, d.month, 1),
                          date(d.year, d.month, _last_day(d.year, d.month)), "month", more)
                res.day = d if sign < 0 else self.ref
                return res, rule
            return Res(d.isoformat(), d, d, "day", more or unit in ("W", "Q")), rule
        ref = self.ref
        if meaning == "since" and n is not None and ref is not None and n == int(n):
            d = _shift(ref, unit, -n)
            if d is None:
                return None
            return Res(f"{d.isoformat()}/{ref.isoformat()}", d, ref, "day", more), "durrel"
        if n is None:
            value = "PX" + unit[-1] if not unit.startswith("T") else "PTX" + unit[1]
        else:
            num = f"{n:g}"
            value = (f"PT{num}{unit[1]}" if unit.startswith("T")
                     else f"P{int(n * 3) if n * 3 == int(n * 3) else num}M" if unit == "Q"
                     else f"P{num}{unit}")
        return Res(value, None, None, "duration", more or n is None, "DURATION"), "duration"

    def _years_after_story(self, n: int) -> Res | None:
        """n years counted after the story's last time on the calendar (1998年被判死刑…12年后
        出狱 is 2010), where that lands no later than the reference's year: a past story told
        on. None where there is no such time or the count runs past the reference (三年后将建成
        is counted from publication, as before). Months are not counted so: on the 3,000
        corpus articles a month's count from the story's last month as often went wrong."""
        if self.anchor_point is None or self.ref is None:
            return None
        year = self.anchor_point[0] + n
        if year > self.ref.year or not 1 <= year <= 9999:
            return None
        return Res(f"{year:04d}", date(year, 1, 1), date(year, 12, 31), "year")

    # driver ------------------------------------------------------------------
    def run(self) -> list[TimeMention]:
        atoms = self.atoms()
        chains = self.chains(atoms)
        out: list[TimeMention] = []
        i = 0
        while i < len(chains):
            ch = chains[i]
            if ch[0].lo is None:
                r = self.standalone(ch[0])
                end = ch[-1].end
                # 三年零六个月: later durations in smaller units join the first.
                while r is not None and r[1] == "duration" and i + 1 < len(chains) and \
                        chains[i + 1][0].kind == "dur" and \
                        _DUR_JOIN.fullmatch(self.norm[end:chains[i + 1][0].start]):
                    r2 = self.standalone(chains[i + 1][0])
                    joined = _join_durations(r[0], r2[0]) if r2 and r2[1] == "duration" \
                        else None
                    if joined is None:
                        break
                    r, end = (joined, "duration"), chains[i + 1][0].end
                    i += 1
                if r is not None and r[0].day is not None and i + 1 < len(chains) and \
                        self._is_today(chains[i + 1]) and \
                        _CHAIN_GAP.fullmatch(self.norm[end:chains[i + 1][0].start]):
                    # 三年前的今天: one day, not the year and then today (Res.day).
                    d = r[0].day
                    r, end = (Res(d.isoformat(), d, d, "day"), r[1]), chains[i + 1][-1].end
                    i += 1
                if r is not None:
                    res, rule = r
                    out.append(self._mention(ch[0].start, end, res, rule))
                i += 1
                continue
            if len(ch) == 1 and ch[0].kind == "firstn":
                r = self._firstn_alone(ch[0])
                if r is not None:
                    out.append(self._mention(ch[0].start, ch[0].end, r, "firstn"))
                i += 1
                continue
            f = self.fields(ch)
            if f is not None and ("d" in f or "m" in f or "part" in f) and "y" not in f:
                # what follows may put its act ahead (ahead_after) or make it a chronology's entry
                f["end"] = ch[-1].end
            res = self._resolve_chain(f, ch[0].start) if f is not None else None
            if res is not None and i + 1 < len(chains) and chains[i + 1][0].lo is not None \
                    and _BETWEEN_SEP.fullmatch(self.norm[ch[-1].end:chains[i + 1][0].start]):
                nxt = chains[i + 1]
                tail = _BETWEEN_END.match(self.norm, nxt[-1].end)
                f2 = self.fields(nxt, second=True) if tail else None
                res2 = self._resolve_second(f, f2, nxt[0].start, res) if f2 else None
                rng = self._range(res, res2) if res2 is not None else None
                if rng is not None:
                    out.append(self._mention(ch[0].start, tail.end(), rng, "between"))
                    self._remember(f, res, tail.end(), ch[0].start)
                    self._remember(f2, res2, tail.end())
                    i += 2
                    continue
            # A range: chain, 至/到/-, chain; the second inherits what it leaves out.
            if res is not None and i + 1 < len(chains) and chains[i + 1][0].lo is not None:
                nxt = chains[i + 1]
                if _RANGE_SEP.fullmatch(self.norm[ch[-1].end:nxt[0].start]):
                    f2 = self.fields(nxt, second=True)
                    res2 = self._resolve_second(f, f2, nxt[0].start, res) if f2 else None
                    if res2 is not None and res2.earliest is None and res2.type == "TIME":
                        # 上午10点到12点: the second end is a clock time on the same day.
                        res2 = Res(res2.value, res.earliest, res.latest, res.gran, False, "TIME")
                    rng = self._this_month_days(f, f2, self._range(res, res2))
                    if rng is None and res2 is not None and res.earliest is None and \
                            res.type == res2.type == "TIME" and res.gran == res2.gran == "time":
                        # 下午2点半到4点 with no day: still one span of the clock (T14:30/T16).
                        rng = Res(f"{res.value}/{res2.value}", None, None, "time", False, "TIME")
                    if rng is not None:
                        out.append(self._mention(ch[0].start, nxt[-1].end, rng, "range"))
                        self._remember(f, res, nxt[-1].end, ch[0].start)
                        self._remember(f2, res2, nxt[-1].end)
                        i += 2
                        continue
            if res is not None:
                now = self.t.context["until_now"].match(self.norm, ch[-1].end)
                if now and self.ref is not None and res.earliest is not None and \
                        res.type == "DATE" and res.earliest <= self.ref:
                    # 1998年至今: from that date to the reference, TIMEX (1998, PRESENT_REF)
                    span = Res(f"{res.value}/PRESENT_REF", res.earliest, self.ref, res.gran,
                               res.vague)
                    out.append(self._mention(ch[0].start, now.end(), span, "until_now"))
                else:
                    out.append(self._mention(ch[0].start, ch[-1].end,
                                             self._so_far(f, res, ch[0].start, ch[-1].end),
                                             "+".join(a.kind for a in ch)))
                self._remember(f, res, ch[-1].end, ch[0].start)
            i += 1
        return self._weekdays_dated(out)

    def _weekdays_dated(self, out: list[TimeMention]) -> list[TimeMention]:
        """周六（5月6日）: a bare weekday whose date the parenthesis right after it gives, on
        that weekday, is that day (alone it read the week of the reference)."""
        for k in range(len(out) - 1):
            m, n = out[k], out[k + 1]
            if (m.rule == "week" and n.start == m.end + 1 and self.norm[m.end] in "（("
                    and m.earliest is not None and m.earliest == m.latest
                    and n.earliest is not None and n.earliest == n.latest
                    and n.earliest.isoweekday() == m.earliest.isoweekday() and n.earliest != m.earliest):
                out[k] = replace(m, value=n.earliest.isoformat(), earliest=n.earliest, latest=n.latest)
        return out

    def _so_far(self, f: dict | None, res: Res, start: int, end: int) -> Res:
        """A bare 今年, 本月, 本周 or 本季度 in a clause not put in the future: the period up to
        the reference. A published report of what happened 今年 tells of 1 January to
        publication; 今年将, 预计今年 and 今年是 (the year itself) keep the whole year. The
        TIMEX value stays the period."""
        ref = self.ref
        if ref is None or f is None or not _this_period(f) or res.type != "DATE" or \
                res.earliest is None or res.latest is None or not res.earliest <= ref <= res.latest:
            return res
        ctx = self.t.context
        if self._future(start) or ctx["future_after"].match(self.norm, end) or \
                ctx["period_itself"].match(self.norm, end):
            return res
        # The TIMEX interval stops where the reference begins, as 近3年 does.
        latest = ref - timedelta(days=1) if self.exclusive and ref > res.earliest else ref
        return Res(res.value, res.earliest, latest, res.gran, res.vague, res.type, res.note)

    def _is_today(self, chain: list[Atom]) -> bool:
        """A chain that is only the reference's own day (今天, 今日 in relative.tsv)."""
        if len(chain) != 1 or chain[0].prod != "relative":
            return False
        unit, off, ana, tod = self.t.relative[chain[0].g("w")]
        return unit == "day" and off == 0 and not ana and not tod

    def _resolve_chain(self, f: dict, start: int) -> Res | None:
        """resolve, and for a range inside one atom (1-9月, 3月8-12日) both of its ends."""
        if "upto" not in f:
            return self.resolve(f, start)
        first = {k: v for k, v in f.items() if k != "upto"}
        last = self.resolve({**first, **f["upto"]}, start)
        if last is None or last.earliest is None:
            return None
        if "y" not in first and "rel_year" not in first:
            first["y"] = last.earliest.year  # 1-9月 published in March: last year's
        res = self.resolve(first, start)
        return self._range(res, last) if res is not None else None

    def _firstn_alone(self, a: Atom) -> Res | None:
        # 前三季度 alone: the reference year's (quarters are calendar periods); 前两个月
        # alone: the two months before the reference, as 近/过去 read; 头三天 alone: whose?
        if self.ref is None:
            return None
        if a.g("u") == "季度" and a.g("pre") != "最后":
            y = self.ref.year
            base = Res(f"{y:04d}", date(y, 1, 1), date(y, 12, 31), "year")
            n = to_int(a.g("n"))
            return self._ordinal(base, ("firstn", n, False, "季度", None)) if n else None
        n = to_int(a.g("n"))
        if a.g("u") == "月" and a.g("pre") == "前" and n and 2 <= n < self.ref.month and \
                _CLAUSE_START.search(self.norm, max(0, a.start - 2), a.start):
            # News statistics: ，前10个月，全国… published in November is January to October
            # of that year, the months so far; only counts the year has completed qualify.
            y = self.ref.year
            base = Res(f"{y:04d}", date(y, 1, 1), date(y, 12, 31), "year")
            return self._ordinal(base, ("firstn", n, False, "月", None))
        if a.g("pre") == "前" and a.start and "\u4e00" <= self.norm[a.start - 1] <= "\u9fff":
            # 离婚前一个月, 赛前3天: counted back from an event the text names, not from
            # the reference; what is left is the offset.
            if not n:
                return None
            num = str(n)
            return Res("P" + num + self.t.units[a.g("u")], None, None, "duration", False,
                       "DURATION")
        if a.g("pre") in self.t.durrel:
            try:
                r = _s_period_rel(self, a)
            except (ValueError, OverflowError):
                return None  # past the calendar's ends
            return r[0] if r else None
        return None

    def _range(self, res: Res, res2: Res | None) -> Res | None:
        try:
            return self._range_of(res, res2)
        except (ValueError, OverflowError):
            return None  # an end past the calendar's ends

    def _range_of(self, res: Res, res2: Res | None) -> Res | None:
        if res2 is None or not res.earliest or not res2.latest or res2.latest < res.earliest:
            return None
        latest = res2.latest
        if self.exclusive:
            # TIMEX intervals stop where the second point begins: 5月-10月 ends on 9-30;
            # a clock time still leaves part of its own day inside the range.
            latest = res2.earliest if res2.type == "TIME" and res2.gran == "time" \
                else res2.earliest - timedelta(days=1)
            latest = max(latest, res.earliest)
        return Res(f"{res.value}/{res2.value}", res.earliest, latest, res.gran,
                   res.vague or res2.vague, res.type)

    def _this_month_days(self, f1: dict, f2: dict | None, rng: Res | None) -> Res | None:
        """将于1日至2日到访 told on the 2nd: days alone that a future cue put into next month
        are this month's where they run on to the reference (the first, alone, is past)."""
        months = {"y", "rel_year", "m", "rel_month"}
        if (rng is None or self.ref is None or rng.earliest is None or rng.latest is None
                or rng.earliest <= self.ref or months & f1.keys() or f2 is None or months & f2.keys()
                or "d" not in f1 or "d" not in f2):
            return rng
        y1, m1 = _add_months(rng.earliest.year, rng.earliest.month, -1)
        y2, m2 = _add_months(rng.latest.year, rng.latest.month, -1)
        first, last = _safe_date(y1, m1, rng.earliest.day), _safe_date(y2, m2, rng.latest.day)
        if first is None or last is None or not first <= self.ref <= last:
            return rng
        return Res(f"{first.isoformat()}/{last.isoformat()}", first, last, rng.gran, rng.vague, rng.type)

    def _resolve_second(self, f1: dict, f2: dict, start: int, first: Res | None = None) -> Res | None:
        # The second end inherits every coarser field it leaves out (2019年6月1日-30日,
        # 15日晚上7:00到8:00), never a finer one.
        g = dict(f2)
        has_y = "y" in g or "rel_year" in g
        has_m = "m" in g or "rel_month" in g
        has_d = any(k in g for k in ("d", "rel_day", "holiday", "week"))
        if not (has_y or has_m or has_d):
            for k in ("y", "rel_year", "m", "rel_month", "d", "rel_day", "holiday", "week"):
                if k in f1:
                    g[k] = f1[k]
        elif not has_y:
            for k in ("y", "rel_year"):
                if k in f1:
                    g[k] = f1[k]
            if not has_m and has_d and "m" in f1:
                g["m"] = f1["m"]
        if "lunar" in f1:
            g["lunar"] = True
        if not (has_y or has_m or has_d) and "clock" in g and "tod" not in g and "tod" in f1:
            # 下午三点到五点: the second clock is in the first one's part of the day; 上午11点
            # 到1点: one before the first is past noon.
            g["tod"] = f1["tod"]
            h1 = self._hour_for_tod(f1["clock"][0], f1["tod"]) if "clock" in f1 else None
            h2, mi2, s2 = g["clock"]
            h2 = self._hour_for_tod(h2, g["tod"])
            if h1 is not None and h2 is not None and h2 < h1 and h2 < 12:
                g["clock"] = (h2 + 12, mi2, s2)
                del g["tod"]
        # the first end as the caller read it (with its own future cue), else read here
        r1 = first if first is not None and first.earliest is not None else self.resolve(f1, start)
        if r1 is not None and r1.earliest is not None:
            self.anchor_year = r1.earliest.year  # 11月至次年2月
        if "y" not in g and "rel_year" not in g and "m" in g and r1 is not None \
                and r1.earliest is not None:
            g["y"] = r1.earliest.year
        days_only = "d" in g and not ({"y", "rel_year", "m", "rel_month"} & g.keys())
        if days_only and r1 is not None and r1.earliest is not None:
            # 将于16日至20日: the second day is in the first one's month, not resolved alone
            g["y"], g["m"] = r1.earliest.year, r1.earliest.month
        res = self.resolve(g, start)
        if days_only and res is not None and r1 is not None and r1.earliest and res.latest \
                and res.latest < r1.earliest:
            g["y"], g["m"] = _add_months(g["y"], g["m"], 1)  # 30日至2日: into the next month
            res = self.resolve(g, start)
        if res is not None and r1 is not None and r1.earliest and res.latest and \
                res.latest < r1.earliest and "y" in g and "y" not in f2:
            # 8月至2月 / 12月至次年2月: the second end lies in the next year.
            g["y"] = g["y"] + 1
            res = self.resolve(g, start)
        return res

    def _remember(self, f: dict, res: Res, end: int, start: int | None = None) -> None:
        if res.earliest is None:
            return
        if self.title_marks and self._in_title(end):
            return  # in a title (《9·19军事协议》, 《2023年工作要点》): a name, no time of the story
        if res.gran in ("day", "time") and res.earliest == res.latest:
            self.last_day = (end, res.earliest)
        # A month that opens a span to the present (从2022年3月开始) frames the story, it tells
        # no story's time: what follows it may be told on any day since.
        framing = res.gran not in ("day", "time") and self.t.context["period_since"].match(self.norm, end)
        if res.gran in ("day", "time") and self.t.context["names_incident"].match(self.norm, end):
            self.story_hit = False
            return  # (2021年1月6日国会山骚乱事件的委员会): a name's day, no story's
        if res.gran in ("day", "time", "month", "tenday", "week") and res.latest is not None and not framing and (
                "y" in f or "rel_year" in f or self.story_hit or
                (self.ref is not None and res.earliest > self.ref)):
            # a day that took its year from the story carries the story on (1999年6月底…
            # 7月22日…7月23日); one of this year by name (今年2月1日) ends an older story
            self.story_date = (end, res.earliest, res.latest,
                               start is not None and self._opens_entry(start, end))
        elif ("y" in f or "rel_year" in f) and not framing and self.story_date is not None and \
                self.ref is not None and res.earliest.year == self.ref.year != self.story_date[1].year:
            # this year by name in any unit (2023年夏天, 今年) ends an older story too; another
            # year may only name a thing of it (2014年乌克兰政变后成立的共和国)
            self.story_date = None
        self.story_hit = False
        if res.gran in ("day", "time") and "m" in f and "rel_day" not in f and res.earliest == res.latest:
            self.named_day = (end, res.earliest)
        if res.gran in ("day", "time") and "rel_day" not in f:
            self.anchor_day = self.anchor_month = res.earliest
        elif res.gran == "month" and "rel_month" not in f:
            self.anchor_month = res.earliest
        if res.gran in ("day", "time") and "d" in f and not _NAMES_MONTH.intersection(f):
            self.bare_days[f["d"]] = res.earliest
        if "y" in f or "rel_year" in f or res.gran in ("day", "time", "month"):
            self.anchor_year = res.earliest.year
            self.anchor_point = (res.earliest.year, end, "y" in f)

    def _mention(self, start: int, end: int, res: Res, rule: str) -> TimeMention:
        return TimeMention(
            text=self.text[start:end], start=start, end=end, type=res.type, value=res.value,
            earliest=res.earliest if res.type in ("DATE", "TIME") else None,
            latest=res.latest if res.type in ("DATE", "TIME") else None,
            granularity=res.gran, vague=res.vague, rule=f"{rule}:{res.note}" if res.note else rule,
        )


# ---------------------------------------------------------------- productions
# Each pattern row of data/patterns.tsv names one of these. A chain production writes the
# fields its atom names into the chain's dict (False: the chain is no date); a standalone
# production turns its atom into a mention of its own.

ChainProduction = Callable[[_Extractor, Atom, dict, list[Atom], bool], bool]
StandaloneProduction = Callable[[_Extractor, Atom], "tuple[Res, str] | None"]
_CHAIN: dict[str, ChainProduction] = {}
_ALONE: dict[str, StandaloneProduction] = {}


def _chain_production(name: str) -> Callable[[ChainProduction], ChainProduction]:
    def register(fn: ChainProduction) -> ChainProduction:
        _CHAIN[name] = fn
        return fn
    return register


def _standalone_production(name: str) -> Callable[[StandaloneProduction], StandaloneProduction]:
    def register(fn: StandaloneProduction) -> StandaloneProduction:
        _ALONE[name] = fn
        return fn
    return register


@_chain_production("lunar_prefix")
def _p_lunar_prefix(x: _Extractor, a: Atom, f: dict, chain: list[Atom], second: bool) -> bool:
    f["lunar"] = True
    return True


@_chain_production("numeric_date")
def _p_numeric_date(x: _Extractor, a: Atom, f: dict, chain: list[Atom], second: bool) -> bool:
    # 2020-12-16 10:38, 20230915, 03-15 09:30, 12/1/2020: numbers in calendar order.
    if a.g("y"):
        f["y"] = _full_year(int(a.g("y")))
    f["m"], f["d"] = int(a.g("m")), int(a.g("d"))
    if a.g("h"):
        s = a.g("s")
        f["clock"] = (int(a.g("h")), int(a.g("mi")), int(s) if s else None)
    return True


@_chain_production("era")
def _p_era(x: _Extractor, a: Atom, f: dict, chain: list[Atom], second: bool) -> bool:
    first, lunar = x.t.eras[a.g("e")]
    n = 1 if a.g("y") == "元" else to_int(a.g("y"))
    if not n:
        return False
    f["y"] = first + n - 1
    if lunar:
        f["lunar"] = f["lunar_year"] = True
    return True


@_chain_production("roc_year")
def _p_roc_year(x: _Extractor, a: Atom, f: dict, chain: list[Atom], second: bool) -> bool:
    # 112年 in Taiwan is year 112 of the Republic, the era eras.tsv names 民国.
    f["y"] = x.t.eras["民国"][0] + int(a.g("y")) - 1
    return True


@_chain_production("half")
def _p_half(x: _Extractor, a: Atom, f: dict, chain: list[Atom], second: bool) -> bool:
    f["rel_half"] = x.t.relative[a.g("w")][1]
    return True


@_chain_production("ordinal")
def _p_ordinal(x: _Extractor, a: Atom, f: dict, chain: list[Atom], second: bool) -> bool:
    k = a.kind
    n = to_int(a.g("n")) if a.g("n") else 1  # 最后一个星期一
    last = bool(a.g("last")) or (k == "firstn" and a.g("pre") == "最后")
    wd = a.g("wd")
    if not n:
        return False
    f["ord"] = (k, n, last, a.g("u") if k == "firstn" else None,
                x.t.weekdays[wd] if wd else None)
    return True


@_chain_production("year")
def _p_year(x: _Extractor, a: Atom, f: dict, chain: list[Atom], second: bool) -> bool:
    y = to_int(a.g("y"))
    if y is None:
        return False
    f["y"] = _full_year(y)
    return True


@_chain_production("relative")
def _p_relative(x: _Extractor, a: Atom, f: dict, chain: list[Atom], second: bool) -> bool:
    unit, off, ana, tod = x.t.relative[a.g("w")]
    f["rel_" + unit] = (off, ana)
    if tod:
        f["tod"] = tod
    return True


@_chain_production("quarter")
def _p_quarter(x: _Extractor, a: Atom, f: dict, chain: list[Atom], second: bool) -> bool:
    q = a.g("q") or a.g("q3") or ("1" if a.g("q4") else None)
    f["quarter"] = to_int(q)
    return True


@_chain_production("part")
def _p_part(x: _Extractor, a: Atom, f: dict, chain: list[Atom], second: bool) -> bool:
    w = x._part_word(a)
    f["part"] = (w, x.t.parts[w])
    return True


@_chain_production("month")
def _p_month(x: _Extractor, a: Atom, f: dict, chain: list[Atom], second: bool) -> bool:
    if named := a.g("mn"):
        f["m"] = x.t.month_names[named]  # 元月: January by its name
        return True
    m = a.g("m")
    lunar_month = x.t.lunar_months.get(m)
    if lunar_month or a.g("leap"):
        f["lunar"] = True
    if a.g("leap"):
        f["leap"] = True  # 闰二月: the leap month after the second
    f["m"] = lunar_month or to_int(m)
    return True


@_chain_production("month_range")
def _p_month_range(x: _Extractor, a: Atom, f: dict, chain: list[Atom], second: bool) -> bool:
    # 1-9月, 6——8月: the months from the first to the second, in the chain's year.
    m1, m2 = to_int(a.g("m")), to_int(a.g("m2"))
    if m1 is None or m2 is None or not m1 < m2:
        return False
    f["m"], f["upto"] = m1, {"m": m2}
    return True


@_chain_production("month_pair")
def _p_month_pair(x: _Extractor, a: Atom, f: dict, chain: list[Atom], second: bool) -> bool:
    # 三四月间, 七八月份: two neighbouring months told as one span (三五月 is no such pair).
    m1, m2 = to_int(a.g("m")), to_int(a.g("m2"))
    if m1 is None or m2 != m1 + 1:
        return False
    f["m"], f["upto"] = m1, {"m": m2}
    return True


@_chain_production("month_day")
def _p_month_day(x: _Extractor, a: Atom, f: dict, chain: list[Atom], second: bool) -> bool:
    f["m"], f["d"] = to_int(a.g("m")), int(a.g("d"))
    return True


@_chain_production("event_date")
def _p_event_date(x: _Extractor, a: Atom, f: dict, chain: list[Atom], second: bool) -> bool:
    f["m"] = int(a.g("m1") or a.g("m2") or a.g("m3"))
    f["d"] = int(a.g("d1") or a.g("d2") or a.g("d3"))
    return True


@_chain_production("day")
def _p_day(x: _Extractor, a: Atom, f: dict, chain: list[Atom], second: bool) -> bool:
    if "m" not in f and "rel_month" not in f and a.start and x.norm[a.start - 1] == "月":
        return False  # 13月5日: the month was impossible, so is the day
    # 十日 / 3号 alone are too often not dates (十日谈, 3号线).
    bare = a.g("d")[0] not in "0123456789" or a.g("du") == "号"
    if bare and "m" not in f and "rel_month" not in f and not second and not _day_of_clock(a, chain):
        return False
    f["d"] = to_int(a.g("d"))
    return True


def _day_of_clock(a: Atom, chain: list[Atom]) -> bool:
    """2号晚间, 15号上午9点: a time of day after a bare 号 makes it a day of the month."""
    i = chain.index(a)
    return a.g("d")[0] in "0123456789" and i + 1 < len(chain) and chain[i + 1].prod in ("tod", "clock")


@_chain_production("day_range")
def _p_day_range(x: _Extractor, a: Atom, f: dict, chain: list[Atom], second: bool) -> bool:
    # 3月8-12日: the days from the first to the second, in the chain's month, or alone where
    # the context says they are dates (patterns.tsv drange_pre).
    d1, d2 = int(a.g("d")), int(a.g("d2"))
    if not d1 < d2:
        return False
    if "m" not in f and "rel_month" not in f and not (
            a.start == 0 or x.t.context["drange_pre"].search(x.norm, max(0, a.start - 4), a.start)):
        return False  # 持续3-5日: a count of days; 预计24-26日, 24-26日，: days of the month
    f["d"], f["upto"] = d1, {"d": d2}
    return True


@_chain_production("lunar_day")
def _p_lunar_day(x: _Extractor, a: Atom, f: dict, chain: list[Atom], second: bool) -> bool:
    if "m" not in f:
        return False
    d = a.g("d")
    if d.startswith("初"):
        f["lunar"] = True
        d = d[1:]
    f["d"] = to_int(d)
    return True


@_chain_production("holiday")
def _p_holiday(x: _Extractor, a: Atom, f: dict, chain: list[Atom], second: bool) -> bool:
    hs = a.m.start(f"{a.src}__h")
    for pat, cal, m, d in x.t.holidays:
        hm = pat.match(x.norm, hs)
        if hm and hm.end() == a.end:
            f["holiday"] = (cal, m, d)
            break
    return True


@_chain_production("week")
def _p_week(x: _Extractor, a: Atom, f: dict, chain: list[Atom], second: bool) -> bool:
    pre, wd = a.g("pre"), a.g("wd")
    off = x.t.relative[pre][1] if pre else None
    f["week"] = (off, "WE" if a.g("we") else x.t.weekdays[wd] if wd else None)
    return True


@_chain_production("tod")
def _p_tod(x: _Extractor, a: Atom, f: dict, chain: list[Atom], second: bool) -> bool:
    f["tod"] = x.t.tod[a.g("t") or a.g("ts") or a.g("ts2")]
    return True


@_chain_production("clock")
def _p_clock(x: _Extractor, a: Atom, f: dict, chain: list[Atom], second: bool) -> bool:
    c = x._clock(a, chain)
    if c is None:
        return False
    f["clock"] = c
    return True


@_standalone_production("plan")
def _s_plan(x: _Extractor, a: Atom) -> tuple[Res, str] | None:
    name = a.g("a") or a.g("b") or a.g("c") or a.g("d")
    y1, y2 = x.t.plans[name]
    return Res(f"{y1}/{y2}", date(y1, 1, 1), date(y2, 12, 31), "year"), a.kind


@_standalone_production("bce_year")
def _s_bce_year(x: _Extractor, a: Atom) -> tuple[Res, str] | None:
    # 公元前221年: TIMEX3 writes BC0221; no calendar day of this library reaches before year 1.
    n = to_int(a.g("y"))
    if not n:
        return None
    return Res(f"BC{n:04d}", None, None, "year"), a.kind


@_standalone_production("year_range")
def _s_year_range(x: _Extractor, a: Atom) -> tuple[Res, str] | None:
    y1, y2 = int(a.g("y1") or a.g("y3")), int(a.g("y2") or a.g("y4"))
    if y2 < y1:
        return None
    y_end = y2 - 1 if x.exclusive and y2 > y1 else y2
    return Res(f"{y1}/{y2}", date(y1, 1, 1), date(y_end, 12, 31), "year"), a.kind


@_standalone_production("month_range_numeric")
def _s_month_range_numeric(x: _Extractor, a: Atom) -> tuple[Res, str] | None:
    # 2010.06-2012.09 (a tenure in a biography): month to month.
    y1, m1, y2, m2 = (int(a.g(k)) for k in ("y1", "m1", "y2", "m2"))
    if (y2, m2) <= (y1, m1):
        return None
    first = date(y1, m1, 1)
    last = date(y2, m2, 1) - timedelta(days=1) if x.exclusive else \
        date(y2, m2, _last_day(y2, m2))
    return Res(f"{y1:04d}-{m1:02d}/{y2:04d}-{m2:02d}", first, last, "month"), a.kind


@_standalone_production("decade")
def _s_decade(x: _Extractor, a: Atom) -> tuple[Res, str] | None:
    dec = to_int(a.g("dec"))
    if a.g("c"):
        dec = (to_int(a.g("c")) - 1) * 100 + dec % 100
    elif dec < 100:
        base = x.ref.year if x.ref else 2000
        dec = base // 100 * 100 + dec
        if dec > base:
            dec -= 100
    return _decade(x, dec, a.g("dp")), a.kind


def _decade(x: _Extractor, first: int, part: str | None) -> Res:
    """The decade from `first`, or the years of it a part names (90年代末: parts.tsv)."""
    if part is None:
        return Res(f"{first // 10:03d}", date(first, 1, 1), date(first + 9, 12, 31), "decade")
    _scope, lo, _x, hi, _y, _suffix, gran, vague = x.t.parts["年代" + part]
    y1, y2 = first + int(lo), first + int(hi)
    return Res(f"{y1:04d}/{y2:04d}", date(y1, 1, 1), date(y2, 12, 31), gran, vague)


@_standalone_production("century")
def _s_century(x: _Extractor, a: Atom) -> tuple[Res, str] | None:
    # 19世纪 is 1800-1899 (as 19世纪80年代 is the 1880s); 上世纪 the century before the
    # reference's; 世纪末 and the other parts cut years out of it (parts.tsv, scope century).
    if a.g("c"):
        n = to_int(a.g("c"))
        if not n or n > 99:
            return None
        first = (n - 1) * 100
    elif x.ref is not None:
        first = (x.ref.year // 100 + x.t.relative[a.g("w")][1]) * 100
    else:
        return None
    if not 1 <= first <= 9899:
        return None
    if a.g("dec"):  # 上世纪80年代
        return _decade(x, first + to_int(a.g("dec")), a.g("dp")), a.kind
    p = a.g("p")
    if p is None:
        return Res(f"{first // 100:02d}", date(first, 1, 1), date(first + 99, 12, 31),
                   "century"), a.kind
    _scope, lo, _x, hi, _y, _suffix, gran, vague = x.t.parts["世纪" + p]
    y1, y2 = first + int(lo), first + int(hi)
    return Res(f"{y1:04d}/{y2:04d}", date(y1, 1, 1), date(y2, 12, 31), gran, vague), a.kind


@_standalone_production("set")
def _s_set(x: _Extractor, a: Atom) -> tuple[Res, str] | None:
    u = a.g("rr")[0] if a.g("rr") else a.g("u") or a.g("u2") or a.g("u3")
    wd = a.g("wd")
    if wd:
        return Res(f"XXXX-WXX-{x.t.weekdays[wd]}", None, None, "week", False, "SET"), a.kind
    code = x.t.units[u]
    value = "P3M" if code == "Q" else ("PT1" + code[1] if code.startswith("T") else "P1" + code)
    return Res(value, None, None, "set", False, "SET"), a.kind


@_standalone_production("vague")
def _s_vague(x: _Extractor, a: Atom) -> tuple[Res, str] | None:
    lo, hi, value, fut, back_to = x.t.vague[a.g("w")]
    if fut is not None and x._future(a.start):
        (lo, hi), value, back_to = fut, "FUTURE_REF", None
    span = value == "-"  # 今明两天: the named days themselves
    if x.ref is None:
        return Res("XXXX-XX-XX" if span else value, None, None, "day", not span), a.kind
    first, last = x.ref + timedelta(days=lo), x.ref + timedelta(days=hi)
    if back_to is not None:
        first = _looked_back_to(x.ref, back_to)
    if span:
        value = f"{first.isoformat()}/{last.isoformat()}"
    return Res(value, first, last, "day", not span), a.kind


def _looked_back_to(ref: date, back_to: str) -> date:
    """Where a vague word of a report looks back to (vague.tsv, back_to): `year`, the first
    of the reference's year; `month-N`, the first of its month, or of the month before where
    the reference falls in its month's first N days."""
    if back_to == "year":
        return ref.replace(month=1, day=1)
    first = ref.replace(day=1)
    grace = int(back_to.removeprefix("month-"))
    return first if ref.day > grace else (first - timedelta(days=1)).replace(day=1)


@_standalone_production("relative_hour")
def _s_relative_hour(x: _Extractor, a: Atom) -> tuple[Res, str] | None:
    # 上个小时: the clock hour before the reference's. A reference without a clock time
    # only bounds it: the hour before one on the 7th may still be on the 6th.
    off = x.t.relative[a.g("w")][1]
    if x.ref_moment is not None:
        t = x.ref_moment + timedelta(hours=off)
        return Res(f"{t:%Y-%m-%dT%H}", t.date(), t.date(), "time", False, "TIME"), a.kind
    value = "PRESENT_REF" if off == 0 else "PAST_REF" if off < 0 else "FUTURE_REF"
    if x.ref is None:
        return Res(value, None, None, "time", True), a.kind
    first, last = x.ref + timedelta(days=min(off, 0)), x.ref + timedelta(days=max(off, 0))
    return Res(value, first, last, "time", True), a.kind


@_standalone_production("period_rel")
def _s_period_rel(x: _Extractor, a: Atom) -> tuple[Res, str] | None:
    # 近3年 (the three years up to the reference), 未来5天 (the five days after it).
    ref, k = x.ref, a.kind
    n_s = a.g("n")
    unit = x.t.units[a.g("u")]
    direction, incl = x.t.durrel[a.g("pre")]
    approx = _APPROX_PAIR.fullmatch(n_s) is not None
    n = to_int(n_s[1] if approx else n_s)  # 近五六年: back six years, roughly
    if n is None:  # 近几年: a vague span
        n, vague = (3 if unit == "Y" else 7), True
    elif approx:
        vague = True
    elif n == 0:
        return None
    else:
        vague = False
    if ref is None:
        return Res("PAST_REF" if direction == "past" else "FUTURE_REF", None, None,
                   "day", True), k
    calendar_unit = unit in ("Y", "M", "W", "D")
    # The TIMEX interval (2014-03-22,2017-03-22,P3Y) stops where the reference begins, and
    # (2017-03-23,2017-03-25,P2D) for 未来两天 starts after it.
    incl = incl and not x.exclusive
    if direction == "past":
        a_d = _shift(ref, unit, -n) if calendar_unit else ref
        b_d = (ref if incl else ref - timedelta(days=1)) if calendar_unit else ref
    else:
        a_d = (ref if incl else ref + timedelta(days=1)) if calendar_unit else ref
        b_d = _shift(ref, unit, n) if calendar_unit else ref
    if a_d is None or b_d is None:
        return None
    return Res(f"{a_d.isoformat()}/{b_d.isoformat()}", a_d, b_d, "day", vague), k


@_standalone_production("duration")
def _s_duration(x: _Extractor, a: Atom) -> tuple[Res, str] | None:
    return x._duration(a)


# What drives a chain's reading, in order: the first that applies resolves it.
_DRIVERS: list[tuple[Callable[[dict, _Frame], bool],
                     Callable[[_Extractor, dict, _Frame], tuple[Res | None, bool]]]] = [
    (lambda f, fr: "rel_half" in f, _Extractor._drive_half),
    (lambda f, fr: "rel_day" in f, _Extractor._drive_relative_day),
    (lambda f, fr: "holiday" in f, _Extractor._drive_holiday),
    (lambda f, fr: fr.month is not None, _Extractor._drive_month),
    (lambda f, fr: fr.day is not None, _Extractor._drive_day),
    (lambda f, fr: "week" in f, _Extractor._drive_week),
    (lambda f, fr: fr.year is not None, _Extractor._drive_year),
    (lambda f, fr: "quarter" in f or "part" in f, _Extractor._drive_period_alone),
    (lambda f, fr: "tod" in f or "clock" in f, _Extractor._drive_time_alone),
]


def _year_of_weekday(year: int, month: int, day: int, week: tuple | None, ref: date, reach: int) -> int:
    """A day told with its weekday and no year (5月6日（星期六）, told on 4月20日): where the day
    falls on that weekday in the year after the inferred one and not in it, the day is the
    coming one (a plan told without a cue, or a page stamped before its story), if it comes
    within `reach` days (limits.tsv weekday_ahead_days). Backward only for a day kept ahead of
    the reference: otherwise a weekday that fits an earlier year is as likely a slip as a
    retrospective."""
    if week is None or week[0] is not None or not isinstance(week[1], int):
        return year
    this, following = _safe_date(year, month, day), _safe_date(year + 1, month, day)
    if this is not None and this.isoweekday() != week[1] and following is not None \
            and following.isoweekday() == week[1] and following <= ref + timedelta(days=reach):
        return year + 1
    previous = _safe_date(year - 1, month, day)
    if this is not None and this > ref and this.isoweekday() != week[1] and previous is not None \
            and previous.isoweekday() == week[1]:
        # a day kept ahead of the reference (limits.tsv ahead_days_month) whose weekday is
        # last year's: the weekday says which (5月6日（周五） told on 4月20日, 2023: 2022's)
        return year - 1
    return year


def _check_productions(t: Tables) -> None:
    """Every pattern row names a production of the right kind (fails when tables load)."""
    for row in t.rows.values():
        known = _CHAIN if row.levels is not None else _ALONE
        if row.production not in known:
            kind = "chain" if row.levels is not None else "standalone"
            raise TableError(f"patterns.tsv row {row.name!r}: no {kind} production "
                             f"{row.production!r}")


@lru_cache(maxsize=1)
def _checked_tables() -> Tables:
    t = tables()
    _check_productions(t)
    return t


def extract_times(text: str, reference: datetime | date | None = None, *,
                  range_end: str = "inclusive") -> list[TimeMention]:
    """Time expressions in `text`, sorted by start and non-overlapping.

    Offsets and surface text refer to `text` itself (Traditional or Simplified). Without a
    reference, relative expressions keep their form (XXXX-05) and get no calendar bounds.
    `range_end` is "inclusive" (news: 5月至8月 includes August) or "exclusive" (the
    TIMEX/Recognizers interval convention: the range stops before the second point's
    period begins, so 5月至8月 ends on July 31).
    """
    if range_end not in ("inclusive", "exclusive"):
        raise ValueError(f"range_end must be 'inclusive' or 'exclusive', not {range_end!r}")
    if not text:
        return []
    return _Extractor(text, reference, range_end).run()
