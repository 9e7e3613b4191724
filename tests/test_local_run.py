"""`timeline run`'s in-process run and the Dagster asset graph are one path through the store.

Both go through `pipelines.store.api.Store`; these tests hold them to the same tables after
a fresh run, an edit and a deletion, and to the same way of naming a failed step.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

import duckdb
import pytest

from pipelines import local_run
from pipelines.local_run import run_in_process
from pipelines.publish import background
from pipelines.store.api import Store

SEED_NAME = "000_f909081cfa4b4b6d.txt"  # what Workspace.add_seed copies
TABLES = {
    "documents": "doc_id",
    "time_mentions": "doc_id, char_start, char_end",
    "events": "event_id",
    "timeline": "event_id",
    "rejected_documents": "path",
}
# when and by which run a fact was recorded differ between two runs by design
RUN_COLUMNS = {"recorded_at", "run_id", "first_recorded_at", "last_recorded_at", "rejected_at"}


def _tables(db) -> dict[str, list[tuple]]:
    out = {}
    with duckdb.connect(str(db), read_only=True) as con:
        for table, order in TABLES.items():
            columns = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall() if r[0] not in RUN_COLUMNS]
            out[table] = con.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {order}").fetchall()
    return out


def _dump(path, records: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")


ARTICLES = [
    {"doc_id": "a1", "published_at": "2023-06-02 07:19:00", "title": "天津一小区地面沉降",
     "content": "6月1日晚，天津市津南区八里台镇部分路面隆起开裂。当晚，当地紧急转移群众2900余人。"},
    {"doc_id": "a2", "published_at": "2023-08-25 16:02:00", "title": "排海",
     "content": "今天，日本启动福岛核污染水排海。外交部发言人当天回应称，日方应停止错误做法。"},
    {"doc_id": "bad", "published_at": "not a date"},
]


def test_in_process_run_equals_the_dagster_run(new_workspace) -> None:
    via_dagster, in_process = new_workspace("dagster"), new_workspace("local")
    for ws in (via_dagster, in_process):
        ws.add_seed()
        _dump(ws.seeds / "news.jsonl", ARTICLES)

    def both() -> None:
        via_dagster.run()
        outcome = run_in_process(Store(in_process.db, in_process.seeds, workers=1))
        assert outcome.success, outcome.error
        assert _tables(via_dagster.db) == _tables(in_process.db)

    both()
    assert in_process.count("events") > 5 and in_process.count("rejected_documents") == 1
    for ws in (via_dagster, in_process):  # an edit and a deletion
        _dump(ws.seeds / "news.jsonl", [ARTICLES[0]])
        (ws.seeds / SEED_NAME).unlink()
    both()
    assert in_process.query("SELECT doc_id FROM documents") == [("a1",)]


def test_one_file_leaves_the_others_as_they_are(workspace) -> None:
    ws = workspace
    ws.add_seed()
    _dump(ws.seeds / "news.jsonl", ARTICLES[:2])
    store = Store(ws.db, ws.seeds, workers=1)
    assert run_in_process(store).success
    before = ws.count("documents")
    (ws.seeds / SEED_NAME).unlink()
    outcome = run_in_process(store, only=["news.jsonl"])
    assert outcome.success and outcome.partitions == 1
    assert ws.count("documents") == before  # the seed article is not withdrawn by a one-file run


def test_a_failed_step_is_named_with_its_cause(workspace) -> None:
    ws = workspace
    ws.add_seed()
    store = Store(ws.db, ws.seeds, workers=1)
    assert run_in_process(store).success
    shutil.copy(ws.seeds / SEED_NAME, ws.seeds / "second.txt")
    assert run_in_process(store).success
    first = sorted(store.log.segments())[0]
    first.unlink()  # history lost: nothing may be appended after it
    (ws.seeds / "third.txt").write_text((ws.seeds / SEED_NAME).read_text("utf-8").replace("2020", "2019"), "utf-8")
    outcome = run_in_process(store)
    assert not outcome.success
    assert outcome.error.startswith("step "), outcome.error
    assert first.name in outcome.error
    assert "Traceback" in (outcome.traceback or "")


@pytest.mark.parametrize("only", [None, ["nothing-here.txt"]])
def test_nothing_to_read_still_publishes_a_valid_warehouse(workspace, only) -> None:
    ws = workspace
    outcome = run_in_process(Store(ws.db, ws.seeds, workers=1), only=only)
    assert outcome.success
    assert ws.count("events") == 0


def _picture_run(ws, monkeypatch: pytest.MonkeyPatch, in_background: bool):
    monkeypatch.setattr(local_run, "BACKGROUND_PICTURE_MIN_DOCS", 1 if in_background else 10**9)
    spawned = []
    real = background.PictureDrawer.__init__

    def counted(self, db):
        spawned.append(db)
        real(self, db)

    monkeypatch.setattr(background.PictureDrawer, "__init__", counted)
    outcome = run_in_process(Store(ws.db, ws.seeds, workers=1))
    assert bool(spawned) == in_background
    return outcome


def test_a_large_run_draws_the_same_picture_in_a_helper_process(new_workspace, monkeypatch) -> None:
    pictures = []
    for in_background in (False, True):
        ws = new_workspace(f"picture-{in_background}")
        ws.add_seed()
        _dump(ws.seeds / "news.jsonl", ARTICLES)
        outcome = _picture_run(ws, monkeypatch, in_background)
        assert outcome.success, outcome.error
        pictures.append((ws.db.parent / "timeline.png").read_bytes())
    assert pictures[0].startswith(b"\x89PNG") and pictures[1] == pictures[0]


def test_a_run_that_withdraws_many_documents_draws_its_picture_in_a_helper_too(workspace, monkeypatch) -> None:
    ws = workspace
    _dump(ws.seeds / "news.jsonl", ARTICLES)
    assert run_in_process(Store(ws.db, ws.seeds, workers=1)).success
    (ws.seeds / "news.jsonl").unlink()  # nothing to extract, two documents withdrawn
    monkeypatch.setattr(local_run, "BACKGROUND_PICTURE_MAX_DOCS", 2)
    assert _picture_run(ws, monkeypatch, in_background=True).success
    assert (ws.db.parent / "timeline.png").read_bytes().startswith(b"\x89PNG")
    assert ws.count("events") == 0


@pytest.mark.parametrize("in_background", [False, True])
def test_a_picture_that_cannot_be_written_fails_its_step_alike(workspace, monkeypatch, in_background) -> None:
    ws = workspace
    ws.add_seed()
    (ws.db.parent / "timeline.png").mkdir(parents=True)  # a folder where the picture goes
    outcome = _picture_run(ws, monkeypatch, in_background)
    assert not outcome.success
    assert outcome.error.startswith("step timeline_picture: IsADirectoryError: "), outcome.error
    assert "timeline.png" in outcome.error


def test_a_run_failing_before_its_picture_leaves_no_helper(workspace, monkeypatch) -> None:
    ws = workspace
    ws.add_seed()
    drawers = []
    real = background.PictureDrawer.__init__

    def kept(self, db):
        drawers.append(self)
        real(self, db)

    def no_publish(*args, **kwargs):
        raise OSError("disk gone")

    monkeypatch.setattr(local_run, "BACKGROUND_PICTURE_MIN_DOCS", 1)
    monkeypatch.setattr(background.PictureDrawer, "__init__", kept)
    monkeypatch.setattr(Store, "publish", no_publish)
    outcome = run_in_process(Store(ws.db, ws.seeds, workers=1))
    assert outcome.error == "step warehouse: OSError: disk gone"
    assert len(drawers) == 1 and drawers[0]._proc.poll() is not None  # stopped and reaped
    assert not (ws.db.parent / "timeline.png").exists()


def test_a_helper_that_dies_fails_the_picture_step_with_its_exit(seeded) -> None:
    drawer = background.PictureDrawer(seeded.db)
    drawer._proc.kill()
    with pytest.raises(background.PictureFailed, match="the picture's helper exited with -9"):
        drawer.finish()


def test_a_publish_failing_its_audits_keeps_the_previous_picture(workspace, monkeypatch) -> None:
    """The helper draws the build's rows before the audits; only a publish that succeeds
    has its picture written."""
    import dataclasses

    from pipelines.store.audits import AUDITS, run_audits

    ws = workspace
    ws.add_seed()
    assert _picture_run(ws, monkeypatch, in_background=True).success
    picture = ws.db.parent / "timeline.png"
    before = picture.read_bytes()
    page_before = (ws.db.parent / "timeline.html").read_bytes()
    _dump(ws.seeds / "news.jsonl", ARTICLES[:2])
    failing = tuple(dataclasses.replace(a, sql="SELECT doc_id FROM documents") if a.name == "timeline_not_empty"
                    else a for a in AUDITS)
    monkeypatch.setattr("pipelines.store.warehouse.run_audits",
                        lambda con, docs=None: run_audits(con, failing, docs))
    drew = []
    real = background.PictureDrawer.draw_staged
    monkeypatch.setattr(background.PictureDrawer, "draw_staged", lambda self, con: (drew.append(1), real(self, con)))
    outcome = _picture_run(ws, monkeypatch, in_background=True)
    assert not outcome.success and "timeline_not_empty" in outcome.error
    assert drew == [1]  # it was drawing when the audits failed
    assert picture.read_bytes() == before
    assert (ws.db.parent / "timeline.html").read_bytes() == page_before


def _without_stamp(page: str) -> str:
    return re.sub(r"Generated \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC", "Generated", page)


def test_the_page_rendered_from_the_build_is_the_published_files_page(workspace) -> None:
    """A run renders timeline.html from its build's rows while the publish finishes; the
    page is the one the published file gives, and is noted as made from it."""
    from pipelines.publish.files import page_made_from_published, write_page_beside

    ws = workspace
    ws.add_seed()
    _dump(ws.seeds / "news.jsonl", ARTICLES)
    store = Store(ws.db, ws.seeds, workers=1)
    assert run_in_process(store).success
    _dump(ws.seeds / "news.jsonl", [{**ARTICLES[0], "content": ARTICLES[0]["content"] + "6月3日，道路恢复通行。"}])
    assert run_in_process(store).success
    page = ws.db.parent / "timeline.html"
    ran = page.read_text("utf-8")
    assert "道路恢复通行" in ran and "福岛" not in ran
    assert page_made_from_published(ws.db) is not None
    write_page_beside(ws.db)
    assert _without_stamp(ran) == _without_stamp(page.read_text("utf-8"))


def test_the_cli_run_imports_no_dagster(tmp_path) -> None:
    # Dagster costs ~1.3 s to import, a tenth of a 3,000-article run; `timeline run` runs the
    # same steps without it (only --dagster and the UI import it).
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    _dump(seeds / "news.jsonl", ARTICLES)
    code = ("import sys\n"
            "from pipelines.cli import app\n"
            "try:\n"
            f"    app(['run', '--seeds', {str(seeds)!r}, '--db', {str(tmp_path / 'w' / 'timeline.duckdb')!r}, '--no-show'])\n"
            "except SystemExit as done:\n"
            "    assert not done.code, done.code\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'dagster'))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                         env={k: v for k, v in os.environ.items() if not k.startswith("DAGSTER_")})
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_a_run_waiting_on_its_catch_up_builds_the_extractors_tables_meanwhile(new_workspace, monkeypatch) -> None:
    """While the catch-up thread still runs, a run whose extraction needs the pool builds the
    extractors' tables (`warm_up_ahead`) and extracts in process instead of waiting; it
    publishes what a run that waited publishes, and drops jieba's table after its extraction."""
    import threading

    from pipelines.core import extract
    from pipelines.core.events.engine import _jieba, release_lexicon

    warmed = threading.Event()
    real_warm_up_ahead, real_catch_up = extract.warm_up_ahead, Store.catch_up

    def warm_up_ahead() -> None:
        real_warm_up_ahead()
        warmed.set()

    def slow_catch_up(self) -> bool:  # still running when the run has planned
        done = real_catch_up(self)
        warmed.wait(timeout=30)
        return done

    runs = []
    for ahead in (False, True):
        ws = new_workspace(f"ahead-{ahead}")
        ws.add_seed()
        _dump(ws.seeds / "news.jsonl", ARTICLES)
        store = Store(ws.db, ws.seeds, workers=2)
        assert run_in_process(store).success
        # enough changed documents for the pool (`extract_stream` forks at 8 and more)
        _dump(ws.seeds / "news.jsonl", [ARTICLES[1]] + [
            {**ARTICLES[0], "doc_id": f"a1-{k}", "content": ARTICLES[0]["content"] + f"6月{k + 3}日，积水退去。"}
            for k in range(10)])
        if ahead:
            monkeypatch.setattr(extract, "_POOL_MIN_CHARS", 1)
            monkeypatch.setattr(extract, "warm_up_ahead", warm_up_ahead)
            monkeypatch.setattr(Store, "catch_up", slow_catch_up)
        release_lexicon()
        outcome = run_in_process(store)
        assert outcome.success, outcome.error
        if ahead:  # (a run extracting in process without it keeps the table it loaded, as before)
            assert _jieba.cache_info().currsize == 0
        runs.append(_tables(ws.db))
    assert warmed.is_set()
    assert runs[0] == runs[1]


