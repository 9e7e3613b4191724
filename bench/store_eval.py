"""Store engine evaluation (docs/store.md): the current design against DuckLake.

Works on a warehouse the pipeline wrote (the published file and its log), copied, or
scaled to `--copies` synthetic copies of its log (every doc, entity and path id suffixed,
seqs shifted, so the projections see that many distinct articles). Then, on each engine,
it applies the same three changes of 1% of the articles as log facts (new articles,
edited articles whose events are all retracted and observed again, deleted articles),
publishes each, and measures wall time, CPU time and bytes written (wchar of the process:
bytes handed to write calls); then the as-of query (time and peak RSS in a fresh process),
readers during a commit and two writers.

The engines differ only in how the projections are stored and committed; the projection
SQL is the project's (`pipelines/store/projections.py`), so both build the same tables.

    .venv/bin/python -m bench.store_eval current --warehouse W.duckdb --work DIR [--copies 10]
    <venv with duckdb 1.5.5 and duckdb-extension-ducklake>/bin/python bench/store_eval.py \
        ducklake --catalog sqlite|postgres --warehouse W.duckdb --work DIR [--copies 10]

Prints one JSON object per measurement.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipelines.store import projections as P  # noqa: E402

SHARE = 100  # 1 in SHARE articles changes: 1%


def _io_written() -> int:
    with open("/proc/self/io") as fh:
        return int(next(line for line in fh if line.startswith("wchar:")).split()[1])


class Meter:
    def __init__(self, what: str, **extra) -> None:
        self.what, self.extra = what, extra

    def __enter__(self) -> Meter:
        self.t0, self.c0, self.w0 = time.perf_counter(), time.process_time(), _io_written()
        return self

    def __exit__(self, *exc) -> None:
        if exc[0] is None:
            print(json.dumps({"what": self.what, "wall_s": round(time.perf_counter() - self.t0, 3),
                              "cpu_s": round(time.process_time() - self.c0, 3),
                              "written_mib": round((_io_written() - self.w0) / 2**20, 2),
                              **self.extra}), flush=True)


def _log_relation(log_dir: Path) -> str:
    files = ", ".join(f"'{p}'" for p in sorted(log_dir.glob("seg-*.parquet")))
    return f"read_parquet([{files}], union_by_name = true)"


def _suffix(col: str, k: str) -> str:
    return f"CASE WHEN {col} IS NULL THEN NULL ELSE {col} || '{k}' END"


def scaled_log(con: duckdb.DuckDBPyConnection, source_log: Path, copies: int) -> str:
    """A temp table `facts` holding `copies` copies of the log, ids suffixed #k."""
    rel = _log_relation(source_log)
    con.execute(f"CREATE TEMP TABLE src AS SELECT * FROM {rel}")
    span = con.execute("SELECT max(seq) FROM src").fetchone()[0]
    parts = []
    for k in range(copies):
        tag = "" if k == 0 else f"#{k}"
        parts.append(
            f"SELECT seq + {k * span} AS seq, recorded_at, kind, {_suffix('doc_id', tag)} AS doc_id, "
            f"{_suffix('entity_id', tag)} AS entity_id, {_suffix('path', tag)} AS path, "
            "payload, extractor_version, content_hash, run_id, schema_version FROM src")
    con.execute(f"CREATE TEMP TABLE facts AS {' UNION ALL '.join(parts)}")
    return "facts"


