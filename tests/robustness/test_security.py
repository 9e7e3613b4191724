"""CLI filters reach SQL only as parameters; the UI listens on loopback only."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipelines.cli import app

ROOT = Path(__file__).resolve().parents[2]
INJECTIONS = [
    "x' OR '1'='1",
    "meeting' OR 1=1 --",
    "meeting'; DROP TABLE timeline; --",
    "'); ATTACH '/tmp/evil.duckdb' AS evil; --",
    "\" OR \"\"=\"",
]


def _show(db: Path, *args: str):
    return CliRunner().invoke(app, ["show", "--db", str(db), "--format", "json", *args])


def _digest(db: Path) -> str:
    return hashlib.sha256(db.read_bytes()).hexdigest()


def test_type_filter_is_a_parameter(seeded):
    every = [json.loads(line) for line in _show(seeded.db).stdout.splitlines()]
    assert every, "the seed must give a timeline for this test to mean anything"
    real_type = every[0]["event_type"]
    filtered = _show(seeded.db, "--type", real_type)
    assert filtered.exit_code == 0 and filtered.stdout.strip()
    before, rows = _digest(seeded.db), seeded.count("timeline")
    for attempt in INJECTIONS:
        result = _show(seeded.db, "--type", attempt)
        # refused as an unknown type before any SQL; and the query binds it as a parameter
        assert result.exit_code == 2 and "unknown event type" in result.output, (attempt, result.output)
        assert not any(line.startswith("{") for line in result.output.splitlines()), attempt
    assert _digest(seeded.db) == before and seeded.count("timeline") == rows
    assert not Path("/tmp/evil.duckdb").exists()


@pytest.mark.parametrize("option", ["--from", "--to", "--as-of"])
def test_date_filters_refuse_sql(seeded, option):
    before = _digest(seeded.db)
    for attempt in INJECTIONS:
        result = _show(seeded.db, option, attempt)
        assert result.exit_code == 2 and result.stdout == "", (option, attempt)
    assert _digest(seeded.db) == before


def test_ui_binds_to_loopback():
    makefile = (ROOT / "Makefile").read_text("utf-8")
    recipe = re.search(r"^ui:.*?\n((?:\t.*\n)+)", makefile, re.M)
    assert recipe, "no ui target in the Makefile"
    dev = [line for line in recipe.group(1).splitlines() if "dagster dev" in line]
    assert dev and all(re.search(r"(-h|--host)\s+127\.0\.0\.1\b", line) for line in dev)
    assert "0.0.0.0" not in makefile
