"""The `timeline` command line."""

from __future__ import annotations

import json
import re
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
    "  timeline show --from 2020-5-1 --to 2020年8月 --type evacuation\n\n"
    "  timeline show --search '唐山 烧烤店'   # one story across all articles, most relevant first\n\n"
    "  timeline export --search 唐山 --format html tangshan.html\n\n"
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


def _output_format(name: str) -> OutputFormat:
    try:
        return OutputFormat(name.lower())
    except ValueError:
        _fail(f"unknown format {name!r}: choose one of {', '.join(f.value for f in OutputFormat)}")
    raise AssertionError("unreachable")


class ShowRows(StrEnum):
    head = "head"
    all = "all"
    none = "none"


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


# The forms people type: 2020-05-01, 2020-5-1, 2020/5/1, 2020.5.1, 2020年5月1日, 20200501,
# full-width digits too; a month alone (2020-5, 2020年5月) or a year (2020年) is a period.
_DAY = re.compile(r"(\d{4})\s*(?:[-/.年]\s*(\d{1,2})\s*(?:[-/.月]\s*(?:(\d{1,2})\s*[日号號]?)?)?)?\s*年?")
_COMPACT_DAY = re.compile(r"(\d{4})(\d{2})(\d{2})")
DAY_FORMS = "2020-05-01, 2020-5-1, 2020/5/1, 2020年5月1日 or 20200501"


def parse_day(value: str, period_end: bool = False) -> date:
    """A day as users type it; a month or year gives its first day, or its last with
    `period_end`. Raises ValueError for anything else."""
    import calendar
    import unicodedata

    text = unicodedata.normalize("NFKC", value).strip()
    match = _COMPACT_DAY.fullmatch(text) or _DAY.fullmatch(text)
    if not match:
        raise ValueError(value)
    year, month, day = (int(g) if g else None for g in match.groups())
    if month is None:
        return date(year, 12, 31) if period_end else date(year, 1, 1)
    if day is None:
        return date(year, month, calendar.monthrange(year, month)[1] if period_end else 1)
    return date(year, month, day)


def _parse_day(value: str | None, name: str, period_end: bool = False) -> date | None:
    if value is None:
        return None
    try:
        return parse_day(value, period_end)
    except ValueError:
        _fail(f"{name} must be a date such as {DAY_FORMS}; got {value!r}")
    return None


def _parse_moment(value: str, name: str) -> datetime:
    """An ISO timestamp (2026-11-01 12:00, 2026-11-01T12:00:00) or a day in any form above."""
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        pass
    try:
        return datetime.combine(parse_day(value), datetime.min.time())
    except ValueError:
        _fail(f"{name} must be a moment such as '2026-11-01 12:00' (UTC) or a day such as "
              f"{DAY_FORMS}; got {value!r}")
    raise AssertionError("unreachable")


SEED_KINDS = "a folder of articles (.txt) and JSONL dumps (.jsonl, .jsonl.gz), or one such file"
# `timeline run` on a terminal: the summary and this many rows, so a run of thousands of
# articles fits a screen (`--show all` or `timeline show` for the rest).
HEAD_ROWS = 25


