"""The exact validator, case by case; prints one block per case.

Run on MicroPython (node tests/micropython/run.mjs) and on CPython: the pytest test
asserts both print the same text, and checks the codes and paths it expects.
Payloads are written as JSON text and parsed with `json.loads`, as they arrive on
the wire. Output lines:

    <version> <type> <label>: valid
    <version> <type> <label>: <n> violation(s)
      <kind> <code> <path> | <message>
"""

import json

from ocpp_core.quirks import DROP, DROPPED, TRUNCATE, QuirksPolicy
from ocpp_core.validator import Validator

CASES = (
    # -- 1.6 ---------------------------------------------------------------------
    (
        "1.6",
        "BootNotificationRequest",
        "valid",
        '{"chargePointVendor": "ACME", "chargePointModel": "X1"}',
    ),
    ("1.6", "BootNotificationRequest", "missing-model", '{"chargePointVendor": "ACME"}'),
    (
        "1.6",
        "BootNotificationRequest",
        "long-vendor-int-model",
        '{"chargePointVendor": "ACME-ACME-ACME-ACME-1", "chargePointModel": 7}',
    ),
    (
        "1.6",
        "BootNotificationRequest",
        "unexpected-field",
        '{"chargePointVendor": "ACME", "chargePointModel": "X1", "colour": "red"}',
    ),
    (
        "1.6",
        "BootNotificationRequest",
        "four-unexpected-fields",
        '{"zeta": 1, "chargePointVendor": "ACME", "alpha": 2, "chargePointModel": "X1",'
        ' "mid": 3, "beta": 4}',
    ),
    ("1.6", "BootNotificationRequest", "not-an-object", "[]"),
    (
        "1.6",
        "BootNotificationResponse",
        "valid",
        '{"status": "Accepted", "currentTime": "2024-05-01T12:00:00Z", "interval": 300}',
    ),
    (
        "1.6",
        "BootNotificationResponse",
        "bad-status-bad-time",
        '{"status": "OK", "currentTime": "yesterday", "interval": 300}',
    ),
    (
        "1.6",
        "StatusNotificationRequest",
        "valid",
        '{"connectorId": 1, "errorCode": "NoError", "status": "Available"}',
    ),
    (
        "1.6",
        "StatusNotificationRequest",
        "bool-connector",
        '{"connectorId": true, "errorCode": "NoError", "status": "Available"}',
    ),
    (
        "1.6",
        "StatusNotificationRequest",
        "float-connector",
        '{"connectorId": 1.0, "errorCode": "NoError", "status": "Available"}',
    ),
    (
        "1.6",
        "MeterValuesRequest",
        "valid",
        '{"connectorId": 1, "meterValue": [{"timestamp": "2024-05-01T12:00:00Z",'
        ' "sampledValue": [{"value": "1200", "measurand": "Energy.Active.Import.Register"}]}]}',
    ),
    (
        "1.6",
        "MeterValuesRequest",
        "nested-errors",
        '{"connectorId": 1, "meterValue": [{"timestamp": "2024-05-01T12:00:00Z",'
        ' "sampledValue": [{"value": "1"}, {"value": 2, "unit": "Furlong"}]}]}',
    ),
    ("1.6", "MeterValuesRequest", "empty-meter-value", '{"connectorId": 1, "meterValue": []}'),
    ("1.6", "HeartbeatRequest", "valid", "{}"),
    ("1.6", "HeartbeatResponse", "missing-time", "{}"),
    (
        "1.6",
        "SetChargingProfileRequest",
        "limit-multiple-of-0.1",
        '{"connectorId": 1, "csChargingProfiles": {"chargingProfileId": 1, "stackLevel": 0,'
        ' "chargingProfilePurpose": "TxDefaultProfile", "chargingProfileKind": "Absolute",'
        ' "chargingSchedule": {"chargingRateUnit": "A", "chargingSchedulePeriod":'
        ' [{"startPeriod": 0, "limit": 8.1}, {"startPeriod": 60, "limit": 8.15}]}}}',
    ),
    # -- 2.0.1 -------------------------------------------------------------------
    (
        "2.0.1",
        "BootNotificationRequest",
        "valid",
        '{"reason": "PowerUp", "chargingStation": {"model": "X1", "vendorName": "ACME"}}',
    ),
    (
        "2.0.1",
        "BootNotificationRequest",
        "bad-reason-missing-model",
        '{"reason": "Nope", "chargingStation": {"vendorName": "ACME"}}',
    ),
    (
        "2.0.1",
        "BootNotificationRequest",
        "long-serial-unexpected",
        '{"reason": "PowerUp", "chargingStation": {"model": "X1", "vendorName": "ACME",'
        ' "serialNumber": "SN-0123456789-0123456789-X", "colour": "red"}}',
    ),
    (
        "2.0.1",
        "StatusNotificationRequest",
        "valid",
        '{"timestamp": "2024-05-01T12:00:00Z", "connectorStatus": "Available",'
        ' "evseId": 1, "connectorId": 1}',
    ),
    (
        "2.0.1",
        "StatusNotificationRequest",
        "no-zone-time-string-evse",
        '{"timestamp": "2024-05-01T12:00:00", "connectorStatus": "Available",'
        ' "evseId": "1", "connectorId": 1}',
    ),
    (
        "2.0.1",
        "MeterValuesRequest",
        "value-not-number",
        '{"evseId": 1, "meterValue": [{"timestamp": "2024-05-01T12:00:00Z",'
        ' "sampledValue": [{"value": 1.5}, {"value": "abc"}]}]}',
    ),
    ("2.0.1", "HeartbeatResponse", "valid", '{"currentTime": "2024-05-01T12:00:00.123+02:00"}'),
    ("2.0.1", "HeartbeatResponse", "null-time", '{"currentTime": null}'),
    # -- 2.1 ---------------------------------------------------------------------
    (
        "2.1",
        "BootNotificationRequest",
        "valid",
        '{"reason": "PowerUp", "chargingStation": {"model": "X1", "vendorName": "ACME"}}',
    ),
    (
        "2.1",
        "BootNotificationRequest",
        "missing-both",
        '{"customData": {"vendorId": "acme", "extra": 1}}',
    ),
    ("2.1", "HeartbeatResponse", "valid", '{"currentTime": "2024-05-01T12:00:00Z"}'),
    (
        "2.1",
        "StatusNotificationRequest",
        "negative-evse",
        '{"timestamp": "2024-05-01T12:00:00Z", "connectorStatus": "Occupied",'
        ' "evseId": -1, "connectorId": 1}',
    ),
)


