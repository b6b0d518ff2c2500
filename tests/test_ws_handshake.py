"""Opening handshake of ocpp_core.ws: WsServer (CSMS) and WsClient (station).

Every request/response is fed whole, byte by byte, and coalesced with what follows it.
"""

import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ocpp_core import events as ev
from ocpp_core.errors import LocalProtocolError
from ocpp_core.ws import (
    CLOSED,
    CLOSING,
    DECIDING,
    OPEN,
    CsmsConfig,
    StationConfig,
    WsClient,
    WsServer,
)
from ocpp_core.ws.identity import basic_authorization

# RFC 6455 §1.3's example: this key's accept token (sha1(key + GUID), base64).
KEY = b"the sample nonce"
KEY_B64 = "dGhlIHNhbXBsZSBub25jZQ=="
ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
PASSWORD = "0123456789abcdef"

MODES = ["whole", "bytewise", "coalesced"]


def feed(endpoint, data, mode, now=0.0, trailer=b""):
    """Feed `data` (and `trailer`, the next thing on the wire) in the given way."""
    if mode == "whole":
        endpoint.receive_data(data, now)
        if trailer:
            endpoint.receive_data(trailer, now)
    elif mode == "bytewise":
        for i in range(len(data)):
            endpoint.receive_data(data[i : i + 1], now)
        for i in range(len(trailer)):
            endpoint.receive_data(trailer[i : i + 1], now)
    else:
        endpoint.receive_data(data + trailer, now)


def request(target="/ocpp/CP01", protocols="ocpp2.0.1", extra=(), key=KEY_B64, **drop):
    headers = [
        ("Host", "csms.example:9000"),
        ("Upgrade", "websocket"),
        ("Connection", "Upgrade"),
        ("Sec-WebSocket-Key", key),
        ("Sec-WebSocket-Version", "13"),
    ]
    if protocols is not None:
        headers.append(("Sec-WebSocket-Protocol", protocols))
    headers += list(extra)
    headers = [(k, v) for k, v in headers if k.lower().replace("-", "_") not in drop]
    head = f"GET {target} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
    return head.encode("latin-1")


def server(**options):
    options.setdefault("path_prefix", "/ocpp/")
    return WsServer(CsmsConfig(**options), now=0.0)


def events_of(endpoint):
    return list(endpoint.events())


def station_config(**options):
    options.setdefault("url", "ws://csms.example:9000/ocpp")
    options.setdefault("identity", "CP01")
    options.setdefault("key_factory", lambda: KEY)
    return StationConfig(**options)


# -- CSMS side -------------------------------------------------------------------------
@pytest.mark.parametrize("mode", MODES)
def test_request_becomes_connection_requested(mode):
    srv = server()
    auth = basic_authorization("CP01", PASSWORD)
    frame = bytes([0x81, 0x80, 1, 2, 3, 4])  # an empty masked text frame sent too early
    feed(srv, request(extra=[("Authorization", auth)]), mode, trailer=frame)
    (requested,) = events_of(srv)
    assert isinstance(requested, ev.ConnectionRequested)
    assert requested.identity == "CP01"
    assert requested.subprotocols == ("ocpp2.0.1",)
    assert requested.versions == ("2.0.1",)
    assert (requested.username, requested.password) == ("CP01", PASSWORD)
    assert requested.auth_problem is None
    assert requested.path == "/ocpp/CP01"
    assert ("authorization", auth) in requested.headers
    assert srv.state == DECIDING
    srv.accept()
    out = srv.data_to_send()
    assert out.startswith(b"HTTP/1.1 101 Switching Protocols\r\n")
    assert f"Sec-WebSocket-Accept: {ACCEPT}\r\n".encode() in out
    assert b"Sec-WebSocket-Protocol: ocpp2.0.1\r\n" in out
    assert srv.state == OPEN and srv.version == "2.0.1"
    # The frame that came with the request is replayed after accept().
    assert events_of(srv) == [ev.TextMessage("")]


