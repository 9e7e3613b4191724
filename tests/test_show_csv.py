"""`timeline show --format csv`: written by DuckDB, byte for byte what csv.writer writes of
the rows `query_timeline` returns (the rows of the timeline, or of `timeline_as_of`)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import duckdb
import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.store.timeline_query import (
    SHOW_COLUMNS,
    TimelineQuery,
    query_timeline,
    write_timeline_csv,
)

runner = CliRunner()


def _csv_writer_bytes(columns: list[str], rows: list[tuple]) -> bytes:
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow(columns)
    writer.writerows(rows)
    return text.getvalue().encode("utf-8")


def test_show_as_of_csv_is_the_rows_of_timeline_as_of(seeded):
    # the whole second after now: --as-of takes seconds, and the module's run may have
    # recorded its facts within the current one
    moment = (datetime.now(UTC) + timedelta(seconds=1)).replace(tzinfo=None, microsecond=0)
    shown = runner.invoke(app, ["show", "--db", str(seeded.db), "--as-of", f"{moment:%Y-%m-%d %H:%M:%S}",
                                "--format", "csv"])
    assert shown.exit_code == 0, shown.output
    header, *rows = list(csv.reader(io.StringIO(shown.stdout_bytes.decode("utf-8"), newline="")))
    names = [c.split(" AS ")[-1] for c in SHOW_COLUMNS]
    assert header == names
    expected = seeded.query(f"SELECT {', '.join(SHOW_COLUMNS)} FROM timeline_as_of(?::TIMESTAMP) "
                            "ORDER BY earliest, latest, event_type, event_id", [moment])
    assert len(rows) == len(expected) > 10
    assert rows == [["" if v is None else str(v) for v in row] for row in expected]
    with duckdb.connect(str(seeded.db), read_only=True) as con:
        columns, fetched, _ = query_timeline(con, TimelineQuery(as_of=moment))
    assert shown.stdout_bytes == _csv_writer_bytes(columns, fetched)


TRICKY = ["#1 熱搜", "a,b", 'say "hi"', "two\nlines", "carriage\rreturn", "crlf\r\nend", "", None,
          " padded ", "全角，逗號", "a # b", "#"]


@pytest.fixture
def tricky() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE TABLE timeline (earliest DATE, latest DATE, granularity VARCHAR, date_basis VARCHAR, "
                "event_type VARCHAR, headline VARCHAR, place VARCHAR, actors VARCHAR[], num_sources BIGINT, "
                "modality VARCHAR, evidence VARCHAR, event_id VARCHAR)")
    for i, value in enumerate(TRICKY):
        con.execute("INSERT INTO timeline VALUES (?, ?, 'day', 'explicit', 'meeting', ?, ?, ?, ?, 'reported', ?, ?)",
                    [date(5 + i * 400, 1, 2), date(2020, 5, i + 1), value, value,
                     None if value is None else [value, "乙"], i if i % 3 else None, value, f"e{i:02d}"])
    return con


@pytest.mark.parametrize("extra", [None, "\ufdd0 kept as it is"], ids=["duckdb-writer", "stand-in-present"])
def test_csv_quotes_as_csv_writer_does(tricky, extra):
    """Minimal quoting (a '#' is not quoted, unlike DuckDB's own writer), quotes doubled,
    CRLF ends, NULL and '' as nothing, years below 1000 zero-padded; a value holding the
    character that stands in for '#' is written as it is."""
    if extra is not None:
        tricky.execute("INSERT INTO timeline VALUES ('2021-01-01', '2021-01-01', 'day', 'explicit', 'fire', "
                       "?, NULL, [], 1, 'reported', '#', 'e99')", [extra])
    threads = tricky.execute("SELECT current_setting('threads')").fetchone()[0]
    for request in (TimelineQuery(), TimelineQuery(limit=5), TimelineQuery(place="a")):
        out = io.BytesIO()
        written, total = write_timeline_csv(tricky, request, out)
        columns, rows, expected_total = query_timeline(tricky, request)
        assert out.getvalue() == _csv_writer_bytes(columns, rows)
        assert (written, total) == (len(rows), expected_total)
    assert tricky.execute("SELECT current_setting('threads')").fetchone()[0] == threads  # left as it was
