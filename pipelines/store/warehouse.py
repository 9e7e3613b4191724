"""The published DuckDB file: a projection of the event log, switched atomically.

Writers never write the file readers open. `timeline.duckdb` is a symbolic link to one of
two buffers beside it (`timeline.a.duckdb`, `timeline.b.duckdb`). A run appends to the log
(Parquet segments beside the file), then brings the other buffer, the one no reader is
sent to, up to the log's head in place (it is one publish behind: only the facts since its
own published seq are applied), audits it, and points the link at it with an atomic
rename. A reader that opened the old buffer keeps reading it; a new reader opens the new
one; no reader ever sees a half-written table or blocks a run. Where the other buffer
cannot be written in place (a reader still holds it open, it is of another schema, or a
killed build left it unfinished) it is replaced by a copy of the published one first, as
every publish did before the buffers.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines.atomicfile import replace_atomically
from pipelines.store import projections as P
from pipelines.store.audits import AuditFailed, AuditOutcome, record_outcomes, run_audits
from pipelines.store.eventlog import LOG_COLUMNS, EventLog, LogIntegrityError
from pipelines.store.fact import FactKind
from pipelines.store.integrity import published_beyond_log
from pipelines.store.ranges import within_ranges
from pipelines.store.search import search_macro

SCHEMA_VERSION = 4
PUBLISH_MEMORY_LIMIT = os.environ.get("TIMELINE_PUBLISH_MEMORY", "512MB")
PUBLISH_SPILL_FOLDER = "publish-spill"
SCHEMA_HISTORY = {
    1: "single-file warehouse: event_log kept only inside the DuckDB file",
    2: "log as immutable Parquet segments; published file rebuilt and swapped atomically",
    3: "row versions per append in <table>_history, read by the *_as_of macros",
    4: "two buffers behind a link, updated in place; event_log without an index",
}

# No PRIMARY KEY on seq: DuckDB rewrites an index whole at each checkpoint (79 of the
# 100 MiB an in-place publish of 100 new articles wrote at 10k); seq is unique by
# construction (only facts after the buffer's own published seq are inserted) and
# `timeline verify` compares the table with the log.
_LOG_DDL = """
CREATE TABLE IF NOT EXISTS event_log (
    seq BIGINT, recorded_at TIMESTAMP, kind VARCHAR, doc_id VARCHAR,
    entity_id VARCHAR, path VARCHAR, payload JSON, extractor_version VARCHAR,
    content_hash VARCHAR, run_id VARCHAR, schema_version INTEGER)
