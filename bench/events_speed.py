"""Event extractor alone: chars/s over the first N corpus articles, and an output dump to diff.

    python -m bench.events_speed [N] [--dump FILE] [--profile]

Time mentions are computed first and not timed; jieba's dictionary load is not timed
(a one-off per process). The dump (one JSON line per event) lets a speed change be
checked for unchanged results: `diff before.jsonl after.jsonl`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import time
from datetime import datetime

from bench import corpus
from pipelines.core.events import extract_events
from pipelines.core.events.engine import _jieba
from pipelines.core.model import Document
from pipelines.core.timex import extract_times


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int, nargs="?", default=1000)
    ap.add_argument("--dump", default=None)
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    docs = []
    for line in corpus.read_lines(args.n):
        r = json.loads(line)
        pub = None
        with contextlib.suppress(ValueError, TypeError):
            pub = datetime.fromisoformat(r["published_at"])
        docs.append(Document(r["doc_id"], r["doc_id"], r.get("content") or "", "", r.get("title"),
                             r.get("source"), pub))
    _jieba()
    mentions = [extract_times(d.text, d.published_at) for d in docs]
    chars = sum(len(d.text) for d in docs)
    if args.profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.enable()
    t0 = time.perf_counter()
    events = [extract_events(d, m) for d, m in zip(docs, mentions, strict=True)]
    dt = time.perf_counter() - t0
    if args.profile:
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
    total = sum(len(e) for e in events)
    print(f"events: {len(docs)} articles, {chars:,} chars, {total} events, {dt:.2f} s, "
          f"{chars / dt:,.0f} chars/s")
    if args.dump:
        with open(args.dump, "w", encoding="utf-8") as out:
            for d, es in zip(docs, events, strict=True):
                for e in es:
                    out.write(json.dumps({"doc": d.doc_id, **e.to_json()}, ensure_ascii=False,
                                         default=str, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
