"""The open WebSocket: text messages, size limit, keepalive and the close handshake.

Wraps wsproto's frame-level `Connection` once the opening handshake is done. wsproto
hands text over in pieces as the bytes arrive (it does not buffer whole frames or
messages), so the size limit is enforced here while the pieces accumulate: at most
`max_message_size` plus one received chunk is ever held. permessage-deflate inflation
is bounded by `BoundedPerMessageDeflate`.

A peer that breaks framing (bad opcode, unmasked client frame, invalid UTF-8 ...) makes
wsproto's parser stop for good, so the connection is failed at once (RFC 6455 §7.1.7):
a close frame with the code goes out and ConnectionClosed follows without waiting for
an answer. Problems wsproto cannot see (binary message, message too big, pong timeout)
start an ordinary close handshake instead.
"""

from collections import deque
from typing import Optional

from wsproto.connection import Connection, ConnectionState, ConnectionType
from wsproto.events import (
    BytesMessage,
    CloseConnection,
    Ping,
    Pong,
)
from wsproto.events import (
    TextMessage as WsTextMessage,
)
from wsproto.extensions import Extension
from wsproto.utilities import ProtocolError as WsprotoError

from ocpp_core import events as ev
from ocpp_core.errors import LocalProtocolError
from ocpp_core.ws.config import OVERSIZE_CLOSE, WsConfig

# RFC 6455 §7.4.1 close codes used here.
NORMAL = 1000
PROTOCOL_ERROR = 1002
UNSUPPORTED_DATA = 1003
ABNORMAL = 1006  # never sent: "closed without a close frame"
MESSAGE_TOO_BIG = 1009
INTERNAL_ERROR = 1011
# Codes an endpoint may put in a close frame (RFC 6455 §7.4.1, §7.4.2; IANA registry).
_SENDABLE = frozenset((1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014))
# Characters of an oversize message kept for MessageTooBig.head (enough for the id).
HEAD_CHARS = 128