"""
_LOG_COLUMN_LIST = ", ".join(LOG_COLUMNS)


@dataclass(slots=True)
class PublishResult:
    published: bool
    log_rows: int
    affected_docs: int
    mode: str  # up-to-date, incremental, rebuild
    audits: list[AuditOutcome] = field(default_factory=list)


def _read_meta(db_path: Path) -> tuple[int | None, int | None]:
    """(published_seq, schema_version) of a published file, or (None, None).

    A file whose projections were built by other SQL reads as having published nothing,
    so the next publish rebuilds it from the log.
    """
    if not db_path.exists():
        return None, None
    try:
        with duckdb.connect(str(db_path), read_only=True) as con:
            return _meta(con)
    except duckdb.Error:
        return None, None


def _meta(con: duckdb.DuckDBPyConnection) -> tuple[int | None, int | None]:
    """`_read_meta` of the database `con` is open on."""
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    version = None
    if "schema_version" in tables:
        version = con.execute("SELECT max(version) FROM schema_version").fetchone()[0]
    elif "event_log" in tables:
        version = 1
    seq = None
    if "warehouse_meta" in tables:
        row = con.execute("SELECT value FROM warehouse_meta WHERE key = 'published_seq'").fetchone()
        seq = int(row[0]) if row else None
        digest = con.execute(
            "SELECT value FROM warehouse_meta WHERE key = 'projection_digest'").fetchone()
        if digest is None or digest[0] != P.projection_digest():
            seq = None
    return seq, version


def _adopt_older_warehouse(db_path: Path, log: EventLog, version: int | None) -> str | None:
    """Upgrade a version-1 file (of schema `version`): its event_log becomes the first
    segment of the log."""
    if version is None or version >= SCHEMA_VERSION or log.segments():
        return None
    import polars as pl

    with duckdb.connect(str(db_path), read_only=True) as con:
        have = [r[0] for r in con.execute("DESCRIBE event_log").fetchall()]
        frame = con.execute(f"SELECT {', '.join(have)} FROM event_log ORDER BY seq").pl()
    if "payload" in frame.columns:
        frame = frame.with_columns(pl.col("payload").cast(pl.Utf8))
    frame = frame.with_columns(pl.lit(version, dtype=pl.Int32).alias("schema_version"))
    log.import_rows(frame)
    return f"upgraded from schema version {version}: {frame.height} log rows adopted"


def _refuse_if_published_beyond(db_path: Path, log: EventLog, published_seq: int | None, head: int) -> None:
    if problem := published_beyond_log(db_path, log.directory, published_seq, head):
        raise LogIntegrityError(problem)


def _create_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(_LOG_DDL)
    con.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER, applied_at TIMESTAMP, note VARCHAR)")
    con.execute("CREATE TABLE IF NOT EXISTS warehouse_meta (key VARCHAR PRIMARY KEY, value VARCHAR)")


def publish(db_path: Path, log: EventLog | None = None, rebuild: bool = False,
            staged: Callable[[duckdb.DuckDBPyConnection], None] | None = None) -> PublishResult:
    """Bring the published file up to the log's head: incrementally, or from the log alone.

    `staged(con)` is called with the build's connection once its projections (documents,
    time_mentions, events, timeline) are built, before the audits and before the link is
    switched to it: what it reads of them is what will be published if the publish returns
    (a failed audit or switch raises instead). Their histories may not be complete yet."""
    db_path = Path(db_path)
    log = log or EventLog.beside(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with log.lock():
        published_seq, version = _read_meta(db_path)  # an upgrade below leaves the file as it is
        upgrade_note = _adopt_older_warehouse(db_path, log, version)
        head = log.head_seq()
        _refuse_if_published_beyond(db_path, log, published_seq, head)
        current = version == SCHEMA_VERSION and published_seq is not None
        if not rebuild and current and published_seq == head and upgrade_note is None:
            return PublishResult(False, 0, 0, "up-to-date")
        incremental = not rebuild and current and upgrade_note is None
        for stale in db_path.parent.glob(f".{db_path.name}.staging-*"):
            stale.unlink(missing_ok=True)  # a link left by a killed writer
        target = next_buffer(db_path)
        caught_up = _take_caught_up(target, published_seq if incremental else None)
        if caught_up is None and _open_in_this_process(target):
            # A connection of this process still reads it (DuckDB would refuse a writer of a
            # file it has open with another configuration): build a copy under another name
            # and move it over the published name, as before the buffers; the link comes
            # back at the next publish.
            target = db_path.parent / f".{db_path.name}.staging-{os.getpid()}.duckdb"
        opened = _open_buffer(target, head, log) if caught_up is None and incremental else None
        since = published_seq if caught_up is not None else opened[0] if opened is not None else None
        if since is None:
            # A reader may hold the buffer open: unlinking leaves it its file.
            target.unlink(missing_ok=True)
            Path(f"{target}.wal").unlink(missing_ok=True)
            if incremental:
                shutil.copyfile(db_path, target)
                since = published_seq
        # The buffer is a publish behind: the appends the published one holds are taken
        # from it as built, only the new ones are derived.
        active = db_path.parent / os.readlink(db_path) if db_path.is_symlink() else db_path
        result = _build(target, log, since or 0, head, upgrade_note, staged,
                        (active, published_seq) if incremental else None,
                        caught_up if caught_up is not None else opened[1] if opened is not None else None)
        if any(not o.passed and o.audit.blocking for o in result.audits):
            raise AuditFailed(result.audits)
        if target in buffers(db_path):
            _point_at(db_path, target)
        else:
            replace_atomically(target, db_path)
        other = next_buffer(db_path)
        if not incremental and target != other and not _open_in_this_process(other):
            # The other buffer starts as a copy, so the next publish writes in place
            # rather than copying then (a full publish writes the whole file anyway).
            other.unlink(missing_ok=True)
            shutil.copyfile(db_path, other)
        result.mode = "incremental" if incremental else "rebuild"
        return result


# Buffers `catch_up` brought up to the published one, still open: the publish continues in
# the same connection (no second open, no checkpoint in between: the adoption's own
# checkpoint cost as much as the adoption). Keyed by buffer path, with the seq adopted to.
_CAUGHT_UP: dict[Path, tuple[duckdb.DuckDBPyConnection, int]] = {}


def catch_up(db_path: Path, log: EventLog | None = None) -> bool:
    """Bring the buffer the next publish writes up to the published one: the adoption a
    publish starts with (`_build`), done ahead of it. A run starts it beside its planning
    and scan, which leave the second core idle, so its publish only derives the new facts.
    The connection stays open for that publish (`_take_caught_up`), also when there was
    nothing to adopt: opening and checking the 3 GB buffer of 100k articles was 0.1-0.15 s
    of a new dump's publish. True when the buffer adopted; False when there was nothing to
    adopt or the publish must replace the buffer anyway. Killed half-way, the buffer holds
    no published seq and the publish replaces it with a copy, as after a killed build."""
    db_path = Path(db_path)
    if not db_path.is_symlink():
        return False
    log = log or EventLog.beside(db_path)
    with log.lock():
        published_seq, version = _read_meta(db_path)
        if version != SCHEMA_VERSION or published_seq is None:
            return False
        target = next_buffer(db_path)
        opened = _open_buffer(target, log.head_seq(), log)
        if opened is None:
            return False
        since, con = opened
        if since > published_seq:
            con.close()
            return False
        adopting = since < published_seq
        try:
            if adopting:
                con.execute("DELETE FROM warehouse_meta WHERE key = 'published_seq'")
                _adopt(con, db_path.parent / os.readlink(db_path), since, published_seq)
                con.execute("INSERT OR REPLACE INTO warehouse_meta VALUES ('published_seq', ?)",
                            [str(published_seq)])
        except BaseException:
            con.close()
            raise
    _CAUGHT_UP[target] = (con, published_seq)
    return adopting


def _take_caught_up(target: Path, published_seq: int | None) -> duckdb.DuckDBPyConnection | None:
    """The open connection `catch_up` left on `target`, if it adopted exactly what is
    published now (None: the publish rebuilds); any other is closed, and its buffer is
    then judged as any other."""
    con, seq = _CAUGHT_UP.pop(target, (None, None))
    release_caught_up()
    if con is not None and (published_seq is None or seq != published_seq):
        con.close()
        return None
    return con


def release_caught_up() -> None:
    """Close what `catch_up` left open for a publish that did not come (a failed run)."""
    for con, _ in [_CAUGHT_UP.pop(path) for path in list(_CAUGHT_UP)]:
        con.close()


def buffers(db_path: Path) -> tuple[Path, Path]:
    """The two files the published name links to in turn (timeline.a.duckdb, timeline.b.duckdb)."""
    db_path = Path(db_path)
    return (db_path.with_name(f"{db_path.stem}.a{db_path.suffix}"),
            db_path.with_name(f"{db_path.stem}.b{db_path.suffix}"))


def next_buffer(db_path: Path) -> Path:
    """The buffer the published name does not link to: the one a publish may write."""
    a, b = buffers(db_path)
    try:
        linked = os.readlink(db_path)
    except OSError:
        return a  # no link yet (no warehouse, or one written by an earlier release)
    return b if linked == a.name else a


def _open_buffer(buffer: Path, head: int, log: EventLog) -> tuple[int, duckdb.DuckDBPyConnection] | None:
    """The published seq of a buffer that can be brought up to date in place: complete (a
    killed or refused build leaves none), of this schema and projection, not beyond the
    log and built from it, and open nowhere; with the connection that read it, left open
    for the build (opening the 3 GB file of 100k articles again cost as much as checking
    it) and configured for it. None: it must be replaced by a copy of the published file."""
    if not buffer.exists() or _open_in_this_process(buffer):
        return None
    try:  # a reader in another process that opened it before the last switch keeps a lock
        con = duckdb.connect(str(buffer))
    except duckdb.Error:
        return None
    usable = False
    try:
        seq, version = _meta(con)
        if version == SCHEMA_VERSION and seq is not None and seq <= head:
            fact = con.execute(_FACT_AT.format(source="event_log"), [seq]).fetchone()
            # (a fact other than the log's: built from another log, the folder's replaced since)
            usable = not seq or fact == _logged_fact(log, seq)
    except duckdb.Error:
        pass
    try:
        if usable:
            _configure_build(con, log)
            return seq, con
    except BaseException:
        con.close()
        raise
    con.close()
    return None


_FACT_AT = "SELECT seq, recorded_at, kind, doc_id, entity_id, content_hash FROM {source} WHERE seq = ?"


def _logged_fact(log: EventLog, seq: int) -> tuple | None:
    with duckdb.connect() as con:
        return con.execute(_FACT_AT.format(source=log.relation()), [seq]).fetchone()


def _open_in_this_process(path: Path) -> bool:
    """Whether this process holds `path` open (under any name). DuckDB keys its open
    databases by path, so a read-only connection made through the link would not stop
    a writer of the same file here; file locks do not either within one process."""
    try:
        st = path.stat()
    except OSError:
        return False
    fd_dir = "/proc/self/fd" if os.path.isdir("/proc/self/fd") else "/dev/fd"
    for name in os.listdir(fd_dir):
        with contextlib.suppress(OSError):
            fd_st = os.stat(os.path.join(fd_dir, name))
            if (fd_st.st_dev, fd_st.st_ino) == (st.st_dev, st.st_ino):
                return True
    return False


def _point_at(db_path: Path, buffer: Path) -> None:
    """Switch the published name to `buffer` in one rename (a relative link, so the folder
    may be moved or mounted elsewhere)."""
    link = db_path.parent / f".{db_path.name}.staging-{os.getpid()}"
    link.unlink(missing_ok=True)
    os.symlink(buffer.name, link)
    try:
        replace_atomically(link, db_path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            link.unlink()


def _configure_build(con: duckdb.DuckDBPyConnection, log: EventLog) -> None:
    # One thread: each extra thread keeps its own aggregate state over the JSON payloads
    # (documents carry their full text), ~300 MiB more at 10k articles, for no gain in
    # speed on the 2-core machines this runs on (measured 3.2 s vs 3.9 s at 10k).
    con.execute("SET threads = 1")
    # Bounded, spilling to disk beyond: by default DuckDB takes up to 80% of the
    # machine, and the publish peaked at 2.3 GiB at 30k articles. Measured at 30k on a
    # rebuild: 1.8 GiB RSS unbounded, 0.7 GiB at this limit, for 1.5x its CPU seconds.
    spill = log.directory / PUBLISH_SPILL_FOLDER
    shutil.rmtree(spill, ignore_errors=True)  # left by a killed publish (they hold the lock)
    con.execute(f"SET memory_limit = '{PUBLISH_MEMORY_LIMIT}'")
    # No FSST string compression: choosing and applying it was most of the publish's
    # checkpoint (1.3-2.0 s of 3.5-4.5 s at 3,000 articles, 0.7-0.9 s without), for a
    # file 7% smaller (121 MB against 129 MB).
    con.execute("SET disabled_compression_methods = 'fsst'")
    con.execute("SET temp_directory = ?", [str(spill)])


def _build(buffer: Path, log: EventLog, since: int, head: int, note: str | None,
           staged: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
           published: tuple[Path, int] | None = None,
           con: duckdb.DuckDBPyConnection | None = None) -> PublishResult:
    """Apply the log's facts after `since` to `buffer` (a fresh file when 0). Its published
    seq is removed first and written last, after the audits pass: a build killed or
    refused on the way leaves a buffer no later publish continues from. `published`: the
    published buffer and its seq, from which the facts up to that seq are taken as built."""
    if con is None:
        con = duckdb.connect(str(buffer))
        _configure_build(con, log)
    with con:
        _create_schema(con)
        con.execute("DELETE FROM warehouse_meta WHERE key = 'published_seq'")
        if since and published is not None and published[1] > since:
            _adopt(con, published[0], since, published[1])
            since = published[1]
        if since == 0:
            for table in (*_PROJECTIONS, *(f"{t}_history" for t in _PROJECTIONS), "rejected_documents"):
                con.execute(f"DROP TABLE IF EXISTS {table}")
            con.execute("DELETE FROM event_log")
        # The merge keys this build's steps touch, from the seq it starts at: the one behind
        # it adopts the timeline's rows of these keys (`_adopt`) instead of comparing histories.
        con.execute(f"CREATE OR REPLACE TABLE {_TOUCHED_KEYS} (merge_key VARCHAR)")
        con.execute("INSERT OR REPLACE INTO warehouse_meta VALUES ('touched_keys_from', ?)", [str(int(since))])
        if log.segments():
            con.execute(
                f"INSERT INTO event_log SELECT {_LOG_COLUMN_LIST} FROM {log.relation()} "
                f"WHERE seq > {int(since)} ORDER BY seq"
            )
        _create_projections(con)
        new_rows = con.execute(f"SELECT count(*) FROM event_log WHERE seq > {int(since)}").fetchone()[0]
        affected = con.execute(f"SELECT count(DISTINCT doc_id) FROM event_log WHERE seq > {int(since)}").fetchone()[0]
        # One step per append (the facts of one recorded_at), so the versions change exactly
        # when the log's prefix does, even when several appends are published together.
        steps = con.execute(
            f"SELECT recorded_at, max(seq) FROM event_log WHERE seq > {int(since)} "
            "GROUP BY recorded_at ORDER BY min(seq)").fetchall()
        whole = since == 0 and len(steps) == 1
        # `staged` is called once the projections are final (what it reads is what the file
        # will hold) and before the last versions are recorded, so the picture's helper and
        # the page's thread draw while DuckDB records them (0.3 s of 1.3 s at 3,000 articles
        # for a whole build; 0.3 s of a 1,000-article change's publish at 100k).
        if whole:
            _whole(con, steps[0][0], staged)
        else:
            after = int(since)
            for number, (recorded_at, last) in enumerate(steps, 1):
                _step(con, after, int(last), recorded_at, staged if number == len(steps) else None)
                after = int(last)
            if not steps and staged is not None:
                staged(con)
        if since == 0 or not _has_table(con, "rejected_documents"):
            con.execute(f"CREATE OR REPLACE TABLE rejected_documents AS WITH log AS (SELECT * FROM event_log) "
                        f"{P.REJECTED}")
        elif _rejection_paths(con, since, head):
            # Only the paths this build's facts quarantined or cleared change.
            con.execute(f"DELETE FROM rejected_documents WHERE path IN {_REJECTION_PATHS}")
            con.execute(f"INSERT INTO rejected_documents WITH log AS (SELECT * FROM event_log "
                        f"WHERE path IN {_REJECTION_PATHS}) {P.REJECTED}")
        con.execute("CREATE OR REPLACE VIEW routines AS SELECT * FROM events WHERE is_routine")
        for macro in [*P.as_of_macros(), search_macro()]:
            con.execute(macro)
        known = {r[0] for r in con.execute("SELECT version FROM schema_version").fetchall()}
        if SCHEMA_VERSION not in known:
            con.execute("INSERT INTO schema_version VALUES (?, now()::TIMESTAMP, ?)",
                        [SCHEMA_VERSION, note or SCHEMA_HISTORY[SCHEMA_VERSION]])
        con.execute("INSERT OR REPLACE INTO warehouse_meta VALUES ('projection_digest', ?)",
                    [P.projection_digest()])
        if since:
            # Only the documents this build changed: the rest passed when last published.
            # A table, not a temporary one: the span audits read through other cursors.
            con.execute(f"CREATE OR REPLACE TABLE {_CHANGED_DOCS} AS SELECT DISTINCT doc_id FROM event_log "
                        f"WHERE seq > {int(since)} AND doc_id IS NOT NULL")
        outcomes = run_audits(con, docs=_CHANGED_DOCS if since else None)
        con.execute(f"DROP TABLE IF EXISTS {_CHANGED_DOCS}")
        record_outcomes(con, outcomes)
        if not any(not o.passed and o.audit.blocking for o in outcomes):
            con.execute("INSERT OR REPLACE INTO warehouse_meta VALUES ('published_seq', ?)", [str(head)])
        con.execute("CHECKPOINT")
    return PublishResult(True, int(new_rows), int(affected), "", outcomes)


_PROJECTIONS = tuple(P.HISTORY_SCOPES)
_STEP_ROWS = "step_rows_"  # + a projection: the rows of its scope a step made, hashed (`_hashed`)
_CHANGED_DOCS = "publish_changed_docs"
_TOUCHED_KEYS = "publish_touched_keys"


def _has_table(con: duckdb.DuckDBPyConnection, name: str, catalog: str | None = None) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ? "
                            "AND database_name = coalesce(?, current_database())", [name, catalog]).fetchone()[0])


def _create_projections(con: duckdb.DuckDBPyConnection) -> None:
    """Empty projection tables and their histories, typed by the projection SQL itself."""
    empty_log = "log AS (SELECT * FROM event_log WHERE false)"
    con.execute(f"CREATE TABLE IF NOT EXISTS documents AS WITH {empty_log} {P.documents_sql()}")
    con.execute(f"CREATE TABLE IF NOT EXISTS time_mentions AS WITH {empty_log} "
                f"SELECT * FROM ({P.mentions_sql('documents')})")
    con.execute(f"CREATE TABLE IF NOT EXISTS events AS WITH {empty_log} SELECT * FROM ({P.events_sql('documents')})")
    con.execute(f"CREATE TABLE IF NOT EXISTS timeline AS {P.timeline_sql('events', 'documents')}")
    for table in _PROJECTIONS:
        con.execute(f"CREATE TABLE IF NOT EXISTS {table}_history AS SELECT *, NULL::TIMESTAMP AS valid_from, "
                    f"NULL::TIMESTAMP AS valid_to, NULL::UBIGINT AS row_hash FROM {table} LIMIT 0")


def _adopt(con: duckdb.DuckDBPyConnection, source: Path, since: int, upto: int) -> None:
    """Take the appends after `since` up to `upto` as the published buffer `source` built
    them, rather than derive them again: its event_log rows, its rows (and versions) of the
    documents those facts touch, of the merge keys whose versions differ between the two,
    and its rejected_documents. The buffer then holds what `source` holds."""
    quoted = str(source).replace("'", "''")  # ATTACH takes no parameters
    con.execute(f"ATTACH '{quoted}' AS published (READ_ONLY)")
    try:
        con.execute(f"INSERT INTO event_log SELECT {_LOG_COLUMN_LIST} FROM published.event_log "
                    f"WHERE seq > {int(since)} AND seq <= {int(upto)} ORDER BY seq")
        con.execute("CREATE OR REPLACE TEMP TABLE adopted_docs AS SELECT DISTINCT doc_id FROM event_log "
                    f"WHERE seq > {int(since)} AND seq <= {int(upto)} AND doc_id IS NOT NULL")
        if _touched_keys_from(con, "published") == since:
            con.execute("CREATE OR REPLACE TEMP TABLE adopted_keys AS SELECT DISTINCT merge_key "
                        f"FROM published.{_TOUCHED_KEYS}")
        else:  # it was built from another seq (a publish in between failed): compare
            versions = "merge_key, row_hash, valid_from, valid_to"
            con.execute(
                "CREATE OR REPLACE TEMP TABLE adopted_keys AS SELECT DISTINCT merge_key FROM ("
                f"(SELECT {versions} FROM published.timeline_history EXCEPT SELECT {versions} FROM timeline_history) "
                f"UNION ALL (SELECT {versions} FROM timeline_history EXCEPT SELECT {versions} FROM "
                "published.timeline_history))")
        for table in _PROJECTIONS:
            column = P.HISTORY_SCOPES[table]
            scope = ("doc_id IN (SELECT doc_id FROM adopted_docs)" if column == "doc_id"
                     else "merge_key IN (SELECT merge_key FROM adopted_keys)")
            con.execute(f"DELETE FROM {table} WHERE {scope}")
            con.execute(f"INSERT INTO {table} BY NAME {_rows_of(con, f'published.{table}', scope)}")
            _adopt_versions(con, f"{table}_history", column, scope)
        if _has_table(con, "rejected_documents"):
            if _rejection_paths(con, since, upto):  # only the paths the adopted facts quarantined or cleared differ
                con.execute(f"DELETE FROM rejected_documents WHERE path IN {_REJECTION_PATHS}")
                con.execute(f"INSERT INTO rejected_documents BY NAME SELECT * FROM published.rejected_documents "
                            f"WHERE path IN {_REJECTION_PATHS}")
        else:
            con.execute("CREATE TABLE rejected_documents AS SELECT * FROM published.rejected_documents")
    finally:
        con.execute("DETACH published")


def _adopt_versions(con: duckdb.DuckDBPyConnection, history: str, column: str, scope: str) -> None:
    """The versions `published` holds of the rows in `scope`, made this buffer's by what
    differs: a publish only closes versions (valid_to) and opens new ones at the table's
    end, so closing what it closed takes the narrow columns, and only the new versions are
    read whole. Deleting every version of the scope and copying them again read and wrote
    them all (the timeline's, scattered over the whole table: 0.6 s at 100k articles)."""
    version = f"{column}, row_hash, valid_from"
    same = " AND ".join(f"t.{c} = p.{c}" for c in (column, "row_hash", "valid_from"))
    con.execute(f"CREATE OR REPLACE TEMP TABLE published_versions AS SELECT rowid AS pos, {version}, valid_to "
                f"FROM published.{history} WHERE {scope}")
    con.execute(f"DELETE FROM {history} t WHERE {scope} AND NOT EXISTS "
                f"(SELECT 1 FROM published_versions p WHERE {same})")
    con.execute(f"UPDATE {history} t SET valid_to = p.valid_to FROM published_versions p "
                f"WHERE t.{scope} AND {same} AND t.valid_to IS DISTINCT FROM p.valid_to")
    con.execute("CREATE OR REPLACE TEMP TABLE scoped_rows AS SELECT pos FROM published_versions p "
                f"WHERE NOT EXISTS (SELECT 1 FROM {history} t WHERE t.{scope} AND {same})")
    con.execute(f"INSERT INTO {history} BY NAME {_rows_at(con, f'published.{history}')}")


_REJECTION_PATHS = "(SELECT path FROM rejection_paths)"


def _rejection_paths(con: duckdb.DuckDBPyConnection, since: int, upto: int) -> bool:
    """Temp table `rejection_paths`: the paths the log's facts after `since` up to `upto`
    quarantined or cleared, the only rows of rejected_documents those facts change. False
    when there are none, as in most runs: then nothing need scan the log's paths for them."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE rejection_paths AS SELECT DISTINCT path FROM event_log "
                f"WHERE seq > {int(since)} AND seq <= {int(upto)} "
                f"AND kind IN ('{FactKind.DOCUMENT_REJECTED}', '{FactKind.REJECTION_CLEARED}')")
    return bool(con.execute("SELECT count(*) FROM rejection_paths").fetchone()[0])


def _touched_keys_from(con: duckdb.DuckDBPyConnection, catalog: str) -> int | None:
    if not _has_table(con, _TOUCHED_KEYS, catalog):
        return None
    row = con.execute(f"SELECT value FROM {catalog}.warehouse_meta WHERE key = 'touched_keys_from'").fetchone()
    return int(row[0]) if row else None


def _whole(con: duckdb.DuckDBPyConnection, recorded_at,
           staged: Callable[[duckdb.DuckDBPyConnection], None] | None = None) -> None:
    """Project a log of one append into empty tables: what `_step` does from nothing, without
    its scoping. Every document is affected and every merge key touched, so each table is
    projected once, and a version of each row opened at `recorded_at` (none was open before).
    `staged(con)` is called once the projections are final, before the last versions.

    The time mentions and their versions, the documents' versions, and the events' versions
    once the events are made, are made on a second cursor while this one makes the events and
    the timeline: they read nothing those write (the timeline only reads the events).
    DuckDB runs each statement on the thread that asked for it (the build runs one thread a
    statement, `_configure_build`), so the two use both cores where one would idle."""
    whole_log = "log AS (SELECT * FROM event_log)"
    con.execute(f"INSERT INTO documents WITH {whole_log} {P.documents_sql()}")

    def versions(cursor: duckdb.DuckDBPyConnection) -> None:
        for table in ("time_mentions", "documents"):
            _open_versions(cursor, table, recorded_at)

    # One thread, so the versions follow the mentions; leaving the block waits for both, then
    # closes the second cursor.
    with con.cursor() as cursor, ThreadPoolExecutor(1, thread_name_prefix="timeline-publish") as beside:
        mentions = beside.submit(cursor.execute, f"INSERT INTO time_mentions WITH {whole_log} "
                                                 f"SELECT * FROM ({P.mentions_sql('documents')})")
        side_versions = beside.submit(versions, cursor)
        con.execute(f"INSERT INTO events WITH {whole_log} SELECT * FROM ({P.events_sql('documents')})")
        # the events are final: their versions are made beside the timeline, which reads them too
        event_versions = beside.submit(_open_versions, cursor, "events", recorded_at)
        con.execute(f"INSERT INTO timeline {P.timeline_sql('events', 'documents')}")
        mentions.result()  # (its error, if any: the projections are not whole)
        if staged is not None:
            staged(con)
        _open_versions(con, "timeline", recorded_at)
        side_versions.result()
        event_versions.result()


def _open_versions(con: duckdb.DuckDBPyConnection, table: str, recorded_at) -> None:
    """A version of each row of `table`, opened at `recorded_at`: the hash of each row the
    way a step takes it (`_hashed`: hash of the row struct), paired by position with a second
    scan: `SELECT t.*, hash(t)` builds the struct beside the columns and took 3-5x as long."""
    con.execute(f"INSERT INTO {table}_history SELECT t.*, ?, NULL, row.row_hash FROM {table} t "
                f"POSITIONAL JOIN (SELECT hash(t) AS row_hash FROM {table} t) row", [recorded_at])


def _step(con: duckdb.DuckDBPyConnection, after: int, last: int, recorded_at,
          projected: Callable[[duckdb.DuckDBPyConnection], None] | None = None) -> None:
    """Apply the facts after seq `after` up to `last` (one append): the documents they
    touch are projected again from their facts up to `last`, the timeline is merged again
    for the merge keys of the events that changed, and every changed row gets a new
    version from `recorded_at`. `projected(con)` is called before the timeline's versions."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE affected AS SELECT DISTINCT doc_id FROM event_log "
                f"WHERE seq > {after} AND seq <= {last} AND doc_id IS NOT NULL")
    # Only the documents the tables held before can have versions to close (a table's open
    # versions are its rows): a change's new documents have none.
    con.execute("CREATE OR REPLACE TEMP TABLE affected_before AS SELECT doc_id FROM documents "
                "WHERE doc_id IN (SELECT doc_id FROM affected)")
    held_before = bool(con.execute("SELECT count(*) FROM affected_before").fetchone()[0])
    scoped_log = f"log AS ({_affected_facts(con, last)})"
    scoped_docs = f"docs AS (SELECT * EXCLUDE (row_hash) FROM {_STEP_ROWS}documents)"
    for table in ("time_mentions", "events", "documents"):
        con.execute(f"DELETE FROM {table} WHERE doc_id IN (SELECT doc_id FROM affected)")
    # Each table's rows of the affected documents are made apart, with the hash of each
    # (`_hashed`), then appended: they are all the table now holds of those documents, so
    # their versions are taken from them rather than found again by a scan of the table.
    projected_rows = {
        "documents": f"WITH {scoped_log} {P.documents_sql()}",
        "time_mentions": f"WITH {scoped_log}, {scoped_docs} SELECT * FROM ({P.mentions_sql('docs')})",
        "events": f"WITH {scoped_log}, {scoped_docs} SELECT * FROM ({P.events_sql('docs')})",
    }
    for table, rows in projected_rows.items():
        con.execute(f"CREATE OR REPLACE TEMP TABLE {_STEP_ROWS}{table} AS {_hashed(rows)}")
        con.execute(f"INSERT INTO {table} SELECT * EXCLUDE (row_hash) FROM {_STEP_ROWS}{table}")
    _changed_events(con, held_before)
    for table in projected_rows:
        _record_versions(con, table, recorded_at, "doc_id IN (SELECT doc_id FROM affected_before)", held_before)
    _step_timeline(con)
    if projected is not None:
        projected(con)
    touched = "merge_key IN (SELECT mkey FROM touched_keys)"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {_STEP_ROWS}timeline AS {_hashed(_rows_of(con, 'timeline', touched))}")
    _record_versions(con, "timeline", recorded_at, touched)
    for table in (*projected_rows, "timeline"):
        con.execute(f"DROP TABLE {_STEP_ROWS}{table}")


