"""Hand-written cases for ocpp_core.validator: one or more per violation kind and version,
with the exact code spelling and JSON path."""

import os

import pytest

from ocpp_core import versions
from ocpp_core.errors import Violation
from ocpp_core.validator import Validator, describe, is_type, render_path, validate
from ocpp_core.validator.formats import (
    DATETIME_BAD,
    DATETIME_NO_ZONE,
    DATETIME_OK,
    datetime_status,
    decimal_parts,
    is_multiple_of_decimal,
    is_multiple_of_float,
    is_uri,
)

V16, V201, V21 = versions.V16, versions.V201, versions.V21
V2X = (V201, V21)

BOOT16 = {"chargePointVendor": "ACME", "chargePointModel": "Wallbox"}
BOOT2X = {
    "reason": "PowerUp",
    "chargingStation": {"model": "Wallbox", "vendorName": "ACME"},
}
NOW = "2025-01-31T12:00:00Z"


def one(version: str, type_name: str, payload: object) -> Violation:
    found = Validator(version).validate(type_name, payload)
    assert len(found) == 1, found
    return found[0]


# --- valid payloads -------------------------------------------------------------------


@pytest.mark.parametrize(
    "version,type_name,payload",
    [
        (V16, "BootNotificationRequest", BOOT16),
        (V16, "HeartbeatRequest", {}),
        (V16, "HeartbeatResponse", {"currentTime": NOW}),
        (V201, "BootNotificationRequest", BOOT2X),
        (V21, "BootNotificationRequest", BOOT2X),
        (
            V201,
            "BootNotificationResponse",
            {"currentTime": NOW, "interval": 300, "status": "Accepted"},
        ),
    ],
)
def test_valid_payloads_have_no_violation(version: str, type_name: str, payload: object) -> None:
    assert Validator(version).validate(type_name, payload) == []
    assert Validator(version).is_valid(type_name, payload)


# --- required ---------------------------------------------------------------------------


def test_missing_required_16_uses_the_one_r_spelling() -> None:
    v = one(V16, "BootNotificationRequest", {"chargePointVendor": "ACME"})
    assert (v.kind, v.code, v.path) == (
        versions.REQUIRED,
        "OccurenceConstraintViolation",
        "$.chargePointModel",
    )
    assert v.message == "missing required field $.chargePointModel"


@pytest.mark.parametrize("version", V2X)
def test_missing_required_2x_uses_the_correct_spelling(version: str) -> None:
    v = one(
        version, "BootNotificationRequest", {"reason": "PowerUp", "chargingStation": {"model": "M"}}
    )
    assert (v.kind, v.code, v.path) == (
        versions.REQUIRED,
        "OccurrenceConstraintViolation",
        "$.chargingStation.vendorName",
    )


def test_missing_required_fields_come_in_schema_order() -> None:
    found = Validator(V16).validate("BootNotificationRequest", {})
    assert [v.path for v in found] == ["$.chargePointVendor", "$.chargePointModel"]


# --- additional properties ----------------------------------------------------------


def test_extra_property_16_is_formation_violation() -> None:
    v = one(V16, "BootNotificationRequest", dict(BOOT16, colour="red"))
    assert (v.kind, v.code, v.path) == (
        versions.ADDITIONAL_PROPERTY,
        "FormationViolation",
        "$.colour",
    )


@pytest.mark.parametrize("version", V2X)
def test_extra_property_2x_is_format_violation(version: str) -> None:
    payload = {"reason": "PowerUp", "chargingStation": {"model": "M", "vendorName": "V", "x": 1}}
    v = one(version, "BootNotificationRequest", payload)
    assert (v.kind, v.code, v.path) == (
        versions.ADDITIONAL_PROPERTY,
        "FormatViolation",
        "$.chargingStation.x",
    )


def test_odd_property_names_are_quoted_in_the_path() -> None:
    v = one(V16, "HeartbeatRequest", {"a b'": 1})
    assert v.path == "$['a b\\'']"


# --- customData (2.x) ----------------------------------------------------------------


@pytest.mark.parametrize("version", V2X)
def test_custom_data_with_extra_members_is_accepted(version: str) -> None:
    payload = dict(BOOT2X, customData={"vendorId": "com.acme", "anything": [1, {"x": None}]})
    assert Validator(version).validate("BootNotificationRequest", payload) == []


