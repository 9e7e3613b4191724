"""Fixtures for the export tests: a hand-built timeline with awkward values, fast and
independent of the extractors, and the real pipeline's warehouse of the seed article."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

# The published timeline's columns (pipelines/store/projections.py TIMELINE);
# test_hand_built_schema_is_the_published_one keeps the two in step.
TIMELINE_DDL = """
CREATE TABLE timeline (
    event_id VARCHAR, earliest DATE, latest DATE, granularity VARCHAR, date_basis VARCHAR,
    event_type VARCHAR, event_label VARCHAR, headline VARCHAR, place VARCHAR,
    actors VARCHAR[], session VARCHAR, time_text VARCHAR, evidence VARCHAR,
    char_start INTEGER, char_end INTEGER, doc_id VARCHAR, source VARCHAR, title VARCHAR,
    published_at TIMESTAMP, num_sources BIGINT, doc_ids VARCHAR[], event_ids VARCHAR[],
    sources VARCHAR[], merge_key VARCHAR, modality VARCHAR DEFAULT 'reported',
    time_start INTEGER, time_end INTEGER)
"""

PUBLISHED = datetime(2020, 12, 16, 10, 38, 18)
ROWS = [
    # an exact day, a comma and quotes in the evidence, an actor containing a comma
    ("e_day", date(2020, 7, 17), date(2020, 7, 17), "day", "explicit", "evacuation", "轉移避險",
     "豐樂鄉龍塘村成功避險", "筠連縣豐樂鄉龍塘村", ["縣委, 縣政府", '"應急"局'], None, "7∙17",
     '大力宣傳報道“7∙17豐樂鄉龍塘村、8∙13筠連鎮旗隆村成功避險”典型事跡, 見"報道"。', 10, 50,
     "d1", "中國網", "宜賓筠連縣:解放思想大討論", PUBLISHED, 2, ["d1", "d2"], ["e_day", "e_day2"],
     ["中國網", "四川日報"], "evacuation|龍塘村"),
    # a month; empty list and empty string (not NULL) must survive CSV
    ("e_month", date(2020, 5, 1), date(2020, 5, 31), "month", "explicit", "campaign", "活動",
     "開展解放思想大討論活動", "", [], '{"congress": 13}', "今年5月",
     "今年5月以來,中共筠連縣委、縣人民政府在全縣開展解放思想大討論活動。", 0, 40,
     "d1", "中國網", "標題\n有換行", PUBLISHED, 1, ["d1"], ["e_month"], ["中國網"], ""),
    # no date in the text: bounded by the article
    ("e_bounded", date(2020, 1, 1), date(2020, 12, 16), "year", "bounded", "meeting", "會議",
     "中共筠連縣委召開十三屆九次全會", None, ["中共筠連縣委"], None, None,
     "中共筠連縣委召開十三屆九次全會,提出“433”發展思路。</script><script>alert(1)</script>",
     60, 90, "d1", "中國網", None, PUBLISHED, 1, ["d1"], ["e_bounded"], ["中國網"], None),
    # dated by an earlier expression, a range of days
    ("e_inherited", date(2020, 5, 1), date(2020, 12, 16), "range", "inherited", "training", "培訓",
     "舉辦首期黨政幹部招商引資專題培訓班", "成都", None, None, None,
     "筠連縣在成都成立筠商學院,舉辦首期黨政幹部招商引資專題培訓班。", 95, 130,
     "d3", None, None, None, 1, ["d3"], ["e_inherited"], None, None),
]


def build_timeline_db(path: Path, rows: list[tuple] = ROWS) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute(TIMELINE_DDL)
        if rows:
            con.executemany(f"INSERT INTO timeline SELECT *, 'reported', NULL, NULL FROM (VALUES ({', '.join('?' * 24)}))", rows)
    return path


@pytest.fixture
def hand_db(tmp_path: Path) -> Path:
    return build_timeline_db(tmp_path / "warehouse" / "timeline.duckdb")


@pytest.fixture
def build_db():
    """build_timeline_db, for tests that need their own rows."""
    return build_timeline_db
