"""`RpcSession`: OCPP-J RPC for one connection, either role, 1.6 / 2.0.1 / 2.1.

Sans-IO: text messages in (`receive_message`), text messages out
(`messages_to_send`), frozen events out (`next_event`/`events`), time as an argument.
The incoming side lives in `ocpp_core.rpc._receive` (a base class), so each module
stays readable; this module has the commands the user calls.

Every method that takes `now` first ends the CALL whose deadline has passed (as
`tick(now)` would), so a reply that arrives after the deadline is a late reply, and a
CALL issued after it goes out at once.
"""

from ocpp_core import frames, versions
from ocpp_core.config import RpcConfig
from ocpp_core.errors import LocalProtocolError
from ocpp_core.events import (
    CallCancelled,
    CallTimedOut,
    IncomingCallCancelled,
)
from ocpp_core.rpc._parts import (
    CALL_ENDED,
    CALL_SENT,
    CLOSED,
    CONNECTION_LOST,
    IDLE,
    Memory,
    OutCall,
    actions_of,
    by_type_name,
    default_codec,
    is_number,
    next_state,
)
from ocpp_core.rpc._receive import Receiver

try:
    from collections.abc import Callable
    from typing import Any, Optional
except ImportError:  # MicroPython
    pass

BOOT_NOTIFICATION = "BootNotification"


