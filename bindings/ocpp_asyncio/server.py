"""The CSMS side: `serve()` listens, hands each station's request to `on_connect`, and
keeps the open connections by identity so that the backend can call any station."""

import asyncio
import inspect
import logging
import ssl as ssl_module
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Optional

from ocpp_core.connection import CsmsConnection
from ocpp_core.handlers import Accept, Router, settle_request
from ocpp_core.registry import settle_duplicate
from ocpp_core.ws import CsmsConfig

if TYPE_CHECKING:
    from ocpp_core.generic_session import GenericConfig

from .connection import Connection, clock

log = logging.getLogger("ocpp_asyncio")


class CsmsServer:
    """A listening CSMS.

    - `on_connect(conn)` (sync or async) sees `conn.request` (the ConnectionRequested:
      identity, versions, username/password), `conn.peercert` (profile 3) and returns
      `Accept(...)` (optionally with this station's quirks, RpcConfig, Router) or
      `Reject(status)`. Without it every station is accepted.
    - `on_connected(conn)` (sync or async) runs once the connection is open.
    - `connections[identity]` is the open connection of each station: the newest one
      when an identity connects again (`CsmsConfig.duplicate_identity`: the old one is
      closed, or the new one refused).
    """

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
        self._all: set[Connection] = set()
        self._server: Optional[asyncio.Server] = None
        self._arrivals: dict[str, list[asyncio.Future[Connection]]] = {}
        self._evictions: set[asyncio.Task[Any]] = set()  # old connections being closed

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> "CsmsServer":
        """Listen on host:port (0 picks a free port: see `.port`)."""
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(self._new_connection, host, port, ssl=self.ssl)
        return self

    @property
    def port(self) -> int:
        assert self._server is not None, "start() first"
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    def _new_connection(self) -> Connection:
        # The protocol factory: called per accepted socket (before its TLS handshake).
        core = CsmsConnection(
            self.config, self.id_factory, self.codec_factory, now=clock(), generic=self.generic
        )
        conn = Connection(core, self.router, self.log_frames)
        conn._on_request = self._decide
        conn._on_made = self._register
        return conn

    def _register(self, conn: Connection) -> None:
        # Only once the transport is made: a failed TLS handshake leaves nothing to close.
        self._all.add(conn)
        conn._closed.add_done_callback(lambda _: self._forget(conn))

    async def _decide(self, conn: Connection) -> None:
        core = conn.core
        assert isinstance(core, CsmsConnection)
        answer: Any = Accept()
        try:
            if self.on_connect is not None:
                answer = self.on_connect(conn)
                if inspect.isawaitable(answer):
                    answer = await answer
        except Exception as exc:
            log.exception("on_connect failed for %r", conn.identity)
            answer = exc
        # From here to the registration nothing awaits: no other request of this
        # identity can slip in between the duplicate check and the registration.
        current = self.connections.get(conn.identity or "")
        outcome = settle_duplicate(
            self.config.duplicate_identity, answer, None if current is None else current.core
        )
        if outcome.note is not None:
            log.info("%r: %s", conn.identity, outcome.note)
        router, problem = settle_request(core, outcome.answer)
        if problem is not None:
            log.warning("%r: %s", conn.identity, problem)
        if router is not None:
            conn.router = router
        conn._settle()
        if core.state != "open":
            return
        identity = conn.identity
        assert identity is not None
        self.connections[identity] = conn
        if current is not None and outcome.close_current is not None:
            # Not awaited: the new connection does not wait for the old one's close
            # handshake; _forget leaves the registry alone, the new one is in it.
            task = asyncio.get_running_loop().create_task(current.close(*outcome.close_current))
            self._evictions.add(task)
            task.add_done_callback(self._evictions.discard)
        conn.mark_open()
        for future in self._arrivals.pop(identity, []):
            if not future.done():
                future.set_result(conn)
        if self.on_connected is not None:
            try:
                result = self.on_connected(conn)
                if inspect.isawaitable(result):
                    await result
            except Exception:
                log.exception("on_connected failed for %r", identity)

    def _forget(self, conn: Connection) -> None:
        self._all.discard(conn)
        identity = conn.identity
        if identity is not None and self.connections.get(identity) is conn:
            del self.connections[identity]

    async def wait_for_station(self, identity: str, timeout: Optional[float] = None) -> Connection:
        """The open connection of `identity`, waiting for it to connect if need be."""
        conn = self.connections.get(identity)
        if conn is not None and not conn.closed:
            return conn
        future: asyncio.Future[Connection] = asyncio.get_running_loop().create_future()
        self._arrivals.setdefault(identity, []).append(future)
        try:
            return await asyncio.wait_for(future, timeout)
        finally:
            # Timed out or cancelled: forget this waiter (an arrival removed them all).
            waiting = self._arrivals.get(identity)
            if waiting is not None and future in waiting:
                waiting.remove(future)
                if not waiting:
                    del self._arrivals[identity]

    async def close(self, code: int = 1001, reason: str = "server shutdown") -> None:
        """Stop listening, close every connection with the close handshake (1001 "going
        away"); CALLs still open fail with ConnectionClosedError."""
        if self._server is not None:
            self._server.close()
        conns = list(self._all)
        if conns:
            await asyncio.gather(*(c.close(code, reason) for c in conns))
        if self._server is not None:
            await self._server.wait_closed()

    async def __aenter__(self) -> "CsmsServer":
        if self._server is None:
            await self.start()
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.close()


async def serve(
    config: Optional[CsmsConfig] = None,
    host: str = "127.0.0.1",
    port: int = 0,
    **options: Any,
) -> CsmsServer:
    """Start a CsmsServer (options: router, on_connect, on_connected, ssl, log_frames,
    id_factory, codec_factory, generic). Use as `async with await serve(...) as server:`."""
    return await CsmsServer(config, **options).start(host, port)
