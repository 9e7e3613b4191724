"""Smoke test of the UI: `dagster dev` on a free loopback port, asked over GraphQL for the
assets (with groups, kinds, descriptions, the extractor version tag), the asset checks,
the sensor and the schedule; then stopped by its PID."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

QUERY = """
{
  assetNodes {
    assetKey { path }
    groupName
    kinds
    description
    tags { key value }
    assetChecksOrError { ... on AssetChecks { checks { name blocking } } }
  }
  repositoriesOrError {
    ... on RepositoryConnection {
      nodes {
        sensors { name sensorState { status } }
        schedules { name cronSchedule scheduleState { status } }
      }
    }
  }
}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql", data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGINT)  # dagster dev shuts its webserver and daemon down
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@pytest.fixture
def ui(tmp_path: Path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text((ROOT / "dagster.yaml").read_text())
    (tmp_path / "seeds").mkdir()
    port = _free_port()
    env = {**os.environ, "DAGSTER_HOME": str(home), "TIMELINE_SEEDS": str(tmp_path / "seeds"),
           "TIMELINE_DB": str(tmp_path / "wh" / "timeline.duckdb")}
    env.pop("TIMELINE_EXECUTOR", None)
    log = open(tmp_path / "dagster_dev.log", "w")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "dagster"), "dev", "-m", "pipelines.definitions",
         "-h", "127.0.0.1", "-p", str(port)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        yield port, proc, tmp_path / "dagster_dev.log"
    finally:
        _stop(proc)
        log.close()


def test_ui_lists_assets_checks_sensor_and_schedule(ui):
    port, proc, log = ui
    deadline, data = time.monotonic() + 180, None
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text(errors="replace")[-3000:]
        try:
            data = _graphql(port, QUERY).get("data")
            if data and data.get("assetNodes"):
                break
        except OSError:
            pass
        time.sleep(1)
    assert data and data.get("assetNodes"), log.read_text(errors="replace")[-3000:]

    nodes = {"/".join(n["assetKey"]["path"]): n for n in data["assetNodes"]}
    assert {"articles", "extractions", "event_log", "timeline", "documents"} <= set(nodes)
    assert nodes["articles"]["groupName"] == "ingest"
    assert nodes["timeline"]["groupName"] == "publish"
    assert "duckdb" in nodes["timeline"]["kinds"]
    assert "Articles read from the seed files" in nodes["articles"]["description"]
    tags = {t["key"]: t["value"] for t in nodes["extractions"]["tags"]}
    assert "extractor_version" in tags

    checks = {c["name"]: c["blocking"] for n in nodes.values()
              for c in (n["assetChecksOrError"] or {}).get("checks", [])}
    assert {"evidence_at_offsets", "bounds_ordered", "not_after_publication",
            "unique_event_ids", "timeline_not_empty"} <= set(checks)
    assert all(checks.values())

    (repo,) = data["repositoriesOrError"]["nodes"]
    sensors = {s["name"]: s["sensorState"]["status"] for s in repo["sensors"]}
    schedules = {s["name"]: s["scheduleState"]["status"] for s in repo["schedules"]}
    assert sensors == {"seed_folder_sensor": "RUNNING"}
    assert schedules == {"daily_reingest": "STOPPED"}

    _stop(proc)
    assert proc.returncode is not None
