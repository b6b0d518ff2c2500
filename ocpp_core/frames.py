"""OCPP-J RPC frame rules: the exact, pure-Python framing checker (MicroPython safe).

A frame is the JSON array of one WebSocket text message (spec/RPC-FRAMING.md §2):

    [2, id, action, payload]              CALL
    [3, id, payload]                      CALLRESULT
    [4, id, code, description, details]   CALLERROR
    [5, id, code, description, details]   CALLRESULTERROR (2.1)
    [6, id, action, payload]              SEND (2.1)

`parse_frame(obj, version)` checks an already JSON-loaded object and returns a `Frame`
or raises `RemoteProtocolError` naming the first rule broken (codes per version from
`ocpp_core.versions.code_for`). `parse_text` adds the JSON step, with `salvage_id`
reading the id out of text that is not JSON so a broken CALL can still be answered.
`answer_id` is the answer policy: which id a CALLERROR about a bad frame carries, or
None when no answer is due.

Decisions the spec leaves open (documented here, tested in tests/test_frames.py):
- An empty message id `""` is accepted: the spec asks for a string of at most 36
  characters (J16 Table 3, P4 Table 4) and sets no minimum.
- A message type that is not an integer (`"2"`, `true`, `2.0`) is a malformed frame
  (kind FRAME), not an unknown message type: there is no type number to reject.
- Checks run in element order (type, arity, id, action/code, description, details),
  so the first broken rule is the one reported.
- The payload's own type is not a framing rule here: a payload that is not an object
  (`[]`, `"{}"`) is reported by the codecs' decode_request/response/send, with the
  validator's PAYLOAD_NOT_OBJECT violation (TypeConstraintViolation, path `$`), after
  the action is known. So a CALL of an unknown action is NotImplemented whatever its
  payload, and both codecs agree on when each error is raised.
"""

import json

from ocpp_core import versions
from ocpp_core.errors import LocalProtocolError, RemoteProtocolError, Violation

try:
    from collections.abc import Callable
    from typing import Any, Optional
except ImportError:  # MicroPython: annotations are never evaluated
    pass

CALL = 2
CALLRESULT = 3
CALLERROR = 4
CALLRESULTERROR = 5
SEND = 6

# Message types each version knows (J16 §4.1.3; P4 §4.1.3; P4.21 §4.1.3).
KINDS = {
    versions.V16: (CALL, CALLRESULT, CALLERROR),
    versions.V201: (CALL, CALLRESULT, CALLERROR),
    versions.V21: (CALL, CALLRESULT, CALLERROR, CALLRESULTERROR, SEND),
}
# Number of array elements per message type.
ARITY = {CALL: 4, CALLRESULT: 3, CALLERROR: 5, CALLRESULTERROR: 5, SEND: 4}
KIND_NAMES = {
    CALL: "CALL",
    CALLRESULT: "CALLRESULT",
    CALLERROR: "CALLERROR",
    CALLRESULTERROR: "CALLRESULTERROR",
    SEND: "SEND",
}

MAX_ID_LENGTH = 36  # J16 Table 3, P4 Table 4, P4.21 Table 4
MAX_DESCRIPTION_LENGTH_2X = 255  # P4 Table 7 (2.0.1 and 2.1; 1.6 sets no limit)

_WHITESPACE = " \t\n\r"  # the four JSON whitespace characters (RFC 8259 §2)
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


