"""What the event log promises about itself: every segment it ever committed, intact.

`segments.json` beside the segments lists each one with its sequence range, row count,
size and SHA-256, hashed once when the segment is written. Runs and rebuilds check the
catalog before they read the log (sizes and file identities, cheap; a segment whose
identity changed is hashed again) and refuse a log with a missing, truncated, altered or
out-of-place segment, or a gap in its sequence numbers, rather than publish part of a
history. `timeline verify` hashes every segment.

The catalog is written after the segment's atomic rename, so a writer killed between the
two leaves a committed segment the catalog does not list yet. Such a segment, starting
right after the catalog's last sequence number, is adopted by the next writer (its range
read from the Parquet footer); anything else unlisted is refused.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from pipelines.atomicfile import write_bytes_atomically

CATALOG_NAME = "segments.json"
SEGMENT_GLOB = "seg-*.parquet"


class LogIntegrityError(RuntimeError):
    """The log is not the whole history it once was; the message names the file and the fix."""


@dataclass(slots=True)
class SegmentRecord:
    file: str
    first_seq: int
    last_seq: int
    rows: int
    bytes: int
    sha256: str
    # (mtime_ns, ctime_ns, inode) when last hashed: unchanged means the bytes were not
    # rewritten since (ctime cannot be set back by a user), so the hash need not be redone.
    identity: list[int]
    adopted: bool = False  # listed after the fact (older log, or a writer killed mid-commit)


def file_sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def file_identity(st: os.stat_result) -> list[int]:
    return [st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def describe_segment(path: Path, adopted: bool = False) -> SegmentRecord:
    """A catalog entry for a segment file, its range and rows read from the Parquet footer."""
    import pyarrow.parquet as pq

    st = path.stat()
    meta = pq.ParquetFile(path).metadata
    seq_col = meta.schema.to_arrow_schema().get_field_index("seq")
    lows, highs = [], []
    for i in range(meta.num_row_groups):
        stats = meta.row_group(i).column(seq_col).statistics
        if stats is None or not stats.has_min_max:
            raise LogIntegrityError(f"{path}: no sequence statistics in its footer")
        lows.append(stats.min)
        highs.append(stats.max)
    if not lows:
        raise LogIntegrityError(f"{path}: an empty segment")
    return SegmentRecord(path.name, int(min(lows)), int(max(highs)), int(meta.num_rows),
                         st.st_size, file_sha256(path), file_identity(st), adopted)


class Catalog:
    """The `segments.json` of one log directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.path = self.directory / CATALOG_NAME

    def load(self) -> list[SegmentRecord] | None:
        """The records, or None when there is no catalog (a log written before it existed)."""
        try:
            raw = json.loads(self.path.read_text("utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise LogIntegrityError(
                f"{self.path} is unreadable ({exc}): restore it from a backup, or delete it so "
                "the next run re-catalogs the segments (their checksums are then taken anew)"
            ) from exc
        try:
            return [SegmentRecord(**r) for r in raw["segments"]]
        except (KeyError, TypeError) as exc:
            raise LogIntegrityError(f"{self.path} is not a segment catalog: restore it from a backup") from exc

    def save(self, records: list[SegmentRecord]) -> None:
        records = sorted(records, key=lambda r: r.first_seq)
        body = {"format": 1, "segments": [asdict(r) for r in records]}
        write_bytes_atomically(self.path, json.dumps(body, indent=0).encode("utf-8"))

    def segment_files(self) -> list[Path]:
        return sorted(self.directory.glob(SEGMENT_GLOB)) if self.directory.is_dir() else []

    # ------------------------------------------------------------ checking

    def check(self, full: bool = False, repair: bool = False) -> list[SegmentRecord]:
        """The verified records in sequence order, or LogIntegrityError for the first fault.

        `full` hashes every segment; otherwise only those whose identity changed. `repair`
        (writers, under the log lock) catalogs segments committed but not yet listed.
        """
        problems, records = self.inspect(full=full, repair=repair)
        if problems:
            raise LogIntegrityError(problems[0])
        return records

    def inspect(self, full: bool = False, repair: bool = False) -> tuple[list[str], list[SegmentRecord]]:
        """Every fault found (one line each, naming the file and the fix), and the records."""
        files = {p.name: p for p in self.segment_files()}
        listed = self.load()
        problems: list[str] = []
        records: list[SegmentRecord] = []
        changed = False
        for rec in listed or []:
            path = files.pop(rec.file, None)
            if path is None:
                problems.append(
                    f"log segment {self.directory / rec.file} (seq {rec.first_seq}-{rec.last_seq}, "
                    f"{rec.rows} facts) is missing: {self._recovery(rec.file)}")
                continue
            st = path.stat()
            if st.st_size != rec.bytes:
                problems.append(
                    f"log segment {path} is {st.st_size:,} bytes where {rec.bytes:,} were written "
                    f"(truncated or overwritten): {self._recovery(rec.file)}")
                continue
            if full or file_identity(st) != rec.identity:
                if file_sha256(path) != rec.sha256:
                    problems.append(
                        f"log segment {path} does not match its checksum (altered since it was "
                        f"written): {self._recovery(rec.file)}")
                    continue
                if file_identity(st) != rec.identity:
                    rec.identity, changed = file_identity(st), True  # copied back intact: trust anew
            records.append(rec)
        head = max((r.last_seq for r in listed or []), default=0)
        for name in sorted(files, key=lambda n: _first_seq_of(n)):
            path = files[name]
            try:
                rec = describe_segment(path, adopted=True)
            except Exception as exc:  # any unreadable Parquet: the footer is the test
                problems.append(f"log segment {path} is not in the catalog and unreadable "
                                f"({type(exc).__name__}: {exc}): move it out of {self.directory}")
                continue
            if listed is None or rec.first_seq == head + 1:
                records.append(rec)  # a commit whose catalog entry never landed
                head = max(head, rec.last_seq)
                changed = True
            else:
                problems.append(
                    f"log segment {path} (seq {rec.first_seq}-{rec.last_seq}) is not in the catalog "
                    f"{self.path} and does not follow its last seq {head}: a stray copy? move it "
                    f"out of {self.directory}")
        records.sort(key=lambda r: r.first_seq)
        problems.extend(self._contiguity(records))
        if repair and changed and not problems:
            self.save(records)
        return problems, records

    def _contiguity(self, records: list[SegmentRecord]) -> list[str]:
        problems = []
        expected = 1
        for rec in records:
            if rec.rows != rec.last_seq - rec.first_seq + 1:
                problems.append(f"log segment {self.directory / rec.file} holds {rec.rows} facts for "
                                f"seq {rec.first_seq}-{rec.last_seq}: {self._recovery(rec.file)}")
            if rec.first_seq != expected:
                what = (f"facts {expected}-{rec.first_seq - 1} are missing before"
                        if rec.first_seq > expected else f"seq {rec.first_seq} overlaps what comes before")
                problems.append(f"the log has a gap: {what} {self.directory / rec.file}: "
                                f"{self._recovery(None)}")
            expected = rec.last_seq + 1
        return problems

    def _recovery(self, file: str | None) -> str:
        what = f"restore {file}" if file else "restore the missing segment"
        return (f"{what} from a backup of {self.directory} (nothing is published until then); "
                f"without a backup, move {self.directory} and its published .duckdb file aside and run "
                f"again to re-ingest the seeds (their original recording times are then lost)")

    def record_written(self, records: list[SegmentRecord], path: Path, first: int, last: int,
                       rows: int) -> None:
        """List a segment this process just committed (under the log lock)."""
        st = path.stat()
        rec = SegmentRecord(path.name, first, last, rows, st.st_size, file_sha256(path), file_identity(st))
        self.save([*records, rec])


def _first_seq_of(name: str) -> int:
    digits = name.removeprefix("seg-").removesuffix(".parquet")
    return int(digits) if digits.isdigit() else 0


def published_seq(db_path: Path) -> int | None:
    """The last log seq a published file says it holds, or None (no file, or not ours)."""
    import duckdb

    if not Path(db_path).exists():
        return None
    try:
        with duckdb.connect(str(db_path), read_only=True) as con:
            row = con.execute("SELECT value FROM warehouse_meta WHERE key = 'published_seq'").fetchone()
    except duckdb.Error:
        return None
    return int(row[0]) if row else None


def published_beyond_log(db_path: Path, log_dir: Path, published: int | None, head: int) -> str | None:
    """Why a published file holding facts the log no longer has is refused, or None."""
    if published is None or published <= head:
        return None
    return (f"{db_path} was published from facts up to seq {published}, but the log {log_dir} ends "
            f"at seq {head}: its last segments are missing. Restore them from a backup of {log_dir}; "
            f"without one, move {log_dir} and {db_path} aside and run again (the original "
            f"recording times are then lost)")


def check_before_writing(db_path: Path) -> None:
    """Refuse (LogIntegrityError) a log that is damaged or shorter than what was published.

    Cheap (the catalog, a stat per segment, one row of the published file), and light to
    import: a run checks this before it reads the seeds, so it never re-ingests over a lost
    history, and an unchanged re-run still costs little more than hashing its files.
    """
    from pipelines.paths import log_dir_for

    log_dir = log_dir_for(Path(db_path))
    records = Catalog(log_dir).check()
    problem = published_beyond_log(Path(db_path), log_dir, published_seq(Path(db_path)),
                                   records[-1].last_seq if records else 0)
    if problem:
        raise LogIntegrityError(problem)
