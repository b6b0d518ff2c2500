"""`Connection`: one sans-IO OcppConnection driven over an asyncio stream.

The task in `_run` is the only place that touches the socket: it writes what the core
wants written (and waits for the peer to take it, so a slow reader slows us instead
of filling memory), reads, runs the core's timers from `next_deadline()`, and turns
events into futures and handler tasks. Every protocol decision stays in ocpp_core;
what to answer a failed or missing handler comes from `ocpp_core.handlers`.
"""

import asyncio
import inspect
import logging
import ssl
import time
from collections.abc import Awaitable, Callable
from typing import Any, Optional

from ocpp_core import events as ev
from ocpp_core.connection import CsmsConnection, OcppConnection
from ocpp_core.errors import LocalProtocolError
from ocpp_core.handlers import (
    CALL_END_EVENTS,
    ConnectionClosedError,
    HandshakeError,
    Router,
    answer_call,
    answer_unhandled,
    call_outcome,
    heartbeat_interval,
    heartbeat_request,
)

log = logging.getLogger("ocpp_asyncio")
frame_log = logging.getLogger("ocpp_asyncio.frames")

READ_SIZE = 65536
# The transport's write buffer above which drain() waits for the peer (back-pressure).
WRITE_HIGH_WATER = 256 * 1024


def clock() -> float:
    return time.monotonic()


