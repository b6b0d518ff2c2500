"""The open WebSocket of ocpp_core.ws: messages, limits, keepalive, close handshake.

Frames are built by hand here (not by wsproto), so the tests check our reading of
RFC 6455 and not wsproto against itself.
"""

import struct
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ocpp_core import events as ev
from ocpp_core.errors import LocalProtocolError
from ocpp_core.ws import (
    CLOSED,
    CLOSING,
    OPEN,
    OVERSIZE_CALLERROR,
    CsmsConfig,
    StationConfig,
    WsClient,
    WsServer,
)

MASK = b"\x11\x22\x33\x44"
MODES = ["whole", "bytewise", "coalesced"]


def frame(opcode, payload, fin=True, mask=True, rsv=0):
    """One frame: client frames are masked (RFC 6455 §5.3)."""
    if isinstance(payload, str):
        payload = payload.encode("utf-8")
    head = bytes([(0x80 if fin else 0) | rsv | opcode])
    n = len(payload)
    bit = 0x80 if mask else 0
    if n < 126:
        head += bytes([bit | n])
    elif n < 65536:
        head += bytes([bit | 126]) + struct.pack("!H", n)
    else:
        head += bytes([bit | 127]) + struct.pack("!Q", n)
    if not mask:
        return head + payload
    return head + MASK + bytes(b ^ MASK[i % 4] for i, b in enumerate(payload))


def close_payload(code, reason=""):
    return struct.pack("!H", code) + reason.encode()


def opened(server_options=None, client_options=None):
    """A WsServer and a WsClient, handshake done, through our own two ends."""
    server_options = dict(server_options or {})
    server_options.setdefault("path_prefix", "/ocpp/")
    client_options = dict(client_options or {})
    client_options.setdefault("url", "ws://csms/ocpp")
    client_options.setdefault("identity", "CP01")
    srv = WsServer(CsmsConfig(**server_options), now=0.0)
    client = WsClient(StationConfig(**client_options), now=0.0)
    srv.receive_data(client.data_to_send(), 0.0)
    assert isinstance(srv.next_event(), ev.ConnectionRequested)
    srv.accept()
    client.receive_data(srv.data_to_send(), 0.0)
    assert isinstance(client.next_event(), ev.Connected)
    return srv, client


def feed(endpoint, data, mode, now=0.0, trailer=b""):
    if mode == "bytewise":
        for i in range(len(data + trailer)):
            endpoint.receive_data((data + trailer)[i : i + 1], now)
    elif mode == "coalesced":
        endpoint.receive_data(data + trailer, now)
    else:
        endpoint.receive_data(data, now)
        if trailer:
            endpoint.receive_data(trailer, now)


def events_of(endpoint):
    return list(endpoint.events())


def read_frames(data):
    """Parse unmasked server frames -> [(opcode, payload)]."""
    frames = []
    while data:
        opcode = data[0] & 0x0F
        n = data[1] & 0x7F
        pos = 2
        if n == 126:
            n = struct.unpack("!H", data[2:4])[0]
            pos = 4
        elif n == 127:
            n = struct.unpack("!Q", data[2:10])[0]
            pos = 10
        frames.append((opcode, data[pos : pos + n]))
        data = data[pos + n :]
    return frames


# -- messages ----------------------------------------------------------------------------
@pytest.mark.parametrize("mode", MODES)
def test_text_message_and_the_next(mode):
    srv, _ = opened()
    first = frame(0x1, '[2,"1","Heartbeat",{}]')
    second = frame(0x1, '[2,"2","Heartbeat",{"é":"ü"}]')
    feed(srv, first, mode, trailer=second)
    assert events_of(srv) == [
        ev.TextMessage('[2,"1","Heartbeat",{}]'),
        ev.TextMessage('[2,"2","Heartbeat",{"é":"ü"}]'),
    ]


@pytest.mark.parametrize("mode", MODES)
def test_fragmented_message_with_ping_between_fragments(mode):
    srv, _ = opened()
    wire = (
        frame(0x1, "[2,", fin=False)
        + frame(0x9, b"p")
        + frame(0x0, '"1","Heart', fin=False)
        # a UTF-8 character split across two fragments
        + frame(0x0, "€".encode()[:1], fin=False)
        + frame(0x0, "€".encode()[1:], fin=False)
    )
    rest = frame(0x0, 'beat",{}]') + frame(0x1, "[]")
    feed(srv, wire, mode, trailer=rest)
    assert events_of(srv) == [ev.TextMessage('[2,"1","Heart€beat",{}]'), ev.TextMessage("[]")]
    assert read_frames(srv.data_to_send()) == [(0xA, b"p")]


