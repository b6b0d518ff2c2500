"""Generic <-> OCPP 2.0.1 and 2.1 (the generic model is shaped after them).

Stateless: 2.x carries everything the generic model needs on the wire (string
transaction ids, EVSE + connector, typed id tokens). The two versions differ, for the
operations mapped here, only in fields the generic model keeps in `native` (2.1 cost
details, tariffs, ...), in enum vocabularies (checked when the typed message is built)
and in TriggerMessage.customTrigger (2.1). The generated operations (model_2x) are
mapped by table (passthrough.PassthroughMapping2x).
"""

from typing import Any, cast

from ocpp_core.generic import model as g
from ocpp_core.generic.firmware import FirmwareMapping2x
from ocpp_core.generic.mapping import (
    OPERATIONS,
    Wire,
    operation_of,
    put,
    status_info_in,
    status_info_out,
    status_reply_out,
)
from ocpp_core.generic.model_profiles import ChargingProfile
from ocpp_core.generic.passthrough import PassthroughMapping2x, optional_in, struct_out
from ocpp_core.generic.v2x_extra import ExtraMapping2x
from ocpp_core.generic.wire2x import (
    component_in,
    component_out,
    evse_in,
    evse_out,
    id_token_in,
    id_token_info_in,
    id_token_info_out,
    id_token_out,
    message_in,
    message_out,
    meter_values_in,
    meter_values_out,
    variable_in,
    variable_out,
)
from ocpp_core.v21 import messages as v21_messages
from ocpp_core.v201 import messages as v201_messages
from ocpp_core.versions import V21, V201


