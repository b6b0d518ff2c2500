"""The CSMS side: `serve()` (an async context manager) listens, hands each station's
request to `on_connect`, keeps the open connections by identity."""

import inspect
import logging
import math
import ssl as ssl_module
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, Optional

import trio

from ocpp_core.connection import CsmsConnection
from ocpp_core.handlers import Accept, Router, settle_request
from ocpp_core.registry import settle_duplicate
from ocpp_core.ws import CsmsConfig

if TYPE_CHECKING:
    from ocpp_core.generic_session import GenericConfig

from .connection import Connection, clock, open_nursery

log = logging.getLogger("ocpp_trio")


class CsmsServer:
    """A listening CSMS; same options and attributes as ocpp_asyncio.CsmsServer."""

    def __init__(
        self,
        config: Optional[CsmsConfig] = None,
        router: Optional[Router] = None,
        on_connect: Optional[Callable[[Connection], Any]] = None,
        on_connected: Optional[Callable[[Connection], Any]] = None,
        ssl: Optional[ssl_module.SSLContext] = None,
        log_frames: bool = False,
        id_factory: Optional[Callable[[], str]] = None,
        codec_factory: Optional[Callable[[str], Any]] = None,
        generic: "Optional[GenericConfig]" = None,
    ) -> None:
        self.config = config if config is not None else CsmsConfig()
        self.router = router if router is not None else Router()
        self.on_connect = on_connect
        self.on_connected = on_connected
        self.ssl = ssl
        self.log_frames = log_frames
        self.id_factory = id_factory
        self.codec_factory = codec_factory
        # The generic mapper options of every connection (Accept(generic=) per station).
        self.generic = generic
        self.connections: dict[str, Connection] = {}
        self.port = 0
        self._all: set[Connection] = set()
        self._changed = trio.Event()
        self._accepting = trio.CancelScope()
        self._nursery: Optional[trio.Nursery] = None

    async def start(self, nursery: trio.Nursery, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen on host:port (0: a free port, see `.port`); connections run in `nursery`."""
        listeners: list[Any] = list(await trio.open_tcp_listeners(port, host=host))
        self.port = listeners[0].socket.getsockname()[1]
        if self.ssl is not None:
            listeners = [trio.SSLListener(listener, self.ssl) for listener in listeners]
        self._nursery = nursery
        for listener in listeners:
            nursery.start_soon(self._accept_loop, listener)

    async def _accept_loop(self, listener: Any) -> None:
        assert self._nursery is not None
        with self._accepting:
            async with listener:
                while True:
                    try:
                        stream = await listener.accept()
                    except OSError as exc:  # e.g. out of file descriptors: wait, retry
                        log.warning("accept failed: %s", exc)
                        await trio.sleep(0.1)
                        continue
                    self._nursery.start_soon(self._serve_stream, stream)

    async def _serve_stream(self, stream: Any) -> None:
        core = CsmsConnection(
            self.config, self.id_factory, self.codec_factory, now=clock(), generic=self.generic
        )
        conn = Connection(core, stream, self.router, self.log_frames)
        conn._on_request = self._decide
        self._all.add(conn)
        try:
            await conn.run()
        finally:
            self._all.discard(conn)
            if conn.identity is not None and self.connections.get(conn.identity) is conn:
                del self.connections[conn.identity]
            self._notify()

    def _notify(self) -> None:
        self._changed.set()
        self._changed = trio.Event()

    async def _decide(self, conn: Connection) -> None:
        answer: Any = Accept()
        try:
            if self.on_connect is not None:
                answer = self.on_connect(conn)
                if inspect.isawaitable(answer):
                    answer = await answer
        except Exception as exc:
            log.exception("on_connect failed for %r", conn.identity)
            answer = exc
        # No checkpoint from here to the registration: no other request of this
        # identity can slip in between the duplicate check and the registration.
        current = self.connections.get(conn.identity or "")
        outcome = settle_duplicate(
            self.config.duplicate_identity, answer, None if current is None else current.core
        )
        if outcome.note is not None:
            log.info("%r: %s", conn.identity, outcome.note)
        router, problem = settle_request(conn.core, outcome.answer)
        if problem is not None:
            log.warning("%r: %s", conn.identity, problem)
        if router is not None:
            conn.router = router
        conn._kick()
        if conn.core.state != "open":
            return
        identity = conn.identity
        assert identity is not None
        self.connections[identity] = conn
        if current is not None and outcome.close_current is not None:
            # In a task of its own: the new connection does not wait for the old one's
            # close handshake; _serve_stream's cleanup leaves the new one registered.
            assert self._nursery is not None
            self._nursery.start_soon(_close_quietly, current, *outcome.close_current)
        conn.mark_open()
        self._notify()
        if self.on_connected is not None:
            try:
                result = self.on_connected(conn)
                if inspect.isawaitable(result):
                    await result
            except Exception:
                log.exception("on_connected failed for %r", identity)

    async def wait_for_station(self, identity: str, timeout: Optional[float] = None) -> Connection:
        """The open connection of `identity`, waiting for it if need be (TimeoutError)."""
        with trio.move_on_after(math.inf if timeout is None else timeout):
            while True:
                conn = self.connections.get(identity)
                if conn is not None and not conn.closed:
                    return conn
                await self._changed.wait()
        raise TimeoutError(f"{identity} did not connect in time")

    async def close(self, code: int = 1001, reason: str = "server shutdown") -> None:
        """Stop listening, close every connection (1001 "going away")."""
        self._accepting.cancel()
        async with open_nursery() as closing:
            for conn in list(self._all):
                closing.start_soon(conn.close, code, reason)


async def _close_quietly(conn: Connection, code: int, reason: str) -> None:
    await conn.close(code, reason)


@asynccontextmanager
async def serve(
    config: Optional[CsmsConfig] = None, host: str = "127.0.0.1", port: int = 0, **options: Any
) -> AsyncIterator[CsmsServer]:
    """`async with serve(config, port=0, router=...) as server:` (options as
    ocpp_asyncio.serve); every station is closed (1001) on the way out."""
    server = CsmsServer(config, **options)
    async with open_nursery() as nursery:
        await server.start(nursery, host, port)
        try:
            yield server
        finally:
            with trio.CancelScope(shield=True), trio.move_on_after(server.config.close_timeout + 1):
                await server.close()
            nursery.cancel_scope.cancel()