@pytest.mark.parametrize("mode", MODES)
def test_client_reads_server_frames(mode):
    srv, client = opened()
    srv.send_text("hello")
    srv.send_text("world")
    wire = srv.data_to_send()
    feed(client, wire[:7], mode, trailer=wire[7:])
    assert events_of(client) == [ev.TextMessage("hello"), ev.TextMessage("world")]


def test_messages_both_ways_through_our_ends():
    srv, client = opened()
    client.send_text("up")
    srv.receive_data(client.data_to_send(), 1.0)
    srv.send_text("down")
    client.receive_data(srv.data_to_send(), 1.0)
    assert events_of(srv) == [ev.TextMessage("up")]
    assert events_of(client) == [ev.TextMessage("down")]


@pytest.mark.parametrize("mode", MODES)
def test_binary_message_closes_with_1003(mode):
    srv, _ = opened()
    feed(srv, frame(0x2, b"\x00\x01"), mode)
    violation = events_of(srv)[0]
    assert violation.close_code == 1003
    assert read_frames(srv.data_to_send()) == [
        (0x8, close_payload(1003, "binary frames are not supported"))
    ]
    assert srv.state == CLOSING
    srv.receive_data(frame(0x8, close_payload(1003)), 1.0)
    assert events_of(srv) == [
        ev.ConnectionClosed(1003, "binary frames are not supported", ev.LOCAL, True)
    ]


# -- size limit --------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["whole", "bytewise"])
def test_message_at_limit_passes(mode):
    srv, _ = opened({"max_message_size": 100})
    text = "é" * 50  # 100 bytes of UTF-8
    feed(srv, frame(0x1, text), mode)
    assert events_of(srv) == [ev.TextMessage(text)]


@pytest.mark.parametrize("mode", MODES)
def test_oversize_single_frame_closes_with_1009(mode):
    srv, _ = opened({"max_message_size": 100})
    feed(srv, frame(0x1, "x" * 101), mode, trailer=frame(0x1, "after"))
    found = events_of(srv)
    assert [type(e) for e in found] == [ev.WebSocketViolation]
    assert found[0].close_code == 1009
    assert read_frames(srv.data_to_send()) == [(0x8, close_payload(1009, "message too big"))]


def test_oversize_detected_while_fragments_accumulate():
    srv, _ = opened({"max_message_size": 1000})
    for _ in range(3):
        srv.receive_data(frame(0x1 if _ == 0 else 0x0, "y" * 400, fin=False), 0.0)
    # Over the limit after the third fragment, long before the message ends.
    assert events_of(srv)[0].close_code == 1009
    assert srv.state == CLOSING
    # The rest of the message is dropped, not buffered, until the close completes.
    for _ in range(50):
        srv.receive_data(frame(0x0, "y" * 1000, fin=False), 0.0)
    assert events_of(srv) == []
    assert srv._framing._parts == []  # nothing held


def test_oversize_frame_is_refused_before_its_whole_payload_arrives():
    srv, _ = opened({"max_message_size": 1000})
    header_and_part = frame(0x1, "z" * 5000)[:1100]  # header announces 5000 bytes
    srv.receive_data(header_and_part, 0.0)
    assert events_of(srv)[0].close_code == 1009


@pytest.mark.parametrize("fragmented", [False, True])
def test_oversize_callerror_mode_reports_head_and_stays_open(fragmented):
    srv, _ = opened({"max_message_size": 200, "oversize_action": OVERSIZE_CALLERROR})
    text = '[2,"big-1","DataTransfer",{"vendorId":"v","data":"' + "d" * 400 + '"}]'
    if fragmented:
        wire = frame(0x1, text[:150], fin=False) + frame(0x0, text[150:300], fin=False)
        wire += frame(0x0, text[300:])
    else:
        wire = frame(0x1, text)
    srv.receive_data(wire + frame(0x1, "[]"), 0.0)
    assert events_of(srv) == [
        ev.MessageTooBig(text[:128], len(text)),
        ev.TextMessage("[]"),
    ]
    assert srv.state == OPEN and srv.data_to_send() == b""


