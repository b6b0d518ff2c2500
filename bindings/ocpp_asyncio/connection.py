"""`Connection`: one sans-IO OcppConnection driven by an `asyncio.Protocol`.

The transport calls us; we never wait for it. Bytes in (`data_received`) go to the
core, the core's events are dispatched at once, and what the core wants written leaves
in one `transport.write` per batch (`_settle`). There is no task per connection and,
for a plain-function handler, none per CALL either: it runs inline and its answer goes
out with the same batch. Only a handler that returns an awaitable (an `async def`, or
any callable returning one) gets a task. The core's timers (ping, pong, close, open,
CALL timeouts) share one `loop.call_at` handle, re-armed only when the core's
`next_deadline()` moves earlier than the armed one. Every protocol decision stays in
ocpp_core; what to answer a failed or missing handler comes from `ocpp_core.handlers`.
"""

import asyncio
import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, Optional, cast

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

log = logging.getLogger("ocpp_asyncio")
frame_log = logging.getLogger("ocpp_asyncio.frames")

# The transport's write buffer above which we stop reading from the peer (back-pressure):
# a peer that does not take our answers must not make us buffer without bound.
WRITE_HIGH_WATER = 256 * 1024


def clock() -> float:
    return time.monotonic()


class Connection(asyncio.Protocol):
    """One OCPP connection (either side). Use `call()` to send a CALL, `close()` to end
    it; CALLs from the peer go to the router's handlers. Built by `serve()` / `connect()`."""

    def __init__(
        self,
        core: OcppConnection,
        router: Optional[Router] = None,
        log_frames: bool = False,
        auto_heartbeat: bool = False,
    ) -> None:
        self.core = core
        self.router = router if router is not None else Router()
        self._loop = asyncio.get_running_loop()
        self._transport: Optional[asyncio.Transport] = None
        self._auto_heartbeat = auto_heartbeat
        self._pending: dict[str, asyncio.Future[Any]] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._opened: asyncio.Future[Any] = self._loop.create_future()
        self._closed: asyncio.Future[ev.ConnectionClosed] = self._loop.create_future()
        self._heartbeat: Optional[asyncio.Task[Any]] = None
        # Called with the ConnectionRequested (CSMS side); returns once accept()/reject().
        self._on_request: Optional[Callable[[Connection], Awaitable[None]]] = None
        # Called once the transport is there (CSMS side: the server registers us only
        # then; a TLS handshake that fails never gets this far).
        self._on_made: Optional[Callable[[Connection], None]] = None
        self._timer: Optional[asyncio.TimerHandle] = None
        self._timer_at: Optional[float] = None  # the core-clock deadline the timer is for
        self._settling = False
        self._finished = False
        if log_frames:
            core.on_frame = self._log_frame
        # Settle the futures nobody may await, so asyncio reports no lost exception.
        self._opened.add_done_callback(_consume)

    # -- introspection ------------------------------------------------------------------
    @property
    def identity(self) -> Optional[str]:
        if isinstance(self.core, CsmsConnection):
            return self.core.identity
        config = getattr(self.core, "config", None)
        return getattr(config, "identity", None)

    @property
    def version(self) -> Optional[str]:
        return self.core.version

    @property
    def request(self) -> Optional[ev.ConnectionRequested]:
        """CSMS side: the station's ConnectionRequested."""
        return self.core.request if isinstance(self.core, CsmsConnection) else None

    @property
    def transport(self) -> Optional[asyncio.Transport]:
        return self._transport

    @property
    def _writer(self) -> "Connection":
        # The stream-based binding kept a StreamWriter here; code that reached the
        # transport as `conn._writer.transport` keeps working.
        return self

    @property
    def peercert(self) -> Any:
        """The verified TLS client certificate (security profile 3), or None."""
        return self.get_extra_info("peercert")

    @property
    def peername(self) -> Any:
        return self.get_extra_info("peername")

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        if self._transport is None:
            return default
        return self._transport.get_extra_info(name, default)

    @property
    def closed(self) -> bool:
        return self._closed.done()

    @property
    def close_event(self) -> Optional[ev.ConnectionClosed]:
        return self._closed.result() if self._closed.done() else None

    # -- commands --------------------------------------------------------------------------
    async def call(self, request: Any, timeout: Optional[float] = None) -> Any:
        """Send a CALL and return the typed response (the generic response for a generic
        request, `ocpp_core.generic`). Raises CallError (the peer's CALLERROR),
        CallTimeout, ConnectionClosedError or InvalidResponse; a request the protocol
        forbids raises LocalProtocolError before anything is sent (for a generic one
        also OperationNotAvailable / NotRepresentable: the version cannot carry it)."""
        if self._closed.done():
            raise ConnectionClosedError("the connection is closed")
        message_id = self.core.call(request, clock(), timeout)
        future: asyncio.Future[Any] = self._loop.create_future()
        self._pending[message_id] = future
        self._settle()
        event = await future
        response = call_outcome(event)
        if self._auto_heartbeat:
            self._maybe_start_heartbeat(event.action, response)
        return response

    async def send(self, message: Any) -> None:
        """OCPP 2.1 SEND (no answer). Raises LocalProtocolError before 2.1."""
        self.core.send(message, clock())
        self._settle()

    def send_raw(self, text: str) -> None:
        """A testing tool: send `text` as one text message, unchecked and untracked
        (`OcppConnection.send_raw`; needs `RpcConfig(allow_send_raw=True)`). Its
        answer, if any, is not matched to anything: watch `core.on_frame` for it."""
        if self._closed.done():
            raise ConnectionClosedError("the connection is closed")
        self.core.send_raw(text)
        self._settle()

    async def close(self, code: int = 1000, reason: str = "") -> ev.ConnectionClosed:
        """Close handshake; CALLs still open fail with ConnectionClosedError."""
        if not self._closed.done():
            try:
                self.core.close(code, reason)
            except LocalProtocolError:
                # A CSMS still deciding (on_connect running) has no close handshake to
                # start: drop the transport, which the core reports as EOF.
                self.core.receive_data(b"", clock())
            self._settle()
        return await self.wait_closed()

    async def wait_closed(self) -> ev.ConnectionClosed:
        return await asyncio.shield(self._closed)

    async def wait_open(self) -> Any:
        """Connected (station) / None (CSMS) once open; raises if it never opens."""
        return await asyncio.shield(self._opened)

    # -- asyncio.Protocol --------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)
        self._transport.set_write_buffer_limits(high=WRITE_HIGH_WATER)
        if self._on_made is not None:
            self._on_made(self)
        self._settle()  # the station's upgrade request; the open timeout's timer

    def data_received(self, data: bytes) -> None:
        self.core.receive_data(data, clock())
        self._settle()

    def eof_received(self) -> None:
        # Returning None lets the transport close; connection_lost tells the core.
        return None

    def connection_lost(self, exc: Optional[Exception]) -> None:
        self._finish()

    def pause_writing(self) -> None:
        # The peer reads slower than we write: read nothing more from it (so it
        # cannot make us produce more answers) until it has taken our bytes. The
        # timers still run.
        if self._transport is not None and not self._transport.is_closing():
            self._transport.pause_reading()

    def resume_writing(self) -> None:
        if self._transport is not None and not self._transport.is_closing():
            self._transport.resume_reading()

    # -- moving the core along -----------------------------------------------------------
    def _settle(self) -> None:
        """Dispatch the core's events, write what it queued (one write), re-arm the
        timer. Re-entrant calls (an inline handler calling `call()`, `close()`, ...)
        return at once: the outer run's dispatch loop drains what they queued and its
        write carries their bytes."""
        if self._settling:
            return
        self._settling = True
        try:
            self._dispatch()
            data = self.core.data_to_send()
            transport = self._transport
            if data and transport is not None and not transport.is_closing():
                transport.write(data)
        finally:
            self._settling = False
        if self._closed.done():
            self._finish()
        else:
            self._arm_timer()

    def _arm_timer(self) -> None:
        deadline = self.core.next_deadline()
        if deadline is None:
            return  # an armed timer may fire for nothing: cheaper than cancelling it
        if self._timer is not None:
            assert self._timer_at is not None
            if self._timer_at <= deadline:
                # It fires first and re-arms then. Keeping it spares a TimerHandle
                # per CALL when each frame pushes the deadline later (ping, timeouts).
                return
            self._timer.cancel()
        self._timer_at = deadline
        when = self._loop.time() + max(0.0, deadline - clock())
        self._timer = self._loop.call_at(when, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        self._timer_at = None
        if self._finished:
            return
        self.core.tick(clock())
        self._settle()

    def _finish(self) -> None:
        """The end, whichever way it came (ConnectionClosed, or the transport lost
        without it): settle every future and task, drop the timer and the transport."""
        if self._finished:
            return
        self._finished = True
        if not self._closed.done():
            # The transport went without ConnectionClosed: tell the core, so that it
            # ends every CALL properly.
            try:
                self.core.receive_data(b"", clock())
            except Exception:  # pragma: no cover - a core bug; still close below
                log.exception("core failed on EOF")
            self._dispatch()
        for future in self._pending.values():
            if not future.done():
                future.set_exception(ConnectionClosedError("the connection ended"))
        self._pending.clear()
        if not self._closed.done():
            self._closed.set_result(ev.ConnectionClosed(1006, "", ev.TRANSPORT, False))
        if not self._opened.done():
            self._opened.set_exception(ConnectionClosedError("closed before it opened"))
        for task in list(self._tasks):
            task.cancel()
        if self._heartbeat is not None:
            self._heartbeat.cancel()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._transport is not None:
            self._transport.close()

    # -- events ----------------------------------------------------------------------------
    def _dispatch(self) -> None:
        for event in self.core.events():
            if isinstance(event, ev.CallReceived) or isinstance(event, ev.SendReceived):
                self._handle(event)
            elif isinstance(event, CALL_END_EVENTS):
                future = self._pending.pop(event.message_id, None)
                if future is not None and not future.done():
                    future.set_result(event)
            elif isinstance(event, ev.ConnectionRequested):
                if self._on_request is not None:
                    self._spawn(self._on_request(self))
            elif isinstance(event, ev.Connected):
                if not self._opened.done():
                    self._opened.set_result(event)
            elif isinstance(event, ev.HandshakeFailed):
                if not self._opened.done():
                    self._opened.set_exception(HandshakeError(event))
            elif isinstance(event, ev.ConnectionClosed):
                log.info("%s: closed %s", self.identity, event)
                if not self._closed.done():
                    self._closed.set_result(event)
                if not self._opened.done():
                    self._opened.set_exception(ConnectionClosedError(f"closed: {event}"))
            else:
                # CallRejected, ProtocolViolation, UnmatchedResponse, WebSocketViolation,
                # MessageTooBig, IncomingCallCancelled: the core has answered already.
                log.warning("%s: %r", self.identity, event)

    def mark_open(self) -> None:
        """CSMS side: accept() went through."""
        if not self._opened.done():
            self._opened.set_result(None)

    def _spawn(self, coroutine: Any) -> None:
        task = self._loop.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: "asyncio.Task[Any]") -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("%s: task failed", self.identity, exc_info=task.exception())

    def _handle(self, event: Any) -> None:
        """Run the handler of the peer's CALL / SEND at once: a plain function answers
        here, in arrival order, with no task; what returns an awaitable (an `async
        def`, an object with an async `__call__`) is awaited in a task of its own, so
        a slow handler holds up nothing else."""
        handler = answer_unhandled(self.core, self.router, event)
        if handler is None:
            return
        try:
            result = handler(self, event.message)
        except Exception as exc:
            self._answer(event, None, exc)
            return
        if inspect.isawaitable(result):
            self._spawn(self._await_handler(event, result))
        else:
            self._answer(event, result, None)

    async def _await_handler(self, event: Any, awaitable: Awaitable[Any]) -> None:
        try:
            response = await awaitable
        except Exception as exc:
            self._answer(event, None, exc)
        else:
            self._answer(event, response, None)

    def _answer(self, event: Any, response: Any, error: Optional[Exception]) -> None:
        problem = answer_handled(self.core, event, response, error)
        if problem is not None:
            log.error("%s: %s: %s", self.identity, event.action, problem, exc_info=error)
        self._settle()  # inline: returns at once, the dispatching _settle writes it

    # -- heartbeat -------------------------------------------------------------------------
    def _maybe_start_heartbeat(self, action: str, response: Any) -> None:
        interval = heartbeat_interval(action, response)
        if interval is None:
            return
        if self._heartbeat is not None:
            self._heartbeat.cancel()
        self._heartbeat = self._loop.create_task(self._beat(interval))

    async def _beat(self, interval: float) -> None:
        version = self.version
        assert version is not None
        while not self._closed.done():
            await asyncio.sleep(interval)
            if self._closed.done():
                return
            try:
                await self.call(heartbeat_request(version))
            except ConnectionClosedError:
                return
            except Exception as exc:
                log.warning("%s: heartbeat failed: %s", self.identity, exc)

    def _log_frame(self, direction: str, text: str) -> None:
        frame_log.info(
            "%s %s %s",
            self.identity,
            direction,
            text,
            extra={"ocpp_identity": self.identity, "ocpp_direction": direction, "ocpp_frame": text},
        )


def _consume(future: "asyncio.Future[Any]") -> None:
    if not future.cancelled():
        future.exception()
