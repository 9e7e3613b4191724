"""Several articles reporting the same event become one timeline row."""

from __future__ import annotations

from datetime import date

from pipelines.core.script import to_simplified


def test_same_event_in_two_articles_is_one_row(workspace):
    seed = workspace.add_seed()
    simplified = workspace.seeds / "simplified_copy.txt"
    simplified.write_text(to_simplified(seed.read_text("utf-8")), "utf-8")
    workspace.run()
    rows = workspace.query(
        "SELECT num_sources, doc_ids FROM timeline WHERE earliest = ? AND latest = ? AND event_type = 'evacuation'",
        [date(2020, 7, 17), date(2020, 7, 17)])
    assert rows == [(2, sorted([seed.name, simplified.name]))]
    per_article = workspace.query(
        "SELECT count(*) FROM events WHERE earliest = ? AND event_type = 'evacuation'", [date(2020, 7, 17)])
    assert per_article == [(2,)]
    # every event of one article found its twin in the other
    assert workspace.query("SELECT min(num_sources), max(num_sources) FROM timeline") == [(2, 2)]


def test_unrelated_articles_do_not_merge(workspace):
    workspace.add_seed()
    other = workspace.seeds / "other.txt"
    other.write_text(
        "另一縣新聞\n\n來源:新華網 時間:2021-03-02 09:00:00\n"
        "2021年1月5日，某某縣召開安全生產工作會議。\n", "utf-8")
    workspace.run()
    assert workspace.query("SELECT max(num_sources) FROM timeline") == [(1,)]
