"""The timeline page is one self-contained file: no network, data embedded, CJK fonts."""

from __future__ import annotations

import json
import re
from datetime import date

from pipelines.publish.data import read_timeline
from pipelines.publish.formats import export_timeline
from pipelines.publish.page import page_data, page_event, render_page, write_page


def _data_block(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="timeline-data">(.*?)</script>', page, re.S)
    assert match, "no embedded data"
    return json.loads(match.group(1))


def test_page_is_self_contained(hand_db, tmp_path):
    out = tmp_path / "t.html"
    export_timeline(hand_db, out, "html")
    page = out.read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in page
    # Nothing is fetched: no external script, stylesheet, font, image or import.
    assert not re.search(r'<(script|link|img|iframe)[^>]+(src|href)=', page)
    assert not re.search(r"@import|@font-face|url\(", page)
    assert "http://" not in page and "https://" not in page
    for family in ('"Noto Sans CJK SC"', '"Noto Sans CJK TC"', '"WenQuanYi Micro Hei"', "sans-serif"):
        assert family in page
    assert not re.search(r"\{\{[A-Z]+\}\}", page), "a template placeholder was left"


def test_embedded_data_survives_script_breakers(hand_db):
    rows = read_timeline(hand_db)
    page = render_page(rows)
    data = _data_block(page)
    assert {e["id"] for e in data["events"]} == {r["event_id"] for r in rows}
    bounded = next(e for e in data["events"] if e["id"] == "e_bounded")
    assert bounded["evidence"].endswith("</script><script>alert(1)</script>")
    # The evidence's </script> did not end the data block: exactly two closing tags.
    assert page.count("</script>") == 2


def test_page_event_marks_uncertainty(hand_db):
    events = {e["id"]: e for e in page_data(read_timeline(hand_db), "t")["events"]}
    assert events["e_day"]["uncertain"] is False and events["e_day"]["display"] == "2020年7月17日"
    assert events["e_month"]["uncertain"] is True and events["e_month"]["display"] == "2020年5月"
    assert events["e_bounded"]["basis"] == "bounded"
    assert events["e_bounded"]["display"] == "2020年（日期不詳）"
    assert events["e_inherited"]["display"].endswith("（推定）")
    assert events["e_day"]["source_line"].startswith("來源：中國網、四川日報")


def test_filters_list_types_and_places(hand_db):
    data = page_data(read_timeline(hand_db), "t")
    assert {t["type"] for t in data["types"]} == {"evacuation", "campaign", "meeting", "training"}
    # An empty or missing place is not a filter choice.
    assert [p["place"] for p in data["places"]] == ["成都", "筠連縣豐樂鄉龍塘村"]


def test_page_of_an_empty_timeline(build_db, tmp_path):
    db = build_db(tmp_path / "empty.duckdb", rows=[])
    out = tmp_path / "t.html"
    assert export_timeline(db, out, "html") == 0
    assert _data_block(out.read_text("utf-8"))["events"] == []


def test_page_event_dates_are_iso():
    row = {"event_id": "x", "earliest": date(2020, 5, 1), "latest": None, "granularity": "month",
           "date_basis": "explicit", "event_type": "campaign"}
    event = page_event(row)
    assert (event["earliest"], event["latest"]) == ("2020-05-01", "2020-05-01")


def test_run_page_shows_the_most_reported_rows_and_says_how_many(hand_db, tmp_path):
    out = tmp_path / "page.html"
    assert write_page(hand_db, out, limit=1) == 1
    html = out.read_text("utf-8")
    # e_day has two sources, the others one: it is the row kept
    assert "e_day" in html and "e_month" not in html
    assert "共 4 件" in html


def test_the_staged_page_is_the_page_of_the_published_rows(hand_db, tmp_path):
    """A publish hands its page the top rows as a table and the page's thread makes them
    Python values: the page is the one written from the file, and the rows are the ones
    DuckDB itself gives."""
    import shutil

    import duckdb

    from pipelines.publish.data import TIMELINE_ORDER, timeline_top
    from pipelines.publish.files import StagedPage

    db = tmp_path / "copy" / "timeline.duckdb"
    db.parent.mkdir()
    shutil.copy(hand_db, db)
    with duckdb.connect(str(db), read_only=True) as con:
        rows, total, sources = timeline_top(con, 3)
        cursor = con.execute(
            "SELECT * EXCLUDE (event_ids) FROM (SELECT * FROM timeline WHERE earliest IS NOT NULL "
            "ORDER BY coalesce(num_sources, 1) DESC, earliest, latest, event_type, event_id LIMIT 3) "
            f"{TIMELINE_ORDER}")
        names = [d[0] for d in cursor.description]
        assert rows == [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        assert total == 4 and sources
        staged = StagedPage(db, limit=3)
        staged.read(con)
    out, events = staged.write()
    staged_html = out.read_text("utf-8")
    assert events == 3
    assert write_page(db, tmp_path / "page.html", limit=3) == 3
    assert staged_html == (tmp_path / "page.html").read_text("utf-8")
