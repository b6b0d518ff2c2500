"""ocpp_trio: the trio binding of ocpp-toolkit.

Same names as ocpp_asyncio; what starts tasks is an async context manager, so that its
tasks live in a nursery:

    async with serve(CsmsConfig(path_prefix="/ocpp/"), port=9000, router=router) as server:
        async with connect(StationConfig(url="ws://host:9000/ocpp", identity="CP1")) as conn:
            response = await conn.call(BootNotificationRequest(...))
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
