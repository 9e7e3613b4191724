"""Reading articles: files in the seeds folder and JSONL news dumps.

Everything here either returns a `Document` or a `Rejection` with a reason a person can
read. Nothing raises on bad input: a pipeline on a schedule must not stop at one bad file.
"""

from __future__ import annotations

import errno
import gzip
import hashlib
import io
import json
import os
import re
import stat
import unicodedata
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TypeVar

from pipelines.core.model import Document, Rejection

ARTICLE_SUFFIXES = (".txt",)
DUMP_SUFFIXES = (".jsonl", ".jsonl.gz")
DEFAULT_MAX_BYTES = 20 * 1024 * 1024  # a single article above this is a dump or junk
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_FALLBACK_ENCODINGS = ("gb18030", "big5hkscs", "big5")
T = TypeVar("T")


class UndecodableError(ValueError):
    """Bytes that are not text in any encoding we accept."""


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


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


def _cjk_share(text: str) -> float:
    """Share of characters a Chinese article is made of: ideographs, CJK and ASCII punctuation."""
    if not text:
        return 0.0
    good = 0
    for ch in text:
        o = ord(ch)
        if (0x4E00 <= o <= 0x9FFF or 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFFEF
                or 0x20 <= o < 0x7F or ch in "\n\r\t\u2014\u2026\u201c\u201d\u2018\u2019\u00b7\u2219"):
            good += 1
    return good / len(text)


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """Pure-CJK UTF-16 has no zero bytes to give it away; judge by what it decodes to.

    GB18030 or Big5 bytes read as UTF-16 hit lone surrogates, private-use and Hangul or Yi
    code points, so requiring nine in ten characters to be Chinese text keeps them out.
    """
    if len(data) % 2 or len(data) < 4:
        return None
    best: tuple[float, str, str] | None = None
    for name in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        share = _cjk_share(text[:4096])
        if share >= 0.9 and (best is None or share > best[0]):
            best = (share, text, name)
    return (best[1], best[2]) if best else None


def _text_quality(text: str) -> float:
    """Share of characters that are ordinary text rather than controls or unassigned."""
    if not text:
        return 1.0  # nothing is not binary; the article reader calls it "no body"
    # Only characters outside the common ranges (all assigned, none controls) are judged
    # one by one: a loop over every character was a third of the time of reading a folder
    # of small articles.
    rare = _COMMON_TEXT.sub("", text)
    bad = sum(n for ch, n in Counter(rare).items() if _is_binary_char(ch))
    return 1.0 - bad / len(text)


_COMMON_TEXT = re.compile("[\n\r\t\x20-\x7e\u3000-\u303f\u4e00-\u9fff\uff01-\uff5e]+")


def _is_binary_char(ch: str) -> bool:
    if ch in "\n\r\t":
        return False
    return ch == "\ufffd" or unicodedata.category(ch) in ("Cc", "Cn", "Co", "Cs")


# A UTF-8 file with a few broken bytes (a truncated download, one bad sector) is still a
# UTF-8 article; guessing another encoding for it would turn all of it into mojibake.
_MAX_BAD_UTF8_SHARE = 0.002


