"""Header parsing as data: tests/robustness/data/headers.json, one runner per section."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from pipelines.core.model import Document, Rejection
from pipelines.core.reading import parse_article, parse_header_line, parse_publication_time

CASES = json.loads((Path(__file__).parent / "data" / "headers.json").read_text("utf-8"))


@pytest.mark.parametrize("case", CASES["header_lines"], ids=lambda c: c["line"][:24] or "empty")
def test_header_line(case):
    assert parse_header_line(case["line"]) == case["fields"]


@pytest.mark.parametrize("case", CASES["publication_times"], ids=lambda c: c["raw"] or "empty")
def test_publication_time(case):
    expected = datetime.fromisoformat(case["expected"]) if case["expected"] else None
    assert parse_publication_time(case["raw"]) == expected


def _field(doc: Document, name: str):
    if name == "published_at":
        return doc.published_at.isoformat() if doc.published_at else None
    if name in ("authors", "flags"):
        return list(getattr(doc, name))
    if name == "body":
        return doc.text[doc.body_start:]
    return getattr(doc, name)


@pytest.mark.parametrize("case", CASES["articles"], ids=lambda c: c["name"])
def test_article(case):
    result = parse_article(case["text"], doc_id="a.txt", path="a.txt")
    if "reject" in case:
        assert isinstance(result, Rejection), result
        assert case["reject"] in result.reason
        return
    assert isinstance(result, Document), result
    got = {name: _field(result, name) for name in case["expect"]}
    assert got == case["expect"]
    # the body offset lands on text, so evidence offsets never point into the header
    assert result.text[result.body_start:].strip() == result.text[result.body_start:].rstrip()
