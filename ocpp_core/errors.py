"""Violations and the two exception families of ocpp_core (MicroPython safe).

- `LocalProtocolError`: the user asked for something the protocol forbids (an invalid
  payload on send, a second CALL in flight); the state is left unchanged.
- `RemoteProtocolError`: the peer sent something the protocol forbids; it carries the
  `Violation` that names the CALLERROR code to answer with.

Nothing here relies on exception chaining (`raise ... from` drops `__cause__` on
MicroPython); everything an error needs travels as attributes.
"""

try:
    from typing import Optional
except ImportError:  # MicroPython
    pass


class Violation:
    """One thing wrong with a frame or payload.

    `kind` is a version-neutral name from `ocpp_core.versions` (e.g. `REQUIRED`),
    `code` the CALLERROR code in the version's spelling, `path` a JSON path
    (`"$.idTagInfo.status"`, `"$.meterValue[0].sampledValue[3].value"`; `""` for the
    frame itself) and `message` a sentence a person understands.
    """

    # Frozen by convention: a plain class, because MicroPython has no dataclasses
    # and does not enforce __slots__. Treat instances as values.
    __slots__ = ("code", "kind", "message", "path")

    def __init__(self, kind: str, code: str, path: str, message: str) -> None:
        self.kind = kind
        self.code = code
        self.path = path
        self.message = message

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Violation):
            return NotImplemented
        return (
            self.kind == other.kind
            and self.code == other.code
            and self.path == other.path
            and self.message == other.message
        )

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash((self.kind, self.code, self.path, self.message))

    def __repr__(self) -> str:
        return (
            f"Violation(kind={self.kind!r}, code={self.code!r}, path={self.path!r}, "
            f"message={self.message!r})"
        )

    def __str__(self) -> str:
        return self.code + ": " + self.message


class OcppError(Exception):
    """Base class of every error ocpp_core raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)  # MicroPython has no Exception.__init__
        self.message = message

    def __str__(self) -> str:
        return self.message


class LocalProtocolError(OcppError):
    """The caller asked for something the protocol forbids; nothing was changed.

    `violation` is set when a payload the caller wanted to send broke the schema.
    """

    def __init__(self, message: str, violation: "Optional[Violation]" = None) -> None:
        OcppError.__init__(self, message)
        self.violation = violation


class RemoteProtocolError(OcppError):
    """The peer sent something the protocol forbids.

    `violation` names the CALLERROR code to answer with; `message_id` is the id of the
    offending message if it could be read (else None), `kind` its message type number
    (2..6) if readable, `action` its action if known.
    """

    def __init__(
        self,
        violation: Violation,
        message_id: "Optional[str]" = None,
        kind: "Optional[int]" = None,
        action: "Optional[str]" = None,
        message: "Optional[str]" = None,
    ) -> None:
        OcppError.__init__(self, violation.message if message is None else message)
        self.violation = violation
        self.message_id = message_id
        self.kind = kind
        self.action = action

    @property
    def code(self) -> str:
        """The CALLERROR code in the version's spelling (shortcut for violation.code)."""
        return self.violation.code

    def __repr__(self) -> str:
        return (
            f"RemoteProtocolError({self.violation!r}, message_id={self.message_id!r}, "
            f"kind={self.kind!r}, action={self.action!r})"
        )
