"""Per-connection mapping state and the knobs of the 1.6 mapping.

Only the 1.6 mapping needs state: 1.6 names a transaction by an integer the CSMS hands
out in the StartTransaction response, the generic model (like 2.x) by a string the
station chose when the transaction began. The state is bounded by construction: it
holds open transactions only, releases one as soon as it ends, and refuses (rather than
evicts) beyond a fixed limit.
"""

from collections.abc import Callable
from typing import Optional

from ocpp_core.generic.errors import TooManyTransactions

DEFAULT_TRANSACTION_LIMIT = 64  # open transactions per connection; a station has a few


class OpenTransaction:
    """One open 1.6 transaction on the station side."""

    __slots__ = ("connector_id", "generic_id", "v16_id")

    def __init__(self, generic_id: str, connector_id: int) -> None:
        self.generic_id = generic_id
        self.connector_id = connector_id
        self.v16_id: Optional[int] = None  # known once StartTransaction is answered


class TransactionIds:
    """Station side: generic transaction id <-> 1.6 integer id, open transactions only.

    Lifecycle: `open` when a generic Started event is mapped to StartTransaction,
    `bind` when the StartTransaction response brings the integer, `release` when the
    StopTransaction response arrives (the transaction is over on both sides). Pass one
    object to several mappers to keep ids across reconnects of the same station.
    """

    def __init__(self, limit: int = DEFAULT_TRANSACTION_LIMIT) -> None:
        self.limit = limit
        self._by_generic: dict[str, OpenTransaction] = {}
        self._by_v16: dict[int, OpenTransaction] = {}

    def __len__(self) -> int:
        return len(self._by_generic)

    def open(self, generic_id: str, connector_id: int) -> OpenTransaction:
        entry = self._by_generic.get(generic_id)
        if entry is not None:
            # A Started event mapped again (a retry after a lost response): same entry.
            entry.connector_id = connector_id
            return entry
        if len(self._by_generic) >= self.limit:
            raise TooManyTransactions(self.limit)
        entry = OpenTransaction(generic_id, connector_id)
        self._by_generic[generic_id] = entry
        return entry

    def bind(self, generic_id: str, v16_id: int) -> None:
        entry = self._by_generic.get(generic_id)
        if entry is None:
            return  # released meanwhile (or never opened here): nothing to remember
        if entry.v16_id is not None and self._by_v16.get(entry.v16_id) is entry:
            del self._by_v16[entry.v16_id]
        entry.v16_id = v16_id
        self._by_v16[v16_id] = entry

    def get(self, generic_id: str) -> Optional[OpenTransaction]:
        return self._by_generic.get(generic_id)

    def generic_of(self, v16_id: int) -> Optional[str]:
        entry = self._by_v16.get(v16_id)
        return None if entry is None else entry.generic_id

    def release(self, generic_id: str) -> None:
        entry = self._by_generic.pop(generic_id, None)
        # Only its own binding goes: a CSMS that reused an integer for a newer
        # transaction must not lose that one.
        if entry is not None and entry.v16_id is not None:
            if self._by_v16.get(entry.v16_id) is entry:
                del self._by_v16[entry.v16_id]

    def sizes(self) -> "tuple[int, int]":
        """(entries by generic id, entries by 1.6 id): what the boundedness test checks."""
        return len(self._by_generic), len(self._by_v16)


class Counter:
    """The default 1.6 transaction id allocator of the CSMS side: 1, 2, 3, ...

    1.6 transaction ids should be unique across the CSMS, so a real CSMS injects its
    own allocator (`transaction_id_factory`); this one is per connection.
    """

    def __init__(self, start: int = 1) -> None:
        self._next = start

    def __call__(self) -> int:
        value = self._next
        self._next += 1
        return value


class ConnectorLayout:
    """1.6 connector id <-> (EVSE id, connector id).

    Default (the usual 1.6 station): connector n >= 1 is EVSE n with its connector 1,
    connector 0 (the station itself) is (0, 0). Subclass for stations with several
    connectors on one EVSE.
    """

    def to_evse(self, connector_id: int) -> "tuple[int, int]":
        if connector_id == 0:
            return 0, 0
        return connector_id, 1

    def to_connector(self, evse_id: int, connector_id: "Optional[int]") -> "Optional[int]":
        """The 1.6 connector id, or None when (evse, connector) has none."""
        if evse_id == 0:
            return 0 if connector_id in (None, 0) else None
        if connector_id in (None, 1):
            return evse_id
        return None


V16_CONFIGURATION_COMPONENT = "V16Configuration"


class ConfigurationKeys:
    """1.6 configuration key <-> (component name, variable name).

    `table` holds explicit pairs (e.g. the OCA migration names of the standard keys);
    every other key K is (V16_CONFIGURATION_COMPONENT, K), so any key a station reports
    reaches the generic side and comes back unchanged.
    """

    def __init__(self, table: "Optional[dict[str, tuple[str, str]]]" = None) -> None:
        self._to_pair: dict[str, tuple[str, str]] = dict(table or {})
        self._to_key: dict[tuple[str, str], str] = {}
        for key, pair in self._to_pair.items():
            self._to_key[pair] = key

    def to_pair(self, key: str) -> "tuple[str, str]":
        pair = self._to_pair.get(key)
        return (V16_CONFIGURATION_COMPONENT, key) if pair is None else pair

    def to_key(self, component: str, variable: str) -> "Optional[str]":
        key = self._to_key.get((component, variable))
        if key is not None:
            return key
        if component == V16_CONFIGURATION_COMPONENT and variable not in self._to_pair:
            return variable
        return None


TransactionIdFactory = Callable[[], int]
