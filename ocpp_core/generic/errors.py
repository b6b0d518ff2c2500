"""Errors of the generic layer.

All are raised before anything is sent or handed to the application, and every one
names the operation (or action), the version and, for a value, the field: a test
engineer reading the message knows what to change without opening this package.
"""

from ocpp_core.errors import LocalProtocolError, OcppError


class OperationNotAvailable(LocalProtocolError):
    """The generic operation has no counterpart in the connection's OCPP version.

    Raised by `request_to_native` / `response_to_native`, so nothing reaches the wire.
    """

    def __init__(self, operation: str, version: str) -> None:
        LocalProtocolError.__init__(
            self,
            f"operation {operation} is not available in OCPP {version} (see docs/generic.md, "
            "operation x version table)",
        )
        self.operation = operation
        self.version = version


class NotRepresentable(LocalProtocolError):
    """A value of a generic message cannot be expressed in the target version.

    Examples: a 2.x-only enum value sent to a 1.6 station, a field 2.x requires that
    a generic message built from 1.6 leaves empty, a 1.6 transaction whose integer id
    is not known yet. Nothing is dropped silently: the mapping refuses instead.
    """

    def __init__(self, operation: str, version: str, field: str, reason: str) -> None:
        LocalProtocolError.__init__(self, f"{operation} in OCPP {version}: {field}: {reason}")
        self.operation = operation
        self.version = version
        self.field = field
        self.reason = reason


class NoGenericMapping(OcppError):
    """A native message has no generic counterpart (yet).

    Raised by `request_from_native` / `response_from_native` for actions outside the
    generic model (one-version operations, or ones not covered so far). The native
    message stays usable through the typed API; the caller decides how to answer.
    """

    def __init__(self, action: str, version: str) -> None:
        OcppError.__init__(self, f"OCPP {version} action {action} has no generic mapping")
        self.action = action
        self.version = version


class TooManyTransactions(LocalProtocolError):
    """The per-connection transaction id map is full (see `TransactionIds`).

    The map holds only open transactions; reaching the cap means transactions are
    started and never ended, which is a bug worth hearing about rather than evicting
    state silently.
    """

    def __init__(self, limit: int) -> None:
        LocalProtocolError.__init__(
            self,
            f"more than {limit} open transactions on one connection (a transaction "
            "whose StartTransaction failed for good: conn.generic.abandon_transaction)",
        )
        self.limit = limit
