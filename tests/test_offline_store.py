"""The SQLite store of the offline queue (`ocpp_cli.offline_store`): it behaves as the
in-memory reference, survives a reopen, and keeps every append acknowledged before a
kill -9."""

import os
import signal
import subprocess
import sys
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ocpp_cli.offline_store import SqliteStore, StoreError, store_path
from test_cli_support import ROOT, cli_env
from test_offline import answer16, event

from ocpp_core.offline import BINDING_PREFIX, MemoryStore, OfflineQueue, RetryPolicy

STORE_OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("append"), st.binary(max_size=20)),
        st.tuples(st.just("fail"), st.integers(0, 5)),
        st.tuples(
            st.just("remove"),
            st.integers(0, 5),
            st.dictionaries(st.sampled_from("abc"), st.none() | st.text(max_size=5), max_size=2),
        ),
        st.tuples(
            st.just("state"),
            st.dictionaries(st.sampled_from("abc"), st.none() | st.text(max_size=5), max_size=2),
        ),
        st.just(("reopen",)),
    ),
    max_size=25,
)


@settings(max_examples=25)
@given(operations=STORE_OPERATIONS)
def test_sqlite_store_behaves_as_the_memory_store(tmp_path_factory, operations):
    path = str(tmp_path_factory.mktemp("store") / "s.sqlite3")
    sqlite, memory = SqliteStore(path), MemoryStore()
    try:
        for operation in operations:
            kind = operation[0]
            if kind == "append":
                assert sqlite.append(operation[1]) == memory.append(operation[1])
            elif kind == "reopen":
                sqlite.close()
                sqlite = SqliteStore(path)
            else:
                queued = [entry.seq for entry in memory.messages()]
                if kind == "fail" and queued:
                    seq = queued[operation[1] % len(queued)]
                    assert sqlite.mark_failure(seq) == memory.mark_failure(seq)
                elif kind == "remove" and queued:
                    seq = queued[operation[1] % len(queued)]
                    sqlite.remove(seq, operation[2])
                    memory.remove(seq, operation[2])
                elif kind == "state":
                    sqlite.set_state(operation[1])
                    memory.set_state(operation[1])
            assert sqlite.messages() == memory.messages()
            assert sqlite.peek() == memory.peek()
            assert sqlite.state() == memory.state()
    finally:
        sqlite.close()


def test_sequence_numbers_are_never_reused(tmp_path):
    store = SqliteStore(str(tmp_path / "s.sqlite3"))
    first = store.append(b"a")
    store.remove(first, {})
    assert store.append(b"b") > first  # order survives removing the head
    store.close()


def test_queue_state_survives_reopen_with_the_v16_binding(tmp_path):
    path = str(tmp_path / "CP1.sqlite3")
    store = SqliteStore(path)
    queue = OfflineQueue("1.6", store, RetryPolicy(attempts=3, interval=0))
    for number, kind in enumerate(["Started", "Updated", "Updated", "Ended"]):
        queue.enqueue(event(kind, number))
    queue.connected()
    start = queue.next_delivery(0.0)
    queue.answered(start.seq, answer16("StartTransaction", 1234), 0.0)
    updated = queue.next_delivery(0.0)
    queue.failed(updated.seq, 0.0, "CALLERROR InternalError")
    store.close()

    store = SqliteStore(path)  # the next process
    assert store.state()[BINDING_PREFIX + "tx-1"] == "1 1234"
    assert [entry.failures for entry in store.messages()] == [1, 0, 0]
    queue = OfflineQueue("1.6", store, RetryPolicy(attempts=3, interval=0))
    queue.connected()
    seen = []
    while (delivery := queue.next_delivery(0.0)) is not None:
        seen.append((delivery.action, delivery.native.transaction_id, delivery.transmission))
        queue.answered(delivery.seq, answer16(delivery.action), 0.0)
    assert seen == [
        ("MeterValues", 1234, 2),
        ("MeterValues", 1234, 1),
        ("StopTransaction", 1234, 1),
    ]
    assert store.messages() == [] and BINDING_PREFIX + "tx-1" not in store.state()
    store.close()


def test_a_store_of_another_schema_is_refused(tmp_path):
    import sqlite3

    path = str(tmp_path / "s.sqlite3")
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version=99")
    db.close()
    with pytest.raises(ValueError, match="schema 99"):
        SqliteStore(path)


