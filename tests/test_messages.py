"""Generated msgspec message types: wire names, constraints, datetimes, corpus round trips,
and agreement with the official schemas (jsonschema) on mutated corpus payloads."""

import copy
import datetime
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import msgspec
import pytest

from ocpp_core import v16, v21, v201
from ocpp_core.v16 import messages as m16
from ocpp_core.v21 import messages as m21
from ocpp_core.v201 import messages as m201

REPO = Path(__file__).resolve().parents[1]
MODULES = {"1.6": m16, "2.0.1": m201, "2.1": m21}
CORPUS = {"1.6": "ocpp16", "2.0.1": "ocpp201", "2.1": "ocpp21"}
VERSIONS = list(MODULES)
UTC = datetime.timezone.utc
T0 = datetime.datetime(2025, 6, 11, 6, 0, tzinfo=UTC)


def decode(payload: Any, typ: type) -> Any:
    return msgspec.json.decode(json.dumps(payload).encode(), type=typ)


def roundtrip(payload: Any, typ: type) -> Any:
    return json.loads(msgspec.json.encode(decode(payload, typ)))


def rejects(payload: Any, typ: type, fragment: str = "") -> str:
    with pytest.raises(msgspec.ValidationError) as info:
        decode(payload, typ)
    assert fragment in str(info.value), str(info.value)
    return str(info.value)


# -- hand examples ----------------------------------------------------------------


def test_v16_wire_names_keywords_and_enums() -> None:
    sv = {"value": "12.5", "format": "Raw", "measurand": "SoC", "unit": "Percent"}
    payload = {
        "connectorId": 1,
        "meterValue": [{"timestamp": "2025-06-11T06:00:00Z", "sampledValue": [sv]}],
    }
    msg = decode(payload, m16.MeterValuesRequest)
    sample = msg.meter_value[0].sampled_value[0]
    assert sample.format_ is m16.ValueFormat.Raw
    assert sample.measurand is m16.Measurand.SoC
    assert sample.unit is m16.UnitOfMeasure.Percent
    assert msg.meter_value[0].timestamp == T0
    assert roundtrip(payload, m16.MeterValuesRequest) == payload
    reset = decode({"type": "Hard"}, m16.ResetRequest)
    assert reset.type_ is m16.ResetType.Hard
    assert json.loads(msgspec.json.encode(m16.ResetRequest(type_=m16.ResetType.Soft))) == {
        "type": "Soft"
    }


def test_v16_required_optional_and_constraints() -> None:
    boot = m16.BootNotificationRequest(charge_point_vendor="Delta", charge_point_model="AC")
    assert json.loads(msgspec.json.encode(boot)) == {
        "chargePointVendor": "Delta",
        "chargePointModel": "AC",
    }
    assert boot.firmware_version is msgspec.UNSET
    rejects({"chargePointVendor": "Delta"}, m16.BootNotificationRequest, "chargePointModel")
    rejects(
        {"chargePointVendor": "x" * 21, "chargePointModel": "AC"},
        m16.BootNotificationRequest,
        "length <= 20",
    )
    assert decode(
        {"chargePointVendor": "x" * 20, "chargePointModel": "AC"}, m16.BootNotificationRequest
    )
    rejects(
        {"chargePointVendor": "D", "chargePointModel": "AC", "extra": 1},
        m16.BootNotificationRequest,
        "unknown field",
    )
    rejects(
        {"chargePointVendor": "D", "chargePointModel": "AC", "iccid": None},
        m16.BootNotificationRequest,
    )
    rejects({"type": "Medium"}, m16.ResetRequest, "Invalid enum value")
    rejects(
        {"status": "Accepted", "certificateHashData": []},
        m16.GetInstalledCertificateIdsResponse,
        "length >= 1",
    )
    # StopTransaction's unit enum is the OCA one: only the misspelled "Celcius".
    assert "Celsius" in {u.value for u in m16.UnitOfMeasure}
    assert "Celsius" not in {u.value for u in m16.TransactionUnitOfMeasure}


