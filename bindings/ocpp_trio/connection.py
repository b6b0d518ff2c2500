"""`Connection`: one sans-IO OcppConnection driven over a trio stream.

`_run` owns a nursery: a reader task feeds bytes to the core, the main loop writes what
the core wants written and sleeps until a wake-up or the core's next deadline; handler
tasks, on_connect and the heartbeat live in the same nursery and end with it. Every
protocol decision stays in ocpp_core (and `ocpp_core.handlers`).
"""

import inspect
import logging
import math
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, Optional

import trio

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

if sys.version_info < (3, 11):  # pragma: no cover
    from exceptiongroup import BaseExceptionGroup  # type: ignore[import-not-found]

log = logging.getLogger("ocpp_trio")
frame_log = logging.getLogger("ocpp_trio.frames")

READ_SIZE = 65536
STREAM_ERRORS = (trio.BrokenResourceError, trio.ClosedResourceError, OSError)


def clock() -> float:
    return trio.current_time()


def _leaves(error: BaseException) -> "list[BaseException]":
    if isinstance(error, BaseExceptionGroup):
        return [leaf for inner in error.exceptions for leaf in _leaves(inner)]
    return [error]


@asynccontextmanager
async def open_nursery() -> AsyncIterator[trio.Nursery]:
    """A nursery that raises a lone exception as itself, not in an ExceptionGroup: the
    nurseries of this binding are an implementation detail its callers cannot see."""
    try:
        async with trio.open_nursery() as nursery:
            yield nursery
    except BaseExceptionGroup as group:
        leaves = _leaves(group)
        errors = [leaf for leaf in leaves if not isinstance(leaf, trio.Cancelled)]
        if len(errors) > 1:
            raise
        raise (errors or leaves)[0] from None


class _Slot:
    def __init__(self) -> None:
        self.done = trio.Event()
        self.event: Any = None


