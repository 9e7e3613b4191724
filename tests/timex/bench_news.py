"""Throughput of extract_times on real news: python tests/timex/bench_news.py [N]."""

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


def main(n: int) -> None:
    arts = []
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        for line, _ in zip(fh, range(n), strict=False):
            arts.append(json.loads(line))
    extract_times("2020年5月", None)  # warm the tables and regex
    chars = sum(len(a["content"]) for a in arts)
    t0 = time.perf_counter()
    found = 0
    for a in arts:
        ref = datetime.fromisoformat(a["published_at"]) if a.get("published_at") else None
        found += len(extract_times(a["content"], ref))
    dt = time.perf_counter() - t0
    print(f"{len(arts)} articles, {chars} chars, {found} mentions, {dt:.2f}s, "
          f"{chars / dt:,.0f} chars/s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
