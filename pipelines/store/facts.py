"""Turning a run's documents and extractions into log facts.

Ids are deterministic: a hash of the document identity, what was extracted (without
offsets, so an edit elsewhere in the article does not change them) and the extractor
version. Appending the same facts twice therefore changes nothing, and a diff between
what a document said and what it says now is a set difference of ids.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from pipelines.core.extract import Extraction
from pipelines.core.model import DocRef, Document, Event, Rejection, TimeMention
from pipelines.core.reading import is_dump
from pipelines.store.eventlog import (
    DOC_STATE_COLUMNS,
    FACT_COLUMNS,
    DocState,
    LogState,
    columns_table,
    fact_table,
)
from pipelines.store.fact import Fact, FactKind


def _digest(*parts: object) -> str:
    raw = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:24]


def mention_ids(doc_id: str, version: str, mentions: list[TimeMention]) -> list[str]:
    seen: Counter[tuple] = Counter()
    ids = []
    for m in mentions:
        key = (m.type, m.value, m.text)
        seen[key] += 1
        ids.append("m_" + _digest(doc_id, version, *key, seen[key]))
    return ids


def event_ids(doc_id: str, version: str, events: list[Event]) -> list[str]:
    seen: Counter[tuple] = Counter()
    ids = []
    for e in events:
        key = (e.event_type, e.headline, e.earliest, e.latest, e.place, e.date_basis)
        seen[key] += 1
        ids.append("e_" + _digest(doc_id, version, *key, seen[key]))
    return ids


@dataclass(slots=True)
class LoggedExtraction:
    """An extraction as the log stores it: each mention and event as (entity id, payload
    JSON). Made where the document was extracted (a pool worker), so the run's parent only
    diffs and writes text, and the spool between the steps holds strings, not objects."""

    doc: Document
    mentions: list[tuple[str, str]]
    events: list[tuple[str, str]]
    error: str | None = None


def logged_form(ex: Extraction, version: str) -> LoggedExtraction:
    doc_id = ex.doc.doc_id
    # serialized once, here: the log stores this text (so it is the text a digest sees)
    mentions = [(mid, Fact.payload_of(m.to_json()))
                for mid, m in zip(mention_ids(doc_id, version, ex.mentions), ex.mentions, strict=True)]
    events = [(eid, Fact.payload_of(e.to_json()))
              for eid, e in zip(event_ids(doc_id, version, ex.events), ex.events, strict=True)]
    return LoggedExtraction(ex.doc, mentions, events, ex.error)


def document_payload(doc: Document) -> dict:
    return {
        "path": doc.path,
        "title": doc.title,
        "source": doc.source,
        "published_at": doc.published_at.isoformat() if doc.published_at else None,
        "editor": doc.editor,
        "authors": list(doc.authors),
        "body_start": doc.body_start,
        "encoding": doc.encoding,
        "script": doc.script,
        "flags": list(doc.flags),
        "text": doc.text,
    }


@dataclass(slots=True)
class RunPlan:
    """What a run over some seed paths must do, decided before any extraction."""

    to_extract: list[DocRef] = field(default_factory=list)
    unchanged: int = 0
    rederived: int = 0  # of to_extract: the same content, derived by another extractor version
    facts: list[Fact] = field(default_factory=list)  # rejections, withdrawals, clearances
    rejected: list[Rejection] = field(default_factory=list)


class ScanDocs(Sequence[DocRef]):
    """A scan's documents in scan order, kept as read: lists of `DocRef`s (the dumps and
    files parsed) and the scan records of dumps not read again (pyarrow tables of
    `lineindex.record_schema()`, whose refusal rows are not documents). `plan_run` joins
    the tables with the log's state without making a Python object per document (at 100k
    articles, almost all of a change's documents come from records); reading it as a
    sequence makes the `DocRef`s."""

    __slots__ = ("_all", "parts")

    def __init__(self, parts: Iterable[Any] = ()) -> None:
        self.parts: list[Any] = list(parts)
        self._all: list[DocRef] | None = None

    def add(self, part: Any) -> None:
        """Append a list of `DocRef`s, or a scan record's table."""
        self.parts.append(part)
        self._all = None

    def _refs(self) -> list[DocRef]:
        if self._all is None:
            from pipelines.store.lineindex import docs_of_record

            self._all = [ref for part in self.parts
                         for ref in (part if isinstance(part, list) else docs_of_record(part))]
        return self._all

    def __len__(self) -> int:
        return sum(len(part) if isinstance(part, list) else _record_docs(part) for part in self.parts)

    def __getitem__(self, index: Any) -> Any:
        return self._refs()[index]

    def __iter__(self) -> Iterator[DocRef]:
        return iter(self._refs())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"ScanDocs({len(self)} documents in {len(self.parts)} parts)"


