"""Processes as Linux's /proc shows them: the kill and Ctrl-C tests check that a run's
workers never outlive it."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path


def children(pid: int) -> set[int]:
    """The processes whose parent is `pid`."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def wait_for_workers(run: subprocess.Popen, count: int = 2, timeout: float = 240) -> set[int]:
    """The children of `run` once `count` of them are up (or it ends, or `timeout` passes)."""
    workers: set[int] = set()
    deadline = time.monotonic() + timeout
    while len(workers) < count and time.monotonic() < deadline and run.poll() is None:
        workers |= children(run.pid)
        time.sleep(0.2)
    return workers


def alive(pid: int) -> bool:
    """Running or sleeping: neither gone nor a zombie."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def survivors(pids: set[int], settle: float = 5.0) -> list[int]:
    """Those of `pids` still alive after up to `settle` seconds."""
    deadline = time.monotonic() + settle
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    return [p for p in pids if alive(p)]


def kill_left(pids: set[int]) -> None:
    """SIGKILL what a test started and is still alive, so it never reaches the next test."""
    for pid in pids:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)
