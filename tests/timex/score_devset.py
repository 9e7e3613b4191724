"""Run extract_times over a dev set and score it with the shared scorer.

Usage: python tests/timex/score_devset.py [CASES.jsonl] [--show N]
Writes the predictions next to the temp dir and prints the scorer's figures.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from pipelines.core.timex import extract_times  # noqa: E402

DEFAULT = Path("/work/shared/eval/recognizers_zh_datetime.jsonl")
SCORER = Path("/work/shared/eval/score.py")


def main(argv: list[str]) -> int:
    cases_path = Path(argv[0]) if argv and not argv[0].startswith("--") else DEFAULT
    show = argv[argv.index("--show") + 1] if "--show" in argv else "20"
    out = Path(tempfile.gettempdir()) / "timex_devset_pred.jsonl"
    with out.open("w", encoding="utf-8") as fh, cases_path.open(encoding="utf-8") as cases:
        for line in cases:
            case = json.loads(line)
            ref = datetime.fromisoformat(case["reference"]) if case.get("reference") else None
            mentions = [m.to_json() for m in extract_times(case["text"], ref)]
            fh.write(json.dumps({"id": case["id"], "mentions": mentions}, ensure_ascii=False))
            fh.write("\n")
    return subprocess.call([sys.executable, str(SCORER), str(cases_path), str(out),
                            "--show", show])


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
