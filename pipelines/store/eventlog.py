"""The append-only event log: immutable Parquet segments, one per append.

The log is the source of truth. Each append writes a new segment file (to a temporary
name, then an atomic rename), so a crash leaves either the whole segment or none of it,
and nothing ever rewrites or deletes a row. Sequence numbers are assigned under an
exclusive lock (`locks.warehouse_lock`), which serializes appenders across processes, and
across machines when a PostgreSQL lock server is configured.
"""

from __future__ import annotations

import hashlib
import itertools
import sys
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from pipelines.atomicfile import atomic_path
from pipelines.paths import log_dir_for
from pipelines.store.fact import DOCUMENT_KINDS, ENTITY_KINDS, Fact, FactKind, sql_list
from pipelines.store.integrity import Catalog, LogIntegrityError, SegmentRecord, file_identity
from pipelines.store.locks import LOG_LOCK_FILE, HeldLock, warehouse_lock
from pipelines.store.ranges import within_ranges

if TYPE_CHECKING:
    import polars as pl

    from pipelines.store.facts import NewDocuments

__all__ = ["DOCUMENT_KINDS", "EventLog", "LogIntegrityError", "LogState", "DocState"]

LOG_SCHEMA_VERSION = 2

# The log's columns and their types, named as DuckDB names them. The polars and pyarrow
# types are derived where they are needed: importing polars for them cost every command's
# start ~0.07 s.
LOG_COLUMNS: dict[str, str] = {
    "seq": "BIGINT",
    "recorded_at": "TIMESTAMP",
    "kind": "VARCHAR",
    "doc_id": "VARCHAR",
    "entity_id": "VARCHAR",
    "path": "VARCHAR",
    "payload": "VARCHAR",
    "extractor_version": "VARCHAR",
    "content_hash": "VARCHAR",
    "run_id": "VARCHAR",
    "schema_version": "INTEGER",
}



@dataclass(slots=True)
class DocState:
    content_hash: str
    extractor_version: str
    status: str  # active or withdrawn
    path: str


@dataclass(slots=True)
class LogState:
    """What the log says now, enough to decide what a new run must append.

    Each document's state stays a column table (`doc_table`: doc_id, status, content_hash,
    extractor_version, path) as DuckDB folded it: a run asks about the few documents it
    changed (`lookup`), and plans the rest with joins (`facts.plan_run`). Made into 100k
    `DocState`s it took 0.3 of a change's 0.4 s to read the state at 100k articles;
    `docs` still makes them, for whoever wants them all."""

    head_seq: int = 0
    rejections: dict[str, tuple[str | None, str]] = field(default_factory=dict)  # path -> (hash, reason)
    # The segments (names and file identities) this state was read from: equal identities,
    # equal states, in any process.
    identity: tuple = ()
    doc_table: Any = None  # pyarrow.Table of `DOC_STATE_COLUMNS`; None: no document
    _docs: dict[str, DocState] | None = None

    @property
    def docs(self) -> dict[str, DocState]:
        """Every document the log knows, as objects (made once, on first use)."""
        if self._docs is None:
            self._docs = self._states(self.doc_table.to_pydict()) if self.doc_table is not None else {}
        return self._docs

    def lookup(self, doc_ids: Iterable[str]) -> dict[str, DocState]:
        """The states of those of `doc_ids` the log knows."""
        wanted = list(doc_ids)
        if not wanted or self.doc_table is None or not self.doc_table.num_rows:
            return {}
        if self._docs is not None:
            return {d: self._docs[d] for d in wanted if d in self._docs}
        import pyarrow as pa
        import pyarrow.compute as pc

        table = self.doc_table
        found = table.filter(pc.is_in(table.column("doc_id"), value_set=pa.array(wanted, pa.string())))
        return self._states(found.to_pydict())

    @staticmethod
    def _states(columns: dict[str, list]) -> dict[str, DocState]:
        # a dump's documents share one path and a run's one version: one string each, not
        # one per document
        return {doc_id: DocState(chash, _shared(version), status, _shared(path))
                for doc_id, status, chash, version, path in zip(
                    *(columns[c] for c in DOC_STATE_COLUMNS), strict=True)}

    def seed_paths(self) -> set[str]:
        """Seed paths the log has active documents or rejections from."""
        from pipelines.store.facts import seed_file_of

        paths: set[str] = set()
        if self._docs is not None:
            paths = {d.path for d in self._docs.values() if d.status == "active"}
        elif self.doc_table is not None and self.doc_table.num_rows:
            import pyarrow.compute as pc

            table = self.doc_table
            active = table.filter(pc.equal(table.column("status"), "active"))
            paths = set(pc.unique(active.column("path")).to_pylist())
        paths |= {seed_file_of(p) for p in self.rejections}
        return {p for p in paths if p}