def test_missing_authorization_gives_no_credentials():
    srv = server()
    srv.receive_data(request(), 0.0)
    (requested,) = events_of(srv)
    assert requested.username is None and requested.password is None
    assert requested.auth_problem is None


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("Bearer abc", "not Basic"),
        ("Basic !!!notbase64", "base64"),
        ("Basic " + base64.b64encode(b"no-colon").decode(), "no ':'"),
        ("Basic " + base64.b64encode(b"\xff\xfe:x").decode(), "UTF-8"),
    ],
)
def test_unreadable_authorization_is_reported(value, problem):
    srv = server()
    srv.receive_data(request(extra=[("Authorization", value)]), 0.0)
    (requested,) = events_of(srv)
    assert requested.username is None
    assert problem in requested.auth_problem


def test_password_with_colon_is_split_at_first_colon():
    srv = server()
    srv.receive_data(request(extra=[("Authorization", basic_authorization("CP01", "a:b"))]), 0.0)
    (requested,) = events_of(srv)
    assert (requested.username, requested.password) == ("CP01", "a:b")


@pytest.mark.parametrize("mode", MODES)
def test_reject_401_carries_basic_challenge(mode):
    srv = server(auth_realm="Test CSMS")
    feed(srv, request(extra=[("Authorization", basic_authorization("CP01", "wrong" * 4))]), mode)
    events_of(srv)
    srv.reject(401)
    out = srv.data_to_send()
    assert out.startswith(b"HTTP/1.1 401 Unauthorized\r\n")
    assert b'WWW-Authenticate: Basic realm="Test CSMS"\r\n' in out
    assert out.endswith(b"Content-Length: 0\r\nConnection: close\r\n\r\n")
    assert srv.state == CLOSED
    assert events_of(srv) == [ev.ConnectionClosed(1006, "rejected with HTTP 401", ev.LOCAL, True)]
    with pytest.raises(LocalProtocolError):
        srv.accept()


