"""The `timeline` command line."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TextIO

import typer

from pipelines.paths import DEFAULT_DB, DEFAULT_SEEDS

app = typer.Typer(
    help="Timelines of dated events from Chinese news, with an append-only event log in DuckDB.\n\n"
    "Examples:\n\n"
    "  timeline run                      # ingest seeds/ into warehouse/timeline.duckdb\n\n"
    "  timeline show --from 2020-05-01 --type evacuation\n\n"
    "  echo '今年5月以來' | timeline extract --reference 2020-12-16\n\n"
    "  timeline show --as-of '2026-11-01 12:00'",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

SeedsOpt = Annotated[Path, typer.Option("--seeds", envvar="TIMELINE_SEEDS", help="Folder of articles and JSONL dumps.")]
DbOpt = Annotated[Path, typer.Option("--db", envvar="TIMELINE_DB", help="The published DuckDB file.")]


class RangeEnd(StrEnum):
    inclusive = "inclusive"
    exclusive = "exclusive"


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def _parse_day(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        _fail(f"{name} must be a date like 2020-05-01, got {value!r}")
    return None


@app.command()
def run(
    seeds: SeedsOpt = Path(DEFAULT_SEEDS),
    db: DbOpt = Path(DEFAULT_DB),
    show_timeline: Annotated[bool, typer.Option("--show/--no-show", help="Print the timeline after the run.")] = True,
    force: Annotated[bool, typer.Option("--force", help="Run even when no seed file changed since the last run.")] = False,
) -> None:
    """Materialize every asset over the seeds folder (in process) and publish the warehouse.

    Exit 0 when bad files were only quarantined; non-zero when the run itself failed.
    """
    import os

    from pipelines.core.reading import DEFAULT_MAX_BYTES
    from pipelines.paths import log_dir_for
    from pipelines.store.locks import run_lock

    if not seeds.is_dir():
        _fail(f"seeds folder {seeds} does not exist")
    raw_max = os.environ.get("TIMELINE_MAX_BYTES", str(DEFAULT_MAX_BYTES)).strip()
    if not raw_max.isdigit():
        _fail(f"TIMELINE_MAX_BYTES must be a number of bytes, got {raw_max!r}")
    # One whole-folder run at a time: a second waits, so two runs give the tables of one
    # after the other (documented under "How the event log works").
    with run_lock(log_dir_for(db), waiting=lambda message: typer.echo(message, err=True)):
        _run_exclusively(seeds, db, int(raw_max), force)
    _summary(db)
    if show_timeline:
        show(db=db)


def _run_exclusively(seeds: Path, db: Path, max_bytes: int, force: bool) -> None:
    from pipelines.core.extract import EXTRACTOR_VERSION
    from pipelines.store.integrity import LogIntegrityError, check_before_writing
    from pipelines.store.manifest import unchanged_since_last_run

    try:  # a damaged log is refused before anything is read, extracted or published
        check_before_writing(db)
    except LogIntegrityError as exc:
        _fail(f"run refused, nothing read or published: {exc}")
    # Checked before Dagster is imported: an unchanged folder costs a hash per file.
    if not force and unchanged_since_last_run(db, seeds, EXTRACTOR_VERSION, max_bytes):
        typer.echo("nothing changed since the last run (same files, same extractor): "
                   "nothing to extract, append or publish", err=True)
        return

    from pipelines.defs.resources import TimelineSettings
    from pipelines.runner import run_pipeline

    # A new resource, not model_copy: Dagster rebuilds a resource from the arguments it was
    # constructed with, so fields changed by model_copy silently revert inside the run.
    env = TimelineSettings.from_env()
    settings = TimelineSettings(seeds_dir=str(seeds), db_path=str(db), max_bytes=max_bytes,
                                workers=env.workers, show_progress=sys.stderr.isatty())
    outcome = run_pipeline(settings)
    if not outcome.success:
        _fail_run(f"run failed: {outcome.error}")


def _fail_run(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def _summary(db: Path) -> None:
    from pipelines.store.readonly import connect_read_only

    with connect_read_only(db) as con:
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("documents", "time_mentions", "events", "timeline", "rejected_documents", "event_log")}
        rejected = con.execute("SELECT path, reason FROM rejected_documents ORDER BY path").fetchall()
    for path, reason in rejected:
        typer.echo(f"quarantined: {path}: {reason}", err=True)
    typer.echo(" ".join(f"{k}={v}" for k, v in counts.items()), err=True)


@app.command()
def show(
    db: DbOpt = Path(DEFAULT_DB),
    date_from: Annotated[str | None, typer.Option("--from", help="Events that can fall on or after this day.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Events that can fall on or before this day.")] = None,
    event_type: Annotated[str | None, typer.Option(
        "--type", help="Event type, e.g. meeting, arrest, fire (the 47 are in pipelines/core/events/data/types.tsv).")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="The timeline as recorded at this UTC moment.")] = None,
    output: Annotated[OutputFormat, typer.Option("--format", help="table, csv or json.")] = OutputFormat.table,
) -> None:
    """The timeline: one row per distinct event, earliest first."""
    if not db.exists():
        _fail(f"no warehouse at {db}: run `timeline run` first")
    lo, hi = _parse_day(date_from, "--from"), _parse_day(date_to, "--to")
    source = "timeline"
    params: list = []
    if as_of is not None:
        try:
            moment = datetime.fromisoformat(as_of)
        except ValueError:
            _fail(f"--as-of must be a timestamp like 2026-11-01T12:00, got {as_of!r}")
        source = "timeline_as_of(?::TIMESTAMP)"
        params.append(moment)
    where = ["TRUE"]
    if lo:
        where.append("latest >= ?")
        params.append(lo)
    if hi:
        where.append("earliest <= ?")
        params.append(hi)
    if event_type:
        from pipelines.core.events.tables import tables

        known = tables().labels
        if event_type not in known:
            _fail(f"unknown event type {event_type!r}; the types are: {', '.join(sorted(known))}")
        where.append("event_type = ?")
        params.append(event_type)
    sql = (f"SELECT earliest, latest, granularity, date_basis, event_type, headline, place, "
           f"array_to_string(actors, '、') AS actors, num_sources, modality, evidence, event_id "
           f"FROM {source} WHERE {' AND '.join(where)} ORDER BY earliest, latest, event_type, event_id")
    from pipelines.store.readonly import connect_read_only

    with connect_read_only(db) as con:
        cursor = con.execute(sql, params)
        columns = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
    _print_rows(columns, rows, output)


# Too long for a terminal table; csv and json carry them.
_TABLE_HIDDEN = ("evidence", "event_id", "modality")


def _print_rows(columns: list[str], rows: list[tuple], output: OutputFormat) -> None:
    if output is OutputFormat.json:
        for row in rows:
            sys.stdout.write(json.dumps(dict(zip(columns, row, strict=True)), ensure_ascii=False, default=str) + "\n")
        return
    if output is OutputFormat.csv:
        import csv

        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"timeline ({len(rows)} events)", show_lines=False)
    for name in columns:
        if name in _TABLE_HIDDEN:
            continue
        table.add_column(name, overflow="fold", max_width=40 if name == "headline" else None)
    for row in rows:
        table.add_row(*["" if v is None else str(v) for c, v in zip(columns, row, strict=True)
                        if c not in _TABLE_HIDDEN])
    # Piped into a file or a pager, rich would fold Chinese headlines into 80 columns.
    Console(width=None if sys.stdout.isatty() else 200).print(table)


@app.command()
def extract(
    file: Annotated[str | None, typer.Argument(help="A text file, or - for stdin.")] = None,
    reference: Annotated[str | None, typer.Option("--reference", help="Publication time, ISO (2020-12-16T10:38:18).")] = None,
    jsonl: Annotated[bool, typer.Option("--jsonl", help='Read {"id","text","reference"} lines on stdin.')] = False,
    range_end: Annotated[RangeEnd | None, typer.Option(
        "--range-end", help="inclusive (news: 5月至8月 includes August) or exclusive (the "
        "TIMEX/Recognizers interval convention).")] = None,
) -> None:
    """Time mentions of one text as JSON lines, or of many texts with --jsonl."""
    convention = range_end.value if range_end is not None and range_end is not RangeEnd.inclusive else None
    extract_times = _times_function(convention)

    out = sys.stdout
    if jsonl:
        _extract_jsonl(out, convention)
        return
    ref = None
    if reference:
        try:
            ref = datetime.fromisoformat(reference)
        except ValueError:
            _fail(f"--reference must be ISO like 2020-12-16T10:38:18, got {reference!r}")
    if file in (None, "-"):
        text = sys.stdin.read()
    else:
        path = Path(file)
        if not path.is_file():
            _fail(f"no such file: {file}")
        from pipelines.core.reading import UndecodableError, decode_bytes

        try:
            text, _ = decode_bytes(path.read_bytes())
        except UndecodableError as exc:
            _fail(f"{file}: {exc}")
    for mention in extract_times(text, ref):
        out.write(json.dumps(mention.to_json(), ensure_ascii=False) + "\n")


def _extract_line(line: str, extract_times) -> dict:
    record_id = None
    try:
        record = json.loads(line)
        if not isinstance(record, dict):
            raise ValueError("a line must be a JSON object")
        record_id = record.get("id")
        text = record.get("text")
        if not isinstance(text, str):
            raise ValueError("'text' must be a string")
        ref_raw = record.get("reference")
        ref = datetime.fromisoformat(ref_raw) if ref_raw else None
        return {"id": record_id, "mentions": [m.to_json() for m in extract_times(text, ref)]}
    except Exception as exc:  # the contract: a bad line yields an error line, never a crash
        return {"id": record_id, "error": f"{type(exc).__name__}: {exc}"}


# `extract --jsonl` on large inputs: chunks of lines over a pool of forked workers. Below
# this much input a pool costs more (fork, pipes) than it saves.
_POOL_MIN_BYTES = 384 * 1024
_CHUNK_LINES = 24  # ~75 KB of news per task: small enough to balance two cores at the end


def _times_function(convention: str | None):
    from pipelines.core.timex import extract_times

    if convention is None:
        return extract_times
    from functools import partial

    return partial(extract_times, range_end=convention)


def _extract_chunk(lines: list[bytes], convention: str | None) -> str:
    """Output lines of a chunk as one string: one small pickle back to the parent."""
    extract_times = _times_function(convention)
    return "".join(json.dumps(_extract_line(line, extract_times), ensure_ascii=False) + "\n"
                   for line in lines)


def _jsonl_workers() -> int:
    import os

    env = os.environ.get("TIMELINE_WORKERS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _extract_jsonl(out: TextIO, convention: str | None) -> None:
    """One output line per non-blank input line, in input order.

    Lines are read as bytes (json.loads decodes them), so an undecodable line becomes an
    error line instead of stopping the command. Small inputs stay in this process; large
    ones go to forked workers in chunks, at most a few chunks in flight, results written
    in input order as they come back.
    """
    stdin = getattr(sys.stdin, "buffer", sys.stdin)
    lines = (line for line in stdin if line.strip())
    head: list = []
    size = 0
    for line in lines:
        head.append(line)
        size += len(line)
        if size >= _POOL_MIN_BYTES:
            break
    workers = _jsonl_workers()
    if size < _POOL_MIN_BYTES or workers < 2:
        out.write(_extract_chunk(head, convention))
        for line in lines:
            out.write(_extract_chunk([line], convention))
        return
    import itertools
    import multiprocessing
    import os
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    # Warm the tagger's tables before forking: workers inherit them instead of each
    # building its own copy.
    _times_function(convention)("2020年1月1日", None)
    rest = itertools.chain(head, lines)
    chunks = iter(lambda: list(itertools.islice(rest, _CHUNK_LINES)), [])
    from pipelines.core.extract import die_with_parent

    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                             initializer=die_with_parent, initargs=(os.getpid(),)) as pool:
        pending: deque = deque()
        for chunk in chunks:
            pending.append(pool.submit(_extract_chunk, chunk, convention))
            if len(pending) >= workers * 4:
                out.write(pending.popleft().result())
        while pending:
            out.write(pending.popleft().result())


@app.command()
def rebuild(db: DbOpt = Path(DEFAULT_DB)) -> None:
    """Recreate every published table from the event log alone (refused if the log is damaged)."""
    from pipelines.store.audits import AuditFailed
    from pipelines.store.eventlog import LogIntegrityError
    from pipelines.store.warehouse import publish

    try:
        result = publish(db, rebuild=True)
    except (LogIntegrityError, AuditFailed) as exc:
        _fail(f"rebuild refused, {db} left as it was: {exc}")
    typer.echo(f"rebuilt {db} from {result.log_rows} log rows", err=True)


@app.command()
def verify(db: DbOpt = Path(DEFAULT_DB)) -> None:
    """Check the event log (every segment's checksum, no gap) and the published file.

    Exit 0 when both are whole; 1 with one line per problem, naming the file and the fix.
    """
    from pipelines.store.eventlog import LogIntegrityError
    from pipelines.store.warehouse import verify_warehouse

    try:
        problems, findings = verify_warehouse(db)
    except LogIntegrityError as exc:
        problems, findings = [str(exc)], []
    for line in findings:
        typer.echo(line)
    for line in problems:
        typer.echo(f"error: {line}", err=True)
    if problems:
        raise typer.Exit(1)
    typer.echo("ok")


def _register_optional_commands() -> None:
    """Commands that live in their own modules (exports) register themselves here."""
    from pipelines import cli_export

    cli_export.register(app)


def main() -> None:
    import warnings

    # Dagster flags the single-run backfill policy as beta on every import; users of the
    # CLI cannot act on that, so it stays out of their terminal.
    warnings.filterwarnings("ignore", message=r".*is currently in beta.*")
    warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"dagster\..*")
    _register_optional_commands()
    app()


if __name__ == "__main__":
    main()
