"""One writer of a warehouse's event log, in its own interpreter, for the lock-server tests:
appends `count` facts of its own, one segment each, under the log lock (which goes through
the PostgreSQL lock server of TIMELINE_LOCK_URL).

    python tests/dagster/log_writer.py LOG_DIR NAME COUNT REPORT [--go FILE] [--hold S]
        [--stay]

Once its imports are done it reports ready and waits for the file FILE to appear, so that
writers start together; it keeps the lock `--hold` seconds after each append (so the
writers contend), and with `--stay` keeps the lock after its appends until killed. REPORT
gets one JSON line per event, flushed at once: {"ready": pid}; {"waiting": message} when it
must wait for the lock; {"held": [start_ns, end_ns], "seq": n} per append (CLOCK_MONOTONIC,
which all processes of the machine share); {"staying": pid}.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from pipelines.store.eventlog import EventLog
from pipelines.store.fact import Fact, FactKind


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("log_dir", type=Path)
    parser.add_argument("name")
    parser.add_argument("count", type=int)
    parser.add_argument("report", type=Path)
    parser.add_argument("--go", type=Path)
    parser.add_argument("--hold", type=float, default=0.0)
    parser.add_argument("--stay", action="store_true")
    args = parser.parse_args()
    log = EventLog(args.log_dir)
    with open(args.report, "a") as report:
        def tell(event: dict) -> None:
            report.write(json.dumps(event) + "\n")
            report.flush()

        tell({"ready": os.getpid()})
        while args.go is not None and not args.go.exists():
            time.sleep(0.01)
        for i in range(args.count):
            with log.lock(waiting=lambda holder: tell({"waiting": holder})):
                start = time.monotonic_ns()
                head = log.head_seq()
                fact = Fact(FactKind.DOCUMENT_INGESTED, doc_id=f"{args.name}-{i}", path=f"{args.name}.jsonl",
                            content_hash=f"{args.name}-{i}", extractor_version="lock-test",
                            payload=Fact.payload_of({"writer": args.name, "n": i}))
                appended = log.append([fact], run_id=f"{args.name}-{i}", head=head)
                assert appended == 1
                time.sleep(args.hold)
                if args.stay and i == args.count - 1:
                    tell({"staying": os.getpid()})
                    time.sleep(3600)  # killed here, holding the lock
                tell({"held": [start, time.monotonic_ns()], "seq": head + 1})


if __name__ == "__main__":
    main()
