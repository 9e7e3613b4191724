"""Bench inputs cut from the shared news corpus: extract --jsonl lines and seed dumps."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

CORPUS = Path("/work/shared/corpus/dtels-news-10k.jsonl.gz")
ATTRIBUTION = "DTELS news 10k (CC BY-NC-SA)"


def read_lines(n: int, corpus: Path = CORPUS) -> list[str]:
    """The first n raw JSON lines of the corpus, newline included."""
    out: list[str] = []
    with gzip.open(corpus, "rt", encoding="utf-8") as fh:
        for line in fh:
            if len(out) >= n:
                break
            if line.strip():
                out.append(line if line.endswith("\n") else line + "\n")
    if len(out) < n:
        raise SystemExit(f"{corpus} has only {len(out)} articles, the bench needs {n}")
    return out


def lines_by_id(ids: set[str], corpus: Path = CORPUS) -> dict[str, str]:
    """The raw JSON lines (newline included) of the articles `ids` names, by doc_id, in the
    corpus's order; every one must be there."""
    found: dict[str, str] = {}
    with gzip.open(corpus, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.strip() and (doc_id := json.loads(line)["doc_id"]) in ids:
                found[doc_id] = line if line.endswith("\n") else line + "\n"
    if missing := ids - set(found):
        raise SystemExit(f"{corpus} lacks {len(missing)} of the {len(ids)} articles wanted, e.g. {sorted(missing)[:3]}")
    return found


def content_chars(lines: list[str]) -> int:
    return sum(len(json.loads(line)["content"]) for line in lines)


def write_extract_input(lines: list[str], target: Path) -> int:
    """`{"id","text","reference"}` lines as `timeline extract --jsonl` reads; returns chars."""
    chars = 0
    with target.open("w", encoding="utf-8") as out:
        for line in lines:
            rec = json.loads(line)
            chars += len(rec["content"])
            out.write(json.dumps({"id": rec["doc_id"], "text": rec["content"],
                                  "reference": rec.get("published_at")}, ensure_ascii=False) + "\n")
    return chars


def write_dump(lines: list[str], seeds: Path, name: str = "dump.jsonl.gz") -> Path:
    """A fresh seeds folder holding one gzipped JSONL dump of these lines."""
    seeds.mkdir(parents=True, exist_ok=True)
    path = seeds / name
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as out:
        out.writelines(lines)
    return path


def edit_share(lines: list[str], every: int = 100) -> tuple[list[str], int]:
    """The same lines with the content of every `every`-th article changed (1% by default).

    The edit is a dated sentence appended to the body, as a correction notice would be, so
    the changed articles also change what the extractors find.
    """
    out, changed = [], 0
    for i, line in enumerate(lines):
        if i % every == every - 1:
            rec = json.loads(line)
            rec["content"] += "\n（更正：本文于2021年3月1日上午10时更新。）"
            line = json.dumps(rec, ensure_ascii=False) + "\n"
            changed += 1
        out.append(line)
    return out, changed


def scaled_lines(n: int, corpus: Path = CORPUS) -> Iterator[str]:
    """n articles for runs at scale: the corpus over and over, each copy's doc ids suffixed
    (-c1, -c2, ...) so every line is a document of its own. Streamed: only the corpus's
    own lines are held, never the n."""
    with gzip.open(corpus, "rt", encoding="utf-8") as fh:
        base = [line if line.endswith("\n") else line + "\n" for line in fh if line.strip()]
    for i in range(n):
        copy, line = divmod(i, len(base))
        if not copy:
            yield base[line]
            continue
        rec = json.loads(base[line])
        rec["doc_id"] = f"{rec['doc_id']}-c{copy}"
        yield json.dumps(rec, ensure_ascii=False) + "\n"