@app.command()
def run(
    seeds: SeedsOpt = Path(DEFAULT_SEEDS),
    db: DbOpt = Path(DEFAULT_DB),
    show_rows: Annotated[str, typer.Option(
        "--show", metavar="head|all|none",
        help=f"After the run print the first {HEAD_ROWS} rows (head, the most reported when there "
             "are more), every row (all), or only the summary (none).")] = ShowRows.head.value,
    no_show: Annotated[bool, typer.Option("--no-show", hidden=True, help="Same as --show none.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Run even when no seed file changed since the last run, and read every file.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="On failure, print the whole traceback.")] = False,
    dagster: Annotated[bool, typer.Option(
        "--dagster", help="Run the asset graph through Dagster (recorded in the instance of "
                          "DAGSTER_HOME, so the run shows in the UI) instead of the same steps without it.")] = False,
) -> None:
    """Ingest the seeds (a folder, or one file) in process and publish the warehouse.

    The steps are the asset graph's (scan, extract, append, publish, page, picture), run
    without Dagster's bookkeeping unless --dagster is given.
    Prints what was ingested and the first rows; progress of each phase goes to stderr.
    Exit 0 when bad files were only quarantined; 1 when the run itself failed.
    """
    import os
    import time

    from pipelines.core.reading import DEFAULT_MAX_BYTES
    from pipelines.paths import log_dir_for
    from pipelines.store.locks import run_lock

    try:
        shown = ShowRows.none if no_show else ShowRows(show_rows.lower())
    except ValueError:
        _fail(f"unknown --show {show_rows!r}: choose one of {', '.join(r.value for r in ShowRows)}")
    if seeds.is_file():
        root, only = seeds.parent, [seeds.name]
    elif seeds.is_dir():
        root, only = seeds, None
    else:
        _fail(f"seeds {seeds} does not exist: give {SEED_KINDS}")
    raw_max = os.environ.get("TIMELINE_MAX_BYTES", str(DEFAULT_MAX_BYTES)).strip()
    if not raw_max.isdigit():
        _fail(f"TIMELINE_MAX_BYTES must be a number of bytes, got {raw_max!r}")
    started = time.monotonic()
    # One run at a time: a second waits, so two runs give the tables of one after the
    # other (documented under "How the event log works").
    try:
        with run_lock(log_dir_for(db), waiting=lambda message: typer.echo(message, err=True)):
            _run_exclusively(root, only, db, int(raw_max), force, debug, dagster)
    except OSError as exc:  # the warehouse's folder cannot be made or locked (a file in its way)
        typer.echo(f"error: run failed: {type(exc).__name__}: {exc}"
                   + ("" if debug else " (--debug for the traceback)"), err=True)
        if debug:
            import traceback

            typer.echo(traceback.format_exc(), err=True)
        raise typer.Exit(1) from None
    _after_run(db, shown, time.monotonic() - started)


def _run_exclusively(root: Path, only: list[str] | None, db: Path, max_bytes: int, force: bool,
                     debug: bool, dagster: bool = False) -> None:
    import os

    from pipelines.core.extract import EXTRACTOR_VERSION
    from pipelines.store.integrity import LogIntegrityError, check_before_writing
    from pipelines.store.manifest import unchanged_since_last_run

    try:  # a damaged log is refused before anything is read, extracted or published
        check_before_writing(db)
    except LogIntegrityError as exc:
        _fail(f"run refused, nothing read or published: {exc}")
    # Checked before anything heavy is imported: an unchanged folder costs a hash per file.
    if not force and only is None and unchanged_since_last_run(db, root, EXTRACTOR_VERSION, max_bytes):
        typer.echo("nothing changed since the last run (same files, same extractor): "
                   "nothing to extract, append or publish", err=True)
        return

    workers = int(os.environ.get("TIMELINE_WORKERS", "0")) or None
    if dagster:
        from pipelines.defs.resources import TimelineSettings
        from pipelines.runner import run_pipeline

        # A new resource, not model_copy: Dagster rebuilds a resource from the arguments it
        # was constructed with, so fields changed by model_copy silently revert in the run.
        settings = TimelineSettings(seeds_dir=str(root), db_path=str(db), max_bytes=max_bytes,
                                    workers=workers or 0, show_progress=True)
        outcome = run_pipeline(settings, only=only, force=force)
    else:
        from pipelines.local_run import run_in_process
        from pipelines.store.api import Store

        outcome = run_in_process(Store(db, root, max_bytes, EXTRACTOR_VERSION, workers, reread=force), only,
                                 show_progress=True)
    if outcome.interrupted:
        typer.echo(f"stopped: {outcome.error}", err=True)
        raise typer.Exit(130)  # the shell's code for a command ended by SIGINT
    if not outcome.success:
        typer.echo(f"error: run failed: {outcome.error}"
                   + ("" if debug else " (--debug for the traceback)"), err=True)
        if debug and outcome.traceback:
            typer.echo(outcome.traceback, err=True)
        raise typer.Exit(1)


def _after_run(db: Path, shown: ShowRows, seconds: float) -> None:
    _summary(db, seconds)
    if shown is ShowRows.all:
        show(db=db)
    elif shown is ShowRows.head:
        show(db=db, limit=HEAD_ROWS, caption_more=True)


# Quarantined files listed one per line up to this many; the rest are counted.
_LISTED_REJECTIONS = 5


def _summary(db: Path, seconds: float | None = None) -> None:
    from pipelines.store.readonly import connect_read_only

    with connect_read_only(db) as con:
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("documents", "events", "timeline", "rejected_documents")}
        rejected = con.execute("SELECT path, reason FROM rejected_documents ORDER BY path").fetchall()
    for path, reason in rejected[:_LISTED_REJECTIONS]:
        typer.echo(f"quarantined: {path}: {reason}", err=True)
    if len(rejected) > _LISTED_REJECTIONS:
        typer.echo(f"quarantined: {len(rejected) - _LISTED_REJECTIONS:,} more "
                   "(SELECT * FROM rejected_documents)", err=True)
    took = f" in {seconds:.1f} s" if seconds is not None else ""
    typer.echo(f"{counts['documents']:,} documents, {counts['events']:,} events, "
               f"{counts['timeline']:,} timeline rows, {counts['rejected_documents']:,} quarantined"
               f"{took} -> {db}", err=True)


@app.command()
def show(
    db: DbOpt = Path(DEFAULT_DB),
    date_from: Annotated[str | None, typer.Option(
        "--from", help=f"Events that can fall on or after this day ({DAY_FORMS}; 2020-5 for a month).")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Events that can fall on or before this day.")] = None,
    event_type: Annotated[str | None, typer.Option(
        "--type", help="Event type, e.g. meeting, arrest, fire (the 47 are in pipelines/core/events/data/types.tsv).")] = None,
    search: Annotated[str | None, typer.Option(
        "--search", help="Rows about this, most relevant first (e.g. 唐山 烧烤店): full-text over "
                         "headline, evidence, place and actors, either script.")] = None,
    place: Annotated[str | None, typer.Option("--place", help="Rows whose place contains this (either script).")] = None,
    actor: Annotated[str | None, typer.Option("--actor", help="Rows with an actor containing this (either script).")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="The timeline as recorded at this UTC moment.")] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="At most this many rows.")] = None,
    output: Annotated[str, typer.Option("--format", metavar="table|csv|json", help="table, csv or json.")] = "table",
    caption_more: Annotated[bool, typer.Option(hidden=True)] = False,
) -> None:
    """The timeline: one row per distinct event, earliest first (most relevant first with --search)."""
    fmt = _output_format(output)
    if not db.exists():
        _fail(f"no warehouse at {db}: run `timeline run` first")
    lo, hi = _parse_day(date_from, "--from"), _parse_day(date_to, "--to", period_end=True)
    if lo and hi and lo > hi:
        _fail(f"--from {lo} is after --to {hi}")
    moment = _parse_moment(as_of, "--as-of") if as_of is not None else None
    if event_type:
        from pipelines.core.events.tables import tables

        known = tables().labels
        if event_type not in known:
            _fail(f"unknown event type {event_type!r}; the types are: {', '.join(sorted(known))}")
    from pipelines.store.readonly import connect_read_only
    from pipelines.store.timeline_query import (
        TimelineQuery,
        first_recorded,
        query_timeline,
        write_timeline_csv,
    )

    request = TimelineQuery(date_from=lo, date_to=hi, event_type=event_type, search=search,
                            place=place, actor=actor, as_of=moment, limit=limit,
                           most_reported=caption_more)
    with connect_read_only(db) as con:
        if fmt is OutputFormat.csv:  # written as it is read, by DuckDB (every row: 84k at 100k articles)
            sys.stdout.flush()
            written, total = write_timeline_csv(con, request, sys.stdout.buffer)
            sys.stdout.buffer.flush()
            columns, rows = [], []
        else:
            columns, rows, total = query_timeline(con, request)
            written = len(rows)
        first = first_recorded(con) if moment is not None and not total else None
    before_anything = moment is not None and not total and (first is None or first > moment)
    if before_anything and first is None:
        typer.echo("note: the event log is empty: nothing was ever recorded", err=True)
    elif before_anything:
        typer.echo(f"note: nothing was recorded by {moment:%Y-%m-%d %H:%M:%S} UTC: the first fact was "
                   f"recorded at {first:%Y-%m-%d %H:%M:%S} UTC; give a later --as-of", err=True)
    elif search is not None and not total:
        typer.echo(f"note: no timeline row mentions {search!r}", err=True)
    if fmt is OutputFormat.csv:
        return
    more = total - written
    caption = None
    if more > 0:
        caption = (f"{written:,} of {total:,} rows"
                   + (" (most reported); all: timeline show" if caption_more else "; more: --limit"))
    if fmt is OutputFormat.table and rows:
        caption = ((caption + "\n") if caption else "") + "date: * inferred, ? not given"
    _print_rows(columns, rows, fmt, total, caption)


