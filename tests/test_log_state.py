"""The log's state (each document's latest hash, version, status and path; each path's
rejection) read from a checkpoint folded with the segments after it is the state a scan
of every segment gives, through ingestion, edits, withdrawals, refusals and their repair.
A checkpoint the catalog does not vouch for is not used."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_scan_record import TEXT, _line, _write

from pipelines.local_run import run_in_process
from pipelines.store import eventlog
from pipelines.store.api import Store
from pipelines.store.eventlog import EventLog, LogState


def _checkpoints(log: EventLog) -> list[Path]:
    return sorted(log.directory.glob("state-*.parquet"))


def _scanned(log: EventLog, tmp_path: Path) -> LogState:
    """The state of a copy of the log without its checkpoints: every segment read."""
    bare = tmp_path / "bare-log"
    shutil.rmtree(bare, ignore_errors=True)
    shutil.copytree(log.directory, bare)
    for checkpoint in bare.glob("state-*.parquet"):
        checkpoint.unlink()
    return EventLog(bare).read_state()


def _same(a: LogState, b: LogState) -> bool:
    return (a.head_seq, a.docs, a.rejections) == (b.head_seq, b.docs, b.rejections)


def _ran_once(tmp_path: Path) -> tuple[Path, Path, Store]:
    """A warehouse after one run over a dump of documents a and b: (seeds, db, store)."""
    seeds, db = tmp_path / "seeds", tmp_path / "wh" / "timeline.duckdb"
    seeds.mkdir()
    _write(seeds / "day.jsonl", [_line("a"), _line("b")])
    store = Store(db, seeds, workers=1)
    assert run_in_process(store).success
    return seeds, db, store


@pytest.fixture(autouse=True)
def _checkpoint_every_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """These logs are tiny: below the size a checkpoint is written at unless told."""
    monkeypatch.setattr(eventlog, "_CHECKPOINT_MIN_TAIL", 1)


@pytest.mark.parametrize("every_run", [True, False])
def test_the_checkpointed_state_is_the_scanned_state_at_every_step(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  every_run: bool):
    """With a new checkpoint after every run, and with the first one folded with every later
    segment (a tail too short to be worth a new checkpoint)."""
    seeds, db = tmp_path / "seeds", tmp_path / "wh" / "timeline.duckdb"
    seeds.mkdir()
    store = Store(db, seeds, workers=1)
    steps = [
        lambda: _write(seeds / "day.jsonl", [_line("a"), _line("b"), "{not json"]),
        lambda: _write(seeds / "day.jsonl", [_line("a", TEXT + "次日余震。"), _line("b"), "{not json"]),
        lambda: _write(seeds / "day.jsonl", [_line("a", TEXT + "次日余震。"), _line("c")]),  # b gone, line repaired
        lambda: _write(seeds / "more.jsonl", [_line("d"), "[1, 2]"]),
        lambda: (seeds / "day.jsonl").unlink(),
    ]
    heads = []
    for change in steps:
        change()
        assert run_in_process(store).success
        if not every_run:
            monkeypatch.setattr(eventlog, "_CHECKPOINT_MIN_TAIL", 10**9)
        log = EventLog.beside(db)
        (checkpoint,) = _checkpoints(log)  # the newest only
        heads.append(int(checkpoint.name.split("-")[1]))
        state = log.read_state()
        assert state.docs and _same(state, _scanned(log, tmp_path))
    assert state.docs["a"].status == "withdrawn" and state.docs["d"].status == "active"
    assert any(path.startswith("more.jsonl") for path in state.rejections)
    assert not any(path.startswith("day.jsonl") for path in state.rejections)
    assert len(set(heads)) == (len(steps) if every_run else 1)


def test_a_checkpoint_the_catalog_does_not_vouch_for_is_not_used(tmp_path: Path):
    seeds, db, store = _ran_once(tmp_path)
    log = EventLog.beside(db)
    first_run_state = tmp_path / "first.parquet"
    shutil.copyfile(_checkpoints(log)[0], first_run_state)  # b active
    _write(seeds / "day.jsonl", [_line("a")])  # b withdrawn
    assert run_in_process(store).success
    (newest,) = _checkpoints(log)
    newest.unlink()
    # the first run's state under the head's name, with the digest of another history
    head = int(newest.name.split("-")[1])
    shutil.copyfile(first_run_state, log.directory / f"state-{head:012d}-{'0' * 16}.parquet")
    state = EventLog.beside(db).read_state()
    assert state.docs["b"].status == "withdrawn"
    assert _same(state, _scanned(log, tmp_path))


def test_a_short_log_keeps_no_checkpoint_and_folds_its_segments(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(eventlog, "_CHECKPOINT_MIN_TAIL", 10**9)
    _, db, _ = _ran_once(tmp_path)
    log = EventLog.beside(db)
    assert _checkpoints(log) == []
    assert set(log.read_state().docs) == {"a", "b"}


def test_an_unreadable_checkpoint_is_only_a_lost_short_cut(tmp_path: Path):
    _, db, _ = _ran_once(tmp_path)
    log = EventLog.beside(db)
    (checkpoint,) = _checkpoints(log)
    checkpoint.write_bytes(b"not parquet")
    state = EventLog.beside(db).read_state()
    assert set(state.docs) == {"a", "b"} and _same(state, _scanned(log, tmp_path))


def test_verify_finds_a_checkpoint_that_says_other_than_the_log(tmp_path: Path):
    seeds, db, store = _ran_once(tmp_path)
    assert store.verify()[0] == []
    (checkpoint,) = _checkpoints(EventLog.beside(db))
    import duckdb

    with duckdb.connect() as con:  # the same name, a document's status changed inside
        quoted = str(checkpoint)
        con.execute(f"COPY (SELECT * REPLACE (CASE WHEN key = 'b' THEN 'document_withdrawn' ELSE last_kind END "
                    f"AS last_kind) FROM read_parquet('{quoted}')) TO '{quoted}.new' (FORMAT parquet)")
    Path(f"{checkpoint}.new").replace(checkpoint)
    problems, _ = Store(db, seeds, workers=1).verify()
    assert len(problems) == 1 and checkpoint.name in problems[0] and "differs" in problems[0]


def test_what_a_document_says_now_is_read_across_segments(tmp_path: Path):
    """`active_entities`: each document's entities as its latest fact about each says, over
    segments far apart (read by seq bounds), a retracted one left out, an unknown id empty."""
    import hashlib

    from pipelines.store.fact import Fact, FactKind

    log = EventLog(tmp_path / "log")
    log.directory.mkdir()

    def seen(doc: str, entity: str, text: str) -> Fact:
        return Fact(FactKind.EVENT_OBSERVED, doc_id=doc, entity_id=entity, payload=Fact.payload_of({"t": text}))

    appends = [
        [seen("a", "e1", "first"), seen("a", "e2", "kept"), seen("b", "e3", "other")],
        [seen(f"x{i}", f"ex{i}", "filler") for i in range(5_000)],
        [seen("a", "e1", "revised"), Fact(FactKind.EVENT_RETRACTED, doc_id="a", entity_id="e2",
                                          payload=Fact.payload_of({"reason": "gone"}))],
    ]
    for facts in appends:
        with log.lock():
            log.append(facts)

    def md5(text: str) -> str:
        return hashlib.md5(Fact.payload_of({"t": text}).encode("utf-8")).hexdigest()

    assert log.active_entities(["a", "b", "nobody"]) == {
        "a": {"e1": md5("revised")}, "b": {"e3": md5("other")}, "nobody": {}}



def test_the_head_read_under_the_lock_is_the_last_seq_of_the_segments(tmp_path: Path):
    """Under the lock the head comes from the catalog just verified, not from the segments:
    it is what a read of every segment gives, before and after an append in the same lock."""
    from pipelines.store.fact import Fact, FactKind

    _, db, _ = _ran_once(tmp_path)
    log = EventLog.beside(db)
    scanned = EventLog(log.directory)  # not locked: reads the segments
    with log.lock():
        before = log.head_seq()
        assert before == scanned.head_seq() > 0
        refused = Fact(FactKind.DOCUMENT_REJECTED, path="bad.jsonl:1", payload=Fact.payload_of({"reason": "test"}))
        assert log.append([refused], head=before) == 1
        assert log.head_seq() == scanned.head_seq() == before + 1
