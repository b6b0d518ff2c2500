"""Every event object ocpp_core hands to its user, in one module (MicroPython safe).

Events are frozen values: plain classes with `__slots__`, an `__init__` that sets each
field once through `object.__setattr__`, and a `__setattr__`/`__delattr__` that refuse
afterwards (MicroPython does not enforce `__slots__`, so the refusal is what freezes
them there). They compare equal when their type and every field are equal, and their
`repr` names every field.

Sections:
- RPC events, produced by `ocpp_core.rpc.RpcSession`.
- Connection events, produced by the WebSocket layer (`ocpp_core.ws` /
  `ocpp_core.connection`); that layer adds its classes in the section at the end.
"""

try:
    from typing import Any, Optional
except ImportError:  # MicroPython: annotations are never evaluated
    pass

from ocpp_core.errors import RemoteProtocolError


class Event:
    """Base class of every event: frozen, compared by type and field values."""

    __slots__ = ()
    # The field names in constructor order; each subclass lists its own.
    _fields: "tuple[str, ...]" = ()

    def _init_fields(self, values: "tuple[Any, ...]") -> None:
        # object.__setattr__ bypasses our own refusing __setattr__ (works on MicroPython).
        fields = self._fields
        if len(values) != len(fields):
            raise TypeError(type(self).__name__ + " takes " + ", ".join(fields))
        for index in range(len(fields)):  # no zip(strict=) on MicroPython
            object.__setattr__(self, fields[index], values[index])

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(type(self).__name__ + " is frozen; cannot set " + repr(name))

    def __delattr__(self, name: str) -> None:
        raise AttributeError(type(self).__name__ + " is frozen; cannot delete " + repr(name))

    def _values(self) -> "tuple[Any, ...]":
        return tuple(getattr(self, name) for name in self._fields)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, Event)
        return self._values() == other._values()

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        # Raises TypeError when a field holds a dict (details, dict payloads): such an
        # event is a value that cannot be hashed, like the dict inside it.
        return hash((type(self).__name__, self._values()))

    def __repr__(self) -> str:
        parts = []
        for name in self._fields:
            parts.append(name + "=" + repr(getattr(self, name)))
        return type(self).__name__ + "(" + ", ".join(parts) + ")"


# ---------------------------------------------------------------------------
# RPC events (ocpp_core.rpc)


class CallReceived(Event):
    """The peer sent a valid CALL; answer it with `reply()` or `reply_error()`.

    `message` is the typed request (msgspec Struct with `Codec`, dict with `PyCodec`);
    `warnings` lists the quirks fix-ups applied while decoding (empty when strict).
    """

    __slots__ = ("action", "message", "message_id", "warnings")
    _fields = ("message_id", "action", "message", "warnings")
    message_id: str
    action: str
    message: "Any"
    warnings: "tuple[Any, ...]"

    def __init__(self, message_id: str, action: str, message: "Any", warnings: "Any" = ()) -> None:
        self._init_fields((message_id, action, message, tuple(warnings)))


class CallResultReceived(Event):
    """The peer answered our CALL `message_id` (for `action`) with a valid CALLRESULT."""

    __slots__ = ("action", "message", "message_id", "warnings")
    _fields = ("message_id", "action", "message", "warnings")
    message_id: str
    action: str
    message: "Any"
    warnings: "tuple[Any, ...]"

    def __init__(self, message_id: str, action: str, message: "Any", warnings: "Any" = ()) -> None:
        self._init_fields((message_id, action, message, tuple(warnings)))


class GenericCallResultReceived(CallResultReceived):
    """The peer answered our CALL that was made with a generic request: `message` is
    the typed response as received, `generic` the generic response mapped from it
    (its `native` is `message`). A CallResultReceived, so code written for those
    (and `ocpp_core.handlers.call_outcome`) takes it as it is."""

    __slots__ = ("generic",)
    # One field more than the base (mypy reads the base's as a 4-tuple type).
    _fields = ("message_id", "action", "message", "warnings", "generic")  # type: ignore[assignment]
    generic: "Any"

    def __init__(
        self, message_id: str, action: str, message: "Any", warnings: "Any", generic: "Any"
    ) -> None:
        self._init_fields((message_id, action, message, tuple(warnings), generic))


