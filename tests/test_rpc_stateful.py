"""Two RpcSessions wired back to back, driven by hypothesis (RuleBasedStateMachine).

A station and a CSMS session exchange text messages through two in-memory wires.
Rules: calls from either side, delivery or loss of the next message on a wire, replies
and error replies, garbage frames injected into either side, clock ticks, and at the
end a lost connection. Invariants, checked on the bytes and the events:
- never two CALLs in flight per direction: a side writes a CALL only after each of
  its earlier CALLs has ended (by its own events);
- every CALL ends in exactly one of result / error / invalid reply / timeout /
  cancellation, and every CALL the user issued ends by teardown;
- no event is lost: each received message yields exactly one event (after the
  timeouts its `now` triggered), every received CALL is answered or cancelled once;
- bad frames never break the session: whatever it writes is a well-formed frame of
  its version, and it keeps working.
"""

import json

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)
from test_rpc_support import CODECS, OWN_ACTION, VERSIONS, call, response, session

from ocpp_core import frames, versions
from ocpp_core.errors import LocalProtocolError
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

ENDINGS = (CallResultReceived, CallErrorReceived, CallResultInvalid, CallTimedOut, CallCancelled)
FRAME_EVENTS = (
    CallReceived,
    CallRejected,
    CallResultReceived,
    CallErrorReceived,
    CallResultInvalid,
    ProtocolViolation,
    UnmatchedResponse,
    SendReceived,
    CallResultErrorReceived,
)
SIDES = ("station", "csms")
JUNK = [
    "",
    "[",
    "nope",
    "null",
    "[]",
    "{}",
    '[2,"s1","Heartbeat",{}',
    '[2,"s1","Heartbeat",{}] x',
    '[3,"s1",{"currentTime":5}]',
    '[3,"c1",{"status":"Maybe"}]',
    '[4,"s1","NoSuchCode","",{}]',
    '[2,"g1","Reset",{"type":"Hard"}]',
    '[2,"g2","Foo",{}]',
    '[2,"g3","ClearCache",{"x":1}]',
    '[6,"g4","NotifyPeriodicEventStream",{}]',
    '[5,"c1","GenericError","",{}]',
    '[7,"g5",{}]',
    '["2","g6","Heartbeat",{}]',
    '[2,"' + "x" * 40 + '","Heartbeat",{}]',
    '[2,"g7","Heartbeat",[]]',
    "\ud800",
    '[2,"g8","Heartbeat",{}]',
    '[2,"g9","ClearCache",{}]',
    '[2,"s1","Heartbeat",{}]',
    '[2,"c1","ClearCache",{}]',
]
IDS = ["s1", "s2", "s3", "c1", "c2", "c3", "-1", "g", ""]


def _frame_strategy():
    payload = st.sampled_from([{}, {"status": "Accepted"}, {"currentTime": "x"}, [], 5])
    return st.one_of(
        st.builds(
            lambda k, i, a, p: json.dumps([k, i, a, p]),
            st.integers(0, 8),
            st.sampled_from(IDS),
            st.sampled_from(["Heartbeat", "ClearCache", "X"]),
            payload,
        ),
        st.builds(
            lambda k, i, p: json.dumps([k, i, p]), st.integers(2, 6), st.sampled_from(IDS), payload
        ),
        st.builds(
            lambda k, i, c: json.dumps([k, i, c, "", {}]),
            st.sampled_from([4, 5]),
            st.sampled_from(IDS),
            st.sampled_from(["GenericError", "FormatViolation", "x"]),
        ),
    )


GARBAGE = st.one_of(st.sampled_from(JUNK), st.text(max_size=12), _frame_strategy())


def _loads(text):
    try:
        return json.loads(text)
    except ValueError:
        return None


class Side:
    """The model of one session: what its user did and what it reported."""

    def __init__(self, sess):
        self.sess = sess
        self.issued = []  # ids returned by call()
        self.ended = {}  # id -> number of ending events
        self.calls_written = []  # ids of the CALL frames it wrote, in order
        self.unanswered = []  # ids of CallReceived not yet answered or cancelled
        # id -> count; an id may come again once its CALL was answered
        self.received = {}  # CallReceived events
        self.incoming_ends = {}  # answers and cancellations


