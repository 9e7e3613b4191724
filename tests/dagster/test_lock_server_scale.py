"""Writers of one warehouse in separate processes take turns through the PostgreSQL lock
server (TIMELINE_LOCK_URL; marker `scale`, .ci/services starts the server): every fact is
appended once, and a writer killed holding the lock does not block the others."""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from dagster_fixtures import postgres_unreachable, write_article

pytestmark = pytest.mark.scale
ROOT = Path(__file__).resolve().parents[2]
WRITER = Path(__file__).with_name("log_writer.py")
PG_URL = os.environ.get("TIMELINE_TEST_PG_URL")
PER_WRITER = 20


@pytest.fixture
def lock_env(tmp_path: Path) -> dict[str, str]:
    reason = postgres_unreachable(PG_URL)
    if reason:
        pytest.skip(reason)
    return {**os.environ, "TIMELINE_LOCK_URL": PG_URL}


def _start(env: dict[str, str], log_dir: Path, name: str, count: int, report: Path,
           *options: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(WRITER), str(log_dir), name, str(count), str(report),
                             *options], env=env, cwd=ROOT, stderr=subprocess.PIPE, text=True)


def _events(report: Path) -> list[dict]:
    if not report.exists():
        return []
    return [json.loads(line) for line in report.read_text().splitlines() if line.endswith("}")]


def _wait_for(report: Path, key: str, writer: subprocess.Popen, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        found = [e for e in _events(report) if key in e]
        if found:
            return found[0]
        assert writer.poll() is None, f"writer ended before {key!r}: {writer.stderr.read()}"
        assert time.monotonic() < deadline, f"no {key!r} from the writer in {timeout} s"
        time.sleep(0.05)


def _log_rows(log_dir: Path) -> list[tuple[int, str]]:
    with duckdb.connect() as con:
        return con.execute(f"SELECT seq, doc_id FROM read_parquet('{log_dir}/seg-*.parquet') "
                           "ORDER BY seq").fetchall()


def _verify(db: Path) -> str:
    out = subprocess.run([str(Path(sys.executable).parent / "timeline"), "verify", "--db", str(db)],
                         capture_output=True, text=True, timeout=300, check=False, cwd=ROOT)
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout + out.stderr


def test_two_writer_processes_append_every_fact_once(lock_env: dict[str, str], tmp_path: Path):
    db = tmp_path / "wh" / "timeline.duckdb"
    log_dir = db.parent / "timeline.log"
    go = tmp_path / "go"
    reports = {name: tmp_path / f"{name}.jsonl" for name in ("a", "b")}
    writers = {name: _start(lock_env, log_dir, name, PER_WRITER, report, "--go", str(go), "--hold", "0.05")
               for name, report in reports.items()}
    pids = {name: _wait_for(reports[name], "ready", w)["ready"] for name, w in writers.items()}
    go.touch()  # both start appending at once
    for name, writer in writers.items():
        assert writer.wait(timeout=600) == 0, f"writer {name}: {writer.stderr.read()}"

    rows = _log_rows(log_dir)
    expected = {f"{name}-{i}" for name in writers for i in range(PER_WRITER)}
    assert [seq for seq, _ in rows] == list(range(1, 2 * PER_WRITER + 1))  # contiguous, none twice
    assert sorted(doc for _, doc in rows) == sorted(expected)  # every fact, once

    events = {name: _events(report) for name, report in reports.items()}
    held = sorted(tuple(e["held"]) for evs in events.values() for e in evs if "held" in e)
    assert len(held) == 2 * PER_WRITER
    for (_, end), (start, _) in itertools.pairwise(held):
        assert start >= end, "two writers held the log lock at the same time"
    # The turns were given by the server: a writer waited there for the other's session.
    waits = [(name, e["waiting"]) for name, evs in events.items() for e in evs if "waiting" in e]
    other = {"a": "b", "b": "a"}
    assert any("at the lock server" in message and f"pid {pids[other[name]]}" in message
               for name, message in waits), waits
    assert f"facts 1-{2 * PER_WRITER}, checksums match" in _verify(db)


def test_a_writer_killed_holding_the_lock_does_not_block_the_other(lock_env: dict[str, str],
                                                                   tmp_path: Path):
    db = tmp_path / "wh" / "timeline.duckdb"
    log_dir = db.parent / "timeline.log"
    holder_report, waiter_report = tmp_path / "holder.jsonl", tmp_path / "waiter.jsonl"
    holder = _start(lock_env, log_dir, "holder", 1, holder_report, "--stay")
    try:
        holder_pid = _wait_for(holder_report, "staying", holder)["staying"]
        waiter = _start(lock_env, log_dir, "waiter", 1, waiter_report)
        waiting = _wait_for(waiter_report, "waiting", waiter)["waiting"]
        assert "at the lock server" in waiting and f"pid {holder_pid}" in waiting, waiting
        time.sleep(1.0)
        assert not any("held" in e for e in _events(waiter_report)), "took a lock that was held"
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=60)
    assert waiter.wait(timeout=120) == 0, waiter.stderr.read()
    assert [e["seq"] for e in _events(waiter_report) if "held" in e] == [2]
    assert _log_rows(log_dir) == [(1, "holder-0"), (2, "waiter-0")]
    _verify(db)


