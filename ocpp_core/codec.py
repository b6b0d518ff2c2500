"""The CPython fast path: msgspec decodes and validates in one pass per layer.

`Codec(version, quirks=None, strict=True)` has the contract's interface
(docs/architecture.md): `decode_frame`, `decode_request/response/send`,
`encode_call/result/send/error`, `action_of`.

How it stays both fast and exact:
- Frame: one `msgspec.json.Decoder` over a tagged union of array-like Structs (the tag
  is the message type number, element 0). `forbid_unknown_fields` makes extra trailing
  elements an error; the id is `str` of at most 36 characters, the error code a
  Literal of the version's codes; payloads stay `msgspec.Raw` (skipped, not built).
- Payload: one cached typed Decoder per action and kind, over the generated Structs.
- msgspec is only the gate. On ANY failure the message goes to the exact path
  (`json` + `ocpp_core.frames` + `ocpp_core.validator`), which names the violation
  (code, JSON path, sentence) exactly as `PyCodec` does. If the exact path finds
  nothing wrong where msgspec refused, the two disagree: that is a bug, raised as
  InternalError (kind "internal") so that tests catch it.
- What msgspec accepts but the schemas forbid is closed by cheap guards on the raw
  payload bytes, only for the types that need them; a hit sends the payload to the
  exact validator (a false alarm costs time, never a wrong verdict):
  (a) date-times: a space instead of `T`, an offset without colon (`+0100`): the
  value of every date-time key must match RFC 3339 exactly;
  (b) 2.x `customData` (typed `dict[str, Any]`, so its `vendorId` is unchecked);
  (c) `format: uri` types are always checked exactly (1.6 UpdateFirmware,
  GetDiagnostics: rare); (d) 1.6 `multipleOf: 0.1` fields: a value with more than
  one fraction digit or an exponent goes to the exact validator; (e) a `\\u00XX`
  escape of an ASCII character anywhere in a guarded payload (it could spell a key
  such as `"custom\\u0044ata"` that a byte-level look would miss).
- Where the two parsers differ on valid JSON, the exact verdict wins: duplicate keys
  (msgspec checks every occurrence, json keeps the last: the last one counts).

Where `Codec` and `PyCodec` report the same error at different steps (same violation,
id, type and answer; only the method that raises differs):
- a number out of a double's range (`1e400`) inside a CALL/CALLRESULT/SEND payload:
  `PyCodec.decode_frame` calls the text not JSON; `Codec.decode_frame` skips the
  payload unparsed, so `decode_request/response/send` raise the same NOT_JSON_ID.

`strict=False` (probing a peer) skips payload validation on both sides: decode still
returns a typed message when msgspec accepts the payload, else the plain dict; frames
are still checked and unknown actions still refused.

With a lenient `QuirksPolicy`, a payload that fails is fixed by the policy; the fixed
payload is decoded into its Struct (or stays a dict when the Struct cannot hold it,
e.g. an overlong string accepted on purpose), and `Decoded.warnings` lists the fixups.
"""

import re
from typing import Annotated, Any, Literal, Optional, Union

import msgspec

from ocpp_core import frames, versions
from ocpp_core.errors import LocalProtocolError, RemoteProtocolError, Violation
from ocpp_core.pycodec import Decoded, load_schema, local_violation, unknown_action
from ocpp_core.validator import Validator

_MESSAGE_MODULES = {versions.V16: "v16", versions.V201: "v201", versions.V21: "v21"}

_REQUEST = 1
_RESPONSE = 2
_SEND = 3
_KIND_OF = {_REQUEST: frames.CALL, _RESPONSE: frames.CALLRESULT, _SEND: frames.SEND}
_WHAT = {_REQUEST: "request", _RESPONSE: "response", _SEND: "SEND"}

INTERNAL = "internal"  # violation kind: the fast and the exact path disagree (a bug)

_MessageId = Annotated[str, msgspec.Meta(max_length=frames.MAX_ID_LENGTH)]


class _Call(msgspec.Struct, array_like=True, tag=frames.CALL, forbid_unknown_fields=True):
    message_id: _MessageId
    action: str
    payload: msgspec.Raw


