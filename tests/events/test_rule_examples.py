"""Every row of the event tables carries an example, and the examples are run (HeidelTime's
`// EXAMPLE` habit): a trigger's example holds the trigger and reports an event; a
non-event pattern's example matches it; a block's example holds its trigger; a sentence of
argument (modality.tsv) reports no undated act; a speech verb of modality.tsv opens its quotation;
a negation's example holds it before an act; a concession's example reports its act only
without the concession; a performative's example reports its act on the publication day."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from pipelines.core.datatables import read_rows
from pipelines.core.events import candidate_events
from pipelines.core.events.tables import DATA, _simp, tables
from pipelines.core.model import Document
from pipelines.core.timex import extract_times

PUBLISHED = datetime(2023, 6, 1, 12)


def _example(row: list[str], column: int) -> str:
    """The example of a row: its column up to an explanation after ': '."""
    return re.split(r":\s", row[column] if len(row) > column else "")[0].strip()


def _events(text: str) -> list:
    doc = Document("example", "example", text, "", published_at=PUBLISHED)
    return candidate_events(doc, extract_times(doc.text, doc.published_at))


TRIGGERS = [pytest.param(r, id=r[0]) for r in read_rows(DATA / "triggers.tsv")]


@pytest.mark.parametrize("row", TRIGGERS)
def test_trigger_example_reports_an_event(row: list[str]) -> None:
    trigger, example = _simp(row[0]), _example(row, 3)
    assert example, f"triggers.tsv: {row[0]} has no example"
    assert trigger in _simp(example), f"the example of {row[0]} does not hold it: {example}"
    assert _events(example + "。"), f"the example of {row[0]} reports no event: {example}"


def test_every_type_has_a_trigger() -> None:
    t = tables()
    typed = {etype for etype, _ in t.triggers.values()} | {etype for etype, _ in t.objects.values()}
    assert set(t.labels) - typed == {"occurrence"}


NONEVENT_PATTERNS = [pytest.param(r, id=r[0][:20]) for r in read_rows(DATA / "nonevents.tsv")
                     if r[1] in ("clause", "scope", "counted", "record", "opinion", "named", "told", "topic", "state", "scene", "reaction", "byline", "connective")]


@pytest.mark.parametrize("row", NONEVENT_PATTERNS)
def test_nonevent_pattern_matches_its_example(row: list[str]) -> None:
    assert re.search(_simp(row[0]), _simp(_example(row, 2))), row


NOT_DONE_ACTS = [pytest.param(r, id=r[0][:20]) for r in read_rows(DATA / "nonevents.tsv")
                 if r[1] in ("state", "scene", "reaction")]


@pytest.mark.parametrize("row", NOT_DONE_ACTS)
def test_state_scene_and_reaction_examples_report_no_event(row: list[str]) -> None:
    """已进入收尾阶段, 领结婚证时…已怀孕, 此事曝光后引发热议: what 已 tells reached there is a
    state, and the public's reaction is no development of the story."""
    for example in _example(row, 2).split(", "):
        assert not _events(example + "。"), f"nonevents.tsv {row[0]}: {example} reports an event"


@pytest.mark.parametrize("row", [pytest.param(r, id=f"{r[0]}-{r[2][:12]}") for r in read_rows(DATA / "blocks.tsv")])
def test_block_has_an_example(row: list[str]) -> None:
    assert len(row) > 3 and row[3].strip(), f"blocks.tsv row without an example: {row}"


# Object rows whose example a trigger inside the object still types otherwise (袭击 in 冰雹袭击,
# 声明 as a statement): known gaps, kept failing on purpose so a fix shows here.
OBJECT_GAPS = {"冰雹", "命令", "声明", "保卫战", "联合声明", "退出", "放弃"}
OBJECTS = [pytest.param(r, id=r[0]) for r in read_rows(DATA / "objects.tsv")
           if r[1] != "-" and len(r) > 3 and _example(r, 3)]


@pytest.mark.parametrize("row", OBJECTS)
def test_object_example_reports_an_event_of_its_type(row: list[str]) -> None:
    types = {e.event_type for e in _events("5月3日，" + _example(row, 3) + "。")}
    if row[0] in OBJECT_GAPS:
        assert row[1] not in types, f"{row[0]} now works: take it off OBJECT_GAPS"
    else:
        assert row[1] in types, f"objects.tsv {row[0]}: {_example(row, 3)} gives {sorted(types)}"


