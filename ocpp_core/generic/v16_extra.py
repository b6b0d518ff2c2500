"""Generic <-> OCPP 1.6 (security whitepaper and core) for the operations of
ocpp_core.generic.model_extra. A mixin of Mapper16 (conventions: ocpp_core.generic.mapping).
Logs (GetLog / GetDiagnostics and their notifications): v16_diagnostics.py.

- 1.6 has no statusInfo, nor requestId on certificates (ignored), and signs the charge
  point certificate only (another `certificate_type` is refused).
- Certificate types and profile purposes use the 2.x spelling (CSMSRootCertificate,
  ChargingStationMaxProfile); GetInstalledCertificateIds asks for exactly one type.
- ReserveNow: connectorId through the ConnectorLayout (0 = any connector <-> `evse_id`
  None), idTag / parentIdTag <-> `id_token` / `group_id_token`; a `connector_type` is
  refused (ignoring it would reserve any type).
- SendLocalList: listVersion <-> `version_number`, idTag / idTagInfo <-> `id_token` /
  `id_token_info`.
- ClearChargingProfile: the flat 1.6 filters <-> `charging_profile_criteria`.
"""

from typing import Any

from ocpp_core.generic import model as g
from ocpp_core.generic import model_extra as x
from ocpp_core.generic.extra_common import ExtraCommon
from ocpp_core.generic.mapping import Wire, put
from ocpp_core.generic.state import ConnectorLayout
from ocpp_core.generic.wire16 import id_tag_info_in, id_tag_info_out
from ocpp_core.generic.wire_cert import hash_data_in, hash_data_out

# The one certificate type 1.6 spells differently (the rest pass through, and a 2.x-only
# type fails the 1.6 enum).
_TYPE_TO_16 = {"CSMSRootCertificate": "CentralSystemRootCertificate"}
_TYPE_FROM_16 = {"CentralSystemRootCertificate": "CSMSRootCertificate"}
PURPOSE_TO_16 = {"ChargingStationMaxProfile": "ChargePointMaxProfile"}
PURPOSE_FROM_16 = {"ChargePointMaxProfile": "ChargingStationMaxProfile"}


