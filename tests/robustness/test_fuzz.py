"""Hypothesis over the extractors and the reader, with Chinese-heavy and arbitrary input.

Each property runs twice: ~200 examples in the default run, and 10,000 under
`@pytest.mark.fuzz` (`make fuzz`). Properties are invariants any input must keep:
nothing raises, offsets point at the text they claim, bounds are ordered, nothing is
dated that cannot be a date.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pipelines.core.model import DATE_BASES, TIME_TYPES, Document, Rejection
from pipelines.core.reading import (
    UndecodableError,
    decode_bytes,
    parse_article,
    parse_header_line,
    parse_publication_time,
)

SHORT, LONG = 200, 10_000
ROOT = Path(__file__).resolve().parents[2]
SEED_TEXT = (ROOT / "seeds" / "000_f909081cfa4b4b6d.txt").read_text("utf-8")

# ---------------------------------------------------------------- strategies

SEED_CHARS = sorted(set(SEED_TEXT) - {"\r"})
DATE_CHARS = list(
    "0123456789０１２３４５６７８９〇零一二三四五六七八九十百千兩两廿卅"
    "年月日號号点點時时分秒旬季度周週星期天初底末中晚早凌晨上午下午前後后今明昨去本次半"
    "春夏秋冬元旦除夕清明端午中秋國庆國慶至到及和、，。∙·•．.-—～~/:：（）()\n "
)
FRAGMENTS = [
    "今年", "去年", "明年", "前年", "本月", "上月", "下月", "上旬", "中旬", "下旬", "年初", "年底",
    "以來", "以来", "期間", "期间", "近日", "日前", "昨天", "今天", "明天", "上午", "下午", "凌晨",
    "每年", "每月", "一月一", "十三五", "十四五", "十三屆九次全會", "5月以來", "2020年", "第一季度",
    "2月30日", "2月29日", "13月", "32日", "24時", "25點", "7∙17", "8∙13", "7·17", "8•13", "7.17",
    "召開", "召开", "舉辦", "举办", "開展", "开展", "成功避險", "会议", "會議", "發布", "发布",
    "筠連縣", "龍塘村", "豐樂鄉", "中共", "縣委", "大會", "至", "—", "到", "、", "，", "。", "\n",
]
chinese_text = st.one_of(
    st.text(alphabet=st.sampled_from(SEED_CHARS + DATE_CHARS), max_size=300),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.integers(0, 3000).map(str),
                       st.text(alphabet=st.sampled_from(DATE_CHARS), max_size=6)),
             max_size=60).map("".join),
)
date_like = st.builds(
    lambda y, m, d, sep, tail: sep.join([str(y), str(m), str(d)]) + tail,
    st.integers(0, 10000), st.integers(0, 40), st.integers(0, 40),
    st.sampled_from(["-", "/", ".", "年", " "]),
    st.sampled_from(["", "日", " 10:38:18", "日 25:61", "T10:38", " 上午"]),
) | st.builds(lambda y, m, d: f"{y}年{m}月{d}日", st.integers(0, 10000), st.integers(0, 40),
              st.integers(0, 40))
any_text = st.one_of(chinese_text, st.text(max_size=300), date_like)
references = st.one_of(
    st.none(), st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 12, 31)),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
)
header_text = st.one_of(
    any_text,
    st.builds(lambda label, sep, value: f"{label}{sep}{value}",
              st.sampled_from(["來源", "来源", "時間", "时间", "發布時間", "发布时间", "編輯", "编辑",
                               "記者", "點擊"]),
              st.sampled_from([":", "：", " : ", ""]), st.one_of(date_like, chinese_text)),
)
article_text = st.lists(st.one_of(header_text, chinese_text), max_size=8).map("\n".join)
encodings = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be",
                             "gb18030", "big5hkscs", "big5"])

FUZZ = settings(deadline=None, suppress_health_check=list(HealthCheck), database=None)


def _twice(strategies: dict, prop, examples: tuple[dict, ...] = ()):
    """The property as a short default test and a 10,000-example fuzz test; `examples`
    are inputs the fuzzer once broke, kept so every run tries them."""
    def build(n: int):
        test = given(**strategies)(prop)
        for ex in examples:
            test = example(**ex)(test)
        return settings(FUZZ, max_examples=n)(test)

    return build(SHORT), pytest.mark.fuzz(build(LONG))


# Found by the fuzz run: 年 + 上旬/中旬/下旬 raised ValueError in the timex engine (_year_part).
FOUND = ({"text": "今年上旬", "reference": datetime(2020, 12, 16)},
         {"text": "1000年上旬", "reference": None})


# ---------------------------------------------------------------- extractors


def _check_mentions(text: str, mentions) -> None:
    last_end = 0
    for m in mentions:
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start:m.end] == m.text
        assert m.start >= last_end, "mentions overlap or are out of order"
        last_end = m.end
        assert m.type in TIME_TYPES and isinstance(m.value, str) and m.value
        if m.earliest is not None and m.latest is not None:
            assert m.earliest <= m.latest, m


def prop_extract_times(text: str, reference) -> None:
    from pipelines.core.timex import extract_times

    _check_mentions(text, extract_times(text, reference))


def prop_extract_document(text: str, reference) -> None:
    from pipelines.core.events.engine import extract  # unguarded: extract_events hides crashes
    from pipelines.core.extract import extract_document
    from pipelines.core.timex import extract_times

    published = reference if isinstance(reference, datetime) else None
    doc = Document("fuzz.txt", "fuzz.txt", text, "x", published_at=published,
                   body_start=min(len(text), len(text) // 7))
    mentions = extract_times(text, published)
    events = extract(doc, mentions)
    ex = extract_document(doc)
    assert ex.error is None, ex.error
    assert [e.to_json() for e in ex.events] == [e.to_json() for e in events]
    _check_mentions(text, ex.mentions)
    for e in ex.events:
        assert 0 <= e.char_start <= e.char_end <= len(text)
        assert text[e.char_start:e.char_end] == e.evidence
        assert e.date_basis in DATE_BASES
        if e.earliest is not None and e.latest is not None:
            assert e.earliest <= e.latest, e
        if published is None:  # without a publication time nothing relative is resolved
            assert e.date_basis != "inherited" or e.earliest is not None


test_extract_times, test_extract_times_fuzz = _twice(
    {"text": any_text, "reference": references}, prop_extract_times, FOUND)
test_extract_document, test_extract_document_fuzz = _twice(
    {"text": any_text, "reference": references}, prop_extract_document, FOUND)


# ---------------------------------------------------------------- reader


def prop_decode_bytes(data: bytes) -> None:
    try:
        text, encoding = decode_bytes(data)
    except UndecodableError:
        return
    assert isinstance(text, str) and encoding
    assert "\r" not in text and not text.startswith("\ufeff")


EXACT = ("utf-8", "utf-8-sig", "utf-16")  # no detection involved: must come back exactly


def prop_decode_roundtrip(text: str, encoding: str) -> None:
    """What we write in any promised encoding comes back, or is refused; never garbled
    into something else for UTF-8 and BOM-marked UTF-16."""
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        return
    try:
        decoded, _ = decode_bytes(data)
    except UndecodableError:
        assert encoding not in EXACT, "printable text refused"
        return
    if encoding in EXACT:
        assert decoded == text


def prop_header_line(line: str) -> None:
    fields = parse_header_line(line)
    assert set(fields) <= {"source", "published_at", "editor", "authors", "clicks"}
    for value in fields.values():
        assert value in line


def prop_publication_time(value: str) -> None:
    parsed = parse_publication_time(value)
    assert parsed is None or (isinstance(parsed, datetime) and 1900 <= parsed.year <= 2100)
    assert parsed is None or parsed.tzinfo is None


def prop_parse_article(text: str) -> None:
    text = text.replace("\r", "")
    result = parse_article(text, "f.txt", "f.txt")
    if isinstance(result, Rejection):
        assert "no body" in result.reason
        return
    assert 0 <= result.body_start <= len(result.text) and result.text == text
    assert result.text[result.body_start:].strip()
    assert (result.published_at is None) == ("no_publication_time" in result.flags)


clean_chinese = chinese_text.map(lambda t: t.replace("\r", ""))
test_decode_bytes, test_decode_bytes_fuzz = _twice({"data": st.binary(max_size=2048)},
                                                   prop_decode_bytes)
test_decode_chinese_bytes, test_decode_chinese_bytes_fuzz = _twice(
    {"data": st.builds(lambda t, e: t.encode(e, errors="xmlcharrefreplace"), any_text, encodings)},
    prop_decode_bytes)
test_decode_roundtrip, test_decode_roundtrip_fuzz = _twice(
    {"text": clean_chinese, "encoding": encodings},
    prop_decode_roundtrip)
test_header_line, test_header_line_fuzz = _twice({"line": header_text}, prop_header_line)
test_publication_time, test_publication_time_fuzz = _twice(
    {"value": st.one_of(date_like, any_text)}, prop_publication_time)
test_parse_article, test_parse_article_fuzz = _twice({"text": article_text}, prop_parse_article)

