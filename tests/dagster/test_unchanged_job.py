"""The ingest job launched on a folder where nothing changed (by the schedule, the sensor or
the UI): the CLI's short-cut, through the assets. No seed file is read, nothing is appended
or withdrawn, the published file is left as it is, and the checks still report."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster_fixtures import article, write_article

from pipelines.defs.assets import SKIPPED_UNCHANGED
from pipelines.defs.resources import TimelineSettings
from pipelines.runner import run_pipeline
from pipelines.store import audits as audit_module
from pipelines.store import ingest
from pipelines.store.audits import AUDITS, OUTCOMES_TABLE, published_outcomes, run_audits


class Folder:
    def __init__(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.seeds = tmp_path / "seeds"
        self.db = tmp_path / "wh" / "timeline.duckdb"
        self.settings = TimelineSettings(seeds_dir=str(self.seeds), db_path=str(self.db), workers=1)
        self.instance = dg.DagsterInstance.ephemeral()
        self.files_read: list[str] = []
        self.spans_audited = 0
        reader, spans = ingest.read_seed_path, audit_module._spans_off_their_text

        def reading(path, *args, **kwargs):
            self.files_read.append(Path(path).name)
            return reader(path, *args, **kwargs)

        def auditing(*args, **kwargs):
            self.spans_audited += 1
            return spans(*args, **kwargs)

        monkeypatch.setattr(ingest, "read_seed_path", reading)
        monkeypatch.setattr(audit_module, "_spans_off_their_text", auditing)

    def write_dump(self, name: str, numbers: range) -> None:
        lines = []
        for i in numbers:
            title, _, rest = article(i).partition("\n\n")
            body = rest.partition("\n")[2]
            lines.append(json.dumps({"doc_id": f"dump-{i}", "title": title, "content": body,
                                     "published_at": f"2021-03-{12 + i % 9} 09:00:00"}, ensure_ascii=False))
        with gzip.open(self.seeds / name, "wt", encoding="utf-8") as fh:
            fh.write("\n".join(lines) + "\n")

    def run(self, force: bool = False) -> str:
        self.files_read.clear()
        self.spans_audited = 0
        outcome = run_pipeline(self.settings, self.instance, force=force)
        assert outcome.success, outcome.error
        return outcome.run_id

    def published(self) -> tuple[int, int, int]:
        st = self.db.stat()
        return st.st_ino, st.st_mtime_ns, st.st_size

    def log_facts(self) -> int:
        return self.settings.log.head_seq()

    def documents(self) -> dict[str, str]:
        with duckdb.connect(str(self.db), read_only=True) as con:
            return dict(con.execute("SELECT doc_id, content_hash FROM documents").fetchall())

    def metadata(self, run_id: str, asset: str) -> dict:
        events = self.instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION)
        for event in events:
            materialization = event.asset_materialization
            if materialization.asset_key == dg.AssetKey(asset):
                return {k: v.value for k, v in materialization.metadata.items()}
        raise AssertionError(f"{asset} was not materialized in run {run_id}")

    def checks(self, run_id: str) -> dict[str, bool]:
        events = self.instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
        data = [e.dagster_event.event_specific_data for e in events]
        return {d.check_name: d.passed for d in data}


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Folder:
    f = Folder(tmp_path, monkeypatch)
    for i in range(3):
        write_article(f.seeds, f"a{i}.txt", i)
    f.write_dump("day-1.jsonl.gz", range(10, 14))
    return f


def test_an_unchanged_folder_is_not_read_appended_or_published_again(folder: Folder):
    first = folder.run()
    assert sorted(set(folder.files_read)) == ["a0.txt", "a1.txt", "a2.txt", "day-1.jsonl.gz"]
    assert set(folder.checks(first).values()) == {True} and len(folder.checks(first)) == len(AUDITS)
    published, facts, documents = folder.published(), folder.log_facts(), folder.documents()
    assert len(documents) == 7
    made = {name: (folder.db.parent / name).stat().st_mtime_ns for name in ("timeline.html", "timeline.png")}

    again = folder.run()
    assert folder.files_read == []  # not one seed file opened by the scan
    assert folder.spans_audited == 0  # nor the published texts read again by the audits
    assert folder.published() == published  # same inode, mtime and size: not rewritten
    assert folder.log_facts() == facts  # nothing appended, nothing withdrawn
    assert folder.documents() == documents
    articles = folder.metadata(again, "articles")
    assert articles["skipped"] == SKIPPED_UNCHANGED and articles["parsed"] == 0
    assert folder.metadata(again, "event_log")["appended"] == 0
    timeline = folder.metadata(again, "timeline")
    assert timeline["publish_mode"] == "up-to-date" and timeline["log_rows_added"] == 0
    # the checks report the outcomes the publish of this file recorded
    assert folder.checks(again) == folder.checks(first)
    # the page and the picture, made from this very file, are not drawn again
    assert {name: (folder.db.parent / name).stat().st_mtime_ns for name in made} == made
    for asset in ("timeline_page", "timeline_picture"):
        assert folder.metadata(again, asset)["skipped"].startswith("skipped: already made")
        assert folder.metadata(again, asset)["events"] == folder.metadata(first, asset)["events"]


def test_a_changed_file_after_an_unchanged_run_is_ingested(folder: Folder):
    folder.run()
    folder.run()
    before = folder.documents()
    write_article(folder.seeds, "a1.txt", 7)  # new content
    changed = folder.run()
    assert "a1.txt" in folder.files_read
    after = folder.documents()
    assert after.keys() == before.keys()
    assert [d for d in after if after[d] != before[d]] == [d for d in after if "a1" in d]
    assert folder.metadata(changed, "event_log")["appended"] > 0
    for asset in ("articles", "timeline_page", "timeline_picture"):
        assert "skipped" not in folder.metadata(changed, asset)


def test_a_deleted_file_is_still_withdrawn(folder: Folder):
    folder.run()
    folder.run()
    (folder.seeds / "day-1.jsonl.gz").unlink()
    folder.run()
    remaining = folder.documents()
    assert len(remaining) == 3 and not any("dump" in d for d in remaining)


def test_force_reads_every_file_of_an_unchanged_folder(folder: Folder):
    folder.run()
    facts = folder.log_facts()
    forced = folder.run(force=True)
    assert sorted(set(folder.files_read)) == ["a0.txt", "a1.txt", "a2.txt", "day-1.jsonl.gz"]
    for asset in ("articles", "timeline_page", "timeline_picture"):
        assert "skipped" not in folder.metadata(forced, asset)
    assert folder.log_facts() == facts  # read again, still idempotent


def test_recorded_audit_outcomes_are_those_of_the_file_and_stale_ones_run_again(folder: Folder, tmp_path: Path):
    folder.run()
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(folder.db.read_bytes())
    with duckdb.connect(str(copy)) as con:
        recorded, run_now = published_outcomes(con)
        assert run_now == 0
        fresh = run_audits(con)
        assert [(o.audit.name, o.passed, o.failures) for o in recorded] == \
               [(o.audit.name, o.passed, o.failures) for o in fresh]
        # an audit whose SQL changed since the publish is run again, the others are not
        con.execute(f"UPDATE {OUTCOMES_TABLE} SET audit_digest = 'older' WHERE name = ?", [AUDITS[0].name])
        assert published_outcomes(con)[1] == 1
        con.execute(f"DROP TABLE {OUTCOMES_TABLE}")  # a file published before the record
        assert published_outcomes(con)[1] == len(AUDITS)
