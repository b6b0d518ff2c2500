"""Hypothesis: decode(encode(x)) == x for messages generated from the schemas.

Typed messages (Codec) are built from valid payload dicts (tests/schema_strategies.py)
with msgspec.convert; dict payloads (PyCodec) are used as they are.
"""

import json
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocpp_core import frames
from ocpp_core.codec import Codec
from ocpp_core.pycodec import PyCodec, load_schema
from ocpp_core.v16 import messages as m16
from ocpp_core.v21 import messages as m21
from ocpp_core.v201 import messages as m201
from ocpp_core.versions import V16, V21, V201

try:
    from schema_strategies import valid_payloads
except ImportError:  # tests/ imported as a package
    from tests.schema_strategies import valid_payloads

VERSIONS = (V16, V201, V21)
MESSAGES = {V16: m16, V201: m201, V21: m21}
CODECS = {v: (Codec(v), PyCodec(v)) for v in VERSIONS}


def _entries(version: str) -> "list[tuple[int, str, str, Any]]":
    """(frame kind, action, type name, Struct class) for every payload type."""
    schema = load_schema(version)
    messages = MESSAGES[version]
    sends = getattr(schema, "SEND_ACTIONS", [])
    out = []
    for action, (_, request, response) in sorted(schema.ACTIONS.items()):
        if action in sends:
            out.append((frames.SEND, action, request, messages.SENDS[action]))
        else:
            out.append((frames.CALL, action, request, messages.REQUESTS[action]))
            out.append((frames.CALLRESULT, action, response, messages.RESPONSES[action]))
    return out


ENTRIES = {v: _entries(v) for v in VERSIONS}
TYPES = {v: load_schema(v).TYPES for v in VERSIONS}


@pytest.mark.parametrize("version", VERSIONS)
@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_typed_roundtrip(version: str, data: Any) -> None:
    kind, action, type_name, cls = data.draw(st.sampled_from(ENTRIES[version]))
    payload = data.draw(valid_payloads(TYPES[version], type_name))
    message_id = data.draw(st.text(max_size=36))
    message = msgspec.convert(payload, cls)
    codec = CODECS[version][0]
    if kind == frames.CALL:
        text = codec.encode_call(message_id, message)
    elif kind == frames.SEND:
        text = codec.encode_send(message_id, message)
    else:
        text = codec.encode_result(message_id, message)
    frame = codec.decode_frame(text)
    assert (frame.kind, frame.message_id) == (kind, message_id)
    if kind == frames.CALL:
        assert frame.action == action
        decoded = codec.decode_request(action, frame.payload)
    elif kind == frames.SEND:
        decoded = codec.decode_send(action, frame.payload)
    else:
        decoded = codec.decode_response(action, frame.payload)
    assert decoded.message == message
    assert decoded.warnings == ()
    # the pure codec reads the same text as the same payload
    pure = CODECS[version][1]
    assert pure.decode_frame(text).payload == json.loads(text)[-1]


@pytest.mark.parametrize("version", VERSIONS)
@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_dict_roundtrip(version: str, data: Any) -> None:
    kind, action, type_name, _ = data.draw(st.sampled_from(ENTRIES[version]))
    payload = data.draw(valid_payloads(TYPES[version], type_name))
    codec = CODECS[version][1]
    if kind == frames.CALL:
        text = codec.encode_call("r1", action, payload)
        decoded = codec.decode_request(action, codec.decode_frame(text).payload)
    elif kind == frames.SEND:
        text = codec.encode_send("r1", action, payload)
        decoded = codec.decode_send(action, codec.decode_frame(text).payload)
    else:
        text = codec.encode_result("r1", action, payload)
        decoded = codec.decode_response(action, codec.decode_frame(text).payload)
    assert decoded.message == payload
