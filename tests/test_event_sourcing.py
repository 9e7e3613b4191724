"""The event log is the source of truth: idempotent re-runs, retractions, withdrawals,
rebuilds equal to incremental tables, as-of queries, upgrades, readers never blocked."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from datetime import UTC, date, datetime

import duckdb

from pipelines.store.warehouse import SCHEMA_VERSION, publish

PROJECTIONS = ("documents", "time_mentions", "events", "timeline", "rejected_documents")
EDIT = "7∙17豐樂鄉龍塘村、"


def _table(ws, name: str) -> list[tuple]:
    cols = [c[0] for c in ws.query(f"DESCRIBE {name}") if c[0] not in ("recorded_at",)]
    return sorted(ws.query(f"SELECT {', '.join(cols)} FROM {name}"), key=repr)


def _days(ws, source: str = "timeline") -> set[date]:
    return {r[0] for r in ws.query(f"SELECT earliest FROM {source} WHERE granularity = 'day'")}


def test_unchanged_rerun_appends_nothing(workspace):
    workspace.add_seed()
    workspace.run()
    log_rows, timeline = workspace.count("event_log"), _table(workspace, "timeline")
    segments = list(workspace.settings().log.segments())
    workspace.run()
    assert workspace.count("event_log") == log_rows
    assert _table(workspace, "timeline") == timeline
    assert list(workspace.settings().log.segments()) == segments


def test_edit_retracts_what_the_article_no_longer_says(workspace):
    seed = workspace.add_seed()
    workspace.run()
    before = workspace.count("event_log")
    assert date(2020, 7, 17) in _days(workspace)
    text = seed.read_text("utf-8")
    assert EDIT in text
    seed.write_text(text.replace(EDIT, ""), "utf-8")
    workspace.run()
    days = _days(workspace)
    assert date(2020, 7, 17) not in days
    assert date(2020, 8, 13) in days
    kinds = dict(workspace.query(f"SELECT kind, count(*) FROM event_log WHERE seq > {before} GROUP BY kind"))
    assert workspace.count("event_log") > before
    assert kinds.get("event_retracted", 0) >= 1 and kinds.get("mention_retracted", 0) >= 1
    assert kinds.get("document_revised") == 1


def test_deleting_the_file_empties_the_timeline_and_grows_the_log(workspace):
    seed = workspace.add_seed()
    workspace.run()
    before = workspace.count("event_log")
    seed.unlink()
    workspace.run()
    assert workspace.count("timeline") == 0
    assert workspace.count("documents") == 0
    assert workspace.count("event_log") > before
    assert workspace.query("SELECT count(*) FROM event_log WHERE kind = 'document_withdrawn'")[0][0] == 1


def test_rebuild_from_the_log_equals_incremental_tables(workspace):
    seed = workspace.add_seed()
    workspace.add_seed("copy.txt")
    workspace.run()
    seed.write_text(seed.read_text("utf-8").replace(EDIT, ""), "utf-8")
    workspace.run()
    (workspace.seeds / "copy.txt").unlink()
    workspace.run()
    incremental = {t: _table(workspace, t) for t in PROJECTIONS}
    result = publish(workspace.db, rebuild=True)
    assert result.mode == "rebuild"
    rebuilt = {t: _table(workspace, t) for t in PROJECTIONS}
    assert rebuilt == incremental
    assert incremental["timeline"]


def test_as_of_a_moment_before_the_edit_gives_the_old_timeline(workspace):
    seed = workspace.add_seed()
    workspace.run()
    moment = datetime.now(UTC).replace(tzinfo=None)
    time.sleep(0.01)
    seed.write_text(seed.read_text("utf-8").replace(EDIT, ""), "utf-8")
    workspace.run()
    old = {r[0] for r in workspace.query(
        "SELECT earliest FROM timeline_as_of(?::TIMESTAMP) WHERE granularity = 'day'", [moment])}
    assert date(2020, 7, 17) in old
    assert date(2020, 7, 17) not in _days(workspace)
    now = _table_as_of(workspace, datetime.now(UTC).replace(tzinfo=None))
    assert now == sorted(workspace.query("SELECT event_id FROM timeline"))


def _table_as_of(ws, moment):
    return sorted(ws.query("SELECT event_id FROM timeline_as_of(?::TIMESTAMP)", [moment]))


def test_cli_show_as_of(workspace):
    from typer.testing import CliRunner

    from pipelines.cli import app

    seed = workspace.add_seed()
    workspace.run()
    moment = datetime.now(UTC).replace(tzinfo=None).isoformat()
    seed.write_text(seed.read_text("utf-8").replace(EDIT, ""), "utf-8")
    workspace.run()
    runner = CliRunner()
    old = runner.invoke(app, ["show", "--db", str(workspace.db), "--as-of", moment, "--format", "csv"])
    new = runner.invoke(app, ["show", "--db", str(workspace.db), "--format", "csv"])
    assert old.exit_code == 0 and new.exit_code == 0
    assert "2020-07-17" in old.stdout
    assert "2020-07-17" not in new.stdout


def test_new_extractor_version_is_recorded_not_overwritten(workspace):
    workspace.add_seed()
    workspace.run()
    first = workspace.count("event_log")
    events_before = workspace.count("events")
    workspace.run(extractor_version="test-next")
    kinds = dict(workspace.query(f"SELECT kind, count(*) FROM event_log WHERE seq > {first} GROUP BY kind"))
    assert kinds.get("document_rederived") == 1
    assert kinds.get("event_retracted") == events_before
    assert workspace.query("SELECT DISTINCT extractor_version FROM documents") == [("test-next",)]
    assert workspace.count("events") == events_before


def test_the_log_is_append_only(workspace):
    seed = workspace.add_seed()
    workspace.run()
    first = workspace.query("SELECT seq, kind, entity_id, payload FROM event_log ORDER BY seq")
    seed.write_text(seed.read_text("utf-8").replace(EDIT, ""), "utf-8")
    workspace.run()
    seed.unlink()
    workspace.run()
    later = workspace.query("SELECT seq, kind, entity_id, payload FROM event_log ORDER BY seq")
    assert later[: len(first)] == first
    seqs = [r[0] for r in later]
    assert seqs == sorted(set(seqs))


V1_DDL = """
CREATE TABLE event_log (seq BIGINT, recorded_at TIMESTAMP, kind VARCHAR, doc_id VARCHAR,
                        entity_id VARCHAR, path VARCHAR, payload JSON, content_hash VARCHAR);
