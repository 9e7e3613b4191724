"""The timeline page: one self-contained HTML file (inline CSS and JS, data as JSON).

Nothing is fetched at view time (no CDN, no web font), so the file can be mailed,
archived or opened from a USB stick and still draws the same timeline.
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from pipelines.publish.data import (
    display_date,
    is_uncertain,
    source_line,
    subject_title,
    type_color,
)

_PLACEHOLDER = re.compile(r"\{\{([A-Z]+)\}\}")
ATTRIBUTION = ("Dates, events and evidence extracted automatically from the articles; "
               "check the evidence before you cite an event.")


def _template(name: str) -> str:
    return resources.files("pipelines.publish").joinpath(name).read_text("utf-8")


def page_event(row: dict[str, Any]) -> dict[str, Any]:
    """What the page needs of one timeline row (dates as ISO days)."""
    latest = row.get("latest") or row["earliest"]
    return {
        "id": row["event_id"],
        "type": row.get("event_type") or "",
        "label": row.get("event_label") or "",
        "color": type_color(row.get("event_type")),
        "headline": row.get("headline") or row.get("event_label") or "",
        "earliest": row["earliest"].isoformat(),
        "latest": latest.isoformat(),
        "granularity": row.get("granularity") or "day",
        "basis": row.get("date_basis") or "explicit",
        "uncertain": is_uncertain(row),
        "display": display_date(row),
        "time_text": row.get("time_text"),
        "place": row.get("place"),
        "actors": list(row.get("actors") or []),
        "evidence": row.get("evidence") or "",
        "source_line": source_line(row),
        "num_sources": int(row.get("num_sources") or 1),
        "doc_ids": list(row.get("doc_ids") or []),
    }


def page_data(rows: list[dict[str, Any]], title: str) -> dict[str, Any]:
    events = [page_event(r) for r in rows if r.get("earliest") is not None]
    types = Counter(e["type"] for e in events)
    labels = {e["type"]: e["label"] for e in events}
    places = Counter(e["place"] for e in events if e["place"])
    return {
        "title": title,
        "events": events,
        "types": [{"type": t, "label": labels[t], "color": type_color(t), "count": n}
                  for t, n in sorted(types.items(), key=lambda kv: (-kv[1], kv[0]))],
        "places": [{"place": p, "count": n} for p, n in sorted(places.items(), key=lambda kv: (-kv[1], kv[0]))],
    }


def _embed_json(data: Any) -> str:
    """JSON safe inside <script>: no '</' can close the element early."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def render_page(rows: list[dict[str, Any]], title: str | None = None, db_name: str | None = None,
                generated_at: datetime | None = None, total: int | None = None) -> str:
    """The whole page as a string. `total`: how many dated rows the timeline holds, when
    `rows` are only the ones shown."""
    title = title or subject_title(rows)
    data = page_data(rows, title)
    events = data["events"]
    generated = (generated_at or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    if events:
        span = f"{min(e['earliest'] for e in events)} 至 {max(e['latest'] for e in events)}"
        subtitle = f"{len(events)} 件事件 · {span} · {len(data['types'])} 種類型"
        if total is not None and total > len(events):
            subtitle += f" · 顯示報道最多的 {len(events)} 件，共 {total} 件（全部見 timeline.duckdb）"
    else:
        subtitle = "尚無事件 · no events yet"
    sources = sorted({s for r in rows for s in (r.get("sources") or [])})
    footer = f"Generated {generated}" + (f" from {db_name}" if db_name else "") + ". "
    if sources:
        footer += "Sources: " + ", ".join(sources) + ". "
    footer += ATTRIBUTION
    values = {
        "TITLE": html.escape(title),
        "SUBTITLE": html.escape(subtitle),
        "FOOTER": html.escape(footer),
        "CSS": _template("timeline.css"),
        "JS": _template("timeline.js"),
        "DATA": _embed_json(data),
    }
    # One pass, so text substituted in (CSS, JS, data) is never scanned for placeholders.
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], _template("timeline.html"))


def write_page(db_path: Path | str, out_path: Path | str, title: str | None = None,
               limit: int | None = None) -> int:
    """Render the page of a published DuckDB file; returns the number of events shown.
    With `limit`, at most that many rows (the most reported): a page a browser opens at
    any warehouse size. `timeline export --format html` writes them all."""
    from pipelines.publish.formats import export_timeline

    return export_timeline(db_path, out_path, "html", title=title, limit=limit)