class Frame:
    """One decoded RPC frame.

    `payload` is the CALL/CALLRESULT/SEND payload: the parsed JSON value on the pure
    path (a dict unless the peer sent something else, which decode_request/response/
    send refuse), a `msgspec.Raw` on the fast path (`ocpp_core.codec`). The error fields are set on
    CALLERROR/CALLRESULTERROR only; `action` on CALL/SEND only.
    """

    # A value object; MicroPython does not enforce __slots__, so treat it as frozen.
    __slots__ = (
        "action",
        "error_code",
        "error_description",
        "error_details",
        "kind",
        "message_id",
        "payload",
    )

    def __init__(
        self,
        kind: int,
        message_id: str,
        action: "Optional[str]" = None,
        payload: "Any" = None,
        error_code: "Optional[str]" = None,
        error_description: "Optional[str]" = None,
        error_details: "Optional[dict[str, Any]]" = None,
    ) -> None:
        self.kind = kind
        self.message_id = message_id
        self.action = action
        self.payload = payload
        self.error_code = error_code
        self.error_description = error_description
        self.error_details = error_details

    def _key(self) -> "tuple[Any, ...]":
        return (
            self.kind,
            self.message_id,
            self.action,
            self.payload,
            self.error_code,
            self.error_description,
            self.error_details,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Frame):
            return NotImplemented
        return self._key() == other._key()

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = None  # type: ignore[assignment]  # mutable payload: not hashable

    def __repr__(self) -> str:
        return (
            "Frame(kind={!r}, message_id={!r}, action={!r}, payload={!r}, error_code={!r}, "
            "error_description={!r}, error_details={!r})".format(*self._key())
        )


def _fail(
    version: str,
    kind: str,
    message: str,
    message_id: "Optional[str]" = None,
    frame_kind: "Optional[int]" = None,
    action: "Optional[str]" = None,
    path: str = "",
) -> RemoteProtocolError:
    violation = Violation(kind, versions.code_for(version, kind), path, message)
    return RemoteProtocolError(violation, message_id, frame_kind, action)


def _is_int(value: "Any") -> bool:
    # bool first: CPython's bool is an int, MicroPython's is not.
    return not isinstance(value, bool) and isinstance(value, int)


def parse_frame(obj: "Any", version: str) -> Frame:
    """Check a JSON-loaded object against the RPC framing rules of `version`.

    Returns a `Frame` whose payload is the parsed value itself. Raises `RemoteProtocolError`
    carrying the `Violation`, the message type number if it is an integer (`kind`), the
    id if it is a string (`message_id`, even when too long: `answer_id` decides) and the
    action if it is a string.
    """
    if not isinstance(obj, list):
        raise _fail(version, versions.FRAME, "the frame is not a JSON array")
    size = len(obj)
    if size == 0:
        raise _fail(version, versions.FRAME, "the frame is an empty array")
    kind = obj[0]
    if not _is_int(kind):
        raise _fail(version, versions.FRAME, "the message type (element 0) is not an integer")
    message_id = None
    if size > 1 and isinstance(obj[1], str):
        message_id = obj[1]
    if kind not in KINDS[version]:
        raise _fail(
            version,
            versions.MESSAGE_TYPE,
            f"message type {kind} is not supported in OCPP {version}",
            message_id,
            kind,
        )
    action = None
    if (kind == CALL or kind == SEND) and size > 2 and isinstance(obj[2], str):
        action = obj[2]
    if size != ARITY[kind]:
        raise _fail(
            version,
            versions.FRAME,
            f"a {KIND_NAMES[kind]} frame must have {ARITY[kind]} elements, not {size}",
            message_id,
            kind,
            action,
        )
    if message_id is None:
        raise _fail(
            version,
            versions.FRAME,
            "the message id (element 1) is not a string",
            None,
            kind,
            action,
        )
    if len(message_id) > MAX_ID_LENGTH:
        raise _fail(
            version,
            versions.FRAME,
            f"the message id is {len(message_id)} characters long, more than {MAX_ID_LENGTH}",
            message_id,
            kind,
            action,
        )
    if kind == CALL or kind == SEND:
        if action is None:
            raise _fail(
                version,
                versions.FRAME,
                "the action (element 2) is not a string",
                message_id,
                kind,
            )
        return Frame(kind, message_id, action, obj[3])
    if kind == CALLRESULT:
        return Frame(kind, message_id, None, obj[2])
    # CALLERROR / CALLRESULTERROR
    problem = check_error_fields(version, obj[2], obj[3], obj[4])
    if problem is not None:
        raise _fail(version, versions.FRAME, problem, message_id, kind)
    return Frame(kind, message_id, None, None, obj[2], obj[3], obj[4])


