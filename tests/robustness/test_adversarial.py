"""Bounded time on adversarial text: the rows of data/adversarial.tsv.

The issue asks for a bound: each text (a million of one character, one expression
repeated a hundred thousand times, megabytes without punctuation) is extracted, time
mentions and events, in at most 15 s of CPU on this machine. CPU time, not wall time,
so other work on a shared machine does not decide the outcome.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import pytest

from pipelines.core.datatables import read_rows
from pipelines.core.extract import extract_document
from pipelines.core.model import Document

ROWS = read_rows(Path(__file__).parent / "data" / "adversarial.tsv")
BUDGET_CPU_SECONDS = 15.0


@pytest.mark.parametrize(("unit", "repeats", "why"), ROWS, ids=[f"{r[0]}x{r[1]}" for r in ROWS])
def test_extraction_is_bounded(unit, repeats, why):
    text = unit * int(repeats)
    doc = Document("adversarial", "adversarial.txt", text, "h", published_at=datetime(2020, 12, 16))
    extract_document(Document("warm", "w.txt", "2020年5月1日召开会议。", "h"))  # tables and jieba loaded
    start = time.process_time()
    found = extract_document(doc)
    spent = time.process_time() - start
    assert found.error is None, found.error
    assert spent <= BUDGET_CPU_SECONDS, f"{why}: {spent:.1f} s"
    for m in found.mentions:  # what is reported is the original text, wherever it was found
        assert text[m.start:m.end] == m.text
