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

# The standard 1.6 configuration keys (1.6 section 9, security whitepaper) that have a
# standardized 2.0.1 counterpart, as 2.0.1 component + variable: the names a 1.6 -> 2.0.1
# migration gives them. Sources, per entry:
#   [E] EVerest libocpp, "OCPP 1.6 to DeviceModel Mapping Reference" (its table of
#       1.6 keys -> Component / Variable; two revisions of it agree on every entry here);
#   [P] a second peer, a CSMS's 1.6-key -> 2.0.1 (component, variable) map.
# Left out on purpose: the *MaxLength keys (in 2.0.1 they are the maxLimit
# characteristic of a variable, not its value), TransactionMessageAttempts /
# TransactionMessageRetryInterval (2.0.1 OCPPCommCtrlr MessageAttempts /
# MessageAttemptInterval carry the variable instance "TransactionEvent", which a key
# without an instance cannot name), keys the sources place in implementation-specific
# components or disagree on (SecurityProfile, AuthorizationKey, ConnectorPhaseRotation,
# CertificateStoreMaxLength), and every key without a 2.0.1 counterpart (BlinkRepeat,
# NumberOfConnectors, ...: they stay V16Configuration.<key>).
OCA_CONFIGURATION_KEYS: "dict[str, tuple[str, str]]" = {
    # Core profile
    "AllowOfflineTxForUnknownId": ("AuthCtrlr", "OfflineTxForUnknownIdEnabled"),  # [E]
    "AuthorizationCacheEnabled": ("AuthCacheCtrlr", "Enabled"),  # [E]
    "AuthorizeRemoteTxRequests": ("AuthCtrlr", "AuthorizeRemoteStart"),  # [E] [P]
    "ClockAlignedDataInterval": ("AlignedDataCtrlr", "Interval"),  # [E]
    # [E] [P]; one revision of [E] writes EVConnectionTimeout: 2.0.1 names are
    # case-insensitive, this is the spelling of the 2.0.1 variable list and of [P].
    "ConnectionTimeOut": ("TxCtrlr", "EVConnectionTimeOut"),
    "HeartbeatInterval": ("OCPPCommCtrlr", "HeartbeatInterval"),  # [E] [P]
    "LocalAuthorizeOffline": ("AuthCtrlr", "LocalAuthorizeOffline"),  # [E]
    "LocalPreAuthorize": ("AuthCtrlr", "LocalPreAuthorize"),  # [E]
    "MaxEnergyOnInvalidId": ("TxCtrlr", "MaxEnergyOnInvalidId"),  # [E]
    "MeterValuesAlignedData": ("AlignedDataCtrlr", "Measurands"),  # [E]
    "MeterValuesSampledData": ("SampledDataCtrlr", "TxUpdatedMeasurands"),  # [E]
    "MeterValueSampleInterval": ("SampledDataCtrlr", "TxUpdatedInterval"),  # [E] [P]
    "ResetRetries": ("OCPPCommCtrlr", "ResetRetries"),  # [E] [P]
    "StopTransactionOnInvalidId": ("TxCtrlr", "StopTxOnInvalidId"),  # [E]
    "StopTxnAlignedData": ("AlignedDataCtrlr", "TxEndedMeasurands"),  # [E]
    "StopTxnSampledData": ("SampledDataCtrlr", "TxEndedMeasurands"),  # [E]
    "SupportedFileTransferProtocols": ("OCPPCommCtrlr", "FileTransferProtocols"),  # [E]
    "WebSocketPingInterval": ("OCPPCommCtrlr", "WebSocketPingInterval"),  # [E] [P]
    # Local auth list management profile
    "LocalAuthListEnabled": ("LocalAuthListCtrlr", "Enabled"),  # [E] [P]
    "SendLocalListMaxLength": ("LocalAuthListCtrlr", "ItemsPerMessage"),  # [E]
    # Smart charging profile
    "ChargeProfileMaxStackLevel": ("SmartChargingCtrlr", "ProfileStackLevel"),  # [E]
    "ChargingScheduleAllowedChargingRateUnit": ("SmartChargingCtrlr", "RateUnit"),  # [E]
    "ChargingScheduleMaxPeriods": ("SmartChargingCtrlr", "PeriodsPerSchedule"),  # [E]
    "ConnectorSwitch3to1PhaseSupported": ("SmartChargingCtrlr", "Phases3to1"),  # [E]
    # Security whitepaper
    "AdditionalRootCertificateCheck": ("SecurityCtrlr", "AdditionalRootCertificateCheck"),  # [E]
    "CertificateSignedMaxChainSize": ("SecurityCtrlr", "MaxCertificateChainSize"),  # [E]
    "CertSigningRepeatTimes": ("SecurityCtrlr", "CertSigningRepeatTimes"),  # [E]
    "CertSigningWaitMinimum": ("SecurityCtrlr", "CertSigningWaitMinimum"),  # [E]
    "CpoName": ("SecurityCtrlr", "OrganizationName"),  # [E]
}


class ConfigurationKeys:
    """1.6 configuration key <-> (component name, variable name).

    `table` holds explicit pairs (one pair per key, no pair twice); every other key K
    is (V16_CONFIGURATION_COMPONENT, K), so any key a station reports reaches the
    generic side and comes back unchanged. `ConfigurationKeys.oca()` (the 1.6 mapper's
    default) is the table of the standard keys' 2.0.1 names; `ConfigurationKeys()`
    spells every key V16Configuration.<key>.
    """

    def __init__(self, table: "Optional[dict[str, tuple[str, str]]]" = None) -> None:
        self._to_pair: dict[str, tuple[str, str]] = dict(table or {})
        self._to_key: dict[tuple[str, str], str] = {}
        for key, pair in self._to_pair.items():
            if pair in self._to_key:
                # Two keys on one pair: mapping back could not tell which key was meant.
                raise ValueError(f"{self._to_key[pair]!r} and {key!r} both map to {pair}")
            self._to_key[pair] = key

    @classmethod
    def oca(cls, extra: "Optional[dict[str, tuple[str, str]]]" = None) -> "ConfigurationKeys":
        """The standard 1.6 keys under their 2.0.1 names (OCA_CONFIGURATION_KEYS), plus
        `extra` pairs (a vendor's keys; an `extra` entry for a standard key replaces it)."""
        return cls(OCA_CONFIGURATION_KEYS | (extra or {}))

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
