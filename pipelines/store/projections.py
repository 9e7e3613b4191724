"""Projections of the event log, as SQL over a relation named `log`.

The same queries build the published tables and, at each append of the log, the versions
the `*_as_of(ts)` macros read, so the timeline "as it was recorded at a moment" is
computed exactly as the current one is.
"""

from __future__ import annotations

import hashlib

from pipelines.store.fact import FactKind


def _parsed(column: str, structure: str) -> str:
    """`column`'s JSON parsed once into a struct of `structure` (from_json), written for a
    template that str.format fills in (its braces doubled): reading a struct's fields beside
    it costs one parse per row, where `->>` per field parses the payload once per column."""
    return f"from_json({column}, '{structure}')".replace("{", "{{").replace("}", "}}")


# The documents' payload parsed once (_parsed): 0.23 -> 0.08 s for 3,000 articles' documents.
_DOCUMENT_PAYLOAD = (
    '{"path":"VARCHAR","title":"VARCHAR","source":"VARCHAR","published_at":"VARCHAR","editor":"VARCHAR",'
    '"authors":["VARCHAR"],"encoding":"VARCHAR","script":"VARCHAR","flags":["VARCHAR"],'
    '"extraction_error":"VARCHAR","body_start":"INTEGER","text":"VARCHAR"}'
)

# The payload (a document's whole text) is fetched by joining on the seq of the fact that
# holds it, not carried through the aggregate as arg_max(payload, seq): aggregate states
# of strings do not spill, so the whole corpus's text was held in memory at once (2.3 GiB
# at 30k articles); a join streams it.
DOCUMENTS = """
SELECT doc_id,
       p.path,
       p.title,
       p.source,
       TRY_CAST(p.published_at AS TIMESTAMP) AS published_at,
       content_hash,
       p.editor,
       p.authors,
       p.encoding,
       p.script,
       p.flags,
       p.extraction_error,
       p.body_start,
       extractor_version,
       first_recorded_at,
       last_recorded_at,
       p.text
FROM (
SELECT latest.doc_id,
       fact.content_hash,
       latest.extractor_version,
       latest.first_recorded_at,
       latest.recorded_at AS last_recorded_at,
       """ + _parsed("fact.payload", _DOCUMENT_PAYLOAD) + """ AS p
FROM (
    SELECT doc_id,
           arg_max(kind, seq) AS last_kind,
           max(seq) FILTER (WHERE kind IN ('{k.DOCUMENT_INGESTED}', '{k.DOCUMENT_REVISED}')) AS payload_seq,
           arg_max(extractor_version, seq) FILTER (WHERE kind <> '{k.DOCUMENT_WITHDRAWN}') AS extractor_version,
           min(recorded_at) AS first_recorded_at,
           max(recorded_at) AS recorded_at
    FROM log
    WHERE kind IN ('{k.DOCUMENT_INGESTED}', '{k.DOCUMENT_REVISED}', '{k.DOCUMENT_WITHDRAWN}',
                   '{k.DOCUMENT_REDERIVED}')
      {doc_filter}
    GROUP BY doc_id
) AS latest
JOIN log AS fact ON fact.seq = latest.payload_seq
WHERE latest.last_kind <> '{k.DOCUMENT_WITHDRAWN}'
)
"""

_ENTITIES = """
SELECT latest.doc_id, latest.entity_id, fact.payload, latest.recorded_at
FROM (
    SELECT entity_id,
           arg_max(doc_id, seq) AS doc_id,
           arg_max(kind, seq) AS last_kind,
           max(seq) AS last_seq,
           max(recorded_at) AS recorded_at
    FROM log
    WHERE kind IN ('{observed}', '{retracted}') {doc_filter}
    GROUP BY entity_id
) AS latest
JOIN log AS fact ON fact.seq = latest.last_seq
WHERE latest.last_kind = '{observed}'
  AND latest.doc_id IN (SELECT doc_id FROM {documents})
"""

_MENTION_PAYLOAD = (
    '{"text":"VARCHAR","start":"INTEGER","end":"INTEGER","type":"VARCHAR","value":"VARCHAR",'
    '"earliest":"VARCHAR","latest":"VARCHAR","granularity":"VARCHAR","vague":"BOOLEAN","rule":"VARCHAR"}'
)

