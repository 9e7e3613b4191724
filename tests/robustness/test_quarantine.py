"""Bad input at the file level: every encoding we promise, and every way a file is refused."""

from __future__ import annotations

import gzip
import json
import os
import random
import tracemalloc
from pathlib import Path

import pytest

from pipelines.core.model import Document, Rejection
from pipelines.core.reading import (
    UndecodableError,
    decode_bytes,
    list_seed_files,
    read_article_file,
    read_seed_path,
)
from pipelines.core.script import to_simplified

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_f909081cfa4b4b6d.txt"
SEED_TEXT = SEED.read_text("utf-8")
SIMPLIFIED = to_simplified(SEED_TEXT)

ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32",
             "gb18030", "gbk", "big5", "big5hkscs", "cp950"]


@pytest.mark.parametrize("script", ["traditional", "simplified"])
@pytest.mark.parametrize("encoding", ENCODINGS)
def test_every_promised_encoding_decodes_to_the_written_text(encoding, script):
    text = SEED_TEXT if script == "traditional" else SIMPLIFIED
    data = text.encode(encoding, errors="xmlcharrefreplace")
    decoded, _ = decode_bytes(data)
    assert decoded == data.decode(encoding).lstrip("\ufeff")


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030", "big5hkscs", "utf-16"])
def test_crlf_and_cr_become_newlines(encoding):
    for newline in ("\r\n", "\r"):
        data = SEED_TEXT.replace("\n", newline).encode(encoding, errors="xmlcharrefreplace")
        decoded, _ = decode_bytes(data)
        assert "\r" not in decoded
        assert decoded == data.decode(encoding).replace(newline, "\n")


def test_a_few_broken_bytes_keep_an_article_utf8():
    data = SEED_TEXT.encode("utf-8")
    broken = data[:300] + b"\xff" + data[300:-2]  # one stray byte and a cut final character
    text, encoding = decode_bytes(broken)
    assert encoding.startswith("utf-8 (") and "replaced" in encoding
    assert text.startswith(SEED_TEXT[:90]) and "十三屆九次全會" in text


@pytest.mark.parametrize("data", [
    bytes(range(256)) * 16,
    b"\x00" * 4096,
    b"\x89PNG\r\n\x1a\n" + random.Random(1).randbytes(4000),
    b"\xff\xfe" + b"\x00\xd8" * 10,  # UTF-16 BOM, then lone surrogates
    b"PK\x03\x04" + random.Random(2).randbytes(2000),
])
def test_binary_is_undecodable(data):
    with pytest.raises(UndecodableError):
        decode_bytes(data)


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("name, data, reason", [
    ("empty.txt", b"", "empty file"),
    ("blank.txt", b" \n\r\n\t ", "empty file"),
    ("random.txt", random.Random(3).randbytes(4096), "binary or undecodable"),
    ("header_only.txt", "標題\n\n來源:中國網 時間:2020-12-16 10:38:18\n".encode(), "no body"),
    ("bom_only.txt", b"\xef\xbb\xbf", "no body"),
    ("bad_bom.txt", b"\xff\xfe\x00", "byte-order mark"),
])
def test_quarantine_reasons(tmp_path, name, data, reason):
    result = read_article_file(_write(tmp_path, name, data), tmp_path)
    assert isinstance(result, Rejection)
    assert reason in result.reason and result.path == name


