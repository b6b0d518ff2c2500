"""RPC framing rules (ocpp_core.frames): every rule, per version, with its exact code and id."""

import json

import pytest

from ocpp_core import frames
from ocpp_core.errors import LocalProtocolError, RemoteProtocolError
from ocpp_core.versions import (
    FRAME,
    MESSAGE_TYPE,
    NOT_JSON,
    NOT_JSON_ID,
    V16,
    V21,
    V201,
)

VERSIONS = (V16, V201, V21)

# The code each envelope kind gets, written out (not read from versions.py) so that a
# change of the mapping shows up here.
CODES = {
    V16: {
        FRAME: "FormationViolation",
        NOT_JSON: "FormationViolation",
        NOT_JSON_ID: "FormationViolation",
        MESSAGE_TYPE: "FormationViolation",
    },
    V201: {
        FRAME: "RpcFrameworkError",
        NOT_JSON: "RpcFrameworkError",
        NOT_JSON_ID: "FormatViolation",
        MESSAGE_TYPE: "MessageTypeNotSupported",
    },
}
CODES[V21] = CODES[V201]

ID37 = "x" * 37
ID36 = "y" * 36


def _error(text: str, version: str) -> RemoteProtocolError:
    with pytest.raises(RemoteProtocolError) as info:
        frames.parse_text(text, version)
    return info.value


def _check(text: str, version: str, kind: str, message_id: object, frame_kind: object) -> None:
    error = _error(text, version)
    assert error.violation.kind == kind, error
    assert error.violation.code == CODES[version][kind]
    assert error.code == CODES[version][kind]
    assert error.message_id == message_id
    assert error.kind == frame_kind
    assert error.violation.message  # a sentence, never empty


# --------------------------------------------------------------------------- valid


VALID = {
    V16: [
        ('[2,"1","Heartbeat",{}]', frames.Frame(2, "1", "Heartbeat", {})),
        ('[3,"1",{"currentTime":"x"}]', frames.Frame(3, "1", None, {"currentTime": "x"})),
        (
            '[4,"1","GenericError","oops",{"a":1}]',
            frames.Frame(4, "1", None, None, "GenericError", "oops", {"a": 1}),
        ),
        (
            '[4,"1","FormationViolation","",{}]',
            frames.Frame(4, "1", None, None, "FormationViolation", "", {}),
        ),
        (
            '[4,"1","OccurenceConstraintViolation","' + "d" * 300 + '",{}]',
            frames.Frame(4, "1", None, None, "OccurenceConstraintViolation", "d" * 300, {}),
        ),
    ],
    V201: [
        ('[2,"1","Heartbeat",{}]', frames.Frame(2, "1", "Heartbeat", {})),
        ('[3,"' + ID36 + '",{}]', frames.Frame(3, ID36, None, {})),
        (
            '[4,"1","RpcFrameworkError","' + "d" * 255 + '",{}]',
            frames.Frame(4, "1", None, None, "RpcFrameworkError", "d" * 255, {}),
        ),
        (
            '[4,"1","OccurrenceConstraintViolation","",{}]',
            frames.Frame(4, "1", None, None, "OccurrenceConstraintViolation", "", {}),
        ),
    ],
    V21: [
        ('[2,"1","Heartbeat",{}]', frames.Frame(2, "1", "Heartbeat", {})),
        ('[3,"1",{}]', frames.Frame(3, "1", None, {})),
        (
            '[4,"1","FormatViolation","",{}]',
            frames.Frame(4, "1", None, None, "FormatViolation", "", {}),
        ),
        (
            '[5,"1","MessageTypeNotSupported","",{}]',
            frames.Frame(5, "1", None, None, "MessageTypeNotSupported", "", {}),
        ),
        (
            '[6,"1","NotifyPeriodicEventStream",{"id":1}]',
            frames.Frame(6, "1", "NotifyPeriodicEventStream", {"id": 1}),
        ),
    ],
}


