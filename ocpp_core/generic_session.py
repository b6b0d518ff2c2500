"""The generic side of one connection: `GenericSession` and `GenericConfig` (the
`GenericCallResultReceived` event they produce lives with the others in
`ocpp_core.events`).

An `OcppConnection` takes generic messages (`ocpp_core.generic`) wherever it takes
typed ones; this module does the mapping for it, with one mapper per connection made
for the negotiated version:

    conn.call(G.HeartbeatRequest(), now)   # mapped here; errors before anything is sent
    ... GenericCallResultReceived(..., message=<typed>, generic=<generic response>)
    request = conn.generic_request(event)  # a CallReceived as a generic request
    conn.reply(event.message_id, G.HeartbeatResponse(...))   # mapped with that request

Responses need their request (a 1.6 StartTransaction response carries the id, a 1.6
MeterValues answers either a MeterValues or a TransactionEvent), so the session keeps
the generic request of each of our generic CALLs until its CALL ends, and of each
peer CALL the application mapped until it is answered. Both are bounded by the RPC
session's own limits (one CALL in flight plus `max_queued_calls`; unanswered incoming
CALLs), and go with the connection.

CPython only (it imports ocpp_core.generic); `ocpp_core.connection` imports it on
first use, so typed-only applications never load the generic model.
"""

from typing import Any, Optional

import ocpp_core.generic as G
from ocpp_core import events as ev
from ocpp_core.errors import LocalProtocolError, OcppError, RemoteProtocolError, Violation
from ocpp_core.frames import CALLRESULT
from ocpp_core.generic.model import GenericStruct
from ocpp_core.versions import INTERNAL_ERROR, V16

# The CALL-ending events: a generic CALL's request is forgotten on any of them.
_CALL_ENDS = (
    ev.CallResultReceived,
    ev.CallErrorReceived,
    ev.CallTimedOut,
    ev.CallCancelled,
    ev.CallResultInvalid,
)


class GenericConfig:
    """What a connection's generic mapper is made with, once the version is known.

    The options are those of the 1.6 mapper (`ocpp_core.generic.Mapper16`); 2.x mappers
    take none, so they are passed on for 1.6 only. Give one `transaction_ids`
    (`G.TransactionIds`) to every connection of one station, so that a transaction
    begun before a reconnect keeps its 1.6 id after it; give a CSMS one
    `transaction_id_factory` for all its stations (1.6 ids should be unique CSMS-wide).
    Left None, each connection gets fresh ones.
    """

    def __init__(
        self,
        transaction_ids: Optional[G.TransactionIds] = None,
        transaction_id_factory: Any = None,
        layout: Optional[G.ConnectorLayout] = None,
        configuration_keys: Optional[G.ConfigurationKeys] = None,
    ) -> None:
        self.transaction_ids = transaction_ids
        self.transaction_id_factory = transaction_id_factory
        self.layout = layout
        self.configuration_keys = configuration_keys

    def mapper_for(self, version: str) -> G.Mapper:
        if version != V16:
            return G.mapper_for(version)
        options = {
            "transaction_ids": self.transaction_ids,
            "transaction_id_factory": self.transaction_id_factory,
            "layout": self.layout,
            "configuration_keys": self.configuration_keys,
        }
        return G.mapper_for(version, **{k: v for k, v in options.items() if v is not None})


