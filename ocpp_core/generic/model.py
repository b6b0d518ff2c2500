"""The generic, version-independent message model (CPython only).

Shaped after OCPP 2.1 / 2.0.1: an EVSE holds connectors, id tokens carry a type,
a transaction is a series of TransactionEvent messages, configuration is device-model
variables. Names of operations and fields follow 2.1 (snake_case).

Conventions (the full story, with the per-version rules, is docs/generic.md):

- Every message has `native`: the typed message of the connection's version it came
  from (filled by `request_from_native` / `response_from_native`), or None for a
  message the application built. Anything of the wire message the generic fields do
  not carry (customData, 2.1 cost details, ...) stays reachable there.
- Optional fields are None when absent. A field one version has and another lacks is
  optional here; its comment says which versions carry it. Mapping to a version that
  lacks it ignores it; mapping to a version that requires it and finding None raises
  `NotRepresentable`.
- Enumerated values are plain `str`, spelled as on the wire. Where versions spell the
  same concept differently, the generic value uses the 2.x spelling and keeps the 1.6
  detail in a `v16_*` field (status, reset type); elsewhere the value passes through
  and a value the target version lacks raises `NotRepresentable`.
- Timestamps are aware `datetime.datetime`, like the typed messages.
- Lists are plain lists; messages are frozen (treat the lists as read-only too).
"""

import datetime
import typing

from ocpp_core.generic.base import GenericStruct as GenericStruct
from ocpp_core.generic.base import Native as Native
from ocpp_core.generic.model_profiles import ChargingProfile

# --------------------------------------------------------------------------------
# Nested types


class Evse(GenericStruct, frozen=True):
    """An EVSE, optionally one of its connectors (1.6: a connector id, see ConnectorLayout)."""

    id: int
    connector_id: int | None = None


class AdditionalInfo(GenericStruct, frozen=True):
    additional_id_token: str
    type: str


class IdToken(GenericStruct, frozen=True):
    """2.x IdTokenType; 1.6 idTag is `id_token` alone (type None when it came from 1.6)."""

    id_token: str
    type: str | None = None  # required by 2.x; 1.6 has no type
    additional_info: list[AdditionalInfo] | None = None  # 2.x only


class StatusInfo(GenericStruct, frozen=True):
    """2.x StatusInfoType (1.6 responses have none)."""

    reason_code: str
    additional_info: str | None = None


class MessageContent(GenericStruct, frozen=True):
    format: str
    content: str
    language: str | None = None


class IdTokenInfo(GenericStruct, frozen=True):
    """2.x IdTokenInfoType; 1.6 idTagInfo maps expiryDate <-> cache_expiry_date_time and
    parentIdTag <-> group_id_token.id_token."""

    status: str
    cache_expiry_date_time: datetime.datetime | None = None
    group_id_token: IdToken | None = None
    charging_priority: int | None = None  # 2.x only
    language1: str | None = None  # 2.x only
    language2: str | None = None  # 2.x only
    evse_id: list[int] | None = None  # 2.x only
    personal_message: MessageContent | None = None  # 2.x only


class Modem(GenericStruct, frozen=True):
    iccid: str | None = None
    imsi: str | None = None


class ChargingStation(GenericStruct, frozen=True):
    """2.x ChargingStationType; 1.6 chargePointVendor/Model/SerialNumber/firmwareVersion,
    iccid, imsi."""

    vendor_name: str
    model: str
    serial_number: str | None = None
    firmware_version: str | None = None
    modem: Modem | None = None


class SignedMeterValue(GenericStruct, frozen=True):
    """2.x SignedMeterValueType (1.6 signed values are `value_text` + format SignedData)."""

    signed_meter_data: str
    encoding_method: str
    signing_method: str | None = None  # required by 2.0.1
    public_key: str | None = None  # required by 2.0.1


