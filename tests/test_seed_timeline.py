"""The seed article through the whole pipeline: the gold events are rows of `timeline`."""

from __future__ import annotations

from datetime import date

import pytest


def _gold_events(gold: dict) -> list[dict]:
    return gold["events"]


@pytest.fixture(scope="module")
def timeline_rows(seeded) -> list[dict]:
    cols = ["event_id", "earliest", "latest", "granularity", "date_basis", "event_type",
            "headline", "place", "actors", "evidence", "num_sources"]
    rows = seeded.query(f"SELECT {', '.join(cols)} FROM timeline")
    return [dict(zip(cols, r, strict=True)) for r in rows]


@pytest.mark.parametrize("key", ["campaign_launch", "evacuation_0717", "evacuation_0813",
                                 "ninth_plenum", "tcm_conference"])
def test_gold_event_is_a_timeline_row(gold, timeline_rows, key, matches_gold):
    event = next(e for e in _gold_events(gold) if e["key"] == key)
    hits = [r for r in timeline_rows if matches_gold(r, event)]
    assert hits, f"no timeline row for {key}: {event['what']}"
    for actor in event.get("actors_contain", []):
        assert any(actor in (r["actors"] or []) or actor in r["evidence"] for r in hits), actor


def test_plenum_is_bounded_by_the_article(timeline_rows):
    plenum = [r for r in timeline_rows if "十三屆九次全會" in r["evidence"] and r["event_type"] == "meeting"]
    assert plenum
    row = plenum[0]
    assert row["date_basis"] == "bounded"
    assert row["granularity"] == "year"
    assert row["latest"] <= date(2020, 12, 16)


def test_timeline_has_no_row_after_publication(timeline_rows):
    assert all(r["earliest"] <= date(2020, 12, 16) for r in timeline_rows)


def test_gold_time_mentions_are_in_time_mentions(gold, seeded):
    rows = seeded.query("SELECT text, type, value, earliest, latest FROM time_mentions")
    for g in gold["time_mentions"]:
        found = [r for r in rows if r[0] == g["text"] and r[1] == g["type"] and r[2] == g["value"]]
        assert found, f"missing time mention {g['text']} {g['type']} {g['value']}"
        if g.get("earliest"):
            assert str(found[0][3]) == g["earliest"] and str(found[0][4]) == g["latest"]


def test_not_dates_are_not_time_mentions(gold, seeded):
    texts = [r[0] for r in seeded.query("SELECT text FROM time_mentions")]
    for nd in gold["not_dates"]:
        assert not any(t in nd["text"] and any(c.isdigit() for c in t) for t in texts), nd


def test_document_header_is_parsed(gold, seeded):
    title, source, published_at, editor = seeded.query(
        "SELECT title, source, published_at, editor FROM documents")[0]
    doc = gold["document"]
    assert title == doc["title"]
    assert source == doc["source"]
    assert published_at.isoformat() == doc["published_at"]
    assert editor == doc["editor"]