class GenericSession:
    """The mapper of one connection and the generic requests its answers need."""

    def __init__(self, version: str, config: Optional[GenericConfig] = None) -> None:
        self.version = version
        self.mapper = (config if config is not None else GenericConfig()).mapper_for(version)
        self._calls: dict[str, GenericStruct] = {}  # our CALL's id -> its generic request
        self._received: dict[str, GenericStruct] = {}  # peer CALL's id -> generic request
        self._operations: Optional[dict[str, tuple[str, ...]]] = None

    # -- our CALLs --------------------------------------------------------------------
    def call(self, rpc: Any, request: GenericStruct, now: float, *args: Any, **kw: Any) -> str:
        """Map `request` and hand it to `rpc.call`; returns its message id. Whatever
        fails (not available, not representable, a full queue, ...) fails before
        anything is sent and leaves the mapper state as it was."""
        _check_typed(rpc)
        opens = self._opens_transaction(request)
        native = self.mapper.request_to_native(request)
        try:
            message_id: str = rpc.call(native, now, *args, **kw)
        except BaseException:
            if opens is not None:  # the RPC session refused it: close the 1.6 entry again
                ids, transaction_id = opens
                ids.release(transaction_id)
            raise
        self._calls[message_id] = request
        return message_id

    def _opens_transaction(self, request: GenericStruct) -> "Optional[tuple[Any, str]]":
        """(id map, generic id) when mapping `request` opens a 1.6 id map entry."""
        ids = getattr(self.mapper, "transaction_ids", None)  # 1.6 mappers only
        if ids is None or not isinstance(request, G.TransactionEventRequest):
            return None
        if request.event_type != "Started" or ids.get(request.transaction_id) is not None:
            return None
        return ids, request.transaction_id

    @property
    def calls_open(self) -> int:
        return len(self._calls)

    def abandon_transaction(self, transaction_id: str) -> None:
        """Forget a 1.6 transaction the station gives up on (its StartTransaction never
        got an answer and will not be sent again); no-op for 2.x. A Started whose CALL
        fails keeps its entry on purpose: a retry of that Started reuses it, and the
        transaction's later events are refused ("no 1.6 id yet") instead of being sent
        under a guessed id. Without a retry or this call the entry stays, and the id
        map's limit (TooManyTransactions) is eventually reached."""
        ids = getattr(self.mapper, "transaction_ids", None)  # 1.6 mappers only
        if ids is not None:
            ids.release(transaction_id)

    def map_events(self, events: "list[Any]") -> "list[Any]":
        """The RPC events with our generic CALLs' results as GenericCallResultReceived."""
        out = []
        for event in events:
            if isinstance(event, _CALL_ENDS):
                request = self._calls.pop(event.message_id, None)
                if request is not None and isinstance(event, ev.CallResultReceived):
                    event = self._result(request, event)
            out.append(event)
        return out

    def _result(self, request: GenericStruct, event: ev.CallResultReceived) -> Any:
        try:
            generic = self.mapper.response_from_native(request, event.message)
        except (OcppError, TypeError, ValueError, KeyError) as exc:
            # A valid answer the generic model cannot take (a gap in a mapper): the
            # caller hears it as an invalid answer instead of a crashed connection.
            violation = Violation("generic-mapping", INTERNAL_ERROR, "", str(exc))
            error = RemoteProtocolError(violation, event.message_id, CALLRESULT, event.action)
            return ev.CallResultInvalid(event.message_id, event.action, error, None)
        return ev.GenericCallResultReceived(
            event.message_id, event.action, event.message, event.warnings, generic
        )

    # -- the peer's CALLs ---------------------------------------------------------------
    def operations_of(self, action: str) -> "tuple[str, ...]":
        """The generic operations a received native `action` can map to (1.6 MeterValues:
        MeterValues or TransactionEvent); () when outside the generic model."""
        if self._operations is None:
            table: dict[str, tuple[str, ...]] = {}
            for operation, actions in self.mapper.ACTIONS.items():
                for native in actions:
                    table[native] = (*table.get(native, ()), operation)
            self._operations = table
        return self._operations.get(action, ())

    def request_of(self, event: Any) -> GenericStruct:
        """The generic request of the peer's CALL (kept for its answer). Raises
        NoGenericMapping for an action outside the generic model."""
        if not isinstance(event, ev.CallReceived):
            raise TypeError(f"a CallReceived maps to a generic request, not {event!r}")
        if isinstance(event.message, dict):
            raise LocalProtocolError("the generic API needs the typed Codec, not PyCodec")
        known = self._received.get(event.message_id)
        if known is not None and getattr(known, "native", None) is event.message:
            return known  # mapped before: the same object (a 1.6 CSMS id is allocated once)
        request = self.mapper.request_from_native(event.message)
        self._received[event.message_id] = request
        return request

    def reply(self, message_id: str, response: GenericStruct) -> Any:
        """The typed response answering the peer's CALL `message_id` with `response`."""
        request = self._received.get(message_id)
        if request is None:
            raise LocalProtocolError(
                f"CALL {message_id!r}: a generic reply needs its generic request; "
                "map the CallReceived with generic_request(event) first"
            )
        try:
            return self.mapper.response_to_native(request, response)
        except TypeError as exc:  # a response of another operation
            raise LocalProtocolError(f"CALL {message_id!r}: {exc}") from None

    def answered(self, message_id: str) -> None:
        self._received.pop(message_id, None)


def _check_typed(rpc: Any) -> None:
    # Generic messages map to typed (msgspec) messages; PyCodec sessions take dicts.
    if not hasattr(rpc.codec, "action_of"):
        raise LocalProtocolError("the generic API needs the typed Codec, not PyCodec")


# GenericCallResultReceived: re-exported for code that imported it from here.
GenericCallResultReceived = ev.GenericCallResultReceived

__all__ = [
    "GenericCallResultReceived",
    "GenericConfig",
    "GenericSession",
]