TIME_MENTIONS = """
SELECT doc_id,
       entity_id AS mention_id,
       p.text,
       p.start AS char_start,
       p."end" AS char_end,
       p.type,
       p.value,
       TRY_CAST(p.earliest AS DATE) AS earliest,
       TRY_CAST(p.latest AS DATE) AS latest,
       p.granularity,
       p.vague,
       p.rule,
       recorded_at
FROM (SELECT *, """ + _parsed("payload", _MENTION_PAYLOAD) + """ AS p
      FROM ({entities}))
"""

# The events' payload parsed once (_parsed): with twenty fields, `payload ->> '$.x'` per
# column was 8x slower on 26k events.
_EVENT_PAYLOAD = (
    '{"event_type":"VARCHAR","label_zh":"VARCHAR","headline":"VARCHAR","earliest":"VARCHAR",'
    '"latest":"VARCHAR","granularity":"VARCHAR","date_basis":"VARCHAR","time_text":"VARCHAR",'
    '"place":"VARCHAR","actors":["VARCHAR"],"session":"JSON","trigger":"VARCHAR","evidence":"VARCHAR",'
    '"char_start":"INTEGER","char_end":"INTEGER","is_routine":"BOOLEAN","merge_key":"VARCHAR",'
    '"modality":"VARCHAR","time_start":"INTEGER","time_end":"INTEGER"}'
)

EVENTS = """
SELECT entity_id AS event_id,
       doc_id,
       p.event_type,
       p.label_zh AS event_label,
       p.headline,
       TRY_CAST(p.earliest AS DATE) AS earliest,
       TRY_CAST(p.latest AS DATE) AS latest,
       p.granularity,
       p.date_basis,
       p.time_text,
       p.place,
       p.actors,
       CAST(p.session AS VARCHAR) AS session,
       p.trigger,
       p.evidence,
       p.char_start,
       p.char_end,
       p.is_routine,
       p.merge_key,
       coalesce(p.modality, 'reported') AS modality,
       p.time_start,
       p.time_end,
       recorded_at
FROM (SELECT *, """ + _parsed("payload", _EVENT_PAYLOAD) + """ AS p
      FROM ({entities}))
"""

# One row per distinct event: events of several articles merge when they share a merge
# key and their date bounds overlap (chains of overlaps merge, as in interval merging).
# Only precise reports (bounds of at most a month) chain: a report bounded by "this year,
# up to publication" overlaps everything of its key, and would chain a decade of unrelated
# 回应 into one row. Such a wide report joins the one group of its key that lies inside
# its bounds, or else the reports with its key and exactly its bounds.
# The most precise report (narrowest bounds, then earliest published, then id) speaks
# for the group.
def _day_key(e: str) -> str:
    return f"{e}merge_key = {e}event_type || '|' || split_part({e}merge_key, '|', 2)"


def _placeless_day(e: str) -> str:
    return f"starts_with({e}merge_key, {e}event_type || '||d:')"


# Events whose merge key depends on their day group (type, dates, modality): the placed
# reports of a day and the placeless ones that may join them. Only these need their group
# when a publish merges some keys again (warehouse._step_timeline); the others' keys are
# their own merge_key.
DAY_KEYED = f"({_day_key('')} OR {_placeless_day('')})"

