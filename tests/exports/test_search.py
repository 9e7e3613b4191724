"""A story on demand: full-text search of the timeline (CLI, export, SQL macro)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime

import duckdb
import pytest
from typer.testing import CliRunner

from pipelines.cli import _register_optional_commands, app
from pipelines.store.search import query_terms, search_macro

_register_optional_commands()
runner = CliRunner()

PUBLISHED = datetime(2022, 6, 12, 9, 0)


def _row(event_id, day, event_type, headline, place, actors, evidence, num_sources=1):
    return (event_id, day, day, "day", "explicit", event_type, "", headline, place, actors, None, None,
            evidence, 0, len(evidence), "d_" + event_id, "新华网", "t", PUBLISHED, num_sources,
            ["d_" + event_id], [event_id], ["新华网"], event_type)


STORY = [
    _row("attack", date(2022, 6, 10), "crime", "唐山市路北区某烧烤店发生寻衅滋事、暴力殴打他人案件", "唐山市",
         ["唐山市公安局"], "6月10日凌晨，唐山市路北区某烧烤店发生寻衅滋事、暴力殴打他人案件。", 9),
    _row("arrest", date(2022, 6, 11), "arrest", "唐山警方抓获全部9名嫌疑人", "唐山市", ["唐山市公安局"],
         "6月11日，唐山警方抓获烧烤店打人案全部9名嫌疑人。", 5),
    _row("quake", date(1976, 7, 28), "disaster", "唐山大地震", "河北", [], "1976年7月28日，唐山发生7.8级地震。", 1),
    _row("flood", date(2020, 7, 17), "evacuation", "豐樂鄉龍塘村成功避險", "筠連縣豐樂鄉龍塘村", ["筠連縣應急管理局"],
         "7∙17豐樂鄉龍塘村成功避險。", 2),
    _row("meeting", date(2020, 5, 1), "meeting", "縣委召開全會", "筠連縣", ["中共筠連縣委"], "縣委召開十三屆九次全會。", 1),
]


@pytest.fixture
def story_db(build_db, tmp_path):
    return build_db(tmp_path / "story.duckdb", STORY)


def _show(db, *args):
    result = runner.invoke(app, ["show", "--db", str(db), "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_query_terms_are_words_in_both_scripts():
    assert query_terms("唐山 燒烤店") == ["唐山", "燒烤店|烧烤店"]
    assert query_terms("的") == ["的"]  # one character alone is kept
    assert "的" not in query_terms("唐山的烧烤店")


def test_search_ranks_the_story_first(story_db):
    rows = _show(story_db, "--search", "唐山烧烤店")
    assert [r["event_id"] for r in rows] == ["attack", "arrest", "quake"]
    assert rows[0]["score"] > rows[1]["score"] > rows[2]["score"] > 0


def test_search_in_the_other_script(story_db):
    assert [r["event_id"] for r in _show(story_db, "--search", "燒烤店")] == ["attack", "arrest"]
    assert [r["event_id"] for r in _show(story_db, "--search", "丰乐乡")] == ["flood"]


def test_place_and_actor_filters(story_db):
    assert {r["event_id"] for r in _show(story_db, "--place", "筠连县")} == {"flood", "meeting"}
    assert [r["event_id"] for r in _show(story_db, "--actor", "公安局", "--from", "2022-6-11")] == ["arrest"]
    assert [r["event_id"] for r in _show(story_db, "--search", "唐山", "--type", "disaster")] == ["quake"]


def test_no_match_says_so(story_db):
    result = runner.invoke(app, ["show", "--db", str(story_db), "--search", "火星"])
    assert result.exit_code == 0
    assert "note: no timeline row mentions '火星'" in result.stderr


def test_csv_rows_in_rank_order(story_db):
    result = runner.invoke(app, ["show", "--db", str(story_db), "--search", "唐山", "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["event_id"] for r in rows][:2] == ["attack", "arrest"] and rows[0]["score"]


def test_export_the_story_as_a_page_titled_by_the_query(story_db, tmp_path):
    out = tmp_path / "story.html"
    result = runner.invoke(app, ["export", "--db", str(story_db), "--search", "唐山 烧烤店", "--format", "html", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text("utf-8")
    assert "<title>唐山 烧烤店：時間線</title>" in page
    assert "唐山警方抓获全部9名嫌疑人" in page and "縣委召開全會" not in page
    parquet = tmp_path / "story.parquet"
    runner.invoke(app, ["export", "--db", str(story_db), "--search", "烧烤店", str(parquet)])
    assert duckdb.sql(f"SELECT event_id FROM '{parquet}' ORDER BY earliest").fetchall() == [("attack",), ("arrest",)]


def test_the_sql_macro_is_in_the_published_file(seeded):
    with duckdb.connect(str(seeded.db), read_only=True) as con:
        rows = con.execute("SELECT headline, place, score FROM timeline_search('龍塘村') ORDER BY score DESC").fetchall()
        everywhere = con.execute("SELECT count(*) FROM timeline WHERE contains(evidence || headline || "
                                 "coalesce(place, ''), '龍塘村')").fetchone()[0]
    assert rows and len(rows) == everywhere
    assert any("龍塘村" in (h + (p or "")) for h, p, _ in rows)


def test_the_macro_sql_is_the_one_the_cli_runs(story_db):
    with duckdb.connect(str(story_db)) as con:
        con.execute(search_macro())
        by_sql = [r[0] for r in con.execute("SELECT event_id FROM timeline_search('唐山 烧烤店|燒烤店')").fetchall()]
    assert by_sql == [r["event_id"] for r in _show(story_db, "--search", "唐山烧烤店")]
