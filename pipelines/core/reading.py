"""Reading articles: files in the seeds folder and JSONL news dumps.

Everything here either returns a `Document` or a `Rejection` with a reason a person can
read. Nothing raises on bad input: a pipeline on a schedule must not stop at one bad file.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
import unicodedata
from collections.abc import Iterator
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path

from pipelines.core.model import Document, Rejection

ARTICLE_SUFFIXES = (".txt",)
DUMP_SUFFIXES = (".jsonl", ".jsonl.gz")
DEFAULT_MAX_BYTES = 20 * 1024 * 1024  # a single article above this is a dump or junk
DEFAULT_MAX_DUMP_BYTES = 4 * 1024 * 1024 * 1024
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_FALLBACK_ENCODINGS = ("gb18030", "big5hkscs", "big5")


class UndecodableError(ValueError):
    """Bytes that are not text in any encoding we accept."""


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def is_seed_file(path: Path) -> bool:
    name = path.name
    return not name.startswith(".") and (
        name.endswith(ARTICLE_SUFFIXES) or name.endswith(DUMP_SUFFIXES)
    )


def is_dump(path: Path | str) -> bool:
    return str(path).endswith(DUMP_SUFFIXES)


# ---------------------------------------------------------------- decoding


def _looks_like_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: every other byte of ASCII and CJK text is often zero."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even_zero = sample[0::2].count(0) / max(len(sample[0::2]), 1)
    odd_zero = sample[1::2].count(0) / max(len(sample[1::2]), 1)
    if odd_zero > 0.3 and even_zero < 0.05:
        return "utf-16-le"
    if even_zero > 0.3 and odd_zero < 0.05:
        return "utf-16-be"
    return None


def _text_quality(text: str) -> float:
    """Share of characters that are ordinary text rather than controls or unassigned."""
    if not text:
        return 0.0
    bad = 0
    for ch in text:
        if ch in "\n\r\t":
            continue
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cn", "Co", "Cs") or ch == "\ufffd":
            bad += 1
    return 1.0 - bad / len(text)


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode article bytes; return (text with "\\n" newlines, encoding name)."""
    encoding: str | None = None
    text: str | None = None
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                text, encoding = data.decode(name), name
            except UnicodeDecodeError as exc:
                raise UndecodableError(f"has a {name} byte-order mark but is not {name}") from exc
            break
    if text is None and (guess := _looks_like_utf16(data)):
        try:
            text, encoding = data.decode(guess), guess
        except UnicodeDecodeError:
            text = None
    if text is None:
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text = None
    if text is None and b"\x00" not in data:
        import charset_normalizer  # imported here: most files are UTF-8 and never need it

        best = charset_normalizer.from_bytes(data).best()
        if best is not None and best.encoding:
            text, encoding = str(best), best.encoding
        else:
            for name in _FALLBACK_ENCODINGS:
                try:
                    text, encoding = data.decode(name), name
                    break
                except UnicodeDecodeError:
                    continue
    if text is None or encoding is None:
        raise UndecodableError("binary or undecodable: not UTF-8, UTF-16, GB18030 or Big5 text")
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if _text_quality(text) < 0.97:
        raise UndecodableError(
            f"binary or undecodable: decoded as {encoding} but contains control or unassigned characters"
        )
    return text, encoding


# ---------------------------------------------------------------- header


@cache
def _header_table() -> tuple[dict[str, str], re.Pattern[str], list[re.Pattern[str]]]:
    table = json.loads(
        resources.files("pipelines.core").joinpath("header_fields.json").read_text("utf-8")
    )
    labels: dict[str, str] = table["labels"]
    alternation = "|".join(sorted(map(re.escape, labels), key=len, reverse=True))
    pair = re.compile(rf"({alternation})\s*[:：]\s*")
    times = [re.compile(p) for p in table["publication_time_patterns"]]
    return labels, pair, times


_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９：－／．", "0123456789:-/.")