_KEYED = """
WITH keyed AS (
    -- Only what keying and grouping read: the rows of the steps below are materialized, and
    -- with every column of each event they outgrew the publish's memory at 100k articles.
    -- The kept event's columns are joined back at the end.
    SELECT ev.event_id, ev.doc_id, ev.event_type, ev.earliest, ev.latest, ev.modality,
           coalesce(nullif(ev.merge_key, ''), ev.event_id) || '|' || ev.modality AS mkey,
           -- a typed act on a stated day keys as type|place, or type||d:words without a
           -- place (engine.make_merge_key)
           """ + _day_key("ev.") + """ AS day_key,
           """ + _placeless_day("ev.") + """ AS placeless_day,
           d.published_at, d.source
    FROM {events} ev JOIN {documents} d USING (doc_id)
    WHERE NOT coalesce(ev.is_routine, false)
      AND ev.earliest IS NOT NULL AND ev.latest IS NOT NULL
),
-- A report that names no place joins the one placed report of its type on its day (dozens
-- of articles on one arrest, some saying where): with two places that day it stays apart.
placed AS (
    SELECT event_type, earliest, latest, modality, min(mkey) AS place_key
    FROM keyed WHERE day_key
    GROUP BY ALL HAVING count(DISTINCT mkey) = 1
),
keyed_all AS (
    SELECT k.* EXCLUDE (placeless_day)
               REPLACE (CASE WHEN k.placeless_day AND p.place_key IS NOT NULL
                             THEN p.place_key ELSE k.mkey END AS mkey),
           k.latest - k.earliest > {wide_days} AS wide
    FROM keyed k LEFT JOIN placed p USING (event_type, earliest, latest, modality)
)"""
_TIMELINE_GROUPS = _KEYED + """,
-- The rows of a merge key depend only on the events of that key, so a publish may group
-- only the keys a change touched (warehouse._step_timeline).
e AS (SELECT * FROM keyed_all {key_filter}),
ordered AS (
    SELECT *, max(latest) OVER (PARTITION BY mkey ORDER BY earliest, latest, event_id
                                ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach
    FROM e WHERE NOT wide
),
precise AS (
    SELECT * EXCLUDE (reach), 'p' || sum(CASE WHEN reach IS NULL OR earliest > reach THEN 1 ELSE 0 END)
                  OVER (PARTITION BY mkey ORDER BY earliest, latest, event_id) AS island
    FROM ordered
),
spans AS (
    SELECT mkey, island, min(earliest) AS lo, max(latest) AS hi FROM precise GROUP BY ALL
),
homes AS (
    SELECT w.event_id, min(s.island) AS island
    FROM e w JOIN spans s ON s.mkey = w.mkey AND w.earliest <= s.lo AND s.hi <= w.latest
    WHERE w.wide GROUP BY w.event_id HAVING count(*) = 1
),
islands AS (
    SELECT * FROM precise
    UNION ALL BY NAME
    SELECT w.*, coalesce(h.island, 'w' || w.earliest || '/' || w.latest) AS island
    FROM e w LEFT JOIN homes h USING (event_id) WHERE w.wide
),
-- The lists are gathered, then sorted: DuckDB's ordered and distinct aggregates sort
-- within each group, a fifth of this step's time for the same lists.
groups AS (
    SELECT mkey, island, event_id, len(doc_ids) AS num_sources, doc_ids, event_ids, sources
    FROM (
        SELECT mkey, island,
               arg_min(event_id, (latest - earliest, published_at, event_id)) AS event_id,
               list_sort(list_distinct(list(doc_id))) AS doc_ids,
               list_sort(list(event_id)) AS event_ids,
               list_sort(list_distinct(list(source) FILTER (WHERE source IS NOT NULL))) AS sources
        FROM islands GROUP BY mkey, island
    )
)
"""
# The timeline rows of the groups: each group's kept event with its columns (from `kept`,
# which must hold every kept event) and its document's.
_TIMELINE_ROWS = """SELECT g.event_id, i.earliest, i.latest, i.granularity, i.date_basis,
       i.event_type, i.event_label, i.headline, i.place, i.actors, i.session,
       i.time_text, i.evidence, i.char_start, i.char_end, i.doc_id, d.source, d.title,
       d.published_at, g.num_sources, g.doc_ids, g.event_ids, g.sources, g.mkey AS merge_key,
       i.modality, i.time_start, i.time_end
FROM {groups} g JOIN {kept} i ON i.event_id = g.event_id JOIN {documents} d ON d.doc_id = i.doc_id
ORDER BY i.earliest, i.latest, i.event_type, g.event_id
"""

# The text the projection digest hashes, unchanged by the split above.
TIMELINE = _TIMELINE_GROUPS + _TIMELINE_ROWS.replace("{groups}", "groups").replace("{kept}", "{events}")
# What the keying reads of an event (`_KEYED`), and what the rows take of each kept event.
KEYING_COLUMNS = "event_id, doc_id, event_type, earliest, latest, modality, merge_key, is_routine"
KEPT_COLUMNS = ("event_id, earliest, latest, granularity, date_basis, event_type, event_label, headline, "
                "place, actors, session, time_text, evidence, char_start, char_end, doc_id, modality, "
                "time_start, time_end")

