"""RpcSession, byte level: every rule of issue 4, per version, for both roles, per codec.

The frames are compared as exact text: what the session writes is what the peer reads.
"""

import json

import pytest
from test_rpc_support import (
    CODECS,
    NOW,
    OWN_ACTION,
    ROLES,
    TIME,
    VERSIONS,
    call,
    kinds,
    make_codec,
    other,
    request,
    response,
    send_message,
    session,
)

from ocpp_core import versions
from ocpp_core.errors import LocalProtocolError, RemoteProtocolError
from ocpp_core.events import (
    CallCancelled,
    CallErrorReceived,
    CallReceived,
    CallRejected,
    CallResultErrorReceived,
    CallResultInvalid,
    CallResultReceived,
    CallTimedOut,
    IncomingCallCancelled,
    ProtocolViolation,
    SendReceived,
    UnmatchedResponse,
)

V16, V201, V21 = versions.V16, versions.V201, versions.V21

ADDITIONAL = {V16: "FormationViolation", V201: "FormatViolation", V21: "FormatViolation"}
DUPLICATE = {V16: "FormationViolation", V201: "RpcFrameworkError", V21: "RpcFrameworkError"}


@pytest.fixture(params=VERSIONS)
def version(request):
    return request.param


@pytest.fixture(params=ROLES)
def role(request):
    return request.param


@pytest.fixture(params=CODECS)
def codec(request):
    return request.param


def peer_action(role):
    """An action the peer of `role` sends to it."""
    return OWN_ACTION[other(role)]


def incoming(sess, message_id="p1", action=None, payload="{}"):
    """Feed a CALL from the peer; return the event."""
    action = peer_action(sess.role) if action is None else action
    sess.receive_message(f'[2,"{message_id}","{action}",{payload}]', NOW)
    return sess.next_event()


def result_text(message_id, action):
    if action == "Heartbeat":
        return f'[3,"{message_id}",{{"currentTime":"{TIME}"}}]'
    return f'[3,"{message_id}",{{"status":"Accepted"}}]'


def snapshot(sess):
    return (sess.call_in_flight, sess.queued_calls, sess.unanswered_calls, sess.closed)


# --------------------------------------------------------------------------- CALL out


def test_call_goes_out_and_result_is_matched(version, role, codec):
    sess = session(role, version, codec)
    action = OWN_ACTION[role]
    message_id = call(sess, action)
    prefix = role[0]
    assert message_id == prefix + "1"
    assert sess.messages_to_send() == [f'[2,"{prefix}1","{action}",{{}}]']
    assert sess.call_in_flight == message_id
    assert sess.next_deadline() == NOW + 30.0
    sess.receive_message(result_text(message_id, action), NOW + 1)
    event = sess.next_event()
    assert isinstance(event, CallResultReceived)
    assert (event.message_id, event.action) == (message_id, action)
    assert event.message == response(sess, action)
    assert sess.next_event() is None
    assert sess.call_in_flight is None and sess.next_deadline() is None
    assert sess.messages_to_send() == []


def test_one_call_in_flight_queue_is_fifo_and_bounded(version, role, codec):
    sess = session(role, version, codec, max_queued_calls=2)
    action = OWN_ACTION[role]
    first = call(sess, action, NOW)
    second = call(sess, action, NOW + 1)
    third = call(sess, action, NOW + 2)
    assert sess.messages_to_send() == [f'[2,"{first}","{action}",{{}}]']
    assert sess.queued_calls == [second, third]
    before = snapshot(sess)
    with pytest.raises(LocalProtocolError, match="max_queued_calls=2"):
        call(sess, action, NOW + 3)
    assert snapshot(sess) == before
    assert sess.messages_to_send() == []
    # The answer releases the next one, whose clock starts when it is sent.
    sess.receive_message(result_text(first, action), NOW + 10)
    assert sess.messages_to_send() == [f'[2,"{second}","{action}",{{}}]']
    assert sess.next_deadline() == NOW + 10 + 30.0
    sess.receive_message(f'[4,"{second}","InternalError","boom",{{}}]', NOW + 11)
    assert sess.messages_to_send() == [f'[2,"{third}","{action}",{{}}]']
    assert kinds(sess.events()) == ["CallResultReceived", "CallErrorReceived"]


