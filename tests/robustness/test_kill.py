"""kill -9 at any moment of a run, then a re-run, gives the tables of an uninterrupted run.

Every run is a subprocess of the real CLI (tests/robustness/kill_driver.py runs
`timeline run` and SIGKILLs itself at a named point; the time-based sweep SIGKILLs the
process group from outside). After the kill, a plain re-run must leave every published
table equal to a clean run's (recording times and run ids aside), with no duplicate log
sequence numbers and no fact recorded twice.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from .processes import children, kill_left, survivors

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_f909081cfa4b4b6d.txt"
CORPUS = ROOT.parent / "shared" / "corpus" / "dtels-news-10k.jsonl.gz"
DRIVER = Path(__file__).with_name("kill_driver.py")
TABLES = ("documents", "time_mentions", "events", "timeline", "rejected_documents", "event_log")
# When a row was recorded and by which run differ between any two runs by design.
VOLATILE = {"recorded_at", "first_recorded_at", "last_recorded_at", "rejected_at", "run_id"}
DUMP_ARTICLES = 200


def _corpus_lines() -> list[str]:
    """~200 real articles; the seed re-dated under new ids when the corpus is not there."""
    lines: list[str] = []
    if CORPUS.exists():
        with gzip.open(CORPUS, "rt", encoding="utf-8") as handle:
            for line in handle:
                lines.append(line.rstrip("\n"))
                if len(lines) == DUMP_ARTICLES:
                    break
        return lines
    body = SEED.read_text("utf-8").split("\n", 3)[3]
    for i in range(DUMP_ARTICLES):
        lines.append(json.dumps({"doc_id": f"synthetic-{i}", "title": f"第{i}篇",
                                 "published_at": f"2020-12-{1 + i % 16:02d}T08:00:00",
                                 "source": "seed", "content": f"第{i}篇。{body}"},
                                ensure_ascii=False))
    return lines


@pytest.fixture(scope="module")
def code(tmp_path_factory) -> Path:
    """A frozen copy of the package: every run of the module executes the same code, even
    while the working tree is being edited (a changed extractor would differ from the clean
    run for reasons that have nothing to do with faults)."""
    root = tmp_path_factory.mktemp("code")
    shutil.copytree(ROOT / "pipelines", root / "pipelines",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(DRIVER, root / DRIVER.name)
    probe = subprocess.run([sys.executable, "-c", "import pipelines; print(pipelines.__file__)"],
                           env=_env(code=root), cwd=root, capture_output=True, text=True,
                           check=True)
    assert probe.stdout.startswith(str(root)), probe.stdout
    return root


@pytest.fixture(scope="module")
def seeds(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("kill") / "seeds"
    (folder / "more").mkdir(parents=True)
    shutil.copy(SEED, folder / SEED.name)
    shutil.copy(SEED, folder / "copy_a.txt")
    shutil.copy(SEED, folder / "more" / "copy_b.txt")
    (folder / "copy_gb.txt").write_bytes(SEED.read_text("utf-8").encode("gb18030"))
    (folder / "empty.txt").write_bytes(b"")
    (folder / "corpus.jsonl").write_text("\n".join(_corpus_lines()) + "\n", "utf-8")
    return folder


def _env(kill_at: str | None = None, workers: str = "1", code: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DAGSTER_", "TIMELINE_"))}
    if code is not None:
        env["PYTHONPATH"] = str(code)
    env["TIMELINE_WORKERS"] = workers  # extract:N counts documents in this process
    if kill_at:
        env["TIMELINE_KILL_AT"] = kill_at
    return env


def _run(code: Path, seeds: Path, db: Path, kill_at: str | None = None
         ) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(code / DRIVER.name), "run", "--seeds", str(seeds), "--db", str(db),
         "--no-show"],
        env=_env(kill_at, code=code), cwd=code, capture_output=True, text=True, timeout=600,
    )


def _run_killed_after(code: Path, seeds: Path, db: Path, seconds: float) -> int | None:
    """Start a run and SIGKILL its whole process group (pool workers too) after `seconds`."""
    proc = subprocess.Popen(
        [sys.executable, str(code / DRIVER.name), "run", "--seeds", str(seeds), "--db", str(db),
         "--no-show"],
        env=_env(workers="2", code=code), cwd=code, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        return proc.wait(timeout=seconds)  # finished before the kill: still a valid case
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        return proc.wait()


def _ok(result: subprocess.CompletedProcess) -> None:
    assert result.returncode == 0, result.stderr[-3000:]


def snapshot(db: Path) -> dict[str, list[tuple]]:
    out = {}
    with duckdb.connect(str(db), read_only=True) as con:
        for table in TABLES:
            cols = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall() if r[0] not in VOLATILE]
            rows = con.execute(f"SELECT {', '.join(cols)} FROM {table}").fetchall()
            out[table] = sorted(rows, key=repr)
    return out


def assert_no_duplicates(db: Path) -> None:
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT seq, count(*) FROM event_log GROUP BY seq "
                           "HAVING count(*) > 1").fetchall() == []
        assert con.execute(
            "SELECT kind, entity_id, content_hash, count(*) FROM event_log "
            "WHERE entity_id IS NOT NULL GROUP BY ALL HAVING count(*) > 1").fetchall() == []
        assert con.execute(
            "SELECT kind, doc_id, content_hash, extractor_version, count(*) FROM event_log "
            "WHERE kind LIKE 'document_%' AND kind <> 'document_rejected' "
            "GROUP BY ALL HAVING count(*) > 1").fetchall() == []
        assert con.execute(
            "SELECT path, payload, count(*) FROM event_log WHERE kind = 'document_rejected' "
            "GROUP BY ALL HAVING count(*) > 1").fetchall() == []
        seqs = con.execute("SELECT min(seq), max(seq), count(*) FROM event_log").fetchone()
        assert seqs == (1, seqs[2], seqs[2]), "the log has gaps or does not start at 1"


def _log_dir(db: Path) -> Path:
    return db.with_name(db.stem + ".log")


@pytest.fixture(scope="module")
def clean(code, seeds, tmp_path_factory) -> dict[str, list[tuple]]:
    db = tmp_path_factory.mktemp("clean") / "timeline.duckdb"
    _ok(_run(code, seeds, db))
    tables = snapshot(db)
    assert len(tables["documents"]) > DUMP_ARTICLES  # the dump and the seed copies landed
    assert tables["rejected_documents"] and tables["timeline"]
    assert_no_duplicates(db)
    return tables


def assert_same_tables(got: dict, expected: dict) -> None:
    for table in TABLES:  # table by table, so a failure names the table
        assert got[table] == expected[table], table


def _killed_then_rerun(code: Path, seeds: Path, db: Path, clean: dict, points: list[str]) -> None:
    for point in points:
        killed = _run(code, seeds, db, point)
        assert killed.returncode == -signal.SIGKILL, (
            f"{point}: the run was not killed (rc {killed.returncode}); the hook never fired\n"
            + killed.stderr[-2000:])
    _ok(_run(code, seeds, db))
    assert not list(_log_dir(db).glob(".seg-*.tmp")), "a killed writer's temporary is left"
    assert not list(db.parent.glob(f".{db.name}.staging-*")), "a killed staging file is left"
    assert_same_tables(snapshot(db), clean)
    assert_no_duplicates(db)
    _verified(code, db)


# Fast enough for every run: a kill in each phase that writes something.
DEFAULT_POINTS = ["extract:120", "append:tmp", "publish:staged"]
# The rest of the named points, and kills of two runs in a row.
MORE_POINTS = ["scan:3", "extract:1", "append:done", "publish:building", "publish:done",
               "extract:60+publish:staged", "append:tmp+publish:building"]


@pytest.mark.parametrize("points", DEFAULT_POINTS)
def test_kill_then_rerun_equals_clean_run(code, seeds, clean, tmp_path, points):
    _killed_then_rerun(code, seeds, tmp_path / "timeline.duckdb", clean, points.split("+"))


@pytest.mark.fuzz
@pytest.mark.parametrize("points", MORE_POINTS)
def test_kill_then_rerun_equals_clean_run_more_points(code, seeds, clean, tmp_path, points):
    _killed_then_rerun(code, seeds, tmp_path / "timeline.duckdb", clean, points.split("+"))


@pytest.mark.fuzz
@pytest.mark.parametrize("seconds", [0.5, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12])
def test_kill_after_seconds_then_rerun(code, seeds, clean, tmp_path, seconds):
    db = tmp_path / "timeline.duckdb"
    _run_killed_after(code, seeds, db, seconds)
    _ok(_run(code, seeds, db))
    assert_same_tables(snapshot(db), clean)
    assert_no_duplicates(db)


def test_kill_during_an_incremental_run(code, seeds, tmp_path):
    """A revision published incrementally (staging copied from the old file), killed."""
    work = tmp_path / "seeds"
    shutil.copytree(seeds, work, symlinks=True)
    (work / "corpus.jsonl").unlink()  # the corpus is not needed to test the incremental path

    def edit() -> None:
        seed = work / "copy_a.txt"
        seed.write_text(seed.read_text("utf-8").replace("7∙17豐樂鄉龍塘村、", ""), "utf-8")

    clean_seeds = tmp_path / "clean_seeds"
    shutil.copytree(work, clean_seeds, symlinks=True)
    clean_db = tmp_path / "clean" / "timeline.duckdb"
    _ok(_run(code, clean_seeds, clean_db))
    db = tmp_path / "killed" / "timeline.duckdb"
    _ok(_run(code, work, db))
    edit()
    (clean_seeds / "copy_a.txt").write_text((work / "copy_a.txt").read_text("utf-8"), "utf-8")
    _ok(_run(code, clean_seeds, clean_db))
    # first before the append lands, then (it lands) before the new file is moved into place
    for point in ("append:tmp", "publish:staged"):
        assert _run(code, work, db, point).returncode == -signal.SIGKILL, point
    _ok(_run(code, work, db))
    assert_same_tables(snapshot(db), snapshot(clean_db))
    assert_no_duplicates(db)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM event_log WHERE kind = 'document_revised'"
                           ).fetchone()[0] == 1


# ---------------------------------------------------------------- make fuzz: the kill -9 sweep
#
# SIGKILL of the run's own process (not its group, as an operator's kill -9 would do) at
# spread-out moments of a 1,000-article run, an incremental run and a rebuild: 22 delays in
# all. After each: no worker outlives its parent, a plain re-run (or rebuild) gives the
# tables of the uninterrupted one, and `timeline verify` passes.

SWEEP_ARTICLES = 1000
FRESH_DELAYS = [1, 2, 3, 4, 5, 6, 7, 8, 10, 12]
INCREMENTAL_DELAYS = [1, 2, 3, 4, 6, 8]
REBUILD_DELAYS = [0.5, 1, 1.5, 2, 3, 4]


def _cli(code: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(code / DRIVER.name), *args], env=_env(code=code),
                          cwd=code, capture_output=True, text=True, timeout=900)


def _kill_parent_after(code: Path, seconds: float, *args: str) -> None:
    """Run `timeline args`, SIGKILL the process itself after `seconds`, then check that
    none of its children is alive 5 s later."""
    proc = subprocess.Popen([sys.executable, str(code / DRIVER.name), *args],
                            env=_env(workers="2", code=code), cwd=code, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    workers: set[int] = set()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and proc.poll() is None:
        workers |= children(proc.pid)
        time.sleep(0.05)
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    left = survivors(workers)
    kill_left(set(left))  # ours: do not leave them to the next test
    assert not left, f"workers outlived their parent: {left}"


def _verified(code: Path, db: Path) -> None:
    result = _cli(code, "verify", "--db", str(db))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def sweep_seeds(tmp_path_factory) -> Path:
    if not CORPUS.exists():
        pytest.skip(f"the kill sweep needs the corpus at {CORPUS}")
    folder = tmp_path_factory.mktemp("sweep") / "seeds"
    folder.mkdir()
    shutil.copy(SEED, folder / SEED.name)
    lines = []
    with gzip.open(CORPUS, "rt", encoding="utf-8") as handle:
        for line in handle:
            lines.append(line.rstrip("\n"))
            if len(lines) == SWEEP_ARTICLES:
                break
    (folder / "corpus.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    return folder


@pytest.fixture(scope="module")
def sweep_clean(code, sweep_seeds, tmp_path_factory) -> dict:
    db = tmp_path_factory.mktemp("sweep_clean") / "timeline.duckdb"
    _ok(_run(code, sweep_seeds, db))
    return snapshot(db)


def _edit_for_incremental(seeds: Path) -> None:
    """Drop a tenth of the dump's articles and revise the seed article."""
    dump = seeds / "corpus.jsonl"
    lines = dump.read_text("utf-8").splitlines()
    dump.write_text("\n".join(lines[: len(lines) * 9 // 10]) + "\n", "utf-8")
    seed = seeds / SEED.name
    seed.write_text(seed.read_text("utf-8").replace("7∙17豐樂鄉龍塘村、", ""), "utf-8")


@pytest.mark.fuzz
@pytest.mark.parametrize("seconds", FRESH_DELAYS)
def test_sweep_kill_a_fresh_run(code, sweep_seeds, sweep_clean, tmp_path, seconds):
    db = tmp_path / "timeline.duckdb"
    _kill_parent_after(code, seconds, "run", "--seeds", str(sweep_seeds), "--db", str(db), "--no-show")
    _ok(_run(code, sweep_seeds, db))
    assert_same_tables(snapshot(db), sweep_clean)
    assert_no_duplicates(db)
    _verified(code, db)


@pytest.fixture(scope="module")
def incremental_clean(code, sweep_seeds, tmp_path_factory) -> tuple[Path, Path, dict]:
    """A warehouse of the whole folder (to copy before each kill), the edited folder, and
    the tables an uninterrupted incremental run over it gives."""
    base = tmp_path_factory.mktemp("incremental")
    db = base / "before" / "timeline.duckdb"
    _ok(_run(code, sweep_seeds, db))
    edited = base / "edited"
    shutil.copytree(sweep_seeds, edited)
    _edit_for_incremental(edited)
    clean_db = base / "clean" / "timeline.duckdb"
    shutil.copytree(db.parent, clean_db.parent)
    _ok(_run(code, edited, clean_db))
    return db.parent, edited, snapshot(clean_db)


@pytest.mark.fuzz
@pytest.mark.parametrize("seconds", INCREMENTAL_DELAYS)
def test_sweep_kill_an_incremental_run(code, incremental_clean, tmp_path, seconds):
    before, edited, clean_tables = incremental_clean
    warehouse = tmp_path / "warehouse"
    shutil.copytree(before, warehouse)
    db = warehouse / "timeline.duckdb"
    _kill_parent_after(code, seconds, "run", "--seeds", str(edited), "--db", str(db), "--no-show")
    _ok(_run(code, edited, db))
    assert_same_tables(snapshot(db), clean_tables)
    assert_no_duplicates(db)
    _verified(code, db)


@pytest.mark.fuzz
@pytest.mark.parametrize("seconds", REBUILD_DELAYS)
def test_sweep_kill_a_rebuild(code, incremental_clean, tmp_path, seconds):
    before, _, _ = incremental_clean
    warehouse = tmp_path / "warehouse"
    shutil.copytree(before, warehouse)
    db = warehouse / "timeline.duckdb"
    published = snapshot(db)
    _kill_parent_after(code, seconds, "rebuild", "--db", str(db))
    assert_same_tables(snapshot(db), published)  # killed or not, the published file is whole
    _ok(_cli(code, "rebuild", "--db", str(db)))
    assert_same_tables(snapshot(db), published)
    _verified(code, db)
