"""Draw the development gold's articles: a fixed seed, ten per genre, from the scale corpus.

    python -m bench.events_gold.sample [CORPUS] > bench/events_gold/sample.tsv
    python -m bench.events_gold.sample CORPUS check > bench/events_gold/check_sample.tsv
    python -m bench.events_gold.sample CORPUS dev2 > bench/events_gold/dev2_sample.tsv
    python -m bench.events_gold.sample CORPUS dev3 > bench/events_gold/dev3_sample.tsv
    python -m bench.events_gold.sample CORPUS dev4 > bench/events_gold/dev4_sample.tsv
    python -m bench.events_gold.sample CORPUS dev5 > bench/events_gold/dev5_sample.tsv
    python -m bench.events_gold.sample CORPUS dev6 > bench/events_gold/dev6_sample.tsv
    python -m bench.events_gold.sample CORPUS dev7 > bench/events_gold/dev7_sample.tsv

Genres are read off the title and lead by keyword (the corpus carries topics, not genres);
the first genre whose keywords match wins, in the order below. Articles of 150-2,000
characters only, so an annotator can read each whole. Only doc_ids are kept in the
repository: the texts stay in the corpus (CC BY-NC-SA).
"""

from __future__ import annotations

import gzip
import json
import random
import re
import sys

CORPUS = "../shared/corpus/dtels-news-10k.jsonl.gz"
SEED = 20261128
PER_GENRE = 10
# The check set: drawn the same way with another seed, never tuned on (see README.md);
# dev2: a second tuning set, drawn after both.
CHECK_SEED = 20261129
DEV2_SEED = 20261130
DEV3_SEED = 20261131  # dev3: drawn to judge a lexicon change on news the tuning had not seen
DEV4_SEED = 20261132  # dev4: drawn to find what the lexicon misses on news nobody tuned on
DEV5_SEED = 20261133  # dev5: drawn in the sixth session, scored blind at its end
DEV6_SEED = 20261134  # dev6: drawn at the start of the seventh session, scored blind at its end
DEV7_SEED = 20261135  # dev7: drawn in the seventh session, after dev6 had been tuned on
DEV8_SEED = 20261136  # dev8: drawn at the start of the eighth session, annotated blind
DEV9_SEED = 20261137  # dev9: drawn in the eighth session, to score its changes on unseen news
DEV10_SEED = 20261138  # dev10: drawn in the eighth session, scored only at its end
DEV11_SEED = 20261139  # dev11: drawn at the start of the ninth session, annotated blind
DEV12_SEED = 20261140  # dev12: drawn in the ninth session, scored only at its end
DEV13_SEED = 20261141  # dev13: drawn at the start of the tenth session, annotated blind
DEV14_SEED = 20261142  # dev14: drawn at the start of the tenth session, scored only at its end
DEV15_SEED = 20261143  # dev15: drawn at the start of the eleventh session, scored only at its end
DEV16_SEED = 20261144  # dev16: drawn at the start of the twelfth session, scored only at its end
DEV17_SEED = 20261145  # dev17: drawn at the start of the thirteenth session, scored only at its end
DEV18_SEED = 20261146  # dev18: drawn in the fourteenth session, to choose the learned filter's thresholds
DEV19_SEED = 20261147  # dev19: drawn at the start of the fifteenth session, annotated blind
DEV20_SEED = 20261148  # dev20: drawn in the fifteenth session, scored only at its end
DEV21_SEED = 20261149  # dev21: drawn at the start of the sixteenth session, annotated blind
DEV22_SEED = 20261150  # dev22: drawn in the sixteenth session, scored only at its end
DEV23_SEED = 20261151  # dev23: drawn at the start of the seventeenth session, annotated blind
DEV24_SEED = 20261152  # dev24: drawn at the start of the eighteenth session, annotated blind
DEV25_SEED = 20261153  # dev25: drawn at the start of the nineteenth session, annotated blind
DEV26_SEED = 20261154  # dev26: drawn in the nineteenth session, to score its design blind
DEV27_SEED = 20261155  # dev27: drawn at the start of the twentieth session, annotated blind
DEV28_SEED = 20261156  # dev28: drawn at the start of the twentieth session, annotated blind
DEV29_SEED = 20261157  # dev29: drawn in the twentieth session as a held-out set, scored only at its end
DEV30_SEED = 20261158  # dev30: drawn in the twentieth session as a held-out set, scored only at its end
GENRES = [
    ("emergency", r"火灾|起火|地震|事故|爆炸|坍塌|垮塌|中毒|洪水|暴雨|台风|泥石流|滑坡|遇难|救援|失联|坠毁|相撞|疫情"),
    ("courts_police", r"法院|判决|宣判|开庭|起诉|逮捕|拘留|检察|警方|公安|嫌疑人|审查调查|双开|落马|受贿|被查"),
    ("international", r"美国|俄罗斯|乌克兰|日本|韩国|朝鲜|英国|法国|德国|印度|以色列|联合国|总统|总理|外交部|北约"),
    ("business", r"公司|企业|股份|上市|市场|经济|投资|银行|营收|发布会|新品|汽车|电商|裁员"),
    ("public_affairs", r"政府|会议|县委|市委|省委|书记|人大|政协|部署|通知|印发|巡视|督查|乡村振兴"),
    ("society", r"."),
]


