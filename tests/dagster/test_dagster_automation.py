"""The seeds-folder sensor and the daily schedule, evaluated tick by tick."""

from __future__ import annotations

import json
import os
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster_fixtures import timeline_defs, write_article

from pipelines.defs.assets import WHOLE_FOLDER, seed_files
from pipelines.defs.automation import (
    BATCH_NEW_FILES,
    daily_reingest,
    seed_folder_sensor,
)
from pipelines.defs.resources import TimelineSettings


class Daemon:
    """What the sensor daemon does with a tick: keep the cursor, add the partitions."""

    def __init__(self, tmp_path: Path) -> None:
        self.seeds = tmp_path / "seeds"
        self.seeds.mkdir()
        self.settings = TimelineSettings(seeds_dir=str(self.seeds),
                                         db_path=str(tmp_path / "wh" / "timeline.duckdb"), workers=1)
        # A local instance, not an ephemeral one: schedules need an instance reference.
        (tmp_path / "dagster_home").mkdir()
        self.instance = dg.DagsterInstance.local_temp(str(tmp_path / "dagster_home"))
        self.cursor: str | None = None

    def tick(self) -> dg.SensorResult:
        # entered and left: a context that touches the instance sets Dagster's current
        # state storage until it is closed, and later runs in this process would find it
        with dg.build_sensor_context(instance=self.instance, cursor=self.cursor,
                                     resources={"settings": self.settings}) as context:
            result = seed_folder_sensor(context)
        assert isinstance(result, dg.SensorResult)
        for request in result.dynamic_partitions_requests or []:
            self.instance.add_dynamic_partitions(request.partitions_def_name,
                                                 list(request.partition_keys))
        self.cursor = result.cursor
        return result

    def schedule(self) -> dg.RunRequest | dg.SkipReason:
        with dg.build_schedule_context(instance=self.instance, resources={"settings": self.settings}) as context:
            return daily_reingest(context)

    def partitions(self) -> list[str]:
        return self.instance.get_dynamic_partitions(seed_files.name)


@pytest.fixture
def daemon(tmp_path: Path) -> Daemon:
    return Daemon(tmp_path)


def keys(result: dg.SensorResult) -> list[str | None]:
    return [r.partition_key for r in result.run_requests or []]


def test_new_file_adds_its_partition_and_requests_a_run(daemon: Daemon):
    write_article(daemon.seeds, "a.txt", 0)
    write_article(daemon.seeds, "sub/b.txt", 1)
    result = daemon.tick()
    assert keys(result) == ["a.txt", "sub/b.txt"]
    assert daemon.partitions() == [WHOLE_FOLDER, "a.txt", "sub/b.txt"]
    assert len({r.run_key for r in result.run_requests}) == 2


def test_unchanged_file_requests_no_run_even_when_touched(daemon: Daemon):
    path = write_article(daemon.seeds, "a.txt", 0)
    daemon.tick()
    assert keys(daemon.tick()) == []
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    assert keys(daemon.tick()) == []  # a new mtime is re-hashed, same content: no run


def test_changed_file_requests_a_run_for_that_file_only(daemon: Daemon):
    write_article(daemon.seeds, "a.txt", 0)
    write_article(daemon.seeds, "b.txt", 1)
    first = daemon.tick()
    write_article(daemon.seeds, "b.txt", 1, day=12)
    result = daemon.tick()
    assert keys(result) == ["b.txt"]
    assert not result.dynamic_partitions_requests  # a known partition is not added again
    # Back to the first content: still a change, with a run key never used before (run keys
    # are deduplicated by Dagster, so reusing one would silently drop the run).
    write_article(daemon.seeds, "b.txt", 1)
    again = daemon.tick()
    assert keys(again) == ["b.txt"]
    used = {r.run_key for r in first.run_requests + result.run_requests}
    assert again.run_requests[0].run_key not in used


def test_deleted_file_requests_a_withdrawal_run_once(daemon: Daemon):
    write_article(daemon.seeds, "a.txt", 0)
    gone = write_article(daemon.seeds, "b.txt", 1)
    daemon.tick()
    gone.unlink()
    result = daemon.tick()
    assert keys(result) == ["b.txt"]
    assert "deleted" in result.run_requests[0].run_key
    assert "b.txt" in daemon.partitions()  # the partition stays: its run withdraws the docs
    assert keys(daemon.tick()) == []


