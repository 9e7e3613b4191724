"""The `timeline` command line: contracts of extract, show, run and errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from pipelines.cli import app

runner = CliRunner()
DATA = Path(__file__).parent / "data"


def _extract_jsonl(lines: list[str], *options: str) -> list[dict]:
    result = runner.invoke(app, ["extract", "--jsonl", *options], input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_extract_jsonl_contract():
    out = _extract_jsonl([
        json.dumps({"id": "a", "text": "今年5月以來", "reference": "2020-12-16T10:38:18"}, ensure_ascii=False),
        "this is not json",
        json.dumps({"id": "c", "text": 42}),
        json.dumps({"id": "d", "text": "7∙17", "reference": "2020-12-16"}, ensure_ascii=False),
    ])
    assert [r.get("id") for r in out] == ["a", None, "c", "d"]
    assert "error" in out[1] and "error" in out[2]
    mention = out[0]["mentions"][0]
    assert set(mention) >= {"text", "start", "end", "type", "value", "earliest", "latest"}
    assert (mention["value"], mention["earliest"], mention["latest"]) == ("2020-05", "2020-05-01", "2020-05-31")
    assert out[3]["mentions"][0]["earliest"] == "2020-07-17"


def test_extract_file_offsets_index_the_text(tmp_path):
    text = "來源:中國網 時間:2020-12-16 10:38:18\n今年5月以來，8∙13筠連鎮旗隆村成功避險。"
    path = tmp_path / "a.txt"
    path.write_text(text, "utf-8")
    result = runner.invoke(app, ["extract", "--reference", "2020-12-16T10:38:18", str(path)])
    assert result.exit_code == 0
    mentions = [json.loads(line) for line in result.stdout.splitlines()]
    assert mentions
    for m in mentions:
        assert text[m["start"] : m["end"]] == m["text"]


def _devset_score(tmp_path: Path, *options: str) -> tuple[float, float, str]:
    cases = DATA / "eval" / "recognizers_zh_datetime.jsonl"
    lines = [json.dumps({"id": c["id"], "text": c["text"], "reference": c["reference"]}, ensure_ascii=False)
             for c in map(json.loads, cases.read_text("utf-8").splitlines())]
    pred = tmp_path / "pred.jsonl"
    pred.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in _extract_jsonl(lines, *options)) + "\n",
                    "utf-8")
    score = subprocess.run([sys.executable, str(DATA / "eval" / "score.py"), str(cases), str(pred), "--show", "0"],
                           capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
    figures = score.split()
    return float(figures[1]), float(figures[figures.index("resolved") + 1]), score


def test_devset_with_the_sets_own_range_convention(tmp_path):
    """Recognizers ends ranges exclusively (5月-10月 ends 09-30): scored in its convention."""
    recall, resolved, score = _devset_score(tmp_path, "--range-end", "exclusive")
    assert recall >= 0.98, score
    assert resolved >= 0.88, score


def test_devset_with_news_ranges(tmp_path):
    """Our default reads ranges inclusively, as Chinese news means them; the set's ~20 range
    items then count as wrong, so this guards the figure rather than meeting the set."""
    recall, resolved, score = _devset_score(tmp_path)
    assert recall >= 0.95, score
    assert resolved >= 0.70, score


def test_show_filters_are_parameters(seeded):
    injected = runner.invoke(app, ["show", "--db", str(seeded.db), "--type", "x' OR '1'='1", "--format", "json"])
    assert injected.exit_code == 2 and "unknown event type" in injected.output
    assert not any(line.startswith("{") for line in injected.output.splitlines())
    evac = runner.invoke(app, ["show", "--db", str(seeded.db), "--type", "evacuation", "--format", "json",
                               "--from", "2020-07-01", "--to", "2020-07-31"])
    rows = [json.loads(line) for line in evac.stdout.splitlines()]
    assert rows and all(r["event_type"] == "evacuation" for r in rows)
    assert any(r["earliest"] == "2020-07-17" for r in rows)


def test_run_exits_zero_with_quarantined_files(workspace):
    workspace.add_seed()
    (workspace.seeds / "empty.txt").write_bytes(b"")
    result = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "run", "--seeds", str(workspace.seeds),
         "--db", str(workspace.db), "--no-show"],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "quarantined: empty.txt: empty file" in result.stderr
    assert workspace.count("rejected_documents") == 1
    # Redirected, progress is plain lines: one per phase with its count and time.
    for line in ("scan: 2 documents in", "extract: 1 documents in", "append: ", "publish: ", "page: "):
        assert any(x.startswith(line) for x in result.stderr.splitlines()), result.stderr
    assert "\r" not in result.stderr and "\x1b[" not in result.stderr


def _cli_run(ws, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "run", "--seeds", str(ws.seeds), "--db", str(ws.db),
         "--no-show", *extra], capture_output=True, text=True, timeout=300)


def test_unchanged_folder_stops_before_any_work(workspace):
    seed = workspace.add_seed()
    first = _cli_run(workspace)
    assert first.returncode == 0, first.stderr[-2000:]
    log_rows = workspace.count("event_log")
    again = _cli_run(workspace)
    assert again.returncode == 0 and "nothing changed since the last run" in again.stderr
    forced = _cli_run(workspace, "--force")
    assert forced.returncode == 0 and "nothing changed" not in forced.stderr
    assert workspace.count("event_log") == log_rows
    seed.write_text(seed.read_text("utf-8").replace("7∙17豐樂鄉龍塘村、", ""), "utf-8")
    edited = _cli_run(workspace)
    assert edited.returncode == 0 and "nothing changed" not in edited.stderr
    assert workspace.count("event_log") > log_rows


def test_run_through_dagster_is_recorded_and_publishes_the_same(workspace, tmp_path):
    """`--dagster` materializes the asset graph (the run is in DAGSTER_HOME's instance);
    the default run takes the same steps without it, to the same events."""
    import dagster as dg
    import duckdb

    workspace.add_seed()
    home = tmp_path / "dagster_home"
    home.mkdir()
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    other = tmp_path / "other" / "timeline.duckdb"
    for db, flags in ((workspace.db, ["--dagster"]), (other, [])):
        result = subprocess.run(
            [sys.executable, "-m", "pipelines.cli", "run", "--seeds", str(workspace.seeds),
             "--db", str(db), "--no-show", *flags],
            capture_output=True, text=True, timeout=300, env=env)
        assert result.returncode == 0, result.stderr[-2000:]
    instance = dg.DagsterInstance.from_config(str(home))
    assert len(instance.get_run_records()) == 1  # the --dagster run only
    query = "SELECT event_type, headline, earliest, latest FROM events ORDER BY event_id"
    with duckdb.connect(str(workspace.db), read_only=True) as a, duckdb.connect(str(other), read_only=True) as b:
        assert a.execute(query).fetchall() == b.execute(query).fetchall()


def test_extract_jsonl_over_the_worker_pool_gives_the_in_process_lines(tmp_path):
    # Over _POOL_MIN_BYTES of input the lines go to forked workers in chunks; what comes
    # back, in input order, is what one process gives line by line, bad lines included.
    seed = (Path(__file__).parents[1] / "seeds" / "000_f909081cfa4b4b6d.txt").read_text("utf-8")
    lines = [json.dumps({"id": i, "text": f"{i}月{i % 28 + 1}日。{seed}", "reference": "2020-12-16"},
                        ensure_ascii=False) for i in range(1, 200)]
    lines.insert(50, "{not json")
    assert sum(len(line.encode()) for line in lines) > 400_000
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIMELINE_")}
    pooled = subprocess.run([sys.executable, "-m", "pipelines.cli", "extract", "--jsonl"],
                            input="\n".join(lines) + "\n", env={**env, "TIMELINE_WORKERS": "2"},
                            cwd=Path(__file__).parents[1], capture_output=True, text=True, timeout=300)
    assert pooled.returncode == 0, pooled.stderr[-2000:]
    alone = runner.invoke(app, ["extract", "--jsonl"], input="\n".join(lines) + "\n",
                          env={"TIMELINE_WORKERS": "1"})
    assert alone.exit_code == 0, alone.output
    assert pooled.stdout == alone.stdout
    assert len(pooled.stdout.splitlines()) == len(lines)