def test_zero_queue_means_call_while_busy_raises(version, role, codec):
    sess = session(role, version, codec, max_queued_calls=0)
    call(sess, OWN_ACTION[role])
    with pytest.raises(LocalProtocolError, match="awaiting its answer"):
        call(sess, OWN_ACTION[role])


def test_timeout_tick_and_release(version, role, codec):
    sess = session(role, version, codec, call_timeout=5)
    action = OWN_ACTION[role]
    first = call(sess, action, NOW)
    second = call(sess, action, NOW + 1, timeout=2)
    sess.messages_to_send()
    assert sess.next_deadline() == NOW + 5
    sess.tick(NOW + 4.999)
    assert sess.next_event() is None
    sess.tick(NOW + 5)
    assert sess.events() == [CallTimedOut(first, action)]
    # the queued CALL went out at the tick, with its own timeout from then
    assert sess.messages_to_send() == [f'[2,"{second}","{action}",{{}}]']
    assert sess.next_deadline() == NOW + 7
    # a reply after the timeout is a late reply: reported, dropped, never answered
    sess.receive_message(result_text(first, action), NOW + 6)
    event = sess.next_event()
    assert isinstance(event, UnmatchedResponse)
    assert (event.message_id, event.kind, event.action) == (first, 3, action)
    assert "late" in event.reason
    assert sess.messages_to_send() == []
    assert sess.call_in_flight == second


def test_reply_after_deadline_counts_as_late(version, role, codec):
    sess = session(role, version, codec, call_timeout=5)
    action = OWN_ACTION[role]
    first = call(sess, action, NOW)
    sess.receive_message(result_text(first, action), NOW + 5)
    assert kinds(sess.events()) == ["CallTimedOut", "UnmatchedResponse"]


def test_call_after_deadline_goes_out_at_once(version, role, codec):
    sess = session(role, version, codec, call_timeout=5)
    action = OWN_ACTION[role]
    call(sess, action, NOW)
    second = call(sess, action, NOW + 6)
    assert kinds(sess.events()) == ["CallTimedOut"]
    assert sess.call_in_flight == second
    assert sess.next_deadline() == NOW + 11


def test_bad_timeout_and_now_are_refused(version, role):
    sess = session(role, version)
    for bad in (0, -1, "5", True):
        with pytest.raises(LocalProtocolError):
            call(sess, OWN_ACTION[role], timeout=bad)
    with pytest.raises(LocalProtocolError, match="now must be a number"):
        sess.receive_message("[]", None)
    with pytest.raises(LocalProtocolError, match="text of one message"):
        sess.receive_message(None, NOW)
    assert sess.events() == []
    assert sess.messages_to_send() == []


def test_call_of_the_other_roles_action_is_refused(version, role, codec):
    sess = session(role, version, codec)
    with pytest.raises(LocalProtocolError, match="cannot send it"):
        call(sess, peer_action(role))
    assert snapshot(sess) == (None, [], [], False)


def test_invalid_request_is_refused_and_state_unchanged(version, role):
    sess = session(role, version)
    action = OWN_ACTION[role]
    with pytest.raises(LocalProtocolError, match="schema"):
        sess.call({"bogus": 1}, NOW, action=action)
    with pytest.raises(LocalProtocolError, match="needs action="):
        sess.call({}, NOW)
    assert snapshot(sess) == (None, [], [], False)
    assert sess.messages_to_send() == []
    # the session still works, and the next id is fresh
    assert call(sess, action) == role[0] + "2"


def test_typed_session_refuses_other_types(version, role):
    if "msgspec" not in CODECS:
        pytest.fail("the msgspec Codec is expected to exist")  # pragma: no cover
    sess = session(role, version, "msgspec")
    action = OWN_ACTION[role]
    with pytest.raises(LocalProtocolError, match="not a dict"):
        sess.call({}, NOW, action=action)
    with pytest.raises(LocalProtocolError, match="takes a request"):
        sess.call(response(sess, action), NOW)
    wrong = V201 if version == V16 else V16
    foreign = request(session(role, wrong, "msgspec"), action)
    with pytest.raises(LocalProtocolError, match="not a message type of OCPP"):
        sess.call(foreign, NOW)
    assert sess.messages_to_send() == []


