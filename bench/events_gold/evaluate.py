"""Score the event extractor on the development gold, beside the sentence baseline.

    python -m bench.events_gold.evaluate            # timeline run into a scratch warehouse
    python -m bench.events_gold.evaluate --fast     # in process, no warehouse (the inner loop)
    python -m bench.events_gold.evaluate --show 20  # also print the key events missed

The gold (`dev.jsonl`) holds doc_ids and annotations only; the article texts are read
from the shared corpus (CC BY-NC-SA) into a scratch dump. Both systems are scored by
`../shared/eval/events/score.py` (the shared event scorer) in the same run. The baseline needs
jionlp (`pip install -e '.[bench]'`); without it its row says so.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.corpus import CORPUS, lines_by_id

HERE = Path(__file__).parent
# The shared scorer and peer baseline, run where they are (the corpus is read from
# ../shared too): no copy of them to drift.
SHARED_EVAL = CORPUS.parent.parent / "eval" / "events"
GOLD = HERE / "dev.jsonl"
COLUMNS = ("key_recall", "key_dated", "precision", "date_precision", "all_recall", "all_dated")


def write_articles(gold: Path, corpus: Path, target: Path) -> int:
    wanted = {json.loads(line)["doc_id"] for line in gold.open(encoding="utf-8") if line.strip()}
    lines = lines_by_id(wanted, corpus)
    target.write_text("".join(lines.values()), encoding="utf-8")
    return len(lines)


def gold_documents(gold: Path, corpus: Path = CORPUS) -> Iterator[Any]:
    """The gold's articles as the pipeline reads them (`Document`s, via a scratch dump of
    their corpus lines), for tools that extract them in process."""
    from pipelines.core.model import Document
    from pipelines.core.reading import iter_dump

    with tempfile.TemporaryDirectory(prefix="gold-") as tmp:
        articles = Path(tmp) / "articles.jsonl"
        write_articles(gold, corpus, articles)
        for item in iter_dump(articles, articles.parent):
            if not isinstance(item, Document):
                raise SystemExit(f"{gold.name}: {item.reason}")
            yield item


def events_in_process(articles: Path, target: Path) -> None:
    """The production extractor (`extract_document`) over the dump, as peer JSONL."""
    from pipelines.core.extract import extract_document
    from pipelines.core.model import Document
    from pipelines.core.reading import iter_dump

    with target.open("w", encoding="utf-8") as out:
        for item in iter_dump(articles, articles.parent):
            if not isinstance(item, Document):
                raise SystemExit(f"{articles}: {item.reason}")
            for e in extract_document(item).events:
                out.write(json.dumps({"doc_id": item.doc_id, "char_start": e.char_start, "char_end": e.char_end,
                                      "earliest": e.earliest and e.earliest.isoformat(),
                                      "latest": e.latest and e.latest.isoformat(), "headline": e.headline},
                                     ensure_ascii=False) + "\n")


def score(gold: Path, articles: Path, predicted: Path, show: int = 0) -> dict:
    cmd = [sys.executable, str(SHARED_EVAL / "score.py"), str(gold), str(articles), str(predicted), "--json"]
    if show:
        cmd += ["--show", str(show)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip().splitlines()
    for line in out[:-1]:
        print("  miss:", line)
    return json.loads(out[-1])


def evaluate(gold: Path = GOLD, corpus: Path = CORPUS, fast: bool = False, baseline: bool = True,
             show: int = 0) -> list[tuple[str, dict | str]]:
    """Both systems' scores on the gold: [(name, score.py's figures or why it did not run)]."""
    rows: list[tuple[str, dict | str]] = []
    with tempfile.TemporaryDirectory(prefix="events-gold-") as tmp:
        tmp_path = Path(tmp)
        seeds = tmp_path / "seeds"
        seeds.mkdir()
        articles = seeds / "gold_articles.jsonl"
        write_articles(gold, corpus, articles)
        if fast:
            predicted = tmp_path / "events.jsonl"
            events_in_process(articles, predicted)
        else:
            predicted = tmp_path / "timeline.duckdb"
            subprocess.run([str(Path(sys.executable).with_name("timeline")), "run", "--seeds", str(seeds),
                            "--db", str(predicted), "--no-show"], check=True, capture_output=True)
        rows.append(("this project", score(gold, articles, predicted, show)))
        if baseline:
            peer = tmp_path / "baseline.jsonl"
            with peer.open("w", encoding="utf-8") as out:
                proc = subprocess.run([sys.executable, str(SHARED_EVAL / "sentence_baseline.py"), str(articles)],
                                      stdout=out, stderr=subprocess.PIPE, text=True)
            rows.append(("sentence baseline (JioNLP)", score(gold, articles, peer) if proc.returncode == 0
                         else f"not run: {proc.stderr.strip().splitlines()[-1:]}"))
    return rows


def render(rows: list[tuple[str, dict | str]]) -> list[str]:
    """The scores as a Markdown table, with the gold's size above it."""
    first = next((r for _, r in rows if isinstance(r, dict)), None)
    md = [] if first is None else [f"Gold: {first['articles']} articles, {first['key_events']} key / "
                                   f"{first['all_events']} events.", ""]
    md.append("| system | predicted | " + " | ".join(c.replace("_", " ") for c in COLUMNS) + " |")
    md.append("|---|---:|" + "---:|" * len(COLUMNS))
    for name, r in rows:
        if isinstance(r, str):
            md.append(f"| {name} | {r} |")
        else:
            md.append(f"| {name} | {r['predicted']} | " + " | ".join(f"{r[c]:.3f}" for c in COLUMNS) + " |")
    return md


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gold", type=Path, default=GOLD)
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--fast", action="store_true", help="extract in process instead of `timeline run`")
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--show", type=int, default=0, help="print this many missed key events")
    args = ap.parse_args()
    rows = evaluate(args.gold, args.corpus, args.fast, not args.no_baseline, args.show)
    print("\n".join(render(rows)))


if __name__ == "__main__":
    main()
