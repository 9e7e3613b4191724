"""Loads the data tables of `data/` once; the code never hard-codes a trigger or a suffix."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pipelines.core.datatables import Lexicon, literal_alternation, read_rows
from pipelines.core.timex.regexcache import RegexCache, cache_file
from pipelines.core.timex.tables import guarded_alternation

DATA = Path(__file__).with_name("data")
# The type of a dated act whose verb no trigger row types (see nonevents.tsv).
GENERIC_TYPE = "occurrence"


def _rows(name: str) -> list[list[str]]:
    return read_rows(DATA / name)


def _simp(text: str) -> str:
    # Rows may be written in either script; matching happens on the Simplified copy.
    from pipelines.core.script import to_simplified

    return to_simplified(text)


@dataclass(frozen=True)
class Tables:
    labels: dict[str, tuple[str, str]]  # event_type -> (Traditional label, Simplified label)
    retold: frozenset[str]  # types whose undated mentions retell the story's one occurrence
    merge_by_day: frozenset[str]  # types whose reports merge by type, place and stated day
    triggers: dict[str, tuple[str, int]]  # trigger -> (default type, needs_object 0-3)
    trigger_lexicon: Lexicon  # every trigger, found leftmost-longest
    objects: dict[str, tuple[str, frozenset[str] | None]]  # keyword -> (type or "-", triggers)
    object_lexicon: Lexicon
    place_suffixes: dict[str, int]
    suffixes_longest_first: tuple[str, ...]  # 自治州 before 州
    place_re: re.Pattern[str]
    not_place_re: re.Pattern[str] | None  # words ending in a suffix that are no unit (超市)
    gazetteer_runs: Lexicon  # runs of names (台湾高雄)
    gazetteer_names: Lexicon  # one name
    org_re: re.Pattern[str]
    future_re: re.Pattern[str]  # announced, wished, demanded, conditional: not (yet) done
    future_before_act_re: re.Pattern[str]  # 将: will before an act, the object marker before a noun
    future_adverb_re: re.Pattern[str]  # after 将: adverbials jieba's dictionary leaves untagged (依法)
    done_re: re.Pattern[str]  # perfective, passive and result markers (了, 已, 被, 成功)
    routine_re: re.Pattern[str]
    recap_re: re.Pattern[str]  # 据了解, 此前, 曾: the sentence recounts what came before the story
    result_re: re.Pattern[str]  # 已, 已经, 目前: the act's result is reported as reached
    perfect_re: re.Pattern[str]  # 已, 已经 (not 已于, 已有): the act right after it is told as done
    so_far_re: re.Pattern[str]  # 目前, 截至目前: reached as of publication
    recent_re: re.Pattern[str]  # 近日, 日前: a vague time that tells the story as recent news
    report_re: re.Pattern[str]  # 通报, 表示, 获悉: what follows is a report's content
    record_re: re.Pattern[str]  # after a time: 以来的首次, 以来最大 (the span a record is counted in)
    since_re: re.Pattern[str]  # after a time: 以来, 以后 (a span reaching the present)
    born_re: re.Pattern[str]  # after a time: 出生 (a person's birth)
    dateline_re: re.Pattern[str]  # after a time: 电, 讯 (the report's dateline)
    byline_re: re.Pattern[str]  # at a headline's start: 新华社北京8月3日电 (the report's, not the act's)
    connective_re: re.Pattern[str]  # at a headline's start: 并, 但, 而 (a link to the clause before)
    performative_re: re.Pattern[str]  # 现将…如下: the page itself is the act, on its publication day
    sequence_re: re.Pattern[str]  # 随后, 此后: a connective clause marking the next act done
    argument_re: re.Pattern[str]  # 因为, 其实, 可以说 opening a sentence: the writer reasons, tells no development
    quote_re: re.Pattern[str]  # 表示：, 说， ending right before “: the quotation holds a speaker's words
    negation_re: re.Pattern[str]  # 不, 未, 没 before an act: the clause denies or hedges it
    negated_re: re.Pattern[str]  # the same marks ending right before a verb (没有出现)
    concession_re: re.Pattern[str]  # 虽然, 尽管 before an act in its clause: conceded, not told
    governs_before_re: re.Pattern[str]  # right before a time: it is an adverbial (于, 即, a comma)
    governs_after_re: re.Pattern[str]  # right after a time: it is an adverbial (在, 起), not a modifier (的)
    distributive_re: re.Pattern[str]  # after listed days: one act on each (先后, 分别, 两次), not one act over them
    again_re: re.Pattern[str]  # just before an act: 又, 再次 (another occurrence, not the story's act retold)
    blocks: dict[str, tuple[re.Pattern[str] | None, re.Pattern[str] | None]]  # trigger -> (before, after)
    place_stop_chars: frozenset[str]  # a stem starting with one is no name (全县, 该村)
    place_bad_tags: frozenset[str]  # a stem jieba tags so is no name (示范村)
    place_marks: frozenset[str]  # 在, 于, 赴: a place follows
    place_mark_re: re.Pattern[str]  # any of place_marks
    sessions: tuple[tuple[str, re.Pattern[str]], ...]  # (counter, pattern) of ordinal sessions
    nonevent_verbs: frozenset[str]  # predicates that report, judge or describe: no act (说, 是)
    nonevent_clause_re: re.Pattern[str]  # clauses that report no act: statistics, hypotheticals
    nonevent_scope_re: re.Pattern[str]  # before an act anywhere in its sentence: cancels it
    hearsay_re: re.Pattern[str]  # before a speech verb: it is reported, not said (据路透社7日称)
    opinion_re: re.Pattern[str]  # before a speech verb: a commentator speaks (专家, 分析师): an opinion
    named_re: re.Pattern[str]  # after an incident's name date, the name's end (“3·21”…事故)
    told_re: re.Pattern[str]  # before a trigger named as an incident, a verb telling it (发生…事故)
    topic_re: re.Pattern[str]  # right before a time, a word whose object it names (调查2021年1月6日…事件)
    counted_re: re.Pattern[str]  # a time that counts within its period (今年第4号台风): it dates no act
    stamp_re: re.Pattern[str]  # a page's stamp (2022-07-18 16:46:49): no day of the story
    time_owner_re: re.Pattern[str]  # clauses whose time is their own (今年13岁): it dates no act after them
    nonevent_figure_re: re.Pattern[str]  # a figure (393亿元): only a lexicon verb is an act there
    state_re: re.Pattern[str]  # after 已: a state or a stage reached (已进入尾声, 已到位), no act
    scene_re: re.Pattern[str]  # before 已: a past moment set (…的时候), whose state 已 tells
    reaction_re: re.Pattern[str]  # the public's reaction to the story (此事引发热议, 网友纷纷): no act


@lru_cache(maxsize=1)
def tables() -> Tables:
    """The tables of data/, loaded and checked once per process. Their ~240 patterns (the
    blocks of every trigger) took ~1 s to compile, most of what a pool's parent does before
    it can fork its workers; they come from the previous process's compiled programs when
    the patterns are the same (the tagger's cache, timex/regexcache.py)."""
    cache = RegexCache(cache_file(DATA))
    loaded = _load(cache)
    cache.save()
    return loaded


def _load(cache: RegexCache) -> Tables:
    compile_regex = cache.compile

    def alternation(rows: list[str], then: str = "") -> re.Pattern[str]:
        """The alternation of `rows` (then `then`), behind a lookahead of the chars a row can
        start with (`guarded_alternation`). The pattern is kept with the compiled programs:
        deriving it parses every row, which took most of the tables' load."""
        def derive() -> str:
            body = guarded_alternation(rows)
            return f"(?:{body}){then}" if then else body

        return cache.compile_derived("\x1f".join([then, *rows]), derive)

    labels = {r[0]: (r[1], r[2] if len(r) > 2 else r[1]) for r in _rows("types.tsv")}
    triggers: dict[str, tuple[str, int]] = {}
    for r in _rows("triggers.tsv"):
        etype = r[1]
        if etype not in labels:
            raise ValueError(f"triggers.tsv: unknown event type {etype!r}")
        if _simp(r[0]) in triggers:
            raise ValueError(f"triggers.tsv: {r[0]!r} is listed twice")
        needs = r[2].strip() if len(r) > 2 else "0"
        if needs not in ("0", "1", "2", "3"):
            raise ValueError(f"triggers.tsv: needs_object of {r[0]!r} must be 0, 1, 2 or 3, not {needs!r}")
        triggers[_simp(r[0])] = (etype, int(needs))
    objects: dict[str, tuple[str, frozenset[str] | None]] = {}
    for r in _rows("objects.tsv"):
        if r[1] != "-" and r[1] not in labels:
            raise ValueError(f"objects.tsv: unknown event type {r[1]!r}")
        only = r[2].strip() if len(r) > 2 else ""
        if _simp(r[0]) in objects:
            raise ValueError(f"objects.tsv: {r[0]!r} is listed twice; one row lists all its verbs")
        objects[_simp(r[0])] = (r[1], None if only in ("", "*") else frozenset(
            _simp(x.strip()) for x in only.split(",")))
    suffixes = {_simp(r[0]): int(r[1]) for r in _rows("places.tsv") if int(r[1]) > 0}
    not_places = [_simp(r[0]) for r in _rows("places.tsv") if int(r[1]) == 0]
    gazetteer = [_simp(r[0]) for r in _rows("gazetteer.tsv")]
    orgs = [_simp(r[0]) for r in _rows("orgs.tsv")]
    modality: dict[str, list[str]] = {}
    for r in _rows("modality.tsv"):
        compile_regex(r[0])  # a broken row fails on load
        modality.setdefault(r[1], []).append(_simp(r[0]))
    blocks = _blocks(triggers, compile_regex, alternation)
    for parted, whole in _parted_triggers(triggers, modality.get("aspect", [])).items():
        triggers[parted] = triggers[whole]
        blocks[parted] = blocks[whole]
    nonevent_verbs: list[str] = []
    patterns: dict[str, list[str]] = {"clause": [], "scope": [], "figure": [], "owner": [], "hearsay": [], "opinion": [], "named": [],
                                      "told": [], "counted": [], "record": [], "since": [], "born": [], "dateline": [], "byline": [], "connective": [], "stamp": [], "state": [], "scene": [], "reaction": [], "topic": []}
    for r in _rows("nonevents.tsv"):
        if r[1] != "verb" and r[1] not in patterns:
            raise ValueError(f"nonevents.tsv: kind must be verb or one of {sorted(patterns)}, not {r[1]!r}")
        if r[1] == "verb":
            nonevent_verbs.append(_simp(r[0]))
        else:
            compile_regex(r[0])
            patterns[r[1]].append(f"(?:{_simp(r[0])})")
    if GENERIC_TYPE not in labels:
        raise ValueError(f"types.tsv: the generic type {GENERIC_TYPE!r} is missing")
    levels = "".join(sorted({s for s in suffixes if len(s) == 1}))
    # 县委书记 / 市委常委 are people's titles, not the organization acting.
    org_re = compile_regex(
        f"[{levels}](?:{literal_alternation(orgs)})(?!书记|副书记|常委|委员|领导|主任|副主任|党校)"
    )

    place_marks = frozenset(_simp(r[1]) for r in _rows("place_stems.tsv") if r[0] == "mark")

    def any_of(rows: list[str]) -> re.Pattern[str]:
        """One regex matching any row's pattern; none: a regex that never matches."""
        return alternation(rows) if rows else compile_regex("(?!)")

    return Tables(
        labels=labels,
        retold=frozenset(r[0] for r in _rows("types.tsv") if len(r) > 4 and r[4].strip() == "1"),
        merge_by_day=frozenset(r[0] for r in _rows("types.tsv") if len(r) > 5 and r[5].strip() == "day"),
        triggers=triggers,
        trigger_lexicon=Lexicon(list(triggers)),
        objects=objects,
        object_lexicon=Lexicon(list(objects)),
        place_suffixes=suffixes,
        suffixes_longest_first=tuple(sorted(suffixes, key=len, reverse=True)),
        place_re=compile_regex(literal_alternation(list(suffixes))),
        not_place_re=compile_regex(literal_alternation(not_places)) if not_places else None,
        gazetteer_runs=Lexicon(gazetteer, runs=True),
        gazetteer_names=Lexicon(gazetteer),
        org_re=org_re,
        future_re=alternation(modality.get("future", ["将于"])),
        future_before_act_re=alternation(modality.get("future_before_act", ["(?!)"])),
        future_adverb_re=alternation(modality.get("future_adverb", ["(?!)"])),
        done_re=alternation(modality.get("done", ["了"])),
        routine_re=compile_regex(literal_alternation(modality.get("routine", ["每年"]))),
        recap_re=any_of(modality.get("recap", [])),
        result_re=any_of(modality.get("result", []) + modality.get("so_far", [])),
        so_far_re=any_of(modality.get("so_far", [])),
        recent_re=any_of(modality.get("recent", [])),
        perfect_re=any_of(modality.get("result", [])),
        report_re=any_of(modality.get("report", [])),
        performative_re=any_of(modality.get("performative", [])),
        sequence_re=any_of(modality.get("sequence", [])),
        argument_re=any_of(modality.get("argument", [])),
        quote_re=alternation(modality.get("quote", ["(?!)"]), r"\s*[：:，,]?\s*$"),
        negation_re=any_of(modality.get("negation", [])),
        negated_re=alternation(modality.get("negation", ["(?!)"]), "$"),
        concession_re=any_of(modality.get("concession", [])),
        governs_before_re=alternation(modality.get("governs_before", ["(?!)"]), "$"),
        governs_after_re=any_of(modality.get("governs_after", [])),
        distributive_re=any_of(modality.get("distributive", [])),
        again_re=alternation(modality.get("again", ["(?!)"]), "$"),
        blocks=blocks,
        place_stop_chars=frozenset(_simp(r[1]) for r in _rows("place_stems.tsv") if r[0] == "stop"),
        place_bad_tags=frozenset(r[1] for r in _rows("place_stems.tsv") if r[0] == "tag"),
        place_marks=place_marks,
        place_mark_re=compile_regex(literal_alternation(list(place_marks)) if place_marks else "(?!)"),
        sessions=tuple((r[0], compile_regex(_simp(r[1]))) for r in _rows("sessions.tsv")),
        nonevent_verbs=frozenset(nonevent_verbs),
        nonevent_clause_re=any_of(patterns["clause"] + patterns["owner"] + patterns["reaction"]),
        hearsay_re=any_of(patterns["hearsay"]),
        opinion_re=any_of(patterns["opinion"]),
        named_re=any_of(patterns["named"]),
        told_re=any_of(patterns["told"]),
        topic_re=any_of(patterns["topic"]),
        counted_re=any_of(patterns["counted"]),
        record_re=any_of(patterns["record"]),
        since_re=any_of(patterns["since"]),
        born_re=any_of(patterns["born"]),
        dateline_re=any_of(patterns["dateline"]),
        byline_re=any_of(patterns["byline"]),
        connective_re=any_of(patterns["connective"]),
        stamp_re=any_of(patterns["stamp"]),
        time_owner_re=any_of(patterns["owner"]),
        nonevent_scope_re=any_of(patterns["scope"]),
        nonevent_figure_re=any_of(patterns["figure"]),
        state_re=any_of(patterns["state"]),
        scene_re=any_of(patterns["scene"]),
        reaction_re=any_of(patterns["reaction"]),
    )


def _parted_triggers(triggers: dict[str, tuple[str, int]], infixes: list[str]) -> dict[str, str]:
    """parted form -> its trigger, for the triggers of three or more letters that need no
    object, each infix (modality.tsv aspect: 了) after their first letter or first two
    (通了电话, 执行了死刑): the verb and its object parted, the same act. Forms that are rows
    of their own stay theirs."""
    out: dict[str, str] = {}
    for trig, (_, needs) in triggers.items():
        if needs or len(trig) < 3:
            continue
        for infix in infixes:
            for k in (1, 2):
                parted = trig[:k] + infix + trig[k:]
                if parted not in triggers:
                    out.setdefault(parted, trig)
    return out


def _blocks(triggers: dict[str, tuple[str, int]], compile_regex: Callable[[str], re.Pattern[str]],
            alternation: Callable[..., re.Pattern[str]],
            ) -> dict[str, tuple[re.Pattern[str] | None, re.Pattern[str] | None]]:
    """blocks.tsv compiled per trigger (rows for * are added to every trigger, rows for
    @type to every trigger of that event type)."""
    types = {etype for etype, _ in triggers.values()}
    raw: dict[str, dict[str, list[str]]] = {}
    for r in _rows("blocks.tsv"):
        where, pat = r[1], _simp(r[2])
        if where not in ("before", "after"):
            raise ValueError(f"blocks.tsv: where must be before or after, not {where!r}")
        compile_regex(pat)  # a broken row fails on load, not on the first article that reaches it
        for trig in _simp(r[0]).split("|"):  # 失事|脱轨: one context for several triggers
            if trig.startswith("@") and trig[1:] not in types:
                raise ValueError(f"blocks.tsv: no trigger has the event type {trig[1:]!r}")
            if trig != "*" and not trig.startswith("@") and trig not in triggers:
                raise ValueError(f"blocks.tsv: unknown trigger {trig!r}")
            raw.setdefault(trig, {}).setdefault(where, []).append(pat)
    out = {}
    for trig, (etype, _) in triggers.items():
        pats = {w: [p for key in ("*", "@" + etype, trig) for p in raw.get(key, {}).get(w, [])]
                for w in ("before", "after")}
        before = alternation(pats["before"], "$") if pats["before"] else None
        after = alternation(pats["after"]) if pats["after"] else None
        out[trig] = (before, after)
    return out
