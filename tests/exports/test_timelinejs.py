"""TimelineJS JSON and the Chinese wording of dates: precision is never invented."""

from __future__ import annotations

from datetime import date

import pytest

from pipelines.publish.data import display_date, is_uncertain, read_timeline
from pipelines.publish.timelinejs import tl_date, to_timelinejs


def _row(earliest, latest, granularity="day", basis="explicit"):
    return {"earliest": earliest, "latest": latest, "granularity": granularity, "date_basis": basis}


@pytest.mark.parametrize(("row", "expected"), [
    (_row(date(2020, 7, 17), date(2020, 7, 17)), "2020年7月17日"),
    (_row(date(2020, 5, 1), date(2020, 5, 31), "month"), "2020年5月"),
    (_row(date(2020, 1, 1), date(2020, 12, 31), "year"), "2020年"),
    (_row(date(2020, 1, 1), date(2020, 12, 16), "year"), "2020年"),
    (_row(date(2020, 1, 1), date(2020, 12, 16), "year", "bounded"), "2020年（日期不詳）"),
    (_row(date(2019, 6, 1), date(2020, 12, 16), "year", "bounded"), "2019–2020年（日期不詳）"),
    (_row(date(2016, 1, 1), date(2020, 12, 31), "year"), "2016–2020年"),
    (_row(date(2020, 5, 1), date(2020, 6, 30), "month"), "2020年5月–6月"),
    (_row(date(2020, 5, 1), date(2020, 5, 10), "tenday"), "2020年5月1日–10日"),
    (_row(date(2020, 5, 1), date(2020, 12, 16), "range", "inherited"), "2020年5月1日–12月16日（推定）"),
    (_row(date(2020, 7, 17), date(2020, 7, 17), "day", "inherited"), "2020年7月17日（推定）"),
    (_row(date(2020, 12, 28), date(2021, 1, 3), "week"), "2020年12月28日–2021年1月3日"),
])
def test_display_date(row, expected):
    assert display_date(row) == expected


def test_uncertainty():
    assert not is_uncertain(_row(date(2020, 7, 17), date(2020, 7, 17)))
    assert is_uncertain(_row(date(2020, 7, 17), date(2020, 7, 17), basis="inherited"))
    assert is_uncertain(_row(date(2020, 5, 1), date(2020, 5, 31), "month"))
    assert is_uncertain(_row(date(2020, 1, 1), date(2020, 12, 16), "year", "bounded"))


def test_precision_follows_granularity():
    day = date(2020, 5, 17)
    assert tl_date(day, "year") == {"year": 2020}
    assert tl_date(day, "month") == {"year": 2020, "month": 5}
    assert tl_date(day, "day") == {"year": 2020, "month": 5, "day": 17}


def test_evidence_is_escaped_and_time_text_marked(hand_db):
    doc = to_timelinejs(read_timeline(hand_db))
    bounded = next(e for e in doc["events"] if e["unique_id"] == "e_bounded")
    assert "<script>" not in bounded["text"]["text"]
    assert "&lt;/script&gt;" in bounded["text"]["text"]
    day = next(e for e in doc["events"] if e["unique_id"] == "e_day")
    assert "<strong>7∙17</strong>" in day["text"]["text"]
    assert "四川日報" in day["text"]["text"] and "（2 篇報道）" in day["text"]["text"]


def test_every_seed_event_is_a_timelinejs_event(seeded):
    rows = read_timeline(seeded.db)
    assert rows, "the seed's timeline is empty"
    doc = to_timelinejs(rows)
    assert doc["title"]["text"]["headline"]
    events = {e["unique_id"]: e for e in doc["events"]}
    assert set(events) == {r["event_id"] for r in rows}
    for row in rows:
        event = events[row["event_id"]]
        assert event["group"] == row["event_type"]
        assert event["text"]["headline"]
        assert row["evidence"][:20] in event["text"]["text"]
        assert "來源：" in event["text"]["text"] and (row["source"] or "不詳") in event["text"]["text"]
        assert event["display_date"] == display_date(row)
        for key, day in (("start_date", row["earliest"]), ("end_date", row["latest"])):
            value = event[key]
            assert value["year"] == day.year
            if row["granularity"] == "year":
                assert set(value) == {"year"}
            elif row["granularity"] == "month":
                assert set(value) == {"year", "month"} and value["month"] == day.month
            elif row["granularity"] == "day":
                assert value == {"year": day.year, "month": day.month, "day": day.day}
        if row["date_basis"] == "bounded":
            assert "（日期不詳）" in event["display_date"]


def test_seed_plenum_reads_as_undated(seeded):
    rows = [r for r in read_timeline(seeded.db) if "十三屆九次全會" in (r["evidence"] or "")
            and r["date_basis"] == "bounded"]
    assert rows, "no bounded plenum row"
    event = to_timelinejs(rows)["events"][0]
    assert event["display_date"] == "2020年（日期不詳）"
    assert event["start_date"] == {"year": 2020} and event["end_date"] == {"year": 2020}
