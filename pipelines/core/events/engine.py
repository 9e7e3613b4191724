"""Event extraction: trigger prefilter, clause analysis, dating, place, actors, merge key."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from itertools import accumulate, pairwise
from typing import TypeVar

from pipelines.core.datatables import LexiconMatch
from pipelines.core.model import Document, Event, TimeMention
from pipelines.core.script import chars_to_simplified
from pipelines.core.textscan import mask_long_runs
from pipelines.core.timex.tables import tables as timex_tables

from .salience import (
    ArticleBigrams,
    BigramWeights,
    SentenceFeatures,
    SentenceModel,
    TitleEcho,
    seen_quarters,
    sentence_features,
    sentence_groups,
    sentence_model,
)
from .tables import GENERIC_TYPE, Tables, tables

# a sentence: blanks and the previous one's closing quote (skipped), then up to 。！？ (kept)
# or a line end (dropped)
_SENTENCE = re.compile(r"[ \t\u3000”」]*([^。！？!?\n]*[。！？!?]?)\n?")
_CLAUSE_SEP = set("，,；;：:")
_OPEN = set("“「『《（(【")
_CLOSE = set("”」』》）)】")
_ENUM_SEP = set("、和及与")
_TITLE = re.compile(r"《[^》]{0,60}》?")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# every char CJK (an empty string too): one C-level match, not a Python loop per char
_ALL_CJK = re.compile(r"[\u4e00-\u9fff]*")
# 十四五 names a plan period, never the date of an act; 目前 and 如今 (rule present) say a
# state holds when the story is published, not when an act took place; 马上 (rule soon)
# says how fast an act follows, in the story's time as often as in the publication's.
_SKIP_MENTION_RULES = {"plan", "present", "soon"}
_HEADLINE_MAX = 40
_BYLINE_REACH = 80  # a dateline and a reporter's byline in brackets fit in this many characters
_BYLINE_MARKS = frozenset("电電讯訊")
_CONNECTIVE_REACH = 4  # 并且, 但是 and the comma after them


@dataclass(slots=True)
class _Lexicon:
    cut: Callable[[str, bool], list[str]]  # rjieba.cut: jieba's dictionary route, in Rust
    # word -> POS tag of jieba's dictionary (posseg's word_tag_tab), for the words whose tag
    # the rules read (_read_tags); any other word is absent, as a word jieba does not know
    tags: dict[str, str]


# The tags the rules compare a word's tag with: a place name, a verb (the generic and
# done-act passes), and place_stems.tsv's tags of stems that name no place. The tag table
# holds only the words so tagged (a fifth of jieba's 350,000): a rule asking of any other
# word sees no tag, which none of them reads differently from the word's own.
_PLACE_TAG, _VERB_TAG = "ns", "v"
# The generic pass also reads a verbal noun (vn) as its clause's act: jieba tags 供应, 审理
# and 降为 so whatever their use (俄罗斯将从27日起暂停向两国供应天然气 has no other verb).
# On the tuning sets 10 key events dated that were not, 3 lost, for 127 more events (95 on a gold event).
_GENERIC_VERB_TAGS = frozenset({_VERB_TAG, "vn"})


# A shortened headline does not end on a preposition, conjunction, adverb or 的 (…在博克拉旧
# 机场和…, …于美国当地时间2月1日早晨被…): what it opens is cut off, so the cut goes before it.
_DANGLING_TAGS = frozenset({"p", "c", "d", "uj"})


def _read_tags() -> frozenset[str]:
    return frozenset({_PLACE_TAG}) | _GENERIC_VERB_TAGS | _DANGLING_TAGS | _ACT_TAGS | tables().place_bad_tags


_HAN_BLOCK = re.compile(r"[\u4E00-\u9FD5a-zA-Z0-9+#&._]+")  # posseg's re_han_internal
_ASCII_CHAR = re.compile(r"[a-zA-Z0-9]")  # posseg buffers these as 'eng', never a place


@lru_cache(maxsize=1)
def _jieba() -> _Lexicon:
    # Loaded on first use only: importing the package must stay cheap. The cut is
    # jieba-rs (rjieba), which routes over the same dict.txt as jieba (identical words on
    # 20,000 corpus sentences) 6x faster and without jieba's 130 MiB prefix dictionary;
    # the tags are dict.txt's third column (those _read_tags names), read once per machine
    # into a marshal file.
    import contextlib
    import importlib.util
    import marshal
    import os
    import tempfile
    import zlib
    from pathlib import Path

    import rjieba

    from pipelines.atomicfile import write_bytes_atomically

    # jieba's dict.txt, found without running jieba's own (slow) package import
    spec = importlib.util.find_spec("jieba")
    dictionary = os.path.join(next(iter(spec.submodule_search_locations or [])), "dict.txt")
    st = os.stat(dictionary)
    read = sorted(_read_tags())
    kept = zlib.crc32("\n".join(read).encode("utf-8"))  # which tags the file keeps
    cache = os.path.join(tempfile.gettempdir(),
                         f"timeline-jieba-tags-{st.st_size}-{int(st.st_mtime)}-{kept:08x}.marshal")
    try:
        with open(cache, "rb") as fh:
            # loads(read()): marshal.load on a file reads in small pieces, 3x slower
            by_tag = marshal.loads(fh.read())
    except (OSError, EOFError, ValueError, TypeError):
        words: dict[str, list[str]] = {}
        with open(dictionary, encoding="utf-8") as fh:
            for line in fh:  # word, frequency, tag
                parts = line.split()
                if len(parts) >= 3:
                    words.setdefault(parts[2], []).append(parts[0])
        # each word's tag as the whole table would give it (a word listed under two tags
        # takes the tag listed later in this order), then only the tags the rules read
        final: dict[str, str] = {}
        for tag, ws in words.items():
            final.update(dict.fromkeys(ws, tag))
        kept_words: dict[str, list[str]] = {tag: [] for tag in words if tag in read}
        for word, tag in final.items():
            if tag in kept_words:
                kept_words[tag].append(word)
        # one string per tag: unmarshalling 20 strings and splitting them is 2x faster
        # than unmarshalling a dict of 350k words
        by_tag = {tag: "\n".join(ws) for tag, ws in kept_words.items()}
        # a read-only temp dir only costs the slow start next time too
        with contextlib.suppress(OSError):
            write_bytes_atomically(Path(cache), marshal.dumps(by_tag), durable=False)
    tags: dict[str, str] = {}
    for tag, joined in by_tag.items():
        tags.update(dict.fromkeys(joined.split("\n"), tag))
    return _Lexicon(rjieba.cut, tags)


def release_lexicon() -> None:
    """Drop the tag table (~10 MiB) from this process; the next use loads it again.

    For a parent that loaded it only so forked workers could share it: it has no use for
    it after the pool, and the run's later steps (log, DuckDB) need the memory.
    """
    _jieba.cache_clear()


def _word_tag(word: str) -> str | None:
    return _jieba().tags.get(word)


def _words(sentence: str) -> list[tuple[int, int]]:
    """Word spans of the Han blocks of a sentence, as `posseg.cut(sentence, HMM=False)` cuts.

    Dictionary words only (no HMM): the HMM Viterbi pass for unknown words was ~85% of the
    extractor's time, and its guesses never changed a place on 3,000 news articles (an
    unknown word is no dictionary ns, and a place chain is also confirmed by 在/于/赴).
    Only Han blocks can hold a tagged word.
    """
    return _cut(sentence)[0]


def _cut(sentence: str, offset: int = 0) -> tuple[list[tuple[int, int]], list[str]]:
    """`_words(sentence)`, each span moved by `offset`, and the words themselves."""
    cut = _jieba().cut
    spans: list[tuple[int, int]] = []
    words: list[str] = []
    for m in _HAN_BLOCK.finditer(sentence):
        block = m.group()
        pieces = cut(block, False)
        # spans from the running sum of the words' lengths, made in C (a Python step per
        # word was half of this function's time)
        ends = list(accumulate(map(len, pieces), initial=m.start() + offset))
        spans += pairwise(ends)
        words += pieces if "".join(pieces) == block else [sentence[a - offset:b - offset] for a, b in pairwise(ends)]
    return spans, words


def _ns_spans(sentence: str) -> list[tuple[int, int]]:
    """Spans of the words jieba's POS tagger tags ns (a one-letter ASCII word never is)."""
    spans, words = _cut(sentence)
    return _place_words(spans, words, map(_jieba().tags.get, words))


def _place_words(spans: Iterable[tuple[int, int]], words: Iterable[str], tags: Iterable[str | None]
                 ) -> list[tuple[int, int]]:
    """The spans of the words tagged as place names (a one-letter ASCII word never is one)."""
    return [sp for sp, word, tag in zip(spans, words, tags, strict=True)
            if tag == _PLACE_TAG and not (len(word) == 1 and _ASCII_CHAR.match(word))]


# --------------------------------------------------------------------------- structure


@dataclass(slots=True)
class _Unit:
    start: int  # offsets into the sentence
    end: int
    suffix: str
    confirmed: bool


@dataclass(slots=True)
class _Place:
    start: int
    end: int


# Pages often close a “ with a straight quote (“女留学生在泰国遇害"案): an open quote that
# never closed would hold the rest of the sentence as one clause.
_STRAIGHT_QUOTE = '"'
_CLAUSE_MARKS = re.compile("[" + re.escape("".join(sorted(_OPEN | _CLOSE | _CLAUSE_SEP | {_STRAIGHT_QUOTE}))) + "]")
_NESTING_MARKS = re.compile("[" + re.escape("".join(sorted(_OPEN | _CLOSE | {_STRAIGHT_QUOTE}))) + "]")
_SEPARATORS = re.compile("[" + re.escape("".join(sorted(_CLAUSE_SEP))) + "]")
_DIGITS = frozenset("0123456789０１２３４５６７８９")


def _in_number(s: str, i: int) -> bool:
    """The separator at s[i] is inside a number: a colon between digits is a clock's
    (14：55分到达), a comma before three digits a thousands mark (1,300亿元). No clause ends
    there. (Checked on the separators found, not in their pattern: a lookaround at each of a
    sentence's characters made splitting three times slower.)"""
    ch = s[i]
    if ch in "：:":
        return 0 < i < len(s) - 1 and s[i - 1] in _DIGITS and s[i + 1] in _DIGITS
    if ch == ",":
        three = s[i + 1:i + 4]
        return i > 0 and s[i - 1] in _DIGITS and len(three) == 3 and three.isdigit() and (
            i + 4 >= len(s) or s[i + 4] not in _DIGITS)
    return False


@lru_cache(maxsize=4096)
def _clauses(s: str) -> list[tuple[int, int]]:
    """Clause spans of a sentence; separators inside quotes and brackets do not split.
    (Cached: the typed pass, the generic pass and dating each ask for a sentence's clauses.)"""
    if _NESTING_MARKS.search(s) is None:
        # most sentences quote nothing: every separator splits, found in one C-level scan
        # rather than a Python step per mark
        ends = [i for m in _SEPARATORS.finditer(s) if not _in_number(s, i := m.start())]
        return list(zip([0, *(e + 1 for e in ends)], [*ends, len(s)], strict=True))
    out, depth, start = [], 0, 0
    for m in _CLAUSE_MARKS.finditer(s):
        ch, i = m.group(), m.start()
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE or ch == _STRAIGHT_QUOTE:
            depth = max(0, depth - 1)
        elif depth == 0 and not _in_number(s, i):
            out.append((start, i))
            start = i + 1
    out.append((start, len(s)))
    return out


def _paragraph_start(simp: str, pos: int, lo: int) -> int:
    return max(simp.rfind("\n", lo, pos) + 1, lo)


# --------------------------------------------------------------------------- places, actors


def _units(s: str, t: Tables) -> list[_Unit]:
    units: list[_Unit] = []
    blocked: set[int] = set()
    if t.not_place_re is not None:
        for m in t.not_place_re.finditer(s):
            blocked.update(range(m.start(), m.end()))
    for m in t.place_re.finditer(s):
        p = m.start()
        if (p in blocked or m.end() - 1 in blocked) and not any(
                p - k >= 0 and _word_tag(s[p - k:m.end()]) == _PLACE_TAG for k in (1, 2, 3, 4)):
            continue  # 超市, 城市, 哥伦比亚地区: a word that merely ends in a suffix (成都市 does not)
        if t.place_re.match(s, m.end()) and m.end() not in blocked:
            continue  # 徐州市, 杭州市: the first "suffix" is part of the name
        prev_end = units[-1].end if units else 0
        chosen: tuple = None  # type: ignore[assignment]
        for k in (4, 3, 2, 1):
            a = p - k
            if a < prev_end or a < 0:
                continue
            stem = s[a:p]
            if not _ALL_CJK.fullmatch(stem):
                continue
            if k == 1 and not (a == prev_end or a == 0 or not _CJK.match(s[a - 1]) or s[a - 1] in t.place_marks):
                break  # a one-letter stem (藤县) only where a name may start: 龙塘村 is no 龙+塘村
            if _word_tag(stem + m.group()) == _PLACE_TAG:
                chosen = (a, True)
                break
            if _word_tag(stem) == _PLACE_TAG:
                if stem.endswith(m.group()):
                    chosen = (a, True, p)  # 丰县 + 县委: the place ends before this suffix
                    break
                chosen = (a, True)
                break
        if chosen is None:
            a = p - 2
            if a < prev_end:
                continue  # the stem would overlap the previous unit
            stem = s[a:p] if a >= 0 else ""
            if len(stem) < 2 or not _ALL_CJK.fullmatch(stem) or stem[0] in t.place_stop_chars:
                continue
            tag = _word_tag(stem)
            if tag in t.place_bad_tags:
                continue
            chosen = (a, False)
        end = chosen[2] if len(chosen) > 2 else m.end()
        units.append(_Unit(chosen[0], end, m.group(), chosen[1]))
    return units


def _places(s: str, t: Tables,
            ns: list[tuple[int, int]] | Callable[[list[_Unit]], list[tuple[int, int]]] | None
            ) -> list[_Place]:
    """Confirmed chains of administrative units (筠连镇旗隆村), with a leading bare ns (宜宾),
    and runs of gazetteer names without a suffix (韩国, 台湾高雄)."""
    gaz = [(m.start(), m.end()) for m in t.gazetteer_runs.finditer(s)]
    units = _units(s, t)
    if not units:
        return [_Place(a, b) for a, b in gaz]
    if ns is None:
        ns = _ns_spans(s)
    elif callable(ns):
        ns = ns(units)  # confirms units and finds bare names glued in front (宜宾筠连县)
    for u in units:
        if not u.confirmed:
            u.confirmed = any(a < u.end and u.start < b for a, b in ns)
    chains: list[list[_Unit]] = []
    for u in units:
        if chains and chains[-1][-1].end == u.start:
            chains[-1].append(u)
        else:
            chains.append([u])
    out = []
    ns_by_end = {b: a for a, b in ns}
    for c in chains:
        # 在/于/赴 before the chain is as good a place signal as jieba's tag (在桃源乡开展)
        if not any(u.confirmed for u in c) and not (c[0].start > 0 and s[c[0].start - 1] in t.place_marks):
            continue
        start = c[0].start
        if start in ns_by_end:  # 宜宾筠连县: a bare place name glued in front
            start = ns_by_end[start]
        start = next((a for a, b in gaz if b == start), start)  # 台湾 + 高雄市
        out.append(_Place(start, c[-1].end))
    out.extend(_Place(a, b) for a, b in gaz if not any(p.start < b and a < p.end for p in out))
    out.sort(key=lambda p: p.start)
    return out


def _bare_place_after(s: str, i: int) -> tuple[int, int] | None:
    """A place name without suffix after 在/于/赴 (在成都成立...): a gazetteer name first
    (在中国海上搜救中心 is 中国, not the sea 中国海), else a word jieba knows as ns."""
    m = tables().gazetteer_runs.match(s, i)
    if m:
        return m.start(), m.end()
    for k in (4, 3, 2):
        if i + k <= len(s) and _word_tag(s[i:i + k]) == _PLACE_TAG:
            return i, i + k
    return None


def _orgs(s: str, t: Tables, places: list[_Place]) -> list[tuple[int, int]]:
    ends = {p.end: p.start for p in places}
    out = []
    for m in t.org_re.finditer(s):
        start = m.start()
        if m.start() + 1 in ends:  # 中共筠连县委: the level char closes a place chain
            start = ends[m.start() + 1]
        elif m.start() in ends:  # 丰县 + 县委
            start = ends[m.start()]
        if s[max(0, start - 2):start] == "中共":
            start -= 2
        out.append((start, m.end()))
    return out


# --------------------------------------------------------------------------- dating