class SampledValue(GenericStruct, frozen=True):
    """One sample. `value` is the number (2.x); 1.6 sends a string, kept in `value_text`
    whenever the number alone would not give the same string back."""

    value: float | None
    context: str | None = None
    measurand: str | None = None
    phase: str | None = None
    location: str | None = None
    unit: str | None = None  # 1.6 unit / 2.x unitOfMeasure.unit
    multiplier: int | None = None  # 2.x unitOfMeasure.multiplier
    signed_meter_value: SignedMeterValue | None = None  # 2.x only
    format: str | None = None  # 1.6 only: "Raw" / "SignedData"
    value_text: str | None = None  # 1.6 only: the wire string when not canonical


class MeterValue(GenericStruct, frozen=True):
    timestamp: datetime.datetime
    sampled_value: list[SampledValue]


class Component(GenericStruct, frozen=True):
    name: str
    instance: str | None = None
    evse: Evse | None = None


class Variable(GenericStruct, frozen=True):
    name: str
    instance: str | None = None


class GetVariableData(GenericStruct, frozen=True):
    component: Component
    variable: Variable
    attribute_type: str | None = None


class GetVariableResult(GenericStruct, frozen=True):
    attribute_status: str
    component: Component
    variable: Variable
    attribute_type: str | None = None
    attribute_value: str | None = None
    attribute_status_info: StatusInfo | None = None  # 2.x only
    readonly: bool | None = None  # 1.6 only, and required there for an Accepted key


class SetVariableData(GenericStruct, frozen=True):
    component: Component
    variable: Variable
    attribute_value: str
    attribute_type: str | None = None


class SetVariableResult(GenericStruct, frozen=True):
    attribute_status: str
    component: Component
    variable: Variable
    attribute_type: str | None = None
    attribute_status_info: StatusInfo | None = None  # 2.x only


# --------------------------------------------------------------------------------
# Messages, station -> CSMS


class BootNotificationRequest(GenericStruct, frozen=True):
    charging_station: ChargingStation
    reason: str | None = None  # required by 2.x; 1.6 has none
    charge_box_serial_number: str | None = None  # 1.6 only
    meter_type: str | None = None  # 1.6 only
    meter_serial_number: str | None = None  # 1.6 only
    native: Native = None


class BootNotificationResponse(GenericStruct, frozen=True):
    status: str
    current_time: datetime.datetime
    interval: int
    status_info: StatusInfo | None = None  # 2.x only
    native: Native = None


class HeartbeatRequest(GenericStruct, frozen=True):
    native: Native = None


class HeartbeatResponse(GenericStruct, frozen=True):
    current_time: datetime.datetime
    native: Native = None


class StatusNotificationRequest(GenericStruct, frozen=True):
    """2.x connector status; 1.6 connectorId via the ConnectorLayout, 1.6 status in
    `v16_status` when it is finer than the 2.x one (Preparing, Charging, ... = Occupied)."""

    evse_id: int
    connector_id: int
    connector_status: str
    timestamp: datetime.datetime | None = None  # required by 2.x
    v16_status: str | None = None  # 1.6 only; None when equal to connector_status
    error_code: str | None = None  # 1.6 only; None means "NoError"
    info: str | None = None  # 1.6 only
    vendor_id: str | None = None  # 1.6 only
    vendor_error_code: str | None = None  # 1.6 only
    native: Native = None


class StatusNotificationResponse(GenericStruct, frozen=True):
    native: Native = None


class AuthorizeRequest(GenericStruct, frozen=True):
    id_token: IdToken
    certificate: str | None = None  # 2.x only
    native: Native = None


class AuthorizeResponse(GenericStruct, frozen=True):
    id_token_info: IdTokenInfo
    certificate_status: str | None = None  # 2.x only
    native: Native = None


