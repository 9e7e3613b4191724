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
import select
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

LOCK_URL_ENV = "TIMELINE_LOCK_URL"
RUN_LOCK_FILE = ".run.lock"
LOG_LOCK_FILE = ".lock"
# The warehouse's identity, from which the server lock keys are derived: machines may mount
# the shared folder at different paths, and must still agree on the keys.
WAREHOUSE_ID_FILE = "warehouse-id"

_CONNECT_TIMEOUT_S = 10.0
_ANSWER_TIMEOUT_S = 30.0  # for every statement but the wait for the lock
# The lock session's settings, those this server has: no timeout may end the wait for the
# lock or the session while its holder works (the session is idle then), and the server
# finds a vanished holder's machine by TCP keepalives in about a minute.
_SESSION_SETTINGS = """
SELECT set_config(name, setting, false) FROM (VALUES
    ('statement_timeout', '0'), ('lock_timeout', '0'), ('idle_session_timeout', '0'),
    ('idle_in_transaction_session_timeout', '0'), ('tcp_keepalives_idle', '30'),
    ('tcp_keepalives_interval', '10'), ('tcp_keepalives_count', '3')) AS wanted(name, setting)
WHERE name IN (SELECT name FROM pg_settings)
"""


class LockServerError(OSError):
    """The lock server cannot be reached, or its session was lost while the lock was held."""


def configured_lock_url(lock_url: str | None = None) -> str | None:
    """The PostgreSQL URL the locks go through: `lock_url` if given, else the environment's
    TIMELINE_LOCK_URL; None (or empty) means the local file locks alone."""
    url = os.environ.get(LOCK_URL_ENV) if lock_url is None else lock_url
    return (url.strip() or None) if url else None


class HeldLock:
    """A lock taken by `warehouse_lock`; `confirm()` before committing what it guards."""

    def __init__(self, session: _Session | None = None, key: int | None = None) -> None:
        self._session = session
        self._key = key

    def confirm(self) -> None:
        """Raise LockServerError when the server no longer holds this lock for us (its
        session was lost, so another machine may be writing): nothing may be committed."""
        if self._session is None:
            return
        try:
            held = self._session.query(f"SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pid = pg_backend_pid() "
                                       f"AND granted AND {_LOCK_ROW})", _key_parts(self._key))[0][0]
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

    `lock_file` names the lock (RUN_LOCK_FILE or LOG_LOCK_FILE); `waiting` hears who holds
    it when this caller must wait. The server lock is taken before the file lock, in
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


class _Session:
    """A connection of its own to the lock server, in psycopg2's asynchronous mode: a writer
    waiting in the server's queue wakes every second and so still sees Ctrl-C (a blocking
    call would not return before the lock is granted)."""

    def __init__(self, url: str, name: str) -> None:
        try:
            import psycopg2
        except ImportError as exc:
            raise LockServerError(f"{LOCK_URL_ENV} is set but psycopg2 is not installed: "
                                  "pip install -e '.[scale]'") from exc
        self.url = url
        # SQLAlchemy spells the driver into the scheme (postgresql+psycopg2://, as the Dagster
        # instance's TIMELINE_PG_URL); libpq wants the plain scheme.
        dsn = re.sub(r"^postgres(ql)?\+\w+://", "postgresql://", url)
        self.conn = None
        try:
            self.conn = psycopg2.connect(dsn, async_=True, application_name=name[:63], keepalives=1,
                                         keepalives_idle=30, keepalives_interval=10, keepalives_count=3)
            self._wait(_CONNECT_TIMEOUT_S)
            self.query(_SESSION_SETTINGS)
        except (psycopg2.Error, LockServerError) as exc:
            if self.conn is not None:
                self.conn.close()
            raise LockServerError(f"cannot reach the lock server {_redacted(url)} "
                                  f"({LOCK_URL_ENV}): {str(exc).strip()}") from exc

    def _wait(self, timeout_s: float | None) -> None:
        from psycopg2 import extensions

        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        while (state := self.conn.poll()) != extensions.POLL_OK:
            if deadline is not None and time.monotonic() > deadline:
                raise LockServerError(f"no answer from the lock server in {timeout_s:.0f} s")
            fd = self.conn.fileno()
            select.select([fd] if state == extensions.POLL_READ else [],
                          [fd] if state == extensions.POLL_WRITE else [], [], 1.0)

    def query(self, sql: str, params: tuple = (), timeout_s: float | None = _ANSWER_TIMEOUT_S) -> list[tuple]:
        """Rows of one statement (autocommit); `timeout_s` None waits as long as it takes."""
        cur = self.conn.cursor()
        cur.execute(sql, params)
        try:
            self._wait(timeout_s)
        except BaseException:
            # Interrupted or timed out mid-statement: the server must not go on queueing
            # for a writer that left.
            with suppress(Exception):
                self.conn.cancel()
            raise
        return cur.fetchall() if cur.description else []

    def close(self) -> None:
        self.conn.close()


@contextmanager
def _server_lock(url: str, log_dir: Path, lock_file: str,
                 waiting: Callable[[str], None] | None) -> Iterator[HeldLock]:
    key = lock_key(log_dir, lock_file)
    name = f"timeline {'run' if lock_file == RUN_LOCK_FILE else 'log'} lock {socket.gethostname()} pid {os.getpid()}"
    session = _Session(url, name)  # first: without psycopg2 it says so, naming TIMELINE_LOCK_URL
    import psycopg2
    try:
        if not session.query("SELECT pg_try_advisory_lock(%s)", (key,))[0][0]:
            if waiting is not None:
                waiting(_holder(session, key))
            # In the server's queue until the holder's session releases it or ends.
            session.query("SELECT pg_advisory_lock(%s)", (key,), timeout_s=None)
    except (psycopg2.Error, LockServerError) as exc:
        session.close()
        raise LockServerError(f"lock server {_redacted(url)}: {str(exc).strip()}") from exc
    except BaseException:
        session.close()
        raise
    try:
        yield HeldLock(session, key)
    finally:
        with suppress(psycopg2.Error, LockServerError):  # else the session is gone, and the lock with it
            session.query("SELECT pg_advisory_unlock(%s)", (key,))
        session.close()


def _holder(session: _Session, key: int) -> str:
    """Who holds the lock at the server, as its session named itself."""
    rows = session.query(f"SELECT a.application_name, host(a.client_addr) FROM pg_locks "
                         f"JOIN pg_stat_activity a USING (pid) WHERE granted AND {_LOCK_ROW}", _key_parts(key))
    if not rows:
        return "a writer on the lock server"
    name, address = rows[0]
    return f"{name or 'a writer'}{f' from {address}' if address else ''}, at the lock server"
