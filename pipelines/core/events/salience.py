"""Which of an article's sentences report a development an analyst would put on a chronology.

The rules of engine.py propose events; most sentences they fire on report something, but
some are background, commentary or a reader's aside that happens to hold an act's verb.
A logistic model over the sentence decides which sentences keep their events: the words
(the character bigrams of the Simplified text, counted, and the words it opens and closes
with), where the sentence stands in the article, its length, how much of the article's
title it repeats, how much of it the body before it already told, the time expressions it
holds and how far back they point, and what the rules made of it (how many events, their
types and how they are dated).

A second logistic model over the same features, the key model, gives the probability that
the sentence holds a key development (the story's main ones, which the chronology must have),
where the first learns any development an analyst annotates. A third, small logistic model
then reads each sentence's two probabilities beside the others of its article
(`context_features`, `key_context_features`): the sentence before and after, the article's
best and mean, the sentence's rank. Leave-one-set-out on the tuning golds the context model
kept 0.005-0.008 more of its rows real events than the first model alone at the same key
recall; in six folds by set, the key model beside it (and the `seen=` feature) 0.872 -> 0.878
where key recall is 0.90.

The model is data: `data/sentence_weights.tsv`, one weight per feature of each model (the
key model's rows prefixed `key:`) and per context feature, the biases, the threshold and the
floor, written by `python -m bench.events_gold.train_filter` from the development gold (the
blind annotations of bench/events_gold/). The trainer computes its features with `sentence_features` and
`context_features` below, the functions production runs.
"""

from __future__ import annotations

import bisect
import math
import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from itertools import repeat
from pathlib import Path
from typing import Any

from pipelines.core.datatables import read_rows
from pipelines.core.model import Event, TimeMention

WEIGHTS = Path(__file__).with_name("data") / "sentence_weights.tsv"
KEY_PREFIX = "key:"  # the key model's rows in the table: key:c2=召开

# Bucket edges (exclusive upper bounds): a number is named by the first edge above it.
_POSITION_EDGES = (0.05, 0.15, 0.3, 0.5, 0.7, 0.85, 0.95, 1.01)  # sentence index / sentences
_INDEX_EDGES = (1, 2, 3, 5, 8, 12, 20)
_LENGTH_EDGES = (10, 20, 30, 40, 60, 80, 150, 300)  # characters of the sentence
# characters of the article: no bucket above the last that the tuning sets fill well. With
# buckets up to 2,000 and 4,000, articles of 2,001-3,000 characters (no set before dev128 held
# one) fell into one no row had weighted (0, where 1,000-2,000 weighed -0.85), and the filter
# kept their sentences more readily than a shorter article's. On the three such sets held out
# (dev129, dev131, dev133: 713 key events), 0.896 / 0.725 / 0.770 (key recall / key dated /
# precision) with that model; fitted with one bucket for all from 1,000 on and to dev128,
# dev130 and dev132 besides, 0.864 / 0.700 / 0.841, and the 27 shorter held-out sets 0.906 /
# 0.707 / 0.867 -> 0.905 / 0.707 / 0.871. A bucket of its own for 2,000 on went further on the
# long sets (0.844 / 0.694 / 0.856) at too much of their recall.
_TEXT_EDGES = (300, 600, 1000)
_AGO_EDGES = (-1, 1, 2, 8, 31, 366, 3660)  # days from a mentioned day to publication


def _bucket_names(prefix: str, edges: Sequence[float]) -> Callable[[float], str]:
    """x -> the name of its bucket: prefix + the first edge above x, or prefix + "inf".
    The names are written once: every sentence the filter scores names five buckets, and
    writing a float out each time was a tenth of its features' cost."""
    names = (*(prefix + str(edge) for edge in edges), prefix + "inf")
    return lambda x: names[bisect.bisect_right(edges, x)]


