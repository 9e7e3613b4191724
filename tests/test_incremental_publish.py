"""An incremental publish (into the buffer the published name does not link to, merging
only the keys a change touched) gives exactly the tables a rebuild from the log gives, at
every step of a story whose reports join and leave each other's timeline rows."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import duckdb

from pipelines.local_run import run_in_process
from pipelines.store import warehouse
from pipelines.store.api import Store
from pipelines.store.projections import timeline_sql
from pipelines.store.ranges import MAX_RANGES
from pipelines.store.warehouse import buffers, catch_up, next_buffer, publish, release_caught_up

real_adopt, real_copy = warehouse._adopt, warehouse.shutil.copyfile

TABLES = ("documents", "time_mentions", "events", "timeline", "rejected_documents", "event_log")
VOLATILE = {"recorded_at", "first_recorded_at", "last_recorded_at", "rejected_at", "run_id"}

# A placed report of a day, a placeless one that joins it, and (later) a second place
# that day, which sends the placeless report back to a row of its own.
PLACED = "2021年5月11日，宜宾市珙县发生4.5级地震。"
PLACELESS = "2021年5月11日发生4.5级地震，多人受伤。"
OTHER_PLACE = "2021年5月11日，成都市发生4.5级地震。"


def _dump(path: Path, texts: dict[str, str], source: str = "test") -> None:
    lines = [json.dumps({"doc_id": doc_id, "title": "地震", "published_at": "2021-05-12T09:00:00",
                         "source": source, "content": text}, ensure_ascii=False)
             for doc_id, text in texts.items()]
    path.write_text("\n".join(lines) + "\n", "utf-8")


def _tables(db: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as con:
        out = {}
        for table in TABLES:
            cols = [c[0] for c in con.execute(f"DESCRIBE {table}").fetchall() if c[0] not in VOLATILE]
            out[table] = sorted(con.execute(f"SELECT {', '.join(cols)} FROM {table}").fetchall(), key=repr)
        return out


def _histories(db: Path) -> dict[str, list[tuple]]:
    """Every row version of every projection, as recorded (valid_from, valid_to and all)."""
    with duckdb.connect(str(db), read_only=True) as con:
        return {f"{t}_history": sorted(con.execute(f"SELECT * FROM {t}_history").fetchall(), key=repr)
                for t in ("documents", "time_mentions", "events", "timeline")}


def _merged_afresh(db: Path) -> list[tuple]:
    """The timeline merged from nothing over the published events and documents (a rebuild
    replays the log's appends as steps, so it alone would not catch a step's stale row)."""
    with duckdb.connect(str(db), read_only=True) as con:
        cols = [c[0] for c in con.execute("DESCRIBE timeline").fetchall() if c[0] not in VOLATILE]
        query = f"SELECT {', '.join(cols)} FROM ({timeline_sql('events', 'documents')})"
        return sorted(con.execute(query).fetchall(), key=repr)


def _rebuilt(db: Path, tmp: Path) -> dict[str, list[tuple]]:
    """The same log published from nothing, in a copy of the warehouse folder."""
    copy = tmp / f"rebuilt-{len(list(tmp.glob('rebuilt-*')))}"
    shutil.copytree(db.parent / "timeline.log", copy / "timeline.log")
    target = copy / db.name
    publish(target, rebuild=True)
    return _tables(target)


def _joined(db: Path) -> bool:
    """Whether the placeless report shares the placed report's timeline row."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT doc_ids FROM timeline WHERE event_type = 'disaster'").fetchall()
    return any({"placed", "placeless"} <= set(ids) for (ids,) in rows)


def test_every_incremental_step_equals_a_rebuild(tmp_path: Path):
    seeds, db = tmp_path / "seeds", tmp_path / "wh" / "timeline.duckdb"
    seeds.mkdir()
    store = Store(db, seeds, workers=1)

    def step() -> dict[str, list[tuple]]:
        assert run_in_process(store).success
        got = _tables(db)
        assert got == _rebuilt(db, tmp_path)
        assert got["timeline"] == _merged_afresh(db)
        return got

    _dump(seeds / "a.jsonl", {"placed": PLACED})
    step()
    _dump(seeds / "b.jsonl", {"placeless": PLACELESS})
    (seeds / "bad.jsonl").write_text("{not json\n", "utf-8")  # quarantined, then mended below
    assert step()["rejected_documents"]
    assert _joined(db)
    _dump(seeds / "c.jsonl", {"other": OTHER_PLACE})
    step()
    assert not _joined(db)
    (seeds / "c.jsonl").unlink()
    _dump(seeds / "bad.jsonl", {"mended": "2021年5月10日，自贡市发生3.1级地震。"})
    assert not step()["rejected_documents"]
    assert _joined(db)
    _dump(seeds / "a.jsonl", {"placed": PLACED.replace("4.5级", "4.6级")})
    step()
    # A note appended changes the document but none of its events, so no timeline row; a
    # source renamed changes no event either, but the sources of its timeline row.
    noted = PLACED.replace("4.5级", "4.6级") + "\n（本文有更新。）"
    _dump(seeds / "a.jsonl", {"placed": noted})
    before = step()
    _dump(seeds / "a.jsonl", {"placed": noted}, source="renamed")
    after = step()
    assert after["events"] == before["events"] and after["timeline"] != before["timeline"]
    # the publishes alternated between the two buffers, each brought up to date in place
    assert os.readlink(db) in {b.name for b in buffers(db)}
    assert all(b.exists() for b in buffers(db))


