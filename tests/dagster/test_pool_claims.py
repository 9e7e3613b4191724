"""The project's instance (dagster.yaml) gives a pool of limit one to one step at a time,
even when run workers in separate processes claim its slot at the same moment (stock SQLite
storage lets two of them win: pipelines/defs/instance_storage.py)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg

ROOT = Path(__file__).resolve().parents[2]
CLAIMERS = 4
POOLS = [f"pool_{i}" for i in range(6)]


def test_simultaneous_claims_of_a_one_slot_pool_have_one_winner(tmp_path: Path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    shutil.copyfile(ROOT / "dagster.yaml", home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    with dg.DagsterInstance.get() as instance:
        assert type(instance.event_log_storage).__name__ == "ClaimSafeSqliteEventLogStorage"
        for pool in POOLS:
            instance.event_log_storage.initialize_concurrency_limit_to_default(pool)
            assert instance.event_log_storage.get_concurrency_info(pool).slot_count == 1
    start = time.time() + 8  # after every claimer has imported dagster
    script = Path(__file__).with_name("claim_slots.py")
    procs = [subprocess.Popen([sys.executable, str(script), f"run{i}", str(start), *POOLS],
                              cwd=ROOT, stdout=subprocess.PIPE, text=True)
             for i in range(CLAIMERS)]
    winners = dict.fromkeys(POOLS, 0)
    for proc in procs:
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0
        for line in out.splitlines():
            pool, claimed = line.split()
            winners[pool] += claimed == "True"
    assert winners == dict.fromkeys(POOLS, 1)
