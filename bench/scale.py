"""Peak memory of a fresh `timeline run` at scale, by phase (optional; not part of make bench).

    .venv/bin/python -m bench.scale 10000 30000 [100000]  ->  one JSON line per size

Synthetic copies of the shared corpus (bench.corpus.scaled_lines). The whole process tree
is sampled every 0.2 s; each sample is booked to the phase the run's stderr last announced
("extract", "after append" = the publish, ...), so the report says which phase peaks. PSS
splits the pages forked workers share with the parent; RSS counts them once per process.
"""

from __future__ import annotations

import gzip
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from bench import corpus

ROOT = Path(__file__).resolve().parents[1]


def _tree(proc: psutil.Process) -> tuple[int, int]:
    rss = pss = 0
    try:
        members = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0, 0
    for p in members:
        try:
            info = p.memory_full_info()
        except psutil.Error:
            continue
        rss, pss = rss + info.rss, pss + info.pss
    return rss, pss


def measure(n: int, work: Path) -> dict:
    seeds, db = work / "seeds", work / "warehouse" / "timeline.duckdb"
    seeds.mkdir(parents=True)
    with gzip.open(seeds / "dump.jsonl.gz", "wt", encoding="utf-8", compresslevel=1) as out:
        out.writelines(corpus.scaled_lines(n))
    cmd = [sys.executable, "-m", "bench.entry", "run", "--seeds", str(seeds), "--db", str(db), "--no-show"]
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    phase, peaks = ["start"], {}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = psutil.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    def follow() -> None:  # "extract: 2,000/10,000 documents (5 s)" while running, "extract: ... in 9.1 s" at the end
        for line in proc.stderr:
            name = line.split(":", 1)[0].strip()
            if name.isidentifier():
                phase[0] = f"after {name}" if line.rstrip().endswith(" s") and " in " in line else name

    threading.Thread(target=follow, daemon=True).start()
    while proc.poll() is None:
        rss, pss = _tree(proc)
        old = peaks.get(phase[0], (0, 0))
        peaks[phase[0]] = (max(old[0], rss), max(old[1], pss))
        time.sleep(0.2)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    mib = 2**20
    return {"articles": n, "exit": proc.returncode, "wall_s": round(time.perf_counter() - started, 1),
            "cpu_s": round(cpu, 1), "cpu_s_per_1k": round(cpu / n * 1000, 2),
            "peak_rss_mib": round(max(r for r, _ in peaks.values()) / mib),
            "peak_pss_mib": round(max(p for _, p in peaks.values()) / mib),
            "by_phase_rss_pss_mib": {k: [round(r / mib), round(p / mib)] for k, (r, p) in peaks.items()},
            "published_mib": round(db.stat().st_size / mib) if db.exists() else None}


def main(argv: list[str]) -> int:
    for n in [int(a) for a in argv] or [10_000, 30_000]:
        work = Path(tempfile.mkdtemp(prefix=f"bench-scale-{n}-"))
        try:
            print(json.dumps(measure(n, work), ensure_ascii=False), flush=True)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
