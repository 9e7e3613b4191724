"""The `scale` stage of `make bench` (issue 14): the warehouse at 10k and 100k articles.

    python -m bench.run --skip extraction,pipeline,stages,events   # this stage alone, via make bench's runner
    python -m bench.scale 10000 100000                              # the same stage, JSON on stdout

Synthetic copies of the shared corpus (bench.corpus.scaled_lines: doc ids suffixed per copy)
are written as dumps of 1,000 articles each, as a province's daily files would be. Every
figure is a whole process: wall seconds, CPU seconds of the process and every child it
reaped (RUSAGE_CHILDREN), peak RSS and PSS summed over the process tree (sampled), and the
bytes the tree wrote: `wchar` (bytes handed to write calls) and `write_bytes` (bytes sent
to the storage layer), both read from this process's /proc/self/io, to which Linux adds
each reaped child's counters, as it does for CPU time.

At each size: a fresh `timeline run`. On the largest: an unchanged `timeline run` (the
CLI's manifest short-cut), the daily schedule's tick and the ingest job it launches
through Dagster (`bench.scheduled`, one fresh process), then three changes of 1,000
articles (a new dump, a dump whose every article is edited, a deleted dump), then the
timeline as of the moment before those changes: the `timeline_as_of` macro through plain
DuckDB, and `timeline show --as-of`, each in a fresh process.
"""

from __future__ import annotations

import gzip
import itertools
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench import corpus
from bench.measure import run_measured

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
TIMELINE = [PY, "-m", "bench.entry"]  # = the `timeline` command (see bench/entry.py)

PER_FILE = 1000  # articles per dump file
CHANGE = 1000  # articles added, edited and deleted on the largest warehouse
DEFAULT_SIZES = (10_000, 100_000)
RUN_TIMEOUT = 3 * 3600  # a 100k run took ~6 minutes at load 1; a busy machine is slower

# Targets of issue 14.
TARGET_CPU_PER_1K_DRIFT = 0.10  # CPU s per 1k at the largest size within 10% of the smallest
TARGET_PEAK = 1.5 * 2**30  # bytes, the whole process tree at the largest size
TARGET_CHANGE_SHARE = 0.03  # a change's time / full run, bytes written / warehouse bytes
TARGET_UNCHANGED_SHARE = 0.01  # an unchanged scheduled run / full run
TARGET_AS_OF_SECONDS = 1.0
TARGET_AS_OF_MEMORY = 500 * 2**20


@dataclass(slots=True)
class Cost:
    """One whole process (and the children it reaped)."""

    wall: float
    cpu: float
    wchar: int
    write_bytes: int
    peak_rss: int
    peak_pss: int
    returncode: int
    stdout_tail: str = ""
    stderr_tail: str = ""


def _self_io() -> dict[str, int]:
    with open("/proc/self/io") as fh:
        return {k: int(v) for k, v in (line.split(":") for line in fh)}


def _children_cpu() -> float:
    use = resource.getrusage(resource.RUSAGE_CHILDREN)
    return use.ru_utime + use.ru_stime


def measure(cmd: list[str], env: dict[str, str], stdout: Path | None = None) -> Cost:
    """Run `cmd` to its end and what it cost. Its children must be reaped by it (pool
    workers are) for their CPU and writes to reach this process's counters.

    It starts on a disk that has taken what ran before it (`os.sync`, untimed): the full run
    at 100k leaves gigabytes of dirty pages that the kernel writes back for tens of seconds
    after, and a change's run started into that write-back paid for it (a new dump at 100k:
    5.1-5.4 s, 6.2-6.7 s with 2.3 GB still dirty, twice the system time), where a daily run
    starts long after yesterday's writes reached the disk. The bytes a run writes are
    counted when it dirties them, so the sync moves none of them to another run."""
    os.sync()
    cpu0, io0 = _children_cpu(), _self_io()
    m = run_measured(cmd, env=env, cwd=ROOT, stdout=stdout, timeout=RUN_TIMEOUT)
    cpu1, io1 = _children_cpu(), _self_io()
    return Cost(m.wall, cpu1 - cpu0, io1["wchar"] - io0["wchar"], io1["write_bytes"] - io0["write_bytes"],
                m.peak_rss, m.peak_pss, m.returncode, m.stdout_tail, m.stderr_tail)


