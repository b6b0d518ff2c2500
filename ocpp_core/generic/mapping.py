"""The mapper base: one object per connection, generic <-> typed messages of one version.

A mapper is pure (no I/O): it turns a generic request into the typed request of its
version (`request_to_native`), a received typed request into a generic one
(`request_from_native`), and the same for responses, which need the request they
answer (`response_to_native`, `response_from_native`).

How a version implements it: a class attribute `ACTIONS` (operation -> the native
actions that carry it; the operation x version table of docs/generic.md is generated
from it) and four families of methods found by name:

- `_out_<Operation>(request) -> (action, wire)`   generic request -> wire dict
- `_in_<Action>(wire) -> generic request`         wire dict -> generic request
- `_reply_out_<Action>(request, response) -> wire`
- `_reply_in_<Action>(request, wire) -> generic response`

A *wire dict* is the JSON shape of the message (wire names), with datetimes as aware
`datetime` objects; `msgspec.convert` turns it into the typed message, checking every
type, length and enum of the schema, so a value the version cannot carry fails here,
before anything is sent.
"""

import datetime
import re
import types
from collections.abc import Callable
from typing import Any, cast

import msgspec

from ocpp_core.generic import model as g
from ocpp_core.generic import model_extra as x
from ocpp_core.generic.errors import NoGenericMapping, NotRepresentable, OperationNotAvailable
from ocpp_core.generic.model_2x import OPERATIONS_2X

Wire = dict[str, Any]
_MISSING = re.compile(r"Object missing required field `([^`]+)`")

# operation -> (generic request type, generic response type). The operation names are
# the OCPP 2.1 action names.
OPERATIONS: dict[str, tuple[type[g.GenericStruct], type[g.GenericStruct]]] = {
    "Authorize": (g.AuthorizeRequest, g.AuthorizeResponse),
    "BootNotification": (g.BootNotificationRequest, g.BootNotificationResponse),
    "ChangeAvailability": (g.ChangeAvailabilityRequest, g.ChangeAvailabilityResponse),
    "ClearCache": (g.ClearCacheRequest, g.ClearCacheResponse),
    "DataTransfer": (g.DataTransferRequest, g.DataTransferResponse),
    "GetTransactionStatus": (g.GetTransactionStatusRequest, g.GetTransactionStatusResponse),
    "GetVariables": (g.GetVariablesRequest, g.GetVariablesResponse),
    "Heartbeat": (g.HeartbeatRequest, g.HeartbeatResponse),
    "MeterValues": (g.MeterValuesRequest, g.MeterValuesResponse),
    "RequestStartTransaction": (
        g.RequestStartTransactionRequest,
        g.RequestStartTransactionResponse,
    ),
    "RequestStopTransaction": (g.RequestStopTransactionRequest, g.RequestStopTransactionResponse),
    "Reset": (g.ResetRequest, g.ResetResponse),
    "SetVariables": (g.SetVariablesRequest, g.SetVariablesResponse),
    "StatusNotification": (g.StatusNotificationRequest, g.StatusNotificationResponse),
    "TransactionEvent": (g.TransactionEventRequest, g.TransactionEventResponse),
    "TriggerMessage": (g.TriggerMessageRequest, g.TriggerMessageResponse),
    "UnlockConnector": (g.UnlockConnectorRequest, g.UnlockConnectorResponse),
    # ocpp_core.generic.model_extra
    "CancelReservation": (x.CancelReservationRequest, x.CancelReservationResponse),
    "CertificateSigned": (x.CertificateSignedRequest, x.CertificateSignedResponse),
    "GetLocalListVersion": (x.GetLocalListVersionRequest, x.GetLocalListVersionResponse),
    "GetLog": (x.GetLogRequest, x.GetLogResponse),
    "LogStatusNotification": (x.LogStatusNotificationRequest, x.LogStatusNotificationResponse),
    "ReserveNow": (x.ReserveNowRequest, x.ReserveNowResponse),
    "SecurityEventNotification": (
        x.SecurityEventNotificationRequest,
        x.SecurityEventNotificationResponse,
    ),
    "SendLocalList": (x.SendLocalListRequest, x.SendLocalListResponse),
    "SignCertificate": (x.SignCertificateRequest, x.SignCertificateResponse),
    "InstallCertificate": (x.InstallCertificateRequest, x.InstallCertificateResponse),
    "DeleteCertificate": (x.DeleteCertificateRequest, x.DeleteCertificateResponse),
    "GetInstalledCertificateIds": (
        x.GetInstalledCertificateIdsRequest,
        x.GetInstalledCertificateIdsResponse,
    ),
    "ClearChargingProfile": (x.ClearChargingProfileRequest, x.ClearChargingProfileResponse),
    "UpdateFirmware": (x.UpdateFirmwareRequest, x.UpdateFirmwareResponse),
    "FirmwareStatusNotification": (
        x.FirmwareStatusNotificationRequest,
        x.FirmwareStatusNotificationResponse,
    ),
    # ocpp_core.generic.model_2x (generated; 2.x mapping in passthrough.py)
    **OPERATIONS_2X,
}

OPERATION_OF: dict[type, str] = {}
for _name, (_request, _response) in OPERATIONS.items():
    OPERATION_OF[_request] = _name
    OPERATION_OF[_response] = _name


def operation_of(message: g.GenericStruct) -> str:
    """The operation of a generic request or response."""
    name = OPERATION_OF.get(type(message))
    if name is None:
        raise TypeError(f"not a generic message: {type(message).__name__!r}")
    return name


