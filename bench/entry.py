"""`timeline` for the bench, with a stand-in event extractor while the real one is absent.

    python -m bench.entry run --seeds S --db D --no-show

With `pipelines.core.events` installed this is exactly the `timeline` command. Without
it, events are stubbed as empty so the store can be measured; the results say so.
"""

from __future__ import annotations

import importlib.util
import sys
import types


def events_missing() -> bool:
    return importlib.util.find_spec("pipelines.core.events") is None


def _install_stub() -> None:
    stub = types.ModuleType("pipelines.core.events")
    stub.extract_events = lambda doc, mentions: []  # type: ignore[attr-defined]
    sys.modules["pipelines.core.events"] = stub


if __name__ == "__main__":
    if events_missing():
        _install_stub()  # forked pool workers inherit it
    from pipelines.cli import main

    sys.argv = ["timeline", *sys.argv[1:]]
    main()
