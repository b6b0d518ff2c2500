"""The station side: `connect()` opens one connection; `Station` keeps one open from a
thread of its own, reconnecting with `ocpp_core.handlers.Backoff`."""

import logging
import random
import socket
import ssl as ssl_module
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Optional

from ocpp_core.connection import StationConnection
from ocpp_core.handlers import Backoff, HandshakeError, Router
from ocpp_core.ws import StationConfig

if TYPE_CHECKING:
    from ocpp_core.generic_session import GenericConfig

from .connection import Connection, clock

log = logging.getLogger("ocpp_threads")


def connect(
    config: StationConfig,
    router: Optional[Router] = None,
    ssl: Optional[ssl_module.SSLContext] = None,
    log_frames: bool = False,
    id_factory: Optional[Callable[[], str]] = None,
    codec_factory: Optional[Callable[[str], Any]] = None,
    auto_heartbeat: bool = True,
    generic: "Optional[GenericConfig]" = None,
) -> Connection:
    """Open the WebSocket to `config.url` and return the open Connection (see
    ocpp_asyncio.connect: same options, same errors)."""
    if config.secure and ssl is None:
        ssl = ssl_module.create_default_context()
    if not config.secure and ssl is not None:
        raise ValueError("an SSL context needs a wss:// url")
    sock = socket.create_connection((config.host, config.port), timeout=config.open_timeout)
    try:
        if ssl is not None:
            sock = ssl.wrap_socket(sock, server_hostname=config.host)
    except BaseException:
        sock.close()
        raise
    core = StationConnection(config, id_factory, codec_factory, now=clock(), generic=generic)
    conn = Connection(core, sock, router, log_frames, auto_heartbeat)
    conn.start()
    try:
        conn.wait_open(None if config.open_timeout is None else config.open_timeout + 1.0)
    except BaseException:
        conn.close(timeout=config.close_timeout + 1.0)
        raise
    return conn


class Station:
    """A station that stays connected (see ocpp_asyncio.Station): after a loss or a
    failed attempt it waits `backoff.delay(attempt, random)` and connects again.
    `on_connected(conn)` runs on its own thread for every connection."""

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
        self._changed = threading.Condition()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> "Station":
        self._go(self._loop, "ocpp-station")
        return self

    def _go(self, target: Callable[..., None], name: str, *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        self._threads = [t for t in self._threads if t.is_alive()]
        self._threads.append(thread)
        thread.start()

    def _loop(self) -> None:
        attempt = 0
        while not self._stop.is_set():
            try:
                conn = connect(self.config, self.router, **self._options)
            except (OSError, HandshakeError, TimeoutError) as exc:
                log.warning("%s: connect failed: %s", self.config.identity, exc)
            else:
                attempt = 0
                with self._changed:
                    self.connects += 1
                    self.connection = conn
                    self._changed.notify_all()
                if self._stop.is_set():  # close() came while connecting
                    conn.close()
                    return
                self._go(self._run_hook, "ocpp-on-connected", conn)
                conn.wait_closed()
                if self._stop.is_set():
                    return
            delay = self.backoff.delay(attempt, self._random())
            attempt += 1
            self.delays.append(delay)
            self._stop.wait(delay)

    def _run_hook(self, conn: Connection) -> None:
        if self.on_connected is None:
            return
        try:
            self.on_connected(conn)
        except ConnectionError as exc:
            log.info("%s: on_connected stopped: %s", self.config.identity, exc)
        except Exception:
            log.exception("%s: on_connected failed", self.config.identity)

    def wait_connected(self, timeout: Optional[float] = None) -> Connection:
        """The open connection, waiting for one if need be (TimeoutError)."""
        with self._changed:
            if not self._changed.wait_for(
                lambda: self.connection is not None and not self.connection.closed, timeout
            ):
                raise TimeoutError("no connection in time")
            assert self.connection is not None
            return self.connection

    def close(self, code: int = 1000, reason: str = "", timeout: float = 10.0) -> None:
        """Stop reconnecting, close the connection, end every thread of the station."""
        self._stop.set()
        conn = self.connection
        if conn is not None and not conn.closed:
            conn.close(code, reason, timeout)
        deadline = clock() + timeout
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join(max(0.0, deadline - clock()))

    def __enter__(self) -> "Station":
        if not self._threads:
            self.start()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()