def write_dumps(lines: Iterable[str], seeds: Path, per_file: int = PER_FILE, prefix: str = "day") -> list[Path]:
    """`lines` as gzipped JSONL dumps of `per_file` lines each, `{prefix}-00001.jsonl.gz`
    on; streamed (one file's lines held at a time)."""
    seeds.mkdir(parents=True, exist_ok=True)
    paths = []
    it = iter(lines)
    for number in itertools.count(1):
        chunk = list(itertools.islice(it, per_file))
        if not chunk:
            return paths
        paths.append(corpus.write_dump(chunk, seeds, f"{prefix}-{number:05d}.jsonl.gz"))
    raise AssertionError("unreachable")


def read_dump(path: Path) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return list(fh)


def disk_bytes(folder: Path) -> int:
    """Bytes the files under `folder` take on disk (allocated blocks, not apparent size)."""
    return sum(p.lstat().st_blocks * 512 for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def share(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def cpu_per_1k_drift(small: dict, large: dict) -> float:
    """How far CPU seconds per 1k articles at the large size are from the small size's
    (0.05 = 5% more per article)."""
    return large["cpu_s_per_1k"] / small["cpu_s_per_1k"] - 1


def _env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("TIMELINE_WORKERS", None)  # the default: one worker per CPU
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "dagster.yaml", home / "dagster.yaml")
    env["DAGSTER_HOME"] = str(home)
    return env


def _say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _figures(c: Cost, full: Cost | None = None, warehouse: int | None = None,
             published: int | None = None) -> dict:
    out = {"wall_s": round(c.wall, 2), "cpu_s": round(c.cpu, 2), "wchar_mib": round(c.wchar / 2**20, 1),
           "write_bytes_mib": round(c.write_bytes / 2**20, 1), "peak_rss_mib": round(c.peak_rss / 2**20),
           "peak_pss_mib": round(c.peak_pss / 2**20), "exit": c.returncode}
    if c.returncode:
        errors = [ln for ln in c.stderr_tail.splitlines() if ln.startswith("error:")]
        out["failed"] = errors[-1] if errors else c.stderr_tail[-300:]
    if full is not None:
        out["wall_share"] = share(c.wall, full.wall)
        out["cpu_share"] = share(c.cpu, full.cpu)
    if warehouse:
        out["wchar_share"] = share(c.wchar, warehouse)
        out["write_bytes_share"] = share(c.write_bytes, warehouse)
    if published:  # the one file readers open (the warehouse keeps it twice: its two buffers)
        out["wchar_published_share"] = share(c.wchar, published)
    return out


def _run(seeds: Path, db: Path, env: dict[str, str], *extra: str) -> Cost:
    return measure([*TIMELINE, "run", "--seeds", str(seeds), "--db", str(db), "--no-show", *extra], env)


def bench_scale(sizes: Iterable[int], work: Path) -> dict:
    """The stage's measurements, as one JSON-able dict (rendered by `render`)."""
    sizes = sorted(set(sizes))
    result: dict = {"per_file": PER_FILE, "change": CHANGE, "runs": []}
    for n in sizes:
        case = work / f"scale-{n}"
        seeds, db = case / "seeds", case / "warehouse" / "timeline.duckdb"
        env = _env(case / "dagster")
        files = write_dumps(corpus.scaled_lines(n), seeds)
        _say(f"scale: timeline run on {n:,} articles in {len(files)} dumps (fresh warehouse) ...")
        full = _run(seeds, db, env)
        warehouse = disk_bytes(db.parent)
        row = {"articles": n, **_figures(full), "cpu_s_per_1k": round(full.cpu / n * 1000, 3),
               "warehouse_mib": round(warehouse / 2**20), "published_mib": round(db.stat().st_size / 2**20)
               if db.exists() else None}
        result["runs"].append(row)
        if n == sizes[-1] and not full.returncode:
            result["largest"] = _on_largest(n, seeds, db, env, files, full, warehouse, case)
        shutil.rmtree(case, ignore_errors=True)
    return result


def _on_largest(n: int, seeds: Path, db: Path, env: dict[str, str], files: list[Path], full: Cost,
                warehouse: int, case: Path) -> dict:
    out: dict = {"articles": n, "warehouse_mib": round(warehouse / 2**20)}
    _say("scale: unchanged timeline run (the CLI) ...")
    out["unchanged_cli"] = _figures(_run(seeds, db, env), full, warehouse)

    _say("scale: the daily schedule's tick and the run it launches, through Dagster ...")
    report = case / "scheduled.json"
    sched = measure([PY, "-m", "bench.scheduled", str(seeds), str(db), str(case / "dagster-instance")],
                    env, stdout=report)
    out["scheduled_process"] = _figures(sched, full, warehouse)
    if not sched.returncode:
        inner = json.loads(report.read_text())
        for key in ("tick_s", "run_s"):
            inner[f"{key[:-2]}_share"] = share(inner[key], full.wall)
        out["scheduled"] = inner

    as_of = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    out["as_of"] = as_of.isoformat(sep=" ")
    time.sleep(1.1)  # the changes' facts are recorded after the moment
    def add() -> str:
        write_dumps(itertools.islice(corpus.scaled_lines(n + CHANGE), n, None), seeds, prefix="new")
        return f"add {CHANGE:,} new articles (a new dump)"

    def edit() -> str:
        edited, count = corpus.edit_share(read_dump(files[0]), every=1)
        corpus.write_dump(edited, seeds, files[0].name)
        return f"edit {count:,} articles (every article of one dump changed)"

    def delete() -> str:
        files[1].unlink()
        return f"delete a dump of {PER_FILE:,} articles"

    out["changes"] = []
    for apply in (add, edit, delete):
        before, published = disk_bytes(db.parent), db.stat().st_size
        name = apply()
        _say(f"scale: {name} ...")
        cost = _run(seeds, db, env)
        out["changes"].append({"change": name, "warehouse_mib_before": round(before / 2**20),
                               "published_mib_before": round(published / 2**20),
                               **_figures(cost, full, before, published)})

    _say("scale: timeline_as_of through plain DuckDB, fresh process ...")
    query = ("import duckdb, sys\n"
             "con = duckdb.connect(sys.argv[1], read_only=True)\n"
             "print(con.execute('SELECT count(*), sum(num_sources) FROM timeline_as_of(?::TIMESTAMP)',"
             " [sys.argv[2]]).fetchone())\n")
    sql = measure([PY, "-c", query, str(db), out["as_of"]], env)
    out["as_of_sql"] = {**_figures(sql), "answer": sql.stdout_tail.strip()}
    _say("scale: timeline show --as-of, fresh process ...")
    shown = case / "as-of.csv"
    cli = measure([*TIMELINE, "show", "--db", str(db), "--as-of", out["as_of"], "--format", "csv"], env,
                  stdout=shown)
    out["as_of_cli"] = {**_figures(cli), "rows": max(0, sum(1 for _ in shown.open(encoding="utf-8")) - 1)
                        if shown.exists() else None}
    page = measure([*TIMELINE, "show", "--db", str(db), "--as-of", out["as_of"], "--limit", "25"], env)
    out["as_of_cli_page"] = {**_figures(page), "rows": 25}
    return out


# ---------------------------------------------------------------- report


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.1%}"


