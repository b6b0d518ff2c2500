"""`Connection`: one sans-IO OcppConnection driven over a blocking socket by one I/O
thread.

The I/O thread is the only one that touches the socket: it writes what the core wants
written, waits (select) for bytes, a wake-up or the core's next deadline, and turns
events into finished CALLs and handler threads. Every other thread talks to the core
under `_lock` and wakes the I/O thread through a socket pair. Every protocol decision
stays in ocpp_core; what to answer a failed or missing handler comes from
`ocpp_core.handlers`.
"""

import logging
import queue
import select
import socket
import ssl
import threading
import time
from collections.abc import Callable
from typing import Any, Optional

from ocpp_core import events as ev
from ocpp_core.connection import CsmsConnection, OcppConnection
from ocpp_core.errors import LocalProtocolError
from ocpp_core.handlers import (
    CALL_END_EVENTS,
    ConnectionClosedError,
    HandshakeError,
    Router,
    answer_handled,
    answer_unhandled,
    call_outcome,
    heartbeat_interval,
    heartbeat_request,
)

log = logging.getLogger("ocpp_threads")
frame_log = logging.getLogger("ocpp_threads.frames")

READ_SIZE = 65536
WRITE_TIMEOUT = 10.0  # a peer that takes none of our bytes this long is gone
HANDLER_GRACE = 1.0  # close() waits this long for handler threads still running
# A handler busy this long no longer holds up the peer's next CALL: another worker
# takes it. Quicker handlers run one at a time, so their answers keep arrival order.
SLOW_HANDLER = 0.2
MAX_WORKERS = 16


def clock() -> float:
    return time.monotonic()


