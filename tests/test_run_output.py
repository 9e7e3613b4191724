"""What `timeline run` prints: a summary and a screenful, whatever the corpus size."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path

ARTICLES = 2000
PLACES = ["筠連縣", "巡司鎮", "豐樂鄉", "唐山市", "路北區", "廈門市", "南昌市", "成都市"]


def _dump(path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        for i in range(ARTICLES):
            place, month, day = PLACES[i % len(PLACES)], 1 + i % 12, 1 + i % 27
            text = (f"{month}月{day}日，{place}召開第{i}次常務會議，研究部署防汛工作。"
                    f"{month}月{day + 1}日，{place}第{i}號倉庫發生火災，消防救援人員趕赴現場。")
            out.write(json.dumps({"doc_id": f"a{i}", "title": f"{place}新聞{i}", "source": "測試",
                                  "published_at": f"2020-12-{1 + i % 28:02d}T10:00:00", "content": text},
                                 ensure_ascii=False) + "\n")


def _on_a_terminal(args: list[str], columns: int = 80, rows: int = 40) -> str:
    """Run with stdout and stderr on a pseudo-terminal of that size; what it printed."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=follower, stderr=follower, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # EIO: the process closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    assert proc.wait(timeout=600) == 0, b"".join(chunks).decode("utf-8", "replace")[-3000:]
    return b"".join(chunks).decode("utf-8", "replace")


def test_a_large_run_fits_a_terminal(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    _dump(seeds / "dump.jsonl")
    shown = _on_a_terminal([sys.executable, "-m", "pipelines.cli", "run", "--seeds", str(seeds),
                            "--db", str(tmp_path / "w" / "timeline.duckdb")])
    lines = shown.replace("\r\n", "\n").split("\n")
    assert len(lines) <= 40, shown
    # What stays on the screen: of each line, what was written after its last carriage return.
    plain = "\n".join(line.split("\r")[-1] for line in re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown)
                      .replace("\r\n", "\n").split("\n"))
    assert re.search(rf"{ARTICLES:,} documents, [\d,]+ events, [\d,]+ timeline rows, 0 quarantined in [\d.]+ s", plain)
    assert "25 of " in plain and "(most reported); all: timeline show" in plain
    for phase in ("scan", "extract", "append", "publish", "page", "picture"):
        assert re.search(rf"^{phase}:.* in [\d.]+ s", plain, re.M), phase
    # one line per row: no headline folded over several lines
    table = plain[plain.index("headline"):]
    assert all(len(line) <= 80 for line in table.splitlines())