def test_v201_wire_names_acronyms_and_keywords() -> None:
    ocsp = {
        "hashAlgorithm": "SHA256",
        "issuerNameHash": "a" * 128,
        "issuerKeyHash": "b",
        "serialNumber": "c",
        "responderURL": "http://ocsp.example/",
    }
    payload = {
        "idToken": {
            "idToken": "04A2",
            "type": "ISO14443",
            "additionalInfo": [{"additionalIdToken": "x", "type": "y"}],
        },
        "iso15118CertificateHashData": [ocsp],
    }
    msg = decode(payload, m201.AuthorizeRequest)
    assert msg.iso15118_certificate_hash_data[0].responder_url == "http://ocsp.example/"
    assert msg.id_token.type_ is m201.IdTokenEnum.ISO14443
    assert msg.id_token.additional_info[0].type_ == "y"
    assert roundtrip(payload, m201.AuthorizeRequest) == payload
    dc = {"evMaxCurrent": 100, "evMaxVoltage": 400, "stateOfCharge": 55}
    assert decode(dc, m201.DCChargingParameters).state_of_charge == 55
    assert roundtrip(dc, m201.DCChargingParameters) == dc
    rejects(dict(dc, stateOfCharge=101), m201.DCChargingParameters, "<= 100")
    rejects(dict(dc, stateOfCharge=-1), m201.DCChargingParameters, ">= 0")
    profile = m201.ChargingProfile(
        id_=7,
        stack_level=0,
        charging_profile_purpose=m201.ChargingProfilePurpose.TxDefaultProfile,
        charging_profile_kind=m201.ChargingProfileKind.Absolute,
        charging_schedule=[],
    )
    assert json.loads(msgspec.json.encode(profile))["id"] == 7


def test_v201_constraints() -> None:
    rejects({"evseId": 1, "meterValue": []}, m201.MeterValuesRequest, "length >= 1")
    rejects(
        {"reason": "Rebooted", "chargingStation": {"model": "m", "vendorName": "v"}},
        m201.BootNotificationRequest,
        "Invalid enum value",
    )
    station = {"model": "m" * 21, "vendorName": "v"}
    rejects(
        {"reason": "PowerUp", "chargingStation": station},
        m201.BootNotificationRequest,
        "length <= 20",
    )
    rejects(
        {"requestId": 1.5, "reportBase": "FullInventory"},
        m201.GetBaseReportRequest,
        "Expected `int`",
    )


def test_v21_wire_names_v2x_soc() -> None:
    payload = {
        "requestedEnergyTransfer": "DC_BPT",
        "v2xChargingParameters": {
            "targetSoC": 80,
            "maxChargePower_L2": 7000.0,
            "evMaxV2XEnergyRequest": 1.5,
        },
        "dcChargingParameters": {"evMaxCurrent": 100.0, "evMaxVoltage": 400.0, "fullSoC": 100},
    }
    msg = decode(payload, m21.ChargingNeeds)
    assert msg.v2x_charging_parameters.target_soc == 80
    assert msg.v2x_charging_parameters.max_charge_power_l2 == 7000.0
    assert msg.v2x_charging_parameters.ev_max_v2x_energy_request == 1.5
    assert msg.dc_charging_parameters.full_soc == 100
    assert roundtrip(payload, m21.ChargingNeeds) == payload
    bad = copy.deepcopy(payload)
    bad["v2xChargingParameters"]["targetSoC"] = 101
    rejects(bad, m21.ChargingNeeds, "<= 100")


def test_v21_send_message() -> None:
    payload = {
        "id": 3,
        "pending": 0,
        "basetime": "2025-06-11T06:00:00Z",
        "data": [{"t": 0.5, "v": "1"}],
    }
    msg = decode(payload, m21.NotifyPeriodicEventStream)
    assert msg.id_ == 3 and msg.basetime == T0 and msg.data[0].t == 0.5
    assert m21.ACTION_OF[m21.NotifyPeriodicEventStream] == "NotifyPeriodicEventStream"
    rejects(dict(payload, data=[]), m21.NotifyPeriodicEventStream, "length >= 1")


@pytest.mark.parametrize("version", VERSIONS)
def test_datetime_must_be_aware(version: str) -> None:
    typ = MODULES[version].HeartbeatResponse
    assert decode({"currentTime": "2025-06-11T06:00:00Z"}, typ).current_time == T0
    shifted = decode({"currentTime": "2025-06-11T08:00:00+02:00"}, typ).current_time
    assert shifted == T0 and shifted.utcoffset() == datetime.timedelta(hours=2)
    rejects({"currentTime": "2025-06-11T06:00:00"}, typ, "timezone")
    rejects({"currentTime": "11 June 2025"}, typ)
    rejects({"currentTime": 1749621600}, typ)


@pytest.mark.parametrize("module", [m201, m21])
def test_custom_data_extra_members_round_trip(module: Any) -> None:
    custom = {"vendorId": "com.example", "x": [1, {"y": None}], "z": "ü"}
    payload = {"customData": custom}
    msg = decode(payload, module.HeartbeatRequest)
    assert msg.custom_data == custom
    assert roundtrip(payload, module.HeartbeatRequest) == payload
    nested = {"currentTime": "2025-06-11T06:00:00Z", "customData": custom}
    assert roundtrip(nested, module.HeartbeatResponse) == nested


