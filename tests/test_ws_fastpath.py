"""The framing fast path (ocpp_core.ws.framing.Framing._receive_fast / send_text) against
wsproto: the same bytes in must give the same events, the same bytes out and the same
state whether the fast path is on or off, however the bytes are split.

Frames are built by hand (as in test_ws_framing.py); `_fast_path = False` on an open
endpoint's Framing sends everything through wsproto, as before the fast path existed.
"""

import os
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ocpp_core import events as ev
from ocpp_core.ws import OVERSIZE_CALLERROR, CsmsConfig, StationConfig, WsClient, WsServer
from ocpp_core.ws.framing import _unmask

TEXT, BINARY, CONTINUATION, CLOSE, PING, PONG = 0x1, 0x2, 0x0, 0x8, 0x9, 0xA


def frame(opcode, payload, fin=True, mask=True, rsv=0, mask_key=b"\x11\x22\x33\x44", wide=0):
    """One frame. `wide`: force a 2- or 8-byte length (non-minimal when short)."""
    if isinstance(payload, str):
        payload = payload.encode("utf-8")
    head = bytes([(0x80 if fin else 0) | rsv | opcode])
    n = len(payload)
    bit = 0x80 if mask else 0
    if wide == 8 or (not wide and n > 0xFFFF):
        head += bytes([bit | 127]) + struct.pack("!Q", n)
    elif wide == 2 or (not wide and n > 125):
        head += bytes([bit | 126]) + struct.pack("!H", n)
    else:
        head += bytes([bit | n])
    if not mask:
        return head + payload
    return head + mask_key + bytes(b ^ mask_key[i % 4] for i, b in enumerate(payload))


def opened(fast, **server_options):
    """A WsServer and a WsClient, handshake done; both framings' fast path on or off."""
    server_options.setdefault("path_prefix", "/ocpp/")
    srv = WsServer(CsmsConfig(**server_options), now=0.0)
    client = WsClient(StationConfig(url="ws://csms/ocpp", identity="CP01"), now=0.0)
    srv.receive_data(client.data_to_send(), 0.0)
    assert isinstance(srv.next_event(), ev.ConnectionRequested)
    srv.accept()
    client.receive_data(srv.data_to_send(), 0.0)
    assert isinstance(client.next_event(), ev.Connected)
    for endpoint in (srv, client):
        assert endpoint._framing._fast_path  # on by default without extensions
        endpoint._framing._fast_path = fast
    return srv, client


def split(data, cuts):
    """`data` cut at the given offsets (sorted, deduplicated, inside the data)."""
    points = sorted({c for c in cuts if 0 < c < len(data)})
    pieces, start = [], 0
    for point in points:
        pieces.append(data[start:point])
        start = point
    pieces.append(data[start:])
    return pieces


def unmasked_frames(data):
    """[(first byte, payload)] of frames, masked (client) or not (server)."""
    out = []
    while data:
        n = data[1] & 0x7F
        pos = 2
        if n == 126:
            n, pos = struct.unpack("!H", data[2:4])[0], 4
        elif n == 127:
            n, pos = struct.unpack("!Q", data[2:10])[0], 10
        if data[1] & 0x80:
            key = data[pos : pos + 4]
            pos += 4
            payload = bytes(b ^ key[i % 4] for i, b in enumerate(data[pos : pos + n]))
        else:
            payload = data[pos : pos + n]
        out.append((data[0], payload))
        data = data[pos + n :]
    return out


def run(side, pieces, fast, **options):
    """Feed `pieces` to the server (side "server") or the client; what came out."""
    srv, client = opened(fast, **options)
    endpoint = srv if side == "server" else client
    for piece in pieces:
        endpoint.receive_data(piece, 1.0)
    events = list(endpoint.events())
    out = unmasked_frames(endpoint.data_to_send())
    return events, out, endpoint.state


def same_both_ways(side, pieces, **options):
    fast = run(side, pieces, True, **options)
    slow = run(side, pieces, False, **options)
    assert fast == slow
    return fast


