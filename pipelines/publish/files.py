"""The page and the picture written beside the warehouse after every run.

One implementation for `timeline run` and the Dagster export assets, which add their
metadata around it.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipelines.atomicfile import write_bytes_atomically

# The page written on every run shows at most this many rows (the most reported): it stays
# a page a browser opens at a province's scale (all rows: `timeline export --format html`).
PAGE_ROWS = 5000
NO_CJK_FONT = ("no CJK font: Chinese shows as boxes (the project's dependency noto-cjk-sans-otc "
               "provides one; reinstall the project)")


def write_page_beside(db: Path, limit: int = PAGE_ROWS) -> tuple[Path, int]:
    """timeline.html beside the DuckDB file; returns its path and the events it shows."""
    from pipelines.publish.page import write_page

    out = Path(db).parent / "timeline.html"
    return out, write_page(db, out, limit=limit)


def write_picture_beside(db: Path, warn: Callable[[str], None] | None = None) -> tuple[Path, bytes, int]:
    """timeline.png beside the DuckDB file; returns its path, the PNG and the timeline's
    row count. `warn` hears once that no CJK font is installed."""
    from pipelines.publish.data import read_timeline_top
    from pipelines.publish.png import MAX_ROWS

    rows, total, sources = read_timeline_top(db, MAX_ROWS)
    png, font_missing = picture_png(rows, total, sources)
    if font_missing and warn is not None:
        warn(NO_CJK_FONT)
    return write_picture_bytes(db, png), png, total


def picture_png(rows: list[dict[str, Any]], total: int, sources: list[str]) -> tuple[bytes, bool]:
    """The picture of these rows (`read_timeline_top`'s), and whether it lacked a CJK font."""
    from pipelines.publish.png import MissingCJKFont, cjk_fonts, render_png_bytes

    font_missing = not cjk_fonts()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingCJKFont)  # the caller says it once
        return render_png_bytes(rows, None, total, sources), font_missing


def write_picture_bytes(db: Path, png: bytes) -> Path:
    out = Path(db).parent / "timeline.png"
    write_bytes_atomically(out, png, durable=False)
    return out