def _hashed(rows: str) -> str:
    """The rows of the query `rows` with the hash of each (`row_hash`): the hash of the row
    struct, as a whole projection's versions take it (`_open_versions`)."""
    return f"SELECT t.*, hash(t) AS row_hash FROM ({rows}) t"


# What the timeline reads of an event's document: a document revised with these unchanged
# and its events unchanged (a corrected typo, an appended note) changes no timeline row.
_TIMELINE_DOCUMENT_COLUMNS = "title, source, published_at"


def _changed_events(con: duckdb.DuckDBPyConnection, held_before: bool) -> None:
    """Temp tables `changed_old` and `changed_new`: the affected documents' events whose
    rows the step changed, as they were (their open versions) and as they are now, with
    what the keying reads of them; all of a document's events where what the timeline reads
    of the document changed. Only their merge keys are merged again (`_step_timeline`):
    an edit of a thousand articles that changes a few of their events merges a few keys,
    not the thousands their unchanged events share with other articles."""
    keying = "event_id, doc_id, event_type, earliest, latest, modality, merge_key"
    now_events = f"{_STEP_ROWS}events"
    if not held_before:  # new documents only: every event is new, none was open
        con.execute(f"CREATE OR REPLACE TEMP TABLE changed_new AS SELECT {keying} FROM {now_events}")
        con.execute(f"CREATE OR REPLACE TEMP TABLE changed_old AS SELECT {keying} FROM {now_events} WHERE false")
        return
    con.execute(f"CREATE OR REPLACE TEMP TABLE open_events AS SELECT {keying}, row_hash FROM events_history "
                "WHERE valid_to IS NULL AND doc_id IN (SELECT doc_id FROM affected_before)")
    con.execute("CREATE OR REPLACE TEMP TABLE redated_documents AS "
                f"SELECT doc_id FROM (SELECT doc_id, {_TIMELINE_DOCUMENT_COLUMNS} FROM documents_history "
                "WHERE valid_to IS NULL AND doc_id IN (SELECT doc_id FROM affected_before) "
                f"EXCEPT SELECT doc_id, {_TIMELINE_DOCUMENT_COLUMNS} FROM {_STEP_ROWS}documents)")
    redated = "doc_id IN (SELECT doc_id FROM redated_documents)"
    con.execute(f"CREATE OR REPLACE TEMP TABLE changed_new AS SELECT {keying} FROM {now_events} "
                f"WHERE row_hash NOT IN (SELECT row_hash FROM open_events) OR {redated}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE changed_old AS SELECT {keying} FROM open_events "
                f"WHERE row_hash NOT IN (SELECT row_hash FROM {now_events}) OR {redated}")


