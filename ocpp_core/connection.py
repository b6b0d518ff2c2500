"""`StationConnection` and `CsmsConnection`: one OCPP-J connection, bytes to typed events.

Each joins the WebSocket layer (`ocpp_core.ws`) and an RPC session
(`ocpp_core.rpc.RpcSession`) created for the version the handshake negotiated, so that
every layer above runs that version:

    bytes in  (receive_data)  -> WebSocket -> text -> RpcSession -> events (next_event)
    commands  (call / reply)  -> RpcSession -> text -> WebSocket -> bytes (data_to_send)

Events are those of both layers (`ocpp_core.events`): ConnectionRequested (CSMS),
Connected (station), CallReceived, CallResultReceived, ..., ConnectionClosed last.
When the WebSocket ends, the RPC session is told (`connection_lost`), so every open
CALL ends with its own event before ConnectionClosed.

Generic messages (`ocpp_core.generic`) are taken wherever typed ones are: `call()` and
`reply()` map them with the connection's mapper (`ocpp_core.generic_session`, made on
first use for the negotiated version, with the options of `generic=GenericConfig(...)`),
the answer to a generic CALL is a `GenericCallResultReceived` (typed `message`,
generic `generic`), and `generic_request(event)` maps a CallReceived. Nothing of this
runs, nor is imported, for an application that sends typed messages only.

CPython only, like ocpp_core.ws. Time enters as `now`; message ids come from
`id_factory` (default: random UUIDs, which OCPP 2.1 §4.1.4 needs because its ids must be
unique across every connection of a station identity).
"""

import random
import re
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Optional

from ocpp_core import events as ev
from ocpp_core.errors import LocalProtocolError
from ocpp_core.ids import Uuid4Ids
from ocpp_core.rpc import RpcSession
from ocpp_core.versions import (
    CSMS,
    FORMAT_VIOLATION,
    FORMATION_VIOLATION,
    STATION,
    V16,
)
from ocpp_core.ws import CsmsConfig, StationConfig, WsClient, WsServer
from ocpp_core.ws.endpoint import OPEN, WsEndpoint
from ocpp_core.ws.framing import NORMAL

if TYPE_CHECKING:
    from ocpp_core.generic_session import GenericConfig, GenericSession

# The start of a CALL: its message id is all an oversize CALL's CALLERROR needs.
_CALL_HEAD = re.compile(r'\s*\[\s*2\s*,\s*"([^"\\]{1,36})"')


# One OS-entropy source for every connection: SystemRandom reads os.urandom and keeps
# no state of its own worth having per connection (yet each instance carries an unused
# 2.5 KB Mersenne Twister state). os.urandom is thread-safe.
_SYSTEM_RANDOM = random.SystemRandom()
_SHARED_IDS = Uuid4Ids(_SYSTEM_RANDOM.getrandbits)


def _default_ids() -> "Callable[[], str]":
    # Uuid4Ids holds nothing but the random source, so one factory serves everyone.
    return _SHARED_IDS


def _is_generic(message: Any) -> bool:
    # A generic message cannot exist before its module is imported: typed-only
    # applications pay one dict lookup here and never import the generic model.
    model = sys.modules.get("ocpp_core.generic.base")  # where GenericStruct is defined
    return model is not None and isinstance(message, model.GenericStruct)