def _record_docs(table: Any) -> int:
    from pipelines.store.lineindex import has_rejections

    if not has_rejections(table):
        return table.num_rows
    return sum(1 for kind in table.column("kind").to_pylist() if kind == "doc")


def _docs_table(docs: Sequence[Any]) -> tuple[Any, dict[int, Any]]:
    """The documents as one table (ord, kind, doc_id, path, line, content_hash; rows of kind
    'doc' are documents), and the objects of the parts given as objects, by ord."""
    import pyarrow as pa

    from pipelines.store.lineindex import record_schema

    parts = docs.parts if isinstance(docs, ScanDocs) else [docs]
    schema = record_schema()
    tables, objects, ord_ = [], {}, 0
    for part in parts:
        if isinstance(part, pa.Table):
            tables.append(part)
            ord_ += part.num_rows
            continue
        if not len(part):
            continue
        objects.update(zip(range(ord_, ord_ + len(part)), part, strict=True))
        ord_ += len(part)
        tables.append(pa.table({
            "kind": pa.array(["doc"] * len(part), pa.string()),
            "doc_id": pa.array([d.doc_id for d in part], pa.string()),
            "path": pa.array([d.path for d in part], pa.string()),
            "line": pa.array([d.line for d in part], pa.int64()),
            "content_hash": pa.array([d.content_hash for d in part], pa.string()),
            "reason": pa.nulls(len(part), pa.string()),
        }, schema=schema))
    table = pa.concat_tables(tables) if tables else schema.empty_table()
    return table.append_column("ord", pa.array(range(table.num_rows), pa.int64())), objects