class TransactionEventRequest(GenericStruct, frozen=True):
    """2.x TransactionEvent; 1.6 StartTransaction (Started), MeterValues with a
    transactionId (Updated) and StopTransaction (Ended).

    `transaction_id` is a string: the station's own id in 2.x; in 1.6 the station-side
    mapping keeps the generic id <-> integer pair while the transaction is open, and
    the CSMS side uses the decimal string of the integer it allocates.
    `meter_start` / `meter_stop` are the 1.6 register readings (Wh) kept as sent; a
    2.x event carries them as Transaction.Begin / Transaction.End samples instead.
    `meter_start_wh()` / `meter_stop_wh()` read either form.
    """

    event_type: str  # Started / Updated / Ended
    transaction_id: str
    timestamp: datetime.datetime | None = None  # required by 2.x; 1.6 MeterValues has none
    trigger_reason: str | None = None  # required by 2.x; 1.6 has none
    seq_no: int | None = None  # required by 2.x; 1.6 has none
    evse: Evse | None = None
    id_token: IdToken | None = None
    meter_value: list[MeterValue] | None = None
    meter_start: int | None = None  # 1.6 Started only
    meter_stop: int | None = None  # 1.6 Ended only
    charging_state: str | None = None  # 2.x only
    time_spent_charging: int | None = None  # 2.x only
    stopped_reason: str | None = None  # 1.6 StopTransaction.reason / 2.x stoppedReason
    remote_start_id: int | None = None  # 2.x only
    offline: bool | None = None  # 2.x only
    number_of_phases_used: int | None = None  # 2.x only
    cable_max_current: int | None = None  # 2.x only
    reservation_id: int | None = None  # 1.6 Started / 2.x
    native: Native = None

    def meter_start_wh(self) -> int | None:
        """The register reading at start: `meter_start`, or the Transaction.Begin sample."""
        if self.meter_start is not None:
            return self.meter_start
        return register_wh(self.meter_value, "Transaction.Begin")

    def meter_stop_wh(self) -> int | None:
        """The register reading at stop: `meter_stop`, or the Transaction.End sample."""
        if self.meter_stop is not None:
            return self.meter_stop
        return register_wh(self.meter_value, "Transaction.End")


class TransactionEventResponse(GenericStruct, frozen=True):
    id_token_info: IdTokenInfo | None = None  # required by 1.6 StartTransaction
    total_cost: float | None = None  # 2.x only
    charging_priority: int | None = None  # 2.x only
    updated_personal_message: MessageContent | None = None  # 2.x only
    native: Native = None


class MeterValuesRequest(GenericStruct, frozen=True):
    """Meter values outside a transaction (1.6 MeterValues without transactionId)."""

    evse_id: int
    meter_value: list[MeterValue]
    native: Native = None


class MeterValuesResponse(GenericStruct, frozen=True):
    native: Native = None


# --------------------------------------------------------------------------------
# Messages, both directions


class DataTransferRequest(GenericStruct, frozen=True):
    vendor_id: str
    message_id: str | None = None
    data: typing.Any = None  # any JSON in 2.x; a string in 1.6
    native: Native = None


class DataTransferResponse(GenericStruct, frozen=True):
    status: str
    data: typing.Any = None  # any JSON in 2.x; a string in 1.6
    status_info: StatusInfo | None = None  # 2.x only
    native: Native = None


# --------------------------------------------------------------------------------
# Messages, CSMS -> station


class RequestStartTransactionRequest(GenericStruct, frozen=True):
    """2.x RequestStartTransaction; 1.6 RemoteStartTransaction (connectorId = evse_id
    through the ConnectorLayout; the charging profile as in SetChargingProfile)."""

    id_token: IdToken
    evse_id: int | None = None
    remote_start_id: int | None = None  # required by 2.x; 1.6 has none
    group_id_token: IdToken | None = None  # 2.x only
    charging_profile: ChargingProfile | None = None
    native: Native = None


class RequestStartTransactionResponse(GenericStruct, frozen=True):
    status: str
    transaction_id: str | None = None  # 2.x only
    status_info: StatusInfo | None = None  # 2.x only
    native: Native = None


class RequestStopTransactionRequest(GenericStruct, frozen=True):
    transaction_id: str
    native: Native = None


class RequestStopTransactionResponse(GenericStruct, frozen=True):
    status: str
    status_info: StatusInfo | None = None  # 2.x only
    native: Native = None


