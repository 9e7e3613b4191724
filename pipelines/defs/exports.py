"""Assets that turn the published timeline into things people look at: the HTML page and
a PNG picture, written beside the DuckDB file and linked from the Dagster UI."""

import dagster as dg

from pipelines.defs.assets import FORCE_TAG
from pipelines.defs.resources import TimelineSettings
from pipelines.progress import phase
from pipelines.publish.files import (
    page_made_from_published,
    picture_made_from_published,
    write_page_beside,
    write_picture_beside,
)

# The ingest job selects every asset, so each ingest run republishes these after the
# timeline table; no automation condition is needed.
TIMELINE_KEY = dg.AssetKey("timeline")
ALREADY_MADE = "skipped: already made from the published file as it is, by this renderer"


def forced(context: dg.AssetExecutionContext) -> bool:
    return context.run.tags.get(FORCE_TAG) == "true"


@dg.asset(
    deps=[TIMELINE_KEY],
    group_name="publish",
    kinds={"html"},
)
def timeline_page(context: dg.AssetExecutionContext, settings: TimelineSettings) -> dg.MaterializeResult:
    """The timeline as one self-contained HTML page (time axis, filters by type and place,
    evidence and source on click), written to timeline.html beside the DuckDB file. It
    embeds its data and fetches nothing, so it can be opened offline or mailed."""
    events = None if forced(context) else page_made_from_published(settings.db)
    skipped = {"skipped": ALREADY_MADE} if events is not None else {}
    if events is not None:
        out = settings.db.parent / "timeline.html"
    else:
        with phase("page", None, "events", log=context.log.info, stderr=settings.show_progress) as counted:
            out, events = write_page_beside(settings.db)
            counted(events)
        context.log.info(f"wrote {events} events to {out}")
    path = out.resolve()
    return dg.MaterializeResult(metadata={
        **skipped,
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

    total = None if forced(context) else picture_made_from_published(settings.db)
    skipped = {"skipped": ALREADY_MADE} if total is not None else {}
    if total is not None:
        out = settings.db.parent / "timeline.png"
        png = out.read_bytes()
    else:
        with phase("picture", None, log=context.log.info, stderr=settings.show_progress):
            out, png, total = write_picture_beside(settings.db, warn=context.log.warning)
    path = out.resolve()
    return dg.MaterializeResult(metadata={
        **skipped,
        "dagster/uri": path.as_uri(),
        "path": dg.MetadataValue.path(str(path)),
        "preview": dg.MetadataValue.md(png_markdown(png)),
        "events": total,
    })


EXPORT_ASSETS = [timeline_page, timeline_picture]