def genre_of(record: dict) -> str:
    head = (record.get("title") or "") + (record.get("content") or "")[:200]
    return next(name for name, pattern in GENRES if re.search(pattern, head))


def main(corpus: str = CORPUS, which: str = "dev") -> None:
    pools: dict[str, list[dict]] = {name: [] for name, _ in GENRES}
    with gzip.open(corpus, "rt", encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            if 150 <= len(r["content"]) <= 2000:
                pools[genre_of(r)].append(r)
    # each set is drawn from what the sets before it left, so none overlaps another
    taken: set[str] = set()
    order = ("dev", "check", "dev2", "dev3", "dev4", "dev5", "dev6", "dev7", "dev8", "dev9", "dev10",
             "dev11", "dev12", "dev13", "dev14", "dev15", "dev16", "dev17", "dev18", "dev19", "dev20", "dev21", "dev22", "dev23",
             "dev24", "dev25", "dev26", "dev27", "dev28", "dev29", "dev30")
    for seed in (SEED, CHECK_SEED, DEV2_SEED, DEV3_SEED, DEV4_SEED, DEV5_SEED, DEV6_SEED, DEV7_SEED, DEV8_SEED, DEV9_SEED, DEV10_SEED,
                 DEV11_SEED, DEV12_SEED, DEV13_SEED, DEV14_SEED, DEV15_SEED, DEV16_SEED, DEV17_SEED, DEV18_SEED, DEV19_SEED, DEV20_SEED, DEV21_SEED, DEV22_SEED, DEV23_SEED,
                 DEV24_SEED, DEV25_SEED, DEV26_SEED, DEV27_SEED, DEV28_SEED, DEV29_SEED, DEV30_SEED)[:order.index(which) + 1]:
        rng = random.Random(seed)
        drawn = {}
        for name, pattern in GENRES:
            left = [r for r in pools[name] if r["doc_id"] not in taken]
            if len(left) < PER_GENRE:
                # a genre's pool ran out (public affairs after 17 sets): the shortfall comes from
                # articles whose whole text, not only the title and lead, matches its keywords
                left += [r for pool in pools.values() for r in pool
                         if r["doc_id"] not in taken and r not in left and re.search(pattern, r["content"])]
            drawn[name] = rng.sample(left, PER_GENRE)
            taken |= {r["doc_id"] for r in drawn[name]}
    print("doc_id\tgenre\ttopic\tchars")
    for name, _ in GENRES:
        for r in drawn[name]:
            print(f"{r['doc_id']}\t{name}\t{r['topic']}\t{len(r['content'])}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
