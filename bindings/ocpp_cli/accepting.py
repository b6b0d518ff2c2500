"""The smallest valid, accepting response to any action, built from the version's schema.

The CSMS simulator answers the station-initiated actions the generic model does not
carry (NotifyEvent, Get15118EVCertificate, 2.1 VatNumberValidation, ...) with this:
every required field and nothing else, an enum set to "Accepted" when it has that
member, a date-time set to `now`, numbers at their minimum. The schema tables
(`ocpp_core.vXX.schema.TYPES`) drive it, so a new action needs no code here.
"""

import datetime
import importlib
from typing import Any

# Enum members preferred, in order, when a required enum is filled in.
_PREFERRED = ("Accepted", "Valid", "Good")


def _resolve(spec: "dict[str, Any]", defs: "dict[str, dict[str, Any]]") -> "dict[str, Any]":
    while "ref" in spec:
        spec = defs[spec["ref"]]
    return spec


def _value(spec: "dict[str, Any]", defs: "dict[str, dict[str, Any]]", now: str) -> Any:
    spec = _resolve(spec, defs)
    if "enum" in spec:
        members = list(spec["enum"])
        for preferred in _PREFERRED:
            if preferred in members:
                return preferred
        return members[0]
    kind = spec.get("type")
    if kind == "object":
        required = spec.get("required", [])
        result = {}
        for name, field_spec in spec.get("properties", []):
            if name in required:
                result[name] = _value(field_spec, defs, now)
        return result
    if kind == "array":
        count = int(spec.get("minItems", 0))
        return [_value(spec.get("items", {}), defs, now) for _ in range(count)]
    if kind == "string":
        if spec.get("format") == "date-time":
            return now
        if spec.get("format") == "uri":
            return "https://example.invalid/"
        return "x" * int(spec.get("minLength", 0))
    if kind in ("integer", "number"):
        minimum = spec.get("minimum", 0)
        return max(minimum, 0) if kind == "integer" else float(max(minimum, 0))
    if kind == "boolean":
        return True
    return {}


def accepting_response(version: str, action: str, now: datetime.datetime) -> Any:
    """The typed response of `version` answering `action` with the fewest fields and an
    accepting status. Raises KeyError for an action the version does not have."""
    import msgspec

    schema = importlib.import_module("ocpp_core." + _package(version) + ".schema")
    messages = importlib.import_module("ocpp_core." + _package(version) + ".messages")
    root, defs = schema.TYPES[schema.ACTIONS[action][2]]
    stamp = now.astimezone(datetime.timezone.utc).isoformat().replace("+00:00", "Z")
    payload = _value(root, defs, stamp)
    return msgspec.convert(payload, messages.RESPONSES[action])


def _package(version: str) -> str:
    return {"1.6": "v16", "2.0.1": "v201", "2.1": "v21"}[version]
