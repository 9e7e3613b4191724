"""Chinese time-expression tagger: `extract_times(text, reference) -> list[TimeMention]`.

Rules and vocabularies live in `data/*.tsv` (HeidelTime-style resources); the code only
chains atoms and resolves them. No Dagster here.
"""

from __future__ import annotations

from .engine import extract_times
from .tables import tables


def warm_up() -> None:
    """Load the tables and compile every alternation the scan may use, in this process.

    Called before forking workers, so they inherit the compiled patterns instead of each
    compiling its own on first use.
    """
    tables().compile_all()


__all__ = ["extract_times", "warm_up"]