@pytest.mark.parametrize(
    ("version", "text", "expected"),
    [(v, t, f) for v in VERSIONS for t, f in VALID[v]],
)
def test_valid_frames(version: str, text: str, expected: frames.Frame) -> None:
    assert frames.parse_text(text, version) == expected
    assert frames.parse_frame(json.loads(text), version) == expected
    # JSON whitespace around and inside the frame is fine.
    spaced = " \t\r\n" + text.replace(",", " ,\n ").replace("[", "[ ") + "\n "
    assert frames.parse_text(spaced, version) == expected
    assert frames.parse_text(text.encode(), version) == expected


@pytest.mark.parametrize("version", VERSIONS)
def test_empty_id_is_accepted(version: str) -> None:
    # Decision (frames.py docstring): the spec sets a maximum length only.
    assert frames.parse_text('[2,"","Heartbeat",{}]', version).message_id == ""


@pytest.mark.parametrize("version", VERSIONS)
def test_non_ascii_id_counts_characters(version: str) -> None:
    message_id = "ß" * 36  # 72 UTF-8 bytes, 36 characters
    assert frames.parse_text('[3,"' + message_id + '",{}]', version).message_id == message_id
    _check('[3,"' + message_id + 'ß",{}]', version, FRAME, message_id + "ß", 3)


# --------------------------------------------------------------------------- not JSON


NOT_JSON_CASES = [
    ('[2,"abc","Heartbeat",{', (2, "abc")),  # truncated
    ('[2,"abc","Heartbeat"', (2, "abc")),
    ('[2,"ab', None),  # truncated inside the id
    ("[2,'abc','Heartbeat',{}]", None),  # single quotes
    ('[2,"abc","Heartbeat",{},]', (2, "abc")),  # trailing comma
    ('[2,"abc","Heartbeat",{"a":1,}]', (2, "abc")),
    ('[2,"abc","Heartbeat",{"a":NaN}]', (2, "abc")),
    ('[2,"abc","Heartbeat",{"a":Infinity}]', (2, "abc")),
    ('[2,"abc","Heartbeat",{"a":-Infinity}]', (2, "abc")),
    ('[2,"abc","Heartbeat",{}] x', (2, "abc")),  # trailing data
    ('[2,"abc","Heartbeat",{}]]', (2, "abc")),
    ('[2,"abc","Heartbeat",{}][]', (2, "abc")),
    ('[3,"r1",{}] x', (3, "r1")),
    ('[9,"u1",{}', (9, "u1")),
    ("", None),
    ("   ", None),
    ("x", None),
    ('\ufeff[2,"abc","Heartbeat",{}]', None),  # BOM: not JSON text
    ('[02,"abc","Heartbeat",{}]', None),  # leading zero: no type number
    ('[2.0,"abc","Heartbeat",{', None),
    ('[-2,"abc","Heartbeat",{', None),
    ('[2,abc,"Heartbeat",{}]', None),
    ('[2,"a\\"b","Heartbeat",{', (2, 'a"b')),
    ('[2,"a\\u00dfb\\n","Heartbeat",{', (2, "aßb\n")),
    ('[2,"a\\xb","Heartbeat",{', None),  # invalid escape
    ('[2,"a\\u00zz","Heartbeat",{', None),
    ('[2,"a\tb","Heartbeat",{}]', None),  # raw control character inside the id
    (' \n[ 2 ,\t"sp" , "Heartbeat", {', (2, "sp")),
    ('[2,"' + ID37 + '","Heartbeat",{', (2, ID37)),
]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    ("text", "salvaged"),
    NOT_JSON_CASES,
)
def test_not_json(version: str, text: str, salvaged: object) -> None:
    assert frames.salvage_id(text) == salvaged
    if salvaged is None:
        _check(text, version, NOT_JSON, None, None)
    else:
        assert isinstance(salvaged, tuple)
        _check(text, version, NOT_JSON_ID, salvaged[1], salvaged[0])