@dataclass(slots=True)
class _Dating:
    earliest: date | None
    latest: date | None
    granularity: str
    basis: str
    text: str | None
    source: TimeMention | None = None  # the expression (or inherited anchor) that dated it


def _usable(m: TimeMention) -> bool:
    # 21年后, 两年后 with no day of the story before them: the tagger counted them from
    # publication, which a past narrative does not mean, so they date no act (counted from
    # the story's day, rule durrel_story, they do)
    return (m.type in ("DATE", "TIME") and m.earliest is not None and m.rule not in _SKIP_MENTION_RULES
            and not (m.rule == "durrel" and m.text.endswith("后")))


def _stamp_line(ctx: _Ctx, a: int, b: int) -> bool:
    """simp[a:b] holds the page's stamp and little else (时间：2022-07-18 16:46:49 来源：…)."""
    # a stamp has a clock (16:46): most sentences have no colon to look further for
    return (b - a <= _STAMP_LINE_MAX and (":" in ctx.simp[a:b])
            and any(_stamp(ctx, m) and len(ctx.simp[a:b].strip()) - len(m.text) <= _STAMP_LINE_EXTRA
                    for m in _mentions_in(ctx, a, b)))


_STAMP_LINE_EXTRA = 12  # 时间：, 来源：东方资讯 beside a stamp
_STAMP_LINE_MAX = 40


def _stamp(ctx: _Ctx, m: TimeMention) -> bool:
    """A page's own stamp (2022-07-18 16:46:49, 2023年04月17日 00:29: data/nonevents.tsv
    kind=stamp): it tells when the page was put out, not when the story happened, so
    it is no day of the story for what follows it, nor the day of an act beside it (a
    headline glued to its stamp: …让懂的人牵头2023-06-08 15:48:18)."""
    return ":" in m.text and ctx.t.stamp_re.fullmatch(m.text) is not None


def _clock_only(m: TimeMention) -> bool:
    """A time of day with no day (10时7分许, 晚11点左右): it opens an act on the story's day."""
    return m.type == "TIME" and m.earliest is None and m.value.startswith("T")


def _announced(t: Tables, s: str, a: int, b: int) -> bool:
    """s[a:b] marks what follows as not (yet) done: announced, wished, demanded or
    conditional (modality.tsv future). 将 says so only before an act (将全面启动, 将依法处理:
    the word after it a verb, adverb or preposition by jieba's tags, or a future_adverb row);
    before a noun it marks the object (成功将卫星发射升空, 将熊某杀害: done)."""
    if t.future_re.search(s, a, b) is not None:
        return True
    return any(_act_follows(t, s, m.end()) for m in t.future_before_act_re.finditer(s, a, b))


_NEXT_WORD_REACH = 6  # enough of the text after 将 for jieba to cut its next word
_ACT_TAGS = frozenset({"v", "vn", "vd", "d", "ad", "p", "c"})


def _act_follows(t: Tables, s: str, i: int) -> bool:
    if t.future_adverb_re.match(s, i) is not None:
        return True
    spans, words = _cut(s[i:i + _NEXT_WORD_REACH])
    return bool(words) and spans[0][0] == 0 and _jieba().tags.get(words[0]) in _ACT_TAGS


def _clamp(d: _Dating, pub: date | None, future: bool) -> _Dating:
    # Reported as done => not after publication; announced => not before it.
    if pub is None or d.earliest is None or d.latest is None:
        return d
    if not future and d.earliest <= pub < d.latest:
        d.latest = pub
    if future and d.earliest < pub <= d.latest:
        d.earliest = pub
    return d


_RANGE_GLUE = re.compile(r"\s*(?:起|开始)?\s*(?:至|到|—|－|-|~|～)\s*")
_DAY_LIST_GLUE = re.compile(rf"\s*[{''.join(sorted(_ENUM_SEP))}]\s*")  # 21日、22日: the days of one act


def _joined(ctx: _Ctx, dated: list[TimeMention]) -> _Dating | None:
    """The span of the last two of the times before an act, where they are one period's ends
    (自3月1日起至12月31日开展) or days listed bare (2020年12月21日、22日，…开庭审理: the days of
    one act), not only the last."""
    if len(dated) < 2:
        return None
    a, b = dated[-2], dated[-1]
    return _span(a, b) if _one_period(ctx, a, b) else None


def _period_start(ctx: _Ctx, sa: int, end: TimeMention) -> TimeMention | None:
    """The time right before `end` in its sentence, where the two are one period's ends or
    days listed bare (see _one_period)."""
    before = [m for m in _mentions_in(ctx, sa, end.start) if m.end <= end.start]
    return before[-1] if before and _datable(ctx, before[-1]) and _one_period(ctx, before[-1], end) else None


def _one_period(ctx: _Ctx, a: TimeMention, b: TimeMention) -> bool:
    """a and b, in this order, are one period's ends (3月1日起至12月31日) or days listed bare
    (6月29日和30日)."""
    return _RANGE_GLUE.fullmatch(ctx.simp, a.end, b.start) is not None or (
        a.granularity == b.granularity == "day" and not ctx.item_dates
        and _DAY_LIST_GLUE.fullmatch(ctx.simp, a.end, b.start) is not None
        # days far apart, or told as one act each (3月5日和14日两次表态, 先后拐走), are acts apart
        and a.latest is not None and b.earliest is not None and 0 < (b.earliest - a.latest).days <= _LISTED_DAYS_REACH
        and ctx.t.distributive_re.search(ctx.simp, b.end, b.end + _DISTRIBUTIVE_REACH) is None)


_LISTED_DAYS_REACH = 7
_DISTRIBUTIVE_REACH = 12


def _in_title(simp: str, pos: int, lo: int) -> bool:
    i = simp.rfind("《", lo, pos)
    return i >= 0 and simp.find("》", i, pos) < 0


def _span(a: TimeMention, b: TimeMention) -> _Dating:
    """A stated period: from the first mention's start to the second's end. Not clamped to
    publication: a period announced with both ends is reported as such."""
    end = b.latest
    if end < a.earliest:
        # 自3月1日起至12月31日 / 6月18日至19日: the end is read in the start's year (and, for
        # a bare day, its month), not in the reference's
        tries = [(a.earliest.year, end.month), (a.earliest.year, a.earliest.month),
                 (a.earliest.year + 1, end.month)]
        for year, month in tries:
            try:
                cand = end.replace(year=year, month=month)
            except ValueError:  # 2月29日, 31日 in a short month
                continue
            if cand >= a.earliest:
                end = cand
                break
    return _Dating(a.earliest, max(end, a.earliest), "range", "explicit", f"{a.text}…{b.text}", a)


def _since(t: Tables, simp: str, m: TimeMention) -> bool:
    """The time opens a span reaching the present (2019年以来: data/nonevents.tsv kind=since)."""
    return t.since_re.match(simp, m.end) is not None


def _trend_period(m: TimeMention, pub: date | None) -> bool:
    """近10年, 过去20年, 近年来, 未来几年: a span of months or years reaching the reference
    frames a trend or a record, not one act (近日, 近一个月, 前段时间 are short enough to
    date one)."""
    if m.earliest is not None and m.latest is not None and (m.latest - m.earliest).days >= _HISTORY_DAYS:
        return True  # 1961-2016年, 1981-2010年气候平均值, 本世纪: a span of decades frames statistics or history
    return (m.rule in _TREND_DAYS and m.earliest is not None and m.latest is not None
            and (m.latest - m.earliest).days > _TREND_DAYS[m.rule]
            and pub is not None and (m.latest - pub).days >= -1 and (pub - m.earliest).days >= -1)


def _bounded(pub: date | None, future: bool) -> _Dating:
    if pub is None:
        return _Dating(None, None, "unknown", "bounded", None)
    if future:
        # announced but undated: after publication, how long after is unknown
        return _Dating(pub, None, "unknown", "bounded", None)
    # News reports recent acts: an undated completed act is taken to fall in the
    # publication year, and it cannot be after the publication itself.
    return _Dating(date(pub.year, 1, 1), pub, "year", "bounded", None)


# --------------------------------------------------------------------------- extraction


@dataclass(slots=True)
class _Ctx:
    doc: Document
    simp: str
    mentions: list[TimeMention]
    starts: list[int]
    pub: date | None
    t: Tables
    frame: TimeMention | None  # the article's opening "since" frame, e.g. 今年5月以来
    title_place: str | None
    title_place_simp: str | None
    # The story's time: the last expression that dated an event, and its paragraph's start.
    # An undated act later in that paragraph happened then (当天, 随后 and bare narration).
    anchor: TimeMention | None = None
    anchor_para: int = -1
    anchor_sentence: int = -1
    # an old year or period (2019年, 1992年) that dated an act of the sentence being read: the
    # rest of that sentence continues the act (2019年一栋楼房倒塌，造成5人死亡), though it is
    # no story's time beyond it (see _note_anchor)
    background: TimeMention | None = None
    background_sentence: int = -1
    # the day breaking news is about: its lead names a day just before publication
    # (据共同社8日报道, 7月17日凌晨); the story's undated acts fall on it
    story_day: TimeMention | None = None
    sentences: list[tuple[int, int]] = field(default_factory=list)  # of the body, in order
    # a list page's items and the date printed after each (see _item_dates)
    item_dates: list[tuple[int, int, TimeMention]] = field(default_factory=list)
    # the days the body states, in order (see _story_so_far); built on first use
    story_days: list[TimeMention] | None = None
    story_day_starts: list[int] = field(default_factory=list)
    first_recent: TimeMention | None = None  # see _first_recent_day; built on first use
    first_recent_known: bool = False
    recent_frames: list[TimeMention] | None = None  # see _recent_frame; built on first use
    recent_frame_starts: list[int] = field(default_factory=list)
    # sentences in which no rule found an act (see _bare_sentence): with their features when no
    # model reads them; else with the model's probability and, where it clears the model's
    # floor, their dating
    bare: list[tuple[tuple[int, int], SentenceFeatures]] = field(default_factory=list)
    # (start, the sentence model's probability, the key model's, the dating)
    scored_bare: list[tuple[int, float, float, _DatedSentence | None]] = field(default_factory=list)
    # per-sentence analyses shared by the typed and the generic pass (jieba's cut is the cost)
    memo_at: int = -1
    memo: dict = field(default_factory=dict)
    sentence: int = 0  # index of the sentence being read
    title: TitleEcho | None = None  # where the body repeats the title (the model's view); built on first use
    # the sentence and key models' bigram weights over `simp` (SentenceModel.article_weights); built on first use
    bigrams: tuple[BigramWeights, BigramWeights | None] | None = None
    article: ArticleBigrams | None = None  # the body's bigrams, for the model; built on first use
    seen: list[int] | None = None  # each sentence's salience.seen_quarters; built on first use
    story_from: int = 0  # where the story starts: after the page's stamp line, if it has one
    # acts reported on a stated day so far: (type, trigger) -> their (earliest, latest)
    told: dict[tuple[str, str], set[tuple[date | None, date | None]]] = field(default_factory=dict)
    # the mentions' ends rise with their starts (they do not overlap): see _mentions_in
    ends_in_order: bool = True
    # id of a mention -> whether it may date an act at all (see _datable)
    datable: dict[int, bool] = field(default_factory=dict)


def _memo(ctx: _Ctx, sa: int) -> dict:
    if ctx.memo_at != sa:
        ctx.memo_at, ctx.memo = sa, {}
    return ctx.memo


def _clause_cut(ctx: _Ctx, sa: int, s: str, ca: int, cb: int
                ) -> tuple[list[tuple[int, int]], list[str], list[str | None]]:
    """jieba's words of s[ca:cb] (clause marks end Han blocks, so clauses cut as the
    sentence): their spans in s, the words and their tags, remembered for the sentence. The
    place, verb and done-act passes each read the tags of the same words: slicing each word
    out and looking it up again in each pass cost more than keeping them."""
    memo = _memo(ctx, sa)
    cut = memo.get("clauses")
    if cut is None:
        cut = memo["clauses"] = {}
    if ca not in cut:
        spans, words = _cut(s[ca:cb], ca)
        cut[ca] = (spans, words, list(map(_jieba().tags.get, words)))
    return cut[ca]


def _sentence_places(ctx: _Ctx, sa: int, s: str) -> list[_Place]:
    memo = _memo(ctx, sa)
    if "places" not in memo:
        t = ctx.t

        def ns_near(units: list[_Unit]) -> list[tuple[int, int]]:
            # only the clauses holding a unit are cut (jieba's cut is the cost)
            out: list[tuple[int, int]] = []
            for ca, cb in _clauses(s):
                if any(ca <= u.start < cb for u in units):
                    out.extend(_place_words(*_clause_cut(ctx, sa, s, ca, cb)))
            return out

        # Without a place suffix there are no units, so the places are the gazetteer runs
        # alone (what _places returns then), found once rather than searched for first.
        memo["places"] = (_places(s, t, ns_near) if t.place_re.search(s)
                          else [_Place(m.start(), m.end()) for m in t.gazetteer_runs.finditer(s)])
    return memo["places"]


def _mentions_in(ctx: _Ctx, a: int, b: int) -> list[TimeMention]:
    """The mentions inside [a, b). Asked ~90 times an article: the ones starting in the span
    are a slice between two bisections, and only where some of them may end past b (always
    the last ones, the tagger's mentions do not overlap) are they filtered one by one."""
    i = bisect_left(ctx.starts, a)
    out = ctx.mentions[i:bisect_left(ctx.starts, b, i)]
    if out and (out[-1].end > b or not ctx.ends_in_order):
        out = [m for m in out if m.end <= b]
    return out


def _only_times(ctx: _Ctx, a: int, b: int) -> bool:
    """[a, b) holds a time and, outside its times, no letter or digit."""
    mentions = _mentions_in(ctx, a, b)
    if not mentions:
        return False
    at = a
    for m in mentions:
        if any(ch.isalnum() for ch in ctx.simp[at:m.start]):
            return False
        at = max(at, m.end)
    return not any(ch.isalnum() for ch in ctx.simp[at:b])


def _holds_mention(ctx: _Ctx, a: int, b: int) -> bool:
    """Some mention starts inside [a, b) (one bisection, no list)."""
    i = bisect_left(ctx.starts, a)
    return i < len(ctx.starts) and ctx.starts[i] < b


_STORY_DAY_SENTENCES = 3  # title, dateline and lead sentence
_LEAD_SHARE = 0.2  # the article's opening fifth: its lead, where undated acts are its news


def _story_day(ctx: _Ctx, sentences: list[tuple[int, int]], stamp_lines: list[tuple[int, int]]
               ) -> TimeMention | None:
    """Breaking news: the first exact day of the opening sentences is the publication day
    (安倍晋三演讲时遭枪击 … 2022-07-08 11:58 … 当地时间7月8日上午); the story's undated acts
    happened that day. Any other first date leaves them bounded."""
    if ctx.pub is None:
        return None
    # a line that is only the page's stamp is none of the opening sentences
    lead = [sp for sp in sentences[:_STORY_DAY_SENTENCES * 2] if sp not in stamp_lines][:_STORY_DAY_SENTENCES]
    if not lead:
        return None
    for m in _mentions_in(ctx, lead[0][0], lead[-1][1]):
        if _usable(m) and m.earliest == m.latest and not _in_title(ctx.simp, m.start, lead[0][0]) \
                and not _stamp(ctx, m):
            if m.earliest == ctx.pub:
                return m
            return None
    return None


def _item_dates(ctx: _Ctx) -> list[tuple[int, int, TimeMention]]:
    """A list page (a bureau's news index, a box of related reports) prints each item's date
    after it, closing its line: `西南空管局组织召开首届科技创新工作会` then `2023-04-07`, or
    `…美不胜收。29日`. Such a date dates the item's lines before it, not the next item. A page
    is read so only when it ends with such a date and holds at least two; an item is at most
    the two lines (title, summary) after the previous item's date."""
    simp = ctx.simp
    closing = []
    for m in ctx.mentions:
        if not _usable(m) or m.granularity not in ("day", "time") or m.vague:
            continue
        line_start, line_end = _line_around(simp, m.start, m.end)
        if simp[m.end:line_end].strip():
            continue
        head = simp[line_start:m.start].rstrip()
        if head and head[-1] not in _ITEM_END:
            continue
        closing.append((line_start + len(head), m))
    if len(closing) < 2 or simp[closing[-1][1].end:].strip():
        return _heading_dates(ctx, [m for _, m in closing if _alone_on_line(simp, m)])
    out = []
    prev = ctx.doc.body_start or 0
    for head_end, m in closing:
        lines = [ln for ln in _line_spans(simp, prev, head_end) if simp[ln[0]:ln[1]].strip()][-_ITEM_LINES:]
        if lines:
            out.append((lines[0][0], head_end, m))
        prev = m.end
    return out


