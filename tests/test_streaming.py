"""A run streams (memory holds a window of documents, not the corpus) and a dump costs what
changed in it: lines known by their bytes are not parsed, one changed line re-derives only
its document. The steps are the functions the Dagster assets call."""

from __future__ import annotations

import functools
import json
import pickle
from collections import Counter
from pathlib import Path

import polars as pl
import pytest

import pipelines.core.extract as extract
import pipelines.core.reading as reading
from pipelines.core.model import DocRef, Document
from pipelines.store import facts as facts_module
from pipelines.store import ingest
from pipelines.store import spool as spool_module
from pipelines.store.eventlog import EventLog, LogState
from pipelines.store.fact import FactKind
from pipelines.store.ingest import append_to_log, extract_changed, read_documents, scan_seeds
from pipelines.store.lineindex import LineIndex

SENTENCES = ["{m}月{d}日，市政府召开防汛工作会议，部署{m}月下旬的抢险演练。",
             "{m}月{d}日上午，县里举行学校开学典礼。"]


def _line(i: int, extra: str = "") -> str:
    m, d = 1 + i % 12, 1 + i % 27
    text = "".join(s.format(m=m, d=d) for s in SENTENCES) + extra
    return json.dumps({"doc_id": f"d{i}", "title": f"第{i}篇", "published_at": f"2021-{m:02d}-{d:02d}",
                       "content": text}, ensure_ascii=False) + "\n"


def _dump(seeds: Path, lines: list[str], name: str = "news.jsonl") -> Path:
    seeds.mkdir(parents=True, exist_ok=True)
    path = seeds / name
    path.write_text("".join(lines), "utf-8")
    return path


def _document(i: int, size: int = 40) -> Document:
    text = "2021年5月1日，北京市召开会议。" * size
    return Document(f"d{i}", "x.txt", text, f"h{i}")


class Pulled:
    """An iterator that counts what was taken from it."""

    def __init__(self, items):
        self.items, self.taken = iter(items), 0

    def __iter__(self):
        return self

    def __next__(self):
        item = next(self.items)
        self.taken += 1
        return item


def test_extraction_takes_documents_as_it_goes_not_all_first():
    docs = Pulled(_document(i) for i in range(50))
    stream = extract.extract_stream(docs, workers=1)
    first = next(stream)
    assert first.doc.doc_id == "d0" and first.events
    assert docs.taken == 1
    assert [ex.doc.doc_id for ex in stream] == [f"d{i}" for i in range(1, 50)]


