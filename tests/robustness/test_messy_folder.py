"""What it must show: a messy seeds folder is ingested or quarantined, file by file.

Beside the good seed article: a GB18030 copy, a Big5 copy, an empty file, 4 KB of random
bytes, a header-only file, a symlink to /etc/passwd and an article dated 2021年2月30日.
The run exits 0, says what it quarantined and why, never reads the symlink's target, and
the good article's timeline from an earlier run is all still there.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_f909081cfa4b4b6d.txt"
SEED_TEXT = SEED.read_text("utf-8")
# Big5 has no U+2219 (∙) and no 産 or 説: a Big5 publisher writes 7·17 (U+00B7), 產, 說.
BIG5_TEXT = SEED_TEXT.replace("∙", "·").replace("産", "產").replace("説", "說")
FEB30 = ("標題：二月三十日\n\n來源:中國網 時間:2021-03-01 09:00:00\n"
         "2021年2月30日，縣委召開會議，部署2月30日至3月2日的工作。\n")
EVENT_COLS = "event_id, earliest, latest, event_type, headline, evidence, char_start, char_end"


def _cli_run(seeds: Path, db: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DAGSTER_", "TIMELINE_"))}
    return subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "run", "--seeds", str(seeds), "--db", str(db),
         "--no-show"], env={**env, "TIMELINE_WORKERS": "1"}, cwd=ROOT, capture_output=True,
        text=True, timeout=600)


def test_messy_folder(workspace):
    good = workspace.add_seed()
    workspace.run()
    timeline_before = workspace.query(
        "SELECT event_id, earliest, latest, event_type, headline FROM timeline")
    events_before = workspace.query(
        f"SELECT {EVENT_COLS} FROM events WHERE doc_id = ? ORDER BY event_id", [good.name])
    assert timeline_before and events_before

    seeds = workspace.seeds
    (seeds / "gb18030.txt").write_bytes(SEED_TEXT.encode("gb18030"))
    (seeds / "big5.txt").write_bytes(BIG5_TEXT.encode("big5"))  # strict: every char encodes
    (seeds / "empty.txt").write_bytes(b"")
    (seeds / "random.txt").write_bytes(random.Random(7).randbytes(4096))
    (seeds / "header_only.txt").write_text("標題\n\n來源:中國網 時間:2020-12-16 10:38:18\n", "utf-8")
    (seeds / "passwd.txt").symlink_to("/etc/passwd")
    (seeds / "feb30.txt").write_text(FEB30, "utf-8")

    result = _cli_run(seeds, workspace.db)
    assert result.returncode == 0, result.stderr[-3000:]

    rejected = dict(workspace.query("SELECT path, reason FROM rejected_documents"))
    expected = {"empty.txt": "empty file", "random.txt": "binary or undecodable",
                "header_only.txt": "no body", "passwd.txt": "outside the seeds folder"}
    assert set(rejected) == set(expected)
    for path, reason in expected.items():
        assert reason in rejected[path]
        assert f"quarantined: {path}: {rejected[path]}" in result.stderr.splitlines()

    # the symlink's target is never read: nothing of /etc/passwd anywhere in the warehouse
    assert workspace.query("SELECT count(*) FROM documents WHERE path = 'passwd.txt' "
                           "OR text LIKE '%root:%'") == [(0,)]
    assert workspace.query("SELECT count(*) FROM event_log WHERE payload::VARCHAR LIKE '%root:%'"
                           ) == [(0,)]
    assert workspace.query("SELECT content_hash FROM rejected_documents "
                           "WHERE path = 'passwd.txt'") == [(None,)]

    docs = {r[0]: r[1:] for r in workspace.query(
        "SELECT path, encoding, text, extraction_error FROM documents")}
    assert set(docs) == {good.name, "gb18030.txt", "big5.txt", "feb30.txt"}
    assert docs["gb18030.txt"][0] == "gb18030" and docs["gb18030.txt"][1] == SEED_TEXT
    assert docs["big5.txt"][0].startswith("big5") and docs["big5.txt"][1] == BIG5_TEXT
    assert all(err is None for _, _, err in docs.values())

    def days(path: str) -> set[date]:
        return {r[0] for r in workspace.query(
            "SELECT earliest FROM time_mentions WHERE doc_id = ? AND earliest = latest", [path])}

    assert {date(2020, 7, 17), date(2020, 8, 13)} <= days("big5.txt")
    assert days("gb18030.txt") == days(good.name)
    mention_values = lambda path: sorted(r[0] for r in workspace.query(  # noqa: E731
        "SELECT value FROM time_mentions WHERE doc_id = ?", [path]))
    assert mention_values("gb18030.txt") == mention_values(good.name)
    assert mention_values("big5.txt") == mention_values(good.name)

    # 2月30日 is never a date: not a mention value, not an event bound, nothing crashed
    feb = workspace.query("SELECT value, earliest, latest FROM time_mentions WHERE doc_id = 'feb30.txt'")
    assert not any("02-30" in value for value, _, _ in feb)
    assert workspace.query("SELECT published_at FROM documents WHERE path = 'feb30.txt'")[0][0]
    assert all(e is None or e.month != 2 or e.day <= 29 for row in feb for e in row[1:])

    # the good article's timeline is all still there, each row now backed by the copies too
    assert workspace.query(
        f"SELECT {EVENT_COLS} FROM events WHERE doc_id = ? ORDER BY event_id", [good.name]
    ) == events_before
    # (a copy may now speak for the row: the Big5 copy's headline says 產 where the seed says 産)
    after = workspace.query("SELECT earliest, latest, event_type, event_ids, doc_ids FROM timeline")
    for event_id, earliest, latest, event_type, headline in timeline_before:
        assert any(event_id in ids and good.name in docs and (e, la, t) == (earliest, latest, event_type)
                   for e, la, t, ids, docs in after), (event_id, headline)