class CallErrorReceived(Event):
    """The peer answered our CALL `message_id` (for `action`) with a CALLERROR."""

    __slots__ = ("action", "code", "description", "details", "message_id")
    _fields = ("message_id", "action", "code", "description", "details")
    message_id: str
    action: str
    code: str
    description: str
    details: "dict[str, Any]"

    def __init__(
        self,
        message_id: str,
        action: str,
        code: str,
        description: str,
        details: "dict[str, Any]",
    ) -> None:
        self._init_fields((message_id, action, code, description, details))


class CallResultInvalid(Event):
    """The peer answered our CALL `message_id` with a reply that broke the rules.

    The CALL has ended (the next queued CALL goes out). `error` is the
    `RemoteProtocolError` naming the violation; `answered_with` is the CALLRESULTERROR
    text the session sent (OCPP 2.1 only) or None.
    """

    __slots__ = ("action", "answered_with", "error", "message_id")
    _fields = ("message_id", "action", "error", "answered_with")
    message_id: str
    action: str
    error: RemoteProtocolError
    answered_with: "Optional[str]"

    def __init__(
        self,
        message_id: str,
        action: str,
        error: RemoteProtocolError,
        answered_with: "Optional[str]",
    ) -> None:
        self._init_fields((message_id, action, error, answered_with))


class CallTimedOut(Event):
    """Our CALL `message_id` got no answer before its deadline; it has ended."""

    __slots__ = ("action", "message_id")
    _fields = ("message_id", "action")
    message_id: str
    action: str

    def __init__(self, message_id: str, action: str) -> None:
        self._init_fields((message_id, action))


class CallCancelled(Event):
    """Our CALL `message_id` (in flight or still queued) ended without an answer.

    Emitted for each of our CALLs by `connection_lost(reason)`; `reason` is that text.
    """

    __slots__ = ("action", "message_id", "reason")
    _fields = ("message_id", "action", "reason")
    message_id: str
    action: str
    reason: str

    def __init__(self, message_id: str, action: str, reason: str) -> None:
        self._init_fields((message_id, action, reason))


class IncomingCallCancelled(Event):
    """A CALL from the peer that we had not answered can no longer be answered.

    Emitted for each unanswered incoming CALL by `connection_lost(reason)`.
    """

    __slots__ = ("action", "message_id", "reason")
    _fields = ("message_id", "action", "reason")
    message_id: str
    action: str
    reason: str

    def __init__(self, message_id: str, action: str, reason: str) -> None:
        self._init_fields((message_id, action, reason))


class CallRejected(Event):
    """The peer sent a CALL the session answered by itself with a CALLERROR.

    Unknown action, an action this role never handles, a bad payload, an id already in
    use, too many unanswered CALLs, or a CALL before BootNotification was accepted.
    `error` is the `RemoteProtocolError` (its `violation` names code, path and reason);
    `answered_with` is the CALLERROR text sent. The user never answers this CALL.
    """

    __slots__ = ("action", "answered_with", "error", "message_id")
    _fields = ("message_id", "action", "error", "answered_with")
    message_id: str
    action: str
    error: RemoteProtocolError
    answered_with: str

    def __init__(
        self, message_id: str, action: str, error: RemoteProtocolError, answered_with: str
    ) -> None:
        self._init_fields((message_id, action, error, answered_with))


class ProtocolViolation(Event):
    """The peer sent a frame that is not a usable message (bad JSON, bad envelope,
    unknown message type, a bad SEND, a malformed reply for no CALL of ours).

    `error` is the `RemoteProtocolError`; `answered_with` is the CALLERROR text the
    session sent, or None when the rules say not to answer (replies, SENDs, unknown
    message types outside 2.0.1, an unreadable id on 1.6).
    """

    __slots__ = ("answered_with", "error")
    _fields = ("error", "answered_with")
    error: RemoteProtocolError
    answered_with: "Optional[str]"

    def __init__(self, error: RemoteProtocolError, answered_with: "Optional[str]") -> None:
        self._init_fields((error, answered_with))


class UnmatchedResponse(Event):
    """A CALLRESULT / CALLERROR / CALLRESULTERROR that answers nothing we have open.

    It was dropped and not answered. `kind` is its message type number (3, 4 or 5);
    `action` is the action of the ended CALL it belongs to when the session still
    remembers that id (a late reply after a timeout), else None; `reason` says which.
    """

    __slots__ = ("action", "kind", "message_id", "reason")
    _fields = ("message_id", "kind", "action", "reason")
    message_id: str
    kind: int
    action: "Optional[str]"
    reason: str

    def __init__(self, message_id: str, kind: int, action: "Optional[str]", reason: str) -> None:
        self._init_fields((message_id, kind, action, reason))