def test_deflate_bomb_is_stopped():
    srv, client = opened({"max_message_size": 65536}, {"permessage_deflate": True})
    bomb = "0" * 20_000_000
    client.send_text(bomb)
    wire = client.data_to_send()
    assert len(wire) < 100_000
    srv.receive_data(wire, 0.0)
    found = events_of(srv)
    assert found[0].close_code == 1009
    assert not any(isinstance(e, ev.TextMessage) for e in found)


def test_deflate_message_split_by_ping_still_inflates():
    srv, client = opened({}, {"permessage_deflate": True})
    body = '[2,"1","Heartbeat",{}]' * 20
    compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    data = compressor.compress(body.encode()) + compressor.flush(zlib.Z_SYNC_FLUSH)
    data = data[:-4]
    half = len(data) // 2
    wire = frame(0x1, data[:half], fin=False, rsv=0x40) + frame(0x9, b"")
    wire += frame(0x0, data[half:])
    srv.receive_data(wire, 0.0)
    assert events_of(srv) == [ev.TextMessage(body)]
    client.send_text("next")  # the shared context keeps working afterwards
    srv.receive_data(client.data_to_send(), 0.0)
    assert events_of(srv) == [ev.TextMessage("next")]


# -- keepalive ---------------------------------------------------------------------------
def test_ping_is_answered_with_pong():
    srv, _client = opened()
    srv.receive_data(frame(0x9, b"abc"), 0.0)
    assert read_frames(srv.data_to_send()) == [(0xA, b"abc")]
    assert events_of(srv) == []


def test_keepalive_ping_pong_cycle():
    srv, client = opened({}, {"ping_interval": 10.0, "pong_timeout": 5.0})
    assert client.next_deadline() == 10.0
    client.tick(9.99)
    assert client.data_to_send() == b""
    client.tick(10.0)
    ping = client.data_to_send()
    assert ping[0] == 0x89
    assert client.next_deadline() == 15.0
    srv.receive_data(ping, 11.0)
    client.receive_data(srv.data_to_send(), 12.0)  # the pong
    assert client.next_deadline() == 22.0
    client.tick(22.0)
    assert client.data_to_send()[0] == 0x89


def test_unrelated_pong_does_not_count():
    srv, _client = opened({"ping_interval": 10.0, "pong_timeout": 5.0})
    srv.tick(10.0)
    ((opcode, payload),) = read_frames(srv.data_to_send())
    assert opcode == 0x9
    srv.receive_data(frame(0xA, payload + b"x"), 11.0)
    assert srv.next_deadline() == 15.0


def test_pong_timeout_closes_with_1011():
    _srv, client = opened({}, {"ping_interval": 10.0, "pong_timeout": 5.0, "close_timeout": 2.0})
    client.tick(10.0)
    client.data_to_send()  # the ping is lost
    client.tick(14.0)
    assert client.state == OPEN
    client.tick(15.0)
    assert client.state == CLOSING
    data = client.data_to_send()
    assert data[0] == 0x88
    assert client.next_deadline() == 17.0
    client.tick(17.0)
    assert events_of(client) == [
        ev.ConnectionClosed(
            1011, "keepalive ping timeout (no close frame from the peer in time)", ev.LOCAL, False
        )
    ]
    assert client.state == CLOSED and client.next_deadline() is None


def test_no_keepalive_by_default():
    srv, client = opened()
    assert srv.next_deadline() is None and client.next_deadline() is None


# -- close ---------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", MODES)
def test_close_started_by_station(mode):
    srv, client = opened()
    client.close(1000, "bye")
    assert client.state == CLOSING
    with pytest.raises(LocalProtocolError):
        client.send_text("late")
    feed(srv, client.data_to_send(), mode)
    assert events_of(srv) == [ev.ConnectionClosed(1000, "bye", ev.REMOTE, True)]
    assert srv.state == CLOSED
    echo = srv.data_to_send()
    assert read_frames(echo) == [(0x8, close_payload(1000))]
    feed(client, echo, mode)
    assert events_of(client) == [ev.ConnectionClosed(1000, "bye", ev.LOCAL, True)]
    client.receive_data(b"", 1.0)  # the server then closes TCP
    assert events_of(client) == []


def test_close_without_code_is_echoed_without_code():
    srv, _ = opened()
    srv.receive_data(frame(0x8, b""), 0.0)
    assert events_of(srv) == [ev.ConnectionClosed(1005, "", ev.REMOTE, True)]
    assert read_frames(srv.data_to_send()) == [(0x8, b"")]


