"""Claim one slot of each pool named on the command line, every claim at its agreed moment,
on the instance in DAGSTER_HOME. Prints one `<pool> <claimed>` line per pool.

    python tests/dagster/claim_slots.py RUN_ID START_EPOCH POOL...
"""

from __future__ import annotations

import sys
import time

import dagster as dg

GAP_SECONDS = 0.5


def main(run_id: str, start: float, pools: list[str]) -> None:
    with dg.DagsterInstance.get() as instance:
        storage = instance.event_log_storage
        storage.get_pool_limits()  # connect before the first moment
        for i, pool in enumerate(pools):
            while time.time() < start + i * GAP_SECONDS:
                pass
            status = storage.claim_concurrency_slot(pool, run_id, "writer", 0)
            print(pool, status.is_claimed, flush=True)


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]), sys.argv[3:])