def _mostly_utf8(data: bytes) -> tuple[str, str] | None:
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode())
    # One stray byte inside a character costs up to three replacements; GB18030 or Big5
    # read as UTF-8 costs one or two per character, so the share tells them apart.
    if bad <= 0 or bad > max(8, len(text) * _MAX_BAD_UTF8_SHARE) or bad * 20 > len(text):
        return None
    plural = "s" if bad > 1 else ""
    return text, f"utf-8 ({bad} invalid byte sequence{plural} replaced)"


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode article bytes; return (text with "\\n" newlines, encoding name).

    Raises UndecodableError (and nothing else) for bytes that are not text.
    """
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
    if text is None and (found := _utf16_without_bom(data)):
        text, encoding = found
    if text is None and (found := _mostly_utf8(data)):
        text, encoding = found
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


@dataclass(frozen=True, slots=True)
class _HeaderTable:
    labels: dict[str, str]
    pair: re.Pattern[str]
    times: list[re.Pattern[str]]
    years: tuple[int, int]
    roles: re.Pattern[str]
    not_names: frozenset[str]


@cache
def _header_table() -> _HeaderTable:
    table = json.loads(
        resources.files("pipelines.core").joinpath("header_fields.json").read_text("utf-8")
    )
    labels: dict[str, str] = table["labels"]
    alternation = "|".join(sorted(map(re.escape, labels), key=len, reverse=True))
    roles = "|".join(sorted(map(re.escape, table["byline_roles"]), key=len, reverse=True))
    lo, hi = table["publication_years"]
    return _HeaderTable(
        labels=labels,
        pair=re.compile(rf"({alternation})\s*[:：]\s*"),
        times=[re.compile(p) for p in table["publication_time_patterns"]],
        years=(int(lo), int(hi)),
        roles=re.compile(rf"^(?:{roles})(?:\s*[:：]\s*|\s+|$)"),
        not_names=frozenset(table["byline_not_names"]),
    )


_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９：－／．", "0123456789:-/.")
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")


def parse_publication_time(value: str) -> datetime | None:
    """A header date such as 2020-12-16 10:38:18, 2020年12月16日 or 2020/12/16.

    Never guesses: a date without a year, a relative one (3天前) or an impossible one
    (2021年2月30日) is None, so the article is flagged instead of dated wrongly.
    """
    value = value.translate(_FULLWIDTH_DIGITS)
    table = _header_table()
    lo, hi = table.years
    for pattern in table.times:
        m = pattern.search(value)
        if not m:
            continue
        parts = {k: int(v) for k, v in m.groupdict().items() if v is not None}
        if not lo <= parts["y"] <= hi:
            return None
        try:
            return datetime(
                parts["y"], parts["m"], parts["d"], parts.get("H", 0), parts.get("M", 0),
                parts.get("S", 0),
            )
        except ValueError:
            return None  # 2021-02-30 in a header is an absurd date, not a publication time
    # dateparser fills missing parts from today's date; without a four-digit year in the
    # text there is nothing it could read that is not a guess.
    if len(value) > 100 or not any(lo <= int(y) <= hi for y in _YEAR.findall(value)):
        return None
    import dateparser  # slow to import; only for header dates our patterns do not cover

    try:
        parsed = dateparser.parse(
            value, languages=["zh", "en"],
            settings={"STRICT_PARSING": True, "REQUIRE_PARTS": ["year", "month", "day"]},
        )
    except Exception:  # dateparser raises assorted errors on odd input
        return None
    if parsed is None or not lo <= parsed.year <= hi:
        return None
    return parsed.replace(tzinfo=None)


def _is_bare_date(line: str) -> bool:
    """A header line that is only a date and time, e.g. '2020年12月16日 10:38'."""
    line = line.translate(_FULLWIDTH_DIGITS).strip()
    return len(line) <= 40 and any(p.fullmatch(line) for p in _header_table().times)


# Separators some sites put between header fields, e.g. 來源：新華網 | 2020-12-16 or 【來源：X】.
_VALUE_TRIM = " \t\u3000|｜【】[]"


def parse_header_line(line: str) -> dict[str, str]:
    """Fields of one header line: {'source': '中國網', 'published_at': '2020-12-16 10:38:18', ...}.

    Labels come from header_fields.json. A date before the first label, or a line that is
    only a date, is the publication time.
    """
    table = _header_table()
    found = list(table.pair.finditer(line))
    fields: dict[str, str] = {}
    for i, m in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(line)
        fields.setdefault(table.labels[m.group(1)], line[m.end() : end].strip(_VALUE_TRIM))
    lead = (line[: found[0].start()] if found else line).strip(_VALUE_TRIM)
    if "published_at" not in fields and lead and _is_bare_date(lead):
        fields["published_at"] = lead
    return fields


def parse_byline(body: str) -> tuple[str, ...]:
    """Reporters named in parentheses at the end of the body: （蔣蜀均 杜雲） -> two names."""
    m = _BYLINE.search(body)
    if not m:
        return ()
    table = _header_table()
    inner = m.group(1).strip()
    if inner in table.not_names or any(ch.isdigit() for ch in inner):
        return ()
    names = []
    for chunk in _NAME_SPLIT.split(inner):
        while chunk and (r := table.roles.match(chunk)):
            chunk = chunk[r.end():]
        if chunk and chunk not in table.not_names:
            names.append(chunk)
    return tuple(names)


_BYLINE = re.compile(r"[（(]\s*([^()（）\n]{2,40}?)\s*[)）]\s*$")
_NAME_SPLIT = re.compile(r"[\s、,，/；;]+")


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
    if body_line is None:
        body_start = 0
    else:  # a header on the last line, without a newline after it, leaves no body at all
        body_start = offsets[body_line] if body_line < len(offsets) else len(text)
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
            flags.append(f"unparseable publication time: {raw_time[:40]}")
    if published_at is None:
        flags.append("no_publication_time")
    authors: tuple[str, ...] = ()
    if fields.get("authors"):
        authors = tuple(a for a in _NAME_SPLIT.split(fields["authors"]) if a)
    else:
        authors = parse_byline(body)
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


def _read_bounded(path: Path, max_bytes: int) -> bytes | str:
    """The bytes of a regular file, or why not: never follows a symlink, never blocks on a
    FIFO, and never reads more than max_bytes + 1 bytes whatever the file's size."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symlink replaced the file while it was being read"
        if exc.errno == errno.ENOENT:
            return "vanished: the file was deleted before it could be read"
        return f"unreadable: {exc.strerror or exc}"
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):  # before fdopen, which raises on a directory
        os.close(fd)
        return f"not a regular file ({_file_kind(info.st_mode)})"
    with os.fdopen(fd, "rb") as handle:
        if info.st_size > max_bytes:
            return f"too large: {info.st_size:,} bytes, over the {max_bytes:,}-byte limit for one article"
        try:
            data = handle.read(max_bytes + 1)  # the file may have grown since fstat
        except OSError as exc:
            return f"unreadable: {exc.strerror or exc}"
    if len(data) > max_bytes:
        return f"too large: over the {max_bytes:,}-byte limit for one article"
    return data


