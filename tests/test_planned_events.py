"""Announced events dated after publication are planned, published, and not violations."""

from __future__ import annotations

from datetime import date

ARTICLE = (
    "某縣將召開會議\n\n來源:新華網 時間:2021-05-01 09:00:00\n"
    "記者從縣委獲悉，中共某某縣委將於6月11日召開十四屆三次全會。\n"
    "4月28日，某某縣舉行防汛應急演練。\n"
)


def test_future_event_is_planned_and_the_run_publishes(workspace):
    (workspace.seeds / "announce.txt").write_text(ARTICLE, "utf-8")
    workspace.run()
    rows = dict(workspace.query("SELECT modality, min(earliest) FROM timeline GROUP BY modality"))
    assert rows.get("planned") == date(2021, 6, 11)
    assert rows.get("reported") is not None and rows["reported"] <= date(2021, 5, 1)
