"""OCPP 1.6 wire shapes <-> generic nested types (id tags, meter values, numbers).

Functions on wire dicts (see ocpp_core.generic.mapping); a value 1.6 cannot carry
raises NotRepresentable naming the operation and field.
"""

import math
from typing import Optional

from ocpp_core.generic import model as g
from ocpp_core.generic.errors import NotRepresentable
from ocpp_core.generic.mapping import Wire, put
from ocpp_core.versions import V16


def format_number(value: float) -> str:
    """The 1.6 string of a number: integers without a fraction, else Python's repr
    (the shortest string that reads back as the same float). Accepts an int too."""
    value = float(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def int_text(text: str) -> Optional[int]:
    """The integer of a canonical decimal string ("42", "-3"), else None."""
    try:
        number = int(text)
    except ValueError:
        return None
    return number if str(number) == text else None


def id_token_in(id_tag: Optional[str]) -> Optional[g.IdToken]:
    return None if id_tag is None else g.IdToken(id_token=id_tag)


def id_tag_info_out(info: Optional[g.IdTokenInfo]) -> Optional[Wire]:
    """idTagInfo: expiryDate = cache_expiry_date_time, parentIdTag = group id token."""
    if info is None:
        return None
    wire: Wire = {"status": info.status}
    put(wire, "expiryDate", info.cache_expiry_date_time)
    if info.group_id_token is not None:
        wire["parentIdTag"] = info.group_id_token.id_token
    return wire


def id_tag_info_in(wire: Optional[Wire]) -> Optional[g.IdTokenInfo]:
    if wire is None:
        return None
    parent = wire.get("parentIdTag")
    return g.IdTokenInfo(
        status=wire["status"],
        cache_expiry_date_time=wire.get("expiryDate"),
        group_id_token=None if parent is None else g.IdToken(id_token=parent),
    )


def sample_out(operation: str, sample: g.SampledValue) -> Wire:
    if sample.signed_meter_value is not None:
        # Signed readings are evidence: never dropped, the caller chooses the 1.6 form.
        raise NotRepresentable(
            operation,
            V16,
            "sampled_value.signed_meter_value",
            "1.6 carries signed data as value_text with format SignedData",
        )
    if sample.multiplier not in (None, 0):
        raise NotRepresentable(operation, V16, "sampled_value.multiplier", "1.6 has none")
    if sample.value_text is not None:
        text = sample.value_text
    elif sample.value is not None and math.isfinite(sample.value):
        text = format_number(sample.value)
    else:
        raise NotRepresentable(operation, V16, "sampled_value.value", "no finite value")
    wire: Wire = {"value": text}
    put(wire, "context", sample.context)
    put(wire, "format", sample.format)
    put(wire, "measurand", sample.measurand)
    put(wire, "phase", sample.phase)
    put(wire, "location", sample.location)
    put(wire, "unit", sample.unit)
    return wire


def sample_in(wire: Wire) -> g.SampledValue:
    text: str = wire["value"]
    value: Optional[float]
    try:
        value = float(text)
    except ValueError:
        value = None
    if value is not None and not math.isfinite(value):
        value = None
    # Keep the string only when the number would not give it back ("12.50", signed data).
    keep_text = value is None or format_number(value) != text
    return g.SampledValue(
        value=value,
        context=wire.get("context"),
        measurand=wire.get("measurand"),
        phase=wire.get("phase"),
        location=wire.get("location"),
        unit=wire.get("unit"),
        format=wire.get("format"),
        value_text=text if keep_text else None,
    )


def meter_values_out(operation: str, values: "list[g.MeterValue]") -> "list[Wire]":
    return [
        {
            "timestamp": value.timestamp,
            "sampledValue": [sample_out(operation, s) for s in value.sampled_value],
        }
        for value in values
    ]


def meter_values_in(wires: "list[Wire]") -> "list[g.MeterValue]":
    return [
        g.MeterValue(
            timestamp=wire["timestamp"],
            sampled_value=[sample_in(s) for s in wire["sampledValue"]],
        )
        for wire in wires
    ]
