"""`timeline export`: placeholder until the exports land (issue 9)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the export command to the CLI."""
    return None