class Connection:
    """One OCPP connection (either side); see ocpp_asyncio.Connection, same methods."""

    def __init__(
        self,
        core: OcppConnection,
        stream: trio.abc.Stream,
        router: Optional[Router] = None,
        log_frames: bool = False,
        auto_heartbeat: bool = False,
    ) -> None:
        self.core = core
        self.router = router if router is not None else Router()
        self._stream = stream
        self._auto_heartbeat = auto_heartbeat
        self._pending: dict[str, _Slot] = {}
        self._wakeup = trio.Event()
        self._drained = trio.Event()
        self._writing = False
        self._opened = trio.Event()
        self._open_error: Optional[BaseException] = None
        self._closed = False
        self._close_event: Optional[ev.ConnectionClosed] = None
        self._finished = trio.Event()
        self._nursery: Optional[trio.Nursery] = None
        self._heartbeat: Optional[trio.CancelScope] = None
        # CSMS side: runs (as a task) on ConnectionRequested; returns once decided.
        self._on_request: Optional[Callable[[Connection], Awaitable[None]]] = None
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
        return self.core.request if isinstance(self.core, CsmsConnection) else None

    @property
    def peercert(self) -> Any:
        """The verified TLS client certificate (security profile 3), or None."""
        if isinstance(self._stream, trio.SSLStream):
            return self._stream.getpeercert()
        return None

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def close_event(self) -> Optional[ev.ConnectionClosed]:
        return self._close_event

    # -- commands --------------------------------------------------------------------------
    async def call(self, request: Any, timeout: Optional[float] = None) -> Any:
        """Send a CALL and return the typed response (see ocpp_asyncio.Connection.call)."""
        if self._closed:
            raise ConnectionClosedError("the connection is closed")
        message_id = self.core.call(request, clock(), timeout)
        slot = _Slot()
        self._pending[message_id] = slot
        self._kick()
        await slot.done.wait()
        response = call_outcome(slot.event)
        interval = heartbeat_interval(slot.event.action, response)
        if self._auto_heartbeat and interval is not None and self._nursery is not None:
            if self._heartbeat is not None:
                self._heartbeat.cancel()
            self._heartbeat = trio.CancelScope()
            self._nursery.start_soon(self._beat, interval, self._heartbeat)
        return response

    async def send(self, message: Any) -> None:
        """OCPP 2.1 SEND (no answer). Raises LocalProtocolError before 2.1."""
        self.core.send(message, clock())
        self._kick()

    async def close(self, code: int = 1000, reason: str = "") -> ev.ConnectionClosed:
        """Close handshake; CALLs still open fail with ConnectionClosedError."""
        if not self._closed:
            try:
                self.core.close(code, reason)
            except LocalProtocolError:  # not open yet (a CSMS deciding): drop the transport
                self.core.receive_data(b"", clock())
            self._kick()
        return await self.wait_closed()

    async def wait_closed(self) -> ev.ConnectionClosed:
        await self._finished.wait()
        assert self._close_event is not None
        return self._close_event

    async def wait_open(self) -> None:
        await self._opened.wait()
        if self._open_error is not None:
            raise self._open_error

    # -- the task --------------------------------------------------------------------------
    def _kick(self) -> None:
        self._wakeup.set()

    async def run(self) -> None:
        """Drive the connection until it is over (run it in a nursery)."""
        try:
            async with open_nursery() as nursery:
                self._nursery = nursery
                nursery.start_soon(self._reader)
                await self._writer()
                nursery.cancel_scope.cancel()
        finally:
            self._finish()
            with trio.CancelScope(shield=True):
                await trio.aclose_forcefully(self._stream)
            self._finished.set()

    async def _writer(self) -> None:
        while True:
            self._wakeup = trio.Event()
            self._dispatch()
            data = self.core.data_to_send()
            if data:
                self._writing = True
                try:
                    await self._stream.send_all(data)
                except STREAM_ERRORS:
                    self.core.receive_data(b"", clock())
                self._writing = False
                self._drained.set()
                self._drained = trio.Event()
                continue
            if self._closed:
                return
            deadline = self.core.next_deadline()
            with trio.move_on_at(math.inf if deadline is None else deadline):
                await self._wakeup.wait()
            self.core.tick(clock())

    async def _reader(self) -> None:
        while True:
            # Back-pressure: read nothing more while the peer has not taken our last write
            # (a peer that never reads cannot make us buffer its answers without bound).
            while self._writing:
                await self._drained.wait()
            try:
                chunk = await self._stream.receive_some(READ_SIZE)
            except STREAM_ERRORS:
                chunk = b""
            self.core.receive_data(bytes(chunk), clock())
            self._kick()
            if not chunk:
                return

    def _finish(self) -> None:
        if not self._closed:
            try:
                self.core.receive_data(b"", clock())
            except Exception:  # pragma: no cover - a core bug; still close below
                log.exception("core failed on EOF")
            self._dispatch()
        for slot in self._pending.values():
            slot.event = ev.CallCancelled("", "", "the connection task ended")
            slot.done.set()
        self._pending.clear()
        if self._close_event is None:
            self._close_event = ev.ConnectionClosed(1006, "", ev.TRANSPORT, False)
        self._closed = True
        self._set_opened(ConnectionClosedError("closed before it opened"))

    def _set_opened(self, error: Optional[BaseException] = None) -> None:
        if not self._opened.is_set():
            self._open_error = error
            self._opened.set()

    def mark_open(self) -> None:
        """CSMS side: accept() went through."""
        self._set_opened()

    # -- events ----------------------------------------------------------------------------
    def _dispatch(self) -> None:
        for event in self.core.events():
            if isinstance(event, CALL_END_EVENTS):
                slot = self._pending.pop(event.message_id, None)
                if slot is not None:
                    slot.event = event
                    slot.done.set()
            elif isinstance(event, (ev.CallReceived, ev.SendReceived)):
                self._handle(event)
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
                self._closed = True
                self._set_opened(ConnectionClosedError(f"closed: {event}"))
            else:  # the core has answered these already
                log.warning("%s: %r", self.identity, event)

    def _spawn(self, function: Callable[..., Awaitable[None]], argument: Any) -> None:
        if self._nursery is not None:
            self._nursery.start_soon(function, argument)

    def _handle(self, event: Any) -> None:
        """Run the handler of the peer's CALL / SEND at once, so that quick handlers
        answer in arrival order; an async handler goes on in a task of its own."""
        handler = answer_unhandled(self.core, self.router, event)
        if handler is None:
            return
        try:
            response = handler(self, event.message)
        except Exception as exc:
            self._answer(event, None, exc)
            return
        if inspect.isawaitable(response):
            self._spawn(self._await_handler, (event, response))
        else:
            self._answer(event, response, None)

    async def _await_handler(self, pending: "tuple[Any, Awaitable[Any]]") -> None:
        event, awaitable = pending
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
        self._kick()

    async def _beat(self, interval: float, scope: trio.CancelScope) -> None:
        assert self.version is not None
        with scope:
            while not self._closed:
                await trio.sleep(interval)
                try:
                    await self.call(heartbeat_request(self.version))
                except ConnectionClosedError:
                    return
                except Exception as exc:
                    log.warning("%s: heartbeat failed: %s", self.identity, exc)

    def _log_frame(self, direction: str, text: str) -> None:
        extra = {"ocpp_identity": self.identity, "ocpp_direction": direction, "ocpp_frame": text}
        frame_log.info("%s %s %s", self.identity, direction, text, extra=extra)
