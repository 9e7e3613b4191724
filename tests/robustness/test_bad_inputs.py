"""One bad input never stops a run: the cases of data/bad_inputs.jsonl, each a row.

Each row builds some entries in a seeds folder (articles, dumps, raw bytes, symlinks,
FIFOs, folders, names that are not UTF-8) and says what must become of them: ingested
(a document with that doc_id), quarantined (a rejected_documents row with that path,
line and reason) or absent. Every row is checked entry by entry through the reader, and
all of them together through one real `timeline run` beside a good dump ingested
before, which must exit 0 and lose nothing of what was there.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.core.model import Document, Rejection
from pipelines.core.reading import list_seed_files, read_seed_path, seed_name
from pipelines.store.facts import plan_run

ROOT = Path(__file__).resolve().parents[2]
SEED_TEXT = (ROOT / "seeds" / "000_f909081cfa4b4b6d.txt").read_text("utf-8")
CORPUS = ROOT.parent / "shared" / "corpus" / "dtels-news-10k.jsonl.gz"
CASES = [json.loads(line) for line in
         (Path(__file__).parent / "data" / "bad_inputs.jsonl").read_text("utf-8").splitlines() if line.strip()]
GOOD_DUMP_ARTICLES = 300


def _name(entry: dict) -> str:
    return os.fsdecode(bytes.fromhex(entry["name_hex"])) if "name_hex" in entry else entry["name"]


def build(folder: Path, case: dict) -> list[Path]:
    """Make the case's entries under folder; returns those that must vanish after listing."""
    vanishing = []
    for entry in case["make"]:
        path = folder / _name(entry)
        path.parent.mkdir(parents=True, exist_ok=True)
        kind = entry["kind"]
        if kind == "dir":
            path.mkdir(exist_ok=True)
        elif kind == "article":
            path.write_text(SEED_TEXT, "utf-8")
        elif kind == "jsonl":
            path.write_text("\n".join(entry["lines"]) + "\n", "utf-8")
        elif kind == "bytes":
            path.write_bytes(bytes.fromhex(entry["hex"]))
        elif kind == "symlink":
            path.symlink_to(entry["target"])
        elif kind == "fifo":
            os.mkfifo(path)
        else:
            raise ValueError(f"unknown kind {kind!r} in {case['case']}")
        if entry.get("vanishes"):
            vanishing.append(path)
    return vanishing


def _check(case: dict, prefix: str, docs: set[str], rejected: dict[str, tuple[str, int | None]]) -> None:
    for want in case["expect"]:
        if want["outcome"] == "quarantined":
            path = prefix + want["path"]
            assert path in rejected, (case["case"], path, sorted(rejected))
            reason, line = rejected[path]
            assert want["reason"] in reason, (case["case"], reason)
            assert line == want.get("line"), (case["case"], line)
        elif want["outcome"] == "ingested":
            doc_id = want["doc_id"] if ".txt" not in want["doc_id"] else prefix + want["doc_id"]
            assert doc_id in docs, (case["case"], doc_id)
        else:
            assert prefix + want["doc_id"] not in docs and want["doc_id"] not in docs, case["case"]


@pytest.mark.parametrize("case", [c for c in CASES if not c.get("run_level_only")], ids=lambda c: c["case"])
def test_each_entry_is_ingested_or_quarantined(tmp_path, case):
    vanishing = build(tmp_path, case)
    entries = list_seed_files(tmp_path)
    for path in vanishing:
        path.unlink()
    items = [item for path in entries for item in read_seed_path(path, tmp_path)]
    docs = {i.doc_id for i in items if isinstance(i, Document)}
    rejected = {}
    for r in items:
        if isinstance(r, Rejection):
            file, _, line = r.path.rpartition(":")
            rejected[r.path] = (r.reason, int(line) if file and line.isdigit() else None)
            r.path.encode("utf-8")  # storable: no surrogates in a name or a reason
            r.reason.encode("utf-8")
    _check(case, "", docs, rejected)
    assert {seed_name(p, tmp_path) for p in entries} >= {r.split(":")[0] for r in rejected}