@pytest.mark.parametrize("version", VERSIONS)
def test_deep_nesting_is_not_json(version: str) -> None:
    text = '[2,"deep","Heartbeat",{"a":' + "[" * 100000 + "]" * 100000 + "}]"
    _check(text, version, NOT_JSON_ID, "deep", 2)


@pytest.mark.parametrize("version", VERSIONS)
def test_not_json_bytes(version: str) -> None:
    _check(b'[2,"abc","Heartbeat",{', version, NOT_JSON_ID, "abc", 2)  # type: ignore[arg-type]
    _check(b'[2,"abc\xff","Heartbeat",{}]', version, NOT_JSON, None, None)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- shape


MALFORMED_CASES = [
    ("{}", None, None),  # not an array
    ('{"0":2}', None, None),
    ('"[2]"', None, None),
    ("2", None, None),
    ("null", None, None),
    ("[]", None, None),
    ('["2","abc","Heartbeat",{}]', None, None),  # type is a string
    ('[true,"abc","Heartbeat",{}]', None, None),  # bool is not int
    ('[false,"abc",{}]', None, None),
    ('[2.0,"abc","Heartbeat",{}]', None, None),
    ('[null,"abc","Heartbeat",{}]', None, None),
    ('[[2],"abc","Heartbeat",{}]', None, None),
    # arity, per type
    ("[2]", None, 2),
    ('[2,"abc"]', "abc", 2),
    ('[2,"abc","Heartbeat"]', "abc", 2),
    ('[2,"abc","Heartbeat",{},{}]', "abc", 2),
    ('[2,"abc","Heartbeat",{},null]', "abc", 2),
    ("[3]", None, 3),
    ('[3,"abc"]', "abc", 3),
    ('[3,"abc",{},{}]', "abc", 3),
    ('[4,"abc","GenericError",""]', "abc", 4),
    ('[4,"abc","GenericError","",{},{}]', "abc", 4),
    ('[4,"abc","GenericError"]', "abc", 4),
    # id
    ('[2,1,"Heartbeat",{}]', None, 2),
    ('[2,null,"Heartbeat",{}]', None, 2),
    ('[2,["abc"],"Heartbeat",{}]', None, 2),
    ("[3,7,{}]", None, 3),
    ('[2,"' + ID37 + '","Heartbeat",{}]', ID37, 2),
    ('[3,"' + ID37 + '",{}]', ID37, 3),
    # action
    ('[2,"abc",1,{}]', "abc", 2),
    ('[2,"abc",null,{}]', "abc", 2),
    ('[2,"abc",["Heartbeat"],{}]', "abc", 2),
    # error fields
    ('[4,"abc",1,"",{}]', "abc", 4),
    ('[4,"abc","NoSuchError","",{}]', "abc", 4),
    ('[4,"abc","genericError","",{}]', "abc", 4),
    ('[4,"abc","GenericError",1,{}]', "abc", 4),
    ('[4,"abc","GenericError",null,{}]', "abc", 4),
    ('[4,"abc","GenericError","",[]]', "abc", 4),
    ('[4,"abc","GenericError","",null]', "abc", 4),
    ('[4,"abc","GenericError","",""]', "abc", 4),
    ('[4,"abc","GenericError","",1]', "abc", 4),
]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    ("text", "message_id", "frame_kind"),
    MALFORMED_CASES,
)
def test_malformed_frame(version: str, text: str, message_id: object, frame_kind: object) -> None:
    _check(text, version, FRAME, message_id, frame_kind)
    # The same frame with whitespace around it breaks the same rule.
    _check(" \n" + text + "\t\r\n", version, FRAME, message_id, frame_kind)


