"""The two WebSocket endpoints: `WsServer` (CSMS) and `WsClient` (station).

Each is a sans-IO state machine: `receive_data(data, now)` in (b"" = EOF), events out
through `next_event()`, bytes out through `data_to_send()`, timers through
`next_deadline()` / `tick(now)`. The opening handshake is parsed with h11; once it
succeeds, `Framing` (wsproto) runs the open connection.

Handshake states and the moves between them are the table `TRANSITIONS`; after the
handshake, the state comes from the framing layer (open, closing, closed).
"""

from collections.abc import Iterator
from typing import Optional

from wsproto.extensions import Extension

from ocpp_core import events as ev
from ocpp_core.errors import LocalProtocolError
from ocpp_core.ws.config import WsConfig
from ocpp_core.ws.framing import NORMAL, Framing, check_close

# Handshake states (server: AWAITING_REQUEST -> DECIDING -> done;
# client: AWAITING_RESPONSE -> done). OPEN / CLOSING / CLOSED once framing runs.
AWAITING_REQUEST = "awaiting-request"
DECIDING = "deciding"
AWAITING_RESPONSE = "awaiting-response"
OPEN = "open"
CLOSING = "closing"
CLOSED = "closed"

# (state, trigger) -> next state. A trigger missing for the current state is a bug
# (internal trigger) or a LocalProtocolError (a user command).
TRANSITIONS = {
    (AWAITING_REQUEST, "request"): DECIDING,
    (AWAITING_REQUEST, "refuse"): CLOSED,
    (AWAITING_REQUEST, "lost"): CLOSED,
    (AWAITING_REQUEST, "abort"): CLOSED,
    (DECIDING, "accept"): OPEN,
    (DECIDING, "reject"): CLOSED,
    (DECIDING, "lost"): CLOSED,
    (AWAITING_RESPONSE, "accepted"): OPEN,
    (AWAITING_RESPONSE, "failed"): CLOSED,
    (AWAITING_RESPONSE, "abort"): CLOSED,
}

# An HTTP rejection or failure has no close frame; ConnectionClosed then says 1006.
NO_CLOSE_FRAME = 1006