def _rows_of(con: duckdb.DuckDBPyConnection, table: str, scope: str) -> str:
    """The rows of `table` where `scope` holds, as a query a scan can prune: their rowids
    come from a narrow pass over the columns `scope` reads, and the wide scan that fetches
    every column gets those rowids' ranges as constant bounds. A semi-join alone
    decompressed every column of the whole table (the documents' texts, the events'
    evidence) to keep a change's thousand documents."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE scoped_rows AS SELECT rowid AS pos FROM {table} WHERE {scope}")
    return _rows_at(con, table)


def _rows_at(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """The rows of `table` whose rowids the temp table `scoped_rows` (one column, `pos`)
    holds, as a query whose wide scan is bounded by those rowids' ranges."""
    bounds = within_ranges(con, "scoped_rows", "rowid")
    return f"SELECT * FROM {table} WHERE {bounds} AND rowid IN (SELECT pos FROM scoped_rows)"


def _affected_facts(con: duckdb.DuckDBPyConnection, last: int) -> str:
    """The affected documents' facts up to `last`, as a query a scan can prune: their seqs
    come from a narrow pass over (seq, doc_id), and the wide scan that fetches the payloads
    gets those seqs' ranges as constant bounds. A semi-join on doc_id alone decompressed
    the payload column of the whole log (1.5 s per projection at 100k articles); bounds let
    the scan skip every segment outside the ranges."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE affected_seqs AS SELECT seq AS pos FROM event_log "
                f"WHERE seq <= {last} AND doc_id IN (SELECT doc_id FROM affected)")
    bounds = within_ranges(con, "affected_seqs", "seq")
    return f"SELECT * FROM event_log WHERE {bounds} AND seq IN (SELECT pos FROM affected_seqs)"


def _day_keyed(con: duckdb.DuckDBPyConnection, candidates: str) -> str:
    """The rows of `candidates` (a query with event_type and merge_key) that are day-keyed
    (P.DAY_KEYED), as a relation. The candidates are kept first: given the predicate in the
    same query, the optimizer evaluates its string functions on every event of the table
    before the join that keeps a few (0.2 s per query at 100k articles)."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE day_candidates AS {candidates}")
    return f"(SELECT * FROM day_candidates WHERE {P.DAY_KEYED})"