# Too long for a terminal table; csv and json carry them.
# The date column says how sure the date is (推定, 日期不詳), so date_basis is not needed.
_TABLE_HIDDEN = ("evidence", "event_id", "modality", "granularity", "latest", "date_basis", "actors")
# Widths rich may not squeeze below (a date, a type) or grow past (a place).
_TABLE_WIDTHS = {"earliest": 16, "event_type": 11, "place": 12, "num_sources": 3, "score": 6}


def terminal_date(row: dict) -> str:
    """A row's date in few columns: 2020-07-17, 2020-05, 2020, a range as 2020-05-01…12-16;
    * when inherited from an earlier date in the text, ? when the text gives none."""
    earliest, latest = row.get("earliest"), row.get("latest")
    if earliest is None:
        return "?"
    latest = latest or earliest
    if row.get("date_basis") == "bounded":
        return f"{earliest.year}?"
    granularity = row.get("granularity")
    if granularity == "year" and earliest.year == latest.year:
        text = f"{earliest.year}"
    elif granularity == "month" and earliest.strftime("%Y-%m") == latest.strftime("%Y-%m"):
        text = earliest.strftime("%Y-%m")
    elif earliest == latest:
        text = earliest.isoformat()
    else:
        text = f"{earliest}…{latest.strftime('%m-%d') if latest.year == earliest.year else latest}"
    return text + ("*" if row.get("date_basis") == "inherited" else "")