OTHER_VERSION_CASES = [
    (V16, '[4,"abc","FormatViolation","",{}]'),
    (V16, '[4,"abc","OccurrenceConstraintViolation","",{}]'),
    (V16, '[4,"abc","RpcFrameworkError","",{}]'),
    (V16, '[4,"abc","MessageTypeNotSupported","",{}]'),
    (V201, '[4,"abc","FormationViolation","",{}]'),
    (V201, '[4,"abc","OccurenceConstraintViolation","",{}]'),
    (V21, '[4,"abc","FormationViolation","",{}]'),
    (V21, '[5,"abc","OccurenceConstraintViolation","",{}]'),
    (V201, '[4,"abc","GenericError","' + "d" * 256 + '",{}]'),
    (V21, '[4,"abc","GenericError","' + "ü" * 256 + '",{}]'),
    (V21, '[5,"abc","GenericError","",{}, {}]'),
    (V21, '[6,"abc",{}]'),
    (V21, '[6,"abc",6,{}]'),
]


@pytest.mark.parametrize(
    ("version", "text"),
    OTHER_VERSION_CASES,
)
def test_error_codes_of_other_versions(version: str, text: str) -> None:
    kind = json.loads(text)[0]
    _check(text, version, FRAME, "abc", kind)


UNKNOWN_TYPE_CASES = [
    (V16, 5),
    (V16, 6),
    (V16, 8),
    (V16, 1),
    (V16, 0),
    (V16, -2),
    (V201, 1),
    (V201, 5),
    (V201, 6),
    (V21, 1),
    (V21, 7),
    (V21, 99999999999999999999),
]


@pytest.mark.parametrize(
    ("version", "kind"),
    UNKNOWN_TYPE_CASES,
)
def test_unknown_message_type(version: str, kind: int) -> None:
    # The type is checked before the shape: any arity, any id.
    _check(f'[{kind},"abc","x",{{}}]', version, MESSAGE_TYPE, "abc", kind)
    _check(f"[{kind}]", version, MESSAGE_TYPE, None, kind)
    _check(f'[{kind},"abc",{{}},1,2,3]', version, MESSAGE_TYPE, "abc", kind)


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[2,"abc","Heartbeat",[]]', frames.Frame(2, "abc", "Heartbeat", [])),
        ('[2,"abc","Heartbeat","{}"]', frames.Frame(2, "abc", "Heartbeat", "{}")),
        ('[2,"abc","Heartbeat",null]', frames.Frame(2, "abc", "Heartbeat", None)),
        ('[3,"abc",1]', frames.Frame(3, "abc", None, 1)),
    ],
)
def test_payload_type_is_not_a_framing_rule(
    version: str, text: str, expected: frames.Frame
) -> None:
    # Decision (frames.py docstring): the codecs' decode_request/response/send refuse
    # it once the action is known (tests/test_codec.py).
    assert frames.parse_text(text, version) == expected


@pytest.mark.parametrize("version", VERSIONS)
def test_error_carries_action(version: str) -> None:
    assert _error('[2,"abc","Heartbeat",{},1]', version).action == "Heartbeat"
    assert _error('[2,"' + ID37 + '","Heartbeat",{}]', version).action == "Heartbeat"


# --------------------------------------------------------------------------- answers


@pytest.mark.parametrize(
    ("version", "text", "answer"),
    [
        # CALLs are answered with their id ...
        (V16, '[2,"abc","Heartbeat",{},{}]', "abc"),
        (V201, '[2,"abc","Heartbeat",{},{}]', "abc"),
        (V21, '[2,"abc","Heartbeat",{},1]', "abc"),
        (V201, '[2,"abc","Heartbeat",{', "abc"),
        (V16, '[2,"abc","Heartbeat",{', "abc"),
        # ... 2.x answers an unreadable or invalid id with "-1", 1.6 cannot answer ...
        (V201, '[2,1,"Heartbeat",{}]', "-1"),
        (V21, "{}", "-1"),
        (V201, "[]", "-1"),
        (V201, "[2,'abc'", "-1"),
        (V201, '[2,"' + ID37 + '","Heartbeat",{}]', "-1"),
        (V16, '[2,1,"Heartbeat",{}]', None),
        (V16, "{}", None),
        (V16, "nope", None),
        (V16, '[2,"' + ID37 + '","Heartbeat",{}]', ID37),  # J16 §4.2.3: answer it
        # ... unknown types are answered ...
        (V16, '[5,"abc","GenericError","",{}]', "abc"),
        (V201, '[6,"abc","NotifyPeriodicEventStream",{}]', "abc"),
        (V21, '[7,"abc",{}]', "abc"),
        (V21, "[1]", "-1"),
        (V16, "[1]", None),
        # ... responses and SENDs never are.
        (V16, '[3,"abc",{},{}]', None),
        (V201, '[3,"abc",{},1]', None),
        (V201, '[3,"abc",{', None),
        (V201, "[3,1,{}]", None),
        (V21, '[4,"abc","Nope","",{}]', None),
        (V21, '[5,"abc","Nope","",{}]', None),
        (V21, '[6,"abc","NotifyPeriodicEventStream",{},1]', None),
        (V21, '[6,"abc","NotifyPeriodicEventStream",{', None),
    ],
)
def test_answer_id(version: str, text: str, answer: object) -> None:
    assert frames.answer_id_for(version, _error(text, version)) == answer


