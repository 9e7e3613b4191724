"""A partition's scan reads its one file where it is named, and gives what a scan of the
whole folder gives for that name (links to folders are not followed either way)."""

from pathlib import Path

from pipelines.store.ingest import scan_seeds, seed_paths

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_f909081cfa4b4b6d.txt"


def test_one_named_file_reads_as_in_the_whole_folder(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.txt").write_text(SEED.read_text("utf-8"), "utf-8")
    (tmp_path / "b").symlink_to(tmp_path / "a", target_is_directory=True)
    whole = scan_seeds(tmp_path)
    one = scan_seeds(tmp_path, ["a/x.txt"])
    assert [d.doc_id for d in one.docs] == [d.doc_id for d in whole.docs if d.path == "a/x.txt"]
    # through the linked folder: not an entry of the listing, so nothing is read there
    assert "b/x.txt" not in seed_paths(tmp_path)
    assert scan_seeds(tmp_path, ["b/x.txt"]).docs == []
    assert scan_seeds(tmp_path, ["gone.txt"]).docs == []  # a deleted file yields nothing