# --------------------------------------------------------------------------- ids


def test_id_factory_output_is_checked(version, role):
    from ocpp_core.config import RpcConfig
    from ocpp_core.rpc import RpcSession

    ids = iter(["a", "a", "x" * 37, 5, "b", "c"])
    sess = RpcSession(role, version, lambda: next(ids), RpcConfig())
    action = OWN_ACTION[role]
    assert call(sess, action) == "a"
    with pytest.raises(LocalProtocolError, match="still in flight"):
        call(sess, action)
    with pytest.raises(LocalProtocolError, match="longer than 36"):
        call(sess, action)
    with pytest.raises(LocalProtocolError, match="must be a string"):
        call(sess, action)
    assert call(sess, action) == "b"
    assert sess.queued_calls == ["b"]


def test_id_factory_reusing_an_ended_id_is_refused(version, role):
    from ocpp_core.config import RpcConfig
    from ocpp_core.rpc import RpcSession

    ids = iter(["a", "a"])
    sess = RpcSession(role, version, lambda: next(ids), RpcConfig())
    action = OWN_ACTION[role]
    call(sess, action)
    sess.receive_message(result_text("a", action), NOW)
    with pytest.raises(LocalProtocolError, match="earlier CALL"):
        call(sess, action)


def test_retry_reuses_id_only_on_21_with_knob(version, role, codec):
    action = OWN_ACTION[role]
    sess = session(role, version, codec, reuse_id_on_retry=True, call_timeout=5)
    first = call(sess, action, NOW)
    sess.tick(NOW + 5)
    if version != V21:
        with pytest.raises(LocalProtocolError, match=r"needs OCPP 2\.1"):
            call(sess, action, NOW + 6, retry_of=first)
        return
    sess.messages_to_send()
    with pytest.raises(LocalProtocolError, match="no ended CALL"):
        call(sess, action, NOW + 6, retry_of="nope")
    assert call(sess, action, NOW + 6, retry_of=first) == first
    assert sess.messages_to_send() == [f'[2,"{first}","{action}",{{}}]']
    strict = session(role, version, codec, call_timeout=5)
    again = call(strict, action, NOW)
    strict.tick(NOW + 5)
    with pytest.raises(LocalProtocolError, match="reuse_id_on_retry=True"):
        call(strict, action, NOW + 6, retry_of=again)


# --------------------------------------------------------------------------- CALL in


def test_incoming_call_and_reply(version, role, codec):
    sess = session(role, version, codec)
    action = peer_action(role)
    event = incoming(sess, "p1", action)
    assert isinstance(event, CallReceived)
    assert (event.message_id, event.action, event.warnings) == ("p1", action, ())
    assert event.message == request(sess, action)
    assert sess.unanswered_calls == ["p1"]
    sess.reply("p1", response(sess, action))
    assert sess.messages_to_send() == [result_text("p1", action)]
    assert sess.unanswered_calls == []
    with pytest.raises(LocalProtocolError, match="no unanswered CALL with id 'p1'"):
        sess.reply("p1", response(sess, action))
    with pytest.raises(LocalProtocolError, match="no unanswered CALL"):
        sess.reply_error("p1", "InternalError")
    assert sess.messages_to_send() == []


def test_reply_with_wrong_or_invalid_response_is_refused(version, role, codec):
    sess = session(role, version, codec)
    action = peer_action(role)
    incoming(sess, "p1", action)
    own = OWN_ACTION[role]
    if codec == "msgspec":
        with pytest.raises(LocalProtocolError, match=f"needs a {action}Response"):
            sess.reply("p1", response(sess, own))
    else:
        with pytest.raises(LocalProtocolError, match="schema"):
            sess.reply("p1", response(sess, own))
        with pytest.raises(LocalProtocolError, match="dict payload"):
            sess.reply("p1", "text")
    assert sess.unanswered_calls == ["p1"]
    assert sess.messages_to_send() == []
    sess.reply("p1", response(sess, action))
    assert sess.messages_to_send() == [result_text("p1", action)]


