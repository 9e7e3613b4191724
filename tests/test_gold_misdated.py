"""How bench/events_gold/misdated.py judges a found key event's dates, and that it refuses the
held-out sets."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bench.events_gold.misdated import Predicted, disagreement

GOLD = {"earliest": "2024-03-01", "latest": "2024-03-07", "accept_earliest": ["2024-01-01"]}


def _p(earliest: str | None, latest: str | None) -> Predicted:
    return Predicted(earliest, latest, "bounded", None, "h")


@pytest.mark.parametrize(("found", "expected"), [
    ([_p("2024-03-01", "2024-03-07")], None),
    ([_p("2024-01-01", "2024-03-07")], None),  # an accepted first day
    ([_p("2024-03-05", "2024-03-05"), _p("2024-01-01", "2024-03-07")], None),  # any overlapping event may carry it
    ([_p("2024-02-01", "2024-03-07")], "first day"),
    ([_p("2024-03-01", "2024-03-06")], "last day"),
    ([_p("2024-03-05", "2024-03-05")], "both"),
    ([_p(None, None)], "both"),
])
def test_a_found_key_event_is_misdated_by_the_bound_the_first_overlapping_event_gets_wrong(found, expected) -> None:
    assert disagreement(GOLD, found) == expected


def test_the_held_out_sets_are_refused() -> None:
    run = subprocess.run([sys.executable, "-m", "bench.events_gold.misdated", "--sets", "dev,check"],
                         capture_output=True, text=True)
    assert run.returncode != 0 and "not tuning sets: check" in run.stderr
