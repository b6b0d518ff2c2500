"""The offline queue of transaction-related messages: the policy, sans-IO.

A station must not lose what it measured for billing while the CSMS is away: the
transaction-related messages (1.6 StartTransaction, StopTransaction and MeterValues with
a transactionId; 2.x TransactionEvent) are queued, kept across restarts, and delivered
in the order they were produced once the CSMS answers again (1.6 §3.7.1, 2.0.1 E04 /
E13). This module decides *what* to send *when*; a binding owns the socket, the clock
and the storage (`OfflineStore`: SQLite in `ocpp_cli.offline_store`, `MemoryStore`
here for tests).

The rules:

- **What is queued**: generic `TransactionEventRequest`s, the one generic operation the
  transaction-related messages of every version map from. They are stored generic
  (msgspec JSON) and mapped to the version only when they are sent, because a 1.6
  StartTransaction queued offline has no transaction id until the CSMS answers it,
  and the MeterValues / StopTransaction behind it need that id.
- **Order**: first in, first out, one in flight. The head is sent, and nothing else is
  until it is answered or dropped.
- **Retries** (1.6 TransactionMessageAttempts / TransactionMessageRetryInterval, 2.x
  OCPPCommCtrlr MessageAttempts / MessageAttemptInterval for TransactionEvent): a
  CALLERROR, an answer that is not valid, or no answer in time is a failed
  transmission; the next one waits `interval x transmissions so far`; after `attempts`
  failed transmissions the message is dropped and the next one goes. (1.6 names only
  the CSMS reporting a failure; a timeout counts too here, as in 2.x E13.FR.01, so one
  unanswerable message cannot hold the queue forever.)
- **A lost connection is not a failed transmission**: the message in flight goes back
  to the head, unchanged, and waits for the next connection. The failure count is
  stored, the retry time is not: after a restart the head is due at once.
- **1.6 transaction ids**: the generic mapper's `TransactionIds` binds the integer when
  the StartTransaction answer is mapped; the binding is stored (atomically with the
  removal of the answered message) and restored by the next `OfflineQueue` over the
  same store, so a restarted station still maps the queued MeterValues and
  StopTransaction of that transaction. It is forgotten when StopTransaction is
  answered.
- A queued message that cannot be mapped when its turn comes (a 1.6 MeterValues whose
  StartTransaction was dropped: no id) is dropped with the reason.
"""

from collections.abc import Mapping
from typing import Any, Optional, Protocol

import msgspec

import ocpp_core.generic as G
from ocpp_core.errors import LocalProtocolError, RemoteProtocolError
from ocpp_core.versions import V16

# Defaults of the retry knobs. Neither 1.6 nor 2.x gives one; these are the spec's own
# example (1.6 §3.7.1, 2.0.1 E13): 3 transmissions, 60 s apart, then 120 s.
DEFAULT_ATTEMPTS = 3
DEFAULT_INTERVAL = 60.0

# Keys of the store's key/value state.
VERSION_KEY = "ocpp"
BINDING_PREFIX = "tx16/"  # + generic transaction id -> "<connector id> <1.6 id>"
NO_V16_ID = "-"  # in place of the 1.6 id: its StartTransaction was dropped

_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(G.TransactionEventRequest)


class StoredMessage(msgspec.Struct, frozen=True):
    """One queued message as the store keeps it: its place, the generic message (JSON)
    and how many of its transmissions failed."""

    seq: int
    body: bytes
    failures: int = 0


class OfflineStore(Protocol):
    """Where the queue lives. Every method that changes something has made the change
    durable when it returns (the SQLite store: one transaction each)."""

    def append(self, body: bytes) -> int:
        """Add a message at the tail; its sequence number (increasing)."""
        ...

    def peek(self) -> Optional[StoredMessage]:
        """The head (the oldest message), or None."""
        ...

    def messages(self) -> "list[StoredMessage]":
        """Every queued message, oldest first."""
        ...

    def mark_failure(self, seq: int) -> int:
        """Count one failed transmission of `seq`; the count now."""
        ...

    def remove(self, seq: int, state: "Mapping[str, Optional[str]]") -> None:
        """Remove `seq` and apply `state` (key -> value, None deletes) in one change."""
        ...

    def state(self) -> "dict[str, str]":
        """The key/value state."""
        ...

    def set_state(self, state: "Mapping[str, Optional[str]]") -> None:
        """Apply `state` (key -> value, None deletes) in one change."""
        ...


