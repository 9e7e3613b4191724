"""The seed article yields the five hand-annotated events of the gold file."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from pipelines.core.events import candidate_events, extract_events
from pipelines.core.model import Event

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_f909081cfa4b4b6d.txt"
GOLD = Path(__file__).resolve().parents[2] / "tests" / "data" / "seed_events.json"
LOCAL_GOLD = Path(__file__).resolve().parents[1] / "data" / "seed_events.json"


@pytest.fixture(scope="module")
def seed_events() -> tuple:
    if not SEED.exists():
        pytest.skip("seed article not available")
    from pipelines.core.reading import parse_article

    doc = parse_article(SEED.read_text("utf-8"), SEED.name, str(SEED))
    try:
        from pipelines.core.timex import extract_times

        mentions = extract_times(doc.text, doc.published_at)
    except ImportError:
        mentions = []
    gold_path = GOLD if GOLD.exists() else LOCAL_GOLD
    return doc, extract_events(doc, mentions), json.loads(gold_path.read_text("utf-8")), \
        candidate_events(doc, mentions)


def _matches(ev: Event, g: dict) -> bool:
    if g["evidence_contains"] not in ev.evidence:
        return False
    if "place_contains" in g and g["place_contains"] not in (ev.place or "") + ev.evidence:
        return False
    if not all(a in ev.actors for a in g.get("actors_contain", [])):
        return False
    accept = g.get("accept", {})
    ok_early = {g["earliest"], *accept.get("earliest", [])}
    ok_late = {g["latest"], *accept.get("latest", [])}
    return (ev.earliest is not None and ev.earliest.isoformat() in ok_early
            and ev.latest is not None and ev.latest.isoformat() in ok_late)


def test_gold_events_found(seed_events) -> None:
    _, events, gold, _ = seed_events
    missing = [g["key"] for g in gold["events"] if not any(_matches(e, g) for e in events)]
    assert not missing, (missing, [e.to_json() for e in events])


def test_gold_event_details(seed_events) -> None:
    _, events, _, _ = seed_events
    plenum = next(e for e in events if "十三屆九次全會" in e.headline)
    assert (plenum.event_type, plenum.date_basis, plenum.granularity) == ("meeting", "bounded", "year")
    assert (plenum.earliest, plenum.latest) == (date(2020, 1, 1), date(2020, 12, 16))
    assert plenum.session == {"congress": 13, "plenum": 9}
    assert plenum.actors == ("中共筠連縣委",)
    evac = [e for e in events if e.event_type == "evacuation"]
    assert [(e.earliest, e.place) for e in evac] == [
        (date(2020, 7, 17), "豐樂鄉龍塘村"), (date(2020, 8, 13), "筠連鎮旗隆村")]
    tcm = next(e for e in events if "烏蒙山中醫藥發展大會" in e.headline)
    assert (tcm.event_type, tcm.date_basis, tcm.latest) == ("conference", "explicit", date(2020, 12, 16))
    launch = events[0]
    assert (launch.event_type, launch.date_basis, launch.time_text) == ("campaign", "explicit", "今年5月")
    assert launch.actors == ("中共筠連縣委", "縣人民政府")


def test_seed_invariants(seed_events) -> None:
    doc, events, _, candidates = seed_events
    for e in candidates:
        assert doc.text[e.char_start:e.char_end] == e.evidence
        assert e.char_start >= doc.body_start
        assert e.date_basis in ("explicit", "inherited", "bounded")
        assert e.merge_key.startswith(e.event_type + "|")
        if e.earliest and e.latest:
            assert e.earliest <= e.latest <= date(2020, 12, 31)
    # the rules flag the seed's routines (常態化開展…), which the timeline never draws as a
    # point; the learned filter keeps or drops the rules' events, never changes one
    routines = [e for e in candidates if e.is_routine]
    assert routines and all("常態化" in e.evidence or "每" in e.evidence for e in routines)
    # On this local-government summary nearly every sentence reports an act, and the filter
    # keeps more than half of the rules' other events. The refit of the twenty-second session,
    # key events weighing more, dropped four of nineteen (聚焦…, 開展安全檢查50余次, 印發…責任清單,
    # 啟動…指標調整); the models after it kept 17. The forty-first session's, which reads an
    # article of 1,000 characters or more as one length (this one has 3,214: the bucket it fell
    # in before no row had weighted) and is fitted to the first sets of such long articles
    # (dev128, dev130, dev132), keeps 11: the year's summary acts with no date of their own, as
    # 成立筠商學院, 舉辦…培訓班, 掛牌成立…服務中心 and 調整…幹部, are what blind annotators of long
    # articles leave out; the five gold events above, the honours and the policy stay
    kept = [e for e in events if e.trigger]
    assert kept and all(e in candidates for e in kept) and 2 * len(kept) > len(candidates) - len(routines)
    # what it adds are sentences no rule read, which it reads as developments, few on this
    # page: 筠連縣依託縣融媒體中心開設專題專欄, 明確提出…具體要求 (a routine, never a point) and,
    # since the refit on sixty-eight sets, 邀請…17名專家教授…開展…專題講座 (lectures held that
    # year); each an act of its own sentence, not a rule's again
    added = [e for e in events if not e.trigger]
    assert [e.event_type for e in added] == ["occurrence"] * len(added) and len(added) <= 3
    assert not {(e.char_start, e.char_end) for e in added} & {(e.char_start, e.char_end) for e in candidates}
