"""ocpp-toolkit core: a strict, sans-IO implementation of OCPP 1.6, 2.0.1 and 2.1.

Importing the package stays cheap (MicroPython): it re-exports only the version
constants and the error types. Import the layers you need (`ocpp_core.validator`,
`ocpp_core.quirks`, `ocpp_core.frames`, ...) yourself.
"""

from ocpp_core.errors import LocalProtocolError, OcppError, RemoteProtocolError, Violation
from ocpp_core.versions import BOTH, CSMS, STATION, SUBPROTOCOLS, V16, V21, V201, VERSIONS

__version__ = "0.1.0"

__all__ = [
    "BOTH",
    "CSMS",
    "STATION",
    "SUBPROTOCOLS",
    "V16",
    "V21",
    "V201",
    "VERSIONS",
    "LocalProtocolError",
    "OcppError",
    "RemoteProtocolError",
    "Violation",
    "__version__",
]
