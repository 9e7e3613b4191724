"""The timex tables as data: each pattern row's example, and the checks made when they load."""

from __future__ import annotations

import re
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.core.datatables import read_rows
from pipelines.core.timex import engine, extract_times
from pipelines.core.timex.tables import DATA, TableError, load_tables, tables

REF = datetime(2023, 10, 20)


@pytest.mark.parametrize("name", list(tables().rows))
def test_pattern_row_example(name: str) -> None:
    # HeidelTime's // EXAMPLE habit: each row's example holds an atom of that row, and the
    # engine makes a mention of it.
    row = tables().rows[name]
    atoms = [a for a in engine._Extractor(row.example, REF).atoms() if a.kind == name]
    assert atoms, f"{name}: no {name} atom in its example {row.example!r}"
    mentions = extract_times(row.example, REF)
    assert any(m.start < a.end and a.start < m.end for m in mentions for a in atoms), \
        f"{name}: example {row.example!r} gives no mention over its atom"


@pytest.mark.parametrize("row", read_rows(DATA / "month_names.tsv"), ids=lambda r: r[0])
def test_month_name_example(row: list[str]) -> None:
    # 元月 is January: the example names the month by its word, and it dates that month
    word, month, example = row
    named = [m for m in extract_times(example, REF) if word + "月" in m.text]
    assert named, f"month_names.tsv {word}: {example!r} gives no mention of {word}月"
    assert all(m.earliest is not None and m.earliest.month == int(month) for m in named), named


def _copy(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    return data


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_tables_load_clean() -> None:
    engine._check_productions(load_tables(DATA))


def test_pattern_word_without_value_fails_at_load(tmp_path: Path) -> None:
    # 宵夜 spelled into the part-of-day group with no row in tod.tsv: the load says so,
    # instead of a KeyError in the middle of some document.
    data = _copy(tmp_path)
    _edit(data / "patterns.tsv", "(?P<t>{TOD})", "(?P<t>{TOD}|宵夜)")
    with pytest.raises(TableError, match="宵夜"):
        load_tables(data)


def test_unit_word_without_value_fails_at_load(tmp_path: Path) -> None:
    data = _copy(tmp_path)
    _edit(data / "patterns.tsv", "(?P<u>日)(?P<tail>", "(?P<u>日|旬)(?P<tail>")
    with pytest.raises(TableError, match="旬"):
        load_tables(data)


def test_unknown_look_back_fails_at_load(tmp_path: Path) -> None:
    data = _copy(tmp_path)
    _edit(data / "vague.tsv", "\tmonth-7\n", "\tmonth\n")
    with pytest.raises(TableError, match="back_to"):
        load_tables(data)


def test_word_added_to_a_table_needs_no_code(tmp_path: Path) -> None:
    # The other way round: a row added to tod.tsv reaches the pattern through {TOD}.
    data = _copy(tmp_path)
    with (data / "tod.tsv").open("a", encoding="utf-8") as fh:
        fh.write("宵夜\tNI\t0\n")
    t = load_tables(data)
    assert t.atoms.match("宵夜").lastgroup == "tod"
    assert t.tod["宵夜"] == "NI"


def test_unknown_production_fails_at_load(tmp_path: Path) -> None:
    data = _copy(tmp_path)
    _edit(data / "patterns.tsv", "quarter\tquarter\t", "quarter\tquarterly\t")
    with pytest.raises(TableError, match="quarterly"):
        engine._check_productions(load_tables(data))


def test_row_without_example_fails_at_load(tmp_path: Path) -> None:
    data = _copy(tmp_path)
    _edit(data / "patterns.tsv", "\t第二季度\n", "\t\n")
    with pytest.raises(TableError, match="example"):
        load_tables(data)


def test_unknown_macro_fails_at_load(tmp_path: Path) -> None:
    data = _copy(tmp_path)
    _edit(data / "patterns.tsv", "(?P<w>{REL_QUARTER})", "(?P<w>{REL_QUARTERS})")
    with pytest.raises(TableError, match="REL_QUARTERS"):
        load_tables(data)


_FULL = re.compile("|".join(tables().bodies.values()))
_SCAN_ALPHABET = st.sampled_from(list(
    "0123456789年月日号时点分周星期天今去前明上下本这半每个初旬季度底末尾至到-/.:世纪闰"
    "十一二三四五六七八九〇零两廿农历春节国庆中午晚早凌晨近来以后当次同呢琴听依目如 ，。"))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_SCAN_ALPHABET, max_size=30))
def test_guarded_alternation_matches_the_plain_one(text: str) -> None:
    # Each row sits behind a lookahead of the chars it can start with; at every position
    # the scan visits, that must give the very match the plain alternation of all rows gives.
    t = tables()
    for m in t.first.finditer(text):
        i = m.start()
        full, fast = _FULL.match(text, i), t.atoms.match(text, i)
        assert (full and (full.lastgroup, full.span())) == (fast and (fast.lastgroup, fast.span()))
        # and the alternation of only the rows the char there admits gives that match too
        at = t.atoms_at[text[i]].match(text, i)
        assert (full and (full.lastgroup, full.span(), full.groupdict())) == \
            (at and (at.lastgroup, at.span(), {k: at.groupdict().get(k) for k in full.groupdict()}))


def _first_chars() -> set[str]:
    row = next(r for r in read_rows(DATA / "patterns.tsv") if r[0] == "@FIRST")
    return set(row[1].replace("\\d", "0123456789"))


_PAIR_ALPHABET = st.sampled_from(list(
    "0123456789年月日号时点分周星期天今前上下本这该此正过首头黄半每个些直样起次第初季度底末"
    "十一二两三〇零几数百千廿中旬世纪礼拜农历阴闰清明晨傍晚凌深夜白最近未来往后 ，。-/.:~至"))


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=_PAIR_ALPHABET, max_size=24))
def test_scan_skips_only_positions_where_every_row_fails(text: str) -> None:
    # The scan leaves out a @FIRST char whose next char no row can follow it with (一些,
    # 这样); every position where some row does match must still be visited.
    t, first = tables(), _first_chars()
    visited = {m.start() for m in t.first.finditer(text)}
    for i, ch in enumerate(text):
        if ch in first and _FULL.match(text, i):
            assert i in visited, (text, i)