def test_old_cursor_format_is_read(daemon: Daemon):
    write_article(daemon.seeds, "a.txt", 0)
    daemon.tick()
    digest = json.loads(daemon.cursor)["files"]["a.txt"]
    daemon.cursor = json.dumps({"a.txt": digest})  # what the first sensor version stored
    assert keys(daemon.tick()) == []


def test_second_cursor_format_is_read(daemon: Daemon):
    write_article(daemon.seeds, "a.txt", 0)
    daemon.tick()
    digest = json.loads(daemon.cursor)["files"]["a.txt"]
    # what the second version stored: [digest, size, mtime]; the file is hashed once more
    daemon.cursor = json.dumps({"v": 2, "gen": 1, "files": {"a.txt": [digest, -1, -1]}})
    assert keys(daemon.tick()) == []
    assert json.loads(daemon.cursor)["v"] == 3


def test_many_new_files_are_one_run_of_the_whole_folder(daemon: Daemon):
    instance = daemon.instance
    defs = timeline_defs(daemon.settings, dg.in_process_executor)
    write_article(daemon.seeds, "old.txt", 0)
    write_article(daemon.seeds, "gone.txt", 1)
    for request in daemon.tick().run_requests:
        _run(defs, instance, request)
    names = [f"batch/{i:03d}.txt" for i in range(BATCH_NEW_FILES + 1)]
    for i, name in enumerate(names):
        write_article(daemon.seeds, name, i + 2)
    write_article(daemon.seeds, "old.txt", 0, day=12)
    (daemon.seeds / "gone.txt").unlink()
    result = daemon.tick()
    # One run, of the folder: it covers the new, the changed and the deleted files.
    assert keys(result) == [WHOLE_FOLDER]
    parts = daemon.partitions()
    assert parts[parts.index(names[0]):parts.index(names[-1]) + 1] == names  # each file keeps its own
    run = _run(defs, instance, result.run_requests[0])
    scan = run.output_for_node("articles")
    assert scan.scope_paths == {"old.txt", "gone.txt", *names}
    with duckdb.connect(str(daemon.settings.db), read_only=True) as con:
        paths = {r[0] for r in con.execute("SELECT path FROM documents").fetchall()}
        day = con.execute("SELECT max(published_at) FROM documents WHERE path = 'old.txt'").fetchone()[0]
    assert paths == {"old.txt", *names}
    assert day.day == 13  # the changed old.txt: published the day after its day 12
    # Dagster records one partition for the run, not one per file.
    materialized = instance.get_materialized_partitions(dg.AssetKey("articles"))
    assert WHOLE_FOLDER in materialized and not materialized & set(names)


def test_schedule_skips_without_partitions_then_covers_the_folder(daemon: Daemon):
    assert isinstance(daemon.schedule(), dg.SkipReason)
    write_article(daemon.seeds, "a.txt", 0)
    write_article(daemon.seeds, "b.txt", 1)
    daemon.tick()
    request = daemon.schedule()
    assert isinstance(request, dg.RunRequest)
    assert request.partition_key == WHOLE_FOLDER
    assert daily_reingest.default_status == dg.DefaultScheduleStatus.STOPPED
    assert daily_reingest.cron_schedule == "0 3 * * *"


def _run(defs: dg.Definitions, instance: dg.DagsterInstance, request: dg.RunRequest):
    job = defs.resolve_job_def("ingest_seed_files")
    result = job.execute_in_process(instance=instance, partition_key=request.partition_key,
                                    tags=request.tags, raise_on_error=False)
    assert result.success, [e.message for e in result.all_events if e.is_failure]
    return result


