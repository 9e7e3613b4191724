"""Chinese time-expression tagger: `extract_times(text, reference) -> list[TimeMention]`.

Rules and vocabularies live in `data/*.tsv` (HeidelTime-style resources); the code only
chains atoms and resolves them. No Dagster here.
"""

from __future__ import annotations

from .engine import extract_times

__all__ = ["extract_times"]
