"""Helpers for tests and simulations: a station and a CSMS wired together in memory.

`ConnectionPair` moves the bytes each side writes to the other, with no sockets and a
clock you advance by hand. Both ends are the real objects (`StationConnection`,
`CsmsConnection`), so everything runs: HTTP upgrade, WebSocket framing, RPC.

    pair = ConnectionPair(StationConfig(url="ws://csms/ocpp", identity="CP1"),
                          CsmsConfig(path_prefix="/ocpp/"))
    pair.connect()                       # handshake; CSMS accepts
    message_id = pair.station.call(BootNotificationRequest(...), pair.now)
    pair.pump()
    event = pair.csms.next_event()       # CallReceived

`answer_calls(conn, router)` answers the CALLs waiting on one side with the handlers of
an `ocpp_core.handlers.Router` (typed or generic, plain functions), the way the
bindings do, and hands back the other events: a scenario written against the generic
API runs here as it runs over sockets.
"""

from collections.abc import Callable
from typing import Any, Optional

from ocpp_core import events as ev
from ocpp_core.connection import CsmsConnection, OcppConnection, StationConnection
from ocpp_core.ids import CounterIds
from ocpp_core.ws import CsmsConfig, StationConfig


class ConnectionPair:
    """A StationConnection and a CsmsConnection talking through memory."""

    def __init__(
        self,
        station_config: StationConfig,
        csms_config: CsmsConfig,
        now: float = 0.0,
        station_ids: "Optional[Callable[[], str]]" = None,
        csms_ids: "Optional[Callable[[], str]]" = None,
        chunk_size: Optional[int] = None,
        station_generic: Any = None,
        csms_generic: Any = None,
    ) -> None:
        self.now = now
        # Deterministic ids by default: tests compare wire text. `*_generic`: the
        # GenericConfig of each side (ocpp_core.generic_session), e.g. 1.6 TransactionIds.
        self.station = StationConnection(
            station_config, station_ids or CounterIds("s-"), now=now, generic=station_generic
        )
        self.csms = CsmsConnection(
            csms_config, csms_ids or CounterIds("c-"), now=now, generic=csms_generic
        )
        # None delivers each write whole; a number splits every write into pieces of
        # that many bytes (1 = byte by byte).
        self.chunk_size = chunk_size
        self.wire_station_to_csms = bytearray()
        self.wire_csms_to_station = bytearray()

    def _deliver(self, target: Any, data: bytes) -> None:
        if self.chunk_size is None:
            target.receive_data(data, self.now)
            return
        for i in range(0, len(data), self.chunk_size):
            target.receive_data(data[i : i + self.chunk_size], self.now)

    def pump(self) -> int:
        """Move bytes both ways until neither side has anything to write; returns the
        number of bytes moved."""
        moved = 0
        while True:
            up = self.station.data_to_send()
            down = self.csms.data_to_send()
            if not up and not down:
                return moved
            if up:
                self.wire_station_to_csms += up
                self._deliver(self.csms, up)
            if down:
                self.wire_csms_to_station += down
                self._deliver(self.station, down)
            moved += len(up) + len(down)

    def connect(self, subprotocol: Optional[str] = None) -> str:
        """Run the handshake, accept on the CSMS side, return the negotiated version.

        Raises RuntimeError if either side reports anything else (a check that must
        hold under `python -O` too, hence no `assert`).
        """
        self.pump()
        requested = self.csms.next_event()
        if not isinstance(requested, ev.ConnectionRequested):
            raise RuntimeError(f"the CSMS saw {requested!r}, not a ConnectionRequested")
        self.csms.accept(subprotocol)
        self.pump()
        connected = self.station.next_event()
        if not isinstance(connected, ev.Connected) or self.csms.version != connected.version:
            raise RuntimeError(f"the station saw {connected!r}, not a Connected")
        return connected.version

    def advance(self, seconds: float) -> None:
        """Move the clock forward, tick both sides, and pump."""
        self.now += seconds
        self.station.tick(self.now)
        self.csms.tick(self.now)
        self.pump()

    def close(self, code: int = 1000, reason: str = "") -> None:
        """Close from the station side and complete the close handshake."""
        self.station.close(code, reason)
        self.pump()


def answer_calls(conn: OcppConnection, router: Any) -> "list[Any]":
    """Answer every CALL waiting on `conn` with `router`'s handlers, called as
    `handler(conn, request)` (plain functions; no handler: NotSupported; a handler that
    raises: InternalError, as in the bindings: `ocpp_core.handlers`). Returns the
    other events, in order; pump the pair afterwards to deliver the answers."""
    from ocpp_core.handlers import answer_call, answer_unhandled

    others = []
    for event in conn.events():
        if not isinstance(event, (ev.CallReceived, ev.SendReceived)):
            others.append(event)
            continue
        handler = answer_unhandled(conn, router, event)
        if handler is None or isinstance(event, ev.SendReceived):
            if handler is not None:
                handler(conn, event.message)
            continue
        try:
            response = handler(conn, event.message)
        except Exception as exc:
            answer_call(conn, event.message_id, error=exc)
        else:
            answer_call(conn, event.message_id, response)
    return others
