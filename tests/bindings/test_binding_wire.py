"""More of the shared binding suite, for every adapter: bad frames from a raw WebSocket
client, security profiles 2 (TLS + Basic auth) and 3 (mutual TLS), and a transaction
started by the CSMS's remote start."""

import datetime
import json
import ssl
import time

import pytest
from websockets.sync.client import connect as ws_connect

from ocpp_core.handlers import Accept, Reject, Router, messages_of
from ocpp_core.ws import CsmsConfig, StationConfig
from tests.interop import flows
from tests.interop import test_interop_tls as tls
from tests.interop.test_interop_raw_frames import cases, router_for
from tests.interop.test_interop_tls import PASSWORD, client_context, common_name, server_context

pytestmark = pytest.mark.timeout(60)

NOW = datetime.datetime(2026, 1, 31, 12, 0, tzinfo=datetime.timezone.utc)
pki = tls.pki  # the certificates fixture (trustme CA, server and station certificates)


@pytest.mark.parametrize("version", flows.VERSIONS)
def test_bad_frames_get_the_spec_callerror_and_the_connection_keeps_working(adapter, version):
    seen = []
    config = CsmsConfig(path_prefix="/ocpp/", versions=(version,))
    server = adapter.serve(config, router_for(version, seen))
    answers = []
    url = server.url("/ocpp/RAW1")
    with ws_connect(url, subprotocols=[flows.SUBPROTOCOL[version]], open_timeout=5) as ws:
        for text, message_id, _ in cases(version):
            ws.send(text)
            # A valid CALL after each bad one: the connection still works, in order.
            ws.send(f'[2,"ok-{len(answers)}","Heartbeat",{{}}]')
            first = json.loads(ws.recv(5))
            if message_id is not None:
                answers.append((first, json.loads(ws.recv(5))))
            else:
                answers.append((None, first))
        assert server.identities() == ["RAW1"]
    for index, ((text, message_id, codes), (error, ok)) in enumerate(
        zip(cases(version), answers, strict=True)
    ):
        if message_id is None:
            assert error is None
        else:
            assert error[:2] == [4, message_id], (text, error)
            assert error[2] in codes, (text, error)
        assert ok[:2] == [3, f"ok-{index}"]
    assert seen == ["Heartbeat"] * len(answers)  # no handler saw a bad frame


class Gate:
    def __init__(self, profile):
        self.profile = profile
        self.seen = []

    def __call__(self, conn):
        request = conn.request
        self.seen.append(request.identity)
        if self.profile == 2:
            if request.username != request.identity or request.password != PASSWORD:
                return Reject(401)
        elif common_name(conn.peercert or {}) != request.identity:
            return Reject(403)
        return Accept()


def boot_router():
    router = Router()
    boot = flows.ours("2.0.1", "response", *flows.station_flow("2.0.1")[0][::2])
    router.add(messages_of("2.0.1").BootNotificationRequest, lambda conn, request: boot)
    return router


def boot_request():
    return flows.ours("2.0.1", "request", *flows.station_flow("2.0.1")[0][:2])


def tls_server(adapter, pki, profile):
    gate = Gate(profile)
    config = CsmsConfig(path_prefix="/ocpp/", versions=("2.0.1",))
    context = server_context(pki, mutual=profile == 3)
    return adapter.serve(config, boot_router(), on_connect=gate, ssl=context), gate


def test_security_profile_2_tls_and_basic_auth(adapter, pki):
    server, gate = tls_server(adapter, pki, 2)
    url = server.url("/ocpp", scheme="wss").replace("127.0.0.1", "localhost")
    good = StationConfig(url=url, identity="CP1", password=PASSWORD)
    station = adapter.connect(good, ssl=client_context(pki))
    assert station.call(boot_request()).status == "Accepted"
    station.close()
    bad = StationConfig(url=url, identity="CP1", password="not-the-password-01")
    with pytest.raises(adapter.HandshakeError) as caught:
        adapter.connect(bad, ssl=client_context(pki))
    assert caught.value.status_code == 401
    # A station that does not trust the CSMS's certificate never talks to it.
    with pytest.raises(ssl.SSLCertVerificationError):
        adapter.connect(good, ssl=ssl.create_default_context())
    assert gate.seen == ["CP1", "CP1"]