class MemoryStore:
    """An `OfflineStore` in memory: the reference the SQLite store is tested against,
    and the store of the core tests. Reusing the object is a "restart"."""

    def __init__(self) -> None:
        self._messages: dict[int, StoredMessage] = {}
        self._state: dict[str, str] = {}
        self._next = 1

    def append(self, body: bytes) -> int:
        seq = self._next
        self._next += 1
        self._messages[seq] = StoredMessage(seq, bytes(body))
        return seq

    def peek(self) -> Optional[StoredMessage]:
        return self._messages[min(self._messages)] if self._messages else None

    def messages(self) -> "list[StoredMessage]":
        return [self._messages[seq] for seq in sorted(self._messages)]

    def mark_failure(self, seq: int) -> int:
        entry = self._messages[seq]
        self._messages[seq] = StoredMessage(seq, entry.body, entry.failures + 1)
        return entry.failures + 1

    def remove(self, seq: int, state: "Mapping[str, Optional[str]]") -> None:
        self._messages.pop(seq, None)
        self.set_state(state)

    def state(self) -> "dict[str, str]":
        return dict(self._state)

    def set_state(self, state: "Mapping[str, Optional[str]]") -> None:
        for key, value in state.items():
            if value is None:
                self._state.pop(key, None)
            else:
                self._state[key] = value


class RetryPolicy(msgspec.Struct, frozen=True):
    """`attempts`: transmissions of one message in all (1 = never retried);
    `interval`: seconds, multiplied by the transmissions so far before each retry."""

    attempts: int = DEFAULT_ATTEMPTS
    interval: float = DEFAULT_INTERVAL

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("attempts must be at least 1")
        if not self.interval >= 0:
            raise ValueError("interval must be zero or positive")

    def delay_after(self, transmissions: int) -> float:
        """The wait before the retry that follows `transmissions` failed ones."""
        return self.interval * transmissions

    def gives_up_after(self, failures: int) -> bool:
        return failures >= self.attempts


# -- what the queue hands out ------------------------------------------------------------


class Delivery(msgspec.Struct, frozen=True):
    """Send `native` (a typed CALL of the queue's version) now, then report the outcome
    with `answered`, `failed` or `connection_lost`. `transmission` counts from 1."""

    seq: int
    request: Any  # the generic TransactionEventRequest
    native: Any
    action: str
    transmission: int


class Delivered(msgspec.Struct, frozen=True):
    seq: int
    request: Any
    response: Any  # the generic TransactionEventResponse


class Dropped(msgspec.Struct, frozen=True):
    seq: int
    request: Any  # None when the stored message could not even be read
    reason: str
    failures: int


def is_transaction_related(request: Any) -> bool:
    """Does this generic request go through the queue? (TransactionEvent: 1.6
    StartTransaction, MeterValues of a transaction, StopTransaction; 2.x
    TransactionEvent.)"""
    return isinstance(request, G.TransactionEventRequest)


def is_transaction_action(version: str, action: str, payload: "Mapping[str, Any]") -> bool:
    """The same question for a native CALL (action + JSON payload): 1.6 MeterValues is
    transaction-related only with a transactionId."""
    if version == V16:
        if action == "MeterValues":
            return payload.get("transactionId") is not None
        return action in ("StartTransaction", "StopTransaction")
    return action == "TransactionEvent"


def encode_message(request: Any) -> bytes:
    """The stored form: msgspec JSON of the generic message without `native` (the typed
    message it came from is not part of what is sent; it is rebuilt at delivery)."""
    if not is_transaction_related(request):
        raise LocalProtocolError(f"{type(request).__name__} is not a transaction-related message")
    return _encoder.encode(msgspec.structs.replace(request, native=None))


