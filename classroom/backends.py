"""The two databases under the class-vote store: SQLite (one host) and PostgreSQL (several hosts).

Each gives the store transactions and a cursor whose queries use `?` placeholders; values always
travel as parameters. A database that does not answer raises StoreUnavailableError.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from classroom.store import SCHEMA, Connection, Cursor

BUSY_TIMEOUT_S = 10  # how long a writer waits for another process's write lock
SCHEMA_LOCK_ID = 0x0C1A55  # PostgreSQL advisory lock held while one process creates the tables


def _switch_to_wal(conn: sqlite3.Connection) -> None:
    """`PRAGMA journal_mode = WAL`, retried for up to BUSY_TIMEOUT_S: the switch needs an exclusive
    lock and SQLite answers "database is locked" at once, without its busy handler, while another
    process opening the same new file switches it (seen with six processes opening at once)."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


class StoreUnavailableError(RuntimeError):
    """The database did not answer (locked past the busy timeout, or unreachable)."""


class _SQLiteCursor(Cursor):
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def run(self, query: str, params: Sequence[Any] = ()) -> list[tuple]:
        return self._conn.execute(query, tuple(params)).fetchall()


class SQLiteConnection(Connection):
    """One SQLite file in WAL mode, shared by every process that opens it.

    WAL lets the lecturer's tally read while students write; `BEGIN IMMEDIATE` takes the write lock
    at the start of a write, so two writers queue on the busy timeout instead of failing.
    synchronous=NORMAL: a commit is in the WAL file before `vote` returns, so a killed process
    loses nothing that returned (a power cut may lose the last commits).
    """

    def __init__(self, path: str) -> None:
        self._lock = threading.RLock()
        try:
            if path != ":memory:":
                # Created private (and never through a symlink): the temp dir is shared by users.
                os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600))
            self._conn = sqlite3.connect(
                path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
            )
            self._conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
            _switch_to_wal(self._conn)
            self._conn.execute("PRAGMA synchronous = NORMAL")
        except (OSError, sqlite3.Error) as error:
            raise StoreUnavailableError(f"cannot open the class-vote database {path}: {error}") from error
        with self.transaction(write=True) as cur:
            for statement in SCHEMA:
                cur.run(statement)

    @contextmanager
    def transaction(self, write: bool) -> Iterator[Cursor]:
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            except sqlite3.OperationalError as error:
                raise StoreUnavailableError(f"the class-vote database is busy: {error}") from error
            try:
                yield _SQLiteCursor(self._conn)
            except BaseException:
                if self._conn.in_transaction:  # SQLite may have rolled back already
                    self._conn.execute("ROLLBACK")
                raise
            try:
                self._conn.execute("COMMIT")
            except sqlite3.OperationalError as error:
                self._conn.execute("ROLLBACK")
                raise StoreUnavailableError(f"the class vote could not be saved: {error}") from error

    def close(self) -> None:
        with self._lock:
            self._conn.close()


class _PostgresCursor(Cursor):
    # Votes share the question's row; a reveal or new round waits for them, and votes after it
    # read the new state (SQLite needs neither: BEGIN IMMEDIATE already serialises writers).
    share_lock = " FOR SHARE"
    update_lock = " FOR UPDATE"

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def run(self, query: str, params: Sequence[Any] = ()) -> list[tuple]:
        cursor = self._conn.execute(query.replace("?", "%s"), tuple(params))
        return cursor.fetchall() if cursor.description is not None else []


class PostgresConnection(Connection):
    """A PostgreSQL database through psycopg 3; the tables are created on first use."""

    def __init__(self, url: str) -> None:
        try:
            import psycopg  # only needed where PostgreSQL is used
        except ImportError as error:
            raise StoreUnavailableError("PostgreSQL needs psycopg: pip install 'psycopg[binary]'") from error

        self._psycopg = psycopg
        self._url = url
        self._lock = threading.RLock()
        self._conn = self._connect()

    def _connect(self) -> Any:
        try:
            conn = self._psycopg.connect(self._url, autocommit=True, connect_timeout=10)
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK_ID,))
                for statement in SCHEMA:
                    conn.execute(statement)
        except self._psycopg.OperationalError as error:
            raise StoreUnavailableError(f"the class-vote database does not answer: {error}") from error
        return conn

    @contextmanager
    def transaction(self, write: bool) -> Iterator[Cursor]:
        with self._lock:
            if self._conn.closed or self._conn.broken:
                self._conn = self._connect()
            try:
                with self._conn.transaction():
                    yield _PostgresCursor(self._conn)
            except self._psycopg.OperationalError as error:
                raise StoreUnavailableError(f"the class-vote database does not answer: {error}") from error

    def close(self) -> None:
        with self._lock:
            self._conn.close()
