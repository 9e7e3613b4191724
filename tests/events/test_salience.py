"""The learned sentence filter (pipelines/core/events/salience.py): its table, its mechanism,
and what the fitted model does with an article's report and its commentary."""

from __future__ import annotations

import math
from datetime import datetime

import pytest

from pipelines.core.events import candidate_events, engine, extract_events, salience
from pipelines.core.events.tables import tables
from pipelines.core.model import Document, Event
from pipelines.core.timex import extract_times

LANDSLIDE = ("某县山体滑坡致12人被困\n"
             "3月5日凌晨，某县某镇发生山体滑坡，12名村民被困。事发后，县应急管理局立即启动二级应急响应，"
             "组织300余人赶赴现场搜救。截至6日晚，已有10人获救。\n"
             "专家认为，山区应加强地质灾害监测，提前转移群众。\n")
EXPERT = "专家认为，山区应加强地质灾害监测，提前转移群众。"


def _doc(text: str) -> Document:
    return Document("salience", "salience", text, "", published_at=datetime(2024, 3, 7, 10), body_start=0)


def _events(text: str) -> tuple[list[Event], list[Event]]:
    doc = _doc(text)
    mentions = extract_times(doc.text, doc.published_at)
    return candidate_events(doc, mentions), extract_events(doc, mentions)


def test_the_table_loads_and_names_only_features_production_computes() -> None:
    model = salience.sentence_model()
    assert model is not None and 0.0 < model.threshold < 1.0 and 0.0 <= model.floor < 1.0
    assert len(model.context) == len(salience.CONTEXT) + len(salience.KEY_CONTEXT) and any(model.context)
    known_types = set(tables().labels)
    prefixes = ("c2=", "rel=", "idx=", "len=", "tl=", "title_share=", "title_shared=", "nm=", "mt=", "ago=", "nev=",
                "type=", "basis=", "open=", "close=", "seen=")
    for name in model.weight_names():
        assert name.startswith(prefixes), name
        if name.startswith("type="):
            assert name[5:] in known_types, name
        if name.startswith("basis="):
            assert name[6:] in ("explicit", "inherited", "bounded"), name


def test_a_reported_disaster_keeps_its_events_and_an_experts_advice_gives_none() -> None:
    # the advice's 转移 is cancelled by its frame (nonevents.tsv scope: 专家认为，…), and the
    # sentence left bare is not one the model keeps
    candidates, kept = _events(LANDSLIDE)
    assert not [e for e in candidates if e.evidence == EXPERT]
    assert not [e for e in kept if e.evidence == EXPERT]
    reported = {e.event_type for e in kept}
    assert {"disaster", "rescue"} <= reported, reported
    assert all(e in candidates for e in kept)


def test_the_filter_drops_exactly_the_events_of_the_sentences_it_rejects(monkeypatch: pytest.MonkeyPatch) -> None:
    # a model that rejects any sentence holding 获救 and keeps every other
    model = salience.SentenceModel.of({"c2=获救": -100.0}, bias=5.0, threshold=0.5)
    monkeypatch.setattr(engine, "sentence_model", lambda: model)
    candidates, kept = _events(LANDSLIDE)
    assert [e for e in kept if e in candidates] == [e for e in candidates if "获救" not in e.evidence]
    assert len([e for e in kept if e in candidates]) < len(candidates)
    # what else it keeps are the sentences no rule read (the expert's advice), one event each
    assert [e.evidence for e in kept if e not in candidates] == [EXPERT]


def test_without_a_table_the_rules_output_stands(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "sentence_model", lambda: None)
    candidates, kept = _events(LANDSLIDE)
    assert kept == candidates


def test_features_count_bigrams_and_bucket_numbers() -> None:
    event = Event("disaster", "災害", "h", "发生", "发生发生", 0, 4, None, None, "unknown", "bounded")
    features = salience.sentence_features("发生发生", 0, 10, 500, [], None, [event, event]).counts()
    assert features == {"c2=发生": 2, "c2=生发": 1, "rel=0.05": 1, "idx=1": 1, "len=10": 1, "tl=600": 1,
                        "title_share=0": 1, "title_shared=0": 1, "seen=0": 1, "nm=0": 1, "open=发生": 1, "close=生": 1,
                        "nev=2": 1, "type=disaster": 1, "basis=bounded": 1}


