"""`ocpp-toolkit csms` and `ocpp-toolkit station` as a user runs them: subprocesses on
loopback, the CSMS in the background, its frame log checked by `ocpp-toolkit validate`."""

import asyncio
import json
import signal
import socket
import time
from typing import Any

import ocpp_asyncio
import pytest
from ocpp_cli.sim import CLOSED
from ocpp_cli.simcsms import CsmsSimulator
from ocpp_cli.simstation import StationRun
from test_cli_sim_support import BackgroundCsms, cli, log_records, no_traceback, write_records

VERSIONS = ("1.6", "2.0.1", "2.1")
CALLS = {"boot": (3, 0), "charge": (9, 0), "remote": (8, 1)}  # (sent, received) per station


@pytest.fixture(scope="module")
def csms(tmp_path_factory):
    log = tmp_path_factory.mktemp("csms") / "csms.jsonl"
    server = BackgroundCsms("--remote-start-after", "0.2", "--id-tag", "RT-42", "--log", str(log))
    server.log = log
    yield server
    status, output = server.stop(signal.SIGINT)
    assert status == 0, output
    assert "Traceback" not in output
    assert "stopped:" in output


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
    # The station's log is the same as the CSMS's: validating one validates both.
    part = write_records(tmp_path / "csms-part.jsonl", theirs)
    checked = cli("validate", "--ocpp", version, "--summary", str(part))
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


def test_csms_takes_any_path_the_identity_is_the_last_segment(csms):
    base = csms.url.rsplit("/", 1)[0]  # ws://127.0.0.1:PORT
    for url in (base, base + "/some/other/path"):
        process = cli("station", "--csms", url, "--id", "ANYPATH", "--ocpp", "1.6",
                      "--scenario", "boot")  # fmt: skip
        assert process.returncode == 0, process.stdout + process.stderr
    booted = [r for r in log_records(csms.log) if r["identity"] == "ANYPATH"]
    assert sum('"BootNotification"' in r["frame"] for r in booted) == 2  # one per URL


def test_boot_scenario(csms):
    # Security profile 1: Basic auth (the simulator accepts any password).
    process = cli("station", "--csms", csms.url, "--id", "TBOOT", "--ocpp", "2.1",
                  "--scenario", "boot", "--password", "a-password-of-16+chars")  # fmt: skip
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
    # No progress display without a terminal. (stderr may hold a warning: a station
    # closing just as the CSMS's remote start arrives is told so.)
    assert "stations" not in process.stderr and "\u2501" not in process.stderr
    booted = {r["identity"] for r in log_records(csms.log) if r["identity"].startswith("FLEET")}
    assert booted == {f"FLEET{n}" for n in range(1, 6)}


def test_a_failed_check_exits_1_and_counts_it(tmp_path):
    # A CSMS that never sends a remote start: the remote scenario fails after --timeout.
    server = BackgroundCsms("--versions", "2.0.1", "--path-prefix", "/ocpp")
    try:
        process = cli("station", "--csms", server.url, "--ocpp", "2.0.1",
                      "--scenario", "remote", "--timeout", "0.3")  # fmt: skip
        wrong_version = cli("station", "--csms", server.url, "--ocpp", "1.6", "--scenario", "boot")
        base = server.url.rsplit("/", 1)[0]
        wrong_path = cli("station", "--csms", base + "/other", "--ocpp", "2.0.1",
                         "--scenario", "boot")  # fmt: skip
    finally:
        status, output = server.stop(signal.SIGTERM)
    assert status == 0 and "Traceback" not in output
    assert "stopped:" in output
    assert process.returncode == 1
    assert no_traceback(process)
    assert "no remote start within 0.3 s" in process.stderr
    assert summary(process.stdout)["errors"] == "NotAccepted 1"
    # The CSMS does not speak 1.6 here: the handshake fails, a check, not a usage error.
    assert wrong_version.returncode == 1
    assert no_traceback(wrong_version)
    assert "cannot connect" in wrong_version.stderr
    # --path-prefix: only PREFIX/<identity> (404 otherwise).
    assert wrong_path.returncode == 1
    assert "404" in wrong_path.stderr


class ClosingCsms(CsmsSimulator):
    """Answers the boot scenario, then closes the connection (no remote start ever)."""

    def handle(self, conn: Any, request: Any) -> Any:
        if type(request).__name__ == "StatusNotificationRequest":
            asyncio.get_running_loop().call_later(0.2, asyncio.ensure_future, conn.close())
        return super().handle(conn, request)


