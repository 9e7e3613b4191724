"""The converted development corpora are well formed (their scores are measured, not asserted)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from .score_devset import tsv_cases

DEVSETS = sorted(Path(__file__).with_name("devsets").glob("*.tsv"))


@pytest.mark.parametrize("path", DEVSETS, ids=lambda p: p.stem)
def test_devset_rows_are_well_formed(path: Path) -> None:
    cases = tsv_cases(path)
    assert cases
    for case in cases:
        datetime.fromisoformat(case["reference"])
        for e in case["expected"]:
            # the offsets name the expression inside its input
            assert case["text"][e["start"]:e["end"]] == e["text"], (case["id"], e["text"])
            for r in e["resolutions"]:
                assert date.fromisoformat(r["earliest"]) <= date.fromisoformat(r["latest"])
