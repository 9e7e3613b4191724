"""Reading the published timeline with filters: dates, type, place, actor, a full-text
search, and the time it was recorded. One query builder for `timeline show` and
`timeline export --search`."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

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
    sql, params, total, _ = _timeline_sql(con, request, columns)
    cursor = con.execute(sql, params)
    rows = cursor.fetchall()
    return [d[0] for d in cursor.description], rows, len(rows) if total is None else total


def _timeline_sql(con: duckdb.DuckDBPyConnection, request: TimelineQuery,
                  columns: tuple[str, ...]) -> tuple[str, list, int | None, str]:
    """The query of `query_timeline`, its parameters, the number of rows matching before
    the limit (None when there is no limit: then it is the number of rows the query gives,
    and counting them apart would run the query, as-of macro and all, twice), and the
    selected columns of every matching row, unordered and unlimited (same parameters)."""
    source, params = source_relation(con, request)
    where, where_params = where_clause(request)
    params = [*params, *where_params]
    selected = ", ".join(columns) + (", score" if request.search is not None else "")
    matching = f"SELECT * FROM {source} WHERE {where}"
    every = f"SELECT {selected} FROM ({matching})"
    total = None
    if request.limit is not None:
        total = int(con.execute(f"SELECT count(*) FROM ({matching})", params).fetchone()[0])
    if request.search is not None:
        order = f"terms_matched DESC, score DESC, {CHRONOLOGICAL}"
        sql = f"SELECT {selected} FROM ({matching}) ORDER BY {order}"
    elif request.limit is not None and request.most_reported and total > request.limit:
        return (f"SELECT {selected} FROM (SELECT * FROM ({matching}) ORDER BY coalesce(num_sources, 1) DESC, "
                f"{CHRONOLOGICAL} LIMIT {int(request.limit)}) ORDER BY {CHRONOLOGICAL}"), params, total, every
    else:
        sql = f"SELECT {selected} FROM ({matching}) ORDER BY {CHRONOLOGICAL}"
    if request.limit is not None:
        sql += f" LIMIT {int(request.limit)}"
    return sql, params, total, every


# Column types whose text in DuckDB's CSV is what csv.writer makes of the value Python
# fetches (dates as ISO days, years 1-9999 zero-padded alike; integers; text). Floats are
# not: Python writes its repr.
_CSV_AS_TEXT = {"VARCHAR", "DATE", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT",
                "USMALLINT", "UINTEGER", "UBIGINT"}
# DuckDB's CSV writer quotes every field holding a '#' (duckdb/duckdb#20095), csv.writer
# does not: '#' goes to the file as this noncharacter (reserved for a program's internal
# use, never in interchange text; checked absent) and comes back when the file is copied.
_HASH_STAND_IN = "\ufdd0"


def write_timeline_csv(con: duckdb.DuckDBPyConnection, request: TimelineQuery, out: BinaryIO,
                       columns: tuple[str, ...] = SHOW_COLUMNS) -> tuple[int, int]:
    """Write the rows of `query_timeline` as UTF-8 CSV to `out`, byte for byte as
    `csv.writer` writes them (minimal quoting, quotes doubled, CRLF line ends, NULL and ''
    as nothing); returns (rows written, rows matching before the limit).

    At 84k timeline rows, fetching them as Python values and formatting them took 1.1 s of
    1.5; DuckDB's CSV writer, on one thread, 0.2 s. (Two threads took twice the CPU and
    longer on this 2-core machine; Polars from Arrow, 0.5 s with its import.) It writes a
    file, not `out`: a path reopened for it, such as /dev/stdout, would truncate or
    overwrite what `out` holds."""
    import tempfile

    sql, params, total, every = _timeline_sql(con, request, columns)
    described = con.execute(f"SELECT * FROM ({sql}) LIMIT 0", params).description
    names, types = [d[0] for d in described], [str(d[1]) for d in described]
    texts = [n for n, t in zip(names, types, strict=True) if t == "VARCHAR"]
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    con.execute("SET threads = 1")
    try:
        holds_stand_in = " OR ".join(f"contains(\"{n}\", '{_HASH_STAND_IN}')" for n in texts)
        stand_in_found = bool(texts) and con.execute(
            f"SELECT coalesce(bool_or({holds_stand_in}), false) FROM ({every})", params).fetchone()[0]
        if len(names) < 2 or not set(types) <= _CSV_AS_TEXT or stand_in_found:
            # A lone empty field is quoted by csv.writer, and a float's text is Python's own.
            rows = con.execute(sql, params).fetchall()
            text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
            writer = csv.writer(text)
            writer.writerow(names)
            writer.writerows(rows)
            text.detach()
            return len(rows), len(rows) if total is None else total
        # DuckDB quotes an empty string ("") to tell it from NULL; csv.writer writes both as nothing.
        hashes_replaced = f"replace(\"{{}}\", '#', '{_HASH_STAND_IN}')"
        fields = ", ".join(f'nullif({hashes_replaced.format(n)}, \'\') AS "{n}"' if n in texts else f'"{n}"'
                           for n in names)
        with tempfile.TemporaryDirectory(prefix="timeline-csv-") as folder:
            spool = Path(folder) / "rows.csv"  # DuckDB writes a new file, not into an open one
            written = con.execute(f"COPY (SELECT {fields} FROM ({sql})) TO '{_quoted(str(spool))}' "
                                  "(FORMAT csv, HEADER, NEW_LINE '\r\n')", params).fetchone()[0]
            with spool.open("rb") as rows:
                _copy_restoring_hashes(rows, out)
    finally:
        con.execute(f"SET threads = {int(threads)}")
    return int(written), int(written) if total is None else total


def _copy_restoring_hashes(source: BinaryIO, out: BinaryIO, block: int = 1 << 20) -> None:
    stand_in = _HASH_STAND_IN.encode()
    carry = b""
    while data := source.read(block):
        data = carry + data
        cut = data.rfind(b"\n") + 1  # a character never straddles a line feed
        out.write(data[:cut].replace(stand_in, b"#"))
        carry = data[cut:]
    out.write(carry.replace(stand_in, b"#"))


def _quoted(path: str) -> str:
    return path.replace("'", "''")


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
