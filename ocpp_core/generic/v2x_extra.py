"""Generic <-> OCPP 2.0.1 / 2.1 for the operations of ocpp_core.generic.model_extra.

A mixin of Mapper2x (same method-name conventions, see ocpp_core.generic.mapping).
"""

from typing import Any, cast

from ocpp_core.generic import model as g
from ocpp_core.generic import model_extra as x
from ocpp_core.generic.extra_common import ExtraCommon
from ocpp_core.generic.mapping import Wire, put, status_info_in, status_info_out
from ocpp_core.generic.wire2x import id_token_in, id_token_info_in, id_token_info_out, id_token_out
from ocpp_core.generic.wire_cert import hash_data_in, hash_data_out
from ocpp_core.versions import V21


class ExtraMapping2x(ExtraCommon):
    def _out_LogStatusNotification(
        self, request: x.LogStatusNotificationRequest
    ) -> "tuple[str, Wire]":
        wire: Wire = {"status": request.status}
        put(wire, "requestId", request.request_id)
        if self.version == V21:
            put(wire, "statusInfo", status_info_out(request.status_info))
        return "LogStatusNotification", wire

    def _in_LogStatusNotification(self, wire: Wire) -> x.LogStatusNotificationRequest:
        return x.LogStatusNotificationRequest(
            status=wire["status"],
            request_id=wire.get("requestId"),
            status_info=status_info_in(wire.get("statusInfo")),
        )

    def _out_SignCertificate(self, request: x.SignCertificateRequest) -> "tuple[str, Wire]":
        wire: Wire = {"csr": request.csr}
        put(wire, "certificateType", request.certificate_type)
        if self.version == V21:
            put(wire, "requestId", request.request_id)
        return "SignCertificate", wire

    def _in_SignCertificate(self, wire: Wire) -> x.SignCertificateRequest:
        return x.SignCertificateRequest(
            csr=wire["csr"],
            certificate_type=wire.get("certificateType"),
            request_id=wire.get("requestId"),
        )

    def _empty_reply_out(self, request: Any, response: Any) -> Wire:
        return {}

    def _security_reply_in(self, request: Any, wire: Wire) -> Any:
        return x.SecurityEventNotificationResponse()

    def _log_status_reply_in(self, request: Any, wire: Wire) -> Any:
        return x.LogStatusNotificationResponse()

    _reply_out_SecurityEventNotification = _empty_reply_out
    _reply_in_SecurityEventNotification = _security_reply_in
    _reply_out_LogStatusNotification = _empty_reply_out
    _reply_in_LogStatusNotification = _log_status_reply_in

    # ------------------------------------------------------ CSMS -> station

    def _out_CertificateSigned(self, request: x.CertificateSignedRequest) -> "tuple[str, Wire]":
        wire: Wire = {"certificateChain": request.certificate_chain}
        put(wire, "certificateType", request.certificate_type)
        if self.version == V21:
            put(wire, "requestId", request.request_id)
        return "CertificateSigned", wire

    def _in_CertificateSigned(self, wire: Wire) -> x.CertificateSignedRequest:
        return x.CertificateSignedRequest(
            certificate_chain=wire["certificateChain"],
            certificate_type=wire.get("certificateType"),
            request_id=wire.get("requestId"),
        )

    def _out_GetLog(self, request: x.GetLogRequest) -> "tuple[str, Wire]":
        log: Wire = {"remoteLocation": request.log.remote_location}
        put(log, "oldestTimestamp", request.log.oldest_timestamp)
        put(log, "latestTimestamp", request.log.latest_timestamp)
        wire: Wire = {
            "log": log,
            "logType": request.log_type,
            "requestId": self.required("GetLog", "request_id", request.request_id),
        }
        put(wire, "retries", request.retries)
        put(wire, "retryInterval", request.retry_interval)
        return "GetLog", wire

    def _reply_out_GetLog(self, request: Any, response: x.GetLogResponse) -> Wire:
        wire: Wire = {"status": self.required("GetLog", "status", response.status)}
        put(wire, "filename", response.filename)
        put(wire, "statusInfo", status_info_out(response.status_info))
        return wire

    def _reply_in_GetLog(self, request: Any, wire: Wire) -> x.GetLogResponse:
        return x.GetLogResponse(
            status=wire["status"],
            filename=wire.get("filename"),
            status_info=status_info_in(wire.get("statusInfo")),
        )

    def _out_ReserveNow(self, request: x.ReserveNowRequest) -> "tuple[str, Wire]":
        op = "ReserveNow"
        wire: Wire = {
            "id": request.id,
            "expiryDateTime": request.expiry_date_time,
            "idToken": id_token_out(self.version, op, "id_token", request.id_token),
        }
        put(wire, "evseId", request.evse_id)
        put(
            wire,
            "groupIdToken",
            id_token_out(self.version, op, "group_id_token", request.group_id_token),
        )
        put(wire, "connectorType", request.connector_type)
        return op, wire

    def _in_ReserveNow(self, wire: Wire) -> x.ReserveNowRequest:
        return x.ReserveNowRequest(
            id=wire["id"],
            expiry_date_time=wire["expiryDateTime"],
            id_token=cast(g.IdToken, id_token_in(wire["idToken"])),
            evse_id=wire.get("evseId"),
            group_id_token=id_token_in(wire.get("groupIdToken")),
            connector_type=wire.get("connectorType"),
        )

    def _out_CancelReservation(self, request: x.CancelReservationRequest) -> "tuple[str, Wire]":
        return "CancelReservation", {"reservationId": request.reservation_id}

    def _in_CancelReservation(self, wire: Wire) -> x.CancelReservationRequest:
        return x.CancelReservationRequest(reservation_id=wire["reservationId"])

    def _out_GetLocalListVersion(self, request: Any) -> "tuple[str, Wire]":
        return "GetLocalListVersion", {}

    def _in_GetLocalListVersion(self, wire: Wire) -> x.GetLocalListVersionRequest:
        return x.GetLocalListVersionRequest()

    def _reply_out_GetLocalListVersion(
        self, request: Any, response: x.GetLocalListVersionResponse
    ) -> Wire:
        return {"versionNumber": response.version_number}

    def _reply_in_GetLocalListVersion(self, request: Any, wire: Wire) -> Any:
        return x.GetLocalListVersionResponse(version_number=wire["versionNumber"])

    def _out_SendLocalList(self, request: x.SendLocalListRequest) -> "tuple[str, Wire]":
        op = "SendLocalList"
        wire: Wire = {"versionNumber": request.version_number, "updateType": request.update_type}
        if request.local_authorization_list is not None:
            entries = []
            for item in request.local_authorization_list:
                entry: Wire = {"idToken": id_token_out(self.version, op, "id_token", item.id_token)}
                put(entry, "idTokenInfo", id_token_info_out(self.version, op, item.id_token_info))
                entries.append(entry)
            wire["localAuthorizationList"] = entries
        return op, wire

    def _in_SendLocalList(self, wire: Wire) -> x.SendLocalListRequest:
        entries = wire.get("localAuthorizationList")
        return x.SendLocalListRequest(
            version_number=wire["versionNumber"],
            update_type=wire["updateType"],
            local_authorization_list=None
            if entries is None
            else [
                x.AuthorizationData(
                    id_token=cast(g.IdToken, id_token_in(entry["idToken"])),
                    id_token_info=id_token_info_in(entry.get("idTokenInfo")),
                )
                for entry in entries
            ],
        )

    # ------------------------------------------------------ certificates

    def _out_InstallCertificate(self, request: x.InstallCertificateRequest) -> "tuple[str, Wire]":
        return "InstallCertificate", {
            "certificateType": request.certificate_type,
            "certificate": request.certificate,
        }

    def _in_InstallCertificate(self, wire: Wire) -> x.InstallCertificateRequest:
        return x.InstallCertificateRequest(
            certificate_type=wire["certificateType"], certificate=wire["certificate"]
        )

    def _out_DeleteCertificate(self, request: x.DeleteCertificateRequest) -> "tuple[str, Wire]":
        return "DeleteCertificate", {
            "certificateHashData": hash_data_out(request.certificate_hash_data)
        }

    def _in_DeleteCertificate(self, wire: Wire) -> x.DeleteCertificateRequest:
        return x.DeleteCertificateRequest(
            certificate_hash_data=hash_data_in(wire["certificateHashData"])
        )

    def _out_GetInstalledCertificateIds(
        self, request: x.GetInstalledCertificateIdsRequest
    ) -> "tuple[str, Wire]":
        wire: Wire = {}
        put(wire, "certificateType", request.certificate_type)
        return "GetInstalledCertificateIds", wire

    def _in_GetInstalledCertificateIds(self, wire: Wire) -> x.GetInstalledCertificateIdsRequest:
        return x.GetInstalledCertificateIdsRequest(certificate_type=wire.get("certificateType"))

    def _reply_out_GetInstalledCertificateIds(
        self, request: Any, response: x.GetInstalledCertificateIdsResponse
    ) -> Wire:
        wire: Wire = {"status": response.status}
        chains = response.certificate_hash_data_chain
        if chains is not None:
            entries = []
            for chain in chains:
                entry: Wire = {
                    "certificateType": chain.certificate_type,
                    "certificateHashData": hash_data_out(chain.certificate_hash_data),
                }
                children = chain.child_certificate_hash_data
                if children is not None:
                    entry["childCertificateHashData"] = [hash_data_out(c) for c in children]
                entries.append(entry)
            wire["certificateHashDataChain"] = entries
        put(wire, "statusInfo", status_info_out(response.status_info))
        return wire

    def _reply_in_GetInstalledCertificateIds(self, request: Any, wire: Wire) -> Any:
        chains = wire.get("certificateHashDataChain")
        return x.GetInstalledCertificateIdsResponse(
            status=wire["status"],
            certificate_hash_data_chain=None
            if chains is None
            else [
                x.CertificateHashDataChain(
                    certificate_type=entry["certificateType"],
                    certificate_hash_data=hash_data_in(entry["certificateHashData"]),
                    child_certificate_hash_data=None
                    if entry.get("childCertificateHashData") is None
                    else [hash_data_in(c) for c in entry["childCertificateHashData"]],
                )
                for entry in chains
            ],
            status_info=status_info_in(wire.get("statusInfo")),
        )

    # ------------------------------------------------------ charging profiles

    def _out_ClearChargingProfile(
        self, request: x.ClearChargingProfileRequest
    ) -> "tuple[str, Wire]":
        wire: Wire = {}
        put(wire, "chargingProfileId", request.charging_profile_id)
        criteria = request.charging_profile_criteria
        if criteria is not None:
            inner: Wire = {}
            put(inner, "evseId", criteria.evse_id)
            put(inner, "chargingProfilePurpose", criteria.charging_profile_purpose)
            put(inner, "stackLevel", criteria.stack_level)
            wire["chargingProfileCriteria"] = inner
        return "ClearChargingProfile", wire

    def _in_ClearChargingProfile(self, wire: Wire) -> x.ClearChargingProfileRequest:
        inner = wire.get("chargingProfileCriteria")
        return x.ClearChargingProfileRequest(
            charging_profile_id=wire.get("chargingProfileId"),
            charging_profile_criteria=None
            if inner is None
            else x.ClearChargingProfileCriteria(
                evse_id=inner.get("evseId"),
                charging_profile_purpose=inner.get("chargingProfilePurpose"),
                stack_level=inner.get("stackLevel"),
            ),
        )
