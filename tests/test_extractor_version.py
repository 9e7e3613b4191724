"""The extractor's version follows the language core: a change to its rules, tables or code
makes another version (so warehouses re-derive their documents); bytecode does not."""

import shutil
from pathlib import Path

import pipelines.core.extract as extract
from pipelines.core.extract import EXTRACTOR_RELEASE, EXTRACTOR_VERSION, extractor_fingerprint

CORE = Path(extract.__file__).resolve().parent


def _copy_of_core(tmp_path: Path) -> Path:
    copy = tmp_path / "core"
    shutil.copytree(CORE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def test_version_is_the_release_and_the_core_digest():
    assert f"{EXTRACTOR_RELEASE}-{extractor_fingerprint()}" == EXTRACTOR_VERSION


def test_a_copy_of_the_core_has_the_same_digest(tmp_path):
    assert extractor_fingerprint(_copy_of_core(tmp_path)) == extractor_fingerprint()


def test_a_changed_table_changes_the_digest(tmp_path):
    copy = _copy_of_core(tmp_path)
    table = copy / "events" / "data" / "triggers.tsv"
    table.write_text(table.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert extractor_fingerprint(copy) != extractor_fingerprint()


def test_changed_code_and_a_new_table_change_the_digest(tmp_path):
    copy = _copy_of_core(tmp_path)
    before = extractor_fingerprint(copy)
    (copy / "timex" / "data" / "extra.tsv").write_text("# a new table\n", encoding="utf-8")
    with_table = extractor_fingerprint(copy)
    engine = copy / "events" / "engine.py"
    engine.write_text(engine.read_text(encoding="utf-8") + "\n# another rule\n", encoding="utf-8")
    assert len({before, with_table, extractor_fingerprint(copy)}) == 3


def test_bytecode_and_stray_files_do_not_change_the_digest(tmp_path):
    copy = _copy_of_core(tmp_path)
    before = extractor_fingerprint(copy)
    cache = copy / "events" / "__pycache__"
    cache.mkdir()
    (cache / "engine.cpython-311.pyc").write_bytes(b"\x00compiled")
    (copy / "model.pyc").write_bytes(b"\x00compiled")
    (copy / "events" / "data" / ".triggers.tsv.swp").write_bytes(b"\x00an editor's swap file")
    (copy / "timex" / "engine.py.orig").write_text("# a merge's leftover\n", encoding="utf-8")
    assert extractor_fingerprint(copy) == before
