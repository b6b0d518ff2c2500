"""The shared binding suite: every binding's adapter (tests/bindings/adapters.py) runs
these tests over loopback TCP with ephemeral ports, a real station against a real CSMS
of the same binding."""

import threading
import time

import pytest

from ocpp_core import events as ev
from ocpp_core.config import RpcConfig
from ocpp_core.errors import LocalProtocolError
from ocpp_core.handlers import (
    Accept,
    Backoff,
    CallError,
    CallTimeout,
    ConnectionClosedError,
    Reject,
    Router,
)
from ocpp_core.ws import CsmsConfig, StationConfig
from tests.bindings import builders as b

VERSIONS = ["1.6", "2.0.1", "2.1"]
PASSWORD = "correct horse battery"  # 2.x: 16..40 characters


def csms_router(versions, interval=300, **extra):
    """Boot and Heartbeat handlers (plus `extra`) for one version or a tuple of them."""
    router = Router()
    for version in (versions,) if isinstance(versions, str) else versions:
        m = b.messages_of(version)
        boot = b.boot_response(version, interval)
        router.add(m.BootNotificationRequest, lambda conn, req, boot=boot: boot)
        beat = b.heartbeat_response(version)
        router.add(m.HeartbeatRequest, lambda conn, req, beat=beat: beat)
        for message_type, handler in extra.items():
            router.add(getattr(m, message_type), handler)
    return router


def station_config(server, identity="CP1", versions=("2.0.1",), **options):
    return StationConfig(url=server.url(), identity=identity, versions=versions, **options)


def serve(adapter, router, versions=("2.1", "2.0.1", "1.6"), **options):
    config = CsmsConfig(path_prefix="/ocpp/", versions=versions)
    return adapter.serve(config, router, **options)


@pytest.mark.parametrize("version", VERSIONS)
def test_boot_heartbeat_and_csms_calls_station(adapter, version):
    seen = []
    server = serve(adapter, csms_router(version))
    station_router = Router()

    def remote_start(conn, request):
        seen.append((conn.version, request))
        return b.remote_start_response(version)

    station_router.add(type(b.remote_start(version)), remote_start)
    station = adapter.connect(station_config(server, versions=(version,)), station_router)
    assert station.version == version
    boot = station.call(b.boot_request(version))
    assert boot == b.boot_response(version)
    assert station.call(b.heartbeat_request(version)) == b.heartbeat_response(version)
    # The backend reaches the station by its identity at any time.
    assert server.identities() == ["CP1"]
    at_csms = server.connection("CP1")
    assert at_csms.identity == "CP1" and at_csms.version == version
    assert at_csms.call(b.remote_start(version)) == b.remote_start_response(version)
    assert seen == [(version, b.remote_start(version))]
    closed = station.close(1000, "bye")
    assert closed == ev.ConnectionClosed(1000, "bye", ev.LOCAL, True)
    assert at_csms.wait_closed() == ev.ConnectionClosed(1000, "bye", ev.REMOTE, True)


def test_handler_call_error_reaches_caller(adapter):
    def refuse(conn, request):
        raise CallError("SecurityError", "not you", {"hint": 1})

    server = serve(adapter, csms_router("2.0.1", DataTransferRequest=refuse))
    station = adapter.connect(station_config(server))
    with pytest.raises(CallError) as caught:
        station.call(b.data_transfer("2.0.1"))
    error = caught.value
    assert (error.code, error.description, error.details) == (
        "SecurityError",
        "not you",
        {"hint": 1},
    )
    assert error.action == "DataTransfer"


def test_handler_exception_is_internal_error_and_connection_stays(adapter):
    calls = []

    def broken(conn, request):
        calls.append(request.data)
        if request.data == "boom":
            raise ValueError("database down")
        return b.data_transfer_response("1.6", request.data)

    server = serve(adapter, csms_router("1.6", DataTransferRequest=broken))
    station = adapter.connect(station_config(server, versions=("1.6",)))
    with pytest.raises(CallError) as caught:
        station.call(b.data_transfer("1.6", "boom"))
    assert caught.value.code == "InternalError"
    assert "database" not in caught.value.description  # local detail stays local
    # The connection is still up.
    assert station.call(b.data_transfer("1.6", "fine")).data == "fine"
    assert calls == ["boom", "fine"]


