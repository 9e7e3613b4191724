"""Shared fixtures: the seed article, its gold annotation, and pipeline runs in temp folders."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_f909081cfa4b4b6d.txt"
SHARED = ROOT.parent / "shared"
GOLD_CANDIDATES = [SHARED / "gold" / "seed_events.json", ROOT / "tests" / "data" / "seed_events.json"]


@pytest.fixture(scope="session")
def gold() -> dict:
    for path in GOLD_CANDIDATES:
        if path.exists():
            return json.loads(path.read_text("utf-8"))
    pytest.fail("gold annotation seed_events.json not found")


def _row_matches_gold(row: dict, event: dict) -> bool:
    """A timeline row is the gold event: its evidence, its place (or the evidence names the
    place) and date bounds the gold gives or lists under `accept`."""
    if event["evidence_contains"] not in (row["evidence"] or ""):
        return False
    place = event.get("place_contains")
    if place and place not in (row["place"] or "") and place not in (row["evidence"] or ""):
        return False
    accept = event.get("accept", {})
    return (str(row["earliest"]) in {event["earliest"], *accept.get("earliest", [])}
            and str(row["latest"]) in {event["latest"], *accept.get("latest", [])})


@pytest.fixture(scope="session")
def matches_gold():
    return _row_matches_gold


class Workspace:
    """A seeds folder and a warehouse in a temp dir, with helpers to run and query."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.seeds = root / "seeds"
        self.db = root / "warehouse" / "timeline.duckdb"
        self.seeds.mkdir(parents=True, exist_ok=True)

    def settings(self, **overrides):
        from pipelines.defs.resources import TimelineSettings

        return TimelineSettings(seeds_dir=str(self.seeds), db_path=str(self.db), workers=1, **overrides)

    def add_seed(self, name: str = SEED.name) -> Path:
        target = self.seeds / name
        shutil.copy(SEED, target)
        return target

    def run(self, **overrides):
        from pipelines.runner import run_pipeline

        outcome = run_pipeline(self.settings(**overrides))
        assert outcome.success, outcome.error
        return outcome

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.db), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

    def count(self, table: str) -> int:
        return self.query(f"SELECT count(*) FROM {table}")[0][0]


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    return Workspace(tmp_path)


@pytest.fixture(scope="module")
def new_workspace(tmp_path_factory):
    """Workspaces for module-scoped fixtures: new_workspace(name) -> Workspace."""
    return lambda name: Workspace(tmp_path_factory.mktemp(name))


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Workspace:
    """One run of the pipeline over the seed article, shared by read-only tests."""
    ws = Workspace(tmp_path_factory.mktemp("seeded"))
    ws.add_seed()
    ws.run()
    return ws


# `make test-fast` leaves these out: each runs the pipeline in subprocesses, kills runs,
# serves the UI or drives a browser (seconds to minutes apiece). Everything else stays in.
SLOW = (
    "tests/dagster/",
    "tests/robustness/test_kill.py",
    "tests/robustness/test_messy_folder.py",
    "tests/test_event_sourcing.py",
    "tests/test_run_output.py",
    "tests/exports/test_browser.py",
    "tests/test_cli.py::test_unchanged_folder_stops_before_any_work",
    "tests/test_cli.py::test_run_exits_zero_with_quarantined_files",
    "tests/test_cli_errors.py::test_seeds_may_be_one_file",
    "tests/test_cli_errors.py::test_a_failed_run_names_the_file_and_cause_in_one_line",
)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.nodeid.startswith(SLOW):
            item.add_marker(pytest.mark.slow)