def parse_publication_time(value: str) -> datetime | None:
    """A header date such as 2020-12-16 10:38:18, 2020年12月16日 or 2020/12/16."""
    value = value.translate(_FULLWIDTH_DIGITS)
    _, _, patterns = _header_table()
    for pattern in patterns:
        m = pattern.search(value)
        if not m:
            continue
        parts = {k: int(v) for k, v in m.groupdict().items() if v is not None}
        try:
            return datetime(
                parts["y"], parts["m"], parts["d"], parts.get("H", 0), parts.get("M", 0),
                parts.get("S", 0),
            )
        except ValueError:
            return None  # 2021-02-30 in a header is an absurd date, not a publication time
    import dateparser  # slow to import; only for header dates our patterns do not cover

    try:
        parsed = dateparser.parse(
            value, languages=["zh"], settings={"STRICT_PARSING": True, "REQUIRE_PARTS": ["year"]}
        )
    except Exception:  # dateparser raises assorted errors on odd input
        return None
    return parsed.replace(tzinfo=None) if parsed else None


def parse_header_line(line: str) -> dict[str, str]:
    """Fields of one header line: {'source': '中國網', 'published_at': '2020-12-16 10:38:18', ...}."""
    labels, pair, _ = _header_table()
    found = list(pair.finditer(line))
    fields: dict[str, str] = {}
    for i, m in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(line)
        fields.setdefault(labels[m.group(1)], line[m.end() : end].strip())
    return fields


_BYLINE = re.compile(r"[（(]\s*([^()（）\n]{2,40}?)\s*[)）]\s*$")
_NAME_SPLIT = re.compile(r"[\s、,，/]+")


def parse_article(text: str, doc_id: str, path: str, encoding: str = "utf-8") -> Document | Rejection:
    """Split a decoded article into title, header fields and body."""
    from pipelines.core.script import detect_script

    lines = text.split("\n")
    offsets = []
    pos = 0
    for line in lines:
        offsets.append(pos)
        pos += len(line) + 1
    title: str | None = None
    fields: dict[str, str] = {}
    body_line = None
    for i, line in enumerate(lines[:8]):
        stripped = line.strip()
        if not stripped:
            continue
        parsed = parse_header_line(stripped)
        if parsed and (len(parsed) >= 2 or "published_at" in parsed or "source" in parsed):
            fields.update({k: v for k, v in parsed.items() if k not in fields})
            body_line = i + 1
            continue
        if title is None and body_line is None and len(stripped) <= 80:
            title = stripped
            body_line = i + 1
            continue
        break
    body_start = offsets[body_line] if body_line is not None and body_line < len(offsets) else 0
    if body_line is None:
        body_start = 0
    body = text[body_start:].strip()
    if not body:
        return Rejection(path, "no body: the file has a title or header but no article text",
                         content_hash(text), doc_id)
    # skip blank lines so evidence offsets start on text
    while body_start < len(text) and text[body_start] in "\n \t\u3000":
        body_start += 1
    published_at = None
    flags: list[str] = []
    if raw_time := fields.get("published_at"):
        published_at = parse_publication_time(raw_time)
        if published_at is None:
            flags.append(f"unparseable publication time: {raw_time}")
    if published_at is None:
        flags.append("no_publication_time")
    authors: tuple[str, ...] = ()
    if fields.get("authors"):
        authors = tuple(a for a in _NAME_SPLIT.split(fields["authors"]) if a)
    elif m := _BYLINE.search(body):
        authors = tuple(a for a in _NAME_SPLIT.split(m.group(1)) if a)
    return Document(
        doc_id=doc_id,
        path=path,
        text=text,
        content_hash=content_hash(text),
        title=title,
        source=fields.get("source") or None,
        published_at=published_at,
        editor=fields.get("editor") or None,
        authors=authors,
        body_start=body_start,
        encoding=encoding,
        script=detect_script(text[:2000]),
        flags=tuple(flags),
    )


# ---------------------------------------------------------------- files


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def read_article_file(
    path: Path, seeds_root: Path, max_bytes: int = DEFAULT_MAX_BYTES
) -> Document | Rejection:
    """Read one article file. Never raises; never reads a file that leads outside seeds_root."""
    root = seeds_root.resolve()
    rel = _relative_name(path, seeds_root)
    try:
        resolved = path.resolve()
        if path.is_symlink() and not _inside(resolved, root):
            return Rejection(rel, f"symlink leads outside the seeds folder (to {resolved})")
        if not _inside(resolved, root):
            return Rejection(rel, "path leads outside the seeds folder")
        if not resolved.is_file():
            return Rejection(rel, "not a regular file")
        with resolved.open("rb") as handle:
            data = handle.read(max_bytes + 1)  # never more than the limit into memory
    except OSError as exc:
        return Rejection(rel, f"unreadable: {exc.strerror or exc}")
    if len(data) > max_bytes:
        return Rejection(rel, f"too large: over the {max_bytes:,}-byte limit for one article")
    if not data.strip():
        return Rejection(rel, "empty file", hashlib.sha256(data).hexdigest())
    try:
        text, encoding = decode_bytes(data)
    except UndecodableError as exc:
        return Rejection(rel, str(exc), hashlib.sha256(data).hexdigest())
    return parse_article(text, doc_id=rel, path=rel, encoding=encoding)