def test_a_writer_whose_server_session_is_lost_commits_nothing(lock_env: dict[str, str],
                                                               tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch):
    import psycopg2

    from pipelines.store.eventlog import EventLog
    from pipelines.store.fact import Fact, FactKind
    from pipelines.store.locks import LockServerError

    monkeypatch.setenv("TIMELINE_LOCK_URL", lock_env["TIMELINE_LOCK_URL"])
    log = EventLog(tmp_path / "timeline.log")
    fact = Fact(FactKind.DOCUMENT_INGESTED, doc_id="d", path="p.jsonl", payload="{}")
    admin = psycopg2.connect(PG_URL.replace("+psycopg2", ""))
    admin.autocommit = True
    try:
        with log.lock():
            with admin.cursor() as cur:  # the server ends the holder's session (a network cut)
                cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE application_name LIKE %s", (f"timeline log lock % pid {os.getpid()}",))
                assert cur.fetchone()[0]
            with pytest.raises(LockServerError, match="nothing committed"):
                log.append([fact], head=0)
    finally:
        admin.close()
    assert log.segments() == [] and log.catalog.load() in (None, [])
    assert not list(log.directory.glob(".seg-*"))  # no temporary left either


HOLD_RUN_LOCK = """
import sys, time
from pathlib import Path
from pipelines.store.locks import run_lock
with run_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(3600)
"""


def _run_behind_a_held_run_lock(env: dict[str, str], tmp_path: Path, **popen) -> tuple:
    """A process holding the warehouse's run lock at the server, then a `timeline run` on the
    same warehouse, which waits behind it: (holder, run, db)."""
    seeds, db = tmp_path / "seeds", tmp_path / "wh" / "timeline.duckdb"
    write_article(seeds, "s0.txt", 0)
    holder = subprocess.Popen([sys.executable, "-c", HOLD_RUN_LOCK, str(db.parent / "timeline.log")],
                              env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    run = subprocess.Popen([str(Path(sys.executable).parent / "timeline"), "run", "--seeds", str(seeds),
                            "--db", str(db), "--no-show"], env=env, cwd=ROOT,
                           stderr=subprocess.PIPE, text=True, **popen)
    return holder, run, db


def test_timeline_run_waits_at_the_lock_server_for_a_killed_run(lock_env: dict[str, str],
                                                                tmp_path: Path):
    holder, run, db = _run_behind_a_held_run_lock({**lock_env, "TIMELINE_WORKERS": "1"}, tmp_path,
                                                  stdout=subprocess.PIPE)
    try:
        said = run.stderr.readline()  # its first words, while the lock is held
        assert "at the lock server" in said and f"pid {holder.pid}" in said and "waiting" in said, said
        assert not db.exists()
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=60)
    _, err = run.communicate(timeout=600)
    assert run.returncode == 0, err[-3000:]
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == 1
    _verify(db)


def test_ctrl_c_stops_a_run_waiting_at_the_lock_server(lock_env: dict[str, str], tmp_path: Path):
    import psycopg2

    holder, run, db = _run_behind_a_held_run_lock(lock_env, tmp_path)
    try:
        assert "at the lock server" in run.stderr.readline()
        run.send_signal(signal.SIGINT)
        run.communicate(timeout=30)  # a blocking wait at the server would not return
        assert run.returncode == 130
        with psycopg2.connect(PG_URL.replace("+psycopg2", "")) as admin, admin.cursor() as cur:
            cur.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE %s",
                        (f"timeline % pid {run.pid}",))
            assert cur.fetchone()[0] == 0  # it left the server's queue (and its session)
    finally:
        holder.kill()
        holder.wait(timeout=60)
    assert not db.exists()