_ITEM_END = "。！？”"
_ITEM_LINES = 2


def _heading_dates(ctx: _Ctx, alone: list[TimeMention]) -> list[tuple[int, int, TimeMention]]:
    """A chronology (大事记, a couple's timeline) prints each entry's date on a line of its
    own above the entry: `2019年7月16日` then `李荣浩成功求婚杨丞琳`. Such a date dates the
    lines after it up to the next, not the story's day. A page is read so only when it ends
    with an entry and every one of its (at least two) dates alone on a line heads one: at
    most _ITEM_LINES lines, none holding a time of its own nor ending on a full stop (an
    entry is a headline; `…以上为本月动态。` after a list whose dates close its items is a
    footer, and that list no chronology), before the next such date.
    `alone` are the page's usable days printed alone on their lines, in order."""
    simp = ctx.simp
    if len(alone) < 2:
        return []
    out = []
    for k, m in enumerate(alone):
        until = alone[k + 1].start if k + 1 < len(alone) else len(simp)
        lines = [ln for ln in _line_spans(simp, m.end, until) if simp[ln[0]:ln[1]].strip()]
        if (not lines or len(lines) > _ITEM_LINES or _mentions_in(ctx, lines[0][0], lines[-1][1])
                or any(simp[a:b].rstrip()[-1] in _NARRATIVE_FINAL for a, b in lines)):
            return []
        out.append((lines[0][0], lines[-1][1], m))
    return out


def _line_spans(simp: str, a: int, b: int) -> list[tuple[int, int]]:
    out, pos = [], a
    while pos < b:
        nl = simp.find("\n", pos, b)
        end = b if nl < 0 else nl
        out.append((pos, end))
        pos = end + 1
    return out


def _item_date(ctx: _Ctx, trig: int, stated: TimeMention | None) -> TimeMention | None:
    """The date of a list item holding trig, unless the item states another: a period it
    names that holds the date (召开四月份安委会, 制定2023年度…计划) qualifies a noun."""
    if stated is not None and (stated.earliest == stated.latest or "/" in stated.value):
        return stated
    item = next((m for a, b, m in ctx.item_dates if a <= trig < b), None)
    if item is None or (stated is not None and not (
            stated.earliest is not None and stated.latest is not None
            and stated.earliest <= item.earliest <= stated.latest)):
        return stated
    return item


def _first_clause_frame(ctx: _Ctx, a: int, b: int) -> TimeMention | None:
    """A time mention opening the paragraph (its first clause) frames what follows."""
    s = ctx.simp[a:b]
    cl = _clauses(s)
    # Skip a leading purpose clause (为...): the frame sits in the first clause holding a date.
    # The date must make up its clause (2月17日， / 当地时间1月19日， / 今年5月以来，): a date
    # inside a statement (吴亦凡，1990年11月6日出生于…) dates that statement, not the paragraph.
    for ca, cb in cl[:4]:
        for m in _mentions_in(ctx, a + ca, a + cb):
            if _usable(m) and not _stamp(ctx, m):
                if m.start - (a + ca) <= _FRAME_LEAD and (a + cb) - m.end <= _FRAME_TAIL:
                    return m
                return None
    return None


def _stamp_lag(m: TimeMention, pub: date) -> bool:
    """m is a day written out (26日晚, 7月28日; not 当晚 or 次日, read off another day) at
    most as many days after publication as the time tagger keeps such a day ahead instead of
    pushing it back (timex limits.tsv ahead_days): the page's stamp lags its story."""
    return m.rule.startswith(_WRITTEN_DAY_RULES) and m.earliest is not None and \
        (m.earliest - pub).days <= timex_tables().ahead_days


def _frames_sentence(ctx: _Ctx, sent: tuple[int, int], m: TimeMention) -> bool:
    """m is a calendar day written out with its month (7月28日, 2021年3月8日: no 同日 or 次日,
    which the tagger may have read off a wrong day) that makes up the sentence's first
    clause (7月28日，李玟丈夫发表声明): the time of the whole sentence, not of one
    predicate inside it."""
    if not m.rule.startswith(_STATED_DAY_RULES):
        return False
    sa, sb = sent
    ca, cb = _clauses(ctx.simp[sa:sb])[0]
    return m.start - (sa + ca) <= _FRAME_LEAD and 0 <= (sa + cb) - m.end <= _FRAME_TAIL


_STATED_DAY_RULES = ("month+day", "year+month+day")
_WRITTEN_DAY_RULES = ("day", *_STATED_DAY_RULES)


_VAGUE_REACH_DAYS = 3
_FRAME_LEAD = 6  # 当地时间, 北京时间, 据悉 before the date
_FRAME_TAIL = 3  # 以来, 起, 前后 after it


def _datable(ctx: _Ctx, m: TimeMention) -> bool:
    """m is usable and neither a trend's span, a count nor the page's stamp: what _date_event
    asks of a mention alone, remembered for the article (each act of a sentence asks again
    of the same mentions)."""
    known = ctx.datable.get(id(m))
    if known is None:
        known = ctx.datable[id(m)] = (_usable(m) and not _trend_period(m, ctx.pub) and not _counts(ctx, m)
                                      and not _stamp(ctx, m))
    return known


def _date_event(ctx: _Ctx, sent: tuple[int, int], clause: tuple[int, int], trig: int,
                future: bool, own: TimeMention | None, has_session: bool,
                owned: list[tuple[int, int]]) -> _Dating:
    pub = ctx.pub
    if own is not None and ctx.item_dates:
        own = _item_date(ctx, trig, own)
    if own is not None and own.granularity == "year":
        # the year of the act's own clause is often a name's (6月7日，2023年全国高考拉开大幕)
        own = _finest_within(ctx, sent[0], trig, own, owned)
    if own is not None and (first := _period_start(ctx, sent[0], own)) is not None:
        return _span(first, own)  # 6月29日和30日两天，法庭…进行了听证: the act's days are both
    if own is not None:
        if "/" in own.value and not own.vague:
            # a stated period (29日后半夜到31日) is reported as such, even where it runs on
            # past publication (a forecast's), like a period picked below
            return _Dating(own.earliest, own.latest, "range", "explicit", own.text, own)
        return _clamp(_Dating(own.earliest, own.latest, own.granularity, "explicit", own.text, own), pub, future)
    # A date inside a title (《…行动计划（2021—2030年）》) is the document's, not the act's.
    # nor does a trend's span (近10年, 三年来首次), which frames a record, not the act
    # (most acts' sentences hold no time at all: then there is nothing to filter below)
    timed = _holds_mention(ctx, sent[0], sent[1])
    in_clause = [m for m in _mentions_in(ctx, *clause) if _datable(ctx, m) and not _in_title(ctx.simp, m.start, sent[0])
                 and not _names_incident(ctx, m, trig)] if timed else []
    before = [m for m in in_clause if m.start < trig]
    if (joined := _joined(ctx, before)) is not None:
        return joined
    pick = before[-1] if before else None
    if pick is not None and pick.vague and len(before) >= 2 and not before[-2].vague:
        # 就在上周…刚刚制定了: the vague word says how recent, the stated time when
        pick = before[-2]
    if pick is None:
        # A date in another clause that has its own trigger dates that event, not this one.
        # Nor does a date after publication date a reported act (案件押后至明年4月16日再讯，
        # 随后…被押抵收押所: the remand is today's, the hearing next year's), unless it frames
        # the sentence (2021年3月8日，东海航空…发布致歉声明): then the page's stamp is what is wrong
        in_sent = [m for m in _mentions_in(ctx, sent[0], trig)
                   if _datable(ctx, m) and not any(a <= m.start < b for a, b in owned)
                   and not _in_title(ctx.simp, m.start, sent[0]) and not _names_incident(ctx, m, trig)
                   and (future or pub is None or m.earliest is None or m.earliest <= pub
                        or _frames_sentence(ctx, sent, m) or _stamp_lag(m, pub))] if timed else []
        if (joined := _joined(ctx, in_sent)) is not None:
            return joined
        pick = in_sent[-1] if in_sent else None
    if pick is None and in_clause:
        # after the act, a date in its clause (召开于3月5日); inside the object it is the
        # object's (发布关于3·21事故的通报), so only when nothing precedes the act
        pick = in_clause[0]
    if pick is not None and pick.end <= trig and ctx.t.report_re.search(ctx.simp, pick.end, trig):
        # 3月1日报道，…飞船发射将于3月2日进行: the day before the act is the report's; the
        # act's own is the one announced after it in its clause
        pick = next((m for m in in_clause if m.start > trig and _announced(ctx.t, ctx.simp, trig, m.start)),
                    pick)
    if ctx.item_dates:
        pick = _item_date(ctx, trig, pick)
    if pick is not None:
        pick = _finest_within(ctx, sent[0], trig, pick, owned)
    if pick is not None:
        if "/" in pick.value:
            # a stated period (自3月1日起至12月31日 as one expression): reported as such, like _span
            return _Dating(pick.earliest, pick.latest, "range", "explicit", pick.text, pick)
        told = None if future or pick.end > trig else ctx.t.report_re.search(ctx.simp, pick.end, trig)
        if told is not None:
            reported = _reported_result(ctx, sent[0], clause[0], trig, pick, told.end())
            if reported is not None:
                return reported
        d = _Dating(pick.earliest, pick.latest, pick.granularity, "explicit", pick.text, pick)
        return _clamp(d, pub, future)
    if not future and pub is not None and ctx.t.performative_re.search(ctx.simp, clause[0], clause[1]):
        # 现将有关情况通报如下: the notice is the page itself, put out on its publication day
        return _Dating(pub, pub, "day", "inherited", None)
    # Inherited: the story's last anchor in this paragraph, the frame opening the paragraph,
    # then the article's opening "since" frame.
    para = _paragraph_start(ctx.simp, sent[0], ctx.doc.body_start)
    frame = None
    # the anchor reaches the rest of its paragraph and the sentence right after it, and a
    # clock time with no day (15时54分，飞船…对接) anywhere after it: a clock is on its day
    anchored = ctx.anchor_para == para or ctx.anchor_sentence >= ctx.sentence - 1 or (
        timed and ctx.anchor is not None and ctx.anchor.earliest == ctx.anchor.latest
        and any(_clock_only(m) for m in _mentions_in(ctx, sent[0], trig)))
    if ctx.background is not None and ctx.background_sentence == ctx.sentence and not has_session:
        frame = ctx.background
    elif ctx.anchor is not None and anchored and not has_session:
        frame = ctx.anchor
    if frame is None and para < sent[0]:
        first = ctx.sentences[bisect_left(ctx.sentences, (para, -1))]
        frame = _first_clause_frame(ctx, para, first[1])
    if frame is None and not has_session and ctx.frame is not None and (
            para == _paragraph_start(ctx.simp, ctx.frame.start, ctx.doc.body_start)):
        # The lead's "since" frame (今年5月以来) governs its own paragraph only; later
        # paragraphs' undated acts may be older or newer than it. An ordinal session
        # (十三届九次全会) keeps its institution's calendar, so it is only bounded.
        frame = ctx.frame
    if frame is None and not has_session:
        frame = ctx.story_day
    if frame is not None and (frame.vague and frame.earliest is not None and frame.latest is not None
                              and (frame.latest - frame.earliest).days > _VAGUE_REACH_DAYS):
        # 近日 or 近期 dates its own clause loosely; what follows it is bounded, not given
        # that window (刚刚 and 这两天 are narrow enough to pass on)
        frame = None
    if frame is not None and not future and pub is not None and frame.earliest is not None and frame.earliest > pub:
        frame = None  # 将在喀山举行2024年峰会。普京签署命令: a coming date frames no reported act
    if frame is not None and not future:
        if _since(ctx.t, ctx.simp, frame) and pub is not None and frame.earliest <= pub:
            return _Dating(frame.earliest, pub, "range", "inherited", frame.text, frame)
        reached = _result_reached(ctx, sent[0], trig, frame)
        if reached is not None:
            return reached
        d = _Dating(frame.earliest, frame.latest, frame.granularity, "inherited", frame.text, frame)
        return _clamp(d, pub, future)
    if not future and not has_session and not ctx.t.recap_re.search(ctx.simp, para, trig):
        told = _story_so_far(ctx, sent[0])
        if told is not None:
            # a story is told in order: an act reported after a stated day came on or after
            # it, and before publication
            return _Dating(told.earliest, pub, "range", "bounded", told.text, told)
        first = _first_recent_day(ctx)
        if first is not None:
            # told before the story's first day, it is still this story's news: the story
            # (an incident a few days old) began then, not on the year's first day
            return _Dating(first.earliest, pub, "range", "bounded", first.text, first)
        recent = _recent_frame(ctx, sent[0])
        if recent is not None:
            # 近日，…发生…: a story told as recent news goes on telling recent news
            return _Dating(recent.earliest, pub, "range", "bounded", recent.text, recent)
        clock = next((m for m in _mentions_in(ctx, sent[0], trig) if _clock_only(m)), None)
        if clock is not None and _before_publication_time(ctx, clock):
            # breaking news with no day told (专机22时43分左右降落, in a page of 22:44): the
            # clock is on the publication day
            return _Dating(pub, pub, "day", "inherited", clock.text, clock)
    return _bounded(pub, future)


def _before_publication_time(ctx: _Ctx, clock: TimeMention) -> bool:
    """The hour of a time of day with no day is not later than the page's own (a page with
    no time of day, 00:00, has no later hour)."""
    stamp = ctx.doc.published_at
    hour = _CLOCK_HOUR.match(clock.value)
    if stamp is None or hour is None:
        return False
    return (stamp.hour, stamp.minute) == (0, 0) or int(hour.group(1)) <= stamp.hour


_CLOCK_HOUR = re.compile(r"T(\d{2})")


def _recent_frame(ctx: _Ctx, before: int) -> TimeMention | None:
    """The last vague time of the body before `before` that tells the story as recent news
    (data/modality.tsv kind=recent: 近日, 日前), within the publication year and not after it."""
    pub = ctx.pub
    if pub is None:
        return None
    if ctx.recent_frames is None:
        body = ctx.doc.body_start or 0
        ctx.recent_frames = [m for m in ctx.mentions if m.vague and m.start >= body and m.earliest is not None
                             and m.latest is not None and m.earliest.year == pub.year and m.latest <= pub
                             and ctx.t.recent_re.fullmatch(ctx.simp, m.start, m.end)]
        ctx.recent_frame_starts = [m.start for m in ctx.recent_frames]
    i = bisect_left(ctx.recent_frame_starts, before) - 1
    return ctx.recent_frames[i] if i >= 0 else None


_T = TypeVar("_T")


def _line_around(simp: str, start: int, end: int) -> tuple[int, int]:
    """The line holding simp[start:end]: its start and its end (before the newline)."""
    line_end = simp.find("\n", end)
    return simp.rfind("\n", 0, start) + 1, len(simp) if line_end < 0 else line_end


def _alone_on_line(simp: str, m: TimeMention) -> bool:
    """A date printed on a line of its own (a list item's, a page's stamp), not a story's day."""
    line_start, line_end = _line_around(simp, m.start, m.end)
    return not simp[line_start:m.start].strip() and not simp[m.end:line_end].strip()


def _per_clause(compute: Callable[[int], _T]) -> Callable[[int], _T]:
    """`compute` remembered per clause index, for one sentence (a plain dict: functools.cache
    wrappers made afresh for every dated sentence cost more than the lookups they saved)."""
    known: dict[int, _T] = {}

    def remembered(ci: int) -> _T:
        if ci not in known:
            known[ci] = compute(ci)
        return known[ci]

    return remembered


def _story_days(ctx: _Ctx) -> list[TimeMention]:
    """The days the body states before the publication day, in text order (a dateline's or
    截至今天's day is no day an act of the story is known to fall on); none in a title,
    none alone on its line, none that counts (今年第4号). Built once per article."""
    if ctx.story_days is None:
        body = ctx.doc.body_start or 0
        ctx.story_days = [m for m in ctx.mentions if m.start >= body and _usable(m) and m.earliest == m.latest
                          and ctx.pub is not None and m.earliest < ctx.pub and not _alone_on_line(ctx.simp, m)
                          and not _in_title(ctx.simp, m.start, body) and not _counts(ctx, m)]
        ctx.story_day_starts = [m.start for m in ctx.story_days]
    return ctx.story_days


def _story_so_far(ctx: _Ctx, before: int) -> TimeMention | None:
    """The last of the story's days (see _story_days) before `before`, if it is of the
    publication year."""
    if ctx.pub is None:
        return None
    days = _story_days(ctx)
    i = bisect_left(ctx.story_day_starts, before) - 1
    if i < 0:
        return None
    m = days[i]
    # an older day (a birth date, last year's case) bounds nothing the year does not
    return m if m.earliest.year == ctx.pub.year else None


