"""The `*_as_of(ts)` macros read row versions kept at publish; at every moment a fact was
recorded they must equal the projections rebuilt from the log's facts up to that moment,
also between two appends that one publish brought in."""

from __future__ import annotations

import json
import time

import duckdb

from pipelines.store.eventlog import EventLog
from pipelines.store.fact import Fact, FactKind
from pipelines.store.warehouse import publish

AS_OF = ("documents", "time_mentions", "events", "timeline")
EDIT = "7∙17豐樂鄉龍塘村、"


def _rows(con: duckdb.DuckDBPyConnection, relation: str, params: list | None = None) -> list[tuple]:
    return sorted(con.execute(f"SELECT * FROM {relation}", params or []).fetchall(), key=repr)


def _withdraw(log: EventLog, doc_id: str, path: str) -> None:
    with log.lock():
        payload = json.dumps({"reason": "test: withdrawn outside a run", "path": path})
        log.append([Fact(FactKind.DOCUMENT_WITHDRAWN, doc_id=doc_id, path=path, payload=payload)])


def _rebuilt_prefix(log: EventLog, moment, target) -> dict[str, list[tuple]]:
    with duckdb.connect() as con:
        prefix = con.execute(f"SELECT * FROM {log.relation()} WHERE recorded_at <= ? ORDER BY seq",
                             [moment]).pl()
    db = target / "timeline.duckdb"
    prefix_log = EventLog.beside(db)
    with prefix_log.lock():
        prefix_log.import_rows(prefix)
    publish(db, prefix_log, rebuild=True)
    with duckdb.connect(str(db), read_only=True) as con:
        return {t: _rows(con, t) for t in AS_OF}


def test_as_of_every_recorded_moment_equals_a_rebuild_of_the_log_up_to_it(workspace, tmp_path):
    seed = workspace.add_seed()
    workspace.add_seed("copy.txt")
    workspace.run()
    seed.write_text(seed.read_text("utf-8").replace(EDIT, ""), "utf-8")
    workspace.run()
    # Two appends, then one publish: the moment between them is a state no publish made.
    log = workspace.settings().log
    docs = dict(workspace.query("SELECT path, doc_id FROM documents"))
    copy_path = next(p for p in docs if p.endswith("copy.txt"))
    seed_path = next(p for p in docs if not p.endswith("copy.txt"))
    _withdraw(log, docs[copy_path], copy_path)
    time.sleep(0.01)
    _withdraw(log, docs[seed_path], seed_path)
    assert publish(workspace.db, log).mode == "incremental"

    moments = [r[0] for r in workspace.query("SELECT DISTINCT recorded_at FROM event_log ORDER BY 1")]
    assert len(moments) == 4
    seen = set()
    with duckdb.connect(str(workspace.db), read_only=True) as con:
        for i, moment in enumerate(moments):
            rebuilt = _rebuilt_prefix(log, moment, tmp_path / f"prefix-{i}")
            as_of = {t: _rows(con, f"{t}_as_of(?::TIMESTAMP)", [moment]) for t in AS_OF}
            assert as_of == rebuilt, f"as of {moment} (append {i + 1})"
            seen.add(len(as_of["documents"]))
    # the moments are distinct states: two articles, two after the edit, one, none
    assert seen == {2, 1, 0}


def test_a_rebuild_keeps_the_same_history(workspace):
    seed = workspace.add_seed()
    workspace.run()
    seed.write_text(seed.read_text("utf-8").replace(EDIT, ""), "utf-8")
    workspace.run()
    tables = [f"{t}_history" for t in AS_OF]
    incremental = {t: workspace.query(f"SELECT * FROM {t} ORDER BY ALL") for t in tables}
    publish(workspace.db, rebuild=True)
    assert {t: workspace.query(f"SELECT * FROM {t} ORDER BY ALL") for t in tables} == incremental
    assert any(v is not None for (v,) in workspace.query("SELECT valid_to FROM timeline_history"))
