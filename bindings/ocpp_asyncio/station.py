"""The station side: `connect()` opens one connection; `Station` keeps one open,
reconnecting with exponential back-off and jitter (`ocpp_core.handlers.Backoff`)."""

import asyncio
import inspect
import logging
import random
import ssl as ssl_module
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Optional

from ocpp_core.connection import StationConnection
from ocpp_core.handlers import Backoff, HandshakeError, Router
from ocpp_core.ws import StationConfig

if TYPE_CHECKING:
    from ocpp_core.generic_session import GenericConfig

from .connection import Connection, clock

log = logging.getLogger("ocpp_asyncio")


async def connect(
    config: StationConfig,
    router: Optional[Router] = None,
    ssl: Optional[ssl_module.SSLContext] = None,
    log_frames: bool = False,
    id_factory: Optional[Callable[[], str]] = None,
    codec_factory: Optional[Callable[[str], Any]] = None,
    auto_heartbeat: bool = True,
    generic: "Optional[GenericConfig]" = None,
) -> Connection:
    """Open the WebSocket to `config.url` and return the open Connection.

    `ssl`: for wss:// (default: the system's trust store); load a client certificate
    into it for security profile 3. With `auto_heartbeat`, an accepted BootNotification
    starts Heartbeats at the interval the CSMS gave. `generic`: the options of the
    connection's generic mapper (`ocpp_core.generic_session.GenericConfig`, e.g. one
    1.6 `TransactionIds` for every connection of this station). Raises HandshakeError (refused,
    e.g. 401), OSError (TCP / TLS) or TimeoutError (open_timeout).
    """
    if config.secure and ssl is None:
        ssl = ssl_module.create_default_context()
    if not config.secure and ssl is not None:
        raise ValueError("an SSL context needs a wss:// url")
    loop = asyncio.get_running_loop()

    def new_connection() -> Connection:
        core = StationConnection(config, id_factory, codec_factory, now=clock(), generic=generic)
        return Connection(core, router, log_frames, auto_heartbeat)

    _, conn = await asyncio.wait_for(
        loop.create_connection(
            new_connection,
            config.host,
            config.port,
            ssl=ssl,
            server_hostname=config.host if ssl is not None else None,
        ),
        config.open_timeout,
    )
    try:
        await conn.wait_open()
    except BaseException:
        await conn.close()
        raise
    return conn


class Station:
    """A station that stays connected: after any loss (or a failed attempt) it waits
    `backoff.delay(attempt, random)` and connects again; a connection that opened
    resets the attempt count. `on_connected(conn)` (sync or async) runs on every
    connection, e.g. to send the BootNotification."""

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
        self.connects = 0  # connections opened so far
        self.delays: list[float] = []  # back-off waits taken, for inspection
        self._task: Optional[asyncio.Task[None]] = None
        self._stopping = False
        self._changed = asyncio.Event()

    async def start(self) -> "Station":
        self._task = asyncio.get_running_loop().create_task(self._loop())
        return self

    async def _loop(self) -> None:
        attempt = 0
        while not self._stopping:
            try:
                conn = await connect(self.config, self.router, **self._options)
            except (OSError, HandshakeError, asyncio.TimeoutError) as exc:
                log.warning("%s: connect failed: %s", self.config.identity, exc)
            else:
                attempt = 0
                self.connects += 1
                self.connection = conn
                self._changed.set()
                # on_connected runs beside the connection and ends with it.
                hook = asyncio.ensure_future(self._run_hook(conn))
                try:
                    await conn.wait_closed()
                finally:
                    hook.cancel()
                if self._stopping:
                    return
            delay = self.backoff.delay(attempt, self._random())
            attempt += 1
            self.delays.append(delay)
            await asyncio.sleep(delay)

    async def _run_hook(self, conn: Connection) -> None:
        if self.on_connected is None:
            return
        try:
            result = self.on_connected(conn)
            if inspect.isawaitable(result):
                await result
        except asyncio.CancelledError:
            raise
        except ConnectionError as exc:  # the connection ended under it
            log.info("%s: on_connected stopped: %s", self.config.identity, exc)
        except Exception:
            log.exception("%s: on_connected failed", self.config.identity)

    async def wait_connected(self, timeout: Optional[float] = None) -> Connection:
        """The open connection, waiting for one if need be."""

        async def wait() -> Connection:
            while self.connection is None or self.connection.closed:
                self._changed.clear()
                await self._changed.wait()
            return self.connection

        return await asyncio.wait_for(wait(), timeout)

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Stop reconnecting and close the connection (close handshake)."""
        self._stopping = True
        conn = self.connection
        if conn is not None and not conn.closed:
            await conn.close(code, reason)
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass

    async def __aenter__(self) -> "Station":
        if self._task is None:
            await self.start()
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.close()
