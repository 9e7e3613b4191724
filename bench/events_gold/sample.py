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
characters only, so an annotator can read each whole. The sets after dev116 are drawn by a
second design, fifteen per genre of the four genres with articles left (REST_GENRES); the
sets after dev127 by a third, ten per genre of all six, of 2,001-3,000 characters; the sets
after dev136 by a fourth, the same of 3,001-4,000 characters (dev137 to dev139). A genre
whose pool runs short, in either design, is filled by articles whose whole text matches its
keywords. Only
doc_ids are kept in the repository: the texts stay in the corpus (CC BY-NC-SA).
"""

from __future__ import annotations

import gzip
import json
import random
import re
import sys

CORPUS = "../shared/corpus/dtels-news-10k.jsonl.gz"
# Each set's seed, in the order the sets were drawn: a set is drawn from what the sets
# before it left, so none overlaps another.
SEEDS = {
    "dev": 20261128,  # the first development set
    "check": 20261129,  # drawn the same way with another seed, never tuned on (see README.md)
    "dev2": 20261130,  # a second tuning set, drawn after dev and check
    "dev3": 20261131,  # drawn to judge a lexicon change on news the tuning had not seen
    "dev4": 20261132,  # drawn to find what the lexicon misses on news nobody tuned on
    "dev5": 20261133,  # drawn in the sixth session, scored blind at its end
    "dev6": 20261134,  # drawn at the start of the seventh session, scored blind at its end
    "dev7": 20261135,  # drawn in the seventh session, after dev6 had been tuned on
    "dev8": 20261136,  # drawn at the start of the eighth session, annotated blind
    "dev9": 20261137,  # drawn in the eighth session, to score its changes on unseen news
    "dev10": 20261138,  # drawn in the eighth session, scored only at its end
    "dev11": 20261139,  # drawn at the start of the ninth session, annotated blind
    "dev12": 20261140,  # drawn in the ninth session, scored only at its end
    "dev13": 20261141,  # drawn at the start of the tenth session, annotated blind
    "dev14": 20261142,  # drawn at the start of the tenth session, scored only at its end
    "dev15": 20261143,  # drawn at the start of the eleventh session, scored only at its end
    "dev16": 20261144,  # drawn at the start of the twelfth session, scored only at its end
    "dev17": 20261145,  # drawn at the start of the thirteenth session, scored only at its end
    "dev18": 20261146,  # drawn in the fourteenth session, to choose the learned filter's thresholds
    "dev19": 20261147,  # drawn at the start of the fifteenth session, annotated blind
    "dev20": 20261148,  # drawn in the fifteenth session, scored only at its end
    "dev21": 20261149,  # drawn at the start of the sixteenth session, annotated blind
    "dev22": 20261150,  # drawn in the sixteenth session, scored only at its end
    "dev23": 20261151,  # drawn at the start of the seventeenth session, annotated blind
    "dev24": 20261152,  # drawn at the start of the eighteenth session, annotated blind
    "dev25": 20261153,  # drawn at the start of the nineteenth session, annotated blind
    "dev26": 20261154,  # drawn in the nineteenth session, to score its design blind
    "dev27": 20261155,  # drawn at the start of the twentieth session, annotated blind
    "dev28": 20261156,  # drawn at the start of the twentieth session, annotated blind
    "dev29": 20261157,  # drawn in the twentieth session as a held-out set, scored only at its end
    "dev30": 20261158,  # drawn in the twentieth session as a held-out set, scored only at its end
    "dev31": 20261159,  # drawn at the start of the twenty-first session, annotated blind
    "dev32": 20261160,  # drawn at the start of the twenty-first session, annotated blind
    "dev33": 20261161,  # drawn in the twenty-first session, annotated blind
    "dev34": 20261162,  # drawn in the twenty-first session, annotated blind
    "dev35": 20261163,  # drawn in the twenty-first session, annotated blind
    "dev36": 20261164,  # drawn in the twenty-first session, annotated blind
    "dev37": 20261165,  # drawn in the twenty-first session, annotated blind
    "dev38": 20261166,  # drawn in the twenty-first session, annotated blind
    "dev39": 20261167,  # drawn in the twenty-first session, annotated blind
    "dev40": 20261168,  # drawn in the twenty-first session, annotated blind
    "dev41": 20261169,  # drawn in the twenty-first session, annotated blind
    "dev42": 20261170,  # drawn in the twenty-first session, annotated blind
    "dev43": 20261171,  # drawn in the twenty-first session, annotated blind
    "dev44": 20261172,  # drawn in the twenty-first session, annotated blind
    "dev45": 20261173,  # drawn in the twenty-first session, annotated blind
    "dev46": 20261174,  # drawn in the twenty-first session, annotated blind
    "dev47": 20261175,  # drawn in the twenty-first session, annotated blind
    "dev48": 20261176,  # drawn in the twenty-first session, annotated blind
    "dev49": 20261177,  # drawn in the twenty-first session as a held-out set, scored only at its end
    "dev50": 20261178,  # drawn in the twenty-first session as a held-out set, scored only at its end
    "dev51": 20261179,  # drawn at the end of the twenty-first session, annotated blind, held out
    "dev52": 20261180,  # drawn at the end of the twenty-first session, annotated blind, held out
    "dev53": 20261181,  # drawn at the end of the twenty-first session, annotated blind, held out
    "dev54": 20261182,  # drawn at the end of the twenty-first session, annotated blind, held out
    "dev55": 20261183,  # drawn at the end of the twenty-first session, annotated blind, held out
    "dev56": 20261184,  # drawn at the end of the twenty-first session, annotated blind, held out
    "dev57": 20261185,  # drawn at the end of the twenty-first session, annotated blind, held out
    "dev58": 20261186,  # drawn at the end of the twenty-first session, annotated blind, held out
    "dev59": 20261187,  # drawn in the twenty-second session after its model was fitted, annotated blind, held out
    "dev60": 20261188,  # drawn in the twenty-second session after its model was fitted, annotated blind, held out
    "dev61": 20261189,  # drawn in the twenty-second session after its model was fitted, annotated blind, held out
    "dev62": 20261190,  # drawn in the twenty-second session after its model was fitted, annotated blind, held out
    "dev63": 20261191,  # drawn at the start of the twenty-third session before any change, annotated blind, held out
    "dev64": 20261192,  # drawn at the start of the twenty-third session before any change, annotated blind, held out
    "dev65": 20261193,  # drawn at the start of the twenty-third session before any change, annotated blind, held out
    "dev66": 20261194,  # drawn at the start of the twenty-third session before any change, annotated blind, held out
    "dev67": 20261195,  # drawn in the twenty-fourth session after its first change (c0411f1, same events), annotated blind, held out
    "dev68": 20261196,  # drawn in the twenty-fourth session after its first change (c0411f1, same events), annotated blind, held out
    "dev69": 20261197,  # drawn in the twenty-fourth session after its first change (c0411f1, same events), annotated blind, held out
    "dev70": 20261198,  # drawn in the twenty-fourth session after its first change (c0411f1, same events), annotated blind, held out
    "dev71": 20261199,  # drawn in the twenty-fifth session after its two dating fixes (6530597), annotated blind, held out
    "dev72": 20261200,  # drawn in the twenty-fifth session after its two dating fixes (6530597), annotated blind, held out
    "dev73": 20261201,  # drawn in the twenty-sixth session (no extractor change in it), annotated blind, held out
    "dev74": 20261202,  # drawn with dev73, the same way
    "dev75": 20261203,  # drawn at the start of the twenty-seventh session (before its changes), annotated blind, held out
    "dev76": 20261204,  # drawn with dev75, the same way
    "dev77": 20261205,  # drawn later in the twenty-seventh session (after its three timex fixes), annotated blind, held out
    "dev78": 20261206,  # drawn with dev77, the same way
    "dev79": 20261207,  # drawn in the twenty-eighth session (after its two timex fixes, e14449f), annotated blind, held out
    "dev80": 20261208,  # drawn with dev79, the same way
    "dev81": 20261209,  # drawn at the start of the twenty-ninth session (before any change), annotated blind, held out
    "dev82": 20261210,  # drawn with dev81, the same way
    "dev83": 20261211,  # drawn with dev81, the same way
    "dev84": 20261212,  # drawn with dev81, the same way
    "dev85": 20261213,  # drawn at the start of the thirtieth session (scored first with 46ef70d's extractor), annotated blind, held out
    "dev86": 20261214,  # drawn with dev85, the same way
    "dev87": 20261215,  # drawn with dev85, the same way
    "dev88": 20261216,  # drawn with dev85, the same way
    "dev89": 20261217,  # drawn at the start of the thirty-first session (scored first with 10f1b4e's extractor), annotated blind, then tuned on
    "dev90": 20261218,  # drawn with dev89, the same way
    "dev91": 20261219,  # drawn with dev89, the same way
    "dev92": 20261220,  # drawn with dev89, the same way
    "dev93": 20261221,  # drawn in the thirty-third session (after its dating changes), annotated blind, held out
    "dev94": 20261222,  # drawn with dev93, the same way
    "dev95": 20261223,  # drawn in the thirty-fourth session, annotated blind, held out
    "dev96": 20261224,  # drawn with dev95, the same way
    "dev97": 20261225,  # drawn in the thirty-fourth session as tuning sets (more data for the sentence filter)
    "dev98": 20261226,  # drawn with dev97, the same way, for tuning
    "dev99": 20261227,  # drawn with dev97, the same way, for tuning
    "dev100": 20261228,  # drawn with dev97, the same way, for tuning
    "dev101": 20261229,  # drawn with dev97, the same way, for tuning
    "dev102": 20261230,  # drawn with dev97, the same way, for tuning
    "dev103": 20261231,  # drawn with dev97, the same way, for tuning
    "dev104": 20261232,  # drawn with dev97, the same way, for tuning
    "dev105": 20261233,  # drawn in the thirty-fifth session, annotated blind, held out
    "dev106": 20261234,  # drawn with dev105, the same way
    "dev107": 20261235,  # drawn in the thirty-fifth session as tuning sets
    "dev108": 20261236,  # drawn with dev107, the same way, for tuning
    "dev109": 20261237,  # drawn with dev107, the same way, for tuning
    "dev110": 20261238,  # drawn with dev107, the same way, for tuning
    "dev111": 20261239,  # drawn with dev107, the same way, for tuning
    "dev112": 20261240,  # drawn with dev107, the same way, for tuning
    "dev113": 20261241,  # drawn with dev107, the same way, for tuning
    "dev114": 20261242,  # drawn with dev107, the same way, for tuning
    "dev115": 20261243,  # drawn with dev107, the same way, for tuning
    "dev116": 20261244,  # drawn with dev107, the same way, for tuning
    # dev116 is the last set this design can draw: a seventeenth draw (seed 20261245) finds 9
    # public-affairs articles left, pool and whole-text fallback together, where a set needs 10.
    # The sets after it are drawn by the second design (REST_GENRES below).
    "dev117": 20261246,  # drawn in the thirty-sixth session by the second design, annotated blind, held out
    "dev118": 20261247,  # drawn with dev117, the same way
    "dev119": 20261248,  # drawn in the thirty-sixth session after dev117 and dev118 were scored, the same way
    "dev120": 20261249,  # drawn with dev119, the same way
    "dev121": 20261250,  # drawn at the end of the thirty-sixth session, the same way, after its bench
    "dev122": 20261251,  # drawn with dev121, the same way
    "dev123": 20261252,  # drawn at the start of the thirty-seventh session, the same way, held out
    "dev124": 20261253,  # drawn with dev123, the same way (its emergencies partly by whole text)
    "dev125": 20261254,  # drawn at the start of the thirty-ninth session, the same way, annotated blind
    "dev126": 20261255,  # drawn with dev125, the same way
    # dev127 is the last set the second design can draw: an eighteenth draw (seed 20261257) finds
    # 2 emergencies left, pool and whole-text fallback together, where a set needs 15 (of articles
    # of 150-2,000 characters, 807 society articles are left, and 22 or fewer of each other genre).
    "dev127": 20261256,  # drawn in the fortieth session, the same way, annotated blind
    # The sets after dev127 are drawn by the third design (LONG_CHARS below).
    "dev128": 20261257,  # drawn at the start of the forty-first session, annotated blind
    "dev129": 20261258,  # drawn with dev128, the same way
    "dev130": 20261259,  # drawn in the forty-first session after dev128 and dev129 were scored, the same way
    "dev131": 20261260,  # drawn with dev130, the same way
    "dev132": 20261261,  # drawn with dev130, the same way
    "dev133": 20261262,  # drawn with dev130, the same way
    "dev134": 20261263,  # drawn in the forty-first session after dev130 to dev133 were scored, the same way
    "dev135": 20261264,  # drawn with dev134, the same way
    "dev136": 20261265,  # drawn with dev134, the same way
    # dev136 is the last set the third design can draw: a fourth draw with dev134 (seed 20261266)
    # finds 6 public-affairs articles of 2,001-3,000 characters left, pool and
    # whole-text fallback together.
    # The sets after dev136 are drawn by the fourth design (LONGER_CHARS below).
    "dev137": 20261266,  # drawn in the forty-fourth session, annotated blind, held out
    "dev138": 20261267,  # drawn with dev137 after it was scored, the same way, annotated blind
    "dev139": 20261268,  # drawn in the forty-fifth session, annotated blind, held out (see train_filter.py)
    # dev139 is the last set the fourth design can draw: 58 articles of 3,001-4,000 characters are
    # left, pool and whole-text fallback together, where a set needs 60.
}
PER_GENRE = 10
# The second design, for the sets after FIRST_DESIGN_LAST: fifteen per genre of the four
# genres the first left articles in (business has 2 left, public affairs none), so the
# sets stay 60 articles of news nobody annotated.
FIRST_DESIGN_LAST = "dev116"
REST_GENRES = ("emergency", "courts_police", "international", "society")
PER_REST_GENRE = 15
# The third design, for the sets after SECOND_DESIGN_LAST: ten per genre of all six genres
# again, from the longer articles (2,001-3,000 characters) none of the first two designs
# could draw, so public affairs and business news come back into the fresh sets.
SECOND_DESIGN_LAST = "dev127"
SHORT_CHARS = (150, 2000)
LONG_CHARS = (2001, 3000)
# The fourth design, for the sets after THIRD_DESIGN_LAST: the third's, of 3,001-4,000
# characters (238 articles, 5 of them public affairs by title and lead: the whole-text
# fallback fills that genre), so the held-out sets measure the longest articles an analyst
# reads whole too.
THIRD_DESIGN_LAST = "dev136"
LONGER_CHARS = (3001, 4000)
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


def _pools(corpus: str, ranges: tuple[tuple[int, int], ...]) -> dict[tuple[int, int], dict[str, list[dict]]]:
    """The corpus's articles by length range (inclusive bounds on the content's characters),
    then by genre, in the corpus's order: one pass over the corpus for every range."""
    pools: dict[tuple[int, int], dict[str, list[dict]]] = {chars: {name: [] for name, _ in GENRES}
                                                            for chars in ranges}
    with gzip.open(corpus, "rt", encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            n = len(r["content"])
            for low, high in ranges:
                if low <= n <= high:
                    pools[(low, high)][genre_of(r)].append(r)
    return pools


def main(corpus: str = CORPUS, which: str = "dev") -> None:
    names = list(SEEDS)
    by_length = _pools(corpus, (SHORT_CHARS, LONG_CHARS, LONGER_CHARS))
    taken: set[str] = set()
    for n, seed in enumerate(list(SEEDS.values())[:names.index(which) + 1]):
        rng = random.Random(seed)
        drawn = {}
        second = names.index(FIRST_DESIGN_LAST) < n <= names.index(SECOND_DESIGN_LAST)
        pools = by_length[LONGER_CHARS if n > names.index(THIRD_DESIGN_LAST) else
                          LONG_CHARS if n > names.index(SECOND_DESIGN_LAST) else SHORT_CHARS]
        for name, pattern in GENRES:
            if second and name not in REST_GENRES:
                continue
            per = PER_REST_GENRE if second else PER_GENRE
            left = [r for r in pools[name] if r["doc_id"] not in taken]
            if len(left) < per:
                # a genre's pool ran out (public affairs after 17 sets, emergencies after dev123): the
                # shortfall comes from articles whose whole text, not only the title and lead,
                # matches its keywords
                left += [r for pool in pools.values() for r in pool
                         if r["doc_id"] not in taken and r not in left and re.search(pattern, r["content"])]
            drawn[name] = rng.sample(left, per)
            taken |= {r["doc_id"] for r in drawn[name]}
    print("doc_id\tgenre\ttopic\tchars")
    for name in drawn:
        for r in drawn[name]:
            print(f"{r['doc_id']}\t{name}\t{r['topic']}\t{len(r['content'])}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