def test_reply_error_accepts_only_the_versions_codes(version, role, codec):
    sess = session(role, version, codec)
    incoming(sess, "p1")
    wrong = "FormatViolation" if version == V16 else "FormationViolation"
    with pytest.raises(LocalProtocolError, match=r"not an OCPP .* error code"):
        sess.reply_error("p1", wrong)
    with pytest.raises(LocalProtocolError):
        sess.reply_error("p1", "internalerror")
    if version != V16:
        with pytest.raises(LocalProtocolError, match="more than 255"):
            sess.reply_error("p1", "InternalError", "x" * 256)
    with pytest.raises(LocalProtocolError):
        sess.reply_error("p1", "InternalError", "", ["not", "a", "dict"])
    assert sess.unanswered_calls == ["p1"]
    right = "FormationViolation" if version == V16 else "FormatViolation"
    sess.reply_error("p1", right, "bad", {"k": 1})
    assert sess.messages_to_send() == [f'[4,"p1","{right}","bad",{{"k":1}}]']
    assert sess.unanswered_calls == []


def test_unknown_action_is_not_implemented(version, role, codec):
    sess = session(role, version, codec)
    for action in ("Foo", "heartbeat", "HeartbeatRequest", "/Heartbeat"):
        event = incoming(sess, "p1", action)
        assert isinstance(event, CallRejected)
        assert event.error.code == "NotImplemented"
        assert event.error.violation.kind == versions.UNKNOWN_ACTION
        (text,) = sess.messages_to_send()
        assert text == event.answered_with
        frame = json.loads(text)
        assert frame[:3] == [4, "p1", "NotImplemented"] and frame[4] == {}
        assert repr(action) in frame[3]
    assert sess.unanswered_calls == []
    event = incoming(sess, "p1", "heartbeat")
    assert "did you mean 'Heartbeat'" in event.error.message


def test_action_the_role_never_handles_is_not_supported(version, role, codec):
    sess = session(role, version, codec)
    own = OWN_ACTION[role]  # only this role sends it, so it never receives it
    event = incoming(sess, "p1", own)
    assert isinstance(event, CallRejected)
    (text,) = sess.messages_to_send()
    assert text.startswith('[4,"p1","NotSupported","' + own + " is sent by the " + role)
    assert sess.unanswered_calls == []


def test_bad_payload_gets_the_versions_code_with_path(version, role, codec):
    sess = session(role, version, codec)
    event = incoming(sess, "p1", payload='{"bogus":1}')
    assert isinstance(event, CallRejected)
    assert event.error.violation.path == "$.bogus"
    (text,) = sess.messages_to_send()
    frame = json.loads(text)
    assert frame[:3] == [4, "p1", ADDITIONAL[version]]
    assert frame[4] == {"path": "$.bogus"}
    assert frame[3]
    # a payload that is not an object is refused by the framing rules
    sess.receive_message(f'[2,"p2","{peer_action(role)}",[]]', NOW)
    event = sess.next_event()
    assert isinstance(event, CallRejected) and event.message_id == "p2"
    assert json.loads(sess.messages_to_send()[0])[:2] == [4, "p2"]
    assert sess.unanswered_calls == []


def test_duplicate_id_in_progress_gets_error_and_first_keeps_answer(version, role, codec):
    sess = session(role, version, codec)
    action = peer_action(role)
    incoming(sess, "p1", action)
    event = incoming(sess, "p1", action)
    assert isinstance(event, CallRejected)
    assert event.error.violation.kind == versions.DUPLICATE_ID
    (text,) = sess.messages_to_send()
    assert json.loads(text)[:3] == [4, "p1", DUPLICATE[version]]
    assert sess.unanswered_calls == ["p1"]
    sess.reply("p1", response(sess, action))
    assert sess.messages_to_send() == [result_text("p1", action)]
    # once answered, the id may come again (only ids in progress are tracked)
    assert isinstance(incoming(sess, "p1", action), CallReceived)


def test_too_many_unanswered_calls(version, role, codec):
    sess = session(role, version, codec, max_incoming_calls=2)
    incoming(sess, "p1")
    incoming(sess, "p2")
    event = incoming(sess, "p3")
    assert isinstance(event, CallRejected)
    (text,) = sess.messages_to_send()
    assert json.loads(text)[:3] == [4, "p3", "GenericError"]
    assert sess.unanswered_calls == ["p1", "p2"]