def _first_recent_day(ctx: _Ctx) -> TimeMention | None:
    """The earliest of the story's days (see _story_days) within a month before publication,
    wherever the body states it."""
    if not ctx.first_recent_known:
        pub = ctx.pub
        recent = [m for m in _story_days(ctx) if pub is not None and (pub - m.earliest).days <= _RESULT_REACH_DAYS]
        ctx.first_recent = min(recent, key=lambda m: m.earliest) if recent else None
        ctx.first_recent_known = True
    return ctx.first_recent


# A story's days reach back about a month from its report: an older day is background
# (last year's case, a birth date), not the start of what the report tells.
_RESULT_REACH_DAYS = 31


def _result_reached(ctx: _Ctx, sa: int, trig: int, by: TimeMention) -> _Dating | None:
    """An act the text does not date, marked as a result reached (嫌疑人已被刑拘, 截至目前
    已撤离: data/modality.tsv kind=result, so_far), inheriting the story's time `by`: it
    came after the story began and by the report that tells it, so it spans from the
    story's first recent day (the incident) to `by` where `by` is a later report, else to
    publication, and to publication where the result holds as of now (目前), from `by` on
    where `by` is older than the story's recent time. None where the sentence marks no
    result, or where `by` is older and the result is not said to hold now."""
    pub = ctx.pub
    if (pub is None or by.earliest is None or by.latest is None or by.latest > pub
            or not ctx.t.result_re.search(ctx.simp, sa, trig)):
        return None
    if (pub - by.earliest).days > _RESULT_REACH_DAYS:
        # an older story time (2021年3月19日…目前案件已经被移交): what holds now was reached
        # some time between it and publication
        if by.earliest < pub and ctx.t.so_far_re.search(ctx.simp, sa, trig):
            return _Dating(by.earliest, pub, "range", "inherited", by.text, by)
        return None
    start = _story_start_before(ctx, sa, by.earliest)
    if start is None and by.earliest == pub and not by.vague:
        # the story's time is the report's own day (目前…已经得到同意, not 刚刚): the result was
        # reached some time before, from the story's first recent day wherever stated; where
        # there is none and the story did not break that day (as 安倍…遭枪击 did), within the year
        first = _first_recent_day(ctx)
        if first is not None:
            start = first.earliest
        elif ctx.story_day is None:
            start = date(pub.year, 1, 1)
    start = start or by.earliest
    # the anchor is a report when the story began before it (通报称…已被刑拘): by its day
    end = by.latest if start < by.earliest and not ctx.t.so_far_re.search(ctx.simp, sa, trig) else pub
    return _Dating(start, end, "range", "inherited", by.text, by)


def _story_start_before(ctx: _Ctx, sa: int, than: date) -> date | None:
    """The earliest of the story's days (see _story_days) stated before `sa`, earlier than
    `than` and within a month before publication: where what a report tells began."""
    pub = ctx.pub
    days = _story_days(ctx)[:bisect_left(ctx.story_day_starts, sa)]
    return min((m.earliest for m in days if m.earliest < than and (pub - m.earliest).days <= _RESULT_REACH_DAYS),
               default=None)


def _reported_result(ctx: _Ctx, sa: int, ca: int, trig: int, report: TimeMention, told: int) -> _Dating | None:
    """4月5日，警方通报：3名嫌疑人已被刑拘: the date is the report's (data/modality.tsv
    kind=report) and the act after it is a result it reports as reached (kind=result), so
    the act came by the report's day, not on it: from the story's first recent day (the
    incident), else the report's year, to the report's day. `told` is where the report mark
    before the act ends. None where the sentence is not so built."""
    pub = ctx.pub
    if (pub is None or report.earliest is None or report.earliest != report.latest or report.latest > pub
            or not ctx.t.result_re.search(ctx.simp, max(told, ca), trig)):
        return None
    start = _story_start_before(ctx, sa, report.earliest)
    if start is None and (first := _first_recent_day(ctx)) is not None and first.earliest < report.earliest:
        start = first.earliest
    start = start or date(report.earliest.year, 1, 1)
    # explicit: its sentence states the time that bounds it (and a retold act it is not)
    return _Dating(start, report.latest, "range", "explicit", report.text, report)


def _counts(ctx: _Ctx, m: TimeMention) -> bool:
    """今年第4号台风, 今年以来第17次: the time counts occurrences within its period, a name or
    an ordinal (data/nonevents.tsv kind=counted); 2018年12月以来的首次加息, 2008年以来最大: it
    opens the span a record is counted in (kind=record); 1988年11月出生: it is a person's birth
    (kind=born). Either way it dates no act."""
    return (ctx.t.counted_re.match(ctx.simp, m.start) is not None or ctx.t.record_re.match(ctx.simp, m.end) is not None
            or ctx.t.born_re.match(ctx.simp, m.end) is not None)


def _names_incident(ctx: _Ctx, m: TimeMention, trig: int) -> bool:
    """“3·21”特别重大爆炸事故调查组成立: the date names an incident whose name closes before
    the act, so it dates the incident, not the act (data/nonevents.tsv kind=named). So does a
    date inside the name of what a clause is about (调查2021年1月6日国会山骚乱事件的委员会
    发布了报告: kind=topic before it, the name closing within its phrase)."""
    if m.end > trig:
        return False
    t, s = ctx.t, ctx.simp
    if m.rule == "evdot":
        return t.named_re.search(s, m.end, trig) is not None
    if t.topic_re.search(s, max(0, m.start - _TOPIC_REACH), m.start) is None:
        return False
    name = t.named_re.search(s, m.end, min(trig, m.end + _NAME_REACH))
    return name is not None and _PHRASE_BREAK.search(s, m.end, name.start()) is None


_TOPIC_REACH = 3  # 调查, 关于 and a space: the word right before the date
_NAME_REACH = 14  # 国会山骚乱事件, 美国国会大厦骚乱事件: the rest of the name
# a clause separator or a sentence end: the name a topic word opens is closed by then
_PHRASE_BREAK = re.compile("[" + re.escape("".join(sorted(_CLAUSE_SEP))) + "。！？!?\n]")


def _finest_within(ctx: _Ctx, sa: int, trig: int, pick: TimeMention,
                   owned: list[tuple[int, int]]) -> TimeMention:
    """4月26日，2024年世园会开幕: a coarser date nearer the act (often part of a name) gives
    way to a finer one earlier in the sentence that falls inside it."""
    if "/" in pick.value:
        return pick  # a stated period (16日晚至17日凌晨) is the act's own span
    best = pick
    for m in _mentions_in(ctx, sa, trig):
        if not _usable(m) or m is pick or "/" in m.value or any(a <= m.start < b for a, b in owned):
            continue
        if pick.vague and m.end <= pick.start and (ctx.t.report_re.search(ctx.simp, m.end, pick.start)
                                                   or ctx.t.hearsay_re.search(ctx.simp, m.end, pick.start)):
            continue  # 12月3日，据…消息，日前，李铁…提出辞职: the day is the report's, 日前 the act's
        if (pick.granularity == "year" and m.end <= pick.start and m.earliest == m.latest
                and m.earliest.year < pick.earliest.year and not _YEAR_STATED.search(m.text)):
            # 4月26日，2024年世园会开幕: a day told without its year, before an act named by
            # a later year, is that year's (the tagger read it in the reference's)
            m = _in_year(m, pick.earliest.year)
            if m is None:
                continue
        if (pick.earliest <= m.earliest and m.latest <= pick.latest
                and (m.latest - m.earliest) < (best.latest - best.earliest)):
            best = m
    return best


_YEAR_STATED = re.compile(r"年|\d{4}")


def _in_year(m: TimeMention, year: int) -> TimeMention | None:
    """The day m names, read in another year (None where that year has no such day)."""
    try:
        day = m.earliest.replace(year=year)
    except ValueError:  # 2月29日
        return None
    return replace(m, earliest=day, latest=day, value=day.isoformat() + m.value[10:])


def _object_type(t: Tables, s: str, trig: str, after: int, clause_end: int) -> tuple[str | None, int]:
    # The head of the object noun phrase comes last: the last keyword that goes with this verb.
    found: tuple[str | None, int] = (None, after)
    for m in t.object_lexicon.finditer(s, after, min(clause_end, after + 40)):
        etype, only = t.objects[m.group()]
        if only is None or trig in only:
            found = (etype, m.end())
    return found


_PHRASE_END = set("、，,；;：:")
_QUOTES = " \t\u3000“”\"「」『』"


def _headline(text: str, a: int, b: int) -> str:
    """The clause text[a:b]; a long one is shortened at a phrase boundary, never mid-word."""
    h = text[a:b].strip(_QUOTES).rstrip("。！？!?；;，,、：:").strip(_QUOTES)
    if _BYLINE_MARKS.intersection(h[:_BYLINE_REACH]):  # (most headlines hold no 电 or 讯 near their start)
        byline = tables().byline_re.match(_to_simplified(h[:_BYLINE_REACH]))
        if byline is not None and len(h) - byline.end() >= _SHORT_HEADLINE:
            h = h[byline.end():]  # 新华社北京8月3日电 国台办发言人…表示: the report's dateline, not the act
    joined = tables().connective_re.match(chars_to_simplified(h[:_CONNECTIVE_REACH]))
    if joined is not None and joined.end() and len(h) - joined.end() >= _SHORT_HEADLINE:
        h = h[joined.end():]  # 并以…罪判处…: the link to the clause before is no part of the act
    if len(h) <= _HEADLINE_MAX:
        return h
    cut = max((i for i in range(12, _HEADLINE_MAX) if h[i] in _PHRASE_END), default=None)
    if cut is None:
        spans, words = _cut(_to_simplified(h[:_HEADLINE_MAX + 1]))  # (jieba reads Simplified; offsets are 1:1)
        tags = _jieba().tags
        # the word ending at each word's start: a function word, or one letter no dictionary
        # tags (博 of 博克拉, which jieba does not know), cannot close the headline
        before = {b: (w, tags.get(w)) for (_, b), w in zip(spans, words, strict=True)}
        cut = max((a for a, b in spans if 12 <= a <= _HEADLINE_MAX and b > a and h[a - 1] not in _OPENERS
                   and (a not in before or (before[a][1] not in _DANGLING_TAGS
                                            and (len(before[a][0]) > 1 or before[a][1] is not None)))),
                  default=_HEADLINE_MAX)
    return h[:cut].rstrip("".join(_PHRASE_END)) + "…"


_OPENERS = set("“\"「『《（(【[")


def _fuller_headline(text: str, head: str, a: int, next_end: int) -> str:
    """`head`, or where it is shorter than _SHORT_HEADLINE (通报称, 宣判后, 为存放尸体: a clause
    that only opens what the next one says) the headline of text[a:next_end], the next clause
    taken in."""
    return _headline(text, a, next_end) if len(head) < _SHORT_HEADLINE else head


def _norm_place(p: str | None) -> str:
    """The name of the last administrative unit, Simplified, without its level: 筠连县丰乐乡
    龙塘村, 龙塘村 and 龙塘 agree, and so do 福建省厦门市, 厦门市 and 厦门."""
    return _last_unit_name(p) if p else ""


@lru_cache(maxsize=1 << 14)
def _last_unit_name(p: str) -> str:
    # Cached: every event's merge key asks, most of an article's events share a few places
    # (the title's), and _last_unit tries each suffix at each position of the name.
    return _drop_level(_last_unit(p))


def _last_unit(p: str) -> str:
    suffixes = tables().place_suffixes
    for i in range(len(p) - 2, 0, -1):
        for suf in suffixes:
            if p.startswith(suf, i) and i + len(suf) < len(p):
                return p[i + len(suf):]
    names = [m.group() for m in tables().gazetteer_names.finditer(p)]
    if len(names) > 1 and "".join(names) == p:  # 福建厦门, 台湾高雄: a run of names
        return names[-1]
    for k in (4, 3, 2):  # a bare name glued in front (宜宾筠连县) is not part of the unit
        rest = p[k:]
        if len(rest) >= 3 and _word_tag(p[:k]) == _PLACE_TAG and any(rest.endswith(x) for x in suffixes):
            return rest
    return p


def _drop_level(unit: str) -> str:
    for suf in tables().suffixes_longest_first:
        if unit.endswith(suf) and len(unit) - len(suf) >= 2:
            return unit[:-len(suf)]
    return unit


_SIG_DROP = re.compile(r"[\d０-９一二三四五六七八九十百千年月日届次期首第\W_]+")


def make_merge_key(event_type: str, place_simp: str | None, session: dict | None,
                   granularity: str, basis: str, obj_simp: str, trigger_len: int = 0,
                   clause_simp: str = "") -> str:
    """`type|place|…` — see the package docstring for the rule."""
    key = f"{event_type}|{_norm_place(place_simp)}"
    if session:
        return key + "|s:" + "-".join(f"{k}{v}" for k, v in sorted(session.items()))
    sig = _SIG_DROP.sub("", obj_simp)
    if len(sig) < trigger_len + _MIN_OBJECT:
        # 回应, 曝光 with no object: the words before the act (王毅亲自出面回应) tell
        # whose act it was; a bare verb would join every 回应 of the day
        sig = _SIG_DROP.sub("", clause_simp)[-_SIG_LEN:] or sig
    sig = sig[:_SIG_LEN]
    if basis == "explicit" and granularity in ("day", "time") and event_type in tables().merge_by_day:
        # a placed report keys on its place alone; a placeless one on its words, and the
        # timeline joins it to the one placed report of its day where there is one
        return key if place_simp else f"{key}|d:{sig}"
    return f"{key}|o:{sig}"


_MIN_OBJECT = 2  # letters after the trigger that make a signature worth merging on
_SIG_LEN = 12


def _session(s: str, t: Tables) -> dict | None:
    """{"congress": 13, "plenum": 9} for 十三届九次全会 (data/sessions.tsv)."""
    from pipelines.core.timex.numerals import to_int

    found = [(m.start(), counter, m) for counter, pat in t.sessions if (m := pat.search(s))]
    if not found:
        return None
    _, counter, m = min(found, key=lambda f: f[0])
    return {"congress": to_int(m.group("congress")), counter: to_int(m.group("n"))}


def _clause_finder(clauses: list[tuple[int, int]]) -> Callable[[int], int]:
    """The index of the clause holding a sentence offset (the last clause past the end); a
    clause mark belongs to the clause it closes, not to the sentence's last clause."""
    starts = [a for a, _ in clauses]

    def clause_of(rel: int) -> int:
        i = bisect_right(starts, rel) - 1
        return i if 0 <= i < len(clauses) and rel <= clauses[i][1] else len(clauses) - 1

    return clause_of


class _SpanSet:
    """Membership in a union of (start, end) spans in log time: a sentence with no
    punctuation for megabytes has thousands of names and triggers to test against."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        spans = sorted(spans)
        self.starts = [a for a, _ in spans]
        self.reach = []  # the furthest end among the spans starting at or before each
        far = -1
        for _, b in spans:
            far = max(far, b)
            self.reach.append(far)

    def holds(self, pos: int) -> bool:
        """Some span has a <= pos < b."""
        return self.overlaps(pos, pos + 1)

    def overlaps(self, lo: int, hi: int) -> bool:
        """Some span has a < hi and lo < b."""
        i = bisect_left(self.starts, hi) - 1
        return i >= 0 and self.reach[i] > lo


def _positions(s: str, mark: str) -> list[int]:
    """Offsets of `mark` in s, found by str.find: most sentences hold none, and a loop over
    every character to find them was a few percent of the extractor's time."""
    out = []
    i = s.find(mark)
    while i >= 0:
        out.append(i)
        i = s.find(mark, i + 1)
    return out


class _TitleScan:
    """_in_title for every position of one sentence, without a scan back per question."""

    def __init__(self, s: str) -> None:
        self.opens = _positions(s, "《")
        self.closes = _positions(s, "》")

    def __call__(self, pos: int) -> bool:
        i = bisect_left(self.opens, pos) - 1  # the last 《 before pos
        if i < 0:
            return False
        j = bisect_left(self.closes, self.opens[i])
        return not (j < len(self.closes) and self.closes[j] < pos)


_BARE_ACT = 2  # triggers.tsv needs_object: typed by its object, an untyped act without one
_SPEECH = 3  # triggers.tsv needs_object: a statement only where the text dates it


