"""How far two blind annotations of the same articles agree: the ceiling of the event scores.

    python -m bench.events_gold.agreement dev29 dev29b    # A and B: two golds of one sample

Each annotation is scored as if it were a system against the other, by the shared scorer
(`../shared/eval/events/score.py`): every event of B (key or minor) at its first evidence
span, with its dates, against A, and A against B. The key recall of B against A is the
share of A's key events the other annotator also reported; their precision, the share of
one's events the other also has. A system cannot be expected to agree with a gold more
than a second annotator following the same guide does.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from bench.corpus import CORPUS
from bench.events_gold.evaluate import HERE, render, score, write_articles

# The second blind annotations, and the gold whose articles each annotates again.
SECOND_ANNOTATIONS = {"dev29b": "dev29", "dev30b": "dev30"}


def as_predictions(gold: Path, articles: Path, target: Path) -> None:
    """A gold's events as a peer's predictions: their first evidence span and dates."""
    content = {}
    for line in articles.open(encoding="utf-8"):
        record = json.loads(line)
        # the scorer's offsets are into the text with its line ends normalized
        content[record["doc_id"]] = record["content"].replace("\r\n", "\n").replace("\r", "\n")
    with target.open("w", encoding="utf-8") as out:
        for line in gold.open(encoding="utf-8"):
            annotated = json.loads(line)
            text = content[annotated["doc_id"]]
            for event in annotated["events"]:
                start = text.find(event["evidence"])
                if start >= 0:
                    out.write(json.dumps({"doc_id": annotated["doc_id"], "char_start": start,
                                          "char_end": start + len(event["evidence"]),
                                          "earliest": event["earliest"], "latest": event["latest"]},
                                         ensure_ascii=False) + "\n")


def agreement(first: Path, second: Path, corpus: Path = CORPUS) -> list[tuple[str, dict]]:
    """[(which annotation against which, score.py's figures)] for two golds of one sample."""
    ids = [json.loads(line)["doc_id"] for line in first.open(encoding="utf-8") if line.strip()]
    others = {json.loads(line)["doc_id"] for line in second.open(encoding="utf-8") if line.strip()}
    if set(ids) != others:
        raise SystemExit(f"{first.name} and {second.name} annotate different articles")
    rows = []
    with tempfile.TemporaryDirectory(prefix="events-agreement-") as tmp:
        articles = Path(tmp) / "articles.jsonl"
        write_articles(first, corpus, articles)
        for gold, annotation in ((first, second), (second, first)):
            predicted = Path(tmp) / f"{annotation.stem}.jsonl"
            as_predictions(annotation, articles, predicted)
            rows.append((f"annotation {annotation.stem} against {gold.stem}", score(gold, articles, predicted)))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("first", help="a gold's name in bench/events_gold (dev29)")
    ap.add_argument("second", help="a second annotation of the same articles (dev29b)")
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    args = ap.parse_args()
    rows = agreement(HERE / f"{args.first}.jsonl", HERE / f"{args.second}.jsonl", args.corpus)
    # each row has its own gold: the table's header names the first's size only
    print("\n".join(render(rows)[2:]))
    for name, figures in rows:
        print(f"{name}: gold of {figures['key_events']} key / {figures['all_events']} events")


if __name__ == "__main__":
    main()
