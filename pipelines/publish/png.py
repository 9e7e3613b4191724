"""A PNG picture of the timeline, for the README, the Dagster UI and slides.

Chinese needs a CJK font. The picture takes Noto Sans CJK from a Python package
(noto-cjk-sans-otc, a dependency) and registers it with matplotlib by path, so neither a
system font package nor matplotlib's font cache decides whether Chinese renders. Only
when that package is missing does it look for an installed CJK font, and only when there
is none either does it warn, once per process.
"""

from __future__ import annotations

import base64
import functools
import io
import warnings
from datetime import timedelta
from pathlib import Path
from typing import Any

from pipelines.publish.data import (
    display_date,
    is_uncertain,
    read_timeline_top,
    subject_title,
    type_color,
)

# Traditional first (the seed is Traditional); every face has both scripts' glyphs. The
# packaged collection provides the first; the rest are what a system may have instead.
CJK_FAMILIES = ("Noto Sans CJK TC", "Noto Sans CJK SC", "Noto Sans CJK HK", "Noto Sans CJK JP",
                "Source Han Sans TC", "Source Han Sans SC", "WenQuanYi Zen Hei",
                "WenQuanYi Micro Hei", "Droid Sans Fallback", "AR PL UMing TW")
MAX_ROWS = 40  # beyond this the picture is unreadable; the page shows everything
_HEADLINE_CHARS = 26


class MissingCJKFont(UserWarning):
    """No CJK font: Chinese text renders as boxes."""


def packaged_cjk_font() -> Path | None:
    """The Noto Sans CJK collection shipped by the noto-cjk-sans-otc package, if installed."""
    try:
        from noto_cjk_sans_otc import FONT_PATH
    except ImportError:
        return None
    path = Path(str(FONT_PATH))
    return path if path.is_file() else None


@functools.cache
def register_packaged_font() -> Path | None:
    """Add the packaged CJK font to matplotlib's font list (in memory, so a stale font
    cache cannot hide it); once per process."""
    path = packaged_cjk_font()
    if path is not None:
        from matplotlib import font_manager

        font_manager.fontManager.addfont(str(path))
    return path


def cjk_fonts() -> list[str]:
    """CJK font families matplotlib can use, best first (empty when there is none)."""
    from matplotlib import font_manager

    register_packaged_font()
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return [name for name in CJK_FAMILIES if name in installed]


_warned_missing = False


def _font_families() -> list[str]:
    global _warned_missing
    found = cjk_fonts()
    if not found and not _warned_missing:
        _warned_missing = True
        warnings.warn("no CJK font found (reinstall the project: its dependency "
                      "noto-cjk-sans-otc provides one): Chinese text in the timeline picture "
                      "will show as boxes", MissingCJKFont, stacklevel=3)
    # DejaVu Sans after the CJK face: matplotlib falls back per glyph for Latin and digits.
    return [*found[:1], "DejaVu Sans"]