REJECTED = f"""
SELECT path, reason, content_hash, doc_id, recorded_at AS rejected_at,
       coalesce(nullif(regexp_extract(path, '^(.*):[0-9]+$', 1), ''), path) AS file,
       TRY_CAST(nullif(regexp_extract(path, ':([0-9]+)$', 1), '') AS INTEGER) AS line
FROM (
    SELECT path, arg_max(kind, seq) AS last_kind, arg_max(payload ->> '$.reason', seq) AS reason,
           arg_max(content_hash, seq) AS content_hash, arg_max(doc_id, seq) AS doc_id,
           max(recorded_at) AS recorded_at
    FROM log WHERE kind IN ('{FactKind.DOCUMENT_REJECTED}', '{FactKind.REJECTION_CLEARED}')
    GROUP BY path
)
WHERE last_kind = '{FactKind.DOCUMENT_REJECTED}'
"""


def documents_sql(doc_filter: str = "") -> str:
    return DOCUMENTS.format(doc_filter=doc_filter, k=FactKind)


def mentions_sql(documents: str, doc_filter: str = "") -> str:
    entities = _ENTITIES.format(observed=FactKind.MENTION_OBSERVED, retracted=FactKind.MENTION_RETRACTED,
                                doc_filter=doc_filter, documents=documents)
    return TIME_MENTIONS.format(entities=entities)


def events_sql(documents: str, doc_filter: str = "") -> str:
    entities = _ENTITIES.format(observed=FactKind.EVENT_OBSERVED, retracted=FactKind.EVENT_RETRACTED,
                                doc_filter=doc_filter, documents=documents)
    return EVENTS.format(entities=entities)


# Reports bounded more widely than this many days (a month) do not chain a merge.
WIDE_DAYS = 31


def merge_keys_sql(events: str, documents: str) -> str:
    """The merge keys `timeline_sql` would give the rows of `events` (same requirement on
    the day groups), without merging them."""
    return (_KEYED + "\nSELECT DISTINCT mkey AS merge_key FROM keyed_all").format(
        events=events, documents=documents, wide_days=WIDE_DAYS)


def timeline_sql(events: str, documents: str, key_filter: str = "") -> str:
    """The merged timeline of `events`; `key_filter` (a WHERE on `mkey`, the final merge
    key) keeps the rows of some keys only. `events` must hold every event of the day
    groups (type, dates, modality) of the events it holds: a placeless report takes its
    key from the one placed report of its day. It is read twice: a table, not a query."""
    return TIMELINE.format(events=events, documents=documents, wide_days=WIDE_DAYS, key_filter=key_filter)


def timeline_groups_sql(events: str, documents: str, key_filter: str = "") -> str:
    """`timeline_sql` up to its groups (per merge key and island: the kept event, the
    sources, the lists), with the same requirements on `events`; `events` needs only
    KEYING_COLUMNS. `timeline_rows_sql` makes them rows."""
    return (_TIMELINE_GROUPS + "SELECT * FROM groups").format(
        events=events, documents=documents, wide_days=WIDE_DAYS, key_filter=key_filter)


def timeline_rows_sql(groups: str, kept: str, documents: str) -> str:
    """The timeline rows of `groups` (a table of `timeline_groups_sql`), each kept event's
    KEPT_COLUMNS read from `kept`, which must hold every kept event once."""
    return _TIMELINE_ROWS.format(groups=groups, kept=kept, documents=documents)


# Each projection keeps its row versions in `<table>_history` with the moment each was
# recorded (`valid_from`) and superseded (`valid_to`, NULL while current): the facts'
# `recorded_at`, so a version holds exactly while the log's prefix up to a moment says so.
HISTORY_SCOPES = {"documents": "doc_id", "time_mentions": "doc_id", "events": "doc_id", "timeline": "merge_key"}


def as_of_macros() -> list[str]:
    """Table macros giving each projection as recorded at a moment `ts` (UTC), read from
    its history: the versions that held at `ts`."""
    return [
        f"CREATE OR REPLACE MACRO {table}_as_of(ts) AS TABLE "
        f"SELECT * EXCLUDE (valid_from, valid_to, row_hash) FROM {table}_history "
        f"WHERE valid_from <= ts AND (valid_to IS NULL OR valid_to > ts)"
        for table in HISTORY_SCOPES
    ]


def projection_digest() -> str:
    """Identifies the projection and audit SQL. A published file built by other SQL (an
    older or newer release of the same schema version) is rebuilt from the log, so a new
    column never meets an old table."""
    from pipelines.store.audits import AUDITS

    parts = [DOCUMENTS, _ENTITIES, TIME_MENTIONS, EVENTS, TIMELINE, REJECTED, *(a.sql for a in AUDITS)]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]
