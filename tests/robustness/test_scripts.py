"""Traditional and Simplified reach the same results: the seed and its OpenCC t2s copy."""

from __future__ import annotations

from pathlib import Path

import opencc

from pipelines.core.extract import extract_document
from pipelines.core.model import Document
from pipelines.core.reading import decode_bytes, parse_article

ROOT = Path(__file__).resolve().parents[2]
SEED_TEXT = (ROOT / "seeds" / "000_f909081cfa4b4b6d.txt").read_text("utf-8")


def _extract(text: str, encoding: str):
    decoded, _ = decode_bytes(text.encode(encoding))
    doc = parse_article(decoded, "seed.txt", "seed.txt")
    assert isinstance(doc, Document)
    return doc, extract_document(doc)


def test_simplified_copy_gives_the_same_dates():
    simplified = opencc.OpenCC("t2s").convert(SEED_TEXT)
    assert simplified != SEED_TEXT and "来源" in simplified
    trad_doc, trad = _extract(SEED_TEXT, "utf-8")
    simp_doc, simp = _extract(simplified, "gb18030")
    assert (trad_doc.script, simp_doc.script) == ("traditional", "simplified")
    assert trad_doc.published_at == simp_doc.published_at is not None
    assert (trad_doc.source, simp_doc.source) == ("中國網", "中国网")
    assert trad.error is None and simp.error is None
    assert trad.mentions and trad.events

    def mentions(ex):
        return [(m.type, m.value, m.earliest, m.latest) for m in ex.mentions]

    def events(ex):
        return [(e.event_type, e.earliest, e.latest, e.date_basis, e.is_routine) for e in ex.events]

    assert mentions(simp) == mentions(trad)
    assert events(simp) == events(trad)
