"""`ocpp-toolkit csms` and `ocpp-toolkit station` as a user runs them: subprocesses on
loopback, the CSMS in the background, its frame log checked by `ocpp-toolkit validate`."""

import json
import signal
import socket

import pytest
from test_cli_sim_support import BackgroundCsms, cli, log_records, no_traceback, write_records

VERSIONS = ("1.6", "2.0.1", "2.1")
CALLS = {"boot": (3, 0), "charge": (9, 0), "remote": (8, 1)}  # (sent, received) per station


@pytest.fixture(scope="module")
def csms(tmp_path_factory):
    log = tmp_path_factory.mktemp("csms") / "csms.jsonl"
    server = BackgroundCsms("--remote-start-after", "0.2", "--id-tag", "RT-42", "--log", str(log))
    server.log = log
    yield server
    status, stdout, stderr = server.stop(signal.SIGINT)
    assert status == 0, stderr
    assert "Traceback" not in stderr
    assert "stopped:" in stdout


def summary(stdout: str) -> "dict[str, str]":
    fields = {}
    for line in stdout.splitlines():
        key, _, value = line.partition(": ")
        fields[key] = value
    return fields


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("scenario", ["charge", "remote"])
def test_station_scenario_against_the_csms(csms, tmp_path, version, scenario):
    identity = f"T{version.replace('.', '')}{scenario}"
    station_log = tmp_path / "station.jsonl"
    process = cli(
        "station", "--csms", csms.url, "--id", identity, "--ocpp", version,
        "--scenario", scenario, "--timeout", "10", "--log", str(station_log),
    )  # fmt: skip
    assert process.returncode == 0, process.stdout + process.stderr
    assert no_traceback(process)
    fields = summary(process.stdout)
    assert fields[f"{identity} (OCPP {version}) {scenario}"] == "passed"
    sent, received = CALLS[scenario]
    assert fields["calls sent"].startswith(f"{sent} (")
    assert fields["calls sent"].endswith(f"calls received: {received}")
    assert fields["errors"] == "none"

    # The station's log and the CSMS's log of this connection: the same frames, every
    # one valid for `ocpp-toolkit validate`, directions named by the sender.
    mine = log_records(station_log)
    assert len(mine) == 2 * (sent + received)
    assert {record["identity"] for record in mine} == {identity}
    theirs = [record for record in log_records(csms.log) if record["identity"] == identity]
    assert [(r["direction"], r["frame"]) for r in theirs] == [
        (r["direction"], r["frame"]) for r in mine
    ]
    for path in (station_log, write_records(tmp_path / "csms-part.jsonl", theirs)):
        checked = cli("validate", "--ocpp", version, "--summary", str(path))
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert checked.stdout.count('"valid": true') == len(mine)

    calls = [json.loads(r["frame"]) for r in mine if r["frame"].startswith("[2")]
    actions = [frame[2] for frame in calls]
    if scenario == "remote":
        remote_action = "RemoteStartTransaction" if version == "1.6" else "RequestStartTransaction"
        remote = next(frame for frame in calls if frame[2] == remote_action)
        started = next(
            frame for frame in calls if frame[2] in ("StartTransaction", "TransactionEvent")
        )
        if version == "1.6":
            assert remote[3]["idTag"] == "RT-42"
            assert started[3]["idTag"] == "RT-42"
        else:
            assert remote[3]["idToken"]["idToken"] == "RT-42"
            assert started[3]["triggerReason"] == "RemoteStart"
            assert started[3]["idToken"]["idToken"] == "RT-42"
            assert started[3]["transactionInfo"]["remoteStartId"] == remote[3]["remoteStartId"]
    else:
        assert "Authorize" in actions
    if version == "1.6":
        assert [a for a in actions if a.endswith("Transaction")][-2:] == [
            "StartTransaction",
            "StopTransaction",
        ]
    else:
        events = [frame[3]["eventType"] for frame in calls if frame[2] == "TransactionEvent"]
        assert events == ["Started", "Updated", "Ended"]


def test_boot_scenario(csms):
    process = cli("station", "--csms", csms.url, "--id", "TBOOT", "--ocpp", "2.1",
                  "--scenario", "boot")  # fmt: skip
    assert process.returncode == 0, process.stdout + process.stderr
    assert summary(process.stdout)["calls sent"].startswith("3 (")


def test_csms_gives_increasing_transaction_ids_in_16(csms):
    for n in range(2):
        process = cli("station", "--csms", csms.url, "--id", f"TXID{n}", "--ocpp", "1.6")
        assert process.returncode == 0, process.stdout + process.stderr
    ids = []
    records = log_records(csms.log)
    starts = {
        json.loads(r["frame"])[1]
        for r in records
        if r["identity"].startswith("TXID") and '"StartTransaction"' in r["frame"]
    }
    for record in records:
        frame = json.loads(record["frame"])
        if frame[0] == 3 and frame[1] in starts:
            ids.append(frame[2]["transactionId"])
    assert len(ids) == 2 and ids[0] < ids[1]


def test_fleet_summary(csms):
    process = cli("station", "--csms", csms.url, "--id", "FLEET1", "--ocpp", "2.0.1",
                  "--scenario", "charge", "--count", "5", "--rate", "100")  # fmt: skip
    assert process.returncode == 0, process.stdout + process.stderr
    fields = summary(process.stdout)
    assert fields["stations"].startswith("5 (5 passed, 0 failed)")
    assert fields["calls sent"].startswith("45 (")
    assert fields["latency"].startswith("p50 ") and " ms, p99 " in fields["latency"]
    assert fields["errors"] == "none"
    assert process.stderr == ""  # no progress display without a terminal
    booted = {r["identity"] for r in log_records(csms.log) if r["identity"].startswith("FLEET")}
    assert booted == {f"FLEET{n}" for n in range(1, 6)}