def _relative_name(path: Path, seeds_root: Path) -> str:
    try:
        return path.relative_to(seeds_root).as_posix()
    except ValueError:
        return path.as_posix()


def _open_dump(path: Path) -> io.TextIOBase:
    raw = gzip.open(path, "rb") if path.name.endswith(".gz") else path.open("rb")  # noqa: SIM115 - returned open
    return io.TextIOWrapper(raw, encoding="utf-8", errors="strict", newline="\n")


def iter_dump(path: Path, seeds_root: Path) -> Iterator[Document | Rejection]:
    """Stream a JSONL dump: one article per line, keeping each line's own doc_id."""
    rel = _relative_name(path, seeds_root)
    root = seeds_root.resolve()
    if not _inside(path.resolve(), root):
        yield Rejection(rel, "path leads outside the seeds folder")
        return
    try:
        handle = _open_dump(path)
    except OSError as exc:
        yield Rejection(rel, f"unreadable: {exc.strerror or exc}")
        return
    line_no = 0
    with handle:
        while True:
            line_no += 1
            where = f"{rel}:{line_no}"
            try:
                line = handle.readline()
            except (UnicodeDecodeError, OSError, EOFError, gzip.BadGzipFile) as exc:
                yield Rejection(where, f"dump unreadable from this line on: {exc}")
                return
            if not line:
                return
            if not line.strip():
                continue
            yield _dump_record(line, where, rel)


def _dump_record(line: str, where: str, rel: str) -> Document | Rejection:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return Rejection(where, f"bad JSON line: {exc.msg}")
    if not isinstance(record, dict):
        return Rejection(where, "bad JSON line: not an object")
    doc_id = record.get("doc_id")
    content = record.get("content")
    if not isinstance(doc_id, str | int) or not str(doc_id).strip():
        return Rejection(where, "dump line has no doc_id")
    if not isinstance(content, str) or not content.strip():
        return Rejection(where, "no body: dump line has no content", doc_id=str(doc_id))
    from pipelines.core.script import detect_script

    text = content.replace("\r\n", "\n").replace("\r", "\n")
    published_raw = record.get("published_at")
    published_at = parse_publication_time(str(published_raw)) if published_raw else None
    title = record.get("title") if isinstance(record.get("title"), str) else None
    source = record.get("source") if isinstance(record.get("source"), str) else None
    identity = json.dumps([title, published_raw, source, text], ensure_ascii=False)
    return Document(
        doc_id=str(doc_id),
        path=rel,
        text=text,
        content_hash=content_hash(identity),
        title=title,
        source=source,
        published_at=published_at,
        body_start=0,
        script=detect_script(text[:2000]),
        flags=() if published_at else ("no_publication_time",),
    )


def list_seed_files(seeds_root: Path) -> list[Path]:
    """Every candidate file under the seeds folder (symlinks included, so they are judged)."""
    if not seeds_root.is_dir():
        return []
    return sorted(p for p in seeds_root.rglob("*") if not p.name.startswith(".") and
                  (p.is_file() or p.is_symlink()))


def read_seed_path(
    path: Path, seeds_root: Path, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[Document | Rejection]:
    """Documents and rejections of one file in the seeds folder, whatever its kind."""
    if is_dump(path) and not path.is_symlink():
        yield from iter_dump(path, seeds_root)
    elif path.name.endswith(ARTICLE_SUFFIXES) or path.is_symlink():
        yield read_article_file(path, seeds_root, max_bytes)
    else:
        yield Rejection(
            _relative_name(path, seeds_root),
            "unsupported file type: expected .txt articles or .jsonl/.jsonl.gz dumps",
        )