def test_a_first_run_over_enough_seed_bytes_forks_its_workers_before_it_scans(new_workspace, monkeypatch) -> None:
    """`Store.pool_ahead`: only a first run (an empty log) over at least WARM_POOL_MIN_BYTES of
    seed files forks its workers ahead; it publishes what a run without them publishes."""
    from pipelines.store import api

    made = []
    real = api.Store.pool_ahead

    def counted(self, paths):
        ahead = real(self, paths)
        made.append(ahead)
        return ahead

    monkeypatch.setattr(api.Store, "pool_ahead", counted)
    runs = []
    for threshold in (1, 10**9):
        monkeypatch.setattr(api, "WARM_POOL_MIN_BYTES", threshold)
        ws = new_workspace(f"warm-{threshold}")
        ws.add_seed()
        _dump(ws.seeds / "news.jsonl", ARTICLES)
        store = Store(ws.db, ws.seeds, workers=2)
        assert run_in_process(store).success
        runs.append(_tables(ws.db))
    assert made == [True, False] and runs[0] == runs[1]
    monkeypatch.setattr(api, "WARM_POOL_MIN_BYTES", 1)
    _dump(ws.seeds / "news.jsonl", ARTICLES[:1])  # a second run: the log holds facts
    assert run_in_process(Store(ws.db, ws.seeds, workers=2)).success
    assert made == [True, False, False]
    assert Store(ws.db, ws.seeds, workers=1).pool_ahead(["news.jsonl"]) is False