@pytest.mark.parametrize(
    "text",
    [
        "nope",
        "",
        "[2,",
        '{"a": 1}',
        "[]",
        '[2, 5, "Heartbeat", {}]',
        '[2,"' + "x" * 37 + '","Heartbeat",{}]',
        '["2","1","Heartbeat",{}]',
    ],
)
def test_unreadable_id_is_answered_with_minus_one_on_2x(version, role, codec, text):
    if version == V16 and "x" * 37 in text:
        return  # 1.6 echoes a too-long id: test_too_long_id_is_echoed_on_16
    sess = session(role, version, codec)
    sess.receive_message(text, NOW)
    event = sess.next_event()
    assert isinstance(event, ProtocolViolation)
    assert isinstance(event.error, RemoteProtocolError)
    sent = sess.messages_to_send()
    if version == V16:
        assert event.answered_with is None and sent == []
        return
    assert sent == [event.answered_with]
    frame = json.loads(sent[0])
    assert frame[:3] == [4, "-1", "RpcFrameworkError"]
    assert isinstance(frame[3], str) and frame[3]


def test_too_long_id_is_echoed_on_16(role, codec):
    # J16 §4.2.3 names "identifier too long" as a CALLERROR case and 1.6 has no "-1"
    # id: the answer carries the CALL's id as received, the only one that correlates.
    long_id = "x" * 37
    sess = session(role, V16, codec)
    sess.receive_message('[2,"' + long_id + '","Heartbeat",{}]', NOW)
    event = sess.next_event()
    sent = sess.messages_to_send()
    assert len(sent) == 1 and event.answered_with == sent[0]
    frame = json.loads(sent[0])
    assert frame[:3] == [4, long_id, "FormationViolation"]
    assert frame[4] == {}
    # the session goes on: the next CALL is handled as usual
    sess.receive_message('[2,"ok-1","Heartbeat",{}]', NOW)
    assert sess.next_event().message_id == "ok-1"


def test_unreadable_id_on_16_with_knob(role, codec):
    sess = session(role, V16, codec, answer_unreadable_id_v16=True)
    sess.receive_message("nope", NOW)
    assert sess.messages_to_send() == [
        '[4,"-1","FormationViolation","the message is not valid JSON",{}]'
    ]
    # a broken reply is still never answered
    sess.receive_message("[3, 5, {}]", NOW)
    assert sess.messages_to_send() == []


def test_broken_json_with_readable_id_is_answered_with_that_id(version, role, codec):
    sess = session(role, version, codec)
    # trailing data after a complete frame makes the text invalid JSON
    sess.receive_message('[2,"p9","Heartbeat",{}] trailing', NOW)
    event = sess.next_event()
    assert isinstance(event, CallRejected) or isinstance(event, ProtocolViolation)
    (text,) = sess.messages_to_send()
    frame = json.loads(text)
    assert frame[:2] == [4, "p9"]
    expected = {V16: "FormationViolation", V201: "FormatViolation", V21: "FormatViolation"}
    assert frame[2] == expected[version]
    # still usable
    assert isinstance(incoming(sess, "p10"), CallReceived)


@pytest.mark.parametrize("kind", [1, 7, 8])
def test_unknown_message_type(version, role, codec, kind):
    sess = session(role, version, codec)
    sess.receive_message(f'[{kind},"m1",{{}}]', NOW)
    event = sess.next_event()
    assert isinstance(event, ProtocolViolation)
    assert event.error.violation.kind == versions.MESSAGE_TYPE
    if version == V201:
        assert sess.messages_to_send() == [event.answered_with]
        assert json.loads(event.answered_with)[:3] == [4, "m1", "MessageTypeNotSupported"]
    else:
        assert event.answered_with is None
        assert sess.messages_to_send() == []


def test_unknown_message_type_knob(version, role, codec):
    quiet = session(role, version, codec, answer_unknown_message_type=False)
    quiet.receive_message('[7,"m1",{}]', NOW)
    assert quiet.messages_to_send() == []
    loud = session(role, version, codec, answer_unknown_message_type=True)
    loud.receive_message('[7,"m1",{}]', NOW)
    expected = "FormationViolation" if version == V16 else "MessageTypeNotSupported"
    assert json.loads(loud.messages_to_send()[0])[:3] == [4, "m1", expected]


