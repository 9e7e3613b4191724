"""The scale stage's helpers (bench/scale.py): its dumps, its accounting of a process tree's
writes and CPU, and its verdicts. No timing is asserted."""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

from bench import scale
from bench.corpus import scaled_lines


def _tiny_corpus(path: Path, n: int) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for i in range(n):
            out.write(json.dumps({"doc_id": f"d{i}", "content": f"第{i}篇。"}, ensure_ascii=False) + "\n")
    return path


def test_dumps_of_scaled_copies_hold_every_article_once_in_order(tmp_path: Path):
    source = _tiny_corpus(tmp_path / "corpus.jsonl.gz", 7)
    paths = scale.write_dumps(scaled_lines(2_500, source), tmp_path / "seeds", per_file=1_000)
    assert [p.name for p in paths] == ["day-00001.jsonl.gz", "day-00002.jsonl.gz", "day-00003.jsonl.gz"]
    per_file = [[json.loads(line)["doc_id"] for line in scale.read_dump(p)] for p in paths]
    assert [len(ids) for ids in per_file] == [1_000, 1_000, 500]
    ids = [i for chunk in per_file for i in chunk]
    assert len(set(ids)) == 2_500
    assert ids[:8] == ["d0", "d1", "d2", "d3", "d4", "d5", "d6", "d0-c1"]


def test_measure_counts_what_the_children_it_reaped_wrote(tmp_path: Path):
    # the child writes 1 MiB and starts a grandchild that writes 2 MiB and is waited for,
    # as a run's pool workers are
    grandchild = f"open({str(tmp_path / 'b')!r}, 'wb').write(bytes(2 * 2**20))"
    child = (f"import subprocess, sys; open({str(tmp_path / 'a')!r}, 'wb').write(bytes(2**20)); "
             f"subprocess.run([sys.executable, '-c', {grandchild!r}], check=True)")
    cost = scale.measure([sys.executable, "-c", child], env={})
    assert cost.returncode == 0
    assert cost.wchar >= 3 * 2**20
    assert cost.cpu > 0


def test_disk_bytes_counts_allocated_blocks_of_every_file(tmp_path: Path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "f").write_bytes(bytes(10_000))
    sparse = tmp_path / "sparse"
    with sparse.open("wb") as fh:
        fh.truncate(50 * 2**20)  # apparent size only: no blocks
    assert 10_000 <= scale.disk_bytes(tmp_path) < 2**20


def _run(articles: int, cpu_per_1k: float, peak_mib: int) -> dict:
    return {"articles": articles, "wall_s": 1.0, "cpu_s": cpu_per_1k * articles / 1000, "cpu_s_per_1k": cpu_per_1k,
            "peak_rss_mib": peak_mib, "peak_pss_mib": peak_mib, "wchar_mib": 1, "write_bytes_mib": 1,
            "published_mib": 1, "warehouse_mib": 1, "exit": 0}


def _verdicts(result: dict) -> dict[str, str]:
    rows = [line.split(" | ") for line in scale.render(result) if line.startswith("| ") and "**" in line]
    return {cells[0].lstrip("| "): cells[-1].rstrip(" |") for cells in rows}


def test_cpu_per_article_and_peak_verdicts_follow_the_figures():
    within = _verdicts({"per_file": 1000, "change": 1000, "runs": [_run(10_000, 5.0, 900), _run(100_000, 5.4, 1_500)]})
    assert list(within.values()) == ["**met**", "**met**"]
    beyond = _verdicts({"per_file": 1000, "change": 1000, "runs": [_run(10_000, 5.0, 900), _run(100_000, 5.6, 1_600)]})
    assert list(beyond.values()) == ["**missed**", "**missed**"]
    assert scale.cpu_per_1k_drift({"cpu_s_per_1k": 4.0}, {"cpu_s_per_1k": 3.0}) == -0.25
