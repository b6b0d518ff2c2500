"""The receiving half of `RpcSession`: one text message in, events and answers out.

Every frame ends in exactly one event, and the session answers by itself wherever the
spec defines an answer (spec/RPC-FRAMING.md, spec/ERROR-CODES.md):
- a bad frame -> `ProtocolViolation`, answered per `frames.answer_id` (never a reply,
  never a SEND; "-1" when a 2.x id cannot be read);
- a CALL the session refuses -> CALLERROR + `CallRejected`;
- a malformed or invalid reply to our CALL -> `CallResultInvalid` (2.1: CALLRESULTERROR);
- a reply that matches nothing -> `UnmatchedResponse`, never answered.
No frame can raise out of `receive_message`, and none changes what is already open.
"""

from ocpp_core import frames, versions
from ocpp_core.errors import LocalProtocolError, RemoteProtocolError, Violation
from ocpp_core.events import (
    CallErrorReceived,
    CallReceived,
    CallRejected,
    CallResultErrorReceived,
    CallResultInvalid,
    CallResultReceived,
    ProtocolViolation,
    SendReceived,
    UnmatchedResponse,
)
from ocpp_core.rpc._parts import BEFORE_BOOT, TOO_MANY_CALLS

try:
    from typing import Any, Optional

    from ocpp_core.config import RpcConfig
    from ocpp_core.rpc._parts import Memory, OutCall
except ImportError:  # MicroPython: only needed for annotations
    pass


