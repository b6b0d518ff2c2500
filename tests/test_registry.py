"""ocpp_core.registry: the CSMS's decision when an identity with an open connection
connects again, on real sans-IO connections wired in memory."""

import pytest

from ocpp_core import events as ev
from ocpp_core.handlers import Accept, Reject, settle_request
from ocpp_core.registry import (
    DUPLICATE_BODY,
    REPLACED_CODE,
    REPLACED_REASON,
    settle_duplicate,
)
from ocpp_core.testing import ConnectionPair
from ocpp_core.ws import CsmsConfig, StationConfig
from ocpp_core.ws.config import DUPLICATE_REJECT, DUPLICATE_REPLACE

POLICIES = [DUPLICATE_REPLACE, DUPLICATE_REJECT]


def pair(policy=DUPLICATE_REPLACE):
    station = StationConfig(url="ws://csms/ocpp", identity="CP1", versions=("2.0.1",))
    return ConnectionPair(station, CsmsConfig(path_prefix="/ocpp/", duplicate_identity=policy))


def open_pair(policy=DUPLICATE_REPLACE):
    connected = pair(policy)
    connected.connect()
    return connected


def deciding_pair(policy=DUPLICATE_REPLACE):
    """A second station of the same identity whose request waits for the CSMS's answer."""
    waiting = pair(policy)
    waiting.pump()
    assert isinstance(waiting.csms.next_event(), ev.ConnectionRequested)
    return waiting


def test_config_knob_defaults_to_replace_and_is_checked():
    assert CsmsConfig().duplicate_identity == "replace"
    assert CsmsConfig(duplicate_identity="reject").duplicate_identity == "reject"
    with pytest.raises(ValueError, match="duplicate_identity"):
        CsmsConfig(duplicate_identity="keep-both")
    with pytest.raises(ValueError, match="policy"):
        settle_duplicate("keep-both", Accept(), None)


@pytest.mark.parametrize("policy", POLICIES)
def test_a_first_connection_is_no_duplicate(policy):
    accept = Accept()
    outcome = settle_duplicate(policy, accept, None)
    assert outcome.answer is accept
    assert outcome.close_current is None and outcome.note is None


def test_replace_accepts_the_new_one_and_closes_the_old_one_normally():
    old = open_pair()
    new = deciding_pair()
    accept = Accept()
    outcome = settle_duplicate(DUPLICATE_REPLACE, accept, old.csms)
    assert outcome.answer is accept  # on_connect's own answer, with its settings
    assert outcome.close_current == (1000, "replaced by a new connection of the same identity")
    assert outcome.note
    router, problem = settle_request(new.csms, outcome.answer)
    assert (router, problem) == (None, None) and new.csms.state == "open"
    old.csms.close(*outcome.close_current)
    old.pump()
    events = list(old.station.events())
    assert events[-1] == ev.ConnectionClosed(REPLACED_CODE, REPLACED_REASON, ev.REMOTE, True)
    new.pump()
    assert isinstance(new.station.next_event(), ev.Connected)


def test_reject_refuses_the_new_handshake_with_409_and_keeps_the_old_one():
    old = open_pair(DUPLICATE_REJECT)
    new = deciding_pair(DUPLICATE_REJECT)
    outcome = settle_duplicate(DUPLICATE_REJECT, Accept(), old.csms)
    assert isinstance(outcome.answer, Reject) and outcome.answer.status == 409
    assert outcome.close_current is None and outcome.note
    settle_request(new.csms, outcome.answer)
    new.pump()
    wire = bytes(new.wire_csms_to_station)
    assert wire.startswith(b"HTTP/1.1 409 Conflict\r\n") and wire.endswith(DUPLICATE_BODY)
    failed = new.station.next_event()
    assert isinstance(failed, ev.HandshakeFailed)
    assert (failed.kind, failed.status_code) == ("rejected", 409)
    assert old.csms.state == "open" and old.station.state == "open"


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize(
    "answer",
    [Reject(401), Reject(404), RuntimeError("on_connect failed")],
    ids=["reject-401", "reject-404", "on-connect-raises"],  # stable across xdist workers
)
def test_on_connect_refusal_wins_and_reveals_nothing(policy, answer):
    old = open_pair(policy)
    outcome = settle_duplicate(policy, answer, old.csms)
    assert outcome.answer is answer
    assert outcome.close_current is None and outcome.note is None


@pytest.mark.parametrize("policy", POLICIES)
def test_a_connection_already_closing_or_closed_is_no_conflict(policy):
    closing = open_pair(policy)
    closing.csms.close(1001, "going away")  # our close frame is out, no answer yet
    assert closing.csms.state == "closing"
    closed = open_pair(policy)
    closed.close()
    assert closed.csms.state == "closed"
    for current in (closing.csms, closed.csms):
        accept = Accept()
        outcome = settle_duplicate(policy, accept, current)
        assert outcome.answer is accept and outcome.close_current is None