# The columns of `LogState.doc_table`, in order.
DOC_STATE_COLUMNS = ("doc_id", "status", "content_hash", "extractor_version", "path")


class EventLog:
    """A directory of Parquet segments `seg-<first seq>.parquet`."""

    def __init__(self, directory: Path, lock_url: str | None = None) -> None:
        self.directory = Path(directory)
        self.catalog = Catalog(self.directory)
        self.lock_url = lock_url  # a PostgreSQL lock server; None: TIMELINE_LOCK_URL, if set
        self._verified: list[SegmentRecord] = []  # the catalog as checked under the lock
        self._state: tuple[tuple, LogState] | None = None  # (segment identities, their state)
        self._held: HeldLock | None = None

    @classmethod
    def beside(cls, db_path: Path, lock_url: str | None = None) -> EventLog:
        """The log that belongs to a published DuckDB file: warehouse/timeline.log/."""
        return cls(log_dir_for(db_path), lock_url)

    # ------------------------------------------------------------ files and locking

    def segments(self) -> list[Path]:
        if not self.directory.is_dir():
            return []
        return sorted(self.directory.glob("seg-*.parquet"))

    def relation(self) -> str:
        """SQL for the whole log, for DuckDB's read_parquet."""
        return _relation(self.segments())

    @contextmanager
    def lock(self, waiting: Callable[[str], None] | None = None) -> Iterator[None]:
        """Exclusive across processes (and machines, with a lock server); released by the
        kernel, and the server, if the holder is killed.

        Whoever takes it is about to read the log to write after it, so the log is
        verified first: a writer never appends to, or publishes, a damaged history.
        `waiting` hears, once, who holds the lock when this writer must wait.
        """
        with warehouse_lock(self.directory, LOG_LOCK_FILE, self.lock_url, waiting) as held:
            self._held = held
            try:
                self._remove_stale_temporaries()
                self._verified = self.catalog.check(repair=True)
                yield
            finally:
                self._verified = []
                self._held = None

    def _confirm_locked(self) -> None:
        # Just before a segment is renamed into place: a writer whose server session was
        # lost (so another machine may hold the lock now) must not commit.
        if self._held is not None:
            self._held.confirm()

    def _remove_stale_temporaries(self) -> None:
        # Left by a writer killed mid-append; never part of the log.
        for tmp in [*self.directory.glob(".seg-*.tmp"), *self.directory.glob(".segments.json.*.tmp"),
                    *self.directory.glob(f".{_CHECKPOINT_PREFIX}*.tmp")]:
            tmp.unlink(missing_ok=True)

    # ------------------------------------------------------------ reading

    def _query(self, sql: str, params: list | None = None) -> list[tuple]:
        if not self.segments():
            return []
        with duckdb.connect() as con:
            return con.execute(sql.replace("{log}", self.relation()), params or []).fetchall()

    def head_seq(self) -> int:
        """The log's last seq. Under `lock()`, the catalog just verified says it (the
        records' last seqs, checked contiguous): no segment is opened (reading every
        segment's footer took 0.03-0.06 s at 100k, a few times per run)."""
        if self._verified:
            return self._verified[-1].last_seq
        rows = self._query("SELECT coalesce(max(seq), 0) FROM {log}")
        return int(rows[0][0]) if rows else 0

    def read_state(self) -> LogState:
        """What the log says now about each document and rejected path: the newest state
        checkpoint folded with the segments after it (`checkpoint_state`), or every segment
        when there is none. Remembered per process until a segment is added."""
        files = self.segments()
        identity = tuple((p.name, *file_identity(p.stat())) for p in files)
        if self._state is not None and self._state[0] == identity:
            return self._state[1]
        import pyarrow.compute as pc

        state = LogState(identity=identity)
        with _connect() as con:
            if files:
                state.head_seq = self._head_after_checkpoint(con, files)
                # straight into Arrow, not through a temporary table: materializing the
                # checkpoint's 100k rows in DuckDB took 0.15-0.2 s, most of reading the state
                folded = self._run_folded(con, files, True, lambda sql: con.execute(
                    f"SELECT scope, key AS doc_id, CASE WHEN last_kind = '{FactKind.DOCUMENT_WITHDRAWN}' "
                    "THEN 'withdrawn' ELSE 'active' END AS status, content_hash, extractor_version, path, "
                    f"reason, last_kind FROM ({sql})").to_arrow_table())
                documents = pc.equal(folded.column("scope"), "document")
                # most logs have no refusal: then the documents' columns are the answer's own,
                # not a filtered copy of 100k rows
                if pc.all(documents).as_py() is not False:
                    state.doc_table = folded.select(list(DOC_STATE_COLUMNS))
                else:
                    state.doc_table = folded.filter(documents).select(list(DOC_STATE_COLUMNS))
                    refused = folded.filter(pc.invert(documents)).to_pydict()
                    for path, chash, reason, last_kind in zip(refused["doc_id"], refused["content_hash"],
                                                              refused["reason"], refused["last_kind"], strict=True):
                        if last_kind == FactKind.DOCUMENT_REJECTED:
                            state.rejections[path] = (chash, reason)
        self._state = (identity, state)
        return state

    def _head_after_checkpoint(self, con: duckdb.DuckDBPyConnection, files: list[Path]) -> int:
        """The last seq of `files`: the newest checkpoint's head (the catalog vouches for
        it) when no segment came after it, else the last seq of those after it; only their
        footers are read, not one per segment the log ever committed."""
        base, after = self._checkpoint(files)
        if base is not None and not after:
            return _checkpoint_head(base)
        return int(con.execute(f"SELECT coalesce(max(seq), 0) FROM {_relation(after)}").fetchone()[0])

    def checkpoint_state(self) -> Path | None:
        """Write the state at the log's head as a checkpoint, so the next runs fold only the
        segments after it instead of scanning the whole log; while the facts after the
        newest checkpoint (or in the whole log) are few, that one (or none) is kept
        instead. Call under `lock()`, after an append. Derived data: a checkpoint that does
        not match the catalog is ignored, and any may be deleted."""
        records = self._verified
        if not records:
            return None
        head = records[-1].last_seq
        base, _ = self._checkpoint(self.segments())
        since = _checkpoint_head(base) if base is not None else 0
        if head - since < max(_CHECKPOINT_MIN_TAIL, head // _CHECKPOINT_TAIL_SHARE):
            # a short tail (or a short log) folds in a blink; writing the whole state again
            # (every document the log knows) after each small run would not
            return base
        target = self.directory / _checkpoint_name(head, _covered_digest(records, head))
        if not target.exists():
            with _connect() as con:
                self._fold(con, self.segments())
                with atomic_path(target) as tmp:
                    quoted = str(tmp).replace("'", "''")
                    con.execute(f"COPY (SELECT * FROM folded ORDER BY scope, key) TO '{quoted}' "
                                "(FORMAT parquet, COMPRESSION zstd)")
        for old in self.directory.glob(f"{_CHECKPOINT_PREFIX}*.parquet"):
            if old != target:
                old.unlink(missing_ok=True)
        return target

    def checkpoint_problem(self) -> str | None:
        """Whether the state checkpoint the reads would use says what a scan of the segments
        it covers says (`timeline verify`): None when it does, or there is none."""
        files = self.segments()
        base, after = self._checkpoint(files)
        if base is None:
            return None
        covered = [p for p in files if p not in after]
        quoted = str(base).replace("'", "''")
        with _connect() as con:
            try:
                self._fold(con, covered, use_checkpoint=False)
                differs = con.execute(
                    f"SELECT count(*) FROM ((SELECT * FROM folded EXCEPT SELECT * FROM read_parquet('{quoted}')) "
                    f"UNION ALL (SELECT * FROM read_parquet('{quoted}') EXCEPT SELECT * FROM folded))").fetchone()[0]
            except duckdb.Error as exc:
                return f"{base} is unreadable ({exc}): delete it; the next run writes it again"
        if differs:
            return (f"{base} differs from the segments it covers on {differs} rows: delete it; "
                    "the next run writes it again")
        return None

    def _fold(self, con: duckdb.DuckDBPyConnection, files: list[Path], use_checkpoint: bool = True) -> None:
        """Table `folded`: per document and per rejected path, the latest of each field (the
        latest non-null one, as arg_max skips nulls), from the newest valid checkpoint and
        the segments after it (or from the segments alone)."""
        self._run_folded(con, files, use_checkpoint,
                         lambda sql: con.execute(f"CREATE OR REPLACE TEMP TABLE folded AS {sql}"))

    @staticmethod
    def _folded(base: Path | None, after: list[Path]) -> str:
        """The query `_fold` makes its table of, from checkpoint `base` (or none) and the
        segments `after` it."""
        relation = _relation(after)
        docs = (f"SELECT 'document' AS scope, doc_id AS key, arg_max(kind, seq) AS last_kind, "
                f"arg_max(content_hash, seq) FILTER (WHERE kind <> '{FactKind.DOCUMENT_WITHDRAWN}') "
                "AS content_hash, arg_max(extractor_version, seq) AS extractor_version, "
                "arg_max(path, seq) AS path, NULL::VARCHAR AS reason "
                f"FROM {relation} WHERE kind IN ({sql_list(DOCUMENT_KINDS)}) GROUP BY doc_id")
        rejected = sql_list((FactKind.DOCUMENT_REJECTED, FactKind.REJECTION_CLEARED))
        paths = ("SELECT 'rejection' AS scope, path AS key, arg_max(kind, seq) AS last_kind, "
                 "arg_max(content_hash, seq) AS content_hash, NULL::VARCHAR AS extractor_version, "
                 "NULL::VARCHAR AS path, arg_max(payload ->> '$.reason', seq) AS reason "
                 f"FROM {relation} WHERE kind IN ({rejected}) GROUP BY path")
        recent = f"({docs}) UNION ALL ({paths})" if after else (
            "SELECT * FROM (VALUES (NULL::VARCHAR, NULL::VARCHAR, NULL::VARCHAR, NULL::VARCHAR, "
            "NULL::VARCHAR, NULL::VARCHAR, NULL::VARCHAR)) "
            "t(scope, key, last_kind, content_hash, extractor_version, path, reason) WHERE false")
        if base is None:
            return recent
        quoted = str(base).replace("'", "''")
        fields = ("last_kind", "content_hash", "extractor_version", "path", "reason")
        # with no segment after it, the checkpoint is the state as it is (a join with
        # nothing read it a second time)
        return (f"SELECT * FROM read_parquet('{quoted}')" if not after else
                "SELECT scope, key, " + ", ".join(f"coalesce(r.{f}, c.{f}) AS {f}" for f in fields)
                + f" FROM read_parquet('{quoted}') c FULL JOIN ({recent}) r USING (scope, key)")

    def _run_folded(self, con: duckdb.DuckDBPyConnection, files: list[Path], use_checkpoint: bool,
                    query: Callable[[str], Any]) -> Any:
        """`query(the folded state's SQL)`; when it fails on the checkpoint, again on the next
        newest or the segments alone (an unreadable checkpoint is only a lost short-cut,
        removed here)."""
        while True:
            base, after = self._checkpoint(files) if use_checkpoint else (None, files)
            try:
                return query(self._folded(base, after))
            except duckdb.Error:
                if base is None:
                    raise
                base.unlink(missing_ok=True)  # the next newest, or the segments alone

    def _checkpoint(self, files: list[Path]) -> tuple[Path | None, list[Path]]:
        """The newest checkpoint that the catalog vouches for, and the segments after it."""
        try:
            records = self.catalog.load() or []
        except LogIntegrityError:
            records = []
        ends = {r.last_seq for r in records}
        for found in sorted(self.directory.glob(f"{_CHECKPOINT_PREFIX}*.parquet"), reverse=True):
            head = _checkpoint_head(found)
            if head in ends and found.name == _checkpoint_name(head, _covered_digest(records, head)):
                return found, [p for p in files if _segment_first(p) > head]
        return None, files

    def active_entities(self, doc_ids: list[str]) -> dict[str, dict[str, str]]:
        """doc_id -> {entity_id: md5 of its payload} for what each document says now.

        The documents' entity facts are found by a narrow pass over (doc_id, kind, seq), and
        their payloads read between those seqs' bounds: a join on doc_id alone read the
        payload column of every segment (0.3 CPU s for 1,000 edited articles at 100k)."""
        if not doc_ids:
            return {}
        out: dict[str, dict[str, str]] = {d: {} for d in doc_ids}
        files = self.segments()
        if not files:
            return out
        observed = sql_list((FactKind.MENTION_OBSERVED, FactKind.EVENT_OBSERVED))
        log = _relation(files)
        import pyarrow as pa

        with _connect() as con:
            # Handed over as an Arrow column: bound as a list parameter, 1,000 ids took 60 ms
            con.register("wanted_ids", pa.table({"doc_id": pa.array(doc_ids, pa.string())}))
            con.execute("CREATE TEMP TABLE wanted AS SELECT doc_id FROM wanted_ids")
            con.unregister("wanted_ids")
            con.execute(f"CREATE TEMP TABLE entity_seqs AS SELECT seq AS pos FROM {log} "
                        f"WHERE kind IN ({sql_list(ENTITY_KINDS)}) AND doc_id IN (SELECT doc_id FROM wanted)")
            rows = con.execute(
                f"""
                SELECT doc_id, entity_id, md5(arg_max(payload, seq)) AS digest
                FROM {log}
                WHERE {within_ranges(con, "entity_seqs", "seq")} AND seq IN (SELECT pos FROM entity_seqs)
                GROUP BY doc_id, entity_id
                HAVING arg_max(kind, seq) IN ({observed})
                """).fetchall()
        for doc_id, entity_id, digest in rows:
            out.setdefault(doc_id, {})[entity_id] = digest
        return out

    # ------------------------------------------------------------ appending

    def append(self, facts: Iterable[Fact | NewDocuments], run_id: str | None = None, head: int | None = None) -> int:
        """Append facts as one new segment. Call under `lock()`. Returns rows appended.

        Facts may be a stream, of facts or of `NewDocuments` (facts already in the log's
        columns): they are written in row groups of `_APPEND_BATCH`, so a run's memory holds
        one batch of them, not all. `head` is the log's last seq when the caller read it
        under the same lock (saves a scan of every segment); without it the log is read again.
        """
        import pyarrow as pa
        import pyarrow.parquet as pq

        batches = _batched(facts)
        first = (self.head_seq() if head is None else head) + 1
        cataloged = max((r.last_seq for r in self._verified), default=0)
        if first != cataloged + 1:
            raise LogIntegrityError(
                f"the log in {self.directory} reads as ending at seq {first - 1} but its catalog "
                f"at seq {cataloged}: append under lock() after verifying")
        first_batch = next(batches, None)
        if first_batch is None:
            return 0
        now = datetime.now(UTC).replace(tzinfo=None)
        run_id = run_id or uuid.uuid4().hex
        final = self.directory / f"seg-{first:012d}.parquet"
        seq = first
        schema = _arrow_schema()
        # A segment appears whole under its final name or not at all.
        with atomic_path(final) as tmp:
            writer = None
            try:
                for batch in itertools.chain([first_batch], batches):
                    rows = batch.num_rows
                    columns = {
                        "seq": pa.array(range(seq, seq + rows), schema.field("seq").type),
                        "recorded_at": pa.array([now] * rows, schema.field("recorded_at").type),
                        **{name: batch.column(name) for name in FACT_COLUMNS},
                        "run_id": pa.array([run_id] * rows, schema.field("run_id").type),
                        "schema_version": pa.array([LOG_SCHEMA_VERSION] * rows, schema.field("schema_version").type),
                    }
                    table = pa.table({name: columns[name] for name in LOG_COLUMNS}, schema=schema)
                    if writer is None:
                        writer = pq.ParquetWriter(tmp, schema, compression="zstd",
                                                  use_dictionary=_DICTIONARY_COLUMNS)
                    writer.write_table(table)
                    seq += rows
            finally:
                if writer is not None:
                    writer.close()
            self._confirm_locked()
        self._commit(final, first, seq - 1)
        return seq - first

    def _commit(self, segment: Path, first: int, last: int) -> None:
        """List a segment just renamed into place in the catalog, with its checksum."""
        self.catalog.record_written(self._verified, segment, first, last, last - first + 1)
        self._verified = self.catalog.load() or []

    def import_rows(self, frame: pl.DataFrame) -> None:
        """Adopt rows of an older warehouse as they were (seq and recorded_at kept)."""
        import polars as pl

        if frame.is_empty():
            return
        types = {"BIGINT": pl.Int64(), "TIMESTAMP": pl.Datetime("us"), "VARCHAR": pl.Utf8(), "INTEGER": pl.Int32()}
        frame = frame.select(
            [
                (pl.col(c).cast(types[t]) if c in frame.columns else pl.lit(None, dtype=types[t])).alias(c)
                for c, t in LOG_COLUMNS.items()
            ]
        )
        first = int(frame["seq"].min())
        self.directory.mkdir(parents=True, exist_ok=True)
        final = self.directory / f"seg-{first:012d}.parquet"
        with atomic_path(final) as tmp:
            frame.write_parquet(tmp, compression="zstd", statistics=True)
            self._confirm_locked()
        self._commit(final, first, int(frame["seq"].max()))


def _connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")  # a long fold would draw one on stderr
    return con


def _relation(files: list[Path]) -> str:
    quoted = ", ".join("'" + str(p).replace("'", "''") + "'" for p in files)
    return f"read_parquet([{quoted}], union_by_name = true)"


_CHECKPOINT_PREFIX = "state-"  # state-<head seq>-<digest of the segments it covers>.parquet
# A new checkpoint once this many facts, or this share of the log, came after the newest
# (a daily run of 1,000 articles appends ~20,000 facts to a log of millions).
_CHECKPOINT_MIN_TAIL = 100_000
_CHECKPOINT_TAIL_SHARE = 8


def _checkpoint_name(head: int, digest: str) -> str:
    return f"{_CHECKPOINT_PREFIX}{head:012d}-{digest}.parquet"


def _checkpoint_head(path: Path) -> int:
    try:
        return int(path.name[len(_CHECKPOINT_PREFIX):].split("-", 1)[0])
    except ValueError:
        return -1


def _covered_digest(records: list[SegmentRecord], head: int) -> str:
    """The segments up to `head`, by name and checksum: a checkpoint is valid only for them."""
    covered = "".join(f"{r.file}:{r.sha256};" for r in records if r.last_seq <= head)
    return hashlib.sha256(covered.encode()).hexdigest()[:16]


def _segment_first(path: Path) -> int:
    return int(path.stem.removeprefix("seg-"))


def _shared(text: str | None) -> str | None:
    return None if text is None else sys.intern(text)


_APPEND_BATCH = 20_000  # facts per row group of a segment
# Columns whose values repeat (a run's kinds, paths, version); payloads and ids are unique,
# and trying a dictionary on them first was a third of the time of writing a segment.
_DICTIONARY_COLUMNS = ["kind", "doc_id", "path", "extractor_version", "content_hash", "run_id"]


def _batched(items: Iterable[Fact | NewDocuments]) -> Iterator[Any]:
    """The facts as tables of the log's fact columns, `_APPEND_BATCH` rows each but the last."""
    import pyarrow as pa

    parts: list[Any] = []  # tables, in order
    loose: list[Fact] = []  # facts after the last table
    rows = 0
    for item in items:
        if isinstance(item, Fact):
            loose.append(item)
            rows += 1
        else:
            if loose:
                parts.append(fact_table(loose))
                loose = []
            parts.append(item.table)
            rows += item.table.num_rows
        if rows >= _APPEND_BATCH:
            if loose:
                parts.append(fact_table(loose))
                loose = []
            whole = pa.concat_tables(parts)
            while whole.num_rows >= _APPEND_BATCH:
                yield whole.slice(0, _APPEND_BATCH)
                whole = whole.slice(_APPEND_BATCH)
            parts, rows = [whole], whole.num_rows
    if loose:
        parts.append(fact_table(loose))
    if rows:
        yield pa.concat_tables(parts)


# The columns a fact sets; the log adds the others as it appends.
FACT_COLUMNS = ("kind", "doc_id", "entity_id", "path", "payload", "extractor_version", "content_hash")


@cache
def _arrow_schema() -> Any:
    """The log's columns as pyarrow types."""
    import pyarrow as pa

    types = {"BIGINT": pa.int64(), "TIMESTAMP": pa.timestamp("us"), "VARCHAR": pa.large_string(), "INTEGER": pa.int32()}
    return pa.schema([(name, types[t]) for name, t in LOG_COLUMNS.items()])


def fact_table(facts: Sequence[Fact]) -> Any:
    """Facts as a pyarrow table of the log's fact columns (`FACT_COLUMNS`)."""
    return columns_table({"kind": [str(f.kind) for f in facts],
                          **{name: [getattr(f, name) for f in facts] for name in FACT_COLUMNS[1:]}})


def columns_table(columns: dict[str, list[str | None]]) -> Any:
    """Values of the log's fact columns (`FACT_COLUMNS`), row by row, as a pyarrow table."""
    import pyarrow as pa

    schema = pa.schema([_arrow_schema().field(name) for name in FACT_COLUMNS])
    return pa.table({name: pa.array(columns[name], schema.field(name).type) for name in FACT_COLUMNS}, schema=schema)
