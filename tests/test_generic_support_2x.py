"""Hypothesis strategies for the generated operations (ocpp_core.generic.model_2x) and
the charging profiles (no tests here).

The generated model is the union of the 2.x schemas, so its messages are drawn where
every shape the version allows comes from: `schema_strategies.valid_payloads` draws a
native payload (every optional field, enum member, date-time spelling, customData), the
Codec decodes it and the receiving mapper turns it into the generic message; `native`
is dropped, so what remains is a generic message an application could have built.
"""

import json
from typing import Any

import msgspec
from hypothesis import strategies as st
from schema_strategies import valid_payloads

import ocpp_core.generic as G
from ocpp_core.codec import Codec
from ocpp_core.v16 import schema as s16
from ocpp_core.v21 import schema as s21
from ocpp_core.v201 import schema as s201
from ocpp_core.versions import V16, V21, V201

SCHEMAS = {V16: s16, V201: s201, V21: s21}
CODECS = {version: Codec(version) for version in SCHEMAS}


def plain(message: Any) -> Any:
    return msgspec.structs.replace(message, native=None)


def decode(version: str, action: str, payload: Any, response: bool) -> Any:
    """The typed message the Codec makes of a payload (as received on the wire)."""
    codec = CODECS[version]
    if response:
        frame = codec.decode_frame(json.dumps([3, "m", payload]))
        return codec.decode_response(action, frame.payload).message
    frame = codec.decode_frame(json.dumps([2, "m", action, payload]))
    return codec.decode_request(action, frame.payload).message


def native_payloads(version: str, action: str, response: bool) -> "st.SearchStrategy[Any]":
    _, request_type, response_type = SCHEMAS[version].ACTIONS[action]
    return valid_payloads(SCHEMAS[version].TYPES, response_type if response else request_type)


def requests(version: str, operation: str) -> "st.SearchStrategy[Any]":
    action = G.mapper_for(version).ACTIONS[operation][0]

    def generic(payload: Any) -> Any:
        native = decode(version, action, payload, response=False)
        return plain(G.mapper_for(version).request_from_native(native))

    return native_payloads(version, action, response=False).map(generic)


def responses(version: str, operation: str, request: Any) -> "st.SearchStrategy[Any]":
    action = G.mapper_for(version).ACTIONS[operation][0]

    def generic(payload: Any) -> Any:
        native = decode(version, action, payload, response=True)
        return plain(G.mapper_for(version).response_from_native(request, native))

    return native_payloads(version, action, response=True).map(generic)


def charging_profiles(version: str) -> "st.SearchStrategy[G.ChargingProfile]":
    """Generic profiles the version carries (those of drawn SetChargingProfile requests)."""
    return requests(version, "SetChargingProfile").map(lambda request: request.charging_profile)
