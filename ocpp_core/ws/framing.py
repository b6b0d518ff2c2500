"""The open WebSocket: text messages, size limit, keepalive and the close handshake.

Wraps wsproto's frame-level `Connection` once the opening handshake is done. wsproto
hands text over in pieces as the bytes arrive (it does not buffer whole frames or
messages), so the size limit is enforced here while the pieces accumulate: at most
`max_message_size` plus one received chunk is ever held. permessage-deflate inflation
is bounded by `BoundedPerMessageDeflate`.

The common OCPP case skips wsproto. In (`_receive_fast`): whole, unfragmented,
uncompressed text frames with the masking the role requires and valid UTF-8, while
wsproto holds nothing of a frame or message. Anything else (a partial frame, a control,
continuation or binary frame, RSV bits, a non-minimal length, invalid UTF-8, the wrong
masking) goes to wsproto from that byte on, so every error and close stays wsproto's.
Out (`send_text`): one text frame is written here, a client's masked with a fresh key
from `os.urandom` as wsproto does. No extension negotiated is a condition of both. The fast path gives the
same events and bytes as wsproto (tests/test_ws_fastpath.py compares the two).

A peer that breaks framing (bad opcode, unmasked client frame, invalid UTF-8 ...) makes
wsproto's parser stop for good, so the connection is failed at once (RFC 6455 §7.1.7):
a close frame with the code goes out and ConnectionClosed follows without waiting for
an answer. Problems wsproto cannot see (binary message, message too big, pong timeout)
start an ordinary close handshake instead.
"""

import os
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
from wsproto.frame_protocol import XorMaskerSimple
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


# Unmasking with one big-int XOR beats wsproto's translate tables up to about 1 KB
# (OCPP messages are mostly 100-500 bytes); longer payloads use wsproto's masker.
_BIG_INT_UNMASK_LIMIT = 1024


def _unmask(payload: bytes, mask: bytes) -> bytes:
    length = len(payload)
    if length >= _BIG_INT_UNMASK_LIMIT:
        return bytes(XorMaskerSimple(mask).process(bytearray(payload)))
    key = (mask * ((length >> 2) + 1))[:length]
    return (int.from_bytes(payload, "big") ^ int.from_bytes(key, "big")).to_bytes(length, "big")


def _text_frame_head(length: int, mask_bit: int) -> bytes:
    """FIN + TEXT, the mask bit and the length, as wsproto writes them (RFC 6455 §5.2)."""
    if length <= 125:
        return bytes((0x81, mask_bit | length))
    if length <= 0xFFFF:
        return bytes((0x81, mask_bit | 126)) + length.to_bytes(2, "big")
    return bytes((0x81, mask_bit | 127)) + length.to_bytes(8, "big")


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
        events: "list[object]",
        out: bytearray,
        now: float,
    ) -> None:
        self._config = config
        self._events = events
        self._out = out
        self._conn = Connection(
            ConnectionType.CLIENT if client else ConnectionType.SERVER, extensions
        )
        # The fast path reads wsproto's parser state to know that it holds nothing;
        # any negotiated extension (permessage-deflate) keeps every frame on wsproto.
        # That state is private (checked against wsproto 1.2 / 1.3 by
        # tests/test_ws_fastpath.py): a wsproto without it runs every frame through
        # wsproto, slower but the same.
        try:
            proto = self._conn._proto
            self._frames = proto._frame_decoder
            self._message = proto._message_decoder
            self._fast_path = not proto.extensions and hasattr(self._frames, "buffer")
        except AttributeError:  # pragma: no cover - another wsproto
            self._fast_path = False
        self._client = client
        self._mask_bit = 0 if client else 0x80  # a server only takes masked frames
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
        # The earliest of the three timers, kept up to date where they change:
        # next_deadline() runs after every step of the connection.
        self._deadline = self._next_ping

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
        if self._fast_path:
            # wsproto's bytes for one uncompressed, final text frame
            payload = text.encode("utf-8")
            if self._client:
                # RFC 6455 §5.3: a fresh, unpredictable key per frame, from the source
                # wsproto uses for its own frames
                mask = os.urandom(4)
                self._out += _text_frame_head(len(payload), 0x80) + mask
                self._out += _unmask(payload, mask)
            else:
                self._out += _text_frame_head(len(payload), 0)
                self._out += payload
            return
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
        self._deadline = self._close_deadline
        self._drop_message()

    def _finish(self, code: int, reason: str, initiator: str, clean: bool) -> None:
        self.closed = True
        self._close_deadline = None
        self._next_ping = None
        self._pong_deadline = None
        self._deadline = None
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
        return None if self.closed else self._deadline

    def _earliest(self) -> Optional[float]:
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
            self._deadline = self._earliest()

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
        if self._fast_path and self._wsproto_idle():
            if type(data) is not bytes:  # a bytearray or memoryview from a binding
                data = bytes(data)
            data = self._receive_fast(data, now)
            if not data or self.closed:
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

    def _wsproto_idle(self) -> bool:
        """wsproto holds no byte, frame, message or event: the next byte starts a frame."""
        return (
            self._conn.state is ConnectionState.OPEN
            and not self._frames.buffer.buffer
            and self._frames.header is None
            and self._message.opcode is None
            and not self._conn._events
        )

    def _receive_fast(self, data: bytes, now: float) -> bytes:
        """Take the whole text frames at the start of `data`; return the rest.

        Stops at the first frame that is not a complete FIN text frame without RSV bits,
        with the masking our role requires, a minimal length and valid UTF-8: wsproto
        parses from there, exactly as if it had seen every byte."""
        end_of_data = len(data)
        start = 0
        mask_bit = self._mask_bit
        conn = self._conn
        while not self.closed and conn.state is ConnectionState.OPEN:
            head = start + 2
            if head > end_of_data or data[start] != 0x81 or data[start + 1] & 0x80 != mask_bit:
                break
            length = data[start + 1] & 0x7F
            if length == 126:
                length = int.from_bytes(data[head : head + 2], "big")
                head += 2
                if head > end_of_data or length <= 125:
                    break  # partial, or a length wsproto must refuse
            elif length == 127:
                length = int.from_bytes(data[head : head + 8], "big")
                head += 8
                if head > end_of_data or length <= 0xFFFF or length >> 63:
                    break
            if mask_bit:
                end = head + 4 + length
                if end > end_of_data:
                    break
                payload = _unmask(data[head + 4 : end], data[head : head + 4])
            else:
                end = head + length
                if end > end_of_data:
                    break
                payload = data[head:end]
            try:
                text = payload.decode("utf-8")
            except UnicodeDecodeError:
                break  # wsproto fails the connection with 1007
            start = end
            self._on_text(text, True, now)
        return data[start:] if start else data

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
                self._deadline = self._earliest()
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
