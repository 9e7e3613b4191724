"""merge_events: the same event reported twice merges, unrelated events do not."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.core.events import extract_events, merge_events
from pipelines.core.script import to_simplified

from .test_event_cases import make_doc, mentions_for

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_f909081cfa4b4b6d.txt"


def _events(doc_id: str, text: str, published_at: str | None) -> list:
    doc = make_doc(text, published_at, doc_id)
    return [(doc_id, e) for e in extract_events(doc, mentions_for(doc))]


def test_traditional_and_simplified_report_merge() -> None:
    hant = "筠連縣新聞\n7月17日，筠連縣豐樂鄉龍塘村發生山體滑坡，當地成功轉移群眾120人。"
    hans = "宜宾新闻\n7月17日，丰乐乡龙塘村发生山体滑坡，120名群众成功避险。"
    rows = _events("a", hant, "2020-07-18T09:00:00") + _events("b", hans, "2020-07-19T09:00:00")
    groups = merge_events(rows)
    docs = [sorted({d for d, _ in g}) for g in groups]
    assert ["a", "b"] in docs
    emergency = next(g for g in groups if g[0][1].event_type == "emergency")
    assert sorted(d for d, _ in emergency) == ["a", "b"]


def test_seed_in_both_scripts_merges_pairwise() -> None:
    if not SEED.exists():
        pytest.skip("seed article not available")
    from pipelines.core.reading import parse_article

    rows = []
    for name, text in (("hant", SEED.read_text("utf-8")),
                       ("hans", to_simplified(SEED.read_text("utf-8")))):
        doc = parse_article(text, name, name)
        rows += [(name, e) for e in extract_events(doc, mentions_for(doc))]
    timeline = [g for g in merge_events(rows) if not g[0][1].is_routine]
    assert timeline and all(sorted({d for d, _ in g}) == ["hans", "hant"] for g in timeline)


def test_unrelated_events_do_not_merge() -> None:
    # two undated (year-bounded) meetings in one county, and one on another day elsewhere
    rows = (_events("a", "新聞\n桐梓縣召開鄉村振興工作會議。", "2021-03-10T09:00:00")
            + _events("b", "新闻\n桐梓县召开安全生产工作会议。", "2021-03-12T09:00:00")
            + _events("c", "新闻\n3月9日，仁怀市召开乡村振兴工作会议。", "2021-03-10T09:00:00"))
    assert len(rows) == 3
    groups = merge_events(rows)
    assert len(groups) == 3
    assert rows[0][1].merge_key != rows[1][1].merge_key


def test_same_day_same_place_merges_but_not_other_days() -> None:
    rows = (_events("a", "新闻\n5月18日，县应急管理局在桃源乡开展安全生产检查。", "2021-05-19T09:00:00")
            + _events("b", "新聞\n5月18日，應急管理部門在桃源鄉開展安全大檢查。", "2021-05-20T09:00:00")
            + _events("c", "新闻\n6月2日，县应急管理局在桃源乡开展安全生产检查。", "2021-06-03T09:00:00"))
    groups = merge_events(rows)
    assert sorted(len(g) for g in groups) == [1, 2]


def test_routine_and_undated_stay_alone() -> None:
    rows = (_events("a", "新闻\n县财政局每月召开一次工作例会。", "2021-03-10T09:00:00")
            + _events("b", "新闻\n县财政局每月召开一次工作例会。", "2021-03-10T09:00:00"))
    assert all(e.is_routine for _, e in rows)
    assert [len(g) for g in merge_events(rows)] == [1, 1]