class Mapper2x(ExtraMapping2x, FirmwareMapping2x, PassthroughMapping2x):
    """Shared by OCPP 2.0.1 and 2.1."""

    ACTIONS = (
        {
            "Authorize": ("Authorize",),
            "BootNotification": ("BootNotification",),
            "ChangeAvailability": ("ChangeAvailability",),
            "ClearCache": ("ClearCache",),
            "DataTransfer": ("DataTransfer",),
            "GetTransactionStatus": ("GetTransactionStatus",),
            "GetVariables": ("GetVariables",),
            "Heartbeat": ("Heartbeat",),
            "MeterValues": ("MeterValues",),
            "RequestStartTransaction": ("RequestStartTransaction",),
            "RequestStopTransaction": ("RequestStopTransaction",),
            "Reset": ("Reset",),
            "SetVariables": ("SetVariables",),
            "StatusNotification": ("StatusNotification",),
            "TransactionEvent": ("TransactionEvent",),
            "TriggerMessage": ("TriggerMessage",),
            "UnlockConnector": ("UnlockConnector",),
        }
        | ExtraMapping2x.EXTRA_ACTIONS
        | FirmwareMapping2x.FIRMWARE_ACTIONS
        | PassthroughMapping2x.PASSTHROUGH_ACTIONS
    )

    # ------------------------------------------------------ station -> CSMS

    def _out_BootNotification(self, request: g.BootNotificationRequest) -> "tuple[str, Wire]":
        station = request.charging_station
        station_wire: Wire = {"vendorName": station.vendor_name, "model": station.model}
        put(station_wire, "serialNumber", station.serial_number)
        put(station_wire, "firmwareVersion", station.firmware_version)
        if station.modem is not None:
            modem: Wire = {}
            put(modem, "iccid", station.modem.iccid)
            put(modem, "imsi", station.modem.imsi)
            station_wire["modem"] = modem
        reason = self.required("BootNotification", "reason", request.reason)
        return "BootNotification", {"chargingStation": station_wire, "reason": reason}

    def _in_BootNotification(self, wire: Wire) -> g.BootNotificationRequest:
        station = wire["chargingStation"]
        modem = station.get("modem")
        return g.BootNotificationRequest(
            charging_station=g.ChargingStation(
                vendor_name=station["vendorName"],
                model=station["model"],
                serial_number=station.get("serialNumber"),
                firmware_version=station.get("firmwareVersion"),
                modem=None
                if modem is None
                else g.Modem(iccid=modem.get("iccid"), imsi=modem.get("imsi")),
            ),
            reason=wire["reason"],
        )

    def _reply_out_BootNotification(self, request: Any, response: Any) -> Wire:
        wire = status_reply_out(response)
        wire["currentTime"] = response.current_time
        wire["interval"] = response.interval
        return wire

    def _reply_in_BootNotification(self, request: Any, wire: Wire) -> g.BootNotificationResponse:
        return g.BootNotificationResponse(
            status=wire["status"],
            current_time=wire["currentTime"],
            interval=wire["interval"],
            status_info=status_info_in(wire.get("statusInfo")),
        )

    def _out_Heartbeat(self, request: g.HeartbeatRequest) -> "tuple[str, Wire]":
        return "Heartbeat", {}

    def _in_Heartbeat(self, wire: Wire) -> g.HeartbeatRequest:
        return g.HeartbeatRequest()

    def _reply_out_Heartbeat(self, request: Any, response: Any) -> Wire:
        return {"currentTime": response.current_time}

    def _reply_in_Heartbeat(self, request: Any, wire: Wire) -> g.HeartbeatResponse:
        return g.HeartbeatResponse(current_time=wire["currentTime"])

    def _out_StatusNotification(self, request: g.StatusNotificationRequest) -> "tuple[str, Wire]":
        return "StatusNotification", {
            "timestamp": self.required("StatusNotification", "timestamp", request.timestamp),
            "connectorStatus": request.connector_status,
            "evseId": request.evse_id,
            "connectorId": request.connector_id,
        }

    def _in_StatusNotification(self, wire: Wire) -> g.StatusNotificationRequest:
        return g.StatusNotificationRequest(
            evse_id=wire["evseId"],
            connector_id=wire["connectorId"],
            connector_status=wire["connectorStatus"],
            timestamp=wire["timestamp"],
        )

    def _reply_out_StatusNotification(self, request: Any, response: Any) -> Wire:
        return {}

    def _reply_in_StatusNotification(self, request: Any, wire: Wire) -> g.GenericStruct:
        return g.StatusNotificationResponse()

    def _out_Authorize(self, request: g.AuthorizeRequest) -> "tuple[str, Wire]":
        wire: Wire = {
            "idToken": id_token_out(self.version, "Authorize", "id_token", request.id_token)
        }
        put(wire, "certificate", request.certificate)
        return "Authorize", wire

    def _in_Authorize(self, wire: Wire) -> g.AuthorizeRequest:
        token = id_token_in(wire["idToken"])
        assert token is not None
        return g.AuthorizeRequest(id_token=token, certificate=wire.get("certificate"))

    def _reply_out_Authorize(self, request: Any, response: g.AuthorizeResponse) -> Wire:
        wire: Wire = {
            "idTokenInfo": id_token_info_out(self.version, "Authorize", response.id_token_info)
        }
        put(wire, "certificateStatus", response.certificate_status)
        return wire

    def _reply_in_Authorize(self, request: Any, wire: Wire) -> g.AuthorizeResponse:
        info = id_token_info_in(wire["idTokenInfo"])
        assert info is not None
        return g.AuthorizeResponse(
            id_token_info=info, certificate_status=wire.get("certificateStatus")
        )

    def _out_TransactionEvent(self, request: g.TransactionEventRequest) -> "tuple[str, Wire]":
        op = "TransactionEvent"
        info: Wire = {"transactionId": request.transaction_id}
        put(info, "chargingState", request.charging_state)
        put(info, "timeSpentCharging", request.time_spent_charging)
        put(info, "stoppedReason", request.stopped_reason)
        put(info, "remoteStartId", request.remote_start_id)
        timestamp = self.required(op, "timestamp", request.timestamp)
        wire: Wire = {
            "eventType": request.event_type,
            "timestamp": timestamp,
            "triggerReason": self.required(op, "trigger_reason", request.trigger_reason),
            "seqNo": self.required(op, "seq_no", request.seq_no),
            "transactionInfo": info,
        }
        values = list(request.meter_value or ())
        # 1.6 register readings have no field in 2.x: they travel as the samples a 2.x
        # station sends for them, unless such a sample is there already.
        for reading, context in (
            (request.meter_start, "Transaction.Begin"),
            (request.meter_stop, "Transaction.End"),
        ):
            if reading is not None and g.register_wh(values, context) is None:
                sample = g.SampledValue(
                    value=float(reading),
                    context=context,
                    measurand=g.ENERGY_REGISTER,
                    unit="Wh",
                )
                values.append(g.MeterValue(timestamp=timestamp, sampled_value=[sample]))
        put(wire, "meterValue", meter_values_out(self.version, op, values) if values else None)
        put(wire, "offline", request.offline)
        put(wire, "numberOfPhasesUsed", request.number_of_phases_used)
        put(wire, "cableMaxCurrent", request.cable_max_current)
        put(wire, "reservationId", request.reservation_id)
        put(wire, "evse", evse_out(request.evse))
        put(wire, "idToken", id_token_out(self.version, op, "id_token", request.id_token))
        return op, wire

    def _in_TransactionEvent(self, wire: Wire) -> g.TransactionEventRequest:
        info = wire["transactionInfo"]
        return g.TransactionEventRequest(
            event_type=wire["eventType"],
            transaction_id=info["transactionId"],
            timestamp=wire["timestamp"],
            trigger_reason=wire["triggerReason"],
            seq_no=wire["seqNo"],
            evse=evse_in(wire.get("evse")),
            id_token=id_token_in(wire.get("idToken")),
            meter_value=meter_values_in(wire.get("meterValue")),
            charging_state=info.get("chargingState"),
            time_spent_charging=info.get("timeSpentCharging"),
            stopped_reason=info.get("stoppedReason"),
            remote_start_id=info.get("remoteStartId"),
            offline=wire.get("offline"),
            number_of_phases_used=wire.get("numberOfPhasesUsed"),
            cable_max_current=wire.get("cableMaxCurrent"),
            reservation_id=wire.get("reservationId"),
        )

    def _reply_out_TransactionEvent(
        self, request: Any, response: g.TransactionEventResponse
    ) -> Wire:
        wire: Wire = {}
        put(
            wire,
            "idTokenInfo",
            id_token_info_out(self.version, "TransactionEvent", response.id_token_info),
        )
        put(wire, "totalCost", response.total_cost)
        put(wire, "chargingPriority", response.charging_priority)
        put(wire, "updatedPersonalMessage", message_out(response.updated_personal_message))
        return wire

    def _reply_in_TransactionEvent(self, request: Any, wire: Wire) -> g.TransactionEventResponse:
        return g.TransactionEventResponse(
            id_token_info=id_token_info_in(wire.get("idTokenInfo")),
            total_cost=wire.get("totalCost"),
            charging_priority=wire.get("chargingPriority"),
            updated_personal_message=message_in(wire.get("updatedPersonalMessage")),
        )

    def _out_MeterValues(self, request: g.MeterValuesRequest) -> "tuple[str, Wire]":
        return "MeterValues", {
            "evseId": request.evse_id,
            "meterValue": meter_values_out(self.version, "MeterValues", request.meter_value),
        }

    def _in_MeterValues(self, wire: Wire) -> g.MeterValuesRequest:
        values = meter_values_in(wire["meterValue"])
        assert values is not None
        return g.MeterValuesRequest(evse_id=wire["evseId"], meter_value=values)

    def _reply_out_MeterValues(self, request: Any, response: Any) -> Wire:
        return {}

    def _reply_in_MeterValues(self, request: Any, wire: Wire) -> g.GenericStruct:
        return g.MeterValuesResponse()

    # ------------------------------------------------------ both directions

    def _out_DataTransfer(self, request: g.DataTransferRequest) -> "tuple[str, Wire]":
        wire: Wire = {"vendorId": request.vendor_id}
        put(wire, "messageId", request.message_id)
        put(wire, "data", request.data)
        return "DataTransfer", wire

    def _in_DataTransfer(self, wire: Wire) -> g.DataTransferRequest:
        return g.DataTransferRequest(
            vendor_id=wire["vendorId"], message_id=wire.get("messageId"), data=wire.get("data")
        )

    def _reply_out_DataTransfer(self, request: Any, response: g.DataTransferResponse) -> Wire:
        wire = status_reply_out(response)
        put(wire, "data", response.data)
        return wire

    def _reply_in_DataTransfer(self, request: Any, wire: Wire) -> g.DataTransferResponse:
        return g.DataTransferResponse(
            status=wire["status"],
            data=wire.get("data"),
            status_info=status_info_in(wire.get("statusInfo")),
        )

    # ------------------------------------------------------ CSMS -> station

    def _out_RequestStartTransaction(
        self, request: g.RequestStartTransactionRequest
    ) -> "tuple[str, Wire]":
        op = "RequestStartTransaction"
        wire: Wire = {
            "idToken": id_token_out(self.version, op, "id_token", request.id_token),
            "remoteStartId": self.required(op, "remote_start_id", request.remote_start_id),
        }
        put(wire, "evseId", request.evse_id)
        put(
            wire,
            "groupIdToken",
            id_token_out(self.version, op, "group_id_token", request.group_id_token),
        )
        if request.charging_profile is not None:
            wire["chargingProfile"] = struct_out(
                request.charging_profile, self.version, op, "charging_profile"
            )
        return op, wire

    def _in_RequestStartTransaction(self, wire: Wire) -> g.RequestStartTransactionRequest:
        token = id_token_in(wire["idToken"])
        assert token is not None
        return g.RequestStartTransactionRequest(
            id_token=token,
            evse_id=wire.get("evseId"),
            remote_start_id=wire["remoteStartId"],
            group_id_token=id_token_in(wire.get("groupIdToken")),
            charging_profile=optional_in(ChargingProfile, wire.get("chargingProfile")),
        )

    def _reply_out_RequestStartTransaction(self, request: Any, response: Any) -> Wire:
        wire = status_reply_out(response)
        put(wire, "transactionId", response.transaction_id)
        return wire

    def _reply_in_RequestStartTransaction(self, request: Any, wire: Wire) -> g.GenericStruct:
        return g.RequestStartTransactionResponse(
            status=wire["status"],
            transaction_id=wire.get("transactionId"),
            status_info=status_info_in(wire.get("statusInfo")),
        )

    def _out_RequestStopTransaction(
        self, request: g.RequestStopTransactionRequest
    ) -> "tuple[str, Wire]":
        return "RequestStopTransaction", {"transactionId": request.transaction_id}

    def _in_RequestStopTransaction(self, wire: Wire) -> g.RequestStopTransactionRequest:
        return g.RequestStopTransactionRequest(transaction_id=wire["transactionId"])

    def _out_Reset(self, request: g.ResetRequest) -> "tuple[str, Wire]":
        wire: Wire = {"type": request.type}
        put(wire, "evseId", request.evse_id)
        return "Reset", wire

    def _in_Reset(self, wire: Wire) -> g.ResetRequest:
        return g.ResetRequest(type=wire["type"], evse_id=wire.get("evseId"))

    def _out_ChangeAvailability(self, request: g.ChangeAvailabilityRequest) -> "tuple[str, Wire]":
        wire: Wire = {"operationalStatus": request.operational_status}
        put(wire, "evse", evse_out(request.evse))
        return "ChangeAvailability", wire

    def _in_ChangeAvailability(self, wire: Wire) -> g.ChangeAvailabilityRequest:
        return g.ChangeAvailabilityRequest(
            operational_status=wire["operationalStatus"], evse=evse_in(wire.get("evse"))
        )

    def _out_UnlockConnector(self, request: g.UnlockConnectorRequest) -> "tuple[str, Wire]":
        return "UnlockConnector", {"evseId": request.evse_id, "connectorId": request.connector_id}

    def _in_UnlockConnector(self, wire: Wire) -> g.UnlockConnectorRequest:
        return g.UnlockConnectorRequest(evse_id=wire["evseId"], connector_id=wire["connectorId"])

    def _out_GetVariables(self, request: g.GetVariablesRequest) -> "tuple[str, Wire]":
        if not request.get_variable_data:
            raise self.refuse(
                "GetVariables",
                "get_variable_data",
                "empty (all keys) exists in 1.6 only; use GetBaseReport in 2.x",
            )
        data = []
        for item in request.get_variable_data:
            wire: Wire = {
                "component": component_out(item.component),
                "variable": variable_out(item.variable),
            }
            put(wire, "attributeType", item.attribute_type)
            data.append(wire)
        return "GetVariables", {"getVariableData": data}

    def _in_GetVariables(self, wire: Wire) -> g.GetVariablesRequest:
        return g.GetVariablesRequest(
            get_variable_data=[
                g.GetVariableData(
                    component=component_in(item["component"]),
                    variable=variable_in(item["variable"]),
                    attribute_type=item.get("attributeType"),
                )
                for item in wire["getVariableData"]
            ]
        )

    def _reply_out_GetVariables(self, request: Any, response: g.GetVariablesResponse) -> Wire:
        results = []
        for item in response.get_variable_result:
            wire: Wire = {
                "attributeStatus": item.attribute_status,
                "component": component_out(item.component),
                "variable": variable_out(item.variable),
            }
            put(wire, "attributeType", item.attribute_type)
            put(wire, "attributeValue", item.attribute_value)
            put(wire, "attributeStatusInfo", status_info_out(item.attribute_status_info))
            results.append(wire)
        return {"getVariableResult": results}

    def _reply_in_GetVariables(self, request: Any, wire: Wire) -> g.GetVariablesResponse:
        return g.GetVariablesResponse(
            get_variable_result=[
                g.GetVariableResult(
                    attribute_status=item["attributeStatus"],
                    component=component_in(item["component"]),
                    variable=variable_in(item["variable"]),
                    attribute_type=item.get("attributeType"),
                    attribute_value=item.get("attributeValue"),
                    attribute_status_info=status_info_in(item.get("attributeStatusInfo")),
                )
                for item in wire["getVariableResult"]
            ]
        )

    def _out_SetVariables(self, request: g.SetVariablesRequest) -> "tuple[str, Wire]":
        data = []
        for item in request.set_variable_data:
            wire: Wire = {
                "attributeValue": item.attribute_value,
                "component": component_out(item.component),
                "variable": variable_out(item.variable),
            }
            put(wire, "attributeType", item.attribute_type)
            data.append(wire)
        return "SetVariables", {"setVariableData": data}

    def _in_SetVariables(self, wire: Wire) -> g.SetVariablesRequest:
        return g.SetVariablesRequest(
            set_variable_data=[
                g.SetVariableData(
                    component=component_in(item["component"]),
                    variable=variable_in(item["variable"]),
                    attribute_value=item["attributeValue"],
                    attribute_type=item.get("attributeType"),
                )
                for item in wire["setVariableData"]
            ]
        )

    def _reply_out_SetVariables(self, request: Any, response: g.SetVariablesResponse) -> Wire:
        results = []
        for item in response.set_variable_result:
            wire: Wire = {
                "attributeStatus": item.attribute_status,
                "component": component_out(item.component),
                "variable": variable_out(item.variable),
            }
            put(wire, "attributeType", item.attribute_type)
            put(wire, "attributeStatusInfo", status_info_out(item.attribute_status_info))
            results.append(wire)
        return {"setVariableResult": results}

    def _reply_in_SetVariables(self, request: Any, wire: Wire) -> g.SetVariablesResponse:
        return g.SetVariablesResponse(
            set_variable_result=[
                g.SetVariableResult(
                    attribute_status=item["attributeStatus"],
                    component=component_in(item["component"]),
                    variable=variable_in(item["variable"]),
                    attribute_type=item.get("attributeType"),
                    attribute_status_info=status_info_in(item.get("attributeStatusInfo")),
                )
                for item in wire["setVariableResult"]
            ]
        )

    def _out_TriggerMessage(self, request: g.TriggerMessageRequest) -> "tuple[str, Wire]":
        wire: Wire = {"requestedMessage": request.requested_message}
        put(wire, "evse", evse_out(request.evse))
        if self.version == V21:
            put(wire, "customTrigger", request.custom_trigger)
        return "TriggerMessage", wire

    def _in_TriggerMessage(self, wire: Wire) -> g.TriggerMessageRequest:
        return g.TriggerMessageRequest(
            requested_message=wire["requestedMessage"],
            evse=evse_in(wire.get("evse")),
            custom_trigger=wire.get("customTrigger"),
        )

    def _out_ClearCache(self, request: g.ClearCacheRequest) -> "tuple[str, Wire]":
        return "ClearCache", {}

    def _in_ClearCache(self, wire: Wire) -> g.ClearCacheRequest:
        return g.ClearCacheRequest()

    def _out_GetTransactionStatus(
        self, request: g.GetTransactionStatusRequest
    ) -> "tuple[str, Wire]":
        wire: Wire = {}
        put(wire, "transactionId", request.transaction_id)
        return "GetTransactionStatus", wire

    def _in_GetTransactionStatus(self, wire: Wire) -> g.GetTransactionStatusRequest:
        return g.GetTransactionStatusRequest(transaction_id=wire.get("transactionId"))

    def _reply_out_GetTransactionStatus(self, request: Any, response: Any) -> Wire:
        wire: Wire = {"messagesInQueue": response.messages_in_queue}
        put(wire, "ongoingIndicator", response.ongoing_indicator)
        return wire

    def _reply_in_GetTransactionStatus(self, request: Any, wire: Wire) -> g.GenericStruct:
        return g.GetTransactionStatusResponse(
            messages_in_queue=wire["messagesInQueue"],
            ongoing_indicator=wire.get("ongoingIndicator"),
        )

    # {status, statusInfo} responses: one pair of methods serves them all.
    def _status_reply_out(self, request: Any, response: Any) -> Wire:
        return status_reply_out(response)

    def _status_reply_in(self, request: Any, wire: Wire) -> g.GenericStruct:
        response_type: Any = OPERATIONS[operation_of(request)][1]
        return cast(
            g.GenericStruct,
            response_type(
                status=wire["status"], status_info=status_info_in(wire.get("statusInfo"))
            ),
        )

    _reply_out_RequestStopTransaction = _status_reply_out
    _reply_in_RequestStopTransaction = _status_reply_in
    _reply_out_Reset = _status_reply_out
    _reply_in_Reset = _status_reply_in
    _reply_out_ChangeAvailability = _status_reply_out
    _reply_in_ChangeAvailability = _status_reply_in
    _reply_out_UnlockConnector = _status_reply_out
    _reply_in_UnlockConnector = _status_reply_in
    _reply_out_TriggerMessage = _status_reply_out
    _reply_in_TriggerMessage = _status_reply_in
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


class Mapper201(Mapper2x):
    version = V201
    messages = v201_messages


class Mapper21(Mapper2x):
    version = V21
    messages = v21_messages
