"""Replay conversations recorded with an independent implementation (`websockets`).

tests/data/handshakes/record.py recorded them once over loopback TCP. A real client's
bytes are fed to our server; a real server's bytes are fed to our client, whose
Sec-WebSocket-Key is the recorded one so that the recorded Sec-WebSocket-Accept
matches. Each replay runs with the recorded chunking, all at once, and byte by byte.
"""

import base64
import json
import pathlib

import pytest

from ocpp_core import events as ev
from ocpp_core.ws import CLOSED, CsmsConfig, StationConfig, WsClient, WsServer

DATA = pathlib.Path(__file__).parent / "data" / "handshakes"
CALL = '[2,"m1","Heartbeat",{}]'
RESULT = '[3,"m1",{"currentTime":"2026-11-25T17:00:00Z"}]'
SECOND_RESULT = '[3,"m2",{"status":"Accepted"}]'


def load(name):
    record = json.loads((DATA / (name + ".json")).read_text())
    c2s = [base64.b64decode(c) for c in record["c2s"]]
    s2c = [base64.b64decode(c) for c in record["s2c"]]
    return record["meta"], c2s, s2c


def chunked(chunks, mode):
    joined = b"".join(chunks)
    if mode == "recorded":
        return chunks
    if mode == "whole":
        return [joined]
    return [joined[i : i + 1] for i in range(len(joined))]


MODES = ["recorded", "whole", "bytewise"]


@pytest.mark.parametrize("name", ["websockets_client_deflate", "websockets_client_plain"])
@pytest.mark.parametrize("mode", MODES)
def test_real_client_against_our_server(name, mode):
    meta, c2s, s2c = load(name)
    server = WsServer(
        CsmsConfig(path_prefix=meta["path_prefix"], versions=tuple(meta["versions"])), now=0.0
    )
    seen = []
    out = b""
    for chunk in chunked(c2s, mode):
        server.receive_data(chunk, 0.0)
        for event in server.events():
            seen.append(event)
            if isinstance(event, ev.ConnectionRequested):
                server.accept()
            elif isinstance(event, ev.TextMessage) and server.state == "open":
                server.send_text(RESULT if event.text == CALL else SECOND_RESULT)
        out += server.data_to_send()
    requested = seen[0]
    assert isinstance(requested, ev.ConnectionRequested)
    assert requested.identity == meta["identity"] == "CP 01"
    assert requested.subprotocols == ("ocpp2.0.1", "ocpp1.6")
    assert (requested.username, requested.password) == (meta["identity"], meta["password"])
    assert [e.text for e in seen if isinstance(e, ev.TextMessage)] == meta["messages"]
    assert seen[-1] == ev.ConnectionClosed(1000, "", ev.REMOTE, True)
    assert server.state == CLOSED and server.version == "2.0.1"
    if mode == "whole":
        # Everything, close included, came before accept(): no replies could go out.
        assert out.startswith(s2c[0])
    else:
        assert out == b"".join(s2c)  # byte for byte what the real client got


def station(meta):
    return StationConfig(
        url=f"ws://127.0.0.1:{meta['port']}{meta['url_path']}",
        identity=meta["identity"],
        versions=tuple(meta["versions"]),
        password=meta["password"],
        permessage_deflate=meta["compression"] is not None,
        key_factory=lambda: base64.b64decode(meta["key_base64"]),
    )


@pytest.mark.parametrize("name", ["websockets_server_deflate", "websockets_server_plain"])
@pytest.mark.parametrize("mode", MODES)
def test_our_client_against_real_server(name, mode):
    meta, c2s, s2c = load(name)
    client = WsClient(station(meta), now=0.0)
    assert client.data_to_send() == c2s[0]  # the request, byte for byte
    seen = []
    for chunk in chunked(s2c, mode):
        client.receive_data(chunk, 0.0)
        for event in client.events():
            seen.append(event)
            if isinstance(event, ev.TextMessage) and client.state == "open":
                client.send_text(RESULT)
    client.receive_data(b"", 0.0)
    connected = seen[0]
    assert isinstance(connected, ev.Connected)
    assert (connected.version, connected.subprotocol) == ("2.0.1", "ocpp2.0.1")
    assert ("server", "recorder") in connected.headers
    if meta["compression"]:
        assert connected.extensions[0].startswith("permessage-deflate")
    else:
        assert connected.extensions == ()
    assert seen[1] == ev.TextMessage(CALL)
    assert seen[-1] == ev.ConnectionClosed(1000, "bye", ev.REMOTE, True)


@pytest.mark.parametrize(
    ("name", "status", "body"),
    [
        ("websockets_server_reject401", 401, b"bad credentials\n"),
        ("websockets_server_no_common", 400, b"invalid subprotocol"),
    ],
)
@pytest.mark.parametrize("mode", MODES)
def test_real_server_rejections(name, status, body, mode):
    meta, c2s, s2c = load(name)
    client = WsClient(station(meta), now=0.0)
    assert client.data_to_send() == c2s[0]
    for chunk in chunked(s2c, mode):
        client.receive_data(chunk, 0.0)
    client.receive_data(b"", 0.0)
    failed, closed = list(client.events())
    assert failed.kind == ev.REJECTED and failed.status_code == status
    assert body in failed.body
    assert closed.initiator == ev.TRANSPORT
