"""timeline.png drawn by a second process while this one publishes.

Drawing the picture costs ~2 s on one core, most of it before the first line is drawn:
importing matplotlib and loading the CJK font. A large run starts this helper before its
append and publish, which keep one core busy, so the imports take the other; once the
published file is in place the helper draws while the run writes the page. The picture
is the one `write_picture_beside` draws (the helper calls it), and a failure is the run's
failure in its `timeline_picture` step, as when drawn in process.

    python -m pipelines.publish.background DB PARENT_PID   (reads "draw" on stdin)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

_DRAW = "draw"


class PictureFailed(RuntimeError):
    """The helper could not draw the picture; the message is its error."""


class PictureDrawer:
    """A helper process that has loaded matplotlib and waits to draw timeline.png beside `db`."""

    def __init__(self, db: Path) -> None:
        self.db = Path(db)
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "pipelines.publish.background", str(self.db), str(os.getpid())],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, encoding="utf-8", errors="replace")
        self._told = False
        self._output: tuple[str, str] | None = None

    def start_drawing(self) -> None:
        """Tell the helper to draw now: the published file is in place."""
        if not self._told:
            self._told = True
            try:
                self._proc.stdin.write(f"{_DRAW}\n")
                self._proc.stdin.flush()
            except BrokenPipeError:
                pass  # it died already: `draw` reports why

    def draw(self, warn: Callable[[str], None] | None = None) -> int:
        """Draw (if not told yet) and wait until timeline.png is written; returns the
        timeline's row count. `warn` hears what the helper warned of."""
        self.start_drawing()
        out, err = self._finish()
        if self._proc.returncode != 0:
            lines = [ln for ln in err.splitlines() if ln.strip()]
            raise PictureFailed(lines[-1] if lines else f"the picture's helper exited with {self._proc.returncode}")
        total = 0
        for line in out.splitlines():
            said = json.loads(line)
            if "warning" in said and warn is not None:
                warn(said["warning"])
            total = said.get("total", total)
        return total

    def cancel(self) -> None:
        """Stop the helper unless it finished (the run failed before its picture step); it
        writes nothing before it is told to draw."""
        if self._output is None:
            if not self._told:
                self._proc.kill()
            self._finish()

    def _finish(self) -> tuple[str, str]:
        if self._output is None:
            self._output = self._proc.communicate()
        return self._output


def _serve(db: Path, parent: int) -> int:
    from pipelines.core.extract import die_with_parent

    die_with_parent(parent)  # a killed run leaves no helper behind
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot  # noqa: F401 - loaded now, while the run publishes

    from pipelines.publish.files import write_picture_beside
    from pipelines.publish.png import cjk_fonts

    cjk_fonts()  # registers the packaged font
    if sys.stdin.readline().strip() != _DRAW:
        return 0

    def warn(line: str) -> None:
        print(json.dumps({"warning": line}, ensure_ascii=False), flush=True)

    _, _, total = write_picture_beside(db, warn=warn)
    print(json.dumps({"total": total}), flush=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(_serve(Path(sys.argv[1]), int(sys.argv[2])))
    except KeyboardInterrupt:  # Ctrl-C reaches the whole run; the run reports it
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the run reports it in its picture step
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
        sys.exit(1)
