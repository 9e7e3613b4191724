"""Timelines people can look at and take away: file exports, TimelineJS JSON, a
self-contained HTML page and a PNG picture, all read from the published DuckDB file."""

from __future__ import annotations

from pipelines.publish.data import display_date, is_uncertain, read_timeline
from pipelines.publish.formats import FORMATS, export_timeline

__all__ = ["FORMATS", "display_date", "export_timeline", "is_uncertain", "read_timeline"]