class OcppConnection:
    """What both sides share. Use StationConnection or CsmsConnection."""

    def __init__(
        self,
        role: str,
        ws: WsEndpoint,
        rpc_config: Any,
        id_factory: "Optional[Callable[[], str]]",
        codec_factory: "Optional[Callable[[str], Any]]",
        generic: "Optional[GenericConfig]" = None,
    ) -> None:
        self.role = role
        self._ws = ws
        self._ws_events = ws.event_queue  # the endpoint's own list: read without a generator
        self._rpc_config = rpc_config
        self._id_factory = id_factory if id_factory is not None else _default_ids()
        self._codec_factory = codec_factory
        self._rpc: Optional[RpcSession] = None
        self._generic_config = generic
        self._generic: Optional[GenericSession] = None  # made on first use
        # A list, not a deque: a few events at a time, and an empty deque costs ~600
        # bytes more per connection.
        self._events: list[Any] = []
        # Optional observer of every OCPP-J message: on_frame(direction, text), with
        # direction "in" or "out" (frame logging in the bindings).
        self.on_frame: Optional[Callable[[str, str], None]] = None

    # -- state --------------------------------------------------------------------
    @property
    def state(self) -> str:
        """The WebSocket state (ocpp_core.ws: awaiting-*, deciding, open, closing, closed)."""
        return self._ws.state

    @property
    def version(self) -> Optional[str]:
        """The negotiated OCPP version (None before the handshake, or if none agreed)."""
        return self._ws.version

    @property
    def ws(self) -> WsEndpoint:
        return self._ws

    @property
    def rpc(self) -> Optional[RpcSession]:
        """The RPC session, once a version is negotiated."""
        return self._rpc

    def _start_rpc(self, version: str) -> None:
        codec = None if self._codec_factory is None else self._codec_factory(version)
        self._rpc = RpcSession(self.role, version, self._id_factory, self._rpc_config, codec)
        self._generic = None
        if self._generic_config is not None:  # asked for: made now the version is known
            self._generic_session()

    def _session(self, what: str) -> RpcSession:
        if self._rpc is None or self._ws.state != OPEN:
            raise LocalProtocolError(f"{what}: the connection is not open ({self._ws.state})")
        return self._rpc

    # -- bytes in, events out -------------------------------------------------------
    def receive_data(self, data: bytes, now: float) -> None:
        """Feed bytes from the peer; b"" means EOF."""
        self._ws.receive_data(data, now)
        self._pump(now)

    def _pump(self, now: float) -> None:
        ws_events = self._ws_events
        while ws_events:
            event = ws_events.pop(0)
            if isinstance(event, ev.TextMessage):
                if self.on_frame is not None:
                    self.on_frame("in", event.text)
                if self._rpc is not None and not self._rpc.closed:
                    self._rpc.receive_message(event.text, now)
                    self._drain_rpc()
            elif isinstance(event, ev.MessageTooBig):
                self._answer_oversize(event)
                self._events.append(event)
            elif isinstance(event, ev.Connected):
                self._start_rpc(event.version)
                self._events.append(event)
            elif isinstance(event, ev.ConnectionClosed):
                if self._rpc is not None:
                    self._rpc.connection_lost(f"WebSocket closed: {event.code} {event.reason}")
                    self._drain_rpc()
                self._events.append(event)
            else:
                self._events.append(event)
        self._flush()

    def _drain_rpc(self) -> None:
        assert self._rpc is not None
        events = self._rpc.events()
        if self._generic is not None and self._generic.calls_open:
            events = self._generic.map_events(events)
        self._events.extend(events)

    def _flush(self) -> None:
        # Called after every step; most find nothing queued (one attribute read then).
        if self._rpc is None or not self._rpc.has_messages:
            return
        texts = self._rpc.messages_to_send()
        if self._ws.state == OPEN:
            for text in texts:
                if self.on_frame is not None:
                    self.on_frame("out", text)
                self._ws.send_text(text)

    def _answer_oversize(self, event: ev.MessageTooBig) -> None:
        # oversize_action "callerror": a CALL we dropped for its size gets a CALLERROR
        # (2.x FormatViolation, 1.6 FormationViolation: the payload cannot be taken
        # as sent). Replies and unreadable heads get nothing.
        match = _CALL_HEAD.match(event.head)
        rpc = self._rpc
        if match is None or rpc is None or rpc.closed or self._ws.state != OPEN:
            return
        code = FORMATION_VIOLATION if rpc.version == V16 else FORMAT_VIOLATION
        limit = self._ws.max_message_size
        text = rpc.codec.encode_error(
            match.group(1), code, f"message of {event.size} bytes exceeds {limit} bytes", {}
        )
        self._ws.send_text(text)

    def data_to_send(self) -> bytes:
        """Bytes to write to the peer (drained)."""
        self._flush()
        return self._ws.data_to_send()

    def next_event(self) -> Any:
        """The next event, or None."""
        return self._events.pop(0) if self._events else None

    def events(self) -> Iterator[Any]:
        while self._events:
            yield self._events.pop(0)

    # -- commands -------------------------------------------------------------------
    def call(
        self, request: Any, now: float, timeout: Optional[float] = None, **options: Any
    ) -> str:
        """Send a CALL (queued behind one in flight); returns its message id.

        `request` is typed, or generic: then mapped first (OperationNotAvailable,
        NotRepresentable: LocalProtocolErrors raised before anything is sent), and its
        answer comes as a GenericCallResultReceived."""
        rpc = self._session("call()")
        if _is_generic(request):
            message_id = self._generic_session().call(rpc, request, now, timeout, **options)
        else:
            message_id = rpc.call(request, now, timeout, **options)
        self._flush()
        return message_id

    def send(self, message: Any, now: float, **options: Any) -> str:
        """OCPP 2.1: send a SEND (message type 6); returns its message id."""
        message_id = self._session("send()").send(message, now, **options)
        self._flush()
        return message_id

    def reply(self, message_id: str, response: Any) -> None:
        """Answer the peer's CALL with a typed response, or with a generic one when its
        request was mapped with generic_request()."""
        rpc = self._session("reply()")
        if _is_generic(response):
            session = self._generic_session()
            rpc.reply(message_id, session.reply(message_id, response))
            session.answered(message_id)
        else:
            rpc.reply(message_id, response)
            if self._generic is not None:  # it may have been mapped, then answered typed
                self._generic.answered(message_id)
        self._flush()

    def reply_error(
        self,
        message_id: str,
        code: str,
        description: str = "",
        details: Optional[dict[str, Any]] = None,
    ) -> None:
        self._session("reply_error()").reply_error(message_id, code, description, details)
        if self._generic is not None:
            self._generic.answered(message_id)
        self._flush()

    # -- the generic model ----------------------------------------------------------
    @property
    def generic(self) -> "GenericSession":
        """The generic mapping of this connection (its `mapper`, for the negotiated
        version); LocalProtocolError before a version is negotiated."""
        return self._generic_session()

    def generic_request(self, event: Any) -> Any:
        """The generic request of a CallReceived (kept until it is answered, so that
        reply() takes a generic response). Raises NoGenericMapping for an action
        outside the generic model; the typed `event.message` stays usable."""
        rpc = self._session("generic_request()")
        if event.message_id not in rpc.unanswered_calls:
            # Answered already (or not a CALL of this connection): keeping its request
            # would only leak, and a later CALL reusing the id would get it back.
            raise LocalProtocolError(f"CALL {event.message_id!r} is not waiting for an answer")
        return self._generic_session().request_of(event)

    def _generic_session(self) -> "GenericSession":
        if self._generic is None:
            if self._rpc is None:
                raise LocalProtocolError("generic messages need a negotiated OCPP version")
            from ocpp_core.generic_session import GenericSession

            self._generic = GenericSession(self._rpc.version, self._generic_config)
        return self._generic

    def send_raw(self, text: str) -> None:
        """A testing tool: put `text` on the wire as one text message, unchecked.

        It bypasses validation and correlation (`RpcSession.send_raw`): a CALL sent
        this way is not tracked, and its answer arrives as `UnmatchedResponse`. Needs
        `RpcConfig(allow_send_raw=True)`; raises `LocalProtocolError` otherwise.
        """
        self._session("send_raw()").send_raw(text)
        self._flush()

    def close(self, code: int = NORMAL, reason: str = "") -> None:
        """Start the WebSocket close handshake (ConnectionClosed follows)."""
        self._flush()
        self._ws.close(code, reason)
        self._pump_now()

    def _pump_now(self) -> None:
        now = self._ws.last_now
        self._pump(now if now is not None else 0.0)

    # -- time ----------------------------------------------------------------------------
    def next_deadline(self) -> Optional[float]:
        ws_deadline = self._ws.next_deadline()
        rpc = self._rpc
        if rpc is None or rpc.closed:
            return ws_deadline
        rpc_deadline = rpc.next_deadline()
        if rpc_deadline is None or (ws_deadline is not None and ws_deadline <= rpc_deadline):
            return ws_deadline
        return rpc_deadline

    def tick(self, now: float) -> None:
        # The bindings tick after every step; nearly always nothing is due and nothing
        # waits (no RPC event or message, no WebSocket event): then only the time is
        # noted, as a full tick would (it starts the timers of later commands).
        rpc = self._rpc
        if not self._ws_events and (rpc is None or rpc.idle):
            deadline = self.next_deadline()
            if deadline is None or now < deadline:
                self._ws.note_time(now)
                if rpc is not None and not rpc.closed:
                    rpc.check_now(now)  # the full tick refuses a bad `now` there
                return
        self._ws.tick(now)
        if self._rpc is not None and not self._rpc.closed:
            self._rpc.tick(now)
            self._drain_rpc()
        self._pump(now)


