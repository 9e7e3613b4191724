"""The compiled-regex cache: patterns built from stored programs behave as `re.compile`'s,
and a missing, damaged, foreign or unwritable cache only costs a compile."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

from pipelines.core.timex.regexcache import RegexCache, cache_file
from pipelines.core.timex.tables import DATA, Tables, load_tables

tables_module = importlib.import_module("pipelines.core.timex.tables")

TEXTS = ["2023年10月20日上午10点30分，今年1-9月份", "兩日後的下午", "上世纪末到本世纪初",
         "2021-07-0114:30", "3月5日发生地震，次日余震，两天后道路恢复", "农历正月初一", "Q3"]


def _regexes(t: Tables) -> list[re.Pattern]:
    return [t.atoms, t.first, t.era_start, *t.atoms_at.values(), *t.context.values(), *(h[0] for h in t.holidays),
            *(rx for rows in t.splits.values() for pair in rows for rx in pair if rx is not None)]


def _load_through(file: Path) -> tuple[Tables, RegexCache]:
    cache = RegexCache(file)
    loaded = load_tables(DATA, cache)
    cache.save()
    return loaded, cache


def _same_behaviour(a: re.Pattern, b: re.Pattern, texts: list[str]) -> None:
    assert (a.pattern, a.flags, a.groups, a.groupindex) == (b.pattern, b.flags, b.groups, b.groupindex)
    for text in texts:
        for i in range(len(text)):
            ma, mb = a.match(text, i), b.match(text, i)
            assert (ma and (ma.span(), ma.lastgroup, ma.groups())) == \
                (mb and (mb.span(), mb.lastgroup, mb.groups())), (a.pattern[:40], text, i)


def test_patterns_from_stored_programs_match_as_compiled_ones(tmp_path: Path) -> None:
    file = tmp_path / "cache.json"
    fresh = load_tables(DATA)
    _load_through(file)  # compiles and stores
    cached, cache = _load_through(file)  # builds every pattern from its stored program
    assert cache.stored_patterns() == {rx.pattern for rx in _regexes(cached)}
    texts = TEXTS + [row.example for row in fresh.rows.values()]
    by_char = set(fresh.atoms_at.values())
    for a, b in zip(_regexes(fresh), _regexes(cached), strict=True):
        _same_behaviour(a, b, texts if a is fresh.atoms or a is fresh.first or a in by_char else TEXTS)


def test_patterns_derived_from_the_rows_are_kept_for_the_same_rows(tmp_path: Path, monkeypatch) -> None:
    # The scan and the alternation come from parsing every row (~20 ms); a load whose rows
    # are those of the file's last load takes both from the file.
    file = tmp_path / "cache.json"
    first, _ = _load_through(file)

    def no_parse(bodies):
        raise AssertionError("rows parsed again")

    monkeypatch.setattr(tables_module, "_analyse", no_parse)
    again, _ = _load_through(file)
    assert (again.atoms.pattern, again.first.pattern) == (first.atoms.pattern, first.first.pattern)


def test_damaged_or_foreign_cache_costs_only_a_compile(tmp_path: Path) -> None:
    file = tmp_path / "cache.json"
    fresh = load_tables(DATA)
    build = json.loads(_load_through(file)[1].file.read_text(encoding="utf-8"))["build"]
    for content in ("{not json", json.dumps({"build": ["another python"], "programs": []}),
                    json.dumps({"build": None}), json.dumps({"build": build, "programs": [],
                                                             "derived": {"x": 1}})):
        file.write_text(content, encoding="utf-8")
        loaded, _ = _load_through(file)
        assert loaded.atoms.pattern == fresh.atoms.pattern
        assert RegexCache(file).stored_patterns()  # rewritten whole


def test_a_program_sre_refuses_is_compiled_afresh(tmp_path: Path) -> None:
    file = tmp_path / "cache.json"
    _load_through(file)
    data = json.loads(file.read_text(encoding="utf-8"))
    for _, program in data["programs"]:
        program[1] = program[1][: len(program[1]) // 2]  # a cut program
    file.write_text(json.dumps(data), encoding="utf-8")
    loaded, _ = _load_through(file)
    _same_behaviour(load_tables(DATA).atoms, loaded.atoms, TEXTS)


def test_the_file_holds_only_the_last_load(tmp_path: Path) -> None:
    file = tmp_path / "cache.json"
    cache = RegexCache(file)
    cache.compile("年")
    cache.save()
    cache = RegexCache(file)
    cache.compile("月")
    cache.save()
    assert RegexCache(file).stored_patterns() == {"月"}


def test_unwritable_folder_is_no_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    cache = RegexCache(blocker / "sub" / "cache.json")  # a folder under a file
    assert cache.compile("年").match("年")
    cache.save()


def test_each_data_folder_has_its_own_file(tmp_path: Path) -> None:
    # A copy of the tables with other patterns (a test's, another checkout's) must not
    # evict this one's programs at every load.
    files = {cache_file(folder, tmp_path) for folder in (DATA, tmp_path / "a", tmp_path / "b")}
    assert len(files) == 3 and all(f.parent == tmp_path for f in files)


def test_without_a_home_every_process_compiles(monkeypatch) -> None:
    for name in ("TIMELINE_CACHE_DIR", "XDG_CACHE_HOME", "HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(Path, "home", classmethod(lambda cls: (_ for _ in ()).throw(
        RuntimeError("Could not determine home directory."))))
    assert cache_file(DATA) is None
    cache = RegexCache(None)
    assert cache.compile("年").match("年")
    cache.save()


def test_cache_folder_from_the_environment(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TIMELINE_CACHE_DIR", str(tmp_path / "here"))
    assert cache_file(DATA).parent == tmp_path / "here"
    monkeypatch.delenv("TIMELINE_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_file(DATA).parent == tmp_path / "xdg" / "zh-news-timeline"
