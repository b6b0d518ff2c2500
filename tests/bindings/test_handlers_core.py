"""ocpp_core.handlers: the I/O-free decisions every binding shares."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ocpp_core import events as ev
from ocpp_core.errors import RemoteProtocolError, Violation
from ocpp_core.handlers import (
    Accept,
    Backoff,
    CallError,
    CallTimeout,
    ConnectionClosedError,
    InvalidResponse,
    Reject,
    Router,
    call_outcome,
    decide,
    error_answer,
    heartbeat_interval,
    heartbeat_request,
    unhandled,
    version_and_action,
)
from ocpp_core.quirks import QuirksPolicy
from ocpp_core.v16 import messages as m16
from ocpp_core.v21 import messages as m21
from ocpp_core.v201 import messages as m201
from tests.bindings import builders as b


def test_call_outcome_returns_the_response_or_raises_what_happened():
    response = b.heartbeat_response("2.0.1")
    assert call_outcome(ev.CallResultReceived("1", "Heartbeat", response)) is response
    with pytest.raises(CallError) as caught:
        call_outcome(ev.CallErrorReceived("1", "Reset", "NotSupported", "no", {"a": 1}))
    assert (caught.value.code, caught.value.description, caught.value.details) == (
        "NotSupported",
        "no",
        {"a": 1},
    )
    assert caught.value.action == "Reset"
    with pytest.raises(CallTimeout) as timed_out:
        call_outcome(ev.CallTimedOut("7", "Heartbeat"))
    assert isinstance(timed_out.value, TimeoutError) and timed_out.value.message_id == "7"
    with pytest.raises(ConnectionClosedError) as closed:
        call_outcome(ev.CallCancelled("1", "Heartbeat", "WebSocket closed: 1006"))
    assert closed.value.reason == "WebSocket closed: 1006"
    error = RemoteProtocolError(Violation("type", "TypeConstraintViolation", "$.x", "bad"))
    with pytest.raises(InvalidResponse) as invalid:
        call_outcome(ev.CallResultInvalid("1", "Heartbeat", error, None))
    assert invalid.value.error is error
    with pytest.raises(TypeError):
        call_outcome(ev.CallReceived("1", "Heartbeat", m201.HeartbeatRequest()))


def test_router_keys_handlers_by_version_and_action():
    router = Router()

    @router.on(m201.HeartbeatRequest)
    def beat(conn, request):
        return "2.0.1"

    router.add(m21.NotifyPeriodicEventStream, len)
    assert router.lookup("2.0.1", "Heartbeat") is beat
    assert router.lookup("2.1", "Heartbeat") is None  # same action, other version
    assert router.lookup("1.6", "Heartbeat") is None
    assert router.lookup("2.1", "NotifyPeriodicEventStream") is len
    other = router.copy()
    other.add(m16.HeartbeatRequest, beat)
    assert router.lookup("1.6", "Heartbeat") is None and other.lookup("1.6", "Heartbeat") is beat


def test_version_and_action_refuses_responses_and_foreign_types():
    assert version_and_action(m16.BootNotificationRequest) == ("1.6", "BootNotification")
    assert version_and_action(m21.BootNotificationRequest) == ("2.1", "BootNotification")
    with pytest.raises(ValueError, match="response"):
        version_and_action(m201.BootNotificationResponse)
    with pytest.raises(ValueError, match="not a generated"):
        version_and_action(dict)


def test_unhandled_known_and_unknown_actions():
    assert unhandled("2.0.1", "Reset")[0] == "NotSupported"
    assert unhandled("1.6", "Reset")[0] == "NotSupported"
    assert unhandled("1.6", "TransactionEvent")[0] == "NotImplemented"  # a 2.x action


def test_error_answer():
    assert error_answer("1.6", CallError("GenericError", "d", {"k": 1})) == (
        "GenericError",
        "d",
        {"k": 1},
    )
    # A code of another version is not sent: InternalError instead.
    assert error_answer("1.6", CallError("FormatViolation"))[0] == "InternalError"
    assert error_answer("2.0.1", CallError("FormationViolation"))[0] == "InternalError"
    code, description, details = error_answer("2.0.1", ValueError("secret dsn"))
    assert code == "InternalError" and "secret" not in description and details == {}
    # 2.x descriptions are at most 255 characters; 1.6 has no limit.
    assert len(error_answer("2.1", CallError("GenericError", "x" * 300))[1]) == 255
    assert len(error_answer("1.6", CallError("GenericError", "x" * 300))[1]) == 300


def test_decide_and_accept_settings():
    assert isinstance(decide(Reject(401)), Reject)
    accept = decide(Accept(quirks=QuirksPolicy(zoneless_timestamps_utc=True)))
    codec = accept.codec_factory()("1.6")
    assert codec.version == "1.6" and codec.quirks.zoneless_timestamps_utc
    assert Accept().codec_factory() is None
    for wrong in (None, True, 401):
        with pytest.raises(TypeError):
            decide(wrong)


def test_heartbeat_interval_only_from_an_accepted_boot():
    assert heartbeat_interval("BootNotification", b.boot_response("1.6", 60)) == 60.0
    assert heartbeat_interval("BootNotification", b.boot_response("2.1", 0)) is None
    pending = b.boot_response("2.0.1", 60, "Pending")
    assert heartbeat_interval("BootNotification", pending) is None
    assert heartbeat_interval("Heartbeat", b.heartbeat_response("2.0.1")) is None
    assert heartbeat_request("1.6") == m16.HeartbeatRequest()


@given(
    st.floats(0.01, 10),
    st.floats(1, 4),
    st.floats(0, 1),
    st.integers(0, 10_000),
    st.floats(0, 1, exclude_max=True),
)
def test_backoff_stays_within_its_bounds(initial, factor, jitter, attempt, random):
    backoff = Backoff(initial=initial, maximum=initial * 20, factor=factor, jitter=jitter)
    base = initial
    for _ in range(attempt):  # grow step by step, capped at the maximum
        base = min(initial * 20, base * factor)
    delay = backoff.delay(attempt, random)
    assert base * (1 - jitter) * (1 - 1e-9) <= delay <= base * (1 + 1e-9)


def test_backoff_rejects_nonsense():
    for kwargs in ({"initial": 0}, {"initial": 5, "maximum": 1}, {"factor": 0.5}, {"jitter": 2}):
        with pytest.raises(ValueError):
            Backoff(**kwargs)
