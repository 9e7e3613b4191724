"""Throughput of extract_times on real news: python tests/timex/bench_news.py [N] [--profile].

Measured in CPU time (time.process_time), best of three passes: the machine is shared, so
wall time mostly measures the neighbours.
"""

from __future__ import annotations

import gzip
import json
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from pipelines.core.timex import extract_times  # noqa: E402

CORPUS = Path("/work/shared/corpus/dtels-news-10k.jsonl.gz")


def _load(n: int) -> list[tuple[str, datetime | None]]:
    arts = []
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        for line, _ in zip(fh, range(n), strict=False):
            a = json.loads(line)
            ref = datetime.fromisoformat(a["published_at"]) if a.get("published_at") else None
            arts.append((a["content"], ref))
    return arts


def _pass(arts: list[tuple[str, datetime | None]]) -> tuple[int, float]:
    t0 = time.process_time()
    found = sum(len(extract_times(text, ref)) for text, ref in arts)
    return found, time.process_time() - t0


def main(argv: list[str]) -> None:
    n = int(argv[0]) if argv and argv[0].isdigit() else 1000
    arts = _load(n)
    extract_times("2020年5月", None)  # warm the tables and regex
    chars = sum(len(t) for t, _ in arts)
    if "--profile" in argv:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.runcall(_pass, arts)
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)
        return
    runs = [_pass(arts) for _ in range(3)]
    found, dt = min(runs, key=lambda r: r[1])
    print(f"{len(arts)} articles, {chars} chars, {found} mentions, best CPU {dt:.3f}s "
          f"of {', '.join(f'{r[1]:.3f}' for r in runs)}, {chars / dt:,.0f} chars/s")


if __name__ == "__main__":
    main(sys.argv[1:])
