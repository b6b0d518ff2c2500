"""Logs in 1.6: GetLog / LogStatusNotification <-> two carriers each (a mixin of Mapper16).

1.6 with the security whitepaper has both the whitepaper's GetLog / LogStatusNotification
(the 2.x shape) and the core GetDiagnostics / DiagnosticsStatusNotification (diagnostics
only, no request id, no answer status). The generic operations are GetLog and
LogStatusNotification; the `v16_diagnostics` flag chooses the core carrier:

- It is True on what came in as GetDiagnostics / DiagnosticsStatusNotification, so a
  message received on a 1.6 connection goes back as it came, and a station answering
  a GetDiagnostics copies it from the request into its LogStatusNotifications.
- It is the only rule. A missing request id does not choose GetDiagnostics: the
  whitepaper's LogStatusNotification has an optional requestId (Idle with nothing to
  report), and silently sending GetDiagnostics for a GetLog that forgot its request id
  would pick a different action than the one asked for (1.6 GetLog requires it, so
  that is NotRepresentable).
- Going to the core carriers, `request_id` is ignored (they have none: one upload at a
  time), `log_type` must be DiagnosticsLog (a SecurityLog is a different file), and a
  status the core enum lacks is refused rather than narrowed.
"""

from typing import Any

from ocpp_core.generic import model as g
from ocpp_core.generic import model_extra as x
from ocpp_core.generic.mapping import Mapper, Wire, put

# DiagnosticsStatus (1.6 core) <-> UploadLogStatus (whitepaper, 2.x): one word differs;
# BadMessage, NotSupportedOperation, PermissionDenied, AcceptedCanceled have no 1.6
# diagnostics counterpart.
DIAGNOSTICS_STATUS_TO_16 = {
    "Idle": "Idle",
    "Uploaded": "Uploaded",
    "UploadFailure": "UploadFailed",
    "Uploading": "Uploading",
}
DIAGNOSTICS_STATUS_FROM_16 = {v16: generic for generic, v16 in DIAGNOSTICS_STATUS_TO_16.items()}
DIAGNOSTICS_LOG = "DiagnosticsLog"


class DiagnosticsMapping16(Mapper):
    DIAGNOSTICS_ACTIONS: dict[str, tuple[str, ...]] = {
        "GetLog": ("GetLog", "GetDiagnostics"),
        "LogStatusNotification": ("LogStatusNotification", "DiagnosticsStatusNotification"),
    }

    def diagnostics_action(self, request: g.GenericStruct) -> "str | None":
        """The 1.6 carrier of a log request (None: not a log request)."""
        if isinstance(request, x.GetLogRequest):
            return "GetDiagnostics" if request.v16_diagnostics else "GetLog"
        if isinstance(request, x.LogStatusNotificationRequest):
            diagnostics = request.v16_diagnostics
            return "DiagnosticsStatusNotification" if diagnostics else "LogStatusNotification"
        return None

    # ------------------------------------------------------ CSMS -> station

    def _out_GetLog(self, request: x.GetLogRequest) -> "tuple[str, Wire]":
        op = "GetLog"
        log = request.log
        action = "GetDiagnostics" if request.v16_diagnostics else "GetLog"
        if action == "GetDiagnostics":
            if request.log_type != DIAGNOSTICS_LOG:
                raise self.refuse(
                    op, "log_type", f"1.6 GetDiagnostics uploads the {DIAGNOSTICS_LOG} only"
                )
            wire: Wire = {"location": log.remote_location}
            put(wire, "startTime", log.oldest_timestamp)
            put(wire, "stopTime", log.latest_timestamp)
        else:
            parameters: Wire = {"remoteLocation": log.remote_location}
            put(parameters, "oldestTimestamp", log.oldest_timestamp)
            put(parameters, "latestTimestamp", log.latest_timestamp)
            wire = {
                "log": parameters,
                "logType": request.log_type,
                "requestId": request.request_id,
            }
            if request.request_id is None:
                raise self.refuse(
                    op, "request_id", "required by 1.6 GetLog (v16_diagnostics: GetDiagnostics)"
                )
        put(wire, "retries", request.retries)
        put(wire, "retryInterval", request.retry_interval)
        return action, wire

    def _in_GetDiagnostics(self, wire: Wire) -> x.GetLogRequest:
        return x.GetLogRequest(
            log=x.LogParameters(
                remote_location=wire["location"],
                oldest_timestamp=wire.get("startTime"),
                latest_timestamp=wire.get("stopTime"),
            ),
            log_type=DIAGNOSTICS_LOG,
            retries=wire.get("retries"),
            retry_interval=wire.get("retryInterval"),
            v16_diagnostics=True,
        )

    def _reply_out_GetLog(self, request: Any, response: x.GetLogResponse) -> Wire:
        wire: Wire = {"status": self.required("GetLog", "status", response.status)}
        put(wire, "filename", response.filename)
        return wire

    def _reply_in_GetLog(self, request: Any, wire: Wire) -> x.GetLogResponse:
        return x.GetLogResponse(status=wire["status"], filename=wire.get("filename"))

    def _reply_out_GetDiagnostics(self, request: Any, response: x.GetLogResponse) -> Wire:
        # GetDiagnostics cannot be refused: an answer without a status is an acceptance,
        # so a Rejected one would turn into its opposite (a station with nothing to
        # upload answers without a file name).
        if response.status == "Rejected":
            raise self.refuse("GetLog", "status", "1.6 GetDiagnostics has no way to refuse")
        wire: Wire = {}
        put(wire, "fileName", response.filename)
        return wire

    def _reply_in_GetDiagnostics(self, request: Any, wire: Wire) -> x.GetLogResponse:
        return x.GetLogResponse(filename=wire.get("fileName"))

    # ------------------------------------------------------ station -> CSMS

    def _out_LogStatusNotification(
        self, request: x.LogStatusNotificationRequest
    ) -> "tuple[str, Wire]":
        if self.diagnostics_action(request) == "DiagnosticsStatusNotification":
            status = DIAGNOSTICS_STATUS_TO_16.get(request.status)
            if status is None:
                raise self.refuse(
                    "LogStatusNotification",
                    "status",
                    f"{request.status!r} has no 1.6 DiagnosticsStatusNotification counterpart",
                )
            return "DiagnosticsStatusNotification", {"status": status}
        wire: Wire = {"status": request.status}
        put(wire, "requestId", request.request_id)
        return "LogStatusNotification", wire

    def _in_LogStatusNotification(self, wire: Wire) -> x.LogStatusNotificationRequest:
        return x.LogStatusNotificationRequest(
            status=wire["status"], request_id=wire.get("requestId")
        )

    def _in_DiagnosticsStatusNotification(self, wire: Wire) -> x.LogStatusNotificationRequest:
        return x.LogStatusNotificationRequest(
            status=DIAGNOSTICS_STATUS_FROM_16[wire["status"]], v16_diagnostics=True
        )

    def _empty_log_reply_out(self, request: Any, response: Any) -> Wire:
        return {}

    def _log_status_reply_in(self, request: Any, wire: Wire) -> Any:
        return x.LogStatusNotificationResponse()

    _reply_out_LogStatusNotification = _empty_log_reply_out
    _reply_in_LogStatusNotification = _log_status_reply_in
    _reply_out_DiagnosticsStatusNotification = _empty_log_reply_out
    _reply_in_DiagnosticsStatusNotification = _log_status_reply_in