def change_facts(con: duckdb.DuckDBPyConnection, change: str, head: int, round_no: int) -> str:
    """Facts for one change of 1% of the current articles, after seq `head`, in temp
    table `delta`. `con` sees the current projections as `documents` and `events` and
    `time_mentions`, and the log as `event_log`."""
    now = "now()::TIMESTAMP"
    pick = f"(SELECT doc_id FROM documents WHERE hash(doc_id || '{round_no}') % {SHARE} = 0)"
    if change == "new":
        tag = f"+n{round_no}"
        sql = f"""
        SELECT {_suffix('doc_id', tag)} AS doc_id, {_suffix('entity_id', tag)} AS entity_id,
               {_suffix('path', tag)} AS path, kind, payload, extractor_version, content_hash
        FROM (SELECT * FROM event_log WHERE doc_id IN {pick}
              AND kind IN ('document_ingested', 'mention_observed', 'event_observed')
              QUALIFY row_number() OVER (PARTITION BY kind, coalesce(entity_id, doc_id) ORDER BY seq DESC) = 1)
        """
    elif change == "edit":
        sql = f"""
        SELECT doc_id, NULL AS entity_id, path, 'document_revised' AS kind, payload, extractor_version,
               md5(content_hash || 'edit') AS content_hash
        FROM documents_log WHERE doc_id IN {pick}
        UNION ALL
        SELECT doc_id, event_id, NULL, 'event_retracted', '{{}}', NULL, NULL
        FROM events WHERE doc_id IN {pick}
        UNION ALL
        SELECT doc_id, mention_id, NULL, 'mention_retracted', '{{}}', NULL, NULL
        FROM time_mentions WHERE doc_id IN {pick}
        UNION ALL
        SELECT doc_id, entity_id || '+e{round_no}', NULL, kind, payload, extractor_version, NULL
        FROM (SELECT * FROM event_log WHERE doc_id IN {pick} AND kind IN ('event_observed', 'mention_observed')
              QUALIFY row_number() OVER (PARTITION BY entity_id ORDER BY seq DESC) = 1)
        """
    else:
        sql = f"""
        SELECT doc_id, NULL AS entity_id, path, 'document_withdrawn' AS kind, '{{}}' AS payload,
               extractor_version, NULL AS content_hash
        FROM documents_log WHERE doc_id IN {pick}
        """
    con.execute("""CREATE OR REPLACE TEMP VIEW documents_log AS
        SELECT doc_id, arg_max(path, seq) AS path, arg_max(payload, seq) AS payload,
               arg_max(extractor_version, seq) AS extractor_version,
               arg_max(content_hash, seq) AS content_hash
        FROM event_log WHERE kind IN ('document_ingested', 'document_revised') GROUP BY doc_id""")
    con.execute(f"""CREATE OR REPLACE TEMP TABLE delta AS
        SELECT {head} + row_number() OVER () AS seq, {now} AS recorded_at, kind, doc_id, entity_id, path,
               payload::VARCHAR AS payload, extractor_version, content_hash, 'eval-{change}' AS run_id,
               2 AS schema_version
        FROM ({sql})""")
    return "delta"


def _dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# Reads every column a user's query would, not only the row count (which a store may
# answer from metadata).
_READ_ALL = ("count(*), sum(num_sources), max(length(headline)), max(length(evidence)), "
             "max(len(doc_ids))")


def _as_of_probe(python: str, attach: str, query: str) -> dict:
    """Time and peak RSS of one as-of query in a fresh process (the user's cost)."""
    code = (
        "import duckdb, time, json, sys\n"
        "con = duckdb.connect()\n"
        f"for stmt in {attach!r}.split(';\\n'):\n"
        "    stmt.strip() and con.execute(stmt)\n"
        "t = time.perf_counter()\n"
        f"n = con.execute({query!r}).fetchone()\n"
        # VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec from the forking parent.
        "hwm = next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1]\n"
        "print(json.dumps({'rows': n, 'wall_s': round(time.perf_counter() - t, 3),"
        " 'peak_rss_mib': round(int(hwm) / 1024)}))\n"
    )
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- the current design