@pytest.mark.parametrize("version", VERSIONS)
def test_frozen_keyword_only(version: str) -> None:
    module = MODULES[version]
    msg = module.HeartbeatResponse(current_time=T0)
    with pytest.raises(AttributeError):
        msg.current_time = T0  # type: ignore[misc]
    with pytest.raises(TypeError):
        module.HeartbeatResponse(T0)  # type: ignore[misc]
    assert msg == module.HeartbeatResponse(current_time=T0)


@pytest.mark.parametrize("version", VERSIONS)
def test_registries(version: str) -> None:
    module = MODULES[version]
    for action, cls in module.REQUESTS.items():
        assert module.ACTION_OF[cls] == action
        assert module.ACTION_OF[module.RESPONSES[action]] == action
    assert set(module.REQUESTS) == set(module.RESPONSES)
    package = {"1.6": v16, "2.0.1": v201, "2.1": v21}[version]
    assert package.REQUESTS is module.REQUESTS  # re-exported on CPython


@pytest.mark.parametrize("version", VERSIONS)
def test_enums_are_str_enums_with_spec_values(version: str) -> None:
    module = MODULES[version]
    enums = [
        c
        for c in vars(module).values()
        if isinstance(c, type)
        and issubclass(c, msgspec.Struct) is False
        and hasattr(c, "__members__")
    ]
    assert len(enums) > 40
    for enum_cls in enums:
        for member in enum_cls:
            assert isinstance(member, str) and member == member.value


# -- corpus ---------------------------------------------------------------------------


def corpus_payloads(version: str) -> list[tuple[str, bool, Any]]:
    """(action, is_request, payload) for every frame of the version's corpus file."""
    out = []
    path = REPO / "corpus" / f"{CORPUS[version]}.jsonl"
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        frame = json.loads(record["frame"])
        if frame[0] == 2:
            assert frame[2] == record["action"]
            out.append((record["action"], True, frame[3]))
        else:
            out.append((record["action"], False, frame[2]))
    return out


_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")


def normalise(value: Any) -> Any:
    """Datetimes compare as instants (msgspec writes "Z" and 6 fraction digits)."""
    if isinstance(value, dict):
        return {k: normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise(v) for v in value]
    if isinstance(value, str) and _DATETIME.match(value):
        return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value


@pytest.mark.parametrize("version", VERSIONS)
def test_every_corpus_payload_decodes_and_round_trips(version: str) -> None:
    module = MODULES[version]
    payloads = corpus_payloads(version)
    assert len(payloads) > 2000
    for action, is_request, payload in payloads:
        typ = module.REQUESTS[action] if is_request else module.RESPONSES[action]
        msg = decode(payload, typ)
        assert type(msg) is typ
        again = json.loads(msgspec.json.encode(msg))
        # json "==" already treats 1 == 1.0 (2.x sampledValue.value may be an int).
        assert normalise(again) == normalise(payload), action
        assert msgspec.json.decode(msgspec.json.encode(msg), type=typ) == msg


# -- agreement with the official schemas ------------------------------------------------


def schema_file(version: str, type_name: str) -> Path:
    if version == "1.6":
        stem = type_name[: -len("Request")] if type_name.endswith("Request") else type_name
        for folder in ("ocpp16/json", "ocpp16-security/json"):
            path = REPO / "spec" / folder / f"{stem}.json"
            if path.exists():
                return path
        raise FileNotFoundError(type_name)
    folder = "ocpp201/json" if version == "2.0.1" else "ocpp21/json"
    return REPO / "spec" / folder / f"{type_name}.json"


# Fields whose constraint msgspec does not carry (see messages.py header): 1.6
# multipleOf 0.1 on charging limits -- and jsonschema's own float check of it is not
# decimal either (it rejects 8.1 and 0.3), so those fields are not mutated.
SKIP_NUMERIC = {"limit", "minChargingRate"}


def boundary_values(schema: dict[str, Any], value: Any) -> list[Any]:
    """Values at and just past the schema's limits for this spot."""
    out: list[Any] = []
    if "maxLength" in schema:
        out += ["x" * schema["maxLength"], "x" * (schema["maxLength"] + 1)]
    integer = schema.get("type") == "integer"
    step = 1 if integer else 0.5
    for key, sign in (("minimum", -1), ("maximum", 1)):
        if key in schema:
            # The OCA files spell integer limits as 0.0 / 100.0; use real JSON integers
            # (integral floats for integers are a known divergence, tested below).
            limit = int(schema[key]) if integer else schema[key]
            out += [limit, limit + sign * step]
    if isinstance(value, list) and value:
        for key in ("minItems", "maxItems"):
            if key in schema:
                n = schema[key]
                out += [value[:1] * n, value[:1] * (n + 1), value[:1] * max(n - 1, 0)]
    return out


