"""The WebSocket layer of OCPP-J: HTTP upgrade (h11) and framing (wsproto), sans-IO.

CPython only (h11 and wsproto are); MicroPython bindings bring their own WebSocket.
`WsServer` is the CSMS end, `WsClient` the station end; both take one config object
(`CsmsConfig`, `StationConfig`) and emit the events of `ocpp_core.ws.events`.
"""

from ocpp_core.ws.client import WsClient
from ocpp_core.ws.config import (
    OVERSIZE_CALLERROR,
    OVERSIZE_CLOSE,
    CsmsConfig,
    StationConfig,
    WsConfig,
)
from ocpp_core.ws.endpoint import (
    AWAITING_REQUEST,
    AWAITING_RESPONSE,
    CLOSED,
    CLOSING,
    DECIDING,
    OPEN,
)
from ocpp_core.ws.server import WsServer

__all__ = [
    "AWAITING_REQUEST",
    "AWAITING_RESPONSE",
    "CLOSED",
    "CLOSING",
    "DECIDING",
    "OPEN",
    "OVERSIZE_CALLERROR",
    "OVERSIZE_CLOSE",
    "CsmsConfig",
    "StationConfig",
    "WsClient",
    "WsConfig",
    "WsServer",
]
