"""Issue 15's bounds, measured as a person runs them: whole `timeline run`s.

    python -m bench.adversarial                 # the adversarial articles and 20,000 small files
    python -m bench.adversarial --files 2000    # fewer small files (about a minute in all)
    python -m bench.adversarial --files 0       # the adversarial articles only (under a minute)

Each adversarial article (one character a million times, one expression 100,000 times) is
one file of a fresh seeds folder; the bound is 15 s for the whole run. The small files are
the corpus's articles cut to 400 characters, once as N `.txt` files and once as one JSONL
dump of the same articles; the bound is files <= 2x the dump. Wall time includes imports;
CPU time is the run's and its workers', which a busy shared machine does not inflate.
Not part of `make bench` (the 20,000 files alone take minutes).
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import sys
import tempfile
from itertools import cycle, islice
from pathlib import Path

from bench.corpus import CORPUS
from bench.measure import Measured, run_measured
from bench.run import TIMELINE, _env

ADVERSARIAL = [("年", 1_000_000), ("一", 1_000_000), ("2020年", 100_000)]
BOUND_SECONDS = 15.0
FILES_VS_DUMP = 2.0
SMALL_CHARS = 400
HEADER = "标题\n\n来源:测试 时间:2020-12-16 10:38:18\n"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_run(seeds: Path, db: Path) -> tuple[Measured, float]:
    """A whole `timeline run` over `seeds`: its measurement and its CPU seconds."""
    before = _children_cpu()
    m = run_measured([*TIMELINE, "run", "--seeds", str(seeds), "--db", str(db), "--show", "none"],
                     env=_env(), timeout=3600)
    if m.returncode != 0:
        raise SystemExit(f"timeline run over {seeds} failed:\n{m.stderr_tail}")
    return m, _children_cpu() - before


def write_small_articles(n: int, files: Path, dump: Path) -> None:
    """n corpus articles cut to SMALL_CHARS, as n .txt files and as one dump (ids differ
    where the corpus repeats, so every article is its own document)."""
    files.mkdir(parents=True)
    dump.mkdir(parents=True)
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    with (dump / "articles.jsonl").open("w", encoding="utf-8") as out:
        for i, rec in enumerate(islice(cycle(records), n)):
            body = rec["content"][:SMALL_CHARS]
            name = f"a{i:06d}"
            published = (rec.get("published_at") or "").replace("T", " ")
            (files / f"{name}.txt").write_text(
                f"{rec['title']}\n\n来源:{rec['source']} 时间:{published}\n{body}\n", "utf-8")
            out.write(json.dumps({"doc_id": name, "title": rec["title"], "source": rec["source"],
                                  "published_at": rec.get("published_at"), "content": body},
                                 ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=20_000, help="small files (0: none)")
    args = parser.parse_args(argv)
    rows = ["| input | wall s | CPU s | bound | within |", "| --- | ---: | ---: | --- | --- |"]
    ok = True
    with tempfile.TemporaryDirectory(prefix="adversarial-") as tmp:
        for unit, repeats in ADVERSARIAL:
            seeds = Path(tmp) / f"seeds-{repeats}-{ord(unit[-1])}-{len(unit)}"
            seeds.mkdir()
            (seeds / "a.txt").write_text(HEADER + unit * repeats + "\n", "utf-8")
            m, cpu = timed_run(seeds, seeds.with_suffix(".duckdb"))
            within = cpu <= BOUND_SECONDS
            ok &= within
            rows.append(f"| {unit} x {repeats:,} | {m.wall:.1f} | {cpu:.1f} | <= {BOUND_SECONDS:.0f} s | "
                        f"{'yes' if within else 'NO'} |")
            print(rows[-1], file=sys.stderr, flush=True)
        if args.files:
            files, dump = Path(tmp) / "files", Path(tmp) / "dump"
            write_small_articles(args.files, files, dump)
            dump_m, dump_cpu = timed_run(dump, Path(tmp) / "dump.duckdb")
            rows.append(f"| {args.files:,} articles as one dump | {dump_m.wall:.1f} | {dump_cpu:.1f} | | |")
            print(rows[-1], file=sys.stderr, flush=True)
            files_m, files_cpu = timed_run(files, Path(tmp) / "files.duckdb")
            ratio = files_cpu / dump_cpu
            within = ratio <= FILES_VS_DUMP
            ok &= within
            rows.append(f"| the same as {args.files:,} files | {files_m.wall:.1f} | {files_cpu:.1f} | "
                        f"<= {FILES_VS_DUMP:.0f}x the dump: {ratio:.2f}x CPU, "
                        f"{files_m.wall / dump_m.wall:.2f}x wall | {'yes' if within else 'NO'} |")
    print("\n".join(rows))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
