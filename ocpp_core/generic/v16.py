"""Generic <-> OCPP 1.6 (with the security whitepaper).

What differs from the generic (2.x-shaped) model, and how it is bridged (the full list
is docs/generic.md):

- Transactions: StartTransaction / MeterValues with transactionId / StopTransaction
  <-> TransactionEvent Started / Updated / Ended. 1.6 names a transaction by an integer
  the CSMS allocates; the station side keeps generic id <-> integer in `TransactionIds`
  while the transaction is open, the CSMS side uses the decimal string of the integer
  it allocated (`transaction_id_factory`).
- Connectors: 1.6 connectorId <-> (EVSE id, connector id) through a ConnectorLayout.
- Id tokens: idTag <-> IdToken.id_token (the 2.x type is not on the 1.6 wire).
- Configuration: GetConfiguration / ChangeConfiguration <-> GetVariables /
  SetVariables, one key per (component, variable) through ConfigurationKeys.
- Meter values: 1.6 sends strings; a value whose number does not give the same
  string back keeps it in SampledValue.value_text.
"""

from typing import Any, Optional, cast

import msgspec

from ocpp_core.generic import model as g
from ocpp_core.generic.errors import TooManyTransactions
from ocpp_core.generic.firmware import FirmwareMapping16
from ocpp_core.generic.mapping import OPERATIONS, Mapper, Wire, operation_of, put
from ocpp_core.generic.state import (
    ConfigurationKeys,
    ConnectorLayout,
    Counter,
    TransactionIdFactory,
    TransactionIds,
)
from ocpp_core.generic.v16_config import ConfigurationMapping16
from ocpp_core.generic.v16_diagnostics import DiagnosticsMapping16
from ocpp_core.generic.v16_extra import ExtraMapping16
from ocpp_core.generic.v16_profiles import ProfileMapping16
from ocpp_core.generic.wire16 import (
    id_tag_info_in,
    id_tag_info_out,
    id_token_in,
    int_text,
    meter_values_in,
    meter_values_out,
)
from ocpp_core.v16 import messages as v16_messages
from ocpp_core.versions import V16

# 1.6 ChargePointStatus -> 2.x ConnectorStatus; the others are spelled alike.
_OCCUPIED = ("Preparing", "Charging", "SuspendedEVSE", "SuspendedEV", "Finishing")
_RESET_TO_16 = {"Immediate": "Soft"}  # generic type -> 1.6 type when v16_type is None
# Messages only ExtendedTriggerMessage can trigger, generic (2.x) spelling -> 1.6 spelling.
_EXTENDED_ONLY = {
    "LogStatusNotification": "LogStatusNotification",
    "SignChargingStationCertificate": "SignChargePointCertificate",
}
_EXTENDED_FROM_16 = {"SignChargePointCertificate": "SignChargingStationCertificate"}


