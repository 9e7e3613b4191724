"""Two annotations of one article scored against each other (bench/events_gold/agreement.py)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from bench.events_gold.agreement import agreement
from bench.events_gold.evaluate import SHARED_EVAL

pytestmark = pytest.mark.skipif(not (SHARED_EVAL / "score.py").exists(), reason="needs ../shared/eval/events/score.py")

TEXT = "本报讯\r\n3月2日，县政府召开防汛会议。次日，县里发布暴雨预警。4日，村民撤离。"


def _event(evidence: str, day: str, importance: str) -> dict:
    return {"what": evidence, "evidence": evidence, "earliest": day, "latest": day, "basis": "explicit",
            "importance": importance}


def _write(path: Path, events: list[dict]) -> Path:
    path.write_text(json.dumps({"doc_id": "a1", "published_at": "2024-03-05T08:00:00", "events": events},
                               ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def test_each_annotation_is_scored_against_the_other(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl.gz"
    with gzip.open(corpus, "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"doc_id": "a1", "title": "t", "content": TEXT}, ensure_ascii=False) + "\n")
    first = _write(tmp_path / "a.jsonl", [_event("县政府召开防汛会议", "2024-03-02", "key"),
                                          _event("县里发布暴雨预警", "2024-03-03", "key"),
                                          _event("村民撤离", "2024-03-04", "minor")])
    # the second annotator missed the warning and dated the evacuation a day off
    second = _write(tmp_path / "b.jsonl", [_event("县政府召开防汛会议", "2024-03-02", "key"),
                                           _event("村民撤离", "2024-03-05", "key")])
    (b_on_a, b_figures), (a_on_b, a_figures) = agreement(first, second, corpus)
    assert (b_on_a, a_on_b) == ("annotation b against a", "annotation a against b")
    # offsets past the CRLF are the scorer's (line ends normalized): every span is found
    assert b_figures["key_recall"] == pytest.approx(1 / 2)
    assert b_figures["precision"] == pytest.approx(1.0)
    assert a_figures["key_recall"] == pytest.approx(1.0)
    assert a_figures["key_dated"] == pytest.approx(1 / 2)
    assert a_figures["precision"] == pytest.approx(2 / 3)