def test_security_profile_3_mutual_tls(adapter, pki):
    server, gate = tls_server(adapter, pki, 3)
    url = server.url("/ocpp", scheme="wss").replace("127.0.0.1", "localhost")
    config = StationConfig(url=url, identity="CP1")
    station = adapter.connect(config, ssl=client_context(pki, "cp1"))
    assert station.call(boot_request()).status == "Accepted"
    assert common_name(server.connection("CP1").native.peercert) == "CP1"
    station.close()
    # From a CA the CSMS does not trust, or no certificate: refused in the TLS
    # handshake, before any HTTP (on_connect never sees them).
    for context in (client_context(pki, "rogue"), client_context(pki)):
        with pytest.raises(OSError):
            adapter.connect(config, ssl=context)
    # A trusted certificate of another station: refused by on_connect.
    with pytest.raises(adapter.HandshakeError) as caught:
        adapter.connect(config, ssl=client_context(pki, "cp2"))
    assert caught.value.status_code == 403
    assert gate.seen == ["CP1", "CP1"]


@pytest.mark.parametrize("version", flows.VERSIONS)
def test_remote_start_leads_to_a_transaction(adapter, version):
    """The CSMS's remote start is answered first; the station's handler then starts the
    transaction from a thread of the test (the handler itself must not wait for it)."""
    remote_action, remote_request, remote_response = flows.remote_start(version)
    follow = flows.remote_started(version)
    csms_router = Router()
    received = []

    def on_follow(conn, request):
        received.append(flows.wire(request))
        return flows.ours(version, "response", follow[0], follow[2])

    csms_router.add(messages_of(version).REQUESTS[follow[0]], on_follow)
    starts = []
    station_router = Router()

    def on_remote_start(conn, request):
        starts.append(flows.wire(request))
        return flows.ours(version, "response", remote_action, remote_response)

    station_router.add(messages_of(version).REQUESTS[remote_action], on_remote_start)
    server = adapter.serve(CsmsConfig(path_prefix="/ocpp/", versions=(version,)), csms_router)
    station = adapter.connect(
        StationConfig(url=server.url(), identity="CP1", versions=(version,)), station_router
    )
    answer = server.connection("CP1").call(
        flows.ours(version, "request", *flows.remote_start(version)[:2])
    )
    assert flows.wire(answer) == remote_response and starts == [remote_request]
    assert flows.wire(station.call(flows.ours(version, "request", *follow[:2]))) == follow[2]
    assert received == [follow[1]]


def test_a_slow_handler_holds_up_no_other_call_of_its_connection(adapter):
    """A raw client (it may have several CALLs open) sends a slow CALL, then quick ones:
    the quick ones are answered at once and in order, the slow one when it is done."""
    m = messages_of("2.0.1")
    router = Router()
    router.add(
        m.DataTransferRequest,
        adapter.slow(1.0, lambda conn, r: m.DataTransferResponse(status="Accepted", data="slow")),
    )
    router.add(m.HeartbeatRequest, lambda conn, r: m.HeartbeatResponse(current_time=NOW))
    server = adapter.serve(CsmsConfig(path_prefix="/ocpp/", versions=("2.0.1",)), router)
    with ws_connect(server.url("/ocpp/RAW1"), subprotocols=["ocpp2.0.1"], open_timeout=5) as ws:
        started = time.monotonic()
        ws.send('[2,"slow","DataTransfer",{"vendorId":"v"}]')
        time.sleep(0.05)
        for index in range(3):
            ws.send(f'[2,"quick-{index}","Heartbeat",{{}}]')
        answers = [json.loads(ws.recv(5))[1] for _ in range(4)]
        elapsed = time.monotonic() - started
    assert answers == ["quick-0", "quick-1", "quick-2", "slow"]
    assert 1.0 <= elapsed < 3.0
