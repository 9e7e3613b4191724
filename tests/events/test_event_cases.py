"""One runner for tests/events/cases.jsonl: each line an article and the events expected.

Time mentions come from the project's time tagger, so a case checks the whole chain of the
rules. The cases check the rules' events (`candidate_events`), before the learned sentence
filter: a case is a sentence or two, which that model, judging a sentence within its article,
never sees in production (test_salience.py tests the filter).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.core.events import candidate_events, extract_events
from pipelines.core.model import Document

CASES = Path(__file__).with_name("cases.jsonl")


def make_doc(text: str, published_at: str | None, doc_id: str = "case", title: str | None = None) -> Document:
    return Document(doc_id=doc_id, path=doc_id, text=text, content_hash="", title=title,
                    published_at=datetime.fromisoformat(published_at) if published_at else None)


def mentions_for(doc: Document) -> list:
    try:
        from pipelines.core.timex import extract_times
    except ImportError:  # the tagger is optional here: explicit cases then fail loudly
        return []
    return extract_times(doc.text, doc.published_at)


def run(text: str, published_at: str | None, title: str | None = None) -> list:
    doc = make_doc(text, published_at, title=title)
    return candidate_events(doc, mentions_for(doc))


def _load() -> list:
    out = []
    for no, line in enumerate(CASES.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip() and not line.startswith("#"):
            case = json.loads(line)
            out.append(pytest.param(case, id=case.get("id", str(no))))
    return out


def _check(ev, exp: dict) -> None:
    row = ev.to_json()
    for key, want in exp.items():
        if key == "place_contains":
            assert want in (ev.place or ""), (key, row)
        elif key == "actors":
            assert all(a in ev.actors for a in want), (key, row)
        else:
            assert row[key] == want, (key, row)


@pytest.mark.parametrize("case", _load())
def test_case(case: dict) -> None:
    events = run(case["text"], case["published_at"], case.get("title"))
    expect = case["expect"]
    expect = expect if isinstance(expect, list) else [expect]
    assert len(events) == len(expect), [e.to_json() for e in events]
    for ev, exp in zip(events, expect, strict=True):
        _check(ev, exp)
        assert case["text"][ev.char_start:ev.char_end] == ev.evidence


def test_every_type_in_both_scripts() -> None:
    from pipelines.core.events.tables import tables

    seen: dict[str, set[str]] = {}
    for param in _load():
        case = param.values[0]
        exp = case["expect"] if isinstance(case["expect"], list) else [case["expect"]]
        script = "hant" if "-hant" in case["id"] else "hans"
        for e in exp:
            seen.setdefault(e["event_type"], set()).add(script)
    missing = [t for t in tables().labels if seen.get(t, set()) != {"hans", "hant"}]
    # evacuation-by-transfer and campaign have Simplified-only variants; the rest need both
    assert not missing, missing


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(list("召开举行发生转移避险在县乡村委，。、“”\n5月日年以来每")), max_size=80),
       st.integers(min_value=-5, max_value=100))
def test_never_raises(text: str, body_start: int) -> None:
    doc = make_doc(text, None)
    doc.body_start = body_start
    for ev in extract_events(doc, mentions_for(doc)):
        assert text[ev.char_start:ev.char_end] == ev.evidence


def test_empty_inputs() -> None:
    assert extract_events(make_doc("", None), []) == []
    assert extract_events(make_doc("召开", None), []) != None  # noqa: E711