def test_handler_returning_the_wrong_type_is_internal_error(adapter):
    server = serve(
        adapter, csms_router("2.1", DataTransferRequest=lambda c, r: b.heartbeat_response("2.1"))
    )
    station = adapter.connect(station_config(server, versions=("2.1",)))
    with pytest.raises(CallError) as caught:
        station.call(b.data_transfer("2.1"))
    assert caught.value.code == "InternalError"
    assert station.call(b.heartbeat_request("2.1")) == b.heartbeat_response("2.1")


@pytest.mark.parametrize("version", VERSIONS)
def test_known_action_without_handler_is_not_supported(adapter, version):
    server = serve(adapter, csms_router(version))
    station = adapter.connect(station_config(server, versions=(version,)))
    with pytest.raises(CallError) as caught:
        station.call(b.data_transfer(version))
    assert caught.value.code == "NotSupported"
    # The station has no handlers at all: the CSMS's CALL is refused the same way.
    with pytest.raises(CallError) as caught:
        server.connection("CP1").call(b.remote_start(version))
    assert caught.value.code == "NotSupported"


def test_call_timeout_raises_and_connection_recovers(adapter):
    slow = adapter.slow(2.0, lambda c, r: b.data_transfer_response("2.0.1"))
    server = serve(adapter, csms_router("2.0.1", DataTransferRequest=slow))
    station = adapter.connect(station_config(server))
    started = time.monotonic()
    with pytest.raises(CallTimeout) as caught:
        station.call(b.data_transfer("2.0.1"), timeout=0.2)
    assert 0.15 < time.monotonic() - started < 1.5
    assert caught.value.action == "DataTransfer"
    # The late answer is dropped; the next CALL works.
    assert station.call(b.heartbeat_request("2.0.1")) == b.heartbeat_response("2.0.1")


def test_slow_handler_blocks_neither_other_stations_nor_other_traffic(adapter):
    slow = adapter.slow(2.0, lambda c, r: b.data_transfer_response("2.0.1", r.data))
    server = serve(adapter, csms_router("2.0.1", DataTransferRequest=slow))
    station_router = Router()
    station_router.add(type(b.remote_start("2.0.1")), lambda c, r: b.remote_start_response("2.0.1"))
    first = adapter.connect(station_config(server, "CP1"), station_router)
    second = adapter.connect(station_config(server, "CP2"))
    started = time.monotonic()
    # CP1's slow CALL is in flight in the background ...
    results = {}
    worker = threading.Thread(
        target=lambda: results.update(slow=first.call(b.data_transfer("2.0.1", "slow")))
    )
    worker.start()
    time.sleep(0.05)
    # ... while CP2 boots and the CSMS calls CP1, both at once.
    assert second.call(b.boot_request("2.0.1")).status == "Accepted"
    assert server.connection("CP1").call(b.remote_start("2.0.1")).status == "Accepted"
    assert time.monotonic() - started < 1.5
    worker.join(5)
    assert results["slow"].data == "slow"


def test_on_connect_rejects_wrong_password_and_unknown_identity(adapter):
    requests = []

    def on_connect(conn):
        request = conn.request
        requests.append((request.identity, request.password))
        if request.identity != "CP1":
            return Reject(404)
        if request.username != request.identity or request.password != PASSWORD:
            return Reject(401)
        return Accept()

    server = serve(adapter, csms_router("2.0.1"), on_connect=on_connect)
    with pytest.raises(adapter.HandshakeError) as caught:
        adapter.connect(station_config(server, password="wrong password 12345"))
    assert caught.value.status_code == 401
    with pytest.raises(adapter.HandshakeError) as caught:
        adapter.connect(station_config(server, "CP9", password=PASSWORD))
    assert caught.value.status_code == 404
    station = adapter.connect(station_config(server, password=PASSWORD))
    assert station.call(b.heartbeat_request("2.0.1")) == b.heartbeat_response("2.0.1")
    assert requests == [("CP1", "wrong password 12345"), ("CP9", PASSWORD), ("CP1", PASSWORD)]
    assert server.identities() == ["CP1"]