class WsEndpoint:
    """What both sides share. Use WsServer or WsClient."""

    _client = False

    def __init__(self, config: WsConfig, now: Optional[float]) -> None:
        self._config = config
        # A list, not a deque: a few events at a time, and an empty deque costs ~600
        # bytes more per connection. The same list is `event_queue`, for the OCPP
        # connection above, which drains it after each step (a while loop over it costs
        # less than the events() generator).
        self._events: list[object] = []
        self.event_queue = self._events
        self._out = bytearray()
        self._framing: Optional[Framing] = None
        self._handshake_state = AWAITING_RESPONSE if self._client else AWAITING_REQUEST
        self._now: Optional[float] = None
        self._open_deadline: Optional[float] = None
        # The negotiated OCPP version and subprotocol (None until open, or never).
        self.version: Optional[str] = None
        self.subprotocol: Optional[str] = None
        self.extensions: tuple[str, ...] = ()
        if now is not None:
            self._see(now)

    # -- state -------------------------------------------------------------------
    @property
    def state(self) -> str:
        framing = self._framing
        if framing is None:
            return self._handshake_state
        if framing.closed:
            return CLOSED
        if framing.closing:
            return CLOSING
        return OPEN

    @property
    def last_now(self) -> Optional[float]:
        """The latest `now` this endpoint was given (timers of commands start there)."""
        return self._now

    @property
    def max_message_size(self) -> int:
        return self._config.max_message_size

    def _move(self, trigger: str) -> None:
        key = (self._handshake_state, trigger)
        if key not in TRANSITIONS:
            raise LocalProtocolError(f"cannot {trigger} in state {self._handshake_state}")
        self._handshake_state = TRANSITIONS[key]

    def note_time(self, now: float) -> None:
        """What tick(now) does when nothing is due: remember `now` (see last_now)."""
        self._see(now)

    def _see(self, now: float) -> None:
        self._now = now
        timeout = self._config.open_timeout
        if self._open_deadline is None and timeout is not None and self._framing is None:
            self._open_deadline = now + timeout

    def _closed(self, code: int, reason: str, initiator: str, clean: bool) -> None:
        self._open_deadline = None
        self._events.append(ev.ConnectionClosed(code, reason, initiator, clean))

    def _start_framing(self, extensions: list[Extension], trailing: bytes) -> None:
        now = self._now if self._now is not None else 0.0
        self._open_deadline = None
        self._framing = Framing(
            self._client, self._config, extensions, self._events, self._out, now
        )
        if trailing:
            self._framing.receive_data(trailing, now)

    # -- bytes and events ----------------------------------------------------------
    def receive_data(self, data: bytes, now: float) -> None:
        """Feed bytes from the peer; b"" means the peer closed the stream (EOF)."""
        self._see(now)
        if self._framing is not None:
            self._framing.receive_data(data, now)
        elif self._handshake_state != CLOSED:
            self._receive_handshake(bytes(data))

    def _receive_handshake(self, data: bytes) -> None:
        raise NotImplementedError

    def data_to_send(self) -> bytes:
        """Bytes to write to the peer (drained)."""
        data = bytes(self._out)
        del self._out[:]
        return data

    def next_event(self) -> Optional[object]:
        """The next event, or None when there is none."""
        return self._events.pop(0) if self._events else None

    def events(self) -> Iterator[object]:
        while self._events:
            yield self._events.pop(0)

    # -- commands --------------------------------------------------------------------
    def send_text(self, text: str) -> None:
        """Send one text message. LocalProtocolError unless the WebSocket is open."""
        if self._framing is None:
            raise LocalProtocolError("cannot send a message before the handshake is done")
        self._framing.send_text(text)

    def close(self, code: int = NORMAL, reason: str = "") -> None:
        """Start the close handshake; before the handshake is done, abort the attempt.

        Idempotent once closing. A CSMS still deciding must call reject() instead.
        """
        check_close(code, reason)
        if self._framing is not None:
            self._framing.close(code, reason, self._now if self._now is not None else 0.0)
            return
        if self._handshake_state == CLOSED:
            return
        if self._handshake_state == DECIDING:
            raise LocalProtocolError("answer a ConnectionRequested with accept() or reject()")
        self._move("abort")
        self._closed(NO_CLOSE_FRAME, reason or "aborted before the handshake", ev.LOCAL, False)

    # -- time ------------------------------------------------------------------------
    def next_deadline(self) -> Optional[float]:
        """The latest time by which tick() must be called, or None."""
        if self._framing is not None:
            return self._framing.next_deadline()
        if self._handshake_state in (AWAITING_REQUEST, AWAITING_RESPONSE):
            return self._open_deadline
        return None

    def tick(self, now: float) -> None:
        self._see(now)
        if self._framing is not None:
            self._framing.tick(now)
            return
        deadline = self._open_deadline
        if (
            deadline is not None
            and now >= deadline
            and self._handshake_state in (AWAITING_REQUEST, AWAITING_RESPONSE)
        ):
            self._handshake_timed_out()

    def _handshake_timed_out(self) -> None:
        raise NotImplementedError


def header_tokens(headers: "list[tuple[bytes, bytes]]", name: bytes) -> "list[str]":
    """The comma-separated tokens of every `name` header, stripped (RFC 7230 §7)."""
    tokens = []
    for key, value in headers:
        if key == name:
            for token in value.decode("latin-1").split(","):
                token = token.strip()
                if token:
                    tokens.append(token)
    return tokens


def header_values(headers: "list[tuple[bytes, bytes]]", name: bytes) -> "list[bytes]":
    """Every value of the `name` header (h11 gives names lower-cased)."""
    return [value for key, value in headers if key == name]