def check_error_fields(version: str, code: "Any", description: "Any", details: "Any") -> "Any":
    """The first broken rule of CALLERROR fields as a sentence, or None when they are fine.

    Shared by the receive side (`parse_frame`) and the send side (`check_error`).
    """
    if not isinstance(code, str):
        return "the error code (element 2) is not a string"
    if not versions.is_error_code(version, code):
        return f"{code!r} is not an error code of OCPP {version}"
    if not isinstance(description, str):
        return "the error description (element 3) is not a string"
    if version != versions.V16 and len(description) > MAX_DESCRIPTION_LENGTH_2X:
        return (
            f"the error description is {len(description)} characters long, "
            f"more than {MAX_DESCRIPTION_LENGTH_2X}"
        )
    if not isinstance(details, dict):
        return "the error details (element 4) are not a JSON object"
    return None


# ---------------------------------------------------------------------------
# Text in: JSON step, id salvage


def _reject_constant(name: str) -> "Any":
    raise ValueError("JSON has no " + name)


def _finite_float(text: str) -> float:
    # A number too large for a double (1e400) would load as inf: refuse it, as msgspec
    # does, so that both codecs agree (RFC 8259 §9 lets a parser limit the range).
    value = float(text)
    if value - value != 0.0:
        raise ValueError("number out of range: " + text)
    return value


def _probe_loads() -> "Callable[[Any], Any]":
    # CPython's json accepts NaN/Infinity unless told otherwise; MicroPython's loads
    # takes no keyword arguments (and rejects NaN by itself).
    try:
        json.loads("[]", parse_constant=_reject_constant, parse_float=_finite_float)
    except TypeError:
        # MicroPython's loads is lenient ([1,], [1 2], {"a"}, 1e400 -> inf, ...):
        # check the syntax strictly first (ocpp_core.jsoncheck).
        from ocpp_core.jsoncheck import is_strict_json

        def loads_mp(text: "Any") -> "Any":
            if not is_strict_json(text):
                raise ValueError("not JSON (RFC 8259)")
            return json.loads(text)

        return loads_mp

    def loads(text: "Any") -> "Any":
        return json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)

    return loads


loads = _probe_loads()


def parse_text(text: "Any", version: str) -> Frame:
    """Parse the text of one WebSocket message into a `Frame` (the exact path).

    Text that is not JSON raises kind NOT_JSON_ID when `salvage_id` reads an id from it,
    NOT_JSON otherwise. Not JSON here also means: nested too deep for the parser, a
    number out of a double's range, and a lone UTF-16 surrogate escape (`"\\ud800"`),
    which has no UTF-8 form (RFC 8259 §8.2; msgspec refuses it too). On MicroPython,
    whose json is lenient, `ocpp_core.jsoncheck` checks the syntax first.
    """
    try:
        if not isinstance(text, str):
            # Decode here, strictly: json.loads(bytes) would skip a UTF-8 BOM, which
            # is no JSON text (RFC 8259 §8.1) and which msgspec refuses too.
            text = bytes(text).decode()
        obj = loads(text)
        failed = False
    except (ValueError, RuntimeError):
        # ValueError: bad JSON (CPython's JSONDecodeError, UnicodeDecodeError are
        # ValueErrors); RuntimeError: nesting too deep (CPython's RecursionError is one).
        failed = True
    if failed or has_lone_surrogate(text):
        # Raised outside the except block: no exception chaining (MicroPython has none).
        raise not_json(text, version)
    return parse_frame(obj, version)


