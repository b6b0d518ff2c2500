"""Firmware operations: generic <-> 2.x and <-> 1.6 (mixins of Mapper2x / Mapper16).

1.6 has two carriers for each operation. UpdateFirmware becomes SignedUpdateFirmware
when the firmware carries a signing certificate or a signature, else the plain
UpdateFirmware (which has no requestId, installDateTime or answer status).
FirmwareStatusNotification becomes SignedFirmwareStatusNotification when it has a
request id (or `v16_signed` says so), else the plain one (whose statuses are fewer).
"""

from typing import Any

from ocpp_core.generic import model as g
from ocpp_core.generic import model_extra as x
from ocpp_core.generic.mapping import Mapper, Wire, put, status_info_in, status_info_out
from ocpp_core.versions import V21


def _firmware_out(firmware: x.Firmware) -> Wire:
    wire: Wire = {
        "location": firmware.location,
        "retrieveDateTime": firmware.retrieve_date_time,
    }
    put(wire, "installDateTime", firmware.install_date_time)
    put(wire, "signingCertificate", firmware.signing_certificate)
    put(wire, "signature", firmware.signature)
    return wire


def _firmware_in(wire: Wire) -> x.Firmware:
    return x.Firmware(
        location=wire["location"],
        retrieve_date_time=wire["retrieveDateTime"],
        install_date_time=wire.get("installDateTime"),
        signing_certificate=wire.get("signingCertificate"),
        signature=wire.get("signature"),
    )


def _update_out(request: x.UpdateFirmwareRequest, request_id: Any) -> Wire:
    wire: Wire = {"requestId": request_id, "firmware": _firmware_out(request.firmware)}
    put(wire, "retries", request.retries)
    put(wire, "retryInterval", request.retry_interval)
    return wire


def _update_in(wire: Wire) -> x.UpdateFirmwareRequest:
    return x.UpdateFirmwareRequest(
        firmware=_firmware_in(wire["firmware"]),
        request_id=wire["requestId"],
        retries=wire.get("retries"),
        retry_interval=wire.get("retryInterval"),
    )


class FirmwareMapping2x(Mapper):
    FIRMWARE_ACTIONS: dict[str, tuple[str, ...]] = {
        "UpdateFirmware": ("UpdateFirmware",),
        "FirmwareStatusNotification": ("FirmwareStatusNotification",),
    }

    def _out_UpdateFirmware(self, request: x.UpdateFirmwareRequest) -> "tuple[str, Wire]":
        request_id = self.required("UpdateFirmware", "request_id", request.request_id)
        return "UpdateFirmware", _update_out(request, request_id)

    def _in_UpdateFirmware(self, wire: Wire) -> x.UpdateFirmwareRequest:
        return _update_in(wire)

    def _reply_out_UpdateFirmware(self, request: Any, response: x.UpdateFirmwareResponse) -> Wire:
        wire: Wire = {"status": self.required("UpdateFirmware", "status", response.status)}
        put(wire, "statusInfo", status_info_out(response.status_info))
        return wire

    def _reply_in_UpdateFirmware(self, request: Any, wire: Wire) -> Any:
        return x.UpdateFirmwareResponse(
            status=wire["status"], status_info=status_info_in(wire.get("statusInfo"))
        )

    def _out_FirmwareStatusNotification(
        self, request: x.FirmwareStatusNotificationRequest
    ) -> "tuple[str, Wire]":
        wire: Wire = {"status": request.status}
        put(wire, "requestId", request.request_id)
        if self.version == V21:
            put(wire, "statusInfo", status_info_out(request.status_info))
        return "FirmwareStatusNotification", wire

    def _in_FirmwareStatusNotification(self, wire: Wire) -> x.FirmwareStatusNotificationRequest:
        return x.FirmwareStatusNotificationRequest(
            status=wire["status"],
            request_id=wire.get("requestId"),
            status_info=status_info_in(wire.get("statusInfo")),
        )

    def _reply_out_FirmwareStatusNotification(self, request: Any, response: Any) -> Wire:
        return {}

    def _reply_in_FirmwareStatusNotification(self, request: Any, wire: Wire) -> Any:
        return x.FirmwareStatusNotificationResponse()