def test_a_failed_check_exits_1_and_counts_it(tmp_path):
    # A CSMS that never sends a remote start: the remote scenario fails after --timeout.
    server = BackgroundCsms("--versions", "2.0.1")
    try:
        process = cli("station", "--csms", server.url, "--ocpp", "2.0.1",
                      "--scenario", "remote", "--timeout", "0.3")  # fmt: skip
        wrong_version = cli("station", "--csms", server.url, "--ocpp", "1.6", "--scenario", "boot")
    finally:
        status, _, stderr = server.stop(signal.SIGTERM)
    assert status == 0 and "Traceback" not in stderr
    assert process.returncode == 1
    assert no_traceback(process)
    assert "no remote start within 0.3 s" in process.stderr
    assert summary(process.stdout)["errors"] == "NotAccepted 1"
    # The CSMS does not speak 1.6 here: the handshake fails, a check, not a usage error.
    assert wrong_version.returncode == 1
    assert no_traceback(wrong_version)
    assert "cannot connect" in wrong_version.stderr


def test_nothing_listening_is_a_failed_check():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = cli("station", "--csms", f"ws://127.0.0.1:{port}/ocpp", "--ocpp", "2.1")
    assert process.returncode == 1
    assert no_traceback(process)
    assert summary(process.stdout)["errors"] == "ConnectFailed 1"


def test_tls_csms_and_station(tmp_path):
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    issued = ca.issue_cert("127.0.0.1")
    cert, key, ca_file = tmp_path / "cert.pem", tmp_path / "key.pem", tmp_path / "ca.pem"
    issued.cert_chain_pems[0].write_to_path(str(cert))
    issued.private_key_pem.write_to_path(str(key))
    ca.cert_pem.write_to_path(str(ca_file))
    server = BackgroundCsms("--tls-cert", str(cert), "--tls-key", str(key))
    try:
        assert server.url.startswith("wss://")
        process = cli("station", "--csms", server.url, "--ocpp", "2.0.1",
                      "--tls-ca", str(ca_file))  # fmt: skip
        untrusted = cli("station", "--csms", server.url, "--ocpp", "2.0.1", "--scenario", "boot")
    finally:
        status, _, _ = server.stop()
    assert status == 0
    assert process.returncode == 0, process.stdout + process.stderr
    assert untrusted.returncode == 1 and no_traceback(untrusted)


def _busy_port():
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    return holder


USAGE_ERRORS = [
    (["station", "--csms", "http://127.0.0.1:9/ocpp", "--ocpp", "1.6"], "ws://"),
    (["station", "--csms", "ws://127.0.0.1:9/ocpp", "--ocpp", "1.5"], "--ocpp"),
    (
        ["station", "--csms", "ws://127.0.0.1:9/ocpp", "--ocpp", "1.6", "--scenario", "x"],
        "--scenario",
    ),
    (["station", "--csms", "ws://127.0.0.1:9/ocpp", "--ocpp", "1.6", "--count", "0"], "--count"),
    (
        ["station", "--csms", "ws://127.0.0.1:9/ocpp", "--ocpp", "2.0.1", "--password", "short"],
        "16 to 40",
    ),
    (
        [
            "station",
            "--csms",
            "wss://127.0.0.1:9/ocpp",
            "--ocpp",
            "1.6",
            "--tls-ca",
            "/no/such.pem",
        ],
        "/no/such.pem",
    ),
    (
        ["station", "--csms", "ws://127.0.0.1:9/ocpp", "--ocpp", "1.6", "--tls-ca", "x.pem"],
        "wss://",
    ),
    (
        ["station", "--csms", "ws://127.0.0.1:9/ocpp", "--ocpp", "1.6", "--log", "/no/such/dir/x"],
        "--log",
    ),
    (["station", "--ocpp", "1.6"], "--csms"),
    (["csms", "--versions", "1.6,3.0"], "3.0"),
    (["csms", "--port", "70000"], "--port"),
    (["csms", "--tls-cert", "/no/such.pem"], "/no/such.pem"),
    (["csms", "--tls-key", "k.pem"], "--tls-cert"),
    (["csms", "--path-prefix", "/a?b"], "--path-prefix"),
    (["csms", "--remote-start-after", "soon"], "--remote-start-after"),
    (["csms", "--host", "no-such-host.invalid", "--port", "0"], "cannot listen"),
]


@pytest.mark.parametrize(
    ("args", "mention"), USAGE_ERRORS, ids=[" ".join(a) for a, _ in USAGE_ERRORS]
)
def test_usage_errors_exit_2_without_traceback(args, mention):
    process = cli(*args)
    assert process.returncode == 2, process.stdout + process.stderr
    assert no_traceback(process)
    assert mention in process.stderr
    assert process.stderr.rstrip("\n").splitlines()[-1].startswith("ocpp-toolkit ")


def test_port_in_use_is_a_usage_error():
    with _busy_port() as holder:
        process = cli("csms", "--port", str(holder.getsockname()[1]))
    assert process.returncode == 2
    assert no_traceback(process)
    assert "cannot listen" in process.stderr and "in use" in process.stderr


@pytest.mark.parametrize("command", ["csms", "station"])
def test_help(command):
    process = cli(command, "--help")
    assert process.returncode == 0
    assert f"usage: ocpp-toolkit {command}" in process.stdout
