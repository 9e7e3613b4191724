"""Two runs on one warehouse at once give the tables of one after the other.

`timeline run` takes the warehouse's run lock for the whole run; a second run waits for
it (and says so). With different seed folders, a sequential pair leaves the later folder's
documents active and the earlier one's withdrawn; so must a concurrent pair, whichever
order the lock gives them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[2]
SEED_BODY = (ROOT / "seeds" / "000_f909081cfa4b4b6d.txt").read_text("utf-8").split("\n", 3)[3]


def _folder(root: Path, name: str, articles: int = 40) -> set[str]:
    folder = root / name
    folder.mkdir(parents=True)
    ids = [f"{name}-{i}" for i in range(articles)]
    (folder / f"{name}.jsonl").write_text("\n".join(
        json.dumps({"doc_id": d, "published_at": "2020-12-16", "content": f"{d}。{SEED_BODY}"}, ensure_ascii=False)
        for d in ids) + "\n", "utf-8")
    return set(ids)


def _start(seeds: Path, db: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DAGSTER_", "TIMELINE_"))}
    return subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", "run", "--seeds", str(seeds), "--db", str(db), "--no-show"],
        env={**env, "TIMELINE_WORKERS": "1"}, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)


def test_two_concurrent_runs_serialize(tmp_path):
    ids = {name: _folder(tmp_path, name) for name in ("a", "b")}
    db = tmp_path / "warehouse" / "timeline.duckdb"
    runs = {name: _start(tmp_path / name, db) for name in ("a", "b")}
    outputs = {name: run.communicate(timeout=600) for name, run in runs.items()}
    for name, run in runs.items():
        assert run.returncode == 0, outputs[name][1][-3000:]
    with duckdb.connect(str(db), read_only=True) as con:
        active = {r[0] for r in con.execute("SELECT doc_id FROM documents").fetchall()}
        withdrawn = {r[0] for r in con.execute(
            "SELECT doc_id FROM event_log WHERE kind = 'document_withdrawn'").fetchall()}
    later = "a" if active == ids["a"] else "b"
    earlier = "b" if later == "a" else "a"
    assert active == ids[later], "not the result of either order"
    # the earlier run's documents were ingested, then withdrawn by the later run
    assert withdrawn == ids[earlier]


def test_a_waiting_run_says_why(tmp_path):
    from pipelines.paths import log_dir_for
    from pipelines.store.locks import run_lock

    _folder(tmp_path, "a", articles=2)
    db = tmp_path / "warehouse" / "timeline.duckdb"
    with run_lock(log_dir_for(db)):
        run = _start(tmp_path / "a", db)
        line = run.stderr.readline()  # the first thing it says, while we hold the lock
        assert f"pid {os.getpid()}" in line and "waiting" in line, line
    _, err = run.communicate(timeout=600)
    assert run.returncode == 0, err[-3000:]


def test_a_run_whose_lock_server_cannot_be_reached_writes_nothing(tmp_path):
    """A configured lock server is never skipped: without it the run stops, saying where the
    URL came from and hiding its password, before anything is read, appended or published."""
    _folder(tmp_path, "a", articles=2)
    db = tmp_path / "warehouse" / "timeline.duckdb"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DAGSTER_", "TIMELINE_"))}
    out = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "run", "--seeds", str(tmp_path / "a"), "--db", str(db),
         "--no-show"], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
        env={**env, "TIMELINE_LOCK_URL": "postgresql+psycopg2://timeline:s3cret@127.0.0.1:9/timeline"})
    assert out.returncode == 1, out.stderr[-3000:]
    assert "TIMELINE_LOCK_URL" in out.stderr and "s3cret" not in out.stderr, out.stderr
    assert not db.exists() and not list(db.parent.glob("timeline.log/seg-*"))


def test_each_lock_of_a_warehouse_has_its_own_server_key(tmp_path):
    from pipelines.store.locks import LOG_LOCK_FILE, RUN_LOCK_FILE, LockServerError, lock_key

    first, second = tmp_path / "one" / "timeline.log", tmp_path / "two" / "timeline.log"
    for folder in (first, second):
        folder.mkdir(parents=True)
    # the key follows the warehouse's id file, not the path it is mounted at
    moved = tmp_path / "mounted-elsewhere"
    keys = {lock_key(first, RUN_LOCK_FILE), lock_key(first, LOG_LOCK_FILE),
            lock_key(second, RUN_LOCK_FILE), lock_key(second, LOG_LOCK_FILE)}
    assert len(keys) == 4 and all(-2**63 <= k < 2**63 for k in keys)
    first.rename(moved)
    assert lock_key(moved, LOG_LOCK_FILE) in keys
    (second / "warehouse-id").write_text("not an id\n")
    with pytest.raises(LockServerError, match="warehouse-id"):
        lock_key(second, LOG_LOCK_FILE)
