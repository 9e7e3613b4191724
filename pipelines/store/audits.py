"""Audits of a warehouse build, run on the buffer being built before the link is switched to it.

Blocking audits stop publication: the previous published file stays in place. Dagster
reports each audit as an asset check; the CLI prints failures.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field

import duckdb

from pipelines.store.ranges import within_ranges


@dataclass(frozen=True, slots=True)
class Audit:
    name: str
    table: str  # the published table the audit guards
    description: str
    sql: str  # returns offending rows; none means the audit passes
    blocking: bool = True
    # The rows of `sql` are spans (id, doc_id, char_start, char_end, text) that must be
    # their document's text at those offsets; the comparison is done in Python (see
    # `_spans_off_their_text`), so `sql` lists every span, not the offending ones.
    spans: bool = False
    # The same audit over the rows of some documents only (`{docs}`: a relation of
    # doc_id), for a publish that changed only those: the rest passed when it was
    # published and has not changed since. None: the audit always reads everything.
    # `{rows}` there is a predicate on `table`'s rowid that holds for those documents'
    # rows and that its scan prunes by (`_rows_of_documents`).
    scoped: str | None = None


@dataclass(slots=True)
class AuditOutcome:
    audit: Audit
    passed: bool
    failures: int
    sample: list[tuple] = field(default_factory=list)


MAX_FAILURES = 1000  # counted per audit; enough to tell one bad row from a broken build

AUDITS: tuple[Audit, ...] = (
    Audit(
        "evidence_at_offsets", "events",
        "Every event's evidence is the text of its document at its char_start/char_end.",
        "SELECT event_id, doc_id, char_start, char_end, evidence FROM events",
        spans=True,
        scoped="SELECT event_id, doc_id, char_start, char_end, evidence FROM events "
               "WHERE {rows} AND doc_id IN (SELECT doc_id FROM {docs})",
    ),
    Audit(
        "mention_text_at_offsets", "time_mentions",
        "Every time mention's text is the text of its document at its offsets.",
        "SELECT mention_id, doc_id, char_start, char_end, text FROM time_mentions",
        spans=True,
        scoped="SELECT mention_id, doc_id, char_start, char_end, text FROM time_mentions "
               "WHERE {rows} AND doc_id IN (SELECT doc_id FROM {docs})",
    ),
    Audit(
        "bounds_ordered", "timeline",
        "earliest <= latest for every event and timeline row.",
        """
        SELECT event_id, earliest, latest FROM events WHERE earliest > latest
        UNION ALL SELECT event_id, earliest, latest FROM timeline WHERE earliest > latest
        """,
    ),
    Audit(
        "not_after_publication", "timeline",
        "No reported event starts after its article's publication (announced, planned "
        "events may).",
        """
        SELECT e.event_id, e.earliest, d.published_at
        FROM events e JOIN documents d USING (doc_id)
        WHERE NOT coalesce(e.is_routine, false) AND e.modality = 'reported'
          AND e.earliest > CAST(d.published_at AS DATE)
        """,
        scoped="""
        SELECT e.event_id, e.earliest, d.published_at
        FROM events e JOIN documents d USING (doc_id)
        WHERE e.doc_id IN (SELECT doc_id FROM {docs})
          AND NOT coalesce(e.is_routine, false) AND e.modality = 'reported'
          AND e.earliest > CAST(d.published_at AS DATE)
        """,
    ),
    Audit(
        "unique_event_ids", "events",
        "No event id appears twice in events or timeline.",
        """
        SELECT event_id, count(*) FROM events GROUP BY event_id HAVING count(*) > 1
        UNION ALL SELECT event_id, count(*) FROM timeline GROUP BY event_id HAVING count(*) > 1
        """,
        scoped="""
        SELECT event_id, count(*) FROM events
        WHERE event_id IN (SELECT event_id FROM events WHERE doc_id IN (SELECT doc_id FROM {docs}))
        GROUP BY event_id HAVING count(*) > 1
        UNION ALL SELECT event_id, count(*) FROM timeline GROUP BY event_id HAVING count(*) > 1
        """,
    ),
    Audit(
        "timeline_not_empty", "timeline",
        "A non-empty ingest gives a non-empty timeline.",
        """
        SELECT 'documents with events but an empty timeline'
        WHERE (SELECT count(*) FROM events WHERE NOT coalesce(is_routine, false)
                 AND earliest IS NOT NULL) > 0
          AND (SELECT count(*) FROM timeline) = 0
        """,
    ),
)


def run_audits(con: duckdb.DuckDBPyConnection, audits: tuple[Audit, ...] = AUDITS,
               docs: str | None = None) -> list[AuditOutcome]:
    """Run `audits`; with `docs` (a relation of doc_id: the documents a publish changed),
    the scoped ones read those documents' rows only."""
    outcomes = []
    for audit in audits:
        sql = audit.sql
        if docs and audit.scoped:
            rows = _rows_of_documents(con, audit.table, docs) if "{rows}" in audit.scoped else ""
            sql = audit.scoped.format(docs=docs, rows=rows)
        if audit.spans:
            rows = _spans_off_their_text(con, sql, docs if docs and audit.scoped else None)
        else:
            rows = con.execute(f"SELECT * FROM ({sql}) LIMIT {MAX_FAILURES}").fetchall()
        outcomes.append(AuditOutcome(audit, not rows, len(rows), rows[:5]))
    return outcomes


_BATCH_ROWS = 2048