class RpcSession(Receiver):
    """The RPC layer of one OCPP-J connection.

    role: `versions.STATION` or `versions.CSMS`; version: `V16`, `V201` or `V21`;
    id_factory: zero-argument callable returning a fresh message id (see
    `ocpp_core.ids`); config: `RpcConfig` (defaults if None); codec: a `Codec` or
    `PyCodec` for `version` (default: `Codec` when msgspec is importable, else
    `PyCodec`).
    """

    def __init__(
        self,
        role: str,
        version: str,
        id_factory: "Callable[[], str]",
        config: "Optional[RpcConfig]" = None,
        codec: "Any" = None,
    ) -> None:
        if role not in versions.ROLES:
            raise ValueError(
                f"role must be {versions.STATION!r} or {versions.CSMS!r}, not {role!r}"
            )
        self._actions, self._send_actions = actions_of(version)
        if not callable(id_factory):
            raise TypeError("id_factory must be a callable returning a str")
        if config is None:
            config = RpcConfig()
        elif not isinstance(config, RpcConfig):
            raise TypeError("config must be an RpcConfig, not " + type(config).__name__)
        self.role = role
        self.version = version
        self.config = config
        self.codec = default_codec(version) if codec is None else codec
        if getattr(self.codec, "version", version) != version:
            raise ValueError(
                f"the codec is for OCPP {self.codec.version}, the session for OCPP {version}"
            )
        self._id_factory = id_factory
        # Typed messages (Codec: msgspec Structs, has action_of) or dict payloads
        # (PyCodec: no action_of, the action travels separately); see _encode_*.
        self._typed = hasattr(self.codec, "action_of")
        self._by_type_name = by_type_name(version)  # shared by every session of version
        self._out_state = IDLE
        self._in_flight: Optional[OutCall] = None
        self._queue: list[OutCall] = []
        # Unanswered incoming CALLs as (id, action) in arrival order (bounded by
        # max_incoming_calls); a list because MicroPython dicts keep no order.
        self._incoming: list[tuple[str, str]] = []
        self._ended = Memory(config.remembered_ids)
        self._answered = Memory(config.remembered_ids if version == versions.V21 else 0)
        self._boot_accepted = False
        self._events: list[Any] = []
        self._outbox: list[str] = []
        self._closed_reason: Optional[str] = None

    # ------------------------------------------------------------------ state

    @property
    def closed(self) -> bool:
        """True after `connection_lost()`."""
        return self._out_state == CLOSED

    @property
    def call_in_flight(self) -> "Optional[str]":
        """The id of our CALL awaiting its answer, or None."""
        return None if self._in_flight is None else self._in_flight.message_id

    @property
    def queued_calls(self) -> "list[str]":
        """Ids of our CALLs waiting behind the one in flight, in sending order."""
        return [record.message_id for record in self._queue]

    @property
    def unanswered_calls(self) -> "list[str]":
        """Ids of the peer's CALLs the user has not answered yet, oldest first."""
        return [pair[0] for pair in self._incoming]

    @property
    def boot_accepted(self) -> bool:
        """CSMS: True once this session replied Accepted to a BootNotification."""
        return self._boot_accepted

    # ------------------------------------------------------------------ output

    def next_event(self) -> "Optional[Any]":
        """The oldest pending event, or None when there is none."""
        if not self._events:
            return None
        return self._events.pop(0)

    def events(self) -> "list[Any]":
        """All pending events, oldest first (drains them)."""
        pending = self._events
        self._events = []
        return pending

    @property
    def has_messages(self) -> bool:
        """Whether messages_to_send() has something (cheaper than draining nothing)."""
        return bool(self._outbox)

    @property
    def idle(self) -> bool:
        """No event and no message waits to be taken."""
        return not self._events and not self._outbox

    def check_now(self, now: "Any") -> None:
        """Raise LocalProtocolError as tick(now) would for a `now` that is not a number."""
        _check_now(now)

    def messages_to_send(self) -> "list[str]":
        """The text messages to write to the WebSocket, in order (drains them)."""
        pending = self._outbox
        self._outbox = []
        return pending

    def next_deadline(self) -> "Optional[float]":
        """When `tick()` must be called next: the deadline of our CALL in flight."""
        if self._in_flight is None:
            return None
        return self._in_flight.deadline

    def tick(self, now: float) -> None:
        """End our CALL in flight with `CallTimedOut` if its deadline is reached."""
        _check_now(now)
        if self.closed:
            return
        self._expire(now)

    # ------------------------------------------------------------------ commands

    def call(
        self,
        request: "Any",
        now: float,
        timeout: "Optional[float]" = None,
        action: "Optional[str]" = None,
        retry_of: "Optional[str]" = None,
    ) -> str:
        """Send a CALL, or queue it behind the one in flight; returns its message id.

        `request`: a typed request (Codec) or a dict payload with `action=` (PyCodec).
        `timeout`: seconds, overriding `config.call_timeout`; it runs from the moment
        the CALL is sent. `retry_of`: OCPP 2.1 with `config.reuse_id_on_retry`: the id
        of an ended CALL of the same action to reuse. Raises `LocalProtocolError`
        (nothing changed) on an invalid request, an action this role may not send, a
        full queue, a bad id from the factory or a closed session.
        """
        self._check_open("call()")
        _check_now(now)
        if timeout is None:
            timeout = self.config.call_timeout
        elif not is_number(timeout) or not timeout > 0:
            raise LocalProtocolError(f"timeout must be a number of seconds > 0, not {timeout!r}")
        self._expire(now)
        action = self._action_of(request, action, 1, "call()")
        self._check_sender(action)
        if self._in_flight is not None and len(self._queue) >= self.config.max_queued_calls:
            busy = self._in_flight
            raise LocalProtocolError(
                f"CALL {busy.message_id!r} ({busy.action}) is awaiting its answer and "
                f"{len(self._queue)} CALLs are queued "
                f"(max_queued_calls={self.config.max_queued_calls}); "
                "wait for an answer or a timeout"
            )
        if retry_of is None:
            message_id = self._new_id()
        else:
            message_id = self._retry_id(retry_of, action)
        text = self._encode_call(message_id, action, request)
        # Nothing has changed up to here; from here on nothing can fail.
        if retry_of is not None:
            self._ended.pop(retry_of)
        record = OutCall(message_id, action, text, float(timeout))
        if self._in_flight is None:
            self._start(record, now)
        else:
            self._queue.append(record)
        return message_id

    def send(self, message: "Any", now: float, action: "Optional[str]" = None) -> str:
        """OCPP 2.1: send a SEND (message type 6, never answered); returns its id.

        It may go out while a CALL is in flight (P4.21 §4.1.1).
        """
        self._check_open("send()")
        _check_now(now)
        if self.version != versions.V21:
            raise LocalProtocolError(
                "SEND (message type 6) exists only in OCPP 2.1, not " + self.version
            )
        self._expire(now)
        action = self._action_of(message, action, 0, "send()")
        self._check_sender(action)
        message_id = self._new_id()
        text = self._encode_send(message_id, action, message)
        self._outbox.append(text)
        return message_id

    def reply(self, message_id: str, response: "Any") -> None:
        """Answer the peer's CALL `message_id` with a CALLRESULT.

        `response` must be the response type of that CALL's action (a dict payload
        with PyCodec) and valid; the CALL must still be unanswered.
        """
        self._check_open("reply()")
        action = self._unanswered_action(message_id, "reply()")
        expected = self._actions[action][2]
        if self._typed:
            name = type(response).__name__
            if name != expected:
                raise LocalProtocolError(
                    f"CALL {message_id!r} is a {action}: reply() needs a {expected}, not a {name}"
                )
        elif not isinstance(response, dict):
            raise LocalProtocolError(
                f"CALL {message_id!r} is a {action}: reply() needs a dict payload (PyCodec), not a {type(response).__name__}"
            )
        text = self._encode_result(message_id, action, response)
        self._remove_incoming(message_id)
        self._answered.add(message_id, action)
        self._outbox.append(text)
        if action == BOOT_NOTIFICATION and self.role == versions.CSMS:
            self._boot_accepted = _status_of(response) == "Accepted"

    def reply_error(
        self,
        message_id: str,
        code: str,
        description: str = "",
        details: "Optional[dict[str, Any]]" = None,
    ) -> None:
        """Answer the peer's CALL `message_id` with a CALLERROR.

        `code` must be one of the version's codes in its exact spelling; on 2.x the
        description is at most 255 characters. `details` None means `{}`.
        """
        self._check_open("reply_error()")
        self._unanswered_action(message_id, "reply_error()")
        if not isinstance(code, str) or not versions.is_error_code(self.version, code):
            raise LocalProtocolError(
                "{!r} is not an OCPP {} error code; expected one of: {}".format(
                    code, self.version, ", ".join(sorted(versions.ERROR_CODES[self.version]))
                )
            )
        if details is None:
            details = {}
        frames.check_error(self.version, code, description, details, frames.CALLERROR)
        text = self.codec.encode_error(message_id, code, description, details)
        self._remove_incoming(message_id)
        self._outbox.append(text)

    def send_raw(self, text: str) -> None:
        """Put `text` on the wire unchecked (test authors only).

        Needs `RpcConfig(allow_send_raw=True)`. The session does not look at the text:
        a CALL sent this way is not tracked, and no answer is matched to it.
        """
        if not self.config.allow_send_raw:
            raise LocalProtocolError(
                "send_raw() is disabled; enable it with RpcConfig(allow_send_raw=True)"
            )
        if not isinstance(text, str):
            raise LocalProtocolError("send_raw() takes a str, not " + type(text).__name__)
        try:
            text.encode("utf-8")
            encodable = True
        except UnicodeError:  # a lone surrogate (CPython only): no text frame can carry it
            encodable = False
        if not encodable:
            raise LocalProtocolError("send_raw() needs text that UTF-8 can encode")
        self._check_open("send_raw()")
        self._outbox.append(text)

    def connection_lost(self, reason: str) -> None:
        """The connection is gone: end every open CALL, each with an event.

        Our CALL in flight and every queued CALL get `CallCancelled` (in sending
        order), each unanswered incoming CALL gets `IncomingCallCancelled`. Unsent
        messages are dropped. Afterwards every command raises `LocalProtocolError`.
        Calling it again does nothing.
        """
        if self.closed:
            return
        reason = str(reason)
        ours = list(self._queue)
        if self._in_flight is not None:
            ours.insert(0, self._in_flight)
        for record in ours:
            self._events.append(CallCancelled(record.message_id, record.action, reason))
        for message_id, action in self._incoming:
            self._events.append(IncomingCallCancelled(message_id, action, reason))
        self._in_flight = None
        self._queue = []
        self._incoming = []
        self._outbox = []
        self._closed_reason = reason
        self._out_state = next_state(self._out_state, CONNECTION_LOST)

    # ------------------------------------------------------------------ internals

    def _check_open(self, what: str) -> None:
        if self.closed:
            raise LocalProtocolError(
                f"{what} after connection_lost({self._closed_reason!r}): the session is closed"
            )

    def _expire(self, now: float) -> None:
        record = self._in_flight
        if record is not None and record.deadline is not None and now >= record.deadline:
            self._events.append(CallTimedOut(record.message_id, record.action))
            self._end_call(now)

    def _start(self, record: OutCall, now: float) -> None:
        record.deadline = now + record.timeout
        self._in_flight = record
        self._outbox.append(record.text)
        self._out_state = next_state(self._out_state, CALL_SENT)

    def _end_call(self, now: float) -> None:
        """Our CALL in flight has ended; the next queued CALL goes out at `now`."""
        record = self._in_flight
        assert record is not None
        self._in_flight = None
        self._ended.add(record.message_id, record.action)
        self._out_state = next_state(self._out_state, CALL_ENDED)
        if self._queue:
            self._start(self._queue.pop(0), now)

    def _check_sender(self, action: str) -> None:
        sender = self._actions[action][0]
        if sender != versions.BOTH and sender != self.role:
            raise LocalProtocolError(
                f"{action} is sent by the {sender} in OCPP {self.version}; a {self.role} cannot send it"
            )

    def _action_of(self, message: "Any", action: "Optional[str]", slot: int, what: str) -> str:
        """The action of a request (slot 1) or SEND message (slot 0), checked."""
        sends = slot == 0
        if self._typed and not isinstance(message, dict):
            name = type(message).__name__
            found = self._by_type_name.get(name)
            if (
                found is None
                or self._actions[found][1] != name
                or (found in self._send_actions) != sends
            ):
                raise LocalProtocolError(
                    "{} takes {} of OCPP {}, not a {}".format(
                        what, "a SEND message" if sends else "a request", self.version, name
                    )
                )
            if action is not None and action != found:
                raise LocalProtocolError(f"a {name} is a {found} message, not {action!r}")
            self._check_codec_type(message, found)
            return found
        if self._typed:
            raise LocalProtocolError(f"{what} takes a typed message with this codec, not a dict")
        if not isinstance(message, dict):
            raise LocalProtocolError(
                f"{what} takes a dict payload with PyCodec, not a {type(message).__name__}"
            )
        if action is None:
            raise LocalProtocolError(f"{what} with a dict payload needs action=")
        if action not in self._actions or (action in self._send_actions) != sends:
            kind = "SEND" if sends else "CALL"
            raise LocalProtocolError(f"{action!r} is not a {kind} action of OCPP {self.version}")
        return action

    def _check_codec_type(self, message: "Any", action: str) -> None:
        # A class of the same name from another version's module must not pass.
        try:
            found = self.codec.action_of(message)
        except (KeyError, TypeError, LocalProtocolError):
            found = None
        if found != action:
            module = getattr(type(message), "__module__", "?")
            raise LocalProtocolError(
                f"{module}.{type(message).__name__} is not a message type of OCPP {self.version}"
            )

    def _ids_in_use(self) -> "list[str]":
        ids = [record.message_id for record in self._queue]
        if self._in_flight is not None:
            ids.append(self._in_flight.message_id)
        return ids

    def _new_id(self) -> str:
        message_id = self._id_factory()
        frames.check_message_id(message_id)
        if message_id == versions.UNREADABLE_ID_2X and self.version != versions.V16:
            # A 2.x CALLERROR about a frame whose id was unreadable carries "-1"
            # (P4 §4.2.3): such an error must never look like the answer to our CALL.
            raise LocalProtocolError('the id factory returned "-1", reserved in OCPP 2.x')
        if message_id in self._ids_in_use():
            raise LocalProtocolError(
                f"the id factory returned {message_id!r}, the id of a CALL still in flight or queued"
            )
        if self._ended.get(message_id) is not None:
            raise LocalProtocolError(
                f"the id factory returned {message_id!r}, the id of an earlier CALL on this connection"
            )
        return message_id

    def _retry_id(self, retry_of: str, action: str) -> str:
        if self.version != versions.V21 or not self.config.reuse_id_on_retry:
            raise LocalProtocolError(
                "retry_of= needs OCPP 2.1 and RpcConfig(reuse_id_on_retry=True); "
                f"OCPP {self.version} CALL ids must be new"
            )
        previous = self._ended.get(retry_of)
        if previous is None:
            raise LocalProtocolError(
                f"retry_of={retry_of!r}: no ended CALL with that id is remembered (in flight: {self.call_in_flight!r}; "
                f"remembered: {self._ended.ids()!r})"
            )
        if previous != action:
            raise LocalProtocolError(
                f"retry_of={retry_of!r} was a {previous} CALL; a retry must repeat it, not send a {action}"
            )
        return retry_of

    def _unanswered_action(self, message_id: str, what: str) -> str:
        for known_id, action in self._incoming:
            if known_id == message_id:
                return action
        raise LocalProtocolError(
            f"{what}: no unanswered CALL with id {message_id!r} (unanswered: {self.unanswered_calls!r}); it was never received, "
            "was answered already, or was rejected by the session"
        )

    def _remove_incoming(self, message_id: str) -> None:
        for index in range(len(self._incoming)):
            if self._incoming[index][0] == message_id:
                del self._incoming[index]
                return

    # Codec adapters: the one place that knows the two codec signatures.

    def _encode_call(self, message_id: str, action: str, request: "Any") -> str:
        if self._typed:
            return self.codec.encode_call(message_id, request)  # type: ignore[no-any-return]
        return self.codec.encode_call(message_id, action, request)  # type: ignore[no-any-return]

    def _encode_result(self, message_id: str, action: str, response: "Any") -> str:
        if self._typed:
            return self.codec.encode_result(message_id, response)  # type: ignore[no-any-return]
        return self.codec.encode_result(message_id, action, response)  # type: ignore[no-any-return]

    def _encode_send(self, message_id: str, action: str, message: "Any") -> str:
        if self._typed:
            return self.codec.encode_send(message_id, message)  # type: ignore[no-any-return]
        return self.codec.encode_send(message_id, action, message)  # type: ignore[no-any-return]


def _check_now(now: "Any") -> None:
    if not is_number(now):
        raise LocalProtocolError(f"now must be a number (seconds), not {now!r}")


def _status_of(response: "Any") -> "Any":
    status = (
        response.get("status") if isinstance(response, dict) else getattr(response, "status", None)
    )
    # A str Enum member compares by value; take .value to be explicit.
    return getattr(status, "value", status)
