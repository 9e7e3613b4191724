"""`timeline export`: the published timeline as Parquet, CSV, JSON, TimelineJS or a page."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from pipelines.paths import DEFAULT_DB


class ExportFormat(StrEnum):
    parquet = "parquet"
    csv = "csv"
    json = "json"
    timelinejs = "timelinejs"
    html = "html"
    png = "png"


_SUFFIX_FORMATS = {".parquet": "parquet", ".csv": "csv", ".json": "json", ".html": "html",
                   ".htm": "html", ".png": "png"}

EXPORT_HELP = """Write the published timeline to a file: one row per distinct event, earliest first.

Reads the DuckDB file read-only, so it never blocks a running ingest.

Formats: parquet keeps every column type; csv is UTF-8 with a header, list columns as JSON arrays; json is one array of objects; timelinejs is Knight Lab's TimelineJS JSON; html is one self-contained page (time axis, filters, evidence, no network needed); png is a picture.

Without --format the format follows OUT's suffix (.parquet .csv .json .html .png). OUT may be - (stdout) for the text formats.

Examples:

  timeline export --format html warehouse/timeline.html

  timeline export --format parquet --db /data/timeline.duckdb timeline.parquet

  timeline export --format timelinejs - > timeline.json

  timeline export timeline.csv

  timeline export --search '唐山 烧烤店' --format html tangshan.html
"""


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def export(
    out: Annotated[str, typer.Argument(metavar="OUT", help="Output file, or - for stdout (text formats).")],
    # A plain string, validated here, so a bad value is a one-line error like the others.
    fmt_name: Annotated[str | None, typer.Option(
        "--format", "-f", metavar="FORMAT",
        help="parquet, csv, json, timelinejs, html or png (default: from OUT's suffix).")] = None,
    db: Annotated[Path, typer.Option("--db", envvar="TIMELINE_DB", help="The published DuckDB file.")] = Path(DEFAULT_DB),
    title: Annotated[str | None, typer.Option("--title", help="Title of the page, picture or TimelineJS.")] = None,
    search: Annotated[str | None, typer.Option(
        "--search", help="Only the rows about this (full-text, as in `timeline show --search`): "
                         "one story's chronology, titled by the query.")] = None,
) -> None:
    from pipelines.publish.data import MissingWarehouse
    from pipelines.publish.formats import export_timeline

    fmt: ExportFormat | None = None
    if fmt_name is not None:
        try:
            fmt = ExportFormat(fmt_name.lower())
        except ValueError:
            _fail(f"unknown format {fmt_name!r}: choose one of {_choices()}")
    if fmt is None:
        guessed = _SUFFIX_FORMATS.get(Path(out).suffix.lower()) if out != "-" else None
        if guessed is None:
            _fail(f"cannot tell the format of {out!r}: give --format ({_choices()})")
        fmt = ExportFormat(guessed)
    if out != "-" and Path(out).is_dir():
        _fail(f"{out} is a folder: give a file name, e.g. {Path(out) / ('timeline.' + _suffix(fmt))}")
    if not db.exists():
        _fail(f"no warehouse at {db}: run `timeline run` first (or give --db)")
    try:
        if fmt is ExportFormat.png:
            if out == "-":
                _fail("png is binary: give a file name instead of -")
            from pipelines.publish.data import read_timeline
            from pipelines.publish.png import render_timeline_png

            if search is not None and title is None:
                title = f"{search.strip()}：時間線"
            render_timeline_png(db, out, title=title, search=search)
            n = len(read_timeline(db, search))
        else:
            n = export_timeline(db, out, fmt.value, title=title, search=search)
    except (MissingWarehouse, ValueError) as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"cannot write {out}: {exc.strerror or exc}")
    if out != "-":
        typer.echo(f"wrote {n} events to {out} ({fmt.value})", err=True)


def _choices() -> str:
    return ", ".join(f.value for f in ExportFormat)


def _suffix(fmt: ExportFormat) -> str:
    return "json" if fmt is ExportFormat.timelinejs else fmt.value


def register(app: typer.Typer) -> None:
    """Add the export command to the CLI."""
    app.command(name="export", help=EXPORT_HELP)(export)
