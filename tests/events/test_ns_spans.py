"""The place tagger's own cut finds exactly the ns words of jieba's posseg (HMM off)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.core.events.engine import _ns_spans

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_f909081cfa4b4b6d.txt"
SENTENCES = [
    "宜宾筠连县丰乐乡龙塘村在北京市召开会议",
    "7∙17龙塘村、8∙13旗隆村成功避险，A股和B站在上海浦东新区",
    "据新华社华盛顿1月19日电 美国总统拜登在白宫表示，x中国y",
    "IBM公司于2020年在台湾高雄市和韩国首尔设立中心。",
    "",
]


def _posseg_ns(sentence: str) -> list[tuple[int, int]]:
    import jieba.posseg as pseg

    out, pos = [], 0
    for w in pseg.cut(sentence, HMM=False):
        if w.flag == "ns":
            out.append((pos, pos + len(w.word)))
        pos += len(w.word)
    return out


@pytest.mark.parametrize("sentence", SENTENCES)
def test_same_spans_as_posseg(sentence: str) -> None:
    assert _ns_spans(sentence) == _posseg_ns(sentence)


def test_same_spans_on_the_seed_article() -> None:
    if not SEED.exists():
        pytest.skip("seed article not available")
    from pipelines.core.script import to_simplified

    lines = [ln for ln in to_simplified(SEED.read_text("utf-8")).splitlines() if ln.strip()]
    assert any(_posseg_ns(ln) for ln in lines)  # the article names places at all
    for line in lines:
        assert _ns_spans(line) == _posseg_ns(line), line