def _print_rows(columns: list[str], rows: list[tuple], output: OutputFormat, total: int | None = None,
                caption: str | None = None) -> None:
    """JSON lines or a table (CSV is written by `write_timeline_csv`)."""
    if output is OutputFormat.json:
        for row in rows:
            sys.stdout.write(json.dumps(dict(zip(columns, row, strict=True)), ensure_ascii=False, default=str) + "\n")
        return
    from rich.console import Console
    from rich.table import Table

    # Piped into a file or a pager, rich would cut Chinese headlines at 80 columns.
    # One line per row, whatever the width: headlines and places cut with … rather than
    # folded over lines.
    table = Table(title=f"timeline ({total if total is not None else len(rows):,} events)",
                  caption=caption, show_lines=False, box=None, pad_edge=False)
    shown = [c for c in columns if c not in _TABLE_HIDDEN]
    console = Console(width=None if sys.stdout.isatty() else 200)
    # rich measures an unwrapped cell at its full width and would drop whole columns to
    # fit; the headline gets what the other columns leave instead.
    rest = sum(_TABLE_WIDTHS.get(c, 0) + 2 for c in shown if c != "headline")
    for name in shown:
        label = {"earliest": "date", "num_sources": "n", "event_type": "type"}.get(name, name)
        width = _TABLE_WIDTHS.get(name, max(12, console.width - rest - 2))
        table.add_column(label, no_wrap=True, overflow="ellipsis", max_width=width,
                         justify="right" if name in ("num_sources", "score") else "left")
    for row in rows:
        record = dict(zip(columns, row, strict=True))
        cells = []
        for name in shown:
            value = terminal_date(record) if name == "earliest" else record[name]
            cells.append("" if value is None else f"{value:.1f}" if isinstance(value, float) else str(value))
        table.add_row(*cells)
    console.print(table)


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
        if sys.stdin.isatty():
            typer.echo("reading the text from standard input (end it with Ctrl-D)", err=True)
        text = sys.stdin.read()
        if not text.strip():
            _fail("no text on standard input: give a file (timeline extract article.txt), pipe "
                  "text in (echo '今年5月' | timeline extract --reference 2020-12-16), or use --jsonl")
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


def _extract_line(line: bytes | str, extract_times, number: int) -> dict:
    """The output of one input line (`number` counts from 1, blank lines included)."""
    record_id = None
    try:
        try:
            record = json.loads(line.strip())
        except json.JSONDecodeError as exc:
            raise ValueError(f"not JSON ({exc.msg} at column {exc.colno})") from None
        except UnicodeDecodeError:
            raise ValueError("not UTF-8 text") from None
        if not isinstance(record, dict):
            raise ValueError('a line must be a JSON object such as {"id": 1, "text": "...", "reference": "2020-12-16"}')
        record_id = record.get("id")
        text = record.get("text")
        if not isinstance(text, str):
            raise ValueError("'text' must be a string")
        ref_raw = record.get("reference")
        try:
            ref = datetime.fromisoformat(ref_raw) if ref_raw else None
        except (TypeError, ValueError):
            raise ValueError(f"'reference' must be an ISO time such as 2020-12-16T10:38:18, got {ref_raw!r}") from None
        return {"id": record_id, "mentions": [m.to_json() for m in extract_times(text, ref)]}
    except Exception as exc:  # the contract: a bad line yields an error line, never a crash
        return {"id": record_id, "line": number, "error": f"line {number}: {exc}"}


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