"""


def test_an_older_warehouse_is_upgraded(workspace):
    """A version-1 file (log only inside the DuckDB file, no extractor version) is adopted."""
    workspace.add_seed()
    workspace.run()
    rows = workspace.query(
        "SELECT seq, recorded_at, kind, doc_id, entity_id, path, payload, content_hash FROM event_log")
    old = workspace.root / "old" / "timeline.duckdb"
    old.parent.mkdir()
    with duckdb.connect(str(old)) as con:
        con.execute(V1_DDL)
        con.executemany("INSERT INTO event_log VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    result = publish(old)
    assert result.published
    with duckdb.connect(str(old), read_only=True) as con:
        assert con.execute("SELECT max(version) FROM schema_version").fetchone()[0] == SCHEMA_VERSION
        assert con.execute("SELECT count(*) FROM event_log").fetchone()[0] == len(rows)
        assert con.execute("SELECT count(*) FROM timeline").fetchone()[0] == workspace.count("timeline")
        note = con.execute("SELECT note FROM schema_version").fetchone()[0]
    assert "upgraded from schema version 1" in note


READER = textwrap.dedent("""
    import sys, time, duckdb
    path, seconds = sys.argv[1], float(sys.argv[2])
    con = duckdb.connect(path, read_only=True)
    print("open", flush=True)
    counts = set()
    deadline = time.time() + seconds
    while time.time() < deadline:
        counts.add(con.execute("SELECT count(*) FROM timeline").fetchone()[0])
        time.sleep(0.02)
    con.close()
    # a fresh reader after the run sees the new file
    con = duckdb.connect(path, read_only=True)
    counts.add(con.execute("SELECT count(*) FROM timeline").fetchone()[0])
    print(sorted(counts), flush=True)
""")


def test_a_reader_holding_the_file_never_blocks_a_run(workspace):
    seed = workspace.add_seed()
    workspace.run()
    old_count = workspace.count("timeline")
    reader = subprocess.Popen([sys.executable, "-c", READER, str(workspace.db), "6"],
                              stdout=subprocess.PIPE, text=True)
    assert reader.stdout.readline().strip() == "open"
    seed.write_text(seed.read_text("utf-8").replace(EDIT, ""), "utf-8")
    workspace.run()  # asserts success
    new_count = workspace.count("timeline")
    out, _ = reader.communicate(timeout=60)
    assert reader.returncode == 0
    seen = set(eval(out.strip().splitlines()[-1]))  # noqa: S307 - our own child's list of ints
    assert seen <= {old_count, new_count}
    assert new_count in seen and old_count != new_count


def test_a_file_built_by_other_projection_sql_is_rebuilt(workspace):
    """A release that adds a column must not meet tables an older release published."""
    workspace.add_seed()
    workspace.run()
    expected = _table(workspace, "timeline")
    with duckdb.connect(str(workspace.db)) as con:  # what an older release left behind
        con.execute("ALTER TABLE timeline DROP COLUMN modality")
        con.execute("ALTER TABLE events DROP COLUMN modality")
        con.execute("UPDATE warehouse_meta SET value = 'older' WHERE key = 'projection_digest'")
    result = publish(workspace.db)
    assert result.mode == "rebuild"
    assert _table(workspace, "timeline") == expected


def test_a_run_says_when_a_new_extractor_derives_its_documents_again(workspace, capsys):
    from pipelines.local_run import run_in_process
    from pipelines.store.api import Store

    workspace.add_seed()
    workspace.run()
    capsys.readouterr()
    same = Store(workspace.db, workspace.seeds, workers=1, extractor_version=workspace.settings().extractor_version)
    assert run_in_process(same, show_progress=True).success
    assert "derived again" not in capsys.readouterr().err
    newer = Store(workspace.db, workspace.seeds, workers=1, extractor_version="test-next", reread=True)
    planned = newer.plan(newer.scan(newer.folder_paths(), whole_folder=True))
    assert planned.plan.rederived == 1 and len(planned.plan.to_extract) == 1
    assert run_in_process(newer, show_progress=True).success
    assert "extractor test-next: 1 document an earlier extractor derived is derived again" in capsys.readouterr().err
    assert workspace.query("SELECT count(*) FROM event_log WHERE kind = 'document_rederived'") == [(1,)]
