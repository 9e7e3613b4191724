"""Whole-process measurements: wall time and peak RSS of the process tree."""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil


@dataclass(slots=True)
class Measured:
    wall: float  # seconds, from spawn to exit, imports included
    peak_rss: int  # bytes: the largest sum of RSS over the process and all its children
    peak_procs: int  # processes alive at that peak
    peak_pss: int  # bytes: the largest sum of PSS (shared pages split between sharers)
    returncode: int
    stdout_tail: str
    stderr_tail: str

    @property
    def peak_mib(self) -> float:
        return self.peak_rss / 2**20

    @property
    def pss_mib(self) -> float:
        return self.peak_pss / 2**20


def _tree_rss(proc: psutil.Process, with_pss: bool) -> tuple[int, int, int]:
    """RSS (cheap: statm) of the process tree, and PSS (smaps_rollup) when asked."""
    if _PROC_CHILDREN:
        return _tree_rss_from_proc(proc.pid, with_pss)
    total, pss, count = 0, 0, 0
    try:
        members = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0, 0, 0
    for p in members:
        try:
            if with_pss:
                info = p.memory_full_info()  # smaps_rollup: RSS and PSS in one read
                pss += info.pss
            else:
                info = p.memory_info()
            total += info.rss
            count += 1
        except psutil.Error:
            continue  # exited between listing and reading
    return total, pss, count


# The sampler runs on the cores the measured run uses: through psutil it cost 1.3 ms of CPU
# a sample (listing the tree scans every process of the machine), ~5% of a core at one sample
# per 50 ms, which a run on two busy cores paid in wall time. Linux names a process's
# children in /proc/PID/task/TID/children: read there, the same figures cost 0.1 ms.
_PROC_CHILDREN = os.path.exists(f"/proc/{os.getpid()}/task/{os.getpid()}/children")
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _tree_rss_from_proc(root: int, with_pss: bool) -> tuple[int, int, int]:
    total, pss, count = 0, 0, 0
    todo = [root]
    while todo:
        pid = todo.pop()
        try:
            if with_pss:
                with open(f"/proc/{pid}/smaps_rollup", "rb") as rollup:
                    for line in rollup:
                        if line.startswith(b"Rss:"):
                            total += int(line.split()[1]) << 10
                        elif line.startswith(b"Pss:"):
                            pss += int(line.split()[1]) << 10
            else:
                with open(f"/proc/{pid}/statm", "rb") as statm:
                    total += int(statm.read().split()[1]) * _PAGE
            count += 1
            for tid in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{tid}/children", "rb") as children:
                    todo.extend(int(child) for child in children.read().split())
        except (OSError, ValueError, IndexError):
            continue  # exited between listing and reading
    return total, pss, count


# Reading smaps_rollup walks every mapping of a process under its memory lock: done every
# 50 ms over a pool of workers it slowed the measured run itself by a third. PSS is
# therefore read less often than RSS.
PSS_EVERY = 10


def run_measured(cmd: list[str], *, stdin: Path | None = None, stdout: Path | None = None,
                 env: dict[str, str] | None = None, cwd: Path | None = None,
                 interval: float = 0.05, timeout: float = 900) -> Measured:
    """Run `cmd`, sampling the RSS of its whole tree every `interval` seconds.

    RSS is summed over the parent and its pool workers; forked workers share pages with
    the parent, so the sum is an upper bound on the memory the run really needs.
    """
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        out_path = stdout or Path(tmp) / "stdout"
        err_path = Path(tmp) / "stderr"
        peak, peak_procs, peak_pss = 0, 0, 0
        # Output goes to files, never pipes: a chatty child must not block on a full pipe.
        with (stdin.open("rb") if stdin else open(os.devnull, "rb")) as fin, \
                out_path.open("wb") as fout, err_path.open("wb") as ferr:
            t0 = time.perf_counter()
            proc = psutil.Popen(cmd, stdin=fin, stdout=fout, stderr=ferr, env=env, cwd=cwd)
            samples = 0
            while proc.poll() is None:
                rss, pss, n = _tree_rss(proc, with_pss=samples % PSS_EVERY == PSS_EVERY - 1)
                samples += 1
                if rss > peak:
                    peak, peak_procs = rss, n
                peak_pss = max(peak_pss, pss)
                if time.perf_counter() - t0 > timeout:
                    proc.kill()
                    proc.wait()
                    break
                # waits at most `interval`, returning at once when the child exits
                with contextlib.suppress(psutil.TimeoutExpired, subprocess.TimeoutExpired):
                    proc.wait(timeout=interval)
            wall = time.perf_counter() - t0
        out = _tail(out_path, 2000)
        err = _tail(err_path, 4000)
    return Measured(wall, peak, peak_procs, peak_pss, proc.returncode, out, err)


def _tail(path: Path, size: int) -> str:
    with path.open("rb") as handle:
        handle.seek(max(0, path.stat().st_size - size))
        return handle.read().decode("utf-8", "replace")