# QuirksPolicy fixes (ocpp_core.quirks through Validator.fix): one lenient policy.
QUIRK_CASES = (
    (
        "1.6",
        "StatusNotificationRequest",
        "five-fixups-in-one-object",
        '{"connectorId": "1", "status": "available", "errorCode": "NoError",'
        ' "timestamp": "2024-05-01T12:00:00", "info": null, "colour": "red",'
        ' "vendorErrorCode": "E-0123456789-0123456789-0123456789-0123456789-0123456789"}',
    ),
    (
        "2.0.1",
        "MeterValuesRequest",
        "nested-fixups",
        '{"evseId": "1", "meterValue": [{"timestamp": "2024-05-01T12:00:00",'
        ' "sampledValue": [{"value": "12.5", "measurand": "energy.active.import.register"}]}]}',
    ),
    ("2.1", "HeartbeatResponse", "still-invalid", '{"currentTime": "soon"}'),
)


def canon(value):
    """JSON text with object keys sorted (same on MicroPython and CPython)."""
    if isinstance(value, dict):
        keys = sorted(value)
        return "{" + ", ".join(json.dumps(k) + ": " + canon(value[k]) for k in keys) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(canon(item) for item in value) + "]"
    return json.dumps(value)


def show(value):
    return "DROPPED" if value is DROPPED else canon(value)


def quirks_main():
    policy = QuirksPolicy(
        overlong_strings=TRUNCATE,
        zoneless_timestamps_utc=True,
        enum_case=True,
        numbers_as_strings=True,
        null_optional=DROP,
        unknown_fields=DROP,
    )
    for version, type_name, label, text in QUIRK_CASES:
        validator = Validator(version, quirks=policy)
        fixed, fixups, violations = validator.fix(type_name, json.loads(text))
        print(version + " " + type_name + " " + label + " (quirks): " + canon(fixed))
        for f in fixups:
            print(
                "  fixup " + f.knob + " " + f.path + " " + show(f.original) + " -> " + show(f.new)
            )
        for v in violations:
            print("  left " + v.kind + " " + v.code + " " + v.path)


def main():
    validators = {}
    for version, type_name, label, text in CASES:
        validator = validators.get(version)
        if validator is None:
            validator = validators[version] = Validator(version)
        violations = validator.validate(type_name, json.loads(text))
        head = version + " " + type_name + " " + label + ": "
        if not violations:
            print(head + "valid")
            continue
        print(head + str(len(violations)) + " violation(s)")
        for v in violations:
            print("  " + v.kind + " " + v.code + " " + v.path + " | " + v.message)
    print("cases: " + str(len(CASES)))
    quirks_main()


main()
