"""Frame decoding: the fast Codec, the PyCodec and the exact checker (frames.parse_text)
give the same Frame or the same error for every framing case of tests/test_frames.py,
fed whole, as bytes, wrapped in JSON whitespace, and with trailing data."""

import json
from typing import Any

import msgspec
import pytest

from ocpp_core import frames
from ocpp_core.codec import Codec
from ocpp_core.errors import RemoteProtocolError
from ocpp_core.pycodec import PyCodec
from ocpp_core.versions import V16, V21, V201

try:
    from test_frames import (
        MALFORMED_CASES,
        NOT_JSON_CASES,
        OTHER_VERSION_CASES,
        UNKNOWN_TYPE_CASES,
        VALID,
    )
except ImportError:  # tests/ imported as a package
    from tests.test_frames import (
        MALFORMED_CASES,
        NOT_JSON_CASES,
        OTHER_VERSION_CASES,
        UNKNOWN_TYPE_CASES,
        VALID,
    )

VERSIONS = (V16, V201, V21)
CODECS = {v: (Codec(v), PyCodec(v)) for v in VERSIONS}

EXTRA = [
    '[2,"abc","Heartbeat",[]]',
    '[2,"abc","Heartbeat","{}"]',
    '[2,"abc","Heartbeat",null]',
    '[3,"abc",[]]',
    '[3,"abc",1]',
    '[6,"abc","NotifyPeriodicEventStream",1]',
    '[2,"abc","Heartbeat",{"a":"\\ud800"}]',  # lone surrogate escapes
    '[2,"abc","Heartbeat",{"a":"\\udc00x"}]',
    '[2,"abc","Heartbeat",{"a":"\\ud83d\\ude00"}]',  # a valid pair
    '[2,"abc","Heartbeat",{"a":"\\\\ud800"}]',  # an escaped backslash, then "ud800"
    '[2,"a\\ud800","Heartbeat",{}]',
    '[4,"abc","GenericError","",{"a":1e400}]',  # out of a double's range
    '[4,"abc","GenericError","",{"a":1e308}]',
    '[4,"abc","GenericError","\\ud800",{}]',
    '[2,"abc","Heartbeat",{"a":' + "[" * 3000 + "]" * 3000 + "}]",
    '[2,"abc","Heartbeat",{"a":' + "[" * 50 + "]" * 50 + "}]",
    '[3,"abc",{"a":1,"a":2}]',  # duplicate keys: last wins in both parsers
    '[2,"abc","Heartbeat",{}]\n',
    '[2,"abc","Heartbeat",{}]\x00',
    '[2,"abc","Heartbeat",{}]\u00a0',  # not JSON whitespace
    '\u00a0[2,"abc","Heartbeat",{}]',
    '[2, "abc", "Heartbeat", {"x": [1, 2.5, -3e2, true, false, null, "s"]}]',
]


def _texts(version: str) -> "list[str]":
    texts = [text for text, _ in VALID[version]]
    texts += [text for text, _ in NOT_JSON_CASES]
    texts += [case[0] for case in MALFORMED_CASES]
    texts += [text for _, text in OTHER_VERSION_CASES]
    for _, kind in UNKNOWN_TYPE_CASES:
        texts += [f'[{kind},"abc","x",{{}}]', f"[{kind}]"]
    texts += EXTRA
    return texts


def _variants(text: str) -> "list[Any]":
    return [
        text,
        text.encode("utf-8", "surrogatepass"),
        " \r\n\t" + text + " \n",
        text + " x",
        text + "]",
        text + "}",
        text + ",",
    ]


def _outcome(decode: Any, text: Any) -> Any:
    try:
        frame = decode(text)
    except RemoteProtocolError as error:
        return ("error", error.violation, error.message_id, error.kind, error.action)
    payload = frame.payload
    if isinstance(payload, msgspec.Raw):
        payload = json.loads(bytes(payload))
    return (
        "ok",
        frame.kind,
        frame.message_id,
        frame.action,
        payload,
        frame.error_code,
        frame.error_description,
        frame.error_details,
    )


CASES = [(v, t) for v in VERSIONS for t in _texts(v)]


@pytest.mark.parametrize(("version", "text"), CASES)
def test_fast_and_exact_frames_agree(version: str, text: str) -> None:
    fast, pure = CODECS[version]
    for variant in _variants(text):
        expected = _outcome(lambda t: frames.parse_text(t, version), variant)
        assert _outcome(fast.decode_frame, variant) == expected, variant
        assert _outcome(pure.decode_frame, variant) == expected, variant
        if expected[0] == "error":
            assert expected[1].kind != "internal"


@pytest.mark.parametrize("version", VERSIONS)
def test_fast_frame_keeps_raw_payload(version: str) -> None:
    fast = CODECS[version][0]
    frame = fast.decode_frame(b'[2, "7", "Heartbeat", {"a": [1, {"b": "\\u00df"}]} ]')
    assert bytes(frame.payload) == b'{"a": [1, {"b": "\\u00df"}]}'
    assert (frame.kind, frame.message_id, frame.action) == (2, "7", "Heartbeat")


def test_specific_outcomes() -> None:
    # A few literal expectations, so that agreement alone cannot hide a common mistake.
    fast = CODECS[V201][0]
    with pytest.raises(RemoteProtocolError) as info:
        fast.decode_frame('[2,"abc","Heartbeat",{},1]')
    assert (info.value.code, info.value.message_id, info.value.kind) == (
        "RpcFrameworkError",
        "abc",
        2,
    )
    with pytest.raises(RemoteProtocolError) as info:
        fast.decode_frame('[2,"abc","Heartbeat",{"a":"\\ud800"}]')
    assert (info.value.code, info.value.message_id) == ("FormatViolation", "abc")
    with pytest.raises(RemoteProtocolError) as info:
        CODECS[V16][0].decode_frame('[6,"abc","X",{}]')
    assert (info.value.code, info.value.message_id) == ("FormationViolation", "abc")
    with pytest.raises(RemoteProtocolError) as info:
        CODECS[V21][0].decode_frame('[7,"abc",{}]')
    assert info.value.code == "MessageTypeNotSupported"
    frame = CODECS[V21][0].decode_frame('[5,"abc","GenericError","",{}]')
    assert (frame.kind, frame.error_code) == (5, "GenericError")
