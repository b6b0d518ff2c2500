"""StationConnection / CsmsConnection through ConnectionPair: full sessions, no sockets."""

import datetime
import json

import pytest

from ocpp_core import events as ev
from ocpp_core.connection import CsmsConnection, StationConnection
from ocpp_core.errors import LocalProtocolError
from ocpp_core.testing import ConnectionPair
from ocpp_core.v16 import messages as m16
from ocpp_core.v21 import messages as m21
from ocpp_core.v201 import messages as m201
from ocpp_core.ws import OVERSIZE_CALLERROR, CsmsConfig, StationConfig

NOW = datetime.datetime(2026, 11, 25, 17, 0, tzinfo=datetime.timezone.utc)
PASSWORD = "0123456789abcdef"


def pair(versions=("2.0.1",), csms_versions=("2.1", "2.0.1", "1.6"), chunk_size=None, **kw):
    station_options = kw.pop("station", {})
    csms_options = kw.pop("csms", {})
    station = StationConfig(
        url="ws://csms.example/ocpp",
        identity="CP 01",
        versions=versions,
        password=PASSWORD,
        **station_options,
    )
    csms = CsmsConfig(path_prefix="/ocpp/", versions=csms_versions, **csms_options)
    return ConnectionPair(station, csms, chunk_size=chunk_size)


def exchange(p, request, response):
    """Station calls, CSMS answers; returns the station's CallResultReceived."""
    message_id = p.station.call(request, p.now)
    p.pump()
    received = p.csms.next_event()
    assert isinstance(received, ev.CallReceived), received
    assert received.message_id == message_id and received.message == request
    p.csms.reply(message_id, response)
    p.pump()
    result = p.station.next_event()
    assert isinstance(result, ev.CallResultReceived), result
    assert result.message_id == message_id and result.message == response
    return result


def session_16(p):
    exchange(
        p,
        m16.BootNotificationRequest(charge_point_vendor="Vendor", charge_point_model="Model"),
        m16.BootNotificationResponse(
            status=m16.RegistrationStatus.Accepted, current_time=NOW, interval=300
        ),
    )
    exchange(p, m16.HeartbeatRequest(), m16.HeartbeatResponse(current_time=NOW))
    exchange(
        p,
        m16.StartTransactionRequest(connector_id=1, id_tag="TAG1", meter_start=0, timestamp=NOW),
        m16.StartTransactionResponse(
            id_tag_info=m16.IdTagInfo(status=m16.AuthorizationStatus.Accepted), transaction_id=42
        ),
    )
    exchange(
        p,
        m16.MeterValuesRequest(
            connector_id=1,
            transaction_id=42,
            meter_value=[
                m16.MeterValue(timestamp=NOW, sampled_value=[m16.SampledValue(value="1234")])
            ],
        ),
        m16.MeterValuesResponse(),
    )
    exchange(
        p,
        m16.StopTransactionRequest(transaction_id=42, meter_stop=5000, timestamp=NOW),
        m16.StopTransactionResponse(),
    )


def session_2x(p, m):
    exchange(
        p,
        m.BootNotificationRequest(
            charging_station=m.ChargingStation(model="Model", vendor_name="Vendor"),
            reason=m.BootReason.PowerUp,
        ),
        m.BootNotificationResponse(
            status=m.RegistrationStatus.Accepted, current_time=NOW, interval=300
        ),
    )
    exchange(p, m.HeartbeatRequest(), m.HeartbeatResponse(current_time=NOW))
    sample = [m.MeterValue(timestamp=NOW, sampled_value=[m.SampledValue(value=1234.5)])]
    for seq, (event_type, trigger) in enumerate(
        [
            (m.TransactionEvent.Started, m.TriggerReason.Authorized),
            (m.TransactionEvent.Updated, m.TriggerReason.MeterValuePeriodic),
            (m.TransactionEvent.Ended, m.TriggerReason.StopAuthorized),
        ]
    ):
        exchange(
            p,
            m.TransactionEventRequest(
                event_type=event_type,
                timestamp=NOW,
                trigger_reason=trigger,
                seq_no=seq,
                transaction_info=m.Transaction(transaction_id="tx-1"),
                meter_value=sample,
            ),
            m.TransactionEventResponse(),
        )
        if seq == 1:
            exchange(
                p, m.MeterValuesRequest(evse_id=1, meter_value=sample), m.MeterValuesResponse()
            )


