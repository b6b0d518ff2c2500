"""Generic -> version -> wire -> version -> generic round trips, every operation and version.

For each operation of the generic model and each version that has it, hypothesis draws
generic requests and responses the version can carry (tests/test_generic_support.py);
the sending side maps them to the typed message, the real Codec encodes (validating
against the schema) and decodes it, the receiving side maps it back. The result must
equal what was drawn (apart from the `native` field, which must be the decoded message).
"""

import datetime
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_generic_support import SETTINGS, is_16, requests, responses

import ocpp_core.generic as G
from ocpp_core.codec import Codec
from ocpp_core.v16 import messages as m16
from ocpp_core.versions import V16, V21, V201

# ----------------------------------------------------------------- the round trip


def plain(message: Any) -> Any:
    return msgspec.structs.replace(message, native=None)


def receiver_for(v: str, request: Any) -> G.Mapper:
    """The receiving side's mapper; a 1.6 CSMS allocates the id of a started transaction,
    here the one the drawn event carries, so the round trip can compare it."""
    if is_16(v) and isinstance(request, G.TransactionEventRequest):
        number = int(request.transaction_id)
        return G.mapper_for(v, transaction_id_factory=lambda: number)
    return G.mapper_for(v)


CODECS = {version: Codec(version) for version in (V16, V201, V21)}

ALL_CASES = [
    (version, operation)
    for version in (V16, V201, V21)
    for operation in sorted(G.OPERATIONS)
    if G.mapper_for(version).available(operation)
]
# The generated operations (drawn from the schemas, bigger messages): fewer examples each.
GENERATED_CASES = [case for case in ALL_CASES if case[1] in G.OPERATIONS_2X]
CASES = [case for case in ALL_CASES if case[1] not in G.OPERATIONS_2X]
GENERATED_SETTINGS = settings(SETTINGS, max_examples=8)


def test_every_operation_and_version_has_a_case() -> None:
    only_2x = {"GetTransactionStatus"} | set(G.OPERATIONS_2X) - set(G.IN_V16)
    assert len(only_2x) == 31
    assert len(ALL_CASES) == 3 * len(G.OPERATIONS) - len(only_2x)
    assert all((V16, operation) not in ALL_CASES for operation in only_2x)
    assert (V16, "SetChargingProfile") in GENERATED_CASES
    assert (V16, "GetCompositeSchedule") in GENERATED_CASES


@pytest.mark.parametrize(("version", "operation"), CASES)
@SETTINGS
@given(data=st.data())
def test_round_trip_through_the_wire(version: str, operation: str, data: Any) -> None:
    round_trip(version, operation, data)


@pytest.mark.parametrize(("version", "operation"), GENERATED_CASES)
@GENERATED_SETTINGS
@given(data=st.data())
def test_generated_operations_round_trip_through_the_wire(
    version: str, operation: str, data: Any
) -> None:
    round_trip(version, operation, data)


def round_trip(version: str, operation: str, data: Any) -> None:
    codec = CODECS[version]
    request = data.draw(requests(version, operation), label="request")
    sender, receiver = G.mapper_for(version), receiver_for(version, request)

    native = sender.request_to_native(request)
    frame = codec.decode_frame(codec.encode_call("m1", native))
    decoded = codec.decode_request(frame.action, frame.payload).message
    assert decoded == native
    received = receiver.request_from_native(decoded)
    assert received.native is decoded
    assert plain(received) == request

    response = data.draw(responses(version, operation, received), label="response")
    native_response = receiver.response_to_native(received, response)
    frame = codec.decode_frame(codec.encode_result("m1", native_response))
    decoded_response = codec.decode_response(codec.action_of(native), frame.payload).message
    assert decoded_response == native_response
    answered = sender.response_from_native(request, decoded_response)
    assert answered.native is decoded_response
    assert plain(answered) == response


@pytest.mark.parametrize("version", [V16, V201, V21])
@SETTINGS
@given(data=st.data())
def test_mapping_back_gives_the_same_native_message(version: str, data: Any) -> None:
    """native -> generic -> native is the identity for every operation mapped here
    (the generic fields alone carry what the drawn natives hold)."""
    operation = data.draw(st.sampled_from([op for v, op in ALL_CASES if v == version]))
    request = data.draw(requests(version, operation))
    native = G.mapper_for(version).request_to_native(request)
    generic = receiver_for(version, request).request_from_native(native)
    assert G.mapper_for(version).request_to_native(plain(generic)) == native


def test_strategies_cover_the_1_6_meter_value_forms() -> None:
    """The 1.6 value string keeps its exact text when the number would change it."""
    mapper = G.mapper_for(V16)
    for text_value, number, kept in (
        ("12", 12.0, None),
        ("12.5", 12.5, None),
        ("12.50", 12.5, "12.50"),
        ("0012", 12.0, "0012"),
        ("AB01CD", None, "AB01CD"),
        ("NaN", None, "NaN"),
    ):
        wire = {
            "connectorId": 1,
            "meterValue": [
                {
                    "timestamp": datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc),
                    "sampledValue": [{"value": text_value}],
                }
            ],
        }
        native = msgspec.convert(wire, m16.MeterValuesRequest)
        generic = mapper.request_from_native(native)
        assert isinstance(generic, G.MeterValuesRequest)
        sample_value = generic.meter_value[0].sampled_value[0]
        assert (sample_value.value, sample_value.value_text) == (number, kept)
        assert mapper.request_to_native(plain(generic)) == native
