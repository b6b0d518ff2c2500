"""The CSMS side: `serve()` listens on an accept thread; each station gets a connection
with its own I/O thread; `on_connect` runs on a worker thread."""

import logging
import select
import socket
import ssl as ssl_module
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Optional

from ocpp_core.connection import CsmsConnection
from ocpp_core.handlers import Accept, Router, settle_request
from ocpp_core.registry import settle_duplicate
from ocpp_core.ws import CsmsConfig

if TYPE_CHECKING:
    from ocpp_core.generic_session import GenericConfig

from .connection import Connection, clock

log = logging.getLogger("ocpp_threads")


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
        self._all: set[Connection] = set()
        self._changed = threading.Condition()
        self._listener: Optional[socket.socket] = None
        self._thread: Optional[threading.Thread] = None
        self._stop_r, self._stop_w = socket.socketpair()

    def start(self, host: str = "127.0.0.1", port: int = 0) -> "CsmsServer":
        """Listen on host:port (0 picks a free port: see `.port`)."""
        self._listener = socket.create_server((host, port))
        self._thread = threading.Thread(target=self._accept_loop, name="ocpp-accept", daemon=True)
        self._thread.start()
        return self

    @property
    def port(self) -> int:
        assert self._listener is not None, "start() first"
        port: int = self._listener.getsockname()[1]
        return port

    def _accept_loop(self) -> None:
        assert self._listener is not None
        while True:
            readable, _, _ = select.select([self._listener, self._stop_r], [], [])
            if self._stop_r in readable:
                return
            try:
                sock, _ = self._listener.accept()
            except OSError:
                continue
            if self.ssl is not None:  # the TLS handshake runs on the connection's thread
                sock = self.ssl.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
            core = CsmsConnection(
                self.config, self.id_factory, self.codec_factory, now=clock(), generic=self.generic
            )
            conn = Connection(core, sock, self.router, self.log_frames)
            conn._on_request = self._decide
            conn._on_finish = self._forget
            with self._changed:
                # Keep each connection until its threads are over (close() joins them).
                self._all = {c for c in self._all if c.busy()}
                self._all.add(conn)
            conn.start()

    def _decide(self, conn: Connection) -> None:
        answer: Any = Accept()
        try:
            if self.on_connect is not None:
                answer = self.on_connect(conn)
        except Exception as exc:
            log.exception("on_connect failed for %r", conn.identity)
            answer = exc
        identity = conn.identity
        # The I/O thread sends the 101 once we let go of conn._lock: be ready first. The
        # registry lock is held from the duplicate check to the registration, so two
        # requests of one identity are settled one after the other.
        with conn._lock, self._changed:
            current = self.connections.get(identity or "")
            outcome = settle_duplicate(
                self.config.duplicate_identity, answer, None if current is None else current.core
            )
            router, problem = settle_request(conn.core, outcome.answer)
            if router is not None:
                conn.router = router
            is_open = False
            if conn.core.state == "open" and identity is not None:
                is_open = True
                self.connections[identity] = conn
                self._changed.notify_all()
        if outcome.note is not None:
            log.info("%r: %s", identity, outcome.note)
        if problem is not None:
            log.warning("%r: %s", identity, problem)
        conn._kick()
        if not is_open:
            return
        if current is not None and outcome.close_current is not None:
            # Outside the locks (it takes the old connection's); it does not wait for the
            # close handshake. _forget leaves the registry alone: the new one is in it.
            current.begin_close(*outcome.close_current)
        conn.mark_open()
        if self.on_connected is not None:
            try:
                self.on_connected(conn)
            except Exception:
                log.exception("on_connected failed for %r", identity)

    def _forget(self, conn: Connection) -> None:
        with self._changed:
            if conn.identity is not None and self.connections.get(conn.identity) is conn:
                del self.connections[conn.identity]
            self._changed.notify_all()

    def wait_for_station(self, identity: str, timeout: Optional[float] = None) -> Connection:
        """The open connection of `identity`, waiting for it if need be (TimeoutError)."""

        def arrived() -> bool:
            conn = self.connections.get(identity)
            return conn is not None and not conn.closed

        with self._changed:
            if not self._changed.wait_for(arrived, timeout):
                raise TimeoutError(f"{identity} did not connect in time")
            return self.connections[identity]

    def close(
        self, code: int = 1001, reason: str = "server shutdown", timeout: float = 10.0
    ) -> None:
        """Stop listening, close every connection (1001 "going away"), join every thread
        (those of connections already closed, too)."""
        if self._thread is not None:
            self._stop_w.send(b"x")
            self._thread.join(timeout)
            self._thread = None
        if self._listener is not None:
            self._listener.close()
        with self._changed:
            conns = list(self._all)
        for conn in conns:
            conn.begin_close(code, reason)
        deadline = clock() + timeout
        for conn in conns:
            conn.wait_closed(max(0.0, deadline - clock()))
        with self._changed:
            self._changed.wait_for(lambda: not self.connections, max(0.0, deadline - clock()))
        self._stop_r.close()
        self._stop_w.close()

    def __enter__(self) -> "CsmsServer":
        if self._listener is None:
            self.start()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()


def serve(
    config: Optional[CsmsConfig] = None, host: str = "127.0.0.1", port: int = 0, **options: Any
) -> CsmsServer:
    """Start a CsmsServer (options as ocpp_asyncio.serve). `with serve(...) as server:`."""
    return CsmsServer(config, **options).start(host, port)