def test_a_sentences_bigrams_weigh_what_its_own_bigrams_weigh_in_the_table() -> None:
    model = salience.SentenceModel.of({"c2=发生": 1.5, "c2=滑坡": 2.0, "c2=𠀀坡": 4.0, "rel=0.05": 0.3}, 0.0, 0.5)
    text = "某县发生山体滑坡。滑坡后发生余震，𠀀坡无恙"
    weights, _ = model.article_weights(salience.ArticleBigrams.of(text))
    for start, end in [(0, 9), (9, len(text)), (2, 4), (3, 5), (4, 4), (4, 5), (0, len(text))]:
        own = sum(model.sentence.bigrams.get(text[i:i + 2], 0.0) for i in range(start, end - 1))
        assert weights.between(start, end) == pytest.approx(own), (start, end)
    assert weights.between(0, 9) == pytest.approx(3.5)  # 发生 and 滑坡; 坡。 and 县发 weigh nothing
    assert weights.between(15, len(text)) == pytest.approx(4.0)  # a letter beyond the BMP reads as one
    assert model.article_weights(salience.ArticleBigrams.of("发"))[0].between(0, 1) == 0.0
    # weighed from the body's start: the same sentences weigh the same
    body = model.article_weights(salience.ArticleBigrams.of(text, 9))[0]
    assert body.between(9, len(text)) == pytest.approx(weights.between(9, len(text)))
    features = salience.sentence_features(text[:9], 0, 10, 500, [], None, [])
    assert model.probabilities(features, (weights, None), (0, 9)) == pytest.approx((1 / (1 + math.exp(-3.8)), 0.0))


def test_a_sentence_is_scored_by_how_much_of_the_title_it_repeats() -> None:
    title = "广州警方通报：找回2名被拐儿童"  # 12 bigrams of letters and digits (none across the colon)
    text = title + "\n广州增城警方11月13日通报找回其中2名被拐儿童，并组织家属认亲。警方表示感谢。"
    body = len(title) + 1
    report = (body, text.index("。") + 1)
    echo = salience.TitleEcho.of(title, salience.ArticleBigrams.of(text, body))
    assert echo.bigrams == 12
    # 广州 警方 通报 找回 2名 名被 被拐 拐儿 儿童, each once however often (not 州警 方通 报找 回2)
    assert echo.shared(*report) == 9
    assert echo.shared(report[1], len(text)) == 1  # 警方 again
    assert echo.shared(body, body + 1) == 0  # a bigram counts only when the span holds both its letters
    assert echo.shared(0, body) == 0  # the title line itself is not the body
    features = salience.sentence_features(text[slice(*report)], 0, 2, len(text), [], None, [],
                                          echo.shared(*report), echo.bigrams)
    assert {"title_share=4", "title_shared=8"} <= set(features.other)  # 9 of 12: four sixths; 8 and more as one
    assert salience.TitleEcho.of(None, salience.ArticleBigrams.of(text, body)).shared(*report) == 0


def test_sentence_groups_put_each_event_in_the_sentence_it_starts_in() -> None:
    def at(start: int) -> Event:
        return Event("meeting", "會議", "h", "召开", "x", start, start + 1, None, None, "unknown", "bounded")

    a, b, c = at(2), at(12), at(15)
    groups = salience.sentence_groups([c, a, b], [(0, 10), (10, 20)])
    assert groups == [(0, [a]), (1, [b, c])]
    assert salience.sentence_groups([at(25)], [(0, 10), (10, 20)]) == []


