"""The PNG picture: drawn with a CJK font when one is installed, still drawn without."""

from __future__ import annotations

import struct
from datetime import date, timedelta

import pytest

from pipelines.publish import png as png_mod
from pipelines.publish.png import (
    MAX_ROWS,
    MissingCJKFont,
    cjk_fonts,
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


def test_uses_a_cjk_font_when_installed():
    if not cjk_fonts():
        pytest.skip("no CJK font installed (Debian: fonts-noto-cjk)")
    from matplotlib import font_manager

    path = font_manager.findfont(font_manager.FontProperties(family=cjk_fonts()[0]), fallback_to_default=False)
    assert "CJK" in path or "wqy" in path.lower() or "Droid" in path


def test_without_a_cjk_font_it_warns_and_still_draws(hand_db, tmp_path, monkeypatch):
    monkeypatch.setattr(png_mod, "cjk_fonts", lambda: [])
    with pytest.warns(MissingCJKFont, match="fonts-noto-cjk"):
        out = render_timeline_png(hand_db, tmp_path / "t.png")
    assert out.read_bytes().startswith(PNG_MAGIC)


def test_markdown_inlines_the_picture():
    assert png_markdown(PNG_MAGIC).startswith("![timeline](data:image/png;base64,iVBORw0KGgo")