@pytest.mark.parametrize("version", V2X)
def test_custom_data_without_vendor_id_is_rejected(version: str) -> None:
    v = one(version, "BootNotificationRequest", dict(BOOT2X, customData={"anything": 1}))
    assert (v.kind, v.code, v.path) == (
        versions.REQUIRED,
        "OccurrenceConstraintViolation",
        "$.customData.vendorId",
    )


@pytest.mark.parametrize("version", V2X)
def test_custom_data_vendor_id_over_255_is_rejected(version: str) -> None:
    v = one(version, "BootNotificationRequest", dict(BOOT2X, customData={"vendorId": "v" * 256}))
    assert (v.kind, v.path) == (versions.MAX_LENGTH, "$.customData.vendorId")


# --- type -----------------------------------------------------------------------------


@pytest.mark.parametrize("version", (V16, V201, V21))
def test_bool_is_not_an_integer(version: str) -> None:
    payload = {"currentTime": NOW, "interval": True, "status": "Accepted"}
    v = one(version, "BootNotificationResponse", payload)
    assert (v.kind, v.code, v.path) == (versions.TYPE, "TypeConstraintViolation", "$.interval")
    assert "boolean" in v.message


@pytest.mark.parametrize("version", (V16, V201, V21))
def test_integer_is_not_a_boolean_nor_a_string(version: str) -> None:
    assert is_type("integer", 1) and not is_type("boolean", 1) and not is_type("string", 1)
    assert is_type("boolean", False) and not is_type("integer", False)
    assert not is_type("number", True)


def test_a_float_is_never_an_integer_even_when_whole() -> None:
    payload = {"currentTime": NOW, "interval": 300.0, "status": "Accepted"}
    for version in (V16, V201):
        v = one(version, "BootNotificationResponse", payload)
        assert (v.kind, v.path) == (versions.TYPE, "$.interval")


def test_nan_and_infinity_are_not_numbers() -> None:
    assert is_type("number", 1.5) and is_type("number", 2)
    assert not is_type("number", float("nan"))
    assert not is_type("number", float("inf"))


@pytest.mark.parametrize("version", V2X)
def test_null_for_an_optional_field_is_a_type_violation_in_2x(version: str) -> None:
    payload = {
        "reason": "PowerUp",
        "chargingStation": {"model": "M", "vendorName": "V", "serialNumber": None},
    }
    v = one(version, "BootNotificationRequest", payload)
    assert (v.kind, v.code, v.path) == (
        versions.TYPE,
        "TypeConstraintViolation",
        "$.chargingStation.serialNumber",
    )
    assert "null" in v.message and "left out" in v.message


def test_null_for_an_optional_field_16() -> None:
    v = one(V16, "BootNotificationRequest", dict(BOOT16, chargePointSerialNumber=None))
    assert (v.kind, v.code, v.path) == (
        versions.TYPE,
        "TypeConstraintViolation",
        "$.chargePointSerialNumber",
    )


@pytest.mark.parametrize("payload", [[], "{}", None, 1, True, ["a"]])
@pytest.mark.parametrize("version", (V16, V201, V21))
def test_payload_not_an_object(version: str, payload: object) -> None:
    v = one(version, "HeartbeatRequest", payload)
    assert (v.kind, v.code, v.path) == (versions.PAYLOAD_NOT_OBJECT, "TypeConstraintViolation", "$")


def test_object_for_an_array_and_array_for_a_string() -> None:
    payload = {"connectorId": 1, "meterValue": {"timestamp": NOW, "sampledValue": [{"value": "1"}]}}
    v = one(V16, "MeterValuesRequest", payload)
    assert (v.kind, v.path) == (versions.TYPE, "$.meterValue")
    payload = {
        "connectorId": 1,
        "meterValue": [{"timestamp": NOW, "sampledValue": [{"value": ["1"]}]}],
    }
    v = one(V16, "MeterValuesRequest", payload)
    assert (v.kind, v.path) == (versions.TYPE, "$.meterValue[0].sampledValue[0].value")


# --- lengths ---------------------------------------------------------------------------