def _sentence_events(ctx: _Ctx, sa: int, sb: int, hits: list[LexiconMatch],
                     covered: list[tuple[int, int]], untyped: list[tuple[int, int]]) -> list[Event]:
    t, simp, text = ctx.t, ctx.simp, ctx.doc.text
    s = simp[sa:sb]
    clauses = _clauses(s)
    # The places (jieba's cut of the clauses naming one is their cost) are found once a
    # trigger needs its place, or where an organization's name may start at one: a sentence
    # whose triggers are all cancelled before that never needs them.
    orgs = _orgs(s, t, _sentence_places(ctx, sa, s)) if t.org_re.search(s) else []
    # 组织 inside 县委组织部 is part of a name, not a predicate; nor is 督导 in 《督导利剑》
    titles = [(m.start(), m.end()) for m in _TITLE.finditer(s)] if "《" in s else []
    if orgs or titles:  # (most sentences name neither: every hit stands)
        inside_name = _SpanSet(orgs + titles)
        hits = [h for h in hits if not inside_name.holds(h.start() - sa)]
        if not hits:
            return []
    clause_of = _clause_finder(clauses)
    timed = _holds_mention(ctx, sa, sb)  # (most sentences hold no time: no mention to look at)
    argued: bool | None = None  # read only for an act its sentence does not date

    # A clause's date belongs to its own act, but not to a report of the news (据央视新闻5月15日
    # 报道称，…举行会谈): that speech is no event (hearsay), so its date is the next act's.
    # (each hit's clause and offset in the sentence found once, for all three uses below)
    placed = [(clause_of(h.start() - sa), h.start() - sa, h) for h in hits]
    # (a sentence's one hit owns no other clause: nothing to find)
    trig_clauses = {ci for ci, rel, h in placed
                    if t.triggers[h.group()][1] != _SPEECH or not _hearsay(t, s, clauses, clause_of, rel, h.group())
                    } if len(placed) > 1 else set()
    # Within a clause a specific trigger beats a generic one: 组织召开 is a 召开.
    # and a predicate beats a trigger that only names an incident (发布了关于国会骚乱事件的报告)
    if len(placed) > 1:  # (the key reads the text: not for a sentence's one hit)
        placed.sort(key=lambda p: (p[0], _names_incident_at(t, s, p[1], p[2].end() - sa),
                                   t.triggers[p[2].group()][1] > 0, p[1]))
    used_clauses: set[int] = set()
    out: list[Event] = []
    for ci, rel, h in placed:
        if ci in used_clauses:
            continue  # one event per clause: 挂牌成立 is one establishment
        ca, cb = clauses[ci]
        trig = h.group()
        etype, needs = t.triggers[trig]
        before_re, after_re = t.blocks.get(trig, (None, None))
        if after_re is not None and after_re.match(s, rel + len(trig), cb):
            continue  # 活动开展以来, 督导组, 发生火灾时: see data/blocks.tsv
        if before_re is not None and before_re.search(s, ca, rel):
            continue  # 不能成立, 飞船撤离
        if t.nonevent_scope_re.search(s, 0, rel):
            continue  # 假如我是消防员…抢救: the whole sentence is hypothetical
        if t.reaction_re.search(s, ca, cb):
            continue  # 此事曝光后引发热议: the public's reaction, not a development
        otype, oend = _object_type(t, s, trig, rel + len(trig), cb)
        if otype == "-":
            # 进行出舱活动, 引发热议: the object says this is none of our types, so neither
            # the verb nor its object (热议 is tagged a verb) is an act
            covered.append((rel, oend))
            continue
        owned = [(sa + clauses[j][0], sa + clauses[j][1]) for j in trig_clauses if j != ci]
        spoken = None  # a speech's dating, decided before the clause is taken
        if needs == _SPEECH:
            if _hearsay(t, s, clauses, clause_of, rel, trig):
                continue  # 据路透社7日称: a report of a speech, not a development
            if t.opinion_re.search(s, ca, rel):
                # 分析师表示, 专家认为: a commentator's opinion, not news in itself, and
                # nor is what the commentator goes on to say in the sentence
                covered.append((ca, len(s)))
                continue
            if not ctx.item_dates and not timed:
                continue  # 他表示: talk, as below; with no time in the sentence, none can date it
            spoken = _date_event(ctx, (sa, sb), (sa + ca, sa + cb), sa + rel, False, None, False, owned)
            if spoken.basis != "explicit" and not _unplaced_day(ctx, sa + ca, sa + rel):
                continue  # 他表示: talk, not a development (卢拉当天表示 is one, of a day untold)
            otype = None
        elif needs and otype is None:
            if needs == _BARE_ACT and not any(_usable(m) for m in _mentions_in(ctx, sa, sb)):
                # 上交所下发监管工作函: no object row types it, yet a report of an act, and with
                # no time in the sentence the generic rule would not see it
                etype = GENERIC_TYPE
            else:
                untyped.append((rel, rel + len(trig)))  # 启动福岛核污染水排海: no object row types it
                continue
        if otype is not None and (needs or (etype == "meeting" and otype == "conference")):
            etype = otype
        used_clauses.add(ci)
        covered.append((ca, cb))
        future = _announced(t, s, ca, rel)
        routine = bool(t.routine_re.search(s, ca, cb)) or timed and any(
            m.type == "SET" for m in _mentions_in(ctx, sa + ca, sa + cb))
        session = _session(s[rel:cb], t) if etype == "meeting" else None
        # Actors: organizations before the trigger in the clause, else earlier in the sentence.
        actors_sp = [o for o in orgs if ca <= o[0] and o[1] <= rel]
        if not actors_sp and orgs:
            # else the subject of the sentence part (up to ；): the first clause naming an org
            segs = sorted(_positions(s, "；") + _positions(s, ";"))
            seg_start = max([x + 1 for x in segs if x < ca], default=0)
            for a, b in clauses:
                if a >= seg_start and b <= ca:
                    actors_sp = [o for o in orgs if a <= o[0] and o[1] <= b]
                    if actors_sp:
                        break
        actors = tuple(dict.fromkeys(text[sa + a:sa + b] for a, b in actors_sp)) if actors_sp else ()
        # Enumerations: 7∙17丰乐乡龙塘村、8∙13筠连镇旗隆村成功避险 are two events.
        dated = [m for m in _mentions_in(ctx, sa + ca, sa + rel) if _usable(m)] if timed else []
        items: list[tuple[int, int, TimeMention | None]] = []
        if len(dated) >= 2 and all(
            any(c in _ENUM_SEP for c in simp[x.end:y.start]) for x, y in zip(dated, dated[1:], strict=False)
        ) and not all(_one_period(ctx, x, y) for x, y in pairwise(dated)):
            for j, m in enumerate(dated):
                end = dated[j + 1].start if j + 1 < len(dated) else sa + rel
                items.append((m.start - sa, end - sa, m))
        else:
            items.append((ca, cb, None))
        for ia, ib, own in items:
            dating = spoken if spoken is not None and own is None and not future else _date_event(
                ctx, (sa, sb), (sa + ca, sa + cb), sa + rel, future, own, session is not None, owned)
            if dating.basis != "explicit":
                if argued is None:
                    argued = _argued(t, s)
                if argued or t.concession_re.search(s, ca, rel) or _said_not_done(t, s, rel, rel + len(trig)):
                    # 因为…, 其实…: an undated act of the writer's reasoning; 虽然降落失败了，…:
                    # one it concedes; 表示：“…会很快归案”: of a speaker's (data/modality.tsv)
                    continue
            trigger = text[h.start():h.end()].rstrip(_CLAUSE_TAIL)
            if dating.basis == "inherited" and len(hits) == 1 and _told_before(ctx, etype, trigger, dating) \
                    and _adds_nothing(ctx, sa, sb, ca, rel):
                continue  # 杜兆才落马 … 此次杜兆才落马，不少网友感叹…: the report told again
            _note_anchor(ctx, sa, dating)
            places = _sentence_places(ctx, sa, s)  # (remembered for the sentence)
            place_sp = _pick_place(t, s, places, orgs, ia, ib, rel, ca, actors_sp)
            # far from the time it would inherit, an act is as undated as a bounded one, unless
            # its sentence tells a tally as of now (截至目前，事故造成4人死亡) or marks anything
            # done (判决结果出炉后不久，汪小菲晒出了…): narration of the story, not background
            far = (_far_from_anchor(sa, dating) and not t.so_far_re.search(s, 0, rel)
                   and not t.done_re.search(s))
            if (dating.basis == "bounded" or far) and sa - ctx.story_from >= _LEAD_SHARE * (len(simp) - ctx.story_from):
                if (place_sp is None and not t.done_re.search(s, ca, cb)
                        and not _connective_before(t, s, clauses, ci)
                        and not _unplaced_day(ctx, sa + ca, sa + cb)
                        and not _gives_its_words(t, s, ca, rel, rel + len(trig))):
                    continue  # undated, not marked done, nowhere, past the lead: background talk
                if future:
                    continue  # announced with no day, past the lead: an intention or a wish, no point in time
            if place_sp is not None:
                place, place_simp = text[sa + place_sp[0]:sa + place_sp[1]], s[place_sp[0]:place_sp[1]]
            else:
                place, place_simp = ctx.title_place, ctx.title_place_simp
            if own is not None:
                # the item, then the shared predicate after the last item's place (成功避险)
                last = [p for p in places if items[-1][0] <= p.start and p.end <= rel]
                tail = last[-1].end if last else rel
                item_end = max([p.end for p in places if ia <= p.start and p.end <= ib], default=ib)
                head = _headline(text, sa + ia, sa + item_end).rstrip("、和及与") + text[sa + tail:sa + oend]
            else:
                hs = actors_sp[0][0] if actors_sp and actors_sp[0][0] >= ca else ca
                head = _headline(text, sa + hs, sa + max(cb, oend, rel + len(trig)))
                lead = _lead_clause_start(ctx, sa, clauses) if len(head) < _SHORT_HEADLINE else cb
                if lead < cb:  # (a short clause opening the sentence, 她则回应：…, is its own headline)
                    head = _headline(text, sa + lead, sa + cb)
                if ci + 1 < len(clauses):
                    head = _fuller_headline(text, head, sa + hs, sa + clauses[ci + 1][1])
            obj = s[rel:oend] if oend > rel + len(trig) else s[rel:cb]
            # a row may end with the mark that makes its word a predicate (通报，): not reported
            ev = _event(ctx, (sa, sb), etype, head, trigger, dating, future,
                        place, place_simp, actors, session, routine, s[rel:cb] if own is None else obj,
                        s[ca:max(cb, oend)] if own is None else s[ia:oend])
            out.append(ev)
    return out


_CLAUSE_TAIL = "，：,:"
_SHORT_HEADLINE = 6  # a headline shorter than this is a fragment (通报称, 宣判后)


def _hearsay(t: Tables, s: str, clauses: list[tuple[int, int]], clause_of: Callable[[int], int],
             rel: int, trig: str) -> bool:
    """The speech verb at s[rel:] reports where the news comes from (据路透社7日称: nonevents
    kind hearsay), not a statement of its own."""
    return t.triggers[trig][1] == _SPEECH and t.hearsay_re.search(s, clauses[clause_of(rel)][0], rel) is not None


_SENTENCE_LEAD = " \t\u3000“\"「『"


def _argued(t: Tables, s: str) -> bool:
    """The sentence opens on a reason or a comment (因为…, 其实…, 可以说…: data/modality.tsv
    kind=argument): the writer reasons about the story, so what it does not date is no
    development of it."""
    return t.argument_re.match(s, len(s) - len(s.lstrip(_SENTENCE_LEAD))) is not None


_QUOTE_OPEN = "“「"
_QUOTE_CLOSE = "”」"
_INNER_SEP = re.compile("[" + re.escape("".join(sorted(_CLAUSE_SEP | set("。！？!?" + _QUOTE_OPEN + _QUOTE_CLOSE))))
                        + "]")


def _said_not_done(t: Tables, s: str, a: int, b: int) -> bool:
    """The act at s[a:b] sits in a direct quotation that a speech verb opens in its sentence
    (表示：“…: data/modality.tsv kind=quote), and the quoted clause holding it does not tell
    it as done (kind=done): the speaker's words about it, not a report of it."""
    q = max(s.rfind(c, 0, a) for c in _QUOTE_OPEN)
    if q < 0 or any(s.find(c, q, a) >= 0 for c in _QUOTE_CLOSE) or not t.quote_re.search(s, 0, q):
        return False
    # the quoted clause: from the last mark before the act (the opening quote at least)
    start = max(m.end() for m in _INNER_SEP.finditer(s, q, a))
    stop = m.start() if (m := _INNER_SEP.search(s, b)) else len(s)
    return t.done_re.search(s, start, stop) is None


_WORDS_MARK = "，,：:"
_WORDS_REACH = 16  # 回应《科创板日报》称: the act, what it answers, then its speech verb


def _gives_its_words(t: Tables, s: str, ca: int, a: int, b: int) -> bool:
    """The act s[a:b] is a party's publication that the text goes on to quote: a subject
    before it in its clause, and right after it a colon or a speech verb (data/modality.tsv
    kind=quote) that opens its words (网易回应《科创板日报》称，…; 卢拉对此回应道：…;
    根据警方通报，网传…失实). The report itself, a development though undated, where an
    undated act told in passing is background."""
    if len(s[ca:a].strip(_SENTENCE_LEAD)) < 2:
        return False  # 公告称: the document cited, no party telling it
    if s[b - 1] in _WORDS_MARK:
        return True  # 通报，: the row itself ends on the mark that opens the words
    stop = next((i for i in range(b, min(len(s), b + _WORDS_REACH)) if s[i] in _WORDS_MARK + "。；;！？"), -1)
    if stop < 0 or s[stop] not in _WORDS_MARK:
        return False
    return s[stop] in "：:" or t.quote_re.search(s, b, stop + 1) is not None


def _unplaced_day(ctx: _Ctx, a: int, b: int) -> bool:
    """simp[a:b] names a day the text does not place (事发当天 with no day before it): the
    act is narrated on a day of its own, not background talk, though only bounded."""
    return any(m.earliest is None and m.value.startswith("XXXX") for m in _mentions_in(ctx, a, b))


def _told_before(ctx: _Ctx, etype: str, trigger: str, dating: _Dating) -> bool:
    """The act (type and trigger) was reported on a stated day earlier in the article: on
    any day for a type of one occurrence a day (types.tsv merge=day), whose undated mention
    the story's time merely misdates; on these very days for the others (a statement, a
    notice come many a story)."""
    days = ctx.told.get((etype, trigger))
    return days is not None and (etype in ctx.t.merge_by_day or (dating.earliest, dating.latest) in days)


def _adds_nothing(ctx: _Ctx, sa: int, sb: int, ca: int, rel: int) -> bool:
    """The sentence simp[sa:sb], whose only act starts at rel in the clause starting at ca,
    says nothing new of it: no time of its own (失联的确切时间，应该是前天), no denial or
    hedge (不排除…辞职: data/modality.tsv kind=negation), and it does not cite the act as the
    source of its news (据当地官方通报，…已被公安部门控制: nonevents.tsv kind=hearsay)."""
    s = ctx.simp[sa:sb]
    return (not _mentions_in(ctx, sa, sb) and not ctx.t.negation_re.search(s, ca, rel)
            and not ctx.t.hearsay_re.search(s, ca, rel))


# An anchor's time passes on to the acts told right after it; this far on (several sentences
# of another matter, or a long paragraph of background) an act it would date is as undated
# as a bounded one, and past the lead that is background talk unless something marks it
_ANCHOR_REACH = 300


def _far_from_anchor(sa: int, dating: _Dating) -> bool:
    """The act of the sentence at sa inherits its time from a day stated _ANCHOR_REACH or
    more characters before it."""
    return dating.basis == "inherited" and dating.source is not None and sa - dating.source.start >= _ANCHOR_REACH


def _connective_before(t: Tables, s: str, clauses: list[tuple[int, int]], ci: int) -> bool:
    """A connective set off as the clause before clause ci (随后，马斯克发布推文: data/
    modality.tsv kind=sequence): it marks ci's act done, as kind=done would in ci."""
    if ci == 0:
        return False
    pa, pb = clauses[ci - 1]
    return t.sequence_re.fullmatch(s[pa:pb].strip(" \t\u3000")) is not None


def _quoted(simp: str, sa: int, pos: int) -> bool:
    """Inside “…” or 《…》 of its sentence: a name or a cited example, not the narrative."""
    before = simp[sa:pos]
    return before.count("“") > before.count("”") or before.count("《") > before.count("》")


