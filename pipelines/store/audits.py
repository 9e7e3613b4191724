"""Audits of a warehouse build, run on the staging copy before it is published.

Blocking audits stop publication: the previous published file stays in place. Dagster
reports each audit as an asset check; the CLI prints failures.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb


@dataclass(frozen=True, slots=True)
class Audit:
    name: str
    table: str  # the published table the audit guards
    description: str
    sql: str  # returns offending rows; none means the audit passes
    blocking: bool = True


@dataclass(slots=True)
class AuditOutcome:
    audit: Audit
    passed: bool
    failures: int
    sample: list[tuple] = field(default_factory=list)


AUDITS: tuple[Audit, ...] = (
    Audit(
        "evidence_at_offsets", "events",
        "Every event's evidence is the text of its document at its char_start/char_end.",
        """
        SELECT e.event_id, e.doc_id, e.char_start, e.char_end
        FROM events e JOIN documents d USING (doc_id)
        WHERE e.char_start < 0 OR e.char_end > length(d.text) OR e.char_start >= e.char_end
           OR substring(d.text, e.char_start + 1, e.char_end - e.char_start) <> e.evidence
        """,
    ),
    Audit(
        "mention_text_at_offsets", "time_mentions",
        "Every time mention's text is the text of its document at its offsets.",
        """
        SELECT m.mention_id, m.doc_id, m.char_start, m.char_end
        FROM time_mentions m JOIN documents d USING (doc_id)
        WHERE substring(d.text, m.char_start + 1, m.char_end - m.char_start) <> m.text
        """,
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
    ),
    Audit(
        "unique_event_ids", "events",
        "No event id appears twice in events or timeline.",
        """
        SELECT event_id, count(*) FROM events GROUP BY event_id HAVING count(*) > 1
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


def run_audits(con: duckdb.DuckDBPyConnection, audits: tuple[Audit, ...] = AUDITS) -> list[AuditOutcome]:
    outcomes = []
    for audit in audits:
        rows = con.execute(f"SELECT * FROM ({audit.sql}) LIMIT 1000").fetchall()
        outcomes.append(AuditOutcome(audit, not rows, len(rows), rows[:5]))
    return outcomes


class AuditFailed(RuntimeError):
    def __init__(self, outcomes: list[AuditOutcome]) -> None:
        self.outcomes = outcomes
        failed = [o for o in outcomes if not o.passed and o.audit.blocking]
        names = ", ".join(f"{o.audit.name} ({o.failures} rows)" for o in failed)
        super().__init__(f"blocking audits failed, previous timeline kept: {names}")
