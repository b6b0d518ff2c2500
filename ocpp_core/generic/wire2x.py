"""OCPP 2.0.1 / 2.1 wire shapes <-> generic nested types.

Functions on wire dicts (see ocpp_core.generic.mapping); the two versions share these
shapes, their differences (lengths, enum members, 2.1 extras) are checked when the
typed message is built. customData is not mapped: it stays in the `native` message.
"""

from typing import Any

from ocpp_core.generic import model as g
from ocpp_core.generic.errors import NotRepresentable
from ocpp_core.generic.mapping import Wire, put

# ------------------------------------------------------------------ nested types


def evse_out(evse: "g.Evse | None") -> "Wire | None":
    if evse is None:
        return None
    wire: Wire = {"id": evse.id}
    put(wire, "connectorId", evse.connector_id)
    return wire


def evse_in(wire: "Wire | None") -> "g.Evse | None":
    if wire is None:
        return None
    return g.Evse(id=wire["id"], connector_id=wire.get("connectorId"))


def _additional_out(info: "list[g.AdditionalInfo] | None") -> "list[Wire] | None":
    if info is None:
        return None
    return [{"additionalIdToken": item.additional_id_token, "type": item.type} for item in info]


def _additional_in(wires: "list[Wire] | None") -> "list[g.AdditionalInfo] | None":
    if wires is None:
        return None
    return [
        g.AdditionalInfo(additional_id_token=item["additionalIdToken"], type=item["type"])
        for item in wires
    ]


def required(version: str, operation: str, field: str, value: Any) -> Any:
    if value is None:
        raise NotRepresentable(operation, version, field, f"required in OCPP {version}")
    return value


def id_token_out(version: str, operation: str, field: str, token: "g.IdToken | None") -> Any:
    if token is None:
        return None
    wire: Wire = {
        "idToken": token.id_token,
        "type": required(version, operation, field + ".type", token.type),
    }
    put(wire, "additionalInfo", _additional_out(token.additional_info))
    return wire


def id_token_in(wire: "Wire | None") -> "g.IdToken | None":
    if wire is None:
        return None
    return g.IdToken(
        id_token=wire["idToken"],
        type=wire["type"],
        additional_info=_additional_in(wire.get("additionalInfo")),
    )


def message_out(message: "g.MessageContent | None") -> "Wire | None":
    if message is None:
        return None
    wire: Wire = {"format": message.format, "content": message.content}
    put(wire, "language", message.language)
    return wire


def message_in(wire: "Wire | None") -> "g.MessageContent | None":
    if wire is None:
        return None
    return g.MessageContent(
        format=wire["format"], content=wire["content"], language=wire.get("language")
    )


def id_token_info_out(version: str, operation: str, info: "g.IdTokenInfo | None") -> Any:
    if info is None:
        return None
    wire: Wire = {"status": info.status}
    put(wire, "cacheExpiryDateTime", info.cache_expiry_date_time)
    put(wire, "chargingPriority", info.charging_priority)
    put(wire, "language1", info.language1)
    put(wire, "language2", info.language2)
    put(wire, "evseId", info.evse_id)
    put(
        wire,
        "groupIdToken",
        id_token_out(version, operation, "id_token_info.group_id_token", info.group_id_token),
    )
    put(wire, "personalMessage", message_out(info.personal_message))
    return wire


def id_token_info_in(wire: "Wire | None") -> "g.IdTokenInfo | None":
    if wire is None:
        return None
    return g.IdTokenInfo(
        status=wire["status"],
        cache_expiry_date_time=wire.get("cacheExpiryDateTime"),
        group_id_token=id_token_in(wire.get("groupIdToken")),
        charging_priority=wire.get("chargingPriority"),
        language1=wire.get("language1"),
        language2=wire.get("language2"),
        evse_id=wire.get("evseId"),
        personal_message=message_in(wire.get("personalMessage")),
    )


def sample_out(version: str, operation: str, sample: g.SampledValue) -> Wire:
    wire: Wire = {"value": required(version, operation, "sampled_value.value", sample.value)}
    put(wire, "context", sample.context)
    put(wire, "measurand", sample.measurand)
    put(wire, "phase", sample.phase)
    put(wire, "location", sample.location)
    if sample.unit is not None or sample.multiplier is not None:
        unit: Wire = {}
        put(unit, "unit", sample.unit)
        put(unit, "multiplier", sample.multiplier)
        wire["unitOfMeasure"] = unit
    signed = sample.signed_meter_value
    if signed is not None:
        signed_wire: Wire = {
            "signedMeterData": signed.signed_meter_data,
            "encodingMethod": signed.encoding_method,
        }
        put(signed_wire, "signingMethod", signed.signing_method)
        put(signed_wire, "publicKey", signed.public_key)
        wire["signedMeterValue"] = signed_wire
    return wire


def sample_in(wire: Wire) -> g.SampledValue:
    unit = wire.get("unitOfMeasure") or {}
    signed = wire.get("signedMeterValue")
    return g.SampledValue(
        value=float(wire["value"]),
        context=wire.get("context"),
        measurand=wire.get("measurand"),
        phase=wire.get("phase"),
        location=wire.get("location"),
        unit=unit.get("unit"),
        multiplier=unit.get("multiplier"),
        signed_meter_value=None
        if signed is None
        else g.SignedMeterValue(
            signed_meter_data=signed["signedMeterData"],
            encoding_method=signed["encodingMethod"],
            signing_method=signed.get("signingMethod"),
            public_key=signed.get("publicKey"),
        ),
    )


def meter_values_out(
    version: str, operation: str, values: "list[g.MeterValue] | None"
) -> "list[Wire] | None":
    if values is None:
        return None
    return [
        {
            "timestamp": value.timestamp,
            "sampledValue": [sample_out(version, operation, s) for s in value.sampled_value],
        }
        for value in values
    ]


def meter_values_in(wires: "list[Wire] | None") -> "list[g.MeterValue] | None":
    if wires is None:
        return None
    return [
        g.MeterValue(
            timestamp=wire["timestamp"],
            sampled_value=[sample_in(s) for s in wire["sampledValue"]],
        )
        for wire in wires
    ]


def component_out(component: g.Component) -> Wire:
    wire: Wire = {"name": component.name}
    put(wire, "instance", component.instance)
    put(wire, "evse", evse_out(component.evse))
    return wire


def variable_out(variable: g.Variable) -> Wire:
    wire: Wire = {"name": variable.name}
    put(wire, "instance", variable.instance)
    return wire


def component_in(wire: Wire) -> g.Component:
    return g.Component(
        name=wire["name"], instance=wire.get("instance"), evse=evse_in(wire.get("evse"))
    )


def variable_in(wire: Wire) -> g.Variable:
    return g.Variable(name=wire["name"], instance=wire.get("instance"))