def decode_message(body: bytes) -> Any:
    return _decoder.decode(body)


class OfflineQueue:
    """The queue of one station (one store). Feed it what happens:

    - `enqueue(request)` when the station produces a transaction-related message
      (stored before it returns: a crash after it loses nothing);
    - `connected()` / `connection_lost()` when the connection opens / goes;
    - `next_delivery(now)`: what to send now (None: nothing, or not yet - see
      `next_deadline()`), then `answered(seq, native_response, now)` or
      `failed(seq, now, reason)`.

    `mapper` is the generic mapper to use for everything else on the station's
    connections: for 1.6 it holds the `TransactionIds` the queue restores and keeps.
    """

    def __init__(
        self,
        version: str,
        store: OfflineStore,
        policy: Optional[RetryPolicy] = None,
        transaction_ids: Optional[G.TransactionIds] = None,
    ) -> None:
        self.version = version
        self.store = store
        self.policy = policy if policy is not None else RetryPolicy()
        state = store.state()
        written_for = state.get(VERSION_KEY)
        if written_for is None:
            store.set_state({VERSION_KEY: version})
        elif written_for != version:
            # Queued generic messages would map, but 1.6 ids mean nothing to 2.x.
            raise LocalProtocolError(
                f"this offline queue belongs to an OCPP {written_for} station, not {version}"
            )
        self.transaction_ids: Optional[G.TransactionIds] = None
        if version == V16:
            self.transaction_ids = (
                G.TransactionIds() if transaction_ids is None else transaction_ids
            )
            self.mapper: Any = G.mapper_for(version, transaction_ids=self.transaction_ids)
            self._restore_bindings(state)
        else:
            self.mapper = G.mapper_for(version)
        self._online = False
        self._in_flight: Optional[Delivery] = None
        self._retry_at: Optional[float] = None  # when the head may be sent again
        self.dropped: list[Dropped] = []  # every drop of this queue object, in order

    def _restore_bindings(self, state: "Mapping[str, str]") -> None:
        assert self.transaction_ids is not None
        for key, value in sorted(state.items()):
            if not key.startswith(BINDING_PREFIX):
                continue
            connector, v16_id = value.split()
            generic_id = key[len(BINDING_PREFIX) :]
            self.transaction_ids.open(generic_id, int(connector))
            if v16_id != NO_V16_ID:  # a dropped Started: open, never bound (_forget)
                self.transaction_ids.bind(generic_id, int(v16_id))

    # -- what the station tells the queue ----------------------------------------------------
    def enqueue(self, request: Any) -> int:
        """Queue a transaction-related generic request; its sequence number."""
        return self.store.append(encode_message(request))

    def connected(self) -> None:
        self._online = True

    def connection_lost(self) -> None:
        """The connection is gone: the message in flight was not a failed transmission
        (no answer could come); it waits at the head for the next connection."""
        self._online = False
        self._in_flight = None

    @property
    def online(self) -> bool:
        return self._online

    @property
    def in_flight(self) -> Optional[Delivery]:
        return self._in_flight

    def __len__(self) -> int:
        """Messages not yet answered or dropped (the one in flight included)."""
        return len(self.store.messages())

    def pending(self) -> "list[Any]":
        """The queued generic requests, oldest first (unreadable ones left out)."""
        out = []
        for entry in self.store.messages():
            try:
                out.append(decode_message(entry.body))
            except msgspec.DecodeError:
                pass
        return out

    # -- what the queue tells the station ----------------------------------------------------
    def next_deadline(self) -> Optional[float]:
        """When `next_delivery` may have something that it has not now (a retry wait)."""
        if not self._online or self._in_flight is not None:
            return None
        return self._retry_at

    def next_delivery(self, now: float) -> Optional[Delivery]:
        """The message to send now, marked in flight; None when offline, when one is in
        flight, when the queue is empty or when the head waits for its retry time."""
        while self._online and self._in_flight is None:
            if self._retry_at is not None and now < self._retry_at:
                return None
            head = self.store.peek()
            if head is None:
                self._retry_at = None
                return None
            try:
                request = decode_message(head.body)
            except msgspec.DecodeError as exc:
                self._drop(head, None, f"unreadable queued message: {exc}")
                continue
            try:
                action = self.mapper.action_for(request)
                native = self.mapper.request_to_native(request)
            except LocalProtocolError as exc:
                self._drop(head, request, f"cannot be sent in OCPP {self.version}: {exc}")
                self._forget(request)
                continue
            self._in_flight = Delivery(head.seq, request, native, action, head.failures + 1)
            return self._in_flight
        return None

    def answered(self, seq: int, native_response: Any, now: float) -> Optional[Delivered]:
        """The CSMS answered the message in flight: it leaves the queue. (A rejected id
        token is an answer too: the CSMS processed the message.) None when the answer
        cannot be mapped: no proof the CSMS processed it, so that counts as a failed
        transmission (see `failed`; a drop lands in `dropped`)."""
        delivery = self._take(seq)
        try:
            response = self.mapper.response_from_native(delivery.request, native_response)
        except (LocalProtocolError, RemoteProtocolError, ValueError, TypeError) as exc:
            self._in_flight = delivery
            self.failed(seq, now, f"unreadable answer: {exc}")
            return None
        self.store.remove(seq, self._binding_change(delivery.request))
        self._retry_at = None
        return Delivered(seq, delivery.request, response)

    def failed(self, seq: int, now: float, reason: str) -> Optional[Dropped]:
        """A failed transmission (CALLERROR, invalid answer, no answer in time): retried
        after `interval x failures`, or dropped (returned) after `attempts`."""
        delivery = self._take(seq)
        failures = self.store.mark_failure(seq)
        if self.policy.gives_up_after(failures):
            head = StoredMessage(seq, b"", failures)
            dropped = self._drop(head, delivery.request, f"{failures} failed attempts: {reason}")
            self._forget(delivery.request)
            return dropped
        self._retry_at = now + self.policy.delay_after(failures)
        return None

    # -- helpers ------------------------------------------------------------------------------
    def _take(self, seq: int) -> Delivery:
        delivery = self._in_flight
        if delivery is None or delivery.seq != seq:
            raise LocalProtocolError(f"message {seq} is not in flight")
        self._in_flight = None
        return delivery

    def _drop(self, head: StoredMessage, request: Any, reason: str) -> Dropped:
        dropped = Dropped(head.seq, request, reason, head.failures)
        self.store.remove(head.seq, {})
        self._retry_at = None
        self.dropped.append(dropped)
        return dropped

    def _binding_change(self, request: Any) -> "dict[str, Optional[str]]":
        """The stored 1.6 binding after `request` was answered (the mapper has just
        bound or released it)."""
        if self.transaction_ids is None:
            return {}
        key = BINDING_PREFIX + request.transaction_id
        entry = self.transaction_ids.get(request.transaction_id)
        if entry is None or entry.v16_id is None:
            return {key: None}
        return {key: f"{entry.connector_id} {entry.v16_id}"}

    def _forget(self, request: Any) -> None:
        """A dropped Ended ends the transaction here too: its 1.6 state goes. A dropped
        Started leaves its entry open with no 1.6 id, so that the transaction's queued
        MeterValues / StopTransaction are refused (dropped) rather than sent under
        another transaction's id; that is stored too, or a restarted station would map
        them by the generic id's digits."""
        if self.transaction_ids is None or request is None:
            return
        key = BINDING_PREFIX + request.transaction_id
        if request.event_type == "Ended":
            self.transaction_ids.release(request.transaction_id)
            self.store.set_state({key: None})
        elif request.event_type == "Started":
            entry = self.transaction_ids.get(request.transaction_id)
            if entry is not None and entry.v16_id is None:
                self.store.set_state({key: f"{entry.connector_id} {NO_V16_ID}"})