def test_the_pool_holds_a_bounded_window_of_documents(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(extract, "_POOL_MIN_CHARS", 1)
    monkeypatch.setattr(extract, "_CHUNK_DOCS", 2)
    total = 200
    docs = Pulled(_document(i, size=2) for i in range(total))
    stream = extract.extract_stream(docs, workers=2)
    taken_at_first = None
    order = []
    for ex in stream:
        if taken_at_first is None:
            taken_at_first = docs.taken
        order.append(ex.doc.doc_id)
    window = 8 + 2 * extract._IN_FLIGHT_PER_WORKER * extract._CHUNK_DOCS  # the head, then chunks in flight
    assert taken_at_first is not None and taken_at_first <= window < total
    assert order == [f"d{i}" for i in range(total)]  # input order, whatever the workers did


def test_no_pool_forks_while_a_thread_beside_runs_and_the_documents_are_extracted_here(
        monkeypatch: pytest.MonkeyPatch):
    """A run's catch-up (DuckDB in a thread) may outlast its plan: the pool must not fork
    beside it, so the first documents are extracted in this process until it ends, then the
    pool takes the rest, and the stream still comes in input order."""
    import os
    import threading

    monkeypatch.setattr(extract, "_POOL_MIN_CHARS", 1)
    monkeypatch.setattr(extract, "_CHUNK_DOCS", 2)
    released = threading.Event()
    beside = threading.Thread(target=released.wait)
    beside.start()
    forks: list[bool] = []  # whether the thread beside was alive when the pool was made
    real_pool = extract.ProcessPoolExecutor

    def pool(*args, **kwargs):
        forks.append(beside.is_alive())
        return real_pool(*args, **kwargs)

    monkeypatch.setattr(extract, "ProcessPoolExecutor", pool)
    here = os.getpid()
    stream = extract.extract_stream((_document(i, size=1) for i in range(40)), workers=2,
                                    finish=functools.partial(_where, here), fork_after=beside)
    first = [next(stream) for _ in range(6)]
    assert not forks and all(where == "here" for _, where in first)
    released.set()
    beside.join()
    rest = list(stream)
    assert forks == [False]
    assert [doc_id for doc_id, _ in first + rest] == [f"d{i}" for i in range(40)]
    assert any(where == "pool" for _, where in rest)


def _where(parent: int, ex: extract.Extraction) -> tuple[str, str]:
    import os

    return ex.doc.doc_id, "here" if os.getpid() == parent else "pool"


def test_a_frame_diffed_as_columns_gives_the_facts_of_the_document_by_document_diff():
    """Documents the log knows come as spooled frames and are diffed on the frame's columns:
    the same facts in the same order as the per-document diff, for a document new to the
    log, one revised (an entity unchanged, one changed, one new, one gone), one withdrawn
    before, one under another extractor version, and one the plan no longer wants."""
    import hashlib

    import pyarrow as pa

    from pipelines.store.eventlog import DOC_STATE_COLUMNS

    def logged(i: int, chash: str, entities: dict[str, str]) -> facts_module.LoggedExtraction:
        doc = Document(f"d{i}", "x.jsonl", "2021年5月1日，北京市召开会议。", chash, line=i)
        mentions = [(k, v) for k, v in entities.items() if k.startswith("m_")]
        events = [(k, v) for k, v in entities.items() if k.startswith("e_")]
        return facts_module.LoggedExtraction(doc, mentions, events)

    def md5(text: str) -> str:
        return hashlib.md5(text.encode("utf-8")).hexdigest()

    frame = facts_module.new_documents_table([
        logged(0, "h0", {"m_a": '{"v":1}', "e_a": '{"v":2}'}),  # new to the log
        logged(1, "h1-new", {"m_same": '{"v":1}', "m_changed": '{"v":3}', "e_new": '{"v":4}'}),
        logged(2, "h2", {"m_b": '{"v":5}'}),  # withdrawn before
        logged(3, "h3", {"e_c": '{"v":6}'}),  # another extractor version
        logged(4, "h4", {"m_d": '{"v":7}'}),  # not pending any more
    ], "v2")
    rows = [("d1", "active", "h1", "v2", "x.jsonl"), ("d2", "withdrawn", "h2", "v2", "x.jsonl"),
            ("d3", "active", "h3", "v1", "x.jsonl"), ("d4", "active", "h4-old", "v2", "x.jsonl")]
    state = LogState(doc_table=pa.table({c: [r[i] for r in rows] for i, c in enumerate(DOC_STATE_COLUMNS)}))
    said = {"d1": {"m_same": md5('{"v":1}'), "m_changed": md5('{"v":0}'), "e_gone": md5('{"v":9}')},
            "d2": {"m_b": md5('{"v":5}')}, "d3": {"e_c": md5('{"v":6}'), "e_old": md5("{}")}}
    pending = {"d0", "d1", "d2", "d3"}

    def active(ids: list[str]) -> dict[str, dict[str, str]]:
        return {d: said.get(d, {}) for d in ids}

    as_columns = list(facts_module.diff_against_log([facts_module.SpooledFrame(frame, pending)], state, active, "v2"))
    by_document = list(facts_module.diff_against_log(
        [doc for doc in facts_module.facts_by_document(frame) if doc[0].doc_id in pending], state, active, "v2"))
    assert len(as_columns) == 1 and isinstance(as_columns[0], facts_module.NewDocuments)
    assert as_columns[0].documents == 4
    columns = as_columns[0].table.to_pylist()
    assert columns == facts_module.fact_table(by_document).to_pylist()
    kinds = [(r["doc_id"], r["kind"], r["entity_id"]) for r in columns]
    assert ("d1", "document_revised", None) in kinds and ("d1", "mention_observed", "m_changed") in kinds
    assert ("d1", "mention_observed", "m_same") not in kinds and ("d1", "event_retracted", "e_gone") in kinds
    assert ("d3", "document_rederived", None) in kinds and ("d3", "event_retracted", "e_old") in kinds
    assert not any(doc_id == "d4" for doc_id, _, _ in kinds)


def test_facts_are_diffed_window_by_window(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(facts_module, "_DIFF_WINDOW", 3)
    seen_docs = Pulled(facts_module.facts_by_document(facts_module.new_documents_table(
        [facts_module.logged_form(extract.extract_document(_document(i, size=1)), "v")], "v"))[0] for i in range(10))
    out = facts_module.diff_against_log(seen_docs, LogState(), lambda ids: {}, "v")
    first = next(out)
    assert first.kind == FactKind.DOCUMENT_INGESTED
    assert seen_docs.taken == 3  # one window, not the whole run
    assert Counter(f.kind for f in [first, *out])[FactKind.DOCUMENT_INGESTED] == 10


def _keeping(monkeypatch: pytest.MonkeyPatch, chars: int | None) -> None:
    """The scan keeps texts up to `chars` characters (None: the release's bound)."""
    if chars is not None:
        monkeypatch.setattr(ingest, "_KEPT_CHARS", chars)


@pytest.mark.parametrize("kept_chars", [None, 0])
def test_the_scan_keeps_identities_and_extraction_takes_or_reads_texts(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kept_chars: int | None):
    _keeping(monkeypatch, kept_chars)
    seeds = tmp_path / "seeds"
    _dump(seeds, [_line(i) for i in range(5)])
    (seeds / "one.txt").write_text("标题\n\n2021年5月1日，北京市召开会议。", "utf-8")
    scan = scan_seeds(seeds)
    assert all(type(d) is DocRef for d in scan.docs) and len(scan.docs) == 6
    assert len(scan.kept) == (6 if kept_chars is None else 0)
    wanted = [scan.docs[2], scan.docs[5]]
    docs = list(read_documents(scan, wanted))
    assert [(d.doc_id, d.path, d.line) for d in docs] == [("d2", "news.jsonl", 3), ("one.txt", "one.txt", None)]
    assert [d.ref for d in docs] == wanted


def test_a_scan_hands_on_no_kept_texts_when_pickled(tmp_path: Path):
    seeds = tmp_path / "seeds"
    _dump(seeds, [_line(i) for i in range(3)])
    scan = scan_seeds(seeds)
    again = pickle.loads(pickle.dumps(scan))
    assert len(scan.kept) == 3 and again.kept == {} and again.kept_chars == 0
    assert list(again.docs) == list(scan.docs)
    assert [d.doc_id for d in read_documents(again, again.docs)] == ["d0", "d1", "d2"]  # read again


def test_a_document_changed_after_the_scan_is_left_for_the_next_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    _keeping(monkeypatch, 0)
    seeds = tmp_path / "seeds"
    _dump(seeds, [_line(i) for i in range(3)])
    scan = scan_seeds(seeds)
    _dump(seeds, [_line(0), _line(1, "（更正）"), _line(2)])
    assert [d.doc_id for d in read_documents(scan, scan.docs)] == ["d0", "d2"]


def test_a_kept_document_is_extracted_as_the_scan_read_it(tmp_path: Path):
    seeds = tmp_path / "seeds"
    _dump(seeds, [_line(i) for i in range(3)])
    scan = scan_seeds(seeds)
    _dump(seeds, [_line(0), _line(1, "（更正）"), _line(2)])
    docs = list(read_documents(scan, scan.docs))
    assert [d.ref for d in docs] == list(scan.docs)  # the version planned, not the file's new one
    assert "（更正）" not in docs[1].text


def _count_parses(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    calls: Counter[str] = Counter()
    original = reading._dump_record

    def counted(line, where, rel, line_no):
        calls[where] += 1
        return original(line, where, rel, line_no)

    monkeypatch.setattr(reading, "_dump_record", counted)
    return calls


def _count_extractions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    done: list[str] = []
    original = extract.extract_document

    def counted(doc):
        done.append(doc.doc_id)
        return original(doc)

    monkeypatch.setattr(extract, "extract_document", counted)
    return done


def _run(seeds: Path, log: EventLog, index: LineIndex):
    scan = scan_seeds(seeds, index=index)
    return scan, append_to_log(extract_changed(scan, log, workers=1), log)


def test_an_unchanged_dump_is_not_parsed_and_one_changed_line_costs_one_document(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    seeds, log = tmp_path / "seeds", EventLog(tmp_path / "timeline.log")
    index = LineIndex(log.directory / "line-index")
    lines = [_line(i) for i in range(12)]
    _dump(seeds, lines)
    parses, extracted = _count_parses(monkeypatch), _count_extractions(monkeypatch)
    _run(seeds, log, index)
    assert sum(parses.values()) == 12  # the scan; the extraction took the texts it kept
    assert len(extracted) == 12

    parses.clear()
    extracted.clear()
    scan, appended = _run(seeds, log, index)
    assert sum(parses.values()) == 0  # every line known by its bytes
    assert len(scan.docs) == 12 and scan.parsed == 0
    assert extracted == [] and appended.total == 0

    lines[7] = _line(7, "（更正：本文于2021年3月1日更新。）")
    _dump(seeds, lines)
    scan, appended = _run(seeds, log, index)
    assert set(parses) == {"news.jsonl:8"}  # the changed line alone, scanned then read to extract
    assert extracted == ["d7"]
    assert appended.kinds["document_revised"] == 1
    assert {k for k in appended.kinds} <= {"document_revised", "mention_observed", "event_observed",
                                           "mention_retracted", "event_retracted"}


def test_a_line_moved_in_the_dump_is_still_known_and_a_removed_one_withdrawn(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    seeds, log = tmp_path / "seeds", EventLog(tmp_path / "timeline.log")
    index = LineIndex(log.directory / "line-index")
    lines = [_line(i) for i in range(6)]
    _dump(seeds, lines)
    _run(seeds, log, index)
    parses = _count_parses(monkeypatch)
    _dump(seeds, [lines[5], *lines[1:5], _line(99)])  # d0 gone, d5 moved up, d99 new
    scan, appended = _run(seeds, log, index)
    assert set(parses) == {"news.jsonl:6"}
    assert [d.line for d in scan.docs if d.doc_id == "d5"] == [1]
    assert appended.kinds["document_withdrawn"] == 1 and appended.kinds["document_ingested"] == 1


def test_a_damaged_line_index_only_costs_parsing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    seeds, log = tmp_path / "seeds", EventLog(tmp_path / "timeline.log")
    index = LineIndex(log.directory / "line-index")
    _dump(seeds, [_line(i) for i in range(4)])
    first, _ = _run(seeds, log, index)
    for file in index.folder.iterdir():
        file.write_bytes(b"not parquet")
    parses = _count_parses(monkeypatch)
    again, appended = _run(seeds, log, index)
    assert sum(parses.values()) == 4 and again.docs == first.docs and appended.total == 0


def test_the_spool_is_removed_once_appended(tmp_path: Path):
    seeds, log = tmp_path / "seeds", EventLog(tmp_path / "timeline.log")
    _dump(seeds, [_line(i) for i in range(3)])
    batch = extract_changed(scan_seeds(seeds), log, workers=1)
    assert batch.spool is not None and batch.spool.exists() and batch.extracted == 3
    append_to_log(batch, log)
    assert not batch.spool.exists()


def test_pool_workers_give_the_logged_form_the_parent_would(monkeypatch: pytest.MonkeyPatch):
    """The append's serialization runs in the pool's workers: what comes back is what the
    run's own process makes of the same documents, in input order."""
    monkeypatch.setattr(extract, "_POOL_MIN_CHARS", 1)
    monkeypatch.setattr(extract, "_CHUNK_DOCS", 3)
    finish = functools.partial(facts_module.logged_form, version="v")
    pooled = list(extract.extract_stream((_document(i, size=2) for i in range(20)), workers=2, finish=finish))
    here = [finish(extract.extract_document(_document(i, size=2))) for i in range(20)]
    assert [ex.doc.doc_id for ex in pooled] == [f"d{i}" for i in range(20)]
    assert pooled == here
    assert all(ex.events and ex.mentions for ex in pooled)


@pytest.mark.parametrize("workers", [1, 2])
def test_spool_frames_packed_where_extracted_read_back_as_this_process_makes_them(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, workers: int):
    """Workers pack a chunk's facts into a spool frame: the spool reads back, in input order,
    the facts this process makes of the same documents, and the frames count them."""
    monkeypatch.setattr(extract, "_POOL_MIN_CHARS", 1)
    monkeypatch.setattr(extract, "_CHUNK_DOCS", 3)
    finish = functools.partial(facts_module.logged_form, version="v")
    frames = list(extract.extract_stream((_document(i, size=2) for i in range(20)), workers=workers,
                                         finish=finish, pack=functools.partial(spool_module.pack_frame, version="v")))
    assert [f.extracted for f in frames] == [3] * 6 + [2]
    tables = list(spool_module.read_spool(spool_module.write_spool(frames, tmp_path)))
    read_back = [doc for table in tables for doc in facts_module.facts_by_document(table)]
    here = [finish(extract.extract_document(_document(i, size=2))) for i in range(20)]
    assert read_back == facts_module.facts_by_document(facts_module.new_documents_table(here, "v"))
    assert [doc[0].doc_id for doc in read_back] == [f"d{i}" for i in range(20)]
    assert all(doc[0].kind == FactKind.DOCUMENT_INGESTED and len(doc) > 1 for doc in read_back)
    assert sum(f.events for f in frames) == sum(len(ex.events) for ex in here) > 0
    assert sum(f.mentions for f in frames) == sum(len(ex.mentions) for ex in here) > 0


def test_a_known_document_read_back_from_the_spool_is_diffed_against_the_log(tmp_path: Path):
    """New documents' facts go to the log as the workers made them; a changed document's
    are diffed: revised with the hash it had, what it no longer says retracted, what it
    still says not recorded again."""
    seeds, log = tmp_path / "seeds", EventLog(tmp_path / "timeline.log")
    _dump(seeds, [_line(i) for i in range(3)])
    append_to_log(extract_changed(scan_seeds(seeds), log, workers=1), log)
    before = log.read_state().docs["d1"].content_hash
    _dump(seeds, [_line(0), _line(1, "2021年6月1日，县里举行运动会。"), _line(2), _line(3)])
    appended = append_to_log(extract_changed(scan_seeds(seeds), log, workers=1), log)
    assert appended.kinds[FactKind.DOCUMENT_INGESTED] == 1 and appended.kinds[FactKind.DOCUMENT_REVISED] == 1
    assert appended.kinds[FactKind.EVENT_OBSERVED] > 0
    rows = pl.read_parquet(sorted((tmp_path / "timeline.log").glob("seg-*.parquet"))[-1])
    revised = rows.filter(pl.col("kind") == FactKind.DOCUMENT_REVISED).row(0, named=True)
    assert revised["doc_id"] == "d1" and json.loads(revised["payload"])["previous_hash"] == before
    observed = rows.filter((pl.col("doc_id") == "d1") & pl.col("kind").str.ends_with("_observed"))
    assert observed.height and all("6月1日" in p or "运动会" in p for p in observed["payload"])


def test_an_append_plans_again_when_another_run_appended_after_its_extraction(tmp_path: Path):
    """The extraction's plan is reused only on the log state it was made on: when another
    run (another process) withdrew the deleted document in between, this run has nothing
    left to append."""
    seeds, log = tmp_path / "seeds", EventLog(tmp_path / "timeline.log")
    _dump(seeds, [_line(i) for i in range(3)])
    append_to_log(extract_changed(scan_seeds(seeds), log, workers=1), log)
    _dump(seeds, [_line(i) for i in range(2)])
    batch = extract_changed(scan_seeds(seeds), log, workers=1)
    other = EventLog(tmp_path / "timeline.log")
    first = append_to_log(extract_changed(scan_seeds(seeds), other, workers=1), other)
    assert first.kinds == Counter({FactKind.DOCUMENT_WITHDRAWN: 1})
    assert append_to_log(batch, log).total == 0


@pytest.mark.parametrize("workers", [1, 2])
def test_tables_built_ahead_of_the_extraction_are_dropped_after_it(monkeypatch: pytest.MonkeyPatch, workers: int):
    """`warm_up_ahead` (a run waiting on its catch-up) loads jieba's tag table before the
    pool: the extraction, pooled or not, drops it after it as a pool drops what it loaded
    itself, and extracts what it would have without it."""
    from pipelines.core.events.engine import _jieba, release_lexicon

    monkeypatch.setattr(extract, "_POOL_MIN_CHARS", 1)
    release_lexicon()
    extract.warm_up_ahead()
    assert _jieba.cache_info().currsize == 1
    found = list(extract.extract_stream((_document(i, size=2) for i in range(12)), workers=workers))
    assert _jieba.cache_info().currsize == 0
    assert [(ex.mentions, ex.events) for ex in found] == [
        (ex.mentions, ex.events) for ex in (extract.extract_document(_document(i, size=2)) for i in range(12))]
    # a table loaded for this process's own use is kept, as before
    _jieba()
    list(extract.extract_stream((_document(i, size=2) for i in range(12)), workers=workers))
    assert _jieba.cache_info().currsize == 1


def test_a_plan_made_before_another_run_appended_is_made_again(tmp_path: Path):
    """A run plans while its catch-up finishes (`plan_extraction`); if the log changed before
    it extracts, the extraction plans again on the log as it is."""
    from pipelines.store.ingest import plan_extraction

    seeds, log = tmp_path / "seeds", EventLog(tmp_path / "timeline.log")
    _dump(seeds, [_line(i) for i in range(3)])
    scan = scan_seeds(seeds)
    planned = plan_extraction(scan, log)
    assert planned.plan is not None and len(planned.plan.to_extract) == 3
    other = EventLog(tmp_path / "timeline.log")
    append_to_log(extract_changed(scan_seeds(seeds), other, workers=1), other)
    batch = extract_changed(scan, log, workers=1, planned=planned)
    assert batch.extracted == 0 and batch.plan is not None and not batch.plan.to_extract
    assert append_to_log(batch, log).total == 0


def test_a_pool_forked_ahead_extracts_every_document_in_its_workers_as_this_process_would():
    """`WarmPool`: workers forked before the run reads its seeds, each building the tables
    itself; the stream hands them every document whatever their number (a run that needs
    no pool forks none ahead), in input order, and shuts them down at its end."""
    import os

    here = os.getpid()
    pool = extract.WarmPool(2)
    stream = list(extract.extract_stream((_document(i, size=1) for i in range(5)), workers=2,
                                         finish=functools.partial(_where, here), pool=pool))
    assert stream == [(f"d{i}", "pool") for i in range(5)]
    assert pool.executor._shutdown_thread  # shut down with the stream
    finish = functools.partial(facts_module.logged_form, version="v")
    pool = extract.WarmPool(2)
    pooled = list(extract.extract_stream((_document(i, size=2) for i in range(12)), workers=2, finish=finish,
                                         pool=pool))
    assert pooled == [finish(extract.extract_document(_document(i, size=2))) for i in range(12)]


def test_a_pool_forked_ahead_shares_the_tables_this_process_built_and_drops_them_after():
    """`WarmPool` builds the extractors' tables here, before the fork (the workers inherit
    them: one copy, not one per worker), and jieba's tag table, loaded for the pool only, is
    dropped from this process once the stream has ended or the pool is shut down unused; a
    table this process had loaded for its own use is kept."""
    from pipelines.core.events.engine import _jieba, release_lexicon

    release_lexicon()
    pool = extract.WarmPool(2)
    assert _jieba.cache_info().currsize == 1  # built here, before the workers were forked
    found = list(extract.extract_stream((_document(i, size=2) for i in range(6)), workers=2, pool=pool))
    assert _jieba.cache_info().currsize == 0
    assert [(ex.mentions, ex.events) for ex in found] == [
        (ex.mentions, ex.events) for ex in (extract.extract_document(_document(i, size=2)) for i in range(6))]
    assert _jieba.cache_info().currsize == 1  # loaded by this process's own extraction above
    extract.WarmPool(2).shutdown()  # a run that never extracted: nothing loaded for it, so kept
    assert _jieba.cache_info().currsize == 1
    release_lexicon()
    extract.WarmPool(2).shutdown()
    assert _jieba.cache_info().currsize == 0


def test_a_warm_up_failing_in_a_worker_leaves_the_pool_working(monkeypatch: pytest.MonkeyPatch):
    """A worker whose tables fail to build ahead still takes documents (each extraction then
    meets the failure itself and says so per document), rather than breaking the pool."""
    import os

    def broken() -> None:
        raise RuntimeError("a table failed to build")

    monkeypatch.setattr(extract, "warm_up", broken)  # the workers fork with it
    here = os.getpid()
    pool = extract.WarmPool(2)
    assert list(extract.extract_stream((_document(i, size=1) for i in range(4)), workers=2,
                                       finish=functools.partial(_where, here), pool=pool)) == [
        (f"d{i}", "pool") for i in range(4)]