def test_21_types_are_unknown_before_21(version, role, codec):
    sess = session(role, version, codec)
    sess.receive_message('[6,"m1","NotifyPeriodicEventStream",{}]', NOW)
    sess.receive_message('[5,"m2","GenericError","",{}]', NOW)
    events = sess.events()
    if version == V21:
        assert kinds(events) == ["ProtocolViolation", "UnmatchedResponse"]
        assert sess.messages_to_send() == []
    else:
        assert kinds(events) == ["ProtocolViolation", "ProtocolViolation"]
        for event in events:
            assert event.error.violation.kind == versions.MESSAGE_TYPE


# --------------------------------------------------------------------------- replies in


def test_callerror_is_never_swallowed(version, role, codec):
    sess = session(role, version, codec)
    action = OWN_ACTION[role]
    message_id = call(sess, action)
    sess.receive_message(f'[4,"{message_id}","NotSupported","no",{{"x":[1]}}]', NOW + 1)
    assert sess.events() == [
        CallErrorReceived(message_id, action, "NotSupported", "no", {"x": [1]})
    ]
    assert sess.call_in_flight is None
    assert sess.messages_to_send() == [f'[2,"{message_id}","{action}",{{}}]']


def test_invalid_result_ends_call_and_21_sends_callresulterror(version, role, codec):
    sess = session(role, version, codec)
    action = OWN_ACTION[role]
    first = call(sess, action)
    second = call(sess, action)
    sess.messages_to_send()
    field = "currentTime" if action == "Heartbeat" else "status"
    sess.receive_message(f'[3,"{first}",{{"{field}":5}}]', NOW + 1)
    event = sess.next_event()
    assert isinstance(event, CallResultInvalid)
    assert (event.message_id, event.action) == (first, action)
    assert event.error.code == "TypeConstraintViolation"
    assert event.error.violation.path == "$." + field
    sent = sess.messages_to_send()
    if version == V21:
        assert sent[0] == event.answered_with
        frame = json.loads(sent[0])
        assert frame[:3] == [5, first, "TypeConstraintViolation"]
        assert frame[4] == {"path": "$." + field}
        sent = sent[1:]
    else:
        assert event.answered_with is None
    assert sent == [f'[2,"{second}","{action}",{{}}]']


def test_21_callresulterror_knob(role, codec):
    sess = session(role, V21, codec, send_call_result_error=False)
    first = call(sess, OWN_ACTION[role])
    sess.messages_to_send()
    sess.receive_message(f'[3,"{first}",{{"bogus":1}}]', NOW)
    assert sess.next_event().answered_with is None
    assert sess.messages_to_send() == []


def test_malformed_reply_frame_for_our_call_ends_it(version, role, codec):
    sess = session(role, version, codec)
    first = call(sess, OWN_ACTION[role])
    sess.messages_to_send()
    sess.receive_message(f'[4,"{first}","NoSuchCode","",{{}}]', NOW)
    event = sess.next_event()
    assert isinstance(event, CallResultInvalid) and event.answered_with is None
    assert sess.call_in_flight is None
    assert sess.messages_to_send() == []


def test_result_for_unknown_id_is_reported_and_dropped(version, role, codec):
    sess = session(role, version, codec)
    sess.receive_message('[3,"zz",{}]', NOW)
    sess.receive_message('[4,"zz","GenericError","",{}]', NOW)
    call(sess, OWN_ACTION[role])
    sess.messages_to_send()
    sess.receive_message('[3,"zz",{}]', NOW)
    events = sess.events()
    assert kinds(events) == ["UnmatchedResponse"] * 3
    assert [event.kind for event in events] == [3, 4, 3]
    assert all(event.action is None for event in events)
    assert "in flight has id" in events[2].reason
    assert sess.messages_to_send() == []
    assert sess.call_in_flight is not None


# --------------------------------------------------------------------------- 2.1 SEND