def test_max_length_message_and_code_16() -> None:
    v = one(V16, "BootNotificationRequest", dict(BOOT16, chargePointModel="x" * 23))
    assert (v.kind, v.code, v.path) == (
        versions.MAX_LENGTH,
        "TypeConstraintViolation",
        "$.chargePointModel",
    )
    assert v.message == (
        "expected a string of at most 20 characters at $.chargePointModel, got 23 characters"
    )


def test_max_length_counts_code_points_not_bytes() -> None:
    # 20 code points, 60 UTF-8 bytes, one astral character: still within maxLength 20
    model = "\u20ac" * 19 + "\U0001f50c"
    assert (
        Validator(V16).validate("BootNotificationRequest", dict(BOOT16, chargePointModel=model))
        == []
    )
    v = one(V16, "BootNotificationRequest", dict(BOOT16, chargePointModel=model + "\u00e9"))
    assert v.kind == versions.MAX_LENGTH


def test_max_length_deep_path_2x() -> None:
    payload = {
        "evseId": 1,
        "meterValue": [
            {
                "timestamp": NOW,
                "sampledValue": [
                    {"value": 1.5},
                    {"value": 2, "unitOfMeasure": {"unit": "u" * 21}},
                ],
            }
        ],
    }
    v = one(V201, "MeterValuesRequest", payload)
    assert v.path == "$.meterValue[0].sampledValue[1].unitOfMeasure.unit"
    assert v.code == "TypeConstraintViolation"


# --- enum ------------------------------------------------------------------------------


@pytest.mark.parametrize("version", (V16, V201, V21))
def test_enum_wrong_case_is_property_constraint(version: str) -> None:
    payload = {"currentTime": NOW, "interval": 10, "status": "accepted"}
    v = one(version, "BootNotificationResponse", payload)
    assert (v.kind, v.code, v.path) == (versions.ENUM, "PropertyConstraintViolation", "$.status")
    assert "'Accepted'" in v.message and "'accepted'" in v.message


# --- items -----------------------------------------------------------------------------


@pytest.mark.parametrize("version", V2X)
def test_min_items_empty_list_is_occurrence(version: str) -> None:
    v = one(version, "MeterValuesRequest", {"evseId": 1, "meterValue": []})
    assert (v.kind, v.code, v.path) == (
        versions.MIN_ITEMS,
        "OccurrenceConstraintViolation",
        "$.meterValue",
    )
    assert v.message == "expected at least 1 item at $.meterValue, got 0"


def test_max_items_2x() -> None:
    ids = [{"idToken": f"t{i}", "type": "Central"} for i in range(3)]
    # AuthorizeRequest.iso15118CertificateHashData has maxItems 4
    hashes = [
        {
            "hashAlgorithm": "SHA256",
            "issuerNameHash": "a",
            "issuerKeyHash": "b",
            "serialNumber": "c",
            "responderURL": "http://x",
        }
    ] * 5
    v = one(V201, "AuthorizeRequest", {"idToken": ids[0], "iso15118CertificateHashData": hashes})
    assert (v.kind, v.code, v.path) == (
        versions.MAX_ITEMS,
        "OccurrenceConstraintViolation",
        "$.iso15118CertificateHashData",
    )


# --- numbers ---------------------------------------------------------------------------


def ev_needs(state_of_charge: object) -> dict[str, object]:
    return {
        "evseId": 1,
        "chargingNeeds": {
            "requestedEnergyTransfer": "DC",
            "dcChargingParameters": {
                "evMaxCurrent": 200,
                "evMaxVoltage": 800,
                "stateOfCharge": state_of_charge,
            },
        },
    }


@pytest.mark.parametrize("version", V2X)
@pytest.mark.parametrize(
    "soc,kind", [(0, None), (100, None), (-1, versions.MINIMUM), (101, versions.MAXIMUM)]
)
def test_minimum_and_maximum_2x(version: str, soc: int, kind: str | None) -> None:
    found = Validator(version).validate("NotifyEVChargingNeedsRequest", ev_needs(soc))
    if kind is None:
        assert found == []
        return
    assert [(v.kind, v.code, v.path) for v in found] == [
        (kind, "PropertyConstraintViolation", "$.chargingNeeds.dcChargingParameters.stateOfCharge")
    ]
    sign = ">=" if kind == versions.MINIMUM else "<="
    assert "expected a number " + sign in found[0].message


