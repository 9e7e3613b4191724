"""Run extract_times over a dev set and score it with the shared scorer.

Usage: python tests/timex/score_devset.py [CASES.jsonl] [--show N] [--range-end both|inclusive|exclusive]
Writes the predictions to the temp dir and prints the scorer's figures, once per range
convention (the dev set, Microsoft Recognizers, reads ranges with an exclusive end; news
default is inclusive).
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


def _score(cases_path: Path, range_end: str, show: str) -> int:
    out = Path(tempfile.gettempdir()) / f"timex_devset_pred_{range_end}.jsonl"
    with out.open("w", encoding="utf-8") as fh, cases_path.open(encoding="utf-8") as cases:
        for line in cases:
            case = json.loads(line)
            ref = datetime.fromisoformat(case["reference"]) if case.get("reference") else None
            mentions = [m.to_json() for m in extract_times(case["text"], ref,
                                                           range_end=range_end)]
            fh.write(json.dumps({"id": case["id"], "mentions": mentions}, ensure_ascii=False))
            fh.write("\n")
    print(f"== range_end={range_end}", flush=True)
    return subprocess.call([sys.executable, str(SCORER), str(cases_path), str(out),
                            "--show", show])


def main(argv: list[str]) -> int:
    cases_path = Path(argv[0]) if argv and not argv[0].startswith("--") else DEFAULT
    show = argv[argv.index("--show") + 1] if "--show" in argv else "20"
    which = argv[argv.index("--range-end") + 1] if "--range-end" in argv else "both"
    ends = ["inclusive", "exclusive"] if which == "both" else [which]
    return max(_score(cases_path, end, show) for end in ends)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
