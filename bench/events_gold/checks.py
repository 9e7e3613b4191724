"""The annotation guide's checks of a batch of annotations (`kit.py`); standalone, so an
annotator's kit runs it with nothing of the project beside it."""

from __future__ import annotations

from datetime import date

FIELDS = ("what", "evidence", "earliest", "latest", "basis", "importance")
BASES = ("explicit", "inherited", "bounded")
IMPORTANCE = ("key", "minor")


def problems(articles: dict[str, dict], annotated: list[dict]) -> list[str]:
    """What the guide's checks find in a batch's annotations (empty: it passes): every
    article once, published_at as given, the fields present, every evidence an exact
    substring of the article's content, dates that parse with earliest <= latest."""
    found: list[str] = []
    seen: set[str] = set()
    for record in annotated:
        doc_id = record.get("doc_id")
        if doc_id not in articles:
            found.append(f"unknown doc_id {doc_id!r}")
            continue
        if doc_id in seen:
            found.append(f"{doc_id}: annotated twice")
        seen.add(doc_id)
        article = articles[doc_id]
        if record.get("published_at") != article["published_at"]:
            found.append(f"{doc_id}: published_at must be copied as given ({article['published_at']})")
        for i, event in enumerate(record.get("events", [])):
            where = f"{doc_id} event {i}"
            found += [f"{where}: missing {f}" for f in FIELDS if f not in event]
            for text in [event.get("evidence", ""), *event.get("also_evidence", [])]:
                if not text or text not in article["content"]:
                    found.append(f"{where}: evidence is not an exact substring of the content: {text!r}")
            try:
                if date.fromisoformat(event["earliest"]) > date.fromisoformat(event["latest"]):
                    found.append(f"{where}: earliest is after latest")
                for other in [*event.get("accept_earliest", []), *event.get("accept_latest", [])]:
                    date.fromisoformat(other)
            except (KeyError, TypeError, ValueError) as exc:
                found.append(f"{where}: a date does not parse ({exc})")
            if event.get("basis") not in BASES:
                found.append(f"{where}: basis must be one of {', '.join(BASES)}")
            if event.get("importance") not in IMPORTANCE:
                found.append(f"{where}: importance must be key or minor")
    found += [f"missing article {doc_id}" for doc_id in articles if doc_id not in seen]
    return found