def test_a_table_without_its_threshold_fails_when_it_loads(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "weights.tsv"
    bad.write_text("@bias\t0.1\n@context_bias\t0.0\n@floor\t0.2\nctx=p\t1.0\nc1=发\t0.2\n", encoding="utf-8")
    monkeypatch.setattr(salience, "WEIGHTS", bad)
    salience.sentence_model.cache_clear()
    try:
        with pytest.raises(ValueError, match="threshold"):
            salience.sentence_model()
    finally:
        salience.sentence_model.cache_clear()


NATO = ("北约扩员\n"
        "5月18日，芬兰和瑞典正式提交加入北约的申请。\n"
        "两国此前长期奉行军事不结盟政策。\n")


def test_a_sentence_no_rule_reads_is_a_candidate_the_model_decides(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = _doc(NATO)
    mentions = extract_times(doc.text, doc.published_at)
    rule_events = candidate_events(doc, mentions)
    read = {(e.char_start, e.char_end) for e in rule_events}
    bare = [(span, group) for span, group, _ in engine.candidate_sentences(doc, mentions) if not group]
    assert bare and not {span for span, _ in bare} & read  # the sentences the rules left, with no events
    keep_all = salience.SentenceModel.of({}, bias=5.0, threshold=0.5)
    monkeypatch.setattr(engine, "sentence_model", lambda: keep_all)
    kept = extract_events(doc, mentions)
    added = [e for e in kept if (e.char_start, e.char_end) not in read]
    assert sorted((e.char_start, e.char_end) for e in added) == sorted(span for span, _ in bare)
    for e in added:  # one generic event per sentence, with no trigger word and a whole headline
        assert (e.event_type, e.trigger) == ("occurrence", "")
        assert e.headline and e.headline in e.evidence.replace("。", "")
        assert e.date_basis in ("explicit", "inherited", "bounded")
    # the rules' events are the same with or without the sentences the model added
    assert [e for e in kept if (e.char_start, e.char_end) in read] == rule_events
    keep_none = salience.SentenceModel.of({}, bias=-5.0, threshold=0.5)
    monkeypatch.setattr(engine, "sentence_model", lambda: keep_none)
    assert extract_events(doc, mentions) == []


MEETING_TOLD_TWICE = ("3月5日，某县召开防汛工作会议。\n"
                      "会议强调，要压实责任。当天下午，某县召开防汛工作会议，部署转移群众。\n")


def test_a_development_told_twice_survives_in_the_sentence_the_model_keeps(monkeypatch: pytest.MonkeyPatch
                                                                           ) -> None:
    doc = _doc(MEETING_TOLD_TWICE)
    mentions = extract_times(doc.text, doc.published_at)
    second = MEETING_TOLD_TWICE.index("当天下午")
    # the rules tell the meeting once: by its first mention
    meetings = [e for e in candidate_events(doc, mentions) if e.event_type == "meeting"]
    assert [e.char_start for e in meetings] == [0]
    # a model that drops the first sentence (its bigram 3月) keeps the meeting by its second
    drop_first = salience.SentenceModel.of({"c2=3月": -20.0}, bias=5.0, threshold=0.5)
    monkeypatch.setattr(engine, "sentence_model", lambda: drop_first)
    kept = [(e.event_type, e.char_start, e.earliest.isoformat()) for e in extract_events(doc, mentions)]
    assert ("meeting", second, "2024-03-05") in kept
    assert all(start > MEETING_TOLD_TWICE.index("\n") for _, start, _ in kept)
    # and keeping both sentences, it is still one event
    keep_all = salience.SentenceModel.of({}, bias=5.0, threshold=0.5)
    monkeypatch.setattr(engine, "sentence_model", lambda: keep_all)
    assert [e.char_start for e in extract_events(doc, mentions) if e.event_type == "meeting"] == [0]


def test_a_sentence_event_is_dated_by_its_own_time() -> None:
    # 成为 is a state's verb (nonevents.tsv): no rule reads the sentence
    doc = _doc("2012年9月，王喆第一次成为蒙特雷国际问题研究所的口译员。")
    mentions = extract_times(doc.text, doc.published_at)
    assert candidate_events(doc, mentions) == []
    ctx, _ = engine._candidates(doc, mentions, salience.SentenceModel.of({}, bias=5.0, threshold=0.5))
    assert [(e.earliest.isoformat(), e.latest.isoformat(), e.date_basis, e.time_text, e.headline)
            for e in (engine._sentence_event(ctx, d) for _, _, _, d in ctx.scored_bare)] == [
        ("2012-09-01", "2012-09-30", "explicit", "2012年9月", "王喆第一次成为蒙特雷国际问题研究所的口译员")]


# A sentence no rule reads whose time is a birth tells that birth: the birth dates it. A
# birth in brackets or describing whom the sentence is about dates nothing: the story's day does.
@pytest.mark.parametrize(("text", "dated"), [
    ("3月1日，李凯尔宣布加入中国男篮。李凯尔于1993年出生于美国纽约市。", ("1993-01-01", "1993-12-31", "explicit")),
    ("3月1日，李凱爾宣布加入中國男籃。李凱爾於1993年出生於美國紐約市。", ("1993-01-01", "1993-12-31", "explicit")),
    ("3月1日，竞拍结果揭晓。这位得主是1990年出生的孙宇晨。", ("2024-03-01", "2024-03-01", "inherited")),
    ("3月1日，競拍結果揭曉。這位得主是1990年出生的孫宇晨。", ("2024-03-01", "2024-03-01", "inherited")),
    ("3月1日，警方通报案情。死者为方某某（2002年7月出生），系本地人。", ("2024-03-01", "2024-03-01", "inherited")),
    ("3月1日，警方通報案情。死者為方某某（2002年7月出生），係本地人。", ("2024-03-01", "2024-03-01", "inherited")),
])
def test_a_birth_dates_the_sentence_that_tells_it(text: str, dated: tuple[str, str, str]) -> None:
    doc = _doc(text)
    ctx, _ = engine._candidates(doc, extract_times(doc.text, doc.published_at),
                                salience.SentenceModel.of({}, bias=5.0, threshold=0.5))
    births = [engine._sentence_event(ctx, d) for _, _, _, d in ctx.scored_bare if "出生" in text[d.sa:d.sb]]
    assert [(e.earliest.isoformat(), e.latest.isoformat(), e.date_basis) for e in births] == [dated]


@pytest.mark.parametrize("text", [
    "2022年4月25日\n\n杨丞琳回应李荣浩出轨\n\n2019年7月16日\n\n李荣浩成功求婚杨丞琳",
    "2022年4月25日\n\n楊丞琳回應李榮浩出軌\n\n2019年7月16日\n\n李榮浩成功求婚楊丞琳",
])
def test_a_timelines_date_line_is_no_event_the_line_under_it_is(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # a topic page's chronology: each date on a line of its own above what happened that day
    doc = _doc(text)
    mentions = extract_times(doc.text, doc.published_at)
    monkeypatch.setattr(engine, "sentence_model", lambda: salience.SentenceModel.of({}, bias=5.0, threshold=0.5))
    kept = extract_events(doc, mentions)
    assert [(e.headline, e.earliest.isoformat()) for e in kept] == [
        (text.split("\n\n")[1], "2022-04-25"), (text.split("\n\n")[3], "2019-07-16")]


def test_a_signature_sentence_is_the_documents_issue_only(monkeypatch: pytest.MonkeyPatch) -> None:
    # the closing 落款 is a notice of the rules (_signatures); the model adds no second event there
    doc = _doc("我们将深刻警醒反思，坚决防止类似问题发生。南京市委市政府调查组2022年7月24日")
    mentions = extract_times(doc.text, doc.published_at)
    monkeypatch.setattr(engine, "sentence_model", lambda: salience.SentenceModel.of({}, bias=5.0, threshold=0.5))
    kept = extract_events(doc, mentions)
    signature = [e for e in kept if e.event_type == "notice"]
    assert len(signature) == 1
    assert [e for e in kept if (e.char_start, e.char_end) == (signature[0].char_start, signature[0].char_end)] == signature


def test_context_features_place_each_sentence_among_its_articles() -> None:
    logit = salience._logit
    first, second, third = salience.context_features([0.9, 0.2, 0.5])
    top, mean, none = logit(0.9), logit(1.6 / 3), logit(0.0)
    assert first == pytest.approx((logit(0.9), none, logit(0.2), top, mean, 0.0, 0.0, 3.0))
    assert second == pytest.approx((logit(0.2), logit(0.9), logit(0.5), top, mean, 2.0, logit(0.2) - top, 3.0))
    assert third == pytest.approx((logit(0.5), logit(0.2), none, top, mean, 1.0, logit(0.5) - top, 3.0))
    # ties rank in the text's order; ranks past the fifth are one
    assert [x[5] for x in salience.context_features([0.5] * 7)] == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 5.0]
    assert salience.context_features([]) == []


def test_the_context_model_decides_and_the_floor_bounds_it() -> None:
    # passed through (ctx=p weighs 1): the sentence model's own probability against the threshold
    plain = salience.SentenceModel.of({}, bias=0.0, threshold=0.4)
    assert plain.keeps([0.9, 0.39, 0.41]) == [True, False, True]
    # each article's likeliest sentence only, whatever its probability, but never below the floor
    best_only = salience.SentenceModel.of({}, bias=0.0, threshold=0.5, context={"ctx=rank": -10.0},
                                          context_bias=5.0, floor=0.1)
    assert best_only.keeps([0.2, 0.15, 0.3]) == [False, False, True]
    assert best_only.keeps([0.05, 0.01]) == [False, False]
    with pytest.raises(ValueError, match="context"):
        salience.SentenceModel.of({}, bias=0.0, threshold=0.5, context={"ctx=title": 1.0})


def test_seen_quarters_say_how_much_of_a_sentence_the_body_already_told() -> None:
    text = "某县召开防汛会议\n某县召开防汛会议。某县召开防汛会议，部署转移。专家说话了。会议部署转移。"
    body = text.index("\n") + 1
    sentences = [(body + m, body + m + len(s)) for s in text[body:].split("。")[:-1]
                 for m in [text[body:].index(s + "。")]]
    # the title's words are not the body's: the first sentence is news; the second retells it
    # (7 of its 10 bigrams: two quarters); the third is all new; the fourth all told before
    assert salience.seen_quarters(salience.ArticleBigrams.of(text, body), sentences) == [0, 2, 0, 3]
    # punctuation pairs are not words: a sentence of marks alone has none to count
    assert salience.seen_quarters(salience.ArticleBigrams.of("……！！"), [(0, 4)]) == [0]
    assert salience.seen_quarters(salience.ArticleBigrams.of(""), [(0, 0)]) == [0]


def test_each_model_weighs_an_article_by_its_own_bigrams() -> None:
    # one table holds both models' bigrams: a bigram only one model weighs weighs 0 in the other
    model = salience.SentenceModel.of({"c2=发生": 1.5, "c2=滑坡": 2.0}, 0.0, 0.5, floor=0.0,
                                      key_weights={"c2=滑坡": -1.0, "c2=余震": 3.0}, key_bias=0.0)
    text = "某县发生山体滑坡。滑坡后发生余震"
    weights, key_weights = model.article_weights(salience.ArticleBigrams.of(text))
    for start, end in [(0, 9), (9, len(text)), (0, len(text)), (5, 8)]:
        for table, own in [(weights, model.sentence.bigrams), (key_weights, model.key.bigrams)]:
            expected = sum(own.get(text[i:i + 2], 0.0) for i in range(start, end - 1))
            assert table.between(start, end) == pytest.approx(expected), (start, end)
    assert key_weights.between(9, len(text)) == pytest.approx(2.0)  # 滑坡 -1, 余震 3; 发生 is the other's


def test_the_key_model_weighs_in_the_context_model() -> None:
    # the context model reads the key model's probability (ctx=key) beside the sentence model's
    model = salience.SentenceModel.of({}, bias=0.0, threshold=0.5, context={"ctx=key": 1.0}, floor=0.0,
                                      key_weights={"c2=宣判": 10.0}, key_bias=-5.0)
    text = "法院今日宣判。专家点评此案。"
    weights = model.article_weights(salience.ArticleBigrams.of(text))
    features = [salience.sentence_features(text[a:b], k, 2, len(text), [], None, []) for k, (a, b) in
                enumerate([(0, 7), (7, 14)])]
    (p1, k1), (p2, k2) = (model.probabilities(f, weights, span) for f, span in zip(features, [(0, 7), (7, 14)],
                                                                                   strict=True))
    assert p1 == p2 == 0.5 and k1 == pytest.approx(1 / (1 + math.exp(-5.0))) and k2 == pytest.approx(1 / (1 + math.exp(5.0)))
    assert model.keeps([p1, p2], [k1, k2]) == [True, False]
    # a table whose context weighs the key model's probability needs a key model
    with pytest.raises(ValueError, match="key model"):
        salience.SentenceModel.of({}, bias=0.0, threshold=0.5, context={"ctx=key": 1.0})


@pytest.mark.parametrize("probabilities", [[0.9, 0.2, 0.5], [0.5] * 7, [0.3], [0.1, 0.7, 0.7, 0.2, 0.05, 0.6, 0.65]])
def test_key_context_features_are_the_context_features_key_context_names(probabilities: list[float]) -> None:
    # the key model's own log-odds, the article's highest, its rank and its distance below the highest
    which = [salience.CONTEXT.index(name) for name in ("ctx=p", "ctx=max", "ctx=rank", "ctx=gap")]
    expected = [tuple(x[i] for i in which) for x in salience.context_features(probabilities)]
    got = salience.key_context_features(probabilities)
    assert len(got) == len(expected)
    for mine, theirs in zip(got, expected, strict=True):
        assert mine == pytest.approx(theirs)