@pytest.mark.parametrize("chunk_size", [None, 1, 7])
@pytest.mark.parametrize(
    ("version", "run"),
    [
        ("1.6", session_16),
        ("2.0.1", lambda p: session_2x(p, m201)),
        ("2.1", lambda p: session_2x(p, m21)),
    ],
)
def test_full_session(version, run, chunk_size):
    p = pair(versions=(version,), chunk_size=chunk_size)
    assert p.connect() == version
    assert p.station.rpc.version == p.csms.rpc.version == version
    assert p.csms.identity == "CP 01"
    run(p)
    # The CSMS can call too, in the same connection.
    if version == "1.6":
        request = m16.GetConfigurationRequest()
        response = m16.GetConfigurationResponse()
    else:
        mod = m201 if version == "2.0.1" else m21
        request = mod.GetLocalListVersionRequest()
        response = mod.GetLocalListVersionResponse(version_number=3)
    message_id = p.csms.call(request, p.now)
    p.pump()
    received = p.station.next_event()
    assert isinstance(received, ev.CallReceived) and received.message == request
    p.station.reply(message_id, response)
    p.pump()
    assert p.csms.next_event().message == response
    p.close(1000, "done")
    assert p.station.next_event() == ev.ConnectionClosed(1000, "done", ev.LOCAL, True)
    assert p.csms.next_event() == ev.ConnectionClosed(1000, "done", ev.REMOTE, True)
    assert p.station.state == p.csms.state == "closed"
    # The wire carried OCPP-J text (server frames are unmasked, so readable).
    assert b'"currentTime":"2026-11-25T17:00:00' in bytes(p.wire_csms_to_station)


@pytest.mark.parametrize(
    ("offered", "enabled", "expected"),
    [
        (("1.6",), ("2.1", "2.0.1", "1.6"), "1.6"),
        (("2.0.1", "1.6"), ("1.6", "2.0.1"), "1.6"),  # the server's preference wins
        (("2.1", "2.0.1"), ("2.0.1", "2.1"), "2.0.1"),
        (("2.0.1", "2.1"), ("2.1", "2.0.1", "1.6"), "2.1"),
    ],
)
def test_negotiated_version_reaches_every_layer(offered, enabled, expected):
    p = pair(versions=offered, csms_versions=enabled)
    assert p.connect() == expected
    assert p.station.version == p.csms.version == expected
    assert p.station.rpc.version == p.csms.rpc.version == expected
    assert p.station.rpc.codec.version == p.csms.rpc.codec.version == expected


def test_explicit_choice_on_accept():
    p = pair(versions=("2.0.1", "1.6"))
    assert p.connect("ocpp1.6") == "1.6"


def test_no_common_version_closes_right_after_handshake():
    p = pair(versions=("2.0.1",), csms_versions=("1.6",))
    p.pump()
    assert p.csms.next_event().versions == ()
    p.csms.accept()
    p.pump()
    failed, closed = list(p.station.events())
    assert failed.kind == ev.NO_SUBPROTOCOL and closed.initiator == ev.TRANSPORT
    assert p.csms.rpc is None
    p.station.receive_data(b"", p.now)  # the station drops the TCP connection
    p.csms.receive_data(b"", p.now)
    assert list(p.csms.events())[-1].code == 1002


@pytest.mark.parametrize(("status", "body"), [(401, b""), (404, b"who?")])
def test_rejection_reaches_station(status, body):
    p = pair()
    p.pump()
    requested = p.csms.next_event()
    assert requested.password == PASSWORD
    p.csms.reject(status, body=body)
    assert p.csms.next_event().initiator == ev.LOCAL
    p.pump()
    failed, closed = list(p.station.events())
    assert (failed.kind, failed.status_code, failed.body) == (ev.REJECTED, status, body)
    assert closed.code == 1006
    with pytest.raises(LocalProtocolError):
        p.station.call(m201.HeartbeatRequest(), p.now)


def test_commands_before_open_are_local_errors():
    p = pair()
    with pytest.raises(LocalProtocolError):
        p.station.call(m201.HeartbeatRequest(), 0.0)
    p.pump()
    with pytest.raises(LocalProtocolError):
        p.csms.call(m201.GetLocalListVersionRequest(), 0.0)


def test_close_cancels_open_calls_before_connection_closed():
    p = pair()
    p.connect()
    message_id = p.station.call(m201.HeartbeatRequest(), p.now)
    p.pump()
    incoming = p.csms.next_event()
    p.close()
    assert list(p.station.events()) == [
        ev.CallCancelled(message_id, "Heartbeat", "WebSocket closed: 1000 "),
        ev.ConnectionClosed(1000, "", ev.LOCAL, True),
    ]
    assert list(p.csms.events()) == [
        ev.IncomingCallCancelled(incoming.message_id, "Heartbeat", "WebSocket closed: 1000 "),
        ev.ConnectionClosed(1000, "", ev.REMOTE, True),
    ]


