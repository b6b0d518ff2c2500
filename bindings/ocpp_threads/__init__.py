"""ocpp_threads: the blocking binding of ocpp-toolkit, for code with no event loop.

Same names as ocpp_asyncio, without `await`: `call()` blocks (with a timeout), handlers
are plain functions run on worker threads, every thread ends on `close()`.

    with serve(CsmsConfig(path_prefix="/ocpp/"), port=9000, router=router) as server:
        conn = connect(StationConfig(url="ws://host:9000/ocpp", identity="CP1"))
        response = conn.call(BootNotificationRequest(...), timeout=10)
"""

from ocpp_core.handlers import (
    Accept,
    Backoff,
    CallError,
    CallTimeout,
    ConnectionClosedError,
    HandshakeError,
    InvalidResponse,
    Reject,
    Router,
)

from .connection import Connection
from .server import CsmsServer, serve
from .station import Station, connect

__all__ = [
    "Accept",
    "Backoff",
    "CallError",
    "CallTimeout",
    "Connection",
    "ConnectionClosedError",
    "CsmsServer",
    "HandshakeError",
    "InvalidResponse",
    "Reject",
    "Router",
    "Station",
    "connect",
    "serve",
]
