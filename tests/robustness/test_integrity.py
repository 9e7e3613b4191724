"""The log proves its own integrity: a damaged history is refused, never published in part.

Two seed files ingested in two runs give two segments. Each way of damaging the log
(deleting, truncating or altering a segment, deleting the last one with its catalog
entry, a stray copy) must make `timeline verify` exit non-zero naming the file, and
`timeline rebuild` and `timeline run` refuse with a message naming the file and the fix,
leaving the published file as it was. A healthy warehouse verifies with exit 0.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.store.integrity import CATALOG_NAME

runner = CliRunner()
SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_f909081cfa4b4b6d.txt"


def _two_segment_warehouse(ws):
    ws.add_seed("a.txt")
    ws.run()
    ws.add_seed("b.txt")
    (ws.seeds / "b.txt").write_text(SEED.read_text("utf-8").replace("筠連縣", "高縣"), "utf-8")
    ws.run()
    return ws


@pytest.fixture(scope="module")
def pristine(new_workspace):
    ws = _two_segment_warehouse(new_workspace("pristine"))
    assert len(ws.settings().log.segments()) == 2
    return ws


@pytest.fixture
def ws(pristine, tmp_path):
    shutil.copytree(pristine.root, tmp_path / "w", symlinks=True)
    return type(pristine)(tmp_path / "w")


def _segments(ws) -> list[Path]:
    return ws.settings().log.segments()


def _delete_first(ws) -> Path:
    path = _segments(ws)[0]
    path.unlink()
    return path


def _delete_last_and_its_entry(ws) -> Path:
    path = _segments(ws)[-1]
    path.unlink()
    catalog = path.parent / CATALOG_NAME
    body = json.loads(catalog.read_text("utf-8"))
    body["segments"] = [s for s in body["segments"] if s["file"] != path.name]
    catalog.write_text(json.dumps(body), "utf-8")
    return path


def _truncate_first(ws) -> Path:
    path = _segments(ws)[0]
    with path.open("r+b") as handle:
        handle.truncate(path.stat().st_size // 2)
    return path


def _alter_first_keeping_size_and_mtime(ws) -> Path:
    path = _segments(ws)[0]
    st = path.stat()
    data = bytearray(path.read_bytes())
    data[len(data) // 3] ^= 0xFF
    path.write_bytes(bytes(data))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # only ctime gives it away
    return path


def _stray_copy(ws) -> Path:
    first = _segments(ws)[0]
    stray = first.with_name("seg-000000000002.parquet")
    shutil.copy(first, stray)
    return stray


DAMAGE: dict[str, Callable[..., Path]] = {
    "deleted first segment": _delete_first,
    "deleted last segment and its catalog entry": _delete_last_and_its_entry,
    "truncated segment": _truncate_first,
    "altered segment, same size and mtime": _alter_first_keeping_size_and_mtime,
    "stray copy of a segment": _stray_copy,
}


def test_a_healthy_warehouse_verifies(ws):
    result = runner.invoke(app, ["verify", "--db", str(ws.db)])
    assert result.exit_code == 0, result.output
    assert "2 segments" in result.stdout and "checksums match" in result.stdout
    assert result.stdout.strip().endswith("ok")


@pytest.mark.parametrize("damage", DAMAGE)
def test_verify_fails_on_a_damaged_log(ws, damage):
    damaged = DAMAGE[damage](ws)
    result = runner.invoke(app, ["verify", "--db", str(ws.db)])
    assert result.exit_code == 1, result.output
    if damage != "deleted last segment and its catalog entry":
        assert damaged.name in result.stderr  # (the published file is what notices that one)
    assert "error:" in result.stderr


@pytest.mark.parametrize("damage", DAMAGE)
def test_rebuild_and_run_refuse_a_damaged_log(ws, damage):
    before = ws.query("SELECT count(*), max(seq) FROM event_log")
    docs_before = ws.count("documents")
    published = ws.db.stat().st_mtime_ns
    damaged = DAMAGE[damage](ws)
    rebuilt = runner.invoke(app, ["rebuild", "--db", str(ws.db)])
    assert rebuilt.exit_code != 0, rebuilt.output
    message = rebuilt.stderr.strip().splitlines()
    assert len(message) == 1 and message[0].startswith("error: rebuild refused")
    assert "timeline.log" in message[0] and ("restore" in message[0] or "move" in message[0])
    if damage != "deleted last segment and its catalog entry":
        assert damaged.name in message[0]
    ran = runner.invoke(app, ["run", "--seeds", str(ws.seeds), "--db", str(ws.db), "--no-show"])
    assert ran.exit_code != 0
    assert ran.stderr.strip().splitlines()[-1].startswith("error: ")
    # nothing was published from part of the history, nothing appended after a gap
    assert ws.db.stat().st_mtime_ns == published
    assert ws.query("SELECT count(*), max(seq) FROM event_log") == before
    assert ws.count("documents") == docs_before == 2


def test_rebuild_from_the_whole_log_is_accepted(ws):
    result = runner.invoke(app, ["rebuild", "--db", str(ws.db)])
    assert result.exit_code == 0, result.output
    assert runner.invoke(app, ["verify", "--db", str(ws.db)]).exit_code == 0


def test_a_restored_segment_is_accepted_again(ws, tmp_path):
    first = _segments(ws)[0]
    backup = tmp_path / "backup.parquet"
    shutil.copy2(first, backup)
    first.unlink()
    assert runner.invoke(app, ["verify", "--db", str(ws.db)]).exit_code == 1
    shutil.copy(backup, first)  # a new inode and ctime: hashed again, and it matches
    assert runner.invoke(app, ["verify", "--db", str(ws.db)]).exit_code == 0
    ws.run()


def test_a_commit_whose_catalog_entry_never_landed_is_adopted(ws):
    """A writer killed between the segment's rename and the catalog's is not damage."""
    catalog = ws.settings().log.directory / CATALOG_NAME
    body = json.loads(catalog.read_text("utf-8"))
    body["segments"] = body["segments"][:-1]  # the last commit's entry never written
    catalog.write_text(json.dumps(body), "utf-8")
    result = runner.invoke(app, ["verify", "--db", str(ws.db)])
    assert result.exit_code == 0, result.output
    assert "cataloged after it was written" in result.stdout
    ws.run()  # a writer lists it again, as adopted
    listed = json.loads(catalog.read_text("utf-8"))["segments"]
    assert [s["adopted"] for s in listed] == [False, True]
    assert runner.invoke(app, ["verify", "--db", str(ws.db)]).exit_code == 0
