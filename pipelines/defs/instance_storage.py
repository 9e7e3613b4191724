"""The local instance's SQLite storage, with a pool slot claim that one process at a time wins.

Dagster's SQL storage claims a pool slot by selecting a free slot `FOR UPDATE SKIP LOCKED`
and then updating it by id. PostgreSQL locks the row between the two statements; SQLite
ignores the lock, so two run workers that claim at the same moment both select the one free
slot, both update it, and both run a step of a pool whose limit is one (measured here:
four processes claiming at once, two CLAIMED in four trials of five). The claim below is a
compare-and-set: the update only takes a slot that is still free, so the loser is BLOCKED
and retries as it would on PostgreSQL. `deploy/` keeps the PostgreSQL storage for
scaling out; this class is only for the default single-machine instance of dagster.yaml.
"""

from __future__ import annotations

import sqlalchemy as db
from dagster._core.storage.event_log.schema import ConcurrencySlotsTable
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._core.storage.sqlite_storage import DagsterSqliteStorage, _event_logs_directory
from dagster._serdes import ConfigurableClassData
from dagster._utils.concurrency import ConcurrencySlotStatus


class ClaimSafeSqliteEventLogStorage(SqliteEventLogStorage):
    def _claim_concurrency_slot(
        self, concurrency_key: str, run_id: str, step_key: str
    ) -> ConcurrencySlotStatus:
        slots = ConcurrencySlotsTable.c
        free = db.and_(slots.concurrency_key == concurrency_key,
                       slots.step_key.is_(None), slots.deleted.is_(False))
        with self.index_connection() as conn:
            row = conn.execute(db.select(slots.id).where(free).limit(1)).fetchone()
            if row is None:
                return ConcurrencySlotStatus.BLOCKED
            taken = conn.execute(
                ConcurrencySlotsTable.update()
                .values(run_id=run_id, step_key=step_key)
                .where(db.and_(slots.id == row[0], slots.step_key.is_(None)))
            ).rowcount
        return ConcurrencySlotStatus.CLAIMED if taken else ConcurrencySlotStatus.BLOCKED


class ClaimSafeSqliteStorage(DagsterSqliteStorage):
    """`storage: sqlite` with ClaimSafeSqliteEventLogStorage; the same files and layout."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        super().__init__(base_dir, inst_data)
        self._event_log_storage = ClaimSafeSqliteEventLogStorage(_event_logs_directory(base_dir))

    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData, config_value: dict) -> ClaimSafeSqliteStorage:
        return cls.from_local(inst_data=inst_data, **config_value)
