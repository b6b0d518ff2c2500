"""What every I/O binding shares above a connection, with no I/O: handler routing, the
outcome of a CALL as a value or an exception, the answer to a failed handler, the
CSMS's decision on a connection request, the heartbeat interval, reconnect back-off.

The asyncio, trio and threads bindings differ only in how they wait; every decision
below is taken here once, so that they cannot drift apart:

    router = Router()

    @router.on(v201.BootNotificationRequest)
    async def boot(conn, request):          # sync or async, the binding decides
        return v201.BootNotificationResponse(...)

    @router.on(G.HeartbeatRequest)          # generic: every version, generic in and out
    def heartbeat(conn, request):
        return G.HeartbeatResponse(current_time=...)

    handler = router.lookup("2.0.1", "BootNotification")
    code, description = unhandled("2.0.1", "Reset")        # no handler: NotSupported
    code, description, details = error_answer("2.0.1", exc)  # handler raised
    value = call_outcome(event)              # response, or raise its exception

CPython only (typed messages are msgspec Structs).
"""

import importlib
import sys
from collections.abc import Callable
from typing import Any, Optional

from ocpp_core import events as ev
from ocpp_core.errors import LocalProtocolError
from ocpp_core.versions import (
    INTERNAL_ERROR,
    NOT_IMPLEMENTED,
    NOT_SUPPORTED,
    VERSIONS,
    is_error_code,
)

_MODULES = {"1.6": "ocpp_core.v16.messages", "2.0.1": "ocpp_core.v201.messages"}
_MODULES["2.1"] = "ocpp_core.v21.messages"


def messages_of(version: str) -> Any:
    """The generated `messages` module of `version`."""
    if version not in _MODULES:
        raise ValueError("unknown OCPP version " + repr(version))
    return importlib.import_module(_MODULES[version])


def version_and_action(message_type: type) -> "tuple[str, str]":
    """The (version, action) a generated request / SEND type belongs to."""
    for version in VERSIONS:
        module = messages_of(version)
        action = module.ACTION_OF.get(message_type)
        if action is None:
            continue
        if module.REQUESTS.get(action) is message_type or module.SENDS.get(action) is (
            message_type
        ):
            return version, action
        raise ValueError(f"{message_type.__name__} is a response, not a request")
    raise ValueError(f"{message_type!r} is not a generated OCPP message type")


# -- errors a binding raises from call() -------------------------------------------------


class CallError(Exception):
    """A CALLERROR: raised by `call()` when the peer answered with one, and raised by a
    handler to answer the peer's CALL with one (`code` in the version's spelling)."""

    def __init__(
        self,
        code: str,
        description: str = "",
        details: Optional[dict[str, Any]] = None,
        action: Optional[str] = None,
    ) -> None:
        Exception.__init__(self, f"{code}: {description}" if description else code)
        self.code = code
        self.description = description
        self.details = {} if details is None else details
        self.action = action


class CallTimeout(TimeoutError):
    """Our CALL got no answer before its deadline (`RpcConfig.call_timeout` or the
    `timeout` of that call)."""

    def __init__(self, action: str, message_id: str) -> None:
        TimeoutError.__init__(self, f"{action} ({message_id}): no answer in time")
        self.action = action
        self.message_id = message_id


class ConnectionClosedError(ConnectionError):
    """Our CALL ended because the connection ended (close, EOF, shutdown)."""

    def __init__(self, reason: str, action: Optional[str] = None) -> None:
        ConnectionError.__init__(self, (action + ": " if action else "") + reason)
        self.reason = reason
        self.action = action


class InvalidResponse(Exception):
    """The peer answered our CALL with something the protocol forbids; `error` is the
    core's RemoteProtocolError (its `violation` names the problem)."""

    def __init__(self, action: str, error: Any) -> None:
        Exception.__init__(self, f"{action}: invalid answer: {error}")
        self.action = action
        self.error = error


class HandshakeError(ConnectionError):
    """The WebSocket handshake failed (HTTP status, bad subprotocol, EOF, ...); `event`
    is the core's HandshakeFailed."""

    def __init__(self, event: ev.HandshakeFailed) -> None:
        ConnectionError.__init__(
            self, f"handshake failed: {event.kind} {event.status_code} {event.reason}"
        )
        self.event = event
        self.status_code = event.status_code