class Mapper16(
    ConfigurationMapping16,
    DiagnosticsMapping16,
    ExtraMapping16,
    FirmwareMapping16,
    ProfileMapping16,
):
    """Generic <-> OCPP 1.6 for one connection.

    `transaction_ids`: the station-side id map (share it across reconnects of one
    station); `transaction_id_factory`: the CSMS-side allocator of 1.6 transaction ids
    (default: 1, 2, 3, ... per connection); `layout`: connector ids <-> EVSE +
    connector; `configuration_keys`: 1.6 keys <-> component + variable (`.oca()`).
    """

    version = V16
    messages = v16_messages

    ACTIONS = (
        {
            "Authorize": ("Authorize",),
            "BootNotification": ("BootNotification",),
            "ChangeAvailability": ("ChangeAvailability",),
            "ClearCache": ("ClearCache",),
            "DataTransfer": ("DataTransfer",),
            "GetVariables": ("GetConfiguration",),
            "Heartbeat": ("Heartbeat",),
            "MeterValues": ("MeterValues",),
            "RequestStartTransaction": ("RemoteStartTransaction",),
            "RequestStopTransaction": ("RemoteStopTransaction",),
            "Reset": ("Reset",),
            "SetVariables": ("ChangeConfiguration",),
            "StatusNotification": ("StatusNotification",),
            "TransactionEvent": ("StartTransaction", "MeterValues", "StopTransaction"),
            "TriggerMessage": ("TriggerMessage", "ExtendedTriggerMessage"),
            "UnlockConnector": ("UnlockConnector",),
        }
        | ExtraMapping16.EXTRA_ACTIONS
        | DiagnosticsMapping16.DIAGNOSTICS_ACTIONS
        | FirmwareMapping16.FIRMWARE_ACTIONS
        | ProfileMapping16.PROFILE_ACTIONS
    )

    def __init__(
        self,
        transaction_ids: Optional[TransactionIds] = None,
        transaction_id_factory: Optional[TransactionIdFactory] = None,
        layout: Optional[ConnectorLayout] = None,
        configuration_keys: Optional[ConfigurationKeys] = None,
    ) -> None:
        self.transaction_ids = TransactionIds() if transaction_ids is None else transaction_ids
        self.transaction_id_factory: TransactionIdFactory = (
            Counter() if transaction_id_factory is None else transaction_id_factory
        )
        self.layout = ConnectorLayout() if layout is None else layout
        self.configuration_keys = (
            ConfigurationKeys.oca() if configuration_keys is None else configuration_keys
        )

    def action_for(self, request: g.GenericStruct) -> str:
        if isinstance(request, g.TransactionEventRequest):
            action = {
                "Started": "StartTransaction",
                "Updated": "MeterValues",
                "Ended": "StopTransaction",
            }.get(request.event_type)
            if action is None:
                raise self.refuse("TransactionEvent", "event_type", repr(request.event_type))
            return action
        if isinstance(request, g.TriggerMessageRequest):
            extended = request.v16_extended or request.requested_message in _EXTENDED_ONLY
            return "ExtendedTriggerMessage" if extended else "TriggerMessage"
        carrier = self.firmware_action(request) or self.diagnostics_action(request)
        if carrier is not None:
            return carrier
        return Mapper.action_for(self, request)

    def request_to_native(self, request: g.GenericStruct) -> Any:
        native = Mapper.request_to_native(self, request)
        # State changes only once the message is built (a refused message changes nothing).
        if isinstance(request, g.TransactionEventRequest) and request.event_type == "Started":
            self.transaction_ids.open(request.transaction_id, native.connector_id)
        return native

    def _check_request(self, operation: str, request: g.GenericStruct) -> None:
        if isinstance(request, g.TransactionEventRequest) and request.event_type == "Started":
            ids = self.transaction_ids
            if ids.get(request.transaction_id) is None and len(ids) >= ids.limit:
                raise TooManyTransactions(ids.limit)

    # ----------------------------------------------------------- helpers

    def _connector(self, operation: str, field: str, evse_id: int, connector: Any) -> int:
        number = self.layout.to_connector(evse_id, connector)
        if number is None:
            raise self.refuse(
                operation, field, f"EVSE {evse_id!r} connector {connector!r} has no 1.6 connector"
            )
        return number

    def _evse(self, connector_id: int) -> g.Evse:
        evse_id, connector = self.layout.to_evse(connector_id)
        return g.Evse(id=evse_id, connector_id=connector)

    def _v16_transaction_id(self, operation: str, transaction_id: str) -> int:
        entry = self.transaction_ids.get(transaction_id)
        if entry is not None:
            if entry.v16_id is None:
                raise self.refuse(
                    operation,
                    "transaction_id",
                    f"{transaction_id!r} has no 1.6 id yet (StartTransaction not answered)",
                )
            return entry.v16_id
        number = int_text(transaction_id)
        if number is None:
            raise self.refuse(
                operation, "transaction_id", f"{transaction_id!r} is not an open transaction"
            )
        return number

    # ------------------------------------------------------ station -> CSMS

    def _out_BootNotification(self, request: g.BootNotificationRequest) -> "tuple[str, Wire]":
        station = request.charging_station
        wire: Wire = {"chargePointVendor": station.vendor_name, "chargePointModel": station.model}
        put(wire, "chargePointSerialNumber", station.serial_number)
        put(wire, "chargeBoxSerialNumber", request.charge_box_serial_number)
        put(wire, "firmwareVersion", station.firmware_version)
        if station.modem is not None:
            put(wire, "iccid", station.modem.iccid)
            put(wire, "imsi", station.modem.imsi)
        put(wire, "meterType", request.meter_type)
        put(wire, "meterSerialNumber", request.meter_serial_number)
        return "BootNotification", wire

    def _in_BootNotification(self, wire: Wire) -> g.BootNotificationRequest:
        iccid, imsi = wire.get("iccid"), wire.get("imsi")
        modem = None if iccid is None and imsi is None else g.Modem(iccid=iccid, imsi=imsi)
        return g.BootNotificationRequest(
            charging_station=g.ChargingStation(
                vendor_name=wire["chargePointVendor"],
                model=wire["chargePointModel"],
                serial_number=wire.get("chargePointSerialNumber"),
                firmware_version=wire.get("firmwareVersion"),
                modem=modem,
            ),
            charge_box_serial_number=wire.get("chargeBoxSerialNumber"),
            meter_type=wire.get("meterType"),
            meter_serial_number=wire.get("meterSerialNumber"),
        )

    def _reply_out_BootNotification(self, request: Any, response: Any) -> Wire:
        return {
            "status": response.status,
            "currentTime": response.current_time,
            "interval": response.interval,
        }

    def _reply_in_BootNotification(self, request: Any, wire: Wire) -> g.GenericStruct:
        return g.BootNotificationResponse(
            status=wire["status"], current_time=wire["currentTime"], interval=wire["interval"]
        )

    def _out_Heartbeat(self, request: Any) -> "tuple[str, Wire]":
        return "Heartbeat", {}

    def _in_Heartbeat(self, wire: Wire) -> g.HeartbeatRequest:
        return g.HeartbeatRequest()

    def _reply_out_Heartbeat(self, request: Any, response: Any) -> Wire:
        return {"currentTime": response.current_time}

    def _reply_in_Heartbeat(self, request: Any, wire: Wire) -> g.GenericStruct:
        return g.HeartbeatResponse(current_time=wire["currentTime"])

    def _out_StatusNotification(self, request: g.StatusNotificationRequest) -> "tuple[str, Wire]":
        op = "StatusNotification"
        status = request.v16_status
        if status is None:
            if request.connector_status == "Occupied":
                raise self.refuse(op, "v16_status", "Occupied needs the 1.6 status (Charging, ...)")
            status = request.connector_status
        wire: Wire = {
            "connectorId": self._connector(op, "evse_id", request.evse_id, request.connector_id),
            "errorCode": "NoError" if request.error_code is None else request.error_code,
            "status": status,
        }
        put(wire, "info", request.info)
        put(wire, "timestamp", request.timestamp)
        put(wire, "vendorId", request.vendor_id)
        put(wire, "vendorErrorCode", request.vendor_error_code)
        return op, wire

    def _in_StatusNotification(self, wire: Wire) -> g.StatusNotificationRequest:
        status = wire["status"]
        connector_status = "Occupied" if status in _OCCUPIED else status
        evse = self._evse(wire["connectorId"])
        error_code = wire["errorCode"]
        return g.StatusNotificationRequest(
            evse_id=evse.id,
            connector_id=evse.connector_id or 0,
            connector_status=connector_status,
            timestamp=wire.get("timestamp"),
            v16_status=None if status == connector_status else status,
            error_code=None if error_code == "NoError" else error_code,
            info=wire.get("info"),
            vendor_id=wire.get("vendorId"),
            vendor_error_code=wire.get("vendorErrorCode"),
        )

    def _reply_out_StatusNotification(self, request: Any, response: Any) -> Wire:
        return {}

    def _reply_in_StatusNotification(self, request: Any, wire: Wire) -> g.GenericStruct:
        return g.StatusNotificationResponse()

    def _out_Authorize(self, request: g.AuthorizeRequest) -> "tuple[str, Wire]":
        return "Authorize", {"idTag": request.id_token.id_token}

    def _in_Authorize(self, wire: Wire) -> g.AuthorizeRequest:
        return g.AuthorizeRequest(id_token=g.IdToken(id_token=wire["idTag"]))

    def _reply_out_Authorize(self, request: Any, response: g.AuthorizeResponse) -> Wire:
        return {"idTagInfo": id_tag_info_out(response.id_token_info)}

    def _reply_in_Authorize(self, request: Any, wire: Wire) -> g.GenericStruct:
        info = id_tag_info_in(wire["idTagInfo"])
        assert info is not None
        return g.AuthorizeResponse(id_token_info=info)

    def _out_TransactionEvent(self, request: g.TransactionEventRequest) -> "tuple[str, Wire]":
        op = "TransactionEvent"
        action = self.action_for(request)
        values = list(request.meter_value or ())
        if action == "StartTransaction":
            evse = self.required(op, "evse", request.evse)
            meter_start = request.meter_start
            if meter_start is None:
                meter_start = g.register_wh(values, "Transaction.Begin")
                # 1.6 StartTransaction carries the one Begin reading and nothing else.
                if meter_start is None or sum(len(v.sampled_value) for v in values) != 1:
                    raise self.refuse(
                        op, "meter_start", "needs meter_start or one Transaction.Begin sample"
                    )
            elif values:
                raise self.refuse(op, "meter_value", "StartTransaction carries no meter values")
            token = self.required(op, "id_token", request.id_token)
            wire: Wire = {
                "connectorId": self._connector(op, "evse", evse.id, evse.connector_id),
                "idTag": token.id_token,
                "meterStart": meter_start,
                "timestamp": self.required(op, "timestamp", request.timestamp),
            }
            put(wire, "reservationId", request.reservation_id)
            return action, wire
        transaction_id = self._v16_transaction_id(op, request.transaction_id)
        if action == "MeterValues":
            if request.evse is not None:
                connector = self._connector(op, "evse", request.evse.id, request.evse.connector_id)
            else:
                entry = self.transaction_ids.get(request.transaction_id)
                connector = self.required(op, "evse", None if entry is None else entry.connector_id)
            if request.meter_value is None:
                raise self.refuse(op, "meter_value", "a 1.6 Updated event is MeterValues")
            return action, {
                "connectorId": connector,
                "transactionId": transaction_id,
                "meterValue": meter_values_out(op, values),
            }
        meter_stop = request.meter_stop
        if meter_stop is None:
            meter_stop = self.required(op, "meter_stop", g.register_wh(values, "Transaction.End"))
        wire = {
            "transactionId": transaction_id,
            "meterStop": meter_stop,
            "timestamp": self.required(op, "timestamp", request.timestamp),
        }
        if request.id_token is not None:
            wire["idTag"] = request.id_token.id_token
        put(wire, "reason", request.stopped_reason)
        if request.meter_value is not None:  # [] stays [] (lossless)
            wire["transactionData"] = meter_values_out(op, values)
        return action, wire

    def _in_StartTransaction(self, wire: Wire) -> g.TransactionEventRequest:
        # The CSMS side: 1.6 hands out the transaction id in the response; allocate it now
        # so the generic event has its id, and the response carries the same number.
        return g.TransactionEventRequest(
            event_type="Started",
            transaction_id=str(self.transaction_id_factory()),
            timestamp=wire["timestamp"],
            evse=self._evse(wire["connectorId"]),
            id_token=g.IdToken(id_token=wire["idTag"]),
            meter_start=wire["meterStart"],
            reservation_id=wire.get("reservationId"),
        )

    def _in_MeterValues(self, wire: Wire) -> g.GenericStruct:
        values = meter_values_in(wire["meterValue"])
        transaction_id = wire.get("transactionId")
        if transaction_id is None:
            evse_id = self.layout.to_evse(wire["connectorId"])[0]
            return g.MeterValuesRequest(evse_id=evse_id, meter_value=values)
        return g.TransactionEventRequest(
            event_type="Updated",
            transaction_id=str(transaction_id),
            evse=self._evse(wire["connectorId"]),
            meter_value=values,
        )

    def _in_StopTransaction(self, wire: Wire) -> g.TransactionEventRequest:
        data = wire.get("transactionData")
        return g.TransactionEventRequest(
            event_type="Ended",
            transaction_id=str(wire["transactionId"]),
            timestamp=wire["timestamp"],
            id_token=id_token_in(wire.get("idTag")),
            meter_value=None if data is None else meter_values_in(data),
            meter_stop=wire["meterStop"],
            stopped_reason=wire.get("reason"),
        )

    def _reply_out_StartTransaction(
        self, request: g.TransactionEventRequest, response: g.TransactionEventResponse
    ) -> Wire:
        op = "TransactionEvent"
        number = int_text(request.transaction_id)
        if number is None:
            raise self.refuse(op, "transaction_id", "a 1.6 CSMS answers with an integer id")
        info = self.required(op, "id_token_info", response.id_token_info)
        return {"idTagInfo": id_tag_info_out(info), "transactionId": number}

    def _reply_in_StartTransaction(
        self, request: g.TransactionEventRequest, wire: Wire
    ) -> g.GenericStruct:
        self.transaction_ids.bind(request.transaction_id, wire["transactionId"])
        return g.TransactionEventResponse(id_token_info=id_tag_info_in(wire["idTagInfo"]))

    def _reply_out_MeterValues(self, request: Any, response: Any) -> Wire:
        return {}

    def _reply_in_MeterValues(self, request: Any, wire: Wire) -> g.GenericStruct:
        if isinstance(request, g.TransactionEventRequest):
            return g.TransactionEventResponse()
        return g.MeterValuesResponse()

    def _reply_out_StopTransaction(
        self, request: Any, response: g.TransactionEventResponse
    ) -> Wire:
        wire: Wire = {}
        put(wire, "idTagInfo", id_tag_info_out(response.id_token_info))
        return wire

    def _reply_in_StopTransaction(
        self, request: g.TransactionEventRequest, wire: Wire
    ) -> g.GenericStruct:
        # The transaction is over on both sides: its state goes.
        self.transaction_ids.release(request.transaction_id)
        return g.TransactionEventResponse(id_token_info=id_tag_info_in(wire.get("idTagInfo")))

    def _out_MeterValues(self, request: g.MeterValuesRequest) -> "tuple[str, Wire]":
        op = "MeterValues"
        return op, {
            "connectorId": self._connector(op, "evse_id", request.evse_id, None),
            "meterValue": meter_values_out(op, request.meter_value),
        }

    # ------------------------------------------------------ both directions

    def _out_DataTransfer(self, request: g.DataTransferRequest) -> "tuple[str, Wire]":
        if request.data is not None and not isinstance(request.data, str):
            raise self.refuse("DataTransfer", "data", "1.6 data is a string")
        wire: Wire = {"vendorId": request.vendor_id}
        put(wire, "messageId", request.message_id)
        put(wire, "data", request.data)
        return "DataTransfer", wire

    def _in_DataTransfer(self, wire: Wire) -> g.DataTransferRequest:
        return g.DataTransferRequest(
            vendor_id=wire["vendorId"], message_id=wire.get("messageId"), data=wire.get("data")
        )

    def _reply_out_DataTransfer(self, request: Any, response: g.DataTransferResponse) -> Wire:
        if response.data is not None and not isinstance(response.data, str):
            raise self.refuse("DataTransfer", "data", "1.6 data is a string")
        wire: Wire = {"status": response.status}
        put(wire, "data", response.data)
        return wire

    def _reply_in_DataTransfer(self, request: Any, wire: Wire) -> g.GenericStruct:
        return g.DataTransferResponse(status=wire["status"], data=wire.get("data"))

    # ------------------------------------------------------ CSMS -> station

    def _out_RequestStartTransaction(
        self, request: g.RequestStartTransactionRequest
    ) -> "tuple[str, Wire]":
        op = "RequestStartTransaction"
        wire: Wire = {"idTag": request.id_token.id_token}
        if request.evse_id is not None:
            wire["connectorId"] = self._connector(op, "evse_id", request.evse_id, None)
        if request.charging_profile is not None:
            wire["chargingProfile"] = self.profile_out16(
                op, "charging_profile", request.charging_profile
            )
        return "RemoteStartTransaction", wire

    def _in_RemoteStartTransaction(self, wire: Wire) -> g.RequestStartTransactionRequest:
        connector = wire.get("connectorId")
        return g.RequestStartTransactionRequest(
            id_token=g.IdToken(id_token=wire["idTag"]),
            evse_id=None if connector is None else self.layout.to_evse(connector)[0],
            charging_profile=self.profile_in16(wire.get("chargingProfile")),
        )

    def _out_RequestStopTransaction(
        self, request: g.RequestStopTransactionRequest
    ) -> "tuple[str, Wire]":
        number = self._v16_transaction_id("RequestStopTransaction", request.transaction_id)
        return "RemoteStopTransaction", {"transactionId": number}

    def _in_RemoteStopTransaction(self, wire: Wire) -> g.RequestStopTransactionRequest:
        number = wire["transactionId"]
        known = self.transaction_ids.generic_of(number)
        return g.RequestStopTransactionRequest(
            transaction_id=str(number) if known is None else known
        )

    def _out_Reset(self, request: g.ResetRequest) -> "tuple[str, Wire]":
        if request.evse_id is not None:
            raise self.refuse("Reset", "evse_id", "1.6 resets the whole station only")
        reset_type = request.v16_type or _RESET_TO_16.get(request.type)
        if reset_type is None:
            raise self.refuse("Reset", "type", f"{request.type!r} has no 1.6 counterpart")
        return "Reset", {"type": reset_type}

    def _in_Reset(self, wire: Wire) -> g.ResetRequest:
        hard = wire["type"] == "Hard"
        return g.ResetRequest(type="Immediate", v16_type="Hard" if hard else None)

    def _out_ChangeAvailability(self, request: g.ChangeAvailabilityRequest) -> "tuple[str, Wire]":
        op = "ChangeAvailability"
        evse = request.evse
        connector = 0 if evse is None else self._connector(op, "evse", evse.id, evse.connector_id)
        return op, {"connectorId": connector, "type": request.operational_status}

    def _in_ChangeAvailability(self, wire: Wire) -> g.ChangeAvailabilityRequest:
        connector = wire["connectorId"]
        return g.ChangeAvailabilityRequest(
            operational_status=wire["type"],
            evse=None if connector == 0 else self._evse(connector),
        )

    def _out_UnlockConnector(self, request: g.UnlockConnectorRequest) -> "tuple[str, Wire]":
        op = "UnlockConnector"
        return op, {
            "connectorId": self._connector(op, "evse_id", request.evse_id, request.connector_id)
        }

    def _in_UnlockConnector(self, wire: Wire) -> g.UnlockConnectorRequest:
        evse = self._evse(wire["connectorId"])
        return g.UnlockConnectorRequest(evse_id=evse.id, connector_id=evse.connector_id or 0)

    def _out_TriggerMessage(self, request: g.TriggerMessageRequest) -> "tuple[str, Wire]":
        op = "TriggerMessage"
        wanted = request.requested_message
        action = self.action_for(request)
        if action == "ExtendedTriggerMessage":
            wanted = _EXTENDED_ONLY.get(wanted) or wanted
        wire: Wire = {"requestedMessage": wanted}
        if request.evse is not None:
            wire["connectorId"] = self._connector(
                op, "evse", request.evse.id, request.evse.connector_id
            )
        return action, wire

    def _in_ExtendedTriggerMessage(self, wire: Wire) -> g.TriggerMessageRequest:
        generic = self._in_TriggerMessage(wire)
        wanted = _EXTENDED_FROM_16.get(generic.requested_message) or generic.requested_message
        return msgspec.structs.replace(
            generic,
            requested_message=wanted,
            v16_extended=None if wanted in _EXTENDED_ONLY else True,
        )

    def _in_TriggerMessage(self, wire: Wire) -> g.TriggerMessageRequest:
        connector = wire.get("connectorId")
        return g.TriggerMessageRequest(
            requested_message=wire["requestedMessage"],
            evse=None if connector is None else self._evse(connector),
        )

    def _out_ClearCache(self, request: Any) -> "tuple[str, Wire]":
        return "ClearCache", {}

    def _in_ClearCache(self, wire: Wire) -> g.ClearCacheRequest:
        return g.ClearCacheRequest()

    # {status} responses (1.6 has no statusInfo): one pair of methods serves them all.
    def _status_reply_out(self, request: Any, response: Any) -> Wire:
        return {"status": response.status}

    def _status_reply_in(self, request: Any, wire: Wire) -> g.GenericStruct:
        response_type: Any = OPERATIONS[operation_of(request)][1]
        return cast(g.GenericStruct, response_type(status=wire["status"]))

    _reply_out_RemoteStartTransaction = _status_reply_out
    _reply_in_RemoteStartTransaction = _status_reply_in
    _reply_out_RemoteStopTransaction = _status_reply_out
    _reply_in_RemoteStopTransaction = _status_reply_in
    _reply_out_Reset = _status_reply_out
    _reply_in_Reset = _status_reply_in
    _reply_out_ChangeAvailability = _status_reply_out
    _reply_in_ChangeAvailability = _status_reply_in
    _reply_out_UnlockConnector = _status_reply_out
    _reply_in_UnlockConnector = _status_reply_in
    _reply_out_TriggerMessage = _status_reply_out
    _reply_in_TriggerMessage = _status_reply_in
    _reply_out_ExtendedTriggerMessage = _status_reply_out
    _reply_in_ExtendedTriggerMessage = _status_reply_in
    _reply_out_ClearCache = _status_reply_out
    _reply_in_ClearCache = _status_reply_in

    _reply_out_CertificateSigned = _status_reply_out
    _reply_in_CertificateSigned = _status_reply_in
    _reply_out_SignCertificate = _status_reply_out
    _reply_in_SignCertificate = _status_reply_in
    _reply_out_ReserveNow = _status_reply_out
    _reply_in_ReserveNow = _status_reply_in
    _reply_out_CancelReservation = _status_reply_out
    _reply_in_CancelReservation = _status_reply_in
    _reply_out_SendLocalList = _status_reply_out
    _reply_in_SendLocalList = _status_reply_in
    _reply_out_InstallCertificate = _status_reply_out
    _reply_in_InstallCertificate = _status_reply_in
    _reply_out_DeleteCertificate = _status_reply_out
    _reply_in_DeleteCertificate = _status_reply_in
    _reply_out_ClearChargingProfile = _status_reply_out
    _reply_in_ClearChargingProfile = _status_reply_in
