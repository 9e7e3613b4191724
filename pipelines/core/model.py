"""The records the language core produces. Plain dataclasses, no Dagster, no DuckDB.

Offsets are character offsets (end exclusive) into `Document.text`, the decoded article
with newlines normalized to "\\n". Every table in the warehouse uses the same offsets.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime

TIME_TYPES = ("DATE", "TIME", "DURATION", "SET")
DATE_BASES = ("explicit", "inherited", "bounded")


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass(frozen=True, slots=True)
class TimeMention:
    """One time expression found in a text, normalized against a reference time."""

    text: str
    start: int
    end: int
    type: str  # DATE, TIME, DURATION or SET
    value: str  # TIMEX3-style: 2020-05, 2020-07-17, 2016/2020, P3Y, P1M, 2020-12-16T10:38:18
    earliest: date | None  # first calendar day it can denote; None for DURATION and SET
    latest: date | None  # last calendar day it can denote
    granularity: str = "day"  # year, half, quarter, season, month, tenday, week, day, time, ...
    vague: bool = False  # 近日, 日前, 年初: bounds are honest but wide
    rule: str = ""  # which rule matched, so a wrong value can be traced

    def to_json(self) -> dict:
        """The `timeline extract` contract: text, start, end, type, value, earliest, latest."""
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "type": self.type,
            "value": self.value,
            "earliest": _iso(self.earliest),
            "latest": _iso(self.latest),
            "granularity": self.granularity,
            "vague": self.vague,
            "rule": self.rule,
        }


@dataclass(frozen=True, slots=True)
class Event:
    """Something the article reports as happening, with its evidence and date bounds."""

    event_type: str  # meeting, campaign, conference, emergency, evacuation, training, ...
    label_zh: str  # Chinese label of the type, e.g. 會議
    headline: str  # short, in the article's script
    trigger: str  # the predicate that fired, e.g. 召開
    evidence: str  # the sentence, exactly Document.text[char_start:char_end]
    char_start: int
    char_end: int
    earliest: date | None
    latest: date | None
    granularity: str  # day, month, year, ...
    date_basis: str  # explicit, inherited or bounded
    time_text: str | None = None  # the expression that dates it (or the anchor it inherited)
    time_start: int | None = None  # offsets of that expression in Document.text
    time_end: int | None = None
    place: str | None = None  # e.g. 筠連縣豐樂鄉龍塘村
    actors: tuple[str, ...] = ()
    session: dict | None = None  # {"congress": 13, "plenum": 9} for 十三屆九次全會
    is_routine: bool = False  # recurrences and durations: never a point on the timeline
    merge_key: str = ""  # events of several articles with the same key and overlapping dates merge
    modality: str = "reported"  # reported (it happened) or planned (announced: 將於, 計劃)

    def to_json(self) -> dict:
        # field by field, not dataclasses.asdict: its recursive deep copy was two thirds of
        # the time of appending a run's facts to the log
        row = {f: getattr(self, f) for f in _EVENT_FIELDS}
        row["earliest"] = _iso(self.earliest)
        row["latest"] = _iso(self.latest)
        row["actors"] = list(self.actors)
        row["session"] = dict(self.session) if self.session is not None else None
        return row


_EVENT_FIELDS = tuple(f.name for f in fields(Event))


@dataclass(slots=True)
class Document:
    """A decoded article: header fields, full text and where the body starts."""

    doc_id: str
    path: str
    text: str  # the whole decoded article, newlines normalized
    content_hash: str  # sha256 of `text`
    title: str | None = None
    source: str | None = None
    published_at: datetime | None = None
    editor: str | None = None
    authors: tuple[str, ...] = ()
    body_start: int = 0  # offset in `text` where the body (after title and header) begins
    encoding: str = "utf-8"
    script: str = "simplified"  # or traditional
    flags: tuple[str, ...] = field(default_factory=tuple)  # e.g. no_publication_time
    line: int | None = None  # its line in a JSONL dump, so a refusal of it can name the line

    @property
    def ref(self) -> DocRef:
        return DocRef(self.doc_id, self.path, self.line, self.content_hash)


@dataclass(frozen=True, slots=True)
class DocRef:
    """Which document, where, in which version: what a run plans with. The text is read
    again when the document is extracted, so a run never holds every article at once."""

    doc_id: str
    path: str
    line: int | None  # in a JSONL dump; None for an article file
    content_hash: str


@dataclass(frozen=True, slots=True)
class Rejection:
    """A file or dump line that was quarantined instead of ingested."""

    path: str
    reason: str
    content_hash: str | None = None
    doc_id: str | None = None