def read_article_file(
    path: Path, seeds_root: Path, max_bytes: int = DEFAULT_MAX_BYTES
) -> Document | Rejection:
    """Read one article file. Never raises; never reads a file that leads outside seeds_root."""
    root = seeds_root.resolve()
    rel = seed_name(path, seeds_root)
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop on Python 3.11
        return Rejection(rel, shown(f"unresolvable path: {exc}"))
    if path.is_symlink() and not _inside(resolved, root):
        return Rejection(rel, f"symlink leads outside the seeds folder (to {shown(resolved)})")
    if not _inside(resolved, root):
        return Rejection(rel, "path leads outside the seeds folder")
    data = _read_bounded(resolved, max_bytes)
    if isinstance(data, str):
        return Rejection(rel, data)
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


def _open_dump(path: Path) -> io.BufferedIOBase:
    # Bytes, decoded line by line: one line that is not UTF-8 is one refused line, not the
    # end of the dump.
    return gzip.open(path, "rb") if path.name.endswith(".gz") else path.open("rb")  # noqa: SIM115 - returned open


def dump_lines(
    path: Path, seeds_root: Path, max_line_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[tuple[int, bytes] | Rejection]:
    """The raw lines of a JSONL dump, numbered from 1, not yet decoded or parsed.

    Memory stays bounded by the longest accepted line: a line over max_line_bytes is
    quarantined and skipped in chunks, never held whole.
    """
    rel = seed_name(path, seeds_root)
    root = seeds_root.resolve()
    try:
        resolved = path.resolve()
        regular = stat.S_ISREG(resolved.stat().st_mode)
    except (OSError, RuntimeError) as exc:
        yield Rejection(rel, shown(f"unreadable: {exc}"))
        return
    if not _inside(resolved, root):
        yield Rejection(rel, "path leads outside the seeds folder")
        return
    if not regular:  # opening a FIFO would block the run forever
        yield Rejection(rel, "not a regular file")
        return
    try:
        handle = _open_dump(resolved)
    except OSError as exc:
        yield Rejection(rel, f"unreadable: {exc.strerror or exc}")
        return
    line_no = 0
    with handle:
        while True:
            line_no += 1
            where = f"{rel}:{line_no}"
            try:
                raw = handle.readline(max_line_bytes + 1)
                if len(raw) > max_line_bytes and not raw.endswith(b"\n"):
                    while (rest := handle.readline(1 << 20)) and not rest.endswith(b"\n"):
                        pass
                    yield Rejection(where, f"too large: dump line over {max_line_bytes:,} bytes")
                    continue
            except (OSError, EOFError, gzip.BadGzipFile, zlib.error) as exc:
                yield Rejection(where, shown(f"dump unreadable from this line on: {exc}"))
                return
            if not raw:
                return
            yield line_no, raw


def dump_line_record(raw: bytes, rel: str, line_no: int) -> Document | Rejection | None:
    """One raw dump line as a document, a rejection, or None for a blank line."""
    where = f"{rel}:{line_no}"
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Rejection(where, f"not UTF-8 text: {exc.reason} at byte {exc.start} of the line")
    if not line.strip():
        return None
    return _dump_record(line, where, rel, line_no)


def iter_dump(
    path: Path, seeds_root: Path, max_line_bytes: int = DEFAULT_MAX_BYTES,
    known: Callable[[int, bytes], T | None] | None = None,
) -> Iterator[Document | Rejection | T]:
    """Stream a JSONL dump: one article per line, keeping each line's own doc_id.

    `known(line_no, raw)` may answer for a line before it is decoded and parsed (a line
    whose bytes were read before): what it returns is yielded instead of a document.
    """
    rel = seed_name(path, seeds_root)
    for item in dump_lines(path, seeds_root, max_line_bytes):
        if isinstance(item, Rejection):
            yield item
            continue
        line_no, raw = item
        if known is not None and (answer := known(line_no, raw)) is not None:
            yield answer
        elif (record := dump_line_record(raw, rel, line_no)) is not None:
            yield record


# What a dump line's identity (doc_id, content hash) is computed from: a cache of line
# bytes -> identity is valid only for the same version of it.
DUMP_IDENTITY_VERSION = 1


def _dump_record(line: str, where: str, rel: str, line_no: int) -> Document | Rejection:
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
    try:  # json.loads accepts "\ud800", but no store can hold a lone surrogate
        chash = content_hash(identity + str(doc_id))
    except UnicodeEncodeError as exc:
        return Rejection(where, f"unencodable text: {exc.object[exc.start:exc.end]!r} at character "
                                f"{exc.start} is a lone surrogate, which no Unicode encoding can store")
    return Document(
        doc_id=str(doc_id),
        path=rel,
        text=text,
        content_hash=chash,
        line=line_no,
        title=title,
        source=source,
        published_at=published_at,
        body_start=0,
        script=detect_script(text[:2000]),
        flags=() if published_at else ("no_publication_time",),
    )


def _file_kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device")):
        if test(mode):
            return name
    return "not a file"


def _walk(folder: Path, out: list[Path]) -> None:
    """Every entry under folder but the folders themselves, without following links.

    Hidden entries and folders that cannot be listed are kept (not entered), so each is
    judged and named in a refusal instead of silently skipped.
    """
    try:
        with os.scandir(folder) as entries:
            listed = sorted(entries, key=lambda e: e.name)
    except OSError:
        out.append(folder)
        return
    for entry in listed:
        try:
            into = entry.is_dir(follow_symlinks=False) and not entry.name.startswith(".")
        except OSError:
            into = False
        if into:
            _walk(Path(entry.path), out)
        else:
            out.append(Path(entry.path))


def list_seed_files(seeds_root: Path) -> list[Path]:
    """Every entry of the seeds folder a run must judge: files, links, hidden and special
    entries, unlistable folders. Folder links are never followed, so a loop ends here."""
    if not seeds_root.is_dir():
        return []
    out: list[Path] = []
    _walk(seeds_root, out)
    return out


def shown(text: str | Path) -> str:
    """A file name or message as storable text: bytes that are not UTF-8 become \\xNN."""
    return os.fsencode(text).decode("utf-8", "backslashreplace")


def seed_name(path: Path, seeds_root: Path) -> str:
    """The entry's path relative to the folder, as storable text: bytes of a name that is not
    UTF-8 are shown as \\xNN (the name itself cannot be a key in the log or Dagster)."""
    return shown(_relative_name(path, seeds_root))


def seed_entries(seeds_root: Path) -> dict[str, Path]:
    """seed_name -> path for every entry of the folder."""
    return {seed_name(p, seeds_root): p for p in list_seed_files(seeds_root)}


def _refusal_of_entry(path: Path, name: str, seeds_root: Path) -> str | None:
    """Why an entry is not an article or a dump at all, before any byte of it is read."""
    if not _is_utf8(name):
        return "file name is not valid UTF-8: rename the file (its bytes are shown as \\xNN)"
    if any(part.startswith(".") for part in Path(name).parts):
        return "hidden: names starting with '.' are not read (editor and system files)"
    try:
        info = path.lstat()
    except FileNotFoundError:
        return "vanished: the file was deleted before it could be read"
    except OSError as exc:
        return f"unreadable: {exc.strerror or exc}"
    if stat.S_ISLNK(info.st_mode):
        try:
            target = path.stat()
        except FileNotFoundError:
            return f"broken symlink (to {shown(os.readlink(path))})"
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                return "symlink loop"
            return f"unreadable: {exc.strerror or exc}"
        resolved = path.resolve()
        if not _inside(resolved, seeds_root.resolve()):
            return f"symlink leads outside the seeds folder (to {shown(resolved)})"
        if stat.S_ISDIR(target.st_mode):
            return "symlink to a folder: not followed (a folder is read where it is, which also keeps loops out)"
        return None
    if stat.S_ISDIR(info.st_mode):
        return "folder that cannot be listed: permission denied or removed while listing"
    if not stat.S_ISREG(info.st_mode):
        return f"not a regular file ({_file_kind(info.st_mode)})"
    return None


def _is_utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # the surrogate escapes Python gives to bytes of other encodings
        return False
    return True


def read_seed_path(
    path: Path, seeds_root: Path, max_bytes: int = DEFAULT_MAX_BYTES,
    known: Callable[[int, bytes], T | None] | None = None,
) -> Iterator[Document | Rejection | T]:
    """Documents and rejections of one entry of the seeds folder, whatever its kind.

    `known` answers for dump lines read before (see `iter_dump`)."""
    raw = _relative_name(path, seeds_root)
    name = seed_name(path, seeds_root)
    if reason := _refusal_of_entry(path, raw, seeds_root):
        yield Rejection(name, reason)
    elif is_dump(path):
        yield from iter_dump(path, seeds_root, max_bytes, known)
    elif path.name.endswith(ARTICLE_SUFFIXES) or path.is_symlink():
        yield read_article_file(path, seeds_root, max_bytes)
    else:
        yield Rejection(name, "unsupported file type: expected .txt articles or .jsonl/.jsonl.gz dumps")