def mutations(node: Any, schema: dict[str, Any], defs: dict[str, Any]) -> Any:
    """Yield (description, mutate) pairs; each mutate(copy) changes one spot in place.
    ``schema`` (the official one, walked alongside) supplies the boundary values."""
    while "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[1]]
    if isinstance(node, list):
        # Items share one schema: mutating the first one is enough (and keeps it fast).
        for desc, fn in mutations(node[0] if node else None, schema.get("items", {}), defs):
            yield f"[0]{desc}", (lambda c, fn=fn: fn(c[0]))
        return
    if not isinstance(node, dict):
        return
    yield "+unknown", lambda c: c.__setitem__("zzUnknown", 1)
    props = schema.get("properties", {})
    for key, value in node.items():
        if key == "customData":
            continue  # vendorId is the exact validator's job (see messages.py header)
        sub = props.get(key, {})
        while "$ref" in sub:
            sub = defs[sub["$ref"].rsplit("/", 1)[1]]
        yield f".{key} deleted", (lambda c, k=key: c.pop(k))
        yield f".{key}=null", (lambda c, k=key: c.__setitem__(k, None))
        replacements: list[Any] = []
        if isinstance(value, bool):
            replacements = ["true", 1]
        elif isinstance(value, int) and key not in SKIP_NUMERIC:
            replacements = [-1, 0, 1.5, 10**6, "1", *boundary_values(sub, value)]
        elif isinstance(value, float) and key not in SKIP_NUMERIC:
            replacements = [-1.0, 1e9, "1.0", *boundary_values(sub, value)]
        elif isinstance(value, str):
            replacements = [12345, "zz", "x" * 100001, *boundary_values(sub, value)]
        elif isinstance(value, list):
            replacements = [[], value + value[:1] * 10, "x", *boundary_values(sub, value)]
        elif isinstance(value, dict):
            replacements = [[value], "x"]
        for r in replacements:
            yield f".{key}={str(r)[:12]}", (lambda c, k=key, r=r: c.__setitem__(k, r))
        yield from (
            (f".{key}{desc}", (lambda c, k=key, fn=fn: fn(c[k])))
            for desc, fn in mutations(value, sub, defs)
        )


@pytest.mark.parametrize("version", VERSIONS)
def test_msgspec_agrees_with_jsonschema_on_mutated_corpus_payloads(version: str) -> None:
    module = MODULES[version]
    samples: dict[type, list[Any]] = {}
    for action, is_request, payload in corpus_payloads(version):
        typ = module.REQUESTS[action] if is_request else module.RESPONSES[action]
        bucket = samples.setdefault(typ, [])
        if len(bucket) < 2 and payload not in bucket:
            bucket.append(payload)
    checked = 0
    # date-time only: "uri" syntax is left to the codec (msgspec types it as str).
    formats = jsonschema.FormatChecker(formats=["date-time"])
    for typ, payloads in samples.items():
        raw = json.loads(schema_file(version, typ.__name__).read_text(encoding="utf-8-sig"))
        validator = jsonschema.validators.validator_for(raw)(raw, format_checker=formats)
        for payload in payloads:
            for desc, mutate in mutations(payload, raw, raw.get("definitions", {})):
                candidate = copy.deepcopy(payload)
                mutate(candidate)
                official = validator.is_valid(candidate)
                try:
                    decode(candidate, typ)
                    ours = True
                except msgspec.ValidationError:
                    ours = False
                assert ours == official, (
                    f"{typ.__name__}{desc}: msgspec={ours} jsonschema={official}"
                )
                checked += 1
    assert checked > 1000


def test_known_divergence_integral_float_for_integer() -> None:
    """Draft-06 counts 1.0 as an integer; msgspec's ``int`` does not.  The 2.x codec
    has to decide (the exact validator follows the schema)."""
    raw = json.loads(schema_file("2.0.1", "StatusNotificationRequest").read_text(encoding="utf-8"))
    payload = {
        "timestamp": "2025-06-11T06:00:00Z",
        "connectorStatus": "Available",
        "evseId": 1.0,
        "connectorId": 1,
    }
    assert jsonschema.Draft6Validator(raw).is_valid(payload)
    rejects(payload, m201.StatusNotificationRequest, "Expected `int`, got `float`")
    assert not jsonschema.Draft4Validator({"type": "integer"}).is_valid(1.0)  # 1.6: both reject