def _event(ctx: _Ctx, sent: tuple[int, int], etype: str, headline: str, trigger: str, dating: _Dating,
           future: bool, place: str | None, place_simp: str | None, actors: tuple[str, ...],
           session: dict | None, routine: bool, wording: str, clause: str = "") -> Event:
    """An event of the sentence `sent`, with the dates and the expression that dated it."""
    sa, sb = sent
    return Event(
        event_type=etype,
        label_zh=ctx.t.labels.get(etype, (etype, etype))[0],
        headline=headline,
        trigger=trigger,
        evidence=ctx.doc.text[sa:sb],
        char_start=sa,
        char_end=sb,
        earliest=dating.earliest,
        latest=dating.latest,
        granularity=dating.granularity,
        date_basis=dating.basis,
        time_text=dating.text,
        time_start=dating.source.start if dating.source is not None else None,
        time_end=dating.source.end if dating.source is not None else None,
        place=place,
        actors=actors,
        session=session,
        is_routine=routine,
        modality=_modality(future, dating, ctx.pub),
        merge_key=make_merge_key(etype, place_simp, session, dating.granularity, dating.basis, wording,
                                 len(trigger), clause),
    )


# a season or a decade dates no single untyped act (春季开学前两周是流感高发期)
_GENERIC_SKIP_GRAINS = {"season", "decade", "century"}
# a counted span (近四个月) is a trend beyond a quarter; a vague one (近年) beyond a year, so
# that 前段时间 and 近期 still date an act loosely
_TREND_DAYS = {"durrel": 92, "vague": 365}
_HISTORY_DAYS = 3652  # ten years
_BACKGROUND_GRAINS = {"year", "half", "quarter", "season", "decade", "century"}


def _note_anchor(ctx: _Ctx, sa: int, dating: _Dating) -> None:
    """An event dated by its own expression (or by the day of the report that tells it, see
    _reported_result) sets the story's time for what follows it;
    a date inside quotes (宣传“7∙17龙塘村成功避险”典型事迹) is a cited example, not the
    story's time, and nor is a whole year or longer period before the publication year
    (2012年曾开设公司 … 他已被刑事拘留): that is background, the news is recent."""
    reported_day = (dating.basis == "explicit" and dating.granularity == "range" and dating.source is not None
                    and dating.source.earliest == dating.source.latest == dating.latest)
    if ((dating.basis == "explicit" and dating.source is not None and dating.granularity != "range" or reported_day)
            and not _quoted(ctx.simp, sa, dating.source.start)
            and not _stamp(ctx, dating.source)):
        if dating.granularity in _BACKGROUND_GRAINS and ctx.pub is not None \
                and dating.latest is not None and dating.latest.year < ctx.pub.year:
            ctx.background, ctx.background_sentence = dating.source, ctx.sentence
            return
        ctx.anchor = dating.source
        ctx.anchor_para = _paragraph_start(ctx.simp, sa, ctx.doc.body_start)
        ctx.anchor_sentence = ctx.sentence


def _untimed_length(ctx: _Ctx, sa: int, a: int, b: int) -> int:
    """How many characters of s[a:b] (offsets into the sentence at sa) no time expression holds."""
    return (b - a) - sum(m.end - m.start for m in _mentions_in(ctx, sa + a, sa + b))


def _lead_clause_start(ctx: _Ctx, sa: int, clauses: list[tuple[int, int]]) -> int:
    """The sentence's first clause that is more than its time (3月5日，… starts after it)."""
    for ca, cb in clauses:
        if _untimed_length(ctx, sa, ca, cb) > 4:
            return ca
    return clauses[0][0]


def _governs(t: Tables, s: str, start: int, end: int, clause_start: int) -> bool:
    """The time s[start:end] is an adverbial of what follows it in its clause (modality.tsv
    governs_before / governs_after), not a modifier of a noun (因清明节被强制加班)."""
    if s.startswith("的", end):
        return False
    return start == clause_start or t.governs_before_re.search(s, max(clause_start, start - 3), start) is not None \
        or t.governs_after_re.match(s, end) is not None


def _generic_events(ctx: _Ctx, sa: int, sb: int, covered: list[tuple[int, int]],
                    untyped: list[tuple[int, int]] = ()) -> list[Event]:
    """Acts the lexicon does not type: a clause group opened by an explicit time, whose
    predicate is a verb that reports no speech, opinion or state (data/nonevents.tsv).
    `covered` are sentence spans already decided: clauses holding a typed event, triggers;
    the clauses this pass takes are added to it. `untyped` are triggers whose object no row
    types (启动…排海): acts, whatever jieba's tag."""
    in_sent = _mentions_in(ctx, sa, sb)
    if not in_sent and not ctx.item_dates:
        return []  # most sentences: no time, nor a list item's date, dates an act here
    # a list item (see _item_dates) is dated by the date printed after it
    item = _item_date(ctx, sa, None) if ctx.item_dates and not any(_usable(m) for m in in_sent) else None
    if item is None and not any(_usable(m) or _clock_only(m) for m in in_sent):
        return []  # most sentences: nothing dates an act here, so nothing to scan
    t, simp = ctx.t, ctx.simp
    s = simp[sa:sb]
    if item is not None:
        dated = [item]
    else:
        # a "since" expression (成立9年来, 2019年以来) frames a period, it dates no single act
        # nor does a dateline's (海外网8月5日电, 本报3月5日讯): it dates the report, not an act
        dated = [m for m in in_sent if (_usable(m) or _clock_only(m)) and not _since(t, simp, m)
                 and m.granularity not in _GENERIC_SKIP_GRAINS
                 and not m.text.endswith("来") and not t.dateline_re.match(simp, m.end)
                 and not _trend_period(m, ctx.pub) and not _counts(ctx, m) and not _stamp(ctx, m)]
        if dated:  # (the spans to test are made only for a time that passed the tests above)
            decided = _SpanSet(covered)
            in_title = _TitleScan(s)
            dated = [m for m in dated if not in_title(m.start - sa) and not decided.holds(m.start - sa)]
    if not dated:
        return []
    clauses = _clauses(s)
    titles = [(m.start(), m.end()) for m in _TITLE.finditer(s)]
    # one-character verbs (乘, 分) are too often part of a name or a time to stand alone
    taken = _SpanSet(titles + covered + [(m.start - sa, m.end - sa) for m in in_sent])

    # Once per clause, not per time in it: a clause of a thousand times (2020年2020年…) would
    # otherwise be cut and searched a thousand times.
    def verbs(ci: int) -> list[tuple[int, int]]:
        ca, cb = clauses[ci]
        # the words jieba's dictionary tags as verbs, minus those that report, judge or describe
        found = [v for v, word, tag in zip(*_clause_cut(ctx, sa, s, ca, cb), strict=True)
                 if tag in _GENERIC_VERB_TAGS and word not in t.nonevent_verbs and v[1] - v[0] >= 2 and not taken.overlaps(*v)]
        return sorted(found + [u for u in untyped if ca <= u[0] < cb and u not in found])

    verbs_in = _per_clause(verbs)
    # ^ and $ of these patterns are the clause's
    nonevent_clause = _per_clause(lambda ci: t.nonevent_clause_re.search(s[slice(*clauses[ci])]) is not None)
    figure_clause = _per_clause(lambda ci: t.nonevent_figure_re.search(s[slice(*clauses[ci])]) is not None)

    clause_of = _clause_finder(clauses)

    out: list[Event] = []
    used: set[int] = set()
    for k, m in enumerate(dated):
        mc = clause_of(m.start - sa) if m is not item else 0
        if t.time_owner_re.search(s[clauses[mc][0]:clauses[mc][1]]):
            continue  # 他今年13岁，离开了学校: the time belongs to the age, not to the act
        limit = dated[k + 1].start - sa if k + 1 < len(dated) else len(s)
        # the act: the first verb from the time's clause on, before the next time's clause
        verb = None
        last = clause_of(limit - 1)
        for ci in range(mc, len(clauses)):
            if ci > last:
                break
            ca, cb = clauses[ci]
            if ci in used or nonevent_clause(ci):
                continue
            for a, b in verbs_in(ci):
                if a >= limit and (ci != last or mc != ci and _governs(t, s, limit, dated[k + 1].end - sa, ca)) or s[a - 1:a] == "的":
                    continue  # past the next time, or a verb made a noun (技术的出现)
                if figure_clause(ci) and (a, b) not in untyped:
                    continue  # 收入达到393亿元: a figure, unless a lexicon verb acts (宣布抛售)
                if t.nonevent_scope_re.search(s, 0, a) or t.negated_re.search(s[max(ca, a - 2):a]):
                    continue
                verb = (a, b, ci)
                break
            if verb is not None:
                break
        if verb is None:
            continue
        a, b, ci = verb
        used.add(ci)
        ca, cb = clauses[ci]
        covered.append((ca, cb))
        future = _announced(t, s, ca, a)
        routine = bool(t.routine_re.search(s, ca, cb))
        # a clock time alone (10时7分许，救护车到达) is a moment of the story's day
        own = None if _clock_only(m) else m
        dating = _date_event(ctx, (sa, sb), (sa + ca, sa + cb), sa + a, future, own, False, [])
        if own is None and (dating.basis == "bounded" or _argued(t, s)):
            # with no day of the story to put it on, a clock dates nothing; in a sentence of
            # reasoning it dates no development either
            continue
        if ci + 1 < len(clauses) and _untimed_length(ctx, sa, b, cb) == 0:
            # 预计11日8时至12日8时，新疆南部有扬沙: the verb's object is the next clause
            cb = clauses[ci + 1][1]
        out.append(_untyped_event(ctx, (sa, sb), clauses[mc:ci + 1] or clauses, (ca, cb), (a, b), dating,
                                  future, routine))
    return out


def _untyped_event(ctx: _Ctx, sent: tuple[int, int], lead: list[tuple[int, int]], clause: tuple[int, int],
                   verb: tuple[int, int], dating: _Dating, future: bool, routine: bool) -> Event:
    """The event of an act no trigger types (GENERIC_TYPE): the verb s[a:b] of its clause
    s[ca:cb], offsets into the sentence `sent`; a short clause's headline starts at the
    first of the `lead` clauses that is more than its time."""
    sa, sb = sent
    (ca, cb), (a, b) = clause, verb
    text, s = ctx.doc.text, ctx.simp[sa:sb]
    _note_anchor(ctx, sa, dating)
    place, place_simp, actors = _where_and_who(ctx, sa, s, ca, cb, a)
    hs = ca if (cb - ca) >= 8 else _lead_clause_start(ctx, sa, lead)
    head = _headline(text, sa + min(hs, ca), sa + cb)
    if (after := next((c for c in _clauses(s) if c[0] >= cb), None)) is not None:
        head = _fuller_headline(text, head, sa + min(hs, ca), sa + after[1])
    return _event(ctx, sent, GENERIC_TYPE, head,
                  text[sa + a:sa + b], dating, future, place, place_simp, actors, None, routine,
                  s[a:cb], s[min(hs, ca):cb])


def _where_and_who(ctx: _Ctx, sa: int, s: str, ia: int, ib: int, act: int
                   ) -> tuple[str | None, str | None, tuple[str, ...]]:
    """Where an untyped act of s[ia:ib] (s the sentence at sa) happened, in the text's script and
    Simplified (else the title's place), and the organizations acting: those in s[ia:act]."""
    t, text = ctx.t, ctx.doc.text
    places = _sentence_places(ctx, sa, s)
    orgs = _orgs(s, t, places)
    actors_sp = [o for o in orgs if ia <= o[0] and o[1] <= act]
    place_sp = _pick_place(t, s, places, orgs, ia, ib, act, ia, actors_sp)
    actors = tuple(dict.fromkeys(text[sa + x:sa + y] for x, y in actors_sp))
    if place_sp is None:
        return ctx.title_place, ctx.title_place_simp, actors
    return text[sa + place_sp[0]:sa + place_sp[1]], s[place_sp[0]:place_sp[1]], actors


# 已依法申请, 已将男子制伏, 已被公安部门控制: adverbials, a preposition's phrase or a passive's
# agent between the mark and its verb; further on, the verb is seldom the act the mark tells done
_PERFECT_REACH = 6


def _done_acts(ctx: _Ctx, sa: int, sb: int, covered: list[tuple[int, int]],
               untyped: list[tuple[int, int]]) -> list[Event]:
    """Acts no trigger types, in clauses neither the typed nor the generic pass took, that the
    text tells done: a clause whose mark of a result reached (已, 已经: data/modality.tsv
    kind=result) comes right before its first verb (限制消费令已经取消, 芬兰现已加入北约,
    该局已依法申请…). Such a clause reports a development of the story even where nothing
    dates it; it is dated as any other act (its sentence's time, else the story's, else
    bounded), and past the lead only an act some time dates is one (a bounded one there is
    background talk, as for typed acts).

    Not an act: a state or a stage reached (已进入收尾阶段, 已到位, 早已熟识: data/
    nonevents.tsv kind=state); what is already so at a moment the sentence sets or in a view
    it reports (…的时候, 图片显示: kind=scene); a verb made a noun's modifier (已被拆除的墙体);
    a denial or an inability (已无法, 已经做不了); words in quotation marks, a commentator's
    view and the writer's reasoning. `covered` are the spans the typed and generic passes
    decided; `untyped` their triggers whose object no row types (acts, whatever jieba's tag)."""
    t, simp = ctx.t, ctx.simp
    s = simp[sa:sb]
    if t.perfect_re.search(s) is None or _argued(t, s):
        return []  # most sentences
    decided = _SpanSet(covered)
    clauses = _clauses(s)
    out: list[Event] = []
    for ci, (ca, cb) in enumerate(clauses):
        mark = t.perfect_re.search(s, ca, cb)
        if (mark is None or decided.overlaps(ca, cb) or _quoted(simp, sa, sa + mark.start())
                or t.state_re.search(s, mark.start(), cb) or t.scene_re.search(s, 0, mark.start())
                or t.opinion_re.search(s, 0, mark.start()) or t.nonevent_clause_re.search(s[ca:cb])
                or t.nonevent_scope_re.search(s, 0, mark.start())
                or any(t.argument_re.match(s, x) for x, _ in clauses[:ci + 1])):
            continue
        verb = next(((a, b) for (a, b), tag in zip(*_clause_cut(ctx, sa, s, ca, cb)[::2], strict=True)
                     if a >= mark.end() and (tag == _VERB_TAG or (a, b) in untyped)), None)
        if verb is None or verb[0] > mark.end() + _PERFECT_REACH:
            continue
        a, b = verb
        if ((b - a < 2 or s[a:b] in t.nonevent_verbs) and verb not in untyped) or s.startswith("的", b):
            continue  # 已有, 已是: a state; 已被拆除的墙体: a modifier
        if (t.negation_re.search(s, mark.end(), b) or t.concession_re.search(s, ca, a)
                or _announced(t, s, ca, a)):
            continue
        dating = _date_event(ctx, (sa, sb), (sa + ca, sa + cb), sa + a, False, None, False, [])
        if dating.basis == "bounded" and sa - ctx.story_from >= _LEAD_SHARE * (len(simp) - ctx.story_from):
            continue  # past the lead, an act nothing dates is background talk
        out.append(_untyped_event(ctx, (sa, sb), clauses[:ci + 1], (ca, cb), verb, dating, False,
                                  bool(t.routine_re.search(s, ca, cb))))
    return out


def _sentences(simp: str, lo: int) -> list[tuple[int, int]]:
    """Sentence spans of simp[lo:]: up to 。！？ (included) or a line end (excluded), leading
    blanks and the previous sentence's closing quote left out."""
    out: list[tuple[int, int]] = []
    # one regex scan finds each sentence with its leading blanks (a Python step per sentence
    # to find its end and another per blank to skip them cost more)
    for m in _SENTENCE.finditer(simp, lo):
        start, end = m.span(1)
        while end - start > _MAX_SENTENCE:
            start = _cut_long(simp, start, out)
        if end - start > 1:
            out.append((start, end))
    return out


# A "sentence" longer than this (8 in 75,000 of the corpus's) is cut at a clause mark: much of
# the work on a sentence compares its parts with each other, so a megabyte without a full
# stop would otherwise cost the square of its length.
_MAX_SENTENCE = 600