def test_21_send_goes_out_while_call_in_flight(role, codec):
    sess = session(role, V21, codec)
    payload = {"id": 1, "pending": 0, "basetime": TIME, "data": [{"t": 0.5, "v": "1"}]}
    if role == versions.CSMS:
        with pytest.raises(LocalProtocolError, match="cannot send it"):
            sess.send(
                send_message(sess, "NotifyPeriodicEventStream", payload),
                NOW,
                action="NotifyPeriodicEventStream",
            )
        assert sess.messages_to_send() == []
        return
    call(sess, "Heartbeat")
    message_id = sess.send(
        send_message(sess, "NotifyPeriodicEventStream", payload),
        NOW,
        action="NotifyPeriodicEventStream",
    )
    assert message_id == "s2"
    sent = sess.messages_to_send()
    assert sent[0] == '[2,"s1","Heartbeat",{}]'
    assert json.loads(sent[1]) == [6, "s2", "NotifyPeriodicEventStream", payload]
    assert sess.call_in_flight == "s1"


def test_send_exists_only_in_21(role, codec):
    for version in (V16, V201):
        sess = session(role, version, codec)
        with pytest.raises(LocalProtocolError, match=r"only in OCPP 2\.1"):
            sess.send({}, NOW, action="NotifyPeriodicEventStream")


def test_21_incoming_send_is_never_answered(role, codec):
    sess = session(role, V21, codec)
    payload = '{"id":1,"pending":0,"basetime":"' + TIME + '","data":[{"t":0.5,"v":"1"}]}'
    sess.receive_message('[6,"m1","NotifyPeriodicEventStream",' + payload + "]", NOW)
    event = sess.next_event()
    if role == versions.CSMS:
        assert isinstance(event, SendReceived)
        assert (event.message_id, event.action) == ("m1", "NotifyPeriodicEventStream")
    else:
        assert isinstance(event, ProtocolViolation)
        assert event.error.code == "NotSupported"
    sess.receive_message('[6,"m2","NotifyPeriodicEventStream",{"bogus":1}]', NOW)
    sess.receive_message('[6,"m3","Heartbeat",{}]', NOW)
    sess.receive_message('[2,"m4","NotifyPeriodicEventStream",{}]', NOW)
    events = sess.events()
    assert kinds(events) == ["ProtocolViolation", "ProtocolViolation", "CallRejected"]
    assert events[1].error.code == "NotImplemented"
    assert [event.answered_with for event in events[:2]] == [None, None]
    # only the CALL carrying a SEND action is answered
    (text,) = sess.messages_to_send()
    assert json.loads(text)[:3] == [4, "m4", "NotImplemented"]


def test_21_callresulterror_matches_our_callresult(role, codec):
    sess = session(role, V21, codec)
    action = peer_action(role)
    incoming(sess, "p1", action)
    sess.reply("p1", response(sess, action))
    sess.messages_to_send()
    sess.receive_message('[5,"p1","PropertyConstraintViolation","no",{"path":"$.x"}]', NOW)
    sess.receive_message('[5,"p1","GenericError","",{}]', NOW)
    events = sess.events()
    assert events[0] == CallResultErrorReceived(
        "p1", action, "PropertyConstraintViolation", "no", {"path": "$.x"}
    )
    assert isinstance(events[1], UnmatchedResponse) and events[1].kind == 5
    assert sess.messages_to_send() == []


# --------------------------------------------------------------------------- policies


def test_before_boot_accepted_policy(version, codec):
    sess = session(versions.CSMS, version, codec, require_boot_accepted=True)
    event = incoming(sess, "p1", "Heartbeat")
    assert isinstance(event, CallRejected)
    (text,) = sess.messages_to_send()
    assert json.loads(text)[:3] == [4, "p1", "SecurityError"]
    if version == V16:
        boot = '{"chargePointVendor":"v","chargePointModel":"m"}'
        reply = {"status": "Pending", "currentTime": TIME, "interval": 10}
    else:
        boot = '{"chargingStation":{"model":"m","vendorName":"v"},"reason":"PowerUp"}'
        reply = {"currentTime": TIME, "interval": 10, "status": "Pending"}
    assert isinstance(incoming(sess, "b1", "BootNotification", boot), CallReceived)
    sess.reply("b1", response(sess, "BootNotification", reply))
    sess.messages_to_send()
    assert not sess.boot_accepted
    assert isinstance(incoming(sess, "p2", "Heartbeat"), CallRejected)
    sess.messages_to_send()
    incoming(sess, "b2", "BootNotification", boot)
    sess.reply("b2", response(sess, "BootNotification", dict(reply, status="Accepted")))
    assert sess.boot_accepted
    assert isinstance(incoming(sess, "p3", "Heartbeat"), CallReceived)
    # off by default
    plain = session(versions.CSMS, version, codec)
    assert isinstance(incoming(plain, "p1", "Heartbeat"), CallReceived)


