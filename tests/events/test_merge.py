"""The cross-article merge, as production runs it: articles go through the pipeline and the
published `timeline` (the SQL projection in pipelines/store/projections.py) is read back.

The same development reported twice (either script) is one row with both sources;
unrelated events stay apart; routines never reach the timeline.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelines.core.script import to_simplified

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_f909081cfa4b4b6d.txt"

ARTICLES = [
    # one landslide in both scripts, two days apart
    ("slide-hant", "2020-07-18T09:00:00", "筠連縣新聞",
     "7月17日，筠連縣豐樂鄉龍塘村發生山體滑坡，當地成功轉移群眾120人。"),
    ("slide-hans", "2020-07-19T09:00:00", "宜宾新闻", "7月17日，丰乐乡龙塘村发生山体滑坡，120名群众成功避险。"),
    # two undated meetings in one county, and one elsewhere on another day
    ("meeting-rural", "2021-03-10T09:00:00", "新聞", "桐梓縣召開鄉村振興工作會議。"),
    ("meeting-safety", "2021-03-12T09:00:00", "新闻", "桐梓县召开安全生产工作会议。"),
    ("meeting-renhuai", "2021-03-10T09:00:00", "新闻", "3月9日，仁怀市召开乡村振兴工作会议。"),
    # one inspection on one day in one township, in both scripts, and the same a month later
    ("check-a", "2021-05-19T09:00:00", "新闻", "5月18日，县应急管理局在桃源乡开展安全生产检查。"),
    ("check-b", "2021-05-20T09:00:00", "新聞", "5月18日，應急管理部門在桃源鄉開展安全大檢查。"),
    ("check-c", "2021-06-03T09:00:00", "新闻", "6月2日，县应急管理局在桃源乡开展安全生产检查。"),
    # one arrest: told with its place, then without one
    ("arrest-placed", "2019-11-29T09:00:00", "新闻", "11月28日，犯罪嫌疑人张某在福建省厦门市被警方抓获。"),
    ("arrest-bare", "2019-11-30T09:00:00", "新聞", "11月28日，犯罪嫌疑人張某被警方抓獲。"),
    # two detentions in two cities on one day, and a report naming neither
    ("detain-nanchang", "2021-06-03T09:00:00", "新闻", "6月2日，一名男子在南昌市被刑事拘留。"),
    ("detain-hangzhou", "2021-06-03T09:00:00", "新闻", "6月2日，一名男子在杭州市被刑事拘留。"),
    ("detain-bare", "2021-06-04T09:00:00", "新闻", "6月2日，一名男子被刑事拘留。"),
    # two unrelated replies on one day, each told with a bare verb, and one of them syndicated
    ("reply-ministry", "2022-04-08T09:00:00", "新闻", "4月7日，外交部发言人回应。"),
    ("reply-hotel", "2022-04-08T09:00:00", "新闻", "4月7日，亚朵集团回应。"),
    ("reply-ministry-copy", "2022-04-08T10:00:00", "新聞", "4月7日，外交部發言人回應。"),
    # one notice worded alike in May and in September, and an undated one bounded by the year
    ("notice-may", "2021-05-02T09:00:00", "新闻", "5月1日，县防汛指挥部发布防汛预警通告。"),
    ("notice-sep", "2021-09-02T09:00:00", "新闻", "9月1日，县防汛指挥部发布防汛预警通告。"),
    ("notice-undated", "2021-09-30T09:00:00", "新闻", "县防汛指挥部发布了防汛预警通告。"),
    # a routine, twice
    ("routine-a", "2021-03-10T09:00:00", "新闻", "县财政局每月召开一次工作例会。"),
    ("routine-b", "2021-03-10T09:00:00", "新闻", "县财政局每月召开一次工作例会。"),
]


@pytest.fixture(scope="module")
def merged(new_workspace):
    ws = new_workspace("merge")
    with (ws.seeds / "articles.jsonl").open("w", encoding="utf-8") as out:
        for doc_id, published, title, content in ARTICLES:
            out.write(json.dumps({"doc_id": doc_id, "published_at": published, "title": title,
                                  "content": content}, ensure_ascii=False) + "\n")
    seed = SEED.read_text("utf-8")
    (ws.seeds / "seed_hant.txt").write_text(seed, encoding="utf-8")
    (ws.seeds / "seed_hans.txt").write_text(to_simplified(seed), encoding="utf-8")
    ws.run()
    return ws


def _rows(ws, docs: list[str]) -> list[tuple[str, list[str]]]:
    """(event_type, doc_ids) of the timeline rows holding any of `docs`."""
    return ws.query("SELECT event_type, doc_ids FROM timeline "
                    "WHERE list_has_any(doc_ids, ?) ORDER BY earliest, event_type", [docs])


def test_traditional_and_simplified_report_merge(merged) -> None:
    rows = _rows(merged, ["slide-hant", "slide-hans"])
    disaster = [docs for etype, docs in rows if etype == "disaster"]
    assert disaster == [["slide-hans", "slide-hant"]]


def test_seed_in_both_scripts_merges_pairwise(merged) -> None:
    rows = _rows(merged, ["seed_hant.txt", "seed_hans.txt"])
    # (the 7∙17 evacuation at 龙塘村 also takes in the landslide articles above: same day, same village)
    unpaired = [(etype, docs) for etype, docs in rows if not {"seed_hans.txt", "seed_hant.txt"} <= set(docs)]
    assert rows and not unpaired, unpaired


def test_unrelated_events_do_not_merge(merged) -> None:
    rows = _rows(merged, ["meeting-rural", "meeting-safety", "meeting-renhuai"])
    assert sorted(docs for _, docs in rows) == [["meeting-renhuai"], ["meeting-rural"], ["meeting-safety"]]


def test_same_day_same_place_merges_but_not_other_days(merged) -> None:
    rows = _rows(merged, ["check-a", "check-b", "check-c"])
    assert sorted(docs for _, docs in rows) == [["check-a", "check-b"], ["check-c"]]


def test_a_report_without_place_joins_the_one_placed_report_of_its_day(merged) -> None:
    rows = _rows(merged, ["arrest-placed", "arrest-bare"])
    assert [docs for etype, docs in rows if etype == "arrest"] == [["arrest-bare", "arrest-placed"]]


def test_a_report_without_place_stays_apart_when_the_day_has_two_places(merged) -> None:
    rows = _rows(merged, ["detain-nanchang", "detain-hangzhou", "detain-bare"])
    assert sorted(docs for _, docs in rows) == [["detain-bare"], ["detain-hangzhou"], ["detain-nanchang"]]


def test_routines_stay_off_the_timeline(merged) -> None:
    assert merged.query("SELECT count(*) FROM events WHERE doc_id LIKE 'routine-%' AND is_routine")[0][0] == 2
    assert _rows(merged, ["routine-a", "routine-b"]) == []


def test_a_bare_verb_does_not_merge_unrelated_acts_of_a_day(merged) -> None:
    rows = _rows(merged, ["reply-ministry", "reply-hotel", "reply-ministry-copy"])
    assert sorted(docs for _, docs in rows) == [["reply-hotel"], ["reply-ministry", "reply-ministry-copy"]]


def test_a_report_bounded_by_the_year_does_not_chain_months_apart(merged) -> None:
    rows = _rows(merged, ["notice-may", "notice-sep", "notice-undated"])
    assert sorted(docs for _, docs in rows) == [["notice-may"], ["notice-sep"], ["notice-undated"]]
