"""Workers die with their parent: a run killed with SIGKILL (or stopped with SIGTERM)
leaves no extraction worker alive 5 s later."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from .processes import kill_left, survivors, wait_for_workers

ROOT = Path(__file__).resolve().parents[2]
SEED_TEXT = (ROOT / "seeds" / "000_f909081cfa4b4b6d.txt").read_text("utf-8")
CORPUS = ROOT.parent / "shared" / "corpus" / "dtels-news-10k.jsonl.gz"


def _dump(path: Path, articles: int = 1500) -> None:
    lines = []
    if CORPUS.exists():
        with gzip.open(CORPUS, "rt", encoding="utf-8") as handle:
            lines = [line.rstrip("\n") for _, line in zip(range(articles), handle, strict=False)]
    else:
        body = SEED_TEXT.split("\n", 3)[3]
        lines = [json.dumps({"doc_id": f"s{i}", "published_at": "2020-12-16", "content": f"{i}。{body}"},
                            ensure_ascii=False) for i in range(articles)]
    path.write_text("\n".join(lines) + "\n", "utf-8")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_workers_die_with_their_parent(tmp_path, sig):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    _dump(seeds / "corpus.jsonl")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DAGSTER_", "TIMELINE_"))}
    run = subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", "run", "--seeds", str(seeds), "--db",
         str(tmp_path / "timeline.duckdb"), "--no-show"],
        env={**env, "TIMELINE_WORKERS": "2"}, cwd=ROOT, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True)
    workers: set[int] = set()
    try:
        workers = wait_for_workers(run)
        assert workers, "the run never started its extraction workers"
        run.send_signal(sig)  # the parent only, not its process group
        run.wait(timeout=30)
        assert not survivors(workers), "workers outlived their parent"
    finally:
        kill_left({run.pid, *workers})


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_ctrl_c_stops_the_run_and_keeps_the_last_good_state(tmp_path):
    """SIGINT to the run's process group, as Ctrl-C in a terminal sends it, while its workers
    extract: the run stops (exit 130, saying so), no worker is left, the published file is
    the previous run's byte for byte, and `timeline verify` passes."""
    seeds, db = tmp_path / "seeds", tmp_path / "timeline.duckdb"
    seeds.mkdir()
    (seeds / "seed.txt").write_text(SEED_TEXT, "utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DAGSTER_", "TIMELINE_"))}
    cli = [sys.executable, "-m", "pipelines.cli"]
    first = subprocess.run([*cli, "run", "--seeds", str(seeds), "--db", str(db), "--show", "none"],
                           env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    published = db.read_bytes()
    _dump(seeds / "corpus.jsonl", 600)
    # SIGINT's default action restored in the run: a test suite started in the background
    # (`make test &`, nohup) ignores SIGINT, the run would inherit that and never see Ctrl-C
    run = subprocess.Popen(
        [*cli, "run", "--seeds", str(seeds), "--db", str(db), "--show", "none"],
        env={**env, "TIMELINE_WORKERS": "2"}, cwd=ROOT, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True, start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    workers: set[int] = set()
    try:
        workers = wait_for_workers(run)
        assert workers, "the run never started its extraction workers"
        os.killpg(run.pid, signal.SIGINT)
        _, err = run.communicate(timeout=60)  # seconds here; generous for a busy machine
        assert run.returncode == 130, err[-2000:]
        assert "interrupted" in err.splitlines()[-1]
        assert not survivors(workers), "workers outlived the interrupted run"
    finally:
        kill_left({run.pid, *workers})
    assert db.read_bytes() == published
    verify = subprocess.run([*cli, "verify", "--db", str(db)], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert verify.returncode == 0, verify.stdout + verify.stderr