@pytest.mark.timeout(30)
@pytest.mark.parametrize("version", VERSIONS)
def test_remote_scenario_notices_the_csms_closing_the_connection(version):
    from ocpp_core.ws import CsmsConfig

    async def scenario() -> "tuple[bool, StationRun, float]":
        csms = ClosingCsms((version,))
        config = CsmsConfig(path_prefix="/ocpp/", versions=csms.versions)
        server = await ocpp_asyncio.serve(
            config, port=0, router=csms.router, on_connected=csms.on_connected
        )
        async with server:
            run = StationRun(
                f"ws://127.0.0.1:{server.port}/ocpp", "SHUT1", version, "remote", timeout=15
            )
            started = time.monotonic()
            ok = await run.run()
            return ok, run, time.monotonic() - started

    ok, run, elapsed = asyncio.run(scenario())
    assert not ok
    assert run.failure == "connection closed while waiting for the remote start"
    assert dict(run.stats.errors) == {CLOSED: 1}
    assert elapsed < 5  # not the 15 s --timeout


def test_nothing_listening_is_a_failed_check():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = cli("station", "--csms", f"ws://127.0.0.1:{port}/ocpp", "--ocpp", "2.1")
    assert process.returncode == 1
    assert no_traceback(process)
    assert summary(process.stdout)["errors"] == "ConnectFailed 1"


def test_tls_csms_and_station(tmp_path):
    import trustme

    ca = trustme.CA()
    server_cert = ca.issue_cert("127.0.0.1")
    client_cert = ca.issue_cert("cp1.example")
    files = {}
    for name, blob in (
        ("cert", server_cert.cert_chain_pems[0]),
        ("key", server_cert.private_key_pem),
        ("client", client_cert.private_key_and_cert_chain_pem),
        ("ca", ca.cert_pem),
    ):
        files[name] = str(tmp_path / f"{name}.pem")
        blob.write_to_path(files[name])
    # Security profile 2: server certificate only.
    server = BackgroundCsms("--tls-cert", files["cert"], "--tls-key", files["key"])
    try:
        assert server.url.startswith("wss://")
        trusted = cli("station", "--csms", server.url, "--ocpp", "2.0.1", "--tls-ca", files["ca"])
        untrusted = cli("station", "--csms", server.url, "--ocpp", "2.0.1", "--scenario", "boot")
    finally:
        status, _ = server.stop()
    assert status == 0
    assert trusted.returncode == 0, trusted.stdout + trusted.stderr
    assert untrusted.returncode == 1 and no_traceback(untrusted)
    assert "cannot connect" in untrusted.stderr
    # Security profile 3: the CSMS requires a client certificate signed by the CA.
    server = BackgroundCsms(
        "--tls-cert", files["cert"], "--tls-key", files["key"], "--tls-ca", files["ca"]
    )
    try:
        with_cert = cli("station", "--csms", server.url, "--ocpp", "1.6", "--tls-ca", files["ca"],
                        "--tls-cert", files["client"], "--scenario", "boot")  # fmt: skip
        without = cli("station", "--csms", server.url, "--ocpp", "1.6", "--tls-ca", files["ca"],
                      "--scenario", "boot")  # fmt: skip
    finally:
        status, _ = server.stop()
    assert status == 0
    assert with_cert.returncode == 0, with_cert.stdout + with_cert.stderr
    assert without.returncode == 1 and no_traceback(without)


def _busy_port():
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    return holder


STATION = ["station", "--csms", "ws://127.0.0.1:9/ocpp"]
USAGE_ERRORS = [
    (["station", "--csms", "http://127.0.0.1:9/ocpp", "--ocpp", "1.6"], "ws://"),
    ([*STATION, "--ocpp", "1.5"], "--ocpp"),
    ([*STATION, "--ocpp", "1.6", "--count", "0"], "--count"),
    ([*STATION, "--ocpp", "2.0.1", "--password", "short"], "16 to 40"),
    ([*STATION, "--ocpp", "2.0.1", "--id", "CP:1"], "identity"),
    (
        ["station", "--csms", "wss://127.0.0.1:9/x", "--ocpp", "1.6", "--tls-ca", "/no/a.pem"],
        "/no/a.pem",
    ),
    ([*STATION, "--ocpp", "1.6", "--tls-ca", "x.pem"], "wss://"),
    ([*STATION, "--ocpp", "1.6", "--log", "/no/such/dir/x"], "--log"),
    (["station", "--ocpp", "1.6"], "--csms"),
    (["csms", "--versions", "1.6,3.0"], "3.0"),
    (["csms", "--port", "70000"], "--port"),
    (["csms", "--tls-cert", "/no/such.pem"], "/no/such.pem"),
    (["csms", "--path-prefix", "/a?b"], "--path-prefix"),
    (["csms", "--host", "192.0.2.1", "--port", "0"], "cannot listen"),
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
