"""The warehouse's two locks, the run lock and the log lock, as one mechanism.

Each is an `flock` on a file in the log folder, which holds on one machine. With a
PostgreSQL URL configured (`TIMELINE_LOCK_URL`, or the Dagster resource's `lock_url`), each
is first taken as a session-level advisory lock on that server, on a connection of its own,
so writers on several machines sharing the warehouse folder take turns too; the server
releases it when the holder's session ends, killed or not. The flock is still taken after
it, so a writer started without the URL on the same machine is still kept out.

Importable without the store's heavy modules (the CLI takes the run lock before it knows
whether anything changed); psycopg2 is imported only when a URL is configured.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import socket
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

LOCK_URL_ENV = "TIMELINE_LOCK_URL"
RUN_LOCK_FILE = ".run.lock"
LOG_LOCK_FILE = ".lock"
# The warehouse's identity, from which the server lock keys are derived: machines may mount
# the shared folder at different paths, and must still agree on the keys.
WAREHOUSE_ID_FILE = "warehouse-id"

# How often a writer waiting at the server gets control back (to see Ctrl-C).
_WAIT_SLICE_MS = 1000
# Server-side settings of the lock's session: never end it for being idle (the holder is
# idle while it works), and find a vanished holder's machine by TCP keepalives in ~1 min.
_SESSION_OPTIONS = ("-c idle_session_timeout=0 -c idle_in_transaction_session_timeout=0 "
                    "-c tcp_keepalives_idle=30 -c tcp_keepalives_interval=10 "
                    "-c tcp_keepalives_count=3")


class LockServerError(OSError):
    """The lock server cannot be reached, or its session was lost while the lock was held."""


def configured_lock_url(lock_url: str | None = None) -> str | None:
    """The PostgreSQL URL the locks go through: `lock_url` if given, else the environment's
    TIMELINE_LOCK_URL; None (or empty) means the local file locks alone."""
    url = os.environ.get(LOCK_URL_ENV) if lock_url is None else lock_url
    return (url.strip() or None) if url else None


class HeldLock:
    """A lock taken by `warehouse_lock`; `confirm()` before committing what it guards."""

    def __init__(self, session: Any | None = None, key: int | None = None) -> None:
        self._session = session
        self._key = key

    @property
    def on_server(self) -> bool:
        return self._session is not None

    def confirm(self) -> None:
        """Raise LockServerError when the server no longer holds this lock for us (its
        session was lost, so another machine may be writing): nothing may be committed."""
        if self._session is None:
            return
        try:
            with self._session.cursor() as cur:
                cur.execute(f"SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pid = pg_backend_pid() "
                            f"AND granted AND {_LOCK_ROW})", _key_parts(self._key))
                held = cur.fetchone()[0]
        except Exception as exc:  # any driver error: the session cannot vouch for the lock
            raise LockServerError(f"lost the lock server's session while holding the warehouse "
                                  f"lock: nothing committed ({exc})") from exc
        if not held:
            raise LockServerError("the lock server no longer holds the warehouse lock for this "
                                  "writer: nothing committed")


@contextmanager
def warehouse_lock(log_dir: Path, lock_file: str, lock_url: str | None = None,
                   waiting: Callable[[str], None] | None = None) -> Iterator[HeldLock]:
    """Exclusive across processes (and, with a lock URL, across machines) on one warehouse.

    `lock_file` names the lock (RUN_LOCK_FILE or LOG_LOCK_FILE); `waiting` hears, once, who
    holds it when this caller must wait. The server lock is taken before the file lock, in
    every writer, so two writers can never each hold one and wait for the other.
    """
    log_dir = Path(log_dir)
    log_dir.mkdir(parents=True, exist_ok=True)
    url = configured_lock_url(lock_url)
    if url is None:
        with _file_lock(log_dir / lock_file, waiting):
            yield HeldLock()
        return
    with _server_lock(url, log_dir, lock_file, waiting) as held, _file_lock(log_dir / lock_file, waiting):
        yield held


@contextmanager
def run_lock(log_dir: Path, waiting: Callable[[str], None] | None = None,
             lock_url: str | None = None) -> Iterator[None]:
    """One whole-folder run at a time on a warehouse; a second one waits its turn.

    So two runs started together give the tables of one run after the other (the later
    one's folder is the truth), never a mix where neither withdrew the other's files.
    `waiting` hears, once, whom it waits for. A killed run's lock is released by the kernel
    (and by the lock server, when one is configured).
    """
    def tell(holder: str) -> None:
        if waiting is not None:
            waiting(f"another run ({holder}) is writing this warehouse: waiting for it to finish")

    with warehouse_lock(log_dir, RUN_LOCK_FILE, lock_url, tell):
        yield


# ---------------------------------------------------------------- the local file lock

@contextmanager
def _file_lock(path: Path, waiting: Callable[[str], None] | None) -> Iterator[None]:
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            if waiting is not None:
                waiting(f"pid {handle.read().strip() or 'unknown'}")
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        handle.truncate(0)
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


# ---------------------------------------------------------------- the server lock

# pg_locks shows a bigint advisory key as its high (classid) and low (objid) 32 bits.
_LOCK_ROW = ("locktype = 'advisory' AND objsubid = 1 AND classid = %s::oid AND objid = %s::oid "
             "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")


def _key_parts(key: int | None) -> tuple[int, int]:
    assert key is not None
    return (key >> 32) & 0xFFFFFFFF, key & 0xFFFFFFFF


def lock_key(log_dir: Path, lock_file: str) -> int:
    """The advisory lock key (a signed 64-bit integer) of one lock of one warehouse."""
    digest = hashlib.sha256(f"zh-news-timeline {lock_file} {warehouse_id(log_dir)}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def warehouse_id(log_dir: Path) -> str:
    """The id kept in the log folder, made once by whichever writer comes first (a hard
    link never replaces an existing file, so two first writers still agree)."""
    path = Path(log_dir) / WAREHOUSE_ID_FILE
    if not path.exists():
        tmp = path.parent / f".{path.name}.{socket.gethostname()}.{os.getpid()}.tmp"
        tmp.write_text(uuid.uuid4().hex + "\n")
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
    text = path.read_text().strip()
    if not re.fullmatch(r"[0-9a-f]{32}", text):
        raise LockServerError(f"{path} does not hold a warehouse id ({text[:40]!r}): restore it, or "
                              "delete it while no writer runs on any machine")
    return text


def _redacted(url: str) -> str:
    return re.sub(r"(//[^:/@]+):[^@]*@", r"\1:***@", url)


def _connect(url: str, lock_file: str) -> Any:
    try:
        import psycopg2
    except ImportError as exc:
        raise LockServerError(f"{LOCK_URL_ENV} is set but psycopg2 is not installed: "
                              "pip install -e '.[scale]'") from exc
    # SQLAlchemy spells the driver into the scheme (postgresql+psycopg2://, as the Dagster
    # instance's TIMELINE_PG_URL); libpq wants the plain scheme.
    dsn = re.sub(r"^postgres(ql)?\+\w+://", "postgresql://", url)
    name = f"timeline {'run' if lock_file == RUN_LOCK_FILE else 'log'} lock {socket.gethostname()} pid {os.getpid()}"
    try:
        session = psycopg2.connect(dsn, connect_timeout=10, application_name=name[:63],
                                   options=_SESSION_OPTIONS)
    except psycopg2.Error as exc:
        raise LockServerError(f"cannot reach the lock server {_redacted(url)} "
                              f"({LOCK_URL_ENV}): {str(exc).strip()}") from exc
    session.autocommit = True
    return session


@contextmanager
def _server_lock(url: str, log_dir: Path, lock_file: str,
                 waiting: Callable[[str], None] | None) -> Iterator[HeldLock]:
    import psycopg2

    key = lock_key(log_dir, lock_file)
    session = _connect(url, lock_file)
    try:
        with session.cursor() as cur:
            cur.execute("SELECT pg_try_advisory_lock(%s)", (key,))
            if not cur.fetchone()[0]:
                if waiting is not None:
                    waiting(_holder(cur, key))
                # Waits in the server's queue, a slice at a time so Ctrl-C is seen.
                cur.execute(f"SET lock_timeout = {_WAIT_SLICE_MS}")
                while True:
                    try:
                        cur.execute("SELECT pg_advisory_lock(%s)", (key,))
                        break
                    except psycopg2.errors.LockNotAvailable:
                        continue
                cur.execute("SET lock_timeout = 0")
    except psycopg2.Error as exc:
        session.close()
        raise LockServerError(f"lock server {_redacted(url)}: {str(exc).strip()}") from exc
    except BaseException:
        session.close()
        raise
    try:
        yield HeldLock(session, key)
    finally:
        try:
            with session.cursor() as cur:
                cur.execute("SELECT pg_advisory_unlock(%s)", (key,))
        except psycopg2.Error:
            pass  # the session is gone, and the lock with it
        session.close()


def _holder(cur: Any, key: int) -> str:
    """Who holds the lock at the server, as its session named itself."""
    cur.execute(f"SELECT a.application_name, host(a.client_addr) FROM pg_locks "
                f"JOIN pg_stat_activity a USING (pid) WHERE granted AND {_LOCK_ROW}", _key_parts(key))
    row = cur.fetchone()
    if row is None:
        return "a writer on the lock server"
    name, address = row
    return f"{name or 'a writer'}{f' from {address}' if address else ''}, at the lock server"
