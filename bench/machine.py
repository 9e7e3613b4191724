"""A description of the machine and software a bench ran on."""

from __future__ import annotations

import platform
import subprocess
from importlib import metadata
from pathlib import Path

import psutil

PACKAGES = ("jionlp", "dateparser", "dagster", "duckdb", "polars", "pyarrow", "jieba", "opencc")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def git_revision(root: Path) -> str:
    try:
        rev = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--", "pipelines"],
                               capture_output=True, text=True, check=True).stdout.strip()
        return rev + (" (pipelines/ has uncommitted changes)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def describe(root: Path) -> dict[str, str]:
    versions = []
    for name in PACKAGES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    load1, load5, _ = psutil.getloadavg()
    return {
        "CPU": f"{cpu_model()}, {psutil.cpu_count(logical=False) or '?'} cores / "
               f"{psutil.cpu_count()} threads",
        "RAM": f"{psutil.virtual_memory().total / 2**30:.1f} GiB",
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "this project": git_revision(root),
        "packages": ", ".join(versions),
        "load average at start": f"{load1:.2f} (1 min), {load5:.2f} (5 min)",
    }