def test_symlink_outside_and_dotdot_are_refused_without_reading(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("標題\n來源:中國網 時間:2020-12-16\n祕密內容。", "utf-8")
    (seeds / "passwd.txt").symlink_to("/etc/passwd")
    (seeds / "secret.txt").symlink_to(secret)
    (seeds / "dir").symlink_to(tmp_path)
    (seeds / "dump.jsonl").symlink_to("/etc/passwd")
    results = {p.name: list(read_seed_path(p, seeds)) for p in list_seed_files(seeds)}
    assert set(results) == {"passwd.txt", "secret.txt", "dir", "dump.jsonl"}
    for name, items in results.items():
        assert len(items) == 1 and isinstance(items[0], Rejection), name
        assert "outside the seeds folder" in items[0].reason, (name, items[0].reason)
        assert items[0].content_hash is None  # a hash would mean the target was read
    dotdot = read_article_file(seeds / ".." / "secret.txt", seeds)
    assert isinstance(dotdot, Rejection) and "outside the seeds folder" in dotdot.reason


def test_symlink_inside_the_folder_is_read(tmp_path):
    real = _write(tmp_path, "real.txt", SEED_TEXT.encode())
    (tmp_path / "alias.txt").symlink_to(real)
    doc = read_article_file(tmp_path / "alias.txt", tmp_path)
    assert isinstance(doc, Document) and doc.doc_id == "alias.txt"


def test_fifo_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "pipe.jsonl").symlink_to(tmp_path / "pipe.txt")
    for name in ("pipe.txt", "pipe.jsonl"):
        items = list(read_seed_path(tmp_path / name, tmp_path))
        assert isinstance(items[0], Rejection) and "not a regular file" in items[0].reason


def test_size_limit_is_decided_before_reading(tmp_path):
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as handle:  # sparse: 64 GB on paper, nothing on disk
        handle.truncate(64 * 1024**3)
    tracemalloc.start()
    try:
        result = read_article_file(huge, tmp_path)  # default limit: 20 MB
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert isinstance(result, Rejection) and "too large" in result.reason
    assert peak < 1024 * 1024, peak  # not even the limit's worth of bytes was read


def test_size_limit_is_configurable(tmp_path):
    path = _write(tmp_path, "big.txt", ("標題\n" + "字" * 5000).encode())
    assert isinstance(read_article_file(path, tmp_path, max_bytes=100_000), Document)
    result = read_article_file(path, tmp_path, max_bytes=1000)
    assert isinstance(result, Rejection) and "too large" in result.reason and "1,000" in result.reason


def test_oversized_dump_line_is_skipped_in_bounded_memory(tmp_path):
    good = {"doc_id": "ok", "published_at": "2020-12-16", "content": "今年5月召開會議。"}
    big = {"doc_id": "big", "content": "字" * 3_000_000}
    lines = [json.dumps(good, ensure_ascii=False), json.dumps(big, ensure_ascii=False),
             json.dumps({**good, "doc_id": "ok2"}, ensure_ascii=False)]
    path = tmp_path / "dump.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    tracemalloc.start()
    try:
        items = list(read_seed_path(path, tmp_path, max_bytes=100_000))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [type(i).__name__ for i in items] == ["Document", "Rejection", "Document"]
    assert items[1].path == "dump.jsonl.gz:2" and "too large" in items[1].reason
    assert [items[0].doc_id, items[2].doc_id] == ["ok", "ok2"]
    assert peak < 8 * 1024 * 1024, peak  # the 9 MB line was never held whole


def test_truncated_gzip_dump_keeps_what_it_read(tmp_path):
    rows = [{"doc_id": str(i), "content": f"第{i}篇。" * 50} for i in range(200)]
    blob = gzip.compress("\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode())
    path = _write(tmp_path, "cut.jsonl.gz", blob[: len(blob) // 2])
    items = list(read_seed_path(path, tmp_path))
    docs = [i for i in items if isinstance(i, Document)]
    assert docs and len(docs) < 200
    assert isinstance(items[-1], Rejection) and "unreadable" in items[-1].reason


def test_undated_article_is_ingested_and_flagged(tmp_path):
    path = _write(tmp_path, "undated.txt", "標題\n今年5月以來，縣委召開會議。".encode())
    doc = read_article_file(path, tmp_path)
    assert isinstance(doc, Document)
    assert doc.published_at is None and doc.flags == ("no_publication_time",)
