"""Chinese time-expression tagger: `extract_times(text, reference) -> list[TimeMention]`.

Rules and vocabularies live in `data/*.tsv` (HeidelTime-style resources); the code only
chains atoms and resolves them. No Dagster here.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from pipelines.core.model import TimeMention
from pipelines.core.textscan import mask_long_runs

from . import engine


def extract_times(text: str, reference: datetime | date | None = None, *,
                  range_end: str = "inclusive") -> list[TimeMention]:
    """Time expressions in `text`, sorted by start and non-overlapping (see engine.extract_times).

    The engine scans a copy with long runs of one character masked (textscan.py), so its
    time stays linear with a small constant on any input; mentions carry the original text.
    """
    scan = mask_long_runs(text) if text else text
    mentions = engine.extract_times(scan, reference, range_end=range_end)
    if scan is text:
        return mentions
    return [m if text.startswith(m.text, m.start) else replace(m, text=text[m.start:m.end])
            for m in mentions]


def warm_up() -> None:
    """Load the tables and compile their patterns, in this process.

    Called before forking workers, so they inherit the compiled patterns instead of each
    compiling its own on first use.
    """
    engine._checked_tables()


__all__ = ["extract_times", "warm_up"]