def _step_timeline(con: duckdb.DuckDBPyConnection) -> None:
    """Merge again only the keys whose events changed. A key's rows depend on its events
    (and what the timeline reads of their documents) alone; an event's key on its own
    fields and on the placed reports of its day group, so the keys touched are those the
    changed events (`_changed_events`) and the day-keyed events of their day groups had
    before (in `timeline`) or have now."""
    # Day groups (type, dates, modality) whose events may take another key: a placeless
    # report joins the one placed report of its day. Only day-keyed events have a say in
    # it (P.DAY_KEYED): a bounded report's key is its own, however large its group.
    con.execute("CREATE OR REPLACE TEMP TABLE touched_groups AS SELECT DISTINCT event_type, earliest, latest, "
                f"modality FROM (SELECT * FROM changed_old UNION ALL SELECT * FROM changed_new) WHERE {P.DAY_KEYED}")
    con.execute("CREATE OR REPLACE TEMP TABLE touched_events AS SELECT event_id FROM changed_old")
    in_groups = _day_keyed(con, "SELECT event_id, event_type, merge_key FROM events SEMI JOIN touched_groups "
                                "USING (event_type, earliest, latest, modality)")
    con.execute(f"INSERT INTO touched_events SELECT event_id FROM {in_groups}")
    members = "(SELECT merge_key, unnest(event_ids) AS event_id FROM timeline)"
    con.execute(f"CREATE OR REPLACE TEMP TABLE touched_keys AS SELECT DISTINCT merge_key AS mkey FROM {members} "
                "WHERE event_id IN (SELECT event_id FROM touched_events)")
    con.execute("CREATE OR REPLACE TEMP TABLE step_events AS SELECT event_id FROM changed_new "
                "UNION SELECT event_id FROM touched_events")
    candidates = "(SELECT * FROM events SEMI JOIN step_events USING (event_id))"
    con.execute(f"INSERT INTO touched_keys {P.merge_keys_sql(candidates, 'documents')}")
    # Every event now under a touched key, with the whole day group of each, so the
    # placed reports it may join are all there.
    con.execute(f"CREATE OR REPLACE TEMP TABLE key_events AS SELECT event_id FROM {members} "
                "WHERE merge_key IN (SELECT mkey FROM touched_keys) UNION SELECT event_id FROM touched_events")
    key_day_keyed = _day_keyed(con, "SELECT event_type, earliest, latest, modality, merge_key FROM events "
                                    "WHERE event_id IN (SELECT event_id FROM key_events)")
    con.execute("CREATE OR REPLACE TEMP TABLE key_groups AS SELECT DISTINCT event_type, earliest, latest, modality "
                f"FROM {key_day_keyed}")
    in_key_groups = _day_keyed(con, "SELECT event_id, event_type, merge_key FROM events SEMI JOIN key_groups "
                                    "USING (event_type, earliest, latest, modality)")
    con.execute(f"INSERT INTO key_events SELECT event_id FROM {in_key_groups}")
    con.execute("INSERT INTO step_events SELECT event_id FROM key_events")
    # Keyed and grouped on the columns the keying reads; only each group's kept event
    # needs the rest. At 100k articles the scope's wide rows, scattered over the whole
    # table (a development many articles report), took a scan of every column of it.
    con.execute(f"CREATE OR REPLACE TEMP TABLE step_scope AS SELECT {P.KEYING_COLUMNS} FROM events "
                "WHERE event_id IN (SELECT event_id FROM step_events)")
    con.execute("CREATE OR REPLACE TEMP TABLE step_groups AS "
                f"{P.timeline_groups_sql('step_scope', 'documents', 'WHERE mkey IN (SELECT mkey FROM touched_keys)')}")
    # A kept event of a document the step did not touch is as the row it kept before holds
    # it; the others (the touched documents' events, at the table's end) are read by rowid.
    con.execute(f"CREATE OR REPLACE TEMP TABLE step_kept AS SELECT {P.KEPT_COLUMNS} FROM timeline "
                "WHERE merge_key IN (SELECT mkey FROM touched_keys) AND doc_id NOT IN (SELECT doc_id FROM affected) "
                "AND event_id IN (SELECT event_id FROM step_groups)")
    rest = _rows_of(con, "events", "event_id IN (SELECT event_id FROM step_groups "
                                   "WHERE event_id NOT IN (SELECT event_id FROM step_kept))")
    con.execute(f"INSERT INTO step_kept SELECT {P.KEPT_COLUMNS} FROM ({rest})")
    con.execute(f"INSERT INTO {_TOUCHED_KEYS} SELECT mkey FROM touched_keys")
    con.execute("DELETE FROM timeline WHERE merge_key IN (SELECT mkey FROM touched_keys)")
    con.execute(f"INSERT INTO timeline {P.timeline_rows_sql('step_groups', 'step_kept', 'documents')}")