def test_messages_after_our_close_are_dropped():
    srv, _ = opened()
    srv.close(4000, "going")
    srv.receive_data(frame(0x1, "late") + frame(0x8, close_payload(1000)), 1.0)
    assert events_of(srv) == [ev.ConnectionClosed(4000, "going", ev.LOCAL, True)]


@pytest.mark.parametrize(
    ("code", "reason"), [(1005, ""), (1006, ""), (999, ""), (5000, ""), (1000, "é" * 62)]
)
def test_close_refuses_bad_code_or_reason(code, reason):
    srv, _ = opened()
    with pytest.raises(LocalProtocolError):
        srv.close(code, reason)
    assert srv.state == OPEN and srv.data_to_send() == b""


def test_close_is_idempotent_and_times_out():
    srv, _ = opened({"close_timeout": 3.0})
    srv.tick(1.0)
    srv.close()
    srv.close()
    assert len(read_frames(srv.data_to_send())) == 1
    assert srv.next_deadline() == 4.0
    srv.tick(4.0)
    (closed,) = events_of(srv)
    assert closed.code == 1000 and not closed.clean


def test_eof_while_open_and_while_closing():
    srv, _ = opened()
    srv.receive_data(frame(0x1, "par", fin=False), 0.0)
    srv.receive_data(b"", 1.0)
    assert events_of(srv) == [
        ev.ConnectionClosed(1006, "connection lost without a close frame", ev.TRANSPORT, False)
    ]
    srv.receive_data(b"more", 2.0)
    srv.tick(100.0)
    assert events_of(srv) == []
    srv, _ = opened()
    srv.close(1001, "restart")
    srv.receive_data(b"", 1.0)
    assert events_of(srv) == [ev.ConnectionClosed(1001, "restart", ev.LOCAL, False)]


@pytest.mark.parametrize(
    ("wire", "code"),
    [
        (frame(0x1, "x", mask=False), 1002),  # a client must mask
        (frame(0x1, b"\xff\xfe"), 1007),  # not UTF-8
        (frame(0x3, "x"), 1002),  # reserved opcode
        (frame(0x9, b"x", fin=False), 1002),  # fragmented control frame
        (frame(0x0, "x"), 1002),  # continuation without a start
        (frame(0x1, "a", fin=False) + frame(0x1, "b"), 1002),  # new message inside one
        (frame(0x1, "x", rsv=0x40), 1002),  # RSV1 without an extension
        (frame(0x8, close_payload(999)), 1002),  # close code out of range
        (frame(0x8, close_payload(1006)), 1002),  # local-only close code
        (frame(0x8, b"\x03"), 1002),  # 1-byte close payload
        (frame(0x8, close_payload(1000) + b"\xff"), 1007),  # close reason not UTF-8
        (frame(0x9, b"x" * 126), 1002),  # control frame over 125 bytes
    ],
)
@pytest.mark.parametrize("mode", ["whole", "bytewise"])
def test_bad_frames_fail_the_connection(wire, code, mode):
    srv, _ = opened()
    feed(srv, wire, mode, trailer=frame(0x1, "after"))
    found = events_of(srv)
    assert isinstance(found[0], ev.WebSocketViolation) and found[0].close_code == code
    assert isinstance(found[1], ev.ConnectionClosed) and found[1].code == code
    assert not found[1].clean and len(found) == 2
    ((opcode, payload),) = read_frames(srv.data_to_send())
    assert opcode == 0x8 and payload[:2] == struct.pack("!H", code)
    assert srv.state == CLOSED


def test_client_fails_on_masked_server_frame():
    _, client = opened()
    client.receive_data(frame(0x1, "x", mask=True), 0.0)
    found = events_of(client)
    assert found[0].close_code == 1002 and client.state == CLOSED


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300), st.integers(min_value=1, max_value=20))
def test_arbitrary_bytes_never_raise(data, chunk):
    srv, client = opened({"max_message_size": 100})
    for endpoint in (srv, client):
        for i in range(0, len(data), chunk):
            endpoint.receive_data(data[i : i + chunk], 0.0)
        endpoint.tick(1000.0)
        for event in endpoint.events():
            assert isinstance(event, ev.WEBSOCKET_EVENTS)
        endpoint.data_to_send()