MODES = ["whole", "bytewise", "coalesced", "trailing-partial"]


def deliver(data, mode, trailer):
    if mode == "whole":
        return [data, trailer] if trailer else [data]
    if mode == "bytewise":
        whole = data + trailer
        return [whole[i : i + 1] for i in range(len(whole))]
    if mode == "coalesced":
        return [data + trailer]
    # the next frame's first bytes arrive with this one, the rest later
    return [data + trailer[:3], trailer[3:]]


@pytest.mark.parametrize("mode", MODES)
def test_texts_whole_split_and_coalesced(mode):
    first = frame(TEXT, '[2,"1","Heartbeat",{}]')
    second = frame(TEXT, '[2,"2","Heartbeat",{"é":"ü €"}]')
    events, out, state = same_both_ways("server", deliver(first, mode, second))
    assert events == [
        ev.TextMessage('[2,"1","Heartbeat",{}]'),
        ev.TextMessage('[2,"2","Heartbeat",{"é":"ü €"}]'),
    ]
    assert (out, state) == ([], "open")


@pytest.mark.parametrize("size", [0, 1, 125, 126, 127, 1023, 1024, 65535, 65536])
@pytest.mark.parametrize("mode", ["whole", "coalesced", "trailing-partial"])
def test_payload_lengths(size, mode):
    text = ("x" * (size - 1) + "é"[:size]) if size else ""
    text = text.encode("utf-8")[:size].decode("utf-8", "ignore").ljust(size, "y")
    assert len(text.encode("utf-8")) == size
    trailer = frame(TEXT, "next")
    events, _, _ = same_both_ways("server", deliver(frame(TEXT, text), mode, trailer))
    assert events == [ev.TextMessage(text), ev.TextMessage("next")]


def test_payload_lengths_to_the_client():
    for size in (125, 126, 65535, 65536):
        text = "z" * size
        events, _, _ = same_both_ways("client", [frame(TEXT, text, mask=False)])
        assert events == [ev.TextMessage(text)]


def test_unmask_matches_a_bytewise_xor():
    key = b"\xa1\xb2\xc3\xd4"
    for size in (0, 1, 3, 4, 5, 1023, 1024, 1025, 5000):
        payload = os.urandom(size)
        expected = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
        assert _unmask(payload, key) == expected


@pytest.mark.parametrize("mode", ["whole", "coalesced", "bytewise"])
def test_invalid_utf8_closes_with_1007_as_before(mode):
    good = frame(TEXT, "ok")
    bad = frame(TEXT, b"\xc3\x28 bad")
    events, out, state = same_both_ways("server", deliver(good, mode, bad))
    assert events[0] == ev.TextMessage("ok")
    assert isinstance(events[1], ev.WebSocketViolation) and events[1].close_code == 1007
    assert isinstance(events[-1], ev.ConnectionClosed) and events[-1].code == 1007
    assert out[0][1][:2] == struct.pack("!H", 1007)
    assert state == "closed"


def test_unmasked_frame_to_a_server_and_masked_to_a_client():
    events, out, state = same_both_ways("server", [frame(TEXT, "hi", mask=False)])
    assert isinstance(events[0], ev.WebSocketViolation) and events[0].close_code == 1002
    assert state == "closed" and out[0][1][:2] == struct.pack("!H", 1002)
    events, _, state = same_both_ways("client", [frame(TEXT, "hi", mask=True)])
    assert isinstance(events[0], ev.WebSocketViolation) and events[0].close_code == 1002
    assert state == "closed"


@pytest.mark.parametrize("rsv", [0x40, 0x20, 0x10])
def test_rsv_bits_fall_back_to_wsproto(rsv):
    wire = frame(TEXT, "ok") + frame(TEXT, "compressed?", rsv=rsv)
    events, out, state = same_both_ways("server", [wire])
    assert events[0] == ev.TextMessage("ok")
    assert isinstance(events[1], ev.WebSocketViolation) and events[1].close_code == 1002
    assert state == "closed" and out[0][1][:2] == struct.pack("!H", 1002)