def _record_versions(con: duckdb.DuckDBPyConnection, table: str, recorded_at, scope: str,
                     any_open: bool = True) -> None:
    """Versions of the rows a step made: `step_rows_<table>` holds every row of `table` that
    `scope` (a predicate on its columns) selects now, each with its `row_hash` (`_hashed`).
    A row not among the open versions in scope opens one; an open version no longer among
    the rows is closed. `any_open`: False where no version in scope can be open (a step of
    new documents only), so the history's scans are skipped."""
    rows = f"{_STEP_ROWS}{table}"
    if not any_open:
        con.execute(f"INSERT INTO {table}_history SELECT * EXCLUDE (row_hash), ?, NULL, row_hash FROM {rows}",
                    [recorded_at])
        return
    con.execute(f"INSERT INTO {table}_history SELECT * EXCLUDE (row_hash), ?, NULL, row_hash FROM {rows} "
                f"WHERE row_hash NOT IN (SELECT row_hash FROM {table}_history WHERE valid_to IS NULL AND {scope})",
                [recorded_at])
    con.execute(f"UPDATE {table}_history SET valid_to = ? WHERE valid_to IS NULL AND {scope} "
                f"AND row_hash NOT IN (SELECT row_hash FROM {rows})", [recorded_at])


_FINGERPRINT = ("SELECT count(*), coalesce(max(seq), 0), bit_xor(hash(seq, kind, doc_id, entity_id, "
                "payload::VARCHAR, content_hash)) FROM {source} WHERE seq <= {upto}")


