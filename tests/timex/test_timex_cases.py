"""One runner for every case file in tests/timex/cases (Duckling style), plus robustness."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.core.script import detect_script, to_simplified
from pipelines.core.timex import extract_times

CASES = Path(__file__).with_name("cases")
SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_f909081cfa4b4b6d.txt"
GOLD = Path(__file__).resolve().parents[2] / "tests" / "data" / "seed_events.json"


def _load() -> list:
    out = []
    for path in sorted(CASES.glob("*.tsv")):
        for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            text, ref, exp, opts = (line.split("\t") + ["", "", ""])[:4]
            out.append(pytest.param(text, ref, exp, opts, id=f"{path.stem}:{no}:{text[:12]}"))
    return out


def _fmt(m) -> str:
    return "|".join([m.text, m.type, m.value, m.earliest.isoformat() if m.earliest else "-",
                     m.latest.isoformat() if m.latest else "-"])


@pytest.mark.parametrize(("text", "ref", "expected", "opts"), _load())
def test_case(text: str, ref: str, expected: str, opts: str) -> None:
    reference = None if ref in ("", "-") else datetime.fromisoformat(ref)
    kwargs = dict(kv.split("=", 1) for kv in opts.split(",") if kv)
    # implausible=A/B: exactly the mentions A and B are flagged as years outside the window
    implausible = kwargs.pop("implausible", None)
    mentions = extract_times(text, reference, **kwargs)
    got = [_fmt(m) for m in mentions]
    assert got == ([e for e in expected.split(" ; ")] if expected else [])
    flagged = [m.text for m in mentions if m.rule.endswith(":implausible-year")]
    assert flagged == (implausible.split("/") if implausible else [])


def test_case_count() -> None:
    assert len(_load()) >= 300


def test_range_end_rejects_unknown() -> None:
    with pytest.raises(ValueError):
        extract_times("5月至8月", datetime(2020, 12, 16), range_end="open")


def _check_invariants(text: str, mentions: list) -> None:
    last_end = 0
    for m in mentions:
        assert 0 <= m.start < m.end <= len(text)
        assert m.start >= last_end
        assert text[m.start:m.end] == m.text
        if m.type in ("DURATION", "SET"):
            assert m.earliest is None and m.latest is None
        if m.earliest and m.latest:
            assert m.earliest <= m.latest
        last_end = m.end


_ALPHABET = st.sampled_from(list(
    "0123456789０１２３４５６７８９年月日号時时分秒点點周週星期天今去前明上下本半每个個"
    "初旬季度底末至到从從-/.:：·∙•“”十一二三四五六七八九〇零两廿农历春节清明国庆"
    "元旦中秋端午晚早凌晨午近来以后前当次同 ,，。abc亿万元%第位"))
_TEXTS = st.one_of(st.text(), st.text(alphabet=_ALPHABET, max_size=40))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXTS, st.one_of(st.none(), st.datetimes(datetime(1, 1, 1), datetime(9999, 12, 31))))
def test_never_raises(text: str, ref: datetime | None) -> None:
    _check_invariants(text, extract_times(text, ref))


@pytest.mark.parametrize("reference", [datetime(1, 1, 1), datetime(1, 12, 31),
                                       datetime(9999, 1, 1), datetime(9999, 12, 31)])
def test_case_texts_at_the_calendar_ends(reference: datetime) -> None:
    # 下个月 in December 9999 or 近5年 in the year 1 has no calendar reading: no mention for
    # it, and the rest of the text still tagged, never an exception.
    for param in _load():
        text = param.values[0]
        for end in ("inclusive", "exclusive"):
            _check_invariants(text, extract_times(text, reference, range_end=end))


@pytest.mark.fuzz
@settings(max_examples=10_000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXTS, st.one_of(st.none(), st.datetimes(datetime(1, 1, 1), datetime(9999, 12, 31))))
def test_never_raises_fuzz(text: str, ref: datetime | None) -> None:
    _check_invariants(text, extract_times(text, ref))


@given(st.text())
@settings(max_examples=200, deadline=None)
def test_to_simplified_keeps_length(text: str) -> None:
    assert len(to_simplified(text)) == len(text)


def test_detect_script() -> None:
    assert detect_script("這個時間們來說") == "traditional"
    assert detect_script("这个时间们来说") == "simplified"


@pytest.mark.skipif(not SEED.exists(), reason="shared seed not mounted")
def test_seed_gold() -> None:
    text = SEED.read_text(encoding="utf-8")
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    got = extract_times(text, datetime(2020, 12, 16, 10, 38, 18))
    _check_invariants(text, got)
    rows = {(m.text, m.type, m.value,
             m.earliest.isoformat() if m.earliest else None,
             m.latest.isoformat() if m.latest else None) for m in got}
    for g in gold["time_mentions"]:
        key = (g["text"], g["type"], g["value"], g.get("earliest"), g.get("latest"))
        assert key in rows, key
    for nd in gold["not_dates"]:
        start = text.index(nd["text"])
        end = start + len(nd["text"])
        assert not [m for m in got if m.start < end and start < m.end], nd


@pytest.mark.parametrize("year", [1900, 1984, 2020, 2023, 2033, 2057, 2100])
def test_lunar_table_matches_lunar_python(year: int) -> None:
    # data/lunar.tsv stands in for lunar-python's astronomy; a stale or mistyped row would
    # move every 春节 and 清明 of that year.
    from pipelines.core.timex import engine

    for m in range(1, 13):
        for d in (1, 29, 30):
            assert engine._lunar_to_solar(year, m, d) == \
                engine._lunar_to_solar_astro(year, m, d), (year, m, d)
    names = {m for _, cal, m, _ in engine.tables().holidays if cal == "term"}
    for name in names:
        assert engine._holiday_date(year, "term", name, 0) == \
            engine._holiday_date_astro(year, "term", name, 0), (year, name)
    assert engine._lunar_to_solar(1850, 1, 1) == engine._lunar_to_solar_astro(1850, 1, 1)