class Mapper:
    """Generic <-> typed messages of one OCPP version, for one connection."""

    version: str = ""
    messages: types.ModuleType
    ACTIONS: dict[str, tuple[str, ...]] = {}

    # ---------------------------------------------------------------- public API

    def available(self, operation: str) -> bool:
        return operation in self.ACTIONS

    def action_for(self, request: g.GenericStruct) -> str:
        """The native action a generic request becomes (raises if unavailable)."""
        operation = operation_of(request)
        actions = self.ACTIONS.get(operation)
        if actions is None:
            raise OperationNotAvailable(operation, self.version)
        return actions[0]

    def request_to_native(self, request: g.GenericStruct) -> Any:
        """The typed request of this version for a generic request."""
        operation = operation_of(request)
        if operation not in self.ACTIONS:
            raise OperationNotAvailable(operation, self.version)
        self._check_request(operation, request)
        handler = cast(Callable[[Any], "tuple[str, Wire]"], getattr(self, "_out_" + operation))
        action, wire = handler(request)
        return self._build(operation, self.messages.REQUESTS[action], wire)

    def request_from_native(self, native: Any) -> g.GenericStruct:
        """The generic request for a received typed request (`native` set)."""
        action = self._action_of_native(native, self.messages.REQUESTS)
        handler = getattr(self, "_in_" + action, None)
        if handler is None:
            raise NoGenericMapping(action, self.version)
        generic = cast(g.GenericStruct, handler(_wire(native)))
        return msgspec.structs.replace(generic, native=native)

    def response_to_native(self, request: g.GenericStruct, response: g.GenericStruct) -> Any:
        """The typed response of this version answering `request` with `response`."""
        operation = operation_of(request)
        if operation not in self.ACTIONS:
            raise OperationNotAvailable(operation, self.version)
        if type(response) is not OPERATIONS[operation][1]:
            raise TypeError(
                f"{OPERATIONS[operation][1].__name__} answers {operation}, "
                f"not {type(response).__name__}"
            )
        action = self._request_action(request)
        handler = cast(Callable[[Any, Any], Wire], getattr(self, "_reply_out_" + action))
        return self._build(operation, self.messages.RESPONSES[action], handler(request, response))

    def response_from_native(self, request: g.GenericStruct, native: Any) -> g.GenericStruct:
        """The generic response for the typed response `native` answering `request`."""
        action = self._request_action(request)
        if type(native) is not self.messages.RESPONSES[action]:
            raise TypeError(f"{type(native).__name__} does not answer {self.version} {action}")
        handler = getattr(self, "_reply_in_" + action)
        generic = cast(g.GenericStruct, handler(request, _wire(native)))
        return msgspec.structs.replace(generic, native=native)

    # ---------------------------------------------------------------- plumbing

    def _check_request(self, operation: str, request: g.GenericStruct) -> None:
        """Hook: refuse a request before it is built (state checks); default none."""

    def _request_action(self, request: g.GenericStruct) -> str:
        # A request received on this connection names its action by its native message;
        # one built by the application (or received on another connection, of another
        # version) by the generic rule.
        native = getattr(request, "native", None)
        action = cast("dict[type, str]", self.messages.ACTION_OF).get(type(native))
        if action is not None and self.messages.REQUESTS.get(action) is type(native):
            return action
        return self.action_for(request)

    def _action_of_native(self, native: Any, registry: "dict[str, type]") -> str:
        action = cast("dict[type, str]", self.messages.ACTION_OF).get(type(native))
        if action is None or registry.get(action) is not type(native):
            raise TypeError(f"not an OCPP {self.version} request: {type(native).__name__!r}")
        return action

    def _build(self, operation: str, target: type, wire: Wire) -> Any:
        try:
            return msgspec.convert(wire, target)
        except msgspec.ValidationError as error:
            text = str(error)
            path = "$"
            if " - at `" in text:
                text, _, rest = text.partition(" - at `")
                path = rest.rstrip("`")
            missing = _MISSING.match(text)
            if missing:  # name the field itself, not only the object lacking it
                path += "." + missing.group(1)
            raise NotRepresentable(operation, self.version, path, text) from None

    def required(self, operation: str, field: str, value: Any) -> Any:
        """`value`, or NotRepresentable when a field this version requires is None."""
        if value is None:
            raise self.refuse(operation, field, f"required in OCPP {self.version}")
        return value

    def refuse(self, operation: str, field: str, reason: str) -> NotRepresentable:
        """The error for a generic value this version cannot carry (raise it)."""
        return NotRepresentable(operation, self.version, field, reason)


def _wire(native: Any) -> Wire:
    return cast(Wire, msgspec.to_builtins(native, builtin_types=(datetime.datetime,)))


# ------------------------------------------------------------------- wire helpers


def put(wire: Wire, key: str, value: Any) -> None:
    """Set `key` unless `value` is None (absent optional field)."""
    if value is not None:
        wire[key] = value


def status_info_out(info: "g.StatusInfo | None") -> "Wire | None":
    if info is None:
        return None
    wire: Wire = {"reasonCode": info.reason_code}
    put(wire, "additionalInfo", info.additional_info)
    return wire


def status_info_in(wire: "Wire | None") -> "g.StatusInfo | None":
    if wire is None:
        return None
    return g.StatusInfo(reason_code=wire["reasonCode"], additional_info=wire.get("additionalInfo"))


def status_reply_out(response: Any) -> Wire:
    """{status, statusInfo}: the shape of most 2.x responses (1.6 has no statusInfo)."""
    wire: Wire = {"status": response.status}
    put(wire, "statusInfo", status_info_out(response.status_info))
    return wire
