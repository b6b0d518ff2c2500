"""ocpp_asyncio: the asyncio binding of ocpp-toolkit.

Sockets, TLS, tasks and timers over the sans-IO `ocpp_core.connection` objects; the
protocol (handshake, framing, RPC, error answers) is all in ocpp_core.

    server = await serve(CsmsConfig(path_prefix="/ocpp/"), port=9000, router=router,
                         on_connect=check_password)
    conn = await connect(StationConfig(url="ws://host:9000/ocpp", identity="CP1"))
    response = await conn.call(BootNotificationRequest(...))
"""

import asyncio
from collections.abc import Coroutine
from typing import Any

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


def run(main: "Coroutine[Any, Any, Any]") -> Any:
    """asyncio.run(main), on uvloop when it is installed."""
    try:
        import uvloop  # type: ignore[import-not-found]
    except ImportError:
        return asyncio.run(main)
    return uvloop.run(main)


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
    "run",
    "serve",
]