_POSITION = _bucket_names("rel=", _POSITION_EDGES)
_INDEX = _bucket_names("idx=", _INDEX_EDGES)
_LENGTH = _bucket_names("len=", _LENGTH_EDGES)
_TEXT = _bucket_names("tl=", _TEXT_EDGES)
_AGO = _bucket_names("ago=", _AGO_EDGES)


@dataclass(frozen=True, slots=True)
class SentenceFeatures:
    """A sentence's features: the bigrams of its text (each time it holds one) and the rest,
    by name, once each."""

    text: str
    other: tuple[str, ...]

    def bigrams(self) -> Iterator[str]:
        return map(operator.add, self.text, self.text[1:])

    def counts(self) -> dict[str, int]:
        """Feature name -> value, as the weights table names them (c2=召开, rel=0.05 ...)."""
        out = dict.fromkeys(self.other, 1)
        for b in self.bigrams():
            out[f"c2={b}"] = out.get(f"c2={b}", 0) + 1
        return out


def title_bigrams(title: str | None) -> frozenset[str]:
    """The bigrams of a (Simplified) title's words: two letters or digits side by side."""
    if not title:
        return frozenset()
    return frozenset(a + b for a, b in zip(title, title[1:], strict=False) if a.isalnum() and b.isalnum())


@dataclass(frozen=True, slots=True)
class TitleEcho:
    """Where an article's body repeats its title's bigrams: found once per article, among the
    body's bigrams as `ArticleBigrams` keys them (a find over the text per title bigram cost
    47 ms per 1,000 corpus articles, this 32 ms), so each sentence's count is a lookup rather
    than a pass over its text."""

    bigrams: int  # how many distinct bigrams the title has
    starts: list[int]  # where the body holds one of them, in order
    found: list[int]  # which, at each of `starts` (its index among the body's distinct bigrams)

    @classmethod
    def of(cls, title: str | None, article: ArticleBigrams) -> TitleEcho:
        import numpy as np

        grams = title_bigrams(title)
        if not grams or article.distinct is None:
            return cls(len(grams), [], [])
        keys = _pair_keys(_code_points("".join(grams)))[::2]  # each gram's key: the pairs at even positions
        at = np.minimum(article.distinct.searchsorted(keys), len(article.distinct) - 1)
        held = np.zeros(len(article.distinct), dtype=bool)
        held[at[article.distinct[at] == keys]] = True
        positions = np.flatnonzero(held[article.position])
        return cls(len(grams), (positions + article.start).tolist(), article.position[positions].tolist())

    def shared(self, start: int, end: int) -> int:
        """How many of the title's bigrams text[start:end] holds."""
        if not self.starts:
            return 0
        first = bisect.bisect_left(self.starts, start)
        return len(set(self.found[first:bisect.bisect_left(self.starts, end - 1, first)]))


# How much of the title a sentence repeats: the share of the title's bigrams it holds, in
# sixths, and their number (a story's main development is what its headline says).
_TITLE_SHARE_PARTS = 6
_TITLE_SHARED_MOST = 8
_TITLE_SHARE = tuple(f"title_share={k}" for k in range(_TITLE_SHARE_PARTS))
_TITLE_SHARED = tuple(f"title_shared={k}" for k in range(_TITLE_SHARED_MOST + 1))