class _Result(msgspec.Struct, array_like=True, tag=frames.CALLRESULT, forbid_unknown_fields=True):
    message_id: _MessageId
    payload: msgspec.Raw


class _Send(msgspec.Struct, array_like=True, tag=frames.SEND, forbid_unknown_fields=True):
    message_id: _MessageId
    action: str
    payload: msgspec.Raw


def _error_struct(version: str, kind: int) -> Any:
    """The CALLERROR / CALLRESULTERROR Struct of `version`: its codes, its length limit."""
    codes = Literal[tuple(sorted(versions.ERROR_CODES[version]))]  # type: ignore[valid-type]
    description: Any = str
    if version != versions.V16:
        description = Annotated[str, msgspec.Meta(max_length=frames.MAX_DESCRIPTION_LENGTH_2X)]
    return msgspec.defstruct(
        "_Error" + str(kind),
        [
            ("message_id", _MessageId),
            ("error_code", codes),
            ("error_description", description),
            ("error_details", dict[str, Any]),
        ],
        array_like=True,
        tag=kind,
        forbid_unknown_fields=True,
    )


# Guards (see the module docstring): compiled searches over the raw payload (regex on
# the msgspec.Raw buffer, no copy; every pattern starts with a literal, which `re`
# scans for at C speed). A hit only means "let the exact validator look".
#
# - A payload escaping an ASCII character (`\\u0020`, `"custom\\u0044ata"`) could
#   hide from a byte-level look what msgspec will decode: it goes to the exact path.
# - 2.x customData: any occurrence of the key.
# - Date-times: for each key that names a date-time field of this type, a value that
#   is not exactly RFC 3339 (`T`, colon in the offset); a key elsewhere (inside
#   customData, say) with another value is a false alarm the exact path clears.
_ASCII_ESCAPE = re.compile(rb"\\u00[0-7][0-9A-Fa-f]").search
_CUSTOM_DATA = re.compile(rb'"customData"').search
_RFC3339 = rb'"\d\d\d\d-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(?:\.\d+)?(?:[Zz]|[+-]\d\d:\d\d)"'


def _bad_datetime_search(name: str) -> Any:
    key = b'"' + re.escape(name.encode()) + b'"'
    # "(?![ \t\n\r]|...)": no backtracking into the whitespace before the value
    return re.compile(key + rb"[ \t\n\r]*:[ \t\n\r]*(?![ \t\n\r]|" + _RFC3339 + b")").search


def _always(raw: Any) -> bool:
    return True


def _bad_tenth_search(name: str) -> Any:
    # multipleOf 0.1 (1.6 charging limits): an integer or one fraction digit is fine;
    # anything else (8.15, 8.10, 1e1, a string) is for the exact validator to judge.
    key = b'"' + re.escape(name.encode()) + b'"'
    return re.compile(
        key + rb"[ \t\n\r]*:[ \t\n\r]*(?![ \t\n\r]|-?(?:0|[1-9]\d*)(?:\.\d)?(?![\d.eE]))"
    ).search


def _make_guard(
    custom_data: bool,
    datetime_names: "set[str]",
    tenth_names: "frozenset[str] | set[str]" = frozenset(),
) -> Any:
    """A guard for one payload type: True when the exact validator must look."""
    searches = [_ASCII_ESCAPE]
    if custom_data:
        searches.append(_CUSTOM_DATA)
    searches += [_bad_datetime_search(name) for name in sorted(datetime_names)]
    searches += [_bad_tenth_search(name) for name in sorted(tenth_names)]
    checks = tuple(searches)

    def guard(raw: Any) -> bool:
        try:
            for search in checks:
                if search(raw) is not None:
                    return True
        except TypeError:  # a str payload (the patterns are bytes): exact path
            return True
        return False

    return guard


class _Features:
    """What a reduced schema uses that msgspec does not check (see `_walk`)."""

    def __init__(self) -> None:
        self.kinds: set[str] = set()  # "date-time", "uri", "customData", "multipleOf", ...
        self.datetime_names: set[str] = set()  # property names of date-time fields
        self.tenth_names: set[str] = set()  # property names of multipleOf 0.1 fields


