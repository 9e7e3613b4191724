"""Run the ingest job for one partition (or a range) with the executor named by
TIMELINE_EXECUTOR, on the instance in DAGSTER_HOME: one run worker, as the daemon's run
launcher would start. Prints `<run_id> <success>`.

    python tests/dagster/run_partition.py KEY            one partition
    python tests/dagster/run_partition.py FIRST LAST     a range
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dagster as dg  # noqa: E402
from dagster_fixtures import ingest_job_from_env  # noqa: E402

from pipelines.defs.automation import RANGE_END, RANGE_START  # noqa: E402


def main(args: list[str]) -> int:
    tags = ({"dagster/partition": args[0]} if len(args) == 1
            else {RANGE_START: args[0], RANGE_END: args[1]})
    with dg.DagsterInstance.get() as instance, dg.execute_job(
        dg.reconstructable(ingest_job_from_env), instance=instance, tags=tags,
        raise_on_error=False,
    ) as result:
        print(result.run_id, result.success, flush=True)
        return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