def _spans_off_their_text(con: duckdb.DuckDBPyConnection, spans_sql: str,
                          docs: str | None = None) -> list[tuple]:
    """(id, doc_id, char_start, char_end) of each span that is not its document's text at
    its offsets, lies outside it, or belongs to no published document.

    Compared in Python, one document at a time: DuckDB's substring counts characters from
    the start of the text on every call, so a hundred thousand mentions in one long
    article were quadratic (31 s for "2020年" repeated 100,000 times), while a Python
    string slices in constant time. Both sides stream in doc_id order (a merge), so no
    more than one batch of texts is held at once.
    """
    with con.cursor() as documents, con.cursor() as spans:
        scope = f"AND {_rows_of_documents(con, 'documents', docs)} AND doc_id IN (SELECT doc_id FROM {docs})" \
            if docs else ""
        documents.execute("SELECT doc_id, coalesce(text, '') FROM documents "
                          f"WHERE doc_id IS NOT NULL {scope} ORDER BY doc_id")
        spans.execute(f"SELECT * FROM ({spans_sql}) WHERE doc_id IS NOT NULL ORDER BY doc_id")
        return _merge_spans(_batched(documents), _batched(spans))


def _rows_of_documents(con: duckdb.DuckDBPyConnection, table: str, docs: str) -> str:
    """A predicate on `table`'s rowid holding for the rows of the documents in `docs`: the
    constant bounds of their rowids (`ranges.within_ranges`), which the scan prunes by. A
    publish's changed documents have their rows at each table's end, and a semi-join on
    doc_id alone decompressed the wide column of every row (the texts of 100,000 documents,
    0.2 s, to audit a thousand); the caller still filters by doc_id exactly."""
    return within_ranges(con, f"(SELECT rowid AS pos FROM {table} WHERE doc_id IN (SELECT doc_id FROM {docs}))",
                         "rowid")


def _merge_spans(documents: Iterator[tuple], spans: Iterator[tuple]) -> list[tuple]:
    offending: list[tuple] = []
    doc_id, text = "", ""
    for span_id, span_doc, start, end, quoted in spans:
        while doc_id is not None and doc_id < span_doc:
            doc_id, text = next(documents, (None, ""))
        # A span of no published document is as wrong as one off its text (and a merge
        # that lost its step would show here rather than pass in silence).
        found = doc_id == span_doc
        inside = found and start is not None and end is not None and 0 <= start < end <= len(text)
        if not inside or text[start:end] != quoted:
            offending.append((span_id, span_doc, start, end))
            if len(offending) >= MAX_FAILURES:
                break
    return offending


def _batched(cursor: duckdb.DuckDBPyConnection) -> Iterator[tuple]:
    while rows := cursor.fetchmany(_BATCH_ROWS):
        yield from rows


# The outcomes of the audits of a publish, written into the buffer they judged, before the
# link is switched to it. A published buffer never changes while linked, so a run that finds
# nothing new to publish reports these instead of auditing the whole file again (at 100k
# articles the span audits alone read every text: most of an unchanged run's seconds).
OUTCOMES_TABLE = "audit_outcomes"


def _audit_digest(audit: Audit) -> str:
    """What an outcome was computed by: another SQL or mode makes a recorded one stale."""
    return hashlib.sha256(f"{audit.sql}\x00{audit.spans}".encode()).hexdigest()[:16]


def record_outcomes(con: duckdb.DuckDBPyConnection, outcomes: list[AuditOutcome]) -> None:
    """Keep the outcomes in the database they judged (the buffer, before the switch to it)."""
    con.execute(f"CREATE OR REPLACE TABLE {OUTCOMES_TABLE} (name VARCHAR, audit_digest VARCHAR, "
                "passed BOOLEAN, failures INTEGER, sample VARCHAR[])")
    con.executemany(f"INSERT INTO {OUTCOMES_TABLE} VALUES (?, ?, ?, ?, ?)",
                    [[o.audit.name, _audit_digest(o.audit), o.passed, o.failures, [str(r) for r in o.sample]]
                     for o in outcomes])


def published_outcomes(con: duckdb.DuckDBPyConnection,
                       audits: tuple[Audit, ...] = AUDITS) -> tuple[list[AuditOutcome], int]:
    """The outcomes of `audits` on a published file: those its publish recorded, and any
    audit it has no current record of (a file published before recording, or an audit
    since added or changed) run now. Also returns how many were run now."""
    recorded: dict[str, tuple] = {}
    with contextlib.suppress(duckdb.CatalogException):  # published before outcomes were recorded
        rows = con.execute(f"SELECT name, audit_digest, passed, failures, sample FROM {OUTCOMES_TABLE}").fetchall()
        recorded = {r[0]: r[1:] for r in rows}
    outcomes, missing = [], []
    for audit in audits:
        found = recorded.get(audit.name)
        if found is not None and found[0] == _audit_digest(audit):
            outcomes.append(AuditOutcome(audit, bool(found[1]), int(found[2]), [(s,) for s in found[3] or []]))
        else:
            missing.append(audit)
    run_now = {o.audit.name: o for o in run_audits(con, tuple(missing))} if missing else {}
    by_name = {o.audit.name: o for o in outcomes} | run_now
    return [by_name[a.name] for a in audits], len(missing)


class AuditFailed(RuntimeError):
    def __init__(self, outcomes: list[AuditOutcome]) -> None:
        self.outcomes = outcomes
        failed = [o for o in outcomes if not o.passed and o.audit.blocking]
        names = ", ".join(f"{o.audit.name} ({o.failures} rows)" for o in failed)
        super().__init__(f"blocking audits failed, previous timeline kept: {names}")