def _extract_chunk(lines: list[tuple[int, bytes]], convention: str | None) -> str:
    """Output lines of a chunk of (line number, line) as one string: one small pickle back
    to the parent."""
    extract_times = _times_function(convention)
    return "".join(json.dumps(_extract_line(line, extract_times, number), ensure_ascii=False) + "\n"
                   for number, line in lines)


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
    lines = ((number, line) for number, line in enumerate(stdin, 1) if line.strip())
    head: list = []
    size = 0
    for item in lines:
        head.append(item)
        size += len(item[1])
        if size >= _POOL_MIN_BYTES:
            break
    workers = _jsonl_workers()
    if size < _POOL_MIN_BYTES or workers < 2:
        if not head:
            _fail('no lines on standard input: --jsonl reads one {"id", "text", "reference"} '
                  "object per line")
        out.write(_extract_chunk(head, convention))
        for item in lines:
            out.write(_extract_chunk([item], convention))
        return
    import gc
    import itertools
    import multiprocessing
    import os
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    # Warm the tagger's tables before forking: workers inherit them instead of each
    # building its own copy.
    from pipelines.core.timex import warm_up

    warm_up()
    rest = itertools.chain(head, lines)
    chunks = iter(lambda: list(itertools.islice(rest, _CHUNK_LINES)), [])
    from pipelines.core.extract import die_with_parent

    # What exists now is left out of collections until the pool is done: the workers'
    # collector does not walk (and copy) the pages they share with this process.
    gc.freeze()
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                 initializer=die_with_parent, initargs=(os.getpid(),)) as pool:
            pending: deque = deque()
            for chunk in chunks:
                pending.append(pool.submit(_extract_chunk, chunk, convention))
                if len(pending) >= workers * 4:
                    out.write(pending.popleft().result())
            while pending:
                out.write(pending.popleft().result())
    finally:
        gc.unfreeze()

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


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def sql(ctx: typer.Context, db: DbOpt = Path(DEFAULT_DB)) -> None:
    """The duckdb shell on the published file, read-only, with the macros (timeline_as_of,
    timeline_search, ...); it never blocks a run. Pipe SQL in to run it and exit; further
    arguments go to the shell (e.g. -csv, -c 'SELECT count(*) FROM timeline')."""
    import os
    import shutil

    if not db.exists():
        _fail(f"no warehouse at {db}: run `timeline run` first")
    # duckdb-cli puts the shell beside this interpreter; another one on PATH may be of a
    # release that cannot read this file.
    beside = Path(sys.executable).with_name("duckdb")
    shell = str(beside) if beside.exists() else shutil.which("duckdb")
    if shell is None:
        _fail("the duckdb shell is not installed: pip install duckdb-cli (the version of duckdb)")
    sys.stdout.flush()
    # exec, not a child: Ctrl-C then cancels the shell's query instead of ending this process.
    os.execv(shell, [shell, "-readonly", str(db), *ctx.args])


def _register_optional_commands() -> None:
    """Commands that live in their own modules (exports) register themselves here."""
    from pipelines import cli_export

    cli_export.register(app)


def main() -> None:
    import atexit
    import gc
    import warnings

    from pipelines.streams import whole_stdout

    # The process's exit frees what a command leaves: the collection the interpreter runs
    # at shutdown only walked it (0.1 s after a 3,000-article run, on a loaded machine).
    # Registered first, so it runs last of the exit handlers.
    atexit.register(gc.freeze)
    whole_stdout()  # every command's output arrives whole under PYTHONUNBUFFERED (pipelines/streams.py)

    # Dagster's beta notices (pipelines/defs silences the backfill policy's) and its
    # deprecations are for this project's developers, not for users of the CLI.
    warnings.filterwarnings("ignore", message=r".*is currently in beta.*")
    warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"dagster\..*")
    _register_optional_commands()
    app()


if __name__ == "__main__":
    main()
