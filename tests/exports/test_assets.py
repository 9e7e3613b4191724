"""The Dagster assets write the page and the picture beside the DuckDB file and link them."""

from __future__ import annotations

import dagster as dg

from pipelines.defs.exports import EXPORT_ASSETS, timeline_page, timeline_picture
from pipelines.defs.resources import TimelineSettings


def test_export_assets_materialize(hand_db, tmp_path):
    settings = TimelineSettings(seeds_dir=str(tmp_path / "seeds"), db_path=str(hand_db))
    result = dg.materialize(EXPORT_ASSETS, resources={"settings": settings}, selection=EXPORT_ASSETS,
                            instance=dg.DagsterInstance.ephemeral())
    assert result.success
    metadata = {e.asset_key.to_user_string(): e.materialization.metadata
                for e in result.get_asset_materialization_events()}
    page = hand_db.parent / "timeline.html"
    picture = hand_db.parent / "timeline.png"
    assert "e_bounded" in page.read_text("utf-8")
    assert picture.read_bytes().startswith(b"\x89PNG")
    assert metadata["timeline_page"]["dagster/uri"].value == page.resolve().as_uri()
    assert metadata["timeline_page"]["path"].value == str(page.resolve())
    assert metadata["timeline_page"]["events"].value == 4
    assert metadata["timeline_picture"]["preview"].value.startswith("![timeline](data:image/png;base64,")


def test_export_assets_follow_the_timeline_table():
    for asset in (timeline_page, timeline_picture):
        spec = next(iter(asset.specs))
        assert dg.AssetKey("timeline") in {dep.asset_key for dep in spec.deps}
        assert spec.group_name == "publish"
    assert "html" in next(iter(timeline_page.specs)).kinds


def test_definitions_include_the_export_assets():
    from pipelines.definitions import defs

    keys = {k.to_user_string() for k in defs.resolve_all_asset_keys()}
    assert {"timeline_page", "timeline_picture", "timeline"} <= keys


def test_preview_lists_whole_headlines_newest_dated_first(hand_db):
    import duckdb

    from pipelines.defs.assets import timeline_preview

    with duckdb.connect(str(hand_db), read_only=True) as con:
        headlines = [r[0] for r in con.execute("SELECT headline FROM timeline").fetchall()]
        newest = con.execute("SELECT headline FROM timeline WHERE date_basis <> 'bounded' "
                             "ORDER BY latest DESC LIMIT 1").fetchone()[0]
        text = timeline_preview(con).value
    lines = text.splitlines()
    assert len(lines) == len(headlines) and all(line.startswith("- **") for line in lines)
    assert all(any(h in line for line in lines) for h in headlines)  # never cut
    assert newest in lines[0]  # the newest date the text gives leads; undated rows last
    assert "日期不詳" in lines[-1]