def _change(store: Store, seeds: Path, name: str, texts: dict[str, str]) -> None:
    """A change appended to the log, not yet published."""
    _dump(seeds / name, texts)
    store.append(store.extract(store.scan(store.folder_paths())), name)


def test_a_buffer_caught_up_ahead_holds_what_the_published_one_holds(tmp_path: Path, monkeypatch):
    """A run adopts the last publish into the other buffer beside its scan (`catch_up`):
    the buffer then holds the published tables, and the publish continues in the same
    connection (no second adoption, no copy, no second open), still equal to a rebuild."""
    seeds, db = tmp_path / "seeds", tmp_path / "wh" / "timeline.duckdb"
    seeds.mkdir()
    store = Store(db, seeds, workers=1)
    _dump(seeds / "a.jsonl", {"placed": PLACED})
    assert run_in_process(store).success
    _change(store, seeds, "b.jsonl", {"placeless": PLACELESS})
    store.publish()  # the other buffer is now one publish behind
    assert catch_up(db)
    release_caught_up()
    assert _tables(next_buffer(db)) == _tables(db)
    assert _histories(next_buffer(db)) == _histories(db)  # versions closed and opened alike
    assert not catch_up(db)  # nothing left to adopt

    _change(store, seeds, "c.jsonl", {"other": OTHER_PLACE})
    store.publish()
    adoptions, copies = [], []
    monkeypatch.setattr(warehouse, "_adopt", lambda *a: adoptions.append(a) or real_adopt(*a))
    monkeypatch.setattr(warehouse.shutil, "copyfile", lambda *a, **k: copies.append(a) or real_copy(*a, **k))
    _change(store, seeds, "d.jsonl", {"mended": "2021年5月10日，自贡市发生3.1级地震。"})
    assert catch_up(db)
    target, opened = next_buffer(db), []
    real_connect = warehouse.duckdb.connect
    monkeypatch.setattr(warehouse.duckdb, "connect", lambda path=":memory:", *a, **k: opened.append(
        str(path)) or real_connect(path, *a, **k))
    store.publish()
    assert len(adoptions) == 1 and not copies and str(target) not in opened
    assert _tables(db) == _rebuilt(db, tmp_path)
    # the placeless report left the placed one's row: versions closed in both buffers
    _change(store, seeds, "a.jsonl", {"placed": PLACED.replace("4.5级", "4.6级")})
    store.publish()
    assert catch_up(db)
    release_caught_up()
    assert _histories(next_buffer(db)) == _histories(db)
    assert any(row[-2] is not None for row in _histories(db)["timeline_history"])


