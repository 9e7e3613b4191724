"""The events tables' patterns, built from the regex cache's stored programs, are the ones
`re.compile` gives, and behave the same on the rows' own examples."""

from __future__ import annotations

import re
from pathlib import Path

from pipelines.core.events import tables as tables_module
from pipelines.core.events.tables import DATA, Tables
from pipelines.core.timex.regexcache import RegexCache, cache_file


def _patterns(t: Tables) -> list[re.Pattern]:
    found: list[re.Pattern] = []
    for value in vars(t).values():
        if isinstance(value, re.Pattern):
            found.append(value)
        elif isinstance(value, dict):  # blocks: trigger -> (before, after)
            found.extend(rx for pair in value.values() if isinstance(pair, tuple)
                         for rx in pair if isinstance(rx, re.Pattern))
        elif isinstance(value, tuple):  # sessions: (counter, pattern)
            found.extend(item[1] for item in value if isinstance(item, tuple) and isinstance(item[1], re.Pattern))
    return found


def _row_texts() -> list[str]:
    texts = []
    for path in (DATA / name for name in ("blocks.tsv", "modality.tsv", "nonevents.tsv", "sessions.tsv")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                texts.append(line.split("\t")[-1])  # the rows of patterns: each row's example
    return texts


def test_tables_from_stored_programs_match_freshly_compiled_ones(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TIMELINE_CACHE_DIR", str(tmp_path))
    fresh = tables_module._load(RegexCache(None))  # no file: every pattern compiled afresh
    tables_module.tables.cache_clear()
    try:
        tables_module.tables()  # compiles and stores
        assert cache_file(DATA).exists()
        tables_module.tables.cache_clear()
        cached = tables_module.tables()  # builds every pattern from the file
        stored = RegexCache(cache_file(DATA)).stored_patterns()
    finally:
        tables_module.tables.cache_clear()
    pairs = list(zip(_patterns(fresh), _patterns(cached), strict=True))
    assert len(pairs) > 200 and {b.pattern for _, b in pairs} <= stored
    texts = _row_texts()
    for a, b in {a.pattern: (a, b) for a, b in pairs}.values():  # each distinct pattern once
        assert (a.pattern, a.flags, a.groups, a.groupindex) == (b.pattern, b.flags, b.groups, b.groupindex)
        for text in texts:
            ma, mb = a.search(text), b.search(text)
            assert (ma and (ma.span(), ma.groups())) == (mb and (mb.span(), mb.groups())), (a.pattern[:40], text)


def test_one_object_per_pattern(tmp_path: Path) -> None:
    # the blocks give hundreds of triggers the same pattern: compiled and held once
    cache = RegexCache(tmp_path / "cache.json")
    assert cache.compile("召开(?!会议)") is cache.compile("召开(?!会议)")
    cache.save()
    again = RegexCache(tmp_path / "cache.json")
    assert again.compile("召开(?!会议)") is again.compile("召开(?!会议)")