class Connection:
    """One OCPP connection (either side). Use `call()` to send a CALL, `close()` to end
    it; CALLs from the peer go to the router's handlers. Built by `serve()` / `connect()`."""

    def __init__(
        self,
        core: OcppConnection,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        router: Optional[Router] = None,
        log_frames: bool = False,
        auto_heartbeat: bool = False,
    ) -> None:
        self.core = core
        self.router = router if router is not None else Router()
        self._reader = reader
        self._writer = writer
        self._auto_heartbeat = auto_heartbeat
        self._pending: dict[str, asyncio.Future[Any]] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._wakeup = asyncio.Event()
        loop = asyncio.get_running_loop()
        self._opened: asyncio.Future[Any] = loop.create_future()
        self._closed: asyncio.Future[ev.ConnectionClosed] = loop.create_future()
        self._heartbeat: Optional[asyncio.Task[Any]] = None
        self._runner: Optional[asyncio.Task[None]] = None
        # Called with the ConnectionRequested (CSMS side); returns once accept()/reject().
        self._on_request: Optional[Callable[[Connection], Awaitable[None]]] = None
        transport = writer.transport
        if hasattr(transport, "set_write_buffer_limits"):
            transport.set_write_buffer_limits(high=WRITE_HIGH_WATER)
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
    def peercert(self) -> Any:
        """The verified TLS client certificate (security profile 3), or None."""
        return self._writer.get_extra_info("peercert")

    @property
    def peername(self) -> Any:
        return self._writer.get_extra_info("peername")

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
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[message_id] = future
        self._kick()
        event = await future
        response = call_outcome(event)
        if self._auto_heartbeat:
            self._maybe_start_heartbeat(event.action, response)
        return response

    async def send(self, message: Any) -> None:
        """OCPP 2.1 SEND (no answer). Raises LocalProtocolError before 2.1."""
        self.core.send(message, clock())
        self._kick()

    def send_raw(self, text: str) -> None:
        """A testing tool: send `text` as one text message, unchecked and untracked
        (`OcppConnection.send_raw`; needs `RpcConfig(allow_send_raw=True)`). Its
        answer, if any, is not matched to anything: watch `core.on_frame` for it."""
        if self._closed.done():
            raise ConnectionClosedError("the connection is closed")
        self.core.send_raw(text)
        self._kick()

    async def close(self, code: int = 1000, reason: str = "") -> ev.ConnectionClosed:
        """Close handshake; CALLs still open fail with ConnectionClosedError."""
        if not self._closed.done():
            try:
                self.core.close(code, reason)
            except LocalProtocolError:
                # A CSMS still deciding (on_connect running) has no close handshake to
                # start: drop the transport, which the core reports as EOF.
                self.core.receive_data(b"", clock())
            self._kick()
        return await self.wait_closed()

    async def wait_closed(self) -> ev.ConnectionClosed:
        return await asyncio.shield(self._closed)

    async def wait_open(self) -> Any:
        """Connected (station) / None (CSMS) once open; raises if it never opens."""
        return await asyncio.shield(self._opened)

    # -- the task --------------------------------------------------------------------------
    def start(self) -> None:
        self._runner = asyncio.get_running_loop().create_task(self._run())

    def _kick(self) -> None:
        self._wakeup.set()

    async def _drain(self) -> None:
        try:
            await self._writer.drain()
        except (ConnectionError, ssl.SSLError, RuntimeError):
            pass  # the read side sees EOF and ends the connection

    async def _run(self) -> None:
        read: Optional[asyncio.Future[bytes]] = None
        drain: Optional[asyncio.Future[None]] = None
        try:
            while True:
                self._wakeup.clear()
                self._dispatch()
                data = self.core.data_to_send()
                if data:
                    self._writer.write(data)
                if self._closed.done():
                    break
                wake = asyncio.ensure_future(self._wakeup.wait())
                waiting: set[asyncio.Future[Any]] = {wake}
                if self._writer.transport.get_write_buffer_size() > WRITE_HIGH_WATER:
                    # Back-pressure: the peer reads slower than we write. Read nothing
                    # more from it until it has taken our bytes; timers still run.
                    if drain is None:
                        drain = asyncio.ensure_future(self._drain())
                    waiting.add(drain)
                else:
                    if read is None:
                        read = asyncio.ensure_future(self._reader.read(READ_SIZE))
                    waiting.add(read)
                deadline = self.core.next_deadline()
                timeout = None if deadline is None else max(0.0, deadline - clock())
                await asyncio.wait(waiting, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
                wake.cancel()
                if drain is not None and drain.done():
                    drain = None
                if read is not None and read.done():
                    try:
                        chunk = read.result()
                    except (ConnectionError, ssl.SSLError, OSError):
                        chunk = b""
                    read = None
                    self.core.receive_data(chunk, clock())
                self.core.tick(clock())
        finally:
            for task in (read, drain):
                if task is not None:
                    task.cancel()
            self._finish()

    def _finish(self) -> None:
        if not self._closed.done():
            # The loop ended without ConnectionClosed (cancelled, or a bug): tell the
            # core the transport is gone so that it ends every CALL properly.
            try:
                self.core.receive_data(b"", clock())
            except Exception:  # pragma: no cover - a core bug; still close below
                log.exception("core failed on EOF")
            self._dispatch()
        for future in self._pending.values():
            if not future.done():
                future.set_exception(ConnectionClosedError("the connection task ended"))
        self._pending.clear()
        if not self._closed.done():
            self._closed.set_result(ev.ConnectionClosed(1006, "", ev.TRANSPORT, False))
        if not self._opened.done():
            self._opened.set_exception(ConnectionClosedError("closed before it opened"))
        for task in list(self._tasks):
            task.cancel()
        if self._heartbeat is not None:
            self._heartbeat.cancel()
        self._writer.close()

    # -- events ----------------------------------------------------------------------------
    def _dispatch(self) -> None:
        for event in self.core.events():
            if isinstance(event, CALL_END_EVENTS):
                future = self._pending.pop(event.message_id, None)
                if future is not None and not future.done():
                    future.set_result(event)
            elif isinstance(event, ev.CallReceived):
                self._spawn(self._handle(event))
            elif isinstance(event, ev.SendReceived):
                self._spawn(self._handle_send(event))
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
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: "asyncio.Task[Any]") -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("%s: task failed", self.identity, exc_info=task.exception())

    async def _handle(self, event: ev.CallReceived) -> None:
        handler = answer_unhandled(self.core, self.router, event)
        if handler is None:
            self._kick()
            return
        response: Any = None
        error: Optional[Exception] = None
        try:
            response = handler(self, event.message)
            if inspect.isawaitable(response):
                response = await response
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            error = exc
        problem = answer_call(self.core, event.message_id, response, error)
        if problem is not None:
            log.error("%s: %s: %s", self.identity, event.action, problem, exc_info=error)
        self._kick()

    async def _handle_send(self, event: ev.SendReceived) -> None:
        handler = answer_unhandled(self.core, self.router, event)
        if handler is None:
            return  # a SEND is never answered
        try:
            result = handler(self, event.message)
            if inspect.isawaitable(result):
                await result
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%s: SEND handler for %s failed", self.identity, event.action)

    # -- heartbeat -------------------------------------------------------------------------
    def _maybe_start_heartbeat(self, action: str, response: Any) -> None:
        interval = heartbeat_interval(action, response)
        if interval is None:
            return
        if self._heartbeat is not None:
            self._heartbeat.cancel()
        self._heartbeat = asyncio.get_running_loop().create_task(self._beat(interval))

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
