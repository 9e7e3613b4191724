"""A dump unchanged since a complete scan (same size, mtime, ctime, inode, folder and size
limit) is not read again: its documents and refusals come from the scan's record, exactly
as reading would give them. Any change to its bytes is read."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from pipelines.local_run import run_in_process
from pipelines.store import ingest
from pipelines.store.api import Store
from pipelines.store.lineindex import LineIndex

TEXT = "2021年5月11日，宜宾市珙县发生4.5级地震。"


def _line(doc_id: str, text: str = TEXT) -> str:
    return json.dumps({"doc_id": doc_id, "title": "地震", "published_at": "2021-05-12T09:00:00",
                       "source": "test", "content": text}, ensure_ascii=False)


def _write(path: Path, lines: list[str]) -> None:
    path.write_text("\n".join(lines) + "\n", "utf-8")


@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """The seed files each scan opens."""
    opened: list[str] = []
    real = ingest.read_seed_path

    def spy(path, *args, **kwargs):
        opened.append(Path(path).name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(ingest, "read_seed_path", spy)
    return opened


def _scan(seeds: Path, index: LineIndex, max_bytes: int = 1 << 20) -> ingest.Scan:
    return ingest.scan_seeds(seeds, None, max_bytes, None, index)


def test_an_unchanged_dump_is_not_read_again_and_gives_the_same_scan(tmp_path: Path, reads):
    seeds, index = tmp_path / "seeds", LineIndex(tmp_path / "index")
    seeds.mkdir()
    # a good line, a duplicate id, a line that is no JSON: documents and refusals
    _write(seeds / "day.jsonl", [_line("a"), _line("b"), "{not json", _line("a", TEXT + "又")])
    first = _scan(seeds, index)
    assert reads == ["day.jsonl"] and first.rejections and first.docs
    second = _scan(seeds, index)
    assert reads == ["day.jsonl"]  # not opened the second time
    assert second.known_files == 1 and second.parsed == 0
    assert second.docs == first.docs and second.rejections == first.rejections


def test_rewritten_bytes_are_read_even_with_size_and_mtime_put_back(tmp_path: Path, reads):
    seeds, index = tmp_path / "seeds", LineIndex(tmp_path / "index")
    seeds.mkdir()
    dump = seeds / "day.jsonl"
    _write(dump, [_line("a"), _line("b")])
    _scan(seeds, index)
    before = dump.stat()
    _write(dump, [_line("a"), _line("c")])  # same size, other document
    os.utime(dump, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert dump.stat().st_size == before.st_size and dump.stat().st_mtime_ns == before.st_mtime_ns
    again = _scan(seeds, index)
    assert reads == ["day.jsonl", "day.jsonl"]
    assert {d.doc_id for d in again.docs} == {"a", "c"}


def test_another_size_limit_reads_the_dump_again(tmp_path: Path, reads):
    seeds, index = tmp_path / "seeds", LineIndex(tmp_path / "index")
    seeds.mkdir()
    _write(seeds / "day.jsonl", [_line("a"), _line("b", TEXT * 40)])
    _scan(seeds, index)
    small = _scan(seeds, index, max_bytes=600)
    assert reads == ["day.jsonl", "day.jsonl"]
    assert [d.doc_id for d in small.docs] == ["a"] and small.rejections


def test_an_unchanged_dump_with_refusals_appends_nothing_on_the_next_run(tmp_path: Path, reads):
    seeds, db = tmp_path / "seeds", tmp_path / "wh" / "timeline.duckdb"
    seeds.mkdir()
    _write(seeds / "day.jsonl", [_line("a"), "{not json"])
    _write(seeds / "new.jsonl", [_line("n")])
    store = Store(db, seeds, workers=1)
    assert run_in_process(store).success
    head = store.log.head_seq()
    (seeds / "new.jsonl").write_text(_line("n") + "\n" + _line("m") + "\n", "utf-8")
    assert run_in_process(store).success
    assert reads.count("day.jsonl") == 1  # read once, then known
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        kinds = dict(con.execute(f"SELECT kind, count(*) FROM event_log WHERE seq > {head} "
                                 "GROUP BY kind").fetchall())
        assert con.execute("SELECT count(*) FROM rejected_documents").fetchone()[0] == 1
    assert kinds.get("document_ingested") == 1  # m, and nothing about day.jsonl
    assert "rejection_cleared" not in kinds and "document_rejected" not in kinds


def test_reread_reads_an_unchanged_dump_and_gives_the_same_scan(tmp_path: Path, reads):
    seeds, index = tmp_path / "seeds", LineIndex(tmp_path / "index")
    seeds.mkdir()
    _write(seeds / "day.jsonl", [_line("a"), "{not json"])
    first = _scan(seeds, index)
    forced = ingest.scan_seeds(seeds, None, 1 << 20, None, index, reread=True)  # timeline run --force
    assert reads == ["day.jsonl", "day.jsonl"] and forced.known_files == 0
    assert forced.docs == first.docs and forced.rejections == first.rejections


def test_a_plan_from_scan_records_is_the_plan_from_the_same_documents_as_objects(tmp_path: Path):
    """Dumps not read again keep their records as tables, and the plan matches them with
    the log's state as columns: it decides what a plan over the same documents as `DocRef`s
    decides (extract, skip, refuse a second copy, withdraw), in the same order."""
    from pipelines.store.eventlog import EventLog
    from pipelines.store.facts import ScanDocs, plan_run

    seeds, db = tmp_path / "seeds", tmp_path / "wh" / "timeline.duckdb"
    seeds.mkdir()
    _write(seeds / "a.jsonl", [_line("a"), _line("b"), "{not json", _line("c")])
    _write(seeds / "b.jsonl", [_line("d"), _line("e")])
    _write(seeds / "c.jsonl", [_line("f")])
    assert run_in_process(Store(db, seeds, workers=1)).success
    # then: a changed in place (a.jsonl read again), a copy of d read after the first one,
    # a new g, f's dump gone (withdrawn), b.jsonl unchanged (its record is a table)
    _write(seeds / "a.jsonl", [_line("a", TEXT + "又"), _line("b"), "{not json", _line("c"), _line("g")])
    _write(seeds / "z.jsonl", [_line("d", TEXT + "再")])
    (seeds / "c.jsonl").unlink()
    store = Store(db, seeds, workers=1)
    scan = store.scan(store.folder_paths())
    assert scan.known_files == 1 and any(not isinstance(p, list) for p in scan.docs.parts)
    state = EventLog.beside(db).read_state()
    as_tables = plan_run(scan.docs, scan.rejections, scan.scope_paths, state, store.extractor_version)
    as_objects = plan_run(ScanDocs([list(scan.docs)]), scan.rejections, scan.scope_paths, state,
                          store.extractor_version)
    assert as_tables == as_objects
    assert [d.doc_id for d in as_tables.to_extract] == ["a", "g"]
    assert as_tables.unchanged == 4  # b, c, d, e
    assert [r.reason.split(" in ")[0] for r in as_tables.rejected if r.doc_id == "d"] == ["duplicate doc_id d"]
    withdrawn = [f for f in as_tables.facts if f.kind == "document_withdrawn"]
    assert [(f.doc_id, f.path) for f in withdrawn] == [("f", "c.jsonl")]