def schema_features(schema: Any, defs: Any) -> "set[str]":
    """What a reduced schema uses that msgspec does not check: a subset of
    {"date-time", "uri", "customData", "multipleOf"} (follows refs, cycle safe)."""
    return _walk(schema, defs).kinds


def datetime_fields(schema: Any, defs: Any) -> "set[str]":
    """The property names of the date-time fields anywhere in a reduced schema."""
    return _walk(schema, defs).datetime_names


def _walk(schema: Any, defs: Any) -> _Features:
    out = _Features()
    seen: set[str] = set()
    stack: list[tuple[str, Any]] = [("", schema)]
    while stack:
        name, node = stack.pop()
        if not isinstance(node, dict):
            continue
        ref = node.get("ref")
        if ref is not None:
            target = defs[ref]
            # containers are walked once (definitions may recurse); leaves every time,
            # since the same date-time definition may sit under several names
            if ref not in seen or not ("properties" in target or "items" in target):
                seen.add(ref)
                stack.append((name, target))
            continue
        fmt = node.get("format")
        if fmt is not None:
            out.kinds.add(fmt)
            if fmt == "date-time":
                out.datetime_names.add(name)
        step = node.get("multipleOf")
        if step is not None:
            out.kinds.add("multipleOf")
            if step == 0.1:
                out.tenth_names.add(name)
            else:
                out.kinds.add("multipleOf-other")
        for prop, sub in node.get("properties", ()):
            if prop == "customData":
                out.kinds.add("customData")
            stack.append((prop, sub))
        items = node.get("items")
        if items is not None:
            stack.append((name, items))
    return out


def _guard_for(schema: Any, defs: Any) -> Any:
    features = _walk(schema, defs)
    if features.kinds - {"date-time", "customData", "multipleOf"}:
        return _always  # uri (UpdateFirmware, GetDiagnostics in 1.6): always exact
    if features.kinds:
        return _make_guard(
            "customData" in features.kinds, features.datetime_names, features.tenth_names
        )
    return None


class _VersionTables:
    """What every `Codec` of one version reads and never writes: the message tables and
    the frame decoder. Built once per version (`_tables_of`) and shared by every codec,
    whatever its quirks policy or strictness, in every thread."""

    def __init__(self, version: str, messages: Any, schema: Any) -> None:
        self.types: dict[int, dict[str, Any]] = {
            _REQUEST: dict(messages.REQUESTS),
            _RESPONSE: dict(messages.RESPONSES),
            _SEND: dict(getattr(messages, "SENDS", {})),
        }
        # action -> exact validator type name, per payload kind
        self.names: dict[int, dict[str, str]] = {_REQUEST: {}, _RESPONSE: {}, _SEND: {}}
        sends = getattr(schema, "SEND_ACTIONS", [])
        for action, entry in schema.ACTIONS.items():
            if action in sends:
                self.names[_SEND][action] = entry[1]
            else:
                self.names[_REQUEST][action] = entry[1]
                self.names[_RESPONSE][action] = entry[2]
        self.action_of: dict[type, str] = dict(messages.ACTION_OF)
        self.which_of: dict[type, int] = {}
        for which in (_REQUEST, _RESPONSE, _SEND):
            for cls in self.types[which].values():
                self.which_of[cls] = which
        members: list[Any] = [_Call, _Result, _error_struct(version, frames.CALLERROR)]
        if frames.SEND in frames.KINDS[version]:
            members += [_error_struct(version, frames.CALLRESULTERROR), _Send]
        self.error_kinds: dict[Any, int] = {members[2]: frames.CALLERROR}
        if len(members) > 3:
            self.error_kinds[members[3]] = frames.CALLRESULTERROR
        self.frame_decoder = msgspec.json.Decoder(Union[tuple(members)])
        # (decoder, guard) per (strict, kind, action), filled on first use by any codec
        # of this version: they depend on the generated types and schemas only, never
        # on a quirks policy (a lenient codec fixes payloads after the exact check).
        self.decoders: dict[tuple[bool, int, str], Any] = {}


