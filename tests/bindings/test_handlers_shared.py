"""The helpers every binding shares since trio and threads joined asyncio
(ocpp_core.handlers: answer_unhandled, answer_call, settle_request, HandshakeError), on a
real station and CSMS talking through memory (ocpp_core.testing.ConnectionPair)."""

import pytest

from ocpp_core import events as ev
from ocpp_core.config import RpcConfig
from ocpp_core.handlers import (
    Accept,
    CallError,
    CallTimeout,
    HandshakeError,
    Reject,
    Router,
    answer_call,
    answer_unhandled,
    call_outcome,
    settle_request,
)
from ocpp_core.quirks import QuirksPolicy
from ocpp_core.testing import ConnectionPair
from ocpp_core.ws import CsmsConfig, StationConfig
from tests.bindings import builders as b

VERSIONS = ["1.6", "2.0.1", "2.1"]


def pair_for(version):
    return ConnectionPair(
        StationConfig(url="ws://csms/ocpp", identity="CP1", versions=(version,)),
        CsmsConfig(path_prefix="/ocpp/", versions=(version,)),
    )


def open_pair(version):
    pair = pair_for(version)
    pair.connect()
    return pair


def station_calls(pair, request):
    """The station's CALL as the CSMS's CallReceived."""
    pair.station.call(request, pair.now)
    pair.pump()
    event = pair.csms.next_event()
    assert isinstance(event, ev.CallReceived), event
    return event


def station_outcome(pair):
    pair.pump()
    (event,) = list(pair.station.events())
    return event


@pytest.mark.parametrize("version", VERSIONS)
def test_answer_unhandled_answers_not_supported_and_returns_the_handler(version):
    pair = open_pair(version)
    router = Router()
    boot = b.boot_response(version)
    router.add(type(b.boot_request(version)), lambda conn, request: boot)
    event = station_calls(pair, b.data_transfer(version))
    assert answer_unhandled(pair.csms, router, event) is None
    with pytest.raises(CallError) as caught:
        call_outcome(station_outcome(pair))
    assert caught.value.code == "NotSupported"
    event = station_calls(pair, b.boot_request(version))
    handler = answer_unhandled(pair.csms, router, event)
    assert handler is not None and pair.csms.data_to_send() == b""  # nothing answered yet
    assert answer_call(pair.csms, event.message_id, handler(None, event.message)) is None
    assert call_outcome(station_outcome(pair)) == boot


@pytest.mark.parametrize(
    ("error", "code", "logged"),
    [
        (CallError("SecurityError", "not you", {"a": 1}), "SecurityError", False),
        (CallError("NoSuchCode", "bad code"), "InternalError", True),
        (ValueError("database down"), "InternalError", True),
    ],
)
def test_answer_call_with_a_handler_error(error, code, logged):
    pair = open_pair("2.0.1")
    event = station_calls(pair, b.heartbeat_request("2.0.1"))
    problem = answer_call(pair.csms, event.message_id, error=error)
    assert (problem is not None) == logged
    with pytest.raises(CallError) as caught:
        call_outcome(station_outcome(pair))
    assert caught.value.code == code
    assert "database" not in caught.value.description


def test_answer_call_with_a_response_the_protocol_forbids_is_internal_error():
    pair = open_pair("2.0.1")
    event = station_calls(pair, b.heartbeat_request("2.0.1"))
    problem = answer_call(pair.csms, event.message_id, b.data_transfer_response("2.0.1"))
    assert "DataTransferResponse" in problem
    with pytest.raises(CallError) as caught:
        call_outcome(station_outcome(pair))
    assert caught.value.code == "InternalError"


def test_answer_call_after_the_connection_ended_sends_nothing():
    pair = open_pair("1.6")
    event = station_calls(pair, b.heartbeat_request("1.6"))
    pair.close()
    assert pair.csms.state == "closed"
    assert answer_call(pair.csms, event.message_id, b.heartbeat_response("1.6")) is None
    assert answer_call(pair.csms, event.message_id, error=ValueError("x")) is not None
    assert pair.csms.data_to_send() == b""


def requested(version="2.0.1"):
    pair = pair_for(version)
    pair.pump()
    assert isinstance(pair.csms.next_event(), ev.ConnectionRequested)
    return pair


def handshake_failure(pair):
    pair.pump()
    failed = next(e for e in pair.station.events() if isinstance(e, ev.HandshakeFailed))
    return HandshakeError(failed)


def test_settle_request_accepts_with_the_station_s_own_settings():
    pair = requested()
    special = Router()
    answer = Accept(rpc_config=RpcConfig(call_timeout=5), router=special, quirks=QuirksPolicy())
    router, problem = settle_request(pair.csms, answer)
    assert (router, problem) == (special, None)
    pair.pump()
    assert pair.csms.state == "open"
    assert isinstance(pair.station.next_event(), ev.Connected)
    assert pair.csms.rpc.config.call_timeout == 5


@pytest.mark.parametrize(
    ("answer", "status", "logged"),
    [
        (Reject(401), 401, False),
        (Reject(404), 404, False),
        (RuntimeError("directory down"), 500, True),
        ("yes", 500, True),  # not an Accept / Reject: a programming error
        (Accept(subprotocol="ocpp1.6"), 500, True),  # not offered by the station
    ],
)
def test_settle_request_refuses(answer, status, logged):
    pair = requested()
    router, problem = settle_request(pair.csms, answer)
    assert router is None and (problem is not None) == logged
    error = handshake_failure(pair)
    assert isinstance(error, ConnectionError) and error.status_code == status


def test_settle_request_after_the_station_left_reports_it():
    pair = requested()
    pair.csms.receive_data(b"", pair.now)  # EOF while on_connect ran
    router, problem = settle_request(pair.csms, Accept())
    assert router is None and "cannot answer" in problem
    assert pair.csms.state == "closed"


def test_a_call_timeout_is_the_core_s():
    pair = open_pair("2.1")
    pair.station.call(b.heartbeat_request("2.1"), pair.now, 1.0)
    pair.pump()
    pair.advance(1.5)
    events = [e for e in pair.station.events() if isinstance(e, ev.CallTimedOut)]
    with pytest.raises(CallTimeout):
        call_outcome(events[0])
