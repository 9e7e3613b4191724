"""Each audit (a blocking asset check of the `warehouse` asset) fails on a table with one bad
row, and a failing blocking audit keeps the previously published file."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import duckdb
import pytest
from dagster_fixtures import write_article

from pipelines.defs.assets import warehouse
from pipelines.store.audits import AUDITS, run_audits
from pipelines.store.eventlog import EventLog
from pipelines.store.warehouse import publish

TEXT = "2021年5月11日晚，宜宾发生地震。"

GOOD = [
    "INSERT INTO documents VALUES ('d1', '{text}', TIMESTAMP '2021-05-12 09:00:00')",
    "INSERT INTO events VALUES ('e1', 'd1', DATE '2021-05-11', DATE '2021-05-11', false, "
    "'宜宾发生地震', 12, 18, 'reported')",
    "INSERT INTO time_mentions VALUES ('m1', 'd1', '2021年5月11日', 0, 10)",
    "INSERT INTO timeline VALUES ('e1', DATE '2021-05-11', DATE '2021-05-11')",
]

# One bad row per audit, on top of the good tables.
BAD = {
    "evidence_at_offsets": "UPDATE events SET char_start = 3",
    "mention_text_at_offsets": "UPDATE time_mentions SET char_end = 5",
    "bounds_ordered": "INSERT INTO timeline VALUES ('e2', DATE '2021-05-12', DATE '2021-05-01')",
    "not_after_publication": "UPDATE events SET earliest = DATE '2021-06-01', latest = DATE '2021-06-01'",
    "unique_event_ids": "INSERT INTO timeline VALUES ('e1', DATE '2021-05-11', DATE '2021-05-11')",
    "timeline_not_empty": "DELETE FROM timeline",
}


def small_warehouse() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE TABLE documents (doc_id VARCHAR, text VARCHAR, published_at TIMESTAMP)")
    con.execute("CREATE TABLE events (event_id VARCHAR, doc_id VARCHAR, earliest DATE, latest DATE, "
                "is_routine BOOLEAN, evidence VARCHAR, char_start INTEGER, char_end INTEGER, "
                "modality VARCHAR DEFAULT 'reported')")
    con.execute("CREATE TABLE time_mentions (mention_id VARCHAR, doc_id VARCHAR, text VARCHAR, "
                "char_start INTEGER, char_end INTEGER)")
    con.execute("CREATE TABLE timeline (event_id VARCHAR, earliest DATE, latest DATE)")
    for sql in GOOD:
        con.execute(sql.format(text=TEXT))
    return con


def test_the_hand_built_warehouse_passes_every_audit():
    assert TEXT[12:18] == "宜宾发生地震" and TEXT[0:10] == "2021年5月11日"
    outcomes = run_audits(small_warehouse())
    assert [o.audit.name for o in outcomes if not o.passed] == []


def test_every_audit_has_a_bad_row_here():
    assert set(BAD) == {a.name for a in AUDITS}


@pytest.mark.parametrize("name", sorted(BAD))
def test_each_audit_fails_on_its_bad_row_only(name: str):
    con = small_warehouse()
    con.execute(BAD[name])
    failed = [o for o in run_audits(con) if not o.passed]
    assert [o.audit.name for o in failed] == [name]
    assert failed[0].failures >= 1 and failed[0].sample


@pytest.mark.parametrize("name", sorted(BAD))
def test_each_audit_scoped_to_the_changed_documents_fails_on_its_bad_row_only(name: str):
    con = small_warehouse()
    con.execute(BAD[name])
    con.execute("CREATE TABLE changed AS SELECT 'd1' AS doc_id")
    failed = [o for o in run_audits(con, docs="changed") if not o.passed]
    assert [o.audit.name for o in failed] == [name]


@pytest.mark.parametrize("name", ["evidence_at_offsets", "mention_text_at_offsets", "not_after_publication"])
def test_a_scoped_audit_does_not_read_documents_the_publish_left_alone(name: str):
    con = small_warehouse()
    con.execute(BAD[name])
    con.execute("CREATE TABLE changed AS SELECT 'another' AS doc_id")
    assert all(o.passed for o in run_audits(con, docs="changed"))
    assert not all(o.passed for o in run_audits(con))


# Spans (an event's evidence, a mention's text) are wrong in more ways than one offset.
BAD_SPANS = {
    "a mention past the end of its text": "UPDATE time_mentions SET char_start = 20, char_end = 30",
    "a mention of no published document": "UPDATE time_mentions SET doc_id = 'gone'",
    "a mention with no offsets": "UPDATE time_mentions SET char_start = NULL",
    "a mention counted from the end": "UPDATE time_mentions SET char_start = -10",
    "an empty mention": "UPDATE time_mentions SET char_start = 0, char_end = 0, text = ''",
    "a mention in the second of two documents, off by one": (
        "INSERT INTO documents VALUES ('d0', 'x2021年5月11日', NULL);"
        "INSERT INTO documents VALUES ('d2', 'x2021年5月11日', NULL);"
        "INSERT INTO time_mentions VALUES ('m0', 'd0', '2021年5月11日', 1, 11);"
        "INSERT INTO time_mentions VALUES ('m2', 'd2', '2021年5月11日', 0, 10)"),
}


@pytest.mark.parametrize("case", sorted(BAD_SPANS))
def test_a_span_off_its_text_fails_its_audit(case: str):
    con = small_warehouse()
    con.execute(BAD_SPANS[case])
    failed = [o for o in run_audits(con) if not o.passed]
    assert [o.audit.name for o in failed] == ["mention_text_at_offsets"]
    assert failed[0].failures == 1


def test_every_audit_is_a_blocking_check_of_the_warehouse_asset():
    specs = {(s.asset_key.to_user_string(), s.name): s for s in warehouse.check_specs}
    assert {(a.table, a.name) for a in AUDITS} == set(specs)
    assert all(s.blocking for s in specs.values())


def test_failed_blocking_audit_keeps_the_previous_published_file(tmp_path: Path, monkeypatch):
    seeds, db = tmp_path / "seeds", tmp_path / "wh" / "timeline.duckdb"
    write_article(seeds, "a.txt", 0)
    from pipelines.defs.resources import TimelineSettings
    from pipelines.runner import run_pipeline

    settings = TimelineSettings(seeds_dir=str(seeds), db_path=str(db), workers=1)
    assert run_pipeline(settings).success
    before = db.read_bytes()

    write_article(seeds, "b.txt", 1)
    # The non-empty-timeline audit, made to fail as soon as there are two documents (the
    # asset only reports checks it declares, so the audit keeps its name).
    strict = tuple(
        dataclasses.replace(a, sql="SELECT doc_id FROM documents "
                                   "WHERE (SELECT count(*) FROM documents) > 1")
        if a.name == "timeline_not_empty" else a for a in AUDITS)
    monkeypatch.setattr("pipelines.store.warehouse.run_audits",
                        lambda con, docs=None: run_audits(con, strict, docs))
    outcome = run_pipeline(settings)
    assert not outcome.success
    assert "timeline_not_empty" in (outcome.error or "")
    assert db.read_bytes() == before  # the published file is the old one, byte for byte
    assert not list(db.parent.glob(".timeline.duckdb.staging-*"))
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == 1
    # The log has both documents; the next publish that passes its audits shows them.
    monkeypatch.undo()
    result = publish(db, EventLog.beside(db))
    assert result.published
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == 2


def test_a_planned_event_after_publication_is_not_a_violation():
    con = small_warehouse()
    con.execute("UPDATE events SET earliest = DATE '2021-06-01', latest = DATE '2021-06-01', "
                "modality = 'planned'")
    failed = [o.audit.name for o in run_audits(con) if not o.passed]
    assert "not_after_publication" not in failed


def test_a_scoped_span_audit_reads_the_changed_documents_wherever_their_rows_lie():
    """The scoped span audits fetch rows between bounds of the changed documents' rowids:
    documents whose rows lie far apart (several ranges) are each audited, the others not."""
    con = small_warehouse()
    con.execute("DELETE FROM documents; DELETE FROM events; DELETE FROM time_mentions")
    con.execute(f"INSERT INTO documents SELECT 'd' || lpad(i::VARCHAR, 5, '0'), '{TEXT}', NULL FROM range(6000) t(i)")
    con.execute("INSERT INTO events SELECT 'e' || doc_id, doc_id, NULL, NULL, true, '宜宾发生地震', 12, 18, "
                "'reported' FROM documents")
    con.execute("INSERT INTO time_mentions SELECT 'm' || doc_id, doc_id, '2021年5月11日', 0, 10 FROM documents")
    bad = ["d00010", "d05990"]  # rows thousands apart: two ranges of rowids
    con.execute("UPDATE events SET char_start = 3 WHERE doc_id IN ('d00010', 'd05990', 'd03000')")
    con.execute("UPDATE time_mentions SET char_end = 5 WHERE doc_id IN ('d00010', 'd05990', 'd03000')")
    con.execute("CREATE TABLE changed AS SELECT unnest(['d00010', 'd05990', 'd04000']) AS doc_id")
    failed = {o.audit.name: o for o in run_audits(con, docs="changed") if not o.passed}
    assert set(failed) == {"evidence_at_offsets", "mention_text_at_offsets"}
    for outcome in failed.values():
        assert sorted(row[1] for row in outcome.sample) == bad