def test_on_connect_chooses_per_station_settings(adapter):
    special = Router()
    special.add(
        b.messages_of("2.0.1").HeartbeatRequest,
        lambda c, r: b.messages_of("2.0.1").HeartbeatResponse(
            current_time=b.NOW.replace(year=2030)
        ),
    )

    def on_connect(conn):
        if conn.request.identity == "SPECIAL":
            return Accept(
                subprotocol="ocpp2.0.1",
                router=special,
                rpc_config=RpcConfig(require_boot_accepted=True),
            )
        return Accept()

    server = serve(adapter, csms_router(("2.1", "2.0.1")), on_connect=on_connect)
    versions = ("2.1", "2.0.1")
    plain = adapter.connect(station_config(server, "PLAIN", versions=versions))
    odd = adapter.connect(station_config(server, "SPECIAL", versions=versions))
    assert (plain.version, odd.version) == ("2.1", "2.0.1")
    assert plain.call(b.heartbeat_request("2.1")) == b.heartbeat_response("2.1")
    # SPECIAL's own RpcConfig: nothing before an accepted boot.
    with pytest.raises(CallError) as caught:
        odd.call(b.heartbeat_request("2.0.1"))
    assert caught.value.code == "SecurityError"
    # SPECIAL's own router has no boot handler: NotSupported, so still no boot.
    with pytest.raises(CallError) as caught:
        odd.call(b.boot_request("2.0.1"))
    assert caught.value.code == "NotSupported"


def test_on_connect_that_fails_refuses_the_station(adapter):
    def on_connect(conn):
        raise RuntimeError("directory unreachable")

    server = serve(adapter, csms_router("2.0.1"), on_connect=on_connect)
    with pytest.raises(adapter.HandshakeError) as caught:
        adapter.connect(station_config(server))
    assert caught.value.status_code == 500


def test_closing_fails_pending_calls_with_a_clear_error(adapter):
    station_router = Router()
    station_router.add(
        b.messages_of("2.0.1").DataTransferRequest,
        adapter.slow(3.0, lambda c, r: b.data_transfer_response("2.0.1")),
    )
    server = serve(adapter, csms_router("2.0.1"))
    station = adapter.connect(station_config(server), station_router)
    at_csms = server.connection("CP1")
    outcome = {}

    def call():
        try:
            at_csms.call(b.data_transfer("2.0.1"))
        except Exception as exc:
            outcome["error"] = exc

    worker = threading.Thread(target=call)
    worker.start()
    time.sleep(0.1)
    started = time.monotonic()
    closed = at_csms.close(1000, "maintenance")
    worker.join(5)
    assert time.monotonic() - started < 2.0
    assert closed == ev.ConnectionClosed(1000, "maintenance", ev.LOCAL, True)
    assert isinstance(outcome["error"], ConnectionClosedError)
    assert outcome["error"].action == "DataTransfer"
    assert station.wait_closed().code == 1000
    with pytest.raises(ConnectionClosedError):
        at_csms.call(b.heartbeat_request("2.0.1"))


def test_server_shutdown_closes_every_station_going_away(adapter):
    server = serve(adapter, csms_router("1.6"))
    stations = [
        adapter.connect(station_config(server, f"CP{i}", versions=("1.6",))) for i in range(3)
    ]
    assert server.identities() == ["CP0", "CP1", "CP2"]
    server.close()
    for station in stations:
        closed = station.wait_closed()
        assert (closed.code, closed.initiator, closed.clean) == (1001, ev.REMOTE, True)
    assert server.identities() == []


