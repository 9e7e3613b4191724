"""Several partitions at once through the multiprocess executor, on an instance configured
by the project's dagster.yaml: concurrent runs, no lock failures, the writer pool never lets
two writing steps overlap, and every article reaches the published timeline. Then one run
over a range of partitions, which Dagster's own fs_io_manager cannot store."""

from __future__ import annotations

import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster_fixtures import project_instance_overrides, write_article

from pipelines.defs.assets import WAREHOUSE_POOL, seed_files
from pipelines.defs.automation import RANGE_END, RANGE_START

PARTITIONS = 4
WRITERS = {"event_log", "warehouse"}  # the steps in the pool


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    seeds, db = tmp_path / "seeds", tmp_path / "wh" / "timeline.duckdb"
    # Step processes rebuild the job from these (dagster_fixtures.ingest_job_from_env).
    monkeypatch.setenv("TIMELINE_SEEDS", str(seeds))
    monkeypatch.setenv("TIMELINE_DB", str(db))
    monkeypatch.setenv("TIMELINE_WORKERS", "1")
    monkeypatch.setenv("TIMELINE_EXECUTOR", "multiprocess")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    return {"seeds": seeds, "db": db, "home": tmp_path / "home"}


def _intervals(instance: dg.DagsterInstance, run_id: str) -> dict[str, tuple[float, float]]:
    starts, ends = {}, {}
    for rec in instance.all_logs(run_id):
        event = rec.dagster_event
        if event is None or rec.step_key not in WRITERS:
            continue
        if event.event_type == dg.DagsterEventType.STEP_START:
            starts[rec.step_key] = rec.timestamp
        elif event.event_type in (dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE):
            ends[rec.step_key] = rec.timestamp
    return {k: (starts[k], ends[k]) for k in starts}


def test_partitions_in_parallel_runs_and_one_range_run(env: dict[str, Path]):
    names = [f"p{i}.txt" for i in range(PARTITIONS)]
    for i, name in enumerate(names):
        write_article(env["seeds"], name, i)
    env["home"].mkdir()
    # The run workers read the instance from DAGSTER_HOME: the project's dagster.yaml.
    shutil.copyfile(Path(__file__).resolve().parents[2] / "dagster.yaml",
                    env["home"] / "dagster.yaml")
    with dg.DagsterInstance.get() as instance:
        assert instance.get_settings("concurrency") == project_instance_overrides()["concurrency"]
        assert instance.event_log_storage.supports_global_concurrency_limits
        instance.add_dynamic_partitions(seed_files.name, names)
        # Each run in its own run worker process, as the run launcher starts them.
        script = Path(__file__).with_name("run_partition.py")
        procs = {k: subprocess.Popen([sys.executable, str(script), k], stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True) for k in names}
        results: dict[str, tuple[bool, str]] = {}
        for key, proc in procs.items():
            out, _ = proc.communicate(timeout=900)
            run_id, ok = out.split()[-2:]
            results[key] = (ok == "True", run_id)
        assert sorted(results) == names
        runs = [instance.get_run_by_id(run_id) for _, run_id in results.values()]
        failures = [rec.message for run in runs for rec in instance.all_logs(run.run_id)
                    if rec.dagster_event and rec.dagster_event.is_failure]
        assert failures == []
        assert all(ok for ok, _ in results.values())
        assert {run.tags.get("dagster/partition") for run in runs} == set(names)
        executors = {rec.message for run in runs for rec in instance.all_logs(run.run_id)
                     if "multiprocess" in rec.message.lower()}
        assert executors, "the runs did not use the multiprocess executor"

        # The pool: no two writing steps of any runs ran at the same time.
        spans = sorted(span for run in runs for span in _intervals(instance, run.run_id).values())
        assert len(spans) == 2 * PARTITIONS
        for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
            assert start >= end, f"two {WAREHOUSE_POOL} steps overlapped"

        with duckdb.connect(str(env["db"]), read_only=True) as con:
            paths = {r[0] for r in con.execute("SELECT path FROM documents").fetchall()}
            timeline_docs = con.execute(
                "SELECT count(DISTINCT d) FROM (SELECT unnest(doc_ids) AS d FROM timeline)").fetchone()[0]
            rows = con.execute("SELECT count(*) FROM timeline").fetchone()[0]
        assert paths == set(names)
        assert timeline_docs == PARTITIONS and rows == 2 * PARTITIONS

        # One run over the whole range (what a single-run backfill of a range does):
        # outputs cover four partitions, which the IO manager stores as one file.
        write_article(env["seeds"], names[1], 1, day=20)
        out = subprocess.run([sys.executable, str(script), names[0], names[-1]],
                             capture_output=True, text=True, timeout=900, check=False)
        run_id, ok = out.stdout.split()[-2:]
        assert ok == "True"
        run = instance.get_run_by_id(run_id)
        assert (run.tags[RANGE_START], run.tags[RANGE_END]) == (names[0], names[-1])
        io_dir = env["home"] / "storage" / "timeline_io" / "assets"
        assert len(list((io_dir / "extractions").glob("range-4-*.pkl"))) == 1
        (articles,) = (io_dir / "articles").glob("range-4-*.pkl")
        assert pickle.loads(articles.read_bytes()).scope_paths == set(names)
        with duckdb.connect(str(env["db"]), read_only=True) as con:
            days = {str(r[0]) for r in con.execute(
                "SELECT earliest FROM timeline t JOIN documents d ON d.doc_id = t.doc_id "
                "WHERE d.path = ?", [names[1]]).fetchall()}
        assert days == {"2021-02-20", "2021-02-21"}
