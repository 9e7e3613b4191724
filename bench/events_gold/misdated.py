"""Where the extractor dates a key event the tuning golds hold differently: by which bound
differs and by how each side dated it.

    python -m bench.events_gold.misdated                 # every tuning set
    python -m bench.events_gold.misdated --show 20       # and twenty examples
    python -m bench.events_gold.misdated --sets dev,dev2

Key dated is the scorer's strictest figure: a key event counts when an event of the
extractor overlaps its evidence and carries its first and last day (or accepted ones). This
reads the tuning sets and the examined ones (`train_filter.EXAMINED`, whose misses were read
already; none at present) only: the held-out sets (`train_filter.HELD_OUT`) are refused, so
that what it shows is never tuned on news the project is judged on.
"""

from __future__ import annotations

import argparse
import json
import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench.corpus import CORPUS
from bench.events_gold.evaluate import HERE, gold_documents
from bench.events_gold.train_filter import EXAMINED, HELD_OUT, TUNING, evidence_spans


@dataclass(frozen=True, slots=True)
class Predicted:
    earliest: str | None
    latest: str | None
    basis: str
    time_text: str | None
    headline: str


def accepted(gold: dict, earliest: str | None, latest: str | None) -> tuple[bool, bool]:
    """Whether each bound is one the gold event accepts (as the shared scorer judges them)."""
    return (earliest in {gold["earliest"], *gold.get("accept_earliest", [])},
            latest in {gold["latest"], *gold.get("accept_latest", [])})


def disagreement(gold: dict, found: list[Predicted]) -> str | None:
    """None when some overlapping event carries the gold's dates; else which bound the first
    overlapping event gets wrong: 'first day', 'last day' or 'both'."""
    if any(all(accepted(gold, p.earliest, p.latest)) for p in found):
        return None
    first_ok, last_ok = accepted(gold, found[0].earliest, found[0].latest)
    return "last day" if first_ok else "first day" if last_ok else "both"


def misdated(sets: list[str], corpus: Path = CORPUS) -> tuple[Counter, list[tuple], int, int]:
    """(counts by (disagreement, our basis, the gold's basis), examples, key events found,
    key events) over the sets' articles, extracted in process as production extracts them."""
    from pipelines.core.extract import extract_document

    counts: Counter = Counter()
    examples: list[tuple] = []
    found_keys = keys = 0
    for name in sets:
        gold_path = HERE / f"{name}.jsonl"
        golds = {g["doc_id"]: g for g in map(json.loads, gold_path.open(encoding="utf-8"))}
        for doc in gold_documents(gold_path, corpus):
            events = extract_document(doc).events
            for gold in golds[doc.doc_id]["events"]:
                if gold["importance"] != "key":
                    continue
                keys += 1
                spans = evidence_spans(doc.text, gold)
                found = [Predicted(e.earliest and e.earliest.isoformat(), e.latest and e.latest.isoformat(),
                                   e.date_basis, e.time_text, e.headline)
                         for e in events if any(e.char_start < b and a < e.char_end for a, b in spans)]
                if not found:
                    continue
                found_keys += 1
                if (kind := disagreement(gold, found)) is not None:
                    counts[(kind, found[0].basis, gold["basis"])] += 1
                    examples.append((name, doc.doc_id, doc.published_at and doc.published_at.date().isoformat(),
                                     kind, gold["evidence"], gold["earliest"], gold["latest"],
                                     found[0].earliest, found[0].latest, found[0].time_text))
    return counts, examples, found_keys, keys


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sets", default=",".join(TUNING), help="comma list of tuning sets (default: all of them)")
    ap.add_argument("--show", type=int, default=0, help="print this many examples, drawn with a fixed seed")
    args = ap.parse_args()
    sets = [s for s in args.sets.split(",") if s]
    if held := [s for s in sets if s in HELD_OUT or s not in TUNING + EXAMINED]:
        raise SystemExit(f"not tuning sets: {', '.join(held)} (the held-out sets are never examined for tuning)")
    counts, examples, found, keys = misdated(sets)
    wrong = sum(counts.values())
    print(f"{len(sets)} sets: {keys} key events, {found} found, {found - wrong} dated right, {wrong} misdated")
    print("| misdated | our basis | the gold's basis | key events |\n|---|---|---|---:|")
    for (kind, ours, theirs), n in counts.most_common():
        print(f"| {kind} | {ours} | {theirs} | {n} |")
    for row in random.Random(0).sample(examples, min(args.show, len(examples))):
        print(" | ".join(str(x) for x in row))


if __name__ == "__main__":
    main()