class Receiver:
    """Base class of `RpcSession` holding `receive_message` and its helpers."""

    # Set by RpcSession.__init__ (declared here for type checkers).
    role: str
    version: str
    config: "RpcConfig"
    codec: "Any"
    _actions: "dict[str, Any]"
    _send_actions: "list[str]"
    _in_flight: "Optional[OutCall]"
    _incoming: "list[tuple[str, str]]"
    _ended: "Memory"
    _answered: "Memory"
    _boot_accepted: bool
    _events: "list[Any]"
    _outbox: "list[str]"

    def _check_open(self, what: str) -> None:
        raise NotImplementedError

    def _expire(self, now: float) -> None:
        raise NotImplementedError

    def _end_call(self, now: float) -> None:
        raise NotImplementedError

    def receive_message(self, text: str, now: float) -> None:
        """Take one complete OCPP-J text message from the peer.

        Results appear as events (`next_event`) and answers as messages
        (`messages_to_send`). A bad message never raises and never breaks the session;
        it is reported as an event. Raises `LocalProtocolError` only when the session
        is closed, `now` is not a number or `text` is neither str nor bytes.
        """
        self._check_open("receive_message()")
        if isinstance(now, bool) or not isinstance(now, (int, float)):
            raise LocalProtocolError(f"now must be a number (seconds), not {now!r}")
        if not isinstance(text, (str, bytes)):
            raise LocalProtocolError(
                f"receive_message() takes the text of one message, not {type(text).__name__}"
            )
        self._expire(now)
        try:
            frame = self.codec.decode_frame(text)
        except RemoteProtocolError as error:
            self._on_bad_frame(error, now)
            return
        kind = frame.kind
        if kind == frames.CALL:
            self._on_call(frame.message_id, frame.action, frame.payload)
        elif kind == frames.CALLRESULT:
            self._on_result(frame, now)
        elif kind == frames.CALLERROR:
            self._on_error(frame, now)
        elif kind == frames.CALLRESULTERROR:
            self._on_result_error(frame)
        else:
            self._on_send(frame)

    # ------------------------------------------------------------------ bad frames

    def _on_bad_frame(self, error: RemoteProtocolError, now: float) -> None:
        record = self._in_flight
        if (
            record is not None
            and error.message_id == record.message_id
            and (error.kind == frames.CALLRESULT or error.kind == frames.CALLERROR)
        ):
            # A malformed reply to our CALL still ends that CALL: the peer has answered.
            answered = None
            if error.kind == frames.CALLRESULT:
                answered = self._result_error_answer(record.message_id, error.violation)
            self._events.append(
                CallResultInvalid(record.message_id, record.action, error, answered)
            )
            self._end_call(now)
            return
        message_id = self._answer_id(error)
        answered = None
        if message_id is not None:
            answered = self._error_answer(message_id, error.violation)
        if (
            answered is not None
            and message_id is not None
            and error.kind == frames.CALL
            and error.action is not None
            and message_id == error.message_id
        ):
            self._events.append(CallRejected(message_id, error.action, error, answered))
        else:
            self._events.append(ProtocolViolation(error, answered))

    def _answer_id(self, error: RemoteProtocolError) -> "Optional[str]":
        if error.violation.kind == versions.MESSAGE_TYPE:
            answer = self.config.answer_unknown_message_type
            if answer is None:
                answer = self.version == versions.V201  # P4 §4.4; 1.6 / 2.1 only ignore
            if not answer:
                return None
        message_id = frames.answer_id_for(self.version, error)
        if (
            message_id is None
            and self.version == versions.V16
            and self.config.answer_unreadable_id_v16
            and (error.kind is None or error.kind not in frames.KINDS[versions.V16][1:])
        ):
            message_id = versions.UNREADABLE_ID_2X
        return message_id

    # ------------------------------------------------------------------ CALL

    def _on_call(self, message_id: str, action: str, payload: "Any") -> None:
        violation = self._refuse_call(message_id, action)
        if violation is None:
            try:
                decoded = self.codec.decode_request(action, payload)
            except RemoteProtocolError as refused:
                violation = refused.violation
        if violation is not None:
            error = RemoteProtocolError(violation, message_id, frames.CALL, action)
            answered = self._error_answer(message_id, violation)
            if answered is None:  # the codec refused our own answer: report, send nothing
                self._events.append(ProtocolViolation(error, None))
            else:
                self._events.append(CallRejected(message_id, action, error, answered))
            return
        self._incoming.append((message_id, action))
        self._events.append(CallReceived(message_id, action, decoded.message, decoded.warnings))

    def _refuse_call(self, message_id: str, action: str) -> "Optional[Violation]":
        """Why the session refuses a well-framed CALL before decoding it, or None."""
        version = self.version
        for known_id, known_action in self._incoming:
            if known_id == message_id:
                return _violation(
                    version,
                    versions.DUPLICATE_ID,
                    f"a CALL with id {message_id!r} ({known_action}) is still being handled; ids must be unique",
                )
        if len(self._incoming) >= self.config.max_incoming_calls:
            return Violation(
                TOO_MANY_CALLS,
                versions.GENERIC_ERROR,
                "",
                f"{len(self._incoming)} CALLs are unanswered "
                f"(max_incoming_calls={self.config.max_incoming_calls}); "
                "wait for their answers before sending another CALL",
            )
        spec = self._actions.get(action)
        if spec is None or action in self._send_actions:
            return _violation(
                version, versions.UNKNOWN_ACTION, self._unknown_action(action, "CALL")
            )
        if spec[0] == self.role:
            return _violation(version, versions.ACTION_NOT_SUPPORTED, self._not_handled(action))
        if (
            self.config.require_boot_accepted
            and self.role == versions.CSMS
            and not self._boot_accepted
            and action != "BootNotification"
        ):
            return Violation(
                BEFORE_BOOT,
                versions.SECURITY_ERROR,
                "",
                f"{action} before BootNotification was accepted (OCPP 1.6 errata §3.8)",
            )
        return None

    def _not_handled(self, action: str) -> str:
        other = versions.CSMS if self.role == versions.STATION else versions.STATION
        return (
            f"{action} is sent by the {self.role} to the {other} in OCPP {self.version}; "
            f"a {self.role} does not handle it"
        )

    def _unknown_action(self, action: str, kind: str) -> str:
        text = f"{action!r} is not a {kind} action of OCPP {self.version}"
        lowered = action.lower()
        for known in self._actions:
            if known.lower() == lowered and known != action:
                return text + f" (actions are case-sensitive: did you mean {known!r}?)"
        if kind == "CALL" and action in self._send_actions:
            return text + " (it is a SEND message, message type 6)"
        return text

    # ------------------------------------------------------------------ replies

    def _on_result(self, frame: "Any", now: float) -> None:
        record = self._in_flight
        if record is None or record.message_id != frame.message_id:
            self._unmatched(frame.message_id, frame.kind)
            return
        try:
            decoded = self.codec.decode_response(record.action, frame.payload)
        except RemoteProtocolError as error:
            bad = RemoteProtocolError(
                error.violation, record.message_id, frames.CALLRESULT, record.action
            )
            answered = self._result_error_answer(record.message_id, error.violation)
            self._events.append(CallResultInvalid(record.message_id, record.action, bad, answered))
            self._end_call(now)
            return
        self._events.append(
            CallResultReceived(record.message_id, record.action, decoded.message, decoded.warnings)
        )
        self._end_call(now)

    def _on_error(self, frame: "Any", now: float) -> None:
        record = self._in_flight
        if record is None or record.message_id != frame.message_id:
            self._unmatched(frame.message_id, frame.kind)
            return
        self._events.append(
            CallErrorReceived(
                record.message_id,
                record.action,
                frame.error_code,
                frame.error_description,
                frame.error_details,
            )
        )
        self._end_call(now)

    def _on_result_error(self, frame: "Any") -> None:
        action = self._answered.pop(frame.message_id)
        if action is None:
            self._unmatched(frame.message_id, frame.kind)
            return
        self._events.append(
            CallResultErrorReceived(
                frame.message_id,
                action,
                frame.error_code,
                frame.error_description,
                frame.error_details,
            )
        )

    def _unmatched(self, message_id: str, kind: int) -> None:
        if kind == frames.CALLRESULTERROR:
            reason = (
                "no CALLRESULT with this id is remembered "
                f"(remembered_ids={self.config.remembered_ids})"
            )
            self._events.append(UnmatchedResponse(message_id, kind, None, reason))
            return
        action = self._ended.get(message_id)
        if action is not None:
            reason = f"late reply: our {action} CALL {message_id!r} has already ended"
        elif self._in_flight is None:
            reason = "no CALL of ours is in flight"
        else:
            reason = f"the CALL in flight has id {self._in_flight.message_id!r}"
        self._events.append(UnmatchedResponse(message_id, kind, action, reason))

    # ------------------------------------------------------------------ SEND (2.1)

    def _on_send(self, frame: "Any") -> None:
        message_id, action = frame.message_id, frame.action
        spec = self._actions.get(action)
        violation = None
        if spec is None or action not in self._send_actions:
            violation = _violation(
                self.version, versions.UNKNOWN_ACTION, self._unknown_action(action, "SEND")
            )
        elif spec[0] == self.role:
            violation = _violation(
                self.version, versions.ACTION_NOT_SUPPORTED, self._not_handled(action)
            )
        else:
            try:
                decoded = self.codec.decode_send(action, frame.payload)
            except RemoteProtocolError as refused:
                violation = refused.violation
        if violation is not None:
            # Never answered (P4.21 §4.2.4): report only.
            error = RemoteProtocolError(violation, message_id, frames.SEND, action)
            self._events.append(ProtocolViolation(error, None))
            return
        self._events.append(SendReceived(message_id, action, decoded.message, decoded.warnings))

    # ------------------------------------------------------------------ answers

    def _error_answer(
        self, message_id: str, violation: Violation, kind: int = 4
    ) -> "Optional[str]":
        """Queue a CALLERROR (or CALLRESULTERROR) for `violation`; its text, or None."""
        description = violation.message
        if self.version != versions.V16 and len(description) > frames.MAX_DESCRIPTION_LENGTH_2X:
            description = description[: frames.MAX_DESCRIPTION_LENGTH_2X - 3] + "..."
        details: dict[str, Any] = {}
        if violation.path:
            details["path"] = violation.path
        # 1.6 answers a CALL whose id is over 36 characters with that id (J16 §4.2.3
        # names "identifier too long" as a CALLERROR case, and 1.6 has no "-1" id):
        # the frame breaks the length rule, but only the CALL's own id lets the sender
        # correlate the answer. 2.x answers with "-1" instead (frames.answer_id).
        echo = self.version == versions.V16
        try:
            text = self.codec.encode_error(
                message_id, violation.code, description, details, kind, echo
            )
        except LocalProtocolError:
            return None  # an id that is no valid text: reported, not answered
        self._outbox.append(text)
        return text  # type: ignore[no-any-return]

    def _result_error_answer(self, message_id: str, violation: Violation) -> "Optional[str]":
        if self.version != versions.V21 or not self.config.send_call_result_error:
            return None
        return self._error_answer(message_id, violation, frames.CALLRESULTERROR)


def _violation(version: str, kind: str, message: str) -> Violation:
    return Violation(kind, versions.code_for(version, kind), "", message)
