"""Every error a user met, with the message that says what to do (issue 16)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import pytest
from typer.testing import CliRunner

from pipelines.cli import DAY_FORMS, _register_optional_commands, app, parse_day

_register_optional_commands()

runner = CliRunner()


def _show(seeded, *args: str):
    return runner.invoke(app, ["show", "--db", str(seeded.db), *args])


@pytest.mark.parametrize("typed, first, last", [
    ("2020-05-01", date(2020, 5, 1), date(2020, 5, 1)),
    ("2020-5-1", date(2020, 5, 1), date(2020, 5, 1)),
    ("2020/5/1", date(2020, 5, 1), date(2020, 5, 1)),
    ("2020.5.1", date(2020, 5, 1), date(2020, 5, 1)),
    ("2020年5月1日", date(2020, 5, 1), date(2020, 5, 1)),
    ("2020年7月1號", date(2020, 7, 1), date(2020, 7, 1)),
    ("２０２０年５月１日", date(2020, 5, 1), date(2020, 5, 1)),
    ("20200501", date(2020, 5, 1), date(2020, 5, 1)),
    ("2020-5", date(2020, 5, 1), date(2020, 5, 31)),
    ("2020年2月", date(2020, 2, 1), date(2020, 2, 29)),
    ("2020年", date(2020, 1, 1), date(2020, 12, 31)),
    ("2020", date(2020, 1, 1), date(2020, 12, 31)),
])
def test_dates_in_the_forms_people_type(typed, first, last):
    assert (parse_day(typed), parse_day(typed, period_end=True)) == (first, last)


@pytest.mark.parametrize("typed", ["May 2020", "2020-13-01", "2020年2月30日", "20201", "昨天"])
def test_what_is_not_a_date(typed):
    with pytest.raises(ValueError):
        parse_day(typed)


def test_show_takes_chinese_dates(seeded):
    iso = _show(seeded, "--from", "2020-07-01", "--to", "2020-07-31", "--format", "json")
    typed = _show(seeded, "--from", "2020年7月1日", "--to", "2020/7/31", "--format", "json")
    month = _show(seeded, "--from", "2020-7", "--to", "2020年7月", "--format", "json")
    assert iso.exit_code == typed.exit_code == month.exit_code == 0
    assert iso.stdout and iso.stdout == typed.stdout == month.stdout


@pytest.mark.parametrize("args, message", [
    (["--from", "May 2020"], f"error: --from must be a date such as {DAY_FORMS}; got 'May 2020'"),
    (["--to", "2020-02-30"], f"error: --to must be a date such as {DAY_FORMS}; got '2020-02-30'"),
    (["--from", "2020-8-1", "--to", "2020-7-1"], "error: --from 2020-08-01 is after --to 2020-07-01"),
    (["--as-of", "yesterday"], "error: --as-of must be a moment such as '2026-11-01 12:00' (UTC) or a day "
                               f"such as {DAY_FORMS}; got 'yesterday'"),
    (["--format", "xml"], "error: unknown format 'xml': choose one of table, csv, json"),
])
def test_show_refuses_with_the_forms_it_takes(seeded, args, message):
    result = _show(seeded, *args)
    assert result.exit_code == 2
    assert result.output == message + "\n"


def test_unknown_type_lists_the_types(seeded):
    from pipelines.core.events.tables import tables

    result = _show(seeded, "--type", "meetng")
    assert result.exit_code == 2
    assert result.output == f"error: unknown event type 'meetng'; the types are: {', '.join(sorted(tables().labels))}\n"
    assert "meeting" in tables().labels


def test_as_of_before_the_first_fact_says_when_it_was_recorded(seeded):
    first = seeded.query("SELECT min(recorded_at) FROM event_log")[0][0]
    result = _show(seeded, "--as-of", "2020-01-01 12:00")
    assert result.exit_code == 0
    assert (f"note: nothing was recorded by 2020-01-01 12:00:00 UTC: the first fact was recorded at "
            f"{first:%Y-%m-%d %H:%M:%S} UTC; give a later --as-of") in result.stderr
    later = _show(seeded, "--as-of", f"{first:%Y-%m-%d %H:%M:%S.%f}", "--format", "json")
    assert later.stdout.count("\n") == seeded.count("timeline") and "note:" not in later.stderr


def test_unknown_export_format_lists_the_formats(seeded, tmp_path):
    result = runner.invoke(app, ["export", "--db", str(seeded.db), "--format", "pdf", str(tmp_path / "t.pdf")])
    assert result.exit_code == 2
    assert result.output == "error: unknown format 'pdf': choose one of parquet, csv, json, timelinejs, html, png\n"


def test_missing_seeds_say_what_to_give(tmp_path):
    result = runner.invoke(app, ["run", "--seeds", str(tmp_path / "nowhere"), "--db", str(tmp_path / "t.duckdb")])
    assert result.exit_code == 2
    assert result.output == (f"error: seeds {tmp_path / 'nowhere'} does not exist: give a folder of articles "
                             "(.txt) and JSONL dumps (.jsonl, .jsonl.gz), or one such file\n")


def test_unknown_show_choice_of_run(tmp_path):
    result = runner.invoke(app, ["run", "--seeds", str(tmp_path), "--show", "some"])
    assert result.exit_code == 2
    assert result.output == "error: unknown --show 'some': choose one of head, all, none\n"


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipelines.cli", "run", *args],
                          capture_output=True, text=True, timeout=300)


def test_seeds_may_be_one_file(workspace):
    seed = workspace.add_seed()
    other = workspace.add_seed("other.txt")
    done = _run("--seeds", str(seed), "--db", str(workspace.db), "--show", "none")
    assert done.returncode == 0, done.stderr[-2000:]
    assert workspace.query("SELECT DISTINCT doc_id FROM documents") == [(seed.name,)]
    both = _run("--seeds", str(workspace.seeds), "--db", str(workspace.db), "--show", "none")
    assert both.returncode == 0, both.stderr[-2000:]
    assert workspace.count("documents") == 2
    # One file again: the other file's documents stay (a file is not the whole folder).
    again = _run("--seeds", str(other), "--db", str(workspace.db), "--show", "none")
    assert again.returncode == 0 and workspace.count("documents") == 2


def test_a_failed_run_names_the_file_and_cause_in_one_line(workspace):
    workspace.add_seed()
    blocker = workspace.root / "not_a_folder"
    blocker.write_text("a file where the warehouse's folder should be")
    db = blocker / "timeline.duckdb"
    failed = _run("--seeds", str(workspace.seeds), "--db", str(db))
    assert failed.returncode == 1
    errors = [line for line in failed.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, failed.stderr
    assert errors[0].endswith("(--debug for the traceback)")
    assert "NotADirectoryError" in errors[0] and str(blocker) in errors[0], errors[0]
    assert "Traceback" not in failed.stderr and len(failed.stderr.splitlines()) <= 8, failed.stderr
    debug = _run("--seeds", str(workspace.seeds), "--db", str(db), "--debug")
    assert debug.returncode == 1 and "Traceback" in debug.stderr or 'File "' in debug.stderr


def test_extract_on_empty_stdin_says_what_to_give():
    result = runner.invoke(app, ["extract"], input="")
    assert result.exit_code == 2
    assert result.output == ("error: no text on standard input: give a file (timeline extract article.txt), "
                             "pipe text in (echo '今年5月' | timeline extract --reference 2020-12-16), "
                             "or use --jsonl\n")
    jsonl = runner.invoke(app, ["extract", "--jsonl"], input="\n\n")
    assert jsonl.exit_code == 2
    assert jsonl.output == ('error: no lines on standard input: --jsonl reads one {"id", "text", "reference"} '
                            "object per line\n")


def test_bad_jsonl_lines_say_which_line_and_why():
    lines = [json.dumps({"id": "a", "text": "今年5月", "reference": "2020-12-16"}, ensure_ascii=False),
             "",
             '{"id": "b", "text": "5月"',
             json.dumps({"id": "c", "text": 42}),
             json.dumps({"id": "d", "text": "昨天", "reference": "yesterday"}, ensure_ascii=False),
             "[1, 2]"]
    result = runner.invoke(app, ["extract", "--jsonl"], input="\n".join(lines) + "\n")
    assert result.exit_code == 0
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert out[0]["id"] == "a" and out[0]["mentions"]
    assert out[1:] == [
        {"id": None, "line": 3, "error": "line 3: not JSON (Expecting ',' delimiter at column 25)"},
        {"id": "c", "line": 4, "error": "line 4: 'text' must be a string"},
        {"id": "d", "line": 5, "error": "line 5: 'reference' must be an ISO time such as 2020-12-16T10:38:18, "
                                        "got 'yesterday'"},
        {"id": None, "line": 6, "error": 'line 6: a line must be a JSON object such as {"id": 1, "text": '
                                         '"...", "reference": "2020-12-16"}'},
    ]
