"""Day-dated occurrences of emergency news: how many come out on their day, ours and the peer's.

Issue 12 measures events on a second held-out set besides the analysts' gold: real emergency
news with annotated events, counting the occurrences the text dates to a day that come out
on that day. The Chinese Emergency Corpus (CEC, Shanghai University's Data Semantic
Laboratory, https://github.com/daselab/CEC-Corpus) is such a set: each `<Event>` of its XML
marks an occurrence, with its own `<Time>` where the text gives one, and each article its
`<ReportTime>`. This tool reads the XML files of a local copy (their texts stay out of this
repository), writes the articles as a dump, and takes as gold every event whose own time
names one calendar day. It resolves those times with the few rules of `resolve_day`, on
purpose independent of both systems scored, against the last day the article has named
(else the report time): a full date, a month and day (the year that puts it nearest), a day
of the month alone (that month; against the report time, the month before where the day is
still to come), 今天/今日/昨天/昨日/前天 (the report's). Anything else (当日, 同日, two days, a
span) is not a day-dated occurrence here. The XML's attributes are dropped before parsing
(a third of the files write them unparseably), and a file that still does not parse is
named and skipped.

An occurrence comes out on its day when an event overlapping its text (the `<Event>`
element's characters in the article) has earliest = latest = that day. Our extractor runs
in process (`events_in_process`, what `timeline run` calls per article) and the peer is
`../shared/eval/events/sentence_baseline.py` (every sentence holding a JioNLP time is an
event), both on the same dump in the same run.

    python -m bench.events_gold.cec PATH/TO/CEC-Corpus/CEC [--show N]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

from bench.events_gold.evaluate import SHARED_EVAL, events_in_process

BASELINE = SHARED_EVAL / "sentence_baseline.py"

_FULL = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_MONTH_DAY = re.compile(r"(?<![\d年])(\d{1,2})月(\d{1,2})日")
_DAY = re.compile(r"(\d{1,2})日")
_NAMED_DAYS = (("今天", 0), ("今日", 0), ("昨天", -1), ("昨日", -1), ("前天", -2))
_SPAN = re.compile(r"[和至到—~～]|\d日?-\d+日")
_START_TAG = re.compile(r"<(\w+)(\s[^<>]*?)?(/?)>")
_END_TAG = re.compile(r"</(\w+)\?>")
_TIME_KIND = re.compile(r"type\s*=\s*\"(?:abs|rel)Time")


def resolve_day(time_text: str, report: date, story: date | None = None) -> date | None:
    """The one day `time_text` names, read against the report's day or, where the article has
    already named a day (`story`), against that: a day of the month alone is the story's
    month's; None where the text names no day, more than one, or a span."""
    if _SPAN.search(time_text.replace("截至", "")):
        return None
    near = story or report
    days = [date(int(y), int(m), int(d)) for y, m, d in _FULL.findall(time_text)]
    rest = _FULL.sub("", time_text)
    for m, d in _MONTH_DAY.findall(rest):
        days.append(min((date(y, int(m), int(d)) for y in (near.year - 1, near.year, near.year + 1)),
                        key=lambda day: abs((day - near).days)))
    rest = _MONTH_DAY.sub("", rest)
    if not days and (alone := _DAY.match(rest.strip())):
        first = near.replace(day=1)
        if story is None and int(alone.group(1)) > report.day:
            first = (first - timedelta(days=1)).replace(day=1)  # a day still to come: last month's
        days.append(first.replace(day=int(alone.group(1))))
    days += [report + timedelta(days=k) for word, k in _NAMED_DAYS if word in time_text]
    return days[0] if len(set(days)) == 1 else None


def _time_tag(match: re.Match[str]) -> str:
    kind = ' type="time"' if match[2] and _TIME_KIND.search(match[2]) else ""
    return f"<{match[1]}{kind}{match[3]}>"


def _walk(el: ET.Element, parts: list[str], events: list[tuple[int, int, list[str]]]) -> None:
    """Append el's text to `parts` (the XML's layout whitespace dropped: Chinese text has no
    spaces of its own) and record each `<Event>`'s span with the texts of its own times."""
    start = sum(map(len, parts))
    if el.text and el.text.strip():
        parts.append(el.text.strip())
    for child in el:
        _walk(child, parts, events)
        if child.tail and child.tail.strip():
            parts.append(child.tail.strip())
    if el.tag == "Event":
        # (one file tags a time as a nested <Event type="absTime">)
        times = [c for c in el if c.tag == "Time" or (c.tag == "Event" and c.get("type") == "time")]
        events.append((start, sum(map(len, parts)), ["".join(t.itertext()).strip() for t in times]))


