"""bench/events_gold/cec.py reads CEC's XML into the text an extractor sees, with each
annotated occurrence's span and day (the XML below is made up in CEC's format)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bench.events_gold.cec import read_article, resolve_day

_XML = """<?xml version="1.0" encoding="UTF-8"?>
<Body>
    <Title>某市一厂房起火</Title>
    <ReportTime type="absTime">2021-03-06T10:00</ReportTime>
    <Content>
        <Paragraph>
            <Sentence>
                <Event eid="e1">
                    <Time tid="t1" type="relTime">5日凌晨</Time>，
                    <Location lid="l1">某市一厂房</Location>
                    <Denoter did="d1" type="emergency">起火</Denoter>
                </Event>，
                <Event eid="e2">
                    <Participant sid="s2"type="agent">消防员</Participant>
                    <Denoter did="d2" type="operation">赶到</Denoter>现场
                </Event>
            </Sentence>。
        </Paragraph>
        <Paragraph>
            <Sentence>
                <Event eid="e3">
                    <Time tid="t3" type="absTime">2021年3月6日</Time>，
                    <Participant sid="s3">应急管理局</Participant>
                    <Denoter did="d3" type="statement">通报</Denoter?>了火情
                </Event>
            </Sentence>。
        </Paragraph>
    </Content>
</Body>
<eRelation relType="Follow" bevent_eid="e1" aevent_eid="e2"/>
"""


def test_the_text_and_each_day_dated_occurrence_are_read(tmp_path: Path) -> None:
    # (with CEC's slips: two attributes run together, an end tag written </Denoter?>)
    path = tmp_path / "fire.xml"
    path.write_text(_XML, encoding="utf-8")
    article, occurrences = read_article(path, "cec0000")
    assert article["content"] == "某市一厂房起火\n5日凌晨，某市一厂房起火，消防员赶到现场。\n2021年3月6日，应急管理局通报了火情。"
    assert article["published_at"] == "2021-03-06T10:00"
    text = article["content"]
    # e2 has no time of its own: it is no day-dated occurrence
    assert [(text[o["start"]:o["end"]], o["day"]) for o in occurrences] == [
        ("5日凌晨，某市一厂房起火", "2021-03-05"), ("2021年3月6日，应急管理局通报了火情", "2021-03-06")]


@pytest.mark.parametrize(("time_text", "day"), [
    ("2021年3月6日", date(2021, 3, 6)),
    ("截至2021年3月6日", date(2021, 3, 6)),
    ("3月5日晚", date(2021, 3, 5)),
    ("12月30日", date(2020, 12, 30)),  # the year that puts it nearest the report
    ("5日凌晨", date(2021, 3, 5)),
    ("20日", date(2021, 2, 20)),  # a day still to come this month is last month's
    ("昨天下午", date(2021, 3, 5)),
    ("分别于3月1日和2日", None),
    ("3月1日至3日", None),
    ("当日", None),
])
def test_a_time_names_one_day_or_none(time_text: str, day: date | None) -> None:
    assert resolve_day(time_text, date(2021, 3, 6)) == day


def test_a_day_alone_is_of_the_month_the_story_has_reached() -> None:
    # 2月17日起…到21日, reported on 3月28日: the 21st is February's
    assert resolve_day("21日", date(2020, 3, 28), story=date(2020, 2, 17)) == date(2020, 2, 21)
    assert resolve_day("21日", date(2020, 3, 28)) == date(2020, 3, 21)
