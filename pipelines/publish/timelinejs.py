"""The timeline in Knight Lab's TimelineJS JSON format.

https://timeline.knightlab.com/docs/json-format.html: `events[]` with `start_date` and
`end_date` as {year, month, day} objects. Dates carry only the precision the article
gives (a year-granularity event has no month), and a `display_date` says in words what
the bounds mean when the day is not known.
"""

from __future__ import annotations

import html
from datetime import date
from typing import Any

from pipelines.publish.data import (
    MONTH_GRANULARITIES,
    YEAR_GRANULARITIES,
    display_date,
    source_line,
    subject_title,
)


def tl_date(day: date, granularity: str | None) -> dict[str, int]:
    """A TimelineJS date object cut to the known precision."""
    g = granularity or "day"
    if g in YEAR_GRANULARITIES:
        return {"year": day.year}
    if g in MONTH_GRANULARITIES:
        return {"year": day.year, "month": day.month}
    return {"year": day.year, "month": day.month, "day": day.day}


def _evidence_html(row: dict[str, Any]) -> str:
    """The evidence sentence, with the expression that dates the event in bold."""
    evidence = row.get("evidence") or ""
    time_text = row.get("time_text") or ""
    if time_text and time_text in evidence:
        before, _, after = evidence.partition(time_text)
        body = f"{html.escape(before)}<strong>{html.escape(time_text)}</strong>{html.escape(after)}"
    else:
        body = html.escape(evidence)
    return f"<blockquote>{body}</blockquote>"


def event_text(row: dict[str, Any]) -> str:
    """HTML for text.text: evidence, place and actors, and the source."""
    parts = [_evidence_html(row)]
    facts = []
    if row.get("place"):
        facts.append(f"地點：{html.escape(row['place'])}")
    actors = row.get("actors") or []
    if actors:
        facts.append("參與者：" + html.escape("、".join(actors)))
    facts.append(f"日期：{html.escape(display_date(row))}")
    parts.append("<p>" + "<br>".join(facts) + "</p>")
    parts.append(f"<p><small>{html.escape(source_line(row))}</small></p>")
    return "".join(parts)


def tl_event(row: dict[str, Any]) -> dict[str, Any]:
    granularity = row.get("granularity")
    earliest = row["earliest"]
    latest = row.get("latest") or earliest
    event: dict[str, Any] = {
        "unique_id": row["event_id"],
        "start_date": tl_date(earliest, granularity),
        "end_date": tl_date(latest, granularity),
        "display_date": display_date(row),
        "text": {"headline": html.escape(row.get("headline") or row.get("event_label") or ""),
                 "text": event_text(row)},
        "group": row.get("event_type") or "",
    }
    return event


def to_timelinejs(rows: list[dict[str, Any]], title: str | None = None) -> dict[str, Any]:
    """The whole timeline document. Rows without dates are left out (TimelineJS needs one)."""
    events = [tl_event(r) for r in rows if r.get("earliest") is not None]
    sources = sorted({s for r in rows for s in (r.get("sources") or [])})
    intro = f"{len(events)} 件事件"
    if sources:
        intro += "，來源：" + "、".join(sources)
    return {
        "title": {"text": {"headline": html.escape(title or subject_title(rows)), "text": html.escape(intro)}},
        "events": events,
    }
