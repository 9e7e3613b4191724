"""Constant bounds a scan can prune by, for rows known by their positions.

A change's rows cluster in position: a dump's documents were ingested together, what a
run records sits at the log's end, and what a publish inserts at the end of each table.
A semi-join on a few thousand ids still decompresses every column of the whole table (or
every segment of the log); the same rows fetched between constant bounds of their
positions (seq, rowid) let the scan skip everything outside them.
"""

from __future__ import annotations

import duckdb

MAX_RANGES = 256
_RANGE_GAP = 2048  # DuckDB's vector: a scan skips whole vectors outside the bounds


def within_ranges(con: duckdb.DuckDBPyConnection, positions: str, column: str) -> str:
    """A predicate on `column` that holds for every value of the temp table `positions`
    (one column, `pos`) and that a scan can prune by: constant bounds of the runs of
    positions, joined across the narrowest gaps down to `MAX_RANGES`. "false" when there
    is none. The caller still filters exactly (the bounds hold rows between the runs)."""
    islands = con.execute(
        f"SELECT min(pos), max(pos) FROM (SELECT pos, sum(CAST(pos - prev > ? AS INTEGER)) "
        f"OVER (ORDER BY pos) AS island FROM (SELECT pos, lag(pos, 1, pos) OVER (ORDER BY pos) "
        f"AS prev FROM {positions})) GROUP BY island ORDER BY 1", [_RANGE_GAP]).fetchall()
    if not islands:
        return "false"
    if len(islands) > MAX_RANGES:  # keep the widest gaps apart, join across the others
        widest = sorted(range(len(islands) - 1), key=lambda i: islands[i + 1][0] - islands[i][1])
        joined, first = [], 0
        for last in sorted(widest[len(widest) - (MAX_RANGES - 1):]):
            joined.append((islands[first][0], islands[last][1]))
            first = last + 1
        islands = [*joined, (islands[first][0], islands[-1][1])]
    return "(" + " OR ".join(f"{column} BETWEEN {lo} AND {hi}" for lo, hi in islands) + ")"
