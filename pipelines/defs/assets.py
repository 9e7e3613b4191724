"""Assets: read articles, extract, append to the event log, publish the warehouse.

The first three are partitioned by seed path: one partition per file (an article or a
JSONL dump), so a new file is one small run, and one for the whole folder (`.`), which a
run over many files uses; the published tables are one projection of the whole log.
"""


from collections.abc import Iterator

import dagster as dg
import duckdb

from pipelines.core.extract import EXTRACTOR_VERSION
from pipelines.defs.resources import TimelineSettings
from pipelines.progress import phase
from pipelines.store.audits import AUDITS, AuditFailed, AuditOutcome, published_outcomes
from pipelines.store.ingest import ExtractionBatch, Scan, seed_paths
from pipelines.store.readonly import connect_read_only

seed_files = dg.DynamicPartitionsDefinition(name="seed_files")

# The partition of the seeds folder as a whole (no file can be named "."): every file in
# it and every path the log knows, so deleted files are withdrawn. A run over thousands of
# files takes this one partition, not thousands: Dagster records every partition of a run
# (a planned and a materialized event per asset, tens of ms each), which made a folder of
# 1,000 small articles 4x slower to ingest than the same articles as one dump.
WHOLE_FOLDER = "."


# One writer at a time for the log and the published file (see dagster.yaml pools).
WAREHOUSE_POOL = "timeline_warehouse"
VERSION_TAGS = {"extractor_version": EXTRACTOR_VERSION}
# One partition per seed file; a run over many partitions is one run (one process pool,
# one log segment, one publish), not one run per file.
PER_SEED_FILE = {"partitions_def": seed_files, "backfill_policy": dg.BackfillPolicy.single_run(),
                 "tags": VERSION_TAGS}


def _scope(context: dg.AssetExecutionContext, settings: TimelineSettings) -> tuple[list[str] | None, bool]:
    """The seed paths the run's partitions cover (None: the whole folder's, not listed yet),
    and whether that is the whole folder (whose digests then become the manifest of an
    unchanged folder)."""
    keys = list(context.partition_keys)
    if WHOLE_FOLDER in keys:
        return None, True
    # every partition the instance knows first (a query), the folder's listing only then
    if not set(keys) >= set(context.instance.get_dynamic_partitions(seed_files.name)):
        return keys, False
    return keys, set(keys) >= set(seed_paths(settings.seeds))


# A run tagged so (`timeline run --dagster --force`) reads every file even when the seed
# manifest says nothing changed, and every dump even when unchanged since its last scan.
FORCE_TAG = "timeline/force"
SKIPPED_UNCHANGED = "skipped: no seed file, extractor or log changed since the last whole-folder run"


@dg.asset(
    **PER_SEED_FILE,
    group_name="ingest",
    kinds={"python"},
)
def articles(context: dg.AssetExecutionContext, settings: TimelineSettings) -> Scan:
    """Articles read from the seed files of the selected partitions (`.`: the whole folder).

    Each file is decoded (UTF-8, UTF-16, GB18030, Big5), its header parsed, and either
    becomes documents or is quarantined with a reason. JSONL dumps stream one document
    per line. A deleted file yields nothing, which later withdraws its documents.
    """
    # A run over every seed file (the daily schedule's) takes the files' digests before
    # reading them: after it publishes they are the manifest of an unchanged folder.
    store = settings.store
    paths, whole_folder = _scope(context, settings)
    # The CLI's short-cut, for runs the schedule, the sensor or the UI start: the manifest
    # of the last whole-folder run vouches that every file is as it was, so none is read.
    forced = context.run.tags.get(FORCE_TAG) == "true"
    if whole_folder and not forced and store.unchanged():
        context.log.info(SKIPPED_UNCHANGED)
        context.add_output_metadata({"skipped": SKIPPED_UNCHANGED, "documents": 0, "parsed": 0})
        return store.unchanged_scan()
    with phase("scan", None, "documents", log=context.log.info, stderr=settings.show_progress) as advance:
        scan = store.scan(store.folder_paths() if paths is None else paths, advance, whole_folder=whole_folder,
                          reread=forced)
    for rej in scan.rejections:
        context.log.warning(f"quarantined {rej.path}: {rej.reason}")
    context.add_output_metadata({
        "documents": len(scan.docs),
        "parsed": scan.parsed,
        "known_by_line_hash": len(scan.docs) - scan.parsed,
        "dumps_not_read": scan.known_files,
        "rejected": len(scan.rejections),
        "characters_parsed": scan.chars,
        "seed_files": len(scan.scope_paths),
    })
    return scan


@dg.asset(
    **PER_SEED_FILE,
    group_name="extract",
    kinds={"python"},
)
def extractions(context: dg.AssetExecutionContext, settings: TimelineSettings,
                articles: Scan) -> ExtractionBatch:
    """Time mentions and events of every new or changed article.

    Articles whose content hash and extractor version the log already has are skipped.
    The others are read again one by one, extracted (by a process pool when there are
    many) and spooled to disk for the event log, so memory holds a window of them.
    """
    if articles.unchanged_folder:
        context.add_output_metadata({"skipped": SKIPPED_UNCHANGED, "extracted": 0})
        return settings.store.extract(articles)
    with phase("extract", len(articles.docs), "documents", log=context.log.info,
               stderr=settings.show_progress) as advance:
        batch = settings.store.extract(articles, advance)
    if note := batch.rederivation_note(settings.extractor_version):
        context.log.info(note)
    for error in batch.errors:
        context.log.error(error)
    context.add_output_metadata({
        "extracted": batch.extracted,
        "rederived": batch.rederived,
        "unchanged_skipped": batch.unchanged,
        "time_mentions": batch.mentions,
        "events": batch.events,
        "extraction_errors": len(batch.errors),
        "extractor_version": settings.extractor_version,
    })
    return batch