def read_article(path: Path, doc_id: str) -> tuple[dict, list[dict]] | None:
    """One CEC file as a dump line and its day-dated occurrences; None where it does not parse."""
    raw = path.read_text(encoding="utf-8")
    # the relations (<eRelation>) follow </Body> as further roots: only the body is read, its
    # tags without their attributes, which a third of the files write unparseably
    # (sid="s2"type="agent", one attribute twice, </Denoter?>); only a time's kind is kept
    body = raw[raw.find("<Body>"):raw.find("</Body>") + len("</Body>")]
    body = _START_TAG.sub(_time_tag, body)
    try:
        root = ET.fromstring(_END_TAG.sub(r"</\1>", body))
    except ET.ParseError:
        return None
    title = (root.findtext("Title") or "").strip()
    reported = (root.findtext("ReportTime") or "").strip()
    if not reported:
        return None
    paragraphs: list[str] = []
    occurrences: list[dict] = []
    offset = len(title) + 1
    report = date.fromisoformat(reported[:10])
    story: date | None = None
    for paragraph in root.iter("Paragraph"):
        parts: list[str] = []
        events: list[tuple[int, int, list[str]]] = []
        _walk(paragraph, parts, events)
        for a, b, times in sorted(events):  # (recorded inner first: read in the text's order)
            day = resolve_day(times[0], report, story) if len(times) == 1 else None
            if day is not None:
                story = day
                occurrences.append({"start": a + offset, "end": b + offset, "day": day.isoformat(), "time": times[0]})
        paragraphs.append("".join(parts))
        offset += len(paragraphs[-1]) + 1
    article = {"doc_id": doc_id, "title": title, "source": "CEC", "content": "\n".join([title, *paragraphs]),
               "published_at": reported if len(reported) > 10 else reported + "T00:00"}
    return article, occurrences


def score(occurrences: dict[str, list[dict]], events_path: Path
          ) -> tuple[int, int, int, int, list[tuple[str, dict, list[dict]]]]:
    """(occurrences, found by an overlapping event, on their day, events, and the misses: each
    occurrence no event puts on its day, with its document and the events overlapping it) for
    a peer's JSONL."""
    events: dict[str, list[dict]] = defaultdict(list)
    for line in events_path.open(encoding="utf-8"):
        e = json.loads(line)
        events[e["doc_id"]].append(e)
    total = found = on_day = 0
    misses = []
    for doc, occ in occurrences.items():
        for o in occ:
            over = [e for e in events[doc] if e["char_start"] < o["end"] and o["start"] < e["char_end"]]
            total += 1
            found += bool(over)
            if any((e["earliest"] or "")[:10] == o["day"] == (e["latest"] or "")[:10] for e in over):
                on_day += 1
            else:
                misses.append((doc, o, over))
    return total, found, on_day, sum(map(len, events.values())), misses


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("cec", type=Path, help="a folder of CEC XML files (searched recursively)")
    ap.add_argument("--show", type=int, default=0, help="print this many of our misses")
    args = ap.parse_args(argv)
    articles, occurrences, unread = [], {}, []
    for n, path in enumerate(sorted(args.cec.rglob("*.xml"))):
        read = read_article(path, f"cec{n:04d}")
        if read is None:
            unread.append(path.name)
            continue
        articles.append(read[0])
        occurrences[read[0]["doc_id"]] = read[1]
    with tempfile.TemporaryDirectory(prefix="cec-") as tmp:
        dump, ours, peer = Path(tmp) / "articles.jsonl", Path(tmp) / "ours.jsonl", Path(tmp) / "peer.jsonl"
        dump.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles), encoding="utf-8")
        events_in_process(dump, ours)
        with peer.open("w", encoding="utf-8") as out:
            subprocess.run([sys.executable, str(BASELINE), str(dump)], stdout=out, stderr=subprocess.DEVNULL, check=True)
        print(f"{len(articles)} articles ({len(unread)} unreadable: {', '.join(unread) or 'none'}), "
              f"{sum(map(len, occurrences.values()))} day-dated occurrences")
        print("| system | events | occurrences found | on their day |\n|---|---:|---:|---:|")
        scores = {name: score(occurrences, path) for name, path in (("this project", ours),
                                                                    ("sentence baseline (JioNLP)", peer))}
    for name, (total, found, on_day, n_events, _) in scores.items():
        print(f"| {name} | {n_events} | {found / max(total, 1):.3f} | {on_day / max(total, 1):.3f} |")
    texts = {a["doc_id"]: a["content"] for a in articles}
    for doc, o, over in scores["this project"][4][:args.show]:
        print(doc, o["day"], o["time"], texts[doc][o["start"]:o["end"]][:40], "|",
              [(e["headline"], e["earliest"], e["latest"]) for e in over])


if __name__ == "__main__":
    main()
