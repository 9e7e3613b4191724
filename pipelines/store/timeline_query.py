"""Reading the published timeline with filters: dates, type, place, actor, a full-text
search, and the time it was recorded. One query builder for `timeline show` and
`timeline export --search`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import duckdb

from pipelines.store.search import search_argument, search_macro, spellings

SHOW_COLUMNS = ("earliest", "latest", "granularity", "date_basis", "event_type", "headline", "place",
                "array_to_string(actors, '、') AS actors", "num_sources", "modality", "evidence", "event_id")
CHRONOLOGICAL = "earliest, latest, event_type, event_id"


@dataclass(slots=True)
class TimelineQuery:
    date_from: date | None = None
    date_to: date | None = None
    event_type: str | None = None
    search: str | None = None
    place: str | None = None
    actor: str | None = None
    as_of: datetime | None = None
    limit: int | None = None
    most_reported: bool = False  # with a limit and no search: keep the most reported rows


def source_relation(con: duckdb.DuckDBPyConnection, request: TimelineQuery) -> tuple[str, list]:
    """The relation to select from (and its parameters): the timeline, as recorded at a
    moment, or ranked by a search (then with `score` and `terms_matched`)."""
    params: list = []
    if request.as_of is not None:
        base = "timeline_as_of(?::TIMESTAMP)"
        params.append(request.as_of)
    else:
        base = "timeline"
    if request.search is None:
        return base, params
    terms = _searchable(con, request.search)
    if base == "timeline":
        return "timeline_search(?)", [terms]
    # The macro ranks `timeline`; as of a moment, rank that and keep the rows of the moment.
    return (f"(SELECT s.* FROM timeline_search(?) s WHERE s.event_id IN "
            f"(SELECT event_id FROM {base}))", [terms, *params])


def where_clause(request: TimelineQuery) -> tuple[str, list]:
    where, params = ["TRUE"], []
    if request.date_from:
        where.append("latest >= ?")
        params.append(request.date_from)
    if request.date_to:
        where.append("earliest <= ?")
        params.append(request.date_to)
    if request.event_type:
        where.append("event_type = ?")
        params.append(request.event_type)
    if request.place:
        forms = spellings(request.place)
        where.append("(" + " OR ".join(["contains(coalesce(place, ''), ?)"] * len(forms)) + ")")
        params.extend(forms)
    if request.actor:
        forms = spellings(request.actor)
        where.append("(" + " OR ".join(["contains(coalesce(array_to_string(actors, '|'), ''), ?)"]
                                       * len(forms)) + ")")
        params.extend(forms)
    return " AND ".join(where), params


def query_timeline(con: duckdb.DuckDBPyConnection, request: TimelineQuery,
                   columns: tuple[str, ...] = SHOW_COLUMNS) -> tuple[list[str], list[tuple], int]:
    """(column names, rows, number of rows matching before the limit)."""
    source, params = source_relation(con, request)
    where, where_params = where_clause(request)
    params = [*params, *where_params]
    selected = ", ".join(columns) + (", score" if request.search is not None else "")
    matching = f"SELECT * FROM {source} WHERE {where}"
    total = con.execute(f"SELECT count(*) FROM ({matching})", params).fetchone()[0]
    if request.search is not None:
        order = f"terms_matched DESC, score DESC, {CHRONOLOGICAL}"
        sql = f"SELECT {selected} FROM ({matching}) ORDER BY {order}"
    elif request.limit is not None and request.most_reported and total > request.limit:
        sql = (f"SELECT {selected} FROM (SELECT * FROM ({matching}) ORDER BY coalesce(num_sources, 1) DESC, "
               f"{CHRONOLOGICAL} LIMIT {int(request.limit)}) ORDER BY {CHRONOLOGICAL}")
        cursor = con.execute(sql, params)
        return [d[0] for d in cursor.description], cursor.fetchall(), int(total)
    else:
        sql = f"SELECT {selected} FROM ({matching}) ORDER BY {CHRONOLOGICAL}"
    if request.limit is not None:
        sql += f" LIMIT {int(request.limit)}"
    cursor = con.execute(sql, params)
    return [d[0] for d in cursor.description], cursor.fetchall(), int(total)


def first_recorded(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """When the log's first fact was recorded (UTC), or None for an empty log."""
    return con.execute("SELECT min(recorded_at) FROM event_log").fetchone()[0]


def timeline_relation(con: duckdb.DuckDBPyConnection, search: str | None) -> str:
    """SQL for the timeline's rows, or only those a search matches (same columns), to put
    after FROM. For exports, whose COPY takes no parameters: the terms are a literal."""
    if search is None:
        return "timeline"
    terms = _searchable(con, search).replace("'", "''")
    return f"(SELECT * EXCLUDE (score, terms_matched) FROM timeline_search('{terms}'))"


def _searchable(con: duckdb.DuckDBPyConnection, search: str) -> str:
    """The macro's argument for `search`; a file published before the macro existed gets it
    for this connection."""
    con.execute(search_macro().replace("CREATE OR REPLACE MACRO", "CREATE OR REPLACE TEMP MACRO"))
    return search_argument(search)