class _Slot:
    """Where the I/O thread leaves the event that ends one of our CALLs."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.event: Any = None


class Connection:
    """One OCPP connection (either side). `call()` blocks until the answer, `close()`
    until the connection is over. The peer's CALLs run their handler on the
    connection's worker thread, in the order they came; a handler slower than
    SLOW_HANDLER gets the next CALL handed to another worker, so it holds up nobody.
    Built by `serve()` / `connect()`."""

    def __init__(
        self,
        core: OcppConnection,
        sock: socket.socket,
        router: Optional[Router] = None,
        log_frames: bool = False,
        auto_heartbeat: bool = False,
    ) -> None:
        self.core = core
        self.router = router if router is not None else Router()
        self._sock = sock
        self._auto_heartbeat = auto_heartbeat
        self._lock = threading.RLock()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._pending: dict[str, _Slot] = {}
        self._workers: set[threading.Thread] = set()
        # The peer's CALLs and SENDs, for the worker threads, in arrival order.
        self._inbox: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._handlers = 0  # worker threads taking from the inbox
        self._idle = 0  # of which waiting for work
        self._busy: dict[int, float] = {}  # worker thread id -> when its handler started
        self._opened = threading.Event()
        self._open_error: Optional[BaseException] = None
        self._closed = threading.Event()
        self._close_event: Optional[ev.ConnectionClosed] = None
        self._beat_interval: Optional[float] = None
        self._next_beat: Optional[float] = None
        self._thread: Optional[threading.Thread] = None
        # CSMS side: called (on a worker thread) with this connection on ConnectionRequested.
        self._on_request: Optional[Callable[[Connection], None]] = None
        # Called on the I/O thread once over, before wait_closed() returns (the server's).
        self._on_finish: Optional[Callable[[Connection], None]] = None
        if log_frames:
            core.on_frame = self._log_frame

    # -- introspection ------------------------------------------------------------------
    @property
    def identity(self) -> Optional[str]:
        if isinstance(self.core, CsmsConnection):
            return self.core.identity
        return getattr(getattr(self.core, "config", None), "identity", None)

    @property
    def version(self) -> Optional[str]:
        return self.core.version

    @property
    def request(self) -> Optional[ev.ConnectionRequested]:
        """CSMS side: the station's ConnectionRequested."""
        return self.core.request if isinstance(self.core, CsmsConnection) else None

    @property
    def peercert(self) -> Any:
        """The verified TLS client certificate (security profile 3), or None."""
        return self._sock.getpeercert() if isinstance(self._sock, ssl.SSLSocket) else None

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    @property
    def close_event(self) -> Optional[ev.ConnectionClosed]:
        return self._close_event

    # -- commands --------------------------------------------------------------------------
    def call(self, request: Any, timeout: Optional[float] = None) -> Any:
        """Send a CALL and block until its typed response. Raises CallError,
        CallTimeout (after `timeout`, default RpcConfig.call_timeout),
        ConnectionClosedError or InvalidResponse; LocalProtocolError before sending."""
        slot = _Slot()
        with self._lock:
            if self._closed.is_set():
                raise ConnectionClosedError("the connection is closed")
            message_id = self.core.call(request, clock(), timeout)
            self._pending[message_id] = slot
        self._kick()
        slot.done.wait()  # the core's timer or the end of the connection ends every CALL
        response = call_outcome(slot.event)
        interval = heartbeat_interval(slot.event.action, response)
        if self._auto_heartbeat and interval is not None:
            with self._lock:
                self._beat_interval = interval
                self._next_beat = clock() + interval
            self._kick()
        return response

    def send(self, message: Any) -> None:
        """OCPP 2.1 SEND (no answer). Raises LocalProtocolError before 2.1."""
        with self._lock:
            self.core.send(message, clock())
        self._kick()

    def close(
        self, code: int = 1000, reason: str = "", timeout: Optional[float] = None
    ) -> ev.ConnectionClosed:
        """Close handshake, then wait for the end; CALLs still open fail with
        ConnectionClosedError."""
        self.begin_close(code, reason)
        return self.wait_closed(timeout)

    def begin_close(self, code: int = 1000, reason: str = "") -> None:
        with self._lock:
            if not self._closed.is_set():
                try:
                    self.core.close(code, reason)
                except LocalProtocolError:
                    # Not open yet (a CSMS still deciding): drop the transport instead.
                    self.core.receive_data(b"", clock())
        self._kick()

    def wait_closed(self, timeout: Optional[float] = None) -> ev.ConnectionClosed:
        """Block until the connection is over and its threads have ended."""
        if not self._closed.wait(timeout):
            raise TimeoutError("the connection is still open")
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)
        deadline = clock() + HANDLER_GRACE
        for worker in list(self._workers):
            if worker is not threading.current_thread():
                worker.join(max(0.0, deadline - clock()))
        assert self._close_event is not None
        return self._close_event

    def busy(self) -> bool:
        """Open, or some thread of it still running."""
        threads = [self._thread, *self._workers]
        return not self._closed.is_set() or any(t is not None and t.is_alive() for t in threads)

    def wait_open(self, timeout: Optional[float] = None) -> None:
        """Block until open; raises HandshakeError / ConnectionClosedError / TimeoutError."""
        if not self._opened.wait(timeout):
            raise TimeoutError("the connection did not open in time")
        if self._open_error is not None:
            raise self._open_error

    # -- the I/O thread --------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._run, name=f"ocpp-io-{self.identity}", daemon=True
        )
        self._thread.start()

    def _kick(self) -> None:
        try:
            self._wake_w.send(b"x")
        except OSError:
            pass  # the pipe is full (a wake-up is pending anyway) or closed

    def _run(self) -> None:
        try:
            if isinstance(self._sock, ssl.SSLSocket) and self._sock.server_side:
                config: Any = getattr(self.core, "config", None)
                self._sock.settimeout(config.open_timeout)
                try:
                    self._sock.do_handshake()  # here, so that accepting never waits on it
                except OSError as exc:
                    log.info("TLS handshake failed: %s", exc)
                    with self._lock:
                        self.core.receive_data(b"", clock())
            self._sock.settimeout(WRITE_TIMEOUT)
            self._loop()
        finally:
            self._finish()

    def _loop(self) -> None:
        while True:
            with self._lock:
                self._dispatch()
                data = self.core.data_to_send()
                deadline = self.core.next_deadline()
            if data:
                try:
                    self._sock.sendall(data)
                except OSError:
                    with self._lock:
                        self.core.receive_data(b"", clock())
                    continue
            if self._closed.is_set():
                return
            for timer in (self._next_beat, self._more_hands()):
                if timer is not None:
                    deadline = timer if deadline is None else min(deadline, timer)
            wait = None if deadline is None else max(0.0, deadline - clock())
            if isinstance(self._sock, ssl.SSLSocket) and self._sock.pending():
                wait = 0.0  # decrypted bytes select() cannot see
            readable, _, _ = select.select([self._sock, self._wake_r], [], [], wait)
            if self._wake_r in readable:
                try:
                    self._wake_r.recv(4096)
                except OSError:
                    pass
            if self._sock in readable or wait == 0.0:
                self._read()
            with self._lock:
                self.core.tick(clock())
                self._maybe_beat()

    def _read(self) -> None:
        try:
            chunk = self._sock.recv(READ_SIZE)
        except (TimeoutError, ssl.SSLWantReadError, BlockingIOError):
            return
        except OSError:
            chunk = b""
        with self._lock:
            self.core.receive_data(chunk, clock())

    def _maybe_beat(self) -> None:
        if self._next_beat is None or self._beat_interval is None or clock() < self._next_beat:
            return
        self._next_beat = clock() + self._beat_interval
        try:
            assert self.version is not None
            self.core.call(heartbeat_request(self.version), clock())
        except LocalProtocolError as exc:
            log.warning("%s: heartbeat not sent: %s", self.identity, exc)

    def _finish(self) -> None:
        with self._lock:
            if not self._closed.is_set():
                try:  # ended without ConnectionClosed (a bug): end every CALL properly
                    self.core.receive_data(b"", clock())
                except Exception:  # pragma: no cover - a core bug; still close below
                    log.exception("core failed on EOF")
                self._dispatch()
            for slot in self._pending.values():
                slot.event = ev.CallCancelled("", "", "the connection thread ended")
                slot.done.set()
            self._pending.clear()
            if self._close_event is None:
                self._close_event = ev.ConnectionClosed(1006, "", ev.TRANSPORT, False)
            self._set_opened(ConnectionClosedError("closed before it opened"))
            self._closed.set()
        for _ in range(self._handlers):
            self._inbox.put(None)  # each worker ends after the handler it is running
        for closable in (self._sock, self._wake_r, self._wake_w):
            closable.close()
        if self._on_finish is not None:
            self._on_finish(self)

    def _set_opened(self, error: Optional[BaseException] = None) -> None:
        if not self._opened.is_set():
            self._open_error = error
            self._opened.set()

    # -- events (I/O thread, under the lock) -----------------------------------------------
    def _dispatch(self) -> None:
        for event in self.core.events():
            if isinstance(event, CALL_END_EVENTS):
                slot = self._pending.pop(event.message_id, None)
                if slot is not None:
                    slot.event = event
                    slot.done.set()
                elif not isinstance(event, ev.CallResultReceived):
                    log.warning("%s: heartbeat: %r", self.identity, event)
            elif isinstance(event, (ev.CallReceived, ev.SendReceived)):
                if self._handlers == 0:
                    self._add_worker()
                self._inbox.put(event)
            elif isinstance(event, ev.ConnectionRequested):
                if self._on_request is not None:
                    self._spawn(self._on_request, self)
            elif isinstance(event, ev.Connected):
                self._set_opened()
            elif isinstance(event, ev.HandshakeFailed):
                self._set_opened(HandshakeError(event))
            elif isinstance(event, ev.ConnectionClosed):
                log.info("%s: closed %s", self.identity, event)
                self._close_event = event
                self._set_opened(ConnectionClosedError(f"closed: {event}"))
                self._closed.set()
            else:  # the core has answered these already
                log.warning("%s: %r", self.identity, event)

    def _spawn(self, target: Callable[..., None], argument: Any) -> threading.Thread:
        def run() -> None:
            try:
                target(argument)
            finally:
                self._workers.discard(threading.current_thread())

        worker = threading.Thread(target=run, name=f"ocpp-worker-{self.identity}", daemon=True)
        self._workers.add(worker)
        worker.start()
        return worker

    def _add_worker(self) -> None:
        self._handlers += 1
        self._spawn(self._work, None)

    def _more_hands(self) -> Optional[float]:
        """Add a worker when CALLs wait and every worker has been busy SLOW_HANDLER;
        else when to look again (None: no need)."""
        with self._lock:
            if self._inbox.empty() or self._idle or not self._busy:
                return None
            if self._handlers >= MAX_WORKERS:
                return None
            latest = max(self._busy.values()) + SLOW_HANDLER
            if clock() < latest:
                return latest
            self._add_worker()
            return None

    def _work(self, _: Any) -> None:
        me = threading.get_ident()
        while True:
            with self._lock:
                self._idle += 1
            event = self._inbox.get()
            with self._lock:
                self._idle -= 1
                if event is None:
                    return
                self._busy[me] = clock()
            try:
                if not self._closed.is_set():  # else the answer could not go out
                    self._handle(event)
            finally:
                with self._lock:
                    del self._busy[me]

    def _handle(self, event: Any) -> None:
        with self._lock:
            handler = answer_unhandled(self.core, self.router, event)
        if handler is None:
            self._kick()
            return
        response: Any = None
        error: Optional[Exception] = None
        try:
            response = handler(self, event.message)
        except Exception as exc:
            error = exc
        with self._lock:
            problem = answer_handled(self.core, event, response, error)
        if problem is not None:
            log.error("%s: %s: %s", self.identity, event.action, problem, exc_info=error)
        self._kick()

    def mark_open(self) -> None:
        """CSMS side: accept() went through."""
        self._set_opened()

    def _log_frame(self, direction: str, text: str) -> None:
        extra = {"ocpp_identity": self.identity, "ocpp_direction": direction, "ocpp_frame": text}
        frame_log.info("%s %s %s", self.identity, direction, text, extra=extra)
