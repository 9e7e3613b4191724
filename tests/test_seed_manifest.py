"""The seed manifest's digests: a file whose identity (size, times, inode) is the one recorded
with its hash is not read again; any rewrite, and any file too recently written for its
times to vouch for its bytes, is hashed."""

from __future__ import annotations

import os
from pathlib import Path

from pipelines.store import manifest
from pipelines.store.manifest import RACY_NS, seed_digests


def _hashed(monkeypatch) -> list[str]:
    names: list[str] = []
    real = manifest.file_digest

    def counting(path: Path, *args, **kwargs) -> str:
        names.append(path.name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(manifest, "file_digest", counting)
    return names


def _age(path: Path) -> None:
    """An mtime long past, so that a rewrite shows in it even within the clock's tick."""
    old = path.stat().st_mtime_ns - 10 * RACY_NS
    os.utime(path, ns=(old, old))


def test_a_file_unchanged_since_it_was_hashed_is_not_hashed_again(tmp_path: Path, monkeypatch):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "a.jsonl").write_text('{"doc_id": "a"}\n', "utf-8")
    (seeds / "b.jsonl").write_text('{"doc_id": "b"}\n', "utf-8")
    for path in seeds.iterdir():
        _age(path)
    # the ctime cannot be set back: the clock is moved on instead, past the racy window
    later = os.stat(seeds / "b.jsonl").st_ctime_ns + 2 * RACY_NS
    monkeypatch.setattr(manifest.time, "time_ns", lambda: later)
    first = seed_digests(seeds)
    assert set(first.identities) == {"a.jsonl", "b.jsonl"}

    hashed = _hashed(monkeypatch)
    again = seed_digests(seeds, first)
    assert hashed == [] and again.files == first.files

    (seeds / "b.jsonl").write_text('{"doc_id": "B"}\n', "utf-8")  # same size, new bytes
    changed = seed_digests(seeds, first)
    assert hashed == ["b.jsonl"] and changed.files["b.jsonl"] != first.files["b.jsonl"]
    assert changed.files["a.jsonl"] == first.files["a.jsonl"]


def test_a_file_written_within_the_clocks_tick_is_hashed_every_time(tmp_path: Path, monkeypatch):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "new.jsonl").write_text('{"doc_id": "n"}\n', "utf-8")
    first = seed_digests(seeds)  # just written: its times cannot tell a rewrite in the same tick
    assert first.identities == {}
    hashed = _hashed(monkeypatch)
    assert seed_digests(seeds, first).files == first.files
    assert hashed == ["new.jsonl"]