def test_call_timeout_through_tick():
    p = pair()
    p.connect()
    message_id = p.station.call(m201.HeartbeatRequest(), p.now, timeout=10.0)
    p.pump()
    assert p.station.next_deadline() == 10.0
    p.advance(10.0)
    assert p.station.next_event() == ev.CallTimedOut(message_id, "Heartbeat")


def test_pong_timeout_through_tick_closes_and_cancels():
    p = pair(station={"ping_interval": 30.0, "pong_timeout": 5.0, "close_timeout": 1.0})
    p.connect()
    assert p.station.next_deadline() == 30.0
    p.advance(30.0)  # ping goes out, pong comes back: still open
    assert p.station.state == "open" and p.station.next_deadline() == 60.0
    p.now = 60.0
    p.station.tick(60.0)
    p.station.data_to_send()  # the ping is lost on the way
    message_id = p.station.call(m201.HeartbeatRequest(), 60.0)
    p.station.data_to_send()
    p.station.tick(65.0)
    assert p.station.state == "closing"
    p.station.tick(66.0)
    found = list(p.station.events())
    assert found == [
        ev.CallCancelled(
            message_id,
            "Heartbeat",
            "WebSocket closed: 1011 keepalive ping timeout (no close frame from the peer in time)",
        ),
        ev.ConnectionClosed(
            1011, "keepalive ping timeout (no close frame from the peer in time)", ev.LOCAL, False
        ),
    ]


def test_oversize_call_answered_with_callerror():
    p = pair(
        versions=("2.0.1", "1.6"),
        csms={"max_message_size": 300, "oversize_action": OVERSIZE_CALLERROR},
    )
    version = p.connect()
    request = m201.DataTransferRequest(vendor_id="v", data="x" * 400)
    message_id = p.station.call(request, p.now)
    p.pump()
    too_big = p.csms.next_event()
    assert isinstance(too_big, ev.MessageTooBig) and too_big.size > 400
    error = p.station.next_event()
    assert isinstance(error, ev.CallErrorReceived)
    assert (error.message_id, error.code) == (message_id, "FormatViolation")
    assert version == "2.0.1" and p.csms.state == "open"
    exchange(p, m201.HeartbeatRequest(), m201.HeartbeatResponse(current_time=NOW))


def test_oversize_call_16_uses_formation_violation():
    p = pair(
        versions=("1.6",),
        csms={"max_message_size": 300, "oversize_action": OVERSIZE_CALLERROR},
    )
    p.connect()
    message_id = p.station.call(m16.DataTransferRequest(vendor_id="v", data="x" * 400), p.now)
    p.pump()
    error = next(e for e in p.station.events() if isinstance(e, ev.CallErrorReceived))
    assert (error.message_id, error.code) == (message_id, "FormationViolation")


def test_oversize_close_mode_closes_with_1009():
    p = pair(csms={"max_message_size": 300})
    p.connect()
    p.station.call(m201.DataTransferRequest(vendor_id="v", data="x" * 400), p.now)
    p.pump()
    violation, closed = list(p.csms.events())
    assert violation.close_code == 1009
    assert closed == ev.ConnectionClosed(1009, "message too big", ev.LOCAL, True)


def test_bad_ocpp_text_is_answered_by_rpc_session_not_raised():
    p = pair()
    p.connect()
    p.station.ws.send_text('[2,"x1","NoSuchAction",{}]')
    p.pump()
    rejected = p.csms.next_event()
    assert isinstance(rejected, ev.CallRejected)
    answer = json.loads(rejected.answered_with)
    assert answer[:3] == [4, "x1", "NotImplemented"]


def test_connection_classes_take_configs_directly():
    station = StationConnection(
        StationConfig(url="ws://h/ocpp", identity="CP1", versions=("1.6",)), now=0.0
    )
    csms = CsmsConnection(CsmsConfig(path_prefix="/ocpp/"), now=0.0)
    csms.receive_data(station.data_to_send(), 0.0)
    assert csms.next_event().identity == "CP1"
    csms.accept()
    station.receive_data(csms.data_to_send(), 0.0)
    assert station.next_event() == ev.Connected("1.6", "ocpp1.6")
    # Default ids are random UUIDs (2.1 wants ids unique across connections).
    message_id = station.call(m16.HeartbeatRequest(), 0.0)
    assert len(message_id) == 36 and message_id.count("-") == 4