def test_reject_404_unknown_identity_with_body():
    srv = server()
    srv.receive_data(request(target="/ocpp/UNKNOWN"), 0.0)
    events_of(srv)
    srv.reject(404, [("Content-Type", "text/plain")], b"unknown station\n")
    out = srv.data_to_send()
    assert out.startswith(b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\n")
    assert out.endswith(b"Content-Length: 16\r\nConnection: close\r\n\r\nunknown station\n")


def test_reject_needs_an_error_status_and_a_pending_request():
    srv = server()
    with pytest.raises(LocalProtocolError):
        srv.reject(401)
    srv.receive_data(request(), 0.0)
    with pytest.raises(LocalProtocolError):
        srv.reject(200)
    assert srv.state == DECIDING
    with pytest.raises(LocalProtocolError):
        srv.close()


@pytest.mark.parametrize(
    ("segment", "identity"),
    [
        ("CP01", "CP01"),
        ("RDAM%20123", "RDAM 123"),
        ("caf%C3%A9", "café"),
        ("a%2fb", "a/b"),
        ("x*-_=+%7C@.", "x*-_=+|@."),
        ("A" * 48, "A" * 48),
    ],
)
def test_identity_is_percent_decoded(segment, identity):
    srv = server()
    srv.receive_data(request(target="/ocpp/" + segment + "?ignored=1"), 0.0)
    (requested,) = events_of(srv)
    assert requested.identity == identity
    assert requested.identity_problem is None
    assert requested.versions == ("2.0.1",)


@pytest.mark.parametrize(
    ("segment", "problem"),
    [("A" * 49, "48"), ("CP%3A01", "':'"), ("CP:01", "':'")],
)
def test_identity_breaking_2x_rules_leaves_only_16(segment, problem):
    srv = server()
    srv.receive_data(request(target="/ocpp/" + segment, protocols="ocpp2.0.1, ocpp1.6"), 0.0)
    (requested,) = events_of(srv)
    assert problem in requested.identity_problem
    assert requested.versions == ("1.6",)
    with pytest.raises(LocalProtocolError):
        srv.accept("ocpp2.0.1")
    srv.accept()
    assert srv.version == "1.6"


def test_identity_breaking_2x_rules_with_2x_only_offer_closes_after_101():
    srv = server()
    srv.receive_data(request(target="/ocpp/" + "B" * 49), 0.0)
    (requested,) = events_of(srv)
    assert requested.versions == ()
    srv.accept()
    out = srv.data_to_send()
    assert b"Sec-WebSocket-Protocol" not in out
    assert out.endswith(b"\x88\x1b\x03\xeano OCPP version in common")
    assert srv.state == CLOSING


def test_strict_identity_charset():
    srv = server(strict_identity_charset=True)
    srv.receive_data(request(target="/ocpp/RDAM%20123", protocols="ocpp2.0.1, ocpp1.6"), 0.0)
    (requested,) = events_of(srv)
    assert "identifierString" in requested.identity_problem
    assert requested.versions == ("1.6",)


@pytest.mark.parametrize(
    "target",
    ["/other/CP01", "/ocpp/", "/ocpp/a/b", "/ocpp/CP%2", "/ocpp/CP%zz", "/ocpp/%ff", "/ocpp/a%00"],
)
def test_unusable_path_is_refused_with_404(target):
    srv = server()
    srv.receive_data(request(target=target), 0.0)
    violation, closed = events_of(srv)
    assert isinstance(violation, ev.WebSocketViolation) and violation.status_code == 404
    assert closed.code == 1006 and closed.initiator == ev.LOCAL
    assert srv.data_to_send().startswith(b"HTTP/1.1 404 Not Found\r\n")
    assert srv.state == CLOSED


def test_raw_character_outside_pchar_is_refused():
    srv = server()
    srv.receive_data(request(target='/ocpp/CP"01'), 0.0)
    assert events_of(srv)[0].status_code == 404


@pytest.mark.parametrize(
    ("req", "status"),
    [
        (request().replace(b"GET", b"POST", 1), 405),
        (request().replace(b"HTTP/1.1", b"HTTP/1.0", 1), 400),
        (request(upgrade="x"), 400),
        (request(connection="x"), 400),
        (request(host="x"), 400),
        (request(sec_websocket_version="x"), 426),
        (request().replace(b"Version: 13", b"Version: 8"), 426),
        (request(sec_websocket_key="x"), 400),
        (request(key="c2hvcnQ="), 400),
        (request(extra=[("Sec-WebSocket-Key", KEY_B64)]), 400),
        (b"NOT HTTP AT ALL\r\n\r\n", 400),
        (request(extra=[("X-Big", "y" * 20000)]), 431),
    ],
)
def test_bad_upgrade_request_is_refused(req, status):
    srv = server()
    srv.receive_data(req, 0.0)
    found = events_of(srv)
    assert isinstance(found[0], ev.WebSocketViolation)
    assert found[0].status_code == status
    assert isinstance(found[-1], ev.ConnectionClosed)
    out = srv.data_to_send()
    assert out.startswith(b"HTTP/1.1 %d " % status)
    if status == 426:
        assert b"Sec-WebSocket-Version: 13\r\n" in out
    srv.receive_data(b"more", 1.0)  # ignored once closed
    assert events_of(srv) == []


@pytest.mark.parametrize(
    ("extra", "body"),
    [
        ([("Content-Length", "3")], b"abc"),
        ([("Content-Length", "3")], b""),  # the body has not arrived yet
        ([("Transfer-Encoding", "chunked")], b"3\r\nabc\r\n0\r\n\r\n"),
    ],
)
def test_request_with_body_is_refused(extra, body):
    srv = server()
    srv.receive_data(request(extra=extra) + body, 0.0)
    assert events_of(srv)[0].status_code == 400


def test_request_with_zero_content_length_is_fine():
    srv = server()
    srv.receive_data(request(extra=[("Content-Length", "0")]), 0.0)
    assert isinstance(events_of(srv)[0], ev.ConnectionRequested)


def test_server_preference_picks_version():
    srv = server(versions=("2.1", "2.0.1", "1.6"))
    srv.receive_data(request(protocols="ocpp1.6, ocpp2.0.1, ocpp2.1"), 0.0)
    (requested,) = events_of(srv)
    assert requested.versions == ("2.1", "2.0.1", "1.6")
    srv.accept()
    assert srv.version == "2.1"
    assert b"Sec-WebSocket-Protocol: ocpp2.1\r\n" in srv.data_to_send()


@pytest.mark.parametrize("choice", ["ocpp1.6", "1.6"])
def test_accept_named_subprotocol(choice):
    srv = server()
    srv.receive_data(request(protocols="ocpp2.0.1, ocpp1.6"), 0.0)
    events_of(srv)
    srv.accept(choice)
    assert srv.version == "1.6" and srv.subprotocol == "ocpp1.6"


def test_accept_unoffered_subprotocol_is_local_error_and_keeps_state():
    srv = server()
    srv.receive_data(request(protocols="ocpp2.0.1"), 0.0)
    events_of(srv)
    with pytest.raises(LocalProtocolError):
        srv.accept("ocpp1.6")
    assert srv.state == DECIDING
    assert srv.data_to_send() == b""


@pytest.mark.parametrize("offered", ["ocpp2.0", "OCPP2.0.1", "ocpp1.5", "soap"])
def test_no_common_subprotocol_completes_handshake_then_closes(offered):
    srv = server()
    srv.receive_data(request(protocols=offered), 0.0)
    (requested,) = events_of(srv)
    assert requested.versions == ()
    srv.accept()
    out = srv.data_to_send()
    head, _, frames = out.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 101 ")
    assert b"Sec-WebSocket-Protocol" not in head
    assert frames[:2] == b"\x88\x1b" and frames[2:4] == (1002).to_bytes(2, "big")
    assert srv.version is None and srv.state == CLOSING
    # The station answers the close: the connection ends cleanly.
    srv.receive_data(bytes([0x88, 0x82, 0, 0, 0, 0, 0x03, 0xEA]), 1.0)
    assert events_of(srv) == [
        ev.ConnectionClosed(1002, "no OCPP version in common", ev.LOCAL, True)
    ]


def test_station_offering_nothing_is_closed_by_default():
    srv = server()
    srv.receive_data(request(protocols=None), 0.0)
    (requested,) = events_of(srv)
    assert requested.subprotocols == () and requested.versions == ()
    srv.accept()
    assert srv.state == CLOSING


def test_station_offering_nothing_gets_configured_version():
    srv = server(versions=("2.0.1", "1.6"), version_without_subprotocol="1.6")
    srv.receive_data(request(protocols=None), 0.0)
    (requested,) = events_of(srv)
    assert requested.subprotocols == () and requested.versions == ("1.6",)
    srv.accept()
    assert srv.state == OPEN and srv.version == "1.6" and srv.subprotocol is None
    assert b"Sec-WebSocket-Protocol" not in srv.data_to_send()


def test_assumed_2x_version_needs_a_2x_identity():
    srv = server(versions=("2.0.1",), version_without_subprotocol="2.0.1")
    srv.receive_data(request(target="/ocpp/CP:1", protocols=None), 0.0)
    (requested,) = events_of(srv)
    assert requested.versions == ()
    srv.accept()
    assert srv.state == CLOSING and srv.version is None


def test_station_leaving_before_decision():
    srv = server()
    srv.receive_data(request(), 0.0)
    events_of(srv)
    srv.receive_data(b"", 1.0)
    assert events_of(srv) == [
        ev.ConnectionClosed(1006, "station left before the answer", ev.TRANSPORT, False)
    ]
    with pytest.raises(LocalProtocolError):
        srv.accept()


@pytest.mark.parametrize("partial", [b"", b"GET /ocpp/CP01 HTTP/1.1\r\nHost: x\r\n"])
def test_eof_before_request(partial):
    srv = server()
    srv.receive_data(partial, 0.0)
    srv.receive_data(b"", 0.5)
    (closed,) = events_of(srv)
    assert closed.initiator == ev.TRANSPORT and srv.state == CLOSED


def test_request_timeout():
    srv = WsServer(CsmsConfig(open_timeout=5.0), now=10.0)
    assert srv.next_deadline() == 15.0
    srv.tick(14.9)
    assert events_of(srv) == []
    srv.tick(15.0)
    assert events_of(srv) == [
        ev.ConnectionClosed(1006, "no upgrade request in time", ev.LOCAL, False)
    ]
    assert srv.next_deadline() is None


def test_too_much_early_data_is_refused():
    srv = server(max_message_size=1000)
    srv.receive_data(request(), 0.0)
    events_of(srv)
    srv.receive_data(b"x" * 20000, 0.0)
    assert events_of(srv)[0].status_code == 400
    assert srv.state == CLOSED


def test_deflate_negotiated_on_server():
    srv = server()
    srv.receive_data(
        request(extra=[("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits")]),
        0.0,
    )
    events_of(srv)
    srv.accept()
    assert b"Sec-WebSocket-Extensions: permessage-deflate" in srv.data_to_send()


@pytest.mark.parametrize(
    "offer",
    [
        "permessage-deflate; client_max_window_bits=abc",
        "permessage-deflate; server_max_window_bits=3",
    ],
)
def test_unreadable_deflate_offer_is_declined(offer):
    srv = server()
    srv.receive_data(request(extra=[("Sec-WebSocket-Extensions", offer)]), 0.0)
    events_of(srv)
    srv.accept()
    assert b"Sec-WebSocket-Extensions" not in srv.data_to_send()
    assert srv.state == OPEN


def test_deflate_disabled_on_server():
    srv = server(permessage_deflate=False)
    srv.receive_data(request(extra=[("Sec-WebSocket-Extensions", "permessage-deflate")]), 0.0)
    events_of(srv)
    srv.accept()
    assert b"Sec-WebSocket-Extensions" not in srv.data_to_send()


# -- station side ----------------------------------------------------------------------
def test_client_request_bytes():
    cfg = station_config(
        identity="RDAM 123",
        versions=("2.0.1", "1.6"),
        password=PASSWORD,
        extra_headers=(("User-Agent", "test"),),
    )
    client = WsClient(cfg)
    assert client.data_to_send() == (
        b"GET /ocpp/RDAM%20123 HTTP/1.1\r\n"
        b"Host: csms.example:9000\r\n"
        b"Upgrade: websocket\r\n"
        b"Connection: Upgrade\r\n"
        b"Sec-WebSocket-Key: " + KEY_B64.encode() + b"\r\n"
        b"Sec-WebSocket-Version: 13\r\n"
        b"Sec-WebSocket-Protocol: ocpp2.0.1, ocpp1.6\r\n"
        b"Authorization: " + basic_authorization("RDAM 123", PASSWORD).encode() + b"\r\n"
        b"User-Agent: test\r\n\r\n"
    )


@pytest.mark.parametrize(
    ("url", "host", "target"),
    [
        ("ws://h/", "h", "/CP01"),
        ("ws://h", "h", "/CP01"),
        ("wss://h:443/a/b/", "h", "/a/b/CP01"),
        ("wss://h:8443/ocpp", "h:8443", "/ocpp/CP01"),
        ("ws://[::1]:9000/x", "[::1]:9000", "/x/CP01"),
    ],
)
def test_client_url_forms(url, host, target):
    client = WsClient(station_config(url=url))
    head = client.data_to_send().decode()
    assert head.startswith(f"GET {target} HTTP/1.1\r\nHost: {host}\r\n")


@pytest.mark.parametrize(
    "options",
    [
        {"url": "http://h/"},
        {"url": "ws:///x"},
        {"url": "ws://h/x?q=1"},
        {"identity": ""},
        {"identity": "A" * 49},
        {"identity": "CP:1"},
        {"identity": "CP:1", "versions": ("1.6",), "password": "x" * 16},
        {"password": "x" * 15},
        {"password": "x" * 41},
        {"versions": ()},
        {"versions": ("2.0",)},
        {"versions": ("1.6", "1.6")},
        {"version_without_subprotocol": "1.6"},
        {"ping_interval": 0},
        {"max_message_size": 0},
        {"oversize_action": "ignore"},
    ],
)
def test_station_config_refuses(options):
    with pytest.raises(ValueError):
        station_config(**options)


def test_station_config_16_password_and_identity_rules_are_looser():
    cfg = station_config(identity="A" * 60 + ":x", versions=("1.6",))
    assert cfg.identity.endswith(":x")
    cfg = station_config(versions=("1.6",), password="abc")
    assert cfg.password == "abc"


def response(
    status="101 Switching Protocols", accept=ACCEPT, protocol="ocpp2.0.1", extra=(), **drop
):
    headers = [
        ("Upgrade", "websocket"),
        ("Connection", "Upgrade"),
        ("Sec-WebSocket-Accept", accept),
    ]
    if protocol is not None:
        headers.append(("Sec-WebSocket-Protocol", protocol))
    headers += list(extra)
    headers = [(k, v) for k, v in headers if k.lower().replace("-", "_") not in drop]
    head = f"HTTP/1.1 {status}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
    return head.encode()


@pytest.mark.parametrize("mode", MODES)
def test_client_accepts_valid_101_and_reads_coalesced_frame(mode):
    client = WsClient(station_config(versions=("2.0.1", "1.6")))
    client.data_to_send()
    frame = b"\x81\x05hello"
    feed(client, response(extra=[("Server", "x")]), mode, trailer=frame)
    assert events_of(client) == [
        ev.Connected("2.0.1", "ocpp2.0.1", (), (("server", "x"),)),
        ev.TextMessage("hello"),
    ]
    assert client.state == OPEN and client.version == "2.0.1"


@pytest.mark.parametrize(
    ("resp", "kind"),
    [
        (response(accept="AAAAAAAAAAAAAAAAAAAAAAAAAAA="), ev.BAD_ACCEPT),
        (response(sec_websocket_accept="x"), ev.BAD_ACCEPT),
        (response(extra=[("Sec-WebSocket-Accept", ACCEPT)]), ev.BAD_ACCEPT),
        (response(protocol="ocpp2.0"), ev.BAD_SUBPROTOCOL),
        (response(protocol="ocpp1.6"), ev.BAD_SUBPROTOCOL),
        (response(protocol="ocpp2.0.1, ocpp2.0.1"), ev.BAD_SUBPROTOCOL),
        (response(protocol=None), ev.NO_SUBPROTOCOL),
        (response(upgrade="x"), ev.BAD_UPGRADE),
        (response(connection="x"), ev.BAD_UPGRADE),
        (response(extra=[("Sec-WebSocket-Extensions", "permessage-deflate")]), ev.BAD_EXTENSION),
        (response(extra=[("Sec-WebSocket-Extensions", "x-unknown")]), ev.BAD_EXTENSION),
        (response(status="100 Continue"), ev.REJECTED),
        (b"SSH-2.0-OpenSSH\r\n\r\n", ev.BAD_RESPONSE),
    ],
)
@pytest.mark.parametrize("mode", MODES)
def test_client_reports_each_handshake_failure(resp, kind, mode):
    client = WsClient(station_config())
    client.data_to_send()
    feed(client, resp, mode, trailer=b"\x81\x00")
    found = events_of(client)
    assert isinstance(found[0], ev.HandshakeFailed), found
    assert found[0].kind == kind
    assert isinstance(found[1], ev.ConnectionClosed) and found[1].initiator == ev.TRANSPORT
    assert len(found) == 2
    assert client.state == CLOSED
    with pytest.raises(LocalProtocolError):
        client.send_text("x")


@pytest.mark.parametrize("mode", MODES)
def test_client_reports_rejection_with_body(mode):
    client = WsClient(station_config())
    client.data_to_send()
    resp = b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic\r\nContent-Length: 4\r\n\r\nnope"
    feed(client, resp, mode)
    failed, closed = events_of(client)
    assert failed == ev.HandshakeFailed(
        ev.REJECTED,
        "HTTP 401 instead of 101",
        401,
        (("www-authenticate", "Basic"), ("content-length", "4")),
        b"nope",
    )
    assert closed.code == 1006


def test_client_rejection_body_until_eof_and_capped():
    client = WsClient(station_config())
    client.receive_data(b"HTTP/1.1 500 Oops\r\n\r\n" + b"z" * 10000, 0.0)
    failed, _ = events_of(client)
    assert failed.status_code == 500 and failed.body == b"z" * 4096
    client = WsClient(station_config())
    client.receive_data(b"HTTP/1.1 503 Busy\r\n\r\nlater", 0.0)
    assert events_of(client) == []
    client.receive_data(b"", 0.0)
    assert events_of(client)[0].body == b"later"


def test_client_eof_and_timeout():
    client = WsClient(station_config())
    client.receive_data(b"HTTP/1.1 101 Swi", 0.0)
    client.receive_data(b"", 0.0)
    assert events_of(client)[0].kind == ev.EOF
    client = WsClient(station_config(open_timeout=3.0), now=1.0)
    assert client.next_deadline() == 4.0
    client.tick(4.0)
    assert events_of(client)[0].kind == ev.TIMEOUT
    assert client.next_deadline() is None


def test_client_version_without_subprotocol():
    client = WsClient(station_config(versions=("1.6",), version_without_subprotocol="1.6"))
    client.receive_data(response(protocol=None), 0.0)
    assert events_of(client) == [ev.Connected("1.6", None)]


def test_client_abort_before_answer():
    client = WsClient(station_config())
    client.close()
    assert events_of(client)[0].initiator == ev.LOCAL
    client.close()  # idempotent
    assert events_of(client) == []
    client.receive_data(response(), 0.0)
    assert events_of(client) == []


def test_deflate_negotiated_between_our_ends():
    client = WsClient(station_config(permessage_deflate=True))
    srv = server()
    srv.receive_data(client.data_to_send(), 0.0)
    events_of(srv)
    srv.accept()
    client.receive_data(srv.data_to_send(), 0.0)
    (connected,) = events_of(client)
    assert connected.extensions and connected.extensions[0].startswith("permessage-deflate")
    text = '[2,"1","Heartbeat",{}]' * 50
    client.send_text(text)
    wire = client.data_to_send()
    assert len(wire) < len(text) // 4  # compressed
    srv.receive_data(wire, 0.0)
    assert events_of(srv) == [ev.TextMessage(text)]


@pytest.mark.parametrize("mode", ["whole", "coalesced"])
def test_client_refuses_oversize_101_head(mode):
    client = WsClient(station_config(max_handshake_size=1024))
    feed(client, response(extra=[("X-Big", "y" * 2000)]), mode)
    failed = events_of(client)[0]
    assert failed.kind == ev.BAD_RESPONSE and "max_handshake_size" in failed.reason


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400), st.integers(min_value=1, max_value=50))
def test_arbitrary_bytes_to_handshakes_never_raise(data, chunk):
    for endpoint in (server(), WsClient(station_config())):
        for i in range(0, len(data), chunk):
            endpoint.receive_data(data[i : i + chunk], 0.0)
        endpoint.receive_data(b"", 1.0)
        found = events_of(endpoint)
        assert all(isinstance(e, ev.WEBSOCKET_EVENTS) for e in found)
        assert endpoint.state in (CLOSED, DECIDING) or endpoint.state == "awaiting-request"


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(
                [
                    "Upgrade",
                    "Connection",
                    "Sec-WebSocket-Protocol",
                    "Sec-WebSocket-Extensions",
                    "Authorization",
                    "Sec-WebSocket-Accept",
                    "Sec-WebSocket-Key",
                    "Host",
                ]
            ),
            st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40),
        ),
        max_size=6,
    ),
    st.sampled_from(["101 Switching Protocols", "200 OK", "401 Unauthorized"]),
)
def test_mutated_headers_never_raise(headers, status):
    srv = server()
    srv.receive_data(request(extra=headers), 0.0)
    for event in events_of(srv):
        if isinstance(event, ev.ConnectionRequested):
            srv.accept()
    client = WsClient(station_config())
    client.receive_data(response(status=status, extra=headers), 0.0)
    client.receive_data(b"", 0.0)  # a 200 without a length runs to EOF
    found = events_of(client)
    assert found and all(isinstance(e, ev.WEBSOCKET_EVENTS) for e in found)