ARGUMENTS = [pytest.param(r, id=r[0]) for r in read_rows(DATA / "modality.tsv") if r[1] == "argument"]


@pytest.mark.parametrize("row", ARGUMENTS)
def test_argument_example_opens_on_its_marker_and_reports_no_undated_act(row: list[str]) -> None:
    example = _example(row, 2)
    assert re.match(_simp(row[0]), _simp(example)), f"modality.tsv {row[0]}: {example} does not open on it"
    undated = [e.trigger for e in _events(example + "。") if e.date_basis != "explicit"]
    assert not undated, f"modality.tsv {row[0]}: {example} reports {undated}"


QUOTES = [pytest.param(r, id=r[0]) for r in read_rows(DATA / "modality.tsv") if r[1] == "quote"]


@pytest.mark.parametrize("row", QUOTES)
def test_quote_example_opens_a_quotation_on_its_marker(row: list[str]) -> None:
    example = _simp(_example(row, 2))
    assert re.search(_simp(row[0]) + r"\s*[：:，,]?\s*[“「]", example), f"modality.tsv {row[0]}: {example}"


NEGATIONS = [pytest.param(r, id=r[0]) for r in read_rows(DATA / "modality.tsv") if r[1] == "negation"]


@pytest.mark.parametrize("row", NEGATIONS)
def test_negation_example_holds_its_marker_before_an_act(row: list[str]) -> None:
    example = _simp(_example(row, 2))
    marker = re.search(_simp(row[0]), example)
    assert marker, f"modality.tsv {row[0]}: {example}"
    assert any(h.start() >= marker.end() for h in tables().trigger_lexicon.finditer(example)), \
        f"modality.tsv {row[0]}: no act after the marker in {example}"


CONCESSIONS = [pytest.param(r, id=r[0]) for r in read_rows(DATA / "modality.tsv") if r[1] == "concession"]


@pytest.mark.parametrize("row", CONCESSIONS)
def test_concession_example_reports_its_act_only_without_the_marker(row: list[str]) -> None:
    example = _example(row, 2)
    assert re.match(_simp(row[0]), _simp(example)), f"modality.tsv {row[0]}: {example} does not open on it"
    assert not _events(example + "。"), f"modality.tsv {row[0]}: {example} reports an event"
    assert _events(example[len(row[0]):] + "。"), f"modality.tsv {row[0]}: without it, {example} reports nothing"


PERFORMATIVES = [pytest.param(r, id=r[0]) for r in read_rows(DATA / "modality.tsv") if r[1] == "performative"]


@pytest.mark.parametrize("row", PERFORMATIVES)
def test_performative_example_reports_its_act_on_the_publication_day(row: list[str]) -> None:
    example = _example(row, 2)
    assert re.search(_simp(row[0]), _simp(example)), f"modality.tsv {row[0]}: {example}"
    days = {(e.earliest, e.latest, e.modality) for e in _events(example + "。")}
    assert days == {(PUBLISHED.date(), PUBLISHED.date(), "reported")}, f"modality.tsv {row[0]}: {example} gives {days}"


GOVERNING = [pytest.param(r, id=f"{r[1]}:{r[0]}") for r in read_rows(DATA / "modality.tsv")
             if r[1] in ("governs_before", "governs_after")]


@pytest.mark.parametrize("row", GOVERNING)
def test_governing_example_holds_its_mark_beside_a_time(row: list[str]) -> None:
    example = _simp(_example(row, 2))
    mark = re.compile(_simp(row[0]))
    mentions = extract_times(example, PUBLISHED)
    if row[1] == "governs_before":
        beside = [m for m in mentions if mark.search(example, max(0, m.start - 1), m.start)]
    else:
        beside = [m for m in mentions if mark.match(example, m.end)]
    assert beside, f"modality.tsv {row[0]}: no time in {example} has the mark {row[1].split('_')[1]} it"


DISTRIBUTIVES = [pytest.param(r, id=r[0]) for r in read_rows(DATA / "modality.tsv") if r[1] == "distributive"]


@pytest.mark.parametrize("row", DISTRIBUTIVES)
def test_distributive_example_follows_listed_days(row: list[str]) -> None:
    example = _simp(_example(row, 2))
    days = [m for m in extract_times(example, PUBLISHED) if m.granularity == "day"]
    assert len(days) >= 2, f"modality.tsv {row[0]}: {example} lists no two days"
    assert re.search(_simp(row[0]), example[days[-1].end:]), f"modality.tsv {row[0]}: not after the days in {example}"
