"""The offline queue's store in SQLite (`ocpp_core.offline.OfflineStore`): one file per
station under `--state-dir`; and the `ocpp-toolkit station` options of the queue.

Durability is the point: every change is one SQLite transaction, committed before the
method returns, in WAL mode with `synchronous=FULL`, so a message the station was told
is queued survives a kill -9 (and a power cut, as far as the file system keeps its
fsync promises). One connection, used by one thread (the event loop's): the calls are
short and rare next to a network round trip, so they run inline.
"""

import argparse
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


def check_offline_options(args: argparse.Namespace) -> None:
    """Create `--state-dir` if need be; a directory that cannot be written is a usage
    error. The retry knobs need --state-dir."""
    if args.state_dir is None:
        if args.message_attempts is not None or args.message_retry_interval is not None:
            raise UsageError("--message-attempts and --message-retry-interval need --state-dir")
        return
    try:
        os.makedirs(args.state_dir, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--state-dir: cannot create {args.state_dir}: {exc.strerror}") from None
    if not os.access(args.state_dir, os.W_OK | os.X_OK):
        raise UsageError(f"--state-dir: cannot write {args.state_dir}: permission denied")


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
    }


def store_path(state_dir: str, identity: str) -> str:
    """The file of one station: its identity, made a safe file name (a fleet shares the
    directory)."""
    name = re.sub(r"[^A-Za-z0-9._-]", "_", identity) or "_"
    if name.startswith("."):
        name = "_" + name
    return os.path.join(state_dir, name + ".sqlite3")


class SqliteStore:
    """`OfflineStore` over one SQLite file (created if need be)."""

    def __init__(self, path: str) -> None:
        self.path = path
        # isolation_level=None: no implicit transactions; each change opens its own.
        self._db = sqlite3.connect(path, isolation_level=None, timeout=5.0)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version not in (0, SCHEMA_VERSION):
            self._db.close()
            raise ValueError(f"{path}: offline queue schema {version}, expected {SCHEMA_VERSION}")
        with self._transaction():
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    self._db.execute(statement)
            self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def _transaction(self) -> "_Transaction":
        return _Transaction(self._db)

    def close(self) -> None:
        self._db.close()

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


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK when the block raised."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, value: object, traceback: object) -> None:
        self._db.execute("COMMIT" if kind is None else "ROLLBACK")