@dg.asset(
    **PER_SEED_FILE,
    group_name="record",
    kinds={"parquet", "polars"},
    pool=WAREHOUSE_POOL,
)
def event_log(context: dg.AssetExecutionContext, settings: TimelineSettings,
              extractions: ExtractionBatch) -> None:
    """The append-only event log: facts of ingestion, revision, withdrawal, observation
    and retraction, as immutable Parquet segments beside the warehouse file. Re-running
    on unchanged input appends nothing."""
    with phase("append", None, "facts", log=context.log.info, stderr=settings.show_progress) as counted:
        appended = settings.store.append(extractions, context.run.run_id)  # never after a lost history
        counted(appended.total)
    context.add_output_metadata({
        **({"skipped": SKIPPED_UNCHANGED} if extractions.scan.unchanged_folder else {}),
        "appended": appended.total,
        **{f"appended_{kind}": n for kind, n in sorted(appended.kinds.items())},
        "log_head_seq": settings.log.head_seq(),
    })


PUBLISHED = {
    "documents": "Current articles: header fields, content hash, full text.",
    "time_mentions": "Every time expression, normalized against its article's publication time.",
    "events": "Every event each article reports, with evidence offsets and date bounds.",
    "timeline": "One row per distinct event across articles, with num_sources.",
    "rejected_documents": "Quarantined files and dump lines, with the reason.",
}


@dg.multi_asset(
    specs=[
        dg.AssetSpec(name, description=desc, deps=[event_log], group_name="publish",
                     kinds={"duckdb"}, tags=VERSION_TAGS)
        for name, desc in PUBLISHED.items()
    ],
    check_specs=[
        dg.AssetCheckSpec(a.name, asset=a.table, description=a.description, blocking=a.blocking)
        for a in AUDITS
    ],
    pool=WAREHOUSE_POOL,
    can_subset=False,
)
def warehouse(context: dg.AssetExecutionContext, settings: TimelineSettings):
    """Publish the projections of the log to the DuckDB file, atomically.

    The next version is built in the buffer readers are not sent to, audited (the checks),
    and the published name switched to it only if every blocking audit passes.
    """
    try:
        with phase("publish", None, "new log rows", log=context.log.info,
                   stderr=settings.show_progress) as counted:
            result = settings.store.publish(context.run.run_id)
            counted(result.log_rows)
    except AuditFailed as failed:
        yield from _check_results(failed.outcomes, with_sample=True)
        raise dg.Failure(str(failed)) from failed
    with connect_read_only(settings.db) as con:
        # Nothing new to publish: the checks report the audits of the file as it is
        # published, recorded in it by its publish (any it lacks are run now).
        outcomes, audited_now = (result.audits, 0) if result.audits else published_outcomes(con)
        yield from _check_results(outcomes)
        path = dg.MetadataValue.path(str(settings.db.resolve()))
        for name in PUBLISHED:
            meta = {"dagster/row_count": con.execute(f"SELECT count(*) FROM {name}").fetchone()[0],
                    "path": path, "publish_mode": result.mode, "log_rows_added": result.log_rows}
            if not result.published:
                meta["audits"] = (f"as recorded by the publish of this file ({audited_now} run now)"
                                  if audited_now < len(AUDITS) else "run now on the published file")
            if name == "timeline":
                meta["newest_rows"] = timeline_preview(con)
            yield dg.MaterializeResult(asset_key=name, metadata=meta)


def _check_results(outcomes: list[AuditOutcome], with_sample: bool = False) -> Iterator:
    for o in outcomes:
        meta = {"failures": o.failures, **({"sample": str(o.sample)} if with_sample else {})}
        yield dg.AssetCheckResult(asset_key=o.audit.table, check_name=o.audit.name,
                                  passed=o.passed, metadata=meta)


def timeline_preview(con: duckdb.DuckDBPyConnection, rows: int = 10) -> dg.MetadataValue:
    """The newest timeline rows for the asset page: a Markdown list, not a table, so the
    UI's narrow metadata column shows whole headlines (a six-column table squeezed them
    to a few characters a line)."""
    from pipelines.publish.data import display_date

    cursor = con.execute(
        "SELECT earliest, latest, granularity, date_basis, event_type, headline, place, num_sources "
        "FROM timeline ORDER BY date_basis = 'bounded', latest DESC, earliest DESC, event_id LIMIT ?", [rows])
    names = [d[0] for d in cursor.description]
    lines = []
    for values in cursor.fetchall():
        row = dict(zip(names, values, strict=True))
        extra = " · ".join(x for x in (row["place"], row["event_type"], f"{row['num_sources'] or 1} 篇報道") if x)
        headline = (row["headline"] or "").replace("*", "\\*").replace("_", "\\_")
        lines.append(f"- **{display_date(row)}** {headline} ({extra})")
    return dg.MetadataValue.md("\n".join(lines) or "尚無事件")


ALL_ASSETS = [articles, extractions, event_log, warehouse]