def test_a_duplicate_doc_id_is_refused_at_its_line(tmp_path):
    from pipelines.store.eventlog import LogState

    case = next(c for c in CASES if c["make"][0].get("name") == "dup.jsonl")
    build(tmp_path, case)
    items = list(read_seed_path(tmp_path / "dup.jsonl", tmp_path))
    plan = plan_run([i for i in items if isinstance(i, Document)], [], {"dup.jsonl"}, LogState(), "v")
    assert [(r.path, r.doc_id) for r in plan.rejected] == [("dup.jsonl:3", "dup-1")]


def _good_dump(path: Path) -> set[str]:
    lines = []
    if CORPUS.exists():
        with gzip.open(CORPUS, "rt", encoding="utf-8") as handle:
            for line in handle:
                lines.append(line.rstrip("\n"))
                if len(lines) == GOOD_DUMP_ARTICLES:
                    break
    else:
        body = SEED_TEXT.split("\n", 3)[3]
        lines = [json.dumps({"doc_id": f"good-{i}", "published_at": "2020-12-16", "content": f"{i}。{body}"},
                            ensure_ascii=False) for i in range(GOOD_DUMP_ARTICLES)]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return {str(json.loads(line)["doc_id"]) for line in lines}


def _cli_run(seeds: Path, db: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DAGSTER_", "TIMELINE_"))}
    return subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "run", "--seeds", str(seeds), "--db", str(db), "--no-show"],
        env={**env, "TIMELINE_WORKERS": "2"}, cwd=ROOT, capture_output=True, text=True, timeout=900)


def test_a_run_over_every_bad_input_goes_on_and_loses_nothing(workspace):
    good_ids = _good_dump(workspace.seeds / "good.jsonl")
    first = _cli_run(workspace.seeds, workspace.db)
    assert first.returncode == 0, first.stderr[-3000:]
    events_before = workspace.query("SELECT event_id, doc_id, earliest, latest, headline FROM events ORDER BY event_id")
    assert {r[0] for r in workspace.query("SELECT doc_id FROM documents")} == good_ids

    cases = [c for c in CASES if not c.get("entry_level_only")]
    for i, case in enumerate(cases):
        build(workspace.seeds / f"c{i:02d}", case)
    result = _cli_run(workspace.seeds, workspace.db)
    assert result.returncode == 0, result.stderr[-3000:]
    summary = (result.stdout + result.stderr).strip().splitlines()
    assert any(re.match(r"[\d,]+ documents, [\d,]+ events, ", line) for line in summary), summary[-20:]

    docs = {r[0] for r in workspace.query("SELECT doc_id FROM documents")}
    rejected = {path: (reason, line) for path, reason, line in
                workspace.query("SELECT path, reason, line FROM rejected_documents")}
    for i, case in enumerate(cases):
        _check(case, f"c{i:02d}/", docs, rejected)
    # the run names the first quarantined files and counts the rest (all are in the table)
    named = [path for path in rejected if f"quarantined: {path}: " in result.stderr]
    more = re.search(r"quarantined: (\d+) more", result.stderr)
    assert len(named) + (int(more.group(1)) if more else 0) == len(rejected), result.stderr[-2000:]
    # what was ingested before is all still there, unchanged
    assert good_ids <= docs
    assert workspace.query(
        "SELECT event_id, doc_id, earliest, latest, headline FROM events WHERE doc_id IN "
        "(SELECT unnest(?::VARCHAR[])) ORDER BY event_id", [sorted(good_ids)]) == events_before

    again = _cli_run(workspace.seeds, workspace.db)  # a bad input is refused once, not per run
    assert again.returncode == 0, again.stderr[-3000:]
    assert workspace.query("SELECT path, count(*) FROM event_log WHERE kind = 'document_rejected' "
                           "GROUP BY path HAVING count(*) > 1") == []


def test_a_failed_run_names_its_cause_in_words():
    """Dagster wraps a step's error ("Error occurred while executing op ..."); the run's
    last line must say what went wrong underneath."""
    from dagster._utils.error import serializable_error_info_from_exc_info

    from pipelines.runner import root_cause

    try:
        try:
            "\ud800".encode("utf-8")
        except UnicodeEncodeError as exc:
            raise RuntimeError('Error occurred while executing op "articles":') from exc
    except RuntimeError:
        info = serializable_error_info_from_exc_info(sys.exc_info())
    cause = root_cause(info)
    assert cause.startswith("UnicodeEncodeError: ") and "surrogates not allowed" in cause
    assert "\n" not in cause and "executing op" not in cause