class ExtraMapping16(ExtraCommon):
    layout: ConnectorLayout

    def _charge_point_only(self, operation: str, certificate_type: "str | None") -> None:
        # 1.6 has one certificate to sign: asking for another kind must not quietly
        # turn into signing that one.
        if certificate_type not in (None, "ChargingStationCertificate"):
            raise self.refuse(
                operation, "certificate_type", "1.6 signs the charge point certificate only"
            )

    def _out_SignCertificate(self, request: x.SignCertificateRequest) -> "tuple[str, Wire]":
        self._charge_point_only("SignCertificate", request.certificate_type)
        return "SignCertificate", {"csr": request.csr}

    def _in_SignCertificate(self, wire: Wire) -> x.SignCertificateRequest:
        return x.SignCertificateRequest(csr=wire["csr"])

    def _empty_reply_out(self, request: Any, response: Any) -> Wire:
        return {}

    def _security_reply_in(self, request: Any, wire: Wire) -> Any:
        return x.SecurityEventNotificationResponse()

    _reply_out_SecurityEventNotification = _empty_reply_out
    _reply_in_SecurityEventNotification = _security_reply_in

    # ------------------------------------------------------ CSMS -> station

    def _out_CertificateSigned(self, request: x.CertificateSignedRequest) -> "tuple[str, Wire]":
        self._charge_point_only("CertificateSigned", request.certificate_type)
        return "CertificateSigned", {"certificateChain": request.certificate_chain}

    def _in_CertificateSigned(self, wire: Wire) -> x.CertificateSignedRequest:
        return x.CertificateSignedRequest(certificate_chain=wire["certificateChain"])

    def _out_ReserveNow(self, request: x.ReserveNowRequest) -> "tuple[str, Wire]":
        op = "ReserveNow"
        if request.connector_type is not None:
            # Ignoring it would reserve any connector type: a different reservation.
            raise self.refuse(op, "connector_type", "1.6 reserves by connector id only")
        connector = 0
        if request.evse_id is not None:
            number = self.layout.to_connector(request.evse_id, None)
            if number is None:
                raise self.refuse(op, "evse_id", f"EVSE {request.evse_id!r} has no 1.6 connector")
            connector = number
        wire: Wire = {
            "connectorId": connector,
            "expiryDate": request.expiry_date_time,
            "idTag": request.id_token.id_token,
            "reservationId": request.id,
        }
        if request.group_id_token is not None:
            wire["parentIdTag"] = request.group_id_token.id_token
        return op, wire

    def _in_ReserveNow(self, wire: Wire) -> x.ReserveNowRequest:
        connector = wire["connectorId"]
        parent = wire.get("parentIdTag")
        return x.ReserveNowRequest(
            id=wire["reservationId"],
            expiry_date_time=wire["expiryDate"],
            id_token=g.IdToken(id_token=wire["idTag"]),
            evse_id=None if connector == 0 else self.layout.to_evse(connector)[0],
            group_id_token=None if parent is None else g.IdToken(id_token=parent),
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
        return {"listVersion": response.version_number}

    def _reply_in_GetLocalListVersion(self, request: Any, wire: Wire) -> Any:
        return x.GetLocalListVersionResponse(version_number=wire["listVersion"])

    def _out_SendLocalList(self, request: x.SendLocalListRequest) -> "tuple[str, Wire]":
        wire: Wire = {"listVersion": request.version_number, "updateType": request.update_type}
        if request.local_authorization_list is not None:
            entries = []
            for item in request.local_authorization_list:
                entry: Wire = {"idTag": item.id_token.id_token}
                put(entry, "idTagInfo", id_tag_info_out(item.id_token_info))
                entries.append(entry)
            wire["localAuthorizationList"] = entries
        return "SendLocalList", wire

    def _in_SendLocalList(self, wire: Wire) -> x.SendLocalListRequest:
        entries = wire.get("localAuthorizationList")
        return x.SendLocalListRequest(
            version_number=wire["listVersion"],
            update_type=wire["updateType"],
            local_authorization_list=None
            if entries is None
            else [
                x.AuthorizationData(
                    id_token=g.IdToken(id_token=entry["idTag"]),
                    id_token_info=id_tag_info_in(entry.get("idTagInfo")),
                )
                for entry in entries
            ],
        )

    # ------------------------------------------------------ certificates

    def _out_InstallCertificate(self, request: x.InstallCertificateRequest) -> "tuple[str, Wire]":
        kind = request.certificate_type
        return "InstallCertificate", {
            "certificateType": _TYPE_TO_16.get(kind) or kind,
            "certificate": request.certificate,
        }

    def _in_InstallCertificate(self, wire: Wire) -> x.InstallCertificateRequest:
        kind: str = wire["certificateType"]
        return x.InstallCertificateRequest(
            certificate_type=_TYPE_FROM_16.get(kind) or kind, certificate=wire["certificate"]
        )

    def _out_DeleteCertificate(self, request: x.DeleteCertificateRequest) -> "tuple[str, Wire]":
        return "DeleteCertificate", {
            "certificateHashData": hash_data_out(request.certificate_hash_data)
        }

    def _in_DeleteCertificate(self, wire: Wire) -> x.DeleteCertificateRequest:
        return x.DeleteCertificateRequest(
            certificate_hash_data=hash_data_in(wire["certificateHashData"])
        )

    def _one_type(self, request: x.GetInstalledCertificateIdsRequest) -> str:
        kinds = request.certificate_type
        if kinds is None or len(kinds) != 1:
            raise self.refuse(
                "GetInstalledCertificateIds", "certificate_type", "1.6 asks for exactly one type"
            )
        return kinds[0]

    def _out_GetInstalledCertificateIds(
        self, request: x.GetInstalledCertificateIdsRequest
    ) -> "tuple[str, Wire]":
        kind = self._one_type(request)
        return "GetInstalledCertificateIds", {"certificateType": _TYPE_TO_16.get(kind) or kind}

    def _in_GetInstalledCertificateIds(self, wire: Wire) -> x.GetInstalledCertificateIdsRequest:
        kind: str = wire["certificateType"]
        return x.GetInstalledCertificateIdsRequest(
            certificate_type=[_TYPE_FROM_16.get(kind) or kind]
        )

    def _reply_out_GetInstalledCertificateIds(
        self, request: x.GetInstalledCertificateIdsRequest, response: Any
    ) -> Wire:
        op = "GetInstalledCertificateIds"
        kind = self._one_type(request)
        wire: Wire = {"status": response.status}
        chains = response.certificate_hash_data_chain
        if chains is not None:
            hashes = []
            for chain in chains:
                # 1.6 answers with bare hashes of the requested type: nothing else fits.
                if chain.certificate_type != kind:
                    raise self.refuse(op, "certificate_type", "1.6 answers the asked type only")
                if chain.child_certificate_hash_data is not None:
                    raise self.refuse(op, "child_certificate_hash_data", "1.6 has no chains")
                hashes.append(hash_data_out(chain.certificate_hash_data))
            wire["certificateHashData"] = hashes
        return wire

    def _reply_in_GetInstalledCertificateIds(
        self, request: x.GetInstalledCertificateIdsRequest, wire: Wire
    ) -> Any:
        kind = self._one_type(request)
        hashes = wire.get("certificateHashData")
        return x.GetInstalledCertificateIdsResponse(
            status=wire["status"],
            certificate_hash_data_chain=None
            if hashes is None
            else [
                x.CertificateHashDataChain(
                    certificate_type=kind, certificate_hash_data=hash_data_in(h)
                )
                for h in hashes
            ],
        )

    # ------------------------------------------------------ charging profiles

    def _out_ClearChargingProfile(
        self, request: x.ClearChargingProfileRequest
    ) -> "tuple[str, Wire]":
        op = "ClearChargingProfile"
        wire: Wire = {}
        put(wire, "id", request.charging_profile_id)
        criteria = request.charging_profile_criteria
        if criteria is not None:
            if criteria.evse_id is not None:
                connector = self.layout.to_connector(criteria.evse_id, None)
                if connector is None:
                    raise self.refuse(
                        op, "evse_id", f"EVSE {criteria.evse_id!r} has no 1.6 connector"
                    )
                wire["connectorId"] = connector
            purpose = criteria.charging_profile_purpose
            if purpose is not None:
                wire["chargingProfilePurpose"] = PURPOSE_TO_16.get(purpose) or purpose
            put(wire, "stackLevel", criteria.stack_level)
        return op, wire

    def _in_ClearChargingProfile(self, wire: Wire) -> x.ClearChargingProfileRequest:
        connector = wire.get("connectorId")
        purpose = wire.get("chargingProfilePurpose")
        criteria = None
        if connector is not None or purpose is not None or "stackLevel" in wire:
            criteria = x.ClearChargingProfileCriteria(
                evse_id=None if connector is None else self.layout.to_evse(connector)[0],
                charging_profile_purpose=None
                if purpose is None
                else PURPOSE_FROM_16.get(purpose) or purpose,
                stack_level=wire.get("stackLevel"),
            )
        return x.ClearChargingProfileRequest(
            charging_profile_id=wire.get("id"), charging_profile_criteria=criteria
        )
