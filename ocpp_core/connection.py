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

CPython only, like ocpp_core.ws. Time enters as `now`; message ids come from
`id_factory` (default: random UUIDs, which OCPP 2.1 §4.1.4 needs because its ids must be
unique across every connection of a station identity).
"""

import random
import re
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any, Optional

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

# The start of a CALL: its message id is all an oversize CALL's CALLERROR needs.
_CALL_HEAD = re.compile(r'\s*\[\s*2\s*,\s*"([^"\\]{1,36})"')


def _default_ids() -> "Callable[[], str]":
    return Uuid4Ids(random.SystemRandom().getrandbits)


class OcppConnection:
    """What both sides share. Use StationConnection or CsmsConnection."""

    def __init__(
        self,
        role: str,
        ws: WsEndpoint,
        rpc_config: Any,
        id_factory: "Optional[Callable[[], str]]",
        codec_factory: "Optional[Callable[[str], Any]]",
    ) -> None:
        self.role = role
        self._ws = ws
        self._rpc_config = rpc_config
        self._id_factory = id_factory if id_factory is not None else _default_ids()
        self._codec_factory = codec_factory
        self._rpc: Optional[RpcSession] = None
        self._events: deque[Any] = deque()
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
        for event in self._ws.events():
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
        self._events.extend(self._rpc.events())

    def _flush(self) -> None:
        if self._rpc is None:
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
        return self._events.popleft() if self._events else None

    def events(self) -> Iterator[Any]:
        while self._events:
            yield self._events.popleft()

    # -- commands -------------------------------------------------------------------
    def call(
        self, request: Any, now: float, timeout: Optional[float] = None, **options: Any
    ) -> str:
        """Send a CALL (queued behind one in flight); returns its message id."""
        message_id = self._session("call()").call(request, now, timeout, **options)
        self._flush()
        return message_id

    def send(self, message: Any, now: float, **options: Any) -> str:
        """OCPP 2.1: send a SEND (message type 6); returns its message id."""
        message_id = self._session("send()").send(message, now, **options)
        self._flush()
        return message_id

    def reply(self, message_id: str, response: Any) -> None:
        self._session("reply()").reply(message_id, response)
        self._flush()

    def reply_error(
        self,
        message_id: str,
        code: str,
        description: str = "",
        details: Optional[dict[str, Any]] = None,
    ) -> None:
        self._session("reply_error()").reply_error(message_id, code, description, details)
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
        times = [self._ws.next_deadline()]
        if self._rpc is not None and not self._rpc.closed:
            times.append(self._rpc.next_deadline())
        found = [t for t in times if t is not None]
        return min(found) if found else None

    def tick(self, now: float) -> None:
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
    ) -> None:
        OcppConnection.__init__(
            self, STATION, WsClient(config, now), config.rpc_config, id_factory, codec_factory
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
    ) -> None:
        self._server = WsServer(config, now)
        OcppConnection.__init__(
            self, CSMS, self._server, config.rpc_config, id_factory, codec_factory
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
    ) -> None:
        """Accept the pending ConnectionRequested (see WsServer.accept). `codec_factory`
        and `rpc_config`, when given, replace the connection's for this station (e.g.
        a codec with the quirks policy of its charger model)."""
        self._server.accept(subprotocol)
        if codec_factory is not None:
            self._codec_factory = codec_factory
        if rpc_config is not None:
            self._rpc_config = rpc_config
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
