"""Scale-out against real servers (marker `scale`; .ci/services starts them): the instance
in PostgreSQL (deploy/dagster-postgres.yaml) and steps executed by a Celery worker over a
Redis broker (TIMELINE_EXECUTOR=celery, deploy/celery.yaml)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest
import yaml
from dagster_fixtures import postgres_unreachable, write_article

pytestmark = pytest.mark.scale
ROOT = Path(__file__).resolve().parents[2]
RUNNER = Path(__file__).with_name("run_partition.py")
PG_URL = os.environ.get("TIMELINE_TEST_PG_URL")
REDIS_URL = os.environ.get("TIMELINE_TEST_REDIS_URL")


def _redis_reachable() -> str | None:
    if not REDIS_URL:
        return "TIMELINE_TEST_REDIS_URL is not set (source .ci/services to start Redis)"
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except Exception as exc:
        return f"Redis at {REDIS_URL} is not reachable: {exc}"
    return None


@pytest.fixture
def pg_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    reason = postgres_unreachable(PG_URL)
    if reason:
        pytest.skip(reason)
    home = tmp_path / "home"
    home.mkdir()
    shutil.copyfile(ROOT / "deploy" / "dagster-postgres.yaml", home / "dagster.yaml")
    seeds = tmp_path / "seeds"
    for i in range(2):
        write_article(seeds, f"s{i}.txt", i)
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv("TIMELINE_PG_URL", PG_URL)
    monkeypatch.setenv("TIMELINE_LOCK_URL", PG_URL)  # the warehouse's locks on the same server
    monkeypatch.setenv("TIMELINE_SEEDS", str(seeds))
    monkeypatch.setenv("TIMELINE_DB", str(tmp_path / "wh" / "timeline.duckdb"))
    monkeypatch.setenv("TIMELINE_WORKERS", "1")
    # Partition names unique to this test: the Postgres instance outlives it.
    with dg.DagsterInstance.get() as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        instance.add_dynamic_partitions("seed_files", ["s0.txt", "s1.txt"])
    return home


def _run(*keys: str, timeout: float = 600) -> tuple[str, bool]:
    out = subprocess.run([sys.executable, str(RUNNER), *keys], capture_output=True, text=True,
                         timeout=timeout, check=False)
    run_id, ok = out.stdout.split()[-2:]
    return run_id, ok == "True"


def _timeline_docs() -> int:
    with duckdb.connect(os.environ["TIMELINE_DB"], read_only=True) as con:
        return con.execute("SELECT count(DISTINCT doc_id) FROM timeline").fetchone()[0]


def test_postgres_instance_records_runs(pg_home: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TIMELINE_EXECUTOR", "multiprocess")
    run_id, ok = _run("s0.txt")
    assert ok
    with dg.DagsterInstance.get() as instance:
        run = instance.get_run_by_id(run_id)  # read back from PostgreSQL
        assert run is not None and run.status == dg.DagsterRunStatus.SUCCESS
        assert instance.get_latest_materialization_event(dg.AssetKey("timeline")) is not None
    assert _timeline_docs() == 1
    # the run's writing steps took the log lock at the server (which keys it by this id)
    assert (Path(os.environ["TIMELINE_DB"]).parent / "timeline.log" / "warehouse-id").is_file()


def test_celery_worker_executes_the_steps(pg_home: Path, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch):
    reason = _redis_reachable()
    if reason:
        pytest.skip(reason)
    config = yaml.safe_load((ROOT / "deploy" / "celery.yaml").read_text())
    config["execution"]["config"].update(broker=REDIS_URL, backend=REDIS_URL)
    worker_yaml = tmp_path / "celery.yaml"
    worker_yaml.write_text(yaml.safe_dump(config))
    monkeypatch.setenv("TIMELINE_EXECUTOR", "celery")
    monkeypatch.setenv("TIMELINE_CELERY_BROKER", REDIS_URL)
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()  # no tasks left by an earlier run
    bin_dir = Path(sys.executable).parent
    # dagster-celery starts `celery` by name: the venv's bin must be on PATH.
    # The run's job is rebuilt from dagster_fixtures (this folder) in the worker too.
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
           "PYTHONPATH": str(Path(__file__).resolve().parent)}
    worker_log = tmp_path / "worker.log"
    with open(worker_log, "w") as log_handle:
        worker = subprocess.Popen(
            [str(bin_dir / "dagster-celery"), "worker", "start", "-A", "dagster_celery.app",
             "-y", str(worker_yaml), "-n", "timeline-test", "--", "--concurrency=2"],
            stdout=log_handle, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while "ready." not in worker_log.read_text(errors="replace"):
            assert worker.poll() is None, worker_log.read_text(errors="replace")[-3000:]
            assert time.monotonic() < deadline, "celery worker did not start in 120 s"
            time.sleep(0.5)
        run_id, ok = _run("s0.txt", "s1.txt")
        assert ok, worker_log.read_text(errors="replace")[-3000:]
        with dg.DagsterInstance.get() as instance:
            messages = [r.message for r in instance.all_logs(run_id)]
        assert any("in celery worker" in m for m in messages)
        assert _timeline_docs() == 2
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
