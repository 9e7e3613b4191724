"""Atoms -> chains -> ranges -> resolved TimeMentions.

One compiled alternation finds atoms (year, month, day, relative word, clock, ...) on the
normalized Simplified copy; adjacent atoms in calendar order chain into one expression
(今年 + 5月, 16日 + 上午 + 10时30分), two chains joined by 至/到/- form a range, and each
expression is resolved against the reference with the news rule: an underspecified date
is the latest such date not after the reference, unless a future cue precedes it.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta
from functools import lru_cache

from ..model import TimeMention
from ..script import to_simplified
from .numerals import to_int
from .tables import DATA, tables

# Full-width digits and separators to ASCII, one char for one char so offsets stay.
_NORM = str.maketrans("０１２３４５６７８９：－～／　", "0123456789:-~/ ")
_NEEDS_NORM = re.compile("[０-９：－～／　]")

# Levels give the order in which atoms may chain: year < part-of-year < month <
# part-of-month < day < weekday < time of day < clock.
_LEVELS = {
    "lunarpfx": (0, 0), "iso": (1, 5), "mdy": (1, 5), "era": (1, 1), "year": (1, 1), "relyear": (1, 1), "quarter": (2, 2),
    "month": (3, 3), "relmonth": (3, 3), "evdot": (3, 5), "day": (5, 5), "lday": (5, 5),
    "relday": (5, 5), "holiday": (5, 5), "relweek": (5, 6), "week": (6, 6), "tod": (7, 7),
    "clock": (8, 8), "relhalf": (2, 2),
    # Ordinals inside the period chained before them: 十月的第一周, 今年前10个月.
    "ordwd": (4, 6), "ordweek": (4, 6), "ordmonth": (4, 4), "firstn": (4, 6),
}
_REL_KINDS = frozenset(("relday", "relmonth", "relyear"))
_ORDINALS = ("ordwd", "ordweek", "ordmonth", "firstn")
_TOD = {
    "凌晨": "NI", "深夜": "NI", "午夜": "NI", "半夜": "NI", "夜间": "NI", "夜里": "NI",
    "夜晚": "NI", "夜": "NI", "清晨": "MO", "早晨": "MO", "早上": "MO", "早间": "MO",
    "上午": "MO", "早": "MO", "中午": "MI", "午间": "MI", "正午": "MI", "下午": "AF",
    "午后": "AF", "傍晚": "EV", "黄昏": "EV", "晚上": "EV", "晚间": "EV", "晚": "EV",
    "白天": "DT",
}
_DUR_UNIT = {
    "年": "Y", "月": "M", "周": "W", "星期": "W", "礼拜": "W", "天": "D", "日": "D",
    "小时": "TH", "钟头": "TH", "分钟": "TM", "秒钟": "TS", "秒": "TS", "季度": "Q",
    "季": "Q", "晚": "D",
}
# lunar-python keys the terms of the following Gregorian year by pinyin.
_TERM_ALIAS = {"冬至": "DONG_ZHI", "小寒": "XIAO_HAN", "大寒": "DA_HAN", "立春": "LI_CHUN",
               "雨水": "YU_SHUI", "惊蛰": "JING_ZHE", "大雪": "DA_XUE"}
_WEEKDAY = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "日": 7, "天": 7}
# 自3月1日起至12月31日: a start word may sit between the first point and 至.
_RANGE_SEP = re.compile(r"\s*(?:(?:起|开始)\s*[，,]?\s*)?(?:至|到|-|–|—|——|~|－)\s*")
# A和B之间: a range whose end is named by 之间 after the second point.
_BETWEEN_SEP = re.compile(r"\s*(?:和|与|跟|同)\s*")
_BETWEEN_END = re.compile(r"\s*(?:的)?(?:之间|间)")
# 三年零六个月, 1小时30分钟: one duration in several units.
_DUR_JOIN = re.compile(r"\s*(?:零|又)?\s*")
_CHAIN_GAP = re.compile(r" *(?:的)? *")
_WEEK_GAP = re.compile(r"[ ，,（(]{0,2}")
# Words right before a date that move an underspecified date into the future.
_FUTURE_CUE = re.compile(r"(?:将|将于|即将|计划于|拟于|定于|预计|预计于|届时|将在|下一步)\s*$")
_CLAUSE_START = re.compile(r"(?:^|[，。；：、,.;:!?！？\n“”\"「」（）()]\s*|\s)$")
_POINT_OK = re.compile(r"钟|整|半|许|左右|前后|以前|以后|之前|之后|前|后|起|开始|至|到|-|[，。、,.;；\s]|$")


class Atom:
    __slots__ = ("start", "end", "kind", "src", "m", "lo", "hi")

    def __init__(self, start: int, end: int, kind: str, m: re.Match | None):
        self.start, self.end, self.kind, self.src, self.m = start, end, kind, kind, m
        self.lo, self.hi = _LEVELS.get(kind, (None, None))

    def g(self, name: str) -> str | None:
        if self.m is None:
            return None
        try:
            return self.m.group(f"{self.src}__{name}")
        except IndexError:  # kinds share field code but not every group (ordinals)
            return None


class Res:
    __slots__ = ("value", "earliest", "latest", "gran", "vague", "type", "note")

    def __init__(self, value, earliest, latest, gran, vague=False, type_="DATE", note=""):
        self.value, self.earliest, self.latest = value, earliest, latest
        self.gran, self.vague, self.type, self.note = gran, vague, type_, note


# ---------------------------------------------------------------- date helpers

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
        if isinstance(reference, datetime):
            reference = reference.date()
        self.ref: date | None = reference
        self.t = tables()
        self.anchor_day: date | None = None
        self.anchor_year: int | None = None

    # atoms ---------------------------------------------------------------
    def atoms(self) -> list[Atom]:
        out: list[Atom] = []
        norm, match, pos = self.norm, self.t.atoms.match, 0
        # Try the big alternation only where an atom can start: a C-level char-class scan
        # skips the rest of the text, several times faster than finditer on the alternation.
        starts = [c.start() for c in self.t.first.finditer(norm)]
        eras = [m.start() for m in self.t.era_start.finditer(norm)]
        if eras:
            starts = sorted({*starts, *eras})
        for i in starts:
            if i < pos:
                continue
            m = match(norm, i)
            if m is None:
                continue
            kind = m.lastgroup
            if kind in _REL_KINDS and self._split(m.group(kind), i, m.end()):
                continue  # 说明|日本: try again inside the word
            pos = m.end()
            a = Atom(m.start(), m.end(), kind, m)
            if kind == "iso" and a.g("h"):
                a.hi = 8
            elif kind == "part":
                w = a.g("p") or a.g("ps") or "月" + a.g("pm")
                scope = self.t.parts[w][0]
                a.lo = a.hi = 4 if scope == "month" else 6 if scope == "week" else 2
            elif kind == "mdy" and not a.g("y") and not self._md_ok(a):
                continue
            if kind == "year" and not self._year_ok(a):
                a.kind, a.lo, a.hi = "dur_year", None, None
            out.append(a)
        return out

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
        if len(y) != 2 or not y.isdigit():
            return True
        # Two-digit years (08年, 18年10月) versus durations (30年): a year when it starts
        # with 0 or 9, or a month follows.
        if y[0] in "09":
            return True
        return re.match(r"\s?(?:1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])\s?月",
                        self.norm[a.end:a.end + 4]) is not None

    # chains --------------------------------------------------------------
    def chains(self, atoms: list[Atom]) -> list[list[Atom]]:
        chains: list[list[Atom]] = []
        cur: list[Atom] = []
        for a in atoms:
            if a.lo is None:
                if cur:
                    chains.append(cur)
                    cur = []
                chains.append([a])
                continue
            if cur and a.lo > cur[-1].hi:
                gap = self.norm[cur[-1].end:a.start]
                rx = _WEEK_GAP if a.kind == "week" else _CHAIN_GAP
                if rx.fullmatch(gap):
                    if a.kind == "part" and not self._part_fits(a, cur[-1]):
                        continue  # 2020年上旬: no month to cut, and not the reference's
                    cur.append(a)
                    continue
            if cur:
                chains.append(cur)
            cur = [a]
        if cur:
            chains.append(cur)
        return chains

    @staticmethod
    def _part_fits(part: Atom, prev: Atom) -> bool:
        # 上旬 and 上半周 name days of a month or week: 2020年上旬 has no month to cut, so
        # the part is dropped rather than read as the reference month's.
        if part.lo == 4:
            return prev.hi == 3
        return part.lo != 6

    # resolution of one chain ---------------------------------------------
    def fields(self, chain: list[Atom], second: bool = False) -> dict | None:
        f: dict = {}
        for a in chain:
            k = a.kind
            if k == "lunarpfx":
                f["lunar"] = True
            elif k == "iso":
                f["y"], f["m"], f["d"] = int(a.g("y")), int(a.g("m")), int(a.g("d"))
                if a.g("h"):
                    s = a.g("s")
                    f["clock"] = (int(a.g("h")), int(a.g("mi")), int(s) if s else None)
            elif k == "mdy":
                f["m"], f["d"] = int(a.g("m")), int(a.g("d"))
                if a.g("y"):
                    f["y"] = int(a.g("y"))
            elif k == "era":
                first, lunar = self.t.eras[a.g("e")]
                n = 1 if a.g("y") == "元" else to_int(a.g("y"))
                if not n:
                    return None
                f["y"] = first + n - 1
                if lunar:
                    f["lunar"] = f["lunar_year"] = True
            elif k == "relhalf":
                f["rel_half"] = self.t.relative[a.g("w")][1]
            elif k in _ORDINALS:
                n = to_int(a.g("n")) if a.g("n") else 1  # 最后一个星期一
                last = bool(a.g("last")) or (k == "firstn" and a.g("pre") == "最后")
                dow = a.g("d") if k == "ordwd" else None
                dow = (int(dow) if dow.isdigit() else _WEEKDAY[dow]) if dow else None
                if not n:
                    return None
                f["ord"] = (k, n, last, a.g("u") if k == "firstn" else None, dow)
            elif k == "year":
                y = to_int(a.g("y"))
                if y is None:
                    return None
                if y < 100:
                    y += 1900 if y >= 50 else 2000
                f["y"] = y
            elif k in ("relyear", "relmonth", "relday"):
                unit, off, ana, tod = self.t.relative[a.g("w")]
                f["rel_" + unit] = (off, ana)
                if tod:
                    f["tod"] = tod
            elif k == "quarter":
                q = a.g("q") or a.g("q3") or ("1" if a.g("q4") else None)
                f["quarter"] = to_int(q)
            elif k == "part":
                w = a.g("p") or a.g("ps") or "月" + a.g("pm")
                f["part"] = (w, self.t.parts[w])
            elif k == "month":
                m = a.g("m")
                if m in ("正", "腊", "冬"):
                    f["lunar"] = True
                    m = {"正": "1", "腊": "12", "冬": "11"}[m]
                f["m"] = to_int(m)
            elif k == "evdot":
                f["m"] = int(a.g("m1") or a.g("m2") or a.g("m3"))
                f["d"] = int(a.g("d1") or a.g("d2") or a.g("d3"))
            elif k == "day":
                if "m" not in f and "rel_month" not in f and a.start and \
                        self.norm[a.start - 1] == "月":
                    return None  # 13月5日: the month was impossible, so is the day
                # 十日 / 3号 alone are too often not dates (十日谈, 3号线).
                bare = a.g("d")[0] not in "0123456789" or a.g("u") == "号"
                if bare and "m" not in f and "rel_month" not in f and not second:
                    return None
                f["d"] = to_int(a.g("d"))
            elif k == "lday":
                if "m" not in f:
                    return None
                d = a.g("d")
                if d.startswith("初"):
                    f["lunar"] = True
                    d = d[1:]
                f["d"] = to_int(d)
            elif k == "holiday":
                hs = a.m.start(f"{a.src}__h")
                for pat, cal, m, d in self.t.holidays:
                    hm = pat.match(self.norm, hs)
                    if hm and hm.end() == a.end:
                        f["holiday"] = (cal, m, d)
                        break
            elif k == "week":
                pre, d = a.g("pre") or "", a.g("d")
                f["week"] = (self._week_offset(pre), "WE" if d == "末" else
                             int(d) if d.isdigit() else _WEEKDAY[d])
            elif k == "relweek":
                f["week"] = (self._week_offset(a.g("pre")), None)
            elif k == "tod":
                f["tod"] = _TOD[a.g("t") or a.g("ts")]
            elif k == "clock":
                c = self._clock(a, chain)
                if c is None:
                    return None
                f["clock"] = c
        return f

    @staticmethod
    def _week_offset(pre: str) -> int | None:
        pre = pre.replace("个", "")
        return {"": None, "上上": -2, "上": -1, "下下": 2, "下": 1, "本": 0, "这": 0,
                "今": 0, "该": 0, "次": 1}.get(pre)

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
        if a.g("mi"):
            mi = to_int(a.g("mi"))
        elif a.g("half"):
            mi = 30
        elif a.g("q"):
            mi = 15 if a.g("q") == "一刻" else 45
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
            if a.g("u") == "点" and not _POINT_OK.match(self.norm, a.end):
                return None
        return h, mi, s

    def _future(self, start: int) -> bool:
        return _FUTURE_CUE.search(self.norm[max(0, start - 6):start]) is not None

    def resolve(self, f: dict, start: int) -> Res | None:
        ref = self.ref
        tod, clock = f.get("tod"), f.get("clock")
        timed = tod is not None or clock is not None
        future = self._future(start)
        res: Res | None = None

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
            base_d = self.anchor_day if ana and self.anchor_day else ref
            if base_d is None:
                return self._unresolved(f, "XXXX-XX")
            year, month = _add_months(base_d.year, base_d.month, off)
        day = f.get("d")

        if "rel_half" in f:
            if ref is None:
                return None
            h = (ref.month - 1) // 6 + f["rel_half"]
            y, m = _add_months(ref.year, 1, 6 * h)
            a_d = date(y, m, 1)
            b_d = date(y, m + 5, _last_day(y, m + 5))
            return Res(f"{y:04d}-H{m // 6 + 1}", a_d, b_d, "half")
        if "rel_day" in f:
            off, ana = f["rel_day"]
            base = self.anchor_day if ana and self.anchor_day else ref
            if base is None:
                return self._unresolved(f, "XXXX-XX-XX")
            d = base + timedelta(days=off)
            res = Res(d.isoformat(), d, d, "day")
        elif "holiday" in f:
            cal, hm, hd = f["holiday"]
            if year is None:
                if ref is None:
                    return self._unresolved(f, "XXXX-XX-XX")
                year = ref.year
                d = _holiday_date(year, cal, hm, hd)
                if d is not None and not future and d > ref:
                    d = _holiday_date(year - 1, cal, hm, hd)
                elif d is not None and future and d < ref:
                    d = _holiday_date(year + 1, cal, hm, hd)
            else:
                # An era counts lunar years: 雍正四年大年三十 closes that lunar year, so it
                # falls before the next year's Spring Festival.
                d = _holiday_date(year + (cal == "eve" and "lunar_year" in f), cal, hm, hd)
            if d is None:
                return None
            res = Res(d.isoformat(), d, d, "day")
        elif month is not None:
            if not 1 <= month <= 12:
                return None
            lunar = f.get("lunar", False)
            if year is None:
                if ref is None or year_vague:
                    if day is not None:
                        if _safe_date(2000, month, day) is None:
                            return None
                        return self._unresolved(f, f"XXXX-{month:02d}-{day:02d}")
                    return self._unresolved(f, f"XXXX-{month:02d}")
                year = ref.year
                key, rkey = (month, day or 1), (ref.month, ref.day)
                if lunar:
                    probe = _lunar_to_solar(year, month, day or 1)
                    if probe is not None:
                        key, rkey = (probe.month, probe.day), (ref.month, ref.day)
                if not future and key > rkey:
                    year -= 1
                elif future and key < rkey:
                    year += 1
            if day is not None:
                d = _lunar_to_solar(year, month, day) if lunar else _safe_date(year, month, day)
                if d is None and lunar and day == 30 and year != f.get("y"):
                    # 正月三十 without a year: the nearest year whose month has 30 days.
                    for k in range(1, 6):
                        d = _lunar_to_solar(year + (k if future else -k), month, day)
                        if d:
                            break
                if d is None and year != f.get("y") and not lunar and month == 2 and day == 29:
                    # 2月29日 without a year: the latest leap year (news looks back).
                    for k in range(1, 8):
                        d = _safe_date(year - k, 2, 29)
                        if d:
                            break
                if d is None:
                    return None
                res = Res(d.isoformat(), d, d, "day")
            else:
                if lunar:
                    a = _lunar_to_solar(year, month, 1)
                    if a is None:
                        return None
                    nxt = _lunar_to_solar(*_add_months(year, month, 1), 1)
                    b = nxt - timedelta(days=1) if nxt else a
                    res = Res(f"{year:04d}-{month:02d}", a, b, "month")
                else:
                    res = Res(f"{year:04d}-{month:02d}", date(year, month, 1),
                              date(year, month, _last_day(year, month)), "month")
                if "part" in f and f["part"][1][0] == "month":
                    res = self._month_part(res, year, month, f["part"])
        elif day is not None:
            if ref is None:
                return self._unresolved(f, f"XXXX-XX-{day:02d}")
            y, m = ref.year, ref.month
            if not future and day > ref.day:
                y, m = _add_months(y, m, -1)
            elif future and day < ref.day:
                y, m = _add_months(y, m, 1)
            d = None
            for _ in range(3):  # 31日 in a 30-day month: step to a month that has it
                d = _safe_date(y, m, day)
                if d:
                    break
                y, m = _add_months(y, m, 1 if future else -1)
            if d is None:
                return None
            res = Res(d.isoformat(), d, d, "day")
        elif "week" in f:
            res = self._week(f["week"], future)
            if res is None:
                return self._unresolved(f, "XXXX-WXX")
        elif year is not None:
            res = Res(f"{year:04d}", date(year, 1, 1), date(year, 12, 31), "year")
            if "quarter" in f and f["quarter"] and 1 <= f["quarter"] <= 4:
                q = f["quarter"]
                a = date(year, 3 * q - 2, 1)
                b = date(year, 3 * q, _last_day(year, 3 * q))
                res = Res(f"{year:04d}-Q{q}", a, b, "quarter")
            elif "part" in f and f["part"][1][0] == "year":
                res = self._year_part(year, f["part"])
        elif "quarter" in f or "part" in f:
            # 一季度, 上半年, 年底, 月底 alone: the reference's year or month.
            if ref is None:
                return self._unresolved(f, "XXXX")
            if "part" in f and f["part"][1][0] == "week":
                monday = ref - timedelta(days=ref.weekday())
                spec = f["part"][1]
                a_d = monday + timedelta(days=int(spec[1]) - 1)
                b_d = monday + timedelta(days=int(spec[3]) - 1)
                res = Res(f"{a_d.isoformat()}/{b_d.isoformat()}", a_d, b_d, "half")
            elif "part" in f and f["part"][1][0] == "month":
                w = f["part"][0]
                if w == "月中":
                    return None
                base = Res("", None, None, "month")
                res = self._month_part(base, ref.year, ref.month, f["part"])
            elif "part" in f:
                w, spec = f["part"]
                if len(w) < 2 or w == "年中" or w.endswith("天"):
                    return None
                res = self._year_part(ref.year, f["part"])
                if spec[6] == "season" and res.earliest > ref and not future:
                    res = self._year_part(ref.year - 1, f["part"])
            else:
                q = f.get("quarter")
                if not q or not 1 <= q <= 4:
                    return None
                y = ref.year
                a = date(y, 3 * q - 2, 1)
                res = Res(f"{y:04d}-Q{q}", a, date(y, 3 * q, _last_day(y, 3 * q)), "quarter")
        elif timed:
            # A bare time of day: the day is left to whoever reads the context.
            h, mi, s = clock if clock else (None, None, None)
            h = self._hour_for_tod(h, tod)
            return Res(_fmt_time(h, mi, s, tod), None, None, "time", False, "TIME")
        else:
            return None

        if res is None:
            return None
        if "ord" in f:
            res = self._ordinal(res, f["ord"])
            if res is None:
                return None
        if timed and res.gran == "day":
            h, mi, s = clock if clock else (None, None, None)
            h = self._hour_for_tod(h, tod)
            res.value += _fmt_time(h, mi, s, tod)
            res.type, res.gran = "TIME", "time"
        return res

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
        k, ref = a.kind, self.ref
        if k == "plan":
            name = a.g("a") or a.g("b") or a.g("c") or a.g("d")
            y1, y2 = self.t.plans[name]
            return Res(f"{y1}/{y2}", date(y1, 1, 1), date(y2, 12, 31), "year"), k
        if k == "yrange":
            y1, y2 = int(a.g("y1")), int(a.g("y2"))
            if y2 < y1:
                return None
            y_end = y2 - 1 if self.exclusive and y2 > y1 else y2
            return Res(f"{y1}/{y2}", date(y1, 1, 1), date(y_end, 12, 31), "year"), k
        if k == "decade":
            dec = to_int(a.g("dec"))
            if a.g("c"):
                dec = (to_int(a.g("c")) - 1) * 100 + dec % 100
            elif dec < 100:
                base = ref.year if ref else 2000
                dec = base // 100 * 100 + dec
                if dec > base:
                    dec -= 100
            return Res(f"{dec // 10:03d}", date(dec, 1, 1), date(dec + 9, 12, 31), "decade"), k
        if k == "set":
            u = a.g("rr")[0] if a.g("rr") else a.g("u") or a.g("u2") or a.g("u3")
            wd = a.g("wd")
            if wd:
                dow = int(wd) if wd.isdigit() else _WEEKDAY[wd]
                return Res(f"XXXX-WXX-{dow}", None, None, "week", False, "SET"), k
            code = {"年度": "Y", "季": "Q"}.get(u) or _DUR_UNIT.get(u, "D")
            value = "P3M" if code == "Q" else ("PT1" + code[1] if code.startswith("T")
                                               else "P1" + code)
            return Res(value, None, None, "set", False, "SET"), k
        if k == "vague":
            lo, hi, value, fut = self.t.vague[a.g("w")]
            if fut is not None and self._future(a.start):
                (lo, hi), value = fut, "FUTURE_REF"
            if ref is None:
                return Res(value, None, None, "day", True), k
            return Res(value, ref + timedelta(days=lo), ref + timedelta(days=hi), "day",
                       True), k
        if k in ("durrel", "firstn"):
            n = to_int(a.g("n"))
            unit = _DUR_UNIT[a.g("u")]
            direction, incl = self.t.durrel[a.g("pre")]
            if n is None:  # 近几年: a vague span
                n, vague = (3 if unit == "Y" else 7), True
            elif n == 0:
                return None
            else:
                vague = False
            if ref is None:
                return Res("PAST_REF" if direction == "past" else "FUTURE_REF", None, None,
                           "day", True), k
            if direction == "past":
                a_d = _shift(ref, unit, -n)
                b_d = ref if incl else ref - timedelta(days=1)
                if unit not in ("Y", "M", "W", "D"):
                    a_d = b_d = ref
            else:
                a_d = ref if incl else ref + timedelta(days=1)
                b_d = _shift(ref, unit, n)
                if unit in ("Y", "M", "W", "D") and not incl:
                    b_d = b_d
                if unit not in ("Y", "M", "W", "D"):
                    a_d = b_d = ref
            if a_d is None or b_d is None:
                return None
            return Res(f"{a_d.isoformat()}/{b_d.isoformat()}", a_d, b_d, "day", vague), k
        if k in ("dur", "dur_year"):
            return self._duration(a)
        return None

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
            unit = _DUR_UNIT[u]
            tail, half = a.g("tail"), a.g("half") or a.g("halfp")
            if n_s == "一" and u in ("周", "天"):
                ctx = self.t.context["lap" if u == "周" else "someday"]
                if ctx.search(self.norm, max(0, a.start - 8), a.start):
                    return None  # 公转一周 is a revolution, 有一天 is "one day" in a story
            more = bool(a.g("more") or a.g("more2") or tail in ("多", "余"))
        if n_s == "半":
            n: float | None = 0.5
        elif n_s in ("几", "数") or "几" in n_s:
            n = None
        elif re.fullmatch(r"\d+\.\d+", n_s):
            n = float(n_s)
        else:
            n = to_int(n_s)
            if n is None:
                return None
        if n is not None and half:
            n += 0.5
        ref, rule = self.ref, "durrel"
        if tail in ("之后", "以后", "后") and self.anchor_day is not None:
            # 3月5日发生地震…两天后道路恢复: counted from the story's last day, not from
            # publication (30年前, counted back, stays with publication: news means "ago")
            ref, rule = self.anchor_day, "durrel_story"
        if tail in ("之前", "以前", "前", "之后", "以后", "后") and n is not None:
            sign = -1 if "前" in tail else 1
            if ref is None:
                return Res("PAST_REF" if sign < 0 else "FUTURE_REF", None, None, "day",
                           True), rule
            if n != int(n) and unit in ("Y", "M"):
                # 一个半月后: a fractional count lands on a day, roughly.
                d = _shift(ref, "D", round(sign * n * (365 if unit == "Y" else 30)))
                return (Res(d.isoformat(), d, d, "day", True), rule) if d else None
            d = _shift(ref, unit, sign * n) if n == int(n) else None
            if d is None:
                return None
            # 30年前 names a year, 3个月前 a month: the count is too round for a day.
            if unit == "Y":
                return Res(f"{d.year:04d}", date(d.year, 1, 1), date(d.year, 12, 31), "year",
                           more), rule
            if unit == "M":
                return Res(f"{d.year:04d}-{d.month:02d}", date(d.year, d.month, 1),
                           date(d.year, d.month, _last_day(d.year, d.month)), "month",
                           more), rule
            return Res(d.isoformat(), d, d, "day", more or unit in ("W", "Q")), rule
        ref = self.ref
        if tail in ("来", "以来") and n is not None and ref is not None and n == int(n):
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
            res = self.resolve(f, ch[0].start) if f is not None else None
            if res is not None and i + 1 < len(chains) and chains[i + 1][0].lo is not None \
                    and _BETWEEN_SEP.fullmatch(self.norm[ch[-1].end:chains[i + 1][0].start]):
                nxt = chains[i + 1]
                tail = _BETWEEN_END.match(self.norm, nxt[-1].end)
                f2 = self.fields(nxt, second=True) if tail else None
                res2 = self._resolve_second(f, f2, nxt[0].start) if f2 else None
                rng = self._range(res, res2) if res2 is not None else None
                if rng is not None:
                    out.append(self._mention(ch[0].start, tail.end(), rng, "between"))
                    self._remember(f2, res2)
                    i += 2
                    continue
            # A range: chain, 至/到/-, chain; the second inherits what it leaves out.
            if res is not None and i + 1 < len(chains) and chains[i + 1][0].lo is not None:
                nxt = chains[i + 1]
                if _RANGE_SEP.fullmatch(self.norm[ch[-1].end:nxt[0].start]):
                    f2 = self.fields(nxt, second=True)
                    res2 = self._resolve_second(f, f2, nxt[0].start) if f2 else None
                    if res2 is not None and res2.earliest is None and res2.type == "TIME":
                        # 上午10点到12点: the second end is a clock time on the same day.
                        res2 = Res(res2.value, res.earliest, res.latest, res.gran, False, "TIME")
                    rng = self._range(res, res2)
                    if rng is not None:
                        out.append(self._mention(ch[0].start, nxt[-1].end, rng, "range"))
                        self._remember(f2, res2)
                        i += 2
                        continue
            if res is not None:
                out.append(self._mention(ch[0].start, ch[-1].end, res, "+".join(
                    a.kind for a in ch)))
                self._remember(f, res)
            i += 1
        return out

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
            return Res("P" + num + _DUR_UNIT[a.g("u")], None, None, "duration", False,
                       "DURATION")
        if a.g("pre") in self.t.durrel:
            r = self.standalone(a)
            return r[0] if r else None
        return None

    def _range(self, res: Res, res2: Res | None) -> Res | None:
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

    def _resolve_second(self, f1: dict, f2: dict, start: int) -> Res | None:
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
        r1 = self.resolve(f1, start)
        if r1 is not None and r1.earliest is not None:
            self.anchor_year = r1.earliest.year  # 11月至次年2月
        if "y" not in g and "rel_year" not in g and "m" in g and r1 is not None \
                and r1.earliest is not None:
            g["y"] = r1.earliest.year
        res = self.resolve(g, start)
        if res is not None and r1 is not None and r1.earliest and res.latest and \
                res.latest < r1.earliest and "y" in g and "y" not in f2:
            # 8月至2月 / 12月至次年2月: the second end lies in the next year.
            g["y"] = g["y"] + 1
            res = self.resolve(g, start)
        return res

    def _remember(self, f: dict, res: Res) -> None:
        if res.earliest is None:
            return
        if res.gran in ("day", "time") and "rel_day" not in f:
            self.anchor_day = res.earliest
        if "y" in f or "rel_year" in f or res.gran in ("day", "time", "month"):
            self.anchor_year = res.earliest.year

    def _mention(self, start: int, end: int, res: Res, rule: str) -> TimeMention:
        return TimeMention(
            text=self.text[start:end], start=start, end=end, type=res.type, value=res.value,
            earliest=res.earliest if res.type in ("DATE", "TIME") else None,
            latest=res.latest if res.type in ("DATE", "TIME") else None,
            granularity=res.gran, vague=res.vague, rule=f"{rule}:{res.note}" if res.note else rule,
        )


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
