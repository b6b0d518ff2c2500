"""The pure-Python codec (MicroPython safe): text in, dict payloads out, text out.

Same interface as the CPython fast path `ocpp_core.codec.Codec`, built on the exact
layers only: `json`, `ocpp_core.frames` (framing rules), `ocpp_core.validator`
(payload rules) and the generated `ocpp_core.vXX.schema` tables.

Differences from `Codec`, because payloads are plain dicts here (no type to read an
action from):
- `encode_call(message_id, action, payload)`, `encode_result(message_id, action,
  payload)` and `encode_send(message_id, action, payload)` take the action explicitly;
  there is no `action_of`.
- `Decoded.message` is the payload dict (with quirks: the fixed copy).
- Output JSON is compact; payload key order is the dict's (CPython keeps insertion
  order, MicroPython does not unless the caller passes an OrderedDict).
- Run on MicroPython, `json.loads` accepts a trailing comma (`[1,]`): such a frame
  passes there, while both codecs refuse it on CPython.

Shared with `Codec`: `decode_request/response/send(action, payload, message_id=None)`
(the optional id only travels into the RemoteProtocolError), `Decoded(message,
warnings)` with `warnings` a tuple of quirks `Fixup`s (empty when the payload was
valid), a payload that is not a JSON object refused here with PAYLOAD_NOT_OBJECT.
"""

import json

from ocpp_core import frames, versions
from ocpp_core.errors import LocalProtocolError, RemoteProtocolError, Violation
from ocpp_core.validator import Validator

try:
    from collections.abc import Callable
    from typing import Any, Optional
except ImportError:  # MicroPython
    pass

_SCHEMA_MODULES = {versions.V16: "v16", versions.V201: "v201", versions.V21: "v21"}


class Decoded:
    """A decoded payload: `message` (typed Struct on `Codec`, dict on `PyCodec`) and
    `warnings`, the quirks `Fixup`s applied to accept it (empty when it was valid)."""

    __slots__ = ("message", "warnings")

    def __init__(self, message: "Any", warnings: "tuple[Any, ...]" = ()) -> None:
        self.message = message
        self.warnings = warnings

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Decoded):
            return NotImplemented
        return self.message == other.message and self.warnings == other.warnings

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Decoded(message={self.message!r}, warnings={self.warnings!r})"


def load_schema(version: str) -> "Any":
    """The generated `ocpp_core.vXX.schema` module of `version`."""
    package = _SCHEMA_MODULES.get(version)
    if package is None:
        raise ValueError("unknown OCPP version " + repr(version))
    return __import__("ocpp_core." + package + ".schema", None, None, ["ACTIONS"], 0)


