"""Which of an article's sentences report a development an analyst would put on a chronology.

The rules of engine.py propose events; most sentences they fire on report something, but
some are background, commentary or a reader's aside that happens to hold an act's verb.
A logistic model over the sentence decides which sentences keep their events: the words
(the character bigrams of the Simplified text, counted), where the sentence stands in the
article, its length, the time expressions it holds and how far back they point, and what
the rules made of it (how many events, their types and how they are dated).

The model is data: `data/sentence_weights.tsv`, one weight per feature, a bias and the
threshold, written by `python -m bench.events_gold.train_filter` from the development gold
(the blind annotations of bench/events_gold/). The trainer computes its features with
`sentence_features` below, the function production runs.
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

from pipelines.core.datatables import read_rows
from pipelines.core.model import Event, TimeMention

WEIGHTS = Path(__file__).with_name("data") / "sentence_weights.tsv"

# Bucket edges (exclusive upper bounds): a number is named by the first edge above it.
_POSITION_EDGES = (0.05, 0.15, 0.3, 0.5, 0.7, 0.85, 0.95, 1.01)  # sentence index / sentences
_INDEX_EDGES = (1, 2, 3, 5, 8, 12, 20)
_LENGTH_EDGES = (10, 20, 30, 40, 60, 80, 150, 300)  # characters of the sentence
_TEXT_EDGES = (300, 600, 1000, 2000, 4000)  # characters of the article
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


def sentence_features(sentence: str, index: int, sentences: int, text_length: int,
                      mentions: Iterable[TimeMention], published: date | None,
                      events: Sequence[Event]) -> SentenceFeatures:
    """The features of one sentence (its Simplified text), the index-th of the article's
    `sentences`, holding `events` and the time `mentions` that start in it."""
    other = [_POSITION(index / max(1, sentences)), _INDEX(index), _LENGTH(len(sentence)), _TEXT(text_length)]
    mentions = list(mentions)
    other.append(f"nm={min(len(mentions), 3)}")
    for m in mentions:
        other.append(f"mt={m.type}{m.granularity}{m.vague}")
        if m.earliest is not None and published is not None:
            other.append(_AGO((published - m.earliest).days))
    other.append(f"nev={min(len(events), 3)}")
    other += [f"type={t}" for t in sorted({e.event_type for e in events})]
    other += [f"basis={b}" for b in sorted({e.date_basis for e in events})]
    return SentenceFeatures(sentence, tuple(dict.fromkeys(other)))


@dataclass(frozen=True, slots=True)
class SentenceModel:
    bigrams: dict[str, float]  # c2=召开 -> weight, keyed by the bigram
    other: dict[str, float]  # every other feature, by its name
    bias: float
    threshold: float
    # the weighted bigrams as an Aho-Corasick automaton, and their weights by pattern index:
    # one pass in Rust finds the sentence's weighted bigrams, in text order, where making
    # a string of each of its some sixty bigrams to look it up was most of the scoring
    _finder: object = field(init=False, repr=False, compare=False)
    _weights: list[float] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        import ahocorasick_rs

        pairs = [b for b in self.bigrams if len(b) == 2]  # a bigram feature names two letters
        object.__setattr__(self, "_weights", [self.bigrams[b] for b in pairs])
        # (contiguous: of the automata that report overlapping matches, the fastest to scan with)
        object.__setattr__(self, "_finder", ahocorasick_rs.AhoCorasick(
            pairs, matchkind=ahocorasick_rs.MatchKind.Standard, implementation=ahocorasick_rs.Implementation.ContiguousNFA)
            if pairs else None)

    @classmethod
    def of(cls, weights: dict[str, float], bias: float, threshold: float) -> SentenceModel:
        bigrams = {name[3:]: w for name, w in weights.items() if name.startswith("c2=")}
        other = {name: w for name, w in weights.items() if not name.startswith("c2=")}
        return cls(bigrams, other, bias, threshold)

    def weight_names(self) -> list[str]:
        return [*(f"c2={b}" for b in self.bigrams), *self.other]

    def probability(self, f: SentenceFeatures) -> float:
        # the weights of the sentence's bigrams in text order (overlapping: every position),
        # so the float sum is the one adding each bigram's weight in turn would make
        found = self._finder.find_matches_as_indexes(f.text, overlapping=True) if self._finder is not None else ()
        weights = self._weights
        z = (self.bias + sum([weights[i] for i, _, _ in found])
             + sum(map(self.other.get, f.other, repeat(0.0))))
        return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0

    def reports(self, f: SentenceFeatures) -> bool:
        """Whether the sentence reports a development (its events are kept)."""
        return self.probability(f) >= self.threshold


@lru_cache(maxsize=1)
def sentence_model() -> SentenceModel | None:
    """The weights table, or None where there is none (the filter is then off)."""
    if not WEIGHTS.exists():
        return None
    weights: dict[str, float] = {}
    bias = threshold = None
    for row in read_rows(WEIGHTS):
        if len(row) != 2:
            raise ValueError(f"{WEIGHTS.name}: a row is a feature and its weight, not {row!r}")
        name, value = row[0], float(row[1])
        if name == "@bias":
            bias = value
        elif name == "@threshold":
            threshold = value
        else:
            weights[name] = value
    if bias is None or threshold is None or not 0.0 <= threshold <= 1.0:
        raise ValueError(f"{WEIGHTS.name}: needs an @bias row and an @threshold row in [0, 1]")
    return SentenceModel.of(weights, bias, threshold)


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
