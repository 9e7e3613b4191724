"""Peer time taggers behind the same interface as `timeline extract --jsonl`.

    python -m bench.peers jionlp < input.jsonl > output.jsonl
    python -m bench.peers dateparser < input.jsonl > output.jsonl

Each reads `{"id","text","reference"}` lines and writes `{"id","mentions":[...]}` lines,
so the bench times whole processes doing the same work: import, parse input, tag, write.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
from collections.abc import Callable
from datetime import datetime
from typing import TextIO


def _jionlp() -> Callable[[str, datetime | None], list[dict]]:
    import jionlp as jio

    def tag(text: str, ref: datetime | None) -> list[dict]:
        kwargs = {"time_base": ref.timestamp()} if ref else {}
        return [{"text": m["text"], "start": m["offset"][0], "end": m["offset"][1],
                 "type": m["type"], "value": m.get("detail", {}).get("time")}
                for m in jio.ner.extract_time(text, **kwargs)]

    return tag


def _dateparser() -> Callable[[str, datetime | None], list[dict]]:
    from dateparser.search import search_dates

    def tag(text: str, ref: datetime | None) -> list[dict]:
        settings = {"RELATIVE_BASE": ref} if ref else {}
        found = search_dates(text, languages=["zh"], settings=settings) or []
        return [{"text": s, "value": d.isoformat()} for s, d in found]

    return tag


PEERS = {"jionlp": _jionlp, "dateparser": _dateparser}


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in PEERS:
        print(f"usage: python -m bench.peers {{{','.join(PEERS)}}} < in.jsonl", file=sys.stderr)
        return 2
    # JioNLP logs a traceback for every string it gives up on; formatting them is not
    # tagging, so it is switched off (this only makes the peer faster).
    logging.disable(logging.CRITICAL)
    out = sys.stdout
    # JioNLP prints a banner on import (and may print on first use): keep stdout JSON lines.
    with contextlib.redirect_stdout(sys.stderr):
        _tag_lines(PEERS[argv[0]](), out)
    return 0


def _tag_lines(tag: Callable[[str, datetime | None], list[dict]], out: TextIO) -> None:
    for line in sys.stdin:
        if not line.strip():
            continue
        rec = json.loads(line)
        ref = datetime.fromisoformat(rec["reference"]) if rec.get("reference") else None
        try:
            mentions = tag(rec["text"], ref)
        except Exception as exc:  # a peer crash on one article is counted, not fatal
            out.write(json.dumps({"id": rec.get("id"), "error": repr(exc)}) + "\n")
            continue
        out.write(json.dumps({"id": rec.get("id"), "mentions": mentions}, ensure_ascii=False,
                             default=str) + "\n")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