class SendReceived(Event):
    """OCPP 2.1: the peer sent a valid SEND (message type 6). It is never answered."""

    __slots__ = ("action", "message", "message_id", "warnings")
    _fields = ("message_id", "action", "message", "warnings")
    message_id: str
    action: str
    message: "Any"
    warnings: "tuple[Any, ...]"

    def __init__(self, message_id: str, action: str, message: "Any", warnings: "Any" = ()) -> None:
        self._init_fields((message_id, action, message, tuple(warnings)))


class CallResultErrorReceived(Event):
    """OCPP 2.1: the peer rejected our CALLRESULT `message_id` (a CALLRESULTERROR).

    `action` is the action of the CALL that CALLRESULT answered.
    """

    __slots__ = ("action", "code", "description", "details", "message_id")
    _fields = ("message_id", "action", "code", "description", "details")
    message_id: str
    action: str
    code: str
    description: str
    details: "dict[str, Any]"

    def __init__(
        self,
        message_id: str,
        action: str,
        code: str,
        description: str,
        details: "dict[str, Any]",
    ) -> None:
        self._init_fields((message_id, action, code, description, details))


RPC_EVENTS = (
    CallReceived,
    CallResultReceived,
    CallErrorReceived,
    CallResultInvalid,
    CallTimedOut,
    CallCancelled,
    IncomingCallCancelled,
    CallRejected,
    ProtocolViolation,
    UnmatchedResponse,
    SendReceived,
    CallResultErrorReceived,
)


# ---------------------------------------------------------------------------
# Connection events (ocpp_core.ws / ocpp_core.connection)
#
# Reserved for the WebSocket layer: ConnectionRequested, Connected, ConnectionClosed.
# Subclass `Event` the same way (`__slots__`, `_fields`, `_init_fields`).


# WebSocket layer. ConnectionClosed.initiator values:
LOCAL = "local"  # we sent the first close frame, refused or rejected, or gave up
REMOTE = "remote"  # the peer sent the first close frame
TRANSPORT = "transport"  # the byte stream ended (EOF) or the opening handshake failed

# HandshakeFailed.kind values (station side)
REJECTED = "rejected"  # the server answered with an HTTP status other than 101
BAD_RESPONSE = "bad-response"  # not HTTP, or HTTP that h11 refuses
BAD_UPGRADE = "bad-upgrade"  # 101 without Upgrade: websocket / Connection: upgrade
BAD_ACCEPT = "bad-accept"  # Sec-WebSocket-Accept does not match our key
BAD_SUBPROTOCOL = "bad-subprotocol"  # a subprotocol we did not offer, or several
NO_SUBPROTOCOL = "no-subprotocol"  # none chosen: the server accepts none of our versions
BAD_EXTENSION = "bad-extension"  # an extension we did not offer, or bad parameters
EOF = "eof"  # the stream ended before the answer was complete
TIMEOUT = "timeout"  # open_timeout passed without an answer


class ConnectionRequested(Event):
    """CSMS side: a station asks to connect. Answer with accept() or reject(status).

    `identity` is the percent-decoded last path segment. `subprotocols` are the
    Sec-WebSocket-Protocol values the station offered, in its order; `versions` the
    OCPP versions the server could accept from them, in the server's preference order
    (2.x versions are left out when the identity breaks the 2.x identity rules;
    `identity_problem` then says how). `username` / `password` come from
    `Authorization: Basic` (None when absent); `auth_problem` says why a present
    Authorization header could not be read. `path` is the request target, `headers`
    every request header as (lower-case name, value) text pairs.
    """

    __slots__ = (
        "auth_problem",
        "headers",
        "identity",
        "identity_problem",
        "password",
        "path",
        "subprotocols",
        "username",
        "versions",
    )
    _fields = (
        "identity",
        "subprotocols",
        "versions",
        "path",
        "headers",
        "username",
        "password",
        "auth_problem",
        "identity_problem",
    )
    identity: str
    subprotocols: "tuple[str, ...]"
    versions: "tuple[str, ...]"
    path: str
    headers: "tuple[tuple[str, str], ...]"
    username: "Optional[str]"
    password: "Optional[str]"
    auth_problem: "Optional[str]"
    identity_problem: "Optional[str]"

    def __init__(
        self,
        identity: str,
        subprotocols: "tuple[str, ...]",
        versions: "tuple[str, ...]",
        path: str,
        headers: "tuple[tuple[str, str], ...]",
        username: "Optional[str]" = None,
        password: "Optional[str]" = None,
        auth_problem: "Optional[str]" = None,
        identity_problem: "Optional[str]" = None,
    ) -> None:
        self._init_fields(
            (
                identity,
                tuple(subprotocols),
                tuple(versions),
                path,
                tuple(headers),
                username,
                password,
                auth_problem,
                identity_problem,
            )
        )