CALL_END_EVENTS = (
    ev.CallResultReceived,
    ev.CallErrorReceived,
    ev.CallTimedOut,
    ev.CallCancelled,
    ev.CallResultInvalid,
)


def call_outcome(event: Any) -> Any:
    """The response of a CALL-ending event (the generic one for a CALL made with a
    generic request), or raise what it means (never None for an error): CallError,
    CallTimeout, ConnectionClosedError, InvalidResponse."""
    if isinstance(event, ev.CallResultReceived):
        return getattr(event, "generic", event.message)  # GenericCallResultReceived
    if isinstance(event, ev.CallErrorReceived):
        raise CallError(event.code, event.description, event.details, event.action)
    if isinstance(event, ev.CallTimedOut):
        raise CallTimeout(event.action, event.message_id)
    if isinstance(event, ev.CallCancelled):
        raise ConnectionClosedError(event.reason, event.action)
    if isinstance(event, ev.CallResultInvalid):
        raise InvalidResponse(event.action, event.error)
    raise TypeError(f"{type(event).__name__} does not end a CALL")


# -- answering the peer's CALLs ---------------------------------------------------------

Handler = Callable[..., Any]


def _generic_operation(message_type: type) -> Optional[str]:
    """The operation of a generic request type; None for a type outside ocpp_core.generic
    (which is then never imported: a typed-only router does not load the model)."""
    mapping = sys.modules.get("ocpp_core.generic.mapping")
    if mapping is None:
        return None
    operation: Optional[str] = mapping.OPERATION_OF.get(message_type)
    if operation is None:
        model = sys.modules["ocpp_core.generic.model"]
        if issubclass(message_type, model.GenericStruct):
            raise ValueError(f"{message_type.__name__} is not a generic request type")
        return None
    if mapping.OPERATIONS[operation][0] is not message_type:
        raise ValueError(f"{message_type.__name__} is a response, not a request")
    return operation


class Router:
    """Handlers by (version, action), and generic handlers by operation.

    A typed handler takes (connection, typed request) and returns the typed response;
    a generic one (added with a request type of `ocpp_core.generic`) serves that
    operation on every version: it takes (connection, generic request) and returns the
    generic response. Either may return an awaitable, where the binding awaits. For a
    CALL both could take, the typed handler of its (version, action) wins."""

    def __init__(self) -> None:
        self._table: dict[tuple[str, str], Handler] = {}
        self._generic: dict[str, Handler] = {}

    def add(self, message_type: type, handler: Handler) -> None:
        """Route the CALLs (or 2.1 SENDs) of `message_type` to `handler`."""
        operation = _generic_operation(message_type)
        if operation is not None:
            self._generic[operation] = handler
            return
        self._table[version_and_action(message_type)] = handler

    def on(self, message_type: type) -> Callable[[Handler], Handler]:
        """Decorator form of `add`."""

        def register(handler: Handler) -> Handler:
            self.add(message_type, handler)
            return handler

        return register

    def lookup(self, version: str, action: str) -> Optional[Handler]:
        """The typed handler of (version, action)."""
        return self._table.get((version, action))

    def lookup_generic(self, operation: str) -> Optional[Handler]:
        """The generic handler of a generic operation ("BootNotification", ...)."""
        return self._generic.get(operation)

    @property
    def has_generic(self) -> bool:
        return bool(self._generic)

    def copy(self) -> "Router":
        other = Router()
        other._table = dict(self._table)
        other._generic = dict(self._generic)
        return other


def unhandled(version: str, action: str) -> "tuple[str, str]":
    """The CALLERROR for a CALL no handler takes: NotSupported for an action the version
    knows (OCPP-J: "recognized but not supported"), NotImplemented otherwise."""
    if action in messages_of(version).REQUESTS:
        return NOT_SUPPORTED, f"{action} is not supported by this endpoint"
    return NOT_IMPLEMENTED, f"{action} is not implemented"


def error_answer(version: str, error: BaseException) -> "tuple[str, str, dict[str, Any]]":
    """The CALLERROR (code, description, details) answering a CALL whose handler raised
    `error`: a CallError with a code of this version is sent as it is; anything else
    is InternalError (the exception's text stays in the local log, not on the wire)."""
    if isinstance(error, CallError) and is_error_code(version, error.code):
        description = error.description
        if version != "1.6":
            description = description[:255]  # 2.x: errorDescription is at most 255
        return error.code, description, dict(error.details)
    return INTERNAL_ERROR, "the handler failed", {}


