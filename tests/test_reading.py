"""Reading articles: encodings, headers, quarantine. (Examples beside the code they test.)"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest

from pipelines.core.model import Document, Rejection
from pipelines.core.reading import (
    decode_bytes,
    parse_header_line,
    parse_publication_time,
    read_article_file,
    read_seed_path,
)

ROOT = Path(__file__).resolve().parents[1]
SEED_TEXT = (ROOT / "seeds" / "000_f909081cfa4b4b6d.txt").read_text("utf-8")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "gb18030", "big5hkscs"])
def test_encodings_decode_to_the_same_text(encoding):
    data = SEED_TEXT.encode(encoding, errors="xmlcharrefreplace")
    text, _ = decode_bytes(data)
    expected = data.decode(encoding)
    assert text == expected.lstrip("\ufeff")
    assert "7∙17" in text or "7&#8729;17" in text


def test_crlf_is_normalized():
    text, _ = decode_bytes(SEED_TEXT.replace("\n", "\r\n").encode("utf-8"))
    assert "\r" not in text and text == SEED_TEXT


@pytest.mark.parametrize("line, expected", [
    ("來源:中國網 時間:2020-12-16 10:38:18 編輯:蘇仁勝 點擊:",
     {"source": "中國網", "published_at": "2020-12-16 10:38:18", "editor": "蘇仁勝", "clicks": ""}),
    ("来源：新华网  发布时间：2020年12月16日 编辑：张三",
     {"source": "新华网", "published_at": "2020年12月16日", "editor": "张三"}),
    ("發布時間: 2020/12/16", {"published_at": "2020/12/16"}),
])
def test_header_lines(line, expected):
    assert parse_header_line(line) == expected


@pytest.mark.parametrize("raw, expected", [
    ("2020-12-16 10:38:18", datetime(2020, 12, 16, 10, 38, 18)),
    ("2020年12月16日", datetime(2020, 12, 16)),
    ("2020/12/16", datetime(2020, 12, 16)),
    ("２０２０－１２－１６", datetime(2020, 12, 16)),
    ("2021年2月30日", None),
])
def test_publication_times(raw, expected):
    assert parse_publication_time(raw) == expected


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_quarantine_reasons(tmp_path):
    cases = {
        "empty.txt": (b"", "empty"),
        "random.txt": (os.urandom(4096), "binary or undecodable"),
        "header_only.txt": ("標題\n\n來源:中國網 時間:2020-12-16 10:38:18\n".encode(), "no body"),
    }
    for name, (data, reason) in cases.items():
        result = read_article_file(_write(tmp_path, name, data), tmp_path)
        assert isinstance(result, Rejection), name
        assert reason in result.reason, (name, result.reason)


def test_symlink_outside_is_never_read(tmp_path):
    link = tmp_path / "passwd.txt"
    link.symlink_to("/etc/passwd")
    result = read_article_file(link, tmp_path)
    assert isinstance(result, Rejection)
    assert "outside the seeds folder" in result.reason


def test_size_limit(tmp_path):
    path = _write(tmp_path, "big.txt", ("標題\n" + "字" * 5000).encode())
    result = read_article_file(path, tmp_path, max_bytes=1000)
    assert isinstance(result, Rejection) and "too large" in result.reason


def test_article_without_publication_time_is_flagged(tmp_path):
    path = _write(tmp_path, "undated.txt", "標題\n今年5月以來，縣委召開會議。".encode())
    doc = read_article_file(path, tmp_path)
    assert isinstance(doc, Document)
    assert doc.published_at is None and "no_publication_time" in doc.flags


def test_dump_lines(tmp_path):
    lines = [
        '{"doc_id": "a", "title": "t", "published_at": "2021-02-23T08:48:00", "source": "s", "content": "今年5月召开会议。"}',
        "not json",
        '{"doc_id": "b", "content": ""}',
    ]
    path = _write(tmp_path, "dump.jsonl", "\n".join(lines).encode())
    items = list(read_seed_path(path, tmp_path))
    assert isinstance(items[0], Document) and items[0].doc_id == "a"
    assert items[0].published_at == datetime(2021, 2, 23, 8, 48)
    assert isinstance(items[1], Rejection) and items[1].path == "dump.jsonl:2"
    assert isinstance(items[2], Rejection) and "no body" in items[2].reason


def test_text_quality_judges_every_character_as_one_by_one():
    """The share of binary characters (controls, unassigned, private use, surrogates, the
    replacement character) is counted only for characters outside the common ranges; every
    code point of the BMP, and a sample of the planes above it, gives what a per-character
    judgement gives."""
    import unicodedata

    from pipelines.core.reading import _text_quality

    def one_by_one(text: str) -> float:
        bad = sum(1 for ch in text if ch not in "\n\r\t" and (
            ch == "\ufffd" or unicodedata.category(ch) in ("Cc", "Cn", "Co", "Cs")))
        return 1.0 - bad / len(text)

    for cp in [*range(0x10000), *range(0x10000, 0x110000, 97)]:
        text = f"年{chr(cp)}a\n"
        assert _text_quality(text) == one_by_one(text), hex(cp)
    assert _text_quality(SEED_TEXT) == one_by_one(SEED_TEXT) == 1.0