def _verdict(ok: bool) -> str:
    return "**met**" if ok else "**missed**"


def _mib(x: float) -> str:
    return f"{x:,.0f}"


def _pss(x: float) -> str:
    # PSS is read every 10th sample (bench.measure.PSS_EVERY): a process shorter than
    # that has none
    return _mib(x) if x else "not sampled"


def render(result: dict) -> list[str]:
    """The stage's section of bench/RESULTS.md, with its targets table."""
    runs = result["runs"]
    md = ["", "## 6. The warehouse at scale (issue 14)", "",
          f"Synthetic copies of the corpus (doc ids suffixed per copy) in dumps of {result['per_file']:,} "
          "articles. Whole processes: CPU is the process and the children it reaped; peak RSS and PSS "
          "are summed over the process tree (sampled); *written* is `wchar` of the tree (bytes handed to "
          "write calls) and *to disk* its `write_bytes` (bytes sent to the storage layer; files deleted "
          "before write-back are not counted), both from /proc. The warehouse is the folder holding the "
          "published file and the log, in bytes on disk. Every run starts after `os.sync()` (untimed): "
          "none pays for the write-back of the writes before it, as a daily run does not.", "",
          "| articles | wall s | CPU s | CPU s per 1k | peak RSS MiB | peak PSS MiB | written MiB | to disk MiB "
          "| published file MiB | warehouse MiB | note |",
          "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in runs:
        md.append(f"| {r['articles']:,} | {r['wall_s']:.1f} | {r['cpu_s']:.1f} | {r['cpu_s_per_1k']:.2f} | "
                  f"{_mib(r['peak_rss_mib'])} | {_mib(r['peak_pss_mib'])} | {_mib(r['wchar_mib'])} | "
                  f"{_mib(r['write_bytes_mib'])} | {_mib(r['published_mib'] or 0)} | {_mib(r['warehouse_mib'])} | "
                  f"{r.get('failed', '')} |")
    big = result.get("largest")
    targets: list[str] = []
    if len(runs) >= 2:
        drift = cpu_per_1k_drift(runs[0], runs[-1])
        targets.append(f"| CPU s per 1k at {runs[-1]['articles']:,} within 10% of {runs[0]['articles']:,} | "
                       f"{runs[-1]['cpu_s_per_1k']:.2f} vs {runs[0]['cpu_s_per_1k']:.2f} ({drift:+.1%}) | "
                       f"{_verdict(abs(drift) <= TARGET_CPU_PER_1K_DRIFT)} |")
    top = runs[-1]
    targets.append(f"| full run at {top['articles']:,}: peak of the process tree <= 1.5 GiB | RSS "
                   f"{_mib(top['peak_rss_mib'])} MiB, PSS {_mib(top['peak_pss_mib'])} MiB | "
                   f"{_verdict(top['peak_rss_mib'] * 2**20 <= TARGET_PEAK)} |")
    if big:
        md += ["", f"On the {big['articles']:,}-article warehouse ({_mib(big['warehouse_mib'])} MiB on disk after "
               "the full run), each change applied and run in turn (`timeline run`); shares are of the full "
               "run's wall and CPU time and of the warehouse's bytes on disk before the change (the log "
               "and both buffers of the published file), and, last, of the published file alone:", "",
               "| run | wall s | CPU s | wall share | CPU share | written MiB (share) | to disk MiB (share) "
               "| peak RSS MiB | written / published file | note |",
               "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
        rows = [("unchanged `timeline run` (the CLI)", big["unchanged_cli"])]
        rows += [(c["change"], c) for c in big["changes"]]
        for name, c in rows:
            md.append(f"| {name} | {c['wall_s']:.1f} | {c['cpu_s']:.1f} | {_pct(c['wall_share'])} | "
                      f"{_pct(c['cpu_share'])} | {c['wchar_mib']:,.1f} ({_pct(c.get('wchar_share'))}) | "
                      f"{c['write_bytes_mib']:,.1f} ({_pct(c.get('write_bytes_share'))}) | "
                      f"{_mib(c['peak_rss_mib'])} | {_pct(c.get('wchar_published_share'))} | {c.get('failed', '')} |")
        proc = big["scheduled_process"]
        sched = big.get("scheduled")
        md += ["", "The daily schedule through Dagster on the unchanged folder (`bench/scheduled.py`, one fresh "
               "process):", ""]
        if sched:
            md += [f"- the schedule's tick (`daily_reingest`, evaluated as the tests do): {sched['tick_s']:.2f} s "
                   f"({_pct(sched['tick_share'])} of the full run), {sched['tick']}",
                   f"- the ingest job over the folder's partition through `dg.materialize` (what the tick, the "
                   f"sensor or the UI launches when it does run): {sched['run_s']:.1f} s "
                   f"({_pct(sched['run_share'])} of the full run), "
                   + ("succeeded" if sched["run_ok"] else f"FAILED: {sched.get('run_error')}"),
                   f"- the whole process, `import dagster` and the project's definitions ({sched['import_s']:.1f} s) "
                   f"included: {proc['wall_s']:.1f} s wall, {proc['cpu_s']:.1f} CPU s, "
                   f"{proc['wchar_mib']:,.1f} MiB written, peak RSS {_mib(proc['peak_rss_mib'])} MiB"]
        else:
            md.append(f"- FAILED: {proc.get('failed')}")
        sql, cli = big["as_of_sql"], big["as_of_cli"]
        md += ["", f"As of {big['as_of']} UTC (after the full run, before the three changes), fresh processes:", "",
               "| query | wall s | peak RSS MiB | peak PSS MiB | answer |", "|---|---:|---:|---:|---|",
               f"| `SELECT count(*), sum(num_sources) FROM timeline_as_of(ts)`, plain `duckdb` in Python | "
               f"{sql['wall_s']:.2f} | {_mib(sql['peak_rss_mib'])} | {_pss(sql['peak_pss_mib'])} | "
               f"{sql.get('failed') or sql['answer']} |",
               f"| `timeline show --as-of TS --format csv` | {cli['wall_s']:.2f} | {_mib(cli['peak_rss_mib'])} | "
               f"{_pss(cli['peak_pss_mib'])} | {cli.get('failed') or (str(cli['rows']) + ' rows')} |"]
        page = big.get("as_of_cli_page")
        if page:
            md.append(f"| `timeline show --as-of TS --limit 25` (a screen's table) | {page['wall_s']:.2f} | "
                      f"{_mib(page['peak_rss_mib'])} | {_pss(page['peak_pss_mib'])} | {page.get('failed') or '25 rows'} |")
        for name, c in rows[1:]:
            for what, key in (("time <= 3% of the full run's", "wall_share"),
                              ("bytes written <= 3% of the warehouse's", "wchar_share")):
                ok = c.get(key) is not None and c[key] <= TARGET_CHANGE_SHARE
                targets.append(f"| {name}: {what} | {_pct(c.get(key))} | {_verdict(ok)} |")
        if sched:
            targets.append(f"| unchanged scheduled run through Dagster <= 1% of the full run: the tick | "
                           f"{_pct(sched['tick_share'])} ({sched['tick'].split(':')[0]}) | "
                           f"{_verdict(sched['tick_share'] <= TARGET_UNCHANGED_SHARE)} |")
            targets.append(f"| ... the ingest job when launched on the unchanged folder | {_pct(sched['run_share'])} | "
                           f"{_verdict(sched['run_share'] <= TARGET_UNCHANGED_SHARE)} |")
        cli_share = big["unchanged_cli"]["wall_share"]
        targets.append(f"| unchanged `timeline run` (CLI) <= 1% of the full run | {_pct(cli_share)} | "
                       f"{_verdict(cli_share <= TARGET_UNCHANGED_SHARE)} |")
        queries = [("`timeline_as_of(ts)` (plain DuckDB)", sql), ("`timeline show --as-of`, every row as CSV", cli)]
        if page:
            queries.append(("`timeline show --as-of --limit 25`", page))
        for label, q in queries:
            ok = not q["exit"] and q["wall_s"] <= TARGET_AS_OF_SECONDS and q["peak_rss_mib"] * 2**20 <= TARGET_AS_OF_MEMORY
            targets.append(f"| {label} <= 1 s, <= 500 MiB | {q['wall_s']:.2f} s, {_mib(q['peak_rss_mib'])} MiB RSS | "
                           f"{_verdict(ok)} |")
    md += ["", "Targets of issue 14 (wall-time shares; the CPU shares are in the table above):", "",
           "| target | measured | |", "|---|---|---|", *targets]
    return md


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv] or list(DEFAULT_SIZES)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="timeline-bench-scale-") as tmp:
        result = bench_scale(sizes, Path(tmp))
    result["elapsed_s"] = round(time.perf_counter() - started)
    print(json.dumps(result, ensure_ascii=False, indent=1), flush=True)
    print("\n".join(render(result)), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