def _probe_dumps() -> "Callable[[Any], str]":
    # CPython: compact, UTF-8 as is, refuse NaN (not JSON). MicroPython's dumps takes
    # only separators= (and never writes NaN as a bare token the peer could not read
    # back: NaN is caught by the validator before we get here in strict mode).
    try:
        json.dumps([], separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except TypeError:

        def dumps_mp(obj: "Any") -> str:
            return json.dumps(obj, separators=(",", ":"))

        return dumps_mp

    def dumps(obj: "Any") -> str:
        return json.dumps(obj, separators=(",", ":"), ensure_ascii=False, allow_nan=False)

    return dumps


dumps = _probe_dumps()

# Payload kinds, as used in the tables below.
_REQUEST = 1
_RESPONSE = 2
_SEND = 3


def unknown_action(version: str, action: "Any", what: str, frame_kind: int) -> RemoteProtocolError:
    """The NotImplemented error for an action this version does not know as `what`."""
    violation = Violation(
        versions.UNKNOWN_ACTION,
        versions.code_for(version, versions.UNKNOWN_ACTION),
        "",
        f"{action!r} is not a known {what} action of OCPP {version}",
    )
    return RemoteProtocolError(violation, None, frame_kind, action)


def local_violation(violation: Violation, what: str) -> LocalProtocolError:
    """The LocalProtocolError for a payload the caller wanted to send."""
    return LocalProtocolError(
        f"{what} would break the schema: {violation.code} at {violation.path}: {violation.message}",
        violation,
    )


class PyCodec:
    """Pure-Python codec for one OCPP version (and one quirks policy).

    `strict=False` skips payload validation on both sides (for probing a peer): frames
    are still checked, a payload must still be a JSON object, and an unknown action is
    still refused (nothing can route it).
    """

    def __init__(self, version: str, quirks: "Any" = None, strict: bool = True) -> None:
        schema = load_schema(version)
        self.version = version
        self.quirks = quirks
        self.strict = strict
        self.validator = Validator(version, quirks=quirks)
        self._lenient = quirks is not None and not quirks.strict
        sends = getattr(schema, "SEND_ACTIONS", [])
        # action -> type name, per payload kind
        self._types: dict[int, dict[str, str]] = {_REQUEST: {}, _RESPONSE: {}, _SEND: {}}
        for action, entry in schema.ACTIONS.items():
            if action in sends:
                self._types[_SEND][action] = entry[1]
            else:
                self._types[_REQUEST][action] = entry[1]
                self._types[_RESPONSE][action] = entry[2]

    # ------------------------------------------------------------------ decode

    def decode_frame(self, text: "Any") -> frames.Frame:
        """Parse one WebSocket text message; the payload of the Frame is a dict."""
        return frames.parse_text(text, self.version)

    def decode_request(
        self, action: str, payload: "Any", message_id: "Optional[str]" = None
    ) -> Decoded:
        """Validate a CALL payload. `message_id` only travels into the error."""
        return self._decode(_REQUEST, action, payload, message_id, frames.CALL)

    def decode_response(
        self, action: str, payload: "Any", message_id: "Optional[str]" = None
    ) -> Decoded:
        """Validate a CALLRESULT payload against the response type of `action`."""
        return self._decode(_RESPONSE, action, payload, message_id, frames.CALLRESULT)

    def decode_send(
        self, action: str, payload: "Any", message_id: "Optional[str]" = None
    ) -> Decoded:
        """Validate a SEND payload (2.1)."""
        return self._decode(_SEND, action, payload, message_id, frames.SEND)

    def _decode(
        self, which: int, action: str, payload: "Any", message_id: "Optional[str]", kind: int
    ) -> Decoded:
        type_name = self._types[which].get(action)
        if type_name is None:
            error = unknown_action(self.version, action, _WHAT[which], kind)
            error.message_id = message_id
            raise error
        if not self.strict and isinstance(payload, dict):
            return Decoded(payload)
        violations = self.validator.validate(type_name, payload)
        if not violations:
            return Decoded(payload)
        if self._lenient and self.strict:
            fixed, fixups, violations = self.validator.fix(type_name, payload)
            if not violations:
                return Decoded(fixed, tuple(fixups))
        raise RemoteProtocolError(violations[0], message_id, kind, action)

    # ------------------------------------------------------------------ encode

    def encode_call(self, message_id: str, action: str, payload: "dict[str, Any]") -> str:
        """`[2,id,action,payload]` after checking the id and the payload."""
        frames.check_message_id(message_id)
        self._check_out(_REQUEST, action, payload)
        return dumps(frames.build_call(message_id, action, payload))

    def encode_result(self, message_id: str, action: str, payload: "dict[str, Any]") -> str:
        """`[3,id,payload]`; `action` is that of the CALL answered (names the type)."""
        frames.check_message_id(message_id)
        self._check_out(_RESPONSE, action, payload)
        return dumps(frames.build_result(message_id, payload))

    def encode_send(self, message_id: str, action: str, payload: "dict[str, Any]") -> str:
        """`[6,id,action,payload]` (2.1 only)."""
        if frames.SEND not in frames.KINDS[self.version]:
            raise LocalProtocolError("OCPP " + self.version + " has no SEND messages")
        frames.check_message_id(message_id)
        self._check_out(_SEND, action, payload)
        return dumps(frames.build_send(message_id, action, payload))

    def encode_error(
        self,
        message_id: str,
        code: str,
        description: str = "",
        details: "Optional[dict[str, Any]]" = None,
        kind: int = frames.CALLERROR,
        echo_id: bool = False,
    ) -> str:
        """`[4,id,code,description,details]` (kind=5: 2.1 CALLRESULTERROR).

        The code must be one of the version's (exact spelling) and the description at
        most 255 characters in 2.x; `message_id` may be "-1" (unreadable id, 2.x).
        """
        # echo_id: the id of the CALL answered, however long (1.6 answers a CALL whose
        # id is over 36 characters with that id: J16 §4.2.3; nothing else can correlate).
        frames.check_message_id(message_id, echo_id)
        if details is None:
            details = {}
        frames.check_error(self.version, code, description, details, kind)
        return dumps(frames.build_error(message_id, code, description, details, kind))

    def _check_out(self, which: int, action: str, payload: "Any") -> None:
        type_name = self._types[which].get(action)
        if type_name is None:
            if self.strict or not isinstance(action, str):
                raise LocalProtocolError(
                    f"{action!r} is not a known {_WHAT[which]} action of OCPP {self.version}"
                )
            return
        if not isinstance(payload, dict):
            raise LocalProtocolError("a payload must be a dict, not " + type(payload).__name__)
        if self.strict:
            violations = self.validator.validate(type_name, payload)
            if violations:
                raise local_violation(violations[0], type_name)


_WHAT = {_REQUEST: "request", _RESPONSE: "response", _SEND: "SEND"}