def plan_run(
    docs: Sequence[DocRef],
    rejections: list[Rejection],
    scope_paths: set[str],
    state: LogState,
    version: str,
) -> RunPlan:
    """Skip unchanged documents by content hash; record rejections and withdrawals.

    `scope_paths` are the seed paths this run looked at: a document of the log whose
    path is in scope but which the run did not see has been deleted and is withdrawn.

    Planned on columns: the scan's documents (`ScanDocs`, or any sequence of `DocRef`s) are
    matched with the log's state (`LogState.doc_table`) by Arrow's hash kernels, and only
    the documents the run must act on become Python objects, not every document of the
    folder and of the log (100k of each at scale: 0.4 s a run as objects; the same
    matching as DuckDB joins of the Arrow tables took 0.15 s, its copies of the strings).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    from pipelines.store.lineindex import has_rejections

    plan = RunPlan()
    table, objects = _docs_table(docs)
    if has_rejections(table):  # a record's refusals are not documents
        table = table.filter(pc.equal(table.column("kind"), "doc"))
    log_docs = state.doc_table if state.doc_table is not None else \
        pa.schema([(c, pa.string()) for c in DOC_STATE_COLUMNS]).empty_table()

    def refs(rows: Any) -> list[Any]:
        cols = rows.select(["ord", "doc_id", "path", "line", "content_hash"]).to_pydict()
        return [objects[o] if o in objects else DocRef(*rest) for o, *rest in zip(*cols.values(), strict=True)]

    seen_paths = set(pc.unique(table.column("path")).to_pylist())
    if pc.count_distinct(table.column("doc_id")).as_py() < table.num_rows:
        # a doc_id read twice in this run: the first one read is ingested, the others refused
        read: set[str] = set()
        later = []  # positions of the copies read after the first
        for i, doc_id in enumerate(table.column("doc_id").to_pylist()):
            if doc_id in read:
                later.append(i)
            read.add(doc_id)
        for doc in refs(table.take(later)):
            where = f"{doc.path}:{doc.line}" if doc.line is not None else doc.path
            plan.rejected.append(Rejection(where, f"duplicate doc_id {doc.doc_id} in this run: "
                                                  "the first one read is ingested",
                                           doc.content_hash, doc.doc_id))
        keep = pc.invert(pc.is_in(pa.array(range(table.num_rows)), value_set=pa.array(later, pa.int64())))
        table = table.filter(keep)
    ids = table.column("doc_id")
    # unchanged: active in the log with the same content hash and extractor version (the
    # state's columns taken at each document's place in it: no filtered copy of the state)
    at = pc.index_in(ids, value_set=log_docs.column("doc_id").combine_chunks())
    logged_hash = log_docs.column("content_hash").take(at)
    mine = table.column("content_hash")
    active = pc.fill_null(pc.equal(log_docs.column("status").take(at), "active"), False)
    same_content = pc.or_(pc.fill_null(pc.equal(logged_hash, mine), False),
                          pc.and_(pc.is_null(logged_hash), pc.is_null(mine)))
    same_version = pc.fill_null(pc.equal(log_docs.column("extractor_version").take(at), version), False)
    same = pc.and_(pc.and_(active, same_version), same_content)
    plan.to_extract = refs(table.filter(pc.invert(same)))
    plan.unchanged = table.num_rows - len(plan.to_extract)
    plan.rederived = pc.sum(pc.and_(pc.and_(active, same_content), pc.invert(same_version))).as_py() or 0
    # the few documents the run did not see; not all the log knows (100k at scale)
    gone = pc.and_(pc.and_(pc.equal(log_docs.column("status"), "active"),
                           pc.is_in(log_docs.column("path"), value_set=pa.array(sorted(scope_paths), pa.string()))),
                   pc.invert(pc.is_in(log_docs.column("doc_id"), value_set=ids.combine_chunks())))
    unseen = log_docs.filter(gone).select(["doc_id", "content_hash", "extractor_version", "path"]).to_pylist()
    plan.rejected.extend(rejections)
    rejected_paths = set()
    for rej in plan.rejected:
        rejected_paths.add(rej.path)
        if state.rejections.get(rej.path) == (rej.content_hash, rej.reason):
            continue
        plan.facts.append(Fact(FactKind.DOCUMENT_REJECTED, doc_id=rej.doc_id, path=rej.path,
                               content_hash=rej.content_hash, payload=Fact.payload_of({"reason": rej.reason})))
    seen_paths |= {seed_file_of(r.path) for r in plan.rejected}
    # sorted: the log's GROUP BY comes back in any order, and seq numbers must not
    for path in sorted(state.rejections):
        file = seed_file_of(path)
        if path not in rejected_paths and (file in scope_paths or path in scope_paths):
            plan.facts.append(Fact(FactKind.REJECTION_CLEARED, path=path, payload=Fact.payload_of(
                {"reason": "the file is gone or now reads cleanly"})))
    for known in sorted(unseen, key=lambda row: row["doc_id"]):
        path = known["path"]
        if path not in seen_paths:
            reason = "no longer in the seeds folder"
        elif is_dump(path):
            reason = "no longer in its dump file"
        else:
            continue
        plan.facts.append(Fact(FactKind.DOCUMENT_WITHDRAWN, doc_id=known["doc_id"], path=path,
                               content_hash=known["content_hash"], extractor_version=known["extractor_version"],
                               payload=Fact.payload_of({"reason": reason, "path": path})))
    return plan


def seed_file_of(path: str) -> str:
    """Rejections of dump lines are named 'dump.jsonl:17'; their file is the part before."""
    head, sep, tail = path.rpartition(":")
    return head if sep and tail.isdigit() else path


_OBSERVED = {what: FactKind.observed(what) for what in ("mention", "event")}


def new_documents_table(extractions: Sequence[LoggedExtraction], version: str) -> Any:
    """The facts of documents the log does not know, as a pyarrow table of the log's fact
    columns: each document's ingestion, then each mention and event it says observed.
    Made where the documents were extracted (a pool worker) and made straight into columns
    (a Fact object per fact cost the workers a sixth more than the columns do); the append
    diffs them against the log only for documents the log knows (`facts_by_document`,
    `diff_against_log`)."""
    columns: dict[str, list[str | None]] = {name: [] for name in FACT_COLUMNS}
    for ex in extractions:
        doc = ex.doc
        payload = document_payload(doc)
        if ex.error:
            payload["extraction_error"] = ex.error
        now: dict[str, tuple[str, str]] = {}
        for mid, text in ex.mentions:
            now[mid] = ("mention", text)
        for eid, text in ex.events:
            now[eid] = ("event", text)
        columns["kind"].append(str(FactKind.DOCUMENT_INGESTED))
        columns["entity_id"].append(None)
        columns["payload"].append(Fact.payload_of(payload))
        for entity_id, (what, text) in now.items():
            columns["kind"].append(str(_OBSERVED[what]))
            columns["entity_id"].append(entity_id)
            columns["payload"].append(text)
        facts = 1 + len(now)
        columns["doc_id"] += [doc.doc_id] * facts
        columns["path"] += [doc.path] * facts
        columns["extractor_version"] += [version] * facts
        columns["content_hash"] += [doc.content_hash] * facts
    return columns_table(columns)


@dataclass(slots=True)
class NewDocuments:
    """Facts of documents the log does not know (`new_documents_table`): they are appended
    as they are, never made into Python objects again."""

    table: Any  # pyarrow.Table
    documents: int


# Documents the log knows are diffed against what the log says of them this many
# documents at a time: one query per window, a bounded answer in memory.
_DIFF_WINDOW = 2_000


@dataclass(slots=True)
class SpooledFrame:
    """A spooled frame (`new_documents_table`'s columns) holding documents the log knows:
    diffed against the log as columns (`diff_against_log`), only its documents in `pending`
    (the others' rows are dropped). Made into a `Fact` per row, an edit of 1,000 articles'
    20,000 facts took a third of its append."""

    table: Any  # pyarrow.Table
    pending: set[str]

    @property
    def documents(self) -> int:
        return len(set(self.table.column("doc_id").to_pylist()) & self.pending)


def diff_against_log(
    documents: Iterable[list[Fact] | NewDocuments | SpooledFrame],
    state: LogState,
    active_entities: Callable[[list[str]], dict[str, dict[str, str]]],
    version: str,
) -> Iterator[Fact | NewDocuments]:
    """The facts to append for documents that are new or changed, one document after
    another (a run's facts are never all held at once). Each document comes as the facts
    it would give were it new to the log (`facts_by_document`), or a frame of them comes
    whole (`SpooledFrame`, diffed as columns); documents known to be new to the log may
    come as `NewDocuments`, which pass through.

    `active_entities(doc_ids)` answers what the log says each document says now
    (EventLog.active_entities); it is asked only about documents the log has."""
    stream = iter(documents)
    while window := _take_documents(stream, _DIFF_WINDOW):
        # what the log says of the window's documents: asked of its state for these alone
        known = state.lookup(itertools.chain.from_iterable(
            [doc[0].doc_id] if isinstance(doc, list) else
            doc.pending & set(doc.table.column("doc_id").to_pylist()) if isinstance(doc, SpooledFrame) else []
            for doc in window))
        active = active_entities(list(known)) if known else {}
        for doc in window:
            if isinstance(doc, NewDocuments):
                yield doc
            elif isinstance(doc, SpooledFrame):
                if (diffed := _diff_frame(doc, known, active, version)) is not None:
                    yield diffed
            else:
                doc_id = doc[0].doc_id
                yield from _diff_document(doc, known.get(doc_id), active.get(doc_id, {}), version)


def _take_documents(stream: Iterator[Any], count: int) -> list[Any]:
    window: list[Any] = []
    taken = 0
    for doc in stream:
        window.append(doc)
        taken += doc.documents if isinstance(doc, (NewDocuments, SpooledFrame)) else 1
        if taken >= count:
            break
    return window


def _diff_frame(frame: SpooledFrame, known: dict[str, DocState], active: dict[str, dict[str, str]],
                version: str) -> NewDocuments | None:
    """`_diff_document` of each pending document of a frame, on its columns: the rows kept
    are taken from the frame as they are; only the few facts the diff makes (a revision,
    a re-derivation, retractions) are made as objects. The same facts in the same order."""
    import pyarrow as pa

    table = frame.table.select(list(FACT_COLUMNS))
    cols = table.to_pydict()
    doc_ids, entity_ids, payloads = cols["doc_id"], cols["entity_id"], cols["payload"]
    rows = table.num_rows
    order: list[int] = []  # positions in the frame's rows, then in `made`
    made: list[Fact] = []
    documents = 0
    start = 0
    while start < rows:
        doc_id = doc_ids[start]
        end = start + 1
        while end < rows and doc_ids[end] == doc_id:
            end += 1
        if doc_id in frame.pending:
            documents += 1
            state = known.get(doc_id)
            if state is None:  # new to the log: every fact as it is
                order.extend(range(start, end))
            else:
                ingested = Fact(**{name: cols[name][start] for name in FACT_COLUMNS[1:]},
                                kind=FactKind(cols["kind"][start]))
                before = active.get(doc_id, {})
                for fact in _document_facts(ingested, state, version):
                    order.append(rows + len(made))
                    made.append(fact)
                for row in range(start + 1, end):
                    entity_id = entity_ids[row]
                    if entity_id in before and before[entity_id] == hashlib.md5(
                            payloads[row].encode("utf-8")).hexdigest():
                        continue  # says exactly what it said: nothing to record
                    order.append(row)
                for fact in _retractions(ingested, state, before, set(entity_ids[start + 1:end]), version):
                    order.append(rows + len(made))
                    made.append(fact)
        start = end
    if not order:
        return None
    whole = pa.concat_tables([table, fact_table(made)]) if made else table
    return NewDocuments(whole.take(pa.array(order, pa.int64())), documents)


def _diff_document(new_facts: list[Fact], known: DocState | None, before: dict[str, str],
                   version: str) -> list[Fact]:
    """A document's facts as a new document made a diff against what the log says of it:
    `known` its state there, `before` the digests of the entities it has active."""
    ingested, observed = new_facts[0], new_facts[1:]
    facts = _document_facts(ingested, known, version)
    for fact in observed:
        if fact.entity_id in before and before[fact.entity_id] == hashlib.md5(fact.payload.encode("utf-8")).hexdigest():
            continue  # says exactly what it said: nothing to record
        facts.append(fact)
    facts.extend(_retractions(ingested, known, before, {fact.entity_id for fact in observed}, version))
    return facts


def _document_facts(ingested: Fact, known: DocState | None, version: str) -> list[Fact]:
    """The document's own facts: ingested (new or withdrawn before), revised (another
    content hash), re-derived (another extractor version)."""
    facts: list[Fact] = []
    if known is None or known.status == "withdrawn":
        facts.append(ingested)
    elif known.content_hash != ingested.content_hash:
        payload = json.loads(ingested.payload)
        payload["previous_hash"] = known.content_hash
        facts.append(replace(ingested, kind=FactKind.DOCUMENT_REVISED, payload=Fact.payload_of(payload)))
    if known is not None and known.status == "active" and known.extractor_version != version:
        facts.append(replace(ingested, kind=FactKind.DOCUMENT_REDERIVED, payload=Fact.payload_of(
            {"previous_version": known.extractor_version, "version": version})))
    return facts


def _retractions(ingested: Fact, known: DocState | None, before: dict[str, str], now: set[str | None],
                 version: str) -> list[Fact]:
    """What the document said and no longer says, retracted."""
    facts = []
    for entity_id in sorted(before.keys() - now):  # set order varies by process
        what = "mention" if entity_id.startswith("m_") else "event"
        reason = ("the source no longer says this" if known and known.extractor_version == version
                  else "re-derived under a new extractor version")
        facts.append(replace(ingested, kind=FactKind.retracted(what), entity_id=entity_id,
                             payload=Fact.payload_of({"reason": reason})))
    return facts


def facts_by_document(table: Any) -> list[list[Fact]]:
    """The facts of a `new_documents_table`, document by document."""
    documents: list[list[Fact]] = []
    for row in table.to_pylist():
        fact = Fact(**{**row, "kind": FactKind(row["kind"])})
        if documents and documents[-1][0].doc_id == fact.doc_id:
            documents[-1].append(fact)
        else:
            documents.append([fact])
    return documents
