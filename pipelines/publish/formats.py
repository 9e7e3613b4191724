"""`timeline export`: the published timeline as a file in one of several formats.

Parquet keeps every column type. CSV is UTF-8 with a header; list columns (actors,
doc_ids, event_ids, sources) are JSON arrays so a value containing a comma survives, and
`csv_readback_sql` reads such a file back to the table's types. JSON is one array of
objects. TimelineJS is Knight Lab's format. HTML is the self-contained timeline page.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.atomicfile import atomic_path
from pipelines.publish.data import TIMELINE_ORDER, MissingWarehouse, json_row, read_timeline

if TYPE_CHECKING:
    import duckdb

FORMATS = ("parquet", "csv", "json", "timelinejs", "html")
# Formats that can go to stdout (OUT = "-"); Parquet is binary and needs a file.
TEXT_FORMATS = frozenset({"csv", "json", "timelinejs", "html"})


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _schema(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in con.execute("DESCRIBE timeline").fetchall()]


def _check_table(con: duckdb.DuckDBPyConnection, db_path: Path) -> None:
    found = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'timeline'").fetchone()[0]
    if not found:
        raise MissingWarehouse(f"{db_path} has no timeline table: run `timeline run` first")


def _csv_select(schema: list[tuple[str, str]], relation: str = "timeline") -> str:
    cols = [f"to_json({_quote(n)})::VARCHAR AS {_quote(n)}" if t.endswith("[]") else _quote(n)
            for n, t in schema]
    return f"SELECT {', '.join(cols)} FROM {relation} {TIMELINE_ORDER}"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def csv_readback_sql(path: Path | str, schema: list[tuple[str, str]]) -> str:
    """A query reading an exported CSV back with the table's column types.

    `schema` is DESCRIBE timeline as (name, type) pairs. Empty quoted strings stay
    empty strings (DuckDB would read them as NULL by default).
    """
    columns = ", ".join(f"{_sql_string(n)}: {_sql_string('VARCHAR' if t.endswith('[]') else t)}"
                        for n, t in schema)
    exprs = [f"from_json({_quote(n)}, {_sql_string(json.dumps([t[:-2]]))}) AS {_quote(n)}"
             if t.endswith("[]") else _quote(n) for n, t in schema]
    return (f"SELECT {', '.join(exprs)} FROM read_csv({_sql_string(str(path))}, header = true, "
            f"columns = {{{columns}}}, allow_quoted_nulls = false, auto_detect = false)")


def _write_atomically(out: Path, write: Callable[[Path], None]) -> None:
    """Write to a temporary name beside `out`, then rename: no half-written export."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(out, durable=False) as tmp:
        write(tmp)


def _copy(db_path: Path, out: Path, fmt: str, search: str | None = None) -> int:
    # imported here: the package's other modules draw and format rows without DuckDB (the
    # picture's helper process)
    from pipelines.store.readonly import connect_read_only
    from pipelines.store.timeline_query import timeline_relation

    with connect_read_only(db_path) as con:
        _check_table(con, db_path)
        relation = timeline_relation(con, search)
        if fmt == "parquet":
            query = f"SELECT * FROM {relation} {TIMELINE_ORDER}"
            options = "FORMAT parquet, COMPRESSION zstd"
        else:
            query = _csv_select(_schema(con), relation)
            options = "FORMAT csv, HEADER true, DELIMITER ','"
        _write_atomically(out, lambda tmp: con.execute(f"COPY ({query}) TO {_sql_string(str(tmp))} ({options})"))
        return con.execute(f"SELECT count(*) FROM {relation}").fetchone()[0]


def _text(db_path: Path, fmt: str, title: str | None, limit: int | None = None,
          search: str | None = None) -> tuple[str, int]:
    if fmt == "html" and limit is not None:
        from pipelines.publish.data import read_timeline_top
        from pipelines.publish.page import render_page

        rows, total, _ = read_timeline_top(db_path, limit, search)
        return render_page(rows, title=title, db_name=db_path.name, total=total), len(rows)
    rows = read_timeline(db_path, search)
    if fmt == "json":
        return json.dumps([json_row(r) for r in rows], ensure_ascii=False, indent=1) + "\n", len(rows)
    if fmt == "timelinejs":
        from pipelines.publish.timelinejs import to_timelinejs

        return json.dumps(to_timelinejs(rows, title), ensure_ascii=False, indent=1) + "\n", len(rows)
    from pipelines.publish.page import render_page

    return render_page(rows, title=title, db_name=db_path.name), len(rows)


def export_timeline(db_path: Path | str, out: Path | str, fmt: str, title: str | None = None,
                    limit: int | None = None, search: str | None = None) -> int:
    """Write the timeline of the published file `db_path` to `out` ("-" is stdout for text
    formats). Returns the number of events written. `limit` (html only): at most that many
    rows, the most reported. `search`: only the rows a full-text query matches (the
    story's chronology); the page and TimelineJS are then titled by the query."""
    if search is not None and title is None:
        title = f"{search.strip()}：時間線"
    db_path, fmt = Path(db_path), fmt.lower()
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
    if not db_path.exists():
        raise MissingWarehouse(f"no warehouse at {db_path}: run `timeline run` first")
    to_stdout = str(out) == "-"
    if to_stdout and fmt not in TEXT_FORMATS:
        raise ValueError(f"{fmt} is binary: give a file name instead of -")
    if fmt in ("parquet", "csv") and not to_stdout:
        return _copy(db_path, Path(out), fmt, search)
    if fmt == "csv":  # to stdout: through a temporary file, so the CSV dialect is the same
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "timeline.csv"
            n = _copy(db_path, path, fmt, search)
            sys.stdout.write(path.read_text("utf-8"))
            return n
    text, n = _text(db_path, fmt, title, limit, search)
    if to_stdout:
        sys.stdout.write(text)
    else:
        _write_atomically(Path(out), lambda tmp: tmp.write_text(text, "utf-8"))
    return n
