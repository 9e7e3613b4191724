"""The event golds' bookkeeping: every set drawn is annotated and is either fitted to or held out."""

from __future__ import annotations

from bench.events_gold.agreement import SECOND_ANNOTATIONS
from bench.events_gold.evaluate import HERE
from bench.events_gold.sample import SEEDS
from bench.events_gold.train_filter import EXAMINED, HELD_OUT, TUNING


def test_every_drawn_set_is_annotated_and_fitted_to_held_out_or_examined() -> None:
    groups = (set(TUNING), set(HELD_OUT), set(EXAMINED))
    for name in SEEDS:
        assert (HERE / f"{name}.jsonl").exists(), name
        assert sum(name in g for g in groups) == 1, name


def test_a_second_annotation_is_held_out_with_the_set_it_annotates_again() -> None:
    for second, first in SECOND_ANNOTATIONS.items():
        assert (HERE / f"{second}.jsonl").exists()
        assert second in HELD_OUT and first in HELD_OUT
