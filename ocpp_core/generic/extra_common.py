"""What the extra operations (ocpp_core.generic.model_extra) map the same way in every
version: which actions carry them, and SecurityEventNotification, whose wire shape is
identical in 1.6 (security whitepaper), 2.0.1 and 2.1, and a received GetLog (the same
shape too; how a generic GetLog goes out differs: 1.6 may send it as GetDiagnostics).
Base of ExtraMapping16 and ExtraMapping2x."""

from ocpp_core.generic import model_extra as x
from ocpp_core.generic.mapping import Mapper, Wire, put


class ExtraCommon(Mapper):
    EXTRA_ACTIONS: dict[str, tuple[str, ...]] = {
        "CancelReservation": ("CancelReservation",),
        "CertificateSigned": ("CertificateSigned",),
        "GetLocalListVersion": ("GetLocalListVersion",),
        "GetLog": ("GetLog",),
        "LogStatusNotification": ("LogStatusNotification",),
        "ReserveNow": ("ReserveNow",),
        "SecurityEventNotification": ("SecurityEventNotification",),
        "SendLocalList": ("SendLocalList",),
        "SignCertificate": ("SignCertificate",),
        "InstallCertificate": ("InstallCertificate",),
        "DeleteCertificate": ("DeleteCertificate",),
        "GetInstalledCertificateIds": ("GetInstalledCertificateIds",),
        "ClearChargingProfile": ("ClearChargingProfile",),
    }

    # ------------------------------------------------------ station -> CSMS

    def _out_SecurityEventNotification(
        self, request: x.SecurityEventNotificationRequest
    ) -> "tuple[str, Wire]":
        wire: Wire = {"type": request.type, "timestamp": request.timestamp}
        put(wire, "techInfo", request.tech_info)
        return "SecurityEventNotification", wire

    def _in_SecurityEventNotification(self, wire: Wire) -> x.SecurityEventNotificationRequest:
        return x.SecurityEventNotificationRequest(
            type=wire["type"], timestamp=wire["timestamp"], tech_info=wire.get("techInfo")
        )

    # ------------------------------------------------------ CSMS -> station

    def _in_GetLog(self, wire: Wire) -> x.GetLogRequest:
        log = wire["log"]
        return x.GetLogRequest(
            log=x.LogParameters(
                remote_location=log["remoteLocation"],
                oldest_timestamp=log.get("oldestTimestamp"),
                latest_timestamp=log.get("latestTimestamp"),
            ),
            log_type=wire["logType"],
            request_id=wire["requestId"],
            retries=wire.get("retries"),
            retry_interval=wire.get("retryInterval"),
        )