def schedule16(limit: object) -> dict[str, object]:
    return {
        "connectorId": 1,
        "csChargingProfiles": {
            "chargingProfileId": 1,
            "stackLevel": 0,
            "chargingProfilePurpose": "TxDefaultProfile",
            "chargingProfileKind": "Absolute",
            "chargingSchedule": {
                "chargingRateUnit": "A",
                "chargingSchedulePeriod": [{"startPeriod": 0, "limit": limit}],
            },
        },
    }


@pytest.mark.parametrize("limit", [8.1, 0.3, 6.1, 16, 32.0, 0.0, 1e2, 92.6])
def test_multiple_of_accepts_one_decimal_limits(limit: float) -> None:
    assert Validator(V16).validate("SetChargingProfileRequest", schedule16(limit)) == []


@pytest.mark.parametrize("limit", [8.15, 0.01, 6.25, 1e-5])
def test_multiple_of_rejects_two_decimals(limit: float) -> None:
    v = one(V16, "SetChargingProfileRequest", schedule16(limit))
    assert (v.kind, v.code) == (versions.MULTIPLE_OF, "PropertyConstraintViolation")
    assert v.path == "$.csChargingProfiles.chargingSchedule.chargingSchedulePeriod[0].limit"


def test_multiple_of_helpers() -> None:
    assert decimal_parts(8.1) == (81, -1)
    assert decimal_parts(1e22) == (1, 22)
    assert decimal_parts(-2.5e-7) == (-25, -8)
    assert decimal_parts(float("inf")) is None
    assert is_multiple_of_decimal(8.1, 0.1) and not is_multiple_of_float(8.1, 0.1)
    assert is_multiple_of_decimal(10, 5) and is_multiple_of_float(10, 5)
    assert not is_multiple_of_decimal(10, 3) and not is_multiple_of_float(10, 3)
    assert is_multiple_of_float(1e308, 0.1) == is_multiple_of_decimal(1e308, 0.1)


# --- date-time -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,status",
    [
        ("2025-01-31T12:00:00Z", DATETIME_OK),
        ("2025-01-31t12:00:00z", DATETIME_OK),
        ("2025-01-31T12:00:00+01:00", DATETIME_OK),
        ("2025-01-31T12:00:00-23:59", DATETIME_OK),
        ("2025-01-31T12:00:00.123456789Z", DATETIME_OK),
        ("2024-02-29T00:00:00Z", DATETIME_OK),
        ("2000-02-29T23:59:59Z", DATETIME_OK),
        ("2025-01-31T12:00:00", DATETIME_NO_ZONE),
        ("2025-01-31T12:00:00.5", DATETIME_NO_ZONE),
        ("2025-01-31 12:00:00Z", DATETIME_BAD),
        ("2025-01-31T12:00:00+0100", DATETIME_BAD),
        ("2025-01-31T12:00:00+24:00", DATETIME_BAD),
        ("2025-02-29T00:00:00Z", DATETIME_BAD),
        ("1900-02-29T00:00:00Z", DATETIME_BAD),
        ("2025-04-31T00:00:00Z", DATETIME_BAD),
        ("2025-01-31T24:00:00Z", DATETIME_BAD),
        ("2025-01-31T12:60:00Z", DATETIME_BAD),
        ("2025-01-31T12:00:60Z", DATETIME_BAD),
        ("2025-13-01T00:00:00Z", DATETIME_BAD),
        ("2025-00-01T00:00:00Z", DATETIME_BAD),
        ("2025-01-00T00:00:00Z", DATETIME_BAD),
        ("0000-01-01T00:00:00Z", DATETIME_BAD),
        ("2025-01-31T12:00:00.Z", DATETIME_BAD),
        ("2025-01-31T12:00:00ZZ", DATETIME_BAD),
        ("2025-01-31T12:00:00Z\n", DATETIME_BAD),
        ("2025-01-31", DATETIME_BAD),
        ("\uff12\uff10\uff12\uff15-01-31T12:00:00Z", DATETIME_BAD),  # fullwidth digits
        ("", DATETIME_BAD),
    ],
)
def test_datetime_status(text: str, status: int) -> None:
    assert datetime_status(text) == status


