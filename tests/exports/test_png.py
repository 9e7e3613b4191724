"""The PNG picture: drawn with a CJK font when one is installed, still drawn without."""

from __future__ import annotations

import struct
from datetime import date, timedelta

import pytest

from pipelines.publish import png as png_mod
from pipelines.publish.png import (
    MAX_ROWS,
    MissingCJKFont,
    png_markdown,
    render_png_bytes,
    render_timeline_png,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _size(data: bytes) -> tuple[int, int]:
    return struct.unpack(">II", data[16:24])


def test_render_timeline_png(hand_db, tmp_path):
    out = render_timeline_png(hand_db, tmp_path / "pics" / "t.png")
    data = out.read_bytes()
    assert data.startswith(PNG_MAGIC)
    width, height = _size(data)
    assert width > 800 and height > 300


def _rows(n: int) -> list[dict]:
    return [{"event_id": f"e{i}", "earliest": date(2020, 1, 1) + timedelta(days=7 * i),
             "latest": date(2020, 1, 1) + timedelta(days=7 * i), "granularity": "day",
             "date_basis": "explicit", "event_type": "meeting", "event_label": "會議",
             "headline": f"第{i}次會議", "num_sources": 1 + i % 3} for i in range(n)]


def test_picture_grows_with_events_up_to_a_cap():
    heights = [_size(render_png_bytes(_rows(n)))[1] for n in (3, 12, MAX_ROWS, MAX_ROWS + 30)]
    assert heights[0] < heights[1] < heights[2]
    assert heights[3] == pytest.approx(heights[2], rel=0.05)  # capped, not a giant picture


# Run in a fresh interpreter whose matplotlib has every system CJK font removed: what a
# machine with only Python has. It draws the seed-like rows and reports what matplotlib
# said about missing glyphs, and how five characters look: a font without them draws each
# as the same missing-glyph box (matplotlib's last-resort "字" box for the CJK block), so
# drawn with the picture's fonts they must all differ from each other and from that box.
_WITHOUT_SYSTEM_CJK = r"""
import json, sys, warnings
import matplotlib
matplotlib.use("Agg")
from matplotlib import font_manager
from pipelines.publish import png

packaged = str(png.register_packaged_font())
font_manager.fontManager.ttflist = [
    f for f in font_manager.fontManager.ttflist
    if f.fname == packaged or not any(k in f.name for k in ("CJK", "Han", "WenQuanYi", "Droid", "AR PL"))]
font_manager._findfont_cached.cache_clear() if hasattr(font_manager, "_findfont_cached") else None
rows = json.loads(sys.stdin.read())
for r in rows:
    import datetime
    r["earliest"] = datetime.date.fromisoformat(r["earliest"])
    r["latest"] = datetime.date.fromisoformat(r["latest"])
import matplotlib.pyplot as plt
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    fig = png.render_timeline_figure(rows, title="唐山燒烤店打人事件")
    fig.canvas.draw()
    plt.close(fig)

def pixels(text, families):
    with matplotlib.rc_context({"font.family": families}):
        fig = plt.figure(figsize=(1, 1), dpi=80)
        fig.text(0.05, 0.3, text, fontsize=20)
        fig.canvas.draw()
        data = bytes(fig.canvas.buffer_rgba())
        plt.close(fig)
    return data

family = png._font_families()[0]
path = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
print(json.dumps({
    "family": family, "path": path, "packaged": packaged,
    "warnings": [str(w.message) for w in caught],
    "distinct_glyphs": len({pixels(c, png._font_families()) for c in "唐山燒烤店"}),
    "boxes_without_cjk": len({pixels(c, ["DejaVu Sans"]) for c in "唐山燒烤店"}),
    "same_as_box": [pixels(c, png._font_families()) == pixels(c, ["DejaVu Sans"]) for c in "唐山燒烤店"],
}))
"""


def test_chinese_renders_without_any_system_cjk_font():
    import json
    import subprocess
    import sys

    rows = [{"event_id": "e1", "earliest": "2022-06-10", "latest": "2022-06-10", "granularity": "day",
             "date_basis": "explicit", "event_type": "attack", "event_label": "襲擊",
             "headline": "唐山市路北區燒烤店發生尋釁滋事、暴力毆打他人案件", "num_sources": 3,
             "sources": ["新华网"]},
            {"event_id": "e2", "earliest": "2020-07-17", "latest": "2020-07-17", "granularity": "day",
             "date_basis": "explicit", "event_type": "evacuation", "event_label": "轉移避險",
             "headline": "7∙17豐樂鄉龍塘村成功避險", "num_sources": 1, "sources": ["中國網"]}]
    done = subprocess.run([sys.executable, "-c", _WITHOUT_SYSTEM_CJK], input=json.dumps(rows, ensure_ascii=False),
                          capture_output=True, text=True, check=True)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["path"] == report["packaged"], report  # the font comes from the package
    assert not [w for w in report["warnings"] if "missing from font" in w or "CJK" in w], report["warnings"]
    assert report["boxes_without_cjk"] == 1  # the comparison can fail: without the font, one box
    assert report["distinct_glyphs"] == 5 and not any(report["same_as_box"]), report


def test_the_packaged_font_covers_the_seed_timelines_text(hand_db):
    from matplotlib.ft2font import FT2Font

    from pipelines.publish.data import read_timeline

    path = png_mod.packaged_cjk_font()
    assert path is not None, "noto-cjk-sans-otc is a dependency"
    font = FT2Font(str(path))
    text = "".join((r.get("headline") or "") + (r.get("place") or "") for r in read_timeline(hand_db))
    missing = {c for c in text if not c.isspace() and font.get_char_index(ord(c)) == 0}
    assert not missing
    assert font.get_char_index(0xF0000) == 0  # the check can fail: a private-use point is absent


def test_without_a_cjk_font_it_warns_once_and_still_draws(hand_db, tmp_path, monkeypatch):
    monkeypatch.setattr(png_mod, "cjk_fonts", lambda: [])
    monkeypatch.setattr(png_mod, "_warned_missing", False)
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = render_timeline_png(hand_db, tmp_path / "t.png")
        render_timeline_png(hand_db, tmp_path / "t2.png")
    assert [str(w.message) for w in caught if w.category is MissingCJKFont] == [
        "no CJK font found (reinstall the project: its dependency noto-cjk-sans-otc provides one): "
        "Chinese text in the timeline picture will show as boxes"]
    assert out.read_bytes().startswith(PNG_MAGIC)


def test_markdown_inlines_the_picture():
    assert png_markdown(PNG_MAGIC).startswith("![timeline](data:image/png;base64,iVBORw0KGgo")