def eval_current(args: argparse.Namespace) -> None:
    from pipelines.store.eventlog import EventLog
    from pipelines.store.warehouse import publish

    work = Path(args.work)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    db = work / "timeline.duckdb"
    log = EventLog.beside(db)
    src_log = Path(args.warehouse).with_name(Path(args.warehouse).stem + ".log")
    with duckdb.connect() as con:
        scaled_log(con, src_log, args.copies)
        frame = con.execute("SELECT * FROM facts ORDER BY seq").pl()
    with log.lock():
        log.import_rows(frame)
    del frame
    with Meter("current: full publish from the log", copies=args.copies):
        publish(db, log, rebuild=True)
    print(json.dumps({"what": "current: published file", "mib": round(db.stat().st_size / 2**20, 1),
                      "log_mib": round(_dir_bytes(log.directory) / 2**20, 1)}), flush=True)
    for round_no, change in enumerate(("new", "edit", "delete")):
        with duckdb.connect(str(db), read_only=True) as con:
            head = con.execute("SELECT max(seq) FROM event_log").fetchone()[0]
            change_facts(con, change, head, round_no)
            delta = con.execute("SELECT * FROM delta ORDER BY seq").pl()
        with log.lock():
            log.import_rows(delta)
        with Meter(f"current: publish 1% {change}", facts=delta.height):
            publish(db, log)
        print(json.dumps({"what": f"current: file after {change}", "mib": round(db.stat().st_size / 2**20, 1)}),
              flush=True)
    with duckdb.connect(str(db), read_only=True) as con:
        first, last = con.execute("SELECT min(recorded_at), max(recorded_at) FROM event_log").fetchone()
    for ts in (first, last):
        probe = _as_of_probe(sys.executable, f"ATTACH '{db}' AS w (READ_ONLY);\nUSE w",
                             f"SELECT {_READ_ALL} FROM timeline_as_of(TIMESTAMP '{ts}')")
        print(json.dumps({"what": "current: timeline_as_of", "ts": str(ts), **probe}), flush=True)


# ---------------------------------------------------------------- DuckLake


def _ducklake_paths() -> list[str]:
    import importlib

    out = []
    for name in ("ducklake", "sqlite", "postgres"):
        try:
            mod = importlib.import_module(f"duckdb_extension_{name}")
        except ImportError:
            continue
        out.extend(str(p) for p in Path(mod.__file__).parent.rglob("*.duckdb_extension"))
    return out


def _lake_attach(args: argparse.Namespace, work: Path, read_only: bool = False, install: bool = True) -> str:
    # INSTALL copies an extension file into extension_directory under its canonical name
    # (sqlite.duckdb_extension becomes sqlite_scanner), which LOAD then finds offline.
    installs = [f"INSTALL '{p}'" for p in _ducklake_paths()] if install else []
    loads = ";\n".join([f"SET extension_directory = '{work / 'extensions'}'", *installs,
                        "LOAD ducklake", "LOAD sqlite", "LOAD postgres"])
    if args.catalog == "sqlite":
        target = f"ducklake:sqlite:{work / 'catalog.sqlite'}"
    else:
        target = f"ducklake:postgres:{args.pg}"
    ro = ", READ_ONLY" if read_only else ""
    return f"{loads};\nATTACH '{target}' AS lake (DATA_PATH '{work / 'data'}/'{ro});\nUSE lake"


def _connect_lake(args: argparse.Namespace, work: Path, read_only: bool = False,
                  install: bool = True) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for stmt in _lake_attach(args, work, read_only, install).split(";\n"):
        con.execute(stmt)
    return con


_TIMELINE_ROW_HASH = "hash(t)"  # of the whole row, as a struct


def lake_publish(con: duckdb.DuckDBPyConnection, since: int) -> tuple[int, int]:
    """The projections brought up to the log's head in one DuckLake transaction: the
    affected documents' rows replaced, the timeline recomputed and only its changed rows
    written."""
    con.execute("BEGIN")
    con.execute(f"CREATE OR REPLACE TEMP TABLE affected AS SELECT DISTINCT doc_id FROM event_log "
                f"WHERE seq > {since} AND doc_id IS NOT NULL")
    scoped_log = "log AS (SELECT * FROM event_log WHERE doc_id IN (SELECT doc_id FROM affected))"
    scoped_docs = "docs AS (SELECT * FROM documents WHERE doc_id IN (SELECT doc_id FROM affected))"
    for table in ("time_mentions", "events", "documents"):
        con.execute(f"DELETE FROM {table} WHERE doc_id IN (SELECT doc_id FROM affected)")
    con.execute(f"INSERT INTO documents WITH {scoped_log} {P.documents_sql()}")
    con.execute(f"INSERT INTO time_mentions WITH {scoped_log}, {scoped_docs} SELECT * FROM ({P.mentions_sql('docs')})")
    con.execute(f"INSERT INTO events WITH {scoped_log}, {scoped_docs} SELECT * FROM ({P.events_sql('docs')})")
    con.execute(f"CREATE OR REPLACE TEMP TABLE next_timeline AS {P.timeline_sql('events', 'documents')}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE next_keys AS SELECT event_id, {_TIMELINE_ROW_HASH} AS h "
                "FROM next_timeline t")
    con.execute(f"CREATE OR REPLACE TEMP TABLE gone AS SELECT event_id FROM "
                f"(SELECT event_id, {_TIMELINE_ROW_HASH} AS h FROM timeline t) ANTI JOIN next_keys USING (event_id, h)")
    con.execute("DELETE FROM timeline WHERE event_id IN (SELECT event_id FROM gone)")
    con.execute("INSERT INTO timeline SELECT * FROM next_timeline WHERE event_id NOT IN (SELECT event_id FROM timeline)")
    changed = con.execute("SELECT count(*) FROM gone").fetchone()[0]
    con.execute("COMMIT")
    return con.execute("SELECT count(*) FROM affected").fetchone()[0], changed


