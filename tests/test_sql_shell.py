"""`timeline sql`: the duckdb shell on the published file, read-only, with the macros, so
the README's example queries run unchanged."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TIMELINE = Path(sys.executable).with_name("timeline")


def _shell(ws, sql: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(TIMELINE), "sql", "--db", str(ws.db), *args], input=sql,
                          capture_output=True, text=True, timeout=120)


def _readme_queries() -> str:
    readme = (ROOT / "README.md").read_text("utf-8")
    blocks = re.findall(r"```sql\n(.*?)```", readme, flags=re.S)
    assert blocks, "the README has no ```sql block"
    return "\n".join(blocks)


def test_the_readme_queries_run_unchanged(seeded):
    queries = _readme_queries()
    statements = [s for s in queries.split(";") if re.search(r"\bSELECT\b", s)]
    result = _shell(seeded, queries, "-csv")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    # -csv prints one header line per statement; the chronology lists every timeline row
    headers = [line for line in result.stdout.splitlines() if line.startswith(("earliest,", "text,", "seq,"))]
    assert len(headers) >= len(statements) - 2  # an empty as-of or search prints no header
    headlines = {r[0] for r in seeded.query("SELECT headline FROM timeline")}
    assert headlines and all(h in result.stdout for h in headlines)


def test_answers_come_from_the_published_file_with_its_macros(seeded):
    result = _shell(seeded, "SELECT count(*) AS n FROM timeline;\n"
                            "SELECT count(*) AS n FROM timeline_as_of(now()::TIMESTAMP);\n", "-csv")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["n", str(seeded.count("timeline")), "n", str(seeded.count("timeline"))]


def test_the_shell_cannot_write(seeded):
    before = seeded.count("schema_version")
    result = _shell(seeded, "INSERT INTO schema_version VALUES (99, now(), 'x');\n")
    assert result.returncode != 0
    assert "read-only" in result.stderr
    assert seeded.count("schema_version") == before


def test_a_missing_warehouse_says_what_to_do(tmp_path):
    result = subprocess.run([str(TIMELINE), "sql", "--db", str(tmp_path / "none.duckdb")],
                            input="SELECT 1;", capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "run `timeline run` first" in result.stderr