class StationConnection(OcppConnection):
    """The station's connection to its CSMS. The upgrade request is in data_to_send()
    from the start; Connected (with the negotiated version) or HandshakeFailed follows."""

    def __init__(
        self,
        config: StationConfig,
        id_factory: "Optional[Callable[[], str]]" = None,
        codec_factory: "Optional[Callable[[str], Any]]" = None,
        now: Optional[float] = None,
        generic: "Optional[GenericConfig]" = None,
    ) -> None:
        ws = WsClient(config, now)
        OcppConnection.__init__(
            self, STATION, ws, config.rpc_config, id_factory, codec_factory, generic
        )
        self.config = config


class CsmsConnection(OcppConnection):
    """The CSMS's end of one station connection: answer ConnectionRequested with
    accept() or reject(status)."""

    def __init__(
        self,
        config: CsmsConfig,
        id_factory: "Optional[Callable[[], str]]" = None,
        codec_factory: "Optional[Callable[[str], Any]]" = None,
        now: Optional[float] = None,
        generic: "Optional[GenericConfig]" = None,
    ) -> None:
        self._server = WsServer(config, now)
        OcppConnection.__init__(
            self, CSMS, self._server, config.rpc_config, id_factory, codec_factory, generic
        )
        self.config = config

    @property
    def identity(self) -> Optional[str]:
        """The station identity from the request path, once the request was read."""
        return self._server.identity

    @property
    def request(self) -> Optional[ev.ConnectionRequested]:
        """The station's ConnectionRequested, once its upgrade request was read."""
        return self._server.request

    def accept(
        self,
        subprotocol: Optional[str] = None,
        codec_factory: "Optional[Callable[[str], Any]]" = None,
        rpc_config: Any = None,
        generic: "Optional[GenericConfig]" = None,
    ) -> None:
        """Accept the pending ConnectionRequested (see WsServer.accept). `codec_factory`,
        `rpc_config` and `generic`, when given, replace the connection's for this
        station (e.g. a codec with the quirks policy of its charger model)."""
        self._server.accept(subprotocol)
        if codec_factory is not None:
            self._codec_factory = codec_factory
        if rpc_config is not None:
            self._rpc_config = rpc_config
        if generic is not None:
            self._generic_config = generic
        if self._server.version is not None:
            self._start_rpc(self._server.version)
        self._pump_now()

    def reject(
        self,
        status: int,
        headers: "Optional[list[tuple[str, str]]]" = None,
        body: bytes = b"",
    ) -> None:
        """Refuse the pending ConnectionRequested with an HTTP status (401, 404, ...)."""
        self._server.reject(status, headers, body)
        self._pump_now()
