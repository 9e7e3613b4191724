"""The blind-annotation kit (bench/events_gold/kit.py): what its checker refuses, and a kit
made, annotated and merged back into a gold in the drawn order."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.events_gold.checks import problems
from bench.events_gold.kit import BATCHES, make, merge

ARTICLE = {"doc_id": "a1", "published_at": "2024-03-07T10:00:00", "title": "某县山体滑坡",
           "content": "3月5日凌晨，某县某镇发生山体滑坡，12名村民被困。\n截至6日晚，已有10人获救。"}
EVENT = {"what": "某镇发生山体滑坡", "evidence": "3月5日凌晨，某县某镇发生山体滑坡", "earliest": "2024-03-05",
         "latest": "2024-03-05", "basis": "explicit", "importance": "key"}


def _record(**event_changes: object) -> dict:
    return {"doc_id": "a1", "published_at": ARTICLE["published_at"], "events": [{**EVENT, **event_changes}]}


@pytest.mark.parametrize(("changes", "expected"), [
    ({}, None),
    ({"evidence": "3月5日凌晨,某县"}, "not an exact substring"),
    ({"also_evidence": ["已有10人获救了"]}, "not an exact substring"),
    ({"earliest": "2024-03-06"}, "earliest is after latest"),
    ({"latest": "2024-3-5x"}, "does not parse"),
    ({"accept_earliest": ["March"]}, "does not parse"),
    ({"basis": "stated"}, "basis must be"),
    ({"importance": "major"}, "importance must be"),
])
def test_the_checker_names_what_breaks_the_guide(changes: dict, expected: str | None) -> None:
    found = problems({"a1": ARTICLE}, [_record(**changes)])
    assert found == [] if expected is None else any(expected in line for line in found), found


def test_the_checker_wants_every_article_once_with_its_publication_time() -> None:
    assert problems({"a1": ARTICLE, "a2": {**ARTICLE, "doc_id": "a2"}}, [_record()]) == ["missing article a2"]
    assert any("annotated twice" in p for p in problems({"a1": ARTICLE}, [_record(), _record()]))
    assert any("published_at" in p for p in problems({"a1": ARTICLE}, [{**_record(), "published_at": "2024-03-08"}]))
    assert any("unknown doc_id" in p for p in problems({"a1": ARTICLE}, [_record(), {**_record(), "doc_id": "zz"}]))
    event = dict(EVENT)
    del event["what"]
    assert problems({"a1": ARTICLE}, [{**_record(), "events": [event]}]) == ["a1 event 0: missing what"]


def test_a_kit_is_made_annotated_and_merged_in_the_drawn_order(tmp_path: Path) -> None:
    ids = [f"d{i}" for i in range(9)]
    drawn = list(reversed(ids))  # the drawn order is not the corpus's
    corpus = tmp_path / "corpus.jsonl.gz"
    with gzip.open(corpus, "wt", encoding="utf-8") as out:
        for doc_id in [*ids, "other"]:
            out.write(json.dumps({**ARTICLE, "doc_id": doc_id, "content": ARTICLE["content"].replace("\n", "\r\n")},
                                 ensure_ascii=False) + "\n")
    golds = tmp_path / "golds"
    golds.mkdir()
    (golds / "devX_sample.tsv").write_text("doc_id\tgenre\n" + "".join(f"{d}\tsociety\n" for d in drawn))
    guide = tmp_path / "ANNOTATION.md"
    guide.write_text("# the guide\n")
    kit = tmp_path / "kit"
    assert make("devX", kit, corpus, guide, golds) == BATCHES
    batches = [[json.loads(line) for line in (kit / f"batch{k}.jsonl").open(encoding="utf-8")]
               for k in range(1, BATCHES + 1)]
    assert [a["doc_id"] for a in batches[0]] == drawn[0::BATCHES]
    assert sorted(a["doc_id"] for b in batches for a in b) == sorted(ids)
    assert "\r" not in batches[0][0]["content"]  # line ends as the scorer reads them
    assert (kit / "ANNOTATION.md").read_text() == "# the guide\n"
    for k, batch in enumerate(batches, 1):
        with (kit / f"out{k}.jsonl").open("w", encoding="utf-8") as out:
            out.writelines(json.dumps({**_record(), "doc_id": a["doc_id"]}, ensure_ascii=False) + "\n" for a in batch)
    # the annotator's checker runs in the kit with nothing of the project beside it
    checked = subprocess.run([sys.executable, "-I", "check.py", "1"], cwd=kit, capture_output=True, text=True)
    assert checked.stdout.strip() == f"OK: {len(batches[0])} articles", checked.stderr
    gold = merge("devX", kit, golds)
    assert [json.loads(line)["doc_id"] for line in gold.open(encoding="utf-8")] == drawn
    with (kit / "out2.jsonl").open("a", encoding="utf-8") as out:
        out.write(json.dumps({**_record(evidence="不在文中的证据"), "doc_id": batches[1][0]["doc_id"]},
                             ensure_ascii=False) + "\n")
    with pytest.raises(SystemExit, match="batch 2: .*annotated twice.*not an exact substring"):
        merge("devX", kit, golds)