def answer_call(
    core: Any, message_id: str, response: Any = None, error: Optional[BaseException] = None
) -> Optional[str]:
    """Answer the peer's CALL `message_id` on the sans-IO `core` (an OcppConnection)
    with its handler's `response`, or with the CALLERROR for the handler's `error`.

    A response the protocol forbids (wrong type, invalid payload) becomes InternalError.
    A connection that ended while the handler ran gets no answer. Returns what the
    binding should log as an error (None: nothing went wrong on our side)."""
    problem: Optional[str] = None
    if error is None:
        try:
            core.reply(message_id, response)
            return None
        except LocalProtocolError as exc:
            if core.state != "open":
                return None  # the connection ended while the handler ran
            problem = f"handler returned {response!r}: {exc}"
            error = exc
    elif not (isinstance(error, CallError) and is_error_code(core.version, error.code)):
        problem = f"handler failed: {error!r}"
    code, description, details = error_answer(core.version, error)
    try:
        core.reply_error(message_id, code, description, details)
    except LocalProtocolError:
        pass  # closed meanwhile, or the CALL was cancelled: nobody to answer
    return problem


def answer_handled(
    core: Any, event: Any, response: Any = None, error: Optional[BaseException] = None
) -> Optional[str]:
    """Answer the peer's CallReceived / SendReceived `event` with its handler's outcome:
    a CALL through `answer_call`; a 2.1 SEND never (P4.21 §4.2.4), its handler's
    failure only reported. Returns what the binding should log as an error."""
    if isinstance(event, ev.SendReceived):
        return None if error is None else "SEND handler failed"
    return answer_call(core, event.message_id, response, error)


def answer_unhandled(core: Any, router: "Router", event: Any) -> Optional["Handler"]:
    """The handler of a CallReceived / SendReceived, or None once the core has answered
    the CALL for want of one (NotSupported / NotImplemented; a SEND is never answered).

    The binding calls it as `handler(connection, event.message)` in either case: for a
    CALL a generic handler takes, what is returned is that handler bound to the
    generic request (mapped here, by the core), and its generic response goes back
    through `answer_call` -> `core.reply`, which maps it."""
    handler = router.lookup(core.version, event.action)
    if handler is None and router.has_generic and isinstance(event, ev.CallReceived):
        handler = _generic_route(core, router, event)
    if handler is None and isinstance(event, ev.CallReceived):
        code, description = unhandled(core.version, event.action)
        try:
            core.reply_error(event.message_id, code, description, {})
        except LocalProtocolError:
            pass
    return handler


def _generic_route(core: Any, router: "Router", event: Any) -> Optional["Handler"]:
    from ocpp_core.generic import NoGenericMapping, operation_of  # loaded: has_generic

    operations = core.generic.operations_of(event.action)
    if not any(router.lookup_generic(operation) for operation in operations):
        return None  # mapping nobody takes would only cost (1.6: a transaction id)
    try:
        request = core.generic_request(event)
    except NoGenericMapping:
        return None
    except Exception as exc:  # a mapper gap, a PyCodec connection: the CALL fails
        return _failing(exc)
    handler = router.lookup_generic(operation_of(request))
    return None if handler is None else _bound(handler, request)


def _bound(handler: "Handler", request: Any) -> "Handler":
    def generic_handler(conn: Any, _typed: Any) -> Any:
        return handler(conn, request)

    return generic_handler


def _failing(error: Exception) -> "Handler":
    # Raised where the binding runs handlers, so it is answered (InternalError) and
    # logged like any handler failure.
    def failing_handler(conn: Any, _typed: Any) -> Any:
        raise error

    return failing_handler


# -- the CSMS's answer to a connection request ---------------------------------------------


class Accept:
    """on_connect's "yes", with this station's own settings: the subprotocol (None: the
    server's preference), a quirks policy (its own codec), an RpcConfig, a Router, a
    GenericConfig (e.g. the 1.6 connector layout of its model)."""

    def __init__(
        self,
        subprotocol: Optional[str] = None,
        quirks: Any = None,
        rpc_config: Any = None,
        router: Optional[Router] = None,
        generic: Any = None,
    ) -> None:
        self.subprotocol = subprotocol
        self.quirks = quirks
        self.rpc_config = rpc_config
        self.router = router
        self.generic = generic

    def codec_factory(self) -> Optional[Callable[[str], Any]]:
        if self.quirks is None:
            return None
        from ocpp_core.codec import Codec

        quirks = self.quirks
        return lambda version: Codec(version, quirks=quirks)