def _utf8_size(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8"))


def check_close(code: int, reason: str) -> None:
    """Raise LocalProtocolError unless (code, reason) may go in a close frame."""
    if code not in _SENDABLE and not 3000 <= code <= 4999:
        raise LocalProtocolError(f"close code {code} cannot be sent (RFC 6455 §7.4)")
    if len(reason.encode("utf-8")) > 123:
        raise LocalProtocolError("close reason longer than 123 bytes of UTF-8")


class Framing:
    """One open WebSocket. Appends events to `events` and bytes to `out`."""

    def __init__(
        self,
        client: bool,
        config: WsConfig,
        extensions: "list[Extension]",
        events: "deque[object]",
        out: bytearray,
        now: float,
    ) -> None:
        self._config = config
        self._events = events
        self._out = out
        self._conn = Connection(
            ConnectionType.CLIENT if client else ConnectionType.SERVER, extensions
        )
        self.closed = False
        self._close_code = NORMAL  # the first close frame, ours or the peer's
        self._close_reason = ""
        self._close_deadline: Optional[float] = None
        self._discarding = False  # inside a message over the limit (callerror mode)
        self._parts: list[str] = []
        self._size = 0
        self._ping_seq = 0
        self._ping_payload: Optional[bytes] = None
        self._pong_deadline: Optional[float] = None
        interval = config.ping_interval
        self._next_ping: Optional[float] = None if interval is None else now + interval

    # -- state -----------------------------------------------------------------
    @property
    def closing(self) -> bool:
        """We sent a close frame and wait for the peer's."""
        return not self.closed and self._conn.state is ConnectionState.LOCAL_CLOSING

    @property
    def is_open(self) -> bool:
        return not self.closed and self._conn.state is ConnectionState.OPEN

    # -- commands ----------------------------------------------------------------
    def send_text(self, text: str) -> None:
        if not self.is_open:
            raise LocalProtocolError("cannot send a message: the WebSocket is not open")
        self._out += self._conn.send(WsTextMessage(data=text))

    def close(self, code: int, reason: str, now: float) -> None:
        """Start the close handshake (no-op if it already started)."""
        check_close(code, reason)
        if not self.is_open:
            return
        self._send_close(code, reason, now)

    def _send_close(self, code: int, reason: str, now: float) -> None:
        self._out += self._conn.send(CloseConnection(code=code, reason=reason))
        self._close_code = code
        self._close_reason = reason
        self._close_deadline = now + self._config.close_timeout
        self._next_ping = None
        self._pong_deadline = None
        self._drop_message()

    def _finish(self, code: int, reason: str, initiator: str, clean: bool) -> None:
        self.closed = True
        self._close_deadline = None
        self._next_ping = None
        self._pong_deadline = None
        self._drop_message()
        self._events.append(ev.ConnectionClosed(code, reason, initiator, clean))

    def _fail(self, code: int, reason: str) -> None:
        """The peer broke framing and wsproto's parser is dead: close at once."""
        self._events.append(ev.WebSocketViolation(reason, close_code=code))
        if self._conn.state is ConnectionState.OPEN:
            self._out += self._conn.send(CloseConnection(code=code, reason=reason[:100]))
            self._finish(code, reason, ev.LOCAL, False)
        else:
            self._finish(self._close_code, self._close_reason, ev.LOCAL, False)

    def _drop_message(self) -> None:
        self._parts = []
        self._size = 0
        self._discarding = False

    # -- time --------------------------------------------------------------------
    def next_deadline(self) -> Optional[float]:
        if self.closed:
            return None
        times = [
            t for t in (self._close_deadline, self._pong_deadline, self._next_ping) if t is not None
        ]
        return min(times) if times else None

    def tick(self, now: float) -> None:
        if self.closed:
            return
        if self._close_deadline is not None and now >= self._close_deadline:
            self._finish(
                self._close_code,
                self._close_reason + " (no close frame from the peer in time)",
                ev.LOCAL,
                False,
            )
            return
        if self._pong_deadline is not None and now >= self._pong_deadline:
            self._send_close(INTERNAL_ERROR, "keepalive ping timeout", now)
            return
        if self._next_ping is not None and now >= self._next_ping and self.is_open:
            self._ping_seq += 1
            self._ping_payload = str(self._ping_seq).encode("ascii")
            self._out += self._conn.send(Ping(payload=self._ping_payload))
            self._pong_deadline = now + self._config.pong_timeout
            self._next_ping = None

    # -- bytes in ------------------------------------------------------------------
    def receive_data(self, data: bytes, now: float) -> None:
        if self.closed:
            return
        if not data:
            if self.closing:
                self._finish(self._close_code, self._close_reason, ev.LOCAL, False)
            else:
                self._finish(ABNORMAL, "connection lost without a close frame", ev.TRANSPORT, False)
            return
        self._conn.receive_data(data)
        try:
            for event in self._conn.events():
                if self.closed:
                    break
                self._handle(event, now)
        except WsprotoError as exc:  # defensive: wsproto reports parse errors as events
            if not self.closed:
                self._fail(PROTOCOL_ERROR, str(exc))

    def _handle(self, event: object, now: float) -> None:
        if isinstance(event, WsTextMessage):
            self._on_text(event.data, event.message_finished, now)
        elif isinstance(event, BytesMessage):
            if self.is_open:
                self._events.append(
                    ev.WebSocketViolation(
                        "binary message: OCPP-J uses text frames only", UNSUPPORTED_DATA
                    )
                )
                self._send_close(UNSUPPORTED_DATA, "binary frames are not supported", now)
        elif isinstance(event, Ping):
            if self.is_open:
                self._out += self._conn.send(Pong(payload=event.payload))
        elif isinstance(event, Pong):
            if self._ping_payload is not None and event.payload == self._ping_payload:
                self._ping_payload = None
                self._pong_deadline = None
                interval = self._config.ping_interval
                self._next_ping = None if interval is None else now + interval
        elif isinstance(event, CloseConnection):
            self._on_close(event.code, event.reason or "")

    def _on_close(self, code: int, reason: str) -> None:
        state = self._conn.state
        if state is ConnectionState.REMOTE_CLOSING:
            # The peer closes first: answer with the same code (RFC 6455 §5.5.1).
            self._out += self._conn.send(CloseConnection(code=code))
            self._finish(int(code), reason, ev.REMOTE, True)
        elif state is ConnectionState.CLOSED:
            self._finish(self._close_code, self._close_reason, ev.LOCAL, True)
        else:
            # wsproto reports a parse failure as a close event without a state change.
            self._fail(int(code), reason)

    def _on_text(self, data: str, finished: bool, now: float) -> None:
        if not self.is_open:
            return  # closing: the peer's late messages are dropped, never buffered
        size = _utf8_size(data)
        self._size += size
        if self._discarding:
            pass
        elif self._size > self._config.max_message_size:
            if self._config.oversize_action == OVERSIZE_CLOSE:
                self._events.append(
                    ev.WebSocketViolation(
                        f"message over {self._config.max_message_size} bytes", MESSAGE_TOO_BIG
                    )
                )
                self._send_close(MESSAGE_TOO_BIG, "message too big", now)
                return
            head = "".join(self._parts)[:HEAD_CHARS]
            if len(head) < HEAD_CHARS:
                head += data[: HEAD_CHARS - len(head)]
            self._parts = [head]
            self._discarding = True
        else:
            self._parts.append(data)
        if finished:
            if self._discarding:
                self._events.append(ev.MessageTooBig(self._parts[0], self._size))
            else:
                self._events.append(ev.TextMessage("".join(self._parts)))
            self._drop_message()