@pytest.mark.parametrize("version", (V16, V201, V21))
def test_bad_datetime_in_a_payload_is_type_constraint(version: str) -> None:
    v = one(version, "HeartbeatResponse", {"currentTime": "2025-01-31 12:00:00Z"})
    assert (v.kind, v.code, v.path) == (versions.FORMAT, "TypeConstraintViolation", "$.currentTime")
    v = one(version, "HeartbeatResponse", {"currentTime": "2025-01-31T12:00:00"})
    assert v.kind == versions.FORMAT and "time zone" in v.message


# --- uri ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,ok",
    [
        ("ftp://user:pw@host.example:21/diag/", True),
        ("https://[2001:db8::1]:8443/a?b=c#d", True),
        ("http://[::ffff:10.0.0.1]/", True),
        ("http://[v1.fe:80]/", True),
        ("urn:isbn:0451450523", True),
        ("mailto:a@b.c", True),
        ("file:///tmp/x%20y", True),
        ("http://host/a%2", False),
        ("http://host/a b", False),
        ("/relative/path", False),
        ("host.example/path", False),
        ("1http://x", False),
        ("http://[::1/", False),
        ("http://ho st/", False),
        ("http://host:port/", False),
        ("http://h\u00e9st/", False),
        ("", False),
    ],
)
def test_uri(text: str, ok: bool) -> None:
    assert is_uri(text) is ok


def test_bad_uri_in_a_16_payload() -> None:
    payload = {"location": "not a uri", "retrieveDate": NOW}
    v = one(V16, "UpdateFirmwareRequest", payload)
    assert (v.kind, v.code, v.path) == (versions.FORMAT, "TypeConstraintViolation", "$.location")


# --- small hand-made tables: keywords the OCPP schemas use rarely or never -------------

TABLE = {
    "T": (
        {
            "type": "object",
            "additionalProperties": False,
            "properties": [
                ["s", {"type": "string", "minLength": 2, "maxLength": 4}],
                ["n", {"type": "number", "minimum": 0, "exclusiveMaximum": 10}],
                ["m", {"type": "integer", "minimum": 0, "maximum": 5, "exclusiveMinimum": True}],
                ["either", {"type": ["string", "integer"]}],
                ["list", {"type": "array", "minItems": 1, "maxItems": 2, "items": {"ref": "Item"}}],
                ["open", {"type": "object", "additionalProperties": {"type": "integer"}}],
            ],
            "required": ["s"],
        },
        {"Item": {"ref": "Inner"}, "Inner": {"type": "integer", "enum": [1, 2]}},
    ),
    # "required" may name a field "properties" does not list
    "G": (
        {"type": "object", "properties": [["a", {"type": "integer"}]], "required": ["ghost"]},
        {},
    ),
}


def test_hand_table_valid() -> None:
    payload = {
        "s": "ab",
        "n": 9.5,
        "m": 3,
        "either": "x",
        "list": [1, 2],
        "open": {"a": 1},
    }
    assert validate(TABLE, "T", payload, V201) == []


@pytest.mark.parametrize(
    "changes,kind,path",
    [
        ({"s": "a"}, versions.MIN_LENGTH, "$.s"),
        ({"s": "abcde"}, versions.MAX_LENGTH, "$.s"),
        ({"n": -0.5}, versions.MINIMUM, "$.n"),
        ({"n": 10}, versions.MAXIMUM, "$.n"),
        ({"m": 0}, versions.MINIMUM, "$.m"),
        ({"m": 6}, versions.MAXIMUM, "$.m"),
        ({"either": 1.5}, versions.TYPE, "$.either"),
        ({"list": []}, versions.MIN_ITEMS, "$.list"),
        ({"list": [1, 2, 1]}, versions.MAX_ITEMS, "$.list"),
        ({"list": [1, 3]}, versions.ENUM, "$.list[1]"),
        ({"list": [True]}, versions.TYPE, "$.list[0]"),
        ({"open": {"a": "1"}}, versions.TYPE, "$.open.a"),
        ({"zzz": 1}, versions.ADDITIONAL_PROPERTY, "$.zzz"),
    ],
)
def test_hand_table_violations(changes: dict[str, object], kind: str, path: str) -> None:
    payload = dict({"s": "ab"}, **changes)
    found = validate(TABLE, "T", payload, V16)
    assert [(v.kind, v.path) for v in found] == [(kind, path)]
    assert found[0].code == versions.code_for(V16, kind)


