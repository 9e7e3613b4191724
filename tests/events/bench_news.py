"""Run the event extractor over N news articles: events/article, chars/s, and a sample.

    .venv/bin/python -m tests.events.bench_news [N] [SAMPLE]
"""

from __future__ import annotations

import contextlib
import gzip
import json
import random
import sys
import time
from datetime import datetime

from pipelines.core.events import extract_events
from pipelines.core.events.engine import _jieba
from pipelines.core.model import Document
from pipelines.core.timex import extract_times

CORPUS = "/work/shared/corpus/dtels-news-10k.jsonl.gz"


def main(n: int = 1000, sample: int = 30) -> None:
    docs = []
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            pub = None
            with contextlib.suppress(ValueError):
                pub = datetime.fromisoformat(r["published_at"]) if r.get("published_at") else None
            docs.append(Document(r["doc_id"], r["doc_id"], r.get("content") or "", "", r.get("title"),
                                 r.get("source"), pub))
            if len(docs) >= n:
                break
    _jieba()  # one-off dictionary load is not per-article cost
    mentions = [extract_times(d.text, d.published_at) for d in docs]
    chars = sum(len(d.text) for d in docs)
    t0 = time.perf_counter()
    events = [extract_events(d, m) for d, m in zip(docs, mentions, strict=True)]
    dt = time.perf_counter() - t0
    flat = [(d, e) for d, es in zip(docs, events, strict=True) for e in es]
    print(f"{len(docs)} articles, {chars} chars, {len(flat)} events "
          f"({len(flat) / len(docs):.2f}/article), {dt:.2f}s, {chars / dt:,.0f} chars/s")
    by_type: dict[str, int] = {}
    by_basis: dict[str, int] = {}
    for _, e in flat:
        by_type[e.event_type] = by_type.get(e.event_type, 0) + 1
        by_basis[e.date_basis] = by_basis.get(e.date_basis, 0) + 1
    print(by_type, by_basis, "routine", sum(e.is_routine for _, e in flat))
    for d, e in random.Random(7).sample(flat, min(sample, len(flat))):
        print("---", d.doc_id, d.published_at, e.event_type, e.trigger, e.earliest, e.latest, e.date_basis,
              e.time_text, e.place, e.actors, e.is_routine)
        print("   ", e.headline, "||", e.evidence[:160])


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
