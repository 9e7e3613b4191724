"""The published `timeline` table as plain rows, and how their dates read to people.

Every renderer (TimelineJS, the page, the PNG) takes its rows, its uncertainty rule and
its Chinese date wording from here, so the three never disagree about an event.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

# The order of `timeline show`: earliest first, ties broken so the output is stable.
TIMELINE_ORDER = "ORDER BY earliest, latest, event_type, event_id"

# Month-level granularities are shown to the month; finer ones to the day.
YEAR_GRANULARITIES = frozenset({"year", "decade", "century"})
MONTH_GRANULARITIES = frozenset({"half", "quarter", "season", "month"})

# A distinct colour for each event type of pipelines/core/events/data/types.tsv (legible
# on white, from Tableau 10/20); other types get one from PALETTE by a hash of the name,
# so a type keeps its colour across runs and pages.
TYPE_COLORS = {
    "meeting": "#4e79a7", "campaign": "#f28e2b", "conference": "#59a14f",
    "emergency": "#e15759", "evacuation": "#d4477a", "training": "#c9a227",
    "policy": "#b07aa1", "establishment": "#499894", "inspection": "#9c755f",
    "personnel": "#1f9eb5", "honour": "#6b6ecf",
}
PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
           "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#79706e")


class MissingWarehouse(FileNotFoundError):
    """No published DuckDB file, or one without a timeline table."""


@contextmanager
def _timeline_connection(db_path: Path | str) -> Iterator[Any]:
    """A read-only connection to a published file that has a timeline, or a clear error."""
    db_path = Path(db_path)
    if not db_path.exists():
        raise MissingWarehouse(f"no warehouse at {db_path}: run `timeline run` first")
    # imported here: the picture's helper process draws from rows it is given, and DuckDB
    # would add 56 MiB to it while the run's publish is at its peak
    from pipelines.store.readonly import connect_read_only

    with connect_read_only(db_path) as con:
        tables = {r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables").fetchall()}
        if "timeline" not in tables:
            raise MissingWarehouse(f"{db_path} has no timeline table: run `timeline run` first")
        yield con


def _rows(cursor: Any) -> list[dict[str, Any]]:
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def read_timeline(db_path: Path | str, search: str | None = None) -> list[dict[str, Any]]:
    """Every row of the published `timeline` table (or those `search` matches), earliest
    first (read-only)."""
    from pipelines.store.timeline_query import timeline_relation

    with _timeline_connection(db_path) as con:
        return _rows(con.execute(f"SELECT * FROM {timeline_relation(con, search)} {TIMELINE_ORDER}"))


def read_timeline_top(db_path: Path | str, limit: int, search: str | None = None,
                      ) -> tuple[list[dict[str, Any]], int, list[str]]:
    """The `limit` most reported dated rows (then earliest), by date, without `event_ids`;
    the number of dated rows; every source. What a picture or a page needs, without reading
    a large timeline whole."""
    with _timeline_connection(db_path) as con:
        return timeline_top(con, limit, search)


def timeline_top(con: Any, limit: int, search: str | None = None) -> tuple[list[dict[str, Any]], int, list[str]]:
    """`read_timeline_top` on an open connection (a publish's own, before it swaps). The
    rows come without `event_ids`: no picture or page shows them, and the most reported
    rows hold the longest lists (at 100k articles, 27 ids a row on average over the page's
    5,000 rows: half the time of reading them as Python values)."""
    table, total, sources = timeline_top_table(con, limit, search)
    return table.to_pylist(), total, sources or []


def timeline_top_table(con: Any, limit: int, search: str | None = None, with_sources: bool = True,
                       ) -> tuple[Any, int, list[str] | None]:
    """`timeline_top`'s rows as a pyarrow table (its `to_pylist()` is `timeline_top`'s rows):
    a publish reads them on its own thread and leaves making 5,000 rows into Python values
    to the page's thread, which renders them while the publish records its versions.
    Without `with_sources`, no list of every source (None)."""
    from pipelines.store.timeline_query import timeline_relation

    relation = timeline_relation(con, search)
    table = con.execute(
        f"SELECT * EXCLUDE (event_ids) FROM (SELECT * FROM {relation} WHERE earliest IS NOT NULL "
        "ORDER BY coalesce(num_sources, 1) DESC, earliest, latest, event_type, event_id LIMIT ?) "
        f"{TIMELINE_ORDER}", [limit]).to_arrow_table()
    total = con.execute(f"SELECT count(*) FROM {relation} WHERE earliest IS NOT NULL").fetchone()[0]
    sources = [r[0] for r in con.execute(
        f"SELECT DISTINCT unnest(sources) AS s FROM {relation} ORDER BY s").fetchall()] if with_sources else None
    return table, int(total), sources


def jsonable(value: Any) -> Any:
    """A DuckDB value as JSON: dates and timestamps as ISO text, lists as lists."""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def json_row(row: dict[str, Any]) -> dict[str, Any]:
    return {k: jsonable(v) for k, v in row.items()}


def is_uncertain(row: dict[str, Any]) -> bool:
    """True unless the event is known to the day: ranges and inferred dates draw as bars."""
    earliest, latest = row.get("earliest"), row.get("latest")
    if row.get("date_basis") in ("bounded", "inherited"):
        return True
    if (row.get("granularity") or "day") not in ("day", "time"):
        return True
    return earliest is None or latest is None or earliest != latest


def _whole_year(a: date, b: date) -> bool:
    return a == date(a.year, 1, 1) and b == date(b.year, 12, 31)


def _whole_months(a: date, b: date) -> bool:
    return a.day == 1 and (b + timedelta(days=1)).day == 1


def _day(d: date, with_year: bool = True, with_month: bool = True) -> str:
    text = f"{d.day}日"
    if with_month:
        text = f"{d.month}月" + text
    if with_year:
        text = f"{d.year}年" + text
    return text


def _span(a: date, b: date, granularity: str) -> str:
    same_year = a.year == b.year
    if granularity in YEAR_GRANULARITIES or _whole_year(a, b):
        return f"{a.year}年" if same_year else f"{a.year}–{b.year}年"
    if granularity in MONTH_GRANULARITIES or _whole_months(a, b):
        if (a.year, a.month) == (b.year, b.month):
            return f"{a.year}年{a.month}月"
        return f"{a.year}年{a.month}月–{b.month}月" if same_year else f"{a.year}年{a.month}月–{b.year}年{b.month}月"
    if a == b:
        return _day(a)
    if same_year and a.month == b.month:
        return f"{_day(a)}–{_day(b, with_year=False, with_month=False)}"
    if same_year:
        return f"{_day(a)}–{_day(b, with_year=False)}"
    return f"{_day(a)}–{_day(b)}"


def display_date(row: dict[str, Any]) -> str:
    """How a person should read the event's date, in Chinese, honest about uncertainty.

    bounded: the text gives no date, only the article bounds it -> 2020年（日期不詳）.
    inherited: dated by an earlier expression in the text -> 2020年7月17日（推定）.
    Otherwise to the precision known: 2020年, 2020年5月, 2020年7月17日, or a range.
    """
    earliest, latest = row.get("earliest"), row.get("latest")
    if earliest is None:
        return "日期不詳"
    latest = latest or earliest
    basis = row.get("date_basis") or "explicit"
    if basis == "bounded":
        years = f"{earliest.year}年" if earliest.year == latest.year else f"{earliest.year}–{latest.year}年"
        return f"{years}（日期不詳）"
    text = _span(earliest, latest, row.get("granularity") or "day")
    return f"{text}（推定）" if basis == "inherited" else text


def subject_title(rows: list[dict[str, Any]]) -> str:
    """A title naming what the rows are about: the place most of them name (筠連縣：新聞
    時間線), when one place accounts for at least a third of the placed rows; else the
    years they span."""
    places = Counter(r.get("place") for r in rows if r.get("place"))
    years = sorted(r["earliest"].year for r in rows if r.get("earliest") is not None)
    # The middle of the years: one row dated to year 3 by a stray number must not stretch it.
    years = years[len(years) // 20 : len(years) - len(years) // 20]
    span = "" if not years else f"（{years[0]}年）" if years[0] == years[-1] else f"（{years[0]}–{years[-1]}年）"
    if places:
        place, n = places.most_common(1)[0]
        if n * 3 >= sum(places.values()):
            return f"{place}：新聞時間線{span}"
    return f"新聞時間線{span}"


def type_color(event_type: str | None) -> str:
    name = event_type or ""
    if name in TYPE_COLORS:
        return TYPE_COLORS[name]
    digest = hashlib.sha1(name.encode("utf-8")).digest()
    return PALETTE[digest[0] % len(PALETTE)]


def source_line(row: dict[str, Any]) -> str:
    """來源：中國網《title》2020-12-16 10:38, and how many articles report the event."""
    parts = []
    sources = row.get("sources") or ([row["source"]] if row.get("source") else [])
    parts.append("來源：" + ("、".join(sources) if sources else "不詳"))
    if row.get("title"):
        parts.append(f"《{row['title']}》")
    published = row.get("published_at")
    if isinstance(published, datetime):
        parts.append(published.strftime("%Y-%m-%d %H:%M"))
    elif published:
        parts.append(str(published))
    n = row.get("num_sources") or 1
    if n > 1:
        parts.append(f"（{n} 篇報道）")
    return " ".join(parts)
