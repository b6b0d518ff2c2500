"""Every frame of corpus/*.jsonl decodes and validates with Codec and PyCodec, and
re-encodes to an equal JSON value (CALLRESULTs are typed by the action of their CALL,
found by id as a session would, and checked against the line's "action" field)."""

import datetime
import json
import os
from typing import Any

import pytest

from ocpp_core import frames
from ocpp_core.codec import Codec
from ocpp_core.pycodec import PyCodec
from ocpp_core.versions import V16, V21, V201

CORPUS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "corpus")
FILES = {V16: "ocpp16.jsonl", V201: "ocpp201.jsonl", V21: "ocpp21.jsonl"}


def _lines(version: str) -> "list[dict[str, Any]]":
    with open(os.path.join(CORPUS, FILES[version]), encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def _instant(text: str) -> Any:
    try:
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None


def same_json(a: Any, b: Any) -> bool:
    """Equal JSON values, where msgspec may re-spell what it decoded: a date-time as
    another RFC 3339 string of the same instant ("+00:00" -> "Z"), an integer in a
    `number` field as a float (230 -> 230.0)."""
    if isinstance(a, dict):
        return (
            isinstance(b, dict) and a.keys() == b.keys() and all(same_json(a[k], b[k]) for k in a)
        )
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(same_json, a, b))
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, str):
        if not isinstance(b, str):
            return False
        if a == b:
            return True
        instant = _instant(a)
        return instant is not None and instant.tzinfo is not None and instant == _instant(b)
    return type(a) in (int, float) and type(b) in (int, float) and a == b


def test_same_json() -> None:
    assert same_json({"t": "2025-06-11T06:00:40+00:00"}, {"t": "2025-06-11T06:00:40Z"})
    assert not same_json({"t": "2025-06-11T06:00:40+01:00"}, {"t": "2025-06-11T06:00:40Z"})
    assert same_json([230], [230.0])
    assert not same_json([1], [True])
    assert not same_json({"a": 1}, {"a": 1, "b": 2})
    assert not same_json("x", "y")


@pytest.mark.parametrize("version", (V16, V201, V21))
def test_corpus_fast_codec(version: str) -> None:
    codec = Codec(version)
    pending: dict[str, str] = {}
    count = 0
    for number, line in enumerate(_lines(version), 1):
        text = line["frame"]
        frame = codec.decode_frame(text.encode())
        if frame.kind == frames.CALL:
            assert frame.action == line["action"]
            message = codec.decode_request(frame.action, frame.payload, frame.message_id).message
            pending[frame.message_id] = frame.action
            again = codec.encode_call(frame.message_id, message)
            assert codec.action_of(message) == frame.action
        else:
            assert frame.kind == frames.CALLRESULT, number
            action = pending.pop(frame.message_id)
            assert action == line["action"], number
            message = codec.decode_response(action, frame.payload, frame.message_id).message
            again = codec.encode_result(frame.message_id, message)
        assert not isinstance(message, dict), number
        assert same_json(json.loads(text), json.loads(again)), (number, text, again)
        # and what we wrote decodes to the same message
        frame2 = codec.decode_frame(again)
        if frame2.kind == frames.CALL:
            assert codec.decode_request(frame2.action, frame2.payload).message == message
        else:
            assert codec.decode_response(action, frame2.payload).message == message
        count += 1
    assert not pending
    assert count > 2000


@pytest.mark.parametrize("version", (V16, V201, V21))
def test_corpus_pure_codec(version: str) -> None:
    codec = PyCodec(version)
    pending: dict[str, str] = {}
    for number, line in enumerate(_lines(version), 1):
        text = line["frame"]
        frame = codec.decode_frame(text)
        if frame.kind == frames.CALL:
            decoded = codec.decode_request(frame.action, frame.payload, frame.message_id)
            pending[frame.message_id] = frame.action
            again = codec.encode_call(frame.message_id, frame.action, decoded.message)
        else:
            action = pending.pop(frame.message_id)
            assert action == line["action"], number
            decoded = codec.decode_response(action, frame.payload, frame.message_id)
            again = codec.encode_result(frame.message_id, action, decoded.message)
        assert decoded.warnings == ()
        assert json.loads(again) == json.loads(text), number  # the dict goes out as it came
    assert not pending