def test_station_reconnects_with_backoff(adapter):
    boots = []
    server = serve(adapter, csms_router("2.0.1"))

    def on_connected(conn):
        boots.append(conn.version)

    backoff = Backoff(initial=0.05, maximum=0.2, factor=2.0, jitter=0.5)
    station = adapter.station(station_config(server), backoff=backoff, on_connected=on_connected)
    first = station.wait_connected()
    assert first.call(b.heartbeat_request("2.0.1")) == b.heartbeat_response("2.0.1")
    # The CSMS drops the station: it comes back by itself.
    server.connection("CP1").close(1012, "restart")
    deadline = time.monotonic() + 5
    while station.connects < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert station.connects == 2 and boots == ["2.0.1", "2.0.1"]
    again = station.wait_connected()
    assert again.call(b.heartbeat_request("2.0.1")) == b.heartbeat_response("2.0.1")
    assert station.delays and 0.025 <= station.delays[0] <= 0.05  # attempt 0 after a loss


def test_backoff_grows_while_the_csms_is_away(adapter):
    server = serve(adapter, csms_router("2.0.1"))
    config = station_config(server)
    server.close()  # nobody listens: every attempt is refused
    backoff = Backoff(initial=0.02, maximum=0.08, factor=2.0, jitter=0.5)
    station = adapter.station(config, backoff=backoff)
    deadline = time.monotonic() + 5
    while len(station.delays) < 5 and time.monotonic() < deadline:
        time.sleep(0.02)
    delays = station.delays[:5]
    bounds = [0.02, 0.04, 0.08, 0.08, 0.08]
    assert len(delays) == 5
    for delay, top in zip(delays, bounds, strict=True):
        assert top * 0.5 <= delay <= top
    assert station.connects == 0


def test_heartbeat_interval_comes_from_the_boot_response(adapter):
    beats = []

    def heartbeat(conn, request):
        beats.append(time.monotonic())
        return b.heartbeat_response("2.0.1")

    server = serve(adapter, csms_router("2.0.1", interval=1, HeartbeatRequest=heartbeat))
    station = adapter.connect(station_config(server))
    booted = time.monotonic()
    assert station.call(b.boot_request("2.0.1")).interval == 1
    deadline = time.monotonic() + 3
    while not beats and time.monotonic() < deadline:
        time.sleep(0.02)
    assert beats and 0.9 <= beats[0] - booted < 2.0


def test_send_reaches_its_handler(adapter):
    m = b.messages_of("2.1")
    streams = []
    router = csms_router("2.1")
    router.add(m.NotifyPeriodicEventStream, lambda conn, message: streams.append(message))
    server = serve(adapter, router)
    station = adapter.connect(station_config(server, versions=("2.1",)))
    message = m.NotifyPeriodicEventStream(
        id_=3, pending=0, basetime=b.NOW, data=[m.StreamDataElement(t=0.5, v="230.1")]
    )
    station.send(message)
    # The connection carries on with CALLs after the SEND (which gets no answer).
    assert station.call(b.heartbeat_request("2.1")) == b.heartbeat_response("2.1")
    deadline = time.monotonic() + 5
    while not streams and time.monotonic() < deadline:
        time.sleep(0.01)
    assert streams == [message]


def test_send_before_2_1_is_refused_locally(adapter):
    server = serve(adapter, csms_router("2.0.1"))
    station = adapter.connect(station_config(server))
    message = b.messages_of("2.1").NotifyPeriodicEventStream(
        id_=3, pending=0, basetime=b.NOW, data=[b.messages_of("2.1").StreamDataElement(t=0, v="1")]
    )
    with pytest.raises(LocalProtocolError):
        station.send(message)
    assert station.call(b.heartbeat_request("2.0.1")) == b.heartbeat_response("2.0.1")
