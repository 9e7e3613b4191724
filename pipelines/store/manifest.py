"""What the last successful full run saw, so an unchanged folder costs almost nothing.

After a full run publishes, its last step records the byte hash of every seed file (taken
before the run read them), the extractor version and the state of the log and the
published file. The next `timeline run` compares before importing Dagster: if every hash,
the version and both files are as recorded, there is nothing to extract, append or
publish, and the run ends at once. Any difference, or no manifest, means a normal run,
which is itself idempotent; the manifest only saves time, it never decides content.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pipelines.atomicfile import write_bytes_atomically
from pipelines.core.reading import seed_entries
from pipelines.paths import log_dir_for
from pipelines.store.projections import projection_digest

MANIFEST_NAME = "seed_manifest.json"


def file_digest(path: Path, chunk: int = 1 << 20) -> str:
    """Content hash of a seed file, streamed (dumps can be large); symlinks by target."""
    h = hashlib.sha256()
    try:
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode):
            return "symlink:" + os.fsencode(path.readlink()).hex()
        if not stat.S_ISREG(info.st_mode):  # opening a FIFO would block
            return f"special:{info.st_mode}:{info.st_ino}"
        with path.open("rb") as handle:
            while block := handle.read(chunk):
                h.update(block)
    except OSError as exc:
        return f"unreadable:{exc.errno}"
    return h.hexdigest()


# File times are coarse (a few ms): a file written again within that tick keeps its size
# and times. As git does with "racy" entries, stat data that recent is not trusted.
RACY_NS = 2_000_000_000


def _identity(path: Path) -> list[int] | None:
    """What changes whenever a file's bytes are rewritten: size, mtime, ctime (which a user
    cannot set back), inode and device; of a symlink itself, not its target."""
    try:
        st = path.lstat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev]


@dataclass(slots=True)
class SeedDigests:
    """The content hash of every seed file, and the identity each file had when it was
    hashed (only where that identity is old enough to vouch for the bytes)."""

    files: dict[str, str] = field(default_factory=dict)
    identities: dict[str, list[int]] = field(default_factory=dict)


def seed_digests(seeds_root: Path, known: SeedDigests | None = None) -> SeedDigests:
    """Hash every seed file, except one whose identity is the one `known` recorded with
    its hash: the bytes were not rewritten since (a daily folder is mostly yesterday's
    files, and hashing them all took 0.12 s per pass at 100k articles)."""
    trusted_before = time.time_ns() - RACY_NS
    out = SeedDigests()
    for name, path in seed_entries(Path(seeds_root)).items():
        identity = _identity(path)
        if known is not None and identity is not None and known.identities.get(name) == identity \
                and name in known.files:
            out.files[name] = known.files[name]
        else:
            out.files[name] = file_digest(path)  # hashed after the stat: a later write shows next time
        if identity is not None and max(identity[1], identity[2]) < trusted_before:
            out.identities[name] = identity
    return out


def _stat(path: Path) -> list[int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ino]


@dataclass(slots=True)
class SeedManifest:
    seeds_root: str
    extractor_version: str
    max_bytes: int
    files: dict[str, str] = field(default_factory=dict)
    identities: dict[str, list[int]] = field(default_factory=dict)  # see SeedDigests
    log_segments: list[str] = field(default_factory=list)
    published_file: list[int] | None = None
    projections: str = ""  # projection_digest(): new projection SQL means a rebuild is due

    @staticmethod
    def path_for(db_path: Path) -> Path:
        return log_dir_for(db_path) / MANIFEST_NAME

    @classmethod
    def load(cls, db_path: Path) -> SeedManifest | None:
        try:
            return cls(**json.loads(cls.path_for(db_path).read_text("utf-8")))
        except (OSError, ValueError, TypeError):
            return None

    def digests(self) -> SeedDigests:
        return SeedDigests(self.files, self.identities)


def _segments(db_path: Path) -> list[str]:
    log_dir = SeedManifest.path_for(db_path).parent
    return sorted(p.name for p in log_dir.glob("seg-*.parquet")) if log_dir.is_dir() else []


def record_full_run(db_path: Path, seeds_root: Path, digests: SeedDigests,
                    extractor_version: str, max_bytes: int) -> None:
    """Write the manifest after a successful full run (digests taken before it read files)."""
    manifest = SeedManifest(
        seeds_root=str(Path(seeds_root).resolve()),
        extractor_version=extractor_version,
        max_bytes=max_bytes,
        files=digests.files,
        identities=digests.identities,
        log_segments=_segments(db_path),
        published_file=_stat(Path(db_path)),
        projections=projection_digest(),
    )
    target = SeedManifest.path_for(db_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomically(target, json.dumps(asdict(manifest), ensure_ascii=False, sort_keys=True).encode())


# A run's seed digests wait here between the append (which knows the run covered every
# seed path) and the publish (after which the manifest may be written).
_PENDING = ".manifest-pending-{run_id}.json"


def hold_digests(db_path: Path, run_id: str, digests: SeedDigests) -> None:
    """Keep the digests of a run that covers the whole folder until it publishes."""
    write_bytes_atomically(log_dir_for(db_path) / _PENDING.format(run_id=run_id),
                           json.dumps(asdict(digests), ensure_ascii=False).encode(), durable=False)


def record_if_held(db_path: Path, run_id: str, seeds_root: Path, extractor_version: str,
                   max_bytes: int) -> bool:
    """After a publish: the run held digests, so it was a full run; record its manifest."""
    held = log_dir_for(db_path) / _PENDING.format(run_id=run_id)
    try:
        digests = SeedDigests(**json.loads(held.read_text("utf-8")))
    except (OSError, ValueError, TypeError):
        return False
    record_full_run(db_path, seeds_root, digests, extractor_version, max_bytes)
    held.unlink(missing_ok=True)
    return True


def unchanged_since_last_run(db_path: Path, seeds_root: Path, extractor_version: str,
                             max_bytes: int) -> bool:
    """True only when a full run would find nothing new; any doubt answers False."""
    manifest = SeedManifest.load(db_path)
    if manifest is None:
        return False
    return (
        manifest.seeds_root == str(Path(seeds_root).resolve())
        and manifest.extractor_version == extractor_version
        and manifest.max_bytes == max_bytes
        and manifest.projections == projection_digest()
        and manifest.published_file is not None
        and manifest.published_file == _stat(Path(db_path))
        and manifest.log_segments == _segments(db_path)
        and manifest.files == seed_digests(seeds_root, manifest.digests()).files
    )
