"""A station identity that connects while it still has an open connection: what the CSMS
does, decided once here for every binding (the knob is `CsmsConfig.duplicate_identity`).

The usual cause is a station that lost its link (a NAT or mobile-network timeout) and
reconnects before the CSMS noticed: the old connection is dead but still "open" until
keepalive gives up. Two policies:

- replace (default): accept the new connection and close the old one with 1000 and
  REPLACED_REASON; the old one's open CALLs end with it, as on any close.
- reject: refuse the new handshake with 409 Conflict and keep the old one. The station
  keeps retrying (back-off) and gets in once the old connection has ended.

The check runs after `on_connect` said Accept: a rejection of its own (401, 404, 500)
wins, so a peer that is not authenticated never learns that the identity is connected
and can never push a station off. The binding applies the outcome in the same step as it
registers the new connection (nothing may run in between), closes the old one only
once the new one is open, and unregisters a connection only while it is the registered
one (the old one's close must not remove the new one).

    outcome = settle_duplicate(config.duplicate_identity, answer, current_core)
    settle_request(new_core, outcome.answer)      # ocpp_core.handlers
    if new_core.state == "open":
        connections[identity] = new
        if outcome.close_current: current.close(*outcome.close_current)

Pure, no I/O; CPython only (it builds ocpp_core.handlers.Reject).
"""

from typing import Any, Optional

from ocpp_core.handlers import Accept, Reject
from ocpp_core.ws.config import DUPLICATE_REJECT, DUPLICATE_REPLACE
from ocpp_core.ws.endpoint import OPEN

# 409 Conflict (RFC 9110 §15.5.10): the request conflicts with the state of the target
# resource, here the identity's endpoint, which has a connection. Not 403 (the station
# is allowed in, just not twice) nor 503 (nothing is wrong with the server). Stations
# treat any non-101 answer as a failed attempt and retry with back-off, which is what
# we want: the retry that comes after the old connection ended gets in.
DUPLICATE_STATUS = 409
DUPLICATE_BODY = b"this station identity already has an open connection\n"
# 1000 (normal closure), not 1008 (policy violation): reconnecting is not the station's
# fault, and a station may treat an error code as a reason to back off for long.
REPLACED_CODE = 1000
REPLACED_REASON = "replaced by a new connection of the same identity"


class DuplicateOutcome:
    """What to do with a connection request, given the identity's current connection.

    `answer`: what to apply to the request (`settle_request`): on_connect's own, or
    Reject(409). `close_current`: (code, reason) to close the current connection with
    once the new one is open; None leaves it alone. `note`: what to log (info), if
    anything."""

    __slots__ = ("answer", "close_current", "note")

    def __init__(
        self,
        answer: Any,
        close_current: "Optional[tuple[int, str]]" = None,
        note: Optional[str] = None,
    ) -> None:
        self.answer = answer
        self.close_current = close_current
        self.note = note

    def __repr__(self) -> str:
        return f"DuplicateOutcome({self.answer!r}, {self.close_current!r}, {self.note!r})"


def settle_duplicate(policy: str, answer: Any, current: Any) -> DuplicateOutcome:
    """The outcome for a request whose identity has `current` registered (the sans-IO
    CsmsConnection of that connection, or None) under `policy` (DUPLICATE_REPLACE /
    DUPLICATE_REJECT). `answer` is on_connect's (Accept, Reject, or what it raised)."""
    if policy not in (DUPLICATE_REPLACE, DUPLICATE_REJECT):
        raise ValueError(f"unknown duplicate_identity policy {policy!r}")
    # A connection already closing goes away on its own: no conflict, nothing to close.
    if current is None or current.state != OPEN:
        return DuplicateOutcome(answer)
    if not isinstance(answer, Accept):
        return DuplicateOutcome(answer)  # on_connect refused (or failed): its word stands
    if policy == DUPLICATE_REJECT:
        headers = [("Content-Type", "text/plain; charset=utf-8")]
        refusal = Reject(DUPLICATE_STATUS, headers, DUPLICATE_BODY)
        return DuplicateOutcome(refusal, None, "refused: the identity has an open connection")
    note = "replaces the open connection of the same identity"
    return DuplicateOutcome(answer, (REPLACED_CODE, REPLACED_REASON), note)


__all__ = [
    "DUPLICATE_BODY",
    "DUPLICATE_STATUS",
    "REPLACED_CODE",
    "REPLACED_REASON",
    "DuplicateOutcome",
    "settle_duplicate",
]