class FirmwareMapping16(Mapper):
    FIRMWARE_ACTIONS: dict[str, tuple[str, ...]] = {
        "UpdateFirmware": ("SignedUpdateFirmware", "UpdateFirmware"),
        "FirmwareStatusNotification": (
            "SignedFirmwareStatusNotification",
            "FirmwareStatusNotification",
        ),
    }

    def firmware_action(self, request: g.GenericStruct) -> "str | None":
        """The 1.6 carrier of a firmware request (None: not a firmware request)."""
        if isinstance(request, x.UpdateFirmwareRequest):
            firmware = request.firmware
            signed = firmware.signing_certificate is not None or firmware.signature is not None
            return "SignedUpdateFirmware" if signed else "UpdateFirmware"
        if isinstance(request, x.FirmwareStatusNotificationRequest):
            signed = request.request_id is not None or bool(request.v16_signed)
            return "SignedFirmwareStatusNotification" if signed else "FirmwareStatusNotification"
        return None

    def _out_UpdateFirmware(self, request: x.UpdateFirmwareRequest) -> "tuple[str, Wire]":
        op = "UpdateFirmware"
        if self.firmware_action(request) == "SignedUpdateFirmware":
            request_id = self.required(op, "request_id", request.request_id)
            return "SignedUpdateFirmware", _update_out(request, request_id)
        if request.firmware.install_date_time is not None:
            raise self.refuse(op, "firmware.install_date_time", "plain 1.6 UpdateFirmware has none")
        wire: Wire = {
            "location": request.firmware.location,
            "retrieveDate": request.firmware.retrieve_date_time,
        }
        put(wire, "retries", request.retries)
        put(wire, "retryInterval", request.retry_interval)
        return "UpdateFirmware", wire

    def _in_SignedUpdateFirmware(self, wire: Wire) -> x.UpdateFirmwareRequest:
        return _update_in(wire)

    def _in_UpdateFirmware(self, wire: Wire) -> x.UpdateFirmwareRequest:
        return x.UpdateFirmwareRequest(
            firmware=x.Firmware(location=wire["location"], retrieve_date_time=wire["retrieveDate"]),
            retries=wire.get("retries"),
            retry_interval=wire.get("retryInterval"),
        )

    def _reply_out_SignedUpdateFirmware(self, request: Any, response: Any) -> Wire:
        return {"status": self.required("UpdateFirmware", "status", response.status)}

    def _reply_in_SignedUpdateFirmware(self, request: Any, wire: Wire) -> Any:
        return x.UpdateFirmwareResponse(status=wire["status"])

    def _reply_out_UpdateFirmware(self, request: Any, response: Any) -> Wire:
        return {}  # the plain 1.6 answer is empty: a status has no place

    def _reply_in_UpdateFirmware(self, request: Any, wire: Wire) -> Any:
        return x.UpdateFirmwareResponse()

    def _out_FirmwareStatusNotification(
        self, request: x.FirmwareStatusNotificationRequest
    ) -> "tuple[str, Wire]":
        action = self.firmware_action(request)
        assert action is not None
        wire: Wire = {"status": request.status}
        if action == "SignedFirmwareStatusNotification":
            put(wire, "requestId", request.request_id)
        return action, wire

    def _in_SignedFirmwareStatusNotification(
        self, wire: Wire
    ) -> x.FirmwareStatusNotificationRequest:
        request_id = wire.get("requestId")
        return x.FirmwareStatusNotificationRequest(
            status=wire["status"],
            request_id=request_id,
            v16_signed=True if request_id is None else None,
        )

    def _in_FirmwareStatusNotification(self, wire: Wire) -> x.FirmwareStatusNotificationRequest:
        return x.FirmwareStatusNotificationRequest(status=wire["status"])

    def _empty_firmware_reply_out(self, request: Any, response: Any) -> Wire:
        return {}

    def _firmware_status_reply_in(self, request: Any, wire: Wire) -> Any:
        return x.FirmwareStatusNotificationResponse()

    _reply_out_SignedFirmwareStatusNotification = _empty_firmware_reply_out
    _reply_in_SignedFirmwareStatusNotification = _firmware_status_reply_in
    _reply_out_FirmwareStatusNotification = _empty_firmware_reply_out
    _reply_in_FirmwareStatusNotification = _firmware_status_reply_in
