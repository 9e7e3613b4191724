"""The page and the picture written beside the warehouse after every run.

One implementation for `timeline run` and the Dagster export assets, which add their
metadata around it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import threading
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
    events = write_page(db, out, limit=limit)
    _record_source(db, out, limit, events)
    return out, events


class StagedPage:
    """timeline.html of a publish's build (`publish(staged=...)`): its rows are read from
    the build's tables (the rows the file will hold if the publish succeeds) and rendered
    in a thread while the publish audits and writes its file; `write` puts the page beside
    the published file afterwards, as `write_page_beside` would have written it."""

    def __init__(self, db: Path, limit: int = PAGE_ROWS) -> None:
        self.db, self.limit = Path(db), limit
        self._thread: threading.Thread | None = None
        self._page: tuple[str, int] | BaseException | None = None

    def read(self, con: Any) -> None:
        from pipelines.publish.data import timeline_top_table

        # Only the query here, on the publish's thread: the rows become Python values in the
        # page's thread (0.05-0.15 s of 5,000 rows that every publish waited on)
        table, total, _ = timeline_top_table(con, self.limit, with_sources=False)
        self._thread = threading.Thread(target=self._render, args=(table, total), name="timeline-page")
        self._thread.start()

    def _render(self, table: Any, total: int) -> None:
        from pipelines.publish.page import render_page

        try:
            rows = table.to_pylist()
            self._page = (render_page(rows, db_name=self.db.name, total=total), len(rows))
        except BaseException as exc:  # noqa: BLE001 - raised in the caller's thread by `write`
            self._page = exc

    def write(self) -> tuple[Path, int]:
        """The page beside the published file; returns its path and the events it shows.
        Without a staged build (nothing was published) it is read from the published file."""
        if self._thread is None:
            return write_page_beside(self.db, self.limit)
        self._thread.join()
        if isinstance(self._page, BaseException):
            raise self._page
        text, events = self._page
        out = self.db.parent / "timeline.html"
        write_bytes_atomically(out, text.encode("utf-8"), durable=False)
        _record_source(self.db, out, self.limit, events)
        return out, events


def write_picture_beside(db: Path, warn: Callable[[str], None] | None = None) -> tuple[Path, bytes, int]:
    """timeline.png beside the DuckDB file; returns its path, the PNG and the timeline's
    row count. `warn` hears once that no CJK font is installed."""
    from pipelines.publish.data import read_timeline_top
    from pipelines.publish.png import MAX_ROWS

    rows, total, sources = read_timeline_top(db, MAX_ROWS)
    png, font_missing = picture_png(rows, total, sources)
    if font_missing and warn is not None:
        warn(NO_CJK_FONT)
    return write_picture_bytes(db, png, total), png, total


def picture_png(rows: list[dict[str, Any]], total: int, sources: list[str]) -> tuple[bytes, bool]:
    """The picture of these rows (`read_timeline_top`'s), and whether it lacked a CJK font."""
    from pipelines.publish.png import MissingCJKFont, cjk_fonts, render_png_bytes

    font_missing = not cjk_fonts()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingCJKFont)  # the caller says it once
        return render_png_bytes(rows, None, total, sources), font_missing


def write_picture_bytes(db: Path, png: bytes, total: int) -> Path:
    out = Path(db).parent / "timeline.png"
    write_bytes_atomically(out, png, durable=False)
    _record_source(db, out, None, total)
    return out


# Beside each file a note of what it was made from: the published file (its inode, time
# and size: a publish replaces the file, so any change gives another), the renderer's
# source and its option. A run that published nothing (an unchanged folder) then finds the
# page and the picture already made from the file as it is and does not draw them again
# (3.7 s of a 6 s unchanged Dagster run at 100k articles).


def page_made_from_published(db: Path, limit: int = PAGE_ROWS) -> int | None:
    """The events of timeline.html when it was made from the published file as it is now,
    by this renderer; None when it must be written again."""
    return _made_from_published(db, Path(db).parent / "timeline.html", limit)


def picture_made_from_published(db: Path) -> int | None:
    """The timeline rows of timeline.png when it was drawn from the published file as it is
    now, by this renderer; None when it must be drawn again."""
    return _made_from_published(db, Path(db).parent / "timeline.png", None)


def _source_note(out: Path) -> Path:
    return out.with_name(f".{out.name}.source.json")


def _source(db: Path, option: object) -> list | None:
    try:
        st = Path(db).stat()
    except OSError:
        return None
    return [st.st_ino, st.st_mtime_ns, st.st_size, option, _renderer_digest()]


@functools.cache
def _renderer_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.iterdir()):
        if path.suffix in {".py", ".css", ".js", ".html"}:
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _record_source(db: Path, out: Path, option: object, count: int) -> None:
    note = {"source": _source(db, option), "count": count}
    write_bytes_atomically(_source_note(out), json.dumps(note).encode(), durable=False)


def _made_from_published(db: Path, out: Path, option: object) -> int | None:
    try:
        note = json.loads(_source_note(out).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    source = _source(db, option)
    if source is None or note.get("source") != source or not out.exists():
        return None
    return int(note["count"])
