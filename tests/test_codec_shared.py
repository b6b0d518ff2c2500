"""Shared per-version data: one default Codec per version for every connection, shared
decoder tables, one message-id source, one type-name table per version; and what must
stay per connection (a user's codec_factory, a quirks policy's own Codec)."""

import base64
import os
import re
import threading

import pytest

from ocpp_core import codec as codec_module
from ocpp_core import events as ev
from ocpp_core.codec import Codec
from ocpp_core.connection import CsmsConnection, StationConnection
from ocpp_core.errors import RemoteProtocolError
from ocpp_core.ids import CounterIds
from ocpp_core.quirks import QuirksPolicy
from ocpp_core.rpc import RpcSession, _parts
from ocpp_core.v16 import messages as m16
from ocpp_core.ws import CsmsConfig, StationConfig

UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
LOWER_CASE_STATUS = b'{"connectorId":1,"errorCode":"NoError","status":"available"}'


def open_csms(version="1.6", **options):
    """A CsmsConnection through its handshake (a hand-made upgrade request)."""
    core = CsmsConnection(CsmsConfig(path_prefix="/ocpp/", versions=(version,)), now=0.0)
    key = base64.b64encode(os.urandom(16)).decode()
    subprotocol = "ocpp1.6" if version == "1.6" else "ocpp" + version
    request = (
        "GET /ocpp/CP1 HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
        f"Sec-WebSocket-Protocol: {subprotocol}\r\n\r\n"
    )
    core.receive_data(request.encode(), 0.0)
    assert isinstance(core.next_event(), ev.ConnectionRequested)
    core.accept(**options)
    assert core.state == "open" and core.rpc is not None
    return core


def test_two_connections_share_one_default_codec():
    first, second = open_csms(), open_csms()
    assert first.rpc.codec is second.rpc.codec
    assert isinstance(first.rpc.codec, Codec)
    assert open_csms("2.0.1").rpc.codec is not first.rpc.codec
    assert open_csms("2.0.1").rpc.codec.version == "2.0.1"


def test_sessions_share_the_default_codec_and_type_table():
    one = RpcSession("csms", "1.6", CounterIds())
    two = RpcSession("station", "1.6", CounterIds())
    assert one.codec is two.codec is _parts.default_codec("1.6")
    assert one._by_type_name is two._by_type_name
    assert one._by_type_name["HeartbeatRequest"] == "Heartbeat"
    assert one._by_type_name["BootNotificationResponse"] == "BootNotification"


def test_a_codec_factory_is_honoured():
    made = []

    def factory(version):
        codec = Codec(version)
        made.append(codec)
        return codec

    core = open_csms(codec_factory=factory)
    assert made == [core.rpc.codec]
    assert core.rpc.codec is not _parts.default_codec("1.6")
    station = StationConnection(
        StationConfig(url="ws://x/ocpp", identity="CP1"), codec_factory=factory, now=0.0
    )
    assert station.rpc is None  # the factory runs once a version is agreed


def test_a_quirks_policy_gets_its_own_codec():
    policy = QuirksPolicy(enum_case=True)
    core = open_csms(codec_factory=lambda version: Codec(version, quirks=policy))
    lenient = core.rpc.codec
    default = open_csms().rpc.codec
    assert lenient is not default and lenient.quirks is policy and default.quirks is None
    with pytest.raises(RemoteProtocolError):
        default.decode_request("StatusNotification", LOWER_CASE_STATUS, "m1")
    fixed = lenient.decode_request("StatusNotification", LOWER_CASE_STATUS, "m1")
    assert fixed.message.status == "Available"
    assert [warning.knob for warning in fixed.warnings] == ["enum_case"]
    # ... and the default one still refuses afterwards: the decoders they share carry
    # no policy.
    with pytest.raises(RemoteProtocolError):
        default.decode_request("StatusNotification", LOWER_CASE_STATUS, "m2")


def test_codecs_of_a_version_share_tables_and_decoders_not_their_own_view():
    one, two = Codec("1.6"), Codec("1.6", quirks=QuirksPolicy(enum_case=True))
    assert one._tables is two._tables and one._frame_decoder is two._frame_decoder
    one.decode_request("Heartbeat", b"{}")
    assert two._decoders[1] == {}  # a codec's own view fills on its first use ...
    two.decode_request("Heartbeat", b"{}")
    assert two._decoders[1]["Heartbeat"] is one._decoders[1]["Heartbeat"]  # ... shared
    loose = Codec("1.6", strict=False)
    loose.decode_request("Heartbeat", b"{}")
    assert loose._decoders[1]["Heartbeat"] is not one._decoders[1]["Heartbeat"]


def test_threads_racing_on_empty_caches_see_whole_entries(monkeypatch):
    monkeypatch.setattr(codec_module, "_TABLES", {})
    monkeypatch.setattr(_parts, "_DEFAULT_CODECS", {})
    start = threading.Barrier(8)
    got, failures = [], []

    def work():
        try:
            start.wait(timeout=10)
            codec = _parts.default_codec("1.6")
            for n in range(50):
                text = codec.encode_call(str(n), m16.HeartbeatRequest())
                frame = codec.decode_frame(text)
                codec.decode_request(frame.action, frame.payload, frame.message_id)
                try:  # a codec of its own, built while the others build theirs
                    Codec("1.6").decode_request("StatusNotification", LOWER_CASE_STATUS)
                except RemoteProtocolError:
                    pass
                else:
                    failures.append("a lower-case status was accepted")
            got.append(codec)
        except Exception as error:  # what the test is looking for
            failures.append(error)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    assert len(got) == 8 and all(codec is got[0] for codec in got)
    assert codec_module._TABLES["1.6"] is got[0]._tables


def test_default_message_ids_are_one_shared_random_uuid4_source():
    first, second = open_csms(), open_csms()
    assert first._id_factory is second._id_factory
    ids = {first._id_factory() for _ in range(200)}
    assert len(ids) == 200 and all(UUID4.match(one) for one in ids)
