"""The blind-annotation kit of a drawn gold set, and the merge of what its annotators wrote.

    python -m bench.events_gold.kit make dev71 /tmp/ann_dev71     # after sample.py drew dev71
    (one annotator session per batch: "Read /tmp/ann_dev71/PROMPT.md and follow it exactly. Your batch: N = 1.")
    python -m bench.events_gold.kit merge dev71 /tmp/ann_dev71    # -> bench/events_gold/dev71.jsonl

`make` writes, outside the repository (the texts are CC BY-NC-SA and must not be
committed): the annotation guide, the set's articles in batches of fifteen (every fourth
article of the drawn order, so each batch mixes the genres), the annotators' instructions
and `check.py`, the guide's checks, which an annotator runs on their own output. The
annotators are told to read nothing else, so they never see an extractor's output.
`merge` checks every batch again and writes the gold in the drawn order; nothing in it is
edited by hand.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

from bench.corpus import CORPUS, lines_by_id
from bench.events_gold.checks import problems
from bench.events_gold.evaluate import HERE, SHARED_EVAL

BATCHES = 4


def drawn_ids(name: str, golds: Path = HERE) -> list[str]:
    """The set's doc_ids in the order sample.py drew them."""
    lines = (golds / f"{name}_sample.tsv").read_text(encoding="utf-8").splitlines()
    return [line.split("\t")[0] for line in lines[1:] if line.strip()]


def _articles(ids: list[str], corpus: Path) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for doc_id, line in lines_by_id(set(ids), corpus).items():
        record = json.loads(line)
        # the scorer reads the content with its line ends normalized, so the annotators do too
        content = record["content"].replace("\r\n", "\n").replace("\r", "\n")
        found[doc_id] = {"doc_id": doc_id, "published_at": record["published_at"],
                         "title": record.get("title") or "", "content": content}
    return found


def _batch(ids: list[str], k: int) -> list[str]:
    return ids[k - 1::BATCHES]


_CHECK = '''"""python3 check.py N: the guide's checks on outN.jsonl (prints OK or what to fix)."""
import json, sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from checks import problems

k = sys.argv[1]
articles = {a["doc_id"]: a for a in map(json.loads, open(f"batch{k}.jsonl", encoding="utf-8"))}
annotated = [json.loads(line) for line in open(f"out{k}.jsonl", encoding="utf-8") if line.strip()]
found = problems(articles, annotated)
print("\\n".join(found) if found else f"OK: {len(annotated)} articles")
'''

_PROMPT = """# Blind annotation task

You are an analyst building a hand-checked chronology gold set of Chinese news articles.
Work ONLY inside the folder {kit}. Do NOT read, list or search anything else (no project
folder, no other kit), and do not run any event or time extractor: the annotation must be
blind, made without seeing any system's output. Use only your own reading.

1. Read {kit}/ANNOTATION.md carefully: it is the guide. Follow it exactly.
2. Your batch is the N given in the message. Its articles are in {kit}/batchN.txt (to read)
   and {kit}/batchN.jsonl (the same, one JSON object per line): {per} articles.
3. For every article, list every event the guide asks for (typically 3-10 per article), with
   the fields `what`, `evidence` (an EXACT substring of the article's `content`, 8-40
   characters, copied character for character), optional `also_evidence`, `earliest`,
   `latest` (YYYY-MM-DD), optional `accept_earliest` / `accept_latest`, `basis`
   (explicit / inherited / bounded), `importance` (key / minor), optional `note`.
   Resolve relative times (今天, 昨天, 上周, 今年 ...) against the article's published_at.
4. Write {kit}/outN.jsonl: one line per article, in the batch's order:
   {{"doc_id": ..., "published_at": (copied exactly), "events": [...], "article_note": "..."}}
   Write it with a small Python script (json.dumps(..., ensure_ascii=False)) so that the
   Chinese text is copied exactly; take evidence strings by slicing or copying the content.
5. Run `cd {kit} && python3 check.py N` and fix every problem it reports until it prints OK.
6. Reply with one line: "batch N done: A articles, E events (K key)".
"""


def make(name: str, kit: Path, corpus: Path = CORPUS, guide: Path = SHARED_EVAL / "ANNOTATION.md",
         golds: Path = HERE) -> int:
    """Write the kit of set `name` into `kit`; returns the number of batches."""
    ids = drawn_ids(name, golds)
    articles = _articles(ids, corpus)
    kit.mkdir(parents=True, exist_ok=True)
    shutil.copy(guide, kit / "ANNOTATION.md")
    shutil.copy(Path(__file__).with_name("checks.py"), kit / "checks.py")  # what check.py runs
    (kit / "check.py").write_text(_CHECK, encoding="utf-8")
    for k in range(1, BATCHES + 1):
        batch = [articles[i] for i in _batch(ids, k)]
        with (kit / f"batch{k}.jsonl").open("w", encoding="utf-8") as out:
            out.writelines(json.dumps(a, ensure_ascii=False) + "\n" for a in batch)
        with (kit / f"batch{k}.txt").open("w", encoding="utf-8") as out:
            out.writelines(f"==== doc_id: {a['doc_id']}\npublished_at: {a['published_at']}\ntitle: {a['title']}\n"
                           f"---- content:\n{a['content']}\n\n" for a in batch)
    per = len(_batch(ids, 1))
    (kit / "PROMPT.md").write_text(_PROMPT.format(kit=kit, per=per), encoding="utf-8")
    return BATCHES


def merge(name: str, kit: Path, golds: Path = HERE) -> Path:
    """The annotators' batches, checked again, as the gold `name`.jsonl in the drawn order."""
    ids = drawn_ids(name, golds)
    annotated: dict[str, dict] = {}
    for k in range(1, BATCHES + 1):
        articles = {a["doc_id"]: a for a in map(json.loads, (kit / f"batch{k}.jsonl").open(encoding="utf-8"))}
        records = [json.loads(line) for line in (kit / f"out{k}.jsonl").open(encoding="utf-8") if line.strip()]
        if found := problems(articles, records):
            raise SystemExit(f"batch {k}: " + "; ".join(found[:5]))
        annotated.update((r["doc_id"], r) for r in records)
    target = golds / f"{name}.jsonl"
    with target.open("w", encoding="utf-8") as out:
        out.writelines(json.dumps(annotated[i], ensure_ascii=False) + "\n" for i in ids)
    return target


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("action", choices=("make", "merge"))
    ap.add_argument("name", help="the drawn set, e.g. dev71 (its _sample.tsv must exist)")
    ap.add_argument("kit", type=Path, help="the kit's folder, outside the repository")
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    args = ap.parse_args()
    if args.action == "make":
        n = make(args.name, args.kit.resolve(), args.corpus)
        print(f"{args.kit}: {n} batches; give each to an annotator session: "
              f"\"Read {args.kit.resolve()}/PROMPT.md and follow it exactly. Your batch: N = k.\"")
    else:
        target = merge(args.name, args.kit)
        records = [json.loads(line) for line in target.open(encoding="utf-8")]
        events = [e for r in records for e in r["events"]]
        print(f"{target}: {len(records)} articles, {len(events)} events "
              f"({sum(e['importance'] == 'key' for e in events)} key)")


if __name__ == "__main__":
    main()
