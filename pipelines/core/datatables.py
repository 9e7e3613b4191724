"""Reading the language resources kept as TSV files (rules and lexicons are data)."""

from __future__ import annotations

from pathlib import Path


def read_rows(path: Path) -> list[list[str]]:
    """Tab-separated rows of a resource file; blank lines and `#` comments skipped."""
    return [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