READER = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print(con.execute("SELECT count(*) FROM documents").fetchone()[0], flush=True)
sys.stdin.readline()  # until told: the publishes happen meanwhile
print(con.execute("SELECT count(*) FROM documents").fetchone()[0], flush=True)
"""


def test_a_reader_holding_the_other_buffer_keeps_it_and_blocks_no_publish(tmp_path: Path):
    import subprocess
    import sys

    seeds, db = tmp_path / "seeds", tmp_path / "wh" / "timeline.duckdb"
    seeds.mkdir()
    store = Store(db, seeds, workers=1)
    _dump(seeds / "a.jsonl", {"placed": PLACED})
    assert run_in_process(store).success
    reader = subprocess.Popen([sys.executable, "-c", READER, str(db)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == "1"
        # In this process too: a connection made through the link, left open.
        here = duckdb.connect(str(db), read_only=True)
        for n in (2, 3):
            _dump(seeds / f"{n}.jsonl", {f"d{n}": PLACELESS.replace("多人", f"{n}人")})
            assert run_in_process(store).success  # the buffer both readers hold is not written
            with duckdb.connect(str(db), read_only=True) as fresh:
                assert fresh.execute("SELECT count(*) FROM documents").fetchone()[0] == n
        reader.stdin.write("\n")
        reader.stdin.flush()
        assert reader.stdout.readline().strip() == "1"  # still the version it opened
        assert here.execute("SELECT count(*) FROM documents").fetchone()[0] == 1
        here.close()
    finally:
        reader.kill()
        reader.wait()
    assert _tables(db) == _rebuilt(db, tmp_path)
    # Once nobody holds them, publishes go back to the buffers, written in place.
    for n in (4, 5):
        _dump(seeds / f"{n}.jsonl", {f"d{n}": PLACELESS.replace("多人", f"{n}人")})
        assert run_in_process(store).success
        assert os.readlink(db) in {b.name for b in buffers(db)}
    assert _tables(db) == _rebuilt(db, tmp_path)


def test_a_changes_facts_are_read_by_at_most_so_many_seq_ranges():
    """The affected documents' facts, scattered over the log, come back exactly, through
    at most `MAX_RANGES` constant bounds (the widest gaps kept apart)."""
    con = duckdb.connect()
    con.execute("CREATE TABLE event_log AS SELECT range AS seq, 'd' || (range // 10) AS doc_id "
                "FROM range(1, 2_000_001)")
    # every 400th document: 500 islands of ten facts, 4,000 seqs apart
    con.execute("CREATE TEMP TABLE affected AS SELECT 'd' || (range * 400) AS doc_id FROM range(500)")
    query = warehouse._affected_facts(con, 1_500_000)
    assert query.count("BETWEEN") == MAX_RANGES
    got = con.execute(f"SELECT seq FROM ({query}) ORDER BY seq").fetchall()
    want = con.execute("SELECT seq FROM event_log WHERE seq <= 1500000 AND doc_id IN "
                       "(SELECT doc_id FROM affected) ORDER BY seq").fetchall()
    assert got == want and len(want) > 3_000


def _one_append(tmp_path: Path, name: str) -> Store:
    seeds = tmp_path / name / "seeds"
    seeds.mkdir(parents=True)
    _dump(seeds / "a.jsonl", {"placed": PLACED, "placeless": PLACELESS, "other": OTHER_PLACE})
    store = Store(tmp_path / name / "wh" / "timeline.duckdb", seeds, workers=1)
    store.append(store.extract(store.scan(store.folder_paths())), "one")
    return store


def test_a_log_of_one_append_published_whole_equals_it_published_as_a_step(tmp_path: Path, monkeypatch):
    """`_whole` (two cursors, each table projected once) against `_step` from nothing."""
    whole = _one_append(tmp_path, "whole")
    seen = []
    publish(whole.db, staged=lambda con: seen.append(con.execute("SELECT count(*) FROM time_mentions").fetchone()[0]))
    stepped = _one_append(tmp_path, "stepped")
    monkeypatch.setattr(warehouse, "_whole", lambda con, recorded_at, staged: warehouse._step(
        con, 0, stepped.log.head_seq(), recorded_at, staged))
    publish(stepped.db)
    assert _tables(whole.db) == _tables(stepped.db)
    with duckdb.connect(str(whole.db), read_only=True) as con:
        assert seen == [con.execute("SELECT count(*) FROM time_mentions").fetchone()[0]] and seen[0] > 0
    # (each log has its own append time, which the rows' hashes cover)
    strip = {"valid_from", "row_hash"}
    for table, rows in _histories(whole.db).items():
        with duckdb.connect(str(whole.db), read_only=True) as con:
            cols = [c[0] for c in con.execute(f"DESCRIBE {table}").fetchall()]
        keep = [i for i, c in enumerate(cols) if c not in VOLATILE | strip]
        other = _histories(stepped.db)[table]
        assert [tuple(r[i] for i in keep) for r in rows] == [tuple(r[i] for i in keep) for r in other], table
        assert rows and all(r[cols.index("valid_to")] is None for r in rows)
    for store in (whole, stepped):  # each version's hash is its row's, as a later step takes it
        with duckdb.connect(str(store.db), read_only=True) as con:
            for table in ("documents", "time_mentions", "events", "timeline"):
                assert sorted(con.execute(f"SELECT hash(t) FROM {table} t").fetchall()) == sorted(
                    con.execute(f"SELECT row_hash FROM {table}_history").fetchall()), table


def test_a_whole_publish_whose_second_cursor_fails_publishes_nothing(tmp_path: Path, monkeypatch):
    store = _one_append(tmp_path, "failing")
    monkeypatch.setattr(warehouse.P, "mentions_sql", lambda docs: "SELECT no_such_column FROM log")
    staged = []
    try:
        publish(store.db, staged=staged.append)
    except duckdb.Error as exc:
        assert "no_such_column" in str(exc)
    else:
        raise AssertionError("the publish should have failed")
    assert staged == [] and not store.db.exists()