# version -> _VersionTables. Entries are stored only once complete (a dict write is
# atomic in CPython), so another thread sees a finished table or none; two threads
# that race build two and keep the first (setdefault).
_TABLES: dict[str, _VersionTables] = {}


def _tables_of(version: str) -> _VersionTables:
    tables = _TABLES.get(version)
    if tables is None:
        package = _MESSAGE_MODULES.get(version)
        if package is None:
            raise ValueError("unknown OCPP version " + repr(version))
        messages = __import__("ocpp_core." + package + ".messages", None, None, ["REQUESTS"], 0)
        tables = _TABLES.setdefault(
            version, _VersionTables(version, messages, load_schema(version))
        )
    return tables


class Codec:
    """Fast codec for one OCPP version (and one quirks policy).

    A Codec keeps no state of a connection: after `__init__` it only fills caches of
    decoders (shared with every Codec of its version, see `_VersionTables`), so one
    Codec serves every connection of its version and policy, in any thread
    (`ocpp_core.rpc` shares one per version by default).
    """

    def __init__(self, version: str, quirks: Any = None, strict: bool = True) -> None:
        tables = _tables_of(version)
        self.version = version
        self.quirks = quirks
        self.strict = strict
        self.validator = Validator(version, quirks=quirks)
        self._lenient = quirks is not None and not quirks.strict
        self._tables = tables
        self._types = tables.types
        self._names = tables.names
        self._action_of = tables.action_of
        self._which_of = tables.which_of
        self._error_kinds = tables.error_kinds
        self._frame_decoder = tables.frame_decoder
        # (decoder, guard) per action, this codec's view of the shared cache: one dict
        # lookup on the hot path, filled from `tables.decoders` on first use
        self._decoders: dict[int, dict[str, Any]] = {_REQUEST: {}, _RESPONSE: {}, _SEND: {}}
        self._requests = self._decoders[_REQUEST]
        self._responses = self._decoders[_RESPONSE]

    # ------------------------------------------------------------------ frames

    def decode_frame(self, text: "str | bytes") -> frames.Frame:
        """One WebSocket text message -> `Frame` (payload: `msgspec.Raw`)."""
        try:
            frame = self._frame_decoder.decode(text)
        except (ValueError, RecursionError) as error:  # msgspec errors are ValueErrors
            return self._exact_frame(text, error)
        cls = type(frame)
        if cls is _Call:
            return frames.Frame(frames.CALL, frame.message_id, frame.action, frame.payload)
        if cls is _Result:
            return frames.Frame(frames.CALLRESULT, frame.message_id, None, frame.payload)
        if cls is _Send:
            return frames.Frame(frames.SEND, frame.message_id, frame.action, frame.payload)
        return frames.Frame(
            self._error_kinds[cls],
            frame.message_id,
            None,
            None,
            frame.error_code,
            frame.error_description,
            frame.error_details,
        )

    def _exact_frame(self, text: Any, error: Optional[Exception]) -> frames.Frame:
        if isinstance(text, str):
            try:
                text.encode()
            except UnicodeEncodeError:  # a lone surrogate character: no UTF-8 text
                raise frames.not_json(text, self.version) from None
        frames.parse_text(text, self.version)  # raises the precise RemoteProtocolError
        if isinstance(error, RecursionError) or "recursion" in str(error):
            # msgspec's nesting limit can be a little lower than json's
            raise frames.not_json(text, self.version)
        raise self._internal(f"msgspec refused a frame the exact checker accepts: {error}")

    def _internal(self, message: str, **where: Any) -> RemoteProtocolError:
        violation = Violation(INTERNAL, versions.INTERNAL_ERROR, "", message)
        return RemoteProtocolError(violation, **where)

    # ------------------------------------------------------------------ payloads

    # The three decoders repeat themselves on purpose: the hot path is one dict lookup,
    # one msgspec decode, the guard, and no further Python call.

    def decode_request(self, action: str, raw: Any, message_id: Optional[str] = None) -> Decoded:
        """A CALL payload (`msgspec.Raw`, bytes or dict) -> Decoded(typed request)."""
        entry = self._requests.get(action)
        if entry is None:
            entry = self._new_decoder(_REQUEST, action, message_id)
        try:
            message = entry[0].decode(raw)
        except (ValueError, TypeError, RecursionError) as error:
            return self._exact_payload(_REQUEST, action, raw, message_id, None, error)
        guard = entry[1]
        if guard is not None and guard(raw):
            return self._exact_payload(_REQUEST, action, raw, message_id, message, None)
        return Decoded(message)

    def decode_response(self, action: str, raw: Any, message_id: Optional[str] = None) -> Decoded:
        """A CALLRESULT payload, typed by the action of the CALL it answers."""
        entry = self._responses.get(action)
        if entry is None:
            entry = self._new_decoder(_RESPONSE, action, message_id)
        try:
            message = entry[0].decode(raw)
        except (ValueError, TypeError, RecursionError) as error:
            return self._exact_payload(_RESPONSE, action, raw, message_id, None, error)
        guard = entry[1]
        if guard is not None and guard(raw):
            return self._exact_payload(_RESPONSE, action, raw, message_id, message, None)
        return Decoded(message)

    def decode_send(self, action: str, raw: Any, message_id: Optional[str] = None) -> Decoded:
        """A SEND payload (2.1)."""
        entry = self._decoders[_SEND].get(action)
        if entry is None:
            entry = self._new_decoder(_SEND, action, message_id)
        try:
            message = entry[0].decode(raw)
        except (ValueError, TypeError, RecursionError) as error:
            return self._exact_payload(_SEND, action, raw, message_id, None, error)
        guard = entry[1]
        if guard is not None and guard(raw):
            return self._exact_payload(_SEND, action, raw, message_id, message, None)
        return Decoded(message)

    def _new_decoder(self, which: int, action: str, message_id: Optional[str] = None) -> Any:
        """(Decoder, guard) of an action, built on first use; NotImplemented if unknown."""
        entry = self._decoders[which].get(action)
        if entry is not None:
            return entry
        cls = self._types[which].get(action)
        if cls is None:
            error = unknown_action(self.version, action, _WHAT[which], _KIND_OF[which])
            error.message_id = message_id
            raise error
        key = (self.strict, which, action)
        entry = self._tables.decoders.get(key)
        if entry is None:
            root, defs = self.validator.schema_of(self._names[which][action])
            guard = _guard_for(root, defs) if self.strict else None
            # built whole, then published: other threads never see half an entry
            entry = self._tables.decoders.setdefault(key, (msgspec.json.Decoder(cls), guard))
        self._decoders[which][action] = entry
        return entry

    def _exact_payload(
        self,
        which: int,
        action: str,
        raw: Any,
        message_id: Optional[str],
        message: Any,
        error: Optional[Exception],
    ) -> Decoded:
        kind = _KIND_OF[which]
        if isinstance(raw, dict):
            payload = raw
        else:
            try:
                payload = frames.loads(raw if isinstance(raw, str) else bytes(raw))
            except (ValueError, RecursionError):
                # msgspec skips a Raw payload without parsing its numbers: 1e400 gets
                # here. The exact path calls that text not JSON (frames.parse_text).
                raise frames.not_json_id(self.version, message_id, kind) from None
        type_name = self._names[which][action]
        if not self.strict and isinstance(payload, dict):
            if message is None and isinstance(raw, dict):
                message = self._typed_or_dict(which, action, raw)
            return Decoded(payload if message is None else message)
        violations = self.validator.validate(type_name, payload)
        if violations:
            if self._lenient:
                fixed, fixups, violations = self.validator.fix(type_name, payload)
                if not violations:
                    return Decoded(self._typed_or_dict(which, action, fixed), tuple(fixups))
            raise RemoteProtocolError(violations[0], message_id, kind, action)
        if message is not None:  # a guard's false alarm: the typed message stands
            return Decoded(message)
        # A dict handed in, or a payload with duplicate keys (msgspec checks every
        # occurrence, json keeps the last; the exact verdict on the last one stands):
        # type the parsed payload. Only if msgspec still refuses do the paths disagree.
        typed = self._typed_or_dict(which, action, payload)
        if typed is not payload:
            return Decoded(typed)
        raise self._internal(
            f"msgspec refused a {type_name} the exact validator accepts: {error}",
            message_id=message_id,
            kind=kind,
            action=action,
        )

    def _typed_or_dict(self, which: int, action: str, payload: Any) -> Any:
        decoder = self._new_decoder(which, action)[0]
        try:
            return decoder.decode(msgspec.json.encode(payload))
        except (ValueError, TypeError):
            return payload

    # ------------------------------------------------------------------ encode

    def action_of(self, message: Any) -> str:
        """The action of a typed request, response or SEND message."""
        action = self._action_of.get(type(message))
        if action is None:
            raise LocalProtocolError(
                f"{type(message).__name__} is not an OCPP {self.version} message type"
            )
        return action

    def encode_call(self, message_id: str, request: Any) -> str:
        """`[2,id,action,payload]`; the request is validated before it leaves."""
        return self._encode(frames.CALL, _REQUEST, message_id, request)

    def encode_result(self, message_id: str, response: Any) -> str:
        """`[3,id,payload]` for a typed response."""
        return self._encode(frames.CALLRESULT, _RESPONSE, message_id, response)

    def encode_send(self, message_id: str, message: Any) -> str:
        """`[6,id,action,payload]` (2.1)."""
        return self._encode(frames.SEND, _SEND, message_id, message)

    def _encode(self, kind: int, which: int, message_id: str, message: Any) -> str:
        if self._which_of.get(type(message)) != which:
            raise LocalProtocolError(
                f"{type(message).__name__} is not an OCPP {self.version} "
                f"{_WHAT[which]} message type"
            )
        frames.check_message_id(message_id)
        action = self._action_of[type(message)]
        try:
            payload = msgspec.json.encode(message)
        except (TypeError, ValueError, OverflowError) as error:
            raise LocalProtocolError(f"cannot encode {type(message).__name__}: {error}") from None
        if self.strict:
            self._check_out(which, action, payload)
        head = msgspec.json.encode(message_id)
        if kind == frames.CALLRESULT:
            return (b"[3," + head + b"," + payload + b"]").decode()
        return (b'[%d,%s,"%s",%s]' % (kind, head, action.encode(), payload)).decode()

    def _check_out(self, which: int, action: str, payload: bytes) -> None:
        decoder, guard = self._new_decoder(which, action)
        try:
            decoder.decode(payload)
            refused: Optional[Exception] = None
        except (ValueError, TypeError, RecursionError) as error:
            refused = error
        if refused is None and (guard is None or not guard(payload)):
            return
        type_name = self._names[which][action]
        try:
            violations = self.validator.validate(type_name, frames.loads(payload))
        except ValueError as error:  # a number out of range
            raise LocalProtocolError(f"{type_name} is not valid JSON: {error}") from None
        if violations:
            raise local_violation(violations[0], type_name)
        if refused is not None:  # the two paths disagree: a bug, never sent silently
            raise LocalProtocolError(
                f"internal: msgspec refused a {type_name} the exact validator accepts: {refused}"
            )

    def encode_error(
        self,
        message_id: str,
        code: str,
        description: str = "",
        details: Optional[dict[str, Any]] = None,
        kind: int = frames.CALLERROR,
        echo_id: bool = False,
    ) -> str:
        """`[4,id,code,description,details]` (kind=5: 2.1 CALLRESULTERROR)."""
        # echo_id: the id of the CALL answered, however long (1.6 answers a CALL whose
        # id is over 36 characters with that id: J16 §4.2.3; nothing else can correlate).
        frames.check_message_id(message_id, echo_id)
        if details is None:
            details = {}
        frames.check_error(self.version, code, description, details, kind)
        try:
            return msgspec.json.encode(
                frames.build_error(message_id, code, description, details, kind)
            ).decode()
        except (TypeError, ValueError, OverflowError) as error:
            raise LocalProtocolError(f"cannot encode the error details: {error}") from None