def sentence_features(sentence: str, index: int, sentences: int, text_length: int,
                      mentions: Iterable[TimeMention], published: date | None,
                      events: Sequence[Event], title_shared: int = 0, title_bigrams: int = 0,
                      seen: int = 0) -> SentenceFeatures:
    """The features of one sentence (its Simplified text), the index-th of the article's
    `sentences`, holding `events` and the time `mentions` that start in it and
    `title_shared` of its title's `title_bigrams` bigrams (`TitleEcho`); `seen` is how much of
    it the body before it already says, in quarters (`seen_quarters`)."""
    other = [_POSITION(index / max(1, sentences)), _INDEX(index), _LENGTH(len(sentence)), _TEXT(text_length),
             _TITLE_SHARE[min(_TITLE_SHARE_PARTS - 1, title_shared * _TITLE_SHARE_PARTS // max(1, title_bigrams))],
             _TITLE_SHARED[min(_TITLE_SHARED_MOST, title_shared)], _SEEN[seen]]
    mentions = list(mentions)
    other.append(_COUNTED[min(len(mentions), 3)])
    for m in mentions:
        other.append(_mention_kind(m.type, m.granularity, m.vague))
        if m.earliest is not None and published is not None:
            other.append(_AGO((published - m.earliest).days))
    # the words it opens with (此前, 目前, 据悉, 随后) and the mark it closes with (？, ：):
    # a bigram's weight is the same wherever in the sentence it stands, but these say how the
    # sentence stands in the story. Four folds of the tuning sets by set, each scored end to
    # end with models fitted to the other three: 0.897 / 0.715 / 0.852 -> 0.899 / 0.716 / 0.854
    # (key recall / key dated / precision).
    words = sentence.strip()
    if words:
        other += [f"open={words[:2]}", f"close={words[-1]}"]
    other.append(_EVENTS[min(len(events), 3)])
    if events:  # (most candidate sentences are those no rule read: none)
        other += [f"type={t}" for t in sorted({e.event_type for e in events})]
        other += [f"basis={b}" for b in sorted({e.date_basis for e in events})]
    return SentenceFeatures(sentence, tuple(dict.fromkeys(other)))


# Feature names made once: every candidate sentence names how many mentions and events it
# holds and each mention's kind, and formatting them anew was most of the features' cost.
_COUNTED = tuple(f"nm={k}" for k in range(4))
_EVENTS = tuple(f"nev={k}" for k in range(4))
_SEEN_PARTS = 4
_SEEN = tuple(f"seen={k}" for k in range(_SEEN_PARTS))

# Letters and digits as code point ranges (inclusive): CJK ideographs (with extension A, the
# compatibility block and the supplementary planes), ASCII and full-width letters and digits.
# A pair of two of these is a word's bigram; punctuation pairs are not.
_LETTER_RANGES = ((0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF),
                  (0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A), (0x20000, 0x2FFFF))
_LETTER_END = 0x30000  # code points from here on are no letters


@lru_cache(maxsize=1)
def _letter_table() -> Any:
    """A code point -> whether it is a letter or digit (_LETTER_RANGES), as one array: one
    lookup per text where a comparison per range was most of seen_quarters' cost."""
    import numpy as np

    table = np.zeros(_LETTER_END + 1, dtype=bool)  # the last: every code point past the end
    for low, high in _LETTER_RANGES:
        table[low:high + 1] = True
    return table


def seen_quarters(article: ArticleBigrams, sentences: Sequence[tuple[int, int]]) -> list[int]:
    """For each sentence (spans of the article's text, in order, in its body): the share of its
    word bigrams (two letters or digits) that the body before it already holds, in quarters
    (0-3). A sentence that retells the lead (its act, its actors, its place) reads as a
    development already told; one whose words are all new, as news or as an aside."""
    import numpy as np

    n = len(sentences)
    if n == 0 or article.first is None:
        return [0] * n
    starts = np.fromiter((max(a - article.start, 0) for a, _ in sentences), dtype=np.int64, count=n)
    ends = np.fromiter((max(b - article.start, 0) for _, b in sentences), dtype=np.int64, count=n)
    # each bigram position's sentence start (the last start at or before it): a bigram is told
    # before if it first stood before it
    marks = np.zeros(len(article.letters) + 1, dtype=np.int64)
    marks[starts] = starts
    sentence_start = np.maximum.accumulate(marks)[:-1]
    told = article.letters & (article.first.take(article.position) < sentence_start)
    words = np.concatenate(([0], article.letters.cumsum()))
    before = np.concatenate(([0], told.cumsum()))
    last = np.maximum(ends - 1, starts)  # the bigrams of text[a:b] start at a .. b-2
    counted = (words.take(last) - words.take(starts)).tolist()
    seen = (before.take(last) - before.take(starts)).tolist()
    return [min(_SEEN_PARTS - 1, t * _SEEN_PARTS // d) if d else 0 for t, d in zip(seen, counted, strict=True)]


@lru_cache(maxsize=256)
def _mention_kind(kind: str, granularity: str, vague: bool) -> str:
    return f"mt={kind}{granularity}{vague}"


# A sentence's place among its article's candidate sentences, by the probabilities the
# sentence model gives them (in the text's order): its own, the one before and after (none:
# probability 0), the article's highest and mean, its rank (0 the likeliest, ties in the
# text's order, 5 and below as one), its distance below the highest, and how many there are.
# Then the same of the key model's probabilities (KEY_CONTEXT: its own, the article's highest,
# its rank and its distance below the highest).
# Probabilities enter as log-odds, clipped to [1e-4, 1 - 1e-4].
CONTEXT = ("ctx=p", "ctx=prev", "ctx=next", "ctx=max", "ctx=mean", "ctx=rank", "ctx=gap", "ctx=n")
KEY_CONTEXT = ("ctx=key", "ctx=keymax", "ctx=keyrank", "ctx=keygap")
_CLIP = 1e-4
_LAST_RANK = 5


def _logit(p: float) -> float:
    p = min(max(p, _CLIP), 1.0 - _CLIP)
    return math.log(p / (1.0 - p))


def _ranked(probabilities: Sequence[float]) -> tuple[list[float], float, list[int]]:
    """The probabilities' log-odds, the highest's, and each one's rank (0 the likeliest, ties
    in the text's order, _LAST_RANK and below as one)."""
    rank = [_LAST_RANK] * len(probabilities)
    for r, j in enumerate(sorted(range(len(probabilities)), key=lambda j: -probabilities[j])[:_LAST_RANK]):
        rank[j] = r
    return [_logit(p) for p in probabilities], _logit(max(probabilities)), rank


def context_features(probabilities: Sequence[float]) -> list[tuple[float, ...]]:
    """Each sentence's context features (in the order of CONTEXT), given the probabilities of
    all the article's candidate sentences in the text's order."""
    n = len(probabilities)
    if not n:
        return []
    logits, top, rank = _ranked(probabilities)
    mean, none = _logit(sum(probabilities) / n), _logit(0.0)
    return [(logits[j], logits[j - 1] if j else none, logits[j + 1] if j + 1 < n else none, top, mean,
             float(rank[j]), logits[j] - top, float(n)) for j in range(n)]


def key_context_features(key_probabilities: Sequence[float]) -> list[tuple[float, ...]]:
    """Each sentence's key context features (in the order of KEY_CONTEXT), given the key
    model's probabilities of all the article's candidate sentences in the text's order."""
    if not key_probabilities:
        return []
    logits, top, rank = _ranked(key_probabilities)
    return [(x, top, float(r), x - top) for x, r in zip(logits, rank, strict=True)]


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0


_CODE_BITS = 21  # every Unicode code point fits in 21 bits


def _code_points(text: str) -> Any:
    """A text's code points as an array (numpy). (A lone surrogate never gets here: the
    readers refuse a text that holds one.)"""
    import numpy as np

    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


def _pair_keys(codes: Any) -> Any:
    """Each two neighbouring code points as one number: the bigram starting at each position
    but the last. How both an article's bigrams and the models' weighted ones are keyed."""
    import numpy as np

    return (codes[:-1].astype(np.uint64) << _CODE_BITS) | codes[1:]


@dataclass(frozen=True, slots=True)
class BigramWeights:
    """An article's weighted bigrams summed from its start (`running[i]`: those starting
    before position i), so a sentence's weight is one subtraction, where an automaton's pass
    over each sentence, a match object per position, took 2-4% more of event extraction's
    CPU (the same events on 3,000 corpus articles). The sums stay a numpy array, read two
    items per sentence: made a list, every position of the article became a Python float,
    most of them never read (half the weighing's cost)."""

    running: Any  # numpy float64, one more than the positions
    offset: int = 0  # where in the text the sums start (the body: no sentence starts before it)

    def between(self, start: int, end: int) -> float:
        """The weight of the bigrams of text[start:end]: those starting at start .. end-2."""
        low, high = max(start - self.offset, 0), end - 1 - self.offset
        return self.running.item(high) - self.running.item(low) if high > low else 0.0


@dataclass(frozen=True, slots=True)
class ArticleBigrams:
    """An article's bigrams from `start` (its body) on, as numbers (`_pair_keys`): each
    distinct one (`distinct`, sorted), where it first stands (`first`), each position's index
    among them (`position`), and whether the pair at each position is two letters or digits
    (`letters`: a word's bigram, not punctuation). Made once per article, for the models'
    weights and seen_quarters: each distinct bigram is looked up once, in order (an article
    repeats many: a fifth less time than a search for every position)."""

    start: int
    distinct: Any
    first: Any
    position: Any
    letters: Any

    @classmethod
    def of(cls, text: str, start: int = 0) -> ArticleBigrams:
        import numpy as np

        if len(text) - start < 2:
            return cls(start, None, None, None, np.zeros(0, dtype=bool))
        codes = _code_points(text[start:])
        distinct, position = np.unique(_pair_keys(codes), return_inverse=True)
        # where each first stands: the least of its positions (unique's return_index sorts
        # stably, twice the time)
        first = np.full(len(distinct), len(position))
        np.minimum.at(first, position, np.arange(len(position)))
        letter = _letter_table()[np.minimum(codes, _LETTER_END)]
        return cls(start, distinct, first, position, letter[:-1] & letter[1:])


@dataclass(frozen=True, slots=True)
class LinearModel:
    """A logistic model over a sentence's features: a weight per bigram and per other feature."""

    bigrams: dict[str, float]  # c2=召开 -> weight, keyed by the bigram
    other: dict[str, float]  # every other feature, by its name
    bias: float

    @classmethod
    def of(cls, weights: dict[str, float], bias: float) -> LinearModel:
        return cls({name[3:]: w for name, w in weights.items() if name.startswith("c2=")},
                   {name: w for name, w in weights.items() if not name.startswith("c2=")}, bias)

    def probability(self, f: SentenceFeatures, bigrams: float) -> float:
        """The probability for a sentence of these features whose bigrams weigh `bigrams`
        (BigramWeights.between)."""
        return _sigmoid(self.bias + bigrams + sum(map(self.other.get, f.other, repeat(0.0))))


@dataclass(frozen=True, slots=True)
class BigramTable:
    """The bigram weights of several models as one table: every weighted bigram as a sorted
    key (`_pair_keys`) and a row of its weight in each model, the last row 0 for a bigram none
    weighs. An article's bigrams are looked up as one array (numpy), where a string or a match
    object per position was most of the scoring; and once for all the models, where a lookup
    per model cost the filter a search of the article's bigrams each (numpy's calls are dear in
    the middle of extraction: a fifth of the article-wide scoring, on 3,000 corpus articles)."""

    keys: Any
    weights: Any  # (len(keys) + 1) x models

    @classmethod
    def of(cls, models: Sequence[LinearModel]) -> BigramTable:
        import numpy as np

        bigrams = list({b: None for m in models for b in m.bigrams if len(b) == 2})  # two letters
        if not bigrams:
            return cls(np.zeros(0, dtype=np.uint64), np.zeros((1, len(models)), dtype=np.float64))
        # every bigram's key at once (a loading worker builds this table first): the pairs of
        # the bigrams written one after another that start at even positions
        keys = _pair_keys(_code_points("".join(bigrams)))[::2]
        order = keys.argsort()
        weights = np.zeros((len(bigrams) + 1, len(models)), dtype=np.float64)
        for column, model in enumerate(models):
            weights[:-1, column] = np.fromiter(map(model.bigrams.get, bigrams, repeat(0.0)), dtype=np.float64,
                                               count=len(bigrams))[order]
        return cls(keys[order], weights)

    def weigh(self, article: ArticleBigrams) -> list[BigramWeights]:
        """Each model's running sum of an article's bigram weights (see BigramWeights)."""
        import numpy as np

        models = self.weights.shape[1]
        if article.distinct is None or not len(self.keys):
            return [BigramWeights(np.zeros(len(article.letters) + 2), article.start) for _ in range(models)]
        found = self.keys.searchsorted(article.distinct)
        found[self.keys.take(found, mode="clip") != article.distinct] = len(self.keys)  # no weight: the 0 row
        # a running sum: a sentence's weight is a difference of two, its own bigrams' weights
        # added up to rounding (each column summed in the text's order, as on its own)
        running = np.zeros((len(article.position) + 1, models), dtype=np.float64)
        np.cumsum(self.weights[found[article.position]], axis=0, out=running[1:])
        return [BigramWeights(column, article.start) for column in running.T]


def key_model_reads(probability: float, floor: float) -> bool:
    """Whether the key model reads a sentence the sentence model gives `probability`: only one
    at or above the floor, the least a kept sentence has (the rest cost nothing more)."""
    return probability >= floor


@dataclass(frozen=True, slots=True)
class SentenceModel:
    """The filter: the sentence model (does the sentence hold an event an analyst annotates?),
    the key model (does it hold a key one?), and the context model that reads both models'
    probabilities beside the article's others and decides."""

    sentence: LinearModel
    threshold: float  # of the context model's probability: a sentence at or above it is kept
    context: tuple[float, ...]  # the context model's weights, in the order of CONTEXT + KEY_CONTEXT
    context_bias: float
    # a sentence the sentence model gives less than this is not kept whatever its context, so the
    # extractor dates none (the context model, fitted, keeps none so low)
    floor: float
    key: LinearModel | None = None  # no key model: its context features weigh nothing
    _bigram_table: BigramTable = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_bigram_table",
                           BigramTable.of([self.sentence] if self.key is None else [self.sentence, self.key]))

    @classmethod
    def of(cls, weights: dict[str, float], bias: float, threshold: float, context: dict[str, float] | None = None,
           context_bias: float = 0.0, floor: float = 0.0, key_weights: dict[str, float] | None = None,
           key_bias: float = 0.0) -> SentenceModel:
        """A model from its weights by name; without `context` weights, the context model
        passes the sentence's own probability through (ctx=p weighs 1)."""
        context = {"ctx=p": 1.0} if context is None else context
        unknown = set(context) - set(CONTEXT) - set(KEY_CONTEXT)
        if unknown:
            raise ValueError(f"unknown context features {sorted(unknown)}")
        if key_weights is None and any(context.get(name) for name in KEY_CONTEXT):
            raise ValueError("key context features weigh something but there is no key model")
        return cls(LinearModel.of(weights, bias), threshold,
                   tuple(context.get(name, 0.0) for name in (*CONTEXT, *KEY_CONTEXT)), context_bias, floor,
                   None if key_weights is None else LinearModel.of(key_weights, key_bias))

    def weight_names(self) -> list[str]:
        names = [*(f"c2={b}" for b in self.sentence.bigrams), *self.sentence.other]
        if self.key is not None:
            names += [*(f"c2={b}" for b in self.key.bigrams), *self.key.other]
        return names

    def article_weights(self, article: ArticleBigrams) -> tuple[BigramWeights, BigramWeights | None]:
        """The weights of an article's bigrams summed from its start, for `probabilities`, by
        the sentence model and by the key model (None without one): the article's bigrams are
        weighed once, not once per sentence."""
        weights = self._bigram_table.weigh(article)
        return weights[0], weights[1] if self.key is not None else None

    def probabilities(self, f: SentenceFeatures, weights: tuple[BigramWeights, BigramWeights | None],
                      span: tuple[int, int]) -> tuple[float, float]:
        """The sentence model's and the key model's probabilities for the sentence text[span] of
        these features (`article_weights` of the text). The key model reads only a sentence
        the sentence model gives at least the floor (one below is never kept): 0 for the rest,
        and without a key model."""
        own = self.sentence.probability(f, weights[0].between(*span))
        if self.key is None or weights[1] is None or not key_model_reads(own, self.floor):
            return own, 0.0
        return own, self.key.probability(f, weights[1].between(*span))

    def keeps(self, probabilities: Sequence[float], key_probabilities: Sequence[float] | None = None) -> list[bool]:
        """Which of an article's candidate sentences (their probabilities, and the key model's,
        in the text's order) report a development: their events are kept."""
        w, w_key = self.context[:len(CONTEXT)], self.context[len(CONTEXT):]
        z = [self.context_bias + sum(map(operator.mul, w, x)) for x in context_features(probabilities)]
        if self.key is not None and key_probabilities is not None:
            z = [a + sum(map(operator.mul, w_key, y)) for a, y in zip(z, key_context_features(key_probabilities),
                                                                       strict=True)]
        return [p >= self.floor and _sigmoid(a) >= self.threshold for p, a in zip(probabilities, z, strict=True)]


@lru_cache(maxsize=1)
def sentence_model() -> SentenceModel | None:
    """The weights table, or None where there is none (the filter is then off)."""
    if not WEIGHTS.exists():
        return None
    weights: dict[str, float] = {}
    key_weights: dict[str, float] = {}
    context: dict[str, float] = {}
    settings: dict[str, float] = {}
    for row in read_rows(WEIGHTS):
        if len(row) != 2:
            raise ValueError(f"{WEIGHTS.name}: a row is a feature and its weight, not {row!r}")
        name, value = row[0], float(row[1])
        if name.startswith("@"):
            settings[name] = value
        elif name.startswith("ctx="):
            context[name] = value
        elif name.startswith(KEY_PREFIX):
            key_weights[name[len(KEY_PREFIX):]] = value
        else:
            weights[name] = value
    missing = {"@bias", "@threshold", "@context_bias", "@floor"} - set(settings)
    if missing or not 0.0 <= settings["@threshold"] <= 1.0 or not context:
        raise ValueError(f"{WEIGHTS.name}: needs the context model's ctx= rows and @bias, @context_bias, "
                         f"@floor and an @threshold in [0, 1] (missing {sorted(missing) or 'none'})")
    if key_weights and "@key_bias" not in settings:
        raise ValueError(f"{WEIGHTS.name}: the key model's rows ({KEY_PREFIX}) need its @key_bias")
    return SentenceModel.of(weights, settings["@bias"], settings["@threshold"], context, settings["@context_bias"],
                            settings["@floor"], key_weights or None, settings.get("@key_bias", 0.0))


def sentence_groups(events: Sequence[Event], sentences: Sequence[tuple[int, int]]
                    ) -> list[tuple[int, list[Event]]]:
    """(index of the sentence, its events) for every sentence holding an event's start, in
    order; events that start outside every sentence (none should) are left out."""
    groups: list[tuple[int, list[Event]]] = []
    k = 0
    for e in sorted(events, key=lambda e: e.char_start):
        while k < len(sentences) and sentences[k][1] <= e.char_start:
            k += 1
        if k == len(sentences) or e.char_start < sentences[k][0]:
            continue
        if groups and groups[-1][0] == k:
            groups[-1][1].append(e)
        else:
            groups.append((k, [e]))
    return groups
