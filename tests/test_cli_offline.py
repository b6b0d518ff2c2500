"""`ocpp-toolkit station --state-dir`: transaction messages survive a CSMS that dies
mid-transaction and a station killed with messages queued. Real subprocesses on
loopback, real SQLite, SIGKILL; the CSMS's JSON-lines frame logs are the evidence."""

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import ocpp_asyncio
import pytest
from ocpp_cli.offline_store import SqliteStore, store_path
from ocpp_cli.simcsms import CsmsSimulator
from ocpp_cli.simstation import StationRun
from test_cli_sim_support import BackgroundCsms, cli
from test_cli_support import ROOT, cli_env

import ocpp_core.generic as G
from ocpp_core.offline import RetryPolicy, decode_message
from ocpp_core.ws import CsmsConfig

QUICK = ["--max-reconnect-delay", "0.2", "--message-retry-interval", "0.1", "--timeout", "15"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_station(tmp_path: Path, *args: str) -> "subprocess.Popen[str]":
    output = open(tmp_path / f"station-{time.monotonic_ns()}.out", "w+", encoding="utf-8")
    return subprocess.Popen(
        [sys.executable, "-m", "ocpp_cli", "station", *args],
        stdout=output,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
        env=cli_env(),
    )


def stop(csms: BackgroundCsms) -> None:
    """Stop (again: a no-op) a background CSMS."""
    if not csms.output.closed:
        csms.stop()


def kill(csms: BackgroundCsms) -> None:
    csms.process.send_signal(signal.SIGKILL)
    stop(csms)


def wait_for(condition: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def records_of(path: Path, identity: str) -> "list[dict[str, Any]]":
    if not path.exists():
        return []
    # A SIGKILLed writer may leave half a line at the end.
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if record["identity"] == identity:
            out.append(record)
    return out


def transaction_calls(records: "list[dict[str, Any]]") -> "list[tuple[list[Any], bool]]":
    """The transaction CALLs of one CSMS's log, each with: was it answered there?"""
    answered = {json.loads(r["frame"])[1] for r in records if r["direction"] == "csms->cs"}
    calls = []
    for record in records:
        frame = json.loads(record["frame"])
        if record["direction"] != "cs->csms" or frame[0] != 2:
            continue
        action, payload = frame[2], frame[3]
        if action in ("StartTransaction", "StopTransaction", "TransactionEvent") or (
            action == "MeterValues" and "transactionId" in payload
        ):
            calls.append((frame, frame[1] in answered))
    return calls


def delivered_once(calls: "list[tuple[list[Any], bool]]") -> "list[list[Any]]":
    """The CALLs in order, a retry of an unanswered CALL (same action and payload)
    folded into it; any other repetition stays and fails the comparison."""
    out: list[list[Any]] = []
    previous = None
    for frame, answered in calls:
        if previous is not None and not previous[1] and previous[0][2:] == frame[2:]:
            out[-1] = frame
        else:
            out.append(frame)
        previous = (frame, answered)
    return out


def started_answer_id(records: "list[dict[str, Any]]") -> int:
    """1.6: the transactionId the CSMS gave the (last answered) StartTransaction."""
    starts = {
        json.loads(r["frame"])[1]
        for r in records
        if r["direction"] == "cs->csms" and '"StartTransaction"' in r["frame"]
    }
    ids = [
        json.loads(r["frame"])[2]["transactionId"]
        for r in records
        if r["direction"] == "csms->cs" and json.loads(r["frame"])[1] in starts
    ]
    assert ids, "StartTransaction never answered"
    return int(ids[-1])


def produced_at(version: str, frame: "list[Any]") -> str:
    payload = frame[3]
    if version != "1.6":
        return str(payload["timestamp"])
    if frame[2] == "MeterValues":
        return str(payload["meterValue"][0]["timestamp"])
    return str(payload["timestamp"])


def to_utc_text(stamp: str) -> str:
    return stamp.replace("+00:00", "Z")


@pytest.mark.timeout(60)
@pytest.mark.parametrize("version", ["1.6", "2.0.1", "2.1"])
def test_csms_killed_mid_transaction_loses_nothing(tmp_path, version):
    identity = "KILLCSMS" + version.replace(".", "")
    port = free_port()
    log1, log2 = tmp_path / "csms1.jsonl", tmp_path / "csms2.jsonl"
    csms = BackgroundCsms("--port", str(port), "--log", str(log1))
    meter_values = 6
    station = start_station(
        tmp_path, "--csms", f"ws://127.0.0.1:{port}/ocpp", "--id", identity, "--ocpp", version,
        "--scenario", "charge", "--state-dir", str(tmp_path / "state"),
        "--meter-values", str(meter_values), "--meter-interval", "0.15", *QUICK,
    )  # fmt: skip
    try:
        # Mid-transaction: the first meter value has reached the CSMS.
        wait_for(lambda: len(transaction_calls(records_of(log1, identity))) >= 2, 20, "meters")
        kill(csms)
        time.sleep(0.3)  # the station charges on with nobody listening
        csms = BackgroundCsms("--port", str(port), "--log", str(log2))
        status = station.wait(timeout=30)
    finally:
        station.kill()
        station.wait(timeout=10)
        stop(csms)
    assert status == 0, _output(tmp_path)
    first, second = records_of(log1, identity), records_of(log2, identity)
    calls = transaction_calls(first) + transaction_calls(second)
    frames = delivered_once(calls)
    if version == "1.6":
        assert [frame[2] for frame in frames] == (
            ["StartTransaction"] + ["MeterValues"] * meter_values + ["StopTransaction"]
        )
        readings = [float(f[3]["meterValue"][0]["sampledValue"][0]["value"]) for f in frames[1:-1]]
        assert readings == [1000 + 750 * n for n in range(1, meter_values + 1)]
        assert frames[-1][3]["meterStop"] == 1000 + 750 * (meter_values + 1)
        number = started_answer_id(first)  # answered before the kill
        assert {frame[3]["transactionId"] for frame in frames[1:]} == {number}
    else:
        events = [(frame[3]["eventType"], frame[3]["seqNo"]) for frame in frames]
        assert events == (
            [("Started", 0)]
            + [("Updated", n) for n in range(1, meter_values + 1)]
            + [("Ended", meter_values + 1)]
        )
        assert len({frame[3]["transactionInfo"]["transactionId"] for frame in frames}) == 1
        # Events that happened while the CSMS was away say so (2.x `offline`).
        assert any(frame[3].get("offline") for frame in frames)
    # Some of what the second CSMS got was produced before it even ran: queued.
    restarted_at = second[0]["time"]
    late = [
        f
        for f in transaction_calls(second)
        if to_utc_text(produced_at(version, f[0])) < restarted_at
    ]
    assert late, "nothing was queued while the CSMS was down"


def _output(tmp_path: Path) -> str:
    return "\n".join(
        path.read_text(encoding="utf-8") for path in sorted(tmp_path.glob("station-*.out"))
    )


@pytest.mark.timeout(60)
@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
def test_station_killed_with_a_queue_delivers_it_after_restart(tmp_path, version):
    identity = "KILLCS" + version.replace(".", "")
    port = free_port()
    state = tmp_path / "state"
    log1, log2 = tmp_path / "csms1.jsonl", tmp_path / "csms2.jsonl"
    url = f"ws://127.0.0.1:{port}/ocpp"
    csms = BackgroundCsms("--port", str(port), "--log", str(log1))
    station = start_station(
        tmp_path, "--csms", url, "--id", identity, "--ocpp", version, "--scenario", "charge",
        "--state-dir", str(state), "--meter-values", "40", "--meter-interval", "0.1", *QUICK,
    )  # fmt: skip
    path = store_path(str(state), identity)
    try:
        wait_for(lambda: len(transaction_calls(records_of(log1, identity))) >= 2, 20, "meters")
        kill(csms)  # the CSMS goes away...

        def queued() -> int:
            store = SqliteStore(path)
            try:
                return len(store.messages())
            finally:
                store.close()

        wait_for(lambda: queued() >= 4, 10, "messages queued offline")
        os.kill(station.pid, signal.SIGKILL)  # ...and the station dies with a queue
        assert station.wait(timeout=10) == -signal.SIGKILL
    finally:
        station.kill()
        station.wait(timeout=10)
        stop(csms)
    store = SqliteStore(path)
    waiting = [decode_message(entry.body) for entry in store.messages()]
    store.close()
    assert len(waiting) >= 4 and {event.event_type for event in waiting} == {"Updated"}

    csms = BackgroundCsms("--port", str(port), "--log", str(log2))
    try:
        again = cli(
            "station", "--csms", url, "--id", identity, "--ocpp", version, "--scenario", "boot",
            "--state-dir", str(state), *QUICK, timeout=40,
        )  # fmt: skip
    finally:
        stop(csms)
    assert again.returncode == 0, again.stdout + again.stderr
    second = records_of(log2, identity)
    calls = [json.loads(r["frame"]) for r in second if r["direction"] == "cs->csms"]
    actions = [frame[2] for frame in calls]
    # Boot first, then the queue, before the rest of the scenario.
    assert actions[0] == "BootNotification"
    assert actions[1 : 1 + len(waiting)] == [
        "MeterValues" if version == "1.6" else "TransactionEvent"
    ] * len(waiting)
    assert actions[1 + len(waiting)] == "Heartbeat"
    delivered = [frame for frame, _ in transaction_calls(second)]
    assert len(delivered) == len(waiting)  # every one, once
    if version == "1.6":
        number = started_answer_id(records_of(log1, identity))
        assert [frame[3]["transactionId"] for frame in delivered] == [number] * len(waiting)
        readings = [float(f[3]["meterValue"][0]["sampledValue"][0]["value"]) for f in delivered]
        assert readings == [event.meter_value[0].sampled_value[0].value for event in waiting]
    else:
        assert [frame[3]["seqNo"] for frame in delivered] == [event.seq_no for event in waiting]
        assert {frame[3]["transactionInfo"]["transactionId"] for frame in delivered} == {
            event.transaction_id for event in waiting
        }
    store = SqliteStore(path)
    assert store.messages() == []
    store.close()


class FailingCsms(CsmsSimulator):
    """Answers the first `failures` TransactionEvents with a CALLERROR (the handler
    raises: InternalError)."""

    def __init__(self, failures: int) -> None:
        super().__init__(("1.6", "2.0.1", "2.1"))
        self.failures = failures
        self.seen: list[str] = []

    def handle(self, conn: Any, request: Any) -> Any:
        if isinstance(request, G.TransactionEventRequest):
            self.seen.append(request.event_type)
            if self.failures > 0:
                self.failures -= 1
                raise RuntimeError("the database is down")
        return super().handle(conn, request)


async def _charge_against(csms: CsmsSimulator, version: str, state_dir: str, attempts: int) -> Any:
    config = CsmsConfig(path_prefix="/ocpp/", versions=csms.versions)
    server = await ocpp_asyncio.serve(
        config, port=0, router=csms.router, on_connected=csms.on_connected
    )
    try:
        run = StationRun(
            f"ws://127.0.0.1:{server.port}/ocpp", "RETRY1", version, "charge",
            timeout=10, state_dir=state_dir, policy=RetryPolicy(attempts, 0.05),
        )  # fmt: skip
        ok = await run.run()
        return ok, run
    finally:
        await csms.close()
        await server.close()


@pytest.mark.timeout(30)
@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
def test_a_callerror_is_retried_until_the_attempts_run_out(tmp_path, version):
    csms = FailingCsms(failures=2)
    ok, run = asyncio.run(_charge_against(csms, version, str(tmp_path / "a"), attempts=3))
    assert ok, run.failure
    # Started failed twice and went through the third time; the rest once each.
    assert csms.seen == ["Started"] * 3 + ["Updated", "Ended"]
    assert run.stats.errors["InternalError"] == 2

    csms = FailingCsms(failures=2)
    ok, run = asyncio.run(_charge_against(csms, version, str(tmp_path / "b"), attempts=2))
    assert not ok
    assert "dropped" in run.failure and "2 failed attempts" in run.failure


def test_offline_options_are_checked(tmp_path):
    process = cli("station", "--csms", "ws://127.0.0.1:9/ocpp", "--ocpp", "1.6",
                  "--message-attempts", "2")  # fmt: skip
    assert process.returncode == 2
    assert "need --state-dir" in process.stderr
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    process = cli("station", "--csms", "ws://127.0.0.1:9/ocpp", "--ocpp", "1.6",
                  "--state-dir", str(blocker / "sub"))  # fmt: skip
    assert process.returncode == 2
    assert "--state-dir: cannot create" in process.stderr
    assert "Traceback" not in process.stderr


class CountingCsms(CsmsSimulator):
    def __init__(self) -> None:
        super().__init__(("1.6", "2.0.1", "2.1"))
        self.seen: list[str] = []

    def handle(self, conn: Any, request: Any) -> Any:
        if isinstance(request, G.TransactionEventRequest):
            self.seen.append(request.event_type)
        return super().handle(conn, request)


@pytest.mark.timeout(30)
def test_a_queue_that_cannot_drain_fails_the_run_and_is_kept(tmp_path):
    async def scenario() -> Any:
        csms = CountingCsms()
        config = CsmsConfig(path_prefix="/ocpp/", versions=csms.versions)
        server = await ocpp_asyncio.serve(
            config, port=0, router=csms.router, on_connected=csms.on_connected
        )
        run = StationRun(
            f"ws://127.0.0.1:{server.port}/ocpp", "GONE1", "2.0.1", "charge",
            timeout=1.5, meter_values=5, meter_interval=0.05, state_dir=str(tmp_path),
            max_reconnect_delay=0.1,
        )  # fmt: skip
        task = asyncio.ensure_future(run.run())
        while "Updated" not in csms.seen:
            await asyncio.sleep(0.01)
        await server.close()  # the CSMS goes away for good
        ok = await asyncio.wait_for(task, 20)
        return ok, run, csms.seen

    ok, run, seen = asyncio.run(scenario())
    assert not ok
    assert "still queued" in run.failure and "kept for the next run" in run.failure
    store = SqliteStore(store_path(str(tmp_path), "GONE1"))
    kept = [decode_message(entry.body) for entry in store.messages()]
    store.close()
    # What the CSMS did not answer is all there, in order, ending with the Ended event.
    assert kept[0].seq_no in (len(seen) - 1, len(seen))  # the one in flight, or the next
    assert [event.seq_no for event in kept] == list(range(kept[0].seq_no, 7))
    assert kept[-1].event_type == "Ended" and all(event.offline for event in kept[1:])


def _station_with_state(state_dir: str, *more: str) -> Any:
    # Port 9 (discard): nothing listens; a usage error must come before any connecting.
    return cli("station", "--csms", "ws://127.0.0.1:9/ocpp", "--ocpp", "1.6", "--id", "CP1",
               "--state-dir", state_dir, "--timeout", "2", *more, timeout=30)  # fmt: skip


@pytest.mark.timeout(60)
def test_a_store_held_by_another_station_is_a_usage_error(tmp_path):
    path = store_path(str(tmp_path), "CP1")
    other = SqliteStore(path, exclusive=True)  # another station process's, as far as the CLI sees
    try:
        process = _station_with_state(str(tmp_path))
    finally:
        other.close()
    assert process.returncode == 2, process.stdout + process.stderr
    assert process.stderr.splitlines() == [
        f"ocpp-toolkit station: error: --state-dir: {path} is in use by another station process"
    ]
    # A fleet: the one station whose file is held is enough to refuse the whole run.
    other = SqliteStore(store_path(str(tmp_path), "CP3"), exclusive=True)
    try:
        process = _station_with_state(str(tmp_path), "--count", "3")
    finally:
        other.close()
    assert process.returncode == 2
    assert "CP3.sqlite3 is in use by another station process" in process.stderr


def _write_sqlite(path: str, *statements: str) -> None:
    import sqlite3

    db = sqlite3.connect(path)
    for statement in statements:
        db.execute(statement)
    db.commit()
    db.close()


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("not sqlite", "file is not a database"),
        ("directory", "is a directory"),
        ("schema 99", "offline queue schema 99, expected 1"),
        ("foreign queue", "table queue lacks seq"),
        ("unwritable", "Permission denied"),
    ],
)
def test_state_dir_problems_are_usage_errors_naming_the_file(tmp_path, kind, reason):
    state = str(tmp_path)
    path = store_path(state, "CP1")
    if kind == "not sqlite":
        Path(path).write_text("station notes, not a database\n" * 50)
    elif kind == "directory":
        os.mkdir(path)
    elif kind == "schema 99":
        _write_sqlite(path, "PRAGMA user_version=99")
    elif kind == "foreign queue":
        _write_sqlite(path, "CREATE TABLE queue (id INTEGER PRIMARY KEY, body BLOB, "
                      "failures INTEGER)", "CREATE TABLE state (key TEXT, value TEXT)",
                      "PRAGMA user_version=1")  # fmt: skip
    else:
        # sysfs refuses new files even to root, for whom os.access says "writable".
        state, path = "/sys", store_path("/sys", "CP1")
    started = time.monotonic()
    process = _station_with_state(state)
    assert process.returncode == 2, process.stdout + process.stderr
    lines = process.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in process.stderr
    assert lines[0].startswith(f"ocpp-toolkit station: error: --state-dir: {path}")
    assert reason in lines[0]
    assert process.stdout == ""  # refused before any station ran
    assert time.monotonic() - started < 20


def test_a_bug_in_a_fleet_station_is_an_internal_error_with_its_traceback(
    tmp_path, monkeypatch, capsys
):
    from ocpp_cli.main import main

    ran: list[str] = []

    async def broken_run(self: StationRun) -> bool:
        ran.append(self.identity)
        if self.identity == "CP1":
            raise RuntimeError("a bug in the station")
        return True

    monkeypatch.setattr(StationRun, "run", broken_run)
    status = main(["station", "--csms", "ws://127.0.0.1:9/ocpp", "--ocpp", "2.0.1",
                   "--count", "3", "--rate", "1000", "--state-dir", str(tmp_path)])  # fmt: skip
    err = capsys.readouterr().err
    assert status == 3
    assert "internal error, please report it" in err
    assert "Traceback" in err and "RuntimeError: a bug in the station" in err
    assert sorted(ran) == ["CP1", "CP2", "CP3"]  # the others ran to their end