@pytest.mark.parametrize("wide", [2, 8])
def test_non_minimal_lengths_fall_back_to_wsproto(wide):
    events, _, state = same_both_ways("server", [frame(TEXT, "short", wide=wide)])
    assert isinstance(events[0], ev.WebSocketViolation) and state == "closed"


def test_fragments_control_frames_and_binary_between_texts():
    wire = (
        frame(TEXT, "a")
        + frame(TEXT, "[2,", fin=False)
        + frame(PING, b"p1")
        + frame(CONTINUATION, '"x"]')
        + frame(TEXT, "b")
        + frame(BINARY, b"\x00\x01")
        + frame(TEXT, "late")
    )
    events, out, state = same_both_ways("server", [wire])
    assert events[:3] == [ev.TextMessage("a"), ev.TextMessage('[2,"x"]'), ev.TextMessage("b")]
    assert isinstance(events[3], ev.WebSocketViolation) and events[3].close_code == 1003
    assert out[0] == (0x8A, b"p1")  # the pong
    assert state == "closing"


def test_close_frame_after_texts():
    wire = frame(TEXT, "a") + frame(CLOSE, struct.pack("!H", 1000) + b"bye") + frame(TEXT, "x")
    events, out, state = same_both_ways("server", [wire])
    assert events == [ev.TextMessage("a"), ev.ConnectionClosed(1000, "bye", ev.REMOTE, True)]
    assert out == [(0x88, struct.pack("!H", 1000))] and state == "closed"


@pytest.mark.parametrize("action", ["close", OVERSIZE_CALLERROR])
@pytest.mark.parametrize("mode", ["whole", "coalesced", "bytewise"])
def test_oversize_behaves_as_before(action, mode):
    big = '[2,"big","DataTransfer",{"data":"' + "x" * 300 + '"}]'
    options = {"max_message_size": 100, "oversize_action": action}
    events, out, state = same_both_ways(
        "server", deliver(frame(TEXT, big), mode, frame(TEXT, "small")), **options
    )
    if action == "close":
        assert isinstance(events[0], ev.WebSocketViolation) and events[0].close_code == 1009
        assert out[0][1][:2] == struct.pack("!H", 1009) and state == "closing"
    else:
        # (the head kept is what had arrived when the limit was crossed, as before)
        too_big, small = events
        assert isinstance(too_big, ev.MessageTooBig) and too_big.size == len(big)
        assert big.startswith(too_big.head) and len(too_big.head) >= 100
        assert small == ev.TextMessage("small") and state == "open"