class TwoSessions(RuleBasedStateMachine):
    @initialize(version=st.sampled_from(VERSIONS), codec=st.sampled_from(CODECS))
    def start(self, version, codec):
        self.version = version
        self.now = 0.0
        knobs = {"call_timeout": 10, "max_queued_calls": 2, "max_incoming_calls": 2}
        self.sides = {role: Side(session(role, version, codec, **knobs)) for role in SIDES}
        self.wires = {role: [] for role in SIDES}  # messages in transit *to* role
        self.closed = False

    def _peer(self, role):
        return "csms" if role == "station" else "station"

    # ------------------------------------------------------------------ plumbing

    def _collect(self, role):
        """Drain a side's output onto the wire and its events into the model."""
        side = self.sides[role]
        # Events first: they were emitted before or together with this batch of
        # messages, and a CALL may follow the event that ended the one before it.
        events = side.sess.events()
        for event in events:
            if isinstance(event, ENDINGS):
                assert event.message_id in side.issued
                side.ended[event.message_id] = side.ended.get(event.message_id, 0) + 1
                assert side.ended[event.message_id] == 1, "a CALL ended twice"
            elif isinstance(event, CallReceived):
                assert event.message_id not in side.unanswered
                side.unanswered.append(event.message_id)
                side.received[event.message_id] = side.received.get(event.message_id, 0) + 1
            elif isinstance(event, IncomingCallCancelled):
                self._answered(side, event.message_id)
        for text in side.sess.messages_to_send():
            frame = json.loads(text)
            assert isinstance(frame, list) and frame[0] in frames.KINDS[self.version]
            if frame[0] == frames.CALL:
                for earlier in side.calls_written:
                    assert side.ended.get(earlier, 0) == 1, "two CALLs in flight"
                side.calls_written.append(frame[1])
            elif frame[0] in (frames.CALLERROR, frames.CALLRESULTERROR):
                assert versions.is_error_code(self.version, frame[2])
                assert isinstance(frame[3], str) and isinstance(frame[4], dict)
            self.wires[self._peer(role)].append(text)
        return events

    def _answered(self, side, message_id):
        side.unanswered.remove(message_id)
        side.incoming_ends[message_id] = side.incoming_ends.get(message_id, 0) + 1

    # ------------------------------------------------------------------ rules

    @precondition(lambda self: not self.closed)
    @rule(role=st.sampled_from(SIDES), timeout=st.sampled_from([None, 1, 5, 30]))
    def make_call(self, role, timeout):
        side = self.sides[role]
        sess = side.sess
        full = sess.call_in_flight is not None and len(sess.queued_calls) >= 2
        before = (sess.call_in_flight, sess.queued_calls)
        try:
            message_id = call(side.sess, OWN_ACTION[role], self.now, timeout=timeout)
        except LocalProtocolError:
            assert full
            assert (sess.call_in_flight, sess.queued_calls) == before
            return
        assert not full
        assert message_id not in side.issued
        side.issued.append(message_id)
        self._collect(role)

    @precondition(lambda self: not self.closed)
    @rule(role=st.sampled_from(SIDES), lose=st.booleans())
    def deliver(self, role, lose):
        wire = self.wires[role]
        if not wire:
            return
        text = wire.pop(0)
        if lose:  # a lost message: its CALL will time out
            return
        self._receive(role, text)

    def _receive(self, role, text):
        side = self.sides[role]
        sess = side.sess
        # Every deadline <= now was handled by the last tick, so nothing times out
        # inside receive_message: the CALL in flight before is the one it matches.
        in_flight = sess.call_in_flight
        unanswered = list(sess.unanswered_calls)
        wire_before = len(self.wires[self._peer(role)])
        sess.receive_message(text, self.now)
        events = self._collect(role)
        assert len(events) == 1, events
        event = events[0]
        assert isinstance(event, FRAME_EVENTS)
        written = self.wires[self._peer(role)][wire_before:]
        # A CALL goes out only when the reply just received ended the one before it.
        released = [text for text in written if json.loads(text)[0] == frames.CALL]
        written = [text for text in written if json.loads(text)[0] != frames.CALL]
        assert len(written) <= 1 and len(released) <= 1
        if released:
            assert in_flight is not None and sess.call_in_flight != in_flight
        frame = _loads(text)
        kind = frame[0] if isinstance(frame, list) and frame else None
        message_id = frame[1] if isinstance(frame, list) and len(frame) > 1 else None
        if kind in (frames.CALLRESULT, frames.CALLERROR) and isinstance(kind, int):
            if in_flight is not None and message_id == in_flight:
                # an answer to our CALL always ends it, with the matching event
                assert sess.call_in_flight != in_flight
                assert event.message_id == in_flight
                if kind == frames.CALLERROR and self._good_error(frame):
                    assert isinstance(event, CallErrorReceived)
                else:
                    assert isinstance(event, (CallResultReceived, CallResultInvalid))
                if written:  # only a 2.1 CALLRESULTERROR may answer a reply
                    assert self.version == versions.V21 and json.loads(written[0])[0] == 5
            else:
                assert isinstance(event, (UnmatchedResponse, ProtocolViolation))
                assert written == [] and sess.call_in_flight == in_flight
        elif kind == frames.CALL and isinstance(kind, int) and self._good_call(role, frame):
            if message_id in unanswered:
                assert isinstance(event, CallRejected) and written
            elif len(unanswered) >= 2:
                assert isinstance(event, CallRejected)
                assert json.loads(written[0])[2] == "GenericError"
            else:
                assert isinstance(event, CallReceived) and written == []
        elif kind in (frames.CALLRESULTERROR, frames.SEND) and isinstance(kind, int):
            assert written == [] or self.version == versions.V201  # 2.0.1: unknown type

    def _good_error(self, frame):
        return (
            len(frame) == 5
            and isinstance(frame[2], str)
            and versions.is_error_code(self.version, frame[2])
            and isinstance(frame[3], str)
            and (self.version == versions.V16 or len(frame[3]) <= 255)
            and isinstance(frame[4], dict)
        )

    def _good_call(self, role, frame):
        return (
            len(frame) == 4
            and isinstance(frame[1], str)
            and len(frame[1]) <= 36
            and frame[2] == OWN_ACTION[self._peer(role)]
            and frame[3] == {}
        )

    @precondition(lambda self: not self.closed)
    @rule(role=st.sampled_from(SIDES), pick=st.integers(0, 3), how=st.sampled_from(["ok", "err"]))
    def answer(self, role, pick, how):
        side = self.sides[role]
        if not side.unanswered:
            try:
                side.sess.reply_error("nobody", "GenericError")
            except LocalProtocolError:
                return
            raise AssertionError("reply_error to an unknown id was accepted")
        message_id = side.unanswered[pick % len(side.unanswered)]
        action = OWN_ACTION[self._peer(role)]
        if how == "ok":
            side.sess.reply(message_id, response(side.sess, action))
        else:
            side.sess.reply_error(message_id, "InternalError", "busy")
        self._answered(side, message_id)
        try:
            side.sess.reply_error(message_id, "GenericError")
        except LocalProtocolError:
            pass
        else:
            raise AssertionError("a CALL was answered twice")
        self._collect(role)

    @precondition(lambda self: not self.closed)
    @rule(role=st.sampled_from(SIDES), text=GARBAGE)
    def garbage(self, role, text):
        self._receive(role, text)

    @rule(step=st.sampled_from([0.5, 1, 4, 11]))
    def tick(self, step):
        self.now += step
        for role in SIDES:
            sess = self.sides[role].sess
            deadline = sess.next_deadline()
            sess.tick(self.now)
            events = self._collect(role)
            if deadline is not None and deadline <= self.now:
                assert isinstance(events[0], CallTimedOut)
            else:
                assert events == []

    @precondition(lambda self: not self.closed)
    @rule()
    def lose_connection(self):
        for role in SIDES:
            self.sides[role].sess.connection_lost("test")
            self._collect(role)
        self.closed = True

    # ------------------------------------------------------------------ invariants

    @invariant()
    def model_matches_session(self):
        if not hasattr(self, "sides"):
            return
        for role in SIDES:
            side = self.sides[role]
            sess = side.sess
            open_calls = [i for i in side.issued if side.ended.get(i, 0) == 0]
            ours = (
                [] if sess.call_in_flight is None else [sess.call_in_flight]
            ) + sess.queued_calls
            assert ours == open_calls
            assert sess.unanswered_calls == side.unanswered
            assert len(sess.unanswered_calls) <= 2

    def teardown(self):
        if not hasattr(self, "sides"):
            return
        if not self.closed:
            self.lose_connection()
        for role in SIDES:
            side = self.sides[role]
            for message_id in side.issued:
                assert side.ended.get(message_id) == 1, (role, message_id)
            assert side.unanswered == []
            assert side.incoming_ends == side.received  # each received CALL ended once
            assert side.sess.events() == [] and side.sess.messages_to_send() == []


TwoSessions.TestCase.settings = settings(
    max_examples=120,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_two_sessions = TwoSessions.TestCase