class Reject:
    """on_connect's "no": the HTTP status (401 wrong password, 404 unknown identity)."""

    def __init__(
        self, status: int, headers: "Optional[list[tuple[str, str]]]" = None, body: bytes = b""
    ) -> None:
        self.status = status
        self.headers = headers
        self.body = body


def decide(answer: Any) -> "Accept | Reject":
    """Check on_connect's answer; anything but Accept / Reject is a programming error."""
    if isinstance(answer, (Accept, Reject)):
        return answer
    raise TypeError(f"on_connect must return Accept(...) or Reject(...), not {answer!r}")


def settle_request(core: Any, answer: Any) -> "tuple[Optional[Router], Optional[str]]":
    """Apply on_connect's `answer` (Accept / Reject, or the exception on_connect raised:
    Reject(500)) to the deciding sans-IO CsmsConnection `core`. Returns the router this
    station gets (None: the server's) and what to log as a warning, if anything."""
    problem: Optional[str] = None
    if isinstance(answer, BaseException):
        problem = f"on_connect failed: {answer!r}"
        answer = Reject(500)
    else:
        try:
            answer = decide(answer)
        except TypeError as exc:
            problem = str(exc)
            answer = Reject(500)
    try:
        if isinstance(answer, Reject):
            core.reject(answer.status, answer.headers, answer.body)
            return None, problem
        core.accept(answer.subprotocol, answer.codec_factory(), answer.rpc_config, answer.generic)
    except LocalProtocolError as exc:
        # The request timed out or was closed while on_connect ran, or on_connect
        # chose a subprotocol the station did not offer.
        problem = f"cannot answer the connection request: {exc}"
        if core.state == "deciding":
            core.reject(500)
        return None, problem
    return answer.router, problem


# -- station timers -------------------------------------------------------------------------


def heartbeat_interval(action: str, response: Any) -> Optional[float]:
    """Seconds between Heartbeats from an accepted BootNotification response, else None
    (Pending / Rejected make `interval` the wait before the next BootNotification)."""
    if action != "BootNotification":
        return None
    if getattr(response, "status", None) != "Accepted":
        return None
    interval = getattr(response, "interval", 0)
    return float(interval) if interval > 0 else None


def heartbeat_request(version: str) -> Any:
    return messages_of(version).HeartbeatRequest()


class Backoff:
    """Reconnect delays: `initial * factor**attempt`, at most `maximum`, each shortened
    by up to `jitter` of itself so that many stations do not reconnect in step."""

    def __init__(
        self, initial: float = 1.0, maximum: float = 60.0, factor: float = 2.0, jitter: float = 0.5
    ) -> None:
        if initial <= 0 or maximum < initial:
            raise ValueError("need 0 < initial <= maximum")
        if factor < 1:
            raise ValueError("factor must be at least 1")
        if not 0 <= jitter <= 1:
            raise ValueError("jitter is a fraction between 0 and 1")
        self.initial = initial
        self.maximum = maximum
        self.factor = factor
        self.jitter = jitter

    def delay(self, attempt: int, random: float) -> float:
        """The wait before reconnect `attempt` (0 = first); `random` in [0, 1)."""
        try:
            grown = self.initial * self.factor**attempt
        except OverflowError:  # a float power this large: far beyond any maximum
            grown = self.maximum
        return min(self.maximum, grown) * (1.0 - self.jitter * random)


__all__ = [
    "CALL_END_EVENTS",
    "Accept",
    "Backoff",
    "CallError",
    "CallTimeout",
    "ConnectionClosedError",
    "HandshakeError",
    "InvalidResponse",
    "Reject",
    "Router",
    "answer_call",
    "answer_handled",
    "answer_unhandled",
    "call_outcome",
    "decide",
    "error_answer",
    "heartbeat_interval",
    "heartbeat_request",
    "messages_of",
    "settle_request",
    "unhandled",
    "version_and_action",
]