@pytest.mark.parametrize("size", [0, 5, 125, 126, 65535, 65536])
def test_server_send_is_byte_identical_to_wsproto(size):
    text = ("é" * size)[: max(size // 2, 0)] + "a" * (size - 2 * (size // 2))
    assert len(text.encode("utf-8")) == size
    fast_srv, _ = opened(True)
    slow_srv, _ = opened(False)
    fast_srv.send_text(text)
    slow_srv.send_text(text)
    wire = fast_srv.data_to_send()
    assert wire == slow_srv.data_to_send()
    assert unmasked_frames(wire) == [(0x81, text.encode("utf-8"))]


@pytest.mark.parametrize("size", [0, 5, 125, 126, 1024, 65535, 65536])
def test_client_send_matches_wsproto_but_for_the_mask(size):
    text = "é" * (size // 2) + "a" * (size % 2)
    _, fast_client = opened(True)
    _, slow_client = opened(False)
    fast_client.send_text(text)
    fast_client.send_text(text)
    slow_client.send_text(text)
    fast_wire, slow_wire = fast_client.data_to_send(), slow_client.data_to_send()
    head = len(slow_wire) - size - 4  # header, then the 4-byte key
    assert fast_wire[:head] == slow_wire[:head]  # the same header, mask bit set
    assert len(fast_wire) == 2 * len(slow_wire)
    assert fast_wire[head : head + 4] != fast_wire[len(slow_wire) + head :][:4]  # fresh keys
    assert unmasked_frames(fast_wire) == [(0x81, text.encode("utf-8"))] * 2
    assert unmasked_frames(slow_wire) == [(0x81, text.encode("utf-8"))]


def test_deflate_keeps_every_frame_on_wsproto():
    srv = WsServer(CsmsConfig(path_prefix="/ocpp/"), now=0.0)
    client = WsClient(
        StationConfig(url="ws://csms/ocpp", identity="CP01", permessage_deflate=True), now=0.0
    )
    srv.receive_data(client.data_to_send(), 0.0)
    assert isinstance(srv.next_event(), ev.ConnectionRequested)
    srv.accept()
    client.receive_data(srv.data_to_send(), 0.0)
    assert isinstance(client.next_event(), ev.Connected)
    assert srv.extensions and not srv._framing._fast_path
    client.send_text("squeezed " * 20)
    srv.receive_data(client.data_to_send(), 1.0)
    assert list(srv.events()) == [ev.TextMessage("squeezed " * 20)]


# -- random frame sequences, random split points -----------------------------------------
_texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=40)
_frames = st.one_of(
    _texts.map(lambda t: frame(TEXT, t)),
    st.integers(126, 300).map(lambda n: frame(TEXT, "L" * n)),
    _texts.map(lambda t: frame(TEXT, t, mask=False)),
    _texts.map(lambda t: frame(TEXT, t, rsv=0x40)),
    st.binary(max_size=20).map(lambda b: frame(TEXT, b)),  # often invalid UTF-8
    st.binary(max_size=10).map(lambda b: frame(PING, b)),
    st.binary(max_size=10).map(lambda b: frame(PONG, b)),
    st.binary(max_size=10).map(lambda b: frame(BINARY, b)),
    st.tuples(_texts, _texts).map(
        lambda p: frame(TEXT, p[0], fin=False) + frame(CONTINUATION, p[1])
    ),
    _texts.map(lambda t: frame(TEXT, t, wide=2)),
    st.just(frame(CLOSE, struct.pack("!H", 1000))),
)


@settings(max_examples=300)
@given(
    wire=st.lists(_frames, min_size=1, max_size=8).map(b"".join),
    cuts=st.lists(st.integers(0, 3000), max_size=6),
    limit=st.sampled_from([1_048_576, 60]),
    action=st.sampled_from(["close", OVERSIZE_CALLERROR]),
)
def test_random_frames_and_splits_server(wire, cuts, limit, action):
    options = {"max_message_size": limit, "oversize_action": action}
    same_both_ways("server", split(wire, cuts), **options)


@given(
    texts=st.lists(_texts, min_size=1, max_size=6),
    cuts=st.lists(st.integers(0, 300), max_size=6),
)
def test_random_texts_and_splits_client(texts, cuts):
    wire = b"".join(frame(TEXT, text, mask=False) for text in texts)
    events, _, _ = same_both_ways("client", split(wire, cuts))
    assert events == [ev.TextMessage(text) for text in texts]


def test_whole_texts_never_reach_wsproto():
    srv, client = opened(True)

    def refuse(data):
        raise AssertionError("wsproto was given bytes the fast path should take")

    srv._framing._conn.receive_data = refuse
    client._framing._conn.receive_data = refuse
    srv.receive_data(frame(TEXT, "a") + frame(TEXT, "b" * 200) + frame(TEXT, "c" * 70000), 1.0)
    client.receive_data(frame(TEXT, "d", mask=False), 1.0)
    assert [e.text for e in srv.events()] == ["a", "b" * 200, "c" * 70000]
    assert list(client.events()) == [ev.TextMessage("d")]


@pytest.mark.parametrize("kind", [bytearray, memoryview])
def test_bytes_like_input(kind):
    srv, client = opened(True)
    srv.receive_data(kind(frame(TEXT, "a") + frame(TEXT, "b" * 2000)), 1.0)
    client.receive_data(kind(frame(TEXT, "c", mask=False)), 1.0)
    assert [e.text for e in srv.events()] == ["a", "b" * 2000]
    assert list(client.events()) == [ev.TextMessage("c")]
