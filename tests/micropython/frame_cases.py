"""Frames as they come off the wire, decoded by PyCodec.decode_frame per version.

Prints one line per (version, text): the frame read, or the violation with the
message id and type that could be salvaged. MicroPython's `json` differs from
CPython's (it accepts `[1,]`, parses NaN/Infinity differently, has no
JSONDecodeError), and the frame checker must hide those differences; the pytest test
compares the output of both interpreters line by line.
"""

from ocpp_core.errors import RemoteProtocolError
from ocpp_core.pycodec import PyCodec

TEXTS = (
    '[2, "a1", "Heartbeat", {}]',
    '[2,"a1","Heartbeat",{}]\n',
    ' \t[3, "a1", {"currentTime": "2024-05-01T12:00:00Z"}] ',
    '[4, "a1", "GenericError", "", {}]',
    '[4, "a1", "NoSuchCode", "", {}]',
    '[5, "a1", "GenericError", "", {}]',
    '[6, "a1", "NotifyPeriodicEventStream", {}]',
    '[7, "a1", "Heartbeat", {}]',
    '[true, "a1", "Heartbeat", {}]',
    '[2.0, "a1", "Heartbeat", {}]',
    '["2", "a1", "Heartbeat", {}]',
    '[2, 17, "Heartbeat", {}]',
    '[2, "' + "x" * 37 + '", "Heartbeat", {}]',
    '[2, "a1", "Heartbeat"]',
    '[2, "a1", "Heartbeat", {}, {}]',
    '[2, "a1", "Heartbeat", []]',
    '[2, "a1", "Heartbeat", null]',
    "[]",
    "{}",
    '"text"',
    "",
    "   ",
    '[2, "a1", "Heartbeat", {]',
    "[2, 'a1', 'Heartbeat', {}]",
    '[2, "a1", "Heartbeat", {}] trailing',
    '[2, "a1", "Heartbeat", {"n": NaN}]',
    '[2, "a1", "Heartbeat", {"n": Infinity}]',
    '[2, "a1", "Heartbeat", {"n": 1e400}]',
    '[2, "a1", "Heartbeat", {"n": 123456789012345678901234567890}]',
    '[2, "a1", "Heartbeat", {"s": "\\ud800"}]',
    '[2, "a\\u00e9", "Heartbeat", {}]',
    '[2, "a1", "Heart\\u0062eat", {}]',
    '\ufeff[2, "a1", "Heartbeat", {}]',
    '[2, "a1", "Heartbeat", {"a": 1, "a": 2}]',
    '[4, "a1", "GenericError", "' + "d" * 256 + '", {}]',
    '[4, "a1", "GenericError", "", []]',
    "[" * 300 + "]" * 300,
    '[2, "a1", "Heartbeat", {},]',
    '[2, "a1", "Heartbeat", {"a": 1,}]',
    '[2, "a1", "Heartbeat", {"n": -1e400}]',
    '[2, "a1", "Heartbeat", {"n": 1e308}]',
    # MicroPython's json.loads takes each of these; none is JSON.
    '[2 "a1" "Heartbeat" {}]',
    '[2,, "a1", "Heartbeat", {}]',
    '[2, "a1", "Heartbeat", {"a"}]',
    '[2, "a1", "Heartbeat", {"a":}]',
    '[2, "a1", "Heartbeat", {"a"::1}]',
    '[2, "a1", "Heartbeat", {1: 2}]',
    '[2, "a1", "Heartbeat", {"n": 01}]',
    '[2, "a1", "Heartbeat", {"n": 1.}]',
    '[2, "a1", "Heartbeat", {"s": "\\q"}]',
    '[2, "a1", "Heartbeat", {"s": "tab\there"}]',
    '[2, "a1", "Heartbeat", {]}',
    '[2, "a1", "Heartbeat", {}]\x00',
)


def text_of(value):
    # Not repr(): MicroPython's repr escapes every non-ASCII character.
    if isinstance(value, str):
        return "<" + value + ">"
    return str(value)


def show(version, text):
    try:
        frame = PyCodec(version).decode_frame(text)
    except RemoteProtocolError as error:
        v = error.violation
        fields = (v.kind, v.code, v.path, error.message_id, error.kind)
        return "error " + " ".join(text_of(f) for f in fields)
    fields = (frame.kind, frame.message_id, frame.action, frame.error_code)
    return "frame " + " ".join(text_of(f) for f in fields)


def main():
    for version in ("1.6", "2.0.1", "2.1"):
        for index in range(len(TEXTS)):
            print(version + " #" + str(index) + " " + show(version, TEXTS[index]))


main()
