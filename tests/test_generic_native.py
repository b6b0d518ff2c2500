"""Every valid native message of a mapped action reaches the generic model, and back.

`schema_strategies.valid_payloads` draws any payload the schema allows (all optional
fields, every enum member, odd date-time spellings, customData); the Codec decodes it.
The mapper must turn it into a generic message keeping it as `native`, and mapping
that generic message again must be stable: for 1.6 it gives the very same native
message (the generic fields carry all of it, but for the noted cases), for 2.x the same
generic message (2.x extras the model leaves out live in `native`) and, for the
generated operations, the same native message but for its customData.
"""

import json
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schema_strategies import valid_payloads

import ocpp_core.generic as G
from ocpp_core.codec import Codec
from ocpp_core.generic.table import MAPPERS
from ocpp_core.v16 import schema as s16
from ocpp_core.v21 import schema as s21
from ocpp_core.v201 import schema as s201
from ocpp_core.versions import V16, V21, V201

SCHEMAS = {V16: s16, V201: s201, V21: s21}
CODECS = {version: Codec(version) for version in SCHEMAS}
CASES = sorted(
    {
        (version, action)
        for version, mapper in MAPPERS
        for actions in mapper.ACTIONS.values()
        for action in actions
    }
)


def plain(message: Any) -> Any:
    return msgspec.structs.replace(message, native=None)


def decode(version: str, frame: "list[Any]", action: str, response: bool) -> Any:
    codec = CODECS[version]
    decoded = codec.decode_frame(json.dumps(frame))
    if response:
        return codec.decode_response(action, decoded.payload).message
    return codec.decode_request(action, decoded.payload).message


def same_16(action: str, native: Any) -> Any:
    """What 1.6 mapping gives back: the generic model does not tell an empty list of
    GetConfiguration keys from an absent one (both mean "all keys" / "none")."""
    wire = msgspec.to_builtins(native)
    for key in ("key", "configurationKey", "unknownKey"):
        if wire.get(key) == []:
            del wire[key]
    return msgspec.json.decode(msgspec.json.encode(wire), type=type(native))


def without_custom_data(native: Any) -> Any:
    """The native message without customData (at any depth): what the generic fields
    carry of a 2.x message of a generated operation (customData stays in `native`)."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k != "customData"}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    wire = strip(msgspec.to_builtins(native))
    return msgspec.json.decode(msgspec.json.encode(wire), type=type(native))


def test_cases_cover_every_native_action_of_every_mapper() -> None:
    assert (V16, "StartTransaction") in CASES and (V16, "GetConfiguration") in CASES
    assert (V21, "TransactionEvent") in CASES
    assert len(CASES) == sum(
        len({a for acts in m.ACTIONS.values() for a in acts}) for _, m in MAPPERS
    )


def generated(action: str) -> bool:
    return action in G.OPERATIONS_2X or action == "RemoteStartTransaction"


@pytest.mark.parametrize(("version", "action"), [c for c in CASES if not generated(c[1])])
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_valid_native_message_maps_and_maps_back(version: str, action: str, data: Any) -> None:
    maps_and_maps_back(version, action, data)


# The generated operations and the charging profiles: bigger messages, fewer examples.
@pytest.mark.parametrize(("version", "action"), [c for c in CASES if generated(c[1])])
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_generated_operations_map_and_map_back(version: str, action: str, data: Any) -> None:
    maps_and_maps_back(version, action, data)


def maps_and_maps_back(version: str, action: str, data: Any) -> None:
    schema = SCHEMAS[version]
    _, request_type, response_type = schema.ACTIONS[action]
    payload = data.draw(valid_payloads(schema.TYPES, request_type), label="request")
    native = decode(version, [2, "m", action, payload], action, response=False)

    receiver = G.mapper_for(version)
    generic = receiver.request_from_native(native)
    assert generic.native is native
    again = G.mapper_for(version).request_to_native(plain(generic))
    assert plain(G.mapper_for(version).request_from_native(again)) == plain(generic)
    if version == V16:
        assert again == same_16(action, native)
    elif action in G.OPERATIONS_2X:  # generated: the generic fields carry all of it
        assert again == without_custom_data(native)

    payload = data.draw(valid_payloads(schema.TYPES, response_type), label="response")
    native_response = decode(version, [3, "m", payload], action, response=True)
    answer = receiver.response_from_native(generic, native_response)
    assert answer.native is native_response
    answered = receiver.response_to_native(generic, plain(answer))
    assert plain(receiver.response_from_native(generic, answered)) == plain(answer)
    if version == V16:
        expected = same_16(action, native_response)
        if action == "StartTransaction":  # the CSMS side answers with the id it allocated
            expected = msgspec.structs.replace(expected, transaction_id=int(generic.transaction_id))
        assert answered == expected
    elif action in G.OPERATIONS_2X:
        assert answered == without_custom_data(native_response)
