"""Assets that turn the published timeline into things people look at: the HTML page and
a PNG picture, written beside the DuckDB file and linked from the Dagster UI."""

import dagster as dg

from pipelines.defs.resources import TimelineSettings
from pipelines.progress import phase

# The ingest job selects every asset, so each ingest run republishes these after the
# timeline table; no automation condition is needed.
TIMELINE_KEY = dg.AssetKey("timeline")
# The page written on every run shows at most this many rows (the most reported): it stays
# a page a browser opens at a province's scale (all rows: `timeline export --format html`).
PAGE_ROWS = 5000


@dg.asset(
    deps=[TIMELINE_KEY],
    group_name="publish",
    kinds={"html"},
)
def timeline_page(context: dg.AssetExecutionContext, settings: TimelineSettings) -> dg.MaterializeResult:
    """The timeline as one self-contained HTML page (time axis, filters by type and place,
    evidence and source on click), written to timeline.html beside the DuckDB file. It
    embeds its data and fetches nothing, so it can be opened offline or mailed."""
    from pipelines.publish.page import write_page

    out = settings.db.parent / "timeline.html"
    with phase("page", None, "events", log=context.log.info, stderr=settings.show_progress) as counted:
        events = write_page(settings.db, out, limit=PAGE_ROWS)
        counted(events)
    context.log.info(f"wrote {events} events to {out}")
    path = out.resolve()
    return dg.MaterializeResult(metadata={
        "dagster/uri": path.as_uri(),
        "path": dg.MetadataValue.path(str(path)),
        "url": dg.MetadataValue.url(path.as_uri()),
        "events": events,
        "bytes": path.stat().st_size,
    })


@dg.asset(
    deps=[TIMELINE_KEY],
    group_name="publish",
    kinds={"png"},
)
def timeline_picture(context: dg.AssetExecutionContext, settings: TimelineSettings) -> dg.MaterializeResult:
    """A PNG picture of the timeline (timeline.png beside the DuckDB file), shown inline in
    this asset's metadata."""
    from pipelines.publish.png import png_markdown

    with phase("picture", None, log=context.log.info, stderr=settings.show_progress):
        png, total = _draw(context, settings)
    out = settings.db.parent / "timeline.png"
    tmp = out.parent / f".{out.name}.tmp"
    tmp.write_bytes(png)
    tmp.replace(out)
    path = out.resolve()
    return dg.MaterializeResult(metadata={
        "dagster/uri": path.as_uri(),
        "path": dg.MetadataValue.path(str(path)),
        "preview": dg.MetadataValue.md(png_markdown(png)),
        "events": total,
    })


def _draw(context: dg.AssetExecutionContext, settings: TimelineSettings) -> tuple[bytes, int]:
    import warnings

    from pipelines.publish.data import read_timeline_top
    from pipelines.publish.png import MAX_ROWS, MissingCJKFont, cjk_fonts, render_png_bytes

    rows, total, sources = read_timeline_top(settings.db, MAX_ROWS)
    if not cjk_fonts():
        context.log.warning("no CJK font: Chinese shows as boxes (the project's dependency "
                            "noto-cjk-sans-otc provides one; reinstall the project)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingCJKFont)  # said once above, in the run's log
        png = render_png_bytes(rows, None, total, sources)
    return png, total


EXPORT_ASSETS = [timeline_page, timeline_picture]