def test_required_name_outside_properties_is_still_required() -> None:
    assert validate(TABLE, "G", {"ghost": None, "other": 1}, V21) == []
    found = validate(TABLE, "G", {"a": 1}, V21)
    assert [(v.kind, v.path, v.code) for v in found] == [
        (versions.REQUIRED, "$.ghost", "OccurrenceConstraintViolation")
    ]


def test_violations_in_document_order() -> None:
    payload = {"zzz": 1, "list": [9], "s": 5}
    found = validate(TABLE, "T", payload, V16)
    assert [v.path for v in found] == ["$.s", "$.list[0]", "$.zzz"]


def test_validate_value_accepts_any_json_value() -> None:
    validator = Validator(V201, TABLE)
    assert validator.validate_value({"type": "array", "items": {"type": "null"}}, {}, [None]) == []
    found = validator.validate_value({"type": "string"}, {}, 3)
    assert [(v.kind, v.path) for v in found] == [(versions.TYPE, "$")]


def test_unknown_type_and_version_raise() -> None:
    with pytest.raises(ValueError):
        Validator(V16).validate("NoSuchRequest", {})
    with pytest.raises(ValueError):
        Validator("1.5")


def test_render_path_and_describe() -> None:
    assert render_path([]) == "$"
    assert render_path(["a", 0, "b", 12]) == "$.a[0].b[12]"
    assert describe(None) == "null"
    assert describe(False) == "a boolean (false)"
    assert describe("x" * 100).endswith("...)")
    assert describe({}) == "an object" and describe([]) == "an array"


def test_validator_does_not_mutate_the_payload() -> None:
    payload = {"zzz": 1, "list": [9], "s": 5}
    before = repr(payload)
    validate(TABLE, "T", payload, V16)
    assert repr(payload) == before


# --- agreement with the reference checkers jsonschema uses -----------------------------

URI_CASES = [
    "ftp://user:pw@host.example:21/diag/",
    "https://[2001:db8::1]:8443/a?b=c#d",
    "http://[1:2:3:4:5:6:7::]/",
    "http://[1:2:3:4:5:6:7:8:9]/",
    "http://[::1.2.3.256]/",
    "http://[fe80::1%25eth0]/",
    "http://1.2.3.256/",
    "a:",
    "a:b#c#d",
    "x:%zz",
    "HTTP://X",
    "a+b-c.d:e",
    "s://:@:",
    "http://x/?#",
    "a://b//c",
    "a:b:c",
    "http://host:port/",
    "http://h\u00e9st/",
    "/relative",
    "",
]


@pytest.mark.parametrize("text", URI_CASES)
def test_uri_agrees_with_rfc3987(text: str) -> None:
    import rfc3987

    try:
        expected = bool(rfc3987.parse(text, rule="URI"))
    except ValueError:
        expected = False
    assert is_uri(text) is expected


@pytest.mark.parametrize(
    "text",
    [
        "2025-01-31t12:00:00z",
        "2025-01-31T12:00:00.5+14:00",
        "2024-02-29T00:00:00Z",
        "2025-02-29T00:00:00Z",
        "2025-01-31T12:00:00",
        "2025-01-31 12:00:00Z",
        "2025-01-31T12:00:00+0100",
        "2025-01-31T24:00:00Z",
        "2025-01-31T12:00:60Z",
        "0000-01-01T00:00:00Z",
    ],
)
def test_datetime_agrees_with_jsonschema(text: str) -> None:
    from jsonschema import FormatChecker

    assert (datetime_status(text) == DATETIME_OK) is FormatChecker().conforms(text, "date-time")


