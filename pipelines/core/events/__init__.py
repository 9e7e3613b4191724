"""Event extraction: `extract_events(doc, mentions) -> list[Event]`. Plain Python, no Dagster.

How an event is found
    Every sentence of the body is a candidate; matching runs on the Simplified copy (opencc
    t2s, 1:1 offsets) and reported strings (headline, evidence, place, actors) come from the
    original text.
    Typed: the trigger predicates of `data/triggers.tsv` (types in `data/types.tsv`, an
    example per row). Generic verbs (发生, 举行, 开展, 宣布 …) need an object keyword of
    `data/objects.tsv` in their clause; the last keyword that goes with the verb gives the
    type (the head of a Chinese noun phrase is last: 召开…新闻发布会 is a conference), and a
    keyword typed `-` cancels the clause (出舱活动). `data/blocks.tsv` holds the contexts
    that cancel a trigger (a row names a trigger, every trigger of an event type: @casualty,
    or all: *): negation (near or at a distance), hypotheticals, guesses and
    questions, directives and demands, habits, claims (不能成立), teams (督导组), conditions
    (发生火灾时), nominal uses (发射台, 加息幅度, 规范的出台, 塌方量, 失联乘客家属), a
    question (她有改判的可能吗？). A sentence-wide hypothetical
    (假如…) in `data/nonevents.tsv` (kind scope) cancels every act after it. One event per
    clause; an enumeration of dated items before the trigger (7∙17龙塘村、8∙13旗隆村成功避险)
    gives one event per item. An undated act (bounded, below) that the text neither marks
    done (`data/modality.tsv` done: 了, 已, 被, 成功) nor places, outside the article's first
    fifth, is background talk and gives no event; so is one announced with no day (将彻查,
    希望…道歉) outside the first fifth: an intention, no point in time. Nothing in a block of links to other
    stories (three or more consecutive short lines without punctuation or comma, past the
    first line, none opening on a time; not on a list page whose items print their dates)
    is an event of the article, nor is anything after the story on its page (past the last
    line holding a full stop, three or more short lines with none, none ending on a comma
    or colon: other stories' headlines, a most-read box, share buttons). A sentence opening
    on a reason or a comment (因为…, 其实…, 可以说…: modality.tsv kind=argument) is the
    writer reasoning, so an act in it that the sentence does not date gives no event; nor
    does an undated act inside a speaker's direct quotation (表示：“…会很快归案”: kind=quote)
    that the quotation does not tell as done, nor an act cited as an example (比如, 例如:
    nonevents.tsv kind scope), nor an undated act in a clause that concedes it (虽然…,
    尽管…: modality.tsv kind=concession).
    Generic (`occurrence`): a clause opened by an explicit time, not a since-frame nor a
    span of months or years reaching the reference (近10年, 过去几个月: a trend) nor one of
    ten years or more (1961-2016年: statistics or history, which dates no act), whose
    predicate is a verb jieba's dictionary tags `v` that `data/nonevents.tsv` does not list
    (reporting, opinion, copulas, figures) and that no statistic or hypothetical clause
    pattern cancels; a time that already dated a typed act in the sentence opens none.
    Speech (表示, 说, 称, 指出 … triggers.tsv needs_object=3): a statement only where its
    clause or sentence dates it explicitly (5月30日，发言人毛宁表示; 拜登6日表示), never
    when reported (据路透社7日称, nonevents kind hearsay); undated speech is talk, and a
    commentator's (专家, 教授, 分析师 …表示: nonevents kind opinion) is an opinion, as is
    the rest of its sentence.
    A verb typed by its object but an act without one (needs_object=2: 举行, 宣布, 发布,
    下发 …) gives an untyped event where no time in the sentence reaches the generic rule.
    One event per occurrence per article: the same wording twice (title, lead, body) is one
    event, the most precisely dated; for `retold` types (incidents) an undated retelling or
    one on the same days is the article's earlier event of that type. A headline line's act
    that the body retells and dates is the body's event; the same act of a type merging by
    day, undated and on the same days, is one event, reported from its fullest sentence;
    and such an act mentioned where nothing dates it (bounded), whose dates hold a day the
    article states for the same act, is that occurrence told again: the dated report stays.
    A sentence whose only act is one reported earlier on a stated day (same type and
    trigger: on any day for a type merging by day, on the same days for the others), dated
    only by the story's time, is that report told again, unless the sentence has a time of
    its own, denies or hedges the act (modality.tsv kind=negation) or cites it as the source
    of its news (据…通报: nonevents kind hearsay).
    Last, a learned filter (salience.py) keeps the events of the sentences a logistic model
    judges to report a development: character unigrams and bigrams of the sentence, where it
    stands, its length, its time expressions and how far back they point, and what the
    rules made of it. Its weights are data (`data/sentence_weights.tsv`), fitted to the blind
    development gold by `python -m bench.events_gold.train_filter`; `candidate_events` is the
    rules' output before it, which tests/events/cases.jsonl checks.
    A sentence in which no rule found an act is a candidate too: news reports acts no lexicon
    names (芬兰和瑞典已申请加入北约). The same model reads it (with no events: nev=0) where
    it stands in the text, and where it judges it a development the sentence is one event of
    the generic type with no trigger word, dated by its first clause that holds a time (else
    as an undated act of the story), its headline the sentence from its first clause that is
    more than a time. Such an event sets no story time, so the rules' dating of what follows
    never depends on the model.

Place
    Chains of administrative units (`data/places.tsv`, confirmed by jieba or by 在/于/赴),
    with words that merely end in a suffix left out (超市, 城市, 地区; level 0 rows), and runs
    of suffixless names from `data/gazetteer.tsv` (韩国, 台湾高雄, 在中国海上搜救中心 -> 中国).
    Preference: 在/于/赴 + place in the clause, the first place before the trigger (the
    subject's), the first after it, the sentence's subject, the acting organization's place,
    the title's place.

Dating (`date_basis`)
    explicit   a DATE/TIME mention before the act in its clause, else before it in the
               sentence outside the clauses of other acts (not of a report of the news:
               据央视新闻5月15日报道称，…举行会谈 is 05-15), else after it in the clause (a finer date inside a coarser one
               wins: 4月26日，2024年世园会开幕 is 2024-04-26, the day read in the year
               that names the act where the tagger read it in an earlier one);
               a completed act is clamped to not after publication (2020年 -> [01-01, pub]).
               A date after publication in another clause dates no reported act (押后至明年4月16日
               再讯，被告随后被押抵收押所), unless it is a day written with its month that makes
               up the sentence's first clause (2021年3月8日，东海航空…发布致歉声明): then the
               page's publication time is what is wrong.
               Two mentions joined by 至/到/— before the trigger are a stated period
               (自3月1日起至12月31日开展 -> [03-01, 12-31], granularity "range", not clamped).
               Dates inside 《…》 titles and plan periods (十四五) never date an act.
               A list page (a news index, a box of related reports) that ends with a date
               closing its line and holds two or more prints each item's date after it
               (`西南空管局召开…工作会` / `2023-04-07`, or `…正式启用。29日`): that date is
               the item's own, even for an act no trigger types, unless the item states
               a day itself (a period it names, 四月份安委会, holds the date and yields).
    inherited  the publication day for a performative act, which the page itself performs
               (现将有关情况通报如下: data/modality.tsv kind=performative; not an announced act);
               (never from a date after publication for a reported act: 将于2024年举行峰会。
               普京签署了命令 is bounded) the story's anchor (the last expression that dated an act, unless quoted,
               for the rest of its paragraph and the next sentence), else the frame opening
               the paragraph, else the lead's "since" frame within the lead's paragraph
               (今年5月以来 -> [2020-05-01, publication], granularity "range"), else, for
               breaking news whose opening sentences name the publication day, that day. A
               page's own stamp (2022-07-18 16:46:49: data/nonevents.tsv kind=stamp) is
               none of these: it says when the page was put out, not when the story was. A
               frame is a date that makes up its clause (2月17日， / 当地时间1月19日，), not
               one inside a statement (吴亦凡1990年11月6日出生于…). An ordinal session
               (十三届九次全会) does not inherit: its date is set by its institution.
               An inherited act marked as a result reached (已被刑拘, 已经成立, 截至目前:
               data/modality.tsv kind=result, so_far) spans from the story's first day of
               the month before publication (the incident) to the anchor where the anchor
               is a later report, else to publication (granularity "range").
               `time_text`, `time_start`, `time_end` name the expression either way.
    bounded    no date: a completed act is in [Jan 1 of the publication year, publication]
               (news reports recent acts), granularity "year"; where the body has stated a
               day of the publication year before it (a story is told in order), in [that
               day, publication], granularity "range", that expression its `time_text`: not
               for an ordinal session, nor in a paragraph that recaps the past (据了解, 此前:
               data/modality.tsv kind=recap), nor by a date alone on its line. An announced, wished,
               demanded or conditional act (将, 拟, 希望, 要求, 可以, 一旦 … in
               `data/modality.tsv`) is earliest = publication day, latest = None,
               granularity "unknown": it has both no end and no date, so it never reaches the
               timeline (which needs both bounds) but stays in the events table. No
               publication time gives [None, None], granularity "unknown".
    Granularity is the dating mention's (day, time, month, year, …) or one of "range" (a
    since-frame or a stated period: the act lies somewhere inside, or spans it) and
    "unknown" (an open or missing bound). Clauses with a recurrence (SET mention, 每年,
    常态化, 一月一…) give `is_routine=True`: never a timeline point.
    Known limits: an undated act that is really older (a company registered years before,
    last year's fire retold) still gets the publication-year bound.

merge_key (events of several articles merge when keys are equal and [earliest, latest]
overlap; the store's `timeline` projection does it in SQL, tests/events/test_merge.py
checks it through the pipeline)
    `event_type|place` where place is the last administrative unit of the event's place in
    Simplified script without its level (筠连县丰乐乡龙塘村, 豐樂鄉龍塘村 -> 龙塘; 福建省厦门市,
    厦门 -> 厦门), or the title's place.
    Then, to keep unrelated events apart:
    - an ordinal session appends `|s:congress13-plenum9`: the session identifies the meeting;
    - a typed day-dated explicit event with a place needs nothing more: same type, same
      place, same day is the same event (a topic's one arrest, told by dozens of articles,
      is one row)
      (a placeless one appends `|d:<signature>`: the timeline joins it to the one placed
      report of its day, or to placeless reports worded alike);
    - everything else (month/year/bounded dates) appends `|o:<signature>`, the
      first 12 letters of the Simplified clause from the trigger on, with digits, numerals,
      date words and punctuation dropped; so two year-bounded meetings in one county merge
      only when they are worded alike. A trigger with less than two letters of object
      (回应, 曝光) signs with the last 12 letters of its clause instead (外交部发言人回应).
"""

from __future__ import annotations

from pipelines.core.model import Document, Event, TimeMention

from .engine import candidate_events, extract, make_merge_key

__all__ = ["candidate_events", "extract_events", "make_merge_key"]


def extract_events(doc: Document, mentions: list[TimeMention]) -> list[Event]:
    """Events reported in `doc`'s body, in text order. Never raises."""
    try:
        return extract(doc, list(mentions or []))
    except Exception:  # noqa: BLE001 - one odd article must not stop a batch
        return []
