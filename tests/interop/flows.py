"""The interop scenarios as wire payloads (camelCase JSON objects), per version.

Both implementations are driven from the same payloads: ours through
`msgspec.convert(payload, <typed Struct>)`, mobilityhouse's through its dataclasses
with snake_case keyword arguments. Each side checks it received exactly what was sent.
"""

import msgspec
from ocpp.charge_point import camel_to_snake_case

from ocpp_core.handlers import messages_of

T = "2026-01-31T12:00:00Z"
TAG = "TAG1"
VERSIONS = ["1.6", "2.0.1", "2.1"]
SUBPROTOCOL = {"1.6": "ocpp1.6", "2.0.1": "ocpp2.0.1", "2.1": "ocpp2.1"}

_ID_TOKEN = {"idToken": TAG, "type": "ISO14443"}


def _sample(value, v16):
    if v16:
        return {"value": str(value), "measurand": "Energy.Active.Import.Register", "unit": "Wh"}
    return {"value": float(value), "measurand": "Energy.Active.Import.Register"}


def _meter(value, v16):
    return [{"timestamp": T, "sampledValue": [_sample(value, v16)]}]


def station_flow(version):
    """(action, request, response) the station sends in order: boot, heartbeat, status,
    authorize, a whole transaction with meter values."""
    if version == "1.6":
        return [
            (
                "BootNotification",
                {"chargePointModel": "M1", "chargePointVendor": "V1"},
                {"currentTime": T, "interval": 300, "status": "Accepted"},
            ),
            ("Heartbeat", {}, {"currentTime": T}),
            (
                "StatusNotification",
                {"connectorId": 1, "errorCode": "NoError", "status": "Available"},
                {},
            ),
            ("Authorize", {"idTag": TAG}, {"idTagInfo": {"status": "Accepted"}}),
            (
                "StartTransaction",
                {"connectorId": 1, "idTag": TAG, "meterStart": 0, "timestamp": T},
                {"transactionId": 42, "idTagInfo": {"status": "Accepted"}},
            ),
            (
                "MeterValues",
                {"connectorId": 1, "transactionId": 42, "meterValue": _meter(1500, True)},
                {},
            ),
            (
                "StopTransaction",
                {"meterStop": 3000, "timestamp": T, "transactionId": 42, "reason": "Local"},
                {},
            ),
        ]
    # mobilityhouse's 2.1 TransactionEvent always sends `offline` (default False).
    event = {"timestamp": T, "evse": {"id": 1, "connectorId": 1}, "offline": False}
    return [
        (
            "BootNotification",
            {"chargingStation": {"model": "M1", "vendorName": "V1"}, "reason": "PowerUp"},
            {"currentTime": T, "interval": 300, "status": "Accepted"},
        ),
        ("Heartbeat", {}, {"currentTime": T}),
        (
            "StatusNotification",
            {"timestamp": T, "connectorStatus": "Available", "evseId": 1, "connectorId": 1},
            {},
        ),
        ("Authorize", {"idToken": _ID_TOKEN}, {"idTokenInfo": {"status": "Accepted"}}),
        (
            "TransactionEvent",
            dict(
                event,
                eventType="Started",
                triggerReason="Authorized",
                seqNo=0,
                transactionInfo={"transactionId": "T1", "chargingState": "Charging"},
                idToken=_ID_TOKEN,
                meterValue=_meter(0, False),
            ),
            {"idTokenInfo": {"status": "Accepted"}},
        ),
        (
            "TransactionEvent",
            dict(
                event,
                eventType="Updated",
                triggerReason="MeterValuePeriodic",
                seqNo=1,
                transactionInfo={"transactionId": "T1", "chargingState": "Charging"},
                meterValue=_meter(1500, False),
            ),
            {},
        ),
        (
            "TransactionEvent",
            dict(
                event,
                eventType="Ended",
                triggerReason="StopAuthorized",
                seqNo=2,
                transactionInfo={"transactionId": "T1", "stoppedReason": "Local"},
                meterValue=_meter(3000, False),
            ),
            {},
        ),
    ]


def remote_start(version):
    """(action, request, response) of the CSMS's remote start."""
    if version == "1.6":
        return "RemoteStartTransaction", {"idTag": TAG, "connectorId": 1}, {"status": "Accepted"}
    request = {"idToken": _ID_TOKEN, "remoteStartId": 7, "evseId": 1}
    return "RequestStartTransaction", request, {"status": "Accepted"}


def remote_started(version):
    """(action, request, response): the transaction the remote start leads to."""
    if version == "1.6":
        return (
            "StartTransaction",
            {"connectorId": 1, "idTag": TAG, "meterStart": 3000, "timestamp": T},
            {"transactionId": 43, "idTagInfo": {"status": "Accepted"}},
        )
    return (
        "TransactionEvent",
        {
            "timestamp": T,
            "evse": {"id": 1, "connectorId": 1},
            "offline": False,
            "eventType": "Started",
            "triggerReason": "RemoteStart",
            "seqNo": 0,
            "transactionInfo": {"transactionId": "T2", "remoteStartId": 7},
            "idToken": _ID_TOKEN,
        },
        {"idTokenInfo": {"status": "Accepted"}},
    )


# -- our side: typed messages ----------------------------------------------------------


def ours(version, kind, action, payload):
    """The typed request ("request") or response ("response") of a wire payload."""
    module = messages_of(version)
    table = module.REQUESTS if kind == "request" else module.RESPONSES
    return msgspec.convert(payload, table[action])


def wire(message):
    """A typed message back to its wire payload."""
    return msgspec.to_builtins(message)


# -- their side: mobilityhouse dataclasses ----------------------------------------------


def their_modules(version):
    if version == "1.6":
        from ocpp.v16 import ChargePoint, call, call_result
    elif version == "2.0.1":
        from ocpp.v201 import ChargePoint, call, call_result
    else:
        from ocpp.v21 import ChargePoint, call, call_result
    return ChargePoint, call, call_result


def theirs(module, action, payload):
    return getattr(module, action)(**camel_to_snake_case(payload))