def test_answer_id_callresulterror_opt_in() -> None:
    error = _error('[3,"abc",{},{}]', V21)
    assert frames.answer_id_for(V21, error) is None
    assert frames.answer_id_for(V21, error, result_error=True) == "abc"
    # 2.0.1 has no CALLRESULTERROR; a CALLERROR stays unanswered.
    assert frames.answer_id_for(V201, _error('[3,"abc",{},{}]', V201), result_error=True) is None
    assert frames.answer_id(V21, 4, "abc", result_error=True) is None


# --------------------------------------------------------------------------- out


def test_build() -> None:
    assert frames.build_call("1", "Heartbeat", {}) == [2, "1", "Heartbeat", {}]
    assert frames.build_result("1", {"a": 1}) == [3, "1", {"a": 1}]
    assert frames.build_send("1", "X", {}) == [6, "1", "X", {}]
    assert frames.build_error("1", "GenericError") == [4, "1", "GenericError", "", {}]
    assert frames.build_error("1", "GenericError", "d", {"a": 1}, 5) == [
        5,
        "1",
        "GenericError",
        "d",
        {"a": 1},
    ]


@pytest.mark.parametrize("version", VERSIONS)
def test_built_frames_parse_back(version: str) -> None:
    code = "FormationViolation" if version == V16 else "FormatViolation"
    for built in (
        frames.build_call("1", "Heartbeat", {}),
        frames.build_result("1", {"a": [1]}),
        frames.build_error("1", code, "bad", {"x": 1}),
    ):
        frame = frames.parse_text(json.dumps(built), version)
        assert [frame.kind, frame.message_id] == built[:2]


def test_check_message_id() -> None:
    frames.check_message_id("")
    frames.check_message_id(ID36)
    for bad in (ID37, 1, None, "a\ud800"):
        with pytest.raises(LocalProtocolError):
            frames.check_message_id(bad)


@pytest.mark.parametrize(
    ("version", "code", "description", "details", "kind", "ok"),
    [
        (V16, "FormationViolation", "", {}, 4, True),
        (V16, "FormatViolation", "", {}, 4, False),
        (V16, "GenericError", "d" * 1000, {}, 4, True),
        (V16, "GenericError", "", {}, 5, False),  # no CALLRESULTERROR in 1.6
        (V201, "GenericError", "", {}, 5, False),
        (V201, "FormationViolation", "", {}, 4, False),
        (V201, "GenericError", "d" * 255, {}, 4, True),
        (V201, "GenericError", "d" * 256, {}, 4, False),
        (V21, "GenericError", "", {}, 5, True),
        (V21, "GenericError", "", {}, 3, False),
        (V21, "GenericError", "", [], 4, False),
        (V21, "GenericError", None, {}, 4, False),
    ],
)
def test_check_error(
    version: str, code: str, description: object, details: object, kind: int, ok: bool
) -> None:
    if ok:
        frames.check_error(version, code, description, details, kind)
    else:
        with pytest.raises(LocalProtocolError):
            frames.check_error(version, code, description, details, kind)
