"""Chinese and Arabic numerals to int; the digit values come from data/numerals.tsv."""

from __future__ import annotations

from .tables import tables


def to_int(s: str) -> int | None:
    """'16' -> 16, '十二' -> 12, '二十三' -> 23, '廿三' -> 23, '二〇二〇' -> 2020, '一百' -> 100."""
    s = s.strip()
    if not s:
        return None
    if s.isascii():
        try:
            return int(s)
        except ValueError:
            return None
    nums = tables().numerals
    vals = []
    for ch in s:
        v = nums.get(ch)
        if v is None:
            return None
        vals.append(v)
    # Digit-by-digit readings (二〇二〇, 零八) contain no multiplier.
    if all(v < 10 for v in vals):
        out = 0
        for v in vals:
            out = out * 10 + v
        return out
    total, section, cur = 0, 0, 0
    for v in vals:
        if v in (20, 30):  # 廿, 卅 are whole tens
            cur = v
            continue
        if v >= 10:
            if v == 10000:
                total += (section + cur) * v
                section, cur = 0, 0
            else:
                section += (cur or 1) * v
                cur = 0
        else:
            cur = cur + v if cur >= 20 else v
    return total + section + cur
