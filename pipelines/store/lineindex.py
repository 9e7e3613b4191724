"""What each line of a dump was, by the hash of its bytes, so an unchanged line is not parsed.

A daily dump is mostly the lines it had yesterday. Reading a line's identity (doc_id and
content hash) means decoding it, parsing its JSON and hashing its fields; hashing its raw
bytes is a fraction of that. The index maps the bytes' hash to the identity they gave,
one small Parquet file per dump beside the log. It is a cache of a pure function of the
bytes (and of DUMP_IDENTITY_VERSION, part of its file name): it never decides what the log
records, only spares the work of finding out again; a missing or unreadable index file
means every line is parsed, as on a first run.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from pipelines.atomicfile import atomic_path
from pipelines.core.model import DocRef, Document, Rejection
from pipelines.core.reading import DUMP_IDENTITY_VERSION

INDEX_FOLDER = "line-index"


def line_key(raw: bytes) -> bytes:
    return hashlib.blake2b(raw, digest_size=16).digest()


class DumpLineIndex:
    """The index of one dump: looks lines up during a scan and learns the ones it parsed."""

    def __init__(self, rel: str, file: Path | None) -> None:
        self.rel = rel
        self.file = file
        self.known: dict[bytes, tuple[str, str]] = _load(file) if file else {}
        self.now: dict[bytes, tuple[str, str]] = {}  # what this scan read, saved when it ends
        self._missed: tuple[int, bytes] | None = None

    def lookup(self, line_no: int, raw: bytes) -> DocRef | None:
        """The document a line read before was; None means parse it."""
        key = line_key(raw)
        if (hit := self.known.get(key)) is not None:
            self.now[key] = hit
            return DocRef(hit[0], self.rel, line_no, hit[1])
        self._missed = (line_no, key)
        return None

    def learn(self, doc: Document) -> None:
        """`doc` was parsed from the line `lookup` last missed."""
        if self._missed is not None and self._missed[0] == doc.line:
            self.now[self._missed[1]] = (doc.doc_id, doc.content_hash)
        self._missed = None

    def save(self) -> None:
        """Keep what this scan read (lines gone from the dump are forgotten)."""
        if self.file is None or self.now == self.known:
            return
        import pyarrow as pa
        import pyarrow.parquet as pq

        keys = list(self.now)
        table = pa.table({
            "line_hash": pa.array(keys, pa.binary(16)),
            "doc_id": [self.now[k][0] for k in keys],
            "content_hash": [self.now[k][1] for k in keys],
        }).replace_schema_metadata({"dump": self.rel})
        self.file.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(self.file, durable=False) as tmp:  # a cache: a lost write costs a parse
            pq.write_table(table, tmp, compression="zstd")


def _load(file: Path) -> dict[bytes, tuple[str, str]]:
    if not file.exists():
        return {}
    import pyarrow.parquet as pq

    try:
        columns = pq.read_table(file).to_pydict()
        return dict(zip(columns["line_hash"], zip(columns["doc_id"], columns["content_hash"], strict=True),
                        strict=True))
    except Exception:  # an unreadable cache is an empty one: every line is parsed again
        return {}


class DumpScanRecord:
    """What the last complete scan of one dump yielded (its documents' identities and its
    refusals, in order), with the file's identity when it was read: size, mtime, ctime,
    inode and device, the seeds folder and the size limit. A dump whose identity is the
    same is not read again (ctime cannot be set back by a user, so rewritten bytes always
    show). A cache like the line index: anything else (no record, another identity, an
    unreadable record) means the dump is read."""

    def __init__(self, file: Path) -> None:
        self.file = file

    @staticmethod
    def identity(path: Path, seeds_root: Path, max_bytes: int) -> str | None:
        import json
        import os

        try:
            st = os.stat(path)
        except OSError:
            return None
        return json.dumps([st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev,
                           str(Path(seeds_root).resolve()), max_bytes])

    def load_table(self, identity: str | None) -> Any | None:
        """The record of a dump of `identity` as it is stored (a pyarrow table, one row per
        document or refusal, in order: `record_schema()`), or None. A run keeps it as a table:
        made into `DocRef`s, 101 records took 0.3 s of a change's run at 100k articles."""
        if identity is None or not self.file.exists():
            return None
        import pyarrow.parquet as pq

        try:
            # ParquetFile.read: read_table's dataset machinery took twice as long for a
            # thousand rows, and a run loads one record per unchanged dump
            with pq.ParquetFile(self.file) as record:
                table = record.read()
            if (table.schema.metadata or {}).get(b"identity", b"").decode() != identity:
                return None
            table = table.replace_schema_metadata(None)
            return table if table.schema.equals(record_schema()) else None
        except Exception:  # an unreadable record is none: the dump is read
            return None

    def save(self, identity: str | None, docs: list[DocRef], rejections: list[Rejection]) -> None:
        if identity is None:
            return
        import pyarrow as pa
        import pyarrow.parquet as pq

        items = [("doc", d.doc_id, d.path, d.line, d.content_hash, None) for d in docs]
        items += [("rejection", r.doc_id, r.path, None, r.content_hash, r.reason) for r in rejections]
        schema = record_schema().with_metadata({"identity": identity})
        table = pa.Table.from_pylist([dict(zip(schema.names, it, strict=True)) for it in items], schema=schema)
        self.file.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(self.file, durable=False) as tmp:
            pq.write_table(table, tmp, compression="zstd")


def record_schema() -> Any:
    """The columns of a dump's scan record (`DumpScanRecord`), as pyarrow types."""
    import pyarrow as pa

    return pa.schema([("kind", pa.string()), ("doc_id", pa.string()), ("path", pa.string()),
                      ("line", pa.int64()), ("content_hash", pa.string()), ("reason", pa.string())])


def has_rejections(table: Any) -> bool:
    """Whether a scan record holds refusals: only theirs have a reason (read from the
    column's null count, without a pass over its rows)."""
    return table.column("reason").null_count < table.num_rows


def docs_of_record(table: Any) -> list[DocRef]:
    cols = table.to_pydict()
    return [DocRef(doc_id, path, line, chash) for kind, doc_id, path, line, chash in zip(
        cols["kind"], cols["doc_id"], cols["path"], cols["line"], cols["content_hash"], strict=True)
        if kind == "doc"]


def rejections_of_record(table: Any) -> list[Rejection]:
    if not has_rejections(table):
        return []
    cols = table.to_pydict()
    return [Rejection(path, reason, chash, doc_id) for kind, doc_id, path, chash, reason in zip(
        cols["kind"], cols["doc_id"], cols["path"], cols["content_hash"], cols["reason"], strict=True)
        if kind != "doc"]


class LineIndex:
    """The line indexes of a warehouse's dumps, in `<log folder>/line-index/`."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def for_dump(self, rel: str) -> DumpLineIndex:
        return DumpLineIndex(rel, self.folder / f"{_name(rel)}.v{DUMP_IDENTITY_VERSION}.parquet")

    def scan_record(self, rel: str) -> DumpScanRecord:
        return DumpScanRecord(self.folder / f"{_name(rel)}.v{DUMP_IDENTITY_VERSION}.scan.parquet")


def _name(rel: str) -> str:
    return hashlib.sha256(rel.encode("utf-8", "surrogateescape")).hexdigest()[:32]