def _pick_rows(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """At most MAX_ROWS events: the most reported, then the most recent, shown by date."""
    dated = [r for r in rows if r.get("earliest") is not None]
    if len(dated) <= MAX_ROWS:
        return dated, len(dated)
    keep = sorted(dated, key=lambda r: (-(r.get("num_sources") or 1), r["earliest"]), reverse=False)
    keep = sorted(keep[:MAX_ROWS], key=lambda r: (r["earliest"], r.get("latest") or r["earliest"]))
    return keep, len(dated)


def _tick_label(value: float, _pos: int | None = None) -> str:
    import matplotlib.dates as mdates

    day = mdates.num2date(value)
    return f"{day.year}年" if day.month == 1 and day.day == 1 else f"{day.year}年{day.month}月"


def _short(text: str, limit: int = _HEADLINE_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_timeline_figure(rows: list[dict[str, Any]], title: str | None = None,
                           total: int | None = None, sources: list[str] | None = None):
    """A matplotlib Figure of the timeline rows (the caller saves or closes it). With
    `total` (and `sources`), `rows` are already the rows to draw, out of `total`."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter

    if total is None:
        shown, total = _pick_rows(rows)
    else:
        shown = rows
    families = _font_families()
    with matplotlib.rc_context({"font.family": families, "axes.unicode_minus": False}):
        height = 1.6 + 0.42 * max(len(shown), 2)
        fig, ax = plt.subplots(figsize=(12, height), dpi=130)
        if sources is None:
            sources = sorted({s for r in rows for s in (r.get("sources") or [])})
        heading = title or subject_title(rows)
        sub = f"{total} 件事件" + (f"（顯示 {len(shown)} 件）" if total > len(shown) else "")
        if sources:
            sub += "　來源：" + "、".join(sources[:4]) + ("等" if len(sources) > 4 else "")
        fig.suptitle(heading, x=0.01, ha="left", fontsize=16)  # the packaged CJK face has no bold
        ax.set_title(sub, loc="left", fontsize=10, color="#57606a")
        if not shown:
            ax.text(0.5, 0.5, "尚無事件", ha="center", va="center", fontsize=14, color="#57606a",
                    transform=ax.transAxes)
            ax.set_axis_off()
            return fig

        lo = min(r["earliest"] for r in shown)
        hi = max((r.get("latest") or r["earliest"]) + timedelta(days=1) for r in shown)
        pad = max(timedelta(days=10), (hi - lo) * 0.03)
        ax.set_xlim(lo - pad, hi + pad)
        labels = []
        for y, row in enumerate(shown):
            start = row["earliest"]
            end = (row.get("latest") or start) + timedelta(days=1)
            color = type_color(row.get("event_type"))
            inferred = row.get("date_basis") in ("bounded", "inherited")
            if is_uncertain(row):
                ax.barh(y, end - start, left=start, height=0.5, color=color,
                        alpha=0.22 if not inferred else 0.12, edgecolor="none", zorder=2)
                ax.barh(y, end - start, left=start, height=0.5, fill=False, edgecolor=color,
                        linewidth=1.4, linestyle="--" if inferred else "-",
                        hatch="////" if inferred else None, zorder=3)
                anchor = end
            else:
                mid = start + timedelta(hours=12)
                ax.plot([mid], [y], "o", color=color, markersize=9, markeredgecolor="white",
                        markeredgewidth=1.5, zorder=4)
                anchor = mid + pad / 4
            ax.annotate(display_date(row), (mdates.date2num(anchor), y), xytext=(4, 0),
                        textcoords="offset points", va="center", fontsize=8.5, color="#424a53",
                        annotation_clip=False)
            labels.append(_short(row.get("headline") or row.get("event_label") or ""))

        ax.set_yticks(range(len(shown)), labels, fontsize=9.5)
        ax.set_ylim(len(shown) - 0.4, -0.6)
        ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=4, maxticks=12))
        ax.xaxis.set_major_formatter(FuncFormatter(_tick_label))
        ax.tick_params(axis="x", labelsize=8.5, colors="#57606a")
        ax.tick_params(axis="y", length=0)
        ax.grid(axis="x", color="#e5e8eb", linewidth=0.8, zorder=0)
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        ax.spines["bottom"].set_color("#afb8c1")

        types = []
        for row in shown:
            key = (row.get("event_type") or "", row.get("event_label") or "")
            if key not in types:
                types.append(key)
        handles = [Patch(facecolor=type_color(t), label=f"{label} {t}".strip()) for t, label in types]
        handles += [
            Line2D([], [], marker="o", linestyle="none", color="#57606a", label="確切日期"),
            Patch(facecolor="#57606a33", edgecolor="#57606a", label="日期範圍（月、年）"),
            Patch(facecolor="none", edgecolor="#57606a", hatch="////", linestyle="--",
                  label="推定範圍（文中無確切日期）"),
        ]
        ncol = min(len(handles), 4)
        legend_rows = -(-len(handles) // ncol)
        fig.legend(handles=handles, loc="lower center", ncol=ncol, frameon=False, fontsize=8.5)
        fig.tight_layout(rect=(0, (0.12 + 0.24 * legend_rows) / height, 1, 1))
        return fig


def render_png_bytes(rows: list[dict[str, Any]], title: str | None = None,
                     total: int | None = None, sources: list[str] | None = None) -> bytes:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    with warnings.catch_warnings():
        # Without a CJK font MissingCJKFont was given once; matplotlib would add one per glyph.
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        fig = render_timeline_figure(rows, title, total, sources)
        try:
            fig.savefig(buffer, format="png", facecolor="white")  # tight_layout already fitted it
        finally:
            plt.close(fig)
    return buffer.getvalue()


def render_timeline_png(db_path: Path | str, out_path: Path | str, title: str | None = None,
                        search: str | None = None) -> Path:
    """Draw the timeline of a published DuckDB file (or the rows `search` matches) to a
    PNG file; returns its path."""
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    rows, total, sources = read_timeline_top(db_path, MAX_ROWS, search)
    data = render_png_bytes(rows, title, total, sources)
    tmp = out.parent / f".{out.name}.tmp"
    tmp.write_bytes(data)
    tmp.replace(out)
    return out


def png_markdown(png: bytes, alt: str = "timeline") -> str:
    """Markdown with the picture inline, for Dagster metadata (MetadataValue.md)."""
    return f"![{alt}](data:image/png;base64,{base64.b64encode(png).decode('ascii')})"


__all__ = ["cjk_fonts", "packaged_cjk_font", "register_packaged_font", "png_markdown", "render_png_bytes", "render_timeline_figure",
           "render_timeline_png"]
