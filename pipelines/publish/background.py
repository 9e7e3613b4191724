"""timeline.png drawn by a second process while this one publishes.

Drawing the picture costs ~2 s on one core, most of it before the first line is drawn:
importing matplotlib and loading the CJK font. A large run starts this helper before its
append and publish, which keep one core busy, so the imports take the other. The publish
hands it the picture's rows as soon as its tables are built (the rows the file will hold
if the publish succeeds), so it draws while the publish audits and writes its file and the
run writes the page. The helper only returns the PNG: the run writes timeline.png,
after the publish, as `write_picture_beside` does in process (same rows, same drawing), and
a failure is the run's failure in its `timeline_picture` step.

    python -m pipelines.publish.background PARENT_PID   (rows on stdin, PNG on stdout, pickled)
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO


class PictureFailed(RuntimeError):
    """The helper could not draw the picture; the message is its error."""


class PictureDrawer:
    """A helper process that loads matplotlib now and draws timeline.png's rows when given."""

    def __init__(self, db: Path) -> None:
        self.db = Path(db)
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "pipelines.publish.background", str(os.getpid())],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self._sent = False
        self._total = 0
        self._output: tuple[bytes, bytes] | None = None

    def draw_staged(self, con: Any) -> None:
        """Start drawing the rows of a publish's build (`publish(staged=...)`); nothing is
        written unless the publish succeeds."""
        from pipelines.publish.data import timeline_top
        from pipelines.publish.png import MAX_ROWS

        self._send(*timeline_top(con, MAX_ROWS))

    def finish(self, warn: Callable[[str], None] | None = None) -> int:
        """Wait for the picture and write it beside the published file; returns the
        timeline's row count. `warn` hears once that no CJK font is installed."""
        from pipelines.publish.files import NO_CJK_FONT, write_picture_bytes

        if not self._sent:  # the publish had nothing to build: draw what is published
            from pipelines.publish.data import read_timeline_top
            from pipelines.publish.png import MAX_ROWS

            self._send(*read_timeline_top(self.db, MAX_ROWS))
        out, err = self._finish()
        if self._proc.returncode != 0:
            lines = [ln for ln in err.decode("utf-8", "replace").splitlines() if ln.strip()]
            raise PictureFailed(lines[-1] if lines else f"the picture's helper exited with {self._proc.returncode}")
        png, font_missing = pickle.loads(out)
        if font_missing and warn is not None:
            warn(NO_CJK_FONT)
        write_picture_bytes(self.db, png, self._total)
        return self._total

    def cancel(self) -> None:
        """Stop the helper unless it finished (the run failed before its picture step).
        It writes no file: the run writes what it returns."""
        if self._output is None:
            self._proc.kill()
            self._finish()

    def _send(self, rows: list[dict[str, Any]], total: int, sources: list[str]) -> None:
        self._sent, self._total = True, total
        try:
            self._proc.stdin.write(pickle.dumps((rows, total, sources), protocol=pickle.HIGHEST_PROTOCOL))
            self._proc.stdin.flush()
        except BrokenPipeError:
            pass  # it died already: `finish` reports why

    def _finish(self) -> tuple[bytes, bytes]:
        if self._output is None:
            self._output = self._proc.communicate()
        return self._output


def _serve(parent: int) -> int:
    from pipelines.core.extract import die_with_parent
    from pipelines.streams import whole_stdout

    die_with_parent(parent)  # a killed run leaves no helper behind
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot  # noqa: F401 - loaded now, while the run publishes

    from pipelines.publish.png import cjk_fonts

    cjk_fonts()  # registers the packaged font
    whole_stdout()  # the PNG arrives whole under PYTHONUNBUFFERED (pipelines/streams.py)
    draw_requested(sys.stdin.buffer, sys.stdout.buffer)
    return 0


def draw_requested(source: BinaryIO, out: BinaryIO) -> None:
    """Read the picture's rows (pickled, as `PictureDrawer` sends them) from `source` and
    write the PNG and whether a CJK font was missing, pickled, to `out`; nothing when the
    run stopped before its picture (`source` ends first)."""
    from pipelines.publish.files import picture_png

    try:
        rows, total, sources = pickle.load(source)
    except EOFError:
        return
    out.write(pickle.dumps(picture_png(rows, total, sources), protocol=pickle.HIGHEST_PROTOCOL))
    out.flush()


if __name__ == "__main__":
    try:
        sys.exit(_serve(int(sys.argv[1])))
    except KeyboardInterrupt:  # Ctrl-C reaches the whole run; the run reports it
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the run reports it in its picture step
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
        sys.exit(1)