class Connected(Event):
    """The WebSocket is open. `version` is the negotiated OCPP version, `subprotocol`
    the Sec-WebSocket-Protocol value (None when a version was assumed without it),
    `extensions` the agreed extensions, `headers` the other headers of the 101."""

    __slots__ = ("extensions", "headers", "subprotocol", "version")
    _fields = ("version", "subprotocol", "extensions", "headers")
    version: str
    subprotocol: "Optional[str]"
    extensions: "tuple[str, ...]"
    headers: "tuple[tuple[str, str], ...]"

    def __init__(
        self,
        version: str,
        subprotocol: "Optional[str]",
        extensions: "tuple[str, ...]" = (),
        headers: "tuple[tuple[str, str], ...]" = (),
    ) -> None:
        self._init_fields((version, subprotocol, tuple(extensions), tuple(headers)))


class HandshakeFailed(Event):
    """Station side: the opening handshake failed; `kind` says how (REJECTED, ...).

    For REJECTED, `status_code`, `headers` and the start of `body` are the server's.
    A ConnectionClosed follows.
    """

    __slots__ = ("body", "headers", "kind", "reason", "status_code")
    _fields = ("kind", "reason", "status_code", "headers", "body")
    kind: str
    reason: str
    status_code: "Optional[int]"
    headers: "tuple[tuple[str, str], ...]"
    body: bytes

    def __init__(
        self,
        kind: str,
        reason: str,
        status_code: "Optional[int]" = None,
        headers: "tuple[tuple[str, str], ...]" = (),
        body: bytes = b"",
    ) -> None:
        self._init_fields((kind, reason, status_code, tuple(headers), body))


class TextMessage(Event):
    """A whole text message from the peer (fragments joined). ocpp_core.connection
    feeds it to the RPC session; users of ocpp_core.ws alone see it."""

    __slots__ = ("text",)
    _fields = ("text",)
    text: str

    def __init__(self, text: str) -> None:
        self._init_fields((text,))


class MessageTooBig(Event):
    """A text message over max_message_size was discarded (oversize_action
    "callerror"). `head` holds its first characters (enough to read a message id),
    `size` the bytes it had."""

    __slots__ = ("head", "size")
    _fields = ("head", "size")
    head: str
    size: int

    def __init__(self, head: str, size: int) -> None:
        self._init_fields((head, size))


class WebSocketViolation(Event):
    """The peer broke the HTTP upgrade or WebSocket rules; the layer has reacted.

    `reason` says how; `close_code` is the code we closed with (None when no close frame
    went out, e.g. during the handshake); `status_code` the HTTP status a bad upgrade
    request was answered with (CSMS side). A ConnectionClosed follows or came before.
    """

    __slots__ = ("close_code", "reason", "status_code")
    _fields = ("reason", "close_code", "status_code")
    reason: str
    close_code: "Optional[int]"
    status_code: "Optional[int]"

    def __init__(
        self,
        reason: str,
        close_code: "Optional[int]" = None,
        status_code: "Optional[int]" = None,
    ) -> None:
        self._init_fields((reason, close_code, status_code))


class ConnectionClosed(Event):
    """The connection is over: write out what is left to send, then close the socket.

    `code` / `reason` are those of the first close frame (ours if `initiator` is LOCAL,
    the peer's if REMOTE), or 1006 and a description when no close frame was exchanged
    (TRANSPORT, an HTTP rejection, a close timeout). `clean` is True when both close
    frames were exchanged, or an HTTP rejection was sent.
    """

    __slots__ = ("clean", "code", "initiator", "reason")
    _fields = ("code", "reason", "initiator", "clean")
    code: int
    reason: str
    initiator: str
    clean: bool

    def __init__(self, code: int, reason: str, initiator: str, clean: bool) -> None:
        self._init_fields((code, reason, initiator, clean))


WEBSOCKET_EVENTS = (
    ConnectionRequested,
    Connected,
    HandshakeFailed,
    TextMessage,
    MessageTooBig,
    WebSocketViolation,
    ConnectionClosed,
)