def test_new_article_runs_only_its_partition_and_reaches_the_timeline(daemon: Daemon):
    instance = daemon.instance
    defs = timeline_defs(daemon.settings, dg.in_process_executor)
    write_article(daemon.seeds, "a.txt", 0)
    for request in daemon.tick().run_requests:
        _run(defs, instance, request)
    db = daemon.settings.db
    write_article(daemon.seeds, "b.txt", 5)
    requests = daemon.tick().run_requests
    assert [r.partition_key for r in requests] == ["b.txt"]
    result = _run(defs, instance, requests[0])
    scan = result.output_for_node("articles")
    assert scan.scope_paths == {"b.txt"}  # the run read only the new file
    with duckdb.connect(str(db), read_only=True) as con:
        (doc_b,) = con.execute("SELECT doc_id FROM documents WHERE path = 'b.txt'").fetchone()
        rows = con.execute("SELECT list_contains(doc_ids, ?), earliest FROM timeline",
                           [doc_b]).fetchall()
        events = con.execute("SELECT count(*) FROM events WHERE doc_id = ?", [doc_b]).fetchone()[0]
    assert events == 2
    assert sorted(str(day) for has_b, day in rows if has_b) == ["2021-06-11", "2021-06-12"]
    assert len(rows) == 4  # a's two events are still there

    (daemon.seeds / "b.txt").unlink()
    requests = daemon.tick().run_requests
    assert [r.partition_key for r in requests] == ["b.txt"]
    _run(defs, instance, requests[0])
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM documents WHERE doc_id = ?", [doc_b]).fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM timeline").fetchone()[0] == 2
        withdrawn = con.execute("SELECT count(*) FROM event_log WHERE kind = 'document_withdrawn' "
                                "AND doc_id = ?", [doc_b]).fetchone()[0]
    assert withdrawn == 1


def test_a_folder_run_is_one_partition_and_withdraws_deleted_files(tmp_path: Path):
    """`timeline run` on a folder materializes the folder's partition alone, however many
    files it holds, and its scope still reaches files the log has but the folder lost."""
    from pipelines.runner import run_pipeline

    seeds = tmp_path / "seeds"
    settings = TimelineSettings(seeds_dir=str(seeds), db_path=str(tmp_path / "wh" / "timeline.duckdb"),
                                workers=1)
    for i in range(4):
        write_article(seeds, f"sub/{i}.txt", i)
    instance = dg.DagsterInstance.ephemeral()
    assert run_pipeline(settings, instance).success
    assert instance.get_materialized_partitions(dg.AssetKey("articles")) == {WHOLE_FOLDER}
    assert instance.get_dynamic_partitions(seed_files.name) == [WHOLE_FOLDER]
    (seeds / "sub" / "2.txt").unlink()
    assert run_pipeline(settings, instance).success
    with duckdb.connect(str(settings.db), read_only=True) as con:
        paths = sorted(r[0] for r in con.execute("SELECT path FROM documents").fetchall())
    assert paths == ["sub/0.txt", "sub/1.txt", "sub/3.txt"]


def test_schedule_skips_an_unchanged_folder_after_its_own_full_run(daemon: Daemon):
    """The scheduled run itself (no CLI) leaves the manifest; the next tick with nothing
    changed starts no run, and a changed file brings the run back."""
    instance = daemon.instance
    defs = timeline_defs(daemon.settings, dg.in_process_executor)
    write_article(daemon.seeds, "a.txt", 0)
    write_article(daemon.seeds, "b.txt", 1)
    daemon.tick()
    request = daemon.schedule()
    assert isinstance(request, dg.RunRequest)
    _run(defs, instance, request)
    skipped = daemon.schedule()
    assert isinstance(skipped, dg.SkipReason)
    assert "nothing changed" in skipped.skip_message
    write_article(daemon.seeds, "b.txt", 2)  # new content
    assert isinstance(daemon.schedule(), dg.RunRequest)


def test_a_run_of_one_partition_leaves_no_manifest(daemon: Daemon):
    """Only a run that read every seed file may vouch for the whole folder."""
    instance = daemon.instance
    defs = timeline_defs(daemon.settings, dg.in_process_executor)
    write_article(daemon.seeds, "a.txt", 0)
    write_article(daemon.seeds, "b.txt", 1)
    daemon.tick()
    _run(defs, instance, dg.RunRequest(partition_key="a.txt"))
    assert isinstance(daemon.schedule(), dg.RunRequest)