def test_send_raw_needs_opt_in(version, role):
    sess = session(role, version)
    with pytest.raises(LocalProtocolError, match="allow_send_raw=True"):
        sess.send_raw("[2,")
    raw = session(role, version, allow_send_raw=True)
    raw.send_raw("[2,")
    with pytest.raises(LocalProtocolError, match="takes a str"):
        raw.send_raw(b"[]")
    with pytest.raises(LocalProtocolError, match="UTF-8"):
        raw.send_raw('[2,"\ud800"]')  # a lone surrogate: no text frame can carry it
    assert raw.messages_to_send() == ["[2,"]
    assert snapshot(raw) == (None, [], [], False)


def test_connection_lost_ends_everything(version, role, codec):
    sess = session(role, version, codec)
    action = OWN_ACTION[role]
    first = call(sess, action)
    second = call(sess, action)
    incoming(sess, "p1")
    incoming(sess, "p2")
    sess.connection_lost("socket closed")
    assert sess.events() == [
        CallCancelled(first, action, "socket closed"),
        CallCancelled(second, action, "socket closed"),
        IncomingCallCancelled("p1", peer_action(role), "socket closed"),
        IncomingCallCancelled("p2", peer_action(role), "socket closed"),
    ]
    assert sess.closed and sess.messages_to_send() == []
    assert sess.next_deadline() is None
    assert snapshot(sess) == (None, [], [], True)
    for attempt in (
        lambda: call(sess, action),
        lambda: sess.reply("p1", response(sess, peer_action(role))),
        lambda: sess.reply_error("p1", "GenericError"),
        lambda: sess.receive_message("[]", NOW),
    ):
        with pytest.raises(LocalProtocolError, match="closed"):
            attempt()
    sess.connection_lost("again")
    sess.tick(NOW + 100)
    assert sess.events() == []


def test_session_stays_usable_after_garbage(version, role, codec):
    sess = session(role, version, codec)
    garbage = ["", "[", "null", "[2]", "[3]", '[4,"x"]', "[2,1,2,3]", "\ud800", "[[[[[]]]]]"]
    for text in garbage:
        sess.receive_message(text, NOW)
    assert len(sess.events()) == len(garbage)
    sess.messages_to_send()
    action = OWN_ACTION[role]
    message_id = call(sess, action)
    assert sess.messages_to_send() == [f'[2,"{message_id}","{action}",{{}}]']
    sess.receive_message(result_text(message_id, action), NOW)
    assert kinds(sess.events()) == ["CallResultReceived"]


def test_constructor_checks():
    from ocpp_core.ids import CounterIds
    from ocpp_core.rpc import RpcSession

    with pytest.raises(ValueError):
        RpcSession("charger", V16, CounterIds())
    with pytest.raises(ValueError):
        RpcSession(versions.STATION, "1.5", CounterIds())
    with pytest.raises(TypeError):
        RpcSession(versions.STATION, V16, "ids")
    with pytest.raises(TypeError):
        RpcSession(versions.STATION, V16, CounterIds(), {"call_timeout": 1})
    for name in CODECS:
        with pytest.raises(ValueError, match=r"codec is for OCPP 2\.0\.1"):
            RpcSession(versions.STATION, V16, CounterIds(), None, make_codec(name, V201))


def test_default_codec_is_msgspec_when_importable():
    from ocpp_core.ids import CounterIds
    from ocpp_core.rpc import RpcSession

    sess = RpcSession(versions.STATION, V201, CounterIds())
    expected = "Codec" if "msgspec" in CODECS else "PyCodec"
    assert type(sess.codec).__name__ == expected


def test_minus_one_is_reserved_on_2x(version, role):
    from ocpp_core.config import RpcConfig
    from ocpp_core.rpc import RpcSession

    sess = RpcSession(role, version, lambda: "-1", RpcConfig())
    if version == V16:
        assert call(sess, OWN_ACTION[role]) == "-1"
    else:
        with pytest.raises(LocalProtocolError, match="reserved"):
            call(sess, OWN_ACTION[role])
        assert sess.messages_to_send() == []
