"""Full-text search of the timeline: one story's rows, ranked by BM25.

A query is segmented with jieba into terms (唐山烧烤店打人 -> 唐山, 烧烤店, 打人), each
term taken in both scripts (烧烤店|燒烤店). Rows are not segmented: a term counts where it
occurs as a substring of the headline, evidence, place or actors, so 唐山 finds 唐山市 and
唐山人, which a word index of jieba's tokens would miss (jieba keeps 唐山市 as one word).
The counts go through BM25 in SQL, the `timeline_search` macro every published file
carries, so the CLI, the page and SQL users rank the same way.

DuckDB's full-text extension would index words, with the segmentation problem above, and
ships on PyPI only for some DuckDB releases (not the one pinned here).
"""

from __future__ import annotations

import functools
import re
import unicodedata

# BM25's usual constants; headline and place count twice, being what a row is about.
_K1, _B = 1.2, 0.75
_FIELDS = (("headline", 2), ("evidence", 1), ("place", 2), ("array_to_string(actors, ' ')", 1))

# `query`: terms separated by spaces, spellings of one term by |: '唐山 烧烤店|燒烤店'.
# A row's score is summed over terms of idf * saturated term frequency, times a prior
# for how many articles report the row (a story's central events are retold).
_SEARCH_MACRO = """
CREATE OR REPLACE MACRO timeline_search(query) AS TABLE
WITH terms AS (
    SELECT DISTINCT term FROM (SELECT unnest(string_split(trim(regexp_replace(query, '\\s+', ' ', 'g')), ' ')) AS term)
    WHERE term <> ''
), spellings AS (
    SELECT DISTINCT term, unnest(string_split(term, '|')) AS spelling FROM terms
), rows AS (
    SELECT event_id, coalesce(num_sources, 1) AS num_sources, {fields}, {length} AS row_len FROM timeline
), counts AS (
    SELECT r.event_id, s.term, sum({tf}) AS tf
    FROM rows r, (SELECT * FROM spellings WHERE spelling <> '') s
    GROUP BY r.event_id, s.term
), matched AS (SELECT * FROM counts WHERE tf > 0),
stats AS (SELECT count(*) AS n, greatest(avg(row_len), 1) AS avg_len FROM rows),
idf AS (
    SELECT term, ln(1 + ((SELECT n FROM stats) - count(*) + 0.5) / (count(*) + 0.5)) AS idf
    FROM matched GROUP BY term
), scored AS (
    SELECT m.event_id,
           sum(i.idf * m.tf * ({k1} + 1) / (m.tf + {k1} * (1 - {b} + {b} * r.row_len / (SELECT avg_len FROM stats))))
             * (1 + ln(any_value(r.num_sources))) AS score,
           count(*) AS terms_matched
    FROM matched m JOIN idf i USING (term) JOIN rows r USING (event_id)
    GROUP BY m.event_id
)
SELECT t.*, round(s.score, 4) AS score, s.terms_matched
FROM timeline t JOIN scored s USING (event_id)
ORDER BY s.terms_matched DESC, s.score DESC, t.earliest, t.event_id
"""


def search_macro() -> str:
    """The SQL that creates `timeline_search(query)` in a published file."""
    fields = ", ".join(f"coalesce({expr}, '') AS f{i}" for i, (expr, _) in enumerate(_FIELDS))
    length = " + ".join(f"length(coalesce({expr}, ''))" for expr, _ in _FIELDS)
    tf = " + ".join(f"{weight} * (length(r.f{i}) - length(replace(r.f{i}, s.spelling, ''))) "
                    f"// length(s.spelling)" for i, (_, weight) in enumerate(_FIELDS))
    return _SEARCH_MACRO.format(fields=fields, length=length, tf=tf, k1=_K1, b=_B)


@functools.cache
def _converters():
    import opencc

    return opencc.OpenCC("t2s"), opencc.OpenCC("s2t")


_WORD = re.compile(r"\w+")


def query_terms(query: str) -> list[str]:
    """The query as the macro's terms: jieba's words of each part, in both scripts.

    jieba's dictionary is Simplified, so a Traditional query is cut on its Simplified
    copy (same length) and each word taken back from the original. Single characters are
    dropped when the query has longer words (的, 在 would match everything); a query of
    one character keeps it.
    """
    import jieba

    from pipelines.core.script import to_simplified

    jieba.setLogLevel(60)  # its dictionary-loading chatter is not for the user
    words: list[str] = []
    for part in _WORD.findall(unicodedata.normalize("NFKC", query)):
        for _, start, end in jieba.tokenize(to_simplified(part)):
            word = part[start:end]
            if _WORD.fullmatch(word) and word not in words:
                words.append(word)
    if any(len(w) > 1 for w in words):
        words = [w for w in words if len(w) > 1]
    return ["|".join(spellings(word)) for word in words]


def spellings(text: str) -> list[str]:
    """The text as given, in Simplified and in Traditional script, without repeats."""
    t2s, s2t = _converters()
    text = unicodedata.normalize("NFKC", text).strip()
    return list(dict.fromkeys([text, t2s.convert(text), s2t.convert(text)]))


def search_argument(query: str) -> str:
    """The string to pass to `timeline_search` for a user's query."""
    return " ".join(query_terms(query))