def not_json(text: "Any", version: str) -> RemoteProtocolError:
    """The error for a message that is not JSON, with the id `salvage_id` reads if any."""
    salvaged = salvage_id(_as_str(text))
    if salvaged is None:
        return not_json_id(version, None, None)
    return not_json_id(version, salvaged[1], salvaged[0])


def not_json_id(
    version: str, message_id: "Optional[str]", kind: "Optional[int]"
) -> RemoteProtocolError:
    """The not-JSON error when the id (and type) are known: kind NOT_JSON_ID, or
    NOT_JSON when `message_id` is None."""
    if message_id is None:
        return _fail(version, versions.NOT_JSON, "the message is not valid JSON")
    return _fail(version, versions.NOT_JSON_ID, "the message is not valid JSON", message_id, kind)


def has_lone_surrogate(text: "Any") -> bool:
    """Does JSON text hold a `\\uD800`-`\\uDFFF` escape that is not part of a pair?

    Cheap when there is none: one substring search for `\\ud` / `\\uD`.
    """
    if isinstance(text, str):
        if "\\ud" not in text and "\\uD" not in text:
            return False
    elif b"\\ud" not in text and b"\\uD" not in text:
        return False
    else:
        text = _as_str(text)
    # Every backslash in valid JSON starts an escape inside a string: walk them.
    i = text.find("\\")
    while i >= 0:
        if text[i + 1] != "u":
            i = text.find("\\", i + 2)
            continue
        code = _hex4(text, i + 2)
        if 0xD800 <= code <= 0xDBFF:
            if text[i + 6 : i + 8] == "\\u" and 0xDC00 <= _hex4(text, i + 8) <= 0xDFFF:
                i = text.find("\\", i + 12)
                continue
            return True
        if 0xDC00 <= code <= 0xDFFF:
            return True
        i = text.find("\\", i + 6)
    return False


def _as_str(text: "Any") -> str:
    if isinstance(text, str):
        return text
    try:
        return bytes(text).decode()
    except ValueError:  # not UTF-8: nothing can be salvaged
        return ""


def _skip_ws(text: str, i: int) -> int:
    n = len(text)
    while i < n and text[i] in _WHITESPACE:
        i += 1
    return i


def salvage_id(text: str) -> "Optional[tuple[int, str]]":
    """Read `[ <int> , "<id>"` from the start of `text`: (message type, id) or None.

    For text that is not JSON, so that a CALL with broken JSON can still be answered
    with its own id. Only a well-formed prefix counts: a JSON integer without sign or
    leading zero, then a complete JSON string (escapes decoded). The id is returned even
    when longer than 36 characters; `answer_id` decides whether to echo it.
    """
    n = len(text)
    i = _skip_ws(text, 0)
    if i >= n or text[i] != "[":
        return None
    i = _skip_ws(text, i + 1)
    start = i
    while i < n and "0" <= text[i] <= "9":
        i += 1
    digits = text[start:i]
    if not digits or (len(digits) > 1 and digits[0] == "0") or len(digits) > 9:
        return None
    kind = int(digits)
    i = _skip_ws(text, i)
    if i >= n or text[i] != ",":
        return None
    i = _skip_ws(text, i + 1)
    if i >= n or text[i] != '"':
        return None
    i += 1
    chars: list[str] = []
    while i < n:
        char = text[i]
        if char == '"':
            return kind, "".join(chars)
        if char < " ":  # raw control characters are not allowed in JSON strings
            return None
        if char == "\\":
            if i + 1 >= n:
                return None
            escaped = text[i + 1]
            if escaped == "u":
                code = _hex4(text, i + 2)
                if code < 0:
                    return None
                chars.append(chr(code))
                i += 6
                continue
            plain = _ESCAPES.get(escaped)
            if plain is None:
                return None
            chars.append(plain)
            i += 2
            continue
        chars.append(char)
        i += 1
    return None


def _hex4(text: str, i: int) -> int:
    if i + 4 > len(text):
        return -1
    value = 0
    for char in text[i : i + 4]:
        digit = "0123456789abcdef".find(char.lower())
        if digit < 0:
            return -1
        value = value * 16 + digit
    return value