def verify_warehouse(db_path: Path, log: EventLog | None = None) -> tuple[list[str], list[str]]:
    """(problems, findings) of a full check of the log and the published file, like `git fsck`.

    Every segment is hashed; the published file must be a projection of a prefix of the
    log (its event_log equal to the log's facts up to its published seq) and pass the
    audits. Read-only: it changes nothing, so it may run beside a run.
    """
    db_path = Path(db_path)
    log = log or EventLog.beside(db_path)
    problems, records = log.catalog.inspect(full=True)
    head = records[-1].last_seq if records else 0
    findings = [f"log {log.directory}: {len(records)} segments, facts 1-{head}, checksums match"
                if not problems else f"log {log.directory}: {len(problems)} problems"]
    findings += [f"segment {r.file} was cataloged after it was written (its checksum was taken "
                 f"then, not when it was written)" for r in records if r.adopted]
    if not problems and (problem := log.checkpoint_problem()):
        problems.append(problem)
    if not db_path.exists():
        findings.append(f"no published file at {db_path} (a run publishes it)")
        return problems, findings
    published_seq, version = _read_meta(db_path)
    if version != SCHEMA_VERSION or published_seq is None:
        findings.append(f"{db_path} is of an older schema or projection; the next run rebuilds it")
        return problems, findings
    if published_seq > head:
        problems.append(f"{db_path} was published from facts up to seq {published_seq} but the log "
                        f"ends at seq {head}: log segments are missing")
        return problems, findings
    try:
        with duckdb.connect(str(db_path), read_only=True) as con:
            published = con.execute(_FINGERPRINT.format(source="event_log", upto=published_seq)).fetchone()
            outcomes = run_audits(con)
    except duckdb.Error as exc:
        problems.append(f"{db_path} cannot be read ({exc}): run `timeline rebuild` to recreate it from the log")
        return problems, findings
    if not problems and records:
        with duckdb.connect() as con:
            logged = con.execute(_FINGERPRINT.format(source=log.relation(), upto=published_seq)).fetchone()
        if tuple(published) != tuple(logged):
            problems.append(f"{db_path}: its event_log differs from the log's facts 1-{published_seq}: "
                            "run `timeline rebuild` to recreate it from the log")
    for o in outcomes:
        if not o.passed and o.audit.blocking:
            problems.append(f"{db_path}: audit {o.audit.name} fails on {o.failures} rows "
                            f"(e.g. {o.sample[:2]}): run `timeline rebuild`")
    if not problems:
        findings.append(f"published {db_path}: facts 1-{published_seq} of the log, "
                        f"{len(outcomes)} audits pass" + (
                            f" ({head - published_seq} newer facts not yet published)"
                            if head > published_seq else ""))
    return problems, findings