def test_store_path_is_a_safe_file_name(tmp_path):
    assert store_path(str(tmp_path), "CP1") == str(tmp_path / "CP1.sqlite3")
    assert store_path(str(tmp_path), "../x/y") == str(tmp_path / "_.._x_y.sqlite3")
    assert store_path(str(tmp_path), ".hidden").endswith("_.hidden.sqlite3")


WRITER = textwrap.dedent(
    """
    import sys
    from ocpp_cli.offline_store import SqliteStore
    store = SqliteStore(sys.argv[1])
    n = 0
    while True:  # until killed: append, then say so
        seq = store.append(b"message %d" % n)
        sys.stdout.write("%d %d\\n" % (seq, n))
        sys.stdout.flush()
        n += 1
    """
)


@pytest.mark.timeout(30)
def test_every_acknowledged_append_survives_kill_9(tmp_path):
    path = str(tmp_path / "killed.sqlite3")
    env = cli_env()
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, path],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )
    acknowledged = []
    try:
        for line in process.stdout:
            acknowledged.append(tuple(int(part) for part in line.split()))
            if len(acknowledged) >= 40:
                break
        os.kill(process.pid, signal.SIGKILL)  # while it keeps appending
    finally:
        process.kill()
        process.wait(timeout=10)
        process.stdout.close()
    assert process.returncode == -signal.SIGKILL
    store = SqliteStore(path)
    kept = {entry.seq: entry.body for entry in store.messages()}
    store.close()
    for seq, n in acknowledged:
        assert kept[seq] == b"message %d" % n
    # Nothing beyond what was acknowledged but the appends in progress at the kill.
    assert sorted(kept) == list(range(1, len(kept) + 1))


HOLDER = textwrap.dedent(
    """
    import sys, time
    from ocpp_cli.offline_store import SqliteStore
    store = SqliteStore(sys.argv[1], exclusive=True)
    sys.stdout.write("holding\\n")
    sys.stdout.flush()
    time.sleep(60)
    """
)


@pytest.mark.timeout(30)
def test_an_exclusive_store_is_locked_until_closed_or_killed(tmp_path):
    path = str(tmp_path / "held.sqlite3")
    first = SqliteStore(path, exclusive=True)
    with pytest.raises(StoreError, match="is in use by another station process"):
        SqliteStore(path, exclusive=True)
    reader = SqliteStore(path)  # a reader (no lock) is not refused
    reader.close()
    first.close()
    SqliteStore(path, exclusive=True).close()  # released by close

    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, path], stdout=subprocess.PIPE, text=True, cwd=ROOT,
        env=cli_env(),
    )  # fmt: skip
    try:
        assert process.stdout.readline() == "holding\n"
        with pytest.raises(StoreError, match=f"^{path} is in use by another station process$"):
            SqliteStore(path, exclusive=True)
        os.kill(process.pid, signal.SIGKILL)
        assert process.wait(timeout=10) == -signal.SIGKILL
    finally:
        process.kill()
        process.wait(timeout=10)
        process.stdout.close()
    SqliteStore(path, exclusive=True).close()  # the kernel dropped the killed holder's lock


def _sqlite_file(path, *statements):
    import sqlite3

    db = sqlite3.connect(path)
    for statement in statements:
        db.execute(statement)
    db.commit()
    db.close()


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda p: open(p, "w").write("hello, not SQLite " * 100), "file is not a database"),
        (os.mkdir, "is a directory"),
        (lambda p: _sqlite_file(p, "CREATE TABLE queue (id INTEGER, body BLOB)"), "tables queue"),
        (
            lambda p: _sqlite_file(
                p, "CREATE TABLE queue (id INTEGER, body BLOB)", "PRAGMA user_version=1"
            ),
            "table queue lacks failures, seq",
        ),
        (lambda p: _sqlite_file(p, "PRAGMA user_version=1"), "no table queue"),
    ],
)
def test_a_file_that_is_not_an_offline_queue_is_refused_at_open(tmp_path, make, reason):
    path = str(tmp_path / "s.sqlite3")
    make(path)
    with pytest.raises(StoreError, match=reason) as error:
        SqliteStore(path, exclusive=True)
    assert str(error.value).startswith(path + ": ")
    # The lock was let go with the refused file: no descriptor leaks into a retry.
    with pytest.raises(StoreError, match=reason):
        SqliteStore(path, exclusive=True)