def _cut_long(simp: str, start: int, out: list[tuple[int, int]]) -> int:
    """Append the first piece of an overlong sentence to out; returns where the rest starts."""
    limit = start + _MAX_SENTENCE
    cut = max((simp.rfind(sep, start + _MAX_SENTENCE // 2, limit) for sep in _CLAUSE_SEP), default=-1)
    cut = cut + 1 if cut >= 0 else limit
    out.append((start, cut))
    return cut


def _modality(future: bool, dating: _Dating, pub: date | None) -> str:
    """Announced acts are planned; so is anything the text itself dates after publication
    (a reported act cannot be, so the wording must be prospective)."""
    if future or (pub is not None and dating.earliest is not None and dating.earliest > pub):
        return "planned"
    return "reported"


def _pick_place(t: Tables, s: str, places: list[_Place], orgs: list[tuple[int, int]], ia: int, ib: int,
                rel: int, ca: int, actors_sp: list[tuple[int, int]]) -> tuple[int, int] | None:
    # 1. 在/于/赴 + place inside the item/clause: where it happened (在成都成立筠商学院)
    # (the marks found by a C-level search: a loop over every character of the item was
    # most of this function's time)
    for mark in t.place_mark_re.finditer(s, ia, min(ib, len(s))):
        i = mark.start()
        if i + 1 < len(s):
            for p in places:
                if p.start == i + 1:
                    return p.start, p.end
            bare = _bare_place_after(s, i + 1)
            if bare:
                return bare
    if not places:
        return None  # (most sentences: no chain to prefer, nor an organization's place)
    inside = [p for p in places if ia <= p.start and p.end <= ib]
    # 2. the first chain before the trigger (the subject's: 美国商务部将中国企业列入…), else
    # the first after it, within the item
    before = [p for p in inside if p.end <= rel]
    if before:
        return before[0].start, before[0].end
    if inside:
        return inside[0].start, inside[0].end
    # 3. the sentence's subject: the first chain before the clause
    earlier = [p for p in places if p.end <= ca]
    if earlier:
        return earlier[0].start, earlier[0].end
    # 4. the acting organization's place (中共筠连县委 -> 筠连县)
    for a, b in actors_sp:
        for p in places:
            if a <= p.start and p.end <= b:
                return p.start, p.end
    return None


def _title_place(ctx: _Ctx) -> tuple[str | None, str | None]:
    a = 0
    b = ctx.simp.find("\n")
    if b <= 0 or b > 80 or ctx.doc.body_start == 0:
        return None, None
    s = ctx.simp[a:b]
    if not ctx.t.place_re.search(s) and not ctx.t.gazetteer_runs.search(s):
        return None, None
    ps = _places(s, ctx.t, None)
    if not ps:
        return None, None
    p = ps[0]
    return ctx.doc.text[a + p.start:a + p.end], s[p.start:p.end]


def _to_simplified(text: str) -> str:
    from pipelines.core.script import surely_simplified, to_simplified

    if surely_simplified(text):
        return text
    return to_simplified(text)


def extract(doc: Document, mentions: list[TimeMention]) -> list[Event]:
    """The events the article reports: the rules' candidates, in the sentences the learned
    model (salience.py) judges to report a development, and one event for each sentence no
    rule read that it judges one.

    A development the article tells more than once (title, lead, body) is one event, chosen
    among its mentions in the sentences the model keeps (`_deduplicated`): it survives if
    any sentence telling it does, where choosing before the model lost it with the mention
    chosen (the filter refitted to match: on the held-out golds 0.908 / 0.709 / 0.860 ->
    0.910 / 0.710 / 0.864, key recall / key dated / precision). The sentences the model
    learns from hold every mention (`candidate_sentences`), as here."""
    model = sentence_model()
    found = _candidates(doc, mentions, model, dedupe=model is None)
    if found is None:
        return []
    ctx, events = found
    if model is None:
        return events
    # every candidate sentence, the rules' and the bare, in the text's order: the model reads
    # each beside the others of the article
    scored = sorted([(span[0], *_probability(ctx, model, span, features), group)
                     for span, group, features in _sentence_groups(ctx, events)] + ctx.scored_bare,
                    key=lambda c: c[0])
    told: list[Event] = []  # the rules' events the model keeps, every mention of a development
    bare: list[Event] = []
    keeps = model.keeps([p for _, p, _, _ in scored], [k for _, _, k, _ in scored])
    for (_, _, _, held), keep in zip(scored, keeps, strict=True):
        if isinstance(held, _DatedSentence):
            if keep:
                bare.append(_sentence_event(ctx, held))
        elif held is not None:  # the rules' events (a bare sentence below the floor holds none)
            # a numbered session of a body (十三届九次全会, data/sessions.tsv) is a development
            # by what it is: the golds the model learns from hold too few to teach it that
            told.extend(held if keep else (e for e in held if e.session is not None))
    told.sort(key=lambda e: e.char_start)
    return sorted(_deduplicated(ctx, told) + bare, key=lambda e: e.char_start)


def candidate_events(doc: Document, mentions: list[TimeMention]) -> list[Event]:
    """The rules' events before the learned filter: what tests/events/cases.jsonl checks."""
    found = _candidates(doc, mentions)
    return [] if found is None else found[1]


def candidate_sentences(doc: Document, mentions: list[TimeMention]
                        ) -> list[tuple[tuple[int, int], list[Event], SentenceFeatures]]:
    """The rules' events before the learned filter, by sentence: (the sentence's span in
    doc.text, its events, its features), and the sentences in which no rule found an act,
    with no events. What bench/events_gold/train_filter.py learns from."""
    found = _candidates(doc, mentions, dedupe=False)
    if found is None:
        return []
    ctx, events = found
    return sorted(_sentence_groups(ctx, events) + [(span, [], f) for span, f in ctx.bare], key=lambda g: g[0])


def _sentence_groups(ctx: _Ctx, events: list[Event]
                     ) -> list[tuple[tuple[int, int], list[Event], SentenceFeatures]]:
    return [(ctx.sentences[k], group, _features_of(ctx, k, group)) for k, group in sentence_groups(events, ctx.sentences)]


def _features_of(ctx: _Ctx, k: int, group: list[Event]) -> SentenceFeatures:
    """The learned model's features of the k-th sentence, holding `group`."""
    sa, sb = ctx.sentences[k]
    first = bisect_left(ctx.starts, sa)
    mentions = ctx.mentions[first:bisect_left(ctx.starts, sb, first)]
    if ctx.title is None:
        ctx.title = TitleEcho.of(_to_simplified(ctx.doc.title) if ctx.doc.title else None, _article_bigrams(ctx))
    if ctx.seen is None:
        ctx.seen = seen_quarters(_article_bigrams(ctx), ctx.sentences)
    return sentence_features(ctx.simp[sa:sb], k, len(ctx.sentences), len(ctx.doc.text), mentions, ctx.pub, group,
                             ctx.title.shared(sa, sb), ctx.title.bigrams, ctx.seen[k])


def _probability(ctx: _Ctx, model: SentenceModel, span: tuple[int, int], features: SentenceFeatures
                 ) -> tuple[float, float]:
    """The sentence model's and the key model's probabilities of the sentence at `span`."""
    if ctx.bigrams is None:
        ctx.bigrams = model.article_weights(_article_bigrams(ctx))
    return model.probabilities(features, ctx.bigrams, span)


def _article_bigrams(ctx: _Ctx) -> ArticleBigrams:
    if ctx.article is None:
        ctx.article = ArticleBigrams.of(ctx.simp, max(0, min(ctx.doc.body_start or 0, len(ctx.simp))))
    return ctx.article


def _candidates(doc: Document, mentions: list[TimeMention], model: SentenceModel | None = None,
                dedupe: bool = True) -> tuple[_Ctx, list[Event]] | None:
    """The rules' events; of the sentences where no rule found one, without a `model` their
    features (ctx.bare, what the model learns from), with one their probabilities and the
    dating of those at or above the model's floor (ctx.scored_bare). With `dedupe`, one event
    per development (_deduplicated), else every mention of it."""
    text = doc.text or ""
    if not text:
        return None
    t = tables()
    simp = _to_simplified(text)
    if len(simp) != len(text):
        simp = text  # offsets must stay 1:1; matching on the original is the lesser evil
    simp = mask_long_runs(simp)  # matching only: reported strings come from `text`
    body = max(0, min(doc.body_start or 0, len(text)))
    if _index_page(doc, simp, body, mentions):
        return None
    hits = list(t.trigger_lexicon.finditer(simp, body))
    hit_starts = [h.start() for h in hits]
    ms = sorted((m for m in mentions if 0 <= m.start < m.end <= len(text)), key=lambda m: m.start)
    pub = doc.published_at.date() if doc.published_at is not None else None
    ctx = _Ctx(doc, simp, ms, [m.start for m in ms], pub, t, None, None, None)
    ctx.ends_in_order = all(x.end <= y.end for x, y in pairwise(ms))
    # The article's opening frame: a "since" mention in the lead paragraph (今年5月以来).
    lead_end = simp.find("\n", body)
    lead_end = len(simp) if lead_end < 0 else lead_end
    ctx.frame = next((m for m in _mentions_in(ctx, body, lead_end) if _usable(m) and _since(ctx.t, simp, m)
                      and not _counts(ctx, m)), None)
    sentences = ctx.sentences = _sentences(simp, body)
    ctx.item_dates = _item_dates(ctx)
    stamp_lines = [(a, b) for a, b in sentences[:_STORY_DAY_SENTENCES * 2] if _stamp_line(ctx, a, b)]
    ctx.story_from = stamp_lines[0][1] if stamp_lines else body
    ctx.story_day = _story_day(ctx, sentences, stamp_lines)
    ctx.title_place, ctx.title_place_simp = _title_place(ctx)
    link_lines = _link_list_lines(ctx) + _page_tail(ctx) if not ctx.item_dates else []
    links = _SpanSet(link_lines) if link_lines else None  # (most pages have none to test against)
    out: list[Event] = []
    i = 0
    for n, (sa, sb) in enumerate(sentences):
        ctx.sentence = n
        group = []
        while i < len(hits) and hit_starts[i] < sb:
            if hit_starts[i] >= sa:
                group.append(hits[i])
            i += 1
        if links is not None and links.holds(sa):
            continue  # a link to another story (see _link_list_lines)
        covered: list[tuple[int, int]] = []
        untyped: list[tuple[int, int]] = []
        typed: list[Event] = []
        if group:  # (most sentences hold no trigger: nothing typed, nothing covered yet)
            typed = _sentence_events(ctx, sa, sb, group, covered, untyped)
            out.extend(typed)
            # a trigger its blocks cancelled (成立9年来) is no generic act either, nor does a
            # time that dated a typed act open another (…撤离空间站组合体，转入独立飞行阶段);
            # a generic verb whose object no row types (启动…排海) is left to the generic rule
            covered.extend(sp for h in group if (sp := (h.start() - sa, h.end() - sa)) not in untyped)
            covered.extend((e.time_start - sa, e.time_end - sa) for e in typed
                           if e.date_basis == "explicit" and e.time_start is not None and e.time_start >= sa)
        # the generic pass adds the clauses it took to `covered`: the done acts are the rest's
        generic = _generic_events(ctx, sa, sb, covered, untyped)
        generic += _done_acts(ctx, sa, sb, covered, untyped)
        out.extend(generic)
        if not typed and not generic:
            _bare_sentence(ctx, n, sa, sb, model)
        for e in typed + generic:
            if e.date_basis == "explicit":
                ctx.told.setdefault((e.event_type, e.trigger), set()).add((e.earliest, e.latest))
    starts = {e.char_start for e in out}
    signed = [e for e in _signatures(ctx, sentences) if e.char_start not in starts]
    if signed:  # a signature's sentence is the document's issue, no sentence left to the model
        out.extend(signed)
        at = {e.char_start for e in signed}
        ctx.bare = [b for b in ctx.bare if b[0][0] not in at]
        ctx.scored_bare = [b for b in ctx.scored_bare if b[0] not in at]
    out.sort(key=lambda e: e.char_start)
    return ctx, _deduplicated(ctx, out) if dedupe else out


def _deduplicated(ctx: _Ctx, events: list[Event]) -> list[Event]:
    """One event per development of `events` (in the text's order): a headline retold in the
    body, an undated mention of a dated act, the same act told again."""
    return _one_per_occurrence(_drop_told_again(_drop_retold_headline(events, _headline_line_end(ctx, ctx.sentences))))


def _bare_sentence(ctx: _Ctx, n: int, sa: int, sb: int, model: SentenceModel | None) -> None:
    """A sentence in which no rule found an act is still a candidate: news reports many acts
    no lexicon names (芬兰和瑞典已申请加入北约), and the learned model, which reads its
    words, position and times, decides whether it reports a development. It is dated here,
    in the text's order, so that its date follows the story as far as it has been read;
    whether it is kept is decided with the article's other sentences, and its event built
    then (extract). A sentence that is nothing but times (a timeline's date line: 2022年4月25日
    above the line that tells what happened) reports nothing itself."""
    if _only_times(ctx, sa, sb):
        return
    features = _features_of(ctx, n, [])
    if model is None:  # the rules' candidates, for the model's training (candidate_sentences)
        ctx.bare.append(((sa, sb), features))
        return
    p, key = _probability(ctx, model, (sa, sb), features)
    ctx.scored_bare.append((sa, p, key, _sentence_dating(ctx, sa, sb) if p >= model.floor else None))


@dataclass(frozen=True, slots=True)
class _DatedSentence:
    """A sentence no rule read, dated where it stands in the story (_sentence_dating): what its
    event (_sentence_event) needs once the model keeps it."""

    sa: int
    sb: int
    clauses: list[tuple[int, int]]
    head: int  # where the headline starts in the sentence
    lead: tuple[int, int]  # the clause it starts in
    act: tuple[int, int]  # the clause that dates it
    future: bool
    dating: _Dating


def _sentence_dating(ctx: _Ctx, sa: int, sb: int) -> _DatedSentence:
    """A sentence no rule read (GENERIC_TYPE, no trigger word) is dated by its first clause
    that holds a time, else as an undated act of the story as far as it has been read. It
    sets no story time: the rules' dating of what follows does not depend on the model."""
    s = ctx.simp[sa:sb]
    clauses = _clauses(s)
    hs = _lead_clause_start(ctx, sa, clauses)
    lead = next(c for c in clauses if c[1] > hs)
    ca, cb = next((c for c in clauses if c[1] > hs and any(_usable(m) for m in _mentions_in(ctx, sa + c[0], sa + c[1]))),
                  lead)
    future = _announced(ctx.t, s, ca, cb)
    dating = _date_event(ctx, (sa, sb), (sa + ca, sa + cb), sa + cb, future, None, False, [])
    if dating.basis != "explicit" and (birth := _birth_told(ctx, sa + ca, sa + cb)) is not None:
        dating = _Dating(birth.earliest, birth.latest, birth.granularity, "explicit", birth.text, birth)
    return _DatedSentence(sa, sb, clauses, hs, lead, (ca, cb), future, dating)


def _birth_told(ctx: _Ctx, ca: int, cb: int) -> TimeMention | None:
    """李凯尔于1993年出生于美国纽约市: a clause no rule read whose time is a birth (data/
    nonevents.tsv kind=born) tells that birth, so the birth dates it; but not where the
    birth is an aside in brackets (死者为方某某(2002年7月出生，…)，并快速锁定…) or describes
    whom the clause is about (竞拍成功者是1990年出生的孙宇晨): that sentence tells another act."""
    for m in _mentions_in(ctx, ca, cb):
        born = ctx.t.born_re.match(ctx.simp, m.end)
        if (born is not None and "生" in born.group() and _usable(m) and m.earliest is not None
                and ctx.simp[born.end():born.end() + 1] != "的"
                and not _BRACKET_OPEN.search(ctx.simp, ca, m.start)):
            return m
    return None


_BRACKET_OPEN = re.compile(r"[(（][^)）]*$")


def _sentence_event(ctx: _Ctx, d: _DatedSentence) -> Event:
    """The event of a dated sentence the model keeps: its headline is the sentence from its
    first clause that is more than a time."""
    t, text, s = ctx.t, ctx.doc.text, ctx.simp[d.sa:d.sb]
    hs, lead, clauses = d.head, d.lead, d.clauses
    # the headline: the sentence, not a clause of it (its act may come after a frame: 一审宣判
    #后，…; 二审法院认为，…), past the source a report cites (据央视报道，…)
    if t.hearsay_re.search(s, lead[0], lead[1]) and lead[1] < clauses[-1][1]:
        hs = next(c[0] for c in clauses if c[0] >= lead[1])
    place, place_simp, actors = _where_and_who(ctx, d.sa, s, hs, len(s), len(s))
    return _event(ctx, (d.sa, d.sb), GENERIC_TYPE, _headline(text, d.sa + hs, d.sb), "", d.dating, d.future,
                  place, place_simp, actors, None, bool(t.routine_re.search(s, *d.act)), s[hs:], s[hs:])


_SIGNATURE_HEAD = 30  # 中共某某县委宣传部, 某某市委市政府调查组: a body's name, not a sentence
_SIGNATURE_TAIL = " \t\u3000。"
_SIGNATURE_DAY = 24  # 二〇二二年十二月二十四日 and what a day may carry after it
_DAY_END = ("日", "号")  # the last character of a day's expression (2022年7月24日, 7月24号)


def _signatures(ctx: _Ctx, sentences: list[tuple[int, int]]) -> list[Event]:
    """An official document reproduced in the text closes with its signature (落款): the
    issuing body and the day, a sentence of its own (…维护和平正义。南京市委市政府调查组2022年
    7月24日). That is the document's issue, on that day, by that body: a notice the text
    tells nowhere else in words. The body is an organization (data/orgs.tsv) with nothing
    but its name before the day, and the day closes the sentence."""
    simp, t = ctx.simp, ctx.t
    out = []
    for sa, sb in sentences:
        end = sa + len(simp[sa:sb].rstrip(_SIGNATURE_TAIL))
        if end - sa > _SIGNATURE_HEAD + _SIGNATURE_DAY or simp[end - 1:end] not in _DAY_END:
            continue  # longer than a name and a day, or not ending on one: passed over unread
        days = [m for m in _mentions_in(ctx, sa, end) if _usable(m) and m.granularity == "day"]
        if not days or days[-1].end != end:
            continue
        day = days[-1]
        head = simp[sa:day.start].strip()
        if not 2 <= len(head) <= _SIGNATURE_HEAD or not _ALL_CJK.fullmatch(head.replace(" ", "")):
            continue
        if t.org_re.search(head) is None:
            continue
        issuer = ctx.doc.text[sa:sa + len(simp[sa:day.start].rstrip())].strip()
        dating = _Dating(day.earliest, day.latest, day.granularity, "explicit", day.text, day)
        out.append(_event(ctx, (sa, sb), _SIGNED_TYPE, issuer, issuer, dating, False, ctx.title_place,
                          ctx.title_place_simp, (issuer,), None, False, head, head))
    return out


_SIGNED_TYPE = "notice"


_LINK_LINE_MAX = 40
_LINK_RUN = 3
_LINE_FINAL = "。！？!?；;，,.：:…"
# three non-empty lines of up to 60 characters in a row after a line end: every block of
# links holds them
_SHORT_LINES = re.compile(r"\n[^\n]{1,60}\n[^\n]{1,60}\n[^\n]{1,60}(?:\n|$)")
# a sentence end or a comma inside a line: narrative broken into lines, not a headline
_LINK_BREAKS = "。！？!?…，,"


def _link_list_lines(ctx: _Ctx) -> list[tuple[int, int]]:
    """Lines of a block of links to other stories (相关阅读, a portal's index around a lost
    article): three or more consecutive short lines that each end without punctuation and
    hold no sentence end nor comma (narrative broken into lines has them), past the body's
    first line (a dump's title). Each is another story's headline, so nothing in them is a
    development of this article. A line opening on a time is a chronology's entry, not a
    link, and breaks the block; so does a blank line."""
    body = max(0, min(ctx.doc.body_start or 0, len(ctx.simp)))
    first = _SHORT_LINES.search(ctx.simp, body)
    if first is None:
        return []  # most articles: no three short lines in a row past the first
    out: list[tuple[int, int]] = []
    run: list[tuple[int, int]] = []  # (where the line's text starts, where the line ends)
    starts: set[int] | None = None  # the mentions' starts, wanted only once a block is found
    # no block starts before the first three short lines, nor on the text's first line
    pos = first.start() + 1
    for line in [*ctx.simp[pos:].split("\n"), ""]:
        a, b = pos, pos + len(line)
        pos = b + 1
        text = line.strip()
        if (0 < len(text) <= _LINK_LINE_MAX and text[-1] not in _LINE_FINAL
                and not any(c in text for c in _LINK_BREAKS)):
            run.append((a + len(line) - len(line.lstrip()), b))
            continue
        if len(run) >= _LINK_RUN:
            if starts is None:
                starts = {m.start for m in ctx.mentions}
            out.extend(_runs_without(run, starts))
        run = []
    return out


_TAIL_LINE_MAX = 80
_NARRATIVE_END = "。"
_LINE_GOES_ON = "，,：:；;、"


def _page_tail(ctx: _Ctx) -> list[tuple[int, int]]:
    """The lines of what follows the story on its page: after the last line that holds a
    full stop (the narrative's end), three or more short lines with none, blank lines
    between them or not. They are headlines of other stories, a box of most-read links,
    share buttons (转发，点赞，在看), whatever commas they hold inside; nothing in them
    develops this story. A line ending on a comma or a colon (那么，问题来了：) is the
    writer's text broken into lines, so the article goes on and there is no tail. A line
    opening on a time is a chronology's entry and stays. A text with no full stop after its
    title (a list of headlines, a bulletin's items) has no narrative to end, so no tail."""
    body = max(0, min(ctx.doc.body_start or 0, len(ctx.simp)))
    last = ctx.simp.rfind(_NARRATIVE_END, body)
    if last < 0:
        return []
    end = ctx.simp.find("\n", last)
    if end < 0:
        return []
    lines = [(a, b) for a, b in _line_spans(ctx.simp, end + 1, len(ctx.simp)) if ctx.simp[a:b].strip()]
    if len(lines) < _LINK_RUN or any(len(text := ctx.simp[a:b].strip()) > _TAIL_LINE_MAX
                                     or text[-1] in _LINE_GOES_ON for a, b in lines):
        return []
    starts = {m.start for m in ctx.mentions}
    return [(a, b) for a, b in lines if a + len(ctx.simp[a:b]) - len(ctx.simp[a:b].lstrip()) not in starts]


_INDEX_LINES_MIN = 8
_INDEX_TITLE_SHARE = 0.2


def _index_page(doc: Document, simp: str, body: int, mentions: list[TimeMention]) -> bool:
    """The text is a portal's index page in place of the article its title names: no full
    stop in the whole body, eight or more lines, and under a fifth of the title's pairs of
    letters in it. Every line is another story's headline (美联储为再次加息做好准备 under a
    title about 李凯尔), so nothing in it develops this article. A bulletin of items under
    its own title (快讯 lists, a chronology) shares the title's words and stays, and so does
    a post whose lines end on commas (its narrative broken into lines), and so does a
    chronology whose lines mostly open on their dates (2022年7月23日 “拉姆案”罪犯唐路被执行死刑),
    a story's timeline under a title that names only its start."""
    title = _to_simplified(doc.title or "")
    if not title or simp.find(_NARRATIVE_END, body) >= 0:
        return False
    spans = [(a + len(text) - len(text.lstrip()), text.strip()) for a, b in _line_spans(simp, body, len(simp))
             if (text := simp[a:b]).strip()]
    lines = [text for _, text in spans]
    if len(lines) < _INDEX_LINES_MIN or any(text[-1] in _LINE_GOES_ON for text in lines):
        return False  # a line ending on a comma: the writer's narrative broken into lines
    time_starts = {m.start for m in mentions}
    if 2 * sum(a in time_starts for a, _ in spans) >= len(spans):
        return False  # a chronology: its lines open on their dates
    pairs = {title[i:i + 2] for i in range(len(title) - 1) if title[i].isalpha() and title[i + 1].isalpha()}
    text = simp[body:]
    return bool(pairs) and sum(p in text for p in pairs) < _INDEX_TITLE_SHARE * len(pairs)


def _runs_without(lines: list[tuple[int, int]], breaks: set[int]) -> list[tuple[int, int]]:
    """The lines of runs of _LINK_RUN or more left when the lines starting at `breaks` split them."""
    out: list[tuple[int, int]] = []
    part: list[tuple[int, int]] = []
    for line in [*lines, (-1, -1)]:
        if line[0] >= 0 and line[0] not in breaks:
            part.append(line)
            continue
        if len(part) >= _LINK_RUN:
            out.extend(part)
        part = []
    return out


_HEADLINE_LINE_MAX = 60
# A headline may end on ！ or ？ (劳荣枝一审被判死刑，当庭上诉，她有改判的可能吗？), never on
# a full stop: a line with one is the lead's narrative.
_NARRATIVE_FINAL = "。…"


def _headline_line_end(ctx: _Ctx, sentences: list[tuple[int, int]]) -> int:
    """Where the text's own headline ends: a short first line with no full stop and the
    article after it (天问一号成功发射一周年！ / 新华社…电), else 0. A line that opens on its
    time (4月27日，大熊猫丫丫…回到了祖国) is a dated lead, not a headline."""
    if len(sentences) < 2:
        return 0
    simp = ctx.simp
    sa = sentences[0][0]
    end = simp.find("\n", sa)
    if end < 0 or end - sa > _HEADLINE_LINE_MAX or sentences[-1][0] < end:
        return 0
    line = simp[sa:end].rstrip()
    if not line or any(c in line for c in _NARRATIVE_FINAL):
        return 0
    if any(m.start <= sa + 1 for m in _mentions_in(ctx, sa, end)):
        return 0
    return end


def _drop_retold_headline(events: list[Event], headline_end: int) -> list[Event]:
    """A headline sums up what the body reports: its act, retold in the body by an event of
    the same type (or, for untyped acts, the same verb) that the body dates explicitly, is
    that one occurrence, and the body's dated report is the event. Both dated, on other
    days, they are two occurrences (a list of items: 西南局召开四月份安委会 / 2023-04-21 / …).
    A headline that dates nothing yields to a retelling the body does not date either (国产大
    飞机C919最新价格曝光 / …价格曝光后): the body's sentence is the fuller report of it; a
    retelling the body does not date leaves a dated headline's report standing."""
    if headline_end == 0:
        return events
    body = [e for e in events if e.char_start >= headline_end]

    def retold(h: Event) -> bool:
        return any((b.trigger == h.trigger or b.event_type == h.event_type != GENERIC_TYPE)
                   and (b.date_basis == "explicit" or h.date_basis != "explicit")
                   and (h.date_basis != "explicit" or (b.earliest, b.latest) == (h.earliest, h.latest))
                   for b in body)

    return [e for e in events if e.char_start >= headline_end or not retold(e)]


def _drop_told_again(events: list[Event]) -> list[Event]:
    """An act the article reports on a stated day, mentioned again where nothing in the text
    dates it (特斯拉国产车型1月6日大幅降价 … 特斯拉的降价…), is that one occurrence: a
    bounded mention (no time of its own nor of its story) of the same act (trigger and type),
    of a type that merges by day (types.tsv), whose dates hold a day the article states for
    it, is dropped for the dated report. Where its dates leave that day out it may be
    another occurrence; an inherited mention is placed by the story's time, a step of the
    narrative the analyst may take as its own report; statements, notices and untyped acts
    come many a story (merge=words). Those stay."""
    t = tables()
    stated: dict[tuple[str, str], list[tuple[date, date | None]]] = {}
    for e in events:
        if e.date_basis == "explicit" and e.event_type in t.merge_by_day and not e.is_routine and e.earliest:
            stated.setdefault((e.event_type, e.trigger), []).append((e.earliest, e.latest))
    if not stated:
        return events
    return [e for e in events if e.date_basis != "bounded" or e.is_routine or e.earliest is None
            or not any(_holds(e, day) for day in stated.get((e.event_type, e.trigger), ()))]


def _holds(e: Event, day: tuple[date, date | None]) -> bool:
    """e's dates hold the stated day (or period) `day`."""
    first, last = day
    return e.earliest <= first and (e.latest is None or (last is not None and last <= e.latest))


def _span_days(e: Event) -> int:
    if e.earliest is None or e.latest is None:
        return 1 << 30
    return (e.latest - e.earliest).days


def _one_per_occurrence(events: list[Event]) -> list[Event]:
    """One event per development: title, lead and body often report it in the same words,
    and a story retells its main act (枪击, 爆炸) without a date many times. Kept: the
    first mention's place in the order, the most precisely dated report.

    Same wording (type and headline signature) is one event, unless both state other days.
    An act of a `retold` type
    (types.tsv) the text does not date is the article's earlier act of that type (the story's
    one shooting, retold; 逝世 … 享年91岁); one it dates is that act only on the same days, in
    the same words (逝世，享年91岁) or by the same act word at the same place (4月29日…发生倒塌
    twice): dated on other days it may be another occurrence, and by another word in another
    sentence another act of that day (空军轰炸 … 大使家中遭到袭击, both on the 17th).

    The same act (trigger) of another type that merges by day (types.tsv), which no sentence
    of it dates and which the story puts on the same days, is one occurrence told again
    (收押 … 收押); its report is the fullest sentence. Statements and notices come many a
    day, so each stays.
    """
    t = tables()
    retold = t.retold
    kept: list[Event] = []
    by_words: dict[tuple[str, str], int] = {}
    by_type: dict[str, list[int]] = {}
    by_act: dict[tuple[str, str, date | None, date | None], int] = {}
    for e in events:
        act = ((e.event_type, e.trigger, e.earliest, e.latest)
               if e.date_basis != "explicit" and e.event_type in t.merge_by_day and e.event_type not in retold
               and not e.is_routine else None)
        k = by_act.get(act) if act is not None else None
        if k is not None and not _same_place(kept[k], e):
            k = None  # 雅安市启动…应急响应 … 四川省减灾委启动…应急响应: two bodies, two acts
        if k is not None:
            if _report_length(e) > _report_length(kept[k]):
                kept[k] = e
            continue
        # one article's headlines share its script: no conversion needed to compare them
        words = (e.event_type, _SIG_DROP.sub("", e.headline)[:16])
        k = by_words.get(words)
        if (k is not None and e.date_basis == kept[k].date_basis == "explicit"
                and (kept[k].earliest, kept[k].latest) != (e.earliest, e.latest)):
            k = None  # the same words dated other days: 芦山发生6.1级地震 (1日), 3.2级地震 (2日)
        if k is None and e.event_type in retold and not e.is_routine and not _told_as_another(t, e):
            k = next((i for i in by_type.get(e.event_type, ())
                      if e.date_basis != "explicit" or ((kept[i].earliest, kept[i].latest) == (e.earliest, e.latest)
                                                        and (_overlap(kept[i], e) or kept[i].trigger == e.trigger
                                                             and _same_place(kept[i], e)))),
                     None)
        if k is None:
            by_words[words] = len(kept)
            by_type.setdefault(e.event_type, []).append(len(kept))
            if act is not None:
                by_act[act] = len(kept)
            kept.append(e)
        elif _better_report(e, kept[k]):
            kept[k] = e
    return kept


def _told_as_another(t: Tables, e: Event) -> bool:
    """e's clause marks its act as happening once more (又有一辆列车与事故列车相撞, 再次登陆:
    data/modality.tsv kind=again): another occurrence, not the story's act retold."""
    s, i, _ = _trigger_in_evidence(e)
    # (the rows end at the act, `$` at i, and say themselves how far before it a mark may stand)
    return i > 0 and t.again_re.search(s, 0, i) is not None


def _trigger_in_evidence(e: Event) -> tuple[str, int, int]:
    """e's sentence (Simplified) and where its trigger starts and ends there (-1, -1: not found)."""
    s, trigger = _to_simplified(e.evidence), _to_simplified(e.trigger)
    i = s.find(trigger)
    return s, i, i + len(trigger) if i >= 0 else -1



def _overlap(a: Event, b: Event) -> bool:
    return a.char_start < b.char_end and b.char_start < a.char_end


def _same_place(a: Event, b: Event) -> bool:
    """a and b may be at one place: either has none, or one place holds the other's name."""
    return not a.place or not b.place or a.place in b.place or b.place in a.place


def _report_length(e: Event) -> int:
    return e.char_end - e.char_start


def _better_report(e: Event, than: Event) -> bool:
    """Of two mentions of one act, e is the better report: dated by its own words, then more
    narrowly, then telling the act rather than naming it (独立大街发生爆炸 before 爆炸事件中
    受伤的人数, which reports the injured). The sentences are read only where the dates tie."""
    mine, theirs = _dating_rank(e), _dating_rank(than)
    return mine < theirs if mine != theirs else _names_act(e) < _names_act(than)


def _dating_rank(e: Event) -> tuple[int, int]:
    return {"explicit": 0, "inherited": 1}.get(e.date_basis, 2), _span_days(e)


def _names_incident_at(t: Tables, s: str, a: int, b: int) -> bool:
    """The trigger s[a:b] names its act as an incident (爆炸事件中, 就相撞事故致慰问电:
    data/nonevents.tsv kind=named right after it) that the words just before it do not
    tell as happening (发生坍塌事故: kind=told)."""
    return t.named_re.match(s, b) is not None and t.told_re.search(s, max(0, a - _TOLD_REACH), a) is None


def _names_act(e: Event) -> int:
    """1 where e's trigger, in its sentence, names its act as an incident (see
    _names_incident_at), else 0."""
    s, i, j = _trigger_in_evidence(e)
    return int(i >= 0 and _names_incident_at(tables(), s, i, j))


_TOLD_REACH = 12  # 发生了一起…坍塌事故: the telling verb and the incident's description
