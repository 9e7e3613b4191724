"""Run extract_times over a dev set and score it with the shared scorer.

Usage: python tests/timex/score_devset.py [CASES] [--show N] [--range-end both|inclusive|exclusive]
CASES is a JSONL case file in the scorer's format (default: the shared Recognizers dev set),
or a TSV of tests/timex/devsets, or that folder (all its TSVs). Writes the cases and the
predictions to the temp dir and prints the scorer's figures, once per range convention (the
Recognizers specs read ranges with an exclusive end; the news default is inclusive).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from pipelines.core.datatables import read_rows  # noqa: E402
from pipelines.core.timex import extract_times  # noqa: E402

DEFAULT = Path("/work/shared/eval/recognizers_zh_datetime.jsonl")
SCORER = Path("/work/shared/eval/score.py")


def _reading(start: str, end: str, kind: str) -> dict | None:
    if start == "-":
        return None
    # A daterange's end is exclusive in the spec; the scorer compares inclusive days.
    last = date.fromisoformat(end) - timedelta(days=1) if kind == "daterange" else \
        date.fromisoformat(end)
    return {"earliest": start, "latest": max(last, date.fromisoformat(start)).isoformat()}


def tsv_cases(path: Path) -> list[dict]:
    """The scorer's cases from one devsets TSV: one case per input, its rows as expected."""
    cases: dict[tuple[str, str], dict] = {}
    for no, row in enumerate(read_rows(path), 1):
        text, ref, expr, start, kind, timex, p0, p1, f0, f1 = row
        case = cases.setdefault((text, ref), {"id": f"{path.stem}:{no}", "text": text,
                                              "reference": ref, "expected": []})
        readings = [r for r in (_reading(p0, p1, kind), _reading(f0, f1, kind)) if r]
        s = int(start)
        case["expected"].append({"text": expr, "start": s, "end": s + len(expr), "kind": kind,
                                 "timex": timex,
                                 "resolutions": [dict(t) for t in {tuple(r.items())
                                                                   for r in readings}]})
    return list(cases.values())


def _case_file(arg: Path) -> Path:
    if arg.suffix == ".jsonl":
        return arg
    tsvs = sorted(arg.glob("*.tsv")) if arg.is_dir() else [arg]
    out = Path(tempfile.gettempdir()) / f"timex_devset_cases_{arg.stem}.jsonl"
    with out.open("w", encoding="utf-8") as fh:
        for tsv in tsvs:
            for case in tsv_cases(tsv):
                fh.write(json.dumps(case, ensure_ascii=False) + "\n")
    return out


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
    arg = Path(argv[0]) if argv and not argv[0].startswith("--") else DEFAULT
    show = argv[argv.index("--show") + 1] if "--show" in argv else "20"
    which = argv[argv.index("--range-end") + 1] if "--range-end" in argv else "both"
    ends = ["inclusive", "exclusive"] if which == "both" else [which]
    cases_path = _case_file(arg)
    return max(_score(cases_path, end, show) for end in ends)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
