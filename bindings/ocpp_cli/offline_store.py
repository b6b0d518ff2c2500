"""The offline queue's store in SQLite (`ocpp_core.offline.OfflineStore`): one file per
station under `--state-dir`; and the `ocpp-toolkit station` options of the queue.

Durability is the point: every change is one SQLite transaction, committed before the
method returns, in WAL mode with `synchronous=FULL`, so a message the station was told
is queued survives a kill -9 (and a power cut, as far as the file system keeps its
fsync promises). One connection, used by one thread (the event loop's): the calls are
short and rare next to a network round trip, so they run inline.
"""

import argparse
import fcntl
import os
import re
import sqlite3
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Optional

from ocpp_cli.simcli import non_negative_float, positive_float, positive_int
from ocpp_cli.usage import UsageError

if TYPE_CHECKING:  # ocpp_core.offline imports msgspec: not at `--help` time
    from ocpp_core.offline import StoredMessage

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS queue (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: order survives removals
    body BLOB NOT NULL,                     -- the generic message, msgspec JSON
    failures INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


def add_offline_options(parser: argparse.ArgumentParser) -> None:
    """`--state-dir` and the knobs of the offline queue and of the transaction."""
    group = parser.add_argument_group("offline queue (transaction messages kept in SQLite)")
    group.add_argument(
        "--state-dir",
        metavar="DIR",
        help="keep the transaction messages in DIR/<identity>.sqlite3 until the CSMS has "
        "answered them: reconnect and deliver them in order, also after a restart",
    )
    group.add_argument(
        "--message-attempts",
        type=positive_int,
        metavar="N",
        help="transmissions of a transaction message the CSMS fails to process before it "
        "is dropped (1.6 TransactionMessageAttempts, 2.x MessageAttempts; default 3)",
    )
    group.add_argument(
        "--message-retry-interval",
        type=non_negative_float,
        metavar="SECONDS",
        help="retry after SECONDS x transmissions so far (1.6 "
        "TransactionMessageRetryInterval, 2.x MessageAttemptInterval; default 60)",
    )
    group.add_argument(
        "--max-reconnect-delay",
        type=positive_float,
        default=60.0,
        metavar="SECONDS",
        help="with --state-dir: the longest back-off between reconnects (default 60)",
    )
    group.add_argument(
        "--meter-values",
        type=positive_int,
        default=1,
        metavar="N",
        help="Updated events (1.6 MeterValues) in a transaction (default 1)",
    )
    group.add_argument(
        "--meter-interval",
        type=non_negative_float,
        default=0.0,
        metavar="SECONDS",
        help="seconds between the meter values of a transaction (default 0)",
    )


def check_offline_options(
    args: argparse.Namespace, identities: "Optional[list[str]]" = None
) -> None:
    """Create `--state-dir` if need be. The retry knobs need --state-dir.

    With `identities`, open (and lock) the store of each before anything connects, kept
    in `args.offline_stores` for the stations to use: a file that is not an offline
    queue, a directory that cannot be written or a store another station process holds
    is a usage error naming the file. Opening is the check: running as root, os.access
    says yes to directories no one can write to."""
    if args.state_dir is None:
        if args.message_attempts is not None or args.message_retry_interval is not None:
            raise UsageError("--message-attempts and --message-retry-interval need --state-dir")
        return
    try:
        os.makedirs(args.state_dir, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--state-dir: cannot create {args.state_dir}: {exc.strerror}") from None
    stores: dict[str, SqliteStore] = {}
    try:
        for identity in identities or ():
            stores[identity] = SqliteStore(store_path(args.state_dir, identity), exclusive=True)
    except StoreError as exc:
        for store in stores.values():
            store.close()
        raise UsageError(f"--state-dir: {exc}") from None
    args.offline_stores = stores


def offline_options(args: argparse.Namespace) -> "dict[str, Any]":
    """The StationRun keyword arguments of these options."""
    from ocpp_core.offline import DEFAULT_ATTEMPTS, DEFAULT_INTERVAL, RetryPolicy

    attempts = args.message_attempts
    interval = args.message_retry_interval
    return {
        "state_dir": args.state_dir,
        "policy": RetryPolicy(
            attempts=DEFAULT_ATTEMPTS if attempts is None else attempts,
            interval=DEFAULT_INTERVAL if interval is None else interval,
        ),
        "max_reconnect_delay": args.max_reconnect_delay,
        "meter_values": args.meter_values,
        "meter_interval": args.meter_interval,
        "stores": getattr(args, "offline_stores", None),
    }


def store_path(state_dir: str, identity: str) -> str:
    """The file of one station: its identity, made a safe file name (a fleet shares the
    directory)."""
    name = re.sub(r"[^A-Za-z0-9._-]", "_", identity) or "_"
    if name.startswith("."):
        name = "_" + name
    return os.path.join(state_dir, name + ".sqlite3")


class StoreError(ValueError):
    """The file cannot be this station's offline queue; the message names it and why."""


class SqliteStore:
    """`OfflineStore` over one SQLite file (created if need be).

    `exclusive`: the station's own store, locked for as long as it is open (flock on
    `<file>.lock`): two processes delivering from one queue would send its messages
    twice and remove each other's. The kernel drops the lock with the process, so a
    station killed with -9 does not block its restart. Readers (tests, tools) open it
    without the lock."""

    def __init__(self, path: str, exclusive: bool = False) -> None:
        self.path = path
        self._lock: Optional[int] = None
        if os.path.isdir(path):
            raise StoreError(f"{path}: is a directory, not an offline queue file")
        if exclusive:
            self._lock = _lock_file(path)
        try:
            self._db = self._open(path)
        except BaseException:
            self._unlock()
            raise

    @staticmethod
    def _open(path: str) -> sqlite3.Connection:
        try:
            # isolation_level=None: no implicit transactions; each change opens its own.
            db = sqlite3.connect(path, isolation_level=None, timeout=5.0)
        except sqlite3.Error as exc:
            raise StoreError(f"{path}: cannot open: {exc}") from None
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version not in (0, SCHEMA_VERSION):
                raise StoreError(
                    f"{path}: offline queue schema {version}, expected {SCHEMA_VERSION}"
                )
            _check_schema(db, path, version)
            with _Transaction(db):
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except sqlite3.Error as exc:  # e.g. "file is not a database", "readonly database"
            db.close()
            raise StoreError(f"{path}: not a usable offline queue: {exc}") from None
        except StoreError:
            db.close()
            raise
        return db

    def _transaction(self) -> "_Transaction":
        return _Transaction(self._db)

    def close(self) -> None:
        self._db.close()
        self._unlock()

    def _unlock(self) -> None:
        if self._lock is not None:
            os.close(self._lock)  # closing the descriptor releases the flock
            self._lock = None

    # -- OfflineStore ---------------------------------------------------------------------
    def append(self, body: bytes) -> int:
        with self._transaction():
            cursor = self._db.execute("INSERT INTO queue (body) VALUES (?)", (bytes(body),))
        seq = cursor.lastrowid
        assert seq is not None
        return seq

    def peek(self) -> "Optional[StoredMessage]":
        from ocpp_core.offline import StoredMessage

        row = self._db.execute(
            "SELECT seq, body, failures FROM queue ORDER BY seq LIMIT 1"
        ).fetchone()
        return None if row is None else StoredMessage(row[0], bytes(row[1]), row[2])

    def messages(self) -> "list[StoredMessage]":
        from ocpp_core.offline import StoredMessage

        rows = self._db.execute("SELECT seq, body, failures FROM queue ORDER BY seq").fetchall()
        return [StoredMessage(seq, bytes(body), failures) for seq, body, failures in rows]

    def mark_failure(self, seq: int) -> int:
        with self._transaction():
            self._db.execute("UPDATE queue SET failures = failures + 1 WHERE seq = ?", (seq,))
            row = self._db.execute("SELECT failures FROM queue WHERE seq = ?", (seq,)).fetchone()
        if row is None:
            raise KeyError(seq)
        failures: int = row[0]
        return failures

    def remove(self, seq: int, state: "Mapping[str, Optional[str]]") -> None:
        with self._transaction():
            self._db.execute("DELETE FROM queue WHERE seq = ?", (seq,))
            self._apply(state)

    def state(self) -> "dict[str, str]":
        return dict(self._db.execute("SELECT key, value FROM state").fetchall())

    def set_state(self, state: "Mapping[str, Optional[str]]") -> None:
        if state:
            with self._transaction():
                self._apply(state)

    def _apply(self, state: "Mapping[str, Optional[str]]") -> None:
        for key, value in state.items():
            if value is None:
                self._db.execute("DELETE FROM state WHERE key = ?", (key,))
            else:
                self._db.execute(
                    "INSERT INTO state (key, value) VALUES (?, ?) "
                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    (key, value),
                )


# The columns this code reads and writes, per table: a file that has these tables with
# other columns was written by something else.
_COLUMNS = {"queue": {"seq", "body", "failures"}, "state": {"key", "value"}}


def _check_schema(db: sqlite3.Connection, path: str, version: int) -> None:
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if version == 0:
        if tables:  # ours sets user_version in the transaction that creates the tables
            names = ", ".join(sorted(tables))
            raise StoreError(f"{path}: not an offline queue (a SQLite file with tables {names})")
        return  # a new file
    for table, needed in _COLUMNS.items():
        if table not in tables:
            raise StoreError(f"{path}: not an offline queue (no table {table})")
        columns = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
        if not needed <= columns:
            missing = ", ".join(sorted(needed - columns))
            raise StoreError(f"{path}: not an offline queue (table {table} lacks {missing})")


def _lock_file(path: str) -> int:
    """Take the station's exclusive lock on `path` (a held-open `<path>.lock`)."""
    lock_path = path + ".lock"
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise StoreError(f"{path}: cannot create {lock_path}: {exc.strerror}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise StoreError(f"{path} is in use by another station process") from None
    except OSError as exc:
        os.close(fd)
        raise StoreError(f"{path}: cannot lock {lock_path}: {exc.strerror}") from None
    return fd


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK when the block raised."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, value: object, traceback: object) -> None:
        self._db.execute("COMMIT" if kind is None else "ROLLBACK")
