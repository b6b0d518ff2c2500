"""The station side: `connect()` opens one connection (an async context manager: its
tasks live in a nursery of their own); `Station` keeps one open, reconnecting with
`ocpp_core.handlers.Backoff`."""

import inspect
import logging
import math
import random
import ssl as ssl_module
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TYPE_CHECKING, Any, Optional

import trio

from ocpp_core.connection import StationConnection
from ocpp_core.handlers import Backoff, HandshakeError, Router
from ocpp_core.ws import StationConfig

if TYPE_CHECKING:
    from ocpp_core.generic_session import GenericConfig

from .connection import Connection, clock, open_nursery

log = logging.getLogger("ocpp_trio")


async def _open_stream(config: StationConfig, ssl: Optional[ssl_module.SSLContext]) -> Any:
    timeout = math.inf if config.open_timeout is None else config.open_timeout
    try:
        with trio.fail_after(timeout):
            stream = await trio.open_tcp_stream(config.host, config.port)
            if ssl is None:
                return stream
            secure = trio.SSLStream(stream, ssl, server_hostname=config.host)
            try:
                await secure.do_handshake()
            except trio.BrokenResourceError as exc:
                await trio.aclose_forcefully(stream)
                cause = exc.__cause__
                raise cause if isinstance(cause, OSError) else ConnectionError(str(exc)) from exc
            return secure
    except trio.TooSlowError:
        raise TimeoutError("could not open the connection in time") from None


@asynccontextmanager
async def connect(
    config: StationConfig,
    router: Optional[Router] = None,
    ssl: Optional[ssl_module.SSLContext] = None,
    log_frames: bool = False,
    id_factory: Optional[Callable[[], str]] = None,
    codec_factory: Optional[Callable[[str], Any]] = None,
    auto_heartbeat: bool = True,
    generic: "Optional[GenericConfig]" = None,
) -> AsyncIterator[Connection]:
    """`async with connect(config, router) as conn:` the open Connection; closed (close
    handshake) on the way out. Options and errors as ocpp_asyncio.connect."""
    if config.secure and ssl is None:
        ssl = ssl_module.create_default_context()
    if not config.secure and ssl is not None:
        raise ValueError("an SSL context needs a wss:// url")
    stream = await _open_stream(config, ssl)
    core = StationConnection(config, id_factory, codec_factory, now=clock(), generic=generic)
    conn = Connection(core, stream, router, log_frames, auto_heartbeat)
    async with open_nursery() as nursery:
        nursery.start_soon(conn.run)
        try:
            await conn.wait_open()
            yield conn
        finally:
            with trio.CancelScope(shield=True), trio.move_on_after(config.close_timeout + 1):
                await conn.close()
            nursery.cancel_scope.cancel()


class Station:
    """A station that stays connected (see ocpp_asyncio.Station):
    `async with Station(config, router, on_connected=boot) as station:`."""

    def __init__(
        self,
        config: StationConfig,
        router: Optional[Router] = None,
        on_connected: Optional[Callable[[Connection], Any]] = None,
        backoff: Optional[Backoff] = None,
        rng: Optional[Callable[[], float]] = None,
        **connect_options: Any,
    ) -> None:
        self.config = config
        self.router = router if router is not None else Router()
        self.on_connected = on_connected
        self.backoff = backoff if backoff is not None else Backoff()
        self._random = rng if rng is not None else random.random
        self._options = connect_options
        self.connection: Optional[Connection] = None
        self.connects = 0
        self.delays: list[float] = []
        self._changed = trio.Event()
        self._stopping = False
        self._scope: Optional[trio.CancelScope] = None
        self._nursery_manager: Optional[AbstractAsyncContextManager[trio.Nursery]] = None

    async def run(self) -> None:
        """Connect, and reconnect, until close() (or cancellation)."""
        with trio.CancelScope() as self._scope:
            attempt = 0
            while not self._stopping:
                try:
                    async with connect(self.config, self.router, **self._options) as conn:
                        attempt = 0
                        self.connects += 1
                        self.connection = conn
                        self._changed.set()
                        async with open_nursery() as hooks:  # on_connected ends with conn
                            hooks.start_soon(self._run_hook, conn)
                            await conn.wait_closed()
                            hooks.cancel_scope.cancel()
                except (OSError, HandshakeError, TimeoutError) as exc:
                    log.warning("%s: connect failed: %s", self.config.identity, exc)
                if self._stopping:
                    return
                delay = self.backoff.delay(attempt, self._random())
                attempt += 1
                self.delays.append(delay)
                await trio.sleep(delay)

    async def _run_hook(self, conn: Connection) -> None:
        if self.on_connected is None:
            return
        try:
            result = self.on_connected(conn)
            if inspect.isawaitable(result):
                await result
        except ConnectionError as exc:
            log.info("%s: on_connected stopped: %s", self.config.identity, exc)
        except Exception:
            log.exception("%s: on_connected failed", self.config.identity)

    async def wait_connected(self, timeout: Optional[float] = None) -> Connection:
        """The open connection, waiting for one if need be (TimeoutError)."""
        with trio.move_on_after(math.inf if timeout is None else timeout):
            while self.connection is None or self.connection.closed:
                self._changed = trio.Event()
                await self._changed.wait()
            return self.connection
        raise TimeoutError("no connection in time")

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Stop reconnecting and close the connection (close handshake)."""
        self._stopping = True
        conn = self.connection
        if conn is not None and not conn.closed:
            with trio.move_on_after(self.config.close_timeout + 1):
                await conn.close(code, reason)
        if self._scope is not None:
            self._scope.cancel()

    async def __aenter__(self) -> "Station":
        self._nursery_manager = open_nursery()
        nursery = await self._nursery_manager.__aenter__()
        nursery.start_soon(self.run)
        return self

    async def __aexit__(self, *exc_info: Any) -> Optional[bool]:
        with trio.CancelScope(shield=True):
            await self.close()
        assert self._nursery_manager is not None
        return await self._nursery_manager.__aexit__(*exc_info)
