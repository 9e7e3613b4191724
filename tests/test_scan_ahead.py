"""A first run's scan read by a forked child (`ScanAhead`) while the run builds its tables."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from pipelines.local_run import run_in_process
from pipelines.store import api
from pipelines.store.api import Store
from pipelines.store.scanahead import ScanAhead


def _seeds(root: Path) -> Path:
    seeds = root / "seeds"
    seeds.mkdir(parents=True)
    lines = [json.dumps({"doc_id": f"d{i}", "title": f"第{i}篇", "published_at": "2021-05-02",
                         "content": f"5月{1 + i % 27}日，市政府召开防汛工作会议，部署抢险演练。"}, ensure_ascii=False)
             for i in range(40)]
    lines.insert(7, '{"doc_id": "broken", "content": ')  # a line the scan refuses
    (seeds / "news.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    (seeds / "one.txt").write_text("标题\n\n2021年5月1日，北京市召开会议。", "utf-8")
    return seeds


def test_the_scan_read_ahead_is_the_scan_this_process_reads(tmp_path: Path):
    seeds = _seeds(tmp_path)
    paths = ["news.jsonl", "one.txt"]
    here = Store(tmp_path / "a" / "timeline.duckdb", seeds).scan(paths, whole_folder=True)
    reported = []
    scanning = ScanAhead(Store(tmp_path / "b" / "timeline.duckdb", seeds), paths, whole_folder=True)
    ahead = scanning.result(reported.append)
    ahead_child_exit_codes = [scanning._child.exitcode]  # it ended by itself, not stopped
    assert ahead is not None
    assert list(ahead.docs) == list(here.docs) and len(here.docs) == 41
    assert ahead.rejections == here.rejections and len(here.rejections) == 1
    assert ahead.kept == here.kept and ahead.kept_chars == here.kept_chars > 0
    assert (ahead.files, ahead.parsed, ahead.chars, ahead.scope_paths) == (here.files, here.parsed, here.chars,
                                                                            here.scope_paths)
    assert ahead.digests == here.digests is not None
    assert sum(reported) == 42  # every document and refusal read
    assert ahead_child_exit_codes == [0]


def test_a_scan_that_fails_in_the_child_is_read_again_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    seeds = _seeds(tmp_path)

    def broken(self, paths, progress=None, whole_folder=False, reread=False):
        raise OSError("disk gone")

    real = Store.scan
    monkeypatch.setattr(Store, "scan", broken)  # (the child is forked with it)
    ahead = ScanAhead(Store(tmp_path / "a" / "timeline.duckdb", seeds), ["news.jsonl"], whole_folder=True)
    assert ahead.result() is None

    # a run whose child fails scans in its own process and publishes every document
    scanned_here = []

    def child_fails_here_works(self, paths, progress=None, whole_folder=False, reread=False):
        import multiprocessing

        if multiprocessing.parent_process() is not None:
            raise OSError("disk gone")
        scanned_here.append(paths)
        return real(self, paths, progress, whole_folder, reread)

    monkeypatch.setattr(Store, "scan", child_fails_here_works)
    monkeypatch.setattr(api, "WARM_POOL_MIN_BYTES", 1)
    db = tmp_path / "run" / "timeline.duckdb"
    outcome = run_in_process(Store(db, seeds, workers=2))
    assert outcome.success, outcome.error
    assert scanned_here == [["news.jsonl", "one.txt"]]
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == 41


def test_a_child_stopped_before_it_hands_its_scan_over_is_reaped(tmp_path: Path):
    seeds = _seeds(tmp_path)
    ahead = ScanAhead(Store(tmp_path / "a" / "timeline.duckdb", seeds), ["news.jsonl"], whole_folder=True)
    child = ahead._child
    ahead.close()  # (a run that failed while the child read)
    assert not child.is_alive() and child.exitcode is not None
