"""File exports read back equal to the published timeline table; the CLI's contract."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from pipelines.cli import _register_optional_commands, app
from pipelines.publish.formats import csv_readback_sql, export_timeline

_register_optional_commands()
runner = CliRunner()


def _table(db: Path) -> tuple[list[tuple[str, str]], list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as con:
        schema = [(r[0], r[1]) for r in con.execute("DESCRIBE timeline").fetchall()]
        rows = con.execute("SELECT * FROM timeline ORDER BY event_id").fetchall()
    return schema, rows


def _read(sql: str) -> tuple[list[tuple[str, str]], list[tuple]]:
    with duckdb.connect() as con:
        rel = con.sql(sql)
        schema = list(zip(rel.columns, [str(t) for t in rel.types], strict=True))
        rows = con.execute(f"SELECT * FROM ({sql}) ORDER BY event_id").fetchall()
    return schema, rows


def test_parquet_reads_back_equal(hand_db, tmp_path):
    out = tmp_path / "t.parquet"
    assert export_timeline(hand_db, out, "parquet") == 4
    assert _read(f"SELECT * FROM read_parquet('{out}')") == _table(hand_db)


def test_csv_reads_back_equal(hand_db, tmp_path):
    out = tmp_path / "t.csv"
    assert export_timeline(hand_db, out, "csv") == 4
    schema, rows = _table(hand_db)
    assert _read(csv_readback_sql(out, schema)) == (schema, rows)
    # Lists are JSON arrays, so an actor containing a comma stays one actor.
    text = out.read_text("utf-8")
    assert text.startswith("event_id,earliest,latest,")
    assert '["縣委, 縣政府"' in text.replace('""', '"')


def test_json_is_an_array_of_the_rows(hand_db, tmp_path):
    out = tmp_path / "t.json"
    export_timeline(hand_db, out, "json")
    records = json.loads(out.read_text("utf-8"))
    schema, rows = _table(hand_db)
    by_id = {r["event_id"]: r for r in records}
    for row in rows:
        record = by_id[row[0]]
        assert [c for c, _ in schema] == list(record)
        assert record["earliest"] == row[1].isoformat()
        assert record["actors"] == row[9]
    assert "豐樂鄉龍塘村" in out.read_text("utf-8")  # not \\u-escaped


def test_seed_exports_read_back_equal(seeded, tmp_path):
    parquet, csv = tmp_path / "t.parquet", tmp_path / "t.csv"
    export_timeline(seeded.db, parquet, "parquet")
    export_timeline(seeded.db, csv, "csv")
    schema, rows = _table(seeded.db)
    assert rows, "the seed's timeline is empty"
    assert _read(f"SELECT * FROM read_parquet('{parquet}')") == (schema, rows)
    assert _read(csv_readback_sql(csv, schema)) == (schema, rows)


def test_hand_built_schema_is_the_published_one(seeded, build_db, tmp_path):
    hand = build_db(tmp_path / "h.duckdb", rows=[])
    assert _table(hand)[0] == _table(seeded.db)[0], "update TIMELINE_DDL in tests/exports/conftest.py"


def test_export_never_writes_the_database(hand_db, tmp_path):
    before = hand_db.stat().st_mtime_ns, hand_db.read_bytes()
    for fmt in ("parquet", "csv", "json", "timelinejs", "html"):
        export_timeline(hand_db, tmp_path / f"t.{fmt}", fmt)
    assert (hand_db.stat().st_mtime_ns, hand_db.read_bytes()) == before


# --- the command line ---


def _export(*args: str):
    return runner.invoke(app, ["export", *args])


def test_cli_format_from_suffix_and_option(hand_db, tmp_path):
    result = _export("--db", str(hand_db), str(tmp_path / "a.parquet"))
    assert result.exit_code == 0, result.output
    assert "wrote 4 events" in result.stderr
    result = _export("--db", str(hand_db), "--format", "TimelineJS", str(tmp_path / "b.txt"))
    assert result.exit_code == 0, result.output
    assert len(json.loads((tmp_path / "b.txt").read_text("utf-8"))["events"]) == 4


def test_cli_text_formats_to_stdout(hand_db):
    result = _export("--db", str(hand_db), "-f", "json", "-")
    assert result.exit_code == 0
    assert {r["event_id"] for r in json.loads(result.stdout)} == {"e_day", "e_month", "e_bounded", "e_inherited"}
    result = _export("--db", str(hand_db), "-f", "csv", "-")
    assert result.stdout.splitlines()[0].startswith("event_id,")


@pytest.mark.parametrize(("args", "message"), [
    (["--format", "xml", "out.xml"], "unknown format 'xml'"),
    (["out.unknown"], "cannot tell the format"),
    (["--format", "parquet", "-"], "parquet is binary"),
    (["--format", "png", "-"], "png is binary"),
])
def test_cli_bad_arguments_are_one_line_errors(hand_db, args, message):
    result = _export("--db", str(hand_db), *args)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], result.stderr


def test_cli_missing_warehouse_and_folder(tmp_path, hand_db):
    result = _export("--db", str(tmp_path / "none.duckdb"), str(tmp_path / "t.csv"))
    assert result.exit_code == 2
    assert result.stderr.startswith("error: no warehouse at")
    result = _export("--db", str(hand_db), "--format", "csv", str(tmp_path))
    assert result.exit_code == 2 and "is a folder" in result.stderr
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    result = _export("--db", str(empty), str(tmp_path / "t.html"))
    assert result.exit_code == 2 and "no timeline table" in result.stderr


def test_cli_help_has_examples():
    result = _export("--help")
    assert result.exit_code == 0
    assert "Examples" in result.stdout and "timeline export --format html" in result.stdout