# ---------------------------------------------------------------------------
# Answer policy


def answer_id(
    version: str,
    kind: "Optional[int]",
    message_id: "Optional[str]",
    result_error: bool = False,
) -> "Optional[str]":
    """The id a CALLERROR about a bad message carries, or None when no answer is due.

    `kind` and `message_id` are what could be read of the bad message (the attributes
    of its `RemoteProtocolError`).
    - Responses (CALLRESULT, CALLERROR, CALLRESULTERROR) are never answered: answering
      one invites ping-pong. Exception: 2.1 with `result_error=True` answers a bad
      CALLRESULT (the caller sends a CALLRESULTERROR, type 5, P4.21 §4.1.4).
    - A 2.1 SEND is never answered (P4.21 §4.2.4).
    - A CALL, and a message of a type the version does not know, is answered.
    - 2.x: an id that cannot be read, or is not a valid id (over 36 characters), is
      answered with "-1" (P4 §4.2.3); 1.6 has no such id, so no answer is possible
      without a string id. 1.6 echoes a too-long id (J16 §4.2.3 asks for a CALLERROR).
    """
    known = KINDS[version]
    if kind is not None and kind in known and kind != CALL:
        if not (result_error and version == versions.V21 and kind == CALLRESULT):
            return None
    if version == versions.V16:
        return message_id
    if message_id is None or len(message_id) > MAX_ID_LENGTH:
        return versions.UNREADABLE_ID_2X
    return message_id


def answer_id_for(
    version: str, error: RemoteProtocolError, result_error: bool = False
) -> "Optional[str]":
    """`answer_id` for a `RemoteProtocolError` raised by a codec."""
    return answer_id(version, error.kind, error.message_id, result_error)


# ---------------------------------------------------------------------------
# Frames out (pure path). No checks beyond the id and error fields: the codecs
# validate payloads before they call these.


def check_message_id(message_id: "Any", echo: bool = False) -> None:
    """Raise `LocalProtocolError` unless `message_id` is a string of at most 36 characters
    (`echo`: any length, for a 1.6 CALLERROR answering a CALL whose id is too long)."""
    if not isinstance(message_id, str):
        raise LocalProtocolError(f"a message id must be a string, not {message_id!r}")
    if len(message_id) > MAX_ID_LENGTH and not echo:
        raise LocalProtocolError(
            f"message id {message_id!r} is longer than {MAX_ID_LENGTH} characters"
        )
    try:
        message_id.encode()
        text = True
    except UnicodeError:  # a lone surrogate (CPython only): no UTF-8, no JSON text
        text = False
    if not text:
        raise LocalProtocolError(f"message id {message_id!r} is not valid text")


def check_error(version: str, code: "Any", description: "Any", details: "Any", kind: int) -> None:
    """Raise `LocalProtocolError` unless the fields make a valid CALLERROR of `version`."""
    if kind not in (CALLERROR, CALLRESULTERROR) or kind not in KINDS[version]:
        raise LocalProtocolError(f"message type {kind!r} is not an error type in OCPP {version}")
    problem = check_error_fields(version, code, description, details)
    if problem is not None:
        raise LocalProtocolError(problem)


def build_call(message_id: str, action: str, payload: "dict[str, Any]") -> "list[Any]":
    return [CALL, message_id, action, payload]


def build_result(message_id: str, payload: "dict[str, Any]") -> "list[Any]":
    return [CALLRESULT, message_id, payload]


def build_send(message_id: str, action: str, payload: "dict[str, Any]") -> "list[Any]":
    return [SEND, message_id, action, payload]


def build_error(
    message_id: str,
    code: str,
    description: str = "",
    details: "Optional[dict[str, Any]]" = None,
    kind: int = CALLERROR,
) -> "list[Any]":
    return [kind, message_id, code, description, {} if details is None else details]