class ResetRequest(GenericStruct, frozen=True):
    """2.x reset types; 1.6 Soft <-> Immediate, 1.6 Hard <-> Immediate + v16_type "Hard"."""

    type: str
    evse_id: int | None = None  # 2.x only
    v16_type: str | None = None  # 1.6 only: "Hard" or "Soft"; None = from `type`
    native: Native = None


class ResetResponse(GenericStruct, frozen=True):
    status: str
    status_info: StatusInfo | None = None  # 2.x only
    native: Native = None


class ChangeAvailabilityRequest(GenericStruct, frozen=True):
    """evse None = the whole station (1.6 connectorId 0)."""

    operational_status: str
    evse: Evse | None = None
    native: Native = None


class ChangeAvailabilityResponse(GenericStruct, frozen=True):
    status: str
    status_info: StatusInfo | None = None  # 2.x only
    native: Native = None


class UnlockConnectorRequest(GenericStruct, frozen=True):
    evse_id: int
    connector_id: int
    native: Native = None


class UnlockConnectorResponse(GenericStruct, frozen=True):
    status: str
    status_info: StatusInfo | None = None  # 2.x only
    native: Native = None


class GetVariablesRequest(GenericStruct, frozen=True):
    """1.6 GetConfiguration: one key per variable (see ConfigurationKeys); an empty
    list asks a 1.6 station for every key and has no 2.x counterpart."""

    get_variable_data: list[GetVariableData]
    native: Native = None


class GetVariablesResponse(GenericStruct, frozen=True):
    get_variable_result: list[GetVariableResult]
    native: Native = None


class SetVariablesRequest(GenericStruct, frozen=True):
    """1.6 ChangeConfiguration sets exactly one key."""

    set_variable_data: list[SetVariableData]
    native: Native = None


class SetVariablesResponse(GenericStruct, frozen=True):
    set_variable_result: list[SetVariableResult]
    native: Native = None


class TriggerMessageRequest(GenericStruct, frozen=True):
    """1.6: TriggerMessage, or ExtendedTriggerMessage (security whitepaper) for the
    messages only it can trigger (LogStatusNotification, SignChargingStationCertificate,
    1.6 SignChargePointCertificate) or when `v16_extended` is True."""

    requested_message: str
    evse: Evse | None = None
    custom_trigger: str | None = None  # 2.1 only
    v16_extended: bool | None = None  # 1.6 only: send as ExtendedTriggerMessage
    native: Native = None


class TriggerMessageResponse(GenericStruct, frozen=True):
    status: str
    status_info: StatusInfo | None = None  # 2.x only
    native: Native = None


class ClearCacheRequest(GenericStruct, frozen=True):
    native: Native = None


class ClearCacheResponse(GenericStruct, frozen=True):
    status: str
    status_info: StatusInfo | None = None  # 2.x only
    native: Native = None


class GetTransactionStatusRequest(GenericStruct, frozen=True):
    """2.x only (1.6 has no counterpart: OperationNotAvailable)."""

    transaction_id: str | None = None
    native: Native = None


class GetTransactionStatusResponse(GenericStruct, frozen=True):
    messages_in_queue: bool
    ongoing_indicator: bool | None = None
    native: Native = None


# --------------------------------------------------------------------------------
# Derived views (explicit, never stored in place of what was received)

ENERGY_REGISTER = "Energy.Active.Import.Register"
_WH_FACTOR = {"Wh": 1.0, "kWh": 1000.0}


def register_wh(meter_values: "list[MeterValue] | None", context: str) -> int | None:
    """The Energy.Active.Import.Register reading in Wh of the first sample with
    `context`, or None. Only a sample the station itself marked with that context
    counts: no reading is guessed from another one."""
    for meter_value in meter_values or ():
        for sample in meter_value.sampled_value:
            if sample.context != context or sample.value is None:
                continue
            if (sample.measurand or ENERGY_REGISTER) != ENERGY_REGISTER:
                continue
            factor = _WH_FACTOR.get(sample.unit or "Wh")
            if factor is None or sample.phase is not None:
                continue
            return round(sample.value * factor * 10.0 ** (sample.multiplier or 0))
    return None