def test_documented_disagreements_with_jsonschema() -> None:
    """Where we knowingly differ from Python jsonschema (docs/error-codes.md)."""
    import jsonschema
    from jsonschema import FormatChecker

    # multipleOf on binary floats: jsonschema rejects 8.1, OCPP's own example of a limit
    assert not jsonschema.Draft4Validator({"multipleOf": 0.1}).is_valid(8.1)
    assert Validator(V16).validate("SetChargingProfileRequest", schedule16(8.1)) == []
    # draft-06 calls 1.0 an integer; we never do
    assert jsonschema.Draft6Validator({"type": "integer"}).is_valid(1.0)
    assert not is_type("integer", 1.0)
    # the regex behind jsonschema's date-time lets a trailing newline through
    assert FormatChecker().conforms("2025-01-31T12:00:00Z\n", "date-time")
    assert datetime_status("2025-01-31T12:00:00Z\n") == DATETIME_BAD


def test_trailing_newline_uri_disagreement() -> None:
    import rfc3987

    assert rfc3987.parse("http://x/\n", rule="URI")  # the regex's `$` matches before "\n"
    assert not is_uri("http://x/\n")


# --- versions: codes per version and the kind -> code table ------------------------------


def test_error_code_sets_per_version() -> None:
    assert versions.ERROR_CODES[V16] == {
        "NotImplemented",
        "NotSupported",
        "InternalError",
        "ProtocolError",
        "SecurityError",
        "FormationViolation",
        "PropertyConstraintViolation",
        "OccurenceConstraintViolation",
        "TypeConstraintViolation",
        "GenericError",
    }
    for version in V2X:
        assert versions.ERROR_CODES[version] == {
            "NotImplemented",
            "NotSupported",
            "InternalError",
            "ProtocolError",
            "SecurityError",
            "FormatViolation",
            "PropertyConstraintViolation",
            "OccurrenceConstraintViolation",
            "TypeConstraintViolation",
            "GenericError",
            "MessageTypeNotSupported",
            "RpcFrameworkError",
        }
    assert versions.is_error_code(V16, "FormationViolation")
    assert not versions.is_error_code(V16, "FormatViolation")
    assert not versions.is_error_code(V201, "OccurenceConstraintViolation")
    assert not versions.is_error_code(V21, "formatviolation")


@pytest.mark.parametrize("version", (V16, V201, V21))
def test_every_kind_has_a_valid_code_in_every_version(version: str) -> None:
    assert set(versions.CODE_OF_KIND[version]) == set(versions.KINDS)
    for kind in versions.KINDS:
        assert versions.is_error_code(version, versions.code_for(version, kind))


def test_code_for_rejects_unknown_version_and_kind() -> None:
    with pytest.raises(ValueError):
        versions.code_for("1.5", versions.REQUIRED)
    with pytest.raises(ValueError):
        versions.code_for(V16, "no-such-kind")


def test_versions_constants() -> None:
    assert versions.VERSIONS == ("1.6", "2.0.1", "2.1")
    assert versions.SUBPROTOCOLS == {"1.6": "ocpp1.6", "2.0.1": "ocpp2.0.1", "2.1": "ocpp2.1"}
    assert (versions.STATION, versions.CSMS, versions.BOTH) == ("station", "csms", "both")
    assert versions.UNREADABLE_ID_2X == "-1"


def _documented_table() -> list[tuple[str, str, str]]:
    """(KIND constant name, 1.6 code, 2.x code) rows of docs/error-codes.md."""
    path = os.path.join(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "docs", "error-codes.md"
    )
    rows = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if not line.startswith("| `"):
                continue
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            code16 = cells[2]
            code2x = cells[3].split(" ")[0]
            for name in cells[0].replace("`", "").split(" / "):
                rows.append((name.strip(), code16, code2x))
    return rows


def test_docs_table_matches_the_code() -> None:
    rows = _documented_table()
    assert sorted(getattr(versions, name) for name, _, _ in rows) == sorted(versions.KINDS)
    for name, code16, code2x in rows:
        kind = getattr(versions, name)
        assert versions.code_for(V16, kind) == code16, name
        assert versions.code_for(V201, kind) == code2x, name
        assert versions.code_for(V21, kind) == code2x, name


def test_docs_error_codes_example_runs() -> None:
    import doctest

    path = os.path.join(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "docs", "error-codes.md"
    )
    result = doctest.testfile(path, module_relative=False)
    assert result.attempted >= 2 and result.failed == 0