def eval_ducklake(args: argparse.Namespace) -> None:
    work = Path(args.work)
    shutil.rmtree(work, ignore_errors=True)
    (work / "data").mkdir(parents=True)
    src_log = Path(args.warehouse).with_name(Path(args.warehouse).stem + ".log")
    con = _connect_lake(args, work)
    for t in ("timeline", "events", "time_mentions", "documents", "event_log"):
        con.execute(f"DROP TABLE IF EXISTS {t}")
    con.execute("SET threads = 1")
    with Meter("ducklake: full build from the log", copies=args.copies, catalog=args.catalog):
        scaled_log(con, src_log, args.copies)
        con.execute("CREATE TABLE event_log AS SELECT * FROM facts ORDER BY seq")
        con.execute(f"CREATE TABLE documents AS WITH log AS (SELECT * FROM event_log) {P.documents_sql()}")
        con.execute(f"CREATE TABLE time_mentions AS WITH log AS (SELECT * FROM event_log) "
                    f"SELECT * FROM ({P.mentions_sql('documents')})")
        con.execute(f"CREATE TABLE events AS WITH log AS (SELECT * FROM event_log) "
                    f"SELECT * FROM ({P.events_sql('documents')})")
        con.execute(f"CREATE TABLE timeline AS {P.timeline_sql('events', 'documents')}")
    print(json.dumps({"what": "ducklake: data files", "mib": round(_dir_bytes(work / "data") / 2**20, 1)}), flush=True)
    con.execute("DROP TABLE src")
    con.execute("DROP TABLE facts")
    stamps = []
    for round_no, change in enumerate(("new", "edit", "delete")):
        head = con.execute("SELECT max(seq) FROM event_log").fetchone()[0]
        change_facts(con, change, head, round_no)
        n = con.execute("SELECT count(*) FROM delta").fetchone()[0]
        before = _dir_bytes(work / "data")
        with Meter(f"ducklake: publish 1% {change}", facts=n, catalog=args.catalog):
            con.execute("INSERT INTO event_log SELECT * FROM delta")
            affected, changed_rows = lake_publish(con, head)
        print(json.dumps({"what": f"ducklake: new data bytes after {change}",
                          "mib": round((_dir_bytes(work / 'data') - before) / 2**20, 2),
                          "affected_docs": affected, "timeline_rows_replaced": changed_rows}), flush=True)
        stamps.append(con.execute("SELECT max(recorded_at) FROM event_log").fetchone()[0])
    snaps = con.execute("SELECT snapshot_id, snapshot_time::VARCHAR FROM ducklake_snapshots('lake') ORDER BY 1").fetchall()
    con.close()
    python = sys.executable
    for snap_id, snap_time in (snaps[len(snaps) // 2], snaps[-1]):
        probe = _as_of_probe(python, _lake_attach(args, work, read_only=True, install=False),
                             f"SELECT {_READ_ALL} FROM timeline AT (VERSION => {snap_id})")
        print(json.dumps({"what": "ducklake: timeline AT (VERSION)", "snapshot": snap_id, **probe}), flush=True)
        probe = _as_of_probe(python, _lake_attach(args, work, read_only=True, install=False),
                             f"SELECT {_READ_ALL} FROM timeline AT (TIMESTAMP => TIMESTAMPTZ '{snap_time}')")
        print(json.dumps({"what": "ducklake: timeline AT (TIMESTAMP)", "ts": str(snap_time), **probe}), flush=True)
    _readers_during_commit(args, work)
    _two_writers(args, work)


def _reader(args: argparse.Namespace, work: Path, seconds: float) -> None:
    con = _connect_lake(args, work, read_only=True, install=False)
    worst, n, errors, counts = 0.0, 0, [], set()
    stop = time.monotonic() + seconds
    while time.monotonic() < stop:
        t = time.perf_counter()
        try:
            counts.add(con.execute("SELECT count(*) FROM timeline").fetchone()[0])
        except duckdb.Error as exc:
            errors.append(str(exc)[:120])
        worst, n = max(worst, time.perf_counter() - t), n + 1
    print(json.dumps({"what": "ducklake: reader during commits", "queries": n, "worst_s": round(worst, 3),
                      "errors": errors[:3], "distinct_counts_seen": len(counts)}), flush=True)


def _writer(args: argparse.Namespace, work: Path, name: str, batches: int) -> None:
    con = _connect_lake(args, work, install=False)
    failures = []
    for b in range(batches):
        for attempt in range(20):
            try:
                con.execute("INSERT INTO event_log (seq, recorded_at, kind, doc_id, entity_id, run_id) "
                            "SELECT NULL, now()::TIMESTAMP, 'probe', ?, ?, ? FROM range(100)",
                            [f"{name}-{b}", None, name])
                break
            except duckdb.Error as exc:
                failures.append(str(exc)[:160])
                time.sleep(0.05 * (attempt + 1))
    print(json.dumps({"what": "ducklake: writer", "name": name, "retries": len(failures),
                      "sample_errors": failures[:2]}), flush=True)


def _readers_during_commit(args: argparse.Namespace, work: Path) -> None:
    me = [sys.executable, __file__, "ducklake-role", "--catalog", args.catalog, "--pg", args.pg,
          "--work", str(work), "--warehouse", args.warehouse]
    reader = subprocess.Popen([*me, "--role", "reader"])
    time.sleep(1.0)
    con = _connect_lake(args, work)
    head = con.execute("SELECT max(seq) FROM event_log").fetchone()[0]
    change_facts(con, "new", head, 7)
    with Meter("ducklake: publish while a reader reads"):
        con.execute("INSERT INTO event_log SELECT * FROM delta")
        lake_publish(con, head)
    con.close()
    reader.wait()


def _two_writers(args: argparse.Namespace, work: Path) -> None:
    me = [sys.executable, __file__, "ducklake-role", "--catalog", args.catalog, "--pg", args.pg,
          "--work", str(work), "--warehouse", args.warehouse]
    writers = [subprocess.Popen([*me, "--role", f"writer-{w}"]) for w in ("a", "b")]
    for w in writers:
        w.wait()
    con = _connect_lake(args, work, read_only=True)
    rows = con.execute("SELECT run_id, count(*), count(DISTINCT doc_id) FROM event_log WHERE kind = 'probe' "
                       "GROUP BY run_id ORDER BY 1").fetchall()
    lineage = con.execute("SELECT count(*), count(DISTINCT rowid) FROM event_log WHERE kind = 'probe'").fetchone()
    print(json.dumps({"what": "ducklake: two writers, 20 commits of 100 facts each",
                      "per_writer": rows, "rows_and_distinct_row_ids": lineage}), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("engine", choices=["current", "ducklake", "ducklake-role"])
    ap.add_argument("--warehouse", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--copies", type=int, default=1)
    ap.add_argument("--catalog", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--pg", default="dbname=ducklake_eval host=127.0.0.1 user=timeline password=timeline")
    ap.add_argument("--role", default="")
    args = ap.parse_args()
    if args.engine == "current":
        eval_current(args)
    elif args.engine == "ducklake":
        eval_ducklake(args)
    elif args.role == "reader":
        _reader(args, Path(args.work), 20.0)
    else:
        _writer(args, Path(args.work), args.role, 20)


if __name__ == "__main__":
    main()
