"""The bench's sampler reads the measured process tree as psutil does, more cheaply."""

from __future__ import annotations

import subprocess
import sys
import time

import psutil
import pytest

import bench.measure as measure

# A parent holding 40 MiB, a child and a grandchild holding 20 MiB each, all asleep.
TREE = """
import os, sys, time
held = bytearray(40 << 20)
if os.fork() == 0:
    more = bytearray(20 << 20)
    if os.fork() == 0:
        most = bytearray(20 << 20)
    time.sleep(60)
    os._exit(0)
print("ready", flush=True)
time.sleep(60)
"""


@pytest.mark.skipif(not measure._PROC_CHILDREN, reason="Linux /proc children lists only")
@pytest.mark.parametrize("with_pss", [False, True])
def test_the_proc_sampler_sees_the_tree_psutil_sees(with_pss: bool):
    proc = subprocess.Popen([sys.executable, "-c", TREE], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        tree = psutil.Process(proc.pid)
        deadline = time.monotonic() + 10
        while len(tree.children(recursive=True)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)  # (the children touch their memory)
        rss, pss, count = measure._tree_rss_from_proc(proc.pid, with_pss)
        members = [tree, *tree.children(recursive=True)]
        expected_rss = sum(p.memory_info().rss for p in members)
        assert count == len(members) == 3
        assert rss >= 80 << 20 and abs(rss - expected_rss) < 4 << 20
        if with_pss:
            expected_pss = sum(p.memory_full_info().pss for p in members)
            assert pss >= 80 << 20 and abs(pss - expected_pss) < 4 << 20
        else:
            assert pss == 0
    finally:
        for p in psutil.Process(proc.pid).children(recursive=True):
            p.kill()
        proc.kill()
        proc.wait()
